/*
 * Storage: one SQLite database file (WAL, synchronous=FULL, busy timeout)
 * for everything the bot persists. The host has its own connection with
 * hw_* tables (meta key/values, plugin schema versions). Each plugin gets
 * its own connection to the same file, guarded by an authorizer that only
 * lets it touch tables (and indexes) named "<plugin>_*"; ATTACH, most
 * PRAGMAs and writes to the schema are refused.
 */
#ifndef HALLWAY_STORAGE_H
#define HALLWAY_STORAGE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct lws_context;
struct storage;
struct storage_plugin_db;
struct store_pg;
struct work;

/* Opens (creating) path; ":memory:" is refused (plugins need a shared
 * file). Returns 0 and *out, or -1 with a log line. */
int storage_open(const char *path, struct storage **out);
void storage_close(struct storage *st);
/* The host's connection (borrowed). */
sqlite3 *storage_db(struct storage *st);

/* Host key/value table hw_meta. get returns a new string (free) or NULL. */
char *storage_meta_get(struct storage *st, const char *key);
int storage_meta_set(struct storage *st, const char *key, const char *value);
/* Deletes the hw_meta rows whose key starts with prefix and that were last
 * set more than older_than_ms ago (wall clock). Returns how many, or -1. */
int storage_meta_prune(struct storage *st, const char *prefix, int64_t older_than_ms);

/* Whether another process holds the database's write lock right now,
 * found out without waiting: 1 locked, 0 free (or held by our own storage
 * thread), -1 another error. */
int storage_write_locked(struct storage *st);
/* 1 while one of our units of work holds the SQLite write lock (counted by
 * the engine once BEGIN IMMEDIATE got it, not while it waits for it). */
int storage_own_write(struct storage *st);

/* A connection for plugin `name` (table prefix "<name>_"). */
int storage_plugin_open(struct storage *st, const char *name, struct storage_plugin_db **out);
/* The plugin's SQLite connection with its authorizer (borrowed), NULL on
 * PostgreSQL. No plugin gets it (ABI 2.0 removed db()): migrations run on
 * it, and the unit tests check the isolation rules through it. */
sqlite3 *storage_plugin_sqlite(struct storage_plugin_db *pdb);
/* Applies steps[v..n-1], each in its own transaction together with the
 * version bump (so a crash never leaves a step half-recorded). Returns 0,
 * or -1 with the failing step logged. */
int storage_plugin_migrate(struct storage_plugin_db *pdb, const char *const *steps, size_t n);
int storage_plugin_version(struct storage_plugin_db *pdb);
/* Finalizes every statement the plugin left open, rolls back an open
 * transaction, closes the connection. */
void storage_plugin_close(struct storage_plugin_db *pdb);

/* The storage thread that runs db_run bodies (plugin ABI 1.2): started
 * once the loop exists; its finished jobs are completed on the loop by
 * storage_drain (from LWS_CALLBACK_EVENT_WAIT_CANCELLED). storage_close
 * stops it. */
int storage_start(struct storage *st, struct lws_context *lws);
void storage_drain(struct storage *st);
/* Joins the thread after completing its jobs (before the loop's context
 * is destroyed: the thread wakes it); db_run then answers unavailable. */
void storage_stop(struct storage *st);
struct work *storage_pool(struct storage *st); /* NULL before storage_start */
/* storage.url is PostgreSQL: plugins' storage (db_run, db_migrate) goes
 * there; the SQLite file keeps the host's hw_meta. Before storage_start.
 * Does not connect (the storage thread does, and again after a loss). */
int storage_use_postgres(struct storage *st, const char *url);
/* Active and standby (lease.h): takes part in the lease as holder (unique
 * per process); fn(ud, 1) when this process has become active, fn(ud, 0)
 * when it has lost the lease (from storage_drain, on the loop). Before it,
 * and without it (console, --plan), plugin transactions on PostgreSQL
 * are read-only. Returns 0 or -1 (logged). */
typedef void (*storage_role_fn)(void *ud, int active);
int storage_lease_start(struct storage *st, struct lws_context *lws, const char *holder,
			int64_t lease_ms, storage_role_fn fn, void *ud);
/* With a lease: the PostgreSQL engine, whose connection belongs to the
 * storage thread (takeover.c's jobs use it there). NULL without a lease. */
struct store_pg *storage_lease_pg(struct storage *st);
/* "active", "standby", or NULL without a lease. */
const char *storage_role(struct storage *st);
/* For /metrics: 0, or -1 without a lease. */
int storage_lease_info(struct storage *st, int64_t *epoch, uint64_t *takeovers,
		       double *takeover_s);
/* "sqlite" or "postgresql" (borrowed, static). */
const char *storage_engine(struct storage *st);
/* The engine's run function and the plugin's session for it, opened on
 * first use; both for the storage thread only. Returns 0 or -1 (logged). */
int storage_plugin_session(struct storage_plugin_db *pdb, store_run_fn *run, void **session);

/* Copies the database at src_path (if there is one) into a new file under
 * $TMPDIR whose path goes into dst_path (the caller unlinks it). For dry
 * runs. Returns 0 or -1 (logged). */
int storage_snapshot(const char *src_path, char *dst_path, size_t dst_len);

#endif
