/*
 * sprints — the plugin's context, shared by its files.
 *
 * One struct sprints per loaded instance, handed to every callback as ud;
 * the host connection (db) and API table are borrowed from the host.
 */
#ifndef SPRINTS_H
#define SPRINTS_H

#include <stdint.h>

#include <hallway/plugin.h>

#define SPRINTS_DEFAULT_CAPACITY 20
/* A DM not confirmed within this long is tried again (lib/dm_outbox.c). */
#define SPRINTS_NOTIFY_RETRY_MS 60000
#define SPRINTS_NAME_MAX 100      /* bytes of a project name */
#define SPRINTS_USER_NAME_MAX 200 /* bytes of a stored display name */
#define SPRINTS_FIELD_MAX 4000    /* bytes of a title, description, lead, link */

typedef struct sprints {
	hw_plugin *self;
	const hw_api *api;
	sqlite3 *db;               /* borrowed from the host */
	int64_t default_capacity;
	/* Feed (plugins.sprints.feed); strings owned. */
	char *feed_source;
	char *feed_type;
	int64_t feed_default_capacity;
	int64_t feed_refresh_ms;
	hw_handle feed_timer;
	hw_handle feed_request;
	struct hw_dm_outbox *outbox; /* DMs owed (lib/dm_outbox.c); NULL until started */
} sprints;

/* Registers every command (sprints_cmd.c, sprints_admin.c). */
int sprints_cmd_register(sprints *s);
int sprints_admin_register(sprints *s);
/* Autocomplete of project names, shared by the commands. */
void sprints_cmd_complete(hw_plugin *self, const char *arg, const char *partial,
			  hw_completion *out, void *ud);
/* Sends a reply built in a hw_buf, or a short error when it failed. */
int sprints_reply(sprints *s, const hw_invocation *inv, const char *text);



/* Returned by sprints_cmd_lookup when it already replied (not found). */
#define SPRINTS_REPLIED 1

struct sprints_project;
struct hw_buf;
/* Resolves the typed project name and loads it into *p (free with
 * sprints_store_project_free). When there is no such project it replies
 * (with suggestions) and returns SPRINTS_REPLIED. */
int sprints_cmd_lookup(sprints *s, const hw_invocation *inv, const char *typed,
		       struct sprints_project *p);
/* The same for commands that change or destroy a project: the typed name
 * must be the project's own (case and accents aside), never a prefix or a
 * near miss; otherwise it replies with the exact name to type and returns
 * SPRINTS_REPLIED. */
int sprints_cmd_lookup_exact(sprints *s, const hw_invocation *inv, const char *typed,
			     const char *verb, struct sprints_project *p);
/* The one day of p that falls on wday (0 = Sunday), or NULL (none, or
 * several). Borrowed from p. */
const char *sprints_cmd_weekday_day(const struct sprints_project *p, int wday);
/* Appends " on <day>" (nothing for a project without days). */
void sprints_cmd_add_day(struct hw_buf *b, const char *day);
/* The argument `name` of inv when present, else NULL. */
const char *sprints_cmd_arg(const hw_invocation *inv, const char *name);
#endif
