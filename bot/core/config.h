/*
 * Configuration: one JSON file, validated against a table of options
 * (config.c: config_options[]), which also documents them.
 */
#ifndef HALLWAY_CONFIG_H
#define HALLWAY_CONFIG_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#define CONFIG_DEFAULT_API_BASE "https://discord.com/api/v10"
/* GUILDS | GUILD_MESSAGES | DIRECT_MESSAGES | MESSAGE_CONTENT */
#define CONFIG_DEFAULT_INTENTS 37377u

struct config {
	json_t *root;            /* owned: the parsed file */
	char *path;              /* owned: the file it came from */
	char *dir;               /* owned: its directory (relative paths start here) */

	/* Every string below is owned by the config. */
	char *token;             /* HALLWAY_DISCORD_TOKEN wins over discord.token */
	char *api_base;
	char *application_id;    /* may be NULL */
	char *guild_id;          /* may be NULL: the conference guild */
	char *foreign_guilds;    /* "ignore" or "answer": other guilds */
	char *prefix;
	uint32_t intents;
	int compress;
	int large_threshold;
	int global_rate_limit; /* REST requests per second, all routes */
	char *storage_path;      /* absolute or relative to cwd after resolution */
	char *storage_url;       /* a PostgreSQL URL, or NULL (sqlite:PATH went to storage_path) */
	int lease_ms;            /* PostgreSQL: the active daemon's lease */
	int session_save_ms;     /* PostgreSQL: the Discord session saved this often */
	char *plugin_dir;        /* NULL: plugins/ beside the binary */
	json_t *plugins;         /* borrowed from root: object, maybe empty */
	json_t *organizer_roles; /* borrowed from root: array of strings, maybe empty */
	char *log_level;
	char *log_format;
	char *http_listen;       /* NULL: no HTTP endpoint */
	char *http_public_url;   /* NULL: http://<http_listen> */
	int http_signin_seconds; /* a dashboard sign-in link's life */
	int shutdown_timeout_ms;
	/* limits.*: fair use (bot/commands/fairuse.h) */
	int user_commands, user_burst, user_window_ms, organizer_commands, interactions;
	/* limits.*: how many messages one reply may take (bot/commands/router.c) */
	int reply_messages, dm_reply_messages;
};

/* A problem found while loading: "key: reason". */
struct config_problem {
	int is_error; /* 0 = warning */
	char text[384];
};

struct config_report {
	struct config_problem items[64];
	int count, errors, warnings;
};

enum config_mode {
	CONFIG_MODE_RUN = 0,     /* a token is required */
	CONFIG_MODE_CONSOLE = 1, /* no network: no token needed */
	/* The daemon starting: like RUN, except that a storage.path folder
	 * that is missing or read-only is a warning, not an error. At boot the
	 * data folder may not be mounted yet; the start waits for it and then
	 * exits with its own, restartable code (docs/PRODUCTION.md, exit 4).
	 * --check-config (RUN) still calls it an error. */
	CONFIG_MODE_START = 2,
};

/* Loads and validates path. On success (no errors) *out gets a new config
 * (caller frees with config_free). Every problem, warnings included, goes
 * into report. Returns 0, or -1 when there were errors. */
int config_load(const char *path, enum config_mode mode, struct config **out,
		struct config_report *report);
/* Same, from a JSON text already in memory (tests, fuzzing). */
int config_load_string(const char *text, const char *origin_path, enum config_mode mode,
		       struct config **out, struct config_report *report);
void config_free(struct config *c);
/* Adds "key: reason" to rep (is_error 0: a warning). */
void config_report_add(struct config_report *rep, int is_error, const char *key,
		       const char *reason);

/* Borrowed: plugins.<name>, or NULL when the plugin is not configured. */
json_t *config_plugin(const struct config *c, const char *name);

/* "host:port" or "[v6]:port" (port 0..65535; host may be empty or "*" for
 * every interface) into host and *port. Returns 0, or -1 with nothing
 * written when s is not such an address. */
int config_parse_listen(const char *s, char *host, size_t hostlen, int *port);
/* A Discord snowflake that can be real: 17 to 20 digits, below 2^63, and
 * a timestamp part after Discord's epoch ("000000000000000000" is not). */
int config_snowflake_ok(const char *s);

/* Prints the option table (for --help and docs). */
void config_print_options(FILE *out);
/* The same as Markdown table rows (| key | help | default |). */
void config_print_markdown(FILE *out);
/* Writes text as one Markdown table cell (| escaped, no newlines). */
void config_md_cell(FILE *out, const char *text);

#endif
