/* Stars and reminders in SQLite (see rec_store.h). */
#include "rec_store.h"

#include <stdlib.h>
#include <string.h>

#include "rec_index.h"

const char *const rec_store_migrations[] = {
	"CREATE TABLE recommend_stars("
	" user_id TEXT NOT NULL, talk_id TEXT NOT NULL, title TEXT NOT NULL, room TEXT,"
	" start INTEGER NOT NULL, end INTEGER NOT NULL, starred_at INTEGER NOT NULL,"
	" cancelled INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY(user_id, talk_id));"
	"CREATE INDEX recommend_stars_talk ON recommend_stars(talk_id);"
	"CREATE TABLE recommend_reminders("
	" user_id TEXT NOT NULL, talk_id TEXT NOT NULL, start_at INTEGER NOT NULL,"
	" due_at INTEGER NOT NULL,"
	" state TEXT NOT NULL CHECK(state IN ('pending','sending','sent','skipped')),"
	" reason TEXT,"
	" PRIMARY KEY(user_id, talk_id, start_at));"
	"CREATE INDEX recommend_reminders_due ON recommend_reminders(state, due_at);",
	/* 2: talks ticked off as watched (rec_watch.c). */
	"CREATE TABLE recommend_watched("
	" user_id TEXT NOT NULL, talk_id TEXT NOT NULL, watched_at INTEGER NOT NULL,"
	" PRIMARY KEY(user_id, talk_id));",
};
const size_t rec_store_nmigrations = sizeof(rec_store_migrations) / sizeof(*rec_store_migrations);

static int exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? REC_OK : REC_ERR_STORAGE;
}

static int begin(sqlite3 *db)
{
	return exec(db, "BEGIN IMMEDIATE");
}

static int finish(sqlite3 *db, int ret)
{
	if (ret == REC_OK && exec(db, "COMMIT") == REC_OK)
		return REC_OK;
	/* SQLite may have rolled back already (SQLITE_FULL, IOERR, BUSY,
	 * NOMEM): a ROLLBACK then fails too, and its "no transaction is
	 * active" would replace the reason the caller logs. */
	if (!sqlite3_get_autocommit(db))
		exec(db, "ROLLBACK");
	return ret ? ret : REC_ERR_STORAGE;
}

/* Prepares sql; binds args by a tiny format: s = text, i = int64. */
static sqlite3_stmt *prep(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* Runs a statement that returns no rows; *changes if not NULL. */
static int run(sqlite3_stmt *st, sqlite3 *db, int *changes)
{
	int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
	if (changes)
		*changes = rc == SQLITE_DONE ? sqlite3_changes(db) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? REC_OK : REC_ERR_STORAGE;
}

static char *col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	return s ? strdup((const char *)s) : NULL;
}

int rec_store_star(sqlite3 *db, const char *user, const struct rec_star *s, int64_t due_at,
		   int *added)
{
	sqlite3_stmt *st;
	int ret = begin(db), n = 0;

	if (ret)
		return ret;
	st = prep(db, "INSERT INTO recommend_stars(user_id, talk_id, title, room, start, end,"
		      " starred_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
		      " ON CONFLICT(user_id, talk_id) DO NOTHING");
	if (st) {
		bind_text(st, 1, user);
		bind_text(st, 2, s->talk_id);
		bind_text(st, 3, s->title);
		bind_text(st, 4, s->room);
		sqlite3_bind_int64(st, 5, s->start);
		sqlite3_bind_int64(st, 6, s->end);
		sqlite3_bind_int64(st, 7, s->starred_at);
	}
	ret = run(st, db, &n);
	if (!ret) {
		/* A reminder skipped by an earlier unstar comes back; one already
		 * sent stays sent. */
		st = prep(db, "INSERT INTO recommend_reminders(user_id, talk_id, start_at, due_at,"
			      " state) VALUES (?1, ?2, ?3, ?4, 'pending')"
			      " ON CONFLICT(user_id, talk_id, start_at) DO UPDATE SET"
			      " state = 'pending', reason = NULL, due_at = excluded.due_at"
			      " WHERE state = 'skipped' AND reason = 'unstarred'");
		if (st) {
			bind_text(st, 1, user);
			bind_text(st, 2, s->talk_id);
			sqlite3_bind_int64(st, 3, s->start);
			sqlite3_bind_int64(st, 4, due_at);
		}
		ret = run(st, db, NULL);
	}
	ret = finish(db, ret);
	if (!ret)
		*added = n > 0;
	return ret;
}

int rec_store_unstar(sqlite3 *db, const char *user, const char *talk_id, int *removed)
{
	sqlite3_stmt *st;
	int ret = begin(db), n = 0;

	if (ret)
		return ret;
	st = prep(db, "DELETE FROM recommend_stars WHERE user_id = ?1 AND talk_id = ?2");
	if (st) {
		bind_text(st, 1, user);
		bind_text(st, 2, talk_id);
	}
	ret = run(st, db, &n);
	if (!ret) {
		st = prep(db, "UPDATE recommend_reminders SET state = 'skipped', reason = 'unstarred'"
			      " WHERE user_id = ?1 AND talk_id = ?2 AND state IN ('pending','sending')");
		if (st) {
			bind_text(st, 1, user);
			bind_text(st, 2, talk_id);
		}
		ret = run(st, db, NULL);
	}
	ret = finish(db, ret);
	if (!ret)
		*removed = n > 0;
	return ret;
}

void rec_store_stars_free(struct rec_star *s, size_t n)
{
	for (size_t i = 0; s && i < n; i++) {
		free(s[i].talk_id);
		free(s[i].title);
		free(s[i].room);
	}
	free(s);
}

int rec_store_stars(sqlite3 *db, const char *user, struct rec_star **out, size_t *n)
{
	sqlite3_stmt *st = prep(db, "SELECT talk_id, title, room, start, end, starred_at,"
				    " cancelled FROM recommend_stars WHERE user_id = ?1"
				    " ORDER BY start, end, title");
	struct rec_star *v = NULL, *t;
	size_t cnt = 0;
	int rc;

	if (!st)
		return REC_ERR_STORAGE;
	bind_text(st, 1, user);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!(t = realloc(v, (cnt + 1) * sizeof(*v))))
			break;
		v = t;
		t = &v[cnt++];
		memset(t, 0, sizeof(*t));
		t->talk_id = col_dup(st, 0);
		t->title = col_dup(st, 1);
		t->room = col_dup(st, 2);
		t->start = sqlite3_column_int64(st, 3);
		t->end = sqlite3_column_int64(st, 4);
		t->starred_at = sqlite3_column_int64(st, 5);
		t->cancelled = sqlite3_column_int(st, 6);
		if (!t->talk_id || !t->title) {
			rc = SQLITE_NOMEM;
			break;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		rec_store_stars_free(v, cnt);
		return rc == SQLITE_NOMEM || rc == SQLITE_ROW ? REC_ERR_NOMEM : REC_ERR_STORAGE;
	}
	*out = v;
	*n = cnt;
	return REC_OK;
}

void rec_store_strv_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

int rec_store_starrers(sqlite3 *db, const char *talk_id, char ***users, size_t *n)
{
	sqlite3_stmt *st = prep(db, "SELECT user_id FROM recommend_stars WHERE talk_id = ?1"
				    " ORDER BY user_id");
	char **v = NULL, **t;
	size_t cnt = 0;
	int rc;

	if (!st)
		return REC_ERR_STORAGE;
	bind_text(st, 1, talk_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!(t = realloc(v, (cnt + 1) * sizeof(*v))))
			break;
		v = t;
		if (!(v[cnt] = col_dup(st, 0)))
			break;
		cnt++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		rec_store_strv_free(v, cnt);
		return rc == SQLITE_ROW ? REC_ERR_NOMEM : REC_ERR_STORAGE;
	}
	*users = v;
	*n = cnt;
	return REC_OK;
}

int rec_store_move(sqlite3 *db, const char *talk_id, int64_t start, const char *room,
		   int64_t lead_s)
{
	sqlite3_stmt *st;
	int ret = begin(db);

	if (ret)
		return ret;
	/* The talk keeps its length: the right-hand sides read old values. */
	st = prep(db, "UPDATE recommend_stars SET start = ?2, end = ?2 + (end - start),"
		      " room = ?3, cancelled = 0 WHERE talk_id = ?1");
	if (st) {
		bind_text(st, 1, talk_id);
		sqlite3_bind_int64(st, 2, start);
		bind_text(st, 3, room);
	}
	ret = run(st, db, NULL);
	if (!ret) {
		st = prep(db, "UPDATE recommend_reminders SET state = 'skipped', reason = 'moved'"
			      " WHERE talk_id = ?1 AND start_at != ?2"
			      " AND state IN ('pending','sending')");
		if (st) {
			bind_text(st, 1, talk_id);
			sqlite3_bind_int64(st, 2, start);
		}
		ret = run(st, db, NULL);
	}
	if (!ret) {
		st = prep(db, "INSERT INTO recommend_reminders(user_id, talk_id, start_at, due_at,"
			      " state) SELECT user_id, talk_id, ?2, ?3, 'pending'"
			      " FROM recommend_stars WHERE talk_id = ?1"
			      " ON CONFLICT(user_id, talk_id, start_at) DO UPDATE SET"
			      " state = 'pending', reason = NULL"
			      " WHERE state = 'skipped' AND reason IN ('moved', 'cancelled')");
		if (st) {
			bind_text(st, 1, talk_id);
			sqlite3_bind_int64(st, 2, start);
			sqlite3_bind_int64(st, 3, start - lead_s);
		}
		ret = run(st, db, NULL);
	}
	return finish(db, ret);
}

int rec_store_cancel(sqlite3 *db, const char *talk_id, const char *reason)
{
	sqlite3_stmt *st;
	int ret = begin(db);

	if (ret)
		return ret;
	st = prep(db, "UPDATE recommend_stars SET cancelled = 1 WHERE talk_id = ?1");
	if (st)
		bind_text(st, 1, talk_id);
	ret = run(st, db, NULL);
	if (!ret) {
		st = prep(db, "UPDATE recommend_reminders SET state = 'skipped', reason = ?2"
			      " WHERE talk_id = ?1 AND state IN ('pending','sending')");
		if (st) {
			bind_text(st, 1, talk_id);
			bind_text(st, 2, reason);
		}
		ret = run(st, db, NULL);
	}
	return finish(db, ret);
}

int rec_store_recover(sqlite3 *db, int64_t now, size_t *skipped)
{
	sqlite3_stmt *st;
	int ret = begin(db), n = 0;

	if (ret)
		return ret;
	ret = exec(db, "UPDATE recommend_reminders SET state = 'pending' WHERE state = 'sending'");
	if (!ret) {
		st = prep(db, "UPDATE recommend_reminders SET state = 'skipped', reason = 'late'"
			      " WHERE state = 'pending' AND start_at <= ?1");
		if (st)
			sqlite3_bind_int64(st, 1, now);
		ret = run(st, db, &n);
	}
	ret = finish(db, ret);
	if (!ret)
		*skipped = (size_t)n;
	return ret;
}

int rec_store_skip_started(sqlite3 *db, int64_t now)
{
	sqlite3_stmt *st = prep(db, "UPDATE recommend_reminders SET state = 'skipped',"
				    " reason = 'late' WHERE state = 'pending' AND start_at <= ?1");
	if (st)
		sqlite3_bind_int64(st, 1, now);
	return run(st, db, NULL);
}

void rec_store_reminders_free(struct rec_reminder *r, size_t n)
{
	for (size_t i = 0; r && i < n; i++) {
		free(r[i].user_id);
		free(r[i].talk_id);
		free(r[i].title);
		free(r[i].room);
	}
	free(r);
}

int rec_store_due(sqlite3 *db, int64_t now, size_t max, struct rec_reminder **out,
		  size_t *n)
{
	sqlite3_stmt *st = prep(db, "SELECT r.user_id, r.talk_id, r.start_at, r.due_at, s.title,"
				    " s.room FROM recommend_reminders r JOIN recommend_stars s"
				    " ON s.user_id = r.user_id AND s.talk_id = r.talk_id"
				    " WHERE r.state = 'pending' AND r.due_at <= ?1"
				    " AND r.start_at > ?1 ORDER BY r.due_at LIMIT ?2");
	struct rec_reminder *v = NULL, *t;
	size_t cnt = 0;
	int rc;

	if (!st)
		return REC_ERR_STORAGE;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!(t = realloc(v, (cnt + 1) * sizeof(*v))))
			break;
		v = t;
		t = &v[cnt++];
		memset(t, 0, sizeof(*t));
		t->user_id = col_dup(st, 0);
		t->talk_id = col_dup(st, 1);
		t->start_at = sqlite3_column_int64(st, 2);
		t->due_at = sqlite3_column_int64(st, 3);
		t->title = col_dup(st, 4);
		t->room = col_dup(st, 5);
		if (!t->user_id || !t->talk_id || !t->title)
			break;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		rec_store_reminders_free(v, cnt);
		return rc == SQLITE_ROW ? REC_ERR_NOMEM : REC_ERR_STORAGE;
	}
	*out = v;
	*n = cnt;
	return REC_OK;
}

int rec_store_next_due(sqlite3 *db, int64_t *due, int *found)
{
	sqlite3_stmt *st = prep(db, "SELECT MIN(due_at) FROM recommend_reminders"
				    " WHERE state = 'pending'");
	int rc;

	if (!st)
		return REC_ERR_STORAGE;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*found = sqlite3_column_type(st, 0) != SQLITE_NULL;
		*due = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? REC_OK : REC_ERR_STORAGE;
}

int rec_store_mark(sqlite3 *db, const char *user, const char *talk_id, int64_t start_at,
		   const char *from, const char *state, const char *reason, int *changed)
{
	sqlite3_stmt *st = prep(db, "UPDATE recommend_reminders SET state = ?4, reason = ?5"
				    " WHERE user_id = ?1 AND talk_id = ?2 AND start_at = ?3"
				    " AND state = ?6");
	int n = 0, ret;

	if (st) {
		bind_text(st, 1, user);
		bind_text(st, 2, talk_id);
		sqlite3_bind_int64(st, 3, start_at);
		bind_text(st, 4, state);
		bind_text(st, 5, reason);
		bind_text(st, 6, from);
	}
	ret = run(st, db, &n);
	if (!ret && changed)
		*changed = n > 0;
	return ret;
}

int rec_store_plan(sqlite3 *db, int64_t from, int64_t to, size_t max, rec_plan_fn fn, void *ud)
{
	sqlite3_stmt *st = prep(db, "SELECT r.due_at, MIN(s.title), COUNT(*) FROM"
				    " recommend_reminders r JOIN recommend_stars s"
				    " ON s.user_id = r.user_id AND s.talk_id = r.talk_id"
				    " WHERE r.state = 'pending' AND r.due_at >= ?1 AND r.due_at < ?2"
				    " GROUP BY r.talk_id, r.start_at, r.due_at ORDER BY r.due_at LIMIT ?3");
	int rc = REC_OK, step;
	if (!st)
		return REC_ERR_STORAGE;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)max);
	while (rc == REC_OK && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = fn(ud, sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
			sqlite3_column_int64(st, 2));
	if (rc == REC_OK && step != SQLITE_DONE)
		rc = REC_ERR_STORAGE;
	sqlite3_finalize(st);
	return rc;
}
