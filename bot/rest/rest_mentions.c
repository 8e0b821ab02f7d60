/*
 * The "never let the text ping anyone" rule (rest.h): the allowed_mentions
 * objects every message hallway posts carries. Its own file, with nothing
 * but jansson, so the fuzz targets compile this code rather than a copy.
 */
#include <string.h>

#include "rest.h"

json_t *rest_allowed_mentions(int allow)
{
	if (allow)
		return json_pack("{s:[sss]}", "parse", "users", "roles", "everyone");
	return json_pack("{s:[]}", "parse");
}

json_t *rest_allowed_users(const json_t *users)
{
	json_t *am = rest_allowed_mentions(0), *list = json_array(), *u, *seen;
	size_t i, k;
	if (!am || !list)
		goto fail;
	json_array_foreach(users, i, u) {
		const char *id = json_string_value(u);
		size_t n = id ? strspn(id, "0123456789") : 0;
		if (!n || n > 20 || id[n] || json_array_size(list) >= REST_MENTION_USERS_MAX)
			continue;
		json_array_foreach(list, k, seen)
			if (!strcmp(json_string_value(seen), id))
				break;
		if (k == json_array_size(list) && json_array_append_new(list, json_string(id)))
			goto fail;
	}
	if (json_array_size(list) && json_object_set(am, "users", list))
		goto fail;
	json_decref(list);
	return am;
fail:
	json_decref(list);
	json_decref(am);
	return NULL;
}
