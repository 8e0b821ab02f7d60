/*
 * sprints_fold — case- and accent-insensitive folding of UTF-8 names and an
 * edit distance for suggestions. See sprints_fold.h.
 */
#include "sprints_fold.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* U+00C0..U+00FF: the base letters, "" for characters kept as they are. */
static const char *const sprints_fold_latin1[64] = {
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y",
};

/* U+0100..U+017F, one base letter each; 'I' stands for "ij", 'O' for "oe". */
static const char sprints_fold_exta[] =
	"aaaaaa" "cccccccc" "dddd" "eeeeeeeeee" "gggggggg" "hhhh" "iiiiiiiiii" "II" "jj"
	"kkk" "llllllllll" "nnnnnnnnn" "oooooo" "OO" "rrrrrr" "ssssssss" "tttttt"
	"uuuuuuuuuuuu" "ww" "yyy" "zzzzzz" "s";
_Static_assert(sizeof(sprints_fold_exta) == 129, "one letter per code point");

/* Decodes one UTF-8 sequence at s; returns its length (0 if invalid). */
static size_t sprints_fold_decode(const unsigned char *s, uint32_t *cp)
{
	size_t n, i;
	uint32_t c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		c &= 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		c &= 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		c &= 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

static int sprints_fold_invisible(uint32_t cp)
{
	return cp == 0xAD || (cp >= 0x300 && cp <= 0x36F) || (cp >= 0x200B && cp <= 0x200F) ||
	       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2064) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF || (cp >= 0xFE00 && cp <= 0xFE0F);
}

static int sprints_fold_separator(uint32_t cp)
{
	return cp <= 0x20 || cp == 0x7F || cp == 0xA0 || cp == 0x3000 ||
	       (cp < 0x80 && strchr("-_.,:;'\"/()!?[]{}`", (int)cp));
}

char *sprints_fold(const char *in)
{
	const unsigned char *s = (const unsigned char *)in;
	/* Worst case: every byte grows to 2 (Latin-1 "ss" from 2 bytes is 1:1,
	 * "ij" from 2 bytes too), so the input length bounds the output. */
	char *out = malloc(strlen(in) + 1);
	size_t o = 0;
	int pending_space = 0;
	if (!out)
		return NULL;
	while (*s) {
		uint32_t cp;
		size_t n = sprints_fold_decode(s, &cp);
		const char *rep = NULL;
		char one[2] = {0, 0};
		if (!n) {
			s++;
			continue;
		}
		if (sprints_fold_invisible(cp)) {
			s += n;
			continue;
		}
		if (sprints_fold_separator(cp)) {
			pending_space = o > 0;
			s += n;
			continue;
		}
		if (cp < 0x80) {
			one[0] = (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
			rep = one;
		} else if (cp >= 0xC0 && cp <= 0xFF && *sprints_fold_latin1[cp - 0xC0]) {
			rep = sprints_fold_latin1[cp - 0xC0];
		} else if (cp >= 0x100 && cp <= 0x17F) {
			char c = sprints_fold_exta[cp - 0x100];
			rep = c == 'I' ? "ij" : c == 'O' ? "oe" : (one[0] = c, one);
		}
		if (pending_space) {
			out[o++] = ' ';
			pending_space = 0;
		}
		if (rep) {
			size_t len = strlen(rep);
			memcpy(out + o, rep, len);
			o += len;
		} else {
			memcpy(out + o, s, n);
			o += n;
		}
		s += n;
	}
	out[o] = 0;
	return out;
}

size_t sprints_fold_distance(const char *a, const char *b, size_t cap)
{
	size_t la = strlen(a), lb = strlen(b), i, j, res;
	size_t *row;
	if (la > lb ? la - lb > cap : lb - la > cap)
		return cap + 1;
	row = malloc((lb + 1) * sizeof(*row));
	if (!row)
		return cap + 1;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0], best;
		row[0] = i;
		best = row[0];
		for (j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t v = diag + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			if (up + 1 < v)
				v = up + 1;
			row[j] = v;
			diag = up;
			if (v < best)
				best = v;
		}
		if (best > cap) {
			free(row);
			return cap + 1;
		}
	}
	res = row[lb] > cap ? cap + 1 : row[lb];
	free(row);
	return res;
}

int sprints_fold_has_word_prefix(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	const char *p = hay;
	if (!n)
		return 0;
	for (;;) {
		if (!strncmp(p, needle, n))
			return 1;
		p = strchr(p, ' ');
		if (!p)
			return 0;
		p++;
	}
}
