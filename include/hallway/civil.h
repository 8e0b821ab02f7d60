/*
 * Calendar arithmetic and the time notations found in schedules: ISO 8601
 * instants with or without an offset, iCalendar basic format, durations in
 * every shape conferences use. Pure functions, no libc time zone state.
 */
#ifndef HALLWAY_CIVIL_H
#define HALLWAY_CIVIL_H

#include <stdint.h>

#include <hallway/tz.h>

struct hw_civil {
	int year, mon, day;   /* mon 1..12, day 1..31 */
	int hour, min, sec;
	int wday;             /* 0 = Sunday */
};

/* Days since 1970-01-01 of a proleptic Gregorian date (any month/day
 * overflow is normalised). */
int64_t hw_civil_days(int year, int mon, int day);

/* Seconds since the epoch of a civil time read as UTC. */
int64_t hw_civil_make(int year, int mon, int day, int hour, int min, int sec);

/* Splits seconds since the epoch (as UTC) into a civil time. */
void hw_civil_split(int64_t t, struct hw_civil *c);

/* Days in month `mon` of `year`. */
int hw_civil_mdays(int year, int mon);

/*
 * Parses "YYYY-MM-DD[(T| )HH:MM[:SS[.frac]]][Z|±HH[:MM]]" and the iCalendar
 * basic form "YYYYMMDD[THHMMSS[Z]]". Sets *local to the civil time as
 * seconds (read as UTC); *has_off to 1 when a zone designator was present
 * and *off to it (seconds east). *date_only is set for a bare date.
 * Trailing garbage is an error. Returns 0 or HW_TIME_EPARSE.
 */
int hw_civil_parse(const char *s, int64_t *local, int *has_off, int32_t *off,
		     int *date_only);

/* Parses an instant: uses the offset when present, else tz (which may be
 * NULL, meaning UTC). Returns 0 or HW_TIME_EPARSE. */
int hw_civil_instant(const char *s, const struct hw_tz *tz, int64_t *utc);

/*
 * Parses a duration: "MM" integer minutes, "HH:MM", three parts (read as
 * pretalx's "D:HH:MM" when three_is_days, else "HH:MM:SS"), or ISO 8601
 * "P[nD]T[nH][nM][nS]". Returns 0 or HW_TIME_EPARSE; *secs >= 0.
 */
int hw_civil_duration(const char *s, int three_is_days, int64_t *secs);

/* Writes "±HH:MM" for an offset into buf (at least 7 bytes). */
void hw_civil_fmt_offset(char *buf, int32_t off);

#endif
