/*
 * ospace_db — prepare-and-bind by a type string, one-shot statements,
 * single integers, transactions. Every value is bound, never formatted
 * into SQL. Type letters: 'i' int64_t, 't' const char * (NULL binds NULL).
 */
#ifndef OSPACE_DB_H
#define OSPACE_DB_H

#include <stdint.h>

#include <sqlite3.h>

/* *out: a new statement to finalize. HW_OK or HW_ERR_STORAGE. */
int ospace_db_prepare(sqlite3 *db, sqlite3_stmt **out, const char *sql, const char *types, ...);
/* A statement without rows: HW_OK, HW_ERR_EXISTS on a constraint, or
 * HW_ERR_STORAGE. */
int ospace_db_exec(sqlite3 *db, const char *sql, const char *types, ...);
/* The first column of the first row: HW_OK, HW_ERR_NOT_FOUND, HW_ERR_STORAGE. */
int ospace_db_int(sqlite3 *db, int64_t *out, const char *sql, const char *types, ...);
/* BEGIN IMMEDIATE (the write lock now), COMMIT, and a rollback that is
 * safe at any cleanup. */
int ospace_db_begin(sqlite3 *db);
int ospace_db_commit(sqlite3 *db);
void ospace_db_rollback(sqlite3 *db);
/* Column text, borrowed; "" for NULL. */
const char *ospace_db_text(sqlite3_stmt *st, int col);

#endif
