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

/* A time as one word, or two ("2 pm"): minutes, or -1. *words gets 1 or 2. */
static int ospace_when_clock(const char *w0, const char *w1, int *words)
{
	int32_t secs;
	if (w1 && (secs = hw_when_clock2(w0, w1)) >= 0) {
		*words = 2;
		return secs / 60;
	}
	if ((secs = hw_when_clock(w0)) >= 0) {
		*words = 1;
		return secs / 60;
	}
	return -1;
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

/* 1 when word reads as a day, whether or not the board has it. */
static int ospace_when_is_dayword(const char *word)
{
	int64_t local;
	int date_only = 0;
	return hw_when_weekday(word) >= 0 ||
	       hw_when_relative_day(word) != HW_WHEN_NOT_RELATIVE ||
	       (!hw_civil_parse(word, &local, NULL, NULL, &date_only) && date_only);
}

int ospace_when_read(const ospace_board *b, int64_t today, const char *text, size_t *day,
		     size_t *slot, size_t *used, char *why, size_t len)
{
	char w[3][64];
	const char *ends[3], *p = text ? text : "";
	size_t nw = 0, last;
	int minutes = -1, words = 0;
	long d = -1, s;

	while (nw < 3 && ospace_when_word(&p, w[nw], sizeof(w[nw]))) {
		ends[nw] = p;
		nw++;
	}
	if (!nw) {
		snprintf(why, len, "Say when, e.g. `friday 14:00` or `tomorrow 2pm`.");
		return OSPACE_WHEN_NONE;
	}
	minutes = ospace_when_clock(w[0], nw > 1 ? w[1] : NULL, &words);
	if (minutes >= 0) {
		/* A time first: "14:00 friday", "2 pm tomorrow", or "14:00" (today). */
		last = (size_t)words - 1;
		if ((size_t)words < nw && ospace_when_is_dayword(w[words])) {
			d = ospace_when_day(b, today, w[words]);
			last = (size_t)words;
		} else {
			d = ospace_when_day(b, today, "today");
		}
	} else {
		if (!ospace_when_is_dayword(w[0]) && ospace_when_day(b, today, w[0]) < 0) {
			snprintf(why, len, "Say when first, e.g. `friday 14:00` or `tomorrow 2pm`.");
			return OSPACE_WHEN_NONE;
		}
		d = ospace_when_day(b, today, w[0]);
		if (nw > 1)
			minutes = ospace_when_clock(w[1], nw > 2 ? w[2] : NULL, &words);
		if (minutes < 0) {
			snprintf(why, len, "Say at what time too, e.g. `friday 14:00`.");
			return OSPACE_WHEN_NONE;
		}
		last = (size_t)words;
	}
	if (d < 0) {
		ospace_when_days_why(b, why, len);
		return OSPACE_WHEN_NO_DAY;
	}
	s = ospace_board_slot(b, minutes);
	if (s < 0) {
		ospace_when_slots_why(b, why, len);
		return OSPACE_WHEN_NO_SLOT;
	}
	*day = (size_t)d;
	*slot = (size_t)s;
	*used = (size_t)(ends[last] - text);
	return OSPACE_WHEN_OK;
}
