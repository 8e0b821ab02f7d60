/*
 * PyCon US conference.json ({conference, schedule: [slot...]}) and the
 * legacy symposion bare array. Every slot is one talk; a slot with nested
 * "sessions" (PyCon US 2024's "Posters Session" holds 27 posters) also
 * yields one talk per session, at the slot's time and room, so the poster
 * session shows as itself and each poster can be found by title or
 * author. An unfilled placeholder slot named "Slot" is dropped at load
 * (sched_clean.c). A slot in several rooms ("Room 1, Room 2") is one
 * entry in each.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sched_json.h"
#include "sched_links.h"
#include "sched_load.h"

#define PYCON_BUF 64

static int add_people(struct sched_talk *t, const json_t *o)
{
	json_t *list = json_object_get(o, "speakers"), *p;
	size_t i;

	if (!json_array_size(list))
		list = json_object_get(o, "authors");
	json_array_foreach(list, i, p) {
		char buf[PYCON_BUF];
		const char *name = json_is_object(p) ? sched_json_get(p, "name", buf, sizeof(buf))
						     : sched_json_text(p, buf, sizeof(buf));
		if (name && sched_model_strv_add(&t->speakers, &t->nspeakers, name))
			return SCHED_ERR_NOMEM;
	}
	return SCHED_OK;
}

/* The slot's room: "room" (comma-joined already), else rooms[] joined. */
static int set_room(struct sched_talk *t, const json_t *slot)
{
	const char *room = sched_json_get(slot, "room", NULL, 0);
	json_t *rooms = json_object_get(slot, "rooms"), *r;
	char buf[256];
	size_t i, o = 0;

	if (room && *room)
		return sched_model_set(&t->room, room);
	buf[0] = 0;
	json_array_foreach(rooms, i, r) {
		if (!json_is_string(r))
			continue;
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", o ? ", " : "",
				      json_string_value(r));
		if (o >= sizeof(buf))
			break;
	}
	return sched_model_set(&t->room, buf);
}

/* One talk from `item` (a slot, or a session nested in `slot`). */
static int load_item(const json_t *slot, const json_t *item, struct sched *s,
		     struct sched_hint *h)
{
	char buf[PYCON_BUF], key[PYCON_BUF];
	struct sched_talk *t;
	const char *name = sched_json_get(item, "name", buf, sizeof(buf));
	const char *kind = sched_json_get(slot, "kind", NULL, 0);
	long long dur;
	int64_t end;

	t = sched_model_add(s);
	if (!t)
		return SCHED_ERR_NOMEM;
	if (sched_load_instant(sched_json_get(slot, "start", NULL, 0), s, h, &t->start)) {
		sched_model_drop_last(s);
		return SCHED_OK;
	}
	dur = sched_json_int(slot, "duration", 0);
	t->end = t->start + (dur > 0 ? dur * 60 : 0);
	if (sched_load_instant(sched_json_get(slot, "end", NULL, 0), s, h, &end) == SCHED_OK &&
	    end >= t->start)
		t->end = end;
	/* An unfilled "Slot" keeps its name: the cleaning at load does not
	 * offer it as a talk (sched_clean.c). */
	if (sched_model_set(&t->title, name))
		return SCHED_ERR_NOMEM;
	if (sched_model_set(&t->type, kind) ||
	    sched_model_set(&t->track, sched_json_get(slot, "section", NULL, 0)) ||
	    sched_model_set(&t->url, sched_json_get(item, "conf_url", NULL, 0)) ||
	    sched_model_set(&t->abstract, sched_json_get(item, "description", NULL, 0)) ||
	    set_room(t, slot) || add_people(t, item) || sched_links_json(t, item))
		return SCHED_ERR_NOMEM;
	if (!t->abstract && sched_model_set(&t->abstract, sched_json_get(item, "abstract", NULL, 0)))
		return SCHED_ERR_NOMEM;
	if (json_is_true(json_object_get(item, "cancelled")))
		t->cancelled = 1;
	/* Cancelled talks linger as slots named after their kind. */
	if (name && kind && !strcasecmp(name, kind) && !t->nspeakers &&
	    (!strcmp(kind, "talk") || !strcmp(kind, "tutorial") || !strcmp(kind, "charla")))
		t->cancelled = 1;
	if (!sched_json_get(item, "conf_key", key, sizeof(key)))
		snprintf(key, sizeof(key), "%s", name ? name : "");
	return sched_load_id(t, "pycon", key);
}

int sched_pycon_load(const json_t *root, struct sched *s, struct sched_hint *h)
{
	json_t *slots = json_is_array(root) ? (json_t *)root : json_object_get(root, "schedule");
	json_t *slot, *sess;
	size_t i, k;
	int ret;

	if (!json_is_array(slots)) {
		sched_load_fail(h, "conference.json: no schedule array");
		return SCHED_ERR_FORMAT;
	}
	json_array_foreach(slots, i, slot) {
		json_t *sessions = json_object_get(slot, "sessions");
		if (!json_is_object(slot))
			continue;
		if ((ret = load_item(slot, slot, s, h)))
			return ret;
		json_array_foreach(sessions, k, sess)
			if (json_is_object(sess) && (ret = load_item(slot, sess, s, h)))
				return ret;
	}
	return SCHED_OK;
}
