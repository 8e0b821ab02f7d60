/*
 * ospace_meetup_store — meetups in SQLite, one transaction per change
 * (ospace_meetup.h). The SQL is the subset PostgreSQL runs too (ON
 * CONFLICT DO NOTHING, no INSERT OR IGNORE), for the storage backend.
 */
#include "ospace_meetup.h"

#include <stdio.h>
#include <string.h>

#include <hallway/db.h>
#include <hallway/dm_outbox.h>
#include <hallway/text.h>

#define MEETUP_SELECT                                                                    \
	"SELECT m.id, m.at, m.place, m.what, m.host_id, m.host_name,"                     \
	" 1 + (SELECT count(*) FROM openspaces_meetup_joins j WHERE j.meetup_id = m.id),"  \
	" m.cancelled_ms IS NOT NULL FROM openspaces_meetups m"

static void copy(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);
	if (n >= len) {
		n = len - 1;
		while (n && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = 0;
}

static void row(sqlite3_stmt *st, ospace_meetup *m)
{
	memset(m, 0, sizeof(*m));
	m->id = sqlite3_column_int64(st, 0);
	m->at = sqlite3_column_int64(st, 1);
	copy(m->place, sizeof(m->place), hw_db_text(st, 2));
	copy(m->what, sizeof(m->what), hw_db_text(st, 3));
	copy(m->host_id, sizeof(m->host_id), hw_db_text(st, 4));
	copy(m->host_name, sizeof(m->host_name), hw_db_text(st, 5));
	m->going = sqlite3_column_int64(st, 6);
	m->cancelled = sqlite3_column_int(st, 7);
}

int ospace_meetup_get(sqlite3 *db, int64_t id, ospace_meetup *m)
{
	sqlite3_stmt *st = NULL;
	int rc = hw_db_prepare(db, &st, MEETUP_SELECT " WHERE m.id = ?", "i", id);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		row(st, m);
		rc = HW_OK;
	} else {
		rc = rc == SQLITE_DONE ? HW_ERR_NOT_FOUND : HW_ERR_STORAGE;
	}
	sqlite3_finalize(st);
	return rc;
}

int ospace_meetup_list(sqlite3 *db, int64_t from, size_t max,
		       int (*fn)(const ospace_meetup *m, void *ud), void *ud)
{
	sqlite3_stmt *st = NULL;
	int rc = hw_db_prepare(db, &st,
			       MEETUP_SELECT " WHERE m.cancelled_ms IS NULL AND m.at >= ?"
					     " ORDER BY m.at, m.id LIMIT ?",
			       "ii", from, (int64_t)max);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ospace_meetup m;
		row(st, &m);
		if (fn(&m, ud))
			break;
	}
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? HW_OK : HW_ERR_STORAGE;
	sqlite3_finalize(st);
	return rc;
}

int ospace_meetup_add(sqlite3 *db, int64_t at, const char *place, const char *what,
		      const char *user_id, const char *user_name, const char *channel,
		      const char *announcement, int64_t now_ms, enum ospace_meetup_outcome *res,
		      ospace_meetup *m)
{
	char key[OSPACE_PLACE_MAX + OSPACE_TOPIC_MAX + 8], fold[sizeof(key) * 2];
	int64_t id = 0;
	int rc;

	snprintf(key, sizeof(key), "%s\n%s", place, what);
	hw_fold_into(key, fold, sizeof(fold));
	if ((rc = hw_db_begin(db)))
		return rc;
	/* A replay (the same host, time, place and topic) is the same meetup;
	 * asked first, so a replay does not use up an id. The UNIQUE index is
	 * the guard. */
	rc = hw_db_int(db, &id,
		       "SELECT id FROM openspaces_meetups WHERE host_id = ? AND at = ? AND fold = ?"
		       " AND cancelled_ms IS NULL",
		       "tit", user_id, at, fold);
	if (rc == HW_OK) {
		*res = OSPACE_MEETUP_SAME;
	} else if (rc == HW_ERR_NOT_FOUND) {
		rc = hw_db_exec(db,
				"INSERT INTO openspaces_meetups(at, place, what, fold, host_id,"
				" host_name, created_ms) VALUES(?, ?, ?, ?, ?, ?, ?)",
				"ittttti", at, place, what, fold, user_id, user_name, now_ms);
		if (rc)
			goto out;
		id = sqlite3_last_insert_rowid(db);
		*res = OSPACE_MEETUP_NEW;
		if (channel && *channel && announcement) {
			char to[40];
			snprintf(to, sizeof(to), "%c%s", HW_DM_OUTBOX_CHANNEL, channel);
			rc = hw_db_exec(db,
					"INSERT INTO openspaces_outbox(user_id, text, created_ms)"
					" VALUES(?, ?, ?)",
					"tti", to, announcement, now_ms);
			if (rc)
				goto out;
		}
	} else {
		goto out;
	}
	if (!(rc = ospace_meetup_get(db, id, m)))
		rc = hw_db_commit(db);
out:
	if (rc)
		hw_db_rollback(db);
	return rc;
}

/* Inside a transaction: the meetup if it is on, else *res = GONE. */
static int live(sqlite3 *db, int64_t id, ospace_meetup *m, enum ospace_meetup_outcome *res)
{
	int rc = ospace_meetup_get(db, id, m);
	if (rc == HW_ERR_NOT_FOUND || (!rc && m->cancelled)) {
		*res = OSPACE_MEETUP_GONE;
		return HW_ERR_NOT_FOUND;
	}
	return rc;
}

int ospace_meetup_join(sqlite3 *db, int64_t id, const char *user_id, const char *user_name,
		       int64_t now_ms, enum ospace_meetup_outcome *res, ospace_meetup *m)
{
	*res = 0;
	int rc = hw_db_begin(db);
	if (rc)
		return rc;
	if ((rc = live(db, id, m, res)))
		goto out;
	if (!strcmp(m->host_id, user_id)) {
		*res = OSPACE_MEETUP_ALREADY;
	} else {
		rc = hw_db_exec(db,
				"INSERT INTO openspaces_meetup_joins(meetup_id, user_id, user_name,"
				" created_ms) VALUES(?, ?, ?, ?) ON CONFLICT DO NOTHING",
				"itti", id, user_id, user_name, now_ms);
		if (rc)
			goto out;
		*res = sqlite3_changes(db) == 1 ? OSPACE_MEETUP_JOINED : OSPACE_MEETUP_ALREADY;
		rc = ospace_meetup_get(db, id, m);
	}
	if (!rc)
		rc = hw_db_commit(db);
out:
	hw_db_rollback(db);
	return rc == HW_ERR_NOT_FOUND && *res == OSPACE_MEETUP_GONE ? HW_OK : rc;
}

int ospace_meetup_leave(sqlite3 *db, int64_t id, const char *user_id,
			enum ospace_meetup_outcome *res, ospace_meetup *m)
{
	*res = 0;
	int rc = hw_db_begin(db);
	if (rc)
		return rc;
	if ((rc = live(db, id, m, res)))
		goto out;
	rc = hw_db_exec(db,
			"DELETE FROM openspaces_meetup_joins WHERE meetup_id = ? AND user_id = ?",
			"it", id, user_id);
	if (rc)
		goto out;
	*res = sqlite3_changes(db) == 1 ? OSPACE_MEETUP_LEFT : OSPACE_MEETUP_NOT_JOINED;
	if (!(rc = ospace_meetup_get(db, id, m)))
		rc = hw_db_commit(db);
out:
	hw_db_rollback(db);
	return rc == HW_ERR_NOT_FOUND && *res == OSPACE_MEETUP_GONE ? HW_OK : rc;
}

int ospace_meetup_cancel(sqlite3 *db, int64_t id, const char *host_only, const char *dm,
			 int64_t now_ms, enum ospace_meetup_outcome *res, ospace_meetup *m,
			 int64_t *notified)
{
	int rc = hw_db_begin(db);

	*notified = 0;
	*res = 0;
	if (rc)
		return rc;
	if ((rc = live(db, id, m, res)))
		goto out;
	if (host_only && strcmp(m->host_id, host_only)) {
		*res = OSPACE_MEETUP_NOT_HOST;
		rc = hw_db_commit(db);
		goto out;
	}
	rc = hw_db_exec(db, "UPDATE openspaces_meetups SET cancelled_ms = ? WHERE id = ?", "ii",
			now_ms, id);
	if (!rc && dm)
		rc = hw_db_exec(db,
				"INSERT INTO openspaces_outbox(user_id, text, created_ms)"
				" SELECT user_id, ?, ? FROM openspaces_meetup_joins WHERE meetup_id = ?",
				"tii", dm, now_ms, id);
	if (rc)
		goto out;
	*notified = dm ? sqlite3_changes(db) : 0;
	*res = OSPACE_MEETUP_CANCELLED;
	m->cancelled = 1;
	rc = hw_db_commit(db);
out:
	hw_db_rollback(db);
	return rc == HW_ERR_NOT_FOUND && *res == OSPACE_MEETUP_GONE ? HW_OK : rc;
}
