/*
 * The SQLite engine of the storage API: transactions on one connection
 * (borrowed; the caller opened it with its authorizer), with a cache of
 * prepared statements keyed by SQL text. One session is used by one
 * thread at a time.
 */
#ifndef HALLWAY_STORE_SQLITE_H
#define HALLWAY_STORE_SQLITE_H

#include <sqlite3.h>

#include "store.h"

struct store_sqlite;

/* Returns a new session over db (borrowed: it must outlive the session),
 * or NULL when out of memory. */
struct store_sqlite *store_sqlite_new(sqlite3 *db);
/* held (may be NULL) counts the units of work that hold the write lock:
 * +1 once BEGIN IMMEDIATE got it, -1 when the transaction ends. A unit still
 * waiting for the lock is not counted, so a health probe can tell "our own
 * commit" from "another process holds the file". Set before the first run. */
void store_sqlite_count_lock(struct store_sqlite *s, _Atomic int *held);
/* Finalizes the cached statements; the connection stays open. */
void store_sqlite_free(struct store_sqlite *s);
/* store_run_fn for a struct store_sqlite *. BEGIN IMMEDIATE: the write
 * lock is taken first, so what the body reads is what its writes build on
 * (the same guarantee the PostgreSQL engine gets from one storage thread). */
int store_sqlite_run(void *session, const char *handled, hw_tx_fn body, hw_plugin *self,
		     void *ud, char *err, size_t errlen);

#endif
