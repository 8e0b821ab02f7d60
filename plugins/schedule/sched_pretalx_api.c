/*
 * pretalx REST API data: submissions with expanded slots
 * (?expand=slots,slots.room,speakers,submission_type), as a paginated
 * {"results": [...]} page, a bare list, or regrouped by a site script
 * (PyConFR's {date: {minute: {room: submission}}} grid). Every object
 * with a "code" and a "slots" array anywhere in the document is a
 * submission; each slot with a start is one talk. The same submission
 * may appear in several places; duplicates (same code and start) are
 * dropped.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sched_json.h"
#include "sched_links.h"
#include "sched_load.h"
#include <hallway/civil.h>

#define API_BUF 64
#define API_DEPTH 8

/* Lookup tables the document may carry beside the submissions. */
struct api_ctx {
	const json_t *rooms;    /* array of {id, name} */
	const json_t *speakers; /* object code -> {name} */
	const json_t *tracks;   /* array of {id, name} */
};

/* name of the object in list (array of {id, name}) whose id is v. */
static const char *by_id(const json_t *list, const json_t *v)
{
	size_t i;
	json_t *o;

	if (!json_is_integer(v))
		return NULL;
	json_array_foreach(list, i, o)
		if (json_is_integer(json_object_get(o, "id")) &&
		    json_integer_value(json_object_get(o, "id")) == json_integer_value(v))
			return sched_json_get(o, "name", NULL, 0);
	return NULL;
}

/* Text of a related object: a string, an i18n object, {name: ...}, or
 * an id into list. */
static const char *related(const json_t *v, const json_t *list, char *buf, size_t len)
{
	const char *r;

	if (json_is_object(v) && json_object_get(v, "name"))
		return sched_json_get(v, "name", buf, len);
	if (json_is_integer(v) && (r = by_id(list, v)))
		return r;
	return sched_json_text(v, buf, len);
}

static int add_speakers(struct sched_talk *t, const json_t *sub, const struct api_ctx *c)
{
	size_t i;
	json_t *sp;

	json_array_foreach(json_object_get(sub, "speakers"), i, sp) {
		char buf[API_BUF];
		const char *name = NULL;
		if (json_is_object(sp))
			name = sched_json_get(sp, "name", buf, sizeof(buf));
		else if (json_is_string(sp))
			name = sched_json_get(json_object_get(c->speakers, json_string_value(sp)),
					      "name", buf, sizeof(buf));
		if (name && sched_model_strv_add(&t->speakers, &t->nspeakers, name))
			return SCHED_ERR_NOMEM;
	}
	return SCHED_OK;
}

static int add_tags(struct sched_talk *t, const json_t *sub)
{
	size_t i;
	json_t *tag;

	json_array_foreach(json_object_get(sub, "tags"), i, tag) {
		char buf[API_BUF];
		const char *name = json_is_object(tag) ? sched_json_get(tag, "tag", buf, sizeof(buf))
						       : sched_json_text(tag, buf, sizeof(buf));
		if (name && sched_model_strv_add(&t->tags, &t->ntags, name))
			return SCHED_ERR_NOMEM;
	}
	return SCHED_OK;
}

static int load_slot(const json_t *sub, const json_t *slot, const struct api_ctx *c,
		     struct sched *s, struct sched_hint *h)
{
	char buf[API_BUF];
	const char *state = sched_json_get(sub, "state", NULL, 0);
	const char *code = sched_json_get(sub, "code", buf, sizeof(buf));
	struct sched_talk *t;
	int64_t end;
	long long dur;

	if (!json_is_object(slot))
		return SCHED_OK;
	t = sched_model_add(s);
	if (!t)
		return SCHED_ERR_NOMEM;
	if (sched_load_instant(sched_json_get(slot, "start", NULL, 0), s, h, &t->start)) {
		sched_model_drop_last(s); /* unscheduled slot */
		return SCHED_OK;
	}
	dur = sched_json_int(slot, "duration", sched_json_int(sub, "duration", 0));
	t->end = t->start + (dur > 0 ? dur * 60 : 0);
	if (sched_load_instant(sched_json_get(slot, "end", NULL, 0), s, h, &end) == SCHED_OK &&
	    end >= t->start)
		t->end = end;
	if (sched_load_id(t, "pretalx", code))
		return SCHED_ERR_NOMEM;
	if (sched_model_set(&t->title, sched_json_get(sub, "title", buf, sizeof(buf))) ||
	    sched_model_set(&t->abstract, sched_json_get(sub, "abstract", NULL, 0)) ||
	    sched_model_set(&t->language, sched_json_get(sub, "content_locale", NULL, 0)) ||
	    sched_model_set(&t->room, related(json_object_get(slot, "room"), c->rooms, buf,
					      sizeof(buf))) ||
	    sched_model_set(&t->type, related(json_object_get(sub, "submission_type"), NULL,
					      buf, sizeof(buf))) ||
	    sched_model_set(&t->track, related(json_object_get(sub, "track"), c->tracks, buf,
					       sizeof(buf))))
		return SCHED_ERR_NOMEM;
	if (!t->abstract &&
	    sched_model_set(&t->abstract, sched_json_get(sub, "description", NULL, 0)))
		return SCHED_ERR_NOMEM;
	if (add_speakers(t, sub, c) || add_tags(t, sub) || sched_links_json(t, sub))
		return SCHED_ERR_NOMEM;
	if (state && (!strcasecmp(state, "canceled") || !strcasecmp(state, "withdrawn") ||
		      !strcasecmp(state, "cancelled")))
		t->cancelled = 1;
	return SCHED_OK;
}

static int walk(const json_t *v, const struct api_ctx *c, struct sched *s,
		struct sched_hint *h, int depth)
{
	const char *key;
	json_t *val;
	size_t i;
	int ret;

	if (depth <= 0)
		return SCHED_OK;
	if (json_is_object(v) && json_is_array(json_object_get(v, "slots")) &&
	    json_object_get(v, "code")) {
		json_array_foreach(json_object_get(v, "slots"), i, val)
			if ((ret = load_slot(v, val, c, s, h)))
				return ret;
		return SCHED_OK;
	}
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, val)
			if ((ret = walk(val, c, s, h, depth - 1)))
				return ret;
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, val)
			if ((ret = walk(val, c, s, h, depth - 1)))
				return ret;
	}
	return SCHED_OK;
}

int sched_pretalx_api_load(const json_t *root, struct sched *s, struct sched_hint *h)
{
	struct api_ctx c = {
		.rooms = json_object_get(root, "rooms"),
		.speakers = json_object_get(root, "speakers"),
		.tracks = json_object_get(root, "tracks"),
	};
	char buf[API_BUF];
	size_t i;
	json_t *room;
	int ret;

	if (!json_is_object(c.speakers))
		c.speakers = NULL;
	json_array_foreach(c.rooms, i, room)
		if (sched_model_room_add(s, sched_json_get(room, "name", buf, sizeof(buf))))
			return SCHED_ERR_NOMEM;
	ret = walk(root, &c, s, h, API_DEPTH);
	if (ret)
		return ret;
	if (!s->ntalks) {
		sched_load_fail(h, "pretalx API data: no scheduled submissions");
		return SCHED_ERR_FORMAT;
	}
	return sched_model_dedupe(s);
}
