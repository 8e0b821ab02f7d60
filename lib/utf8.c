/*
 * UTF-8 decoding and encoding. utf8proc decodes too (utf8proc_iterate),
 * but it reports an error where a matcher needs to step over one bad
 * byte and go on; this walker is what every folding loop shares.
 */
#include <hallway/text.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

long hw_utf8_next(const unsigned char **pp)
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
	/* Overlong forms, surrogates and code points past U+10FFFF. */
	if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF)) {
		*pp = p + 1;
		return -1;
	}
	*pp = p + n + 1;
	return cp;
}

size_t hw_utf8_put(char *out, long cp)
{
	if (cp < 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
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

size_t hw_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	size_t n;
	va_start(ap, fmt);
	n = hw_vfmt(buf, len, fmt, ap);
	va_end(ap);
	return n;
}

size_t hw_vfmt(char *buf, size_t len, const char *fmt, va_list ap)
{
	int n;
	size_t o;
	if (!len)
		return 0;
	n = vsnprintf(buf, len, fmt, ap);
	if (n < 0) {
		buf[0] = '\0';
		return 0;
	}
	if ((size_t)n < len)
		return (size_t)n;
	/* Cut: drop the last character if vsnprintf wrote only part of it. */
	o = len - 1;
	{
		size_t k = o;
		while (k > 0 && ((unsigned char)buf[k - 1] & 0xC0) == 0x80)
			k--;
		if (k > 0 && (unsigned char)buf[k - 1] >= 0xC0) {
			unsigned char c = (unsigned char)buf[k - 1];
			size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
			if (k - 1 + need > o)
				o = k - 1;
		}
	}
	buf[o] = '\0';
	return o;
}
