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


#include "ospace_fmt.h"
#include "ospace_job.h"
#include "ospace_meetup.h"
#include "ospace_query.h"

#define REMIND_TICK_MS 60000
#define REMIND_BATCH 200

/* Queues text for the host and every joiner of one thing; *n counts. */
static int queue(ospace_db *db, const char *joins_sql, int64_t id, const char *host_id,
		 const char *text, int64_t now_ms, int64_t *n)
{
	int rc = ospace_sql_exec(db,
				 "INSERT INTO openspaces_outbox(user_id, text, created_ms) VALUES(?, ?, ?)",
				 "tti", host_id, text, now_ms);
	if (rc)
		return rc;
	*n += 1;
	if ((rc = ospace_sql_exec(db, joins_sql, "tii", text, now_ms, id)))
		return rc;
	*n += ospace_changes(db);
	return HW_OK;
}

/* Ids of open spaces not yet reminded (any start: filtered by the board),
 * or of meetups starting in (from, to]. The count, or an error (< 0). */
static int due_ids(ospace_db *db, int meetups, int64_t from, int64_t to, int64_t *ids,
		   size_t max, size_t *n)
{
	hw_stmt *st = meetups ? ospace_sql(db,
					   "SELECT id FROM openspaces_meetups WHERE cancelled_ms IS NULL"
					   " AND reminded_ms IS NULL AND at > ? AND at <= ?"
					   " ORDER BY at, id",
					   "ii", from, to)
			      : ospace_sql(db,
					   "SELECT id FROM openspaces_sessions WHERE ended_ms IS NULL"
					   " AND reminded_ms IS NULL ORDER BY id",
					   NULL);
	int rc;
	*n = 0;
	if (!st)
		return HW_ERR_STORAGE;
	while ((rc = ospace_step(db, st)) == HW_ROW && *n < max)
		ids[(*n)++] = ospace_col_int(db, st, 0);
	return rc == HW_DONE || rc == HW_ROW ? HW_OK : rc < 0 ? rc : HW_ERR_STORAGE;
}

/* One open space, inside the transaction: queued when it starts within
 * the lead. */
static int remind_session(ospace_job *j, int64_t id, int64_t now_s, int64_t lead_s, int64_t *n)
{
	const ospace *o = j->o;
	ospace_session s;
	hw_buf out;
	long day, slot;
	int64_t at;
	int rc = ospace_query_session(&j->db, id, &s);

	if (rc)
		return rc == HW_ERR_NOT_FOUND ? HW_OK : rc;
	day = ospace_board_day(&o->board, s.day);
	slot = ospace_board_slot(&o->board, ospace_board_hhmm(s.slot));
	if (day < 0 || slot < 0)
		return HW_OK;
	at = ospace_start_in(o, j->tz, (size_t)day, (size_t)slot);
	if (at <= now_s || at > now_s + lead_s)
		return HW_OK;
	hw_buf_init(&out, 1500);
	hw_buf_addf(&out, "\xE2\x8F\xB0 Starting in %lld min: open space ",
		       (long long)((at - now_s + 59) / 60));
	ospace_fmt_full(&out, &s);
	hw_buf_addf(&out, ".");
	rc = hw_buf_str(&out)
		     ? queue(&j->db,
			     "INSERT INTO openspaces_outbox(user_id, text, created_ms)"
			     " SELECT user_id, CAST(? AS TEXT), CAST(? AS BIGINT)"
			     " FROM openspaces_joins WHERE session_id = ?",
			     id, s.host_id, hw_buf_str(&out), now_s * 1000, n)
		     : HW_ERR_NOMEM;
	if (!rc)
		rc = ospace_sql_exec(&j->db,
				     "UPDATE openspaces_sessions SET reminded_ms = ? WHERE id = ?", "ii",
				     now_s * 1000, id);
	hw_buf_free(&out);
	return rc;
}

static int remind_meetup(ospace_job *j, int64_t id, int64_t now_s, int64_t *n)
{
	ospace_meetup m;
	hw_buf out;
	int rc = ospace_meetup_get(&j->db, id, &m);

	if (rc)
		return rc == HW_ERR_NOT_FOUND ? HW_OK : rc;
	hw_buf_init(&out, 1500);
	hw_buf_addf(&out, "\xE2\x8F\xB0 Starting in %lld min: meetup ",
		       (long long)((m.at - now_s + 59) / 60));
	ospace_meetup_fmt(&out, j->tz, &m);
	hw_buf_addf(&out, ".");
	rc = hw_buf_str(&out)
		     ? queue(&j->db,
			     "INSERT INTO openspaces_outbox(user_id, text, created_ms)"
			     " SELECT user_id, CAST(? AS TEXT), CAST(? AS BIGINT)"
			     " FROM openspaces_meetup_joins WHERE meetup_id = ?",
			     id, m.host_id, hw_buf_str(&out), now_s * 1000, n)
		     : HW_ERR_NOMEM;
	if (!rc)
		rc = ospace_sql_exec(&j->db,
				     "UPDATE openspaces_meetups SET reminded_ms = ? WHERE id = ?", "ii",
				     now_s * 1000, id);
	hw_buf_free(&out);
	return rc;
}

/* One pass, one transaction: queues the DMs due and marks them sent. */
static int tick_body(ospace_job *j)
{
	int64_t now_s = j->now_ms / 1000, lead_s = j->o->remind_minutes * 60, n = 0;
	int64_t ids[REMIND_BATCH];
	size_t k;
	int rc;

	rc = due_ids(&j->db, 0, 0, 0, ids, REMIND_BATCH, &k);
	for (size_t i = 0; i < k && !rc; i++)
		rc = remind_session(j, ids[i], now_s, lead_s, &n);
	if (!rc)
		rc = due_ids(&j->db, 1, now_s, now_s + lead_s, ids, REMIND_BATCH, &k);
	for (size_t i = 0; i < k && !rc; i++)
		rc = remind_meetup(j, ids[i], now_s, &n);
	j->flush = !rc && n > 0;
	return rc;
}

int ospace_remind_tick(ospace *o)
{
	if (o->remind_minutes <= 0)
		return HW_OK;
	return ospace_job_run(o, tick_body, NULL, NULL, NULL);
}

static void on_tick(hw_plugin *self, hw_handle timer, void *ud)
{
	ospace *o = ud;
	(void)self;
	(void)timer;
	if (ospace_remind_tick(o))
		o->api->log(o->self, HW_LOG_WARN, "openspaces: starting-soon reminders not queued");
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
