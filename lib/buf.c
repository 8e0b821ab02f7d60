/*
 * hw_buf — growable text buffer with a cap. See include/hallway/buf.h.
 */
#include <hallway/buf.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HW_BUF_DEFAULT_MAX ((size_t)16 << 20)

void hw_buf_init(hw_buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max ? max : HW_BUF_DEFAULT_MAX;
}

void hw_buf_free(hw_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

void hw_buf_addn(hw_buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (n > b->max - b->len) {
		b->failed = 1;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *grown;
		while (cap < b->len + n + 1)
			cap *= 2;
		grown = realloc(b->data, cap);
		if (!grown) {
			b->failed = 1;
			return;
		}
		b->data = grown;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = 0;
}

void hw_buf_truncate(hw_buf *b, size_t len)
{
	if (b->failed || len >= b->len)
		return;
	b->len = len;
	b->data[len] = '\0';
}

void hw_buf_add(hw_buf *b, const char *s)
{
	hw_buf_addn(b, s, strlen(s));
}

void hw_buf_addint(hw_buf *b, long long v)
{
	char tmp[32];
	snprintf(tmp, sizeof(tmp), "%lld", v);
	hw_buf_add(b, tmp);
}

void hw_buf_addf(hw_buf *b, const char *fmt, ...)
{
	char tmp[256];
	char *big;
	va_list ap;
	int n;

	if (b->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = 1;
		return;
	}
	if ((size_t)n < sizeof(tmp)) {
		hw_buf_addn(b, tmp, (size_t)n);
		return;
	}
	/* Longer than the stack copy: format again into the heap. */
	if (!(big = malloc((size_t)n + 1))) {
		b->failed = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	hw_buf_addn(b, big, (size_t)n);
	free(big);
}

void hw_buf_add_safe(hw_buf *b, const char *s, size_t max_bytes)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t used = 0;
	while (*p) {
		size_t n = 1;
		if (*p >= 0xC0) /* a lead byte: keep its sequence whole */
			while ((p[n] & 0xC0) == 0x80 && n < 4)
				n++;
		if (used + n > max_bytes) {
			hw_buf_add(b, "\xE2\x80\xA6"); /* … */
			return;
		}
		if (n == 3 && p[0] == 0xE2 && ((p[1] == 0x80 && p[2] >= 0xAA && p[2] <= 0xAE) ||
					       (p[1] == 0x81 && p[2] >= 0xA6 && p[2] <= 0xA9)))
			; /* bidi embeddings, overrides and isolates: they reorder the reply */
		else if (*p < 0x20 || *p == 0x7F)
			hw_buf_addn(b, " ", 1);
		else if (*p == '@')
			hw_buf_addn(b, "@\xE2\x80\x8B", 4);
		else if (*p >= 0x80 && *p < 0xC0)
			; /* a stray continuation byte */
		else
			hw_buf_addn(b, (const char *)p, n);
		used += n;
		p += n;
	}
}

const char *hw_buf_str(const hw_buf *b)
{
	if (b->failed)
		return NULL;
	return b->data ? b->data : "";
}
