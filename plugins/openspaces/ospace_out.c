/*
 * ospace_out — reply text. See ospace_out.h.
 */
#include "ospace_out.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ospace_out_init(ospace_out *o, size_t max)
{
	memset(o, 0, sizeof(*o));
	o->max = max;
}

void ospace_out_free(ospace_out *o)
{
	free(o->p);
	memset(o, 0, sizeof(*o));
}

void ospace_out_addn(ospace_out *o, const char *s, size_t n)
{
	if (o->failed)
		return;
	if (n > o->max - o->n) {
		o->failed = 1;
		return;
	}
	if (o->n + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 256;
		char *grown;
		while (cap < o->n + n + 1)
			cap *= 2;
		grown = realloc(o->p, cap);
		if (!grown) {
			o->failed = 1;
			return;
		}
		o->p = grown;
		o->cap = cap;
	}
	memcpy(o->p + o->n, s, n);
	o->n += n;
	o->p[o->n] = 0;
}

void ospace_out_add(ospace_out *o, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		o->failed = 1; /* formats here are short; longer text goes through _text */
		return;
	}
	ospace_out_addn(o, tmp, (size_t)n);
}

/* Length of the UTF-8 sequence at p (1 for a stray or invalid byte). */
static size_t ospace_out_seq(const unsigned char *p)
{
	size_t n = 1;
	if (*p >= 0xC0)
		while (n < 4 && (p[n] & 0xC0) == 0x80)
			n++;
	return n;
}

static int ospace_out_bidi(const unsigned char *p, size_t n)
{
	return n == 3 && p[0] == 0xE2 &&
	       ((p[1] == 0x80 && p[2] >= 0xAA && p[2] <= 0xAE) ||
		(p[1] == 0x81 && p[2] >= 0xA6 && p[2] <= 0xA9));
}

void ospace_out_text(ospace_out *o, const char *s, size_t max_bytes)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t used = 0;
	while (*p) {
		size_t n = ospace_out_seq(p);
		if (used + n > max_bytes) {
			ospace_out_add(o, "\xE2\x80\xA6"); /* … */
			return;
		}
		if (ospace_out_bidi(p, n) || (*p >= 0x80 && *p < 0xC0))
			; /* reorders the reply, or a stray continuation byte */
		else if (*p < 0x20 || *p == 0x7F)
			ospace_out_addn(o, " ", 1);
		else if (*p == '@')
			ospace_out_addn(o, "@\xE2\x80\x8B", 4);
		else
			ospace_out_addn(o, (const char *)p, n);
		used += n;
		p += n;
	}
}

const char *ospace_out_str(const ospace_out *o)
{
	if (o->failed)
		return NULL;
	return o->p ? o->p : "";
}

char *ospace_out_clean(const char *s, size_t max_bytes)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	char *out = malloc(max_bytes + 1);
	size_t n = 0;
	int space = 0;
	if (!out)
		return NULL;
	while (*p) {
		size_t k = ospace_out_seq(p);
		if (*p <= 0x20 || *p == 0x7F) {
			space = n > 0;
			p++;
			continue;
		}
		if (n + space + k > max_bytes)
			break;
		if (space)
			out[n++] = ' ';
		space = 0;
		memcpy(out + n, p, k);
		n += k;
		p += k;
	}
	out[n] = 0;
	return out;
}
