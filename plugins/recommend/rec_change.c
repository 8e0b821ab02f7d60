/*
 * "schedule.changed": everyone who starred a talk that moved, was
 * cancelled or removed gets a DM, and their snapshot and reminder follow
 * the talk. A cancelled talk that comes back ("added" again) is quietly
 * reinstated in their agendas.
 */
#include <stdio.h>
#include <string.h>

#include "rec_fmt.h"
#include "rec_store.h"
#include "recommend.h"

static void dm_all(struct rec_plugin *p, char **users, size_t n, const char *text)
{
	hw_message msg = {.struct_size = sizeof(msg), .content = text};

	for (size_t i = 0; i < n; i++)
		if (p->api->dm(p->self, users[i], &msg, NULL, NULL) != HW_OK)
			p->api->log(p->self, HW_LOG_WARN, "recommend: cannot DM %s a change",
				    users[i]);
}

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s && *s ? s : NULL;
}

/* kind: 0 moved, 1 cancelled, 2 removed, 3 added */
static void one(struct rec_plugin *p, const json_t *t, int kind)
{
	const char *id = jstr(t, "id"), *title = jstr(t, "title"), *room = jstr(t, "room");
	const char *old_room = jstr(t, "old_room");
	json_t *ns = json_object_get(t, "new_start"), *os = json_object_get(t, "old_start");
	char **users = NULL, text[700], cut[300], now_s[64], was[64];
	size_t n = 0;
	int ret;

	if (!id || rec_store_starrers(p->db, id, &users, &n) || !n) {
		rec_store_strv_free(users, n);
		return;
	}
	rec_fmt_cut(title ? title : id, cut, sizeof(cut));
	if ((kind == 0 || kind == 3) && json_is_integer(ns)) {
		ret = rec_store_move(p->db, id, json_integer_value(ns), room, p->lead_s);
		if (kind == 0) {
			rec_fmt_when(p->tz, json_integer_value(ns), now_s, sizeof(now_s));
			if (json_is_integer(os))
				rec_fmt_when(p->tz, json_integer_value(os), was, sizeof(was));
			else
				snprintf(was, sizeof(was), "?");
			snprintf(text, sizeof(text),
				 "📅 A talk you starred moved: **%s** is now %s (<t:%lld:f>)%s%.100s "
				 "— it was %s%s%.100s.",
				 cut, now_s, (long long)json_integer_value(ns), room ? " in " : "",
				 room ? room : "", was, old_room ? " in " : "",
				 old_room ? old_room : "");
			dm_all(p, users, n, text);
		}
	} else if (kind == 1 || kind == 2) {
		ret = rec_store_cancel(p->db, id, kind == 1 ? "cancelled" : "removed");
		snprintf(text, sizeof(text), "❌ A talk you starred was %s: **%s**. Its reminder is off.",
			 kind == 1 ? "cancelled" : "removed from the schedule", cut);
		dm_all(p, users, n, text);
	} else {
		ret = REC_OK;
	}
	if (ret)
		p->api->log(p->self, HW_LOG_ERROR, "recommend: cannot record a change to %s: %s",
			    id, sqlite3_errmsg(p->db));
	rec_store_strv_free(users, n);
}

void rec_change_apply(struct rec_plugin *p, const json_t *changed)
{
	static const char *const lists[] = {"moved", "cancelled", "removed", "added"};
	const json_t *t;
	size_t i;

	for (int k = 0; k < 4; k++)
		json_array_foreach(json_object_get(changed, lists[k]), i, t)
			one(p, t, k);
	rec_remind_arm(p);
}
