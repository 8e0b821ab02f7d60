/*
 * Reading and answering the "plan.collect" event (include/hallway/plugin.h)
 * in one place for every plugin (lib/plan_event.c, in hallway_text).
 */
#ifndef HALLWAY_PLAN_EVENT_H
#define HALLWAY_PLAN_EVENT_H

#include <stdint.h>

#include <jansson.h>

/* The window [*from_ms, *to_ms) and the items array (borrowed) of a
 * plan.collect payload. Returns 0, or -1 when it is not a version this
 * library reads (the plugin then adds nothing). */
int hw_plan_request(const json_t *data, int64_t *from_ms, int64_t *to_ms, json_t **items);
/* Appends one planned post. Returns 0 or -1 (out of memory). */
int hw_plan_add(json_t *items, int64_t at_ms, const char *when, const char *where,
		const char *what, const char *plugin);

#endif
