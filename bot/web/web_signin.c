/*
 * The organizer sign-in: the `dashboard` command (organizers only) gives a
 * single-use link, by DM (or ephemeral on the slash door, printed on the
 * console); POST /api/auth/signin takes its token, asks Discord for the
 * member's roles again and, if they still hold an organizer role, opens a
 * session (HttpOnly, SameSite=Strict cookie; Secure behind https).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "config.h"
#include "guilds.h"
#include "hallway.h"
#include "log.h"
#include "rest.h"
#include "router.h"
#include "web_auth.h"
#include "web_int.h"

#define MSG_FLAG_SUPPRESS_EMBEDS 4
#define TEXT_MAX 1024

/* ---- the dashboard command ---- */

/* http.signin_seconds (checked by the config: 5 to 86400). */
static int64_t web_signin_ttl_ms(struct web *w)
{
	const struct config *c = w->hw->cfg;
	return c && c->http_signin_seconds > 0 ? c->http_signin_seconds * 1000LL : WEB_SIGNIN_TTL_MS;
}

struct dm_link {
	struct invocation *inv;   /* own reference: to say if the DM failed */
	struct web *w;
	char text[TEXT_MAX];
};

static void dm_link_free(struct dm_link *d)
{
	invocation_unref(d->inv);
	explicit_bzero(d->text, sizeof(d->text));
	free(d);
}

static void dm_link_failed(struct dm_link *d, long status, const char *error)
{
	hw_message m = {.struct_size = sizeof(m), .ephemeral = 1,
			.content = "I could not send you the sign-in link by DM: allow direct "
				   "messages from server members, then ask again."};
	LOGW("web", "cannot DM a sign-in link to user %s: HTTP %ld %s", d->inv->user_id, status,
	     error ? error : "");
	if (!d->w->hw->stopping)
		router_reply(d->inv, &m);
	dm_link_free(d);
}

static void dm_link_sent(void *ud, long status, json_t *body, const char *error)
{
	struct dm_link *d = ud;
	(void)body;
	if (status < 200 || status >= 300) {
		dm_link_failed(d, status, error);
		return;
	}
	LOGI("web", "sent an organizer sign-in link to user %s by DM", d->inv->user_id);
	dm_link_free(d);
}

static void dm_link_channel(void *ud, long status, json_t *body, const char *error)
{
	struct dm_link *d = ud;
	const char *cid = json_string_value(json_object_get(body, "id"));
	json_t *tmpl;
	if (status < 200 || status >= 300 || !cid) {
		dm_link_failed(d, status, error);
		return;
	}
	/* No preview: an unfurler would fetch the page (the token is in the
	 * fragment, which it never sends, but a preview shows nothing useful). */
	tmpl = json_pack("{s:i}", "flags", MSG_FLAG_SUPPRESS_EMBEDS);
	if (!rest_send_message(d->w->hw->rest, cid, d->text, tmpl, 0, dm_link_sent, d)) {
		json_decref(tmpl);
		dm_link_failed(d, 0, "cannot queue the message");
		return;
	}
	json_decref(tmpl);
}

static int cmd_dashboard(hw_plugin *self, const hw_invocation *pub, void *ud)
{
	struct web *w = ud;
	struct invocation *inv = (struct invocation *)pub;
	char token[WEB_SECRET_HEX + 1], base[300], text[TEXT_MAX];
	hw_message m = {.struct_size = sizeof(m), .content = text, .ephemeral = 1};
	struct dm_link *d;
	const char *what = pub->argc && pub->argv[0].present ? pub->argv[0].str : NULL;
	(void)self;

	if (!w->vhost) {
		snprintf(text, sizeof(text), "The web pages are off: set http.listen in the config.");
		return router_reply(inv, &m);
	}
	web_public_url(w, base, sizeof(base));
	if (what && *what) {
		if (strcmp(what, "screens") && strcmp(what, "screen")) {
			snprintf(text, sizeof(text),
				 "Usage: dashboard (a sign-in link by DM) or dashboard screens.");
			return router_reply(inv, &m);
		}
		snprintf(text, sizeof(text),
			 "Lobby screens: %s/screen for the whole conference, %s/screen/<room> for one "
			 "room's door (the room as the schedule names it).",
			 base, base);
		return router_reply(inv, &m);
	}
	if (pub->door == HW_DOOR_WEB) {
		snprintf(text, sizeof(text), "You are signed in already.");
		return router_reply(inv, &m);
	}
	if (web_auth_signin_new(w->auth, pub->user_id, web_signin_ttl_ms(w), token)) {
		snprintf(text, sizeof(text), "Sorry, I could not make a sign-in link.");
		return router_reply(inv, &m);
	}
	snprintf(text, sizeof(text),
		 "Your sign-in link for the organizer page (valid for %lld seconds, once; do not "
		 "share it): %s/organizer/signin#%s",
		 (long long)(web_signin_ttl_ms(w) / 1000), base, token);
	explicit_bzero(token, sizeof(token));
	LOGI("web", "sign-in link made for user %s (%s door)", pub->user_id,
	     pub->door == HW_DOOR_CONSOLE ? "console" : pub->door == HW_DOOR_SLASH ? "slash" : "chat");
	if (pub->door != HW_DOOR_CHAT) /* the console, or an ephemeral slash reply */
		return router_reply(inv, &m);
	if (!(d = calloc(1, sizeof(*d))))
		return HW_ERR_NOMEM;
	d->w = w;
	d->inv = inv;
	invocation_ref(inv);
	memcpy(d->text, text, sizeof(text));
	explicit_bzero(text, sizeof(text));
	if (!rest_request(w->hw->rest, "POST", "/users/@me/channels",
			  json_pack("{s:s}", "recipient_id", pub->user_id), dm_link_channel, d)) {
		dm_link_free(d);
		return HW_ERR_NOMEM;
	}
	snprintf(text, sizeof(text), "I sent you a sign-in link for the organizer page by DM.");
	return router_reply(inv, &m);
}

int web_dashboard_add(struct web *w)
{
	static const hw_arg_spec args[] = {
		{"what", HW_ARG_STRING, 0, "screens: the lobby screens' addresses instead", 0}};
	hw_command_spec spec = {
		HW_COMMAND_SPEC_INIT,
		.name = "dashboard",
		.args = args,
		.nargs = 1,
		.summary = "Get a sign-in link for the organizer web page (by DM)",
		.help = "The link works once, for a few minutes (http.signin_seconds), and only for "
			"you; your organizer role is checked again when you use it.",
		.perm = HW_PERM_ORGANIZER,
		.fn = cmd_dashboard,
		.ud = w,
	};
	char why[256];
	if (commands_add(router_commands(w->hw->router), NULL, NULL, &spec, why, sizeof(why))) {
		LOGE("web", "cannot register the dashboard command: %s", why);
		return -1;
	}
	return 0;
}

/* ---- is this user an organizer now? ---- */

struct role_check {
	struct web *w;
	char user_id[32];
	web_role_fn fn;
	void *ud;
};

static void member_fetched(void *ud, long status, json_t *body, const char *error)
{
	struct role_check *rc = ud;
	struct hallway *hw = rc->w->hw;
	const char *conf = hw->cfg ? hw->cfg->guild_id : NULL;
	int verdict;
	if (status == 200 && guilds_is_organizer(hw->guilds, conf, conf, json_object_get(body, "roles"))) {
		verdict = WEB_ROLE_YES;
	} else if (status == 200 || status == 404) {
		LOGI("web", "user %s is not an organizer (any more): %s; their sessions end",
		     rc->user_id, status == 200 ? "no organizer role" : "not a member of the server");
		web_auth_user_end(rc->w->auth, rc->user_id);
		verdict = WEB_ROLE_NO;
	} else {
		LOGW("web", "cannot ask Discord for the roles of user %s: HTTP %ld %s", rc->user_id,
		     status, error ? error : "");
		verdict = WEB_ROLE_UNKNOWN;
	}
	rc->fn(rc->ud, verdict);
	free(rc);
}

void web_role_check(struct web *w, const char *user_id, web_role_fn fn, void *ud)
{
	struct hallway *hw = w->hw;
	const char *conf = hw->cfg ? hw->cfg->guild_id : NULL;
	struct role_check *rc;
	char path[160];

	if (!strcmp(user_id, "console")) {
		/* Only the console's operator could get a link for it. */
		fn(ud, hw->console ? WEB_ROLE_YES : WEB_ROLE_NO);
		return;
	}
	if (!conf || !hw->rest || strspn(user_id, "0123456789") != strlen(user_id)) {
		fn(ud, WEB_ROLE_NO);
		return;
	}
	if (!(rc = calloc(1, sizeof(*rc)))) {
		fn(ud, WEB_ROLE_UNKNOWN);
		return;
	}
	rc->w = w;
	rc->fn = fn;
	rc->ud = ud;
	snprintf(rc->user_id, sizeof(rc->user_id), "%s", user_id);
	snprintf(path, sizeof(path), "/guilds/%s/members/%s", conf, user_id);
	if (!rest_request(hw->rest, "GET", path, NULL, member_fetched, rc)) {
		free(rc);
		fn(ud, WEB_ROLE_UNKNOWN);
	}
}

/* ---- POST /api/auth/signin ---- */

struct signin_check {
	struct web *w;
	struct web_conn *conn;    /* held */
	char user_id[32];
};

static void open_session(struct web *w, struct web_conn *conn, const char *user_id)
{
	const struct web_session *s = web_auth_session_new(w->auth, user_id);
	char cookie[300], base[300];
	if (!s) {
		web_conn_json(conn, 500, NULL, "cannot open a session");
		return;
	}
	web_public_url(w, base, sizeof(base));
	snprintf(cookie, sizeof(cookie), "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s",
		 WEB_COOKIE_NAME, s->id, (long long)(WEB_SESSION_TTL_MS / 1000),
		 !strncmp(base, "https:", 6) ? "; Secure" : "");
	web_conn_cookie(conn, cookie);
	LOGI("web", "organizer %s signed in to the web page", user_id);
	web_conn_json(conn, 200, json_pack("{s:b,s:s}", "ok", 1, "user_id", user_id), NULL);
}

static void signin_checked(void *ud, int verdict)
{
	struct signin_check *sc = ud;
	if (verdict == WEB_ROLE_YES)
		open_session(sc->w, sc->conn, sc->user_id);
	else if (verdict == WEB_ROLE_NO)
		web_conn_json(sc->conn, 403, NULL, "you are not an organizer (any more)");
	else
		web_conn_json(sc->conn, 503, NULL,
			      "cannot check your roles with Discord now; ask for a new link");
	web_conn_release(sc->conn);
	free(sc);
}

int web_signin_post(struct web *w, struct web_req *req)
{
	json_t *body = req->body ? json_loadb(req->body, req->body_len, 0, NULL) : NULL;
	const char *token = json_string_value(json_object_get(body, "token"));
	struct signin_check *sc;
	char user_id[32];

	if (!token || web_auth_signin_take(w->auth, token, user_id)) {
		json_decref(body);
		LOGI("web", "a sign-in with an unknown, used or expired link was refused");
		web_conn_json(req->conn, 403, NULL,
			      "this sign-in link is not valid (used, expired or mistyped): ask the "
			      "bot for a new one with the dashboard command");
		return 1;
	}
	json_decref(body);
	if (!(sc = calloc(1, sizeof(*sc)))) {
		web_conn_json(req->conn, 500, NULL, "out of memory");
		return 1;
	}
	sc->w = w;
	sc->conn = req->conn;
	snprintf(sc->user_id, sizeof(sc->user_id), "%s", user_id);
	web_conn_hold(req->conn);
	web_role_check(w, user_id, signin_checked, sc);
	return 1;
}
