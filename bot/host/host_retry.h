/*
 * Plugins that are configured but not running, loaded again with backoff.
 *
 * A plugin's init can fail for a passing reason: another process holds the
 * database's write lock for a while ("database is locked"), the .so is
 * being replaced mid-upgrade. Without a retry that plugin stays off until
 * someone notices; whatever it had due (a scheduled announcement) waits
 * with it. The housekeeping tick calls host_retry_tick(): each configured
 * plugin that host_find() does not see is loaded again after 1, 2, 4 ...
 * seconds (at most HOST_RETRY_MAX_MS apart, with jitter) for as long as it
 * stays configured. While the database's write lock is held elsewhere an
 * attempt is postponed instead of made (checked every HOST_RETRY_FIRST_MS
 * without waiting), so that the loop does not sit in SQLite's busy timeout
 * and the plugin loads as soon as the lock is gone. /healthz names every
 * such plugin (health.c).
 */
#ifndef HALLWAY_HOST_RETRY_H
#define HALLWAY_HOST_RETRY_H

#include <stddef.h>
#include <stdint.h>

struct hallway;
struct host_retry;

#define HOST_RETRY_FIRST_MS 1000
#define HOST_RETRY_MAX_MS 300000

/* Returns a new tracker, or NULL when out of memory. */
struct host_retry *host_retry_create(struct hallway *hw);
void host_retry_destroy(struct host_retry *r);
/* Loads what is due again; now_ms is monotonic. Cheap when nothing is. */
void host_retry_tick(struct host_retry *r, int64_t now_ms);
/* The next attempt for plugin name, in ms from now_ms, and the last reason
 * it failed (borrowed; "" when unknown). Returns 0, or -1 when name is not
 * waiting for a retry. */
int host_retry_status(const struct host_retry *r, const char *name, int64_t now_ms,
		      int64_t *in_ms, const char **why);

#endif
