/* The schedule as JSON for other plugins (see sched_export.h). */
#include "sched_export.h"

#include <hallway/tz.h>

static json_t *string_array(char *const *items, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		if (items[i] && json_array_append_new(a, json_string(items[i]))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *talk_json(const struct sched_talk *t)
{
	return json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:o, s:o, "
			 "s:I, s:I, s:b, s:s?}",
			 "id", t->id, "title", t->title, "subtitle", t->subtitle, "abstract",
			 t->abstract, "track", t->track, "type", t->type, "level", t->level,
			 "language", t->language, "room", t->room, "url", t->url, "speakers",
			 string_array(t->speakers, t->nspeakers), "tags",
			 string_array(t->tags, t->ntags), "start", (json_int_t)t->start, "end",
			 (json_int_t)t->end, "cancelled", t->cancelled, "recording", t->recording);
}

json_t *sched_export(const struct sched *s)
{
	json_t *talks = json_array();
	json_t *out;
	for (size_t i = 0; talks && i < s->ntalks; i++) {
		json_t *t = talk_json(&s->talks[i]);
		if (!t || json_array_append_new(talks, t)) {
			json_decref(talks);
			return NULL;
		}
	}
	if (!talks)
		return NULL;
	out = json_pack("{s:s?, s:s, s:o?, s:o, s:I, s:I}", "name", s->name, "timezone",
			hw_tz_name(s->tz), "rooms", string_array(s->rooms, s->nrooms), "talks",
			talks, "talk_count", (json_int_t)s->ntalks, "room_count",
			(json_int_t)s->nrooms);
	return out;
}
