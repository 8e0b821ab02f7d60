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
 * The body may run on a storage thread (PostgreSQL) or inline (SQLite); it
 * may call only the db_* statement functions below, never any other API
 * function, and must not touch state the loop thread changes. done() runs
 * on the loop thread afterwards with the outcome (HW_OK once committed):
 * reply to the user there. HW_ERR_UNAVAILABLE means the database is not
 * reachable now; nothing was written.
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
