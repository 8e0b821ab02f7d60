/*
 * "schedule.changed": everyone who starred a talk that moved, was
 * cancelled or removed gets a DM, and their snapshot and reminder follow
 * the talk. A cancelled talk that comes back ("added" again) is quietly
 * reinstated in their agendas. Each talk is one unit of work; the DMs go
 * out after it committed.
 */
#include <stdio.h>
#include <stdlib.h>
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

/* One talk's change as a unit of work: who starred it is read and their
 * snapshots and reminders follow the talk in one transaction; the DMs go
 * out from done(), once that is committed. kind: 0 moved, 1 cancelled,
 * 2 removed, 3 added. */
struct change_job {
	int kind;
	char *id, *room;
	int has_start;
	int64_t start;
	int64_t lead_s;
	char text[700];  /* the DM, worded on the loop before the unit */
	char **users;
	size_t n;
};

static void change_free(void *job)
{
	struct change_job *j = job;
	free(j->id);
	free(j->room);
	rec_store_strv_free(j->users, j->n);
	free(j);
}

static int change_body(void *ctx, hw_tx *tx, void *job)
{
	struct rec_plugin *p = ctx;
	struct change_job *j = job;
	int rc = rec_store_starrers(p->api, tx, j->id, &j->users, &j->n);

	if (rc || !j->n)
		return rc;
	if ((j->kind == 0 || j->kind == 3) && j->has_start)
		return rec_store_move(p->api, tx, j->id, j->start, j->room, j->lead_s);
	if (j->kind == 1 || j->kind == 2)
		return rec_store_cancel(p->api, tx, j->id, j->kind == 1 ? "cancelled" : "removed");
	return HW_OK;
}

static void change_done(void *ctx, int status, void *job)
{
	struct rec_plugin *p = ctx;
	struct change_job *j = job;

	if (status != HW_OK)
		p->api->log(p->self, HW_LOG_ERROR, "recommend: cannot record a change to %s (%d); "
			    "nobody was told", j->id, status);
	else if (j->n && j->text[0])
		dm_all(p, j->users, j->n, j->text);
	change_free(j);
	rec_remind_arm(p);
}

static void one(struct rec_plugin *p, const json_t *t, int kind)
{
	const char *id = jstr(t, "id"), *title = jstr(t, "title"), *room = jstr(t, "room");
	const char *old_room = jstr(t, "old_room");
	json_t *ns = json_object_get(t, "new_start"), *os = json_object_get(t, "old_start");
	char cut[300], now_s[64], was[64];
	struct change_job *j;

	if (!id)
		return;
	if (!(j = calloc(1, sizeof(*j))) || !(j->id = strdup(id)) ||
	    (room && !(j->room = strdup(room)))) {
		if (j)
			change_free(j);
		p->api->log(p->self, HW_LOG_ERROR, "recommend: out of memory for a change to %s", id);
		return;
	}
	j->kind = kind;
	j->has_start = json_is_integer(ns);
	j->start = json_integer_value(ns);
	j->lead_s = p->lead_s;
	rec_fmt_cut(title ? title : id, cut, sizeof(cut));
	if (kind == 0 && j->has_start) {
		rec_fmt_when(p->tz, j->start, now_s, sizeof(now_s));
		if (json_is_integer(os))
			rec_fmt_when(p->tz, json_integer_value(os), was, sizeof(was));
		else
			snprintf(was, sizeof(was), "?");
		snprintf(j->text, sizeof(j->text),
			 "📅 A talk you starred moved: **%s** is now %s (<t:%lld:f>)%s%.100s "
			 "— it was %s%s%.100s.",
			 cut, now_s, (long long)j->start, room ? " in " : "", room ? room : "", was,
			 old_room ? " in " : "", old_room ? old_room : "");
	} else if (kind == 1 || kind == 2) {
		snprintf(j->text, sizeof(j->text),
			 "❌ A talk you starred was %s: **%s**. Its reminder is off.",
			 kind == 1 ? "cancelled" : "removed from the schedule", cut);
	}
	hw_units_run(p->units, change_body, change_done, change_free, j);
}

void rec_change_apply(struct rec_plugin *p, const json_t *changed)
{
	static const char *const lists[] = {"moved", "cancelled", "removed", "added"};
	const json_t *t;
	size_t i;

	for (int k = 0; k < 4; k++)
		json_array_foreach(json_object_get(changed, lists[k]), i, t)
			one(p, t, k);
}
