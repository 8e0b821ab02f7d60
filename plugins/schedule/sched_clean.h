/*
 * Schedule cleaning at load (issue 16), before the model is finished:
 *  - a booking in several rooms ("Room 1, Room 2", PyCon US's breaks) is
 *    one entry in each room, when every part names a room of the schedule;
 *  - placeholders (no speaker, titled "Slot") are not offered as talks;
 *  - exact duplicates (title, start, end, room, speakers) collapse.
 * What it did is counted in s->clean, for the load log line.
 */
#ifndef SCHED_CLEAN_H
#define SCHED_CLEAN_H

#include <stddef.h>

#include "sched_model.h"

/* Returns 0 or SCHED_ERR_NOMEM. */
int sched_clean(struct sched *s);

/* "; cleaned: 1 booking in 5 rooms split, 2 placeholders dropped, ..."
 * or "" when nothing was cleaned. */
void sched_clean_summary(const struct sched *s, char *buf, size_t len);

#endif
