/*
 * What changed between two releases of a schedule, as the JSON data of
 * the "schedule.changed" event:
 *   {"added": [T...], "moved": [T...], "cancelled": [T...], "removed": [T...]}
 * where each T is {"id", "title", "room", "old_room", "old_start",
 * "new_start"} (Unix seconds; null where it does not apply). Talks are
 * matched by id. A talk that reappears uncancelled counts as added.
 */
#ifndef SCHED_DIFF_H
#define SCHED_DIFF_H

#include <stddef.h>

#include <jansson.h>

#include "sched_model.h"

/* Returns a new reference, or NULL on out of memory; *changes is the
 * number of entries in all four lists. old may be NULL (all added). */
json_t *sched_diff(const struct sched *old, const struct sched *cur, size_t *changes);

#endif
