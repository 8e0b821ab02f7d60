/*
 * One dry run being collected (bot/plan_wait.c): the plan.collect payload
 * the host publishes, the holds plugins take in it, and the plan.answer
 * events that release them (include/hallway/plugin.h). No loop, no bus:
 * bot/plan_book.c publishes, delivers the answers and keeps the time.
 */
#ifndef HALLWAY_PLAN_WAIT_H
#define HALLWAY_PLAN_WAIT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct plan_wait;

/* A plan for [from_ms, to_ms) with this id. NULL out of memory. */
struct plan_wait *plan_wait_new(int64_t id, int64_t from_ms, int64_t to_ms);
int64_t plan_wait_id(const struct plan_wait *w);
/* The plan.collect payload to publish (borrowed: plugins add items and
 * holds to it during the publish). */
json_t *plan_wait_payload(struct plan_wait *w);
/* Takes one plan.answer payload (borrowed). Returns 0 when it released
 * one of this plan's open holds (its items are added), -1 when it did not
 * (another plan, a newer version, a hold released before or taken by
 * another plugin, a malformed payload): nothing is changed then. */
int plan_wait_answer(struct plan_wait *w, const json_t *answer);
/* How many holds are still open. */
size_t plan_wait_open(const struct plan_wait *w);
/* The posts: only well-formed items in the window, sorted by time. A new
 * reference, or NULL out of memory. */
json_t *plan_wait_items(const struct plan_wait *w);
/* The plugins whose posts are missing: [{"plugin": "recommend", "error":
 * "why" or null (no answer)}], one per hold that is open or released with
 * an error. A new reference, or NULL out of memory. */
json_t *plan_wait_missing(const struct plan_wait *w);
void plan_wait_free(struct plan_wait *w);

#endif
