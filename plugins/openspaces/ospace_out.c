/*
 * ospace_out — a topic or reason as typed, cleaned for storing. See
 * ospace_out.h. Reply text itself is built with hw_buf (<hallway/buf.h>).
 */
#include "ospace_out.h"

#include <stdlib.h>
#include <string.h>

char *ospace_out_clean(const char *s, size_t max_bytes)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	char *out = malloc(max_bytes + 1);
	size_t n = 0;
	int space = 0;
	if (!out)
		return NULL;
	while (*p) {
		/* one UTF-8 sequence (a stray or invalid byte alone) */
		size_t k = 1;
		if (*p >= 0xC0)
			while (k < 4 && (p[k] & 0xC0) == 0x80)
				k++;
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
