/*
 * Active and standby on one PostgreSQL database (issue 18): exactly one
 * daemon holds the lease, a row of hw.lease with an epoch, renewed on a
 * timer by a thread of its own (its own connection, so a slow plugin
 * transaction never delays a renewal). The database's clock decides when a
 * lease has lapsed, so the machines' clocks need not agree.
 *
 * Fencing: the holder and epoch are published to the storage engine
 * (store_fence); every plugin transaction checks them inside itself
 * (hw.fence(), FOR SHARE on the lease row, so a takeover waits for it to
 * commit) and runs read-only when they are not current, so a write from a
 * stale epoch is refused by the database.
 *
 * The lease is lost when the database says so (someone else holds it, or
 * held a term in between), not when the database cannot be reached:
 * nobody can take it over then, and the active daemon goes on answering
 * (its writes fail, honestly). A process frozen (SIGSTOP) past its local
 * deadline (the last renewal sent + lease_ms - one renewal period) cannot
 * know what happened meanwhile: it ends at once when it wakes, before its
 * loop runs (lease_freeze_guard).
 */
#ifndef HALLWAY_LEASE_H
#define HALLWAY_LEASE_H

#include <stdint.h>

#include "store_pg.h"

struct lease;
struct lws_context;

/* Starts the lease thread for url after one attempt made here (blocking,
 * before the loop runs: at start only), so a daemon that can take the
 * lease starts active. holder names this process (unique). fence is
 * updated by the thread (borrowed: outlives the lease). NULL on error. */
struct lease *lease_create(struct lws_context *lws, const char *url, const char *holder,
			   int64_t lease_ms, struct store_fence *fence);
/* Stops the thread (no release: the lease lapses by itself). */
void lease_destroy(struct lease *l);

/* Loop thread, on every wakeup: returns 1 when the process has just
 * become active, -1 when it has just lost the lease, else 0. */
int lease_poll(struct lease *l);
int lease_active(struct lease *l);
int64_t lease_epoch(struct lease *l);
uint64_t lease_takeovers(struct lease *l);
/* How long the lease stood lapsed before this process took it (database
 * clock), at the last takeover; -1 before any. */
double lease_takeover_seconds(struct lease *l);

/* Ends the lease now (an orderly switch: --step-down or SIGUSR2 on the
 * active one). Whoever holds it loses it at its next renewal; a standby
 * takes it at its next attempt. Blocking: for the command line only.
 * Returns 0, or -1 with err set. */
int lease_step_down(const char *url, char *err, size_t errlen);

/* SIGCONT handler for the lease of this process: a process that wakes
 * after its local deadline exits at once, before its loop can send
 * anything. Call once, from the loop thread, after lease_create. */
void lease_freeze_guard(struct lease *l);

#endif
