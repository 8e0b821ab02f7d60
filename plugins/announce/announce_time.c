/*
 * Time expressions for `announce at`, read in conference-local time. The
 * local -> UTC step (with DST gaps and overlaps) is hw_tz_to_utc from
 * the schedule plugin, compiled into this plugin from its source files.
 */
#include "announce_time.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <hallway/civil.h>
#include <hallway/tz.h>

#define WORD_MAX 48

static const char *const wdays[] = {"sunday", "monday", "tuesday", "wednesday",
				    "thursday", "friday", "saturday"};
static const char *const wday_abbr[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const mon_abbr[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

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

/* "HH:MM" or "HH:MM:SS" -> seconds after midnight, or -1. */
static int64_t parse_hhmm(const char *w)
{
	int h = 0, m = 0, s = 0, i = 0, digits;
	for (digits = 0; isdigit((unsigned char)w[i]) && digits < 2; i++, digits++)
		h = h * 10 + (w[i] - '0');
	if (digits == 0 || w[i++] != ':')
		return -1;
	if (!isdigit((unsigned char)w[i]) || !isdigit((unsigned char)w[i + 1]))
		return -1;
	m = (w[i] - '0') * 10 + (w[i + 1] - '0');
	i += 2;
	if (w[i] == ':') {
		if (!isdigit((unsigned char)w[i + 1]) || !isdigit((unsigned char)w[i + 2]))
			return -1;
		s = (w[i + 1] - '0') * 10 + (w[i + 2] - '0');
		i += 3;
	}
	if (w[i] || h > 23 || m > 59 || s > 59)
		return -1;
	return (int64_t)h * 3600 + m * 60 + s;
}

/* 0..6 for a weekday name or its three-letter form, else -1. */
static int parse_wday(const char *w)
{
	size_t n = strlen(w);
	for (int i = 0; i < 7; i++)
		if (n >= 3 && n <= strlen(wdays[i]) && !strncasecmp(w, wdays[i], n))
			return i;
	return -1;
}

static int is_date(const char *w)
{
	return strlen(w) == 10 && isdigit((unsigned char)w[0]) && w[4] == '-' && w[7] == '-';
}

int announce_time_parse(const char *s, const struct hw_tz *tz, int64_t now_ms,
			int64_t *at_ms, const char **rest, char *why, size_t whylen)
{
	char w1[WORD_MAX], w2[WORD_MAX];
	const char *p = s, *after1;
	int64_t now_s = floor_div(now_ms, 1000), local_now, today, tod, local, utc;
	struct hw_civil c;
	int wday, has_off = 0, date_only = 0;
	int32_t off = 0;

	if (!next_word(&p, w1, sizeof(w1))) {
		snprintf(why, whylen, "a time is missing");
		return -1;
	}
	after1 = p;
	local_now = hw_tz_to_local(tz, now_s);
	today = floor_div(local_now, 86400) * 86400;

	/* One word: HH:MM today, or an ISO-8601 date-time. */
	if ((tod = parse_hhmm(w1)) >= 0) {
		utc = hw_tz_to_utc(tz, today + tod);
		goto done;
	}
	if (strchr(w1, 'T') && !hw_civil_parse(w1, &local, &has_off, &off, &date_only) &&
	    !date_only) {
		utc = has_off ? local - off : hw_tz_to_utc(tz, local);
		goto done;
	}
	/* Two words: a day, then HH:MM. */
	if (!next_word(&p, w2, sizeof(w2)) || (tod = parse_hhmm(w2)) < 0) {
		snprintf(why, whylen, "cannot read \"%s\" as a time; try 14:30, tomorrow 09:00, "
				       "friday 10:00, 2026-11-26 14:30 or 2026-11-26T14:30+01:00",
			 w1);
		return -1;
	}
	if (is_date(w1)) {
		if (hw_civil_parse(w1, &local, &has_off, &off, &date_only) || !date_only) {
			snprintf(why, whylen, "\"%s\" is not a date (YYYY-MM-DD)", w1);
			return -1;
		}
		utc = hw_tz_to_utc(tz, local + tod);
	} else if (!strcasecmp(w1, "today")) {
		utc = hw_tz_to_utc(tz, today + tod);
	} else if (!strcasecmp(w1, "tomorrow")) {
		utc = hw_tz_to_utc(tz, today + 86400 + tod);
	} else if ((wday = parse_wday(w1)) >= 0) {
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
	snprintf(buf, n, "%s %d %s %02d:%02d", wday_abbr[c.wday % 7], c.day,
		 mon_abbr[(c.mon - 1) % 12], c.hour, c.min);
}

void announce_time_hhmm(const struct hw_tz *tz, int64_t ms, char *buf, size_t n)
{
	struct hw_civil c;
	hw_civil_split(hw_tz_to_local(tz, floor_div(ms, 1000)), &c);
	snprintf(buf, n, "%02d:%02d", c.hour, c.min);
}
