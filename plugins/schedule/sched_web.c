/*
 * The schedule's web side (see sched_web.h). The screen route is public and
 * read-only; the page asks again when a push on topic "schedule.screen"
 * says something changed: a new release, or a talk starting or ending (a
 * timer at the next such instant).
 */
#include "sched_web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <hallway/civil.h>
#include <hallway/events.h>
#include <hallway/plugin.h>
#include <hallway/tz.h>

#include "sched_plugin.h"

#define DAY_S 86400
#define MARKS_MAX 2000
#define CHANGES_KEPT 20

struct sched_web {
	struct sched_plugin *p;
	json_t *marks;            /* talk id -> {"status", "old_room", "old_start"} */
	json_t *changes;          /* the last changes, newest first, for the panel */
	int64_t loaded_ms;        /* the last schedule.loaded (conference clock) */
	int64_t changed_ms;       /* the last schedule.changed */
	hw_handle slot_timer;
	int64_t slot_at_ms;
};

/* ---- the screen's data ---- */

static json_t *talk_json(const struct sched_talk *t, const json_t *marks)
{
	json_t *speakers = json_array(), *j, *mark;
	for (size_t i = 0; i < t->nspeakers && speakers; i++)
		json_array_append_new(speakers, json_string(t->speakers[i]));
	j = json_pack("{s:s,s:s,s:I,s:I,s:s?,s:s?,s:o*}", "id", t->id, "title", t->title, "start",
		      (json_int_t)t->start * 1000, "end", (json_int_t)t->end * 1000, "room", t->room,
		      "track", t->track, "speakers", speakers);
	if (!j)
		return NULL;
	mark = json_object_get(marks, t->id);
	if (t->cancelled)
		json_object_set_new(j, "status", json_string("cancelled"));
	else if (json_is_object(mark))
		json_object_update(j, mark);
	return j;
}

static int same_room(const struct sched_talk *t, const char *room)
{
	return t->room && !strcmp(t->room, room);
}

json_t *sched_web_screen(const struct sched *s, int64_t now_ms, const char *room,
			 const json_t *marks, int *status)
{
	int64_t now = now_ms / 1000;
	json_t *rooms, *out;
	const char *match = NULL;

	if (room) {
		for (size_t r = 0; r < s->nrooms; r++)
			if (!strcasecmp(s->rooms[r], room))
				match = s->rooms[r];
		if (!match) {
			*status = 404;
			return NULL;
		}
	}
	if (!(rooms = json_array()))
		return NULL;
	for (size_t r = 0; r < s->nrooms; r++) {
		const char *name = s->rooms[r];
		const struct sched_talk *cur = NULL, *next = NULL;
		if (match && name != match)
			continue;
		for (size_t i = 0; i < s->ntalks; i++) {
			const struct sched_talk *t = &s->talks[i];
			if (!same_room(t, name))
				continue;
			/* A running talk wins over a cancelled one in its slot. */
			if (t->start <= now && now < t->end && (!cur || cur->cancelled))
				cur = t;
			/* Talks are sorted by start: the first later one, or a
			 * talk that is on at the same time as a cancelled one. */
			if (t->start > now && t->start - now <= DAY_S &&
			    (!next || (next->cancelled && !t->cancelled && t->start == next->start)))
				next = t;
		}
		if (!cur && !next && !match)
			continue; /* nothing today in this room: keep the screen short */
		json_array_append_new(rooms, json_pack("{s:s,s:o*,s:o*}", "room", name, "now",
						       cur ? talk_json(cur, marks) : json_null(),
						       "next", next ? talk_json(next, marks) : json_null()));
	}
	out = json_pack("{s:s?,s:s,s:I,s:o}", "conference", s->name, "zone",
			s->tz_name ? s->tz_name : "UTC", "now", (json_int_t)now_ms, "rooms", rooms);
	if (!out)
		*status = 500;
	return out;
}

static json_t *route_screen(hw_plugin *self, const hw_web_request *req, int *status, void *ud)
{
	struct sched_web *w = ud;
	struct sched_plugin *p = w->p;
	char room[200];
	int rc = hw_web_query_arg(req->query, "room", room, sizeof(room));
	(void)self;
	if (rc < 0) {
		*status = 400;
		return NULL;
	}
	if (!p->cur) {
		*status = 503;
		return json_pack("{s:s}", "error", "no schedule loaded yet");
	}
	return sched_web_screen(p->cur, p->api->now_ms(p->self), rc ? NULL : room, w->marks, status);
}

/* ---- the organizer panel ---- */

/* "2026-11-26 10:20" in the schedule's zone, or "never". */
static void local_time(const struct sched *s, int64_t ms, char *buf, size_t len)
{
	struct hw_civil c;
	if (!ms || !s || !s->tz) {
		snprintf(buf, len, "never");
		return;
	}
	hw_civil_split(hw_tz_to_local(s->tz, ms / 1000), &c);
	snprintf(buf, len, "%04d-%02d-%02d %02d:%02d", c.year, c.mon, c.day, c.hour, c.min);
}

static json_t *route_panel(hw_plugin *self, const hw_web_request *req, int *status, void *ud)
{
	struct sched_web *w = ud;
	struct sched_plugin *p = w->p;
	const struct sched *s = p->cur;
	json_t *items = json_array(), *rows = json_array(), *c;
	char line[300];
	size_t i, cancelled = 0;
	(void)self;
	(void)req;
	(void)status;
	if (!items || !rows) {
		json_decref(items);
		json_decref(rows);
		return NULL;
	}
	for (i = 0; s && i < s->ntalks; i++)
		cancelled += s->talks[i].cancelled != 0;
	if (s)
		snprintf(line, sizeof(line), "%zu talks in %zu rooms (%zu cancelled)%s%s", s->ntalks,
			 s->nrooms, cancelled, s->version ? ", release " : "",
			 s->version ? s->version : "");
	else
		snprintf(line, sizeof(line), "no schedule loaded yet");
	json_array_append_new(items, json_pack("{s:s,s:s,s:s}", "kind", "field", "name", "Programme",
					       "value", line));
	json_array_append_new(items, json_pack("{s:s,s:s,s:s}", "kind", "field", "name", "Source",
					       "value", p->source ? p->source : "(none)"));
	local_time(s, w->loaded_ms, line, sizeof(line));
	json_array_append_new(items, json_pack("{s:s,s:s,s:s}", "kind", "field", "name",
					       "Release loaded", "value", line));
	local_time(s, w->changed_ms, line, sizeof(line));
	json_array_append_new(items, json_pack("{s:s,s:s,s:s}", "kind", "field", "name",
					       "Last change", "value", line));
	json_array_foreach(w->changes, i, c)
		json_array_append(rows, c);
	json_array_append_new(items, json_pack("{s:s,s:s,s:[s,s,s,s],s:o}", "kind", "table", "title",
					       "Last changes", "columns", "Change", "Talk", "Room",
					       "Start", "rows", rows));
	return json_pack("{s:i,s:s,s:s,s:o,s:[{s:s,s:s}]}", "version", 1, "zone",
			 s && s->tz_name ? s->tz_name : "UTC", "text",
			 w->loaded_ms ? "Loaded and checked against the source; the times below "
					"are in the conference's zone."
				      : "Not loaded yet.",
			 "items", items, "actions", "label", "Reload the schedule", "command",
			 "reload schedule");
}

/* ---- pushes ---- */

static void push_screen(struct sched_web *w, const char *why)
{
	json_t *d = json_pack("{s:s}", "why", why);
	w->p->api->web_push(w->p->self, "screen", d);
	json_decref(d);
}

static void slot_timer(hw_plugin *self, hw_handle h, void *ud);

/* Arms the timer for the next start or end of a talk. */
static void arm_slot(struct sched_web *w)
{
	struct sched_plugin *p = w->p;
	int64_t now = p->api->now_ms(p->self), next = 0;
	for (size_t i = 0; p->cur && i < p->cur->ntalks; i++) {
		int64_t a = p->cur->talks[i].start * 1000, b = p->cur->talks[i].end * 1000;
		if (a > now && (!next || a < next))
			next = a;
		if (b > now && (!next || b < next))
			next = b;
	}
	if (w->slot_timer && next == w->slot_at_ms)
		return;
	if (w->slot_timer)
		p->api->cancel(p->self, w->slot_timer);
	w->slot_timer = 0;
	w->slot_at_ms = next;
	if (next)
		w->slot_timer = p->api->timer_add(p->self, next - now, 0, slot_timer, w);
}

static void slot_timer(hw_plugin *self, hw_handle h, void *ud)
{
	struct sched_web *w = ud;
	(void)self;
	(void)h;
	w->slot_timer = 0;
	push_screen(w, "slot");
	arm_slot(w);
}

static void on_loaded(hw_plugin *self, const char *type, json_t *data, void *ud)
{
	struct sched_web *w = ud;
	if (!hw_event_check(w->p->api, self, type, data, HW_SCHEDULE_LOADED_VERSION))
		return;
	w->loaded_ms = w->p->api->now_ms(self);
	arm_slot(w);
	push_screen(w, "loaded");
}

static void add_change(struct sched_web *w, const char *kind, json_t *t)
{
	const char *title = json_string_value(json_object_get(t, "title"));
	const char *room = json_string_value(json_object_get(t, "room"));
	json_int_t start = json_integer_value(json_object_get(t, "new_start"));
	char when[32] = "";
	if (!start)
		start = json_integer_value(json_object_get(t, "old_start"));
	if (start && w->p->cur && w->p->cur->tz) {
		int64_t local = hw_tz_to_local(w->p->cur->tz, start);
		struct hw_civil c;
		hw_civil_split(local, &c);
		snprintf(when, sizeof(when), "%04d-%02d-%02d %02d:%02d", c.year, c.mon, c.day, c.hour,
			 c.min);
	}
	json_array_insert_new(w->changes, 0,
			      json_pack("[s,s,s,s]", kind, title ? title : "", room ? room : "", when));
	while (json_array_size(w->changes) > CHANGES_KEPT)
		json_array_remove(w->changes, CHANGES_KEPT);
}

static void on_changed(hw_plugin *self, const char *type, json_t *data, void *ud)
{
	struct sched_web *w = ud;
	static const char *const kinds[] = {"added", "moved", "cancelled", "removed"};
	json_t *t;
	size_t i;
	if (!hw_event_check(w->p->api, self, type, data, HW_SCHEDULE_CHANGED_VERSION))
		return;
	w->changed_ms = w->p->api->now_ms(self);
	for (size_t k = 0; k < 4; k++) {
		json_array_foreach(json_object_get(data, kinds[k]), i, t) {
			const char *id = json_string_value(json_object_get(t, "id"));
			add_change(w, kinds[k], t);
			if (!id || json_object_size(w->marks) >= MARKS_MAX)
				continue;
			if (k == 1) {
				json_int_t old = json_integer_value(json_object_get(t, "old_start"));
				json_object_set_new(w->marks, id,
						    json_pack("{s:s,s:O,s:I}", "status", "moved",
							      "old_room",
							      json_object_get(t, "old_room")
								      ? json_object_get(t, "old_room")
								      : json_null(),
							      "old_start", old * 1000));
			} else if (k == 0) {
				json_object_del(w->marks, id); /* back, or new: no mark */
			}
		}
	}
	push_screen(w, "changed");
}

/* ---- lifecycle ---- */

int sched_web_init(struct sched_plugin *p)
{
	const hw_api *api = p->api;
	struct sched_web *w;
	int ret;
	if (!HW_API_HAS(api, web_panel) || !api->web_route)
		return HW_OK; /* an older host: no web side */
	if (!(w = calloc(1, sizeof(*w))) || !(w->marks = json_object()) ||
	    !(w->changes = json_array())) {
		if (w)
			json_decref(w->marks);
		free(w);
		return HW_ERR_NOMEM;
	}
	w->p = p;
	p->web = w;
	ret = api->web_route(p->self, "GET", "screen", HW_WEB_PUBLIC, route_screen, w);
	if (ret == HW_ERR_UNSUPPORTED)
		return HW_OK; /* a host without a web server: no web side */
	if (ret || (ret = api->web_route(p->self, "GET", "panel", HW_WEB_ORGANIZER, route_panel, w)) ||
	    (ret = api->web_panel(p->self, "Schedule", "panel")) ||
	    (ret = api->subscribe(p->self, HW_EVENT_SCHEDULE_LOADED, on_loaded, w)) ||
	    (ret = api->subscribe(p->self, HW_EVENT_SCHEDULE_CHANGED, on_changed, w)))
		return ret; /* the host sweeps what was registered; p->web is freed */
	return HW_OK;
}

void sched_web_free(struct sched_web *w)
{
	if (!w)
		return;
	json_decref(w->marks);
	json_decref(w->changes);
	free(w);
}
