/*
 * The day phrase of `day` (sched_when.h).
 */
#include "sched_when.h"

#include <stdio.h>
#include <string.h>

#include <hallway/when.h>

#include "sched_query.h"
#include "sched_render.h"

#define WHEN_ECHO 80

int sched_when_day(const struct sched *s, const char *text, int64_t now, struct hw_civil *date,
		   const char **rest, char *why, size_t len)
{
	char first[64], detail[256], echo[WHEN_ECHO * 4 + 8];
	struct hw_when w;
	size_t n, used = 0;
	int rc;

	text = text ? text : "";
	while (*text == ' ' || *text == '\t')
		text++;
	n = strcspn(text, " \t");
	snprintf(first, sizeof(first), "%.*s", (int)(n < 63 ? n : 63), text);
	*rest = text + n;
	rc = hw_when_read(text, s ? s->tz : NULL, now, &w, &used, detail, sizeof(detail));
	/* A phrase of several words ("27 nov") wins over its first word read
	 * alone; one word is the schedule's first ("2": its second day). */
	if (!(rc == HW_WHEN_OK && w.has_day && !w.has_time && used > n) && n < 64 &&
	    sched_query_parse_day(s, first, now, date) == SCHED_OK)
		goto done;
	if (rc == HW_WHEN_OK && w.has_day && !w.has_time) {
		hw_civil_split(w.day * 86400, date);
		*rest = text + used;
		goto done;
	}
	sched_render_escape(first, echo, sizeof(echo), WHEN_ECHO);
	if (rc == HW_WHEN_INVALID || rc == HW_WHEN_AMBIGUOUS)
		snprintf(why, len, "%s", detail);
	else
		snprintf(why, len,
			 "I don't know which day \"%s\" is. Try `today`, `tomorrow`, a weekday, "
			 "`the 28th`, `28 nov` or a date like 2026-11-27.",
			 echo);
	return SCHED_ERR_PARSE;
done:
	while (**rest == ' ' || **rest == '\t')
		(*rest)++;
	return SCHED_OK;
}
