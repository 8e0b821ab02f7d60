/*
 * The command registry: every command a plugin (or the host) registered,
 * with its argument spec. Pure data + lookup; the router decides who may run
 * what and where replies go.
 */
#ifndef HALLWAY_COMMANDS_H
#define HALLWAY_COMMANDS_H

#include <hallway/plugin.h>
#include <stddef.h>

struct plugin; /* owner; NULL for built-in commands */

struct command_arg {
	char *name;
	enum hw_arg_type type;
	int required;
	char *description;
	int autocomplete;
};

struct command {
	struct command *next;
	struct plugin *owner;     /* who registered it (swept on unload) */
	char *name;               /* "next" or "sprint join", lowercase */
	char *group;              /* first word when two words, else NULL */
	char *sub;                /* second word, else NULL */
	char *summary;
	char *help;
	enum hw_perm perm;
	struct command_arg *args;
	size_t nargs;
	hw_command_fn fn;
	hw_complete_fn complete;
	void *ud;
	int dead;                 /* unregistered; freed at a safe point */
};

struct commands {
	struct command *head;     /* registration order */
	unsigned generation;      /* bumped on every change (slash re-sync) */
};

/* Validates and copies spec. Returns HW_OK, HW_ERR_INVALID (with why filled)
 * or HW_ERR_EXISTS. Commands owned by `replacing` (an older instance of
 * the same plugin) do not count as conflicts. */
int commands_add(struct commands *cs, struct plugin *owner, struct plugin *replacing,
		 const hw_command_spec *spec, char *why, size_t whylen);
/* Live command by exact full name (case-insensitive); the newest wins. */
struct command *commands_find(struct commands *cs, const char *name);
/* Marks every command of owner dead. */
void commands_remove_owner(struct commands *cs, struct plugin *owner);
/* Frees dead commands (call when no dispatch is running). */
void commands_collect(struct commands *cs);
void commands_free(struct commands *cs);

/*
 * Argument parsing shared by the chat and console doors.
 * text: what follows the prefix, e.g. "sprint join Django 2026-11-28".
 * Finds the command (two words first, then one) and parses its arguments:
 * STRING = one word, or a "quoted phrase" (also “curly quotes”), TEXT = the
 * rest of the line verbatim (trimmed), INTEGER, BOOL (yes/no/true/false/1/0).
 */
struct parsed_args {
	struct command *cmd;
	hw_arg *argv;             /* cmd->nargs entries, owned */
	char **strings;           /* owned copies backing argv[].str */
	size_t nstrings;
	char *raw;                /* owned: the argument text (slash: the
				   * chat-equivalent text of the values) */
	/* Slash autocomplete payloads only (an option with "focused": true),
	 * else NULL: the argument being typed (borrowed from cmd) and what the
	 * user has typed so far (owned, in strings[], untrimmed). A missing
	 * required argument is not an error in an autocomplete payload. */
	const char *focused_arg;
	const char *focused_value;
};

enum parse_result {
	PARSE_OK = 0,
	PARSE_NO_COMMAND,   /* no such command: why holds suggestions if any */
	PARSE_BAD_ARGS,     /* usage error: why says what is wrong */
	PARSE_NOMEM,
};

enum parse_result commands_parse_line(struct commands *cs, const char *text,
				      struct parsed_args *out, char *why, size_t whylen);
/* Slash: data = interaction "data" object (borrowed). Fills out the same way. */
enum parse_result commands_parse_interaction(struct commands *cs, json_t *data,
					     struct parsed_args *out, char *why, size_t whylen);
void parsed_args_free(struct parsed_args *pa);

/* "next [room]" / "sprint join <project> [day]" usage line into buf. */
void commands_usage(const struct command *c, const char *prefix, char *buf, size_t len);

/* The application command list for Discord's bulk PUT (new reference):
 * one-word commands become CHAT_INPUT commands, two-word commands become
 * SUB_COMMAND options of a command named after the group. Built-ins and
 * plugins alike. */
json_t *commands_to_discord(struct commands *cs);
/* Stable hash (hex, 16 chars) of that list, for "registered already?". */
void commands_discord_hash(json_t *list, char out[17]);

#endif
