/*
 * The conference clock: a virtual Unix time that starts at HALLWAY_NOW (or
 * the real time) and advances with the monotonic clock, times a speed.
 * Everything here is pure arithmetic except the two clock_gettime() reads,
 * so the mapping between virtual and real time is exact and testable.
 */
#include "clock.h"

#include <math.h>
#include <stddef.h>
#include <time.h>

static int64_t timespec_us(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t clock_mono_ms(void)
{
	return timespec_us(CLOCK_MONOTONIC) / 1000;
}

int64_t clock_real_ms(void)
{
	return timespec_us(CLOCK_REALTIME) / 1000;
}

int clock_init(struct clock *c, const char *now_iso, double speed)
{
	struct clock nc;
	int64_t start;

	/* NaN and infinities are as meaningless as <= 0: run at real speed. */
	if (!(speed > 0) || isinf(speed))
		speed = 1;
	if (now_iso) {
		if (clock_parse_iso8601(now_iso, &start) != 0)
			return -1;
	} else {
		start = clock_real_ms();
	}
	nc.start_virtual_ms = start;
	nc.start_mono_ms = clock_mono_ms();
	nc.speed = speed;
	nc.fixed = now_iso != NULL || speed != 1;
	*c = nc;
	return 0;
}

/* Virtual ms at monotonic instant mono_us (microseconds, CLOCK_MONOTONIC).
 * Microsecond input keeps a fast clock from moving in speed-ms steps. */
int64_t clock_now_ms_at(const struct clock *c, int64_t mono_us)
{
	double elapsed_us = (double)(mono_us - c->start_mono_ms * 1000) * c->speed;
	return c->start_virtual_ms + (int64_t)floor(elapsed_us / 1000.0);
}

int64_t clock_now_ms(const struct clock *c)
{
	return clock_now_ms_at(c, timespec_us(CLOCK_MONOTONIC));
}

int64_t clock_real_delay_us_at(const struct clock *c, int64_t at_ms, int64_t mono_us)
{
	/* Virtual microseconds still to go, then scaled to real ones. The
	 * difference is taken in integers first: absolute Unix microseconds
	 * do not fit a double's mantissa. */
	double ahead_us = (double)(at_ms - c->start_virtual_ms) * 1000.0 -
			  (double)(mono_us - c->start_mono_ms * 1000) * c->speed;
	double real_us, nearest;

	if (!(ahead_us > 0))
		return 0;
	real_us = ahead_us / c->speed;
	if (real_us > 9.0e15) /* ~285 years: "never", without overflow */
		return (int64_t)9.0e15;
	/* Round up, so a timer never fires before the virtual instant it was
	 * armed for; but do not let float noise turn 1000000.0000001 into one
	 * microsecond more. */
	nearest = nearbyint(real_us);
	if (fabs(real_us - nearest) < 1e-6)
		return (int64_t)nearest;
	return (int64_t)ceil(real_us);
}

int64_t clock_real_delay_us(const struct clock *c, int64_t at_ms)
{
	return clock_real_delay_us_at(c, at_ms, timespec_us(CLOCK_MONOTONIC));
}

/* Howard Hinnant's days_from_civil: days since 1970-01-01 of y-m-d in the
 * proleptic Gregorian calendar (m 1..12, d 1..31), for any year. */
int64_t clock_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? (int64_t)m - 3 : (int64_t)m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int days_in_month(int64_t y, unsigned m)
{
	static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return dim[m - 1] + (m == 2 && leap);
}

/* Reads exactly n decimal digits at *p into *out and advances *p. */
static int digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		char ch = (*p)[i];
		if (ch < '0' || ch > '9')
			return -1;
		v = v * 10 + (ch - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

/*
 * YYYY-MM-DD('T'|'t'|' ')HH:MM[:SS[.fff...]](Z|z|±HH:MM|±HHMM)
 * Seconds may be omitted; fractions (1-9 digits) are truncated to ms. A
 * leap second (:60) is refused, like every other out-of-range field; the
 * offset is required, because a local time names no instant.
 */
int clock_parse_iso8601(const char *s, int64_t *unix_ms)
{
	const char *p = s;
	int y, mo, d, h, mi, sec = 0, ms = 0, off_min = 0;

	if (!s)
		return -1;
	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
	    digits(&p, 2, &d))
		return -1;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -1;
	p++;
	if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
		return -1;
	if (*p == ':') {
		p++;
		if (digits(&p, 2, &sec))
			return -1;
		if (*p == '.') {
			int n = 0, scale = 100;
			p++;
			while (*p >= '0' && *p <= '9') {
				if (++n > 9)
					return -1;
				ms += (*p - '0') * scale;
				scale /= 10;
				p++;
			}
			if (n == 0)
				return -1;
		}
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, oh, om;
		if (digits(&p, 2, &oh))
			return -1;
		if (*p == ':')
			p++;
		if (digits(&p, 2, &om) || oh > 23 || om > 59)
			return -1;
		off_min = sign * (oh * 60 + om);
	} else {
		return -1;
	}
	if (*p != '\0')
		return -1;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, (unsigned)mo) ||
	    h > 23 || mi > 59 || sec > 59)
		return -1;

	*unix_ms = ((clock_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 +
		     mi * 60 + sec - (int64_t)off_min * 60) * 1000) + ms;
	return 0;
}
