/*
 * SQLite engine of the storage API (see store_sqlite.h, store.h).
 *
 * Statements are cached per session by their SQL text: the plugin API
 * promises that preparing the same text again gives the same statement
 * (reset, bindings cleared), so a body never pays for parsing twice. The
 * cache is bounded; the least recently used statement not in use by the
 * running transaction goes first.
 */
#include "store_sqlite.h"

#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct sq_stmt {
	struct hw_stmt base; /* first: the plugin's handle, the cache entry */
	sqlite3_stmt *s;
};

struct store_sqlite {
	sqlite3 *db;
	struct store_cache cache;
	_Atomic int *held; /* see store_sqlite_count_lock; may be NULL */
};

struct sq_tx {
	struct hw_tx base; /* first */
	struct store_sqlite *s;
};

/* Our status for an SQLite result code (extended codes are on). */
static int status_of(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_CONSTRAINT:
		return rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY
			       ? HW_ERR_CONFLICT
			       : HW_ERR_INVALID;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
		return HW_ERR_UNAVAILABLE;
	case SQLITE_AUTH:
		return HW_ERR_DENIED;
	default:
		return HW_ERR_STORAGE;
	}
}

static void stmt_free(struct sq_stmt *st)
{
	sqlite3_finalize(st->s);
	free(st->base.sql);
	free(st);
}

static void cache_reset(struct hw_stmt *h, void *arg)
{
	struct sq_stmt *st = (struct sq_stmt *)h;
	(void)arg;
	sqlite3_reset(st->s);
	sqlite3_clear_bindings(st->s);
}

static void cache_drop(struct hw_stmt *h, void *arg)
{
	(void)arg;
	stmt_free((struct sq_stmt *)h);
}

static hw_stmt *sq_prepare(hw_tx *tx, const char *sql)
{
	struct store_sqlite *s = ((struct sq_tx *)tx)->s;
	struct sq_stmt *st = NULL;
	const char *tail = NULL;
	int rc;

	if ((st = (struct sq_stmt *)store_cache_take(&s->cache, sql))) {
		store_cache_put(&s->cache, &st->base, tx, 0);
		return &st->base;
	}
	store_cache_trim(&s->cache);
	st = calloc(1, sizeof(*st));
	if (!st || !(st->base.sql = strdup(sql))) {
		free(st);
		store_tx_fail(tx, HW_ERR_NOMEM, "prepare: out of memory");
		return NULL;
	}
	rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->s, &tail);
	if (rc != SQLITE_OK || !st->s || *store_sql_skip(tail ? tail : "")) {
		store_tx_fail(tx, rc == SQLITE_OK ? HW_ERR_INVALID : status_of(rc),
			      "prepare \"%.120s\": %s", sql,
			      rc != SQLITE_OK ? sqlite3_errmsg(s->db)
			      : st->s	      ? "one statement per text"
					      : "no statement in the text");
		stmt_free(st);
		return NULL;
	}
	store_cache_put(&s->cache, &st->base, tx, 1);
	return &st->base;
}

static int sq_bind_text(hw_stmt *h, int idx, const char *value)
{
	struct sq_stmt *st = (struct sq_stmt *)h;
	int rc = value ? sqlite3_bind_text(st->s, idx, value, -1, SQLITE_TRANSIENT)
		       : sqlite3_bind_null(st->s, idx);
	if (rc != SQLITE_OK)
		return store_tx_fail(h->tx, rc == SQLITE_RANGE ? HW_ERR_INVALID : status_of(rc),
				     "bind %d of \"%.120s\": %s", idx, st->base.sql, sqlite3_errstr(rc));
	return HW_OK;
}

static int sq_bind_int(hw_stmt *h, int idx, int64_t value)
{
	struct sq_stmt *st = (struct sq_stmt *)h;
	int rc = sqlite3_bind_int64(st->s, idx, value);
	if (rc != SQLITE_OK)
		return store_tx_fail(h->tx, rc == SQLITE_RANGE ? HW_ERR_INVALID : status_of(rc),
				     "bind %d of \"%.120s\": %s", idx, st->base.sql, sqlite3_errstr(rc));
	return HW_OK;
}

static int sq_step(hw_stmt *h)
{
	struct sq_stmt *st = (struct sq_stmt *)h;
	struct store_sqlite *s = ((struct sq_tx *)h->tx)->s;
	int rc = sqlite3_step(st->s);

	if (rc == SQLITE_ROW)
		return HW_ROW;
	if (rc == SQLITE_DONE) {
		h->tx->changes = sqlite3_changes64(s->db);
		return HW_DONE;
	}
	return store_tx_fail(h->tx, status_of(sqlite3_extended_errcode(s->db)), "\"%.120s\": %s",
			     st->base.sql, sqlite3_errmsg(s->db));
}

static int64_t sq_col_int(hw_stmt *h, int col)
{
	return sqlite3_column_int64(((struct sq_stmt *)h)->s, col);
}

static const char *sq_col_text(hw_stmt *h, int col)
{
	return (const char *)sqlite3_column_text(((struct sq_stmt *)h)->s, col);
}

static int sq_col_is_null(hw_stmt *h, int col)
{
	return sqlite3_column_type(((struct sq_stmt *)h)->s, col) == SQLITE_NULL;
}

static const struct store_tx_ops sq_ops = {
	sq_prepare, sq_bind_text, sq_bind_int, sq_step, sq_col_int, sq_col_text, sq_col_is_null,
};

struct store_sqlite *store_sqlite_new(sqlite3 *db)
{
	struct store_sqlite *s;

	if (!db)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (s) {
		s->db = db;
		s->cache.reset = cache_reset;
		s->cache.drop = cache_drop;
	}
	return s;
}

void store_sqlite_free(struct store_sqlite *s)
{
	if (!s)
		return;
	store_cache_clear(&s->cache);
	free(s);
}

int store_sqlite_run(void *session, const char *handled, hw_tx_fn body, hw_plugin *self,
		     void *ud, char *err, size_t errlen)
{
	(void)handled; /* no lease on SQLite: nobody takes over */
	struct store_sqlite *s = session;
	struct sq_tx tx = {{&sq_ops, HW_OK, 0, ""}, s};
	int rc;

	if (!s || !body) {
		if (err && errlen)
			snprintf(err, errlen, "no session or no body");
		return HW_ERR_INVALID;
	}
	rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		rc = sqlite3_extended_errcode(s->db);
		if (err && errlen)
			snprintf(err, errlen, "begin: %s", sqlite3_errmsg(s->db));
		return status_of(rc) == HW_ERR_UNAVAILABLE ? HW_ERR_UNAVAILABLE : HW_ERR_STORAGE;
	}
	if (s->held)
		atomic_fetch_add(s->held, 1);
	rc = body(self, &tx.base, ud);
	store_cache_release(&s->cache);
	if (rc == HW_OK)
		rc = tx.base.status;
	if (rc == HW_OK) {
		if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
			int code = sqlite3_extended_errcode(s->db);
			store_tx_fail(&tx.base, status_of(code) == HW_ERR_UNAVAILABLE
							 ? HW_ERR_UNAVAILABLE
							 : HW_ERR_STORAGE,
				      "commit: %s", sqlite3_errmsg(s->db));
			rc = tx.base.status;
		}
	}
	if (rc != HW_OK) {
		if (!sqlite3_get_autocommit(s->db))
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		if (err && errlen)
			snprintf(err, errlen, "%s", tx.base.err[0] ? tx.base.err : "the body failed");
	}
	if (s->held)
		atomic_fetch_sub(s->held, 1);
	return rc;
}

void store_sqlite_count_lock(struct store_sqlite *s, _Atomic int *held)
{
	if (s)
		s->held = held;
}
