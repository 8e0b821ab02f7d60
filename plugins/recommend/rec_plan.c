/*
 * The organizers' dry run ("plan.collect"): reminder DMs due in the
 * window, one entry per talk with how many attendees get one.
 */
#include <stdio.h>

#include "rec_fmt.h"
#include "rec_store.h"
#include "recommend.h"

#define PLAN_MAX_ROWS 1000

struct plan_ctx {
	struct rec_plugin *p;
	json_t *items;
};

static int add_row(void *ud, int64_t due_at, const char *title, int64_t count)
{
	struct plan_ctx *c = ud;
	char when[64], cut[160], what[300];
	json_t *it;
	rec_fmt_when(c->p->tz, due_at, when, sizeof(when));
	rec_fmt_cut(title ? title : "?", cut, sizeof(cut));
	snprintf(what, sizeof(what), "reminder of \"%s\" to %lld attendee%s", cut, (long long)count,
		 count == 1 ? "" : "s");
	it = json_pack("{s:I, s:s, s:s, s:s, s:s}", "at", (json_int_t)due_at * 1000, "when", when,
		       "where", "DM", "what", what, "plugin", "recommend");
	if (!it || json_array_append_new(c->items, it))
		return REC_ERR_NOMEM;
	return REC_OK;
}

void rec_plan_on_collect(hw_plugin *self, const char *type, json_t *data, void *ud)
{
	struct plan_ctx c = {ud, json_object_get(data, "items")};
	json_t *from = json_object_get(data, "from"), *to = json_object_get(data, "to");
	int rc;
	(void)type;
	if (json_integer_value(json_object_get(data, "version")) != HW_PLAN_VERSION ||
	    !json_is_array(c.items) || !json_is_integer(from) || !json_is_integer(to))
		return;
	/* Unix ms to s, rounding the start up so nothing before it slips in. */
	rc = rec_store_plan(c.p->db, (json_integer_value(from) + 999) / 1000,
			    (json_integer_value(to) + 999) / 1000, PLAN_MAX_ROWS, add_row, &c);
	if (rc)
		c.p->api->log(self, HW_LOG_WARN, "recommend: the plan is incomplete (%d)", rc);
}
