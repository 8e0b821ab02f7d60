/*
 * A durable outbox of DMs for plugins (lib/dm_outbox.c, in hallway_text):
 * the DMs owed after a change are inserted into the plugin's own outbox
 * table inside the change's transaction, sent after the commit, and deleted
 * once Discord accepted them; a crash between commit and DM means a late
 * DM, never a lost one. A DM refused for good (4xx other than 429, e.g. the
 * user does not accept DMs) is dropped with a log line; anything else is
 * tried again after retry_ms.
 *
 * The table (the plugin's own, "<plugin>_outbox") has at least:
 *   id INTEGER PRIMARY KEY, user_id TEXT NOT NULL, text TEXT NOT NULL,
 *   attempt_ms INTEGER  -- NULL: waiting; else: in flight since then
 *
 * A row whose user_id is "#" and a channel id ("#1234...") is a post to
 * that channel, with the same durability (openspaces announces meetups so).
 */
#ifndef HALLWAY_DM_OUTBOX_H
#define HALLWAY_DM_OUTBOX_H

#include <stdint.h>

#include <sqlite3.h>

#include <hallway/plugin.h>

typedef struct hw_dm_outbox hw_dm_outbox;

#define HW_DM_OUTBOX_CHANNEL '#' /* user_id "#<channel id>": a channel post */

/* At load: nothing is in flight any more; sends everything waiting and
 * starts the retry timer. table must be [a-z0-9_]+. *out is a new outbox
 * (hw_dm_outbox_stop frees it). Returns HW_OK or an error. */
int hw_dm_outbox_start(hw_plugin *self, const hw_api *api, sqlite3 *db, const char *table,
		       int64_t retry_ms, hw_dm_outbox **out);
/* Sends the waiting DMs (after a commit that queued some). */
void hw_dm_outbox_flush(hw_dm_outbox *o);
/* At shutdown: stops the timer and frees o (NULL is fine). Send callbacks
 * never come after the plugin's shutdown has begun. */
void hw_dm_outbox_stop(hw_dm_outbox *o);

#endif
