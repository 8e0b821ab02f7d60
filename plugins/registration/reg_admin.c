/*
 * Organizer commands: registration post | status | unbind | stats | export
 * | speaker | refresh. Users are named exactly (a mention or an ID), never
 * found by a partial name; unbind shows what it would undo and needs
 * `confirm`.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hallway/buf.h>
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

/* ---- the organizer commands that read or write: one unit of work each ---- */

typedef struct ajob {
	const hw_invocation *inv; /* kept */
	reg *r;
	char user[32], code[REG_CODE_MAX], speaker[201], confirm;
	int64_t now;
	hw_buf out;               /* the answer (or the CSV) */
	int is_file, flush;
	char log[300];
} ajob;

static void ajob_free(void *p)
{
	ajob *j = p;
	if (!j)
		return;
	if (!hw_units_stopping(j->r->units)) /* after that, the host's sweep releases it */
		j->r->api->invocation_release(j->r->self, j->inv);
	hw_buf_free(&j->out);
	free(j);
}

static void ajob_done(void *ctx, int status, void *p)
{
	reg *r = ctx;
	ajob *j = p;
	const char *text = hw_buf_str(&j->out);
	if (status != HW_OK) {
		reply(r, j->inv, "Sorry, the database did not answer; please try again.");
	} else if (j->is_file && text) {
		char note[64];
		snprintf(note, sizeof(note), "%s", "Every registration, as CSV.");
		r->api->reply_file(r->self, j->inv, note, "registrations.csv", text, strlen(text));
	} else {
		reply(r, j->inv, text && *text ? text : "That answer got too long.");
	}
	if (status == HW_OK && j->log[0])
		reg_log(r, "%s", j->log);
	if (status == HW_OK && j->flush) {
		reg_grant_flush(r);
		reg_mention_refresh(r); /* a speaker's name may have changed */
	}
	ajob_free(j);
}

/* Keeps the invocation and runs body; the answer follows its commit. */
static int run(reg *r, const hw_invocation *inv, hw_unit_body_fn body, ajob *j)
{
	j->r = r;
	j->now = r->api->now_ms(r->self);
	hw_buf_init(&j->out, 64 << 20);
	if (!(j->inv = r->api->invocation_keep(r->self, inv))) {
		hw_buf_free(&j->out);
		free(j);
		return HW_ERR_PLUGIN;
	}
	return hw_units_run(r->units, body, ajob_done, ajob_free, j) ? HW_ERR_UNAVAILABLE : HW_OK;
}

static ajob *ajob_new(void)
{
	return calloc(1, sizeof(ajob));
}

static void add(ajob *j, const char *fmt, ...) HW_PRINTF(2, 3);
static void add(ajob *j, const char *fmt, ...)
{
	char line[700];
	va_list ap;
	va_start(ap, fmt);
	hw_vfmt(line, sizeof(line), fmt, ap);
	va_end(ap);
	hw_buf_add(&j->out, line);
}

/* ---- status ---- */

static int status_user_body(void *ctx, hw_tx *tx, void *p)
{
	reg *r = ctx;
	ajob *j = p;
	reg_binding b;
	int64_t grants = 0, failed = 0, oldest = 0, queued = 0;
	char when[40], speaker[240] = "";
	hw_stmt *st;
	int rc = reg_store_binding_by_user(r, tx, j->user, &b);

	if (rc && rc != HW_ERR_NOT_FOUND)
		return rc;
	if (hw_sql_int(r->api, tx, &grants, "SELECT COUNT(*) FROM registration_grant WHERE user_id = ?",
		    "t", j->user) ||
	    hw_sql_int(r->api, tx, &queued, "SELECT COUNT(*) FROM registration_queue WHERE user_id = ?",
		    "t", j->user) ||
	    reg_store_failures(r, tx, j->user, j->now - REG_FAILURE_WINDOW_MS, &failed, &oldest))
		return HW_ERR_STORAGE;
	st = hw_sql(r->api, tx, "SELECT speaker FROM registration_speaker WHERE user_id = ?", "t",
		     j->user);
	if (st && r->api->db_step(st) == HW_ROW) {
		hw_fmt(speaker, sizeof(speaker), " Speaker: %s.", hw_sql_col(r->api, st, 0));
		while (r->api->db_step(st) == HW_ROW)
			;
	}
	if (rc == HW_OK) {
		stamp(b.bound_ms, when, sizeof(when));
		add(j, "<@%s> is registered: order %s, ticket position %lld (item %lld, variation "
		    "%lld), name \"%s\", since %s. Role changes waiting: %lld. Failed attempts this "
		    "hour: %lld.%s", j->user, b.order_code, (long long)b.position_id,
		    (long long)b.item, (long long)b.variation, b.name, when, (long long)grants,
		    (long long)failed, speaker);
	} else {
		add(j, "<@%s> is not registered.%s Failed attempts this hour: %lld.%s%s", j->user,
		    queued ? " A registration waits for pretix." : "", (long long)failed,
		    failed >= REG_MAX_FAILURES ? " (cooling down)" : "", speaker);
	}
	return HW_OK;
}

static int status_order_body(void *ctx, hw_tx *tx, void *p)
{
	reg *r = ctx;
	ajob *j = p;
	reg_order o;
	int rc = reg_store_get_order(r, tx, j->code, &o);

	if (rc == HW_ERR_NOT_FOUND) {
		add(j, "Order %s is not in the cache (pretix is asked when someone registers with "
		    "it; `registration refresh` syncs now).", j->code);
		return HW_OK;
	}
	if (rc)
		return rc;
	add(j, "Order %s: status %c%s, %zu ticket position%s.\n", j->code, o.status,
	    o.status == 'p' ? " (paid)" : " (not paid: does not count)", o.npos,
	    o.npos == 1 ? "" : "s");
	for (size_t i = 0; i < o.npos; i++) {
		reg_binding b;
		const reg_position *pos = &o.pos[i];
		char who[64];
		rc = reg_store_binding_by_position(r, tx, pos->id, &b);
		if (rc && rc != HW_ERR_NOT_FOUND)
			break;
		if (!rc)
			snprintf(who, sizeof(who), "bound to <@%s>", b.user_id);
		else
			snprintf(who, sizeof(who), "free");
		rc = HW_OK;
		add(j, "- position %lld: item %lld, variation %lld, \"%s\"%s, %s\n",
		    (long long)pos->id, (long long)pos->item, (long long)pos->variation, pos->name,
		    pos->canceled ? " (canceled)" : "", who);
	}
	reg_order_free(&o);
	return rc;
}

static int cmd_status(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	reg *r = ud;
	const char *who = reg_arg(r, inv, "who");
	ajob *j = ajob_new();
	(void)self;
	if (!j)
		return HW_ERR_NOMEM;
	if (!user_of(who, j->user, sizeof(j->user)))
		return run(r, inv, status_user_body, j);
	if (!reg_order_code_norm(who, j->code, sizeof(j->code)))
		return run(r, inv, status_order_body, j);
	free(j);
	return reply(r, inv, "Give a user (a mention or an ID) or an order code.");
}

/* ---- unbind ---- */

static int unbind_body(void *ctx, hw_tx *tx, void *p)
{
	reg *r = ctx;
	ajob *j = p;
	reg_binding b;
	int rc = reg_store_binding_by_user(r, tx, j->user, &b);

	if (rc == HW_ERR_NOT_FOUND) {
		add(j, "That user is not registered; nothing to undo.");
		return HW_OK;
	}
	if (rc)
		return rc;
	if (!j->confirm) {
		add(j, "This frees ticket position %lld of order %s (\"%s\") from <@%s> and takes "
		    "back the roles of that ticket. To do it: registration unbind %s confirm",
		    (long long)b.position_id, b.order_code, b.name, j->user, j->user);
		return HW_OK;
	}
	if ((rc = hw_sql_exec(r->api, tx, "DELETE FROM registration_binding WHERE user_id = ?", "t",
			   j->user)) ||
	    (rc = hw_sql_exec(r->api, tx, "DELETE FROM registration_grant WHERE user_id = ?"
			   " AND attempt_ms IS NULL", "t", j->user)) ||
	    (rc = reg_grant_queue_ticket(r, tx, j->user, b.item, b.variation, NULL, 0, j->now)) ||
	    (rc = reg_store_attempt(r, tx, j->user, j->now, "unbound")))
		return rc;
	j->flush = 1;
	hw_fmt(j->log, sizeof(j->log), "<@%s> unbound <@%s> (%s) from order %s, ticket position "
	       "%lld", j->inv->user_id, j->user, j->user, b.order_code, (long long)b.position_id);
	add(j, "Done: ticket position %lld of order %s is free again and the roles of that ticket "
	    "are being taken back from <@%s>.", (long long)b.position_id, b.order_code, j->user);
	return HW_OK;
}

static int cmd_unbind(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	reg *r = ud;
	const char *who = reg_arg(r, inv, "user"), *confirm = reg_arg(r, inv, "confirm");
	ajob *j = ajob_new();
	(void)self;
	if (!j)
		return HW_ERR_NOMEM;
	if (user_of(who, j->user, sizeof(j->user))) {
		free(j);
		return reply(r, inv, "Name the user exactly: a mention or their ID.");
	}
	j->confirm = confirm && !strcmp(confirm, "confirm");
	return run(r, inv, unbind_body, j);
}

/* ---- stats ---- */

static int stats_body(void *ctx, hw_tx *tx, void *p)
{
	reg *r = ctx;
	ajob *j = p;
	int64_t total = 0, speakers = 0, attempts = 0, failed = 0, throttled = 0, queued = 0,
		grants = 0, paid = 0, day_failed = 0;
	hw_stmt *st;
	int rc;

	if (hw_sql_int(r->api, tx, &total, "SELECT COUNT(*) FROM registration_binding", NULL) ||
	    hw_sql_int(r->api, tx, &speakers, "SELECT COUNT(*) FROM registration_speaker", NULL) ||
	    hw_sql_int(r->api, tx, &attempts, "SELECT COUNT(*) FROM registration_attempt WHERE outcome IN"
		    " ('registered', 'failed', 'throttled', 'queued')", NULL) ||
	    hw_sql_int(r->api, tx, &failed, "SELECT COUNT(*) FROM registration_attempt WHERE outcome ="
		    " 'failed'", NULL) ||
	    hw_sql_int(r->api, tx, &day_failed, "SELECT COUNT(*) FROM registration_attempt WHERE outcome ="
		    " 'failed' AND at_ms >= ?", "i", j->now - 86400000LL) ||
	    hw_sql_int(r->api, tx, &throttled, "SELECT COUNT(*) FROM registration_attempt WHERE outcome ="
		    " 'throttled'", NULL) ||
	    hw_sql_int(r->api, tx, &queued, "SELECT COUNT(*) FROM registration_queue", NULL) ||
	    hw_sql_int(r->api, tx, &grants, "SELECT COUNT(*) FROM registration_grant", NULL) ||
	    hw_sql_int(r->api, tx, &paid, "SELECT COUNT(*) FROM registration_order WHERE status = 'p'", NULL))
		return HW_ERR_STORAGE;
	add(j, "Registered: %lld (speakers: %lld).\n", (long long)total, (long long)speakers);
	st = hw_sql(r->api, tx, "SELECT item, variation, COUNT(*) FROM registration_binding"
		     " GROUP BY item, variation ORDER BY item, variation", NULL);
	if (!st)
		return HW_ERR_STORAGE;
	while ((rc = r->api->db_step(st)) == HW_ROW)
		add(j, "- item %lld, variation %lld: %lld\n", (long long)r->api->db_col_int(st, 0),
		    (long long)r->api->db_col_int(st, 1), (long long)r->api->db_col_int(st, 2));
	if (rc != HW_DONE)
		return HW_ERR_STORAGE;
	add(j, "Attempts: %lld; failed: %lld (%lld in the last 24 hours); throttled: %lld.\n"
	    "Waiting for pretix: %lld. Role changes waiting: %lld. Paid orders cached: %lld.\n",
	    (long long)attempts, (long long)failed, (long long)day_failed, (long long)throttled,
	    (long long)queued, (long long)grants, (long long)paid);
	return HW_OK;
}

static int cmd_stats(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	reg *r = ud;
	ajob *j = ajob_new();
	char when[40];
	(void)self;
	if (!j)
		return HW_ERR_NOMEM;
	/* pretix's state is the loop's: written before the unit of work */
	hw_buf_init(&j->out, 64 << 20);
	if (r->pretix_ok_ms)
		stamp(r->pretix_ok_ms, when, sizeof(when));
	else
		snprintf(when, sizeof(when), "never");
	j->log[0] = '\0';
	{
		char line[300];
		hw_fmt(line, sizeof(line), "pretix: %s; last answer %s; %lld syncs (%lld unchanged).\n",
		       r->pretix_down ? "NOT ANSWERING" : "ok", when, (long long)r->syncs,
		       (long long)r->sync_304s);
		j->r = r;
		j->now = r->api->now_ms(r->self);
		if (!(j->inv = r->api->invocation_keep(r->self, inv))) {
			hw_buf_free(&j->out);
			free(j);
			return HW_ERR_PLUGIN;
		}
		hw_buf_add(&j->out, line);
	}
	return hw_units_run(r->units, stats_body, ajob_done, ajob_free, j) ? HW_ERR_UNAVAILABLE : HW_OK;
}

/* ---- export ---- */

/* One CSV cell: quoted, quotes doubled; a cell a spreadsheet would read
 * as a formula gets a leading apostrophe. */
static void csv_cell(hw_buf *b, const char *s, int last)
{
	hw_buf_add(b, "\"");
	if (s[0] && strchr("=+-@\t\r", s[0]))
		hw_buf_add(b, "'");
	for (const char *p = s; *p; p++)
		hw_buf_addn(b, *p == '"' ? "\"\"" : p, *p == '"' ? 2 : 1);
	hw_buf_add(b, last ? "\"\r\n" : "\",");
}

static int export_body(void *ctx, hw_tx *tx, void *p)
{
	reg *r = ctx;
	ajob *j = p;
	hw_stmt *st = hw_sql(r->api, tx, "SELECT user_id, order_code, position_id, item, variation,"
			      " name, bound_ms FROM registration_binding ORDER BY bound_ms, position_id",
			      NULL);
	char num[32], when[40];
	int rc;
	if (!st)
		return HW_ERR_STORAGE;
	j->is_file = 1;
	hw_buf_add(&j->out, "user_id,order_code,position_id,item,variation,name,bound_at\r\n");
	while ((rc = r->api->db_step(st)) == HW_ROW) {
		csv_cell(&j->out, hw_sql_col(r->api, st, 0), 0);
		csv_cell(&j->out, hw_sql_col(r->api, st, 1), 0);
		for (int c = 2; c <= 4; c++) {
			snprintf(num, sizeof(num), "%lld", (long long)r->api->db_col_int(st, c));
			csv_cell(&j->out, num, 0);
		}
		csv_cell(&j->out, hw_sql_col(r->api, st, 5), 0);
		stamp(r->api->db_col_int(st, 6), when, sizeof(when));
		csv_cell(&j->out, when, 1);
	}
	return rc == HW_DONE ? HW_OK : HW_ERR_STORAGE;
}

static int cmd_export(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	reg *r = ud;
	ajob *j = ajob_new();
	(void)self;
	if (!j)
		return HW_ERR_NOMEM;
	return run(r, inv, export_body, j);
}

/* ---- speaker ---- */

static int speaker_body(void *ctx, hw_tx *tx, void *p)
{
	reg *r = ctx;
	ajob *j = p;
	hw_stmt *st = hw_sql(r->api, tx, "SELECT user_id FROM registration_speaker WHERE speaker = ?"
			      " AND user_id <> ?", "tt", j->speaker, j->user);
	int rc;
	if (!st)
		return HW_ERR_STORAGE;
	if (r->api->db_step(st) == HW_ROW) {
		add(j, "That speaker is already claimed by <@%s>; unbind them first.",
		    hw_sql_col(r->api, st, 0));
		while (r->api->db_step(st) == HW_ROW)
			;
		return HW_OK;
	}
	/* The speaker as given is also the name talks are matched by for
	 * mentions (a pretalx code matches none). */
	if ((rc = hw_sql_exec(r->api, tx, "INSERT INTO registration_speaker (user_id, speaker, name,"
			   " bound_ms) VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET"
			   " speaker = excluded.speaker, name = excluded.name,"
			   " bound_ms = excluded.bound_ms",
			   "ttti", j->user, j->speaker, j->speaker, j->now)) ||
	    (rc = reg_grant_queue_roles(r, tx, j->user, r->roles_speaker, 1, j->now)))
		return rc;
	j->flush = 1;
	hw_fmt(j->log, sizeof(j->log), "<@%s> made <@%s> (%s) a speaker", j->inv->user_id, j->user,
	       j->user);
	add(j, "<@%s> is now a speaker; the Speaker role is on its way.", j->user);
	return HW_OK;
}

static int cmd_speaker(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	reg *r = ud;
	const char *who = reg_arg(r, inv, "user"), *speaker = reg_arg(r, inv, "speaker");
	ajob *j;
	(void)self;
	if (!r->roles_speaker)
		return reply(r, inv, "Set roles.speaker in plugins.registration first.");
	if (!speaker || !*speaker || strlen(speaker) > 200)
		return reply(r, inv, "Give the speaker as pretalx names them (their code or name).");
	if (!(j = ajob_new()))
		return HW_ERR_NOMEM;
	if (user_of(who, j->user, sizeof(j->user))) {
		free(j);
		return reply(r, inv, "Name the user exactly: a mention or their ID.");
	}
	snprintf(j->speaker, sizeof(j->speaker), "%s", speaker);
	return run(r, inv, speaker_body, j);
}

static int cmd_refresh(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	reg *r = ud;
	(void)self;
	if (reg_pretix_unavailable(r))
		return reply(r, inv, "pretix is not answering; I will ask again on my own.");
	if (r->syncing)
		return reply(r, inv, "A sync with pretix is running now; try again in a moment.");
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
