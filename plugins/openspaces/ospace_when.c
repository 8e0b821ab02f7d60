/*
 * ospace_when — day and time words on the board. See ospace_when.h.
 */
#include "ospace_when.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/civil.h>
#include <hallway/tz.h>
#include <hallway/when.h>

int64_t ospace_when_today(const struct hw_tz *tz, int64_t now_s)
{
	int64_t local = tz ? hw_tz_to_local(tz, now_s) : now_s;
	return local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
}

int ospace_when_word(const char **p, char *buf, size_t len)
{
	const char *s = *p;
	size_t n = 0;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	if (!*s)
		return 0;
	if (*s == '"') {
		s++;
		while (*s && *s != '"') {
			if (n + 1 < len)
				buf[n++] = *s;
			s++;
		}
		if (*s == '"')
			s++;
	} else {
		while (*s && *s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') {
			if (n + 1 < len)
				buf[n++] = *s;
			s++;
		}
	}
	buf[n] = 0;
	*p = s;
	return 1;
}

/* The board day of a reading: the day said, or, for a weekday that is
 * not that day, the one board day on that weekday. -1 when none. */
static long board_day(const ospace_board *b, const struct hw_when *w)
{
	long hit = -1;
	int hits = 0;

	for (size_t i = 0; i < b->ndays; i++)
		if (ospace_board_days(b, i) == w->day)
			return (long)i;
	for (size_t i = 0; w->wday_word >= 0 && i < b->ndays; i++)
		if (ospace_board_wday(b, i) == w->wday_word) {
			hit = (long)i;
			hits++;
		}
	return hits == 1 ? hit : -1;
}

long ospace_when_day(const ospace_board *b, int64_t today, const char *word)
{
	long hit = -1;
	int wday, rel, hits = 0;
	size_t i;
	char *end;
	long idx;
	if (!word || !*word)
		return -1;
	if ((hit = ospace_board_day(b, word)) >= 0)
		return hit;
	rel = hw_when_relative_day(word);
	if (rel != HW_WHEN_NOT_RELATIVE) {
		for (i = 0; i < b->ndays; i++)
			if (ospace_board_days(b, i) == today + rel)
				return (long)i;
		return -1;
	}
	wday = hw_when_weekday(word);
	if (wday >= 0) {
		for (i = 0; i < b->ndays; i++)
			if (ospace_board_wday(b, i) == wday) {
				hit = (long)i;
				hits++;
			}
		return hits == 1 ? hit : -1;
	}
	idx = strtol(word, &end, 10);
	if (!*end && idx >= 1 && (size_t)idx <= b->ndays && strlen(word) <= 2)
		return idx - 1;
	/* The shared reading of a whole day phrase: "the 27th", "27 nov".
	 * Days are local day numbers, so the reading is done in them. */
	{
		struct hw_when w;
		size_t used = 0;
		char why[200];
		if (hw_when_read(word, NULL, today * 86400 + 43200, &w, &used, why, sizeof(why)) ==
			    HW_WHEN_OK &&
		    w.has_day && !w.has_time && !word[used])
			return board_day(b, &w);
	}
	return -1;
}

size_t ospace_when_default_day(const ospace_board *b, int64_t today)
{
	size_t i, best = b->ndays - 1;
	int64_t best_d = 0;
	int found = 0;
	for (i = 0; i < b->ndays; i++) {
		int64_t d = ospace_board_days(b, i);
		if (d >= today && (!found || d < best_d)) {
			best = i;
			best_d = d;
			found = 1;
		}
	}
	return best;
}

static void ospace_when_slots_why(const ospace_board *b, char *why, size_t len)
{
	size_t i, n;
	n = (size_t)snprintf(why, len, "No open-space slot starts then. Slots start at ");
	for (i = 0; i < b->nslots && n + 8 < len; i++) {
		char hhmm[6];
		ospace_board_fmt(b->slots[i], hhmm);
		n += (size_t)snprintf(why + n, len - n, "%s%s", i ? ", " : "", hhmm);
	}
	if (n + 2 < len)
		snprintf(why + n, len - n, ".");
}

void ospace_when_days_why(const ospace_board *b, char *why, size_t len)
{
	size_t i, n;
	n = (size_t)snprintf(why, len, "That is not a day of the open-space board. Its days: ");
	for (i = 0; i < b->ndays && n + 20 < len; i++)
		n += (size_t)snprintf(why + n, len - n, "%s%s %s", i ? ", " : "",
				      hw_when_wday_abbr(ospace_board_wday(b, i)), b->days[i]);
	if (n + 2 < len)
		snprintf(why + n, len - n, ".");
}

int ospace_when_read(const ospace_board *b, const struct hw_tz *tz, int64_t now_s,
		     const char *text, size_t *day, size_t *slot, size_t *used, char *why,
		     size_t len)
{
	struct hw_when w;
	long d, s;
	size_t n = 0;

	if (hw_when_read(text, tz, now_s, &w, &n, why, len) != HW_WHEN_OK)
		return OSPACE_WHEN_NONE;
	if (!w.has_time) {
		snprintf(why, len, "Say at what time too, e.g. `friday 14:00`.");
		return OSPACE_WHEN_NONE;
	}
	/* A time alone is today's; a delay ("in 20 min") the day it ends. */
	if ((d = board_day(b, &w)) < 0) {
		ospace_when_days_why(b, why, len);
		return OSPACE_WHEN_NO_DAY;
	}
	if ((s = ospace_board_slot(b, w.secs / 60)) < 0 || w.secs % 60) {
		ospace_when_slots_why(b, why, len);
		return OSPACE_WHEN_NO_SLOT;
	}
	*day = (size_t)d;
	*slot = (size_t)s;
	*used = n;
	return OSPACE_WHEN_OK;
}
