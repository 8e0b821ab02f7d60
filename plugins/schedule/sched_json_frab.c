/*
 * frab / pretalx schedule.json (c3voc schema v1), every vintage: frab
 * 2019, pretalx 2020-2022 without time_zone_name, pretalx today.
 * The event's "date" (local time with offset) is the truth; the day
 * containers and "start" HH:MM are only a fallback.
 */
#include <string.h>

#include "sched_json.h"
#include "sched_links.h"
#include "sched_load.h"
#include <hallway/civil.h>

#define FRAB_BUF 64

static int set_field(char **dst, const json_t *ev, const char *key)
{
	char buf[FRAB_BUF];

	return sched_model_set(dst, sched_json_get(ev, key, buf, sizeof(buf)));
}

static int add_persons(struct sched_talk *t, const json_t *persons)
{
	size_t i;
	json_t *p;

	json_array_foreach(persons, i, p) {
		char buf[FRAB_BUF];
		const char *name = json_is_string(p) ? json_string_value(p) : NULL;
		if (!name)
			name = sched_json_get(p, "public_name", buf, sizeof(buf));
		if (!name)
			name = sched_json_get(p, "name", buf, sizeof(buf));
		if (!name)
			name = sched_json_get(p, "full_public_name", buf, sizeof(buf));
		if (name && sched_model_strv_add(&t->speakers, &t->nspeakers, name))
			return SCHED_ERR_NOMEM;
	}
	return SCHED_OK;
}

/* Start from day date + "HH:MM" in the zone (no "date" field). */
static int start_from_day(const json_t *ev, const char *day_date, struct sched *s,
			  struct sched_hint *h, int64_t *utc)
{
	char iso[40];
	const char *hm = sched_json_get(ev, "start", NULL, 0);

	if (!day_date || !hm || strlen(day_date) != 10 || strlen(hm) > 8)
		return SCHED_ERR_PARSE;
	snprintf(iso, sizeof(iso), "%sT%s", day_date, hm);
	return sched_load_instant(iso, s, h, utc);
}

static int load_event(const json_t *ev, const char *room_key, const char *day_date,
		      struct sched *s, struct sched_hint *h)
{
	struct sched_talk *t;
	char buf[FRAB_BUF];
	const char *v, *state;
	int64_t dur = 0, end;
	int ret = SCHED_ERR_NOMEM;

	if (!json_is_object(ev))
		return SCHED_OK;
	t = sched_model_add(s);
	if (!t)
		return SCHED_ERR_NOMEM;
	if (sched_load_instant(sched_json_get(ev, "date", NULL, 0), s, h, &t->start) &&
	    start_from_day(ev, day_date, s, h, &t->start)) {
		sched_model_drop_last(s); /* no usable time: skip the event */
		return SCHED_OK;
	}
	v = sched_json_get(ev, "duration", buf, sizeof(buf));
	if (v && hw_civil_duration(v, 1, &dur) == SCHED_OK)
		t->end = t->start + dur;
	else
		t->end = t->start;
	if (sched_load_instant(sched_json_get(ev, "end", NULL, 0), s, h, &end) == SCHED_OK &&
	    end >= t->start)
		t->end = end;
	if (set_field(&t->guid, ev, "guid") || set_field(&t->title, ev, "title") ||
	    set_field(&t->subtitle, ev, "subtitle") || set_field(&t->track, ev, "track") ||
	    set_field(&t->type, ev, "type") || set_field(&t->language, ev, "language") ||
	    set_field(&t->abstract, ev, "abstract") || set_field(&t->url, ev, "url") ||
	    set_field(&t->room, ev, "room"))
		goto out;
	if (!t->abstract && set_field(&t->abstract, ev, "description"))
		goto out;
	if (!t->room && sched_model_set(&t->room, room_key))
		goto out;
	if (add_persons(t, json_object_get(ev, "persons")) || sched_links_json(t, ev))
		goto out;
	state = sched_json_get(ev, "state", NULL, 0);
	if (state && (!strcasecmp(state, "canceled") || !strcasecmp(state, "cancelled") ||
		      !strcasecmp(state, "withdrawn")))
		t->cancelled = 1;
	if (t->guid)
		ret = sched_model_set(&t->id, t->guid);
	else if ((v = sched_json_get(ev, "code", buf, sizeof(buf))) ||
		 (v = sched_json_get(ev, "id", buf, sizeof(buf))))
		ret = sched_load_id(t, "frab", v);
	else
		ret = SCHED_OK;
out:
	return ret;
}

int sched_json_frab_load(const json_t *root, struct sched *s, struct sched_hint *h)
{
	json_t *sch = json_object_get(root, "schedule");
	json_t *conf = json_object_get(sch, "conference");
	json_t *days = json_object_get(conf, "days"), *day, *rooms, *room;
	char buf[FRAB_BUF];
	const char *key;
	size_t i;
	int ret;

	if (!json_is_object(conf) || !json_is_array(days)) {
		sched_load_fail(h, "schedule.json: no schedule.conference.days");
		return SCHED_ERR_FORMAT;
	}
	if (sched_model_set(&s->name, sched_json_get(conf, "title", buf, sizeof(buf))) ||
	    sched_model_set(&s->version, sched_json_get(sch, "version", buf, sizeof(buf))) ||
	    sched_model_set(&s->tz_name, sched_json_get(conf, "time_zone_name", NULL, 0)))
		return SCHED_ERR_NOMEM;
	/* pretalx >= 2023 declares the rooms in order. */
	json_array_foreach(json_object_get(conf, "rooms"), i, room)
		if (sched_model_room_add(s, sched_json_get(room, "name", buf, sizeof(buf))))
			return SCHED_ERR_NOMEM;
	json_array_foreach(days, i, day) {
		const char *date = sched_json_get(day, "date", NULL, 0);
		rooms = json_object_get(day, "rooms");
		json_object_foreach(rooms, key, room) {
			size_t k;
			json_t *ev;
			if (sched_model_room_add(s, key))
				return SCHED_ERR_NOMEM;
			json_array_foreach(room, k, ev)
				if ((ret = load_event(ev, key, date, s, h)))
					return ret;
		}
	}
	return SCHED_OK;
}
