/*
 * EuroPython's site "days" JSON (from their pretalx -> programapi
 * pipeline): one file per day, {events: [...], rooms: [...]}. Sessions
 * carry code, title, start (with offset), duration (minutes), rooms[],
 * session_type, level, track, tweet and speakers[]; breaks only title,
 * start, duration and rooms[]. A conference is several such files, read
 * as one bundle (sched_bundle.h), each part loaded into the same schedule.
 */
#include <stdio.h>
#include <string.h>

#include "sched_json.h"
#include "sched_links.h"
#include "sched_load.h"

#define EP_BUF 64
#define EP_ROOMS 256

/* rooms[] joined with ", " (as PyCon's comma-joined rooms). */
static int set_rooms(struct sched_talk *t, const json_t *rooms)
{
	char buf[EP_ROOMS];
	size_t i, o = 0;
	json_t *r;

	buf[0] = 0;
	json_array_foreach(rooms, i, r) {
		int n;
		if (!json_is_string(r) || !json_string_length(r))
			continue;
		n = snprintf(buf + o, sizeof(buf) - o, "%s%s", o ? ", " : "", json_string_value(r));
		if (n < 0 || (size_t)n >= sizeof(buf) - o)
			break; /* keep the rooms that fit whole */
		o += (size_t)n;
	}
	buf[o] = 0;
	return sched_model_set(&t->room, buf);
}

static int add_speakers(struct sched_talk *t, const json_t *speakers)
{
	size_t i;
	json_t *sp;

	json_array_foreach(speakers, i, sp) {
		char buf[EP_BUF];
		const char *name = json_is_object(sp) ? sched_json_get(sp, "name", buf, sizeof(buf))
						      : sched_json_text(sp, buf, sizeof(buf));
		if (name && sched_model_strv_add(&t->speakers, &t->nspeakers, name))
			return SCHED_ERR_NOMEM;
	}
	return SCHED_OK;
}

static int load_event(const json_t *ev, struct sched *s, struct sched_hint *h)
{
	char buf[EP_BUF];
	const char *code, *etype;
	struct sched_talk *t;
	long long dur;

	if (!json_is_object(ev))
		return SCHED_OK;
	t = sched_model_add(s);
	if (!t)
		return SCHED_ERR_NOMEM;
	if (sched_load_instant(sched_json_get(ev, "start", NULL, 0), s, h, &t->start)) {
		sched_model_drop_last(s); /* no usable time: skip the event */
		return SCHED_OK;
	}
	dur = sched_json_int(ev, "duration", 0);
	t->end = t->start + (dur > 0 && dur < 100000 ? dur * 60 : 0);
	etype = sched_json_get(ev, "event_type", NULL, 0);
	if (sched_model_set(&t->title, sched_json_get(ev, "title", buf, sizeof(buf))) ||
	    sched_model_set(&t->type, sched_json_get(ev, "session_type", NULL, 0)) ||
	    sched_model_set(&t->level, sched_json_get(ev, "level", NULL, 0)) ||
	    sched_model_set(&t->track, sched_json_get(ev, "track", NULL, 0)) ||
	    sched_model_set(&t->abstract, sched_json_get(ev, "tweet", NULL, 0)) ||
	    sched_model_set(&t->url, sched_json_get(ev, "website_url", NULL, 0)) ||
	    set_rooms(t, json_object_get(ev, "rooms")) ||
	    add_speakers(t, json_object_get(ev, "speakers")) || sched_links_json(t, ev))
		return SCHED_ERR_NOMEM;
	/* Breaks have no session_type: "break" says what they are. */
	if (!t->type && sched_model_set(&t->type, etype))
		return SCHED_ERR_NOMEM;
	code = sched_json_get(ev, "code", buf, sizeof(buf));
	return sched_load_id(t, "ep", code ? code : sched_json_get(ev, "title", NULL, 0));
}

int sched_europython_load(const json_t *root, struct sched *s, struct sched_hint *h)
{
	json_t *events = json_object_get(root, "events"), *ev, *room;
	size_t i;
	int ret;

	if (!json_is_array(events)) {
		sched_load_fail(h, "EuroPython days JSON: no events array");
		return SCHED_ERR_FORMAT;
	}
	/* The day's rooms in the site's order (only rooms with talks stay). */
	json_array_foreach(json_object_get(root, "rooms"), i, room)
		if (json_is_string(room) && sched_model_room_add(s, json_string_value(room)))
			return SCHED_ERR_NOMEM;
	json_array_foreach(events, i, ev)
		if ((ret = load_event(ev, s, h)))
			return ret;
	return SCHED_OK;
}
