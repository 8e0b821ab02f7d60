/*
 * The schedule as JSON for other plugins: "schedule.loaded" carries every
 * talk, so recommend and announce need not parse schedules themselves.
 * A plugin that loads later publishes "schedule.request" and the schedule
 * plugin answers with "schedule.loaded" again.
 */
#ifndef SCHED_EXPORT_H
#define SCHED_EXPORT_H

#include <jansson.h>

#include "sched_model.h"

/* Returns a new reference:
 * {"name", "timezone", "rooms": [..], "talks": [{"id", "title", "subtitle",
 *  "abstract", "track", "type", "level", "language", "room", "url",
 *  "speakers": [..], "tags": [..], "start", "end" (Unix s), "cancelled"}]}
 * or NULL on out of memory. */
json_t *sched_export(const struct sched *s);

#endif
