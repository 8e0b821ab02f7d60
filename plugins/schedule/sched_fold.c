/*
 * Folding table and UTF-8 walk for sched_fold().
 */
#include "sched_fold.h"

#include <stdlib.h>
#include <string.h>

/* U+00C0..U+017F, two bytes per code point, space-padded; "  " means
 * "not a letter" (U+00D7, U+00F7). Generated from Unicode decompositions
 * plus the letters that have none (Æ Ð Ø Þ ß Đ Ħ ı Ĳ ĸ Ŀ Ł ŉ Ŋ Œ Ŧ ſ). */
static const char fold_latin[] =
	/* U+00C0 */ "a a a a a a aec e e e e i i i i "
	/* U+00D0 */ "d n o o o o o   o u u u u y thss"
	/* U+00E0 */ "a a a a a a aec e e e e i i i i "
	/* U+00F0 */ "d n o o o o o   o u u u u y thy "
	/* U+0100 */ "a a a a a a c c c c c c c c d d "
	/* U+0110 */ "d d e e e e e e e e e e g g g g "
	/* U+0120 */ "g g g g h h h h i i i i i i i i "
	/* U+0130 */ "i i ijijj j k k k l l l l l l l "
	/* U+0140 */ "l l l n n n n n n n n n o o o o "
	/* U+0150 */ "o o oeoer r r r r r s s s s s s "
	/* U+0160 */ "s s t t t t t t u u u u u u u u "
	/* U+0170 */ "u u u u w w y y y z z z z z z s ";

long sched_fold_utf8(const unsigned char **pp)
{
	const unsigned char *p = *pp;
	long cp;
	int n;

	if (p[0] < 0x80) {
		*pp = p + 1;
		return p[0];
	}
	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		cp = p[0] & 0x1F;
		n = 1;
	} else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		cp = p[0] & 0x0F;
		n = 2;
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		cp = p[0] & 0x07;
		n = 3;
	} else {
		*pp = p + 1;
		return -1;
	}
	for (int i = 1; i <= n; i++) {
		if ((p[i] & 0xC0) != 0x80) {
			*pp = p + 1;
			return -1;
		}
		cp = cp << 6 | (p[i] & 0x3F);
	}
	/* Overlong forms and surrogates are invalid. */
	if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF)) {
		*pp = p + 1;
		return -1;
	}
	*pp = p + n + 1;
	return cp;
}

/* Kinds of code point for folding. */
enum { K_SEP, K_SKIP, K_KEEP };

static int classify(long cp)
{
	if (cp < 0)
		return K_SEP;
	if (cp >= 0x300 && cp <= 0x36F)
		return K_SKIP; /* combining accents */
	if (cp == 0x200D || (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF ||
	    (cp >= 0xE0000 && cp <= 0xE007F) || (cp >= 0x1F3FB && cp <= 0x1F3FF))
		return K_SKIP; /* ZWJ, variation selectors, tags, skin tones */
	if ((cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) ||
	    (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF0F) ||
	    (cp >= 0x1F000 && cp <= 0x1FAFF) || (cp >= 0x80 && cp < 0xC0) ||
	    cp == 0xD7 || cp == 0xF7)
		return K_SEP; /* punctuation, symbols, arrows, dingbats, emoji */
	return K_KEEP;
}

static size_t put_utf8(char *out, long cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Writes the folded form of one letter into tmp; returns its length. */
static size_t fold_letter(long cp, char *tmp)
{
	if (cp < 0x80) {
		if (cp >= 'A' && cp <= 'Z')
			cp += 32;
		if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
			tmp[0] = (char)cp;
			return 1;
		}
		return 0;
	}
	if (cp >= 0xC0 && cp <= 0x17F) {
		const char *f = fold_latin + (cp - 0xC0) * 2;
		size_t n = f[1] == ' ' ? 1 : 2;
		if (f[0] == ' ')
			return 0;
		memcpy(tmp, f, n);
		return n;
	}
	if ((cp >= 0x391 && cp <= 0x3A9) || (cp >= 0x410 && cp <= 0x42F))
		cp += 0x20; /* Greek and Cyrillic capitals */
	else if (cp >= 0x400 && cp <= 0x40F)
		cp += 0x50;
	return put_utf8(tmp, cp);
}

size_t sched_fold_into(const char *s, char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t o = 0;
	int pending_sep = 0;

	if (!len)
		return 0;
	while (*p) {
		long cp = sched_fold_utf8(&p);
		char tmp[4];
		size_t n;
		int k = classify(cp);

		if (k == K_SKIP)
			continue;
		n = k == K_KEEP ? fold_letter(cp, tmp) : 0;
		if (!n) {
			pending_sep = 1;
			continue;
		}
		if (pending_sep && o) {
			if (o + 1 >= len)
				break;
			buf[o++] = ' ';
		}
		pending_sep = 0;
		if (o + n >= len)
			break;
		memcpy(buf + o, tmp, n);
		o += n;
	}
	buf[o] = 0;
	return o;
}

char *sched_fold(const char *s)
{
	/* Folding never grows text by more than 2x (ß -> ss is 2 -> 2; "æ"
	 * is 2 bytes -> 2), plus room for separators. */
	size_t len = (s ? strlen(s) : 0) * 2 + 2;
	char *buf = malloc(len);

	if (!buf)
		return NULL;
	sched_fold_into(s, buf, len);
	return buf;
}
