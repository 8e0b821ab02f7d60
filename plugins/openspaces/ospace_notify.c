/*
 * ospace_notify — the outbox of DMs. See ospace_notify.h.
 */
#include "ospace_notify.h"

#include <stdlib.h>
#include <string.h>

#include <hallway/db.h>

#define OSPACE_NOTIFY_BATCH 50
#define OSPACE_NOTIFY_RETRY_MS 60000

/* One DM in flight; owned by the send callback. */
typedef struct ospace_notice {
	ospace *o;
	int64_t id;
} ospace_notice;

static void ospace_notify_sent(hw_plugin *self, int status, const char *message_id,
			       const char *error, void *ud)
{
	ospace_notice *n = ud;
	ospace *o = n->o;
	(void)self;
	if (message_id) {
		hw_db_exec(o->db, "DELETE FROM openspaces_outbox WHERE id = ?", "i", n->id);
	} else if (status >= 400 && status < 500 && status != 429) {
		/* Final (e.g. the user does not accept DMs): the change itself is
		 * committed and shows on the board and in `openspace mine`. */
		o->api->log(o->self, HW_LOG_WARN, "openspaces: DM failed for good (%d %s)", status,
			    error ? error : "");
		hw_db_exec(o->db, "DELETE FROM openspaces_outbox WHERE id = ?", "i", n->id);
	} else {
		o->api->log(o->self, HW_LOG_WARN, "openspaces: DM failed (%d %s); will retry", status,
			    error ? error : "");
		hw_db_exec(o->db, "UPDATE openspaces_outbox SET attempt_ms = NULL WHERE id = ?",
			       "i", n->id);
	}
	free(n);
}

void ospace_notify_flush(ospace *o)
{
	sqlite3_stmt *st = NULL;
	int64_t ids[OSPACE_NOTIFY_BATCH];
	char *users[OSPACE_NOTIFY_BATCH], *texts[OSPACE_NOTIFY_BATCH];
	size_t n = 0, i;
	int64_t now = o->api->now_ms(o->self);

	if (hw_db_prepare(o->db, &st,
			      "SELECT id, user_id, text FROM openspaces_outbox WHERE attempt_ms IS NULL"
			      " ORDER BY id LIMIT 50",
			      NULL))
		return;
	while (n < OSPACE_NOTIFY_BATCH && sqlite3_step(st) == SQLITE_ROW) {
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
	for (i = 0; i < n; i++) {
		ospace_notice *notice = malloc(sizeof(*notice));
		hw_message msg;
		memset(&msg, 0, sizeof(msg));
		msg.struct_size = sizeof(msg);
		msg.content = texts[i];
		/* Marked in flight before the send, so a flush from inside a
		 * synchronous callback never sends it twice. */
		if (notice && !hw_db_exec(o->db,
					      "UPDATE openspaces_outbox SET attempt_ms = ? WHERE id = ?",
					      "ii", now, ids[i])) {
			notice->o = o;
			notice->id = ids[i];
			if (o->api->dm(o->self, users[i], &msg, ospace_notify_sent, notice)) {
				hw_db_exec(o->db,
					       "UPDATE openspaces_outbox SET attempt_ms = NULL WHERE id = ?",
					       "i", ids[i]);
				free(notice);
			}
		} else {
			free(notice);
		}
		free(users[i]);
		free(texts[i]);
	}
}

static void ospace_notify_timer(hw_plugin *self, hw_handle timer, void *ud)
{
	ospace *o = ud;
	(void)timer;
	/* A DM whose callback never came back within the retry period is
	 * considered lost and tried again. */
	hw_db_exec(o->db, "UPDATE openspaces_outbox SET attempt_ms = NULL WHERE attempt_ms < ?",
		       "i", o->api->now_ms(self) - OSPACE_NOTIFY_RETRY_MS);
	ospace_notify_flush(o);
}

int ospace_notify_start(ospace *o)
{
	int rc = hw_db_exec(o->db, "UPDATE openspaces_outbox SET attempt_ms = NULL", NULL);
	if (rc)
		return rc;
	ospace_notify_flush(o);
	o->notify_timer = o->api->timer_add(o->self, OSPACE_NOTIFY_RETRY_MS, OSPACE_NOTIFY_RETRY_MS,
					    ospace_notify_timer, o);
	return o->notify_timer ? HW_OK : HW_ERR_NOMEM;
}
