/*
 * The outbox on the storage API (either engine): announce_items (one per
 * announcement) and announce_outbox (one per announcement and channel).
 * Every function runs inside a unit of work (api, tx: borrowed, called in a
 * db_run body only) and returns HW_OK or the error (HW_ERR_STORAGE,
 * HW_ERR_NOMEM, HW_ERR_UNAVAILABLE...); out-params are set only on
 * success. The first failure fails the whole unit of work (rolled back).
 *
 * Row states: pending -> sending -> sent | failed, and pending -> skipped.
 * A row is 'sending' from just before api->send until the callback; one
 * found 'sending' at start-up may or may not have reached Discord and is
 * sent again with the same nonce.
 */
#ifndef ANNOUNCE_STORE_H
#define ANNOUNCE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <hallway/plugin.h>

/* The steps for the engine (api->db_engine): the same tables on both. */
extern const char *const announce_store_migrations[];
extern const char *const announce_store_migrations_pg[];
extern const size_t announce_store_nmigrations;

struct announce_new {
	const char *kind;         /* ANNOUNCE_KIND_* */
	const char *text;
	int64_t due_ms;
	const char *created_by;   /* display name, or "schedule" */
	int64_t created_ms;
	const char *talk_id;      /* soon posts: the talk; else NULL */
	const char *talk_key;     /* soon posts: unique "talk@start"; else NULL */
	int mentions;             /* 1: send with allow_mentions */
	const char *mention_users;/* "id,id": only these are pinged; or NULL */
	const char *revive;       /* soon posts: a reason, see announce_store_add; or NULL */
	const char *const *channels;
	size_t nchannels;
};

/* Writes the item and its outbox rows. Sets *item_id. A soon post whose
 * talk_key exists already is not added: *item_id is then 0; its rows
 * skipped with the reason n->revive (when set) are pending again (a
 * version of a post that was replaced and is current again). */
int announce_store_add(const hw_api *api, hw_tx *tx, const struct announce_new *n, int64_t *item_id);

/* One row claimed for sending. Owned by the array. */
struct announce_row {
	int64_t id, item_id, due_ms;
	int mentions, late, attempts;
	char channel_id[32];
	char nonce[32];
	char *text;
	char *mention_users;      /* "id,id" or NULL */
};

/* Marks up to max due rows (pending, due or retry time <= now) 'sending',
 * counts the attempt and flags rows due before start_ms as late. pg: on
 * PostgreSQL the rows are locked FOR UPDATE SKIP LOCKED (a row another
 * transaction holds is left to it); on SQLite the unit of work is the one
 * writer. *rows is a new array (free with announce_store_rows_free). */
int announce_store_claim(const hw_api *api, hw_tx *tx, int pg, int64_t now, int64_t start_ms,
			 size_t max,
			 struct announce_row **rows, size_t *n);
void announce_store_rows_free(struct announce_row *rows, size_t n);

int announce_store_sent(const hw_api *api, hw_tx *tx, int64_t row_id, const char *message_id, int64_t now);
int announce_store_failed(const hw_api *api, hw_tx *tx, int64_t row_id, const char *error);
/* Back to pending, to be tried again at retry_at. */
int announce_store_retry(const hw_api *api, hw_tx *tx, int64_t row_id, const char *error, int64_t retry_at);

/* Earliest time a pending row is due; *due = -1 when none. */
/* Outbox rows waiting (pending or sending) and failed, for /metrics. */
int announce_store_counts(const hw_api *api, hw_tx *tx, int64_t *waiting, int64_t *failed);
int announce_store_next_due(const hw_api *api, hw_tx *tx, int64_t *due);

/* Start-up: 'sending' rows become pending; pending rows due before
 * now - catchup_ms are skipped with a reason. Counts are optional. */
int announce_store_recover(const hw_api *api, hw_tx *tx, int64_t now, int64_t catchup_ms, size_t *resent,
			   size_t *skipped);

/* Skips the pending rows of item_id. *pending is how many were skipped;
 * HW_ERR_NOT_FOUND when there is no such item. */
/* What cancelling item_id would stop, without changing anything: its due
 * time, its pending rows and the start of its text (into text, textlen).
 * HW_OK, HW_ERR_NOT_FOUND or HW_ERR_STORAGE. */
int announce_store_peek(const hw_api *api, hw_tx *tx, int64_t item_id, int64_t *due_ms, size_t *pending,
			char *text, size_t textlen);
int announce_store_cancel(const hw_api *api, hw_tx *tx, int64_t item_id, const char *reason, size_t *pending,
			  int64_t *due_ms);

/* Soon posts: skips pending rows of talk_id whose key differs from keep_key
 * (NULL: all of them) with the reason. */
int announce_store_skip_talk(const hw_api *api, hw_tx *tx, const char *talk_id, const char *keep_key,
			     const char *reason, size_t *skipped);
/* Skips the pending soon posts of talk_id for the same talk, time and room
 * (key base_key, or base_key "@m<hash>" for one that mentions speakers)
 * other than keep_key: the speakers it mentions changed. */
int announce_store_skip_same_slot(const hw_api *api, hw_tx *tx, const char *talk_id, const char *base_key,
				  const char *keep_key, const char *reason);
/* Talk ids that have pending soon rows. *ids: new array of new strings. */
int announce_store_soon_talks(const hw_api *api, hw_tx *tx, char ***ids, size_t *n);
void announce_store_strings_free(char **s, size_t n);

/* One outbox row joined with its item, for list and audit. */
struct announce_view {
	int64_t item_id, due_ms, sent_ms;
	char kind[12], state[12];
	int late;
	char channel_id[32];
	char *text, *created_by, *message_id, *error; /* owned; may be NULL */
};

/* Rows of items for the audit: everything due at or before now (and
 * since_ms <= due), plus every settled row, newest items first, at most
 * max_items items. *more is set to the number of items left out. */
int announce_store_audit(const hw_api *api, hw_tx *tx, int64_t now, int64_t since_ms, size_t max_items,
			 struct announce_view **rows, size_t *n, size_t *more);
/* Pending rows, earliest first, at most max_items items: soon_only 0
 * lists manual and scheduled announcements, 1 lists "starting soon" and
 * change posts. *more is set to the number of items left out. */
int announce_store_upcoming(const hw_api *api, hw_tx *tx, int soon_only, size_t max_items,
			    struct announce_view **rows, size_t *n, size_t *more);
void announce_store_views_free(struct announce_view *v, size_t n);

/* One pending post for the dry run. Borrowed strings, valid in the call. */
typedef int (*announce_plan_fn)(void *ud, int64_t due_ms, const char *kind,
				const char *channel_id, const char *text);
/* Calls fn for each pending outbox row due in [from_ms, to_ms), earliest
 * first, at most max rows. Returns HW_OK or an error (also fn's). */
int announce_store_plan(const hw_api *api, hw_tx *tx, int64_t from_ms, int64_t to_ms, size_t max,
			announce_plan_fn fn, void *ud);

/* A copy of a pending post for the dry run (announce_plan.c). */
struct announce_plan_row {
	int64_t due_ms;
	char kind[12];
	char channel_id[32];
	char *text; /* owned */
};

#endif
