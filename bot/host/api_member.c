/*
 * Guild members in the plugin API (ABI 1.2): the guild the bot serves, a
 * member's roles (PUT/DELETE /guilds/{g}/members/{u}/roles/{r}) and
 * nickname (PATCH /guilds/{g}/members/{u} {"nick"}), each with an
 * X-Audit-Log-Reason, through the REST queue and its rate limits. In the
 * console (no Discord) the change is printed instead, so an organizer can
 * rehearse a plugin that hands out roles.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/text.h>

#include "config.h"
#include "console.h"
#include "guilds.h"
#include "hallway.h"
#include "host.h"
#include "rest.h"

#define NICK_MAX_CHARS 32

static struct hallway *hw_of(hw_plugin *self)
{
	return plugin_from(self)->host->hw;
}

/* A snowflake goes into a URL path: digits only. */
static int is_snowflake(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return n > 0 && n <= 20 && strspn(s, "0123456789") == n;
}

static const char *api_guild(hw_plugin *self)
{
	struct hallway *hw = hw_of(self);
	if (hw->cfg && hw->cfg->guild_id && *hw->cfg->guild_id)
		return hw->cfg->guild_id;
	return guilds_only(hw->guilds);
}

/* Console mode: the change is shown, and reported done. */
static int console_change(hw_plugin *self, const char *what, hw_send_fn cb, void *ud)
{
	struct hallway *hw = hw_of(self);
	if (hw->plan_only)
		return HW_OK;
	console_print(hw->console, what);
	if (cb)
		cb(self, 200, NULL, NULL, ud);
	return HW_OK;
}

/* Queues one REST call for the plugin; cb reports it (through send_done). */
static int start(hw_plugin *self, const char *method, const char *path, json_t *body,
		 const char *reason, hw_send_fn cb, void *ud)
{
	struct plugin *p = plugin_from(self);
	struct plugin_pending *pp = pending_new(p, PENDING_SEND, (void *)cb, ud);
	if (!pp) {
		json_decref(body);
		return HW_ERR_NOMEM;
	}
	if (!rest_request_reason(hw_of(self)->rest, method, path, body, reason, send_done, pp)) {
		pending_unlink(pp);
		pending_free(pp);
		return HW_ERR_NOMEM;
	}
	return HW_OK;
}

static int api_member_role(hw_plugin *self, const char *guild_id, const char *user_id,
			   const char *role_id, int add, const char *reason, hw_send_fn cb,
			   void *ud)
{
	char path[160];
	if (!is_snowflake(guild_id) || !is_snowflake(user_id) || !is_snowflake(role_id))
		return HW_ERR_INVALID;
	if (!hw_of(self)->rest) {
		char line[200];
		hw_fmt(line, sizeof(line), "(role %s %s %s)", role_id, add ? "given to" : "taken from",
		       user_id);
		return console_change(self, line, cb, ud);
	}
	snprintf(path, sizeof(path), "/guilds/%s/members/%s/roles/%s", guild_id, user_id, role_id);
	return start(self, add ? "PUT" : "DELETE", path, NULL, reason, cb, ud);
}

/* The nickname cut to Discord's 32 characters, on a character boundary. */
static void cut_nick(const char *nick, char *out, size_t len)
{
	const unsigned char *p = (const unsigned char *)nick;
	size_t chars = 0, used = 0;
	while (*p && chars < NICK_MAX_CHARS) {
		const unsigned char *start = p;
		if (hw_utf8_next(&p) < 0)
			continue; /* an invalid byte is dropped */
		if (used + (size_t)(p - start) >= len)
			break;
		memcpy(out + used, start, (size_t)(p - start));
		used += (size_t)(p - start);
		chars++;
	}
	out[used] = '\0';
}

static int api_member_nick(hw_plugin *self, const char *guild_id, const char *user_id,
			   const char *nick, const char *reason, hw_send_fn cb, void *ud)
{
	char path[128], cut[NICK_MAX_CHARS * 4 + 1];
	json_t *body;
	if (!is_snowflake(guild_id) || !is_snowflake(user_id))
		return HW_ERR_INVALID;
	cut_nick(nick ? nick : "", cut, sizeof(cut));
	if (!hw_of(self)->rest) {
		char line[200];
		hw_fmt(line, sizeof(line), "(nickname of %s set to \"%s\")", user_id, cut);
		return console_change(self, line, cb, ud);
	}
	/* An empty nickname resets it (JSON null). */
	body = *cut ? json_pack("{s:s}", "nick", cut) : json_pack("{s:n}", "nick");
	if (!body)
		return HW_ERR_NOMEM;
	snprintf(path, sizeof(path), "/guilds/%s/members/%s", guild_id, user_id);
	return start(self, "PATCH", path, body, reason, cb, ud);
}

void api_member_init(hw_api *api)
{
	api->guild = api_guild;
	api->member_role = api_member_role;
	api->member_nick = api_member_nick;
}
