/*
 * Edit distance for suggestions. None of our dependencies offers one
 * (utf8proc does Unicode, not string metrics), and the inputs are short:
 * keys, command words, names, zone names. Compared by code point, so
 * "питон" and "питн" are one edit apart, not two.
 */
#include <hallway/text.h>

#include <string.h>

/* Decodes at most HW_DISTANCE_MAX_LEN code points; returns the count, or
 * HW_DISTANCE_MAX_LEN + 1 when there are more. */
static size_t decode(const char *s, size_t len, long *out)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	size_t n = 0;
	while (p < end && *p) {
		if (n == HW_DISTANCE_MAX_LEN)
			return n + 1;
		out[n++] = hw_utf8_next(&p);
	}
	return n;
}

size_t hw_distance(const char *a, size_t la, const char *b, size_t lb)
{
	long ca[HW_DISTANCE_MAX_LEN], cb[HW_DISTANCE_MAX_LEN];
	size_t d[HW_DISTANCE_MAX_LEN + 1][HW_DISTANCE_MAX_LEN + 1];
	size_t na = decode(a, la, ca), nb = decode(b, lb, cb);

	if (na > HW_DISTANCE_MAX_LEN || nb > HW_DISTANCE_MAX_LEN)
		return (size_t)-1;
	for (size_t i = 0; i <= na; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= nb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= na; i++) {
		for (size_t j = 1; j <= nb; j++) {
			size_t cost = ca[i - 1] != cb[j - 1];
			size_t v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && ca[i - 1] == cb[j - 2] && ca[i - 2] == cb[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[na][nb];
}

size_t hw_distance_capped(const char *a, const char *b, size_t cap)
{
	size_t d = hw_distance(a, strlen(a), b, strlen(b));
	return d > cap ? cap + 1 : d;
}
