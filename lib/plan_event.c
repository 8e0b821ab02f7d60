/*
 * The plan.collect payload (version 1), read and written for plugins so
 * that each one checks the version and spells the fields the same way.
 */
#include <hallway/plan.h>

#include <hallway/plugin.h>

int hw_plan_request(const json_t *data, int64_t *from_ms, int64_t *to_ms, json_t **items)
{
	json_t *from = json_object_get(data, "from"), *to = json_object_get(data, "to");
	json_t *list = json_object_get(data, "items");
	if (json_integer_value(json_object_get(data, "version")) != HW_PLAN_VERSION ||
	    !json_is_array(list) || !json_is_integer(from) || !json_is_integer(to))
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
