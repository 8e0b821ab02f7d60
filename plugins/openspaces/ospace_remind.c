/*
 * ospace_remind — starting-soon DMs (issue 21): remind_minutes before an
 * open space or a meetup starts, its host and everyone who joined get a
 * DM. One transaction queues the DMs in the outbox and marks the session
 * reminded, so a crash never sends a reminder twice nor loses one that
 * was queued; the outbox sends after the commit.
 */
#include "ospace_remind.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/db.h>
#include <hallway/dm_outbox.h>

#include "ospace_fmt.h"
#include "ospace_meetup.h"
#include "ospace_query.h"

#define REMIND_TICK_MS 60000
#define REMIND_BATCH 200

/* Queues text for the host and every joiner of one thing; *n counts. */
static int queue(sqlite3 *db, const char *joins_sql, int64_t id, const char *host_id,
		 const char *text, int64_t now_ms, int64_t *n)
{
	int rc = hw_db_exec(db,
			    "INSERT INTO openspaces_outbox(user_id, text, created_ms) VALUES(?, ?, ?)",
			    "tti", host_id, text, now_ms);
	if (rc)
		return rc;
	*n += 1;
	if ((rc = hw_db_exec(db, joins_sql, "tii", text, now_ms, id)))
		return rc;
	*n += sqlite3_changes(db);
	return HW_OK;
}

/* Ids of open spaces not yet reminded (any start: filtered by the board). */
static size_t due_sessions(sqlite3 *db, int64_t *ids, size_t max)
{
	sqlite3_stmt *st = NULL;
	size_t n = 0;

	if (hw_db_prepare(db, &st,
			  "SELECT id FROM openspaces_sessions WHERE ended_ms IS NULL"
			  " AND reminded_ms IS NULL ORDER BY id",
			  NULL))
		return 0;
	while (n < max && sqlite3_step(st) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static size_t due_meetups(sqlite3 *db, int64_t from, int64_t to, int64_t *ids, size_t max)
{
	sqlite3_stmt *st = NULL;
	size_t n = 0;

	if (hw_db_prepare(db, &st,
			  "SELECT id FROM openspaces_meetups WHERE cancelled_ms IS NULL"
			  " AND reminded_ms IS NULL AND at > ? AND at <= ? ORDER BY at, id",
			  "ii", from, to))
		return 0;
	while (n < max && sqlite3_step(st) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* One open space, inside the transaction: queued when it starts within
 * the lead. */
static int remind_session(ospace *o, int64_t id, int64_t now_s, int64_t lead_s, int64_t *n)
{
	ospace_session s;
	ospace_out out;
	long day, slot;
	int64_t at;
	int rc = ospace_query_session(o->db, id, &s);

	if (rc)
		return rc == HW_ERR_NOT_FOUND ? HW_OK : rc;
	day = ospace_board_day(&o->board, s.day);
	slot = ospace_board_slot(&o->board, ospace_board_hhmm(s.slot));
	if (day < 0 || slot < 0)
		return HW_OK;
	at = ospace_start(o, (size_t)day, (size_t)slot);
	if (at <= now_s || at > now_s + lead_s)
		return HW_OK;
	ospace_out_init(&out, 1500);
	ospace_out_add(&out, "\xE2\x8F\xB0 Starting in %lld min: open space ",
		       (long long)((at - now_s + 59) / 60));
	ospace_fmt_full(&out, &s);
	ospace_out_add(&out, ".");
	rc = ospace_out_str(&out)
		     ? queue(o->db,
			     "INSERT INTO openspaces_outbox(user_id, text, created_ms)"
			     " SELECT user_id, ?, ? FROM openspaces_joins WHERE session_id = ?",
			     id, s.host_id, ospace_out_str(&out), now_s * 1000, n)
		     : HW_ERR_NOMEM;
	if (!rc)
		rc = hw_db_exec(o->db, "UPDATE openspaces_sessions SET reminded_ms = ? WHERE id = ?",
				"ii", now_s * 1000, id);
	ospace_out_free(&out);
	return rc;
}

static int remind_meetup(ospace *o, int64_t id, int64_t now_s, int64_t *n)
{
	ospace_meetup m;
	ospace_out out;
	int rc = ospace_meetup_get(o->db, id, &m);

	if (rc)
		return rc == HW_ERR_NOT_FOUND ? HW_OK : rc;
	ospace_out_init(&out, 1500);
	ospace_out_add(&out, "\xE2\x8F\xB0 Starting in %lld min: meetup ",
		       (long long)((m.at - now_s + 59) / 60));
	ospace_meetup_fmt(&out, o->tz, &m);
	ospace_out_add(&out, ".");
	rc = ospace_out_str(&out)
		     ? queue(o->db,
			     "INSERT INTO openspaces_outbox(user_id, text, created_ms)"
			     " SELECT user_id, ?, ? FROM openspaces_meetup_joins WHERE meetup_id = ?",
			     id, m.host_id, ospace_out_str(&out), now_s * 1000, n)
		     : HW_ERR_NOMEM;
	if (!rc)
		rc = hw_db_exec(o->db, "UPDATE openspaces_meetups SET reminded_ms = ? WHERE id = ?",
				"ii", now_s * 1000, id);
	ospace_out_free(&out);
	return rc;
}

int ospace_remind_tick(ospace *o, int64_t now_s, int64_t *queued)
{
	int64_t lead_s = o->remind_minutes * 60, *ids = NULL, n = 0;
	size_t k;
	int rc;

	*queued = 0;
	if (lead_s <= 0)
		return HW_OK;
	if (!(ids = malloc(REMIND_BATCH * sizeof(*ids))))
		return HW_ERR_NOMEM;
	if ((rc = hw_db_begin(o->db)))
		goto out;
	k = due_sessions(o->db, ids, REMIND_BATCH);
	for (size_t i = 0; i < k && !rc; i++)
		rc = remind_session(o, ids[i], now_s, lead_s, &n);
	k = rc ? 0 : due_meetups(o->db, now_s, now_s + lead_s, ids, REMIND_BATCH);
	for (size_t i = 0; i < k && !rc; i++)
		rc = remind_meetup(o, ids[i], now_s, &n);
	if (!rc)
		rc = hw_db_commit(o->db);
out:
	hw_db_rollback(o->db);
	free(ids);
	if (rc) {
		o->api->log(o->self, HW_LOG_WARN, "openspaces: starting-soon reminders: error %d", rc);
		return rc;
	}
	*queued = n;
	if (n)
		hw_dm_outbox_flush(o->outbox);
	return HW_OK;
}

static void on_tick(hw_plugin *self, hw_handle timer, void *ud)
{
	ospace *o = ud;
	int64_t n;
	(void)timer;
	ospace_remind_tick(o, o->api->now_ms(self) / 1000, &n);
}

int ospace_remind_start(ospace *o)
{
	if (o->remind_minutes <= 0)
		return HW_OK;
	o->remind_timer = o->api->timer_add(o->self, 1000, REMIND_TICK_MS, on_tick, o);
	return o->remind_timer ? HW_OK : HW_ERR_NOMEM;
}

void ospace_remind_stop(ospace *o)
{
	if (o->remind_timer)
		o->api->cancel(o->self, o->remind_timer);
	o->remind_timer = 0;
}
