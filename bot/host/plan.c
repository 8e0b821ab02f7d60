/*
 * The dry run. Each plugin that posts on its own answers "plan.collect"
 * with what falls due in the window, at once or later (plan_book.c
 * collects); this file reads the command and words the answer.
 */
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/buf.h>

#include "clock.h"
#include "commands.h"
#include "hallway.h"
#include "hallway/plugin.h"
#include "log.h"
#include "plan_book.h"
#include "router.h"

#define HOUR_MS 3600000LL
#define PLAN_MAX_HOURS (24 * 14)

/* One `plan` being answered. */
struct plan_reply {
	struct invocation *inv; /* a reference of ours */
	int64_t from, to;
};

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

/* Draws the plan for the organizer and lets the invocation go. */
static void plan_answered(void *ud, json_t *items, json_t *missing)
{
	struct plan_reply *pr = ud;
	hw_message m = {.struct_size = sizeof(m), .ephemeral = 1};
	hw_buf t;
	char line[900];
	json_t *it;
	size_t i, n;

	hw_buf_init(&t, 0);
	if (!items)
		goto out; /* dropped: the bot stops */
	n = json_array_size(items);
	snprintf(line, sizeof(line), "Plan for the next %lld hour%s: %zu post%s.\n",
		 (long long)((pr->to - pr->from + HOUR_MS - 1) / HOUR_MS),
		 (pr->to - pr->from) <= HOUR_MS ? "" : "s", n, n == 1 ? "" : "s");
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
	/* An incomplete plan says so: an organizer must not read a missing
	 * reminder as "nothing will be sent". */
	json_array_foreach(missing, i, it) {
		const char *plugin = json_string_value(json_object_get(it, "plugin"));
		const char *error = json_string_value(json_object_get(it, "error"));
		if (error) {
			snprintf(line, sizeof(line), "Incomplete: %s could not answer (", plugin);
			hw_buf_add(&t, line);
			hw_buf_add_safe(&t, error, 200);
			hw_buf_add(&t, "); its posts are missing from this list.\n");
		} else {
			snprintf(line, sizeof(line), "Incomplete: %s did not answer within %d s; its "
				 "posts are missing from this list.\n", plugin,
				 HW_PLAN_WAIT_MS / 1000);
			hw_buf_add(&t, line);
		}
	}
	if ((m.content = hw_buf_str(&t)))
		router_reply(pr->inv, &m);
	else
		LOGE("router", "plan: out of memory drawing the answer");
out:
	hw_buf_free(&t);
	invocation_unref(pr->inv);
	free(pr);
}

static int cmd_plan(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	struct hallway *hw = ud;
	const char *a = inv->argc > 0 && inv->argv[0].present ? inv->argv[0].str : NULL;
	const char *b = inv->argc > 1 && inv->argv[1].present ? inv->argv[1].str : NULL;
	hw_message m = {.struct_size = sizeof(m), .ephemeral = 1};
	struct plan_reply *pr;
	char why[300];
	int64_t from, to;
	(void)self;

	if (plan_parse_window(a, b, clock_now_ms(&hw->clock), &from, &to, why, sizeof(why))) {
		m.content = why;
		return router_reply((struct invocation *)inv, &m);
	}
	if (!(pr = calloc(1, sizeof(*pr))))
		return HW_ERR_NOMEM;
	pr->inv = (struct invocation *)inv;
	pr->from = from;
	pr->to = to;
	/* Kept until the plan is drawn: now, or once the plugins that hold
	 * it answer (a slash command is deferred meanwhile). */
	invocation_ref(pr->inv);
	if (plan_book_collect(hw->plans, from, to, plan_answered, pr)) {
		invocation_unref(pr->inv);
		free(pr);
		return HW_ERR_NOMEM;
	}
	return HW_OK;
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
