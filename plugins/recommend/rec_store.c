/* Stars and reminders through db_run, one dialect for both engines (see
 * rec_store.h). Placeholders are `?` in order; a value used twice is bound
 * twice. "end" is quoted: PostgreSQL reserves the word. */
#include "rec_store.h"

#include <stdlib.h>
#include <string.h>

#include <hallway/stmt.h>

/* The schema as SQLite databases have had it since the plugin was written
 * (INTEGER columns); changing a migration's text would not change a
 * database that has it, so these stay as the plugin's 1.1 build wrote them
 * (through api->db, the raw SQLite handle ABI 2.0 removed). */
static const char *const migrations_sqlite[] = {
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

/* The same on PostgreSQL: Unix seconds in BIGINT. */
static const char *const migrations_pg[] = {
	"CREATE TABLE recommend_stars("
	" user_id TEXT NOT NULL, talk_id TEXT NOT NULL, title TEXT NOT NULL, room TEXT,"
	" start BIGINT NOT NULL, \"end\" BIGINT NOT NULL, starred_at BIGINT NOT NULL,"
	" cancelled INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY(user_id, talk_id));"
	"CREATE INDEX recommend_stars_talk ON recommend_stars(talk_id);"
	"CREATE TABLE recommend_reminders("
	" user_id TEXT NOT NULL, talk_id TEXT NOT NULL, start_at BIGINT NOT NULL,"
	" due_at BIGINT NOT NULL,"
	" state TEXT NOT NULL CHECK(state IN ('pending','sending','sent','skipped')),"
	" reason TEXT,"
	" PRIMARY KEY(user_id, talk_id, start_at));"
	"CREATE INDEX recommend_reminders_due ON recommend_reminders(state, due_at);",
	/* 2: talks ticked off as watched (rec_watch.c). */
	"CREATE TABLE recommend_watched("
	" user_id TEXT NOT NULL, talk_id TEXT NOT NULL, watched_at BIGINT NOT NULL,"
	" PRIMARY KEY(user_id, talk_id));",
};

const char *const *rec_store_migrations(const hw_api *api, hw_plugin *self, size_t *n)
{
	int pg = api->db_engine && !strcmp(api->db_engine(self), "postgresql");
	*n = pg ? sizeof(migrations_pg) / sizeof(*migrations_pg)
		: sizeof(migrations_sqlite) / sizeof(*migrations_sqlite);
	return pg ? migrations_pg : migrations_sqlite;
}

/* Steps a statement to its end: HW_OK or its error. */
static int run(const hw_api *api, hw_stmt *st)
{
	int rc;
	if (!st)
		return HW_ERR_STORAGE;
	while ((rc = api->db_step(st)) == HW_ROW)
		;
	return rc == HW_DONE ? HW_OK : rc < 0 ? rc : HW_ERR_STORAGE;
}

static char *col_dup(const hw_api *api, hw_stmt *st, int i)
{
	const char *s = api->db_col_text(st, i);
	return s ? strdup(s) : NULL;
}

int rec_store_star(const hw_api *api, hw_tx *tx, const char *user, const struct rec_star *s,
		   int64_t due_at, int *added)
{
	int rc;
	int64_t n;

	rc = run(api, hw_sql(api, tx,
			     "INSERT INTO recommend_stars(user_id, talk_id, title, room, start,"
			     " \"end\", starred_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
			     " ON CONFLICT(user_id, talk_id) DO NOTHING",
			     "ttttiii", user, s->talk_id, s->title, s->room, s->start, s->end,
			     s->starred_at));
	if (rc)
		return rc;
	n = api->db_changes(tx);
	/* A reminder skipped by an earlier unstar comes back; one already sent
	 * stays sent. */
	rc = run(api, hw_sql(api, tx,
			     "INSERT INTO recommend_reminders(user_id, talk_id, start_at, due_at,"
			     " state) VALUES (?, ?, ?, ?, 'pending')"
			     " ON CONFLICT(user_id, talk_id, start_at) DO UPDATE SET"
			     " state = 'pending', reason = NULL, due_at = excluded.due_at"
			     " WHERE recommend_reminders.state = 'skipped'"
			     " AND recommend_reminders.reason = 'unstarred'",
			     "ttii", user, s->talk_id, s->start, due_at));
	if (!rc)
		*added = n > 0;
	return rc;
}

int rec_store_unstar(const hw_api *api, hw_tx *tx, const char *user, const char *talk_id,
		     int *removed)
{
	int rc;
	int64_t n;

	rc = run(api, hw_sql(api, tx,
			     "DELETE FROM recommend_stars WHERE user_id = ? AND talk_id = ?", "tt",
			     user, talk_id));
	if (rc)
		return rc;
	n = api->db_changes(tx);
	rc = run(api, hw_sql(api, tx,
			     "UPDATE recommend_reminders SET state = 'skipped', reason = 'unstarred'"
			     " WHERE user_id = ? AND talk_id = ? AND state IN ('pending','sending')",
			     "tt", user, talk_id));
	if (!rc)
		*removed = n > 0;
	return rc;
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

static int star_fill(const hw_api *api, hw_stmt *st, void *row)
{
	struct rec_star *t = row;

	t->talk_id = col_dup(api, st, 0);
	t->title = col_dup(api, st, 1);
	t->room = col_dup(api, st, 2);
	t->start = api->db_col_int(st, 3);
	t->end = api->db_col_int(st, 4);
	t->starred_at = api->db_col_int(st, 5);
	t->cancelled = api->db_col_int(st, 6) != 0;
	return t->talk_id && t->title ? HW_OK : HW_ERR_NOMEM;
}

static void stars_free(void *rows, size_t n)
{
	rec_store_stars_free(rows, n);
}

int rec_store_stars(const hw_api *api, hw_tx *tx, const char *user, struct rec_star **out,
		    size_t *n)
{
	hw_stmt *st = hw_sql(api, tx,
			     "SELECT talk_id, title, room, start, \"end\", starred_at, cancelled"
			     " FROM recommend_stars WHERE user_id = ? ORDER BY start, \"end\", title",
			     "t", user);
	return hw_sql_rows(api, st, sizeof(**out), star_fill, stars_free, (void **)out, n);
}

void rec_store_strv_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

static int user_fill(const hw_api *api, hw_stmt *st, void *row)
{
	return (*(char **)row = col_dup(api, st, 0)) ? HW_OK : HW_ERR_NOMEM;
}

static void strv_free(void *rows, size_t n)
{
	rec_store_strv_free(rows, n);
}

int rec_store_starrers(const hw_api *api, hw_tx *tx, const char *talk_id, char ***users,
		       size_t *n)
{
	hw_stmt *st = hw_sql(api, tx,
			     "SELECT user_id FROM recommend_stars WHERE talk_id = ? ORDER BY user_id",
			     "t", talk_id);
	return hw_sql_rows(api, st, sizeof(**users), user_fill, strv_free, (void **)users, n);
}

int rec_store_move(const hw_api *api, hw_tx *tx, const char *talk_id, int64_t start,
		   const char *room, int64_t lead_s)
{
	int rc;

	/* The talk keeps its length: the right-hand sides read old values. */
	rc = run(api, hw_sql(api, tx,
			     "UPDATE recommend_stars SET start = ?, \"end\" = ? + (\"end\" - start),"
			     " room = ?, cancelled = 0 WHERE talk_id = ?",
			     "iitt", start, start, room, talk_id));
	if (!rc)
		rc = run(api, hw_sql(api, tx,
				     "UPDATE recommend_reminders SET state = 'skipped', reason = 'moved'"
				     " WHERE talk_id = ? AND start_at != ?"
				     " AND state IN ('pending','sending')",
				     "ti", talk_id, start));
	/* CAST: PostgreSQL cannot tell a bare parameter's type in a SELECT list. */
	if (!rc)
		rc = run(api, hw_sql(api, tx,
				     "INSERT INTO recommend_reminders(user_id, talk_id, start_at, due_at,"
				     " state) SELECT user_id, talk_id, CAST(? AS BIGINT),"
				     " CAST(? AS BIGINT), 'pending' FROM recommend_stars WHERE talk_id = ?"
				     " ON CONFLICT(user_id, talk_id, start_at) DO UPDATE SET"
				     " state = 'pending', reason = NULL"
				     " WHERE recommend_reminders.state = 'skipped'"
				     " AND recommend_reminders.reason IN ('moved', 'cancelled')",
				     "iit", start, start - lead_s, talk_id));
	return rc;
}

int rec_store_cancel(const hw_api *api, hw_tx *tx, const char *talk_id, const char *reason)
{
	int rc = run(api, hw_sql(api, tx,
				 "UPDATE recommend_stars SET cancelled = 1 WHERE talk_id = ?", "t",
				 talk_id));
	if (!rc)
		rc = run(api, hw_sql(api, tx,
				     "UPDATE recommend_reminders SET state = 'skipped', reason = ?"
				     " WHERE talk_id = ? AND state IN ('pending','sending')",
				     "tt", reason, talk_id));
	return rc;
}

int rec_store_recover(const hw_api *api, hw_tx *tx, int64_t now, size_t *skipped)
{
	int rc = run(api, hw_sql(api, tx,
				 "UPDATE recommend_reminders SET state = 'pending'"
				 " WHERE state = 'sending'", NULL));
	if (!rc)
		rc = run(api, hw_sql(api, tx,
				     "UPDATE recommend_reminders SET state = 'skipped', reason = 'late'"
				     " WHERE state = 'pending' AND start_at <= ?",
				     "i", now));
	if (!rc)
		*skipped = (size_t)api->db_changes(tx);
	return rc;
}


static int reminder_fill(const hw_api *api, hw_stmt *st, void *row)
{
	struct rec_reminder *t = row;

	t->user_id = col_dup(api, st, 0);
	t->talk_id = col_dup(api, st, 1);
	t->start_at = api->db_col_int(st, 2);
	t->due_at = api->db_col_int(st, 3);
	t->title = col_dup(api, st, 4);
	t->room = col_dup(api, st, 5);
	return t->user_id && t->talk_id && t->title ? HW_OK : HW_ERR_NOMEM;
}

static void reminders_free(void *rows, size_t n)
{
	rec_store_reminders_free(rows, n);
}

/* The reminders due by now (not claimed yet) into *out. */
static int due_rows(const hw_api *api, hw_tx *tx, int64_t now, size_t max,
		    struct rec_reminder **out, size_t *n)
{
	hw_stmt *st = hw_sql(api, tx,
			     "SELECT r.user_id, r.talk_id, r.start_at, r.due_at, s.title, s.room"
			     " FROM recommend_reminders r JOIN recommend_stars s"
			     " ON s.user_id = r.user_id AND s.talk_id = r.talk_id"
			     " WHERE r.state = 'pending' AND r.due_at <= ? AND r.start_at > ?"
			     " ORDER BY r.due_at, r.user_id, r.talk_id LIMIT ?",
			     "iii", now, now, (int64_t)max);
	return hw_sql_rows(api, st, sizeof(**out), reminder_fill, reminders_free, (void **)out, n);
}

/* Frees one row's strings. */
static void reminder_clear(struct rec_reminder *r)
{
	free(r->user_id);
	free(r->talk_id);
	free(r->title);
	free(r->room);
	memset(r, 0, sizeof(*r));
}

void rec_store_reminders_free(struct rec_reminder *r, size_t n)
{
	for (size_t i = 0; r && i < n; i++)
		reminder_clear(&r[i]);
	free(r);
}

int rec_store_claim_due(const hw_api *api, hw_tx *tx, int64_t now, size_t max,
			struct rec_reminder **out, size_t *n)
{
	struct rec_reminder *v = NULL;
	size_t cnt = 0, k = 0;
	int rc;

	/* A check that comes after the talk started (the clock jumped, the loop
	 * stalled) skips rather than sends late. */
	rc = run(api, hw_sql(api, tx,
			     "UPDATE recommend_reminders SET state = 'skipped', reason = 'late'"
			     " WHERE state = 'pending' AND start_at <= ?",
			     "i", now));
	if (rc || (rc = due_rows(api, tx, now, max, &v, &cnt)))
		return rc;
	/* Kept rows move down to v[0..k) (k <= i: a move never overwrites a
	 * row not looked at yet); the others are freed where they are. */
	for (size_t i = 0; i < cnt; i++) {
		int changed = 0;
		if (!rc)
			rc = rec_store_mark(api, tx, v[i].user_id, v[i].talk_id, v[i].start_at,
					    "pending", "sending", NULL, &changed);
		if (!rc && changed) {
			v[k++] = v[i];
			continue;
		}
		/* Not claimed: the unit failed, or another daemon claimed it
		 * between the read and the update. */
		reminder_clear(&v[i]);
	}
	if (rc) {
		rec_store_reminders_free(v, k);
		return rc;
	}
	*out = v;
	*n = k;
	return HW_OK;
}

void rec_store_plan_free(struct rec_plan_row *r, size_t n)
{
	for (size_t i = 0; r && i < n; i++)
		free(r[i].title);
	free(r);
}

static int plan_fill(const hw_api *api, hw_stmt *st, void *row)
{
	struct rec_plan_row *t = row;

	t->due_at = api->db_col_int(st, 0);
	t->count = api->db_col_int(st, 2);
	return (t->title = col_dup(api, st, 1)) ? HW_OK : HW_ERR_NOMEM;
}

static void plan_free(void *rows, size_t n)
{
	rec_store_plan_free(rows, n);
}

int rec_store_plan(const hw_api *api, hw_tx *tx, int64_t from, int64_t to, size_t max,
		   struct rec_plan_row **out, size_t *n)
{
	hw_stmt *st = hw_sql(api, tx,
			     "SELECT r.due_at, MIN(s.title), COUNT(*) FROM"
			     " recommend_reminders r JOIN recommend_stars s"
			     " ON s.user_id = r.user_id AND s.talk_id = r.talk_id"
			     " WHERE r.state = 'pending' AND r.due_at >= ? AND r.due_at < ?"
			     " GROUP BY r.talk_id, r.start_at, r.due_at ORDER BY r.due_at LIMIT ?",
			     "iii", from, to, (int64_t)max);
	return hw_sql_rows(api, st, sizeof(**out), plan_fill, plan_free, (void **)out, n);
}

int rec_store_next_due(const hw_api *api, hw_tx *tx, int64_t *due, int *found)
{
	hw_stmt *st = hw_sql(api, tx,
			     "SELECT MIN(due_at) FROM recommend_reminders WHERE state = 'pending'",
			     NULL);
	int rc = st ? api->db_step(st) : HW_ERR_STORAGE;

	if (rc != HW_ROW)
		return rc < 0 ? rc : HW_ERR_STORAGE;
	*found = !api->db_col_is_null(st, 0);
	*due = api->db_col_int(st, 0);
	return HW_OK;
}

int rec_store_mark(const hw_api *api, hw_tx *tx, const char *user, const char *talk_id,
		   int64_t start_at, const char *from, const char *state, const char *reason,
		   int *changed)
{
	int rc = run(api, hw_sql(api, tx,
				 "UPDATE recommend_reminders SET state = ?, reason = ?"
				 " WHERE user_id = ? AND talk_id = ? AND start_at = ? AND state = ?",
				 "ttttit", state, reason, user, talk_id, start_at, from));
	if (!rc && changed)
		*changed = api->db_changes(tx) > 0;
	return rc;
}
