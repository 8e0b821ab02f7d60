/*
 * The backend layer under the plugin storage API (ABI 1.2, see
 * <hallway/store.h>): one transaction (hw_tx) and its statements (hw_stmt)
 * as the plugin sees them, implemented by an engine (store_sqlite.c,
 * store_pg.c) through a table of operations.
 *
 * Errors inside a transaction: the first failing prepare or step records
 * its status in the transaction (tx->status) and a message (tx->err); from
 * then on every statement call of that transaction fails with the same
 * status, and the transaction is rolled back whatever the body returns.
 * Both engines behave alike here (PostgreSQL aborts a transaction at its
 * first error; SQLite would carry on): a plugin avoids expected conflicts
 * with ON CONFLICT instead of catching them.
 *
 * This file and store*.c depend only on the engines' client libraries and
 * <hallway/plugin.h>, so the plugin tests' mock host runs the same code.
 */
#ifndef HALLWAY_BOT_STORE_H
#define HALLWAY_BOT_STORE_H

#include <hallway/plugin.h>
#include <stddef.h>
#include <stdint.h>

struct store_tx_ops {
	hw_stmt *(*prepare)(hw_tx *tx, const char *sql);
	int (*bind_text)(hw_stmt *st, int idx, const char *value);
	int (*bind_int)(hw_stmt *st, int idx, int64_t value);
	int (*step)(hw_stmt *st);
	int64_t (*col_int)(hw_stmt *st, int col);
	const char *(*col_text)(hw_stmt *st, int col);
	int (*col_is_null)(hw_stmt *st, int col);
};

#define STORE_ERR_MAX 256

struct hw_tx {
	const struct store_tx_ops *ops;
	int status;             /* HW_OK, or the first error (see above) */
	int64_t changes;        /* rows changed by the last completed step */
	char err[STORE_ERR_MAX]; /* what failed first, for the log */
};

/* Every engine's statement starts with this: the transaction using it and
 * its place in the session's statement cache. */
struct hw_stmt {
	hw_tx *tx;
	struct hw_stmt *next; /* in the cache, most recently used first */
	char *sql;            /* the plugin's text, the cache key (the engine owns it) */
	int in_tx;            /* used by the running transaction */
};

/* One session's prepared statements, kept across units of work (both
 * engines). The engine says how to make one ready again (reset: results and
 * bindings cleared) and how to free one (drop). */
#define STORE_CACHE_MAX 128
struct store_cache {
	struct hw_stmt *head;
	size_t n;
	void (*reset)(struct hw_stmt *st, void *arg);
	void (*drop)(struct hw_stmt *st, void *arg);
	void *arg;
};
/* The cached statement for sql, reset and taken out of the list (put it
 * back with store_cache_put), or NULL. */
struct hw_stmt *store_cache_take(struct store_cache *c, const char *sql);
/* Makes room for a new statement: drops the least recently used one that
 * the running transaction does not hold, when the cache is full. */
void store_cache_trim(struct store_cache *c);
/* Puts st at the front, used by tx; fresh: a new statement (counted). */
void store_cache_put(struct store_cache *c, struct hw_stmt *st, hw_tx *tx, int fresh);
/* After a transaction: resets what it used, so no statement keeps a read
 * open or a value bound. */
void store_cache_release(struct store_cache *c);
/* Drops every statement. */
void store_cache_clear(struct store_cache *c);
/* 1 when sql's first word is one of words (case-insensitive). */
int store_sql_first_word_in(const char *sql, const char *const *words, size_t nwords);

/* Records the first error of tx (later ones keep the first). printf-style
 * message; SQL and values go in as arguments. Returns status. */
int store_tx_fail(hw_tx *tx, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* SQL text after leading spaces and comments (borrowed, inside sql). */
const char *store_sql_skip(const char *sql);
/* 1 when sql starts a transaction-control statement (BEGIN, COMMIT, END,
 * ROLLBACK, SAVEPOINT, RELEASE, ...): refused inside a body. */
int store_sql_is_tx_control(const char *sql);

/* Fills the statement members of the API table (db_prepare ... db_changes):
 * they check their arguments and the transaction's status, then call the
 * engine. */
void store_api_fill(hw_api *api);

/* Runs one unit of work: BEGIN, body(self, tx, ud), COMMIT (or ROLLBACK
 * on any error). Returns HW_OK once committed, or the error: the body's,
 * a statement's, HW_ERR_UNAVAILABLE when the database could not be
 * reached (nothing written), HW_ERR_STORAGE otherwise. err (may be NULL)
 * gets a message for the log on failure. Each engine has one
 * (store_sqlite_run, store_pg_run).
 *
 * handled (NULL for none): with two daemons, the key of the command whose
 * effect this is ("message <id>", see takeover.h), written to hw.handled
 * in the same transaction; when it is there already (the command ran
 * twice), nothing is written and HW_ERR_CONFLICT is returned. Only the
 * PostgreSQL engine has a lease, so only it writes one. */
typedef int (*store_run_fn)(void *session, const char *handled, hw_tx_fn body, hw_plugin *self,
			    void *ud, char *err, size_t errlen);

#endif
