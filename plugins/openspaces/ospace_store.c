/*
 * ospace_store — transactional writes. See ospace_store.h.
 */
#include "ospace_store.h"

#include <stdlib.h>
#include <string.h>

#include <hallway/text.h>

#include <hallway/db.h>
#include "ospace_query.h"

const char *const ospace_store_migrations[] = {
	/* v1 */
	/* AUTOINCREMENT: an id named in a reply or a DM is never reused. */
	"CREATE TABLE openspaces_sessions("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" day TEXT NOT NULL,"            /* YYYY-MM-DD, the conference's calendar */
	" slot TEXT NOT NULL,"           /* HH:MM, the conference's clock */
	" room TEXT NOT NULL,"           /* as configured */
	" topic TEXT NOT NULL,"
	" fold TEXT NOT NULL,"           /* hw_fold(topic), for lookups */
	" host_id TEXT NOT NULL,"
	" host_name TEXT NOT NULL,"
	" capacity INTEGER NOT NULL DEFAULT 0 CHECK(capacity >= 0),"
	" created_ms INTEGER NOT NULL,"
	" updated_ms INTEGER NOT NULL,"
	" ended_ms INTEGER,"             /* dropped by the host or removed */
	" end_reason TEXT);"
	/* The one-winner rule: one active open space per cell of the board. */
	"CREATE UNIQUE INDEX openspaces_sessions_cell ON openspaces_sessions(day, slot, room)"
	" WHERE ended_ms IS NULL;"
	"CREATE INDEX openspaces_sessions_host ON openspaces_sessions(host_id);"
	"CREATE TABLE openspaces_joins("
	" session_id INTEGER NOT NULL REFERENCES openspaces_sessions(id),"
	" user_id TEXT NOT NULL,"
	" user_name TEXT NOT NULL,"
	" created_ms INTEGER NOT NULL,"
	" PRIMARY KEY(session_id, user_id));"
	"CREATE INDEX openspaces_joins_user ON openspaces_joins(user_id);"
	/* A room's capacity counts the host: joiners + 1 never exceed it. */
	"CREATE TRIGGER openspaces_joins_cap BEFORE INSERT ON openspaces_joins"
	" WHEN (SELECT capacity FROM openspaces_sessions WHERE id = NEW.session_id) > 0"
	" AND (SELECT count(*) FROM openspaces_joins WHERE session_id = NEW.session_id) + 1"
	"  >= (SELECT capacity FROM openspaces_sessions WHERE id = NEW.session_id)"
	" BEGIN SELECT RAISE(ABORT, 'openspaces: room full'); END;"
	/* DMs owed after a commit (moves, removals); sent, then deleted. */
	"CREATE TABLE openspaces_outbox("
	" id INTEGER PRIMARY KEY,"
	" user_id TEXT NOT NULL,"
	" text TEXT NOT NULL,"
	" created_ms INTEGER NOT NULL,"
	" attempt_ms INTEGER);",
	/* v2: meetups, their joiners, and reminders owed for open spaces */
	"CREATE TABLE openspaces_meetups("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" at INTEGER NOT NULL,"              /* Unix s */
	" place TEXT NOT NULL,"
	" what TEXT NOT NULL,"
	" fold TEXT NOT NULL,"               /* hw_fold(place + what): one meetup per replay */
	" host_id TEXT NOT NULL,"
	" host_name TEXT NOT NULL,"
	" created_ms INTEGER NOT NULL,"
	" cancelled_ms INTEGER,"
	" reminded_ms INTEGER);"
	/* A replay of the same meetup (a retried command) is the same row. */
	"CREATE UNIQUE INDEX openspaces_meetups_once ON openspaces_meetups(host_id, at, fold)"
	" WHERE cancelled_ms IS NULL;"
	"CREATE INDEX openspaces_meetups_at ON openspaces_meetups(at);"
	"CREATE TABLE openspaces_meetup_joins("
	" meetup_id INTEGER NOT NULL REFERENCES openspaces_meetups(id),"
	" user_id TEXT NOT NULL,"
	" user_name TEXT NOT NULL,"
	" created_ms INTEGER NOT NULL,"
	" PRIMARY KEY(meetup_id, user_id));"
	/* Starting-soon DMs for open spaces: sent once per session. */
	"ALTER TABLE openspaces_sessions ADD COLUMN reminded_ms INTEGER;",
	/* v3: talks to watch later (ospace_later.c); the title is a copy */
	"CREATE TABLE openspaces_later("
	" user_id TEXT NOT NULL,"
	" talk_id TEXT NOT NULL,"
	" title TEXT NOT NULL,"
	" added_ms INTEGER NOT NULL,"
	" watched_ms INTEGER,"
	" PRIMARY KEY(user_id, talk_id));",
};
const size_t ospace_store_nmigrations =
	sizeof(ospace_store_migrations) / sizeof(ospace_store_migrations[0]);

/* Inside a transaction: the active session of user at (day, slot). */
static int ospace_store_hosting(sqlite3 *db, const char *day, const char *slot,
				const char *user_id, int64_t *id)
{
	return hw_db_int(db, id,
			     "SELECT id FROM openspaces_sessions WHERE day = ? AND slot = ?"
			     " AND host_id = ? AND ended_ms IS NULL",
			     "ttt", day, slot, user_id);
}

/* Inside a transaction: the active session in a cell. */
static int ospace_store_cell(sqlite3 *db, const char *day, const char *slot, const char *room,
			     int64_t *id)
{
	return hw_db_int(db, id,
			     "SELECT id FROM openspaces_sessions WHERE day = ? AND slot = ?"
			     " AND room = ? AND ended_ms IS NULL",
			     "ttt", day, slot, room);
}

/* Tries the free rooms at (day, slot) in config order, or just `room`.
 * HW_OK with *id and *res = OSPACE_TOOK, or *res says why not. */
static int ospace_store_claim(sqlite3 *db, const ospace_board *b, size_t day, size_t slot,
			      long room, const char *topic, const char *fold,
			      const char *user_id, const char *user_name, int64_t now,
			      enum ospace_outcome *res, int64_t *id)
{
	char hhmm[6];
	size_t r;
	int rc;
	ospace_board_fmt(b->slots[slot], hhmm);
	*res = room >= 0 ? OSPACE_TAKEN : OSPACE_FULL;
	for (r = room >= 0 ? (size_t)room : 0; r < b->nrooms; r++) {
		if (ospace_board_is_held(b, day, slot, r)) {
			if (room >= 0) {
				*res = OSPACE_HELD;
				return HW_OK;
			}
			continue;
		}
		rc = hw_db_exec(db,
				    "INSERT INTO openspaces_sessions(day, slot, room, topic, fold,"
				    " host_id, host_name, capacity, created_ms, updated_ms)"
				    " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
				    "ttttttt" "iii", b->days[day], hhmm, b->rooms[r].name, topic, fold,
				    user_id, user_name, b->rooms[r].capacity, now, now);
		if (rc == HW_OK) {
			*id = sqlite3_last_insert_rowid(db);
			*res = OSPACE_TOOK;
			return HW_OK;
		}
		if (rc != HW_ERR_EXISTS)
			return rc;
		/* Taken: the UNIQUE index said so, whoever got there first. */
		if (room >= 0)
			return ospace_store_cell(db, b->days[day], hhmm, b->rooms[r].name, id);
	}
	return HW_OK;
}

int ospace_store_propose(sqlite3 *db, const ospace_board *b, size_t day, size_t slot, long room,
			 const char *topic, const char *user_id, const char *user_name,
			 int64_t now, enum ospace_outcome *res, ospace_session *s)
{
	char hhmm[6], *fold = hw_fold(topic);
	int64_t id = 0;
	int rc;
	if (!fold)
		return HW_ERR_NOMEM;
	ospace_board_fmt(b->slots[slot], hhmm);
	rc = hw_db_begin(db);
	if (rc)
		goto out;
	/* A host is in one place at a time; a replay of the same proposal
	 * gets the same answer. */
	rc = ospace_store_hosting(db, b->days[day], hhmm, user_id, &id);
	if (rc == HW_OK) {
		rc = ospace_query_session(db, id, s);
		*res = OSPACE_HOST_BUSY;
		if (!rc && hw_db_int(db, &id,
					 "SELECT id FROM openspaces_sessions WHERE id = ? AND fold = ?",
					 "it", s->id, fold) == HW_OK &&
		    (room < 0 || ospace_board_room(b, s->room) == room))
			*res = OSPACE_ALREADY_YOURS;
		goto commit;
	}
	if (rc != HW_ERR_NOT_FOUND)
		goto out;
	rc = ospace_store_claim(db, b, day, slot, room, topic, fold, user_id, user_name, now, res,
				&id);
	if (rc == HW_ERR_NOT_FOUND && *res == OSPACE_TAKEN) {
		/* The index refused a cell no active row holds: cannot happen
		 * inside BEGIN IMMEDIATE; answer "taken" without a name. */
		id = 0;
		rc = HW_OK;
	}
	if (!rc && id && (*res == OSPACE_TOOK || *res == OSPACE_TAKEN))
		rc = ospace_query_session(db, id, s);
commit:
	if (!rc)
		rc = hw_db_commit(db);
out:
	if (rc)
		hw_db_rollback(db);
	free(fold);
	return rc;
}

int ospace_store_join(sqlite3 *db, int64_t id, const char *user_id, const char *user_name,
		      int64_t now, enum ospace_outcome *res, ospace_session *s)
{
	int64_t one;
	int rc = hw_db_begin(db);
	if (rc)
		return rc;
	rc = ospace_query_session(db, id, s);
	if (rc == HW_ERR_NOT_FOUND) {
		*res = OSPACE_GONE;
		rc = HW_OK;
		goto commit;
	}
	if (rc)
		goto out;
	if (!strcmp(s->host_id, user_id)) {
		*res = OSPACE_IS_HOST;
		goto commit;
	}
	rc = hw_db_int(db, &one,
			   "SELECT 1 FROM openspaces_joins WHERE session_id = ? AND user_id = ?", "it",
			   id, user_id);
	if (rc == HW_OK) {
		*res = OSPACE_ALREADY_JOINED;
		goto commit;
	}
	if (rc != HW_ERR_NOT_FOUND)
		goto out;
	rc = hw_db_exec(db,
			    "INSERT INTO openspaces_joins(session_id, user_id, user_name, created_ms)"
			    " VALUES(?, ?, ?, ?)",
			    "itti", id, user_id, user_name, now);
	if (rc == HW_ERR_EXISTS) {
		/* The capacity trigger: the head count is at the room's size. */
		*res = OSPACE_ROOM_FULL;
		rc = HW_OK;
		goto commit;
	}
	if (rc)
		goto out;
	*res = OSPACE_JOINED;
	rc = ospace_query_session(db, id, s);
commit:
	if (!rc)
		rc = hw_db_commit(db);
out:
	if (rc)
		hw_db_rollback(db);
	return rc;
}

int ospace_store_leave(sqlite3 *db, int64_t id, const char *user_id, enum ospace_outcome *res,
		       ospace_session *s)
{
	int rc = hw_db_begin(db);
	if (rc)
		return rc;
	rc = ospace_query_session(db, id, s);
	if (rc == HW_ERR_NOT_FOUND) {
		*res = OSPACE_GONE;
		rc = HW_OK;
		goto commit;
	}
	if (rc)
		goto out;
	rc = hw_db_exec(db, "DELETE FROM openspaces_joins WHERE session_id = ? AND user_id = ?",
			    "it", id, user_id);
	if (rc)
		goto out;
	*res = sqlite3_changes(db) ? OSPACE_LEFT : OSPACE_NOT_JOINED;
	rc = ospace_query_session(db, id, s);
commit:
	if (!rc)
		rc = hw_db_commit(db);
out:
	if (rc)
		hw_db_rollback(db);
	return rc;
}

/* Inside a transaction: queues dm(s) for the joiners of s, and its host
 * when notify_host. */
static int ospace_store_notify(sqlite3 *db, const ospace_session *s, int notify_host,
			       ospace_store_dm_fn dm, void *ud, int64_t now, int64_t *notified)
{
	ospace_out text;
	int rc;
	*notified = 0;
	if (!dm)
		return HW_OK;
	ospace_out_init(&text, 4000);
	dm(s, ud, &text);
	if (!ospace_out_str(&text)) {
		ospace_out_free(&text);
		return HW_ERR_NOMEM;
	}
	rc = hw_db_exec(db,
			    "INSERT INTO openspaces_outbox(user_id, text, created_ms)"
			    " SELECT user_id, ?, ? FROM openspaces_joins WHERE session_id = ?"
			    " ORDER BY created_ms, user_id",
			    "tii", ospace_out_str(&text), now, s->id);
	if (!rc)
		*notified = sqlite3_changes(db);
	if (!rc && notify_host) {
		rc = hw_db_exec(db,
				    "INSERT INTO openspaces_outbox(user_id, text, created_ms)"
				    " VALUES(?, ?, ?)",
				    "tti", s->host_id, ospace_out_str(&text), now);
		if (!rc)
			(*notified)++;
	}
	ospace_out_free(&text);
	return rc;
}

int ospace_store_end(sqlite3 *db, int64_t id, const char *host_only, const char *reason,
		     int notify_host, ospace_store_dm_fn dm, void *ud, int64_t now,
		     enum ospace_outcome *res, ospace_session *s, int64_t *notified)
{
	int rc = hw_db_begin(db);
	*notified = 0;
	if (rc)
		return rc;
	rc = ospace_query_session(db, id, s);
	if (rc == HW_ERR_NOT_FOUND) {
		*res = OSPACE_GONE;
		rc = HW_OK;
		goto commit;
	}
	if (rc)
		goto out;
	if (host_only && strcmp(s->host_id, host_only)) {
		*res = OSPACE_NOT_HOST;
		goto commit;
	}
	rc = ospace_store_notify(db, s, notify_host, dm, ud, now, notified);
	if (!rc)
		rc = hw_db_exec(db,
				    "UPDATE openspaces_sessions SET ended_ms = ?, updated_ms = ?,"
				    " end_reason = ? WHERE id = ?",
				    "iiti", now, now, reason, id);
	*res = OSPACE_ENDED;
commit:
	if (!rc)
		rc = hw_db_commit(db);
out:
	if (rc)
		hw_db_rollback(db);
	return rc;
}

int ospace_store_move(sqlite3 *db, const ospace_board *b, int64_t id, size_t day, size_t slot,
		      long room, ospace_store_dm_fn dm, void *ud, int64_t now,
		      enum ospace_outcome *res, ospace_session *s, int64_t *notified)
{
	char hhmm[6];
	long keep;
	size_t r;
	int rc = hw_db_begin(db);
	*notified = 0;
	if (rc)
		return rc;
	ospace_board_fmt(b->slots[slot], hhmm);
	rc = ospace_query_session(db, id, s);
	if (rc == HW_ERR_NOT_FOUND) {
		*res = OSPACE_GONE;
		rc = HW_OK;
		goto commit;
	}
	if (rc)
		goto out;
	keep = ospace_board_room(b, s->room);
	*res = room >= 0 ? OSPACE_TAKEN : OSPACE_FULL;
	/* The room asked for; else its own room; else the first free one. */
	for (r = 0; r <= b->nrooms; r++) {
		long cand = r == 0 ? (room >= 0 ? room : keep) : (long)r - 1;
		if (cand < 0 || (r > 0 && room >= 0))
			continue;
		if (ospace_board_is_held(b, day, slot, (size_t)cand)) {
			if (room >= 0)
				*res = OSPACE_HELD;
			continue;
		}
		rc = hw_db_exec(db,
				    "UPDATE openspaces_sessions SET day = ?, slot = ?, room = ?,"
				    " capacity = ?, updated_ms = ? WHERE id = ?",
				    "tttiii", b->days[day], hhmm, b->rooms[cand].name,
				    b->rooms[cand].capacity, now, id);
		if (rc == HW_ERR_EXISTS) {
			rc = HW_OK;
			continue;
		}
		if (rc)
			goto out;
		*res = OSPACE_MOVED;
		break;
	}
	if (*res != OSPACE_MOVED)
		goto commit;
	rc = ospace_query_session(db, id, s);
	if (!rc)
		rc = ospace_store_notify(db, s, 1, dm, ud, now, notified);
commit:
	if (!rc)
		rc = hw_db_commit(db);
out:
	if (rc)
		hw_db_rollback(db);
	return rc;
}
