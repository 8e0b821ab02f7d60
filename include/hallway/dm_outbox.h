/*
 * A durable outbox of DMs for plugins (lib/dm_outbox.c, in hallway_text),
 * on the storage API (db_run, either engine): the DMs owed after a change
 * are inserted into the plugin's own outbox table inside the change's
 * transaction, sent after the commit, and deleted once Discord accepted
 * them; a crash between commit and DM means a late DM, never a lost one. A
 * DM refused for good (4xx other than 429, e.g. the user does not accept
 * DMs) is dropped with a log line; anything else is tried again after
 * retry_ms.
 *
 * The table (the plugin's own, "<plugin>_outbox") has at least:
 *   id (the row id the database hands out), user_id TEXT NOT NULL,
 *   text TEXT NOT NULL,
 *   attempt_ms BIGINT  -- NULL: waiting; else: claimed (in flight) since then
 *
 * A row whose user_id is "#" and a channel id ("#1234...") is a post to
 * that channel, with the same durability (openspaces announces meetups so).
 *
 * Two daemons on one PostgreSQL database (issue 18): rows are claimed with
 * FOR UPDATE SKIP LOCKED (on SQLite the one writer's transaction is the
 * claim), and every claim and result is a unit of work, which the host
 * fences with the lease epoch (hw.fence): a daemon that is not the current
 * lease holder writes nothing, so it claims nothing and sends nothing.
 * Every send carries a nonce computed from the row (table, id, user,
 * text), the same on every daemon: when the new active one sends again
 * what the old one had claimed (at HW_EVENT_LEASE_ACTIVE), Discord keeps
 * one message.
 */
#ifndef HALLWAY_DM_OUTBOX_H
#define HALLWAY_DM_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include <hallway/plugin.h>

typedef struct hw_dm_outbox hw_dm_outbox;

#define HW_DM_OUTBOX_CHANNEL '#' /* user_id "#<channel id>": a channel post */
#define HW_DM_OUTBOX_NONCE_MAX 24 /* a row's nonce, with its NUL */

/* At load: everything claimed before is released (nothing is in flight
 * any more), the waiting DMs are sent, the retry timer starts, and the
 * outbox listens for HW_EVENT_LEASE_ACTIVE. All of it happens in units of
 * work after this returns (a standby's are refused, harmlessly). table
 * must be [a-z0-9_]+. *out is a new outbox (hw_dm_outbox_stop frees it).
 * Returns HW_OK or an error. */
int hw_dm_outbox_start(hw_plugin *self, const hw_api *api, const char *table,
		       int64_t retry_ms, hw_dm_outbox **out);
/* Sends the waiting DMs (after a commit that queued some). */
void hw_dm_outbox_flush(hw_dm_outbox *o);
/* At shutdown: stops the timer and lets o go (NULL is fine); units of
 * work still queued free it when their done() comes. */
void hw_dm_outbox_stop(hw_dm_outbox *o);

/* The nonce of a row (into out, HW_DM_OUTBOX_NONCE_MAX bytes): a hash of
 * the table, the row id, the user and the text. */
void hw_dm_outbox_nonce(const char *table, int64_t id, const char *user_id, const char *text,
			char *out);

#endif
