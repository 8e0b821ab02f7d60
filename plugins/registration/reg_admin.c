/*
 * Organizer commands: registration post | status | unbind | stats | export
 * | speaker | refresh. Users are named exactly (a mention or an ID), never
 * found by a partial name; unbind shows what it would undo and needs
 * `confirm`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hallway/buf.h>
#include <hallway/db.h>
#include <hallway/text.h>

#include "reg_store.h"
#include "registration.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* "<@123>", "<@!123>" or "123" -> "123"; 0, or -1 when it is none of them. */
static int user_of(const char *s, char *out, size_t len)
{
	size_t n;
	if (!s)
		return -1;
	if (!strncmp(s, "<@", 2)) {
		s += 2;
		if (*s == '!')
			s++;
		n = strspn(s, "0123456789");
		if (s[n] != '>' || s[n + 1])
			return -1;
	} else {
		n = strspn(s, "0123456789");
		if (s[n])
			return -1;
	}
	if (n < 5 || n > 20 || n >= len)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

static int reply(reg *r, const hw_invocation *inv, const char *text)
{
	return r->api->reply(r->self, inv, text);
}

static void stamp(int64_t ms, char *out, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(out, len, "%Y-%m-%d %H:%M UTC", &tm))
		snprintf(out, len, "?");
}

/* ---- post ---- */

static int cmd_post(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	reg *r = ud;
	const char *where = reg_arg(r, inv, "channel");
	char channel[32];
	json_t *model;
	int rc;

	if (where) {
		if (!strncmp(where, "<#", 2) && where[strlen(where) - 1] == '>') {
			size_t n = strlen(where) - 3;
			if (n >= sizeof(channel))
				return reply(r, inv, "That is not a channel.");
			memcpy(channel, where + 2, n);
			channel[n] = '\0';
		} else {
			snprintf(channel, sizeof(channel), "%s", where);
		}
		if (!channel[0] || strspn(channel, "0123456789") != strlen(channel))
			return reply(r, inv, "That is not a channel: give #channel or its ID.");
	} else if (inv->channel_id) {
		snprintf(channel, sizeof(channel), "%s", inv->channel_id);
	} else {
		return reply(r, inv, "Name the channel: registration post #channel");
	}
	if (!r->api->send_model)
		return reply(r, inv, "This hallway cannot post buttons yet (it needs the reply "
			     "model of plugin ABI 1.2).");
	model = json_pack(
		"{s:i, s:s, s:s, s:[{s:s, s:s, s:{s:s, s:s, s:[{s:s, s:s, s:s, s:i, s:i, s:b},"
		" {s:s, s:s, s:s, s:i, s:i, s:b}]}}]}",
		"version", HW_REPLY_VERSION, "title", "Register your ticket", "text",
		"Click Register, then enter your order code (from your confirmation e-mail) and the "
		"name on your ticket. You will get the roles that go with your ticket.",
		"actions", "label", "Register", "style", "primary", "modal", "title", "Register",
		"command", "register", "fields", "name", "order", "label", "Order code", "style",
		"short", "min", 1, "max", 16, "required", 1, "name", "name", "label",
		"Name on the ticket", "style", "short", "min", 1, "max", 100, "required", 1);
	if (!model)
		return HW_ERR_NOMEM;
	rc = r->api->send_model(self, channel, model, NULL, NULL);
	if (rc)
		return reply(r, inv, "I could not post there (is it a channel I can write in?).");
	reg_log(r, "<@%s> posted the Register button in <#%s>", inv->user_id, channel);
	return reply(r, inv, "Posted.");
}

/* ---- status ---- */

static int status_user(reg *r, const hw_invocation *inv, const char *user)
{
	reg_binding b;
	int64_t grants = 0, failed = 0, oldest = 0, queued = 0;
	char text[900], when[40], speaker[200] = "";
	sqlite3_stmt *st = NULL;
	int rc = reg_store_binding_by_user(r, user, &b);

	if (rc && rc != HW_ERR_NOT_FOUND)
		return rc;
	hw_db_int(r->db, &grants, "SELECT COUNT(*) FROM registration_grant WHERE user_id = ?", "t",
		  user);
	hw_db_int(r->db, &queued, "SELECT COUNT(*) FROM registration_queue WHERE user_id = ?", "t",
		  user);
	reg_store_failures(r, user, r->api->now_ms(r->self) - REG_FAILURE_WINDOW_MS, &failed,
			   &oldest);
	if (!hw_db_prepare(r->db, &st, "SELECT speaker FROM registration_speaker WHERE user_id = ?",
			   "t", user)) {
		if (sqlite3_step(st) == SQLITE_ROW)
			hw_fmt(speaker, sizeof(speaker), " Speaker: %s.", hw_db_text(st, 0));
		sqlite3_finalize(st);
	}
	if (rc == HW_OK) {
		stamp(b.bound_ms, when, sizeof(when));
		hw_fmt(text, sizeof(text), "<@%s> is registered: order %s, ticket position %lld (item "
		       "%lld, variation %lld), name \"%s\", since %s. Role changes waiting: %lld. "
		       "Failed attempts this hour: %lld.%s", user, b.order_code,
		       (long long)b.position_id, (long long)b.item, (long long)b.variation, b.name,
		       when, (long long)grants, (long long)failed, speaker);
	} else {
		hw_fmt(text, sizeof(text), "<@%s> is not registered.%s Failed attempts this hour: "
		       "%lld.%s%s", user, queued ? " A registration waits for pretix." : "",
		       (long long)failed, failed >= REG_MAX_FAILURES ? " (cooling down)" : "", speaker);
	}
	return reply(r, inv, text);
}

static int status_order(reg *r, const hw_invocation *inv, const char *code)
{
	reg_order o;
	hw_buf out;
	char line[600];
	int rc = reg_store_get_order(r, code, &o);

	if (rc == HW_ERR_NOT_FOUND) {
		hw_fmt(line, sizeof(line), "Order %s is not in the cache (pretix is asked when someone "
		       "registers with it; `registration refresh` syncs now).", code);
		return reply(r, inv, line);
	}
	if (rc)
		return rc;
	hw_buf_init(&out, 1900);
	hw_fmt(line, sizeof(line), "Order %s: status %c%s, %zu ticket position%s.\n", code, o.status,
	       o.status == 'p' ? " (paid)" : " (not paid: does not count)", o.npos,
	       o.npos == 1 ? "" : "s");
	hw_buf_add(&out, line);
	for (size_t i = 0; i < o.npos; i++) {
		reg_binding b;
		const reg_position *p = &o.pos[i];
		int bound = !reg_store_binding_by_position(r, p->id, &b);
		char who[64];
		if (bound)
			snprintf(who, sizeof(who), "bound to <@%s>", b.user_id);
		else
			snprintf(who, sizeof(who), "free");
		hw_fmt(line, sizeof(line), "- position %lld: item %lld, variation %lld, \"%s\"%s, %s\n",
		       (long long)p->id, (long long)p->item, (long long)p->variation, p->name,
		       p->canceled ? " (canceled)" : "", who);
		hw_buf_add(&out, line);
	}
	reg_order_free(&o);
	rc = reply(r, inv, hw_buf_str(&out) ? hw_buf_str(&out) : "That answer got too long.");
	hw_buf_free(&out);
	return rc;
}

static int cmd_status(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	reg *r = ud;
	const char *who = reg_arg(r, inv, "who");
	char user[32], code[REG_CODE_MAX];
	(void)self;
	if (!user_of(who, user, sizeof(user)))
		return status_user(r, inv, user);
	if (!reg_order_code_norm(who, code, sizeof(code)))
		return status_order(r, inv, code);
	return reply(r, inv, "Give a user (a mention or an ID) or an order code.");
}

/* ---- unbind ---- */

static int cmd_unbind(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	reg *r = ud;
	const char *who = reg_arg(r, inv, "user"), *confirm = reg_arg(r, inv, "confirm");
	int64_t now = r->api->now_ms(self);
	char user[32], text[600];
	reg_binding b;
	int rc;

	if (user_of(who, user, sizeof(user)))
		return reply(r, inv, "Name the user exactly: a mention or their ID.");
	rc = reg_store_binding_by_user(r, user, &b);
	if (rc == HW_ERR_NOT_FOUND)
		return reply(r, inv, "That user is not registered; nothing to undo.");
	if (rc)
		return rc;
	if (!confirm || strcmp(confirm, "confirm")) {
		hw_fmt(text, sizeof(text), "This frees ticket position %lld of order %s (\"%s\") from "
		       "<@%s> and takes back the roles of that ticket. To do it: registration unbind "
		       "%s confirm", (long long)b.position_id, b.order_code, b.name, user, user);
		return reply(r, inv, text);
	}
	if (hw_db_begin(r->db))
		return HW_ERR_STORAGE;
	if (hw_db_exec(r->db, "DELETE FROM registration_binding WHERE user_id = ?", "t", user) ||
	    hw_db_exec(r->db, "DELETE FROM registration_grant WHERE user_id = ? AND attempt_ms IS NULL",
		       "t", user) ||
	    reg_grant_queue_ticket(r, user, b.item, b.variation, NULL, 0, now) ||
	    reg_store_attempt(r, user, now, "unbound") || hw_db_commit(r->db)) {
		hw_db_rollback(r->db);
		return HW_ERR_STORAGE;
	}
	reg_grant_flush(r);
	reg_log(r, "<@%s> unbound <@%s> (%s) from order %s, ticket position %lld", inv->user_id, user,
		user, b.order_code, (long long)b.position_id);
	hw_fmt(text, sizeof(text), "Done: ticket position %lld of order %s is free again and the "
	       "roles of that ticket are being taken back from <@%s>.", (long long)b.position_id,
	       b.order_code, user);
	return reply(r, inv, text);
}

/* ---- stats ---- */

static int cmd_stats(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	reg *r = ud;
	sqlite3_stmt *st = NULL;
	int64_t total = 0, speakers = 0, attempts = 0, failed = 0, throttled = 0, queued = 0,
		grants = 0, paid = 0, day_failed = 0;
	int64_t now = r->api->now_ms(self);
	char line[400], when[40];
	hw_buf out;
	int rc;

	hw_db_int(r->db, &total, "SELECT COUNT(*) FROM registration_binding", NULL);
	hw_db_int(r->db, &speakers, "SELECT COUNT(*) FROM registration_speaker", NULL);
	hw_db_int(r->db, &attempts, "SELECT COUNT(*) FROM registration_attempt WHERE outcome IN"
		  " ('registered', 'failed', 'throttled', 'queued')", NULL);
	hw_db_int(r->db, &failed, "SELECT COUNT(*) FROM registration_attempt WHERE outcome = 'failed'",
		  NULL);
	hw_db_int(r->db, &day_failed, "SELECT COUNT(*) FROM registration_attempt WHERE outcome ="
		  " 'failed' AND at_ms >= ?", "i", now - 86400000LL);
	hw_db_int(r->db, &throttled, "SELECT COUNT(*) FROM registration_attempt WHERE outcome ="
		  " 'throttled'", NULL);
	hw_db_int(r->db, &queued, "SELECT COUNT(*) FROM registration_queue", NULL);
	hw_db_int(r->db, &grants, "SELECT COUNT(*) FROM registration_grant", NULL);
	hw_db_int(r->db, &paid, "SELECT COUNT(*) FROM registration_order WHERE status = 'p'", NULL);
	hw_buf_init(&out, 1900);
	hw_fmt(line, sizeof(line), "Registered: %lld (speakers: %lld).\n", (long long)total,
	       (long long)speakers);
	hw_buf_add(&out, line);
	if (!hw_db_prepare(r->db, &st, "SELECT item, variation, COUNT(*) FROM registration_binding"
			   " GROUP BY item, variation ORDER BY item, variation", NULL)) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			hw_fmt(line, sizeof(line), "- item %lld, variation %lld: %lld\n",
			       (long long)sqlite3_column_int64(st, 0),
			       (long long)sqlite3_column_int64(st, 1),
			       (long long)sqlite3_column_int64(st, 2));
			hw_buf_add(&out, line);
		}
		sqlite3_finalize(st);
	}
	hw_fmt(line, sizeof(line), "Attempts: %lld; failed: %lld (%lld in the last 24 hours); "
	       "throttled: %lld.\nWaiting for pretix: %lld. Role changes waiting: %lld.\n",
	       (long long)attempts, (long long)failed, (long long)day_failed, (long long)throttled,
	       (long long)queued, (long long)grants);
	hw_buf_add(&out, line);
	if (r->pretix_ok_ms)
		stamp(r->pretix_ok_ms, when, sizeof(when));
	else
		snprintf(when, sizeof(when), "never");
	hw_fmt(line, sizeof(line), "pretix: %s; last answer %s; %lld paid orders cached; %lld "
	       "syncs (%lld unchanged).", r->pretix_down ? "NOT ANSWERING" : "ok", when,
	       (long long)paid, (long long)r->syncs, (long long)r->sync_304s);
	hw_buf_add(&out, line);
	rc = reply(r, inv, hw_buf_str(&out) ? hw_buf_str(&out) : "That answer got too long.");
	hw_buf_free(&out);
	return rc;
}

/* ---- export ---- */

/* One CSV cell: quoted, quotes doubled; a cell a spreadsheet would read
 * as a formula gets a leading apostrophe. */
static void csv_cell(hw_buf *b, const char *s, int last)
{
	hw_buf_add(b, "\"");
	if (strchr("=+-@\t\r", s[0]) && s[0])
		hw_buf_add(b, "'");
	for (const char *p = s; *p; p++)
		hw_buf_addn(b, *p == '"' ? "\"\"" : p, *p == '"' ? 2 : 1);
	hw_buf_add(b, last ? "\"\r\n" : "\",");
}

static int cmd_export(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	reg *r = ud;
	sqlite3_stmt *st = NULL;
	hw_buf csv;
	char num[32], when[40];
	size_t rows = 0;
	int rc;
	(void)self;

	if (hw_db_prepare(r->db, &st, "SELECT user_id, order_code, position_id, item, variation,"
			  " name, bound_ms FROM registration_binding ORDER BY bound_ms, position_id",
			  NULL))
		return HW_ERR_STORAGE;
	hw_buf_init(&csv, 64 << 20);
	hw_buf_add(&csv, "user_id,order_code,position_id,item,variation,name,bound_at\r\n");
	while (sqlite3_step(st) == SQLITE_ROW) {
		csv_cell(&csv, hw_db_text(st, 0), 0);
		csv_cell(&csv, hw_db_text(st, 1), 0);
		for (int c = 2; c <= 4; c++) {
			snprintf(num, sizeof(num), "%lld", (long long)sqlite3_column_int64(st, c));
			csv_cell(&csv, num, 0);
		}
		csv_cell(&csv, hw_db_text(st, 5), 0);
		stamp(sqlite3_column_int64(st, 6), when, sizeof(when));
		csv_cell(&csv, when, 1);
		rows++;
	}
	sqlite3_finalize(st);
	snprintf(num, sizeof(num), "%zu registrations.", rows);
	if (!hw_buf_str(&csv)) {
		hw_buf_free(&csv);
		return reply(r, inv, "The export is too large to send.");
	}
	rc = r->api->reply_file(r->self, inv, num, "registrations.csv", hw_buf_str(&csv),
				strlen(hw_buf_str(&csv)));
	hw_buf_free(&csv);
	return rc;
}

/* ---- speaker ---- */

static int cmd_speaker(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	reg *r = ud;
	const char *who = reg_arg(r, inv, "user"), *speaker = reg_arg(r, inv, "speaker");
	int64_t now = r->api->now_ms(self);
	char user[32], text[400];
	sqlite3_stmt *st = NULL;

	if (user_of(who, user, sizeof(user)))
		return reply(r, inv, "Name the user exactly: a mention or their ID.");
	if (!speaker || !*speaker || strlen(speaker) > 200)
		return reply(r, inv, "Give the speaker as pretalx names them (their code or name).");
	if (!r->roles_speaker)
		return reply(r, inv, "Set roles.speaker in plugins.registration first.");
	if (!hw_db_prepare(r->db, &st, "SELECT user_id FROM registration_speaker WHERE speaker = ?"
			   " AND user_id <> ?", "tt", speaker, user)) {
		int taken = sqlite3_step(st) == SQLITE_ROW;
		if (taken)
			hw_fmt(text, sizeof(text), "That speaker is already claimed by <@%s>; unclaim "
			       "first.", hw_db_text(st, 0));
		sqlite3_finalize(st);
		if (taken)
			return reply(r, inv, text);
	}
	if (hw_db_begin(r->db))
		return HW_ERR_STORAGE;
	if (hw_db_exec(r->db, "INSERT INTO registration_speaker (user_id, speaker, bound_ms)"
		       " VALUES (?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET"
		       " speaker = excluded.speaker, bound_ms = excluded.bound_ms",
		       "tti", user, speaker, now) ||
	    reg_grant_queue_roles(r, user, r->roles_speaker, 1, now) || hw_db_commit(r->db)) {
		hw_db_rollback(r->db);
		return HW_ERR_STORAGE;
	}
	reg_grant_flush(r);
	reg_log(r, "<@%s> made <@%s> (%s) a speaker", inv->user_id, user, user);
	hw_fmt(text, sizeof(text), "<@%s> is now a speaker; the Speaker role is on its way.", user);
	return reply(r, inv, text);
}

static int cmd_refresh(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	reg *r = ud;
	(void)self;
	if (reg_pretix_unavailable(r))
		return reply(r, inv, "pretix is not answering; I will ask again on my own.");
	reg_pretix_sync_now(r);
	return reply(r, inv, "Asking pretix for changed orders now.");
}

/* ---- registration ---- */

static const hw_arg_spec post_args[] = {
	{.name = "channel", .type = HW_ARG_STRING, .description = "Where to post (default: here)"},
};
static const hw_arg_spec status_args[] = {
	{.name = "who", .type = HW_ARG_STRING, .required = 1,
	 .description = "A user (mention or ID) or an order code"},
};
static const hw_arg_spec unbind_args[] = {
	{.name = "user", .type = HW_ARG_STRING, .required = 1,
	 .description = "The user, exactly (mention or ID)"},
	{.name = "confirm", .type = HW_ARG_STRING, .description = "confirm, to do it"},
};
static const hw_arg_spec speaker_args[] = {
	{.name = "user", .type = HW_ARG_STRING, .required = 1,
	 .description = "The user, exactly (mention or ID)"},
	{.name = "speaker", .type = HW_ARG_TEXT, .required = 1,
	 .description = "The speaker's pretalx code or name"},
};

int reg_admin_add(reg *r)
{
	static const struct {
		const char *name, *summary, *help;
		const hw_arg_spec *args;
		size_t nargs;
		hw_command_fn fn;
	} cmds[] = {
		{"registration post", "Post the Register button", "registration post [#channel]: an "
		 "embed with a Register button that opens the form.", post_args, ARRAY_LEN(post_args),
		 cmd_post},
		{"registration status", "Who holds a ticket, or what a user registered",
		 "registration status <user|order>", status_args, ARRAY_LEN(status_args), cmd_status},
		{"registration unbind", "Free a user's ticket and take its roles back",
		 "registration unbind <user> confirm (without confirm: shows what it would do)",
		 unbind_args, ARRAY_LEN(unbind_args), cmd_unbind},
		{"registration stats", "Registrations per ticket type, attempts and failures", NULL,
		 NULL, 0, cmd_stats},
		{"registration export", "Every registration as CSV", NULL, NULL, 0, cmd_export},
		{"registration speaker", "Confirm a user as a speaker (gives roles.speaker)",
		 "registration speaker <user> <speaker>", speaker_args, ARRAY_LEN(speaker_args),
		 cmd_speaker},
		{"registration refresh", "Ask pretix for changed orders now", NULL, NULL, 0,
		 cmd_refresh},
	};
	for (size_t i = 0; i < ARRAY_LEN(cmds); i++) {
		hw_command_spec spec = {
			.struct_size = sizeof(spec),
			.name = cmds[i].name,
			.summary = cmds[i].summary,
			.help = cmds[i].help,
			.perm = HW_PERM_ORGANIZER,
			.args = cmds[i].args,
			.nargs = cmds[i].nargs,
			.fn = cmds[i].fn,
			.ud = r,
		};
		int rc = r->api->command_add(r->self, &spec);
		if (rc)
			return rc;
	}
	return HW_OK;
}
