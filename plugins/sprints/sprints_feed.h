/*
 * sprints_feed — projects from config (plugins.sprints.projects) and from a
 * pretalx submissions feed (plugins.sprints.feed), merged into storage
 * without touching signups.
 *
 *   "feed": {"source": "https://…/submissions/?expand=…" or "/path.json",
 *            "submission_type": "Sprint", "default_capacity": 20,
 *            "refresh_seconds": 900}
 */
#ifndef SPRINTS_FEED_H
#define SPRINTS_FEED_H

#include <stdint.h>

#include <jansson.h>

#include "sprints.h"

/* Project records from any document holding pretalx submission objects (a
 * results list, a bare array, or a site's regrouped schedule such as
 * PyConFR's): submissions of `type` (matched in any language, forgivingly),
 * deduplicated by code, withdrawn/rejected ones skipped. Returns a new
 * array (possibly empty), or NULL on OOM. */
json_t *sprints_feed_pretalx(const json_t *doc, const char *type, int64_t default_capacity);

/* Normalised records from config projects (borrowed array); invalid
 * entries are skipped and logged. Returns a new array, or NULL on OOM. */
json_t *sprints_feed_config(sprints *s, const json_t *projects);

/* Reads plugins.sprints.projects and .feed, merges what is available now
 * and starts the refresh timer / HTTP request. */
int sprints_feed_start(sprints *s);
/* Cancels the timer and any request in flight. */
void sprints_feed_stop(sprints *s);

#endif
