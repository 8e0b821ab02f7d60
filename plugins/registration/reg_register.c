/*
 * `register <order> <name…>` (any door; the Register button's form runs it
 * too) and the queue of registrations that wait for pretix.
 *
 * One attempt is one or two units of work. The first counts the user's
 * failures of the last hour (5, then a cool-down), checks they hold no
 * ticket yet, and tries the cache: a paid order there with a free ticket
 * whose name matches is bound at once. Otherwise pretix is asked (an order
 * paid or renamed since the last sync) and the second unit caches its
 * answer and decides for good. When pretix does not answer, the attempt
 * waits in registration_queue and the user gets a DM once it is done. Only
 * paid orders (status "p") count, and only positions not canceled. Every
 * failure gets the same answer, so an answer never tells whether an order
 * exists.
 *
 * Binding is one transaction: the position -> user row (a position and a
 * user are each unique, so a ticket is never bound twice), the role and
 * nickname changes and DMs it owes (reg_grant.c), the attempt; the calls
 * to Discord are made only after the commit.
 *
 * In the console the command is a rehearsal: it looks up and matches, and
 * says what it would do, without binding anything.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/text.h>

#include "reg_name.h"
#include "reg_store.h"
#include "registration.h"

#define QUEUE_BATCH 10
#define NICK_CHARS 32

enum outcome {
	OUT_NONE = 0,
	OUT_LOOKUP,       /* the cache cannot decide: ask pretix */
	OUT_THROTTLED,
	OUT_ALREADY_USER, /* this user holds a ticket already */
	OUT_ALREADY_MINE, /* ... this very one */
	OUT_BOUND,
	OUT_TAKEN,
	OUT_FAILED,
	OUT_REHEARSED,
	OUT_QUEUED,
};

typedef struct job {
	reg *r;
	const hw_invocation *inv; /* kept; NULL for a queued attempt */
	int rehearsal;            /* the console: say what would happen */
	int from_queue;
	int final;                /* pretix has answered (order, or no such order) */
	char user_id[32];
	char code[REG_CODE_MAX];
	char name[REG_NAME_MAX];
	reg_order *order;         /* pretix's answer, owned */
	int64_t now;

	/* what the body decided */
	enum outcome out;
	reg_position pos;
	char text[700];           /* the answer */
	char log[500];            /* the log channel's line, or "" */
} job;

static const char FAIL_TEXT[] =
	"I could not find a paid ticket with that order code and name. Check the order code in "
	"your confirmation e-mail and type the name as it is on the ticket.";
static const char SAVE_FAILED[] =
	"Sorry, I could not save your registration; please try again in a minute.";

static void job_free(void *p)
{
	job *j = p;
	if (!j)
		return;
	/* Once shutdown began the host sweeps kept invocations itself; one
	 * may be gone already when a late done() frees its job. */
	if (j->inv && !hw_units_stopping(j->r->units))
		j->r->api->invocation_release(j->r->self, j->inv);
	if (j->order) {
		reg_order_free(j->order);
		free(j->order);
	}
	free(j);
}

static void answer(job *j, const char *text)
{
	reg *r = j->r;
	hw_message m = {.struct_size = sizeof(m), .content = text, .ephemeral = 1};
	if (j->inv)
		r->api->reply_message(r->self, j->inv, &m);
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

/* ---- inside a body ---- */

/* A queued attempt is answered by DM (through the outbox) and leaves the
 * queue in the same transaction. */
static int close_queued(reg *r, hw_tx *tx, job *j)
{
	int rc;
	if (!j->from_queue)
		return HW_OK;
	rc = hw_sql_exec(r->api, tx, "DELETE FROM registration_queue WHERE user_id = ?", "t", j->user_id);
	return rc ? rc : reg_dm_queue(r, tx, j->user_id, j->text);
}

static int failed(reg *r, hw_tx *tx, job *j, const char *why)
{
	int64_t count = 0, oldest = 0;
	int rc = reg_store_attempt(r, tx, j->user_id, j->now, "failed");
	if (!rc)
		rc = reg_store_failures(r, tx, j->user_id, j->now - REG_FAILURE_WINDOW_MS, &count,
					&oldest);
	if (rc)
		return rc;
	j->out = OUT_FAILED;
	hw_fmt(j->log, sizeof(j->log), "<@%s> (%s) refused: %s (order %s; failure %lld of %d this "
	       "hour)", j->user_id, j->user_id, why, j->code[0] ? j->code : "-", (long long)count,
	       REG_MAX_FAILURES);
	if (count >= REG_MAX_FAILURES)
		hw_fmt(j->text, sizeof(j->text), "%s That was the last attempt for this hour; ask an "
		       "organizer if you are stuck.", FAIL_TEXT);
	else
		hw_fmt(j->text, sizeof(j->text), "%s (%lld of %d attempts left this hour.)", FAIL_TEXT,
		       (long long)(REG_MAX_FAILURES - count), REG_MAX_FAILURES);
	return close_queued(r, tx, j);
}

static int bind(reg *r, hw_tx *tx, job *j, const reg_position *p)
{
	char nick[NICK_CHARS * 4 + 1], full[REG_NAME_MAX * 2 + 2];
	int rc;

	nick_of(p, nick, sizeof(nick));
	/* the whole name on the ticket (the nickname may be cut) */
	if (p->name[0])
		snprintf(full, sizeof(full), "%s", p->name);
	else
		hw_fmt(full, sizeof(full), "%s%s%s", p->given, p->given[0] ? " " : "", p->family);
	rc = hw_sql_exec(r->api, tx, "INSERT INTO registration_binding (position_id, user_id, order_code,"
		      " item, variation, name, bound_ms) VALUES (?, ?, ?, ?, ?, ?, ?)"
		      " ON CONFLICT DO NOTHING", "ittiiti", p->id, j->user_id, j->code, p->item,
		      p->variation, full, j->now);
	if (rc)
		return rc;
	if (r->api->db_changes(tx) == 0)
		return failed(r, tx, j, "the ticket was taken at the same moment");
	j->out = OUT_BOUND;
	j->pos = *p;
	hw_fmt(j->text, sizeof(j->text), "Welcome, %s! Your ticket (order %s) is now linked to your "
	       "Discord account; your roles%s are on their way.", nick, j->code,
	       r->nickname ? " and nickname" : "");
	hw_fmt(j->log, sizeof(j->log), "<@%s> (%s) registered: order %s, ticket position %lld (item "
	       "%lld, variation %lld)%s", j->user_id, j->user_id, j->code, (long long)p->id,
	       (long long)p->item, (long long)p->variation, j->from_queue ? ", from the queue" : "");
	if ((rc = reg_grant_queue_ticket(r, tx, j->user_id, p->item, p->variation, nick, 1, j->now)) ||
	    (rc = reg_store_attempt(r, tx, j->user_id, j->now, "registered")))
		return rc;
	if (!j->from_queue)
		return hw_sql_exec(r->api, tx, "DELETE FROM registration_queue WHERE user_id = ?", "t",
				j->user_id);
	return close_queued(r, tx, j);
}

/* What the order says for this attempt (o NULL: no such order). */
static int decide(reg *r, hw_tx *tx, job *j, const reg_order *o)
{
	const reg_position *mine = NULL, *free_pos = NULL, *taken = NULL;
	reg_binding b;
	char holder[32] = "", nick[NICK_CHARS * 4 + 1];

	if (o && o->status == 'p') {
		for (size_t i = 0; i < o->npos; i++) {
			const reg_position *p = &o->pos[i];
			int rc;
			if (p->canceled || !reg_name_matches(j->name, p))
				continue;
			rc = reg_store_binding_by_position(r, tx, p->id, &b);
			if (rc == HW_ERR_NOT_FOUND) {
				if (!free_pos)
					free_pos = p;
			} else if (rc) {
				return rc;
			} else if (!strcmp(b.user_id, j->user_id)) {
				mine = p;
			} else if (!taken) {
				taken = p;
				snprintf(holder, sizeof(holder), "%s", b.user_id);
			}
		}
	}
	if (j->rehearsal && (free_pos || taken || mine)) {
		const reg_position *p = free_pos ? free_pos : taken ? taken : mine;
		nick_of(p, nick, sizeof(nick));
		j->out = OUT_REHEARSED;
		if (!free_pos)
			hw_fmt(j->text, sizeof(j->text), "Rehearsal: order %s matches ticket position "
			       "%lld (item %lld, variation %lld), but it is already bound to user %s.",
			       j->code, (long long)p->id, (long long)p->item, (long long)p->variation,
			       taken ? holder : j->user_id);
		else
			hw_fmt(j->text, sizeof(j->text), "Rehearsal: order %s matches ticket position "
			       "%lld (item %lld, variation %lld); a registration would give its roles "
			       "and the nickname \"%s\". Nothing was bound.", j->code, (long long)p->id,
			       (long long)p->item, (long long)p->variation, nick);
		return HW_OK;
	}
	if (mine) {
		j->out = OUT_ALREADY_MINE;
		hw_fmt(j->text, sizeof(j->text), "You are already registered with this ticket "
		       "(order %s).", j->code);
		return close_queued(r, tx, j);
	}
	if (free_pos)
		return bind(r, tx, j, free_pos);
	if (!j->final) {
		j->out = OUT_LOOKUP;
		return HW_OK;
	}
	if (j->rehearsal) {
		j->out = OUT_REHEARSED;
		hw_fmt(j->text, sizeof(j->text), "Rehearsal: no paid ticket matches this order code "
		       "and name.");
		return HW_OK;
	}
	if (taken) {
		int rc = reg_store_attempt(r, tx, j->user_id, j->now, "failed");
		if (rc)
			return rc;
		j->out = OUT_TAKEN;
		hw_fmt(j->text, sizeof(j->text), "That ticket is already linked to another Discord "
		       "account. If that was not you, please ask an organizer.");
		hw_fmt(j->log, sizeof(j->log), "<@%s> (%s) refused: ticket position %lld of order %s "
		       "is already bound to <@%s>", j->user_id, j->user_id, (long long)taken->id,
		       j->code, holder);
		return close_queued(r, tx, j);
	}
	return failed(r, tx, j, o ? (o->status == 'p' ? "no ticket name matches"
					     : "the order is not paid")
				  : "no such order");
}

/* The first unit of an attempt: throttle, one ticket per user, the cache. */
static int first_body(void *ctx, hw_tx *tx, void *p)
{
	reg *r = ctx;
	job *j = p;
	reg_order cached;
	reg_binding b;
	int64_t count = 0, oldest = 0;
	int rc;

	if (!j->rehearsal) {
		if (!j->from_queue) {
			if ((rc = reg_store_failures(r, tx, j->user_id, j->now - REG_FAILURE_WINDOW_MS,
						     &count, &oldest)))
				return rc;
			if (count >= REG_MAX_FAILURES) {
				int64_t wait_min =
					(oldest + REG_FAILURE_WINDOW_MS - j->now + 59999) / 60000;
				j->out = OUT_THROTTLED;
				hw_fmt(j->text, sizeof(j->text), "Too many failed attempts: please wait "
				       "%lld minute%s before trying again, or ask an organizer for help.",
				       (long long)wait_min, wait_min == 1 ? "" : "s");
				hw_fmt(j->log, sizeof(j->log), "<@%s> (%s) throttled: %d failed attempts "
				       "this hour", j->user_id, j->user_id, REG_MAX_FAILURES);
				return reg_store_attempt(r, tx, j->user_id, j->now, "throttled");
			}
		}
		rc = reg_store_binding_by_user(r, tx, j->user_id, &b);
		if (!rc) {
			j->out = OUT_ALREADY_USER;
			hw_fmt(j->text, sizeof(j->text), "You are already registered (order %s). If that "
			       "is wrong, please ask an organizer.", b.order_code);
			return close_queued(r, tx, j);
		}
		if (rc != HW_ERR_NOT_FOUND)
			return rc;
	}
	if (!j->code[0] || !j->name[0]) {
		if (j->rehearsal) {
			j->out = OUT_REHEARSED;
			hw_fmt(j->text, sizeof(j->text), "Rehearsal: that is not an order code and a "
			       "name.");
			return HW_OK;
		}
		return failed(r, tx, j, "not an order code and a name");
	}
	rc = reg_store_get_order(r, tx, j->code, &cached);
	if (rc == HW_ERR_NOT_FOUND) {
		j->out = OUT_LOOKUP;
		return HW_OK;
	}
	if (rc)
		return rc;
	rc = decide(r, tx, j, &cached);
	reg_order_free(&cached);
	return rc;
}

/* The second unit: pretix's answer cached, then the final word. */
static int final_body(void *ctx, hw_tx *tx, void *p)
{
	reg *r = ctx;
	job *j = p;
	int rc;
	if (j->order && !j->rehearsal && (rc = reg_store_put_order(r, tx, j->order, j->now)))
		return rc;
	return decide(r, tx, j, j->order);
}

static int enqueue_body(void *ctx, hw_tx *tx, void *p)
{
	reg *r = ctx;
	job *j = p;
	int rc = hw_sql_exec(r->api, tx, "INSERT INTO registration_queue (user_id, order_code, name,"
			  " queued_ms) VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET"
			  " order_code = excluded.order_code, name = excluded.name,"
			  " queued_ms = excluded.queued_ms, attempt_ms = NULL",
			  "ttti", j->user_id, j->code, j->name, j->now);
	if (rc)
		return rc;
	j->out = OUT_QUEUED;
	hw_fmt(j->text, sizeof(j->text), "pretix (the ticket shop) is not answering right now. "
	       "Your registration is queued; you will get a DM when it is done.");
	hw_fmt(j->log, sizeof(j->log), "<@%s> (%s) queued: pretix is not answering (order %s)",
	       j->user_id, j->user_id, j->code);
	return reg_store_attempt(r, tx, j->user_id, j->now, "queued");
}

static int release_body(void *ctx, hw_tx *tx, void *p)
{
	reg *r = ctx;
	job *j = p;
	return hw_sql_exec(r->api, tx, "UPDATE registration_queue SET attempt_ms = NULL WHERE user_id = ?",
			"t", j->user_id);
}

/* ---- on the loop ---- */

static void decided(void *ctx, int status, void *p);

static void looked_up(reg *r, enum reg_lookup_result res, reg_order *order, void *ud)
{
	job *j = ud;
	if (res == REG_UNAVAILABLE) {
		if (j->rehearsal) {
			answer(j, "Rehearsal: pretix is not answering right now; a registration would "
			       "wait in the queue.");
			job_free(j);
		} else if (j->from_queue) {
			/* it stays queued; the next kick tries again */
			hw_units_run(r->units, release_body, NULL, job_free, j);
		} else {
			j->now = r->api->now_ms(r->self);
			hw_units_run(r->units, enqueue_body, decided, job_free, j);
		}
		return;
	}
	j->order = order; /* NULL: no such order */
	j->final = 1;
	j->now = r->api->now_ms(r->self);
	hw_units_run(r->units, final_body, decided, job_free, j);
}

static void decided(void *ctx, int status, void *p)
{
	reg *r = ctx;
	job *j = p;
	if (status != HW_OK) {
		r->api->log(r->self, HW_LOG_ERROR, "registration: an attempt of %s could not be "
			    "saved (%d)", j->user_id, status);
		answer(j, SAVE_FAILED);
		job_free(j);
		return;
	}
	if (j->out == OUT_LOOKUP) {
		if (reg_pretix_unavailable(r)) {
			looked_up(r, REG_UNAVAILABLE, NULL, j);
		} else if (reg_pretix_lookup(r, j->code, looked_up, job_free, j)) {
			looked_up(r, REG_UNAVAILABLE, NULL, j);
		}
		return;
	}
	if (j->log[0])
		reg_log(r, "%s", j->log);
	answer(j, j->text);
	if (j->out == OUT_BOUND || j->from_queue)
		reg_grant_flush(r);
	job_free(j);
}

static int cmd_register(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	reg *r = ud;
	const char *code = reg_arg(r, inv, "order"), *name = reg_arg(r, inv, "name");
	job *j = calloc(1, sizeof(*j));

	if (!j)
		return HW_ERR_NOMEM;
	j->r = r;
	j->rehearsal = inv->door == HW_DOOR_CONSOLE;
	j->now = r->api->now_ms(self);
	snprintf(j->user_id, sizeof(j->user_id), "%s", inv->user_id ? inv->user_id : "");
	snprintf(j->name, sizeof(j->name), "%s", name ? name : "");
	if (reg_order_code_norm(code, j->code, sizeof(j->code)))
		j->code[0] = '\0';
	if (!(j->inv = r->api->invocation_keep(self, inv))) {
		free(j);
		return HW_ERR_PLUGIN;
	}
	if (hw_units_run(r->units, first_body, decided, job_free, j))
		return HW_ERR_UNAVAILABLE; /* j was freed; the user sees the host's answer */
	return HW_OK;
}

/* ---- the queue ---- */

struct kick {
	int64_t now;
	job *jobs[QUEUE_BATCH];
	size_t n;
};

static void kick_free(void *p)
{
	struct kick *k = p;
	if (!k)
		return;
	for (size_t i = 0; i < k->n; i++)
		job_free(k->jobs[i]);
	free(k);
}

static int kick_body(void *ctx, hw_tx *tx, void *p)
{
	reg *r = ctx;
	struct kick *k = p;
	hw_stmt *st = hw_sql(r->api, tx, "SELECT user_id, order_code, name FROM registration_queue"
			      " WHERE attempt_ms IS NULL ORDER BY queued_ms LIMIT 10", NULL);
	int rc;
	if (!st)
		return HW_ERR_STORAGE;
	while ((rc = r->api->db_step(st)) == HW_ROW) {
		job *j;
		if (k->n >= QUEUE_BATCH)
			continue;
		if (!(j = calloc(1, sizeof(*j))))
			return HW_ERR_NOMEM;
		j->r = r;
		j->from_queue = 1;
		snprintf(j->user_id, sizeof(j->user_id), "%s", hw_sql_col(r->api, st, 0));
		snprintf(j->code, sizeof(j->code), "%s", hw_sql_col(r->api, st, 1));
		snprintf(j->name, sizeof(j->name), "%s", hw_sql_col(r->api, st, 2));
		k->jobs[k->n++] = j;
	}
	if (rc != HW_DONE)
		return HW_ERR_STORAGE;
	for (size_t i = 0; i < k->n; i++)
		if ((rc = hw_sql_exec(r->api, tx, "UPDATE registration_queue SET attempt_ms = ?"
				   " WHERE user_id = ?", "it", k->now, k->jobs[i]->user_id)))
			return rc;
	return HW_OK;
}

static void kick_again(hw_plugin *self, hw_handle t, void *ud)
{
	reg *r = ud;
	(void)self;
	(void)t;
	r->kick_timer = 0;
	reg_queue_kick(r);
}

static void kick_done(void *ctx, int status, void *p)
{
	reg *r = ctx;
	struct kick *k = p;
	r->kicking = 0;
	/* A full batch may have more behind it (pretix back after a long
	 * outage): the next one in 2 s, not at the next 30 s tick, and not at
	 * once (pretix would see a burst). */
	if (status == HW_OK && k->n == QUEUE_BATCH && !r->kick_timer)
		r->kick_timer = r->api->timer_add(r->self, 2000, 0, kick_again, r);
	for (size_t i = 0; status == HW_OK && i < k->n; i++) {
		job *j = k->jobs[i];
		k->jobs[i] = NULL;
		j->now = r->api->now_ms(r->self);
		hw_units_run(r->units, first_body, decided, job_free, j);
	}
	if (status == HW_OK)
		k->n = 0;
	kick_free(k);
}

void reg_queue_kick(reg *r)
{
	struct kick *k;
	if (r->kicking || reg_pretix_unavailable(r) || !(k = calloc(1, sizeof(*k))))
		return;
	k->now = r->api->now_ms(r->self);
	r->kicking = 1;
	if (hw_units_run(r->units, kick_body, kick_done, kick_free, k))
		r->kicking = 0;
}

static int stale_body(void *ctx, hw_tx *tx, void *p)
{
	reg *r = ctx;
	const int64_t *before = p;
	/* an attempt whose lookup never came back is tried again */
	return hw_sql_exec(r->api, tx, "UPDATE registration_queue SET attempt_ms = NULL WHERE attempt_ms < ?",
			"i", *before);
}

static void stale_done(void *ctx, int status, void *p)
{
	reg *r = ctx;
	(void)status;
	free(p);
	reg_queue_kick(r);
}

static void queue_release(reg *r, int64_t before)
{
	int64_t *p = malloc(sizeof(*p));
	if (!p)
		return;
	*p = before;
	hw_units_run(r->units, stale_body, stale_done, free, p);
}

static void queue_tick(hw_plugin *self, hw_handle t, void *ud)
{
	reg *r = ud;
	(void)t;
	queue_release(r, r->api->now_ms(self) - 5 * 60 * 1000);
}

int reg_queue_start(reg *r)
{
	queue_release(r, INT64_MAX);
	r->queue_timer = r->api->timer_add(r->self, REG_QUEUE_RETRY_MS, REG_QUEUE_RETRY_MS,
					   queue_tick, r);
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
