/*
 * hw_db (lib/db.c, in hallway_text) — small helpers over SQLite: prepare-and-bind by a type string,
 * one-shot statements, single integers, transactions. Every value is bound,
 * never formatted into SQL.
 *
 * Type letters: 'i' int64_t, 't' const char * (NULL binds NULL).
 */
#ifndef HALLWAY_DB_H
#define HALLWAY_DB_H

#include <stdint.h>

#include <sqlite3.h>

/* Prepares sql and binds the arguments; *out is a new statement to
 * finalize. Returns HW_OK or HW_ERR_STORAGE. */
int hw_db_prepare(sqlite3 *db, sqlite3_stmt **out, const char *sql, const char *types, ...);
/* Runs a statement that returns no rows. HW_OK, HW_ERR_EXISTS on a
 * constraint violation, HW_ERR_STORAGE otherwise. */
int hw_db_exec(sqlite3 *db, const char *sql, const char *types, ...);
/* The first column of the first row: HW_OK, HW_ERR_NOT_FOUND, HW_ERR_STORAGE. */
int hw_db_int(sqlite3 *db, int64_t *out, const char *sql, const char *types, ...);
/* BEGIN IMMEDIATE: takes the write lock now, so reads inside the
 * transaction see the state the write will be based on. */
int hw_db_begin(sqlite3 *db);
int hw_db_commit(sqlite3 *db);
/* Rolls back if a transaction is open; safe to call at any cleanup. */
void hw_db_rollback(sqlite3 *db);
/* Column text as a borrowed "" when NULL. */
const char *hw_db_text(sqlite3_stmt *st, int col);

#endif
