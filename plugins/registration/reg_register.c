/*
 * `register <order> <name…>` (any door; the Register button's form runs it
 * too) and the queue of registrations that wait for pretix.
 *
 * One attempt: the user's failures of the last hour are counted first (5,
 * then a cool-down); the order is read from the cache when it holds a
 * paid order whose ticket name matches, else from pretix at once; when
 * pretix does not answer, the attempt waits in registration_queue and the
 * user gets a DM once it is done. Only paid orders (status "p") count, and
 * only positions not canceled. Every failure gets the same answer, so an
 * answer never tells whether an order exists.
 *
 * The binding is one transaction: the position -> user row (a position and
 * a user are each unique, so a ticket is never bound twice), the role and
 * nickname changes (reg_grant.c), the attempt, and for a queued one its DM.
 * The role calls are sent only after the commit.
 *
 * In the console the command is a rehearsal: it looks up and matches, and
 * says what it would do, without binding anything.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/db.h>
#include <hallway/text.h>

#include "reg_name.h"
#include "reg_store.h"
#include "registration.h"

#define QUEUE_BATCH 10
#define NICK_CHARS 32

typedef struct job {
	reg *r;
	const hw_invocation *inv; /* kept; NULL for a queued attempt */
	int rehearsal;            /* the console: say what would happen */
	int from_queue;
	char user_id[32];
	char code[REG_CODE_MAX];
	char name[REG_NAME_MAX];
} job;

static const char FAIL_TEXT[] =
	"I could not find a paid ticket with that order code and name. Check the order code in "
	"your confirmation e-mail and type the name as it is on the ticket.";

static void job_free(void *p)
{
	job *j = p;
	if (!j)
		return;
	if (j->inv)
		j->r->api->invocation_release(j->r->self, j->inv);
	free(j);
}

/* A queued attempt is answered by DM, through the durable outbox. */
static void dm_later(reg *r, const char *user_id, const char *text)
{
	if (hw_db_exec(r->db, "INSERT INTO registration_outbox (user_id, text) VALUES (?, ?)", "tt",
		       user_id, text))
		r->api->log(r->self, HW_LOG_ERROR, "registration: cannot queue a DM: %s",
			    sqlite3_errmsg(r->db));
}

static void answer(job *j, const char *text)
{
	reg *r = j->r;
	if (j->inv) {
		hw_message m = {.struct_size = sizeof(m), .content = text, .ephemeral = 1};
		r->api->reply_message(r->self, j->inv, &m);
	} else {
		dm_later(r, j->user_id, text);
		hw_dm_outbox_flush(r->dms);
	}
}

/* Records a failure and answers it, with the attempts left. */
static void fail(job *j, const char *log_why)
{
	reg *r = j->r;
	int64_t now = r->api->now_ms(r->self), count = 0, oldest = 0;
	char text[600];
	if (j->from_queue)
		hw_db_exec(r->db, "DELETE FROM registration_queue WHERE user_id = ?", "t", j->user_id);
	reg_store_attempt(r, j->user_id, now, "failed");
	reg_store_failures(r, j->user_id, now - REG_FAILURE_WINDOW_MS, &count, &oldest);
	reg_log(r, "<@%s> (%s) refused: %s (order %s; failure %lld of %d this hour)", j->user_id,
		j->user_id, log_why, j->code[0] ? j->code : "-", (long long)count, REG_MAX_FAILURES);
	if (count >= REG_MAX_FAILURES)
		hw_fmt(text, sizeof(text), "%s That was the last attempt for this hour; ask an "
		       "organizer if you are stuck.", FAIL_TEXT);
	else
		hw_fmt(text, sizeof(text), "%s (%lld of %d attempts left this hour.)", FAIL_TEXT,
		       (long long)(REG_MAX_FAILURES - count), REG_MAX_FAILURES);
	answer(j, text);
}

/* The nickname: the ticket's name, cut to Discord's 32 characters. */
static void nick_of(const reg_position *p, char *out, size_t len)
{
	char full[REG_NAME_MAX * 2 + 2];
	const unsigned char *s;
	size_t used = 0, chars = 0;
	if (p->name[0])
		snprintf(full, sizeof(full), "%s", p->name);
	else
		hw_fmt(full, sizeof(full), "%s%s%s", p->given, p->given[0] ? " " : "", p->family);
	s = (const unsigned char *)full;
	while (*s && chars < NICK_CHARS) {
		const unsigned char *start = s;
		if (hw_utf8_next(&s) < 0)
			continue;
		if (used + (size_t)(s - start) >= len)
			break;
		memcpy(out + used, start, (size_t)(s - start));
		used += (size_t)(s - start);
		chars++;
	}
	out[used] = '\0';
}

/* Binds p to the user in one transaction; 1 done, 0 someone holds it
 * (the caller looks again), -1 storage failed. */
static int bind(job *j, const reg_position *p)
{
	reg *r = j->r;
	int64_t now = r->api->now_ms(r->self);
	char nick[NICK_CHARS * 4 + 1], text[600];
	int rc;

	nick_of(p, nick, sizeof(nick));
	if (hw_db_begin(r->db))
		return -1;
	rc = hw_db_exec(r->db, "INSERT INTO registration_binding (position_id, user_id, order_code,"
			" item, variation, name, bound_ms) VALUES (?, ?, ?, ?, ?, ?, ?)"
			" ON CONFLICT DO NOTHING", "ittiiti", p->id, j->user_id, j->code, p->item,
			p->variation, nick, now);
	if (rc)
		goto fail;
	if (sqlite3_changes(r->db) == 0) {
		hw_db_rollback(r->db);
		return 0;
	}
	if ((rc = reg_grant_queue_ticket(r, j->user_id, p->item, p->variation, nick, 1, now)) ||
	    (rc = reg_store_attempt(r, j->user_id, now, "registered")) ||
	    (rc = hw_db_exec(r->db, "DELETE FROM registration_queue WHERE user_id = ?", "t",
			     j->user_id)))
		goto fail;
	hw_fmt(text, sizeof(text), "Welcome, %s! Your ticket (order %s) is now linked to your "
	       "Discord account; your roles%s are on their way.", nick, j->code,
	       r->nickname ? " and nickname" : "");
	if (j->from_queue && hw_db_exec(r->db, "INSERT INTO registration_outbox (user_id, text)"
					" VALUES (?, ?)", "tt", j->user_id, text))
		goto fail;
	if (hw_db_commit(r->db))
		goto fail;
	reg_log(r, "<@%s> (%s) registered: order %s, ticket position %lld (item %lld, variation "
		"%lld)%s", j->user_id, j->user_id, j->code, (long long)p->id, (long long)p->item,
		(long long)p->variation, j->from_queue ? ", from the queue" : "");
	reg_grant_flush(r);
	if (j->from_queue)
		hw_dm_outbox_flush(r->dms);
	else
		answer(j, text);
	return 1;
fail:
	r->api->log(r->self, HW_LOG_ERROR, "registration: cannot bind order %s for %s: %s", j->code,
		    j->user_id, sqlite3_errmsg(r->db));
	hw_db_rollback(r->db);
	return -1;
}

static void rehearse(job *j, const reg_position *p)
{
	char nick[NICK_CHARS * 4 + 1], text[600];
	reg_binding b;
	nick_of(p, nick, sizeof(nick));
	if (!reg_store_binding_by_position(j->r, p->id, &b))
		hw_fmt(text, sizeof(text), "Rehearsal: order %s matches ticket position %lld (item "
		       "%lld, variation %lld), but it is already bound to user %s.", j->code,
		       (long long)p->id, (long long)p->item, (long long)p->variation, b.user_id);
	else
		hw_fmt(text, sizeof(text), "Rehearsal: order %s matches ticket position %lld (item "
		       "%lld, variation %lld); a registration would give its roles and the nickname "
		       "\"%s\". Nothing was bound.", j->code, (long long)p->id, (long long)p->item,
		       (long long)p->variation, nick);
	answer(j, text);
}

/* What the order says for this attempt; 1 when it was answered, 0 when
 * nothing matched (the caller may still ask pretix). */
static int decide(job *j, const reg_order *o, int final)
{
	reg *r = j->r;
	const reg_position *mine = NULL, *free_pos = NULL, *taken = NULL;
	reg_binding b;
	char holder[32] = "";

	if (o && o->status == 'p') {
		for (size_t i = 0; i < o->npos; i++) {
			const reg_position *p = &o->pos[i];
			int rc;
			if (p->canceled || !reg_name_matches(j->name, p))
				continue;
			rc = reg_store_binding_by_position(r, p->id, &b);
			if (rc == HW_ERR_NOT_FOUND) {
				if (!free_pos)
					free_pos = p;
			} else if (!rc && !strcmp(b.user_id, j->user_id)) {
				mine = p;
			} else if (!rc && !taken) {
				taken = p;
				snprintf(holder, sizeof(holder), "%s", b.user_id);
			}
		}
	}
	if (j->rehearsal && (free_pos || taken || mine)) {
		rehearse(j, free_pos ? free_pos : taken ? taken : mine);
		return 1;
	}
	if (mine) {
		char text[300];
		hw_fmt(text, sizeof(text), "You are already registered with this ticket (order %s).",
		       j->code);
		if (j->from_queue)
			hw_db_exec(r->db, "DELETE FROM registration_queue WHERE user_id = ?", "t",
				   j->user_id);
		answer(j, text);
		return 1;
	}
	if (free_pos) {
		int rc = bind(j, free_pos);
		if (rc < 0)
			answer(j, "Sorry, I could not save your registration; please try again in a "
			       "minute.");
		else if (rc == 0)
			fail(j, "the ticket was taken at the same moment");
		return 1;
	}
	if (!final)
		return 0;
	if (taken) {
		char log_why[200];
		hw_fmt(log_why, sizeof(log_why), "ticket position %lld is already bound to <@%s>",
		       (long long)taken->id, holder);
		if (j->from_queue)
			hw_db_exec(r->db, "DELETE FROM registration_queue WHERE user_id = ?", "t",
				   j->user_id);
		reg_store_attempt(r, j->user_id, r->api->now_ms(r->self), "failed");
		reg_log(r, "<@%s> (%s) refused: %s (order %s)", j->user_id, j->user_id, log_why,
			j->code);
		answer(j, "That ticket is already linked to another Discord account. If that was "
		       "not you, please ask an organizer.");
		return 1;
	}
	if (j->rehearsal) {
		answer(j, "Rehearsal: no paid ticket matches this order code and name.");
		return 1;
	}
	fail(j, o ? (o->status == 'p' ? "no ticket name matches" : "the order is not paid")
		  : "no such order");
	return 1;
}

/* ---- waiting for pretix ---- */

static int enqueue(job *j)
{
	reg *r = j->r;
	int64_t now = r->api->now_ms(r->self);
	if (j->rehearsal) {
		answer(j, "Rehearsal: pretix is not answering right now; a registration would wait "
		       "in the queue.");
		return HW_OK;
	}
	if (hw_db_exec(r->db, "INSERT INTO registration_queue (user_id, order_code, name, queued_ms)"
		       " VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET"
		       " order_code = excluded.order_code, name = excluded.name,"
		       " queued_ms = excluded.queued_ms, attempt_ms = NULL",
		       "ttti", j->user_id, j->code, j->name, now)) {
		answer(j, "Sorry, I could not save your registration; please try again in a minute.");
		return HW_ERR_STORAGE;
	}
	reg_store_attempt(r, j->user_id, now, "queued");
	reg_log(r, "<@%s> (%s) queued: pretix is not answering (order %s)", j->user_id, j->user_id,
		j->code);
	answer(j, "pretix (the ticket shop) is not answering right now. Your registration is "
	       "queued; you will get a DM when it is done.");
	return HW_OK;
}

static void looked_up(reg *r, enum reg_lookup_result res, const reg_order *order, void *ud)
{
	job *j = ud;
	if (res == REG_UNAVAILABLE) {
		if (j->from_queue)
			hw_db_exec(r->db, "UPDATE registration_queue SET attempt_ms = NULL"
				   " WHERE user_id = ?", "t", j->user_id);
		else
			enqueue(j);
	} else {
		decide(j, res == REG_FOUND ? order : NULL, 1);
	}
	job_free(j);
}

/* Runs an attempt whose job is ready; takes j. */
static void attempt(job *j)
{
	reg *r = j->r;
	reg_order cached;
	int rc = reg_store_get_order(r, j->code, &cached);
	if (!rc) {
		int done = decide(j, &cached, 0);
		reg_order_free(&cached);
		if (done) {
			job_free(j);
			return;
		}
	}
	/* Not in the cache, not paid there, or no free ticket with that name:
	 * pretix knows best (an order paid or renamed since the last sync). */
	if (reg_pretix_unavailable(r)) {
		looked_up(r, REG_UNAVAILABLE, NULL, j);
		return;
	}
	if (reg_pretix_lookup(r, j->code, looked_up, job_free, j))
		looked_up(r, REG_UNAVAILABLE, NULL, j);
}

static int cmd_register(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	reg *r = ud;
	const char *code = reg_arg(r, inv, "order"), *name = reg_arg(r, inv, "name");
	int64_t now = r->api->now_ms(self), count = 0, oldest = 0;
	reg_binding b;
	job *j;
	char text[300];

	if (!(j = calloc(1, sizeof(*j))))
		return HW_ERR_NOMEM;
	j->r = r;
	j->rehearsal = inv->door == HW_DOOR_CONSOLE;
	snprintf(j->user_id, sizeof(j->user_id), "%s", inv->user_id ? inv->user_id : "");
	snprintf(j->name, sizeof(j->name), "%s", name ? name : "");
	if (!j->rehearsal) {
		if (reg_store_failures(r, j->user_id, now - REG_FAILURE_WINDOW_MS, &count, &oldest))
			goto storage;
		if (count >= REG_MAX_FAILURES) {
			int64_t wait_min = (oldest + REG_FAILURE_WINDOW_MS - now + 59999) / 60000;
			reg_store_attempt(r, j->user_id, now, "throttled");
			reg_log(r, "<@%s> (%s) throttled: %d failed attempts this hour", j->user_id,
				j->user_id, REG_MAX_FAILURES);
			hw_fmt(text, sizeof(text), "Too many failed attempts: please wait %lld minute%s "
			       "before trying again, or ask an organizer for help.",
			       (long long)wait_min, wait_min == 1 ? "" : "s");
			r->api->reply_message(self, inv, &(hw_message){.struct_size = sizeof(hw_message),
					      .content = text, .ephemeral = 1});
			free(j);
			return HW_OK;
		}
		if (!reg_store_binding_by_user(r, j->user_id, &b)) {
			hw_fmt(text, sizeof(text), "You are already registered (order %s). If that is "
			       "wrong, please ask an organizer.", b.order_code);
			r->api->reply_message(self, inv, &(hw_message){.struct_size = sizeof(hw_message),
					      .content = text, .ephemeral = 1});
			free(j);
			return HW_OK;
		}
	}
	if (!(j->inv = r->api->invocation_keep(self, inv))) {
		free(j);
		return HW_ERR_PLUGIN;
	}
	if (reg_order_code_norm(code, j->code, sizeof(j->code)) || !j->name[0]) {
		j->code[0] = '\0';
		if (j->rehearsal)
			answer(j, "Rehearsal: that is not an order code and a name.");
		else
			fail(j, "not an order code and a name");
		job_free(j);
		return HW_OK;
	}
	attempt(j);
	return HW_OK;
storage:
	free(j);
	return HW_ERR_STORAGE;
}

/* ---- the queue ---- */

void reg_queue_kick(reg *r)
{
	sqlite3_stmt *st = NULL;
	job *batch[QUEUE_BATCH];
	size_t n = 0;
	int64_t now = r->api->now_ms(r->self);

	if (reg_pretix_unavailable(r))
		return;
	if (hw_db_prepare(r->db, &st, "SELECT user_id, order_code, name FROM registration_queue"
			  " WHERE attempt_ms IS NULL ORDER BY queued_ms LIMIT 10", NULL))
		return;
	while (n < QUEUE_BATCH && sqlite3_step(st) == SQLITE_ROW) {
		job *j = calloc(1, sizeof(*j));
		if (!j)
			break;
		j->r = r;
		j->from_queue = 1;
		snprintf(j->user_id, sizeof(j->user_id), "%s", hw_db_text(st, 0));
		snprintf(j->code, sizeof(j->code), "%s", hw_db_text(st, 1));
		snprintf(j->name, sizeof(j->name), "%s", hw_db_text(st, 2));
		batch[n++] = j;
	}
	sqlite3_finalize(st);
	for (size_t i = 0; i < n; i++) {
		hw_db_exec(r->db, "UPDATE registration_queue SET attempt_ms = ? WHERE user_id = ?",
			   "it", now, batch[i]->user_id);
		attempt(batch[i]);
	}
}

static void queue_tick(hw_plugin *self, hw_handle t, void *ud)
{
	reg *r = ud;
	(void)t;
	/* an attempt whose lookup never came back is tried again */
	hw_db_exec(r->db, "UPDATE registration_queue SET attempt_ms = NULL WHERE attempt_ms < ?",
		   "i", r->api->now_ms(self) - 5 * 60 * 1000);
	reg_queue_kick(r);
}

int reg_queue_start(reg *r)
{
	if (hw_db_exec(r->db, "UPDATE registration_queue SET attempt_ms = NULL", NULL))
		return HW_ERR_STORAGE;
	r->queue_timer = r->api->timer_add(r->self, 3000, REG_QUEUE_RETRY_MS, queue_tick, r);
	return r->queue_timer ? HW_OK : HW_ERR_NOMEM;
}

static const hw_arg_spec register_args[] = {
	{.name = "order", .type = HW_ARG_STRING, .required = 1,
	 .description = "Your order code (in the confirmation e-mail, e.g. ABC12)"},
	{.name = "name", .type = HW_ARG_TEXT, .required = 1,
	 .description = "The name on your ticket"},
};

int reg_register_add(reg *r)
{
	hw_command_spec spec = {
		.struct_size = sizeof(spec),
		.name = "register",
		.summary = "Link your conference ticket to your Discord account",
		.help = "register <order code> <name on the ticket>: checks your paid ticket in "
			"pretix and gives you the roles that go with it. Five failed attempts an "
			"hour at most.",
		.perm = HW_PERM_EVERYONE,
		.args = register_args,
		.nargs = sizeof(register_args) / sizeof(register_args[0]),
		.fn = cmd_register,
		.ud = r,
	};
	return r->api->command_add(r->self, &spec);
}
