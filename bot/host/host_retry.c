/*
 * Loading configured plugins again after a failed init (see host_retry.h).
 */
#include "host_retry.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "hallway.h"
#include "host.h"
#include "log.h"
#include "storage.h"

struct retry_entry {
	struct retry_entry *next;
	char *name;
	unsigned attempts; /* failed retries so far */
	int64_t next_ms;   /* monotonic time of the next attempt */
	int seen;          /* still configured and not running (this tick) */
	int waiting_lock;  /* postponed: the database's write lock is held */
	char why[256];     /* the last failure */
};

struct host_retry {
	struct hallway *hw;
	struct retry_entry *entries;
	uint64_t rng;
};

struct host_retry *host_retry_create(struct hallway *hw)
{
	struct host_retry *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->hw = hw;
	r->rng = (uint64_t)(uintptr_t)r ^ 0x9e3779b97f4a7c15ull;
	return r;
}

static void entry_free(struct retry_entry *e)
{
	free(e->name);
	free(e);
}

void host_retry_destroy(struct host_retry *r)
{
	if (!r)
		return;
	while (r->entries) {
		struct retry_entry *e = r->entries;
		r->entries = e->next;
		entry_free(e);
	}
	free(r);
}

/* The wait before attempt n+1: doubling from HOST_RETRY_FIRST_MS up to
 * HOST_RETRY_MAX_MS, then up to a fifth more at random, so that plugins
 * failing together do not retry in lockstep. */
static int64_t backoff_ms(struct host_retry *r, unsigned attempts)
{
	int64_t d = HOST_RETRY_FIRST_MS;

	while (attempts-- && d < HOST_RETRY_MAX_MS)
		d *= 2;
	if (d > HOST_RETRY_MAX_MS)
		d = HOST_RETRY_MAX_MS;
	r->rng ^= r->rng >> 12;
	r->rng ^= r->rng << 25;
	r->rng ^= r->rng >> 27;
	return d + (int64_t)((r->rng * 2685821657736338717ull) % (uint64_t)(d / 5 + 1));
}

static struct retry_entry *entry_get(struct host_retry *r, const char *name, int64_t now_ms)
{
	struct retry_entry *e;

	for (e = r->entries; e; e = e->next)
		if (!strcmp(e->name, name))
			return e;
	if (!(e = calloc(1, sizeof(*e))) || !(e->name = strdup(name))) {
		free(e);
		return NULL;
	}
	/* The failed load has just been logged by the host: wait before the
	 * first retry. */
	e->next_ms = now_ms + backoff_ms(r, 0);
	e->next = r->entries;
	r->entries = e;
	LOGW("host", "plugin %s is configured but not running; loading it again in %.1f s",
	     name, (double)(e->next_ms - now_ms) / 1000.0);
	return e;
}

static void attempt(struct host_retry *r, struct retry_entry *e, int64_t now_ms)
{
	struct hallway *hw = r->hw;
	char why[sizeof(e->why)];

	if (storage_write_locked(hw->storage) > 0) {
		/* Not the plugin's failure, and asking costs nothing: look again
		 * every HOST_RETRY_FIRST_MS rather than sit in SQLite's busy
		 * timeout on the loop, and load it as soon as the lock is gone. */
		if (!e->waiting_lock)
			LOGW("host", "plugin %s waits for the database: another process holds its "
			     "write lock", e->name);
		e->waiting_lock = 1;
		snprintf(e->why, sizeof(e->why), "the database is locked by another process");
		e->next_ms = now_ms + HOST_RETRY_FIRST_MS;
		return;
	}
	e->waiting_lock = 0;
	if (!host_reload(hw->host, e->name, why, sizeof(why))) {
		LOGI("host", "plugin %s loaded on retry %u", e->name, e->attempts + 1);
		e->seen = 0; /* dropped below */
		return;
	}
	e->attempts++;
	snprintf(e->why, sizeof(e->why), "%s", why);
	e->next_ms = now_ms + backoff_ms(r, e->attempts);
	LOGW("host", "plugin %s still not running (%s); next attempt in %.1f s", e->name, e->why,
	     (double)(e->next_ms - now_ms) / 1000.0);
}

void host_retry_tick(struct host_retry *r, int64_t now_ms)
{
	struct hallway *hw;
	const char *name;
	json_t *v;

	if (!r || !(hw = r->hw)->host || hw->stopping || !hw->cfg || !hw->cfg->plugins)
		return;
	for (struct retry_entry *e = r->entries; e; e = e->next)
		e->seen = 0;
	json_object_foreach(hw->cfg->plugins, name, v) {
		struct retry_entry *e;

		if (json_is_false(v) || host_find(hw->host, name))
			continue;
		if (!(e = entry_get(r, name, now_ms)))
			continue; /* out of memory: the next tick tries again */
		e->seen = 1;
		if (now_ms >= e->next_ms)
			attempt(r, e, now_ms);
	}
	/* Forget plugins now running or no longer configured. */
	for (struct retry_entry **pe = &r->entries; *pe;) {
		struct retry_entry *e = *pe;

		if (e->seen) {
			pe = &e->next;
			continue;
		}
		*pe = e->next;
		entry_free(e);
	}
}

int host_retry_status(const struct host_retry *r, const char *name, int64_t now_ms,
		      int64_t *in_ms, const char **why)
{
	for (const struct retry_entry *e = r ? r->entries : NULL; e; e = e->next) {
		if (strcmp(e->name, name))
			continue;
		if (in_ms)
			*in_ms = e->next_ms > now_ms ? e->next_ms - now_ms : 0;
		if (why)
			*why = e->why;
		return 0;
	}
	return -1;
}
