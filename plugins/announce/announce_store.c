/*
 * The outbox in SQLite. All SQL of the plugin lives here, with bound
 * parameters only. The connection is the host's (borrowed); statements are
 * prepared per call and finalized before returning.
 */
#include "announce_store.h"

#include <hallway/text.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/plugin.h>

#include "announce.h"

const char *const announce_store_migrations[] = {
	/* 1: items, outbox, and a random salt that makes nonces unique across
	 * databases (a wiped database must not reuse a nonce Discord still
	 * remembers for another message). */
	"CREATE TABLE announce_meta(salt TEXT NOT NULL);"
	"INSERT INTO announce_meta(salt) VALUES (lower(hex(randomblob(4))));"
	"CREATE TABLE announce_items("
	" id INTEGER PRIMARY KEY,"
	" kind TEXT NOT NULL CHECK(kind IN ('manual','scheduled','soon','change')),"
	" text TEXT NOT NULL,"
	" due_ms INTEGER NOT NULL,"
	" created_by TEXT NOT NULL,"
	" created_ms INTEGER NOT NULL,"
	" talk_id TEXT,"
	" talk_key TEXT UNIQUE,"
	" mentions INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE announce_outbox("
	" id INTEGER PRIMARY KEY,"
	" item_id INTEGER NOT NULL REFERENCES announce_items(id),"
	" kind TEXT NOT NULL,"
	" channel_id TEXT NOT NULL,"
	" due_ms INTEGER NOT NULL,"
	" retry_ms INTEGER,"
	" state TEXT NOT NULL DEFAULT 'pending'"
	"  CHECK(state IN ('pending','sending','sent','failed','skipped')),"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" nonce TEXT UNIQUE,"
	" message_id TEXT,"
	" error TEXT,"
	" sent_ms INTEGER,"
	" late INTEGER NOT NULL DEFAULT 0,"
	" UNIQUE(item_id, channel_id));"
	"CREATE INDEX announce_outbox_due ON announce_outbox(state, due_ms);"
	"CREATE INDEX announce_items_talk ON announce_items(talk_id);",
	/* 2: the users a starting-soon post pings (speakers who opted in),
	 * comma-separated ids; nobody else in its text is pinged. */
	"ALTER TABLE announce_items ADD COLUMN mention_users TEXT;",
};
const size_t announce_store_nmigrations =
	sizeof(announce_store_migrations) / sizeof(*announce_store_migrations);

static int prep(sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
	return sqlite3_prepare_v2(db, sql, -1, st, NULL) == SQLITE_OK ? HW_OK : HW_ERR_STORAGE;
}

/* Runs a statement that returns no rows; finalizes it. */
static int run(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? HW_OK : HW_ERR_STORAGE;
}

static char *col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	return s ? strdup((const char *)s) : NULL;
}

static void col_copy(sqlite3_stmt *st, int i, char *dst, size_t n)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	snprintf(dst, n, "%s", s ? (const char *)s : "");
}

int announce_store_begin(sqlite3 *db)
{
	return sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK ? HW_OK
										   : HW_ERR_STORAGE;
}

int announce_store_commit(sqlite3 *db)
{
	return sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? HW_OK : HW_ERR_STORAGE;
}

void announce_store_rollback(sqlite3 *db)
{
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

static int key_exists(sqlite3 *db, const char *key, int *exists)
{
	sqlite3_stmt *st = NULL;
	int rc = prep(db, "SELECT 1 FROM announce_items WHERE talk_key = ?1", &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return HW_ERR_STORAGE;
	*exists = rc == SQLITE_ROW;
	return HW_OK;
}

int announce_store_add(sqlite3 *db, const struct announce_new *n, int64_t *item_id)
{
	sqlite3_stmt *st = NULL;
	int own = sqlite3_get_autocommit(db), rc, exists = 0;
	int64_t id = 0;

	if (own && announce_store_begin(db))
		return HW_ERR_STORAGE;
	if (n->talk_key && (rc = key_exists(db, n->talk_key, &exists)))
		goto out;
	if (exists) {
		rc = HW_OK;
		goto out;
	}
	if ((rc = prep(db, "INSERT INTO announce_items(kind, text, due_ms, created_by, "
			   "created_ms, talk_id, talk_key, mentions, mention_users) "
			   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", &st)))
		goto out;
	sqlite3_bind_text(st, 1, n->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, n->text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, n->due_ms);
	sqlite3_bind_text(st, 4, n->created_by ? n->created_by : "?", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, n->created_ms);
	sqlite3_bind_text(st, 6, n->talk_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, n->talk_key, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 8, n->mentions);
	sqlite3_bind_text(st, 9, n->mention_users && *n->mention_users ? n->mention_users : NULL,
			  -1, SQLITE_STATIC);
	if ((rc = run(st)))
		goto out;
	id = sqlite3_last_insert_rowid(db);
	/* The nonce is the database's salt and the row id: stable for the
	 * row's whole life, unique per (announcement, channel), 25 chars max. */
	if ((rc = prep(db, "INSERT OR IGNORE INTO announce_outbox(item_id, kind, channel_id, "
			   "due_ms) VALUES (?1, ?2, ?3, ?4)", &st)))
		goto out;
	for (size_t i = 0; i < n->nchannels; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, n->kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, n->channels[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, n->due_ms);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			rc = HW_ERR_STORAGE;
			goto out;
		}
	}
	sqlite3_finalize(st);
	if ((rc = prep(db, "UPDATE announce_outbox SET nonce = "
			   "(SELECT salt FROM announce_meta LIMIT 1) || '-' || id "
			   "WHERE item_id = ?1", &st)))
		goto out;
	sqlite3_bind_int64(st, 1, id);
	rc = run(st);
out:
	if (own) {
		if (rc == HW_OK)
			rc = announce_store_commit(db);
		if (rc != HW_OK)
			announce_store_rollback(db);
	}
	if (rc == HW_OK)
		*item_id = id;
	return rc;
}

void announce_store_rows_free(struct announce_row *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++) {
		free(rows[i].text);
		free(rows[i].mention_users);
	}
	free(rows);
}

int announce_store_claim(sqlite3 *db, int64_t now, int64_t start_ms, size_t max,
			 struct announce_row **out, size_t *nout)
{
	sqlite3_stmt *st = NULL;
	struct announce_row *rows = NULL;
	size_t n = 0;
	int rc;

	if (announce_store_begin(db))
		return HW_ERR_STORAGE;
	rows = calloc(max ? max : 1, sizeof(*rows));
	rc = rows ? HW_OK : HW_ERR_NOMEM;
	if (rc || (rc = prep(db, "SELECT o.id, o.item_id, o.due_ms, o.channel_id, o.nonce, "
				 "i.text, i.mentions, o.late, o.attempts, i.mention_users "
				 "FROM announce_outbox o JOIN announce_items i ON i.id = o.item_id "
				 "WHERE o.state = 'pending' AND COALESCE(o.retry_ms, o.due_ms) <= ?1 "
				 "ORDER BY o.due_ms, o.id LIMIT ?2", &st)))
		goto out;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < max) {
		struct announce_row *r = &rows[n];
		r->id = sqlite3_column_int64(st, 0);
		r->item_id = sqlite3_column_int64(st, 1);
		r->due_ms = sqlite3_column_int64(st, 2);
		col_copy(st, 3, r->channel_id, sizeof(r->channel_id));
		col_copy(st, 4, r->nonce, sizeof(r->nonce));
		r->text = col_dup(st, 5);
		r->mentions = sqlite3_column_int(st, 6);
		r->late = sqlite3_column_int(st, 7) || r->due_ms < start_ms;
		r->attempts = sqlite3_column_int(st, 8) + 1;
		r->mention_users = sqlite3_column_type(st, 9) == SQLITE_NULL ? NULL : col_dup(st, 9);
		n++;
		if (!r->text || (!r->mention_users && sqlite3_column_type(st, 9) != SQLITE_NULL)) {
			rc = SQLITE_NOMEM;
			break;
		}
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		rc = rc == SQLITE_NOMEM ? HW_ERR_NOMEM : HW_ERR_STORAGE;
		goto out;
	}
	if ((rc = prep(db, "UPDATE announce_outbox SET state = 'sending', attempts = ?2, "
			   "late = ?3, retry_ms = NULL WHERE id = ?1", &st)))
		goto out;
	for (size_t i = 0; i < n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, rows[i].id);
		sqlite3_bind_int(st, 2, rows[i].attempts);
		sqlite3_bind_int(st, 3, rows[i].late);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = HW_ERR_STORAGE;
			goto out;
		}
	}
	rc = announce_store_commit(db);
out:
	sqlite3_finalize(st);
	if (rc != HW_OK) {
		announce_store_rollback(db);
		announce_store_rows_free(rows, n);
		return rc;
	}
	*out = rows;
	*nout = n;
	return HW_OK;
}

int announce_store_sent(sqlite3 *db, int64_t row_id, const char *message_id, int64_t now)
{
	sqlite3_stmt *st = NULL;
	if (prep(db, "UPDATE announce_outbox SET state = 'sent', message_id = ?2, sent_ms = ?3, "
		     "error = NULL WHERE id = ?1", &st))
		return HW_ERR_STORAGE;
	sqlite3_bind_int64(st, 1, row_id);
	sqlite3_bind_text(st, 2, message_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	return run(st);
}

int announce_store_failed(sqlite3 *db, int64_t row_id, const char *error)
{
	sqlite3_stmt *st = NULL;
	if (prep(db, "UPDATE announce_outbox SET state = 'failed', error = ?2 WHERE id = ?1", &st))
		return HW_ERR_STORAGE;
	sqlite3_bind_int64(st, 1, row_id);
	sqlite3_bind_text(st, 2, error, -1, SQLITE_STATIC);
	return run(st);
}

int announce_store_retry(sqlite3 *db, int64_t row_id, const char *error, int64_t retry_at)
{
	sqlite3_stmt *st = NULL;
	if (prep(db, "UPDATE announce_outbox SET state = 'pending', error = ?2, retry_ms = ?3 "
		     "WHERE id = ?1", &st))
		return HW_ERR_STORAGE;
	sqlite3_bind_int64(st, 1, row_id);
	sqlite3_bind_text(st, 2, error, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, retry_at);
	return run(st);
}

int announce_store_counts(sqlite3 *db, int64_t *waiting, int64_t *failed)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if (prep(db, "SELECT COALESCE(SUM(state IN ('pending', 'sending')), 0), "
		     "COALESCE(SUM(state = 'failed'), 0) FROM announce_outbox", &st))
		return HW_ERR_STORAGE;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*waiting = sqlite3_column_int64(st, 0);
		*failed = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? HW_OK : HW_ERR_STORAGE;
}

int announce_store_next_due(sqlite3 *db, int64_t *due)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if (prep(db, "SELECT MIN(COALESCE(retry_ms, due_ms)) FROM announce_outbox "
		     "WHERE state = 'pending'", &st))
		return HW_ERR_STORAGE;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*due = sqlite3_column_type(st, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? HW_OK : HW_ERR_STORAGE;
}

int announce_store_recover(sqlite3 *db, int64_t now, int64_t catchup_ms, size_t *resent,
			   size_t *skipped)
{
	sqlite3_stmt *st = NULL;
	size_t a = 0, b = 0;
	int rc;

	if (announce_store_begin(db))
		return HW_ERR_STORAGE;
	/* Older than the window: skipped, with why. An unconfirmed send says
	 * so, since it may have reached Discord before the stop. */
	if ((rc = prep(db, "UPDATE announce_outbox SET "
			   "error = CASE state WHEN 'sending' THEN "
			   "'unconfirmed: the bot stopped while sending, and it is older than "
			   "the catch-up window' ELSE "
			   "'missed: due while the bot was down, older than the catch-up window' END, "
			   "state = 'skipped' "
			   "WHERE state IN ('pending', 'sending') AND due_ms < ?1", &st)))
		goto out;
	sqlite3_bind_int64(st, 1, now - catchup_ms);
	if ((rc = run(st)))
		goto out;
	b = (size_t)sqlite3_changes(db);
	if ((rc = prep(db, "UPDATE announce_outbox SET state = 'pending' WHERE state = 'sending'",
		       &st)))
		goto out;
	if ((rc = run(st)))
		goto out;
	a = (size_t)sqlite3_changes(db);
	rc = announce_store_commit(db);
out:
	if (rc != HW_OK) {
		announce_store_rollback(db);
		return rc;
	}
	if (resent)
		*resent = a;
	if (skipped)
		*skipped = b;
	return HW_OK;
}

int announce_store_peek(sqlite3 *db, int64_t item_id, int64_t *due_ms, size_t *pending,
			char *text, size_t textlen)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if (prep(db, "SELECT i.due_ms, i.text, (SELECT count(*) FROM announce_outbox o"
		     " WHERE o.item_id = i.id AND o.state = 'pending') FROM announce_items i"
		     " WHERE i.id = ?1", &st))
		return HW_ERR_STORAGE;
	sqlite3_bind_int64(st, 1, item_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 1);
		*due_ms = sqlite3_column_int64(st, 0);
		*pending = (size_t)sqlite3_column_int64(st, 2);
		hw_fmt(text, textlen, "%s", t ? t : "");
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? HW_OK : rc == SQLITE_DONE ? HW_ERR_NOT_FOUND : HW_ERR_STORAGE;
}

int announce_store_cancel(sqlite3 *db, int64_t item_id, const char *reason, size_t *pending,
			  int64_t *due_ms)
{
	sqlite3_stmt *st = NULL;
	int64_t due = 0;
	size_t n = 0;
	int rc;

	if (announce_store_begin(db))
		return HW_ERR_STORAGE;
	if ((rc = prep(db, "SELECT due_ms FROM announce_items WHERE id = ?1", &st)))
		goto out;
	sqlite3_bind_int64(st, 1, item_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		due = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW) {
		rc = rc == SQLITE_DONE ? HW_ERR_NOT_FOUND : HW_ERR_STORAGE;
		goto out;
	}
	if ((rc = prep(db, "UPDATE announce_outbox SET state = 'skipped', error = ?2 "
			   "WHERE item_id = ?1 AND state = 'pending'", &st)))
		goto out;
	sqlite3_bind_int64(st, 1, item_id);
	sqlite3_bind_text(st, 2, reason, -1, SQLITE_STATIC);
	if ((rc = run(st)))
		goto out;
	n = (size_t)sqlite3_changes(db);
	rc = announce_store_commit(db);
out:
	if (rc != HW_OK) {
		announce_store_rollback(db);
		return rc;
	}
	*pending = n;
	*due_ms = due;
	return HW_OK;
}

int announce_store_skip_talk(sqlite3 *db, const char *talk_id, const char *keep_key,
			     const char *reason, size_t *skipped)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if (prep(db, "UPDATE announce_outbox SET state = 'skipped', error = ?3 "
		     "WHERE state = 'pending' AND item_id IN (SELECT id FROM announce_items "
		     "WHERE kind = 'soon' AND talk_id = ?1 AND (?2 IS NULL OR talk_key <> ?2))",
		 &st))
		return HW_ERR_STORAGE;
	sqlite3_bind_text(st, 1, talk_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, keep_key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
	rc = run(st);
	if (rc == HW_OK && skipped)
		*skipped = (size_t)sqlite3_changes(db);
	return rc;
}

int announce_store_skip_same_slot(sqlite3 *db, const char *talk_id, const char *base_key,
				  const char *keep_key, const char *reason)
{
	sqlite3_stmt *st = NULL;
	if (prep(db, "UPDATE announce_outbox SET state = 'skipped', error = ?4 "
		     "WHERE state = 'pending' AND item_id IN (SELECT id FROM announce_items "
		     "WHERE kind = 'soon' AND talk_id = ?1 AND talk_key <> ?3 AND (talk_key = ?2 "
		     "OR substr(talk_key, 1, length(?2) + 2) = ?2 || '@m'))",
		 &st))
		return HW_ERR_STORAGE;
	sqlite3_bind_text(st, 1, talk_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, base_key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, keep_key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
	return run(st);
}

void announce_store_strings_free(char **s, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		free(s[i]);
	free(s);
}

int announce_store_soon_talks(sqlite3 *db, char ***ids, size_t *nids)
{
	sqlite3_stmt *st = NULL;
	char **v = NULL;
	size_t n = 0, cap = 0;
	int rc;

	if (prep(db, "SELECT DISTINCT i.talk_id FROM announce_items i JOIN announce_outbox o "
		     "ON o.item_id = i.id WHERE i.kind = 'soon' AND o.state = 'pending' "
		     "AND i.talk_id IS NOT NULL", &st))
		return HW_ERR_STORAGE;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			char **nv = realloc(v, ncap * sizeof(*nv));
			if (!nv) {
				rc = SQLITE_NOMEM;
				break;
			}
			v = nv;
			cap = ncap;
		}
		if (!(v[n] = col_dup(st, 0))) {
			rc = SQLITE_NOMEM;
			break;
		}
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		announce_store_strings_free(v, n);
		return rc == SQLITE_NOMEM ? HW_ERR_NOMEM : HW_ERR_STORAGE;
	}
	*ids = v;
	*nids = n;
	return HW_OK;
}

void announce_store_views_free(struct announce_view *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].text);
		free(v[i].created_by);
		free(v[i].message_id);
		free(v[i].error);
	}
	free(v);
}

/* Appends the rows of the items in ids (in that order) to a new array. */
static int views_of(sqlite3 *db, const int64_t *ids, size_t nids, int pending_only,
		    struct announce_view **out, size_t *nout)
{
	sqlite3_stmt *st = NULL;
	struct announce_view *v = NULL;
	size_t n = 0, cap = 0;
	int rc = HW_OK;

	if (prep(db, "SELECT o.item_id, i.due_ms, o.sent_ms, i.kind, o.state, o.late, "
		     "o.channel_id, i.text, i.created_by, o.message_id, o.error "
		     "FROM announce_outbox o JOIN announce_items i ON i.id = o.item_id "
		     "WHERE o.item_id = ?1 AND (?2 = 0 OR o.state = 'pending') ORDER BY o.id",
		 &st))
		return HW_ERR_STORAGE;
	for (size_t k = 0; k < nids && rc == HW_OK; k++) {
		int s;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, ids[k]);
		sqlite3_bind_int(st, 2, pending_only);
		while ((s = sqlite3_step(st)) == SQLITE_ROW) {
			struct announce_view *r;
			if (n == cap) {
				size_t ncap = cap ? cap * 2 : 32;
				struct announce_view *nv = realloc(v, ncap * sizeof(*nv));
				if (!nv) {
					rc = HW_ERR_NOMEM;
					break;
				}
				v = nv;
				cap = ncap;
			}
			r = &v[n++];
			memset(r, 0, sizeof(*r));
			r->item_id = sqlite3_column_int64(st, 0);
			r->due_ms = sqlite3_column_int64(st, 1);
			r->sent_ms = sqlite3_column_int64(st, 2);
			col_copy(st, 3, r->kind, sizeof(r->kind));
			col_copy(st, 4, r->state, sizeof(r->state));
			r->late = sqlite3_column_int(st, 5);
			col_copy(st, 6, r->channel_id, sizeof(r->channel_id));
			r->text = col_dup(st, 7);
			r->created_by = col_dup(st, 8);
			r->message_id = col_dup(st, 9);
			r->error = col_dup(st, 10);
			if (!r->text || !r->created_by) {
				rc = HW_ERR_NOMEM;
				break;
			}
		}
		if (rc == HW_OK && s != SQLITE_DONE)
			rc = HW_ERR_STORAGE;
	}
	sqlite3_finalize(st);
	if (rc != HW_OK) {
		announce_store_views_free(v, n);
		return rc;
	}
	*out = v;
	*nout = n;
	return HW_OK;
}

/* Collects up to max item ids from a query (bound by the caller) and counts
 * the rest. */
static int collect_ids(sqlite3_stmt *st, size_t max, int64_t **ids, size_t *n, size_t *more)
{
	int64_t *v = calloc(max ? max : 1, sizeof(*v));
	size_t k = 0, extra = 0;
	int rc;
	if (!v)
		return HW_ERR_NOMEM;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (k < max)
			v[k++] = sqlite3_column_int64(st, 0);
		else
			extra++;
	}
	if (rc != SQLITE_DONE) {
		free(v);
		return HW_ERR_STORAGE;
	}
	*ids = v;
	*n = k;
	*more = extra;
	return HW_OK;
}

int announce_store_audit(sqlite3 *db, int64_t now, int64_t since_ms, size_t max_items,
			 struct announce_view **rows, size_t *n, size_t *more)
{
	sqlite3_stmt *st = NULL;
	int64_t *ids = NULL;
	size_t nids = 0, extra = 0;
	int rc;

	if (prep(db, "SELECT i.id FROM announce_items i WHERE i.due_ms >= ?2 AND EXISTS "
		     "(SELECT 1 FROM announce_outbox o WHERE o.item_id = i.id AND "
		     "(o.due_ms <= ?1 OR o.state IN ('sent', 'failed', 'skipped'))) "
		     "ORDER BY i.due_ms DESC, i.id DESC", &st))
		return HW_ERR_STORAGE;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, since_ms);
	rc = collect_ids(st, max_items, &ids, &nids, &extra);
	sqlite3_finalize(st);
	if (rc)
		return rc;
	/* Shown oldest first: a log reads top to bottom. */
	for (size_t i = 0; i < nids / 2; i++) {
		int64_t t = ids[i];
		ids[i] = ids[nids - 1 - i];
		ids[nids - 1 - i] = t;
	}
	rc = views_of(db, ids, nids, 0, rows, n);
	free(ids);
	if (rc == HW_OK)
		*more = extra;
	return rc;
}

int announce_store_upcoming(sqlite3 *db, int soon_only, size_t max_items,
			    struct announce_view **rows, size_t *n, size_t *more)
{
	sqlite3_stmt *st = NULL;
	int64_t *ids = NULL;
	size_t nids = 0, extra = 0;
	int rc;

	if (prep(db, "SELECT i.id FROM announce_items i WHERE "
		     "(i.kind IN ('soon', 'change')) = ?1 AND EXISTS "
		     "(SELECT 1 FROM announce_outbox o WHERE o.item_id = i.id AND "
		     "o.state = 'pending') ORDER BY i.due_ms, i.id", &st))
		return HW_ERR_STORAGE;
	sqlite3_bind_int(st, 1, soon_only ? 1 : 0);
	rc = collect_ids(st, max_items, &ids, &nids, &extra);
	sqlite3_finalize(st);
	if (rc)
		return rc;
	rc = views_of(db, ids, nids, 1, rows, n);
	free(ids);
	if (rc == HW_OK)
		*more = extra;
	return rc;
}

int announce_store_plan(sqlite3 *db, int64_t from_ms, int64_t to_ms, size_t max,
			announce_plan_fn fn, void *ud)
{
	sqlite3_stmt *st = NULL;
	int rc = HW_OK, step;
	if (prep(db, "SELECT o.due_ms, i.kind, o.channel_id, i.text FROM announce_outbox o"
		     " JOIN announce_items i ON i.id = o.item_id"
		     " WHERE o.state = 'pending' AND o.due_ms >= ?1 AND o.due_ms < ?2"
		     " ORDER BY o.due_ms, o.id LIMIT ?3", &st))
		return HW_ERR_STORAGE;
	sqlite3_bind_int64(st, 1, from_ms);
	sqlite3_bind_int64(st, 2, to_ms);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)max);
	while (rc == HW_OK && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = fn(ud, sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
			(const char *)sqlite3_column_text(st, 2),
			(const char *)sqlite3_column_text(st, 3));
	if (rc == HW_OK && step != SQLITE_DONE)
		rc = HW_ERR_STORAGE;
	sqlite3_finalize(st);
	return rc;
}
