/*
 * ospace_when — "friday 14:00", "tomorrow 2pm", "2026-11-27 10:00",
 * "14h" (today) read onto the board, with the shared day and time words
 * (include/hallway/when.h). Pure: the caller gives the clock and zone.
 */
#ifndef OSPACE_WHEN_H
#define OSPACE_WHEN_H

#include <stddef.h>
#include <stdint.h>

#include "ospace_board.h"

struct hw_tz;

enum ospace_when_result {
	OSPACE_WHEN_OK = 0,
	OSPACE_WHEN_NONE = -1,    /* no time at the start of the text */
	OSPACE_WHEN_NO_DAY = -2,  /* a day word that is not a day of the board */
	OSPACE_WHEN_NO_SLOT = -3, /* a time at which no slot starts */
};

/* The local day (days since 1970-01-01) at Unix time now_s in tz. */
int64_t ospace_when_today(const struct hw_tz *tz, int64_t now_s);

/* One word as a board day: a date, a weekday (the one board day on it),
 * today/tomorrow (and their French), or a 1-based index. -1 otherwise. */
long ospace_when_day(const ospace_board *b, int64_t today, const char *word);
/* The day a board without a day word shows: today if it is a board day,
 * else the next board day, else the last. */
size_t ospace_when_default_day(const ospace_board *b, int64_t today);

/*
 * Reads a day and a start time from the start of text with the shared
 * phrase reader (hw_when_read: "friday 14:00", "14:00 friday", "the 28th
 * 10:00", "tomorrow 2pm", a time alone for today) at Unix time now_s in
 * tz; a weekday that is not the day read maps to the board's one day on
 * that weekday. On OSPACE_WHEN_OK sets *day,
 * *slot and *used (bytes of text read, up to the next word). Otherwise
 * writes a sentence for the user into why (len bytes).
 */
int ospace_when_read(const ospace_board *b, const struct hw_tz *tz, int64_t now_s,
		     const char *text, size_t *day, size_t *slot, size_t *used, char *why,
		     size_t len);

/* "That is not a day of the open-space board. Its days: Thu 2026-11-26,
 * ..." into why. */
void ospace_when_days_why(const ospace_board *b, char *why, size_t len);

/* Splits off the next word of *p (spaces skip, "quotes" group) into buf;
 * advances *p. Returns 0 when there is no word left. */
int ospace_when_word(const char **p, char *buf, size_t len);

#endif
