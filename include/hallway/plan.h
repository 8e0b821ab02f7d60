/*
 * Reading and answering the "plan.collect" event (include/hallway/plugin.h)
 * in one place for every plugin (lib/plan_event.c, in hallway_text).
 *
 * At once, in the handler:
 *
 *   if (hw_plan_request(data, &from, &to, &items)) return;
 *   hw_plan_add(items, at_ms, "Sat 09:55", "DM", "reminder of ...", "recommend");
 *
 * Later, when the answer needs db_run:
 *
 *   hw_plan_hold *h = hw_plan_hold_take(api, self, data);  // in the handler
 *   if (!h) { ...answer at once, or not at all... }
 *   job->hold = h; api->db_run(self, body, done, job);
 *   ...in done(): hw_plan_add(hw_plan_hold_items(h), ...) for each post,
 *   then hw_plan_release(api, self, h, status == HW_OK ? NULL : "why");
 *
 * Release every hold exactly once, also when the work failed (with the
 * reason) and at shutdown: the organizer otherwise waits for the host's
 * timeout (HW_PLAN_WAIT_MS) and sees the plugin named as not answering.
 */
#ifndef HALLWAY_PLAN_EVENT_H
#define HALLWAY_PLAN_EVENT_H

#include <stdint.h>

#include <jansson.h>

struct hw_api;
struct hw_plugin;

/* A promise to answer one plan.collect later. Owned by the plugin until
 * hw_plan_release, which frees it. */
typedef struct hw_plan_hold hw_plan_hold;

/* The window [*from_ms, *to_ms) and the items array (borrowed) of a
 * plan.collect payload. Returns 0, or -1 when it is not a version this
 * library reads (the plugin then adds nothing). */
int hw_plan_request(const json_t *data, int64_t *from_ms, int64_t *to_ms, json_t **items);
/* Appends one planned post. Returns 0 or -1 (out of memory). */
int hw_plan_add(json_t *items, int64_t at_ms, const char *when, const char *where,
		const char *what, const char *plugin);

/* In a plan.collect handler: tells the host to wait for this plugin's
 * answer (data: the payload, borrowed; a hold is recorded in it). Returns
 * a new hold, or NULL when the host cannot wait (no "plan" in the payload:
 * an older host, or a payload this library does not read) or out of
 * memory: then answer at once or not at all. */
hw_plan_hold *hw_plan_hold_take(const struct hw_api *api, struct hw_plugin *self, json_t *data);
/* The hold's items (borrowed; valid until release): add posts with
 * hw_plan_add. */
json_t *hw_plan_hold_items(hw_plan_hold *h);
/* Sends the answer ("plan.answer") and frees h (NULL: nothing). error:
 * NULL when the items are complete, else a few words the organizer sees
 * ("the database is not reachable"). Returns what api->publish returns, or
 * HW_ERR_NOMEM (h is freed either way). */
int hw_plan_release(const struct hw_api *api, struct hw_plugin *self, hw_plan_hold *h,
		    const char *error);
/* Frees h without answering (NULL: nothing): only for a done() that comes
 * after the plugin's shutdown, when no API function may be called. */
void hw_plan_hold_free(hw_plan_hold *h);

#endif
