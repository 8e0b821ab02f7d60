/*
 * The outbox: role and nickname changes (registration_grant) and DMs
 * (registration_outbox). A registration (or an unbind, or a queued attempt
 * that finished) inserts what it owes in the same transaction as the
 * change itself; it is sent after the commit and a row is deleted once
 * Discord accepted it. A restart finds the rows of a crash and sends them
 * again (PUT and DELETE of a role are idempotent), so a registration is
 * never half done. Something Discord refuses for good (403 missing
 * permissions, 404 unknown member or role, a user who takes no DMs) is
 * dropped with a line in the log channel; anything else is tried again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registration.h"

#define GRANT_BATCH 25
#define STALE_MS (5 * 60 * 1000)
#define MAX_ROLES 64

enum { CALL_GRANT = 0, CALL_DM = 1 };

struct reg_call {
	struct reg_call *next;
	reg *r;
	int table;           /* CALL_GRANT or CALL_DM */
	int64_t id;
	char kind[8];        /* role+, role-, nick, dm */
	char user_id[32];
	char *value;         /* role ID, nickname or DM text */
};

static void call_free(void *p)
{
	struct reg_call *c = p;
	if (c) {
		free(c->value);
		free(c);
	}
}

/* ---- queueing (inside the caller's body) ---- */

static size_t add_roles(const json_t *v, const char **out, size_t n)
{
	const json_t *x;
	size_t i;
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		for (i = 0; i < n; i++)
			if (!strcmp(out[i], s))
				return n;
		if (n < MAX_ROLES)
			out[n++] = s;
		return n;
	}
	json_array_foreach(v, i, x)
		n = add_roles(x, out, n);
	return n;
}

static int queue(reg *r, hw_tx *tx, const char *user_id, const char *kind, const char *value,
		 int64_t now)
{
	return hw_sql_exec(r->api, tx, "INSERT INTO registration_grant (user_id, kind, value, queued_ms)"
			" VALUES (?, ?, ?, ?)", "ttti", user_id, kind, value, now);
}

int reg_grant_queue_roles(reg *r, hw_tx *tx, const char *user_id, const json_t *roles, int add,
			  int64_t now)
{
	const char *list[MAX_ROLES];
	size_t n = add_roles(roles, list, 0);
	int rc = HW_OK;
	for (size_t i = 0; !rc && i < n; i++)
		rc = queue(r, tx, user_id, add ? "role+" : "role-", list[i], now);
	return rc;
}

int reg_grant_queue_ticket(reg *r, hw_tx *tx, const char *user_id, int64_t item,
			   int64_t variation, const char *nick, int add, int64_t now)
{
	const char *list[MAX_ROLES];
	char key[24];
	size_t n = add_roles(r->roles_registered, list, 0);
	int rc = HW_OK;

	snprintf(key, sizeof(key), "%lld", (long long)item);
	n = add_roles(json_object_get(r->roles_items, key), list, n);
	if (variation) {
		snprintf(key, sizeof(key), "%lld", (long long)variation);
		n = add_roles(json_object_get(r->roles_variations, key), list, n);
	}
	for (size_t i = 0; !rc && i < n; i++)
		rc = queue(r, tx, user_id, add ? "role+" : "role-", list[i], now);
	if (!rc && add && r->nickname && nick && *nick)
		rc = queue(r, tx, user_id, "nick", nick, now);
	return rc;
}

int reg_dm_queue(reg *r, hw_tx *tx, const char *user_id, const char *text)
{
	return hw_sql_exec(r->api, tx, "INSERT INTO registration_outbox (user_id, text) VALUES (?, ?)", "tt",
			user_id, text);
}

/* ---- after an answer: delete the row or let it wait again ---- */

struct settle {
	int table;
	int64_t id;
	int drop;
};

static int settle_body(void *ctx, hw_tx *tx, void *job)
{
	reg *r = ctx;
	struct settle *s = job;
	if (s->table == CALL_DM)
		return hw_sql_exec(r->api, tx, s->drop ? "DELETE FROM registration_outbox WHERE id = ?"
					       : "UPDATE registration_outbox SET attempt_ms = NULL"
						 " WHERE id = ?", "i", s->id);
	return hw_sql_exec(r->api, tx, s->drop ? "DELETE FROM registration_grant WHERE id = ?"
				       : "UPDATE registration_grant SET attempt_ms = NULL,"
					 " tries = tries + 1 WHERE id = ?", "i", s->id);
}

static void settle_done(void *ctx, int status, void *job)
{
	reg *r = ctx;
	(void)r;
	(void)status; /* a row not settled is sent again after STALE_MS */
	free(job);
}

static void settle(reg *r, const struct reg_call *c, int drop)
{
	struct settle *s = malloc(sizeof(*s));
	if (!s)
		return;
	s->table = c->table;
	s->id = c->id;
	s->drop = drop;
	hw_units_run(r->units, settle_body, settle_done, free, s);
}

static void call_unlink(reg *r, struct reg_call *c)
{
	for (struct reg_call **it = &r->calls; *it; it = &(*it)->next)
		if (*it == c) {
			*it = c->next;
			return;
		}
}

static void describe(const struct reg_call *c, char *buf, size_t len)
{
	if (c->table == CALL_DM)
		snprintf(buf, len, "send a DM to <@%s>", c->user_id);
	else if (!strcmp(c->kind, "nick"))
		snprintf(buf, len, "set the nickname of <@%s>", c->user_id);
	else
		snprintf(buf, len, "%s role %s %s <@%s>", c->kind[4] == '+' ? "give" : "take",
			 c->value, c->kind[4] == '+' ? "to" : "from", c->user_id);
}

static void call_done(hw_plugin *self, int status, const char *message_id, const char *error,
		      void *ud)
{
	struct reg_call *c = ud;
	reg *r = c->r;
	char what[200];
	int ok = c->table == CALL_DM ? message_id != NULL : status >= 200 && status < 300;
	(void)self;
	call_unlink(r, c);
	if (ok) {
		settle(r, c, 1);
	} else if (status >= 400 && status < 500 && status != 429) {
		describe(c, what, sizeof(what));
		reg_log(r, "could not %s: Discord said %d %s (not retrying%s)", what, status,
			error ? error : "",
			c->table == CALL_DM ? "" : "; check the bot's role is above the ticket roles");
		settle(r, c, 1);
	} else {
		r->api->log(r->self, HW_LOG_WARN, "registration: outbox row %lld failed (%d %s); "
			    "will retry", (long long)c->id, status, error ? error : "");
		settle(r, c, 0);
	}
	call_free(c);
	/* The batch is answered and rows were left behind it: the next one
	 * now, not at the next timer tick (a registration rush). */
	if (!r->calls && r->outbox_more && !hw_units_stopping(r->units)) {
		r->outbox_more = 0;
		reg_grant_flush(r);
	}
}

static int send_one(reg *r, const char *guild, struct reg_call *c)
{
	static const char reason[] = "hallway registration (pretix ticket)";
	if (c->table == CALL_DM) {
		hw_message m = {.struct_size = sizeof(m), .content = c->value};
		return r->api->dm(r->self, c->user_id, &m, call_done, c);
	}
	if (!strcmp(c->kind, "nick"))
		return r->api->member_nick(r->self, guild, c->user_id, c->value, reason, call_done, c);
	return r->api->member_role(r->self, guild, c->user_id, c->value, c->kind[4] == '+', reason,
				   call_done, c);
}

/* ---- the flush: claim a batch in one unit of work, send after it ---- */

struct batch {
	char guild[32];      /* "" when unknown: role changes wait */
	int64_t now;
	int more;            /* rows were left behind this batch */
	struct reg_call *calls[2 * GRANT_BATCH];
	size_t n;
};

static void batch_free(void *p)
{
	struct batch *b = p;
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++)
		call_free(b->calls[i]);
	free(b);
}

static int claim(reg *r, hw_tx *tx, struct batch *b, int table)
{
	/* one more row than a batch tells whether rows are left behind it */
	hw_stmt *st = table == CALL_DM
			      ? hw_sql(r->api, tx, "SELECT id, user_id, 'dm', text FROM registration_outbox"
					" WHERE attempt_ms IS NULL ORDER BY id LIMIT 26", NULL)
			      : hw_sql(r->api, tx, "SELECT id, user_id, kind, value FROM registration_grant"
					" WHERE attempt_ms IS NULL ORDER BY id LIMIT 26", NULL);
	size_t first = b->n;
	int rc;
	if (!st)
		return HW_ERR_STORAGE;
	while ((rc = r->api->db_step(st)) == HW_ROW) {
		struct reg_call *c;
		if (b->n - first >= GRANT_BATCH) {
			b->more = 1;
			continue;
		}
		if (!(c = calloc(1, sizeof(*c))) || !(c->value = strdup(hw_sql_col(r->api, st, 3)))) {
			call_free(c);
			return HW_ERR_NOMEM;
		}
		c->table = table;
		c->id = r->api->db_col_int(st, 0);
		snprintf(c->user_id, sizeof(c->user_id), "%s", hw_sql_col(r->api, st, 1));
		snprintf(c->kind, sizeof(c->kind), "%s", hw_sql_col(r->api, st, 2));
		b->calls[b->n++] = c;
	}
	if (rc != HW_DONE)
		return HW_ERR_STORAGE;
	/* In flight from now: a flush meanwhile does not send them twice. */
	for (size_t i = first; i < b->n; i++)
		if ((rc = hw_sql_exec(r->api, tx, table == CALL_DM
					 ? "UPDATE registration_outbox SET attempt_ms = ? WHERE id = ?"
					 : "UPDATE registration_grant SET attempt_ms = ? WHERE id = ?",
				   "ii", b->now, b->calls[i]->id)))
			return rc;
	return HW_OK;
}

static int flush_body(void *ctx, hw_tx *tx, void *job)
{
	reg *r = ctx;
	struct batch *b = job;
	int rc = b->guild[0] ? claim(r, tx, b, CALL_GRANT) : HW_OK;
	return rc ? rc : claim(r, tx, b, CALL_DM);
}

static void flush_done(void *ctx, int status, void *job)
{
	reg *r = ctx;
	struct batch *b = job;
	r->flushing = 0;
	if (status == HW_OK && b->more)
		r->outbox_more = 1;
	for (size_t i = 0; status == HW_OK && i < b->n; i++) {
		struct reg_call *c = b->calls[i];
		int rc;
		b->calls[i] = NULL;
		c->r = r;
		c->next = r->calls;
		r->calls = c;
		rc = send_one(r, b->guild, c);
		if (rc == HW_OK)
			continue;
		call_unlink(r, c);
		if (rc == HW_ERR_INVALID) {
			char what[200];
			describe(c, what, sizeof(what));
			reg_log(r, "could not %s: not a valid Discord ID (check roles in the config)",
				what);
			settle(r, c, 1);
		} else {
			settle(r, c, 0);
		}
		call_free(c);
	}
	if (status == HW_OK)
		b->n = 0;
	batch_free(b);
	if (r->flush_again) {
		r->flush_again = 0;
		reg_grant_flush(r);
	}
}

void reg_grant_flush(reg *r)
{
	const char *guild = r->api->guild(r->self);
	struct batch *b;

	if (r->flushing) {
		r->flush_again = 1;
		return;
	}
	if (!guild) {
		if (!r->grant_waiting_guild)
			r->api->log(r->self, HW_LOG_WARN, "registration: the guild is not known yet; "
				    "role changes wait (set discord.guild_id in the config)");
		r->grant_waiting_guild = 1;
	} else {
		r->grant_waiting_guild = 0;
	}
	if (!(b = calloc(1, sizeof(*b))))
		return;
	snprintf(b->guild, sizeof(b->guild), "%s", guild ? guild : "");
	b->now = r->api->now_ms(r->self);
	r->flushing = 1;
	if (hw_units_run(r->units, flush_body, flush_done, batch_free, b))
		r->flushing = 0;
}

/* ---- timers ---- */

static int release_body(void *ctx, hw_tx *tx, void *job)
{
	reg *r = ctx;
	const int64_t *before = job;
	int rc = hw_sql_exec(r->api, tx, "UPDATE registration_grant SET attempt_ms = NULL"
			  " WHERE attempt_ms < ?", "i", *before);
	return rc ? rc : hw_sql_exec(r->api, tx, "UPDATE registration_outbox SET attempt_ms = NULL"
				  " WHERE attempt_ms < ?", "i", *before);
}

static void release_done(void *ctx, int status, void *job)
{
	reg *r = ctx;
	(void)status;
	free(job);
	reg_grant_flush(r);
}

static void release(reg *r, int64_t before)
{
	int64_t *job = malloc(sizeof(*job));
	if (!job)
		return;
	*job = before;
	hw_units_run(r->units, release_body, release_done, free, job);
}

static void on_timer(hw_plugin *self, hw_handle t, void *ud)
{
	reg *r = ud;
	(void)t;
	/* A call whose answer never came is tried again. */
	release(r, r->api->now_ms(self) - STALE_MS);
}

int reg_grant_start(reg *r)
{
	/* Nothing is in flight after a restart: whatever was is sent again. */
	release(r, INT64_MAX);
	r->grant_timer = r->api->timer_add(r->self, REG_GRANT_RETRY_MS, REG_GRANT_RETRY_MS,
					   on_timer, r);
	return r->grant_timer ? HW_OK : HW_ERR_NOMEM;
}

void reg_grant_stop(reg *r)
{
	if (r->grant_timer)
		r->api->cancel(r->self, r->grant_timer);
	r->grant_timer = 0;
	while (r->calls) {
		struct reg_call *c = r->calls;
		r->calls = c->next;
		call_free(c);
	}
}
