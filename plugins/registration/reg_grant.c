/*
 * The role and nickname outbox. A registration (or an unbind) inserts its
 * role and nickname changes into registration_grant in the same
 * transaction as the binding; they are sent after the commit and a row is
 * deleted once Discord accepted the change. A restart finds the rows of a
 * crash and sends them again (PUT and DELETE of a role are idempotent), so
 * a registration is never half done. A change Discord refuses for good
 * (403 missing permissions, 404 unknown member or role) is dropped with a
 * line in the log channel; anything else is tried again.
 */
#include <stdlib.h>
#include <string.h>

#include <hallway/db.h>

#include "registration.h"

#define GRANT_BATCH 25
#define GRANT_STALE_MS (5 * 60 * 1000)
#define MAX_ROLES 64

struct reg_call {
	struct reg_call *next;
	reg *r;
	int64_t id;
	char kind[8];
	char user_id[32];
	char value[140];
};

/* ---- queueing (inside the caller's transaction) ---- */

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

static int queue(reg *r, const char *user_id, const char *kind, const char *value, int64_t now)
{
	return hw_db_exec(r->db, "INSERT INTO registration_grant (user_id, kind, value, queued_ms)"
			  " VALUES (?, ?, ?, ?)", "ttti", user_id, kind, value, now)
		       ? HW_ERR_STORAGE
		       : HW_OK;
}

int reg_grant_queue_roles(reg *r, const char *user_id, const json_t *roles, int add, int64_t now)
{
	const char *list[MAX_ROLES];
	size_t n = add_roles(roles, list, 0);
	int rc = HW_OK;
	for (size_t i = 0; !rc && i < n; i++)
		rc = queue(r, user_id, add ? "role+" : "role-", list[i], now);
	return rc;
}

int reg_grant_queue_ticket(reg *r, const char *user_id, int64_t item, int64_t variation,
			   const char *nick, int add, int64_t now)
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
		rc = queue(r, user_id, add ? "role+" : "role-", list[i], now);
	if (!rc && add && r->nickname && nick && *nick)
		rc = queue(r, user_id, "nick", nick, now);
	return rc;
}

/* ---- sending ---- */

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
	if (!strcmp(c->kind, "nick"))
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
	(void)self;
	(void)message_id;
	call_unlink(r, c);
	if (status >= 200 && status < 300) {
		hw_db_exec(r->db, "DELETE FROM registration_grant WHERE id = ?", "i", c->id);
	} else if (status >= 400 && status < 500 && status != 429) {
		describe(c, what, sizeof(what));
		reg_log(r, "could not %s: Discord said %d %s (not retrying; check the bot's role "
			"is above the ticket roles)", what, status, error ? error : "");
		hw_db_exec(r->db, "DELETE FROM registration_grant WHERE id = ?", "i", c->id);
	} else {
		r->api->log(r->self, HW_LOG_WARN, "registration: role change %lld failed (%d %s); "
			    "will retry", (long long)c->id, status, error ? error : "");
		hw_db_exec(r->db, "UPDATE registration_grant SET attempt_ms = NULL, tries = tries + 1"
			   " WHERE id = ?", "i", c->id);
	}
	free(c);
}

static int send_one(reg *r, const char *guild, struct reg_call *c)
{
	static const char reason[] = "hallway registration (pretix ticket)";
	if (!strcmp(c->kind, "nick"))
		return r->api->member_nick(r->self, guild, c->user_id, c->value, reason, call_done, c);
	return r->api->member_role(r->self, guild, c->user_id, c->value, c->kind[4] == '+', reason,
				   call_done, c);
}

void reg_grant_flush(reg *r)
{
	sqlite3_stmt *st = NULL;
	struct reg_call *batch[GRANT_BATCH];
	const char *guild = r->api->guild(r->self);
	size_t n = 0;
	int64_t now = r->api->now_ms(r->self);

	if (!guild) {
		if (!r->grant_waiting_guild)
			r->api->log(r->self, HW_LOG_WARN, "registration: the guild is not known yet; "
				    "role changes wait (set guild_id in the config)");
		r->grant_waiting_guild = 1;
		return;
	}
	r->grant_waiting_guild = 0;
	if (hw_db_prepare(r->db, &st, "SELECT id, user_id, kind, value FROM registration_grant"
			  " WHERE attempt_ms IS NULL ORDER BY id LIMIT 25", NULL))
		return;
	while (n < GRANT_BATCH && sqlite3_step(st) == SQLITE_ROW) {
		struct reg_call *c = calloc(1, sizeof(*c));
		if (!c)
			break;
		c->r = r;
		c->id = sqlite3_column_int64(st, 0);
		snprintf(c->user_id, sizeof(c->user_id), "%s", hw_db_text(st, 1));
		snprintf(c->kind, sizeof(c->kind), "%s", hw_db_text(st, 2));
		snprintf(c->value, sizeof(c->value), "%s", hw_db_text(st, 3));
		batch[n++] = c;
	}
	sqlite3_finalize(st);
	for (size_t i = 0; i < n; i++) {
		struct reg_call *c = batch[i];
		int rc;
		/* In flight before the call: a synchronous callback (the
		 * console) must find the row claimed, and a flush from inside
		 * it must not send it twice. */
		if (hw_db_exec(r->db, "UPDATE registration_grant SET attempt_ms = ? WHERE id = ?",
			       "ii", now, c->id)) {
			free(c);
			continue;
		}
		c->next = r->calls;
		r->calls = c;
		rc = send_one(r, guild, c);
		if (rc == HW_ERR_INVALID) {
			char what[200];
			call_unlink(r, c);
			describe(c, what, sizeof(what));
			reg_log(r, "could not %s: not a valid Discord ID (check roles in the config)",
				what);
			hw_db_exec(r->db, "DELETE FROM registration_grant WHERE id = ?", "i", c->id);
			free(c);
		} else if (rc) {
			call_unlink(r, c);
			hw_db_exec(r->db, "UPDATE registration_grant SET attempt_ms = NULL WHERE id = ?",
				   "i", c->id);
			free(c);
		}
	}
}

static void on_timer(hw_plugin *self, hw_handle t, void *ud)
{
	reg *r = ud;
	(void)t;
	/* A call whose answer never came is tried again. */
	hw_db_exec(r->db, "UPDATE registration_grant SET attempt_ms = NULL WHERE attempt_ms < ?",
		   "i", r->api->now_ms(self) - GRANT_STALE_MS);
	reg_grant_flush(r);
}

int reg_grant_start(reg *r)
{
	/* Nothing is in flight after a restart: whatever was is sent again. */
	if (hw_db_exec(r->db, "UPDATE registration_grant SET attempt_ms = NULL", NULL))
		return HW_ERR_STORAGE;
	r->grant_timer = r->api->timer_add(r->self, 2000, REG_GRANT_RETRY_MS, on_timer, r);
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
		free(c);
	}
}
