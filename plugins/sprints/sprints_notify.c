/*
 * sprints_notify — outbox of DMs. See sprints_notify.h.
 */
#include "sprints_notify.h"

#include <stdlib.h>
#include <string.h>

#include <hallway/db.h>

#define SPRINTS_NOTIFY_BATCH 50
#define SPRINTS_NOTIFY_RETRY_MS 60000

/* One DM in flight; owned by the send callback. */
typedef struct sprints_notice {
	sprints *s;
	int64_t id;
} sprints_notice;

static void sprints_notify_sent(hw_plugin *self, int status, const char *message_id,
				const char *error, void *ud)
{
	sprints_notice *n = ud;
	sprints *s = n->s;
	if (message_id)
		hw_db_exec(s->db, "DELETE FROM sprints_outbox WHERE id = ?", "i", n->id);
	else if (status >= 400 && status < 500 && status != 429) {
		/* Final: e.g. 403 code 50007, the attendee does not accept DMs.
		 * Retrying every minute for the rest of the week helps nobody;
		 * the promotion itself is committed and shows in `sprint mine`. */
		s->api->log(s->self, HW_LOG_WARN, "sprints: DM failed for good (%d %s); not retrying",
			    status, error ? error : "");
		hw_db_exec(s->db, "DELETE FROM sprints_outbox WHERE id = ?", "i", n->id);
	} else {
		s->api->log(s->self, HW_LOG_WARN, "sprints: DM failed (%d %s); will retry", status,
			    error ? error : "");
		hw_db_exec(s->db, "UPDATE sprints_outbox SET attempt_ms = NULL WHERE id = ?", "i",
				n->id);
	}
	free(n);
}

void sprints_notify_flush(sprints *s)
{
	sqlite3_stmt *st = NULL;
	int64_t ids[SPRINTS_NOTIFY_BATCH];
	char *users[SPRINTS_NOTIFY_BATCH], *texts[SPRINTS_NOTIFY_BATCH];
	size_t n = 0, i;
	int64_t now = s->api->now_ms(s->self);

	if (hw_db_prepare(s->db, &st,
			       "SELECT id, user_id, text FROM sprints_outbox WHERE attempt_ms IS NULL"
			       " ORDER BY id LIMIT 50",
			       NULL))
		return;
	while (n < SPRINTS_NOTIFY_BATCH && sqlite3_step(st) == SQLITE_ROW) {
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
		sprints_notice *notice = malloc(sizeof(*notice));
		hw_message msg;
		memset(&msg, 0, sizeof(msg));
		msg.struct_size = sizeof(msg);
		msg.content = texts[i];
		if (notice && !hw_db_exec(s->db,
					       "UPDATE sprints_outbox SET attempt_ms = ? WHERE id = ?",
					       "ii", now, ids[i])) {
			notice->s = s;
			notice->id = ids[i];
			if (s->api->dm(s->self, users[i], &msg, sprints_notify_sent, notice)) {
				hw_db_exec(s->db,
						"UPDATE sprints_outbox SET attempt_ms = NULL WHERE id = ?",
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

static void sprints_notify_timer(hw_plugin *self, hw_handle timer, void *ud)
{
	sprints *s = ud;
	/* A DM whose callback never came back within the retry period is
	 * considered lost and tried again. */
	hw_db_exec(s->db, "UPDATE sprints_outbox SET attempt_ms = NULL WHERE attempt_ms < ?", "i",
			s->api->now_ms(self) - SPRINTS_NOTIFY_RETRY_MS);
	sprints_notify_flush(s);
}

int sprints_notify_start(sprints *s)
{
	int rc = hw_db_exec(s->db, "UPDATE sprints_outbox SET attempt_ms = NULL", NULL);
	if (rc)
		return rc;
	sprints_notify_flush(s);
	s->notify_timer = s->api->timer_add(s->self, SPRINTS_NOTIFY_RETRY_MS, SPRINTS_NOTIFY_RETRY_MS,
			  sprints_notify_timer, s);
	return HW_OK;
}
