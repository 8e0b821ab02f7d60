/*
 * rec_watch — the talks a user has watched (issue 21), for `agenda`.
 *
 * `watched <talk>` belongs to openspaces (its `later` list); it publishes
 * "talk.watched" (include/hallway/events.h) once its change is stored,
 * and recommend keeps the tick in recommend_watched. After the
 * conference's last talk `agenda` is "your watch list": the starred
 * talks not cancelled and not yet watched, each with its recording when
 * the schedule links one, else its page.
 */
#ifndef REC_WATCH_H
#define REC_WATCH_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "rec_store.h"
#include "recommend.h"

/* The "talk.watched" subscriber. */
void rec_watch_on_event(hw_plugin *self, const char *type, json_t *data, void *ud);

/* In a transaction body: sets watched[i] = 1 for each of the user's stars
 * s[0..n) that is ticked off. Returns HW_OK or the statement's error. */
int rec_watch_mark(const hw_api *api, hw_tx *tx, const char *user, const struct rec_star *s,
		   size_t n, unsigned char *watched);

/* 1 once the conference is over: the index's last talk has ended. */
int rec_watch_is_after(struct rec_plugin *p, int64_t now);

/* The watch list as a reply model: page `page` (from 1) of per_page
 * talks. Returns a new reference, or NULL out of memory. */
json_t *rec_watch_model(struct rec_plugin *p, const struct rec_star *s, size_t n,
			const unsigned char *watched, size_t page, size_t per_page);

#endif
