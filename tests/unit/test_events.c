/* The versions of bus payloads (include/hallway/events.h, lib/events.c). */
#include <string.h>

#include <hallway/events.h>
#include <hallway/plugin.h>

#include "testlib.h"

static int logged;
static int published;

static void fake_log(hw_plugin *self, enum hw_log_level lvl, const char *fmt, ...)
{
	(void)self;
	(void)fmt;
	logged += lvl == HW_LOG_WARN;
}

static int fake_publish(hw_plugin *self, const char *type, json_t *data)
{
	(void)self;
	published += !strcmp(type, HW_EVENT_SCHEDULE_REQUEST) &&
		     json_integer_value(json_object_get(data, "version")) == 1;
	return HW_OK;
}

TEST(readable)
{
	static const struct {
		const char *json; /* NULL: no payload */
		int known, want;
	} cases[] = {
		{NULL, 1, 1},
		{"{}", 1, 1},                  /* before versions: version 1 */
		{"{\"version\": 1}", 1, 1},
		{"{\"version\": 2}", 1, 0},    /* newer than the reader */
		{"{\"version\": 2}", 2, 1},
		{"{\"version\": 0}", 1, 0},
		{"{\"version\": -1}", 1, 0},
		{"{\"version\": \"1\"}", 1, 0},
		{"{\"version\": 1.0}", 1, 0},
		{"[1]", 1, 0},                 /* not an object */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *d = cases[i].json ? json_loads(cases[i].json, JSON_DECODE_ANY, NULL) : NULL;
		CHECK(!cases[i].json || d);
		CHECK_INTEQ(hw_event_readable(d, cases[i].known), cases[i].want);
		json_decref(d);
	}
}

TEST(stamp_check_publish)
{
	hw_api api;
	json_t *d = json_object(), *arr = json_array();

	memset(&api, 0, sizeof(api));
	api.log = fake_log;
	api.publish = fake_publish;
	REQUIRE(d && arr);
	CHECK_INTEQ(hw_event_stamp(d, HW_SCHEDULE_LOADED_VERSION), 0);
	CHECK_INTEQ(json_integer_value(json_object_get(d, "version")), 1);
	CHECK_INTEQ(hw_event_stamp(arr, 1), -1);
	CHECK_INTEQ(hw_event_stamp(NULL, 1), -1);
	CHECK_INTEQ(hw_event_check(&api, NULL, "schedule.loaded", d, 1), 1);
	CHECK_INTEQ(logged, 0);
	CHECK_INTEQ(hw_event_stamp(d, 7), 0);
	CHECK_INTEQ(hw_event_check(&api, NULL, "schedule.loaded", d, 1), 0);
	CHECK_INTEQ(logged, 1); /* a newer payload is said in the log, then left */
	CHECK_INTEQ(hw_event_publish_bare(&api, NULL, HW_EVENT_SCHEDULE_REQUEST, 1), HW_OK);
	CHECK_INTEQ(published, 1);
	json_decref(d);
	json_decref(arr);
}

int main(void)
{
	RUN(readable);
	RUN(stamp_check_publish);
	return test_summary();
}
