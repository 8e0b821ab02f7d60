/*
 * ospace_screen — open spaces on the lobby screens (ospace_screen.h).
 */
#include "ospace_screen.h"
#include "ospace_event.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <hallway/tz.h>

#include "ospace_job.h"
#include "ospace_query.h"

#define SCREEN_AHEAD_MS (86400 * 1000LL) /* what "later today" shows at most */
#define SCREEN_ROOM_MAX 200

struct ospace_screen {
	json_t *spaces;    /* the active open spaces, in time order; NULL until read */
	int web;           /* the route is registered: push changes */
	int64_t owed;      /* DMs in the outbox at the last unit of work */
	hw_handle timer;   /* the next start or end */
	int64_t timer_at;  /* its time (ms) */
};

/* ---- the copy of the board ---- */

struct read_ctx {
	const ospace *o;
	json_t *arr;
	int failed;
};

/* Sets "start" and "end" (ms) of one open space of the copy from its day
 * and slot in the plugin's zone now. 0, or -1 out of memory (the read
 * keeps only cells the board has). */
static int set_times(const ospace *o, json_t *space)
{
	long day = ospace_board_day(&o->board, json_string_value(json_object_get(space, "day")));
	long slot = ospace_board_slot(
		&o->board, ospace_board_hhmm(json_string_value(json_object_get(space, "slot"))));
	int64_t start;

	if (day < 0 || slot < 0)
		return -1;
	start = ospace_start_in(o, o->tz, (size_t)day, (size_t)slot) * 1000;
	if (json_object_set_new(space, "start", json_integer((json_int_t)start)) ||
	    json_object_set_new(space, "end", json_integer((json_int_t)(
						      start + (int64_t)o->board.slot_minutes * 60000))))
		return -1;
	return 0;
}

/* The instants of the whole copy in the zone the plugin has now: a unit
 * of work reads days and slots, the loop turns them into instants, so a
 * zone learnt later (the schedule's, or a reload's) never leaves the
 * screens and "openspaces.board" in the zone of the first read. */
static void set_all_times(const ospace *o, json_t *spaces)
{
	json_t *v;
	size_t i;
	json_array_foreach(spaces, i, v)
		if (set_times(o, v))
			o->api->log(o->self, HW_LOG_WARN,
				    "openspaces: open space #%lld is left without its times on the "
				    "screens (out of memory)",
				    (long long)json_integer_value(json_object_get(v, "id")));
}

static int add_space(const ospace_session *s, void *ud)
{
	struct read_ctx *c = ud;
	const ospace *o = c->o;
	json_t *j;

	if (ospace_board_day(&o->board, s->day) < 0 ||
	    ospace_board_slot(&o->board, ospace_board_hhmm(s->slot)) < 0)
		return 0; /* a cell the config no longer has: not on the screens */
	/* "start" and "end" are set on the loop (set_all_times). */
	j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I}", "id", (json_int_t)s->id, "topic",
		      s->topic, "room", s->room, "day", s->day, "slot", s->slot, "host",
		      s->host_name, "going", (json_int_t)s->going);
	c->failed = !j || json_array_append_new(c->arr, j);
	return c->failed;
}

int ospace_screen_read(ospace_db *db, const ospace *o, json_t **out)
{
	struct read_ctx c = {o, json_array(), 0};
	int64_t owed = 0;
	int rc;

	if (!c.arr)
		return HW_ERR_NOMEM;
	/* In the query's day and slot order: time order. */
	if (!(rc = ospace_query_all(db, add_space, &c)) && c.failed)
		rc = HW_ERR_NOMEM;
	if (!rc)
		rc = ospace_sql_int(db, &owed, "SELECT count(*) FROM openspaces_outbox", NULL);
	if (!rc && !(*out = json_pack("{s:o, s:I}", "spaces", c.arr, "owed", (json_int_t)owed)))
		rc = HW_ERR_NOMEM;
	if (rc) {
		json_decref(c.arr);
		return rc;
	}
	return HW_OK;
}

static void copy_str(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

void ospace_screen_each(const ospace *o, ospace_screen_fn fn, void *ud)
{
	json_t *v;
	size_t i;

	if (!o->screen || !o->screen->spaces)
		return;
	json_array_foreach(o->screen->spaces, i, v) {
		ospace_session s;
		memset(&s, 0, sizeof(s));
		s.id = json_integer_value(json_object_get(v, "id"));
		copy_str(s.day, sizeof(s.day), json_string_value(json_object_get(v, "day")));
		copy_str(s.slot, sizeof(s.slot), json_string_value(json_object_get(v, "slot")));
		copy_str(s.room, sizeof(s.room), json_string_value(json_object_get(v, "room")));
		copy_str(s.topic, sizeof(s.topic), json_string_value(json_object_get(v, "topic")));
		copy_str(s.host_name, sizeof(s.host_name),
			 json_string_value(json_object_get(v, "host")));
		s.going = json_integer_value(json_object_get(v, "going"));
		if (fn(&s, json_integer_value(json_object_get(v, "start")) / 1000, ud))
			return;
	}
}

/* ---- the answer ---- */

json_t *ospace_screen_answer(const ospace *o, const json_t *spaces, int64_t now_ms,
			     const char *room)
{
	json_t *out = json_pack("{s:s, s:I, s:[], s:[]}", "zone", hw_tz_name(o->tz), "now",
				(json_int_t)now_ms, "rooms", "spaces");
	json_t *rooms = json_object_get(out, "rooms"), *list = json_object_get(out, "spaces"), *s;
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i < o->board.nrooms; i++)
		if (!room || !strcasecmp(room, o->board.rooms[i].name))
			json_array_append_new(rooms, json_string(o->board.rooms[i].name));
	json_array_foreach(spaces, i, s) {
		json_int_t start = json_integer_value(json_object_get(s, "start"));
		json_int_t end = json_integer_value(json_object_get(s, "end"));
		const char *r = json_string_value(json_object_get(s, "room"));
		if (end <= now_ms || start - now_ms > SCREEN_AHEAD_MS)
			continue;
		if (room && (!r || strcasecmp(r, room)))
			continue;
		json_array_append(list, s);
	}
	return out;
}

static json_t *route_screen(hw_plugin *self, const hw_web_request *req, int *status, void *ud)
{
	ospace *o = ud;
	char room[SCREEN_ROOM_MAX];
	int rc = hw_web_query_arg(req->query, "room", room, sizeof(room));
	json_t *out;

	if (rc < 0) {
		*status = 400;
		return NULL;
	}
	if (!o->screen || !o->screen->spaces) {
		*status = 503;
		return json_pack("{s:s}", "error", "the board could not be read");
	}
	out = ospace_screen_answer(o, o->screen->spaces, o->api->now_ms(self), rc ? NULL : room);
	if (!out)
		*status = 500;
	return out;
}

/* ---- pushes ---- */

static void push(ospace *o, const char *why)
{
	json_t *d = json_pack("{s:s}", "why", why);
	if (!d || o->api->web_push(o->self, "screen", d))
		o->api->log(o->self, HW_LOG_WARN, "openspaces: the screens were not told (%s)", why);
	json_decref(d);
}

static void on_timer(hw_plugin *self, hw_handle h, void *ud);

/* Arms the timer for the next start or end of an open space. */
static void arm(ospace *o)
{
	struct ospace_screen *w = o->screen;
	int64_t now = o->api->now_ms(o->self), next = 0;
	json_t *s;
	size_t i;

	json_array_foreach(w->spaces, i, s) {
		const char *keys[] = {"start", "end"};
		for (size_t k = 0; k < 2; k++) {
			int64_t at = json_integer_value(json_object_get(s, keys[k]));
			if (at > now && (!next || at < next))
				next = at;
		}
	}
	if (w->timer && next == w->timer_at)
		return;
	if (w->timer)
		o->api->cancel(o->self, w->timer);
	w->timer = 0;
	w->timer_at = next;
	if (next)
		w->timer = o->api->timer_add(o->self, next - now, 0, on_timer, o);
}

static void on_timer(hw_plugin *self, hw_handle h, void *ud)
{
	ospace *o = ud;
	(void)self;
	(void)h;
	o->screen->timer = 0;
	push(o, "slot");
	arm(o);
}

void ospace_screen_install(ospace *o, json_t *copy, const char *why)
{
	if (!o->screen) {
		json_decref(copy);
		return;
	}
	if (copy) {
		json_decref(o->screen->spaces);
		o->screen->spaces = json_incref(json_object_get(copy, "spaces"));
		set_all_times(o, o->screen->spaces);
		o->screen->owed = json_integer_value(json_object_get(copy, "owed"));
		json_decref(copy);
	}
	arm(o);
	if (why && o->screen->web)
		push(o, why);
	if (copy)
		ospace_event_publish(o); /* other plugins learn the board as committed */
}

void ospace_screen_rezone(ospace *o)
{
	if (!ospace_screen_ready(o))
		return; /* the first read sets the times in the new zone */
	set_all_times(o, o->screen->spaces);
	arm(o);
	if (o->screen->web)
		push(o, "zone");
	ospace_event_publish(o);
}

int ospace_screen_ready(const ospace *o)
{
	return o->screen && o->screen->spaces;
}

int64_t ospace_screen_owed(const ospace *o)
{
	return o->screen ? o->screen->owed : 0;
}

/* The first read, at start. */
static int first_read_body(ospace_job *j)
{
	j->screen = "loaded";
	return HW_OK; /* the copy is read by the job itself (ospace_job.c) */
}

/* ---- lifecycle ---- */

int ospace_screen_init(ospace *o)
{
	const hw_api *api = o->api;
	struct ospace_screen *w;
	int rc;

	if (!(w = calloc(1, sizeof(*w))))
		return HW_ERR_NOMEM;
	o->screen = w;
	if (HW_API_HAS(api, web_panel) && api->web_route && api->web_push) {
		rc = api->web_route(o->self, "GET", "screen", HW_WEB_PUBLIC, route_screen, o);
		if (rc && rc != HW_ERR_UNSUPPORTED) /* unsupported: no web server */
			return rc;
		w->web = !rc;
	}
	/* The database may be away at start (PostgreSQL restarting): the
	 * plugin loads all the same, and the next unit of work reads the copy. */
	if (ospace_job_run(o, first_read_body, NULL, NULL, NULL))
		api->log(o->self, HW_LOG_WARN,
			 "openspaces: the board is not read yet (the database is unavailable)");
	return HW_OK;
}

void ospace_screen_free(ospace *o)
{
	struct ospace_screen *w = o->screen;

	if (!w)
		return;
	if (w->timer)
		o->api->cancel(o->self, w->timer);
	json_decref(w->spaces);
	free(w);
	o->screen = NULL;
}
