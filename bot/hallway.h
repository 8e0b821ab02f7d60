/*
 * The daemon's context: one struct hallway per process, passed down to every
 * module (no mutable globals). lws callbacks find it with
 * lws_context_user(lws_get_context(wsi)).
 */
#ifndef HALLWAY_HALLWAY_H
#define HALLWAY_HALLWAY_H

#include <signal.h>
#include <stdint.h>

#include <jansson.h>

#include "clock.h"

struct lws_context;
struct lws_vhost;
struct config;
struct work;
struct http;
struct rest;
struct gateway;
struct bus;
struct storage;
struct host;
struct host_retry;
struct router;
struct console;
struct guild_cache;
struct metrics;
struct health;
struct notify;
struct fairuse;
struct slash;
struct web;
struct plan_book;
struct takeover;

struct hallway {
	struct lws_context *lws;
	struct lws_vhost *vhost;
	struct config *cfg;        /* owned; replaced on SIGHUP */
	struct work *work;         /* worker threads (DNS, parsing) */
	struct http *http;         /* libcurl multi inside the lws loop */
	struct rest *rest;         /* Discord REST with rate limits */
	struct gateway *gw;        /* NULL in the console */
	struct bus *bus;           /* dispatches and plugin events */
	struct storage *storage;   /* SQLite database */
	struct host *host;         /* plugins */
	struct host_retry *host_retry; /* configured plugins not running: loaded again */
	struct router *router;     /* commands: chat, slash, console */
	struct console *console;   /* NULL unless --console */
	struct guild_cache *guilds;/* roles, for organizer checks */
	struct metrics *metrics;   /* counters for /metrics (hooks: NULL-safe) */
	struct health *health;     /* /healthz checks and the HTTP endpoint */
	struct notify *notify;     /* systemd sd_notify */
	struct fairuse *fairuse;   /* per-user command budgets (NULL: none) */
	struct web *web;           /* the HTTP server: screens, organizer page, health */
	struct plan_book *plans;   /* dry runs waiting for plugins' answers */
	struct takeover *takeover; /* two daemons: what the next active needs (NULL: one) */

	struct clock clock;        /* the conference clock */

	char self_user_id[32];     /* learned from READY */
	char application_id[32];   /* config or READY */

	struct slash *slash;       /* application command registration */

	volatile sig_atomic_t signal_stop;   /* set by SIGTERM/SIGINT */
	volatile sig_atomic_t signal_reload; /* set by SIGHUP */
	int exit_code;
	json_t *components_kept;   /* two daemons: components the last active one kept (components.c) */
	int64_t dispatch_seq;      /* the gateway dispatch being handled now, -1 none */
	int stopping;
	int plan_only;             /* --plan: a dry run, nothing is sent anywhere */
};

/* Stop the loop soon with this exit code (safe from any callback). */
void hallway_request_stop(struct hallway *hw, int exit_code);

#endif
