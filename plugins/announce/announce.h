/*
 * announce: announcements that are never lost (issue 7).
 *
 * Every announcement is one row in announce_items and one row per target
 * channel in announce_outbox. Rows are committed before anything is sent
 * and marked sent only in the send callback, once Discord has accepted the
 * message; every send carries a nonce that is stable per outbox row, so a
 * send retried after a crash cannot create a second message (Discord
 * answers a repeated nonce with the message it already created).
 *
 * Files: announce.c (plugin entry, config, events), announce_cmd.c (the
 * `announce` command and its replies), announce_send.c (the dispatcher:
 * timer, catch-up window, send callbacks, retries), announce_store.c (all
 * SQL), announce_sched.c ("starting soon" rows and schedule-change alerts
 * from the schedule plugin's events), announce_time.c (time parsing and
 * formatting in conference-local time).
 */
#ifndef ANNOUNCE_H
#define ANNOUNCE_H

#include <stddef.h>
#include <stdint.h>

#include <hallway/plugin.h>
#include <hallway/stmt.h>

struct hw_tz;

#define ANNOUNCE_TEXT_MAX 1900       /* one Discord message, so one nonce */
#define ANNOUNCE_CHANNELS_MAX 100
#define ANNOUNCE_MAX_ATTEMPTS 5      /* transient failures before "failed" */
#define ANNOUNCE_BATCH 500           /* rows dispatched per timer tick */
#define ANNOUNCE_MENTIONS_MAX 100    /* users one post pings (Discord's limit) */

/* Kinds and states exactly as stored. */
#define ANNOUNCE_KIND_MANUAL "manual"
#define ANNOUNCE_KIND_SCHEDULED "scheduled"
#define ANNOUNCE_KIND_SOON "soon"
#define ANNOUNCE_KIND_CHANGE "change"

/* Starting-soon posts (soon_posts): one message per time slot and channel
 * listing every room starting then (rooms with their own channel still get
 * their talk there), one message per talk, or none. */
enum { ANNOUNCE_SOON_GROUPED = 0, ANNOUNCE_SOON_PER_TALK, ANNOUNCE_SOON_OFF };

struct announce_room {
	char *room;
	char *fold;       /* the room name as matched (hw_fold, symbols dropped) */
	char *channel_id;
	int seen;         /* matched a room of the last schedule */
};

/* An organizer waiting for the result of a broadcast (kept invocation). */
struct announce_wait {
	struct announce_wait *next;
	int64_t item_id;
	const hw_invocation *inv; /* kept; released when answered */
	size_t total, ok, failed;
	char error[160];          /* the first failure's reason */
	char *channels;           /* "<#1>, <#2>" for the reply; owned */
};

/* One send in flight: the callback's ud. Owned by struct announce, so
 * nothing leaks if the plugin is unloaded before Discord answers. */
struct announce_flight {
	struct announce_flight *next;
	struct announce *a;
	int64_t row_id, item_id;
	int attempts;
	char channel_id[32];
};

#define ANNOUNCE_DRAFTS 16
#define ANNOUNCE_DRAFT_MS (10 * 60 * 1000)
#define ANNOUNCE_PREVIEW_DEFAULT 5

struct announce {
	hw_plugin *self;
	const hw_api *api;
	/* Units of work (db_run): a bodies read only what init fixed (api,
	 * self, pg, start_ms, catchup_ms, channels, rooms) and their job. */
	struct hw_units *units;
	int pg;                   /* the engine is PostgreSQL */

	/* Config (plugins.announce). */
	char **channels;          /* owned, nchannels entries */
	size_t nchannels;
	struct announce_room *rooms; /* room_channels */
	size_t nrooms;
	char *changes_channel;    /* or NULL */
	int64_t remind_ms;        /* 0: no "starting soon" posts */
	int soon_mode;            /* ANNOUNCE_SOON_*: how starting-soon posts go out */
	int64_t catchup_ms;
	int allow_mentions;
	int64_t preview_channels; /* a post to this many channels or more is previewed (0: never) */
	char *tz_config;          /* config timezone, or NULL */

	/* Conference time zone: config, else the schedule's, else UTC. */
	struct hw_tz *tz;
	char *tz_schedule;        /* the schedule's zone name, or NULL */

	int64_t start_ms;         /* conference clock when the plugin started */
	hw_handle timer;          /* the next due row, or 0 */
	int64_t timer_at;         /* when that timer fires (conference ms) */
	int claiming;             /* a claim is queued */
	int again;                /* dispatch asked for while claiming */
	int rearming;             /* a rearm is queued */
	int rearm_again;          /* rearm asked for meanwhile */
	struct announce_flight *flights;
	struct announce_wait *waits;
	/* Announcements previewed and waiting for `announce confirm`, one per
	 * organizer (in memory: a restart drops them, and nothing was posted). */
	struct announce_draft {
		char user_id[32];
		char *text;           /* owned */
		int64_t at_ms;        /* when previewed (conference clock) */
	} drafts[ANNOUNCE_DRAFTS];
	struct announce_web *web;  /* screens' banner, organizer panel (announce_web.c) */
	/* Speakers who want their talks' starting-soon posts to mention them
	 * ("registration.speakers"): the folded name -> the user's id. Owned. */
	json_t *speakers;
	int schedule_seen;        /* a schedule.loaded came: a new map redoes the posts */
};

/* announce.c */
/* The zone used for parsing and display (never NULL after init). */
const struct hw_tz *announce_tz(const struct announce *a);
/* Channel for a room's "starting soon" post, or NULL (use the main ones). */
const char *announce_room_channel(const struct announce *a, const char *room);

/* announce_cmd.c */
int announce_cmd_register(struct announce *a);

/* announce_send.c */
/* Recovery, at start and when this daemon becomes the active one: rows
 * left 'sending' (by a crash, or by the previous active daemon) become
 * pending again (same nonce); pending rows older than the catch-up window
 * are skipped. Then dispatches. In a unit of work: returns whether it was
 * queued. */
int announce_send_recover(struct announce *a);
/* Sends every due row (claimed in a unit of work), then arms the timer for
 * the next one. */
void announce_send_dispatch(struct announce *a);
/* Re-arms the timer after rows were added or changed (and reports the
 * outbox gauges, and refreshes what the web side shows). */
void announce_send_rearm(struct announce *a);
/* HW_EVENT_LEASE_ACTIVE: recover what the previous active daemon left. */
void announce_send_on_active(hw_plugin *self, const char *type, json_t *data, void *ud);
/* Registers a waiter for item_id's result. inv: a kept invocation, stolen
 * (released once answered, or at once on error). */
int announce_send_wait(struct announce *a, int64_t item_id, const hw_invocation *inv,
		       size_t total, const char *channels);
void announce_send_shutdown(struct announce *a);

/* announce_web.c */
int announce_web_init(struct announce *a);
/* Reads what the screens and the organizer panel show again (a unit of
 * work; the routes answer from that copy). */
void announce_web_refresh(struct announce *a);
void announce_web_free(struct announce_web *w);

/* announce_sched.c */
void announce_sched_on_loaded(hw_plugin *self, const char *type, json_t *data, void *ud);
void announce_sched_on_changed(hw_plugin *self, const char *type, json_t *data, void *ud);
/* "registration.speakers": keeps the map and, when it changed, asks for
 * the schedule again so that pending starting-soon posts are redone. */
void announce_sched_on_speakers(hw_plugin *self, const char *type, json_t *data, void *ud);
/* Warns about room_channels keys that match no room of talks. */
void announce_rooms_check(struct announce *a, json_t *talks);
/* The dry run (announce_plan.c): pending posts for "plan.collect". */
void announce_plan_on_collect(hw_plugin *self, const char *type, json_t *data, void *ud);

#endif
