/*
 * rec_watch — the talks a user has watched, and the watch list
 * (rec_watch.h). Ticks are units of work (db_run).
 */
#include "rec_watch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/events.h>
#include <hallway/reply.h>
#include <hallway/stmt.h>
#include <hallway/tz.h>

#define WATCH_TITLE_MAX 200

/* One tick (or untick) as a unit of work. */
struct watch_job {
	char *user, *talk;
	int watched;
	int64_t at;
};

static void watch_free(void *job)
{
	struct watch_job *j = job;
	free(j->user);
	free(j->talk);
	free(j);
}

static int watch_body(void *ctx, hw_tx *tx, void *job)
{
	struct rec_plugin *p = ctx;
	struct watch_job *j = job;
	if (j->watched)
		return hw_sql_exec(p->api, tx,
				   "INSERT INTO recommend_watched(user_id, talk_id, watched_at)"
				   " VALUES (?, ?, ?) ON CONFLICT(user_id, talk_id) DO NOTHING",
				   "tti", j->user, j->talk, j->at);
	return hw_sql_exec(p->api, tx,
			   "DELETE FROM recommend_watched WHERE user_id = ? AND talk_id = ?", "tt",
			   j->user, j->talk);
}

static void watch_done(void *ctx, int status, void *job)
{
	struct rec_plugin *p = ctx;
	struct watch_job *j = job;
	if (status != HW_OK)
		p->api->log(p->self, HW_LOG_ERROR, "recommend: cannot keep a watched talk (%d)",
			    status);
	watch_free(j);
}

void rec_watch_on_event(hw_plugin *self, const char *type, json_t *data, void *ud)
{
	struct rec_plugin *p = ud;
	const char *user = json_string_value(json_object_get(data, "user_id"));
	const char *talk = json_string_value(json_object_get(data, "talk_id"));
	struct watch_job *j;

	if (!hw_event_check(p->api, self, type, data, HW_TALK_WATCHED_VERSION))
		return;
	if (!user || !*user || !talk || !*talk) {
		p->api->log(self, HW_LOG_WARN, "recommend: talk.watched without user_id or talk_id");
		return;
	}
	if (!(j = calloc(1, sizeof(*j))) || !(j->user = strdup(user)) || !(j->talk = strdup(talk))) {
		if (j)
			watch_free(j);
		p->api->log(self, HW_LOG_ERROR, "recommend: out of memory keeping a watched talk");
		return;
	}
	j->watched = json_is_true(json_object_get(data, "watched"));
	j->at = rec_now(p);
	hw_units_run(p->units, watch_body, watch_done, watch_free, j);
}

int rec_watch_mark(const hw_api *api, hw_tx *tx, const char *user, const struct rec_star *s,
		   size_t n, unsigned char *watched)
{
	hw_stmt *st = hw_sql(api, tx, "SELECT talk_id FROM recommend_watched WHERE user_id = ?",
			     "t", user);
	int rc = HW_ERR_STORAGE;

	memset(watched, 0, n);
	while (st && (rc = api->db_step(st)) == HW_ROW) {
		const char *id = api->db_col_text(st, 0);
		for (size_t i = 0; id && i < n; i++)
			if (!strcmp(s[i].talk_id, id))
				watched[i] = 1;
	}
	return rc == HW_DONE ? HW_OK : rc < 0 ? rc : HW_ERR_STORAGE;
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
