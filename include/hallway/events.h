/*
 * The events plugins and the host exchange over the bus (api->publish,
 * api->subscribe), with the JSON payload of each (issue 13). Every
 * payload carries "version": the publisher stamps the version it writes
 * (hw_event_stamp); a subscriber reads only the versions it knows
 * (hw_event_readable) and leaves the rest alone, so a change of shape is
 * a new version, never a silent misreading. Adding a key is not a change
 * of shape: readers ignore keys they do not know.
 *
 * A payload without "version" is read as version 1 (the shape every
 * event had before versions were written down), so a plugin built
 * before this header still talks to a newer host.
 *
 * plan.collect is in plugin.h (HW_EVENT_PLAN_COLLECT, read with
 * include/hallway/plan.h).
 */
#ifndef HALLWAY_EVENTS_H
#define HALLWAY_EVENTS_H

#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The whole programme, published by the schedule plugin after every load
 * and in answer to "schedule.request":
 *   {"version": 1, "name", "timezone" (IANA), "rooms": [..],
 *    "talks": [{"id", "title", "subtitle", "abstract", "track", "type",
 *               "level", "language", "room", "url", "speakers": [..],
 *               "tags": [..], "start", "end" (Unix s), "cancelled",
 *               "recording" (a link to the talk's video, when the schedule
 *               carries one; plugins/schedule/sched_links.h)}]}
 */
#define HW_EVENT_SCHEDULE_LOADED "schedule.loaded"
#define HW_SCHEDULE_LOADED_VERSION 1

/*
 * What changed from one release of the programme to the next:
 *   {"version": 1, "added": [T], "moved": [T], "cancelled": [T],
 *    "removed": [T]}
 * T: {"id", "title", "room", "old_room", "old_start", "new_start"} (Unix
 * s; null where it does not apply).
 */
#define HW_EVENT_SCHEDULE_CHANGED "schedule.changed"
#define HW_SCHEDULE_CHANGED_VERSION 1

/*
 * A user ticked a talk off as watched (`watched <talk>`, openspaces), or
 * put it back to watch (`later <talk>` after it was watched):
 *   {"version": 1, "user_id": "42", "talk_id": "xml:13744@1675519200",
 *    "watched": true}
 * published after the change is stored. recommend keeps it for `agenda`,
 * whose watch list (after the conference) leaves watched talks out.
 */
#define HW_EVENT_TALK_WATCHED "talk.watched"
#define HW_TALK_WATCHED_VERSION 1

/* A plugin that starts after the schedule asks for it again:
 * {"version": 1} (or no payload); the answer is "schedule.loaded". */
#define HW_EVENT_SCHEDULE_REQUEST "schedule.request"
#define HW_SCHEDULE_REQUEST_VERSION 1

/*
 * The speakers who asked to be mentioned in their talks' starting-soon
 * posts (`registration mention on`), published by the registration plugin
 * when that set changes and in answer to "registration.request":
 *   {"version": 1, "speakers": [{"name": "Ada Lovelace", "user_id": "42"}]}
 * Only opted-in speakers are listed; "name" is the speaker's name as
 * pretalx (and so the schedule) has it. A reader matches it against a
 * talk's "speakers" with hw_fold, exact after folding, never a substring.
 */
#define HW_EVENT_REG_SPEAKERS "registration.speakers"
#define HW_REG_SPEAKERS_VERSION 1

/* A plugin that starts after registration asks for the set again:
 * {"version": 1}; the answer is "registration.speakers". */
#define HW_EVENT_REG_REQUEST "registration.request"
#define HW_REG_REQUEST_VERSION 1

/*
 * The open spaces on the board (issue 21), published by the openspaces
 * plugin once its board has been read, after each unit of work that
 * commits a change (an open space proposed, joined, moved, dropped or
 * removed: the same board may come twice), when the conference's zone
 * changes (the schedule's, learnt after the first read or on a reload:
 * the same open spaces at new instants) and in answer to
 * "openspaces.request" (nothing before the first read):
 *   {"version": 1, "timezone": "Europe/Brussels", "spaces": [{"id": 12,
 *    "title": "Rust in production", "room": "Room A", "start", "end"
 *    (Unix s), "host": "Ada", "going": 3}]}
 * Every active open space, earliest first, past ones too (a reader keeps
 * what it needs). "title" is the topic and "host" the display name of who
 * proposed it: text as people typed it, never markup. "going" counts the
 * host and those who joined; "timezone" is the board's (IANA, or "UTC").
 * announce lists them in its starting-soon posts, beside the talks that
 * start then; the schedule shows them in `next openspaces` and `now
 * openspaces`; neither reads openspaces' tables.
 */
#define HW_EVENT_OSPACES_BOARD "openspaces.board"
#define HW_OSPACES_BOARD_VERSION 1

/* A plugin that starts after openspaces asks for the board again:
 * {"version": 1}; the answer is "openspaces.board". */
#define HW_EVENT_OSPACES_REQUEST "openspaces.request"
#define HW_OSPACES_REQUEST_VERSION 1

/*
 * A plugin's component for /healthz and --check-config --online (read by
 * bot/ops/health.c, which documents the limits):
 *   {"version": 1, "component": "schedule", "ok": true, "detail": "212
 *    talks", "max_age_s": 900}, or {"version": 1, "component": "x",
 *    "remove": true} to forget it.
 */
#define HW_EVENT_HEALTH_REPORT "health.report"
#define HW_HEALTH_REPORT_VERSION 1

/*
 * One series of a plugin's metric for /metrics (read by bot/ops/metrics.c,
 * which documents the limits):
 *   {"version": 1, "name": "outbox_pending", "type": "gauge"|"counter",
 *    "value": 3 (gauge) or "inc": 1 (counter), "help": "...",
 *    "labels": {"channel": "news"}}
 */
#define HW_EVENT_METRICS_REPORT "metrics.report"
#define HW_METRICS_REPORT_VERSION 1

/*
 * Published by the host when this daemon has just become the active one
 * (PostgreSQL with a lease, issue 18): {"version": 1, "epoch": N}, the
 * lease term it now holds. Work the previous active one left half done is
 * this one's now: outbox rows it had claimed and perhaps sent are sent
 * again, with their nonce, so Discord keeps one message of each. A single
 * daemon (SQLite, or no lease) never gets it.
 */
#define HW_EVENT_LEASE_ACTIVE "hallway.active"
#define HW_LEASE_ACTIVE_VERSION 1

/* Sets "version" in data (an object) to version. 0, or -1 when data is
 * not an object or out of memory. */
int hw_event_stamp(json_t *data, int version);

/* A new payload {"version": version}, or NULL out of memory. */
json_t *hw_event_new(int version);

/* 1 when a subscriber that reads versions 1..known can read data: an
 * object whose "version" is in that range or absent, or no payload at
 * all (NULL); 0 otherwise (a newer shape, or not an object). */
int hw_event_readable(const json_t *data, int known);

/* For plugins: hw_event_readable, and a warning in the plugin's log when
 * the payload is of a version it does not read ("schedule.loaded version
 * 2 is newer than this plugin reads (1): ignored"). 1 to read it. */
struct hw_plugin;
struct hw_api;
int hw_event_check(const struct hw_api *api, struct hw_plugin *self, const char *type,
		   const json_t *data, int known);

/* Publishes type with the payload {"version": version} (a request such as
 * schedule.request). Returns what api->publish returns, or HW_ERR_NOMEM. */
int hw_event_publish_bare(const struct hw_api *api, struct hw_plugin *self, const char *type,
			  int version);

#ifdef __cplusplus
}
#endif

#endif
