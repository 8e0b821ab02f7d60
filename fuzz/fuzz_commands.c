/*
 * fuzz_commands: command parsing and argument splitting.
 *
 * Input: byte 0 picks the door, the rest is what the user sent.
 *   even: a chat/console line (what follows the prefix), NUL-terminated copy,
 *         through commands_parse_line (quotes, curly quotes, integers, bools,
 *         TEXT, two-word commands, suggestions for unknown ones).
 *   odd:  a slash interaction "data" object (JSON) through
 *         commands_parse_interaction (subcommands, option types, focused
 *         autocomplete options).
 * After a parse, the parsed arguments are checked against the spec: every
 * present STRING/TEXT argument has a string, an INTEGER one a number that
 * matches its text.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "log.h"

static struct commands registry;

static int noop(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	(void)self;
	(void)inv;
	(void)ud;
	return HW_OK;
}

static void complete(hw_plugin *self, const char *arg, const char *partial, hw_completion *out,
		     void *ud)
{
	(void)self;
	(void)arg;
	(void)partial;
	(void)out;
	(void)ud;
}

static void build_registry(void)
{
	static const hw_arg_spec text[] = {{"text", HW_ARG_TEXT, 1, "what to say", 0}};
	static const hw_arg_spec join[] = {{"project", HW_ARG_STRING, 1, "project", 1},
					   {"day", HW_ARG_STRING, 0, "day", 0}};
	static const hw_arg_spec count[] = {{"n", HW_ARG_INTEGER, 1, "how many", 0},
					    {"loud", HW_ARG_BOOL, 0, "shout", 0},
					    {"note", HW_ARG_TEXT, 0, "a note", 0}};
	static const hw_arg_spec opt[] = {{"room", HW_ARG_STRING, 0, "room", 0}};
	static const hw_arg_spec four[] = {{"a", HW_ARG_STRING, 1, "a", 0},
					   {"b", HW_ARG_INTEGER, 1, "b", 0},
					   {"c", HW_ARG_BOOL, 1, "c", 0},
					   {"d", HW_ARG_STRING, 0, "d", 0}};
	const hw_command_spec specs[] = {
		{sizeof(hw_command_spec), "echo", "say it back", NULL, HW_PERM_EVERYONE, text, 1,
		 noop, NULL, NULL, {0}},
		{sizeof(hw_command_spec), "next", "what is next", NULL, HW_PERM_EVERYONE, opt, 1,
		 noop, NULL, NULL, {0}},
		{sizeof(hw_command_spec), "now", "what is on", NULL, HW_PERM_EVERYONE, opt, 1, noop,
		 NULL, NULL, {0}},
		{sizeof(hw_command_spec), "sprint join", "join", NULL, HW_PERM_EVERYONE, join, 2,
		 noop, complete, NULL, {0}},
		{sizeof(hw_command_spec), "sprint leave", "leave", NULL, HW_PERM_EVERYONE, join, 1,
		 noop, complete, NULL, {0}},
		{sizeof(hw_command_spec), "sprint list", "list", NULL, HW_PERM_EVERYONE, NULL, 0,
		 noop, NULL, NULL, {0}},
		{sizeof(hw_command_spec), "count", "numbers", NULL, HW_PERM_EVERYONE, count, 3, noop,
		 NULL, NULL, {0}},
		{sizeof(hw_command_spec), "mixed", "types", NULL, HW_PERM_EVERYONE, four, 4, noop,
		 NULL, NULL, {0}},
		{sizeof(hw_command_spec), "admin reload", "organizers", NULL, HW_PERM_ORGANIZER, join,
		 1, noop, complete, NULL, {0}},
	};
	char why[256];

	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		if (commands_add(&registry, NULL, NULL, &specs[i], why, sizeof(why))) {
			fprintf(stderr, "fuzz_commands: bad spec %s: %s\n", specs[i].name, why);
			abort();
		}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	json_t *list;
	char hash[17];

	(void)argc;
	(void)argv;
	log_set_level(LOG_ERROR);
	build_registry();
	list = commands_to_discord(&registry);
	if (!list)
		abort();
	commands_discord_hash(list, hash);
	json_decref(list);
	return 0;
}

static void check_parsed(const struct parsed_args *pa)
{
	const struct command *c = pa->cmd;
	char usage[300];

	if (!c)
		abort();
	for (size_t i = 0; i < c->nargs; i++) {
		const hw_arg *a = &pa->argv[i];

		if (!a->present) {
			/* A missing required argument is an error, except in autocomplete. */
			if (c->args[i].required && !pa->focused_arg)
				abort();
			continue;
		}
		if (!a->str)
			abort();
		(void)strlen(a->str); /* ASan: the string is alive and terminated */
		if (c->args[i].type == HW_ARG_INTEGER) {
			/* The text of an integer is its canonical decimal form. */
			char buf[32];
			snprintf(buf, sizeof(buf), "%" PRId64, a->num);
			if (strcmp(buf, a->str))
				abort();
		}
		if (c->args[i].type == HW_ARG_BOOL && a->num != 0 && a->num != 1)
			abort();
	}
	commands_usage(c, "!", usage, sizeof(usage));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct parsed_args pa;
	char why[512];
	enum parse_result pr;

	if (size < 1)
		return 0;
	memset(&pa, 0, sizeof(pa));
	why[0] = '\0';
	if (data[0] & 1) {
		json_t *d = json_loadb((const char *)data + 1, size - 1, 0, NULL);
		if (!d)
			return 0;
		pr = commands_parse_interaction(&registry, d, &pa, why, sizeof(why));
		if (pr == PARSE_OK)
			check_parsed(&pa);
		parsed_args_free(&pa);
		json_decref(d);
	} else {
		char *line = malloc(size);
		if (!line)
			return 0;
		memcpy(line, data + 1, size - 1);
		line[size - 1] = '\0';
		pr = commands_parse_line(&registry, line, &pa, why, sizeof(why));
		if (pr == PARSE_OK)
			check_parsed(&pa);
		parsed_args_free(&pa);
		free(line);
	}
	if (memchr(why, '\0', sizeof(why)) == NULL)
		abort(); /* why must stay terminated */
	return 0;
}
