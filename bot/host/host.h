/*
 * The plugin host: loads plugins (dlopen of a private copy, ABI check),
 * hands them the hw_api table, records everything each plugin owns and
 * sweeps it before dlclose; hot reload keeps the old instance running
 * until the new one has initialised.
 */
#ifndef HALLWAY_HOST_H
#define HALLWAY_HOST_H

#include <hallway/plugin.h>
#include <lws_config.h>
#include <libwebsockets.h>
#include <stdint.h>

struct hallway;
struct storage_plugin_db;
struct invocation;

enum plugin_state { PLUGIN_LOADING = 0, PLUGIN_ACTIVE, PLUGIN_UNLOADING };

struct plugin_timer {
	lws_sorted_usec_list_t sul; /* first: container_of */
	struct plugin_timer *next;
	struct plugin *p;
	hw_handle id;
	int64_t at_ms;        /* conference clock */
	int64_t repeat_ms;
	hw_timer_fn fn;
	void *ud;
};

/* HTTP requests, sends and jobs in flight: the host callback finds the
 * record; when the plugin has gone (cancelled = 1) nothing is called. */
struct plugin_pending {
	struct plugin_pending *next;
	struct plugin *p;
	hw_handle id;
	int kind;             /* PENDING_HTTP, PENDING_SEND, PENDING_WORK */
	uint64_t lower_id;    /* http / work id */
	int cancelled;
	void *fn;             /* hw_http_fn / hw_send_fn / done fn */
	void (*run)(void *);
	void *ud;
	char *channel_id;     /* sends: target (DM after channel creation) */
	json_t *msg;          /* sends: message waiting for the DM channel */
};

enum { PENDING_HTTP = 1, PENDING_SEND, PENDING_WORK, PENDING_DB };

struct plugin {
	struct plugin *next;
	struct host *host;
	char *name;
	char *so_path;        /* the file we loaded (plugin_dir/<name>.so) */
	char *copy_path;      /* the private copy dlopen()ed */
	void *dl;
	const hw_plugin_desc *desc;
	char *version;
	enum plugin_state state;
	json_t *config;       /* own reference: plugins.<name> */
	struct storage_plugin_db *db;
	struct plugin_timer *timers;
	struct plugin_pending *pending;
	struct invocation *kept;
	void *userdata;       /* the plugin's own state pointer */
	unsigned errors;
	uint64_t commands_run;
	/* Worker jobs inside run() that were cancelled or swept: the code
	 * stays mapped (no dlclose) until each has returned. */
	unsigned jobs_running;
	int retired;          /* unloaded, waiting for jobs_running to reach 0 */
};

struct host {
	struct hallway *hw;
	struct plugin *plugins;  /* active and loading */
	hw_api api;
	uint64_t next_handle;
	char tmpdir[256];        /* private copies of .so files */
	unsigned generation;
	struct plugin *replacing; /* during a reload's init: the old instance */
	unsigned retired;        /* unloaded plugins whose jobs still run */
	int destroyed;           /* host_destroy ran; the last retired plugin frees h */
};

struct host *host_create(struct hallway *hw);
/* The plugin folder: configured (plugin_dir, already resolved) if not
 * NULL, else plugins/ beside the running binary (or the install layout's). */
void host_plugin_dir(const char *configured, char *buf, size_t len);
/* Loads every plugin named in config.plugins. Failures are logged; the
 * host runs on without them. Returns the number loaded. */
int host_load_all(struct host *h);
/* Loads or reloads one plugin by name. On failure the old instance (if
 * any) keeps running and why explains. Returns 0 or -1. */
int host_reload(struct host *h, const char *name, char *why, size_t whylen);
/* Reloads every configured plugin; unloads those no longer configured. */
void host_reload_all(struct host *h);
void host_unload(struct host *h, struct plugin *p);
struct plugin *host_find(struct host *h, const char *name);
/* Calls fn for each active plugin in load order (name, version and
 * description borrowed for the call). Returns how many there were. Other
 * modules list plugins through this, never through host->plugins. */
typedef void (*host_plugin_fn)(void *ud, const char *name, const char *version,
			       const char *description);
unsigned host_foreach_active(struct host *h, host_plugin_fn fn, void *ud);
/* Grows whenever a plugin is loaded, reloaded or unloaded (its commands
 * may have changed). 0 for no host. */
unsigned host_generation(const struct host *h);
/* The version of the plugin loaded under name (borrowed), or NULL. */
const char *host_plugin_version(struct host *h, const char *name);
/* A worker job of p was cancelled while a worker runs it: keep p's code
 * mapped until host_job_returned. Unloading never waits for a worker. */
void host_job_orphaned(struct plugin *p);
/* That job's run() returned and its done() was called: the last one of a
 * retired plugin unmaps it and frees it (and the host after host_destroy). */
void host_job_returned(struct plugin *p);
/* Something asynchronous is still in flight (for the console's pacing). */
int host_busy(struct host *h);
void host_destroy(struct host *h);

/* Called by the router when a plugin's command fails. */
void host_plugin_error(struct plugin *p, const char *what, int rc);

/* api.c: fills the table. */
void api_init(hw_api *api);
/* api_web.c: the web members (ABI 1.2), and their sweep at unload. */
void api_web_init(hw_api *api);
void api_web_sweep(struct plugin *p);
/* Sweeps timers, pending requests/sends/jobs and kept invocations. */
void api_sweep(struct plugin *p);
/* api.c's records of requests in flight, for the api_*.c files that add
 * members to the table: pending_new links a record to p (kind PENDING_*,
 * fn the plugin's callback); send_done is the rest_done_fn of a
 * PENDING_SEND record (calls the hw_send_fn unless cancelled, frees it). */
struct plugin_pending *pending_new(struct plugin *p, int kind, void *fn, void *ud);
void pending_unlink(struct plugin_pending *pp);
void pending_free(struct plugin_pending *pp);
void send_done(void *ud, long status, json_t *body, const char *error);
/* api_member.c: guild, member_role, member_nick (ABI 1.2). */
void api_member_init(hw_api *api);
/* api_db.c: db_run, db_engine and the statement calls (ABI 1.2); stop is
 * the sweep of a PENDING_DB record (already off p->pending). */
void api_db_init(hw_api *api);
void api_db_stop(struct plugin_pending *pp);

static inline struct plugin *plugin_from(hw_plugin *self)
{
	return (struct plugin *)self;
}
static inline hw_plugin *plugin_token(struct plugin *p)
{
	return (hw_plugin *)p;
}

#endif
