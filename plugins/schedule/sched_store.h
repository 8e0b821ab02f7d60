/*
 * The last good copy of the schedule source in the host database, so a
 * restart without network still answers. One row per plugin (table
 * schedule_cache), written only after the copy parsed successfully.
 */
#ifndef SCHED_STORE_H
#define SCHED_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

/* Migrations for api->db_migrate. */
extern const char *const sched_store_migrations[];
extern const size_t sched_store_nmigrations;

struct sched_cached {
	char *source;        /* what config said when it was fetched */
	char *etag, *last_modified; /* validators, may be NULL */
	char *body;          /* NUL-terminated */
	size_t len;
	int64_t fetched_ms;
};

void sched_store_cached_free(struct sched_cached *c);

/* Replaces the stored copy. Returns 0 or SCHED_ERR_IO. */
int sched_store_save(sqlite3 *db, const char *source, const char *etag,
		     const char *last_modified, const char *body, size_t len, int64_t fetched_ms);

/* Reads the stored copy into *out (fields owned by out). Returns 0,
 * SCHED_ERR_EMPTY when nothing is stored, or SCHED_ERR_IO/NOMEM. */
int sched_store_load(sqlite3 *db, struct sched_cached *out);

#endif
