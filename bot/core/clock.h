/*
 * The conference clock. Plugins read time only from here. HALLWAY_NOW (or
 * --now) starts it at an ISO-8601 instant and lets it run; HALLWAY_CLOCK_SPEED
 * runs it N times faster. Without them it is the system clock.
 */
#ifndef HALLWAY_CLOCK_H
#define HALLWAY_CLOCK_H

#include <stdint.h>

struct clock {
	int64_t start_virtual_ms; /* Unix ms at start */
	int64_t start_mono_ms;    /* monotonic ms at start */
	double speed;             /* >= 1 (or fractional for slow motion), > 0 */
	int fixed;                /* 1 when HALLWAY_NOW or speed set */
};

/* Monotonic milliseconds (for real timeouts, heartbeats). */
int64_t clock_mono_ms(void);
/* Real Unix milliseconds. */
int64_t clock_real_ms(void);

/* now_iso may be NULL (system time); speed <= 0 means 1. Returns 0 or -1
 * when now_iso does not parse. */
int clock_init(struct clock *c, const char *now_iso, double speed);
int64_t clock_now_ms(const struct clock *c);
/* Real microseconds until the conference clock reaches at_ms (>= 0). */
int64_t clock_real_delay_us(const struct clock *c, int64_t at_ms);
/* The same two, computed at a given monotonic instant in microseconds
 * (clock_mono_ms() * 1000 + µs): exact, for tests and for callers that
 * have already read the clock. The delay is rounded up to the next
 * microsecond, so a timer armed with it never fires early. */
int64_t clock_now_ms_at(const struct clock *c, int64_t mono_us);
int64_t clock_real_delay_us_at(const struct clock *c, int64_t at_ms, int64_t mono_us);

/* Parses "2026-11-26T09:30:00+01:00", "...Z", fractional seconds allowed,
 * "2026-11-26 09:30:00+0100". An offset (or Z) is required. Returns 0 and
 * *unix_ms, or -1. */
int clock_parse_iso8601(const char *s, int64_t *unix_ms);
/* Days from civil date (proleptic Gregorian), for conversions. */
int64_t clock_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
