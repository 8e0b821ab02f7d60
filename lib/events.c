/*
 * The version of an event payload (include/hallway/events.h).
 */
#include <hallway/events.h>

#include <hallway/plugin.h>

int hw_event_stamp(json_t *data, int version)
{
	if (!json_is_object(data))
		return -1;
	return json_object_set_new(data, "version", json_integer(version)) ? -1 : 0;
}

json_t *hw_event_new(int version)
{
	return json_pack("{s:i}", "version", version);
}

int hw_event_readable(const json_t *data, int known)
{
	const json_t *v;
	json_int_t n;

	if (!data)
		return 1;
	if (!json_is_object(data))
		return 0;
	if (!(v = json_object_get(data, "version")))
		return 1;
	if (!json_is_integer(v))
		return 0;
	n = json_integer_value(v);
	return n >= 1 && n <= known;
}

int hw_event_check(const struct hw_api *api, struct hw_plugin *self, const char *type,
		   const json_t *data, int known)
{
	if (hw_event_readable(data, known))
		return 1;
	if (api && api->log)
		api->log(self, HW_LOG_WARN,
			 "%s: version %lld is newer than this plugin reads (%d): ignored",
			 type ? type : "event",
			 (long long)json_integer_value(json_object_get(data, "version")), known);
	return 0;
}

int hw_event_publish_bare(const struct hw_api *api, struct hw_plugin *self, const char *type,
			  int version)
{
	json_t *data = hw_event_new(version);
	int rc;

	if (!data)
		return HW_ERR_NOMEM;
	rc = api->publish(self, type, data);
	json_decref(data);
	return rc;
}
