/*
 * The PostgreSQL engine of the storage API (libpq). One connection, owned
 * by the storage thread, serves every plugin; a plugin's session keeps its
 * statement cache and runs each unit of work as its own role with its own
 * schema first in the search path:
 *
 *   BEGIN; SET LOCAL ROLE "hallway_<plugin>"; SET LOCAL search_path TO "<plugin>";
 *   ...body...; COMMIT
 *
 * The role owns the schema and the tables its migrations create, and has
 * no rights on any other plugin's: the database itself refuses a plugin
 * that names another's table (HW_ERR_DENIED). SET/RESET statements are
 * refused in a body, so a plugin cannot leave its role.
 *
 * `?` placeholders become `$1..$n` once per statement text (quotes,
 * identifiers and comments are skipped), and the statement is prepared on
 * the connection once per connection.
 *
 * A lost connection makes the unit of work HW_ERR_UNAVAILABLE (rolled back
 * by the server); the next one connects again, at most one attempt a
 * second, so a queue of work behind a dead server is answered at once.
 * TCP keepalives and tcp_user_timeout bound how long a silent server can
 * hold the thread (defaults below, overridable in the URL).
 */
#ifndef HALLWAY_STORE_PG_H
#define HALLWAY_STORE_PG_H

#include <stddef.h>

#include "store.h"

struct store_pg;
struct store_pg_session;
struct pg_conn; /* libpq's PGconn */

/* Who may write (lease.c): the lease holder and epoch this process holds.
 * Each unit of work checks them in its transaction (hw.fence) and runs
 * read-only when they are not current; epoch 0 = never write. Written by
 * the lease thread, read by the storage thread. */
struct store_fence {
	char holder[64];      /* fixed before any unit of work runs */
	_Atomic int64_t epoch;
};

/* Units of work of pg check fence (borrowed, outlives pg); NULL (the
 * default) = no check, for a single daemon without a lease. */
void store_pg_set_fence(struct store_pg *pg, struct store_fence *fence);
/* Connects to url with bounded waits (defaults before the URL's own);
 * a new connection, or NULL with err. */
struct pg_conn *store_pg_connect(const char *url, char *err, size_t errlen);
/* The host's schema hw: plugin versions, the lease row, hw.fence(). Safe
 * to run from several daemons at once. Returns 0 or -1 with err. */
int store_pg_host_tables(struct pg_conn *conn, char *err, size_t errlen);

/* The host's own statements on the storage thread's connection (storage
 * thread only, between units of work): connects if needed (at most one
 * attempt a second, like a unit of work). Borrowed; NULL with err when the
 * server cannot be reached. */
struct pg_conn *store_pg_host_conn(struct store_pg *pg, char *err, size_t errlen);
/* The fence set by store_pg_set_fence (borrowed), or NULL. */
const struct store_fence *store_pg_fence(const struct store_pg *pg);

/* Returns a new, not yet connected, engine for url (copied), or NULL. */
struct store_pg *store_pg_new(const char *url);
/* Storage thread (or after it stopped). Closes the connection. */
void store_pg_free(struct store_pg *pg);
/* 1 when the last attempt reached the server and the connection is up. */
int store_pg_connected(struct store_pg *pg);

/* A session of plugin `name` (validated by the caller); NULL when out of
 * memory. Freed on the storage thread (it deallocates its statements). */
struct store_pg_session *store_pg_session_new(struct store_pg *pg, const char *name);
void store_pg_session_free(struct store_pg_session *s);
/* store_run_fn for a struct store_pg_session *. */
int store_pg_run(void *session, const char *handled, hw_tx_fn body, hw_plugin *self, void *ud,
		 char *err, size_t errlen);

/* Creates the plugin's role and schema if needed and applies
 * steps[v..n-1], each in its own transaction with the version bump (table
 * hw.plugin_schema), under an advisory lock so two daemons starting at
 * once apply each step once. Opens and closes a connection of its own and
 * waits for it: for plugin load only. Returns 0 or -1 with err set. */
int store_pg_migrate(const char *url, const char *name, const char *const *steps, size_t n,
		     char *err, size_t errlen);

/* The placeholder rewrite: `?` outside quotes and comments becomes $1..$n.
 * Returns a new string (free) and *nparams, or NULL when out of memory. */
char *store_pg_rewrite(const char *sql, int *nparams);

#endif
