/*
 * The dry run. Each plugin that posts on its own answers "plan.collect"
 * with what falls due in the window; this file asks, sorts and words it.
 */
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/buf.h>

#include "bus.h"
#include "clock.h"
#include "commands.h"
#include "hallway.h"
#include "hallway/plugin.h"
#include "log.h"
#include "router.h"

#define HOUR_MS 3600000LL
#define PLAN_MAX_HOURS (24 * 14)

static int by_time(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_int_t tx = json_integer_value(json_object_get(x, "at"));
	json_int_t ty = json_integer_value(json_object_get(y, "at"));
	return tx < ty ? -1 : tx > ty;
}

json_t *plan_collect(struct hallway *hw, int64_t from_ms, int64_t to_ms)
{
	json_t *data = json_pack("{s:i, s:I, s:I, s:[]}", "version", HW_PLAN_VERSION, "from",
				 (json_int_t)from_ms, "to", (json_int_t)to_ms, "items");
	json_t *items, *sorted = NULL, **v = NULL, *it;
	size_t n, i, k = 0;
	if (!data)
		return NULL;
	bus_publish(hw->bus, HW_EVENT_PLAN_COLLECT, data);
	items = json_object_get(data, "items");
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
		    json_integer_value(at) < from_ms || json_integer_value(at) >= to_ms ||
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
	json_decref(data);
	return sorted;
fail:
	free(v);
	json_decref(sorted);
	json_decref(data);
	return NULL;
}

int plan_parse_window(const char *a, const char *b, int64_t now_ms, int64_t *from_ms,
		      int64_t *to_ms, char *why, size_t whylen)
{
	int64_t from = now_ms, to;
	long hours = PLAN_DEFAULT_HOURS;
	char *end;

	if (a && *a && clock_parse_iso8601(a, &from)) {
		hours = strtol(a, &end, 10);
		if (end == a || (*end && strcmp(end, "h")) || hours < 1 || hours > PLAN_MAX_HOURS) {
			snprintf(why, whylen, "Give a number of hours (1 to %d, e.g. \"plan 12\") or "
				 "two instants (\"plan 2026-11-28T08:00:00+01:00 "
				 "2026-11-28T12:00:00+01:00\").", PLAN_MAX_HOURS);
			return -1;
		}
		from = now_ms;
	}
	to = from + hours * HOUR_MS;
	if (b && *b) {
		if (clock_parse_iso8601(b, &to)) {
			snprintf(why, whylen, "\"%.60s\" is not an instant such as "
				 "2026-11-28T12:00:00+01:00.", b);
			return -1;
		}
		if (to <= from) {
			snprintf(why, whylen, "The end of the window must come after its start.");
			return -1;
		}
		if (to - from > PLAN_MAX_HOURS * HOUR_MS) {
			snprintf(why, whylen, "At most %d hours at a time.", PLAN_MAX_HOURS);
			return -1;
		}
	}
	*from_ms = from;
	*to_ms = to;
	return 0;
}

static int cmd_plan(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	struct hallway *hw = ud;
	const char *a = inv->argc > 0 && inv->argv[0].present ? inv->argv[0].str : NULL;
	const char *b = inv->argc > 1 && inv->argv[1].present ? inv->argv[1].str : NULL;
	hw_message m = {.struct_size = sizeof(m), .ephemeral = 1};
	hw_buf t;
	char line[900], why[300];
	int64_t from, to;
	json_t *items, *it;
	size_t i, n;
	int rc;
	(void)self;

	hw_buf_init(&t, 0);
	if (plan_parse_window(a, b, clock_now_ms(&hw->clock), &from, &to, why, sizeof(why))) {
		m.content = why;
		return router_reply((struct invocation *)inv, &m);
	}
	if (!(items = plan_collect(hw, from, to)))
		return HW_ERR_NOMEM;
	n = json_array_size(items);
	snprintf(line, sizeof(line), "Plan for the next %lld hour%s: %zu post%s.\n",
		 (long long)((to - from + HOUR_MS - 1) / HOUR_MS),
		 (to - from) <= HOUR_MS ? "" : "s", n, n == 1 ? "" : "s");
	hw_buf_add(&t, line);
	if (!n)
		hw_buf_add(&t, "Nothing will be posted in that window.\n");
	json_array_foreach(items, i, it) {
		const char *when = json_string_value(json_object_get(it, "when"));
		const char *where = json_string_value(json_object_get(it, "where"));
		const char *plugin = json_string_value(json_object_get(it, "plugin"));
		if (i == PLAN_MAX_LINES) {
			snprintf(line, sizeof(line), "...and %zu more (ask for a shorter window).\n",
				 n - i);
			hw_buf_add(&t, line);
			break;
		}
		snprintf(line, sizeof(line), "%s  %s: ", when ? when : "?", where ? where : "?");
		hw_buf_add(&t, line);
		hw_buf_add_safe(&t, json_string_value(json_object_get(it, "what")), 400);
		snprintf(line, sizeof(line), " (%s)\n", plugin ? plugin : "?");
		hw_buf_add(&t, line);
	}
	json_decref(items);
	if (!(m.content = hw_buf_str(&t))) {
		hw_buf_free(&t);
		return HW_ERR_NOMEM;
	}
	rc = router_reply((struct invocation *)inv, &m);
	hw_buf_free(&t);
	return rc;
}

int plan_register(struct router *r)
{
	static const hw_arg_spec args[] = {
		{"from", HW_ARG_STRING, 0, "Hours ahead (\"12\"), or the window's start (ISO-8601)", 0},
		{"to", HW_ARG_STRING, 0, "The window's end (ISO-8601)", 0}};
	hw_command_spec spec = {sizeof(hw_command_spec), "plan",
				"What the bot will post, where and when (a dry run)",
				"Lists the starting-soon posts, scheduled announcements, reminders "
				"and alerts due in the window: the next 24 hours unless you say "
				"otherwise. Nothing is sent.",
				HW_PERM_ORGANIZER, args, 2, cmd_plan, NULL, NULL, {0}, sizeof(hw_arg_spec)};
	char why[256];
	spec.ud = router_hallway(r);
	if (commands_add(router_commands(r), NULL, NULL, &spec, why, sizeof(why))) {
		LOGE("router", "cannot register built-in plan: %s", why);
		return -1;
	}
	return 0;
}
