/*
 * Storage behind the plugin API (plugin ABI 1.2): statements and
 * transactions that run on SQLite (the default) or PostgreSQL
 * (`storage.url`). Included by <hallway/plugin.h>.
 *
 * A plugin writes each unit of work as a transaction body:
 *
 *   static int join_body(hw_plugin *self, hw_tx *tx, void *ud)
 *   {
 *       hw_stmt *st = api->db_prepare(tx, "INSERT INTO sprints_member "
 *                                         "(project, user_id) VALUES (?, ?) "
 *                                         "ON CONFLICT DO NOTHING");
 *       ...bind, step...
 *       return HW_OK;           // commit; any error rolls back
 *   }
 *   api->db_run(self, join_body, join_done, job);
 *
 * The body runs on the host's storage thread (on both engines, one unit of
 * work after another in the order of the db_run calls); it may call only
 * the db_* statement functions below, never any other API function, and
 * must not touch state the loop thread changes. done() runs on the loop
 * thread afterwards with the outcome (HW_OK once committed), never inside
 * db_run's caller: reply to the user there. HW_ERR_UNAVAILABLE means the
 * database is not reachable now (or, on PostgreSQL with two daemons, this
 * one is the standby); nothing was written.
 *
 * The first failing prepare or step ends the unit of work: every later
 * statement call fails the same way and it is rolled back, whatever the
 * body returns (PostgreSQL aborts a transaction at its first error; the
 * host makes SQLite do the same). Use ON CONFLICT for expected conflicts.
 * BEGIN/COMMIT/SAVEPOINT and texts with more than one statement are refused
 * in a body (the host owns the transaction).
 *
 * After the plugin is unloaded, done() still comes once per db_run (to free
 * ud): HW_ERR_UNAVAILABLE for a body that never ran. Touch nothing else in
 * it then.
 *
 * SQL: one dialect that both engines run: `?` placeholders, ON CONFLICT,
 * RETURNING, no INSERT OR IGNORE / REPLACE, no AUTOINCREMENT (use
 * api->db_engine() in a migration that must differ). A plugin touches only
 * its own tables, named "<plugin>_*".
 */
#ifndef HALLWAY_STORE_H
#define HALLWAY_STORE_H

#include <stdint.h>

typedef struct hw_plugin hw_plugin;
typedef struct hw_tx hw_tx;       /* one transaction, valid inside its body */
typedef struct hw_stmt hw_stmt;   /* a prepared statement of that transaction */

/* db_step results besides errors (which are < 0). */
#define HW_ROW 100
#define HW_DONE 101

typedef int (*hw_tx_fn)(hw_plugin *self, hw_tx *tx, void *ud);
typedef void (*hw_tx_done_fn)(hw_plugin *self, int status, void *ud);

#endif
