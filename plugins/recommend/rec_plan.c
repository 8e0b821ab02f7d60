/*
 * The organizers' dry run ("plan.collect"): reminder DMs due in the
 * window, one entry per talk with how many attendees get one.
 */
#include <stdio.h>

#include <hallway/plan.h>

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
	rec_fmt_when(c->p->tz, due_at, when, sizeof(when));
	rec_fmt_cut(title ? title : "?", cut, sizeof(cut));
	snprintf(what, sizeof(what), "reminder of \"%s\" to %lld attendee%s", cut, (long long)count,
		 count == 1 ? "" : "s");
	return hw_plan_add(c->items, due_at * 1000, when, "DM", what, "recommend") ? REC_ERR_NOMEM
										   : REC_OK;
}

void rec_plan_on_collect(hw_plugin *self, const char *type, json_t *data, void *ud)
{
	struct plan_ctx c = {ud, NULL};
	int64_t from, to;
	int rc;
	(void)type;
	if (hw_plan_request(data, &from, &to, &c.items))
		return;
	/* Unix ms to s, rounding the start up so nothing before it slips in. */
	rc = rec_store_plan(c.p->db, (from + 999) / 1000, (to + 999) / 1000, PLAN_MAX_ROWS,
			    add_row, &c);
	if (rc)
		c.p->api->log(self, HW_LOG_WARN, "recommend: the plan is incomplete (%d)", rc);
}
