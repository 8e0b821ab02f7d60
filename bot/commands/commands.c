/*
 * The command registry and the argument parser shared by the chat, console
 * and slash doors. The Discord application-command list is built in
 * commands_discord.c.
 *
 * Registration order is kept: a hot reload registers the new instance of a
 * plugin before the old one is removed, so lookups take the newest live
 * command. Removal only marks commands dead; commands_collect() frees them
 * at a safe point, so a dispatch in progress never sees freed memory.
 *
 * Parsing never echoes user text into `why`: it names commands and argument
 * names only, which are registry data, so a reply built from it cannot carry
 * a ping or markdown the user typed.
 */
#include "commands.h"
#include "commands_int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ registry */

static void command_destroy(struct command *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nargs; i++) {
		free(c->args[i].name);
		free(c->args[i].description);
	}
	free(c->args);
	free(c->name);
	free(c->group);
	free(c->sub);
	free(c->summary);
	free(c->help);
	free(c);
}

/* Commands that count against a new registration: live, and not owned by
 * the instance being replaced (NULL replaces nothing, not the built-ins). */
static int counts(const struct command *c, const struct plugin *replacing)
{
	return !c->dead && !(replacing && c->owner == replacing);
}

/* The word a command is listed under at the top level. */

/* Characters Discord counts for one command or subcommand entry: its name,
 * description and every option's name and description. */
static long entry_chars(const char *word, const char *summary, const struct command_arg *args,
			size_t nargs)
{
	long n = (long)strlen(word) + utf8_chars(summary, strlen(summary));

	for (size_t i = 0; i < nargs; i++) {
		const char *d = args[i].description && *args[i].description
					? args[i].description : args[i].name;
		n += (long)strlen(args[i].name) + utf8_chars(d, strlen(d));
	}
	return n;
}

/* The i-th argument spec, stepping by the element size the plugin was
 * built with (ABI 1.2 arg_spec_size; before it, the 1.0 layout). */
#define ARG_SPEC_V1_SIZE (offsetof(hw_arg_spec, autocomplete) + sizeof(int))

static size_t arg_spec_stride(const hw_command_spec *spec)
{
	if (spec->struct_size >= offsetof(hw_command_spec, arg_spec_size) + sizeof(uint32_t) &&
	    spec->arg_spec_size)
		return spec->arg_spec_size;
	/* The 1.0 layout is today's: when hw_arg_spec grows, pin this to the
	 * old sizeof. */
	return sizeof(hw_arg_spec);
}

static const hw_arg_spec *spec_arg(const hw_command_spec *spec, size_t i)
{
	return (const hw_arg_spec *)(const void *)((const char *)spec->args +
						   i * arg_spec_stride(spec));
}

static int validate_args(const hw_command_spec *spec, char *why, size_t whylen)
{
	int seen_optional = 0;

	if (spec->nargs > CMD_ARGS_MAX) {
		why_set(why, whylen, "at most %d arguments", CMD_ARGS_MAX);
		return 0;
	}
	if (spec->nargs && !spec->args) {
		why_set(why, whylen, "nargs is %zu but args is NULL", spec->nargs);
		return 0;
	}
	if (spec->nargs && arg_spec_stride(spec) < ARG_SPEC_V1_SIZE) {
		why_set(why, whylen, "arg_spec_size %zu is smaller than hw_arg_spec",
			arg_spec_stride(spec));
		return 0;
	}
	for (size_t i = 0; i < spec->nargs; i++) {
		const hw_arg_spec *a = spec_arg(spec, i);

		if (!a->name || !word_valid(a->name, strlen(a->name))) {
			why_set(why, whylen, "argument %zu: name must be 1-%d of a-z 0-9 _ -",
				i + 1, CMD_WORD_MAX);
			return 0;
		}
		for (size_t j = 0; j < i; j++) {
			if (!strcmp(spec_arg(spec, j)->name, a->name)) {
				why_set(why, whylen, "argument \"%s\" is declared twice", a->name);
				return 0;
			}
		}
		if (a->type < HW_ARG_STRING || a->type > HW_ARG_BOOL) {
			why_set(why, whylen, "argument \"%s\": unknown type %d", a->name, (int)a->type);
			return 0;
		}
		if (a->description && *a->description && !text_valid(a->description, CMD_DESC_MAX)) {
			why_set(why, whylen, "argument \"%s\": description must be 1-%d characters of "
				"valid UTF-8", a->name, CMD_DESC_MAX);
			return 0;
		}
		if (a->required && seen_optional) {
			why_set(why, whylen, "required argument \"%s\" follows an optional one",
				a->name);
			return 0;
		}
		if (!a->required)
			seen_optional = 1;
		if (a->type == HW_ARG_TEXT && i + 1 != spec->nargs) {
			why_set(why, whylen, "text argument \"%s\" must be the last argument", a->name);
			return 0;
		}
		if (a->autocomplete && a->type != HW_ARG_STRING && a->type != HW_ARG_TEXT) {
			why_set(why, whylen, "argument \"%s\": autocomplete needs a string or text "
				"argument", a->name);
			return 0;
		}
		if (a->autocomplete && !spec->complete) {
			why_set(why, whylen, "argument \"%s\": autocomplete needs a complete function",
				a->name);
			return 0;
		}
	}
	return 1;
}

static int validate_spec(const hw_command_spec *spec, char *why, size_t whylen)
{
	const char *sp;

	if (!spec) {
		why_set(why, whylen, "no spec");
		return 0;
	}
	if (spec->struct_size < CMD_SPEC_MIN_SIZE) {
		why_set(why, whylen, "struct_size %u is smaller than hw_command_spec",
			(unsigned)spec->struct_size);
		return 0;
	}
	if (!spec->name) {
		why_set(why, whylen, "no name");
		return 0;
	}
	sp = strchr(spec->name, ' ');
	if (!(sp ? word_valid(spec->name, (size_t)(sp - spec->name)) &&
			   word_valid(sp + 1, strlen(sp + 1))
		 : word_valid(spec->name, strlen(spec->name)))) {
		why_set(why, whylen, "name must be one or two words of 1-%d characters "
			"a-z 0-9 _ -, separated by one space", CMD_WORD_MAX);
		return 0;
	}
	if (!text_valid(spec->summary, CMD_DESC_MAX)) {
		why_set(why, whylen, "command \"%s\": summary must be 1-%d characters of "
			"valid UTF-8", spec->name, CMD_DESC_MAX);
		return 0;
	}
	if (spec->help && !text_valid(spec->help, 0) && *spec->help) {
		why_set(why, whylen, "command \"%s\": help is not valid UTF-8", spec->name);
		return 0;
	}
	if (spec->perm != HW_PERM_EVERYONE && spec->perm != HW_PERM_ORGANIZER) {
		why_set(why, whylen, "command \"%s\": unknown permission %d", spec->name,
			(int)spec->perm);
		return 0;
	}
	if (!spec->fn) {
		why_set(why, whylen, "command \"%s\": no handler function", spec->name);
		return 0;
	}
	if (!validate_args(spec, why, whylen))
		return 0;
	return 1;
}

/* Whether a counted command before c has the same top-level name (by_top)
 * or the same full name: Discord sees such duplicates once. */
static int seen_before(const struct commands *cs, const struct command *c,
		       const struct plugin *replacing, int by_top)
{
	for (const struct command *d = cs->head; d != c; d = d->next)
		if (counts(d, replacing) &&
		    !strcmp(by_top ? top_name(d) : d->name, by_top ? top_name(c) : c->name))
			return 1;
	return 0;
}

/* Conflicts and Discord's limits against the live registry. */
static int check_registry(struct commands *cs, const struct plugin *replacing,
			  const struct command *nc, char *why, size_t whylen)
{
	const char *top = top_name(nc);
	size_t tops = 0, subs = 0;
	int top_exists = 0;
	long chars = 0;
	const struct command *c;

	for (c = cs->head; c; c = c->next) {
		if (!counts(c, replacing))
			continue;
		if (!strcmp(c->name, nc->name)) {
			why_set(why, whylen, "command \"%s\" is already registered", nc->name);
			return HW_ERR_EXISTS;
		}
		if (!nc->group && c->group && !strcmp(c->group, nc->name)) {
			why_set(why, whylen, "\"%s\" is already a command group (\"%s\" is "
				"registered); a command cannot share its name", nc->name, c->name);
			return HW_ERR_EXISTS;
		}
		if (nc->group && !c->group && !strcmp(c->name, nc->group)) {
			why_set(why, whylen, "command \"%s\" is already registered, so \"%s\" "
				"cannot be a subcommand of it", c->name, nc->name);
			return HW_ERR_EXISTS;
		}
	}
	/* No conflicts: every counted command under `top` is a subcommand of
	 * the same group as nc. */
	for (c = cs->head; c; c = c->next) {
		if (!counts(c, replacing))
			continue;
		if (strcmp(top_name(c), top)) {
			tops += !seen_before(cs, c, replacing, 1);
			continue;
		}
		top_exists = 1;
		if (nc->group && !seen_before(cs, c, replacing, 0)) {
			subs++;
			chars += entry_chars(c->sub, c->summary, c->args, c->nargs);
		}
	}
	if (!top_exists && tops + 1 > CMD_TOP_MAX) {
		why_set(why, whylen, "command \"%s\": Discord allows at most %d commands",
			nc->name, CMD_TOP_MAX);
		return HW_ERR_INVALID;
	}
	if (nc->group) {
		if (subs + 1 > CMD_SUBS_MAX) {
			why_set(why, whylen, "group \"%s\" already has %d subcommands",
				nc->group, CMD_SUBS_MAX);
			return HW_ERR_INVALID;
		}
		chars += entry_chars(nc->sub, nc->summary, nc->args, nc->nargs);
		chars += 2 * (long)strlen(nc->group) + (long)strlen(" commands");
		if (chars > CMD_CHARS_MAX) {
			why_set(why, whylen, "group \"%s\" would exceed Discord's %d characters "
				"per command", nc->group, CMD_CHARS_MAX);
			return HW_ERR_INVALID;
		}
	}
	return HW_OK;
}

static struct command *command_copy(struct plugin *owner, const hw_command_spec *spec)
{
	struct command *c = calloc(1, sizeof(*c));
	const char *sp = strchr(spec->name, ' ');
	int failed = 0;

	if (!c)
		return NULL;
	c->owner = owner;
	c->name = dup_or_null(spec->name, &failed);
	if (sp) {
		c->group = dup_n(spec->name, (size_t)(sp - spec->name));
		c->sub = dup_or_null(sp + 1, &failed);
		failed |= !c->group;
	}
	c->summary = dup_or_null(spec->summary, &failed);
	c->help = spec->help && *spec->help ? dup_or_null(spec->help, &failed) : NULL;
	c->perm = spec->perm;
	c->fn = spec->fn;
	c->complete = spec->complete;
	c->ud = spec->ud;
	if (spec->nargs) {
		c->args = calloc(spec->nargs, sizeof(*c->args));
		if (!c->args)
			goto fail;
		c->nargs = spec->nargs;
		for (size_t i = 0; i < spec->nargs; i++) {
			const hw_arg_spec *a = spec_arg(spec, i);
			struct command_arg *ca = &c->args[i];

			ca->name = dup_or_null(a->name, &failed);
			ca->type = a->type;
			ca->required = !!a->required;
			ca->description = a->description && *a->description
						  ? dup_or_null(a->description, &failed) : NULL;
			ca->autocomplete = !!a->autocomplete;
		}
	}
	if (failed)
		goto fail;
	return c;
fail:
	command_destroy(c);
	return NULL;
}

int commands_add(struct commands *cs, struct plugin *owner, struct plugin *replacing,
		 const hw_command_spec *spec, char *why, size_t whylen)
{
	struct command *c, **tail;
	int rc;

	why_set(why, whylen, "%s", "");
	if (!cs) {
		why_set(why, whylen, "no registry");
		return HW_ERR_INVALID;
	}
	if (!validate_spec(spec, why, whylen))
		return HW_ERR_INVALID;
	c = command_copy(owner, spec);
	if (!c) {
		why_set(why, whylen, "out of memory");
		return HW_ERR_NOMEM;
	}
	rc = check_registry(cs, replacing, c, why, whylen);
	if (rc != HW_OK) {
		command_destroy(c);
		return rc;
	}
	for (tail = &cs->head; *tail; tail = &(*tail)->next)
		;
	*tail = c;
	cs->generation++;
	return HW_OK;
}

struct command *commands_find(struct commands *cs, const char *name)
{
	struct command *found = NULL;

	if (!cs || !name)
		return NULL;
	for (struct command *c = cs->head; c; c = c->next)
		if (!c->dead && !ascii_casecmp(c->name, name))
			found = c;
	return found;
}

void commands_remove_owner(struct commands *cs, struct plugin *owner)
{
	int changed = 0;

	if (!cs)
		return;
	for (struct command *c = cs->head; c; c = c->next) {
		if (!c->dead && c->owner == owner) {
			c->dead = 1;
			changed = 1;
		}
	}
	if (changed)
		cs->generation++;
}

void commands_collect(struct commands *cs)
{
	struct command **pp;

	if (!cs)
		return;
	pp = &cs->head;
	while (*pp) {
		struct command *c = *pp;
		if (c->dead) {
			*pp = c->next;
			command_destroy(c);
		} else {
			pp = &c->next;
		}
	}
}

void commands_free(struct commands *cs)
{
	if (!cs)
		return;
	while (cs->head) {
		struct command *c = cs->head;
		cs->head = c->next;
		command_destroy(c);
	}
}

/* ---------------------------------------------------------------- usage */

void commands_usage(const struct command *c, const char *prefix, char *buf, size_t len)
{
	struct sbuf sb = {buf, 0, len};

	if (!buf || !len)
		return;
	buf[0] = '\0';
	if (!c)
		return;
	sbuf_add(&sb, prefix ? prefix : "");
	sbuf_add(&sb, c->name);
	for (size_t i = 0; i < c->nargs; i++) {
		const struct command_arg *a = &c->args[i];

		sbuf_add(&sb, a->required ? " <" : " [");
		sbuf_add(&sb, a->name);
		if (a->type == HW_ARG_TEXT)
			sbuf_add(&sb, "...");
		sbuf_add(&sb, a->required ? ">" : "]");
	}
}
