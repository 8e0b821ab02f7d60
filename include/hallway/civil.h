/*
 * Calendar arithmetic and the time notations found in schedules: ISO 8601
 * instants with or without an offset, iCalendar basic format, durations in
 * every shape conferences use. Pure functions, no libc time zone state.
 */
#ifndef SCHED_TIME_H
#define SCHED_TIME_H

#include <stdint.h>

#include "sched_tz.h"

struct sched_civil {
	int year, mon, day;   /* mon 1..12, day 1..31 */
	int hour, min, sec;
	int wday;             /* 0 = Sunday */
};

/* Days since 1970-01-01 of a proleptic Gregorian date (any month/day
 * overflow is normalised). */
int64_t sched_time_days(int year, int mon, int day);

/* Seconds since the epoch of a civil time read as UTC. */
int64_t sched_time_make(int year, int mon, int day, int hour, int min, int sec);

/* Splits seconds since the epoch (as UTC) into a civil time. */
void sched_time_split(int64_t t, struct sched_civil *c);

/* Days in month `mon` of `year`. */
int sched_time_mdays(int year, int mon);

/*
 * Parses "YYYY-MM-DD[(T| )HH:MM[:SS[.frac]]][Z|±HH[:MM]]" and the iCalendar
 * basic form "YYYYMMDD[THHMMSS[Z]]". Sets *local to the civil time as
 * seconds (read as UTC); *has_off to 1 when a zone designator was present
 * and *off to it (seconds east). *date_only is set for a bare date.
 * Trailing garbage is an error. Returns 0 or SCHED_ERR_PARSE.
 */
int sched_time_parse(const char *s, int64_t *local, int *has_off, int32_t *off,
		     int *date_only);

/* Parses an instant: uses the offset when present, else tz (which may be
 * NULL, meaning UTC). Returns 0 or SCHED_ERR_PARSE. */
int sched_time_instant(const char *s, const struct sched_tz *tz, int64_t *utc);

/*
 * Parses a duration: "MM" integer minutes, "HH:MM", three parts (read as
 * pretalx's "D:HH:MM" when three_is_days, else "HH:MM:SS"), or ISO 8601
 * "P[nD]T[nH][nM][nS]". Returns 0 or SCHED_ERR_PARSE; *secs >= 0.
 */
int sched_time_duration(const char *s, int three_is_days, int64_t *secs);

/* Writes "±HH:MM" for an offset into buf (at least 7 bytes). */
void sched_time_fmt_offset(char *buf, int32_t off);

#endif
