/*
 * The day phrase of `day <when> [room]`: the schedule's own readings of
 * one word first (sched_query_parse_day: a conference day number, a
 * weekday meaning the conference day on it), then the shared phrase
 * reader (hw_when_read: "the 28th", "28 nov", "nov 28", "28/11").
 */
#ifndef SCHED_WHEN_H
#define SCHED_WHEN_H

#include <stddef.h>
#include <stdint.h>

#include <hallway/civil.h>

#include "sched_model.h"

/*
 * Reads the day at the start of text (NULL or empty: today) at Unix time
 * now in the schedule's zone. Returns 0 with *date and *rest (the words
 * after the day, a room), or SCHED_ERR_PARSE with a sentence for the user
 * in why (what went wrong and the forms that work).
 */
int sched_when_day(const struct sched *s, const char *text, int64_t now, struct hw_civil *date,
		   const char **rest, char *why, size_t len);

#endif
