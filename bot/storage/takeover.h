/*
 * What the active daemon leaves in PostgreSQL for the one that takes over
 * (issue 18), so that a takeover neither loses nor doubles an event:
 *
 * - The Discord session (hw.gateway_session): session id, resume URL and a
 *   recent sequence number, written on READY/RESUMED and then at most every
 *   storage.session_save_ms or every TAKEOVER_SAVE_EVENTS dispatches. The
 *   new active reads it and RESUMEs that session, so Discord replays what
 *   came in the gap (and what came since the saved sequence number).
 *   The conference guild's roles as known at that sequence number go in
 *   the same row: the replay brings every role event after it, so the new
 *   active knows the organizer roles from its first command on, without
 *   waiting for a REST read queued behind its resends.
 * - The messages and interactions handled (hw.handled): before a command
 *   runs, the router checks its message or interaction id there and skips
 *   one an earlier active handled. The id is written in the same
 *   transaction as the command's effect (the first unit of work it
 *   queues), or, for a command that writes nothing, after its answers
 *   went out: so a daemon that dies mid-command leaves it to the next one,
 *   and never half done. Rows older than TAKEOVER_KEEP_S are pruned
 *   (Discord keeps a session resumable for minutes, not hours).
 *
 * Every write carries the lease (holder and epoch) and locks the lease row
 * FOR SHARE in its statement: a daemon that lost the lease writes nothing,
 * and a takeover waits for a write in flight to commit.
 *
 * All of it runs on the storage thread, one job after another in the order
 * they were asked for, so the loop never waits. Only with a lease (PostgreSQL and two
 * daemons); without one there is nobody to take over, and nothing is kept.
 */
#ifndef HALLWAY_TAKEOVER_H
#define HALLWAY_TAKEOVER_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct storage;
struct takeover;

#define TAKEOVER_SAVE_EVENTS 100 /* dispatches between two saves, at most */
#define TAKEOVER_KEEP_S 3600     /* handled ids are kept this long */

/* For storage, whose lease has started (storage_lease_start); save_ms is
 * the longest time between two saves while dispatches come in. NULL
 * without a lease, or when out of memory (logged). */
struct takeover *takeover_create(struct storage *st, int save_ms);
/* After storage_stop (which completes every job still queued). */
void takeover_destroy(struct takeover *t);

/* Loop thread, after each dispatch (parsed or skipped): the session and
 * sequence number the gateway has now, and the conference guild as
 * guilds_dump writes it (NULL: unknown; all borrowed). Saves when due. */
void takeover_seen(struct takeover *t, const char *type, int64_t seq, const char *session_id,
		   const char *resume_url, const char *guild);

/* What the last active daemon left, all borrowed for the call. */
struct takeover_stored {
	const char *session_id; /* NULL: none kept, or the database did not answer */
	const char *resume_url; /* NULL: none */
	int64_t seq;
	const char *guild;      /* the conference guild (guilds_dump), or NULL */
	json_t *kept;           /* key -> value (takeover_keep), or NULL */
};
/* Reads it; done(ud, stored) on the loop. Returns 0, or -1 (done is not
 * called). */
typedef void (*takeover_load_fn)(void *ud, const struct takeover_stored *stored);
int takeover_load(struct takeover *t, takeover_load_fn done, void *ud);

/* The key of hw.handled for a message or an interaction: "<kind> <id>"
 * (kind "message" or "interaction"). Returns 0, or -1 when it does not fit
 * TAKEOVER_KEY_MAX bytes. */
#define TAKEOVER_KEY_MAX 80
int takeover_key(char *out, size_t len, const char *kind, const char *id);

/* What a check found. */
enum takeover_check {
	TAKEOVER_NEW,         /* not handled yet: run the command */
	TAKEOVER_HANDLED,     /* an earlier active handled it: skip it */
	TAKEOVER_NOT_ACTIVE,  /* the lease is not ours (any more): skip it */
	TAKEOVER_UNAVAILABLE, /* the database did not answer: run it (see router.c) */
	TAKEOVER_CANCELLED,   /* shutting down: skip it */
};
typedef void (*takeover_check_fn)(void *ud, enum takeover_check outcome);
/* Is key recorded as handled, and is the lease ours? fn(ud, outcome) on the
 * loop, always later. Returns 0, or -1 when the job cannot be queued (fn
 * is not called). Reading only: the key is recorded with the command's
 * effect (the first unit of work it queues: api_db.c, store_pg_run), or
 * with takeover_record once it is answered. */
int takeover_check(struct takeover *t, const char *key, takeover_check_fn fn, void *ud);

/* Records key as handled under this daemon's lease term, for a command
 * that changed nothing in the database, once its answers went out. Fire
 * and forget (a failure is logged). */
void takeover_record(struct takeover *t, const char *key);

/* Something the active daemon keeps for later that the next one needs
 * too (hw.kept, key -> value text): the components drawn with long
 * commands or forms (components.c), which a press after a takeover must
 * still find. Written under the lease, fire and forget; read back by
 * takeover_load; rows not written again for TAKEOVER_KEPT_DAYS go. */
#define TAKEOVER_KEPT_DAYS_TEXT "31"
void takeover_keep(struct takeover *t, const char *key, const char *value);

/* The save policy, on its own for the unit tests: 1 when a dispatch with
 * seq, seen at now_ms, should be saved, given the last save (saved_seq at
 * saved_ms, -1 none). force: READY, RESUMED or a new session. */
int takeover_save_due(int64_t saved_seq, int64_t saved_ms, int64_t seq, int64_t now_ms,
		      int save_ms, int force);

#endif
