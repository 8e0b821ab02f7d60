/*
 * The schedule plugin's state and its entry points, shared between the
 * glue files (sched_plugin.c: init, commands; sched_refresh.c: fetching,
 * parsing on a worker, storing, change events).
 */
#ifndef SCHED_PLUGIN_H
#define SCHED_PLUGIN_H

#include <stdint.h>

#include <hallway/plugin.h>

#include "sched_load.h"
#include "sched_model.h"

struct sched_plugin {
	hw_plugin *self;
	const hw_api *api;
	/* Configuration (plugins.schedule). */
	char *source;             /* file, directory or http(s) URL; a list of
				   * paths joined by newlines; NULL = none */
	char **paths;             /* local paths to read (NULL-terminated) */
	size_t npaths;
	int is_url;
	enum sched_format fmt;
	char *tz;                 /* zone for sources that name none, or NULL */
	int64_t refresh_ms;
	/* State. */
	struct sched *cur;        /* the last good schedule, or NULL */
	char *etag, *last_modified; /* validators of cur's source copy */
	uint64_t hash;            /* FNV-1a of cur's source bytes */
	hw_handle timer, http;
	int busy;                 /* a fetch or parse is in flight */
	int shutting_down;
	struct sched_web *web;    /* screens and the organizer panel (sched_web.c) */
	struct sched_store_link *store_link; /* storage results after shutdown (sched_store.c) */
	json_t *ospaces;          /* the last "openspaces.board" (owned), or NULL */
	int ospaces_answered;     /* it came in answer to our last request */
};

/* Reads plugins.schedule; returns 0 or an HW_ERR_*. */
int sched_plugin_config(struct sched_plugin *p);

/* Registers the commands. */
int sched_plugin_commands(struct sched_plugin *p);

/* Starts loading: the stored copy first (if it belongs to this source),
 * then the refresh timer. */
int sched_refresh_start(struct sched_plugin *p);

/* One refresh now (timer tick); a no-op while busy. */
void sched_refresh_now(struct sched_plugin *p);

/* Frees everything the plugin owns (the host sweeps handles). */
void sched_plugin_free(struct sched_plugin *p);

/* init/shutdown as the descriptor calls them (exposed for tests). */
int sched_plugin_init(hw_plugin *self, const hw_api *api);
void sched_plugin_shutdown(hw_plugin *self, void *userdata);

#endif
