/*
 * `registration claim <speaker code>`: a registered attendee claims the
 * Speaker role with the code pretalx shows on their speaker page
 * (/<event>/speaker/<CODE>/), without an e-mail round trip. The code is
 * public, so it is not enough alone: the name pretalx has for that speaker
 * must match the name on the ticket the user registered with (the shared
 * name matching), and a speaker is claimed by one user only. A failed
 * claim counts against the same 5-an-hour budget as registrations.
 *
 * pretalx: GET <pretalx.url>/api/events/<event>/speakers/<CODE>/ ->
 * {"code", "name", ...}; public once the schedule is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/text.h>

#include "reg_name.h"
#include "reg_store.h"
#include "registration.h"

struct reg_claim {
	struct reg_claim *next;
	reg *r;
	const hw_invocation *inv;
	hw_handle req;
	int64_t now;
	int refused;              /* the first unit answered already */
	int ok;
	char user_id[32];
	char code[REG_CODE_MAX];
	char ticket_name[REG_NAME_MAX];
	char speaker_name[REG_NAME_MAX];
	char text[400];
	char log[300];
};

static const char CLAIM_FAILED[] =
	"I could not confirm that: the speaker code must be the one on your pretalx speaker page, "
	"and your name there must be the name on your ticket. Ask an organizer if they differ.";

static void claim_free(void *p)
{
	struct reg_claim *c = p;
	if (!c)
		return;
	if (c->inv && !hw_units_stopping(c->r->units))
		c->r->api->invocation_release(c->r->self, c->inv);
	free(c);
}

static void say(struct reg_claim *c, const char *text)
{
	hw_message m = {.struct_size = sizeof(m), .content = text, .ephemeral = 1};
	c->r->api->reply_message(c->r->self, c->inv, &m);
}

static int fail_body(reg *r, hw_tx *tx, struct reg_claim *c, const char *why)
{
	int64_t count = 0, oldest = 0;
	int rc = reg_store_attempt(r, tx, c->user_id, c->now, "failed");
	if (!rc)
		rc = reg_store_failures(r, tx, c->user_id, c->now - REG_FAILURE_WINDOW_MS, &count,
					&oldest);
	hw_fmt(c->text, sizeof(c->text), "%s (%lld of %d attempts left this hour.)", CLAIM_FAILED,
	       (long long)(count < REG_MAX_FAILURES ? REG_MAX_FAILURES - count : 0),
	       REG_MAX_FAILURES);
	hw_fmt(c->log, sizeof(c->log), "<@%s> (%s) speaker claim refused: %s (code %s)", c->user_id,
	       c->user_id, why, c->code);
	return rc;
}

/* First: the budget, a registration, no speaker yet. */
static int first_body(void *ctx, hw_tx *tx, void *p)
{
	reg *r = ctx;
	struct reg_claim *c = p;
	reg_binding b;
	int64_t count = 0, oldest = 0, speaker = 0;
	int rc = reg_store_failures(r, tx, c->user_id, c->now - REG_FAILURE_WINDOW_MS, &count,
				    &oldest);
	if (rc)
		return rc;
	c->refused = 1;
	if (count >= REG_MAX_FAILURES) {
		hw_fmt(c->text, sizeof(c->text), "Too many failed attempts: please wait %lld minutes "
		       "before trying again, or ask an organizer for help.",
		       (long long)((oldest + REG_FAILURE_WINDOW_MS - c->now + 59999) / 60000));
		return reg_store_attempt(r, tx, c->user_id, c->now, "throttled");
	}
	rc = reg_store_binding_by_user(r, tx, c->user_id, &b);
	if (rc == HW_ERR_NOT_FOUND) {
		hw_fmt(c->text, sizeof(c->text), "Register your ticket first (`register <order> "
		       "<name>`); a speaker claim checks the name on it.");
		return HW_OK;
	}
	if (rc)
		return rc;
	rc = hw_sql_int(r->api, tx, &speaker, "SELECT COUNT(*) FROM registration_speaker WHERE user_id = ?",
		     "t", c->user_id);
	if (rc)
		return rc;
	if (speaker) {
		hw_fmt(c->text, sizeof(c->text), "You are a speaker already.");
		return HW_OK;
	}
	snprintf(c->ticket_name, sizeof(c->ticket_name), "%s", b.name);
	c->refused = 0;
	return HW_OK;
}

/* Then pretalx's name against the ticket's, and the claim. */
static int final_body(void *ctx, hw_tx *tx, void *p)
{
	reg *r = ctx;
	struct reg_claim *c = p;
	int rc;
	if (!c->speaker_name[0])
		return fail_body(r, tx, c, "no such speaker");
	if (!reg_name_equal(c->speaker_name, c->ticket_name))
		return fail_body(r, tx, c, "pretalx's name is not the ticket's");
	rc = hw_sql_exec(r->api, tx, "INSERT INTO registration_speaker (user_id, speaker, name, bound_ms)"
		      " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING", "ttti", c->user_id, c->code,
		      c->speaker_name, c->now);
	if (rc)
		return rc;
	if (r->api->db_changes(tx) == 0)
		return fail_body(r, tx, c, "the speaker is claimed by another user");
	if ((rc = reg_grant_queue_roles(r, tx, c->user_id, r->roles_speaker, 1, c->now)) ||
	    (rc = reg_store_attempt(r, tx, c->user_id, c->now, "speaker")))
		return rc;
	c->ok = 1;
	hw_fmt(c->text, sizeof(c->text), "Confirmed: you are speaker %s. The Speaker role is on its "
	       "way.", c->code);
	hw_fmt(c->log, sizeof(c->log), "<@%s> (%s) claimed speaker %s", c->user_id, c->user_id,
	       c->code);
	return HW_OK;
}

static void final_done(void *ctx, int status, void *p)
{
	reg *r = ctx;
	struct reg_claim *c = p;
	if (status != HW_OK) {
		say(c, "Sorry, I could not save that; please try again in a minute.");
	} else {
		if (c->log[0])
			reg_log(r, "%s", c->log);
		say(c, c->text);
		if (c->ok) {
			reg_grant_flush(r);
			reg_mention_refresh(r);
		}
	}
	claim_free(c);
}

static void unlink_claim(reg *r, struct reg_claim *c)
{
	for (struct reg_claim **it = &r->claims; *it; it = &(*it)->next)
		if (*it == c) {
			*it = c->next;
			return;
		}
}

static void fetched(hw_plugin *self, hw_handle h, const hw_http_response *res, void *ud)
{
	struct reg_claim *c = ud;
	reg *r = c->r;
	json_t *root;
	(void)self;
	(void)h;
	unlink_claim(r, c);
	if (res->status != 200 && res->status != 404) {
		r->api->log(r->self, HW_LOG_WARN, "registration: pretalx answered %ld%s%s for a "
			    "speaker claim", res->status, res->error ? ": " : "",
			    res->error ? res->error : "");
		say(c, "pretalx is not answering right now; please try again in a few minutes.");
		claim_free(c);
		return;
	}
	root = res->status == 200 ? json_loadb(res->body, res->body_len, 0, NULL) : NULL;
	snprintf(c->speaker_name, sizeof(c->speaker_name), "%s",
		 json_is_string(json_object_get(root, "name"))
			 ? json_string_value(json_object_get(root, "name"))
			 : "");
	json_decref(root);
	c->now = r->api->now_ms(r->self);
	hw_units_run(r->units, final_body, final_done, claim_free, c);
}

static void first_done(void *ctx, int status, void *p)
{
	reg *r = ctx;
	struct reg_claim *c = p;
	char url[700];
	const char *headers[] = {"Accept: application/json", NULL};
	hw_http_request req = {.struct_size = sizeof(req), .headers = headers, .url = url,
			       .max_bytes = 1 << 20, .timeout_ms = 15000};
	if (status != HW_OK || c->refused) {
		say(c, status != HW_OK ? "Sorry, the database did not answer; please try again."
				       : c->text);
		claim_free(c);
		return;
	}
	hw_fmt(url, sizeof(url), "%s/api/events/%s/speakers/%s/", r->pretalx_base, r->pretalx_event,
	       c->code);
	c->req = r->api->http(r->self, &req, fetched, c);
	if (!c->req) {
		say(c, "pretalx is not answering right now; please try again in a few minutes.");
		claim_free(c);
		return;
	}
	c->next = r->claims;
	r->claims = c;
}

static int cmd_claim(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	reg *r = ud;
	const char *code = reg_arg(r, inv, "code");
	struct reg_claim *c;

	if (!r->pretalx_base)
		return r->api->reply(self, inv, "Speaker claims need pretalx in the config "
				     "(plugins.registration.pretalx); ask an organizer.");
	if (!r->roles_speaker)
		return r->api->reply(self, inv, "There is no Speaker role configured; ask an "
				     "organizer.");
	if (!(c = calloc(1, sizeof(*c))))
		return HW_ERR_NOMEM;
	c->r = r;
	c->now = r->api->now_ms(self);
	snprintf(c->user_id, sizeof(c->user_id), "%s", inv->user_id ? inv->user_id : "");
	if (reg_order_code_norm(code, c->code, sizeof(c->code))) {
		free(c);
		return r->api->reply(self, inv, "That is not a speaker code (letters and digits, as "
				     "in your pretalx speaker page's address).");
	}
	if (!(c->inv = r->api->invocation_keep(self, inv))) {
		free(c);
		return HW_ERR_PLUGIN;
	}
	return hw_units_run(r->units, first_body, first_done, claim_free, c) ? HW_ERR_UNAVAILABLE : HW_OK;
}

void reg_speaker_stop(reg *r)
{
	while (r->claims) {
		struct reg_claim *c = r->claims;
		r->claims = c->next;
		r->api->cancel(r->self, c->req);
		claim_free(c);
	}
}

static const hw_arg_spec claim_args[] = {
	{.name = "code", .type = HW_ARG_STRING, .required = 1,
	 .description = "The code in your pretalx speaker page's address"},
};

int reg_speaker_add(reg *r)
{
	hw_command_spec spec = {
		.struct_size = sizeof(spec),
		.name = "registration claim",
		.summary = "Speakers: claim the Speaker role with your pretalx speaker code",
		.help = "registration claim <code>: the code is in your pretalx speaker page's "
			"address (/<event>/speaker/<CODE>/); your name there must be the name on "
			"the ticket you registered with.",
		.perm = HW_PERM_EVERYONE,
		.args = claim_args,
		.nargs = 1,
		.fn = cmd_claim,
		.ud = r,
	};
	return r->api->command_add(r->self, &spec);
}
