/*
 * Helpers over the plugin storage API of <hallway/store.h> (lib/stmt.c, in
 * hallway_text), for every plugin that stores through db_run:
 *
 * - statements prepared and bound from a type string: 'i' int64_t,
 *   't' const char * (NULL binds NULL). Every value is bound, never
 *   formatted into SQL. Call them only inside a transaction body; the
 *   statements belong to the transaction.
 *
 * - hw_units: a plugin context that stays alive while its units of work are
 *   out. The host delivers every done() once, even after the plugin began to
 *   stop (to free the job); with hw_units the plugin's done() runs only while
 *   it is not stopping, the job is freed otherwise, and the context is freed
 *   when the plugin's own reference and the last unit are both gone.
 */
#ifndef HALLWAY_STMT_H
#define HALLWAY_STMT_H

#include <stdint.h>

#include <hallway/plugin.h>

/* A statement of tx with the arguments bound, or NULL when the prepare or a
 * bind failed (the unit of work has then failed: return an error). */
hw_stmt *hw_sql(const hw_api *api, hw_tx *tx, const char *sql, const char *types, ...);
/* Runs a statement to its end: HW_OK or the error (< 0). */
int hw_sql_exec(const hw_api *api, hw_tx *tx, const char *sql, const char *types, ...);
/* The first column of the first row as an integer: HW_OK, HW_ERR_NOT_FOUND
 * without a row, or the error. *out is 0 unless HW_OK. */
int hw_sql_int(const hw_api *api, hw_tx *tx, int64_t *out, const char *sql, const char *types, ...);
/* A text column, borrowed until the next step; "" for NULL. */
const char *hw_sql_col(const hw_api *api, hw_stmt *st, int col);

/* Fills one row's element (zeroed before the call): HW_OK, or an error
 * (HW_ERR_NOMEM) that stops the collection. */
typedef int (*hw_row_fill_fn)(const hw_api *api, hw_stmt *st, void *row);
/* Steps st (NULL: a failed hw_sql) to its end into an array of elements of
 * size bytes, one per row, each filled by fill. HW_OK: *rows (the caller's,
 * to free with its own free function; NULL without rows) and *n. An error:
 * the rows filled so far, the failing one included, went to
 * free_rows(array, count), and *rows, *n are untouched. */
int hw_sql_rows(const hw_api *api, hw_stmt *st, size_t size, hw_row_fill_fn fill,
		void (*free_rows)(void *rows, size_t n), void **rows, size_t *n);

typedef struct hw_units hw_units;
typedef int (*hw_unit_body_fn)(void *ctx, hw_tx *tx, void *job);
typedef void (*hw_unit_done_fn)(void *ctx, int status, void *job);

/* The plugin's context ctx and what frees it (free_ctx may be NULL). The
 * returned value holds the plugin's own reference (hw_units_release gives it
 * back); NULL when out of memory. */
hw_units *hw_units_new(const hw_api *api, hw_plugin *self, void *ctx, void (*free_ctx)(void *ctx));
/* Runs body in a transaction on the storage thread, then done(ctx, status,
 * job) on the loop; when the plugin is stopping by then, free_job(job)
 * instead (free_job may be NULL). Returns HW_OK, or the error when nothing
 * was queued (free_job(job) has then been called: the job is always taken). */
int hw_units_run(hw_units *u, hw_unit_body_fn body, hw_unit_done_fn done,
		 void (*free_job)(void *job), void *job);
/* 1 once hw_units_stop was called. */
int hw_units_stopping(const hw_units *u);
/* Another reference for something else that outlives a callback (a timer, an
 * HTTP request); give it back with hw_units_release. */
void hw_units_hold(hw_units *u);
void hw_units_release(hw_units *u);
/* At the plugin's shutdown, first: no done() runs after this (free_job does)
 * and hw_units_run refuses new units. Then, once the plugin has cancelled what
 * else it had out, it drops its own reference with hw_units_release: the
 * context is freed then, or when the last unit comes back. */
void hw_units_stop(hw_units *u);

#endif
