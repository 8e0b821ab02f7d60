/*
 * Time expressions for `announce at` and `announce audit [since]`, read
 * in conference-local time by the shared phrase reader (hw_when_read in
 * include/hallway/when.h: "noon", "2pm", "vendredi 10:00", "the 28th
 * 14:00", "in 20 min"); the local -> UTC step (DST gaps and overlaps) is
 * the shared hw_tz_to_utc.
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

static const char *skip_spaces(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

int announce_time_parse(const char *s, const struct hw_tz *tz, int64_t now_ms,
			int64_t *at_ms, const char **rest, char *why, size_t whylen)
{
	struct hw_when w;
	char detail[256], first[WORD_MAX];
	size_t used = 0;
	int rc;

	*rest = NULL;
	s = skip_spaces(s ? s : "");
	if (!*s) {
		snprintf(why, whylen, "a time is missing");
		return -1;
	}
	/* The shared reading of every time phrase (lib/when.c). */
	rc = hw_when_read(s, tz, floor_div(now_ms, 1000), &w, &used, detail, sizeof(detail));
	if (rc == HW_WHEN_OK && w.has_time) {
		*at_ms = w.at * 1000;
		*rest = skip_spaces(s + used);
		return 0;
	}
	snprintf(first, sizeof(first), "%.*s", (int)strcspn(s, " \t\r\n"), s);
	if (rc == HW_WHEN_OK)
		snprintf(why, whylen, "cannot read \"%s\" as a time: say at what time too, e.g. %s",
			 first, hw_when_forms());
	else if (rc == HW_WHEN_NONE)
		snprintf(why, whylen, "cannot read \"%s\" as a time; try %s", first,
			 hw_when_forms());
	else
		snprintf(why, whylen, "cannot read \"%s\" as a time: %s", first, detail);
	return -1;
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
