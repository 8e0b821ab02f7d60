/*
 * The registry as Discord application commands, for the bulk overwrite
 * (PUT /applications/{app}/guilds/{guild}/commands), and a stable hash of
 * that list so the host re-sends it only when it changed.
 *
 * Shape: a one-word command is a CHAT_INPUT command; the two-word commands
 * "sprint join", "sprint leave" become SUB_COMMAND options of one CHAT_INPUT
 * command "sprint" described as "sprint commands". Entries are sorted by
 * name (subcommands too) so the same registry always gives the same bytes.
 *
 * default_member_permissions is sent as null (everyone sees every command):
 * organizer-only commands are enforced by the bot when they run, from the
 * configured organizer roles, which Discord's permission bits cannot express.
 */
#include "commands.h"
#include "log.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DISCORD_TOP_MAX 100
#define DISCORD_SUBS_MAX 25

struct entry {
	const struct command *c;
	const char *top; /* the group, or the one-word name */
	const char *sub; /* "" for a one-word command */
	size_t order;    /* registration order: the newest wins */
};

static int entry_cmp(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;
	int r = strcmp(a->top, b->top);

	if (!r)
		r = strcmp(a->sub, b->sub);
	if (!r)
		r = a->order < b->order ? -1 : a->order > b->order;
	return r;
}

static int option_type(enum hw_arg_type t)
{
	switch (t) {
	case HW_ARG_INTEGER:
		return 4; /* INTEGER */
	case HW_ARG_BOOL:
		return 5; /* BOOLEAN */
	default:
		return 3; /* STRING, also for TEXT */
	}
}

/* The options array for a command's arguments (in spec order, so required
 * ones come first). Returns a new reference, or NULL. */
static json_t *args_json(const struct command *c)
{
	json_t *opts = json_array();

	for (size_t i = 0; opts && i < c->nargs; i++) {
		const struct command_arg *a = &c->args[i];
		const char *d = a->description && *a->description ? a->description : a->name;
		json_t *o = json_pack("{s:i, s:s, s:s, s:b, s:b}", "type", option_type(a->type),
				      "name", a->name, "description", d, "required",
				      a->required ? 1 : 0, "autocomplete", a->autocomplete ? 1 : 0);

		if (json_array_append_new(opts, o)) {
			json_decref(opts);
			return NULL;
		}
	}
	return opts;
}

/* {name, description, type:1, options, default_member_permissions:null}. */
static json_t *top_json(const char *name, const char *description, json_t *options)
{
	if (!options)
		return NULL;
	return json_pack("{s:s, s:s, s:i, s:o, s:n}", "name", name, "description", description,
			 "type", 1, "options", options, "default_member_permissions");
}

/* The group command for entries [from, to) sharing e[from].top: one
 * SUB_COMMAND per distinct sub (the newest registration), one-word entries
 * skipped. Returns a new reference, or NULL. */
static json_t *group_json(const struct entry *e, size_t from, size_t to)
{
	json_t *subs = json_array();
	char desc[64];
	size_t nsubs = 0;

	for (size_t i = from; subs && i < to; i++) {
		json_t *o;

		if (!*e[i].sub || (i + 1 < to && !strcmp(e[i].sub, e[i + 1].sub)))
			continue; /* one-word, or not the newest of this sub */
		if (nsubs == DISCORD_SUBS_MAX) {
			LOGW("commands", "group %s: more than %d subcommands, %s left out",
			     e[i].top, DISCORD_SUBS_MAX, e[i].c->name);
			continue;
		}
		o = json_pack("{s:i, s:s, s:s, s:o}", "type", 1, "name", e[i].sub,
			      "description", e[i].c->summary, "options", args_json(e[i].c));
		if (json_array_append_new(subs, o)) {
			json_decref(subs);
			return NULL;
		}
		nsubs++;
	}
	snprintf(desc, sizeof(desc), "%s commands", e[from].top);
	return top_json(e[from].top, desc, subs);
}

json_t *commands_to_discord(struct commands *cs)
{
	struct entry *e = NULL;
	size_t n = 0, cap = 0, ntop = 0;
	json_t *list = json_array();

	if (!list || !cs)
		goto fail;
	for (const struct command *c = cs->head; c; c = c->next)
		cap += !c->dead;
	e = calloc(cap ? cap : 1, sizeof(*e));
	if (!e)
		goto fail;
	for (const struct command *c = cs->head; c; c = c->next) {
		if (c->dead)
			continue;
		e[n].c = c;
		e[n].top = c->group ? c->group : c->name;
		e[n].sub = c->sub ? c->sub : "";
		e[n].order = n;
		n++;
	}
	qsort(e, n, sizeof(*e), entry_cmp);

	for (size_t i = 0, j; i < n; i = j) {
		size_t newest = i;
		json_t *cmd;

		for (j = i; j < n && !strcmp(e[j].top, e[i].top); j++)
			if (e[j].order > e[newest].order)
				newest = j;
		if (ntop == DISCORD_TOP_MAX) {
			LOGW("commands", "more than %d commands: /%s left out", DISCORD_TOP_MAX,
			     e[i].top);
			continue;
		}
		/* While a reload is in flight a one-word command and a group of
		 * the same name can both be live; the newest registration decides. */
		if (!*e[newest].sub)
			cmd = top_json(e[newest].top, e[newest].c->summary, args_json(e[newest].c));
		else
			cmd = group_json(e, i, j);
		if (json_array_append_new(list, cmd))
			goto fail;
		ntop++;
	}
	free(e);
	return list;
fail:
	free(e);
	json_decref(list);
	return NULL;
}

void commands_discord_hash(json_t *list, char out[17])
{
	char *s = list ? json_dumps(list, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	uint64_t h = 0xcbf29ce484222325ULL;

	if (!s) {
		/* Never equal to a real list's hash in practice; forces a sync. */
		memcpy(out, "0000000000000000", 17);
		return;
	}
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	free(s);
	snprintf(out, 17, "%016" PRIx64, h);
}
