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

/* Every engine's statement starts with this. */
struct hw_stmt {
	hw_tx *tx;
};

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
 * (store_sqlite_run, store_pg_run). */
typedef int (*store_run_fn)(void *session, hw_tx_fn body, hw_plugin *self, void *ud, char *err,
			    size_t errlen);

#endif
