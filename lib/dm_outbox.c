/*
 * The DM outbox (include/hallway/dm_outbox.h). The SQL names the plugin's
 * table, which cannot be a bound parameter: the statements are written
 * once at start from a name checked to be [a-z0-9_]+ (a constant of the
 * plugin, never user text).
 */
#include <hallway/dm_outbox.h>

#include <stdlib.h>
#include <string.h>

#include <hallway/db.h>
#include <hallway/text.h>

#define OUTBOX_BATCH 50

struct hw_dm_outbox {
	hw_plugin *self;
	const hw_api *api;
	sqlite3 *db;
	int64_t retry_ms;
	hw_handle timer;
	char table[64];
	char sql_select[200], sql_claim[160], sql_release[160], sql_delete[128], sql_stale[160],
		sql_reset[128];
};

/* One DM in flight; owned by the send callback. */
struct notice {
	hw_dm_outbox *o;
	int64_t id;
};

static void sent(hw_plugin *self, int status, const char *message_id, const char *error,
		 void *ud)
{
	struct notice *n = ud;
	hw_dm_outbox *o = n->o;
	(void)self;
	if (message_id) {
		hw_db_exec(o->db, o->sql_delete, "i", n->id);
	} else if (status >= 400 && status < 500 && status != 429) {
		/* Final (e.g. 403 code 50007: the user does not accept DMs).
		 * Retrying every minute for the rest of the week helps nobody; the
		 * change itself is committed and shows in the plugin's commands. */
		o->api->log(o->self, HW_LOG_WARN, "%s: DM failed for good (%d %s); not retrying",
			    o->table, status, error ? error : "");
		hw_db_exec(o->db, o->sql_delete, "i", n->id);
	} else {
		o->api->log(o->self, HW_LOG_WARN, "%s: DM failed (%d %s); will retry", o->table,
			    status, error ? error : "");
		hw_db_exec(o->db, o->sql_release, "i", n->id);
	}
	free(n);
}

void hw_dm_outbox_flush(hw_dm_outbox *o)
{
	sqlite3_stmt *st = NULL;
	int64_t ids[OUTBOX_BATCH], now;
	char *users[OUTBOX_BATCH], *texts[OUTBOX_BATCH];
	size_t n = 0;

	if (!o || hw_db_prepare(o->db, &st, o->sql_select, NULL))
		return;
	now = o->api->now_ms(o->self);
	while (n < OUTBOX_BATCH && sqlite3_step(st) == SQLITE_ROW) {
		ids[n] = sqlite3_column_int64(st, 0);
		users[n] = strdup(hw_db_text(st, 1));
		texts[n] = strdup(hw_db_text(st, 2));
		if (!users[n] || !texts[n]) {
			free(users[n]);
			free(texts[n]);
			break;
		}
		n++;
	}
	sqlite3_finalize(st);
	for (size_t i = 0; i < n; i++) {
		struct notice *notice = malloc(sizeof(*notice));
		hw_message msg = {.struct_size = sizeof(msg), .content = texts[i]};
		/* Marked in flight before the send, so a flush from inside a
		 * synchronous callback never sends it twice. */
		if (notice && !hw_db_exec(o->db, o->sql_claim, "ii", now, ids[i])) {
			notice->o = o;
			notice->id = ids[i];
			int rc = users[i][0] == HW_DM_OUTBOX_CHANNEL
					 ? o->api->send(o->self, users[i] + 1, &msg, sent, notice)
					 : o->api->dm(o->self, users[i], &msg, sent, notice);
			if (rc) {
				hw_db_exec(o->db, o->sql_release, "i", ids[i]);
				free(notice);
			}
		} else {
			free(notice);
		}
		free(users[i]);
		free(texts[i]);
	}
}

static void on_timer(hw_plugin *self, hw_handle timer, void *ud)
{
	hw_dm_outbox *o = ud;
	(void)timer;
	/* A DM whose callback never came back within the retry period is
	 * considered lost and tried again. */
	hw_db_exec(o->db, o->sql_stale, "i", o->api->now_ms(self) - o->retry_ms);
	hw_dm_outbox_flush(o);
}

int hw_dm_outbox_start(hw_plugin *self, const hw_api *api, sqlite3 *db, const char *table,
		       int64_t retry_ms, hw_dm_outbox **out)
{
	hw_dm_outbox *o;
	size_t n = table ? strlen(table) : 0;
	int rc;

	if (!n || n >= sizeof(o->table) ||
	    strspn(table, "abcdefghijklmnopqrstuvwxyz0123456789_") != n || retry_ms <= 0)
		return HW_ERR_INVALID;
	if (!(o = calloc(1, sizeof(*o))))
		return HW_ERR_NOMEM;
	o->self = self;
	o->api = api;
	o->db = db;
	o->retry_ms = retry_ms;
	memcpy(o->table, table, n + 1);
	hw_fmt(o->sql_select, sizeof(o->sql_select),
	       "SELECT id, user_id, text FROM %s WHERE attempt_ms IS NULL ORDER BY id LIMIT %d",
	       table, OUTBOX_BATCH);
	hw_fmt(o->sql_claim, sizeof(o->sql_claim), "UPDATE %s SET attempt_ms = ? WHERE id = ?",
	       table);
	hw_fmt(o->sql_release, sizeof(o->sql_release),
	       "UPDATE %s SET attempt_ms = NULL WHERE id = ?", table);
	hw_fmt(o->sql_delete, sizeof(o->sql_delete), "DELETE FROM %s WHERE id = ?", table);
	hw_fmt(o->sql_stale, sizeof(o->sql_stale),
	       "UPDATE %s SET attempt_ms = NULL WHERE attempt_ms < ?", table);
	hw_fmt(o->sql_reset, sizeof(o->sql_reset), "UPDATE %s SET attempt_ms = NULL", table);
	if ((rc = hw_db_exec(db, o->sql_reset, NULL))) {
		free(o);
		return rc;
	}
	hw_dm_outbox_flush(o);
	o->timer = api->timer_add(self, retry_ms, retry_ms, on_timer, o);
	if (!o->timer) {
		free(o);
		return HW_ERR_NOMEM;
	}
	*out = o;
	return HW_OK;
}

void hw_dm_outbox_stop(hw_dm_outbox *o)
{
	if (!o)
		return;
	if (o->timer)
		o->api->cancel(o->self, o->timer);
	free(o);
}
