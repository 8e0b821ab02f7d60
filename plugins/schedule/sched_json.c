/*
 * Lenient JSON field access shared by the JSON loaders.
 */
#include "sched_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *sched_json_text(const json_t *v, char *buf, size_t len)
{
	const char *key;
	json_t *val;

	if (!v)
		return NULL;
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v) && buf && len) {
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	}
	if (json_is_real(v) && buf && len) {
		snprintf(buf, len, "%g", json_real_value(v));
		return buf;
	}
	if (json_is_object(v)) {
		val = json_object_get(v, "en");
		if (json_is_string(val))
			return json_string_value(val);
		json_object_foreach((json_t *)v, key, val)
			if (json_is_string(val) && json_string_length(val))
				return json_string_value(val);
	}
	return NULL;
}

const char *sched_json_get(const json_t *o, const char *key, char *buf, size_t len)
{
	return json_is_object(o) ? sched_json_text(json_object_get(o, key), buf, len) : NULL;
}

long long sched_json_int(const json_t *o, const char *key, long long def)
{
	json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
	char *end;
	long long n;

	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_real(v))
		return (long long)json_real_value(v);
	if (json_is_string(v)) {
		n = strtoll(json_string_value(v), &end, 10);
		if (end != json_string_value(v) && !*end)
			return n;
	}
	return def;
}
