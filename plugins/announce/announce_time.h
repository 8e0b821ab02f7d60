/*
 * When: the time expressions of `announce at` and `announce audit`, read
 * in conference-local time (DST through the schedule plugin's TZif reader),
 * and the short local form used in replies ("Thu 26 Nov 14:30").
 */
#ifndef ANNOUNCE_TIME_H
#define ANNOUNCE_TIME_H

#include <stddef.h>
#include <stdint.h>

struct hw_tz;

/*
 * Reads a time at the start of s (leading spaces skipped):
 *   "14:30"                today, local
 *   "today 14:30", "tomorrow 09:00"
 *   "thursday 14:30", "thu 14:30"   the next such day (today if the time
 *                                   is still ahead)
 *   "2026-11-26 14:30"     local
 *   "2026-11-26T14:30"     local; with "Z" or "+01:00" it is absolute
 * Times are HH:MM or HH:MM:SS. On success sets *at_ms (Unix ms) and *rest
 * (borrowed, into s, after the expression and its following spaces) and
 * returns 0; else returns -1 with a short reason in why.
 */
int announce_time_parse(const char *s, const struct hw_tz *tz, int64_t now_ms,
			int64_t *at_ms, const char **rest, char *why, size_t whylen);

/* Writes "Thu 26 Nov 14:30" (local) into buf. */
void announce_time_format(const struct hw_tz *tz, int64_t ms, char *buf, size_t n);

/* Writes "14:30" (local) into buf. */
void announce_time_hhmm(const struct hw_tz *tz, int64_t ms, char *buf, size_t n);

#endif
