/*
 * sprints — the plugin's context, shared by its files.
 *
 * One struct sprints per loaded instance, handed to every callback as ud;
 * the API table is borrowed from the host. Storage goes through units of
 * work (db_run, SQLite or PostgreSQL): every command is one unit
 * (sprints_job.c) whose body reads and writes in one transaction and
 * writes the answer, which done() sends once it is committed.
 */
#ifndef SPRINTS_H
#define SPRINTS_H

#include <stdint.h>

#include <hallway/buf.h>
#include <hallway/plugin.h>
#include <hallway/stmt.h>

#define SPRINTS_DEFAULT_CAPACITY 20
/* A DM not confirmed within this long is tried again (lib/dm_outbox.c). */
#define SPRINTS_NOTIFY_RETRY_MS 60000
#define SPRINTS_NAME_MAX 100      /* bytes of a project name */
#define SPRINTS_USER_NAME_MAX 200 /* bytes of a stored display name */
#define SPRINTS_FIELD_MAX 4000    /* bytes of a title, description, lead, link */

typedef struct sprints {
	hw_plugin *self;
	const hw_api *api;
	hw_units *units;           /* every unit of work holds the context */
	int stopping;              /* shutdown began: nothing new starts */
	int64_t default_capacity;
	/* Feed (plugins.sprints.feed); strings owned. */
	char *feed_source;
	char *feed_type;
	int64_t feed_default_capacity;
	int64_t feed_refresh_ms;
	hw_handle feed_timer;
	hw_handle feed_request;
	struct hw_dm_outbox *outbox; /* DMs owed (lib/dm_outbox.c); NULL until started */
	/* What the loop answers without waiting for storage (sprints_job.c):
	 * refreshed by a unit of work after every change and on a timer. */
	json_t *names;             /* [[name, fold], ...] of active projects, by name */
	json_t *rosters;           /* the organizer page's reply model; NULL until read */
	int refreshing, refresh_again;
	hw_handle refresh_timer;
} sprints;

typedef struct sprints_job sprints_job;
typedef int (*sprints_body_fn)(sprints_job *j, hw_tx *tx);

/* One command on its way through storage: the body (storage thread) reads
 * and writes in one transaction and writes the answer here; done (loop)
 * sends it once committed. The body may read inv (kept, never changed) and
 * the plugin's config in s, and call only the db_* statement functions. */
struct sprints_job {
	sprints *s;
	sprints_body_fn body;
	const hw_invocation *inv; /* kept until done */
	int64_t now;              /* the conference clock when the command came */
	hw_buf text;              /* the answer */
	int ephemeral;            /* only the asker sees it (slash) */
	json_t *model;            /* or a reply model (owned) */
	const char *file_name;    /* or a file (static name), text its message */
	hw_buf file;
	int refused;              /* set with SPRINTS_REFUSED: rolled back, text says why */
	int flush;                /* DMs were queued: send them after the commit */
	int changed;              /* projects or signups changed: read the caches */
	json_t *names, *rosters;  /* read in the same transaction when changed */
};
/* A body's refusal that rolls back what it wrote: it sets j->refused and
 * the text says why. */
#define SPRINTS_REFUSED HW_ERR_EXISTS

/* Runs body for the command inv in a unit of work and answers from its
 * done(). Always answers: when storage cannot take the unit it says so. */
int sprints_ask(sprints *s, const hw_invocation *inv, sprints_body_fn body);
/* Reads the caches again in a unit of work (one at a time). */
void sprints_refresh(sprints *s);
/* The refresh timer and first read, at init; sprints_job_stop at shutdown. */
int sprints_job_start(sprints *s);
void sprints_job_stop(sprints *s);

/* Registers every command (sprints_cmd.c, sprints_admin.c). */
int sprints_cmd_register(sprints *s);
int sprints_admin_register(sprints *s);
/* Autocomplete of project names, shared by the commands. */
void sprints_cmd_complete(hw_plugin *self, const char *arg, const char *partial,
			  hw_completion *out, void *ud);
/* Writes the answer of job j (replacing what was there). HW_OK. */
int sprints_reply(sprints_job *j, const char *text);

/* Returned by sprints_cmd_lookup when it already answered (not found). */
#define SPRINTS_REPLIED 1

struct sprints_project;
struct hw_buf;
/* Inside a body: resolves the typed project name and loads it into *p
 * (free with sprints_store_project_free). When there is no such project
 * it answers (with suggestions) and returns SPRINTS_REPLIED. */
int sprints_cmd_lookup(sprints_job *j, hw_tx *tx, const char *typed, struct sprints_project *p);
/* The same for commands that change or destroy a project: the typed name
 * must be the project's own (case and accents aside), never a prefix or a
 * near miss; otherwise it answers with the exact name to type and returns
 * SPRINTS_REPLIED. */
int sprints_cmd_lookup_exact(sprints_job *j, hw_tx *tx, const char *typed, const char *verb,
			     struct sprints_project *p);
/* The one day of p that falls on wday (0 = Sunday), or NULL (none, or
 * several). Borrowed from p. */
const char *sprints_cmd_weekday_day(const struct sprints_project *p, int wday);
/* Appends " on <day>" (nothing for a project without days). */
void sprints_cmd_add_day(struct hw_buf *b, const char *day);
/* The argument `name` of inv when present, else NULL. */
const char *sprints_cmd_arg(const hw_invocation *inv, const char *name);
#endif
