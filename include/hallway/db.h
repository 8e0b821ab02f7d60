/*
 * hw_db (lib/db.c, in hallway_text) — small helpers over a raw SQLite
 * connection (lib/fts.c's in-memory index): prepare-and-bind by a type
 * string, and a column's text. Every value is bound, never formatted into
 * SQL. Plugin data goes through the storage API (<hallway/store.h>,
 * helpers in <hallway/stmt.h>).
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
/* Column text as a borrowed "" when NULL. */
const char *hw_db_text(sqlite3_stmt *st, int col);

#endif
