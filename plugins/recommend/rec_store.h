/*
 * Storage of stars and reminders through the host's units of work (ABI 1.2
 * db_run, tables recommend_*), the same SQL on SQLite and PostgreSQL. Every
 * function here runs inside a transaction body (on the storage thread) and
 * may call only the statement functions; the unit of work commits or rolls
 * back as a whole, and callers answer users from its done().
 *
 * Reminder states: pending -> sending (committed just before the DM goes
 * out) -> sent, or skipped (late, unstarred, moved, cancelled, or the DM
 * failed), with the reason kept. A reminder is claimed (pending -> sending)
 * by one conditional UPDATE, so of two daemons on one database only one
 * sends it.
 *
 * Every function returns HW_OK or a negative hw_err (the first failing
 * statement's, or HW_ERR_NOMEM).
 */
#ifndef REC_STORE_H
#define REC_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <hallway/plugin.h>

/* The migrations for this engine (SQLite keeps the first schema's text, so
 * databases made before db_run are at the same version). */
const char *const *rec_store_migrations(const hw_api *api, hw_plugin *self, size_t *n);

/* A starred talk as the user starred it (snapshot). Strings owned. */
struct rec_star {
	char *talk_id, *title, *room;  /* room may be NULL */
	int64_t start, end, starred_at;
	int cancelled;
};

/* A reminder ready to go, with the talk's snapshot. Strings owned. */
struct rec_reminder {
	char *user_id, *talk_id, *title, *room;
	int64_t start_at, due_at;
};

/* Pending reminders due in a window, per talk and due time, with how many
 * attendees get one (never who). title owned. */
struct rec_plan_row {
	int64_t due_at, count;
	char *title;
};

/* Stars talk s for user and schedules its reminder at due_at (Unix s).
 * *added = 0 when it was already starred. */
int rec_store_star(const hw_api *api, hw_tx *tx, const char *user, const struct rec_star *s,
		   int64_t due_at, int *added);

/* Removes a star and skips its open reminders. *removed = 0 if none. */
int rec_store_unstar(const hw_api *api, hw_tx *tx, const char *user, const char *talk_id,
		     int *removed);

/* The user's stars by start time. *out is a new array (rec_store_stars_free). */
int rec_store_stars(const hw_api *api, hw_tx *tx, const char *user, struct rec_star **out,
		    size_t *n);
void rec_store_stars_free(struct rec_star *s, size_t n);

/* Users who starred talk_id: a new array of new strings (rec_store_strv_free). */
int rec_store_starrers(const hw_api *api, hw_tx *tx, const char *talk_id, char ***users,
		       size_t *n);
void rec_store_strv_free(char **v, size_t n);

/* A talk moved (or came back): updates every snapshot (same length, new
 * start and room, not cancelled), skips open reminders for the old time
 * ("moved") and schedules new ones (due = start - lead_s). */
int rec_store_move(const hw_api *api, hw_tx *tx, const char *talk_id, int64_t start,
		   const char *room, int64_t lead_s);

/* A talk was cancelled or removed: marks the snapshots cancelled and
 * skips open reminders with reason. */
int rec_store_cancel(const hw_api *api, hw_tx *tx, const char *talk_id, const char *reason);

/* Start-up: reminders left "sending" by a crash go back to pending (they
 * are resent with the same nonce, so Discord drops a duplicate), then
 * every open reminder whose talk started by now is skipped ("late").
 * *skipped counts those. */
int rec_store_recover(const hw_api *api, hw_tx *tx, int64_t now, size_t *skipped);

/* Skips pending reminders whose talk started by now ("late"), then claims
 * the pending ones due by now, oldest first, at most max: each becomes
 * "sending" and is returned (a row another daemon claimed first is not).
 * *out is a new array (rec_store_reminders_free). */
int rec_store_claim_due(const hw_api *api, hw_tx *tx, int64_t now, size_t max,
			struct rec_reminder **out, size_t *n);
void rec_store_reminders_free(struct rec_reminder *r, size_t n);

/* For the dry run: pending reminders due in [from, to) (Unix s), at most
 * max rows by due time. *out is a new array (rec_store_plan_free). */
int rec_store_plan(const hw_api *api, hw_tx *tx, int64_t from, int64_t to, size_t max,
		   struct rec_plan_row **out, size_t *n);
void rec_store_plan_free(struct rec_plan_row *r, size_t n);

/* The earliest due time of a pending reminder; *found = 0 if none. */
int rec_store_next_due(const hw_api *api, hw_tx *tx, int64_t *due, int *found);

/* Moves one reminder to state (with reason, may be NULL) if it is in
 * state `from`. *changed (may be NULL) reports whether it was. */
int rec_store_mark(const hw_api *api, hw_tx *tx, const char *user, const char *talk_id,
		   int64_t start_at, const char *from, const char *state, const char *reason,
		   int *changed);

#endif
