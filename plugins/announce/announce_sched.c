/*
 * What the schedule plugin tells us. "schedule.loaded" (every talk) keeps
 * one "starting soon" item per talk, keyed by talk, start and room so that
 * a refresh or a restart never adds it twice; a talk that moves gets a new
 * item and its old pending one is skipped ("talk moved to ..."); cancelled
 * and removed talks have theirs skipped. "schedule.changed" becomes one
 * alert in changes_channel.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "announce.h"
#include "announce_store.h"
#include "announce_time.h"
#include <hallway/events.h>
#include <hallway/tz.h>

#define KEY_MAX 300

/* A bounded text: appends stop (and `dropped` counts) once it is full. */
struct text {
	char buf[ANNOUNCE_TEXT_MAX + 1];
	size_t n;
};

static int text_add(struct text *t, const char *s)
{
	size_t len = strlen(s);
	if (t->n + len > ANNOUNCE_TEXT_MAX - 40) /* room for "...and N more" */
		return -1;
	memcpy(t->buf + t->n, s, len + 1);
	t->n += len;
	return 0;
}

/* Adopts the schedule's zone unless the config names one. */
static void adopt_zone(struct announce *a, const char *name)
{
	struct hw_tz *tz = NULL;
	char *copy;
	if (a->tz_config || !name || !*name ||
	    (a->tz_schedule && !strcmp(a->tz_schedule, name)))
		return;
	if (hw_tz_load(NULL, name, &tz)) {
		a->api->log(a->self, HW_LOG_WARN, "announce: unknown schedule time zone \"%s\"",
			    name);
		return;
	}
	if (!(copy = strdup(name))) {
		hw_tz_free(tz);
		return;
	}
	hw_tz_free(a->tz);
	a->tz = tz;
	free(a->tz_schedule);
	a->tz_schedule = copy;
}

/* The "starting soon" text for one talk. */
static void soon_text(struct announce *a, json_t *t, int64_t start_ms, struct text *out)
{
	const char *title = json_string_value(json_object_get(t, "title"));
	const char *room = json_string_value(json_object_get(t, "room"));
	json_t *speakers = json_object_get(t, "speakers");
	char line[700], hhmm[16];
	long mins = (long)(a->remind_ms / 60000);
	size_t i;
	json_t *s;

	announce_time_hhmm(announce_tz(a), start_ms, hhmm, sizeof(hhmm));
	snprintf(line, sizeof(line), "Starting in %ld minute%s: \"%.300s\"%s%.120s at %s", mins,
		 mins == 1 ? "" : "s", title ? title : "?", room ? " in " : "", room ? room : "",
		 hhmm);
	text_add(out, line);
	json_array_foreach(speakers, i, s) {
		const char *name = json_string_value(s);
		if (!name)
			continue;
		snprintf(line, sizeof(line), "%s%.100s", i ? ", " : ", with ", name);
		if (text_add(out, line))
			break;
	}
	text_add(out, ".");
}

static int soon_one(struct announce *a, json_t *t, int64_t now)
{
	const char *id = json_string_value(json_object_get(t, "id"));
	const char *room = json_string_value(json_object_get(t, "room"));
	json_t *start = json_object_get(t, "start");
	sqlite3 *db = a->api->db(a->self);
	char key[KEY_MAX], reason[200], when[64];
	const char *room_ch;
	int64_t start_ms, due, item = 0;
	struct text text = {{0}, 0};
	struct announce_new n = {0};
	int rc;

	if (!id || !json_is_integer(start))
		return HW_OK;
	if (json_is_true(json_object_get(t, "cancelled")))
		return announce_store_skip_talk(db, id, NULL, "talk cancelled", NULL);
	start_ms = (int64_t)json_integer_value(start) * 1000;
	snprintf(key, sizeof(key), "%.120s@%lld@%.160s", id, (long long)start_ms / 1000,
		 room ? room : "");
	announce_time_format(announce_tz(a), start_ms, when, sizeof(when));
	snprintf(reason, sizeof(reason), "talk moved to %s%s%.60s", when, room ? " in " : "",
		 room ? room : "");
	if ((rc = announce_store_skip_talk(db, id, key, reason, NULL)))
		return rc;
	due = start_ms - a->remind_ms;
	/* Talks already past when we first see them get no item; ones due
	 * during a downtime were added before it and meet the catch-up
	 * window in the dispatcher. */
	if (due < now - a->catchup_ms)
		return HW_OK;
	room_ch = announce_room_channel(a, room);
	if (!room_ch && !a->nchannels)
		return HW_OK;
	soon_text(a, t, start_ms, &text);
	n.kind = ANNOUNCE_KIND_SOON;
	n.text = text.buf;
	n.due_ms = due;
	n.created_by = "schedule";
	n.created_ms = now;
	n.talk_id = id;
	n.talk_key = key;
	n.mentions = 0; /* schedule text never pings */
	n.channels = room_ch ? &room_ch : (const char *const *)a->channels;
	n.nchannels = room_ch ? 1 : a->nchannels;
	return announce_store_add(db, &n, &item);
}

void announce_sched_on_loaded(hw_plugin *self, const char *type, json_t *data, void *ud)
{
	struct announce *a = ud;
	sqlite3 *db = a->api->db(self);
	json_t *talks = json_object_get(data, "talks"), *t;
	int64_t now = a->api->now_ms(self);
	char **ids = NULL;
	size_t nids = 0, i;
	int rc = HW_OK;

	if (!hw_event_check(a->api, self, type, data, HW_SCHEDULE_LOADED_VERSION))
		return;
	adopt_zone(a, json_string_value(json_object_get(data, "timezone")));
	announce_rooms_check(a, talks);
	if (a->remind_ms <= 0 || !json_is_array(talks))
		return;
	if (announce_store_begin(db)) {
		rc = HW_ERR_STORAGE;
		goto out;
	}
	json_array_foreach(talks, i, t) {
		if ((rc = soon_one(a, t, now)))
			break;
	}
	/* Talks gone from the schedule: their pending posts are skipped. */
	if (rc == HW_OK && (rc = announce_store_soon_talks(db, &ids, &nids)) == HW_OK) {
		for (size_t k = 0; k < nids && rc == HW_OK; k++) {
			int found = 0;
			json_array_foreach(talks, i, t) {
				const char *id = json_string_value(json_object_get(t, "id"));
				if (id && !strcmp(id, ids[k])) {
					found = 1;
					break;
				}
			}
			if (!found)
				rc = announce_store_skip_talk(db, ids[k], NULL,
							      "talk removed from the schedule",
							      NULL);
		}
		announce_store_strings_free(ids, nids);
	}
	if (rc == HW_OK)
		rc = announce_store_commit(db);
out:
	if (rc != HW_OK) {
		announce_store_rollback(db);
		a->api->log(self, HW_LOG_ERROR,
			    "announce: cannot update the starting-soon posts: %s (%d)",
			    sqlite3_errmsg(db), rc);
		return;
	}
	announce_send_rearm(a);
}

static void change_line(struct announce *a, const char *what, json_t *e, struct text *out,
			size_t *dropped)
{
	const char *title = json_string_value(json_object_get(e, "title"));
	const char *room = json_string_value(json_object_get(e, "room"));
	const char *old_room = json_string_value(json_object_get(e, "old_room"));
	json_t *os = json_object_get(e, "old_start"), *ns = json_object_get(e, "new_start");
	char line[800], was[64] = "", now[64] = "";

	if (json_is_integer(os))
		announce_time_format(announce_tz(a), (int64_t)json_integer_value(os) * 1000, was,
				     sizeof(was));
	if (json_is_integer(ns))
		announce_time_format(announce_tz(a), (int64_t)json_integer_value(ns) * 1000, now,
				     sizeof(now));
	if (!strcmp(what, "moved"))
		snprintf(line, sizeof(line), "\n- Moved: \"%.200s\" is now %s%s%.100s (was %s%s%.100s)",
			 title ? title : "?", now, room ? " in " : "", room ? room : "", was,
			 old_room ? " in " : "", old_room ? old_room : "");
	else if (!strcmp(what, "added"))
		snprintf(line, sizeof(line), "\n- New: \"%.200s\", %s%s%.100s", title ? title : "?",
			 now, room ? " in " : "", room ? room : "");
	else if (!strcmp(what, "cancelled"))
		snprintf(line, sizeof(line), "\n- Cancelled: \"%.200s\" (%s%s%.100s)",
			 title ? title : "?", *was ? was : now, room ? " in " : "",
			 room ? room : "");
	else
		snprintf(line, sizeof(line), "\n- Removed from the schedule: \"%.200s\"",
			 title ? title : "?");
	if (*dropped || text_add(out, line))
		(*dropped)++;
}

void announce_sched_on_changed(hw_plugin *self, const char *type, json_t *data, void *ud)
{
	static const char *const kinds[] = {"added", "moved", "cancelled", "removed"};
	struct announce *a = ud;
	struct text text = {{0}, 0};
	struct announce_new n = {0};
	size_t dropped = 0, count = 0, i;
	int64_t item = 0;
	json_t *e;
	char more[64];
	const char *ch = a->changes_channel;

	if (!ch || !hw_event_check(a->api, self, type, data, HW_SCHEDULE_CHANGED_VERSION))
		return;
	text_add(&text, "Schedule change:");
	for (size_t k = 0; k < 4; k++)
		json_array_foreach(json_object_get(data, kinds[k]), i, e) {
			change_line(a, kinds[k], e, &text, &dropped);
			count++;
		}
	if (!count)
		return;
	if (dropped) {
		snprintf(more, sizeof(more), "\n...and %zu more.", dropped);
		memcpy(text.buf + text.n, more, strlen(more) + 1);
	}
	n.kind = ANNOUNCE_KIND_CHANGE;
	n.text = text.buf;
	n.due_ms = a->api->now_ms(self);
	n.created_by = "schedule";
	n.created_ms = n.due_ms;
	n.mentions = 0;
	n.channels = &ch;
	n.nchannels = 1;
	if (announce_store_add(a->api->db(self), &n, &item)) {
		a->api->log(self, HW_LOG_ERROR, "announce: cannot write the change alert: %s",
			    sqlite3_errmsg(a->api->db(self)));
		return;
	}
	announce_send_dispatch(a);
}
