/*
 * Message components: buttons, select menus and modals of reply models.
 * See components.h for the custom_id scheme.
 */
#include "components.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus.h"
#include "commands.h"
#include "hallway.h"
#include "log.h"
#include "reply_model.h"
#include "rest.h"
#include "router.h"
#include "storage.h"
#include "takeover.h"

#define ID_INLINE "hw:c:"   /* a button: the command line follows */
#define ID_PAGE "hw:p:"     /* "Show more": the asker's id, ':', the command line */
#define ID_SELECT "hw:s:"   /* a select menu: the command follows */
#define ID_KEY "hw:k:"      /* a stored component: 16 hex digits follow */
#define ID_PREFIX_LEN 5
#define META_PREFIX "component:"
/* How long a kept component (a long button command, a modal) stays
 * answerable after it was last drawn: past any conference and its week
 * after. Older rows are pruned at start and then at most hourly, when new
 * ones are kept; a press on an older button says it is no longer known. */
#define COMPONENT_KEEP_MS (30LL * 24 * 3600 * 1000)
#define COMPONENT_PRUNE_EVERY_MS (3600LL * 1000)
#define MSG_FLAG_EPHEMERAL 64

/* FNV-1a 64 of the stored JSON: the same component gets the same key. */
static void key_of(const char *s, char out[17])
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* Drops kept components not drawn for COMPONENT_KEEP_MS; at most once per
 * COMPONENT_PRUNE_EVERY_MS unless forced. One daemon per process, so the
 * last time is the process's. */
static void prune_old(struct hallway *hw, int force)
{
	static time_t last;
	time_t now = time(NULL);
	int n;
	if (!hw || !hw->storage || (!force && last && now - last < COMPONENT_PRUNE_EVERY_MS / 1000))
		return;
	last = now;
	n = storage_meta_prune(hw->storage, META_PREFIX, COMPONENT_KEEP_MS);
	if (n > 0)
		LOGI("components", "pruned %d kept component(s) not drawn for %lld days", n,
		     COMPONENT_KEEP_MS / (24LL * 3600 * 1000));
}

/* 1 for "" or a user id (digits, at most 20). */
static int is_asker(const char *s, size_t n)
{
	return n <= 20 && strspn(s, "0123456789") >= n;
}

int components_custom_id(void *ud, const char *kind, const json_t *payload, char *id,
			 size_t idlen)
{
	const struct components_ids *ids = ud;
	struct hallway *hw = ids ? ids->hw : NULL;
	const char *cmd = json_string_value(payload);
	const char *asker = ids && ids->asker ? ids->asker : "";
	char key[17], meta[sizeof(META_PREFIX) + 17];
	json_t *stored;
	char *text;
	int rc;

	if (!kind || idlen < RM_CUSTOM_ID_MAX + 1 || !is_asker(asker, strlen(asker)))
		return -1;
	if ((!strcmp(kind, "c") || !strcmp(kind, "s")) && cmd &&
	    strlen(cmd) + ID_PREFIX_LEN <= RM_CUSTOM_ID_MAX) {
		snprintf(id, idlen, "%s%s", !strcmp(kind, "c") ? ID_INLINE : ID_SELECT, cmd);
		return 0;
	}
	if (!strcmp(kind, "p") && cmd &&
	    ID_PREFIX_LEN + strlen(asker) + 1 + strlen(cmd) <= RM_CUSTOM_ID_MAX) {
		snprintf(id, idlen, "%s%s:%s", ID_PAGE, asker, cmd);
		return 0;
	}
	if (!hw || !hw->storage)
		return -1; /* nowhere to keep it: the door writes the command out */
	if (!strcmp(kind, "m"))
		stored = json_pack("{s:s, s:O}", "kind", "m", "modal", payload);
	else if (!strcmp(kind, "p") && cmd)
		stored = json_pack("{s:s, s:s, s:s}", "kind", "p", "command", cmd, "user", asker);
	else if (cmd)
		stored = json_pack("{s:s, s:s}", "kind", kind, "command", cmd);
	else
		return -1;
	text = stored ? json_dumps(stored, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(stored);
	if (!text)
		return -1;
	key_of(text, key);
	snprintf(meta, sizeof(meta), "%s%s", META_PREFIX, key);
	prune_old(hw, 0);
	rc = storage_meta_set(hw->storage, meta, text);
	if (!rc)
		takeover_keep(hw->takeover, meta, text); /* two daemons: for the next active one */
	free(text);
	if (rc) {
		LOGW("components", "cannot keep component %s: the reply shows the command instead", key);
		return -1;
	}
	snprintf(id, idlen, "%s%s", ID_KEY, key);
	return 0;
}

/* What a custom_id names: a new object {"kind": "c"|"s"|"m", "command" or
 * "modal"}, or NULL when it is not one of ours or no longer known. */
static json_t *resolve(struct hallway *hw, const char *id)
{
	char meta[sizeof(META_PREFIX) + 17];
	char *text;
	json_t *v;
	if (!id)
		return NULL;
	if (!strncmp(id, ID_INLINE, ID_PREFIX_LEN) && id[ID_PREFIX_LEN])
		return json_pack("{s:s, s:s}", "kind", "c", "command", id + ID_PREFIX_LEN);
	if (!strncmp(id, ID_SELECT, ID_PREFIX_LEN) && id[ID_PREFIX_LEN])
		return json_pack("{s:s, s:s}", "kind", "s", "command", id + ID_PREFIX_LEN);
	if (!strncmp(id, ID_PAGE, ID_PREFIX_LEN)) {
		const char *user = id + ID_PREFIX_LEN, *colon = strchr(user, ':');
		if (!colon || !colon[1] || !is_asker(user, (size_t)(colon - user)))
			return NULL;
		return json_pack("{s:s, s:s, s:s#}", "kind", "p", "command", colon + 1, "user", user,
				 (int)(colon - user));
	}
	if (strncmp(id, ID_KEY, ID_PREFIX_LEN) || strlen(id + ID_PREFIX_LEN) != 16 ||
	    strspn(id + ID_PREFIX_LEN, "0123456789abcdef") != 16 || !hw->storage)
		return NULL;
	snprintf(meta, sizeof(meta), "%s%s", META_PREFIX, id + ID_PREFIX_LEN);
	if (!(text = storage_meta_get(hw->storage, meta))) {
		/* Drawn by the last active daemon (two daemons). */
		const char *kept = json_string_value(json_object_get(hw->components_kept, meta));
		if (!kept || !(text = strdup(kept)))
			return NULL;
	}
	v = json_loads(text, 0, NULL);
	free(text);
	if (!json_is_object(v) || !json_string_value(json_object_get(v, "kind"))) {
		json_decref(v);
		return NULL;
	}
	return v;
}

static void log_callback(void *ud, long status, json_t *body, const char *error)
{
	if (status >= 200 && status < 300)
		return;
	LOGW("components", "%s failed: HTTP %ld %s %s", (const char *)ud, status,
	     error ? error : "", json_string_value(json_object_get(body, "message")) ?
				json_string_value(json_object_get(body, "message")) : "");
}

/* The interaction's initial response. body: stolen. */
static void respond(struct hallway *hw, json_t *d, json_t *body, const char *what)
{
	const char *id = json_string_value(json_object_get(d, "id"));
	const char *token = json_string_value(json_object_get(d, "token"));
	char path[512];
	if (!id || !token || strlen(id) > 32 || strlen(token) > 400 || !hw->rest) {
		json_decref(body);
		return;
	}
	snprintf(path, sizeof(path), "/interactions/%s/%s/callback", id, token);
	rest_request(hw->rest, "POST", path, body, log_callback, (void *)what);
}

static void answer_text(struct hallway *hw, json_t *d, const char *text)
{
	respond(hw, d, json_pack("{s:i, s:{s:s, s:i, s:{s:[]}}}", "type", 4, "data", "content", text,
				 "flags", MSG_FLAG_EPHEMERAL, "allowed_mentions", "parse"),
		"component answer");
}

/* Interaction response type 9: the modal's form. */
static void open_modal(struct hallway *hw, json_t *d, const char *custom_id, const json_t *modal)
{
	json_t *rows = json_array(), *f;
	size_t i;
	json_array_foreach(json_object_get(modal, "fields"), i, f) {
		const char *style = json_string_value(json_object_get(f, "style"));
		json_t *input = json_pack("{s:i, s:s, s:s, s:i, s:b}", "type", 4, "custom_id",
					  json_string_value(json_object_get(f, "name")), "label",
					  json_string_value(json_object_get(f, "label")), "style",
					  style && !strcmp(style, "paragraph") ? 2 : 1, "required",
					  !json_is_false(json_object_get(f, "required")));
		if (!input)
			continue;
		if (json_object_get(f, "min"))
			json_object_set(input, "min_length", json_object_get(f, "min"));
		if (json_object_get(f, "max"))
			json_object_set(input, "max_length", json_object_get(f, "max"));
		if (json_object_get(f, "placeholder"))
			json_object_set(input, "placeholder", json_object_get(f, "placeholder"));
		json_array_append_new(rows, json_pack("{s:i, s:[o]}", "type", 1, "components", input));
	}
	respond(hw, d, json_pack("{s:i, s:{s:s, s:s, s:o}}", "type", 9, "data", "custom_id",
				 custom_id, "title", json_string_value(json_object_get(modal, "title")),
				 "components", rows),
		"modal");
}

/* The submitted value of text input `name`, or NULL. */
static const char *submitted(json_t *data, const char *name)
{
	json_t *row, *c;
	size_t i, k;
	json_array_foreach(json_object_get(data, "components"), i, row) {
		/* An action row of inputs, or (newer forms) a label holding one. */
		json_t *inner = json_object_get(row, "components");
		if (!inner && json_object_get(row, "component"))
			inner = json_pack("[O]", json_object_get(row, "component"));
		else
			json_incref(inner);
		json_array_foreach(inner, k, c) {
			const char *id = json_string_value(json_object_get(c, "custom_id"));
			if (id && !strcmp(id, name)) {
				const char *v = json_string_value(json_object_get(c, "value"));
				json_decref(inner);
				return v;
			}
		}
		json_decref(inner);
	}
	return NULL;
}

/* A slash command's data object for command (one or two words, then
 * optional name=value words) with the form's values given to the
 * arguments of the same name. New reference, or NULL with why. */
static json_t *modal_data(struct hallway *hw, const char *command, json_t *data, char *why,
			  size_t whylen)
{
	char w1[64] = "", both[130];
	const char *after1, *after2, *rest;
	struct command *cmd = NULL;
	json_t *opts, *out;
	size_t len;

	/* The name: one or two words without '='; then name=value words. */
	while (*command == ' ')
		command++;
	len = strcspn(command, " ");
	if (!len || len >= sizeof(w1) || memchr(command, '=', len)) {
		snprintf(why, whylen, "That form has no command.");
		return NULL;
	}
	memcpy(w1, command, len);
	after1 = command + len;
	rest = after1;
	while (*rest == ' ')
		rest++;
	len = strcspn(rest, " ");
	after2 = rest + len;
	if (len && len < 64 && !memchr(rest, '=', len)) {
		snprintf(both, sizeof(both), "%s %.*s", w1, (int)len, rest);
		if ((cmd = commands_find(router_commands(hw->router), both)))
			after1 = after2;
	}
	if (!cmd)
		cmd = commands_find(router_commands(hw->router), w1);
	rest = after1;
	if (!cmd) {
		snprintf(why, whylen, "That form's command is gone; please ask again.");
		return NULL;
	}
	if (!(opts = json_array()))
		return NULL;
	for (size_t i = 0; i < cmd->nargs; i++) {
		const struct command_arg *a = &cmd->args[i];
		const char *v = submitted(json_object_get(data, "data"), a->name);
		char fixed[512];
		const char *p = strstr(rest, a->name);
		json_t *jv;
		/* A fixed value in the modal's command: "name=value". */
		if (!v && p && (p == rest || p[-1] == ' ') && p[strlen(a->name)] == '=') {
			size_t vlen = strcspn(p + strlen(a->name) + 1, " ");
			snprintf(fixed, sizeof(fixed), "%.*s", (int)vlen, p + strlen(a->name) + 1);
			v = fixed;
		}
		if (!v || !*v)
			continue;
		if (a->type == HW_ARG_INTEGER) {
			char *end;
			long long x = strtoll(v, &end, 10);
			jv = *end ? json_string(v) : json_integer(x);
		} else if (a->type == HW_ARG_BOOL) {
			jv = json_boolean(!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"));
		} else {
			jv = json_string(v);
		}
		json_array_append_new(opts, json_pack("{s:s, s:o}", "name", a->name, "value", jv));
	}
	if (cmd->group)
		out = json_pack("{s:s, s:i, s:[{s:i, s:s, s:o}]}", "name", cmd->group, "type", 1,
				"options", "type", 1, "name", cmd->sub, "options", opts);
	else
		out = json_pack("{s:s, s:i, s:o}", "name", cmd->name, "type", 1, "options", opts);
	return out;
}

void components_interaction(struct hallway *hw, json_t *d)
{
	json_int_t itype = json_integer_value(json_object_get(d, "type"));
	json_t *data = json_object_get(d, "data");
	const char *custom_id = json_string_value(json_object_get(data, "custom_id"));
	json_t *what = resolve(hw, custom_id);
	const char *kind = json_string_value(json_object_get(what, "kind"));
	const char *command = json_string_value(json_object_get(what, "command"));
	json_t *modal = json_object_get(what, "modal");

	if (!what) {
		LOGI("components", "unknown component \"%.100s\"", custom_id ? custom_id : "");
		answer_text(hw, d, "That button is from an answer I no longer know. "
				   "Please type the command again.");
		return;
	}
	if (itype == 3 && !strcmp(kind, "p") && command) {
		/* "Show more": the one it answered pages the message in place;
		 * anyone else gets the next page for themselves. */
		const char *asker = json_string_value(json_object_get(what, "user"));
		json_t *member = json_object_get(d, "member");
		json_t *user = member ? json_object_get(member, "user") : json_object_get(d, "user");
		const char *presser = json_string_value(json_object_get(user, "id"));
		router_interaction_run(hw->router, d, command, NULL,
				       asker && *asker && presser && !strcmp(asker, presser));
	} else if (itype == 3 && !strcmp(kind, "c") && command) {
		router_interaction_run(hw->router, d, command, NULL, 0);
	} else if (itype == 3 && !strcmp(kind, "s") && command) {
		const char *value = json_string_value(json_array_get(json_object_get(data, "values"), 0));
		char *line = value ? rm_choice_line(command, value) : NULL;
		if (line)
			router_interaction_run(hw->router, d, line, NULL, 0);
		else
			answer_text(hw, d, "Nothing was chosen.");
		free(line);
	} else if (itype == 3 && !strcmp(kind, "m") && json_is_object(modal)) {
		open_modal(hw, d, custom_id, modal);
	} else if (itype == 5 && !strcmp(kind, "m") && json_is_object(modal)) {
		char why[200] = "";
		json_t *slash = modal_data(hw, json_string_value(json_object_get(modal, "command")), d,
					   why, sizeof(why));
		if (slash)
			router_interaction_run(hw->router, d, NULL, slash, 0);
		else
			answer_text(hw, d, *why ? why : "Sorry, I could not read that form.");
		json_decref(slash);
	} else {
		answer_text(hw, d, "That button does not work here. Please type the command.");
	}
	json_decref(what);
}

static void on_interaction(void *ud, const char *type, json_t *d)
{
	struct hallway *hw = ud;
	json_int_t itype = json_integer_value(json_object_get(d, "type"));
	(void)type;
	if ((itype == 3 || itype == 5) && !hw->stopping && !router_ignores(hw->router, d))
		components_interaction(hw, d);
}

void components_adopt(struct hallway *hw, json_t *kept)
{
	json_decref(hw->components_kept);
	hw->components_kept = json_incref(kept);
}

int components_start(struct hallway *hw)
{
	static char owner; /* the subscription's owner token */
	prune_old(hw, 1);
	return bus_subscribe(hw->bus, &owner, "INTERACTION_CREATE", on_interaction, hw, NULL);
}
