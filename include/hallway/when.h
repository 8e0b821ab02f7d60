/*
 * The words people use for days and times, read the same way by every
 * command (lib/when.c, in hallway_text): `day saturday`, `sprint join
 * zoneinfo saturday`, `announce at vendredi 10:00`, `announce at noon`.
 * Words are folded first (hw_fold), so case and accents never matter.
 */
#ifndef HALLWAY_WHEN_H
#define HALLWAY_WHEN_H

#include <stddef.h>
#include <stdint.h>

#include <hallway/tz.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A weekday: English, French and German, full or short ("saturday",
 * "sat", "samedi", "samstag", "tues", "thurs"). Returns 0 (Sunday) .. 6,
 * or -1. */
int hw_when_weekday(const char *word);

#define HW_WHEN_NOT_RELATIVE 100
/* "today"/"aujourd'hui"/"heute" 0, "tomorrow"/"demain"/"morgen" 1,
 * "yesterday"/"hier"/"gestern" -1, else HW_WHEN_NOT_RELATIVE. */
int hw_when_relative_day(const char *word);

/* A time of day, as one word or two ("2 pm"): "14:30", "14:30:15",
 * "14h30", "14h", "2pm", "2:30pm", "12am", "noon"/"midi", "midnight"/
 * "minuit". Returns seconds after midnight, or -1. */
int32_t hw_when_clock(const char *word);
/* The same for "2 pm" split in two words: word then "am"/"pm". */
int32_t hw_when_clock2(const char *word, const char *ampm);

/* A month name: English, French and German, full or short ("nov",
 * "novembre", "März", "mrz", "sept"). Returns 1..12, or -1. */
int hw_when_month(const char *word);

/*
 * A whole time phrase at the start of text, in the conference's zone
 * (tz; NULL reads as UTC) at Unix time now:
 *   a day:   2026-11-28, today/tomorrow/yesterday (and French, German),
 *            a weekday (the next one, today counting), a day of the month
 *            ("the 28th", "28th", "28 nov", "nov 28", "28 novembre",
 *            "28. November", "1er mai", "28/11" and "11/28" when only one
 *            reading is a date; "11/12" is refused as ambiguous);
 *   a time:  14:30, 14h30, 2pm, 2 pm, noon, midnight;
 *   both:    a day then a time ("friday 14:00", "tomorrow at 2pm",
 *            "28 nov 14:00", "2026-11-28T14:00"), or a time then a day
 *            ("14:00 friday");
 *   from now: "in 20 min", "in 2 hours", "in 1h30", "in 90 minutes",
 *            "dans 20 min", "in 20 Minuten".
 * A day of the month without a year (or a month) is the one nearest to
 * today; a weekday with a time that has passed today is next week's.
 * The words read are case- and accent-blind; a trailing comma is read.
 */
enum hw_when_result {
	HW_WHEN_OK = 0,
	HW_WHEN_NONE = -1,      /* no time phrase at the start of text */
	HW_WHEN_INVALID = -2,   /* a date that does not exist ("31 nov") */
	HW_WHEN_AMBIGUOUS = -3, /* "11/12": 11 December or November 12 */
};

struct hw_when {
	int has_day;     /* a day was said */
	int has_time;    /* a time of day was said, or a delay ("in 20 min") */
	int relative;    /* "in ...": at = now + the delay */
	int wday_word;   /* the weekday said (0..6), or -1 */
	int64_t day;     /* local days since 1970-01-01: the day said, else today
			    (for a delay: the day it ends on) */
	int32_t secs;    /* seconds after local midnight, -1 without a time */
	int64_t at;      /* Unix s (UTC) of day + secs when has_time */
};

/* Reads the phrase; on HW_WHEN_OK fills *out and *used (bytes of text
 * read, the rest starting after them). Otherwise why (len bytes) gets a
 * sentence for the user that names what would have worked. */
int hw_when_read(const char *text, const struct hw_tz *tz, int64_t now, struct hw_when *out,
		 size_t *used, char *why, size_t len);

/* The forms people can type, for a reply: "14:30, 2pm, noon, tomorrow
 * 09:00, friday 10:00, the 28th, 28 nov 14:00, 2026-11-28 14:30, in 20
 * min". */
const char *hw_when_forms(void);

/* "Sat 28 Nov 14:00" for Unix time t in tz (NULL: UTC). */
void hw_when_fmt(const struct hw_tz *tz, int64_t t, char *buf, size_t len);

/* Short English names for replies: "Sat", "Nov". */
const char *hw_when_wday_abbr(int wday);  /* 0..6 */
const char *hw_when_month_abbr(int mon);  /* 1..12 */

#ifdef __cplusplus
}
#endif

#endif
