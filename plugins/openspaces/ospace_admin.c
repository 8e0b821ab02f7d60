/*
 * ospace_admin — the organizers' commands: openspace move, remove and
 * export. The host enforces HW_PERM_ORGANIZER; each handler checks again
 * so a misconfigured host never lets an attendee through. Moves and
 * removals queue a DM for the host and everyone who joined in the same
 * transaction (the DM outbox, lib/dm_outbox.c, sends them after the commit).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/text.h>

#include "ospace_cmd.h"
#include "ospace_fmt.h"
#include "ospace_job.h"
#include <hallway/dm_outbox.h>
#include "ospace_query.h"
#include "ospace_screen.h"
#include "ospace_store.h"
#include "ospace_when.h"

#define OSPACE_EXPORT_MAX ((size_t)8 << 20)

static int ospace_admin_denied(ospace_job *j, const hw_invocation *inv)
{
	if (inv->is_organizer)
		return 0;
	ospace_job_say(j, "Sorry, that is for organizers.");
	return 1;
}

/* ---- move ---- */

static void ospace_admin_move_dm(const ospace_session *s, void *ud, hw_buf *out)
{
	(void)ud;
	hw_buf_addf(out, "The open space ");
	ospace_fmt_name(out, s);
	hw_buf_addf(out, " moved: it is now on ");
	ospace_fmt_when(out, s->day, s->slot);
	hw_buf_addf(out, " in ");
	hw_buf_add_safe(out, s->room, 100);
	hw_buf_addf(out, " (an organizers' change).");
}

static int ospace_admin_move_body(ospace_job *j)
{
	ospace *o = j->o;
	const hw_invocation *inv = j->inv;
	const ospace_board *b = &o->board;
	const char *text = ospace_arg(inv, "to");
	char why[600];
	enum ospace_outcome res = 0;
	ospace_session s;
	hw_buf out;
	size_t day = 0, slot = 0, used = 0;
	int64_t id = 0, notified = 0;
	const char *rest;
	long room = -1;
	int rc;

	if (ospace_admin_denied(j, inv))
		return HW_OK;
	rc = ospace_cmd_find(j, inv, ospace_arg(inv, "open_space"), "move", &id);
	if (rc)
		return rc == OSPACE_REPLIED ? HW_OK : rc;
	hw_buf_init(&out, 4000);
	memset(&s, 0, sizeof(s));
	if (ospace_when_read(b, j->tz, j->now_ms / 1000, text, &day, &slot, &used, why,
			     sizeof(why))) {
		hw_buf_add_safe(&out, why, sizeof(why));
		hw_buf_addf(&out, "\nUsage: `openspace move #<number> <day> <time> [room]`.");
		rc = ospace_job_say(j, hw_buf_str(&out));
		goto out;
	}
	ospace_cmd_room(b, text + used, &room, &rest);
	if (ospace_start_in(o, j->tz, day, slot) < j->now_ms / 1000) {
		hw_buf_addf(&out, "That slot has already started.");
		ospace_cmd_offers(j, &out, day, slot, room, "openspace move #<number>");
		rc = ospace_job_say(j, hw_buf_str(&out));
		goto out;
	}
	rc = ospace_store_move(&j->db, b, id, day, slot, room, ospace_admin_move_dm, NULL,
			       j->now_ms, &res, &s, &notified);
	if (rc)
		goto out;
	if (res == OSPACE_MOVED) {
		hw_buf_addf(&out, "Moved ");
		ospace_fmt_full(&out, &s);
		hw_buf_addf(&out, ". %lld %s a DM.", (long long)notified,
			       notified == 1 ? "person gets" : "people get");
	} else if (res == OSPACE_GONE) {
		hw_buf_addf(&out, "That open space is gone.");
	} else {
		hw_buf_addf(&out, res == OSPACE_HELD ? "That room is held back then."
			       : res == OSPACE_TAKEN ? "That room is taken then."
						     : "Every room is taken then.");
		ospace_cmd_offers(j, &out, day, slot, room, "openspace move #<number>");
	}
	rc = ospace_job_say(j, hw_buf_str(&out));
	if (res == OSPACE_MOVED)
		j->screen = "moved";
out:
	hw_buf_free(&out);
	if (notified)
		j->flush = 1;
	return rc;
}

static int ospace_admin_move(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	(void)self;
	return ospace_job_cmd(ud, inv, ospace_admin_move_body);
}

/* ---- remove ---- */

static void ospace_admin_remove_dm(const ospace_session *s, void *ud, hw_buf *out)
{
	const char *reason = ud;
	hw_buf_addf(out, "The open space ");
	ospace_fmt_full(out, s);
	hw_buf_addf(out, " was removed by the organizers");
	if (reason && *reason) {
		hw_buf_addf(out, ": ");
		hw_buf_add_safe(out, reason, OSPACE_REASON_MAX);
	}
	hw_buf_addf(out, ".");
}

/* The open space a removal names: its number, or its exact topic (case
 * and accents aside), never a prefix or a near miss. Replies and returns
 * OSPACE_REPLIED otherwise. */
static int ospace_admin_exact(ospace_job *j, const hw_invocation *inv, const char *typed,
			      int64_t *id)
{
	ospace_session s;
	hw_buf out;
	char *ft, *fs;
	int rc, same;
	rc = ospace_cmd_find(j, inv, typed, "remove", id);
	if (rc || ospace_query_id(typed))
		return rc;
	if ((rc = ospace_query_session(&j->db, *id, &s)))
		return rc;
	ft = hw_fold(typed);
	fs = hw_fold(s.topic);
	same = ft && fs && !strcmp(ft, fs);
	rc = ft && fs ? HW_OK : HW_ERR_NOMEM;
	free(ft);
	free(fs);
	if (rc || same)
		return rc;
	hw_buf_init(&out, 1000);
	hw_buf_addf(&out, "Did you mean ");
	ospace_fmt_full(&out, &s);
	hw_buf_addf(&out, "? To remove it, give its number or exact topic: "
			     "`openspace remove #%lld <reason>`.", (long long)s.id);
	rc = ospace_job_say(j, hw_buf_str(&out));
	hw_buf_free(&out);
	return rc ? rc : OSPACE_REPLIED;
}

static int ospace_admin_remove_body(ospace_job *j)
{
	const hw_invocation *inv = j->inv;
	enum ospace_outcome res = 0;
	ospace_session s;
	hw_buf out;
	char *reason = NULL;
	int64_t id = 0, notified = 0;
	int rc;

	if (ospace_admin_denied(j, inv))
		return HW_OK;
	rc = ospace_admin_exact(j, inv, ospace_arg(inv, "open_space"), &id);
	if (rc)
		return rc == OSPACE_REPLIED ? HW_OK : rc;
	reason = ospace_out_clean(ospace_arg(inv, "reason"), OSPACE_REASON_MAX);
	if (!reason)
		return HW_ERR_NOMEM;
	memset(&s, 0, sizeof(s));
	rc = ospace_store_end(&j->db, id, NULL, *reason ? reason : "removed by the organizers", 1,
			      ospace_admin_remove_dm, reason, j->now_ms, &res, &s,
			      &notified);
	if (rc)
		goto out;
	hw_buf_init(&out, 2000);
	if (res == OSPACE_ENDED) {
		hw_buf_addf(&out, "Removed ");
		ospace_fmt_full(&out, &s);
		hw_buf_addf(&out, ". The host and %lld who joined get a DM%s.",
			       (long long)(notified - 1), *reason ? " with the reason" : "");
	} else {
		hw_buf_addf(&out, "That open space is gone already.");
	}
	rc = ospace_job_say(j, hw_buf_str(&out));
	hw_buf_free(&out);
	if (res == OSPACE_ENDED)
		j->screen = "removed";
	j->flush = 1;
out:
	free(reason);
	return rc;
}

static int ospace_admin_remove(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	(void)self;
	return ospace_job_cmd(ud, inv, ospace_admin_remove_body);
}

/* ---- export ---- */

/* One RFC 4180 cell that spreadsheets will not run as a formula. */
static void ospace_admin_cell(hw_buf *csv, const char *cell, int last)
{
	const char *p;
	int quote = strpbrk(cell, ",\"\r\n") != NULL;
	if (quote)
		hw_buf_addn(csv, "\"", 1);
	if (*cell && strchr("=+-@\t\r", *cell))
		hw_buf_addn(csv, "'", 1);
	for (p = cell; *p; p++)
		hw_buf_addn(csv, *p == '"' ? "\"\"" : p, *p == '"' ? 2 : 1);
	if (quote)
		hw_buf_addn(csv, "\"", 1);
	hw_buf_addn(csv, last ? "\r\n" : ",", last ? 2 : 1);
}

/* The file an export sends after its unit of work. */
typedef struct ospace_export {
	hw_buf csv, msg;
	int ready;
} ospace_export;

static void ospace_admin_export_free(void *p)
{
	ospace_export *e = p;
	if (!e)
		return;
	hw_buf_free(&e->csv);
	hw_buf_free(&e->msg);
	free(e);
}

static int ospace_admin_export_body(ospace_job *j)
{
	static const char *const header[] = {"id", "day", "start", "room", "topic", "host_id",
					     "host_name", "going", "joined", "status", "reason"};
	/* Those who joined, in the order they did: the one aggregate each
	 * engine has. */
	static const char *const sql[] = {
		"SELECT s.id, s.day, s.slot, s.room, s.topic, s.host_id, s.host_name,"
		" 1 + (SELECT count(*) FROM openspaces_joins j WHERE j.session_id = s.id),"
		" coalesce((SELECT group_concat(user_name, '; ') FROM (SELECT user_name"
		"  FROM openspaces_joins j WHERE j.session_id = s.id"
		"  ORDER BY created_ms, user_id)), ''),"
		" CASE WHEN s.ended_ms IS NULL THEN 'active' ELSE 'ended' END,"
		" coalesce(s.end_reason, '')"
		" FROM openspaces_sessions s ORDER BY s.day, s.slot, s.room, s.id",
		"SELECT s.id, s.day, s.slot, s.room, s.topic, s.host_id, s.host_name,"
		" 1 + (SELECT count(*) FROM openspaces_joins j WHERE j.session_id = s.id),"
		" coalesce((SELECT string_agg(user_name, '; ' ORDER BY created_ms, user_id)"
		"  FROM openspaces_joins j WHERE j.session_id = s.id), ''),"
		" CASE WHEN s.ended_ms IS NULL THEN 'active' ELSE 'ended' END,"
		" coalesce(s.end_reason, '')"
		" FROM openspaces_sessions s ORDER BY s.day, s.slot, s.room, s.id",
	};
	ospace_export *e = j->arg;
	hw_stmt *st;
	int64_t rows = 0;
	size_t i;
	int rc;

	if (ospace_admin_denied(j, j->inv))
		return HW_OK;
	hw_buf_free(&e->csv); /* a body run again starts afresh */
	hw_buf_free(&e->msg);
	hw_buf_init(&e->csv, OSPACE_EXPORT_MAX);
	hw_buf_init(&e->msg, 200);
	e->ready = 0;
	for (i = 0; i < sizeof(header) / sizeof(header[0]); i++)
		ospace_admin_cell(&e->csv, header[i], i + 1 == sizeof(header) / sizeof(header[0]));
	if (!(st = ospace_sql(&j->db, sql[j->o->pg], NULL)))
		return HW_ERR_STORAGE;
	while ((rc = ospace_step(&j->db, st)) == HW_ROW) {
		for (i = 0; i < 11; i++)
			ospace_admin_cell(&e->csv, ospace_col(&j->db, st, (int)i), i == 10);
		rows++;
	}
	if (rc != HW_DONE)
		return rc < 0 ? rc : HW_ERR_STORAGE;
	if (!hw_buf_str(&e->csv))
		return ospace_job_say(j, "The export is too large to send.");
	hw_buf_addf(&e->msg, "Open spaces: %lld row%s.", (long long)rows, rows == 1 ? "" : "s");
	e->ready = 1;
	return HW_OK;
}

static void ospace_admin_export_after(ospace_job *j)
{
	ospace_export *e = j->arg;
	/* reply_file: the host routes an organizer's file privately. */
	if (e->ready && hw_buf_str(&e->msg))
		j->o->api->reply_file(j->o->self, j->inv, hw_buf_str(&e->msg), "openspaces.csv",
				      e->csv.data ? e->csv.data : "", e->csv.len);
}

static int ospace_admin_export(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	ospace_export *e = calloc(1, sizeof(*e));
	if (!e)
		return HW_ERR_NOMEM;
	return ospace_job_cmd_arg(ud, inv, ospace_admin_export_body, e, ospace_admin_export_free,
				  ospace_admin_export_after);
}

/* ---- registration ---- */

static const hw_arg_spec ospace_admin_move_args[] = {
	{"open_space", HW_ARG_STRING, 1, "its number (#3), or its topic in quotes", 0},
	{"to", HW_ARG_TEXT, 1, "<day> <time> [room], e.g. friday 15:00 Room B", 0},
};
static const hw_arg_spec ospace_admin_remove_args[] = {
	{"open_space", HW_ARG_STRING, 1, "its number (#3), or its exact topic in quotes", 0},
	{"reason", HW_ARG_TEXT, 0, "sent to the host and to those who joined", 0},
};

int ospace_admin_register(ospace *o)
{
	const hw_command_spec specs[] = {
		{sizeof(hw_command_spec), "openspace move", "Move an open space (organizers)",
		 "openspace move #3 friday 15:00 [room]: the host and those who joined get a DM.",
		 HW_PERM_ORGANIZER, ospace_admin_move_args, 2, ospace_admin_move, NULL, o, {0}, sizeof(hw_arg_spec)},
		{sizeof(hw_command_spec), "openspace remove", "Remove an open space (organizers)",
		 "openspace remove #3 <reason>, or its exact topic in quotes: the host and those "
		 "who joined get the reason by DM.",
		 HW_PERM_ORGANIZER, ospace_admin_remove_args, 2, ospace_admin_remove, NULL, o, {0}, sizeof(hw_arg_spec)},
		{sizeof(hw_command_spec), "openspace export", "Every open space as CSV (organizers)",
		 NULL, HW_PERM_ORGANIZER, NULL, 0, ospace_admin_export, NULL, o, {0}, sizeof(hw_arg_spec)},
	};
	size_t i;
	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		int rc = o->api->command_add(o->self, &specs[i]);
		if (rc)
			return rc;
	}
	return HW_OK;
}
