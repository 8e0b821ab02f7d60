/*
 * Time expressions for `announce at`, read in conference-local time with
 * the shared day and time words (include/hallway/when.h: "noon", "2pm",
 * "vendredi"), the local -> UTC step (DST gaps and overlaps) by the shared
 * hw_tz_to_utc.
 */
#include "announce_time.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <hallway/civil.h>
#include <hallway/tz.h>
#include <hallway/when.h>

#define WORD_MAX 48

static int64_t floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* Copies the next word of *p into w (at most n-1 bytes; longer words fail)
 * and advances *p past it. Returns the word length, 0 at the end. */
static size_t next_word(const char **p, char *w, size_t n)
{
	const char *s = *p;
	size_t k = 0;
	while (isspace((unsigned char)*s))
		s++;
	while (s[k] && !isspace((unsigned char)s[k]))
		k++;
	if (k == 0 || k >= n)
		return 0;
	memcpy(w, s, k);
	w[k] = '\0';
	*p = s + k;
	return k;
}

static const char *skip_spaces(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

static int is_date(const char *w)
{
	return strlen(w) == 10 && isdigit((unsigned char)w[0]) && w[4] == '-' && w[7] == '-';
}

/* A time of day from w, or w and the next word ("2 pm"): seconds after
 * midnight, advancing *p past a consumed "am"/"pm"; -1 if not a time. */
static int64_t clock_at(const char *w, const char **p)
{
	const char *q = *p;
	char ampm[WORD_MAX];
	int32_t t = hw_when_clock(w);
	if (t >= 0)
		return t;
	if (next_word(&q, ampm, sizeof(ampm)) && (t = hw_when_clock2(w, ampm)) >= 0) {
		*p = q;
		return t;
	}
	return -1;
}

int announce_time_parse(const char *s, const struct hw_tz *tz, int64_t now_ms,
			int64_t *at_ms, const char **rest, char *why, size_t whylen)
{
	char w1[WORD_MAX], w2[WORD_MAX];
	const char *p = s, *after1;
	int64_t now_s = floor_div(now_ms, 1000), local_now, today, tod, local, utc;
	struct hw_civil c;
	int wday, rel, has_off = 0, date_only = 0;
	int32_t off = 0;

	*rest = NULL;
	if (!next_word(&p, w1, sizeof(w1))) {
		snprintf(why, whylen, "a time is missing");
		return -1;
	}
	after1 = p;
	local_now = hw_tz_to_local(tz, now_s);
	today = floor_div(local_now, 86400) * 86400;

	/* A time of day alone: today (14:30, 2pm, 2 pm, noon). */
	if ((tod = clock_at(w1, &p)) >= 0) {
		utc = hw_tz_to_utc(tz, today + tod);
		after1 = p;
		goto done;
	}
	if (strchr(w1, 'T') && !hw_civil_parse(w1, &local, &has_off, &off, &date_only) &&
	    !date_only) {
		utc = has_off ? local - off : hw_tz_to_utc(tz, local);
		goto done;
	}
	/* Two words: a day, then a time of day. */
	if (!next_word(&p, w2, sizeof(w2)) || (tod = clock_at(w2, &p)) < 0) {
		snprintf(why, whylen, "cannot read \"%s\" as a time; try 14:30, 2pm, noon, "
				       "tomorrow 09:00, friday 10:00, 2026-11-26 14:30 or "
				       "2026-11-26T14:30+01:00", w1);
		return -1;
	}
	if (is_date(w1)) {
		if (hw_civil_parse(w1, &local, &has_off, &off, &date_only) || !date_only) {
			snprintf(why, whylen, "\"%s\" is not a date (YYYY-MM-DD)", w1);
			return -1;
		}
		utc = hw_tz_to_utc(tz, local + tod);
	} else if ((rel = hw_when_relative_day(w1)) != HW_WHEN_NOT_RELATIVE) {
		utc = hw_tz_to_utc(tz, today + (int64_t)rel * 86400 + tod);
	} else if ((wday = hw_when_weekday(w1)) >= 0) {
		int delta;
		hw_civil_split(local_now, &c);
		delta = (wday - c.wday + 7) % 7;
		if (delta == 0 && today + tod <= local_now)
			delta = 7;
		utc = hw_tz_to_utc(tz, today + (int64_t)delta * 86400 + tod);
	} else {
		snprintf(why, whylen, "cannot read \"%s %s\" as a time; try 14:30, tomorrow 09:00, "
				       "friday 10:00 or 2026-11-26 14:30",
			 w1, w2);
		return -1;
	}
	after1 = p;
done:
	*at_ms = utc * 1000;
	*rest = skip_spaces(after1);
	return 0;
}

void announce_time_format(const struct hw_tz *tz, int64_t ms, char *buf, size_t n)
{
	struct hw_civil c;
	hw_civil_split(hw_tz_to_local(tz, floor_div(ms, 1000)), &c);
	snprintf(buf, n, "%s %d %s %02d:%02d", hw_when_wday_abbr(c.wday), c.day,
		 hw_when_month_abbr(c.mon), c.hour, c.min);
}

void announce_time_hhmm(const struct hw_tz *tz, int64_t ms, char *buf, size_t n)
{
	struct hw_civil c;
	hw_civil_split(hw_tz_to_local(tz, floor_div(ms, 1000)), &c);
	snprintf(buf, n, "%02d:%02d", c.hour, c.min);
}
