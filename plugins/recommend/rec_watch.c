/*
 * rec_watch — the talks a user has watched, and the watch list
 * (rec_watch.h).
 */
#include "rec_watch.h"

#include <stdio.h>
#include <string.h>

#include <hallway/events.h>
#include <hallway/reply.h>
#include <hallway/tz.h>

#define WATCH_TITLE_MAX 200

static int exec_bound(sqlite3 *db, const char *sql, const char *user, const char *talk_id,
		      int64_t at)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, talk_id, -1, SQLITE_STATIC);
		if (at)
			sqlite3_bind_int64(st, 3, at);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? REC_OK : REC_ERR_STORAGE;
}

void rec_watch_on_event(hw_plugin *self, const char *type, json_t *data, void *ud)
{
	struct rec_plugin *p = ud;
	const char *user = json_string_value(json_object_get(data, "user_id"));
	const char *talk = json_string_value(json_object_get(data, "talk_id"));
	int watched = json_is_true(json_object_get(data, "watched")), ret;

	if (!hw_event_check(p->api, self, type, data, HW_TALK_WATCHED_VERSION))
		return;
	if (!user || !*user || !talk || !*talk) {
		p->api->log(self, HW_LOG_WARN, "recommend: talk.watched without user_id or talk_id");
		return;
	}
	if (watched)
		ret = exec_bound(p->db,
				 "INSERT INTO recommend_watched(user_id, talk_id, watched_at)"
				 " VALUES (?1, ?2, ?3) ON CONFLICT(user_id, talk_id) DO NOTHING",
				 user, talk, rec_now(p));
	else
		ret = exec_bound(p->db,
				 "DELETE FROM recommend_watched WHERE user_id = ?1 AND talk_id = ?2",
				 user, talk, 0);
	if (ret)
		p->api->log(self, HW_LOG_ERROR, "recommend: cannot keep a watched talk: %s",
			    sqlite3_errmsg(p->db));
}

int rec_watch_mark(struct rec_plugin *p, const char *user, const struct rec_star *s, size_t n,
		   unsigned char *watched)
{
	sqlite3_stmt *st = NULL;
	int rc;

	memset(watched, 0, n);
	if (sqlite3_prepare_v2(p->db, "SELECT talk_id FROM recommend_watched WHERE user_id = ?1",
			       -1, &st, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return REC_ERR_STORAGE;
	}
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		for (size_t i = 0; id && i < n; i++)
			if (!strcmp(s[i].talk_id, id))
				watched[i] = 1;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? REC_OK : REC_ERR_STORAGE;
}

int rec_watch_is_after(struct rec_plugin *p, int64_t now)
{
	return p->idx && p->idx->last_end && now > p->idx->last_end;
}

/* One talk of the watch list: its recording, else its page. */
static json_t *item(struct rec_plugin *p, const struct rec_star *s)
{
	const char *rec = rec_index_recording(p->idx, s->talk_id);
	long e = rec_index_find_id(p->idx, s->talk_id, NULL);
	const char *url = e >= 0 ? p->idx->e[e].url : NULL;
	json_t *it = json_pack("{s:s, s:s%, s:I, s:I, s:s}", "kind", "talk", "title", s->title,
			       strnlen(s->title, WATCH_TITLE_MAX), "start",
			       (json_int_t)s->start * 1000, "end",
			       (json_int_t)(s->end > s->start ? s->end : s->start) * 1000, "id",
			       s->talk_id);

	if (!it)
		return NULL;
	if (s->room)
		json_object_set_new(it, "room", json_stringn(s->room, strnlen(s->room, 150)));
	if (rec) {
		json_object_set_new(it, "recording", json_string(rec));
	} else {
		if (url)
			json_object_set_new(it, "url", json_string(url));
		json_object_set_new(it, "note",
				    json_string(url ? "No recording linked yet: its page will have it."
						    : "No recording linked yet."));
	}
	return it;
}

json_t *rec_watch_model(struct rec_plugin *p, const struct rec_star *s, size_t n,
			const unsigned char *watched, size_t page, size_t per_page)
{
	json_t *m = json_pack("{s:i, s:[]}", "version", HW_REPLY_VERSION, "items");
	json_t *items = json_object_get(m, "items");
	size_t left = 0, first = (page - 1) * per_page, k = 0, shown = 0;
	char line[200];

	if (!m)
		return NULL;
	for (size_t i = 0; i < n; i++)
		left += !s[i].cancelled && !watched[i];
	if (!left) {
		snprintf(line, sizeof(line),
			 n ? "Your watch list is empty: every starred talk is ticked off."
			   : "Your watch list is empty: you starred no talk.");
		json_object_set_new(m, "text", json_string(line));
		return m;
	}
	snprintf(line, sizeof(line), "Your watch list (%zu talk%s)", left, left == 1 ? "" : "s");
	json_object_set_new(m, "title", json_string(line));
	json_object_set_new(m, "text",
			    json_string("The talks you starred, to watch now that the conference "
					"is over. Say watched <talk> to tick one off."));
	if (p->tz)
		json_object_set_new(m, "zone", json_string(hw_tz_name(p->tz)));
	for (size_t i = 0; i < n; i++) {
		if (s[i].cancelled || watched[i])
			continue;
		if (k++ < first || shown >= per_page)
			continue;
		json_array_append_new(items, item(p, &s[i]));
		shown++;
	}
	if (first + shown < left) {
		snprintf(line, sizeof(line), "agenda %zu", page + 1);
		json_object_set_new(m, "more", json_pack("{s:I, s:I, s:s}", "shown",
							 (json_int_t)(first + shown), "total",
							 (json_int_t)left, "command", line));
	} else if (!shown) {
		snprintf(line, sizeof(line), "Your watch list has %zu talk%s: there is no page %zu.",
			 left, left == 1 ? "" : "s", page);
		json_object_set_new(m, "text", json_string(line));
		json_object_del(m, "title");
	}
	return m;
}
