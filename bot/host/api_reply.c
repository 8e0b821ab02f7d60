/*
 * api->reply_model, send_model and dm_model: a model is checked, then
 * drawn for its door (Discord message with embeds and components, or
 * console text) and sent the way api.c sends messages.
 */
#include "api_reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/tz.h>

#include "clock.h"
#include "components.h"
#include "config.h"
#include "hallway.h"
#include "host.h"
#include "log.h"
#include "reply_model.h"
#include "rest.h"
#include "router.h"

static struct hallway *hw_of(hw_plugin *self)
{
	return plugin_from(self)->host->hw;
}

/* The zone a model's times are shown in, loaded once per name. */
static const struct hw_tz *model_zone(const json_t *model)
{
	static struct hw_tz *cached;
	static char cached_name[65];
	const char *name = json_string_value(json_object_get(model, "zone"));
	struct hw_tz *tz = NULL;
	if (!name || !*name || !strcmp(name, "UTC"))
		return NULL;
	if (cached && !strcmp(cached_name, name))
		return cached;
	if (hw_tz_load(NULL, name, &tz)) {
		LOGW("reply", "unknown zone \"%.64s\" in a reply: times shown in UTC", name);
		return NULL;
	}
	hw_tz_free(cached);
	cached = tz;
	snprintf(cached_name, sizeof(cached_name), "%s", name);
	return cached;
}

/* Steals model. 0 when it follows the format, else logged and freed. */
static int checked(hw_plugin *self, json_t *model, const char *what)
{
	char why[200];
	if (model && !reply_model_check(model, why, sizeof(why)))
		return 0;
	LOGW("reply", "plugin %s: %s: the reply model is refused: %s", plugin_from(self)->name, what,
	     model ? why : "no model");
	json_decref(model);
	return -1;
}

/* The console text of model (new string, free it), or NULL. */
static char *console_text(hw_plugin *self, const json_t *model)
{
	hw_buf b;
	char *text;
	hw_buf_init(&b, 0);
	/* Bold is drawn; the console strips it when it is not a terminal. */
	reply_model_console(model, model_zone(model), clock_now_ms(&hw_of(self)->clock), 1, &b);
	text = hw_buf_str(&b) ? strdup(hw_buf_str(&b)) : NULL;
	hw_buf_free(&b);
	return text;
}

/* The Discord body of model (new reference, or NULL): the drawing, and
 * the users its "mention_users" names as the only ones it may ping (the
 * one rule of rest.c; the drawing itself pings nobody). */
static json_t *discord_body(hw_plugin *self, const json_t *model, const char *prefix,
			    const char *asker)
{
	struct components_ids ids = {hw_of(self), asker};
	struct rm_discord_opts o = {components_custom_id, &ids, prefix};
	json_t *body = reply_model_discord(model, &o), *users = json_object_get(model, "mention_users");
	if (body && json_array_size(users) &&
	    json_object_set_new(body, "allowed_mentions", rest_allowed_users(users))) {
		json_decref(body);
		return NULL;
	}
	return body;
}

/* An answer to a command is not a post: no nonce (reply.h). Its "Show
 * more" pages in place for the one who asked. */
static json_t *answer_body(hw_plugin *self, const hw_invocation *inv, const json_t *model,
			   const char *prefix)
{
	json_t *body = discord_body(self, model, prefix, inv->user_id);
	json_object_del(body, "nonce");
	json_object_del(body, "enforce_nonce");
	return body;
}

static int api_reply_model(hw_plugin *self, const hw_invocation *pub, json_t *model)
{
	struct invocation *inv = (struct invocation *)pub;
	struct hallway *hw = hw_of(self);
	const char *prefix = hw->cfg && hw->cfg->prefix ? hw->cfg->prefix : "!";
	int rc = HW_ERR_INVALID;
	char *text;

	if (!inv) {
		json_decref(model);
		return HW_ERR_INVALID;
	}
	if (checked(self, model, pub->command ? pub->command : "reply"))
		return HW_ERR_INVALID;
	switch (pub->door) {
	case HW_DOOR_CONSOLE:
		text = console_text(self, model);
		rc = text ? router_reply_plain(inv, text) : HW_ERR_NOMEM;
		free(text);
		break;
	case HW_DOOR_SLASH:
		rc = router_reply_body(inv, answer_body(self, pub, model, "/"));
		break;
	case HW_DOOR_CHAT:
		rc = router_reply_body(inv, answer_body(self, pub, model, prefix));
		break;
	case HW_DOOR_WEB:
		rc = router_reply_web_model(inv, model); /* the page draws it */
		break;
	}
	json_decref(model);
	return rc;
}

static int is_snowflake(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return n > 0 && n <= 20 && strspn(s, "0123456789") == n;
}

/* Console mode (no Discord): the post is shown. */
static int console_post(hw_plugin *self, const char *where, const json_t *model, hw_send_fn cb,
			void *ud)
{
	struct hallway *hw = hw_of(self);
	char *text, *line;
	size_t n;
	if (hw->plan_only)
		return HW_OK; /* a dry run: only the plan is shown */
	if (!(text = console_text(self, model)))
		return HW_ERR_NOMEM;
	n = strlen(where) + strlen(text) + 16;
	if (!(line = malloc(n))) {
		free(text);
		return HW_ERR_NOMEM;
	}
	snprintf(line, n, "(posted %s)\n%s", where, text);
	router_console_print(hw->router, line);
	free(line);
	free(text);
	if (cb)
		cb(self, 200, "console", NULL, ud);
	return HW_OK;
}

/* A body for a post: never ephemeral. New reference or NULL. */
static json_t *post_body(hw_plugin *self, const json_t *model)
{
	struct hallway *hw = hw_of(self);
	json_t *body = discord_body(self, model, hw->cfg && hw->cfg->prefix ? hw->cfg->prefix : "!",
				    NULL);
	json_object_del(body, "flags");
	return body;
}

static int post(hw_plugin *self, const char *path, json_t *body, rest_done_fn done,
		hw_send_fn cb, void *ud, json_t *later)
{
	struct plugin_pending *pp = pending_new(plugin_from(self), PENDING_SEND, (void *)cb, ud);
	if (!pp || !body) {
		if (pp) {
			pending_unlink(pp);
			pending_free(pp);
		}
		json_decref(body);
		json_decref(later);
		return HW_ERR_NOMEM;
	}
	pp->msg = later;
	if (!rest_request(hw_of(self)->rest, "POST", path, body, done, pp)) {
		pending_unlink(pp);
		pending_free(pp);
		return HW_ERR_NOMEM;
	}
	return HW_OK;
}

static int api_send_model(hw_plugin *self, const char *channel_id, json_t *model, hw_send_fn cb,
			  void *ud)
{
	char path[80];
	int rc;
	if (!is_snowflake(channel_id)) {
		json_decref(model);
		return HW_ERR_INVALID;
	}
	if (checked(self, model, "send"))
		return HW_ERR_INVALID;
	if (!hw_of(self)->rest) {
		snprintf(path, sizeof(path), "to channel %s", channel_id);
		rc = console_post(self, path, model, cb, ud);
	} else {
		snprintf(path, sizeof(path), "/channels/%s/messages", channel_id);
		rc = post(self, path, post_body(self, model), send_done, cb, ud, NULL);
	}
	json_decref(model);
	return rc;
}

/* The DM channel is open: the message goes there. */
static void dm_open_done(void *ud, long status, json_t *body, const char *error)
{
	struct plugin_pending *pp = ud;
	struct hallway *hw = pp->p->host->hw;
	const char *channel = json_string_value(json_object_get(body, "id"));
	json_t *msg = pp->msg;
	char path[80];
	if (pp->cancelled) {
		pending_free(pp);
		return;
	}
	if (status < 200 || status >= 300 || !is_snowflake(channel)) {
		send_done(pp, status, body, error ? error : "cannot open a DM channel");
		return;
	}
	pp->msg = NULL;
	snprintf(path, sizeof(path), "/channels/%s/messages", channel);
	if (!rest_request(hw->rest, "POST", path, msg, send_done, pp))
		send_done(pp, 0, NULL, "out of memory");
}

static int api_dm_model(hw_plugin *self, const char *user_id, json_t *model, hw_send_fn cb,
			void *ud)
{
	char where[64];
	int rc;
	if (!is_snowflake(user_id)) {
		json_decref(model);
		return HW_ERR_INVALID;
	}
	if (checked(self, model, "dm"))
		return HW_ERR_INVALID;
	if (!hw_of(self)->rest) {
		snprintf(where, sizeof(where), "by DM to %s", user_id);
		rc = console_post(self, where, model, cb, ud);
	} else {
		json_t *body = post_body(self, model);
		rc = body ? post(self, "/users/@me/channels", json_pack("{s:s}", "recipient_id", user_id),
				 dm_open_done, cb, ud, body)
			  : HW_ERR_NOMEM;
	}
	json_decref(model);
	return rc;
}

void api_reply_init(hw_api *api)
{
	api->reply_model = api_reply_model;
	api->send_model = api_send_model;
	api->dm_model = api_dm_model;
}
