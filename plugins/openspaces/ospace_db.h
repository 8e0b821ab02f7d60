/*
 * ospace_db — one unit of work's view of storage (include/hallway/store.h):
 * the API table and the transaction a db_run body was handed. Every read
 * and write of the plugin takes one, so each runs inside a body on the
 * storage thread, on SQLite or PostgreSQL alike; the body's commit is the
 * one transaction of a change.
 */
#ifndef OSPACE_DB_H
#define OSPACE_DB_H

#include <hallway/plugin.h>
#include <hallway/stmt.h>

typedef struct ospace_db {
	const hw_api *api;
	hw_tx *tx;
} ospace_db;

/* A statement of the unit with its arguments bound (lib/stmt.c's type
 * string), or NULL: the unit has failed then. */
#define ospace_sql(db, ...) hw_sql((db)->api, (db)->tx, __VA_ARGS__)
#define ospace_sql_exec(db, ...) hw_sql_exec((db)->api, (db)->tx, __VA_ARGS__)
#define ospace_sql_int(db, out, ...) hw_sql_int((db)->api, (db)->tx, out, __VA_ARGS__)
/* A text column ("" for NULL) and an integer column of the current row. */
#define ospace_col(db, st, i) hw_sql_col((db)->api, st, i)
#define ospace_col_int(db, st, i) ((db)->api->db_col_int(st, i))
#define ospace_step(db, st) ((db)->api->db_step(st))
/* Rows the last statement changed. */
#define ospace_changes(db) ((db)->api->db_changes((db)->tx))

#endif
