/*
 * registration — ticket holders in, roles by ticket (issue 20): the shared
 * context of the plugin's files.
 *
 *   registration.c   descriptor, settings, init, shutdown
 *   reg_config.c     plugins.registration read into the context
 *   reg_parse.c      pretix's JSON into structs (fuzzed)
 *   reg_name.c       name matching with the shared fold
 *   reg_db.c         units of work on api->db_run, statement helpers
 *   reg_store.c      the tables: cache, bindings, grants, attempts, queue
 *   reg_pretix.c     pretix over api->http: sync on a timer, live lookups
 *   reg_register.c   the `register` command and the queue
 *   reg_grant.c      the outbox: role and nickname changes, DMs
 *   reg_admin.c      organizer commands
 *   reg_speaker.c    speakers claim their role with a pretalx speaker code
 *   reg_mention.c    speakers opt in to mentions; registration.speakers
 *   reg_log.c        lines for the organizers' log channel
 */
#ifndef REGISTRATION_H
#define REGISTRATION_H

#include <stdint.h>

#include <hallway/plugin.h>
#include <hallway/stmt.h>

#include "reg_parse.h"

#define REG_MAX_FAILURES 5               /* per user per hour */
#define REG_FAILURE_WINDOW_MS (3600 * 1000LL)
#define REG_GRANT_RETRY_MS 15000
#define REG_QUEUE_RETRY_MS 30000

struct reg_lookup;
struct reg_call;
struct reg_claim;

typedef struct reg {
	hw_plugin *self;
	const hw_api *api;
	hw_units *units;           /* its units of work; owns this context (hw_units_stop) */

	/* config */
	char *orders_url;          /* <pretix.url>/api/v1/organizers/<o>/events/<e>/orders/ */
	char *pretix_base;         /* <pretix.url>, without a trailing slash */
	char *auth;                /* "Authorization: Token ..." or NULL (never logged) */
	const json_t *roles_items; /* borrowed from the config */
	const json_t *roles_variations;
	const json_t *roles_registered;
	const json_t *roles_speaker;
	char *pretalx_base;        /* pretalx.url without a trailing slash, or NULL */
	const char *pretalx_event; /* borrowed from the config */
	const char *log_channel;
	int nickname;
	int64_t refresh_ms;

	/* pretix sync */
	hw_handle sync_timer, sync_req; /* sync_req: the page request in flight */
	int syncing;               /* a sweep runs (requests and cache writes) */
	char *sync_url;            /* the page being fetched */
	char *sync_first;          /* the sweep's first URL (its ETag is kept) */
	char sync_etag[200];       /* the first page's ETag, saved when the sweep ends */
	char sync_since[REG_STAMP_MAX]; /* modified_since of this sweep ("" = all) */
	char sync_max[REG_STAMP_MAX];   /* the newest last_modified seen in it */
	int sync_pages;
	int64_t pretix_ok_ms;      /* last answer from pretix */
	int64_t pretix_wait_until; /* no request before (429 / 5xx backoff) */
	int pretix_down;           /* the last request failed */
	int pretix_failures;       /* in a row, for the backoff */
	int64_t syncs, sync_304s;

	/* live lookups in flight (freed at shutdown) */
	struct reg_lookup *lookups;

	/* outbox and queue */
	hw_handle grant_timer, queue_timer;
	struct reg_call *calls;    /* role/nick/DM calls in flight (freed at shutdown) */
	struct reg_claim *claims;  /* speaker claims waiting for pretalx */
	int grant_waiting_guild;   /* logged once: the guild is not known yet */
	int flushing, flush_again; /* one outbox read at a time */
	int outbox_more;           /* the last read left rows behind: read again when answered */
	int kicking;               /* one queue read at a time */
	hw_handle kick_timer;      /* the next queue read after a full batch */

	/* registration.speakers (reg_mention.c) */
	json_t *speakers_pub;      /* the set last published (owned), NULL before the first read */
	int speakers_reading, speakers_again;
} reg;

/* reg_config.c: reads plugins.registration; 0 or -1 with err. */
int reg_config_read(reg *r, const json_t *cfg, char *err, size_t errlen);
void reg_config_free(reg *r);

/* registration.c */
const char *reg_arg(const reg *r, const hw_invocation *inv, const char *name);

/* Units of work and statements: <hallway/stmt.h> (hw_units_run on r->units,
 * hw_sql*); bodies and dones take the reg as their ctx. */

/* reg_pretix.c */
enum reg_lookup_result { REG_FOUND, REG_NOT_FOUND, REG_UNAVAILABLE };
/* Called once with the result; with REG_FOUND fn owns *order (free it
 * with reg_order_free), else order is NULL. */
typedef void (*reg_lookup_fn)(reg *r, enum reg_lookup_result res, reg_order *order, void *ud);
/* Looks order code up in pretix now (the cache is updated on an answer).
 * ud is the caller's; on shutdown free_ud(ud) is called instead of fn. */
int reg_pretix_lookup(reg *r, const char *code, reg_lookup_fn fn, void (*free_ud)(void *),
		      void *ud);
int reg_pretix_start(reg *r);
void reg_pretix_sync_now(reg *r);
void reg_pretix_stop(reg *r);
/* 1 while pretix is known to fail (backoff running). */
int reg_pretix_unavailable(reg *r);

/* reg_register.c */
int reg_register_add(reg *r);
int reg_queue_start(reg *r);
void reg_queue_kick(reg *r);  /* pretix answers again: retry the queue now */

/* reg_grant.c: queue inside a body; flush sends after the commit. */
int reg_grant_queue_ticket(reg *r, hw_tx *tx, const char *user_id, int64_t item,
			   int64_t variation, const char *nick, int add, int64_t now);
int reg_grant_queue_roles(reg *r, hw_tx *tx, const char *user_id, const json_t *roles, int add,
			  int64_t now);
int reg_dm_queue(reg *r, hw_tx *tx, const char *user_id, const char *text);
int reg_grant_start(reg *r);
void reg_grant_flush(reg *r);
void reg_grant_stop(reg *r);

/* reg_admin.c */
int reg_admin_add(reg *r);

/* reg_speaker.c: registration claim <speaker code> (pretalx) */
int reg_speaker_add(reg *r);
void reg_speaker_stop(reg *r);

/* reg_mention.c: `registration mention on|off`, and the opted-in speakers
 * published as "registration.speakers" (include/hallway/events.h). */
int reg_mention_add(reg *r);
/* Reads the opted-in speakers again and publishes them if they changed
 * (the first read always publishes). */
void reg_mention_refresh(reg *r);
void reg_mention_stop(reg *r);

/* reg_log.c: one line to the log channel (if configured) and the log. */
void reg_log(reg *r, const char *fmt, ...) HW_PRINTF(2, 3);

#endif
