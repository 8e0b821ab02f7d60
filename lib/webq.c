/*
 * Reading a web request's query string (include/hallway/web.h), for every
 * plugin's routes: one decoder, so screens and panels read "?room=Main+Hall"
 * alike.
 */
#include <stdlib.h>
#include <string.h>

#include <hallway/web.h>

int hw_web_query_arg(const char *query, const char *name, char *out, size_t len)
{
	size_t nlen = strlen(name);
	const char *q = query;
	while (q && *q) {
		const char *end = q + strcspn(q, "&");
		if ((size_t)(end - q) > nlen && !strncmp(q, name, nlen) && q[nlen] == '=') {
			size_t o = 0;
			for (const char *c = q + nlen + 1; c < end; c++) {
				int ch = (unsigned char)*c;
				if (ch == '%' && end - c > 2) {
					char hex[3] = {c[1], c[2], 0};
					char *bad;
					ch = (int)strtol(hex, &bad, 16);
					if (*bad)
						return -1;
					c += 2;
				} else if (ch == '+') {
					ch = ' ';
				}
				if (o + 1 >= len || ch == 0)
					return -1;
				out[o++] = (char)ch;
			}
			out[o] = '\0';
			return 0;
		}
		q = *end ? end + 1 : end;
	}
	return 1; /* absent */
}
