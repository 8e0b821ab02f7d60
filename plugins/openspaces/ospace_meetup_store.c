/*
 * ospace_meetup_store — meetups, inside the unit of work of a change
 * (ospace_meetup.h, ospace_job.h), in the SQL both engines run (ON
 * CONFLICT DO NOTHING, RETURNING, no INSERT OR IGNORE).
 */
#include "ospace_meetup.h"

#include <stdio.h>
#include <string.h>

#include <hallway/dm_outbox.h>
#include <hallway/text.h>

#define MEETUP_SELECT                                                                    \
	"SELECT m.id, m.at, m.place, m.what, m.host_id, m.host_name,"                     \
	" 1 + (SELECT count(*) FROM openspaces_meetup_joins j WHERE j.meetup_id = m.id),"  \
	" CASE WHEN m.cancelled_ms IS NULL THEN 0 ELSE 1 END FROM openspaces_meetups m"

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

static void row(ospace_db *db, hw_stmt *st, ospace_meetup *m)
{
	memset(m, 0, sizeof(*m));
	m->id = ospace_col_int(db, st, 0);
	m->at = ospace_col_int(db, st, 1);
	copy(m->place, sizeof(m->place), ospace_col(db, st, 2));
	copy(m->what, sizeof(m->what), ospace_col(db, st, 3));
	copy(m->host_id, sizeof(m->host_id), ospace_col(db, st, 4));
	copy(m->host_name, sizeof(m->host_name), ospace_col(db, st, 5));
	m->going = ospace_col_int(db, st, 6);
	m->cancelled = (int)ospace_col_int(db, st, 7);
}

int ospace_meetup_get(ospace_db *db, int64_t id, ospace_meetup *m)
{
	hw_stmt *st = ospace_sql(db, MEETUP_SELECT " WHERE m.id = ?", "i", id);
	int rc;
	if (!st)
		return HW_ERR_STORAGE;
	rc = ospace_step(db, st);
	if (rc == HW_ROW) {
		row(db, st, m);
		return HW_OK;
	}
	return rc == HW_DONE ? HW_ERR_NOT_FOUND : rc < 0 ? rc : HW_ERR_STORAGE;
}

int ospace_meetup_list(ospace_db *db, int64_t from, size_t max,
		       int (*fn)(const ospace_meetup *m, void *ud), void *ud)
{
	hw_stmt *st = ospace_sql(db,
				 MEETUP_SELECT " WHERE m.cancelled_ms IS NULL AND m.at >= ?"
					       " ORDER BY m.at, m.id LIMIT ?",
				 "ii", from, (int64_t)max);
	int rc;
	if (!st)
		return HW_ERR_STORAGE;
	while ((rc = ospace_step(db, st)) == HW_ROW) {
		ospace_meetup m;
		row(db, st, &m);
		if (fn(&m, ud))
			return HW_OK;
	}
	return rc == HW_DONE ? HW_OK : rc < 0 ? rc : HW_ERR_STORAGE;
}

int ospace_meetup_add(ospace_db *db, int64_t at, const char *place, const char *what,
		      const char *user_id, const char *user_name, const char *channel,
		      const char *announcement, int64_t now_ms, enum ospace_meetup_outcome *res,
		      ospace_meetup *m)
{
	char key[OSPACE_PLACE_MAX + OSPACE_TOPIC_MAX + 8], fold[sizeof(key) * 2];
	int64_t id = 0;
	int rc;

	snprintf(key, sizeof(key), "%s\n%s", place, what);
	hw_fold_into(key, fold, sizeof(fold));
	/* A replay (the same host, time, place and topic) is the same meetup;
	 * asked first, so a replay does not use up an id. The UNIQUE index is
	 * the guard. */
	rc = ospace_sql_int(db, &id,
			    "SELECT id FROM openspaces_meetups WHERE host_id = ? AND at = ? AND fold = ?"
			    " AND cancelled_ms IS NULL",
			    "tit", user_id, at, fold);
	if (rc == HW_OK) {
		*res = OSPACE_MEETUP_SAME;
	} else if (rc == HW_ERR_NOT_FOUND) {
		rc = ospace_sql_int(db, &id,
				    "INSERT INTO openspaces_meetups(at, place, what, fold, host_id,"
				    " host_name, created_ms) VALUES(?, ?, ?, ?, ?, ?, ?) RETURNING id",
				    "ittttti", at, place, what, fold, user_id, user_name, now_ms);
		if (rc)
			return rc == HW_ERR_NOT_FOUND ? HW_ERR_STORAGE : rc;
		*res = OSPACE_MEETUP_NEW;
		if (channel && *channel && announcement) {
			char to[40];
			snprintf(to, sizeof(to), "%c%s", HW_DM_OUTBOX_CHANNEL, channel);
			rc = ospace_sql_exec(db,
					     "INSERT INTO openspaces_outbox(user_id, text, created_ms)"
					     " VALUES(?, ?, ?)",
					     "tti", to, announcement, now_ms);
			if (rc)
				return rc;
		}
	} else {
		return rc;
	}
	return ospace_meetup_get(db, id, m);
}

/* The meetup if it is on, else *res = GONE (and HW_ERR_NOT_FOUND). */
static int live(ospace_db *db, int64_t id, ospace_meetup *m, enum ospace_meetup_outcome *res)
{
	int rc = ospace_meetup_get(db, id, m);
	if (rc == HW_ERR_NOT_FOUND || (!rc && m->cancelled)) {
		*res = OSPACE_MEETUP_GONE;
		return HW_ERR_NOT_FOUND;
	}
	return rc;
}

int ospace_meetup_join(ospace_db *db, int64_t id, const char *user_id, const char *user_name,
		       int64_t now_ms, enum ospace_meetup_outcome *res, ospace_meetup *m)
{
	int rc;
	*res = 0;
	if ((rc = live(db, id, m, res)))
		return *res == OSPACE_MEETUP_GONE ? HW_OK : rc;
	if (!strcmp(m->host_id, user_id)) {
		*res = OSPACE_MEETUP_ALREADY;
		return HW_OK;
	}
	rc = ospace_sql_exec(db,
			     "INSERT INTO openspaces_meetup_joins(meetup_id, user_id, user_name,"
			     " created_ms) VALUES(?, ?, ?, ?) ON CONFLICT DO NOTHING",
			     "itti", id, user_id, user_name, now_ms);
	if (rc)
		return rc;
	*res = ospace_changes(db) == 1 ? OSPACE_MEETUP_JOINED : OSPACE_MEETUP_ALREADY;
	return ospace_meetup_get(db, id, m);
}

int ospace_meetup_leave(ospace_db *db, int64_t id, const char *user_id,
			enum ospace_meetup_outcome *res, ospace_meetup *m)
{
	int rc;
	*res = 0;
	if ((rc = live(db, id, m, res)))
		return *res == OSPACE_MEETUP_GONE ? HW_OK : rc;
	rc = ospace_sql_exec(db,
			     "DELETE FROM openspaces_meetup_joins WHERE meetup_id = ? AND user_id = ?",
			     "it", id, user_id);
	if (rc)
		return rc;
	*res = ospace_changes(db) == 1 ? OSPACE_MEETUP_LEFT : OSPACE_MEETUP_NOT_JOINED;
	return ospace_meetup_get(db, id, m);
}

int ospace_meetup_cancel(ospace_db *db, int64_t id, const char *host_only, const char *dm,
			 int64_t now_ms, enum ospace_meetup_outcome *res, ospace_meetup *m,
			 int64_t *notified)
{
	int rc;

	*notified = 0;
	*res = 0;
	if ((rc = live(db, id, m, res)))
		return *res == OSPACE_MEETUP_GONE ? HW_OK : rc;
	if (host_only && strcmp(m->host_id, host_only)) {
		*res = OSPACE_MEETUP_NOT_HOST;
		return HW_OK;
	}
	rc = ospace_sql_exec(db, "UPDATE openspaces_meetups SET cancelled_ms = ? WHERE id = ?", "ii",
			     now_ms, id);
	if (!rc && dm)
		rc = ospace_sql_exec(db,
				     "INSERT INTO openspaces_outbox(user_id, text, created_ms)"
				     " SELECT user_id, CAST(? AS TEXT), CAST(? AS BIGINT)"
				     " FROM openspaces_meetup_joins WHERE meetup_id = ?",
				     "tii", dm, now_ms, id);
	if (rc)
		return rc;
	*notified = dm ? ospace_changes(db) : 0;
	*res = OSPACE_MEETUP_CANCELLED;
	m->cancelled = 1;
	return HW_OK;
}
