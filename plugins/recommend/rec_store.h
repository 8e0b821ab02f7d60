/*
 * Storage of stars and reminders in the host database (tables
 * recommend_*). Every write is one transaction; callers answer users only
 * after it committed. Reminder states: pending -> sending (persisted just
 * before the DM goes out) -> sent, or skipped (late, unstarred, moved,
 * cancelled, or the DM failed), with the reason kept.
 */
#ifndef REC_STORE_H
#define REC_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

extern const char *const rec_store_migrations[];
extern const size_t rec_store_nmigrations;

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

/* Stars talk s for user and schedules its reminder at due_at (Unix s).
 * *added = 0 when it was already starred. Returns 0 or REC_ERR_STORAGE. */
int rec_store_star(sqlite3 *db, const char *user, const struct rec_star *s, int64_t due_at,
		   int *added);

/* Removes a star and skips its open reminders. *removed = 0 if none. */
int rec_store_unstar(sqlite3 *db, const char *user, const char *talk_id, int *removed);

/* The user's stars by start time. *out is a new array (rec_store_stars_free). */
int rec_store_stars(sqlite3 *db, const char *user, struct rec_star **out, size_t *n);
void rec_store_stars_free(struct rec_star *s, size_t n);

/* Users who starred talk_id: a new array of new strings (free each). */
int rec_store_starrers(sqlite3 *db, const char *talk_id, char ***users, size_t *n);
void rec_store_strv_free(char **v, size_t n);

/* A talk moved (or came back): updates every snapshot (same length, new
 * start and room, not cancelled), skips open reminders for the old time
 * ("moved") and schedules new ones (due = start - lead_s). */
int rec_store_move(sqlite3 *db, const char *talk_id, int64_t start, const char *room,
		   int64_t lead_s);

/* A talk was cancelled or removed: marks the snapshots cancelled and
 * skips open reminders with reason. */
int rec_store_cancel(sqlite3 *db, const char *talk_id, const char *reason);

/* Start-up: reminders left "sending" by a crash go back to pending (they
 * are resent with the same nonce, so Discord drops a duplicate), then
 * every open reminder whose talk started by now is skipped ("late").
 * *skipped counts those. */
int rec_store_recover(sqlite3 *db, int64_t now, size_t *skipped);

/* Pending reminders due by now whose talk has not started, oldest first,
 * at most max. *out is a new array (rec_store_reminders_free). */
int rec_store_due(sqlite3 *db, int64_t now, size_t max, struct rec_reminder **out,
		  size_t *n);
void rec_store_reminders_free(struct rec_reminder *r, size_t n);

/* For the dry run: pending reminders due in [from, to) (Unix s), one call
 * per talk and due time with how many attendees get one (never who).
 * At most max calls. Returns REC_OK or an error (also fn's). */
typedef int (*rec_plan_fn)(void *ud, int64_t due_at, const char *title, int64_t count);
int rec_store_plan(sqlite3 *db, int64_t from, int64_t to, size_t max, rec_plan_fn fn, void *ud);

/* Skips pending reminders whose talk started by now ("late"). */
int rec_store_skip_started(sqlite3 *db, int64_t now);

/* The earliest due time of a pending reminder; *found = 0 if none. */
int rec_store_next_due(sqlite3 *db, int64_t *due, int *found);

/* Moves one reminder to state (with reason, may be NULL) if it is in
 * state `from`. *changed reports whether it was. */
int rec_store_mark(sqlite3 *db, const char *user, const char *talk_id, int64_t start_at,
		   const char *from, const char *state, const char *reason, int *changed);


#endif
