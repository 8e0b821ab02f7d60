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
 * from the schedule plugin's events), announce_soon.c (what a starting-soon
 * post says: a reply model, issue 16), announce_time.c (time parsing and
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
	int redoing;              /* a redo of the starting-soon posts is queued */
	int redo_again;           /* the talks, board or speakers changed meanwhile */
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
	/* What starting-soon posts are made of (announce_soon.c), owned: the
	 * last schedule's talks (only the keys a post shows; NULL until one
	 * came) and the open spaces of the last "openspaces.board" (as
	 * entries {"id": "os#12", "openspace": true, ...}; NULL until one came). */
	json_t *talks;
	json_t *spaces;
};

/* The users one post pings: "id,id", each once, HW_REPLY_MENTIONS_MAX at
 * most (they share the message with its title). */
struct announce_mentions {
	char list[ANNOUNCE_MENTIONS_MAX * 22];
	size_t n, count;
};

/* Why a slot's pending post was replaced by another version of it (the
 * talks, the open spaces or who it pings changed). A post skipped for this
 * reason comes back when its version does (announce_store_add, revive). */
#define ANNOUNCE_SLOT_REPLACED "what starts then changed"

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

/* A bounded text (a summary, a change alert): appends stop once it is full. */
struct announce_text {
	char buf[ANNOUNCE_TEXT_MAX + 1];
	size_t n;
};
/* Appends s, or returns -1 (nothing added) when it would leave no room
 * for a closing "...and N more". */
int announce_text_add(struct announce_text *t, const char *s);

/* announce_soon.c: starting-soon posts as reply models (issue 16). */
/* Keeps what posts show of the schedule's talks (borrowed array) in
 * a->talks. HW_OK or HW_ERR_NOMEM (a->talks unchanged). */
int announce_soon_keep_talks(struct announce *a, json_t *talks);
/* a->talks and a->spaces as one list (new reference), or NULL. */
json_t *announce_soon_entries(const struct announce *a);
/* "openspaces.board": keeps the open spaces and, when they changed,
 * redoes the pending posts. */
void announce_soon_on_board(hw_plugin *self, const char *type, json_t *data, void *ud);
/* The stored text of the post for entries v[0..n) (borrowed), all starting
 * at start_ms: one post listing them (grouped) or one entry's own post.
 * A new string (free it) holding {"announce_model": 1, "summary", "model"};
 * the opted-in speakers of the entries listed go into m. NULL out of
 * memory. */
char *announce_soon_post(const struct announce *a, json_t *const *v, size_t n, int64_t start_ms,
			 int grouped, struct announce_mentions *m);
/* Adds the opted-in speakers of entry e (borrowed) to m: who its own post
 * pings, without making the post. */
void announce_soon_mentions(const struct announce *a, json_t *e, struct announce_mentions *m);
/* 1 when text has the form of a stored post (announce_cmd.c refuses it
 * as an organizer's text, so a post is never mistaken for one). */
int announce_soon_is_post(const char *text);
/* The reply model of a stored post (new reference), or NULL for text. */
json_t *announce_soon_model(const char *stored);
/* What a person reads of stored text (audit, list, plan, web panel): a
 * post's summary (copied into buf), else the text itself (borrowed). */
const char *announce_shown(const char *stored, char *buf, size_t len);

/* announce_sched.c */
/* Redoes the pending starting-soon posts from a->talks and a->spaces in a
 * unit of work (nothing before the schedule's talks are known: a post is
 * never made of half of what starts then). */
void announce_sched_redo(struct announce *a);
void announce_sched_on_loaded(hw_plugin *self, const char *type, json_t *data, void *ud);
void announce_sched_on_changed(hw_plugin *self, const char *type, json_t *data, void *ud);
/* "registration.speakers": keeps the map and, when it changed, redoes the
 * pending starting-soon posts. */
void announce_sched_on_speakers(hw_plugin *self, const char *type, json_t *data, void *ud);
/* Warns about room_channels keys that match no room of talks. */
void announce_rooms_check(struct announce *a, json_t *talks);
/* The dry run (announce_plan.c): pending posts for "plan.collect". */
void announce_plan_on_collect(hw_plugin *self, const char *type, json_t *data, void *ud);

#endif
