/*
 * Times and talks as chat text: conference-local ("Thu 26 Nov 10:15"),
 * with a Discord timestamp (<t:UNIX:t>) that every reader sees in their
 * own zone.
 */
#ifndef REC_FMT_H
#define REC_FMT_H

#include <stddef.h>
#include <stdint.h>

struct hw_tz;

/* "Thu 26 Nov 10:15–10:45" in tz (NULL = UTC) into buf. */
void rec_fmt_span(const struct hw_tz *tz, int64_t start, int64_t end, char *buf,
		  size_t len);

/* "Thu 26 Nov 10:15" into buf. */
void rec_fmt_when(const struct hw_tz *tz, int64_t t, char *buf, size_t len);

/* The day of t in tz (days since 1970-01-01 there), for "today". */
int64_t rec_fmt_day(const struct hw_tz *tz, int64_t t);

/* Copies s into buf (at most len-1 bytes, cut on a UTF-8 boundary). */
void rec_fmt_cut(const char *s, char *buf, size_t len);

/* Appends printf-style text to a growing string; the format is always a
 * literal in this plugin, user text goes in the arguments. */
struct rec_out {
	char *p;
	size_t n, cap;
	int oom;
};
void rec_out_add(struct rec_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rec_out_free(struct rec_out *o);

#endif
