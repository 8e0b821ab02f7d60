/*
 * The organizers' dry run ("plan.collect"): reminder DMs due in the
 * window, one entry per talk with how many attendees get one. The rows are
 * read in a unit of work, so the plugin holds the plan in the handler and
 * releases it from done() (include/hallway/plan.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include <hallway/plan.h>

#include "rec_fmt.h"
#include "rec_store.h"
#include "recommend.h"

#define PLAN_MAX_ROWS 1000

struct plan_job {
	hw_plan_hold *hold;
	int64_t from, to; /* Unix s */
	struct rec_plan_row *rows;
	size_t n;
};

/* Also after shutdown (hw_units calls it instead of done): no API call. */
static void plan_free(void *job)
{
	struct plan_job *j = job;
	hw_plan_hold_free(j->hold);
	rec_store_plan_free(j->rows, j->n);
	free(j);
}

static int plan_body(void *ctx, hw_tx *tx, void *job)
{
	struct rec_plugin *p = ctx;
	struct plan_job *j = job;
	return rec_store_plan(p->api, tx, j->from, j->to, PLAN_MAX_ROWS, &j->rows, &j->n);
}

static void plan_done(void *ctx, int status, void *job)
{
	struct rec_plugin *p = ctx;
	struct plan_job *j = job;
	json_t *items = hw_plan_hold_items(j->hold);
	int oom = 0;

	for (size_t i = 0; status == HW_OK && i < j->n; i++) {
		const struct rec_plan_row *r = &j->rows[i];
		char when[64], cut[160], what[300];
		rec_fmt_when(p->tz, r->due_at, when, sizeof(when));
		rec_fmt_cut(r->title, cut, sizeof(cut));
		snprintf(what, sizeof(what), "reminder of \"%s\" to %lld attendee%s", cut,
			 (long long)r->count, r->count == 1 ? "" : "s");
		oom |= hw_plan_add(items, r->due_at * 1000, when, "DM", what, "recommend") != 0;
	}
	if (status != HW_OK)
		p->api->log(p->self, HW_LOG_WARN, "recommend: the plan has no reminders (%d)",
			    status);
	hw_plan_release(p->api, p->self, j->hold,
			status != HW_OK ? rec_storage_text(status)
			: oom	       ? "out of memory: some reminders are missing"
				       : NULL);
	j->hold = NULL;
	plan_free(j);
}

void rec_plan_on_collect(hw_plugin *self, const char *type, json_t *data, void *ud)
{
	struct rec_plugin *p = ud;
	struct plan_job *j;
	int64_t from, to;
	json_t *items;
	(void)type;

	if (hw_plan_request(data, &from, &to, &items))
		return;
	if (!(j = calloc(1, sizeof(*j))) || !(j->hold = hw_plan_hold_take(p->api, self, data))) {
		/* A host that cannot wait: the reminders are in the database,
		 * which only a unit of work reads. */
		p->api->log(self, HW_LOG_WARN, "recommend: this host cannot wait for the plan's "
			    "reminders; they are not listed");
		free(j);
		return;
	}
	/* Unix ms to s, rounding the start up so nothing before it slips in. */
	j->from = (from + 999) / 1000;
	j->to = (to + 999) / 1000;
	hw_units_run(p->units, plan_body, plan_done, plan_free, j);
}
