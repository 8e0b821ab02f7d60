/*
 * Message splitting: valid UTF-8 in, byte ranges of at most N code points
 * out, cut at line breaks, else spaces, else code point boundaries.
 */
#include "msgsplit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s[0, len), or 0 if invalid. */
static size_t utf8_valid_len(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		v = c & 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		v = c & 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		v = c & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

/* Sequence length from a lead byte of valid UTF-8. */
static size_t utf8_seq_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c < 0xe0)
		return 2;
	if (c < 0xf0)
		return 3;
	return 4;
}

/* Code point at s[off] of valid UTF-8. */
static uint32_t cp_at(const char *s, size_t len, size_t off)
{
	uint32_t cp = 0xfffd;
	utf8_valid_len((const unsigned char *)s + off, len - off, &cp);
	return cp;
}

/* Offset of the code point before off (off > 0). */
static size_t prev_boundary(const char *s, size_t off)
{
	do {
		off--;
	} while (off > 0 && ((unsigned char)s[off] & 0xc0) == 0x80);
	return off;
}

char *msgsplit_sanitize(const char *text, size_t len, size_t *out_len)
{
	/* Each input byte becomes at most 3 output bytes (U+FFFD). */
	if (len > (SIZE_MAX - 1) / 3)
		return NULL;
	char *out = malloc(len * 3 + 1);
	if (!out)
		return NULL;
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, o = 0;
	while (i < len) {
		uint32_t cp;
		size_t n = utf8_valid_len(s + i, len - i, &cp);
		if (n == 0) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		int drop = (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0x7f;
		if (!drop) {
			memcpy(out + o, s + i, n);
			o += n;
		}
		i += n;
	}
	out[o] = '\0';
	*out_len = o;
	return out;
}

size_t msgsplit_count(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

/* Code points that belong to the character before them. */
static int is_extender(uint32_t cp)
{
	return (cp >= 0x300 && cp <= 0x36f) || (cp >= 0x1ab0 && cp <= 0x1aff) ||
	       (cp >= 0x1dc0 && cp <= 0x1dff) || (cp >= 0x20d0 && cp <= 0x20ff) ||
	       (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xfe20 && cp <= 0xfe2f) ||
	       cp == 0x200d || (cp >= 0x1f3fb && cp <= 0x1f3ff) ||
	       (cp >= 0xe0020 && cp <= 0xe007f) || (cp >= 0xe0100 && cp <= 0xe01ef);
}

static int is_regional(uint32_t cp)
{
	return cp >= 0x1f1e6 && cp <= 0x1f1ff;
}

/* Whether cutting before s[end] would split a character cluster. */
static int bad_cut(const char *s, size_t len, size_t start, size_t end)
{
	if (end <= start || end >= len)
		return 0;
	uint32_t next = cp_at(s, len, end);
	size_t p = prev_boundary(s, end);
	uint32_t prev = cp_at(s, len, p);
	if (is_extender(next) || prev == 0x200d)
		return 1;
	if (is_regional(next) && is_regional(prev)) {
		/* Flags are pairs: an odd run before end means mid-pair. */
		size_t run = 0, q = end;
		while (q > start) {
			q = prev_boundary(s, q);
			if (!is_regional(cp_at(s, len, q)))
				break;
			run++;
		}
		return run % 2 == 1;
	}
	return 0;
}

static int only_space(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr(" \t\r\n", s[i]))
			return 0;
	return 1;
}

int msgsplit_next(const char *text, size_t len, size_t max_chars, size_t *pos,
		  size_t *part_off, size_t *part_len)
{
	if (max_chars == 0)
		return 0;
	while (*pos < len) {
		size_t start = *pos, p = start, count = 0, end, next;

		while (p < len && count < max_chars) {
			p += utf8_seq_len((unsigned char)text[p]);
			count++;
		}
		if (p > len)
			p = len;
		if (p >= len) {
			end = len;
			next = len;
		} else {
			/* text[p] starts the first code point that does not fit;
			 * a separator there may still be dropped. */
			size_t i = p;
			if (text[p] == '\r' && p + 1 < len && text[p + 1] == '\n')
				i = p + 1;
			while (i > start && text[i] != '\n')
				i--;
			if (i > start) {
				end = i;
				if (text[end - 1] == '\r')
					end--;
				next = i + 1;
			} else {
				i = p;
				while (i > start && text[i] != ' ' && text[i] != '\t')
					i--;
				if (i > start) {
					end = i;
					next = i + 1;
				} else {
					end = p;
					for (int k = 0; k < 32 && bad_cut(text, len, start, end); k++)
						end = prev_boundary(text, end);
					if (end <= start)
						end = p;
					next = end;
				}
			}
		}
		*pos = next;
		if (end > start && !only_space(text + start, end - start)) {
			*part_off = start;
			*part_len = end - start;
			return 1;
		}
	}
	return 0;
}
