/* The dry run's collection (bot/plan_wait.c) and the plugin side of
 * holds (lib/plan_event.c): answers at once, answers later, answers that
 * never come or come wrong. */
#include <string.h>

#include <hallway/plan.h>
#include <hallway/plugin.h>

#include "plan_wait.h"
#include "testlib.h"

#define FROM 1000000LL
#define TO 2000000LL

/* The fake host: publish delivers plan.answer to the plan being tested. */
static struct plan_wait *current;
static int answers_taken, answers_refused;
static const char *plugin_name = "recommend";

static const char *fake_name(hw_plugin *self)
{
	(void)self;
	return plugin_name;
}

static int fake_publish(hw_plugin *self, const char *type, json_t *data)
{
	(void)self;
	if (strcmp(type, HW_EVENT_PLAN_ANSWER))
		return HW_ERR_INVALID;
	if (current && !plan_wait_answer(current, data))
		answers_taken++;
	else
		answers_refused++;
	return HW_OK;
}

static void fake_api(hw_api *api)
{
	memset(api, 0, sizeof(*api));
	api->struct_size = sizeof(*api);
	api->name = fake_name;
	api->publish = fake_publish;
}

static const char *what_at(json_t *items, size_t i)
{
	return json_string_value(json_object_get(json_array_get(items, i), "what"));
}

TEST(answers_at_once_are_sorted_and_checked)
{
	struct plan_wait *w = plan_wait_new(1, FROM, TO);
	json_t *items, *sorted, *missing;
	int64_t from, to;

	REQUIRE(w);
	REQUIRE(!hw_plan_request(plan_wait_payload(w), &from, &to, &items));
	CHECK(from == FROM && to == TO);
	CHECK(!hw_plan_add(items, FROM + 500, "Thu 09:00", "DM", "second", "a"));
	CHECK(!hw_plan_add(items, FROM + 100, "Thu 08:00", "DM", "first", "b"));
	CHECK(!hw_plan_add(items, TO, "Fri", "DM", "after the window", "a"));
	CHECK(!hw_plan_add(items, FROM - 1, "Wed", "DM", "before the window", "a"));
	json_array_append_new(items, json_pack("{s:s}", "what", "no time"));
	json_array_append_new(items, json_string("not an object"));
	CHECK_INTEQ(plan_wait_open(w), 0);
	sorted = plan_wait_items(w);
	missing = plan_wait_missing(w);
	REQUIRE(sorted && missing);
	CHECK_INTEQ(json_array_size(sorted), 2);
	CHECK_STREQ(what_at(sorted, 0), "first");
	CHECK_STREQ(what_at(sorted, 1), "second");
	CHECK_INTEQ(json_array_size(missing), 0);
	json_decref(sorted);
	json_decref(missing);
	plan_wait_free(w);
}

TEST(a_hold_released_later_adds_its_posts)
{
	struct plan_wait *w = plan_wait_new(7, FROM, TO);
	hw_plan_hold *h;
	json_t *items, *sorted, *missing;
	int64_t from, to;
	hw_api api;

	fake_api(&api);
	REQUIRE(w);
	current = w;
	answers_taken = answers_refused = 0;
	REQUIRE(!hw_plan_request(plan_wait_payload(w), &from, &to, &items));
	CHECK(!hw_plan_add(items, FROM + 300, "Thu", "channel 1", "at once", "announce"));
	h = hw_plan_hold_take(&api, NULL, plan_wait_payload(w));
	REQUIRE(h);
	CHECK_INTEQ(plan_wait_open(w), 1);
	/* The work is done later: the host meanwhile has only the at-once part. */
	CHECK(!hw_plan_add(hw_plan_hold_items(h), FROM + 200, "Thu", "DM", "late", "recommend"));
	CHECK_INTEQ(hw_plan_release(&api, NULL, h, NULL), HW_OK);
	CHECK_INTEQ(answers_taken, 1);
	CHECK_INTEQ(plan_wait_open(w), 0);
	sorted = plan_wait_items(w);
	missing = plan_wait_missing(w);
	REQUIRE(sorted && missing);
	CHECK_INTEQ(json_array_size(sorted), 2);
	CHECK_STREQ(what_at(sorted, 0), "late");
	CHECK_STREQ(what_at(sorted, 1), "at once");
	CHECK_INTEQ(json_array_size(missing), 0);
	json_decref(sorted);
	json_decref(missing);
	current = NULL;
	plan_wait_free(w);
}

TEST(holds_that_fail_or_never_answer_are_named)
{
	struct plan_wait *w = plan_wait_new(3, FROM, TO);
	hw_plan_hold *h1, *h2, *h3;
	json_t *missing, *m;
	hw_api api;

	fake_api(&api);
	REQUIRE(w);
	current = w;
	answers_taken = answers_refused = 0;
	plugin_name = "recommend";
	h1 = hw_plan_hold_take(&api, NULL, plan_wait_payload(w));
	plugin_name = "sprints";
	h2 = hw_plan_hold_take(&api, NULL, plan_wait_payload(w));
	plugin_name = "openspaces";
	h3 = hw_plan_hold_take(&api, NULL, plan_wait_payload(w));
	REQUIRE(h1 && h2 && h3);
	CHECK_INTEQ(plan_wait_open(w), 3);
	plugin_name = "recommend";
	CHECK_INTEQ(hw_plan_release(&api, NULL, h1, "the database is not reachable"), HW_OK);
	plugin_name = "openspaces";
	CHECK_INTEQ(hw_plan_release(&api, NULL, h3, NULL), HW_OK);
	CHECK_INTEQ(answers_taken, 2);
	CHECK_INTEQ(plan_wait_open(w), 1); /* sprints never answers */
	missing = plan_wait_missing(w);
	REQUIRE(missing);
	CHECK_INTEQ(json_array_size(missing), 2);
	m = json_array_get(missing, 0);
	CHECK_STREQ(json_string_value(json_object_get(m, "plugin")), "recommend");
	CHECK_STREQ(json_string_value(json_object_get(m, "error")), "the database is not reachable");
	m = json_array_get(missing, 1);
	CHECK_STREQ(json_string_value(json_object_get(m, "plugin")), "sprints");
	CHECK(json_is_null(json_object_get(m, "error")));
	json_decref(missing);
	/* The plan is drawn without it; a release after that is harmless. */
	current = NULL;
	plan_wait_free(w);
	plugin_name = "sprints";
	CHECK_INTEQ(hw_plan_release(&api, NULL, h2, NULL), HW_OK);
	CHECK_INTEQ(answers_refused, 1);
	CHECK_INTEQ(hw_plan_release(&api, NULL, NULL, NULL), HW_OK);
	plugin_name = "recommend";
}

TEST(wrong_answers_change_nothing)
{
	struct plan_wait *w = plan_wait_new(5, FROM, TO);
	hw_plan_hold *h;
	json_t *ans, *items;
	hw_api api;

	fake_api(&api);
	REQUIRE(w);
	current = NULL; /* answers are fed by hand below */
	h = hw_plan_hold_take(&api, NULL, plan_wait_payload(w));
	REQUIRE(h);
	ans = json_pack("{s:i, s:i, s:i, s:s, s:[{s:I, s:s}]}", "version", 1, "plan", 5, "hold", 0,
			"plugin", "recommend", "items", "at", (json_int_t)FROM + 1, "what", "x");
	REQUIRE(ans);
	json_object_set_new(ans, "plan", json_integer(6)); /* another plan */
	CHECK_INTEQ(plan_wait_answer(w, ans), -1);
	json_object_set_new(ans, "plan", json_integer(5));
	json_object_set_new(ans, "plugin", json_string("sprints")); /* not the taker */
	CHECK_INTEQ(plan_wait_answer(w, ans), -1);
	json_object_set_new(ans, "plugin", json_string("recommend"));
	json_object_set_new(ans, "hold", json_integer(1)); /* no such hold */
	CHECK_INTEQ(plan_wait_answer(w, ans), -1);
	json_object_set_new(ans, "hold", json_integer(-1));
	CHECK_INTEQ(plan_wait_answer(w, ans), -1);
	json_object_set_new(ans, "hold", json_integer(0));
	json_object_set_new(ans, "version", json_integer(2)); /* newer than the host reads */
	CHECK_INTEQ(plan_wait_answer(w, ans), -1);
	json_object_set_new(ans, "version", json_integer(1));
	CHECK_INTEQ(plan_wait_answer(w, NULL), -1);
	CHECK_INTEQ(plan_wait_open(w), 1);
	CHECK_INTEQ(plan_wait_answer(w, ans), 0);
	CHECK_INTEQ(plan_wait_open(w), 0);
	/* The same answer twice adds nothing twice. */
	CHECK_INTEQ(plan_wait_answer(w, ans), -1);
	items = plan_wait_items(w);
	CHECK_INTEQ(json_array_size(items), 1);
	json_decref(items);
	json_decref(ans);
	/* hw_plan_release of a hold whose plan is gone: nothing to deliver to. */
	CHECK_INTEQ(hw_plan_release(&api, NULL, h, NULL), HW_OK);
	plan_wait_free(w);
}

TEST(payloads_of_other_hosts)
{
	hw_api api;
	json_t *old = json_pack("{s:i, s:I, s:I, s:[]}", "version", 1, "from", (json_int_t)FROM,
				"to", (json_int_t)TO, "items");
	json_t *newer = json_pack("{s:i, s:I, s:I, s:[], s:i, s:[]}", "version", 2, "from",
				  (json_int_t)FROM, "to", (json_int_t)TO, "items", "plan", 1,
				  "holds");
	json_t *items;
	int64_t from, to;

	fake_api(&api);
	REQUIRE(old && newer);
	/* A host that cannot wait: read as before, but no hold. */
	CHECK_INTEQ(hw_plan_request(old, &from, &to, &items), 0);
	CHECK(hw_plan_hold_take(&api, NULL, old) == NULL);
	/* A newer shape is left alone, holds included. */
	CHECK_INTEQ(hw_plan_request(newer, &from, &to, &items), -1);
	CHECK(hw_plan_hold_take(&api, NULL, newer) == NULL);
	CHECK_INTEQ(json_array_size(json_object_get(newer, "holds")), 0);
	CHECK_INTEQ(hw_plan_request(NULL, &from, &to, &items), -1);
	json_decref(old);
	json_decref(newer);
}

int main(void)
{
	RUN(answers_at_once_are_sorted_and_checked);
	RUN(a_hold_released_later_adds_its_posts);
	RUN(holds_that_fail_or_never_answer_are_named);
	RUN(wrong_answers_change_nothing);
	RUN(payloads_of_other_hosts);
	return test_summary();
}
