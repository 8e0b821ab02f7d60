/*
 * The words people use for days and times, read the same way by every
 * command (lib/when.c, in hallway_text): `day saturday`, `sprint join
 * zoneinfo saturday`, `announce at vendredi 10:00`, `announce at noon`.
 * Words are folded first (hw_fold), so case and accents never matter.
 */
#ifndef HALLWAY_WHEN_H
#define HALLWAY_WHEN_H

#include <stdint.h>

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

/* Short English names for replies: "Sat", "Nov". */
const char *hw_when_wday_abbr(int wday);  /* 0..6 */
const char *hw_when_month_abbr(int mon);  /* 1..12 */

#ifdef __cplusplus
}
#endif

#endif
