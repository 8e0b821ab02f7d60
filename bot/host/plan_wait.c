/*
 * One dry run's collection: the payload, its holds and their answers.
 * The holds live in the payload itself ("holds": [{"plugin", "hold"}]),
 * where hw_plan_hold_take records them; an answer marks its entry
 * released ("released": true, and "error" when it says one).
 */
#include "plan_wait.h"

#include <stdlib.h>
#include <string.h>

#include <hallway/events.h>
#include <hallway/plugin.h>

struct plan_wait {
	int64_t id, from_ms, to_ms;
	json_t *data;
};

struct plan_wait *plan_wait_new(int64_t id, int64_t from_ms, int64_t to_ms)
{
	struct plan_wait *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->id = id;
	w->from_ms = from_ms;
	w->to_ms = to_ms;
	w->data = json_pack("{s:i, s:I, s:I, s:[], s:I, s:[]}", "version", HW_PLAN_VERSION, "from",
			    (json_int_t)from_ms, "to", (json_int_t)to_ms, "items", "plan",
			    (json_int_t)id, "holds");
	if (!w->data) {
		free(w);
		return NULL;
	}
	return w;
}

int64_t plan_wait_id(const struct plan_wait *w)
{
	return w->id;
}

json_t *plan_wait_payload(struct plan_wait *w)
{
	return w->data;
}

/* The hold entry an answer releases, or NULL. A plugin releases only a
 * hold it took, once. */
static json_t *hold_of(const struct plan_wait *w, const json_t *answer)
{
	json_t *holds = json_object_get(w->data, "holds"), *entry;
	json_t *hold = json_object_get(answer, "hold");
	const char *plugin = json_string_value(json_object_get(answer, "plugin"));
	const char *taker;

	if (!answer || !hw_event_readable(answer, HW_PLAN_ANSWER_VERSION) ||
	    json_integer_value(json_object_get(answer, "plan")) != w->id || !json_is_integer(hold) ||
	    json_integer_value(hold) < 0 || !plugin ||
	    !json_is_array(json_object_get(answer, "items")))
		return NULL;
	entry = json_array_get(holds, (size_t)json_integer_value(hold));
	taker = json_string_value(json_object_get(entry, "plugin"));
	if (!entry || !taker || strcmp(taker, plugin) ||
	    json_is_true(json_object_get(entry, "released")))
		return NULL;
	return entry;
}

int plan_wait_answer(struct plan_wait *w, const json_t *answer)
{
	json_t *entry = hold_of(w, answer), *error;
	json_t *items = json_object_get(w->data, "items"), *it;
	size_t i;

	if (!entry)
		return -1;
	error = json_object_get(answer, "error");
	if (json_object_set_new(entry, "released", json_true()) ||
	    (json_is_string(error) && json_object_set(entry, "error", error)))
		return -1; /* out of memory: the hold stays open and times out */
	json_array_foreach(json_object_get(answer, "items"), i, it)
		if (json_array_append(items, it))
			break; /* out of memory: plan_wait_items shows what came */
	return 0;
}

size_t plan_wait_open(const struct plan_wait *w)
{
	json_t *entry;
	size_t i, n = 0;
	json_array_foreach(json_object_get(w->data, "holds"), i, entry)
		n += !json_is_true(json_object_get(entry, "released"));
	return n;
}

static int by_time(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_int_t tx = json_integer_value(json_object_get(x, "at"));
	json_int_t ty = json_integer_value(json_object_get(y, "at"));
	return tx < ty ? -1 : tx > ty;
}

json_t *plan_wait_items(const struct plan_wait *w)
{
	json_t *items = json_object_get(w->data, "items");
	json_t *sorted = NULL, **v = NULL, *it;
	size_t n, i, k = 0;

	n = json_is_array(items) ? json_array_size(items) : 0;
	if (!(sorted = json_array()) || (n && !(v = calloc(n, sizeof(*v)))))
		goto fail;
	/* Only well-formed entries in the window: a plugin's mistake must not
	 * put a wrong time in front of an organizer. The loop runs to the n
	 * that sized v (v is NULL when n is 0). */
	for (i = 0; i < n; i++) {
		json_t *at;
		it = json_array_get(items, i);
		at = json_object_get(it, "at");
		if (!json_is_object(it) || !json_is_integer(at) ||
		    json_integer_value(at) < w->from_ms || json_integer_value(at) >= w->to_ms ||
		    !json_is_string(json_object_get(it, "what")))
			continue;
		v[k++] = it;
	}
	if (k)
		qsort(v, k, sizeof(*v), by_time);
	for (i = 0; i < k; i++)
		if (json_array_append(sorted, v[i]))
			goto fail;
	free(v);
	return sorted;
fail:
	free(v);
	json_decref(sorted);
	return NULL;
}

json_t *plan_wait_missing(const struct plan_wait *w)
{
	json_t *missing = json_array(), *entry;
	size_t i;

	if (!missing)
		return NULL;
	json_array_foreach(json_object_get(w->data, "holds"), i, entry) {
		json_t *error = json_object_get(entry, "error");
		const char *plugin = json_string_value(json_object_get(entry, "plugin"));
		int released = json_is_true(json_object_get(entry, "released"));
		if (released && !json_is_string(error))
			continue;
		/* An entry a plugin wrote by hand without its name is still said. */
		if (json_array_append_new(missing,
					  json_pack("{s:s, s:O}", "plugin", plugin ? plugin : "?",
						    "error", released ? error : json_null()))) {
			json_decref(missing);
			return NULL;
		}
	}
	return missing;
}

void plan_wait_free(struct plan_wait *w)
{
	if (!w)
		return;
	json_decref(w->data);
	free(w);
}
