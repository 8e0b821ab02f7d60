/*
 * ospace_screen — open spaces on the lobby screens (ospace_screen.h).
 */
#include "ospace_screen.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <hallway/tz.h>

#include "ospace_query.h"

#define SCREEN_AHEAD_MS (86400 * 1000LL) /* what "later today" shows at most */
#define SCREEN_ROOM_MAX 200

struct ospace_screen {
	json_t *spaces;    /* the active open spaces, by start then room order */
	hw_handle timer;   /* the next start or end */
	int64_t timer_at;  /* its time (ms) */
};

/* ---- the copy of the board ---- */

static int add_space(const ospace_session *s, void *ud)
{
	ospace *o = ((void **)ud)[0];
	json_t *arr = ((void **)ud)[1], *j;
	long day = ospace_board_day(&o->board, s->day);
	long slot = ospace_board_slot(&o->board, ospace_board_hhmm(s->slot));
	int64_t start;

	if (day < 0 || slot < 0)
		return 0; /* a cell the config no longer has: not on the screens */
	start = ospace_start(o, (size_t)day, (size_t)slot) * 1000;
	j = json_pack("{s:I, s:s, s:s, s:I, s:I, s:s}", "id", (json_int_t)s->id, "topic", s->topic,
		      "room", s->room, "start", (json_int_t)start, "end",
		      (json_int_t)(start + (int64_t)o->board.slot_minutes * 60000), "host",
		      s->host_name);
	return !j || json_array_append_new(arr, j);
}

/* Reads the active open spaces into a new array, in time order (the
 * query's day and slot order), or NULL on failure. */
static json_t *read_board(ospace *o)
{
	json_t *arr = json_array();
	void *ud[2] = {o, arr};

	if (!arr || ospace_query_all(o->db, add_space, ud)) {
		json_decref(arr);
		return NULL;
	}
	return arr;
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

void ospace_screen_changed(ospace *o, const char *why)
{
	json_t *fresh;

	if (!o->screen)
		return;
	if (!(fresh = read_board(o))) {
		/* The old copy stays; the screens still get told, and the next
		 * change reads again. */
		o->api->log(o->self, HW_LOG_WARN, "openspaces: the screens' copy was not read again");
	} else {
		json_decref(o->screen->spaces);
		o->screen->spaces = fresh;
	}
	arm(o);
	push(o, why);
}

/* ---- lifecycle ---- */

int ospace_screen_init(ospace *o)
{
	const hw_api *api = o->api;
	struct ospace_screen *w;
	int rc;

	if (!HW_API_HAS(api, web_panel) || !api->web_route || !api->web_push)
		return HW_OK; /* an older host: no web side */
	if (!(w = calloc(1, sizeof(*w))))
		return HW_ERR_NOMEM;
	o->screen = w;
	rc = api->web_route(o->self, "GET", "screen", HW_WEB_PUBLIC, route_screen, o);
	if (rc == HW_ERR_UNSUPPORTED) {
		ospace_screen_free(o); /* a host without a web server */
		return HW_OK;
	}
	if (rc)
		return rc;
	if (!(w->spaces = read_board(o)))
		api->log(o->self, HW_LOG_WARN, "openspaces: the board could not be read for the screens");
	else
		arm(o);
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
