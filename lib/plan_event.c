/*
 * The plan.collect payload (version 1), read and written for plugins so
 * that each one checks the version and spells the fields the same way,
 * and the holds of a plugin that answers later (plan.answer).
 */
#include <hallway/plan.h>

#include <stdlib.h>
#include <string.h>

#include <hallway/events.h>
#include <hallway/plugin.h>

struct hw_plan_hold {
	json_int_t plan, hold;
	json_t *items;
	char *plugin;
};

int hw_plan_request(const json_t *data, int64_t *from_ms, int64_t *to_ms, json_t **items)
{
	json_t *from = json_object_get(data, "from"), *to = json_object_get(data, "to");
	json_t *list = json_object_get(data, "items");
	if (!data || !hw_event_readable(data, HW_PLAN_VERSION) || !json_is_array(list) ||
	    !json_is_integer(from) || !json_is_integer(to))
		return -1;
	*from_ms = json_integer_value(from);
	*to_ms = json_integer_value(to);
	*items = list;
	return 0;
}

int hw_plan_add(json_t *items, int64_t at_ms, const char *when, const char *where,
		const char *what, const char *plugin)
{
	json_t *it = json_pack("{s:I, s:s, s:s, s:s, s:s}", "at", (json_int_t)at_ms, "when",
			       when ? when : "?", "where", where ? where : "?", "what",
			       what ? what : "", "plugin", plugin ? plugin : "?");
	if (!it)
		return -1;
	return json_array_append_new(items, it) ? -1 : 0;
}

hw_plan_hold *hw_plan_hold_take(const struct hw_api *api, struct hw_plugin *self, json_t *data)
{
	json_t *plan = json_object_get(data, "plan"), *holds = json_object_get(data, "holds");
	const char *name = api->name(self);
	hw_plan_hold *h = NULL;
	int64_t from, to;
	json_t *items;

	if (hw_plan_request(data, &from, &to, &items) || !json_is_integer(plan) ||
	    !json_is_array(holds) || !name)
		return NULL;
	if (!(h = calloc(1, sizeof(*h))) || !(h->items = json_array()) ||
	    !(h->plugin = strdup(name)))
		goto fail;
	h->plan = json_integer_value(plan);
	h->hold = (json_int_t)json_array_size(holds);
	/* Recorded last: a hold the host sees is one this plugin will release. */
	if (json_array_append_new(holds, json_pack("{s:s, s:I}", "plugin", name, "hold", h->hold)))
		goto fail;
	return h;
fail:
	hw_plan_hold_free(h);
	return NULL;
}

json_t *hw_plan_hold_items(hw_plan_hold *h)
{
	return h ? h->items : NULL;
}

int hw_plan_release(const struct hw_api *api, struct hw_plugin *self, hw_plan_hold *h,
		    const char *error)
{
	json_t *answer, *why = NULL;
	int rc;

	if (!h)
		return HW_OK;
	answer = json_pack("{s:i, s:I, s:I, s:s, s:O}", "version", HW_PLAN_ANSWER_VERSION, "plan",
			   h->plan, "hold", h->hold, "plugin", h->plugin, "items", h->items);
	/* error is a plugin's text: one that is not UTF-8 still says it failed. */
	if (answer && error && !(why = json_string(error)))
		why = json_string("the plugin could not answer");
	if (answer && error && json_object_set_new(answer, "error", why)) {
		json_decref(answer);
		answer = NULL;
	}
	rc = answer ? api->publish(self, HW_EVENT_PLAN_ANSWER, answer) : HW_ERR_NOMEM;
	json_decref(answer);
	hw_plan_hold_free(h);
	return rc;
}

void hw_plan_hold_free(hw_plan_hold *h)
{
	if (!h)
		return;
	json_decref(h->items);
	free(h->plugin);
	free(h);
}
