/*
 * The command router. Chat and slash inputs come from the bus; console
 * lines come from console.c. All three become a struct invocation and go
 * through router_run(): permission check, handler, failure containment.
 */
#include "router.h"

#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/reply.h>

#include "bus.h"
#include "console.h"
#include "guilds.h"
#include "hallway.h"
#include "config.h"
#include "fairuse.h"
#include "host.h"
#include "log.h"
#include "metrics.h"
#include "msgsplit.h"
#include "rest.h"
#include "takeover.h"

#define MSG_FLAG_EPHEMERAL 64

/* A file that goes to the invoker by DM (router_reply_file): opening the
 * DM channel, then the upload. Owned by the router's list until done. */
struct dm_file {
	struct dm_file *next;
	struct router *router;
	struct invocation *inv; /* own reference: the answer in the channel */
	json_t *payload;        /* owned until the upload steals it */
	char *filename;
	void *data;
	size_t len;
};

struct router {
	struct hallway *hw;
	struct commands cmds;
	int running; /* handlers on the stack: commands_collect waits */
	int checking; /* parsed commands waiting for their check: so does it */
	struct invocation *current; /* whose handler is on the stack (innermost) */
	struct handled *handled;    /* two daemons: keys not yet settled or released */
	struct dm_file *dm_files; /* private file replies in flight */
	struct invocation *acking; /* slash responses in flight (router_ack.c) */
	/* console door */
	router_console_out console_out;
	void *console_ud;
	router_console_out plain_out; /* text already drawn (reply models) */
	void *plain_ud;
};

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

struct commands *router_commands(struct router *r)
{
	return &r->cmds;
}

struct hallway *router_hallway(struct router *r)
{
	return r->hw;
}

struct invocation **router_acking(struct router *r)
{
	return &r->acking;
}

struct handled **router_handled_list(struct router *r)
{
	return &r->handled;
}

char *router_take_handled_key(struct router *r, const struct plugin *p)
{
	struct invocation *inv = r ? r->current : NULL;
	char *key;

	/* Only the command's own plugin: another one's unit queued meanwhile
	 * (a subscriber to an event the handler published) is not its effect. */
	if (!inv || !handled_unsettled(inv->handled) || !inv->args.cmd || inv->args.cmd->owner != p)
		return NULL;
	if ((key = strdup(handled_key(inv->handled))))
		handled_settle(inv->handled);
	return key;
}

/* ---- which guild: the conference's or another ---- */

/* The conference guild (discord.guild_id), or NULL when none is set. */
static const char *conference_guild(const struct router *r)
{
	return r->hw->cfg && r->hw->cfg->guild_id && *r->hw->cfg->guild_id ? r->hw->cfg->guild_id
									      : NULL;
}

/* 1 for a guild other than the configured conference guild. Without a
 * conference guild every guild is treated alike (attendee commands only). */
static int is_foreign_guild(const struct router *r, const char *guild_id)
{
	const char *conf = conference_guild(r);
	return guild_id && conf && strcmp(guild_id, conf);
}

/* 1 when input from guild_id is dropped without an answer
 * (discord.foreign_guilds "ignore", the default). */
static int ignore_guild(const struct router *r, const char *guild_id)
{
	const char *mode = r->hw->cfg ? r->hw->cfg->foreign_guilds : NULL;
	if (!is_foreign_guild(r, guild_id) || (mode && !strcmp(mode, "answer")))
		return 0;
	LOGD("router", "ignoring input from guild %s (not discord.guild_id)", guild_id);
	return 1;
}

/* ---- invocations ---- */

static struct invocation *invocation_new(struct router *r, enum hw_door door)
{
	struct invocation *inv = calloc(1, sizeof(*inv));
	if (!inv)
		return NULL;
	inv->router = r;
	inv->refs = 1;
	inv->pub.struct_size = sizeof(inv->pub);
	inv->pub.door = door;
	return inv;
}

void invocation_ref(struct invocation *inv)
{
	inv->refs++;
}

void invocation_unref(struct invocation *inv)
{
	if (!inv || --inv->refs > 0)
		return;
	if (inv->web_out)
		inv->web_out(inv->web_ud, NULL);
	handled_release(inv->handled);
	router_ack_free(inv);
	parsed_args_free(&inv->args);
	free(inv->user_id);
	free(inv->user_name);
	free(inv->channel_id);
	free(inv->guild_id);
	free(inv->command);
	free(inv->message_id);
	free(inv->interaction_id);
	free(inv->interaction_token);
	free(inv);
}

/* Publishes the owned strings and parsed args through inv->pub. */
static void invocation_publish(struct invocation *inv)
{
	hw_invocation *p = &inv->pub;
	p->command = inv->command;
	p->user_id = inv->user_id;
	p->user_name = inv->user_name;
	p->channel_id = inv->channel_id;
	p->guild_id = inv->guild_id;
	p->argc = inv->args.cmd ? inv->args.cmd->nargs : 0;
	p->argv = inv->args.argv;
	p->raw_args = inv->args.raw ? inv->args.raw : "";
}

/* ---- replies ---- */

/* Console rendering of a message: content, then each embed as text. */
static void console_render(struct router *r, const hw_message *msg)
{
	size_t i;
	json_t *e;
	if (!r->console_out)
		return;
	if (msg->content && *msg->content)
		r->console_out(r->console_ud, msg->content);
	json_array_foreach(msg->embeds, i, e) {
		const char *title = json_string_value(json_object_get(e, "title"));
		const char *desc = json_string_value(json_object_get(e, "description"));
		json_t *fields = json_object_get(e, "fields"), *f;
		size_t k;
		if (title)
			r->console_out(r->console_ud, title);
		if (desc)
			r->console_out(r->console_ud, desc);
		json_array_foreach(fields, k, f) {
			const char *n = json_string_value(json_object_get(f, "name"));
			const char *v = json_string_value(json_object_get(f, "value"));
			char *line;
			size_t len = (n ? strlen(n) : 0) + (v ? strlen(v) : 0) + 4;
			if (!(line = malloc(len)))
				continue;
			snprintf(line, len, "%s: %s", n ? n : "", v ? v : "");
			r->console_out(r->console_ud, line);
			free(line);
		}
	}
}

/* Answers to organizer commands may hold other people's data (an export
 * of signups): on the slash door they are ephemeral, and a file from one
 * typed in a guild channel goes to the organizer by DM. */
static int reply_is_private(const struct invocation *inv)
{
	return inv->private_reply || inv->from_component;
}

/* The type 5 (deferred) interaction callback body, ephemeral when private.
 * Returns a new reference. */
static json_t *defer_body(const struct invocation *inv)
{
	if (inv->update_message)
		/* DEFERRED_UPDATE_MESSAGE: the answer edits the pressed message. */
		return json_pack("{s:i}", "type", 6);
	if (reply_is_private(inv))
		return json_pack("{s:i, s:{s:i}}", "type", 5, "data", "flags", MSG_FLAG_EPHEMERAL);
	return json_pack("{s:i}", "type", 5);
}

static void interaction_path(struct invocation *inv, char *buf, size_t len, const char *suffix)
{
	snprintf(buf, len, "/webhooks/%s/%s%s", inv->router->hw->application_id,
		 inv->interaction_token, suffix);
}

void router_log_rest_failure(void *ud, long status, json_t *body, const char *error)
{
	const char *what = ud;
	if (status >= 200 && status < 300)
		return;
	LOGW("router", "%s failed: HTTP %ld %s %s", what, status, error ? error : "",
	     json_string_value(json_object_get(body, "message")) ?
		     json_string_value(json_object_get(body, "message")) : "");
}

/* A request whose answer only matters when it fails: logged then, and a
 * success's body is not even parsed. Returns rest_request's id. */
static uint64_t logged_request(struct rest *rest, const char *method, const char *path,
			       json_t *body, const char *what)
{
	uint64_t id = rest_request(rest, method, path, body, router_log_rest_failure, (void *)what);
	rest_quiet_success(rest, id);
	return id;
}

/* Sends one message part of a slash reply: the initial response, an edit
 * of the deferred original, or a followup (these two wait until Discord
 * has accepted the initial response: router_ack.c). data: stolen. */
static void slash_send_part(struct invocation *inv, json_t *data)
{
	char path[512];
	if (!inv->responded && !inv->deferred && inv->in_handler) {
		router_ack_respond(inv, json_pack("{s:i, s:o}", "type", 4, "data", data),
				   "interaction response");
		inv->responded = 1;
	} else if (!inv->responded && inv->deferred && !inv->update_message &&
		   (json_integer_value(json_object_get(data, "flags")) & MSG_FLAG_EPHEMERAL) &&
		   !reply_is_private(inv)) {
		/* An answer for the asker alone, after a public defer (a kept
		 * invocation: the handler did not say how it would answer):
		 * editing the original would show it to everyone. It goes as an
		 * ephemeral followup, and the public "thinking" message goes. */
		interaction_path(inv, path, sizeof(path), "/messages/@original");
		router_ack_webhook(inv, "DELETE", path, NULL, NULL, NULL, 0, "deferred placeholder");
		interaction_path(inv, path, sizeof(path), "");
		router_ack_webhook(inv, "POST", path, data, NULL, NULL, 0, "private reply");
		inv->responded = 1;
	} else if (!inv->responded && inv->deferred && !inv->update_message) {
		json_object_del(data, "flags"); /* ephemerality was fixed by the defer */
		interaction_path(inv, path, sizeof(path), "/messages/@original");
		router_ack_webhook(inv, "PATCH", path, data, NULL, NULL, 0, "deferred reply");
		inv->responded = 1;
	} else {
		/* A followup; after a type 6 defer (update_message), @original is
		 * the pressed message, which only a model answer replaces: text
		 * is a new message for the one who pressed. */
		if (inv->update_message)
			json_object_set_new(data, "flags", json_integer(MSG_FLAG_EPHEMERAL));
		interaction_path(inv, path, sizeof(path), "");
		router_ack_webhook(inv, "POST", path, data, NULL, NULL, 0, "followup");
	}
}

/* ---- bounded replies ---- */

#define REPLY_DEFAULT_MESSAGES 3
#define REPLY_DEFAULT_DM_MESSAGES 10
#define REPLY_NOTICE_MAX 300

/* How many messages a reply may take: few where others read along (a
 * server channel, 5 messages per 5 s for everyone), more where only the
 * asker reads (a DM, an ephemeral answer). */
static size_t reply_max_messages(const struct invocation *inv, int only_asker)
{
	const struct config *cfg = inv->router->hw->cfg;
	if (only_asker || !inv->guild_id)
		return cfg && cfg->dm_reply_messages > 0 ? (size_t)cfg->dm_reply_messages
							 : REPLY_DEFAULT_DM_MESSAGES;
	return cfg && cfg->reply_messages > 0 ? (size_t)cfg->reply_messages : REPLY_DEFAULT_MESSAGES;
}

/* Lines of s[0, len) that hold more than whitespace. */
static size_t count_lines(const char *s, size_t len)
{
	size_t n = 0;
	int seen = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n') {
			n += seen;
			seen = 0;
		} else if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r') {
			seen = 1;
		}
	}
	return n + seen;
}

/* The line that ends a cut reply: how much was left out, and where the
 * rest can be had. */
static void reply_notice(const struct invocation *inv, int only_asker, size_t lines, char *buf,
			 size_t len)
{
	const char *prefix = inv->router->hw->cfg ? inv->router->hw->cfg->prefix : "!";
	if (only_asker || !inv->guild_id)
		snprintf(buf, len, "… and %zu more line%s not shown: that is more than %zu "
			 "messages. Ask for less at a time.", lines, lines == 1 ? "" : "s",
			 reply_max_messages(inv, only_asker));
	else
		snprintf(buf, len, "… and %zu more line%s not shown here, to keep this channel "
			 "readable. Ask me in a DM (%s%s there) for all of it.", lines,
			 lines == 1 ? "" : "s", inv->pub.door == HW_DOOR_SLASH ? "" : prefix,
			 inv->command ? inv->command : "the same command");
}

/* Bounds a reply to the messages its place allows. clean: valid UTF-8
 * (msgsplit_sanitize). Returns HW_OK with *out NULL when it fits, or a new
 * string (free() it) that is its start, its open markup closed, then a
 * line saying what was left out; never cuts in silence. */
static int reply_bound(struct invocation *inv, const char *clean, size_t len, int only_asker,
		       char **out)
{
	size_t max_parts = reply_max_messages(inv, only_asker), total = count_lines(clean, len);
	size_t reserve, keep = len, lines, nl, tl;
	char notice[REPLY_NOTICE_MAX], tail[MSGSPLIT_MARKS];
	char *text = NULL;

	*out = NULL;
	/* The notice with every line counted is at least as long as the one
	 * sent: its length is the room to keep. */
	reply_notice(inv, only_asker, total, notice, sizeof(notice));
	reserve = msgsplit_count(notice, strlen(notice));
	for (int tries = 0; tries < 8; tries++, reserve += 100) {
		struct msgsplit ms;
		struct msgsplit_part part;
		size_t parts = 0;

		keep = msgsplit_fit(clean, len, MSGSPLIT_DISCORD_MAX, max_parts, reserve, tail);
		if (keep == len)
			return HW_OK;
		lines = count_lines(clean + keep, len - keep);
		reply_notice(inv, only_asker, lines ? lines : 1, notice, sizeof(notice));
		nl = strlen(notice);
		tl = strlen(tail);
		free(text);
		if (!(text = malloc(keep + tl + 1 + nl + 1)))
			return HW_ERR_NOMEM;
		memcpy(text, clean, keep);
		memcpy(text + keep, tail, tl);
		text[keep + tl] = '\n';
		memcpy(text + keep + tl + 1, notice, nl + 1);
		/* The door splits it again: check that it holds. */
		msgsplit_init(&ms, text, keep + tl + 1 + nl, MSGSPLIT_DISCORD_MAX);
		while (msgsplit_part(&ms, &part))
			parts++;
		if (parts <= max_parts)
			break;
	}
	LOGI("router", "reply to \"%s\" cut to %zu messages: %zu of %zu bytes, %zu lines left out",
	     inv->command ? inv->command : "?", max_parts, keep, len, lines);
	*out = text;
	return HW_OK;
}

static int reply_slash(struct invocation *inv, const hw_message *msg)
{
	const char *text = msg->content ? msg->content : "";
	int only_asker = msg->ephemeral || reply_is_private(inv);
	size_t len, n;
	char *clean = msgsplit_sanitize(text, strlen(text), &len), *bounded = NULL, *buf = NULL;
	struct msgsplit ms;
	struct msgsplit_part part, next;
	int parts = 0, more, rc;
	if (!clean)
		return HW_ERR_NOMEM;
	rc = reply_bound(inv, clean, len, only_asker, &bounded);
	if (rc != HW_OK)
		goto out;
	if (bounded) {
		free(clean);
		clean = bounded;
		len = strlen(clean);
	}
	if (!(buf = malloc(len + 2 * MSGSPLIT_MARKS))) {
		rc = HW_ERR_NOMEM;
		goto out;
	}
	msgsplit_init(&ms, clean, len, MSGSPLIT_DISCORD_MAX);
	more = msgsplit_part(&ms, &part);
	for (;;) {
		json_t *data;
		int last;
		if (!more && parts > 0)
			break;
		data = json_object();
		if (!data)
			break;
		if (more) {
			n = msgsplit_part_copy(&ms, &part, buf);
			json_object_set_new(data, "content", json_stringn(buf, n));
		}
		json_object_set_new(data, "allowed_mentions", rest_allowed_mentions(0));
		if (only_asker)
			json_object_set_new(data, "flags", json_integer(MSG_FLAG_EPHEMERAL));
		/* Embeds ride on the last part: look whether another follows. */
		last = !more || !msgsplit_part(&ms, &next);
		if (last && msg->embeds && json_array_size(msg->embeds))
			json_object_set(data, "embeds", msg->embeds);
		if (!json_object_get(data, "content") && !json_object_get(data, "embeds")) {
			json_decref(data);
			break;
		}
		slash_send_part(inv, data);
		parts++;
		if (last)
			break;
		part = next;
	}
out:
	free(clean);
	free(buf);
	return rc;
}

/* A chat reply's nonce, from the message it answers and its place among
 * the answers ("<message id>.<n>"): a command replayed to the next active
 * daemon after a takeover answers with the same nonces, and Discord keeps
 * one message of each (enforce_nonce). Nothing when it does not fit. */
static int reply_nonce(struct invocation *inv, json_t *obj)
{
	char nonce[HW_REPLY_NONCE_MAX + 1];
	int n;

	if (!inv->message_id)
		return 0;
	n = snprintf(nonce, sizeof(nonce), "%s.%d", inv->message_id, inv->replies);
	if (n < 0 || (size_t)n >= sizeof(nonce))
		return 0;
	return json_object_set_new(obj, "nonce", json_string(nonce)) ||
	       json_object_set_new(obj, "enforce_nonce", json_true());
}

/* A chat reply of a command whose key waits for its answers (two daemons). */
static void reply_delivered(void *ud, long status, json_t *body, const char *error)
{
	router_log_rest_failure("reply", status, body, error);
	handled_release(ud);
}

/* POSTs a chat reply (body: stolen); the command's key, if it waits for
 * its answers, is held until Discord has it. */
static int post_chat_reply(struct invocation *inv, const char *channel_id, json_t *body)
{
	struct rest *rest = inv->router->hw->rest;
	char path[128];
	uint64_t id;

	snprintf(path, sizeof(path), "/channels/%s/messages", channel_id);
	if (!handled_unsettled(inv->handled))
		return logged_request(rest, "POST", path, body, "reply") ? HW_OK : HW_ERR_NOMEM;
	handled_hold(inv->handled); /* first: the callback drops it */
	if (!(id = rest_request(rest, "POST", path, body, reply_delivered, inv->handled))) {
		handled_release(inv->handled);
		return HW_ERR_NOMEM;
	}
	rest_quiet_success(rest, id);
	return HW_OK;
}

int router_reply(struct invocation *inv, const hw_message *msg)
{
	struct router *r = inv->router;
	if (!msg || ((!msg->content || !*msg->content) &&
		     (!msg->embeds || !json_array_size(msg->embeds))))
		return HW_ERR_INVALID;
	inv->replies++;
	switch (inv->pub.door) {
	case HW_DOOR_CONSOLE:
		console_render(r, msg);
		return HW_OK;
	case HW_DOOR_SLASH:
		return reply_slash(inv, msg);
	case HW_DOOR_CHAT: {
		const char *content = msg->content ? msg->content : "";
		size_t len;
		char *clean = msgsplit_sanitize(content, strlen(content), &len), *bounded = NULL;
		json_t *tmpl;
		uint64_t id;
		int rc = clean ? reply_bound(inv, clean, len, 0, &bounded) : HW_ERR_NOMEM;
		free(clean);
		if (rc != HW_OK)
			return rc;
		if (bounded)
			content = bounded;
		if (!(tmpl = json_object())) {
			free(bounded);
			return HW_ERR_NOMEM;
		}
		if (inv->message_id)
			json_object_set_new(tmpl, "message_reference",
					    json_pack("{s:s, s:b}", "message_id", inv->message_id,
						      "fail_if_not_exists", 0));
		if (msg->embeds && json_array_size(msg->embeds))
			json_object_set(tmpl, "embeds", msg->embeds);
		if (reply_nonce(inv, tmpl)) {
			json_decref(tmpl);
			free(bounded);
			return HW_ERR_NOMEM;
		}
		if (handled_unsettled(inv->handled)) {
			handled_hold(inv->handled); /* first: the callback drops it */
			id = rest_send_message(r->hw->rest, inv->channel_id, content, tmpl,
					       msg->allow_mentions, reply_delivered, inv->handled);
			if (!id)
				handled_release(inv->handled);
		} else {
			id = rest_send_message(r->hw->rest, inv->channel_id, content, tmpl,
					       msg->allow_mentions, router_log_rest_failure, "reply");
		}
		rest_quiet_success(r->hw->rest, id);
		json_decref(tmpl);
		free(bounded);
		return id ? HW_OK : HW_ERR_NOMEM;
	}
	case HW_DOOR_WEB: {
		json_t *reply = json_pack("{s:s?,s:O?}", "text", msg->content, "embeds", msg->embeds);
		if (!reply)
			return HW_ERR_NOMEM;
		if (inv->web_out)
			inv->web_out(inv->web_ud, reply);
		json_decref(reply);
		return HW_OK;
	}
	}
	return HW_ERR_INVALID;
}

static void reply_text(struct invocation *inv, const char *text, int ephemeral);

static void dm_file_free(struct dm_file *df)
{
	if (!df)
		return;
	invocation_unref(df->inv);
	json_decref(df->payload);
	free(df->filename);
	free(df->data);
	free(df);
}

/* Unlinks df, says how it went in the channel (answer may be NULL) and
 * frees it. */
static void dm_file_finish(struct dm_file *df, const char *answer)
{
	struct dm_file **pp;
	for (pp = &df->router->dm_files; *pp; pp = &(*pp)->next)
		if (*pp == df) {
			*pp = df->next;
			break;
		}
	if (answer && !df->router->hw->stopping)
		reply_text(df->inv, answer, 0);
	dm_file_free(df);
}

static void dm_file_failed(struct dm_file *df, long status, const char *error)
{
	char answer[400];
	LOGW("router", "cannot DM %s to user %s: HTTP %ld %s", df->filename, df->inv->user_id, status,
	     error ? error : "");
	snprintf(answer, sizeof(answer),
		 "I could not send you %s by DM (do you accept DMs from members of this server?). "
		 "Organizers' files may hold other people's data, so it is not posted here; the "
		 "slash command /%s answers where only you can see it.",
		 df->filename, df->inv->command ? df->inv->command : "");
	dm_file_finish(df, answer);
}

static void dm_file_sent(void *ud, long status, json_t *body, const char *error)
{
	struct dm_file *df = ud;
	char answer[300];
	(void)body;
	if (status < 200 || status >= 300) {
		dm_file_failed(df, status, error);
		return;
	}
	snprintf(answer, sizeof(answer),
		 "I sent you %s by DM: organizers' files may hold other people's data, so they are "
		 "not posted in channels.", df->filename);
	dm_file_finish(df, answer);
}

static void dm_file_channel_done(void *ud, long status, json_t *body, const char *error)
{
	struct dm_file *df = ud;
	const char *channel = json_string_value(json_object_get(body, "id"));
	char path[128];
	json_t *payload;
	if (status < 200 || status >= 300 || !channel || strlen(channel) > 32) {
		dm_file_failed(df, status, error ? error : "no DM channel");
		return;
	}
	snprintf(path, sizeof(path), "/channels/%s/messages", channel);
	payload = df->payload;
	df->payload = NULL;
	if (!rest_request_file(df->router->hw->rest, "POST", path, payload, df->filename, df->data,
			       df->len, dm_file_sent, df))
		dm_file_failed(df, 0, "out of memory");
}

/* Sends a file to the invoker's DMs, then answers in the channel.
 * payload: stolen. */
static int dm_file_start(struct invocation *inv, json_t *payload, const char *filename,
			 const void *data, size_t len)
{
	struct router *r = inv->router;
	struct dm_file *df = calloc(1, sizeof(*df));
	if (!df) {
		json_decref(payload);
		return HW_ERR_NOMEM;
	}
	df->payload = payload;
	df->router = r;
	df->filename = strdup(filename);
	df->data = malloc(len ? len : 1);
	if (!df->filename || !df->data) {
		dm_file_free(df);
		return HW_ERR_NOMEM;
	}
	memcpy(df->data, data, len);
	df->len = len;
	df->inv = inv;
	invocation_ref(inv);
	df->next = r->dm_files;
	r->dm_files = df;
	if (!rest_request(r->hw->rest, "POST", "/users/@me/channels",
			  json_pack("{s:s}", "recipient_id", inv->user_id), dm_file_channel_done, df)) {
		dm_file_finish(df, NULL);
		return HW_ERR_NOMEM;
	}
	return HW_OK;
}

int router_reply_file(struct invocation *inv, const char *text, const char *filename,
		      const void *data, size_t len)
{
	struct router *r = inv->router;
	char path[512];
	json_t *payload;
	if (!filename || !data)
		return HW_ERR_INVALID;
	inv->replies++;
	if (inv->pub.door == HW_DOOR_CONSOLE) {
		char line[PATH_MAX + 200], saved[PATH_MAX];
		/* The console user gets the file itself, in the folder they work in. */
		if (!console_save_file(r->hw->console, filename, data, len, saved, sizeof(saved)))
			snprintf(line, sizeof(line), "Saved %s (%zu bytes).", saved, len);
		else
			snprintf(line, sizeof(line), "Could not save the file %s (%zu bytes): %s.",
				 filename, len, saved);
		if (text && *text && r->console_out)
			r->console_out(r->console_ud, text);
		if (r->console_out)
			r->console_out(r->console_ud, line);
		return HW_OK;
	}
	if (inv->pub.door == HW_DOOR_WEB) {
		/* The page offers the file for download (text files: CSV, ICS). */
		json_t *reply = json_pack("{s:s?,s:{s:s,s:s%}}", "text", text, "file", "name",
					  filename, "data", (const char *)data, len);
		if (!reply)
			return HW_ERR_INVALID; /* not UTF-8 */
		if (inv->web_out)
			inv->web_out(inv->web_ud, reply);
		json_decref(reply);
		return HW_OK;
	}
	payload = json_pack("{s:s, s:o}", "content", text ? text : "", "allowed_mentions",
			    rest_allowed_mentions(0));
	if (!payload)
		return HW_ERR_NOMEM;
	if (inv->pub.door == HW_DOOR_SLASH) {
		if (!inv->responded && !inv->deferred && inv->in_handler) {
			/* Files cannot ride a type 4 JSON callback here: defer, then
			 * send the upload as a followup. */
			router_ack_respond(inv, defer_body(inv), "defer");
			inv->deferred = 1;
		}
		if (reply_is_private(inv))
			json_object_set_new(payload, "flags", json_integer(MSG_FLAG_EPHEMERAL));
		interaction_path(inv, path, sizeof(path), "");
		inv->responded = 1;
		return router_ack_webhook(inv, "POST", path, payload, filename, data, len,
					  "file upload");
	} else if (reply_is_private(inv) && inv->guild_id) {
		return dm_file_start(inv, payload, filename, data, len);
	} else {
		snprintf(path, sizeof(path), "/channels/%s/messages", inv->channel_id);
	}
	return rest_request_file(r->hw->rest, "POST", path, payload, filename, data, len,
				 router_log_rest_failure, "file upload") ? HW_OK : HW_ERR_NOMEM;
}

static void reply_text(struct invocation *inv, const char *text, int ephemeral)
{
	hw_message m = {.struct_size = sizeof(m), .content = text, .ephemeral = ephemeral};
	router_reply(inv, &m);
}

/* ---- reply models (api_reply.c draws them) ---- */

/* The answer to a "Show more" replaces the pressed message: its embeds
 * and components too (absent keys would keep the old ones), never its
 * flags. body: stolen. */
static int update_pressed(struct invocation *inv, json_t *body)
{
	char path[512];
	json_object_del(body, "flags");
	json_object_del(body, "message_reference");
	if ((!json_object_get(body, "embeds") && json_object_set_new(body, "embeds", json_array())) ||
	    (!json_object_get(body, "components") &&
	     json_object_set_new(body, "components", json_array()))) {
		json_decref(body);
		return HW_ERR_NOMEM;
	}
	inv->responded = 1;
	if (!inv->deferred)
		return router_ack_respond(inv, json_pack("{s:i, s:o}", "type", 7, "data", body),
					  "update of the pressed message");
	/* After DEFERRED_UPDATE_MESSAGE, @original is the pressed message; the
	 * edit waits for the acknowledgement like any webhook request. */
	interaction_path(inv, path, sizeof(path), "/messages/@original");
	return router_ack_webhook(inv, "PATCH", path, body, NULL, NULL, 0,
				  "deferred update of the pressed message");
}

int router_reply_body(struct invocation *inv, json_t *body)
{
	if (!body)
		return HW_ERR_NOMEM;
	inv->replies++;
	if (inv->pub.door == HW_DOOR_SLASH && inv->update_message && !inv->responded &&
	    (inv->deferred || inv->in_handler))
		return update_pressed(inv, body);
	if (inv->pub.door == HW_DOOR_SLASH) {
		if (reply_is_private(inv))
			json_object_set_new(body, "flags", json_integer(MSG_FLAG_EPHEMERAL));
		slash_send_part(inv, body);
		return HW_OK;
	}
	if (inv->pub.door != HW_DOOR_CHAT || !inv->channel_id) {
		json_decref(body);
		return HW_ERR_INVALID;
	}
	json_object_del(body, "flags"); /* a channel message cannot be ephemeral */
	if (inv->message_id)
		json_object_set_new(body, "message_reference",
				    json_pack("{s:s, s:b}", "message_id", inv->message_id,
					      "fail_if_not_exists", 0));
	if (reply_nonce(inv, body)) {
		json_decref(body);
		return HW_ERR_NOMEM;
	}
	return post_chat_reply(inv, inv->channel_id, body);
}

int router_reply_plain(struct invocation *inv, const char *text)
{
	struct router *r = inv->router;
	inv->replies++;
	router_console_print(r, text);
	return HW_OK;
}

void router_console_print(struct router *r, const char *text)
{
	if (r->plain_out)
		r->plain_out(r->plain_ud, text);
	else if (r->console_out)
		r->console_out(r->console_ud, text);
}

void router_console_plain(struct router *r, router_console_out out, void *ud)
{
	r->plain_out = out;
	r->plain_ud = ud;
}

/* ---- running a command ---- */

/* Why an organizer command was refused, for the one who typed it. */
static void refusal_text(struct router *r, const struct invocation *inv, char *buf, size_t len)
{
	const char *conf = conference_guild(r);
	const char *name = guilds_name(r->hw->guilds, conf);
	char where[160];
	if (name && *name)
		snprintf(where, sizeof(where), "the %s server", name);
	else
		snprintf(where, sizeof(where), "the conference's server");
	if (inv->pub.door == HW_DOOR_CONSOLE)
		snprintf(buf, len, "Sorry, that command is for organizers only.");
	else if (!conf)
		snprintf(buf, len, "Sorry, that command is for organizers only; with no conference "
				   "server configured (discord.guild_id) they work only on the console.");
	else if (inv->pub.is_dm)
		snprintf(buf, len, "Sorry, that command is for organizers only, and organizer commands "
				   "work only in %s, not in DMs.", where);
	else if (is_foreign_guild(r, inv->guild_id))
		snprintf(buf, len, "Sorry, that command is for organizers only, and organizer commands "
				   "work only in %s.", where);
	else
		snprintf(buf, len, "Sorry, that command is for organizers only.");
}

static void router_run(struct router *r, struct invocation *inv)
{
	struct command *cmd = inv->args.cmd;
	struct plugin *p = cmd->owner;
	struct invocation *prev;
	int rc;

	invocation_publish(inv);
	inv->private_reply = cmd->perm == HW_PERM_ORGANIZER;
	/* A refusal below is the slash command's initial response, like a
	 * handler's reply (else it goes out as a followup to an interaction
	 * nobody acknowledged, which Discord rejects with 10015). */
	inv->in_handler = 1;
	if (!fairuse_admit(r->hw->fairuse, inv)) { /* over the user's budget */
		inv->in_handler = 0;
		return;
	}
	if (cmd->perm == HW_PERM_ORGANIZER && !inv->pub.is_organizer) {
		char why[400];
		LOGI("router", "refused organizer command \"%s\" from user %s in %s", cmd->name,
		     inv->user_id, inv->guild_id ? inv->guild_id : "a DM");
		metrics_command(r->hw->metrics, cmd->name, "denied");
		refusal_text(r, inv, why, sizeof(why));
		reply_text(inv, why, 1);
		inv->in_handler = 0;
		return;
	}
	if (p && p->state != PLUGIN_ACTIVE) {
		metrics_command(r->hw->metrics, cmd->name, "unavailable");
		reply_text(inv, "That plugin is reloading; please try again in a moment.", 1);
		inv->in_handler = 0;
		return;
	}
	r->running++;
	prev = r->current;
	r->current = inv;
	rc = cmd->fn(p ? plugin_token(p) : NULL, &inv->pub, cmd->ud);
	r->current = prev;
	r->running--;
	inv->in_handler = 0;
	if (p)
		p->commands_run++;
	metrics_command(r->hw->metrics, cmd->name, rc == HW_OK ? "ok" : "error");
	if (rc != HW_OK) {
		if (p)
			host_plugin_error(p, cmd->name, rc);
		else
			LOGW("router", "built-in command \"%s\" failed (%d)", cmd->name, rc);
		reply_text(inv, "Sorry, something went wrong. The organizers' logs have the details.", 1);
	} else if (inv->pub.door == HW_DOOR_SLASH && !inv->responded && !inv->deferred) {
		if (inv->refs > 1) {
			/* The plugin kept the invocation to answer later: acknowledge
			 * now so Discord's 3-second window is met. */
			router_ack_respond(inv, defer_body(inv), "defer");
			inv->deferred = 1;
		} else {
			reply_text(inv, "Done.", 1);
		}
	}
	if (!r->running && !r->checking)
		commands_collect(&r->cmds);
}

/* Usage and "no such command" answers. */
static void answer_parse_error(struct router *r, struct invocation *inv, enum parse_result pr,
			       const char *why)
{
	char buf[700];
	const char *prefix = inv->pub.door == HW_DOOR_CONSOLE ? ""
			     : r->hw->cfg ? r->hw->cfg->prefix : "!";
	if (pr == PARSE_NO_COMMAND && (!why || !*why))
		return; /* chatter that happens to start with the prefix */
	if (!fairuse_admit(r->hw->fairuse, inv))
		return; /* a usage answer costs the user's budget like a command */
	if (pr == PARSE_NO_COMMAND) {
		snprintf(buf, sizeof(buf), "%s (Type %shelp for the list of commands.)", why, prefix);
	} else if (pr == PARSE_BAD_ARGS && inv->args.cmd) {
		char usage[300];
		commands_usage(inv->args.cmd, prefix, usage, sizeof(usage));
		snprintf(buf, sizeof(buf), "%s. Usage: %s", why, usage);
	} else {
		snprintf(buf, sizeof(buf), "%s", why && *why ? why : "Sorry, I could not read that.");
	}
	reply_text(inv, buf, 1);
}

/* ---- once per message or interaction (two daemons) ---- */

/* A parsed command from the chat or slash door, answered or run. */
static void proceed(struct router *r, struct invocation *inv, enum parse_result pr,
		    const char *why)
{
	/* Errors are a slash command's initial response (see router_run). */
	inv->in_handler = inv->pub.door == HW_DOOR_SLASH;
	if (pr != PARSE_OK) {
		answer_parse_error(r, inv, pr, why);
	} else if (inv->args.cmd->dead) { /* its plugin went while the check ran */
		reply_text(inv, "That plugin is reloading; please try again in a moment.", 1);
	} else {
		inv->in_handler = 0;
		inv->command = strdup(inv->args.cmd->name);
		router_run(r, inv);
	}
	inv->in_handler = 0;
}

/* A command waiting for its check (takeover_check). */
struct check_wait {
	struct router *r;
	struct invocation *inv; /* own reference */
	enum parse_result pr;
	char why[512];
};

static void checked(void *ud, enum takeover_check outcome)
{
	struct check_wait *w = ud;
	struct router *r = w->r;

	r->checking--;
	/* Unknown (the database did not answer) it runs: nobody could have
	 * taken the lease over meanwhile, so nobody else ran it. */
	if ((outcome == TAKEOVER_NEW || outcome == TAKEOVER_UNAVAILABLE) && !r->hw->stopping) {
		handled_ran(w->inv->handled);
		proceed(r, w->inv, w->pr, w->why);
	} else {
		/* Stopping, Discord replays it to the next active daemon. */
		handled_settle(w->inv->handled);
	}
	invocation_unref(w->inv);
	free(w);
	if (!r->running && !r->checking)
		commands_collect(&r->cmds);
}

/* With two daemons (a lease), a message or interaction that an earlier
 * active daemon handled, replayed by Discord after the takeover, is
 * skipped; one it did not is run here, and its id is written with its
 * effect (router_handled.c). Without a lease it runs at once. */
static void check_then_proceed(struct router *r, struct invocation *inv, const char *kind,
			       const char *id, enum parse_result pr, const char *why)
{
	struct check_wait *w;

	if (!r->hw->takeover || !id) {
		proceed(r, inv, pr, why);
		return;
	}
	if (!(inv->handled = handled_new(r, kind, id, r->hw->dispatch_seq)) ||
	    !(w = calloc(1, sizeof(*w)))) {
		LOGW("router", "out of memory: %s %s runs without being recorded as handled", kind,
		     id);
		handled_ran(inv->handled);
		proceed(r, inv, pr, why);
		return;
	}
	w->r = r;
	w->inv = inv;
	w->pr = pr;
	snprintf(w->why, sizeof(w->why), "%s", why ? why : "");
	invocation_ref(inv);
	if (takeover_check(r->hw->takeover, handled_key(inv->handled), checked, w)) {
		LOGW("router", "cannot queue the check of %s %s: it runs all the same", kind, id);
		invocation_unref(inv);
		free(w);
		handled_ran(inv->handled);
		proceed(r, inv, pr, why);
		return;
	}
	r->checking++;
}

/* ---- chat door ---- */

/* If content addresses the bot (prefix or mention), returns the rest. */
static const char *strip_prefix(struct router *r, const char *content)
{
	const char *prefix = r->hw->cfg ? r->hw->cfg->prefix : "!";
	size_t plen = strlen(prefix);
	const char *self = r->hw->self_user_id;
	while (*content == ' ')
		content++;
	if (plen && !strncmp(content, prefix, plen))
		return content + plen;
	if (*self && content[0] == '<' && content[1] == '@') {
		const char *p = content + 2;
		size_t slen = strlen(self);
		if (*p == '!')
			p++;
		if (!strncmp(p, self, slen) && p[slen] == '>') {
			p += slen + 1;
			while (*p == ' ')
				p++;
			return p;
		}
	}
	return NULL;
}

/* 1 if text (len bytes, whole or only a start) may begin with word. */
static int may_start_with(const char *text, size_t len, int whole, const char *word,
			  size_t wlen)
{
	size_t n = len < wlen ? len : wlen;

	if (memcmp(text, word, n))
		return 0;
	return n == wlen || !whole;
}

/* Mirrors strip_prefix on the first bytes of a message. */
int router_may_address(const struct router *r, const char *content, size_t len, int whole)
{
	const char *prefix = r->hw->cfg ? r->hw->cfg->prefix : "!";
	size_t i = 0;

	while (i < len && content[i] == ' ')
		i++;
	if (i == len)
		return !whole;
	content += i;
	len -= i;
	return (prefix[0] && may_start_with(content, len, whole, prefix, strlen(prefix))) ||
	       (r->hw->self_user_id[0] && may_start_with(content, len, whole, "<@", 2));
}

const char *const router_message_fields[] = {
	"id",		 "channel_id",	"guild_id",	"content",
	"author.id",	 "author.bot",	"author.username", "author.global_name",
	"member.nick",	 "member.roles", NULL};

/* Who asked and where, for either door: the user (d's author, or an
 * interaction's member.user/user), their shown name (server nick, then
 * global name, then username, then id), channel, guild, DM-ness and the
 * organizer role. A failed copy leaves a field NULL: the caller checks. */
static void fill_who(struct router *r, struct invocation *inv, json_t *d, json_t *user,
		     json_t *member)
{
	const char *user_id = json_string_value(json_object_get(user, "id"));
	const char *name = json_string_value(json_object_get(member, "nick"));

	if (!name)
		name = json_string_value(json_object_get(user, "global_name"));
	if (!name)
		name = json_string_value(json_object_get(user, "username"));
	if (!name)
		name = user_id;
	inv->user_id = dup_or_null(user_id);
	inv->user_name = dup_or_null(name);
	inv->channel_id = dup_or_null(json_string_value(json_object_get(d, "channel_id")));
	inv->guild_id = dup_or_null(json_string_value(json_object_get(d, "guild_id")));
	inv->pub.is_dm = inv->guild_id == NULL;
	inv->pub.is_organizer = guilds_is_organizer(r->hw->guilds, conference_guild(r),
						    inv->guild_id, json_object_get(member, "roles"));
}

static void on_message(void *ud, const char *type, json_t *d)
{
	struct router *r = ud;
	json_t *author = json_object_get(d, "author");
	json_t *member = json_object_get(d, "member");
	const char *content = json_string_value(json_object_get(d, "content"));
	const char *author_id = json_string_value(json_object_get(author, "id"));
	const char *rest;
	struct invocation *inv;
	enum parse_result pr;
	char why[512] = "";

	if (!content || !author_id || json_is_true(json_object_get(author, "bot")) ||
	    !strcmp(author_id, r->hw->self_user_id) || r->hw->stopping)
		return;
	if (!(rest = strip_prefix(r, content)) ||
	    ignore_guild(r, json_string_value(json_object_get(d, "guild_id"))))
		return;
	if (!(inv = invocation_new(r, HW_DOOR_CHAT)))
		return;
	fill_who(r, inv, d, author, member);
	inv->message_id = dup_or_null(json_string_value(json_object_get(d, "id")));
	if (!inv->user_id || !inv->user_name || !inv->channel_id) {
		invocation_unref(inv);
		return;
	}
	pr = commands_parse_line(&r->cmds, rest, &inv->args, why, sizeof(why));
	/* Chatter that only starts with the prefix gets no answer: nothing
	 * to check. */
	if (pr != PARSE_NO_COMMAND || *why)
		check_then_proceed(r, inv, "message", inv->message_id, pr, why);
	(void)type;
	invocation_unref(inv);
}

/* ---- slash door ---- */

static void autocomplete(struct router *r, json_t *d)
{
	const char *id = json_string_value(json_object_get(d, "id"));
	const char *token = json_string_value(json_object_get(d, "token"));
	struct parsed_args pa;
	char why[256];
	char path[512];
	json_t *choices = json_array();
	struct hw_completion comp = {choices};

	if (!id || !token || !choices) {
		json_decref(choices);
		return;
	}
	memset(&pa, 0, sizeof(pa));
	if (commands_parse_interaction(&r->cmds, json_object_get(d, "data"), &pa, why,
				       sizeof(why)) == PARSE_OK &&
	    pa.cmd->complete && pa.focused_arg && (!pa.cmd->owner ||
						   pa.cmd->owner->state == PLUGIN_ACTIVE)) {
		pa.cmd->complete(pa.cmd->owner ? plugin_token(pa.cmd->owner) : NULL, pa.focused_arg,
				 pa.focused_value ? pa.focused_value : "",
				 &comp, pa.cmd->ud);
	}
	parsed_args_free(&pa);
	snprintf(path, sizeof(path), "/interactions/%s/%s/callback", id, token);
	logged_request(r->hw->rest, "POST", path,
		       json_pack("{s:i, s:{s:o}}", "type", 8, "data", "choices", choices),
		       "autocomplete");
}

/* The invocation of interaction d (a slash command or a component), its
 * user, place and organizer role filled; NULL when d lacks them. */
static struct invocation *interaction_invocation(struct router *r, json_t *d)
{
	json_t *member = json_object_get(d, "member");
	json_t *user = member ? json_object_get(member, "user") : json_object_get(d, "user");
	const char *user_id = json_string_value(json_object_get(user, "id"));
	struct invocation *inv;

	if (!user_id || !(inv = invocation_new(r, HW_DOOR_SLASH)))
		return NULL;
	fill_who(r, inv, d, user, member);
	inv->interaction_id = dup_or_null(json_string_value(json_object_get(d, "id")));
	inv->interaction_token = dup_or_null(json_string_value(json_object_get(d, "token")));
	if (!r->hw->application_id[0]) {
		const char *app = json_string_value(json_object_get(d, "application_id"));
		if (app && strlen(app) < sizeof(r->hw->application_id))
			snprintf(r->hw->application_id, sizeof(r->hw->application_id), "%s", app);
	}
	if (!inv->user_id || !inv->user_name || !inv->interaction_id || !inv->interaction_token) {
		invocation_unref(inv);
		return NULL;
	}
	return inv;
}

void router_interaction_run(struct router *r, json_t *d, const char *line, json_t *data,
			    int update)
{
	struct invocation *inv;
	enum parse_result pr;
	char why[512] = "";

	if (ignore_guild(r, json_string_value(json_object_get(d, "guild_id"))) ||
	    !(inv = interaction_invocation(r, d)))
		return;
	/* A press of "Show more" (or a menu, a form) answers the one who
	 * pressed: others in the channel are not paged at. */
	inv->from_component = json_integer_value(json_object_get(d, "type")) != 2;
	inv->update_message = update && inv->from_component;
	if (line)
		pr = commands_parse_line(&r->cmds, line, &inv->args, why, sizeof(why));
	else
		pr = commands_parse_interaction(&r->cmds, data, &inv->args, why, sizeof(why));
	if (pr == PARSE_OK && inv->args.focused_arg) {
		snprintf(why, sizeof(why), "%s is incomplete", inv->args.focused_arg);
		pr = PARSE_BAD_ARGS;
	}
	if (pr != PARSE_OK) {
		if (!*why)
			snprintf(why, sizeof(why), "I do not know that command any more.");
		if (pr == PARSE_NO_COMMAND)
			pr = PARSE_BAD_ARGS;
	}
	check_then_proceed(r, inv, "interaction", inv->interaction_id, pr, why);
	invocation_unref(inv);
}

int router_ignores(struct router *r, json_t *d)
{
	return ignore_guild(r, json_string_value(json_object_get(d, "guild_id")));
}

static void on_interaction(void *ud, const char *type, json_t *d)
{
	struct router *r = ud;
	json_int_t itype = json_integer_value(json_object_get(d, "type"));

	(void)type;
	if (itype == 4) {
		if (!router_ignores(r, d))
			autocomplete(r, d);
		return;
	}
	if (itype != 2) /* components (3, 5): components.c */
		return;
	router_interaction_run(r, d, NULL, json_object_get(d, "data"), 0);
}

/* ---- console door ---- */

/* The console's and the web's line, after the prefix: parsed, then run or
 * answered with what was wrong with it. */
static void run_line(struct router *r, struct invocation *inv, const char *text)
{
	char why[512] = "";
	enum parse_result pr = commands_parse_line(&r->cmds, text, &inv->args, why, sizeof(why));

	if (pr != PARSE_OK) {
		if (pr == PARSE_NO_COMMAND && !*why)
			snprintf(why, sizeof(why), "Unknown command.");
		answer_parse_error(r, inv, pr, why);
		return;
	}
	inv->command = strdup(inv->args.cmd->name);
	router_run(r, inv);
}

void router_console_line(struct router *r, const char *line, int as_organizer,
			 router_console_out out, void *ud)
{
	struct invocation *inv;
	const char *text = line;
	const char *prefix = r->hw->cfg ? r->hw->cfg->prefix : "!";

	r->console_out = out;
	r->console_ud = ud;
	while (*text == ' ' || *text == '\t')
		text++;
	if (!strncmp(text, prefix, strlen(prefix)))
		text += strlen(prefix);
	if (!*text)
		return;
	if (!(inv = invocation_new(r, HW_DOOR_CONSOLE)))
		return;
	inv->user_id = strdup("console");
	inv->user_name = strdup(as_organizer ? "Console Organizer" : "Console Attendee");
	inv->pub.is_dm = 1;
	inv->pub.is_organizer = as_organizer;
	run_line(r, inv, text);
	invocation_unref(inv);
}

/* ---- web door ---- */

int router_reply_web_model(struct invocation *inv, const json_t *model)
{
	json_t *reply;
	if (inv->pub.door != HW_DOOR_WEB || !model)
		return HW_ERR_INVALID;
	if (!(reply = json_pack("{s:O}", "model", (json_t *)model)))
		return HW_ERR_NOMEM;
	inv->replies++;
	if (inv->web_out)
		inv->web_out(inv->web_ud, reply);
	json_decref(reply);
	return HW_OK;
}

void router_web_line(struct router *r, const char *line, const char *user_id,
		     router_web_out out, void *ud)
{
	struct invocation *inv;
	const char *text = line;
	const char *prefix = r->hw->cfg ? r->hw->cfg->prefix : "!";

	while (*text == ' ' || *text == '\t')
		text++;
	if (!strncmp(text, prefix, strlen(prefix)))
		text += strlen(prefix);
	if (!(inv = invocation_new(r, HW_DOOR_WEB))) {
		out(ud, NULL);
		return;
	}
	inv->web_out = out;
	inv->web_ud = ud;
	inv->user_id = strdup(user_id);
	inv->user_name = strdup("Organizer (web)");
	inv->pub.is_dm = 1; /* like the console: no channel, no guild */
	inv->pub.is_organizer = 1;
	run_line(r, inv, text);
	invocation_unref(inv);
}

/* ---- lifecycle ---- */

struct router *router_create(struct hallway *hw)
{
	struct router *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->hw = hw;
	if (bus_subscribe(hw->bus, r, "MESSAGE_CREATE", on_message, r, NULL) ||
	    bus_subscribe(hw->bus, r, "INTERACTION_CREATE", on_interaction, r, NULL)) {
		free(r);
		return NULL;
	}
	return r;
}

void router_destroy(struct router *r)
{
	if (!r)
		return;
	bus_remove_owner(r->hw->bus, r);
	/* rest_destroy() ran first: no callback will come for these. */
	router_ack_destroy(r);
	while (r->dm_files) {
		struct dm_file *df = r->dm_files;
		r->dm_files = df->next;
		dm_file_free(df);
	}
	handled_free_all(r); /* holds of replies rest_destroy dropped */
	commands_free(&r->cmds);
	free(r);
}
