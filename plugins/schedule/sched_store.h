/*
 * The last good copy of the schedule source in the host database, so a
 * restart without network still answers. One row per plugin (table
 * schedule_cache), written only after the copy parsed successfully.
 *
 * Storage goes through api->db_run (plugin ABI 1.2), so it runs on SQLite
 * or PostgreSQL: a save or a load is a unit of work whose result comes
 * back later on the loop. The text is stored as text: a source that is not
 * UTF-8 or holds a NUL byte is not kept on PostgreSQL (a warning; the
 * cache is a convenience, the live source is the truth).
 */
#ifndef SCHED_STORE_H
#define SCHED_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <hallway/plugin.h>

struct sched_plugin;

/* Migrations for api->db_migrate, for the engine the host runs. */
const char *const *sched_store_migrations(const hw_api *api, hw_plugin *self, size_t *n);

struct sched_cached {
	char *source;        /* what config said when it was fetched */
	char *etag, *last_modified; /* validators, may be NULL */
	char *body;          /* NUL-terminated */
	size_t len;
	int64_t fetched_ms;
};

void sched_store_cached_free(struct sched_cached *c);

/* Replaces the stored copy (copies everything); a failure is logged when
 * it comes. Returns HW_OK when queued. */
int sched_store_save(struct sched_plugin *p, const char *source, const char *etag,
		     const char *last_modified, const char *body, size_t len, int64_t fetched_ms);

/* Reads the stored copy; fn gets it (fields owned by fn's caller: fn may
 * steal them, the rest is freed after) with SCHED_OK, SCHED_ERR_EMPTY
 * when nothing is stored, or SCHED_ERR_IO. fn is not called once the
 * plugin is shutting down. Returns HW_OK when queued. */
typedef void (*sched_store_loaded_fn)(struct sched_plugin *p, struct sched_cached *c, int status);
int sched_store_load(struct sched_plugin *p, sched_store_loaded_fn fn);

/* At shutdown: results that come later find no plugin. */
void sched_store_detach(struct sched_plugin *p);

#endif
