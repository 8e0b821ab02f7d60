/*
 * The organizers' dry run ("plan.collect"): every pending post of the
 * outbox due in the window, one entry per channel, in the conference's
 * time zone. Nothing is changed. The rows are read in a unit of work:
 * the handler takes a hold (the host waits for our answer), the body
 * copies the rows, done() formats them on the loop and releases the hold.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/plan.h>

#include "announce.h"
#include "announce_store.h"
#include "announce_time.h"

#define PLAN_MAX_ROWS 1000

struct plan_job {
	int64_t from, to;
	hw_plan_hold *hold;
	struct announce_plan_row *rows;
	size_t n;
};

static void plan_job_free(void *p)
{
	struct plan_job *j = p;
	for (size_t i = 0; i < j->n; i++)
		free(j->rows[i].text);
	free(j->rows);
	hw_plan_hold_free(j->hold); /* after shutdown: no answer any more */
	free(j);
}

static const char *kind_label(const char *kind)
{
	if (!strcmp(kind, "soon"))
		return "starting soon";
	if (!strcmp(kind, "change"))
		return "schedule change alert";
	if (!strcmp(kind, "scheduled"))
		return "scheduled announcement";
	return "announcement";
}

/* The text on one line (a slot's post lists its rooms on several), cut
 * at 160 bytes on a character boundary. */
static void first_line(const char *text, char *buf, size_t len)
{
	size_t n = strlen(text);
	if (n > 160) {
		n = 160;
		while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
			n--;
	}
	if (n >= len)
		n = len - 1;
	memcpy(buf, text, n);
	buf[n] = '\0';
	for (char *p = buf; *p; p++)
		if (*p == '\n')
			*p = ' ';
	if (text[n] && n + 4 < len)
		strcat(buf, "...");
}

/* In the body: a copy of one row (the zone and the items are the loop's). */
static int copy_row(void *ud, int64_t due_ms, const char *kind, const char *channel_id,
		    const char *text)
{
	struct plan_job *j = ud;
	struct announce_plan_row *r;
	if (!j->rows && !(j->rows = calloc(PLAN_MAX_ROWS, sizeof(*j->rows))))
		return HW_ERR_NOMEM;
	if (j->n >= PLAN_MAX_ROWS)
		return HW_OK;
	r = &j->rows[j->n];
	if (!(r->text = strdup(text ? text : "")))
		return HW_ERR_NOMEM;
	r->due_ms = due_ms;
	snprintf(r->kind, sizeof(r->kind), "%s", kind ? kind : "");
	snprintf(r->channel_id, sizeof(r->channel_id), "%s", channel_id ? channel_id : "?");
	j->n++;
	return HW_OK;
}

static int plan_body(void *ctx, hw_tx *tx, void *job)
{
	struct announce *a = ctx;
	struct plan_job *j = job;
	return announce_store_plan(a->api, tx, j->from, j->to, PLAN_MAX_ROWS, copy_row, j);
}

static void plan_done(void *ctx, int status, void *job)
{
	struct announce *a = ctx;
	struct plan_job *j = job;
	json_t *items = hw_plan_hold_items(j->hold);
	char when[64], where[64], line[200], what[300], shown[ANNOUNCE_TEXT_MAX + 1];
	int rc = status;

	for (size_t i = 0; rc == HW_OK && i < j->n; i++) {
		const struct announce_plan_row *r = &j->rows[i];
		announce_time_format(announce_tz(a), r->due_ms, when, sizeof(when));
		snprintf(where, sizeof(where), "channel %s", r->channel_id);
		first_line(announce_shown(r->text, shown, sizeof(shown)), line, sizeof(line));
		snprintf(what, sizeof(what), "%s: %s", kind_label(r->kind), line);
		if (hw_plan_add(items, r->due_ms, when, where, what, "announce"))
			rc = HW_ERR_NOMEM;
	}
	if (rc)
		a->api->log(a->self, HW_LOG_WARN, "announce: the plan is incomplete (%d)", rc);
	hw_plan_release(a->api, a->self, j->hold,
			rc == HW_OK ? NULL
			: status == HW_ERR_UNAVAILABLE ? "the database is not reachable"
						       : "the outbox could not be read");
	j->hold = NULL;
	plan_job_free(j);
}

void announce_plan_on_collect(hw_plugin *self, const char *type, json_t *data, void *ud)
{
	struct announce *a = ud;
	struct plan_job *j;
	json_t *items;
	(void)type;
	if (!(j = calloc(1, sizeof(*j))))
		return;
	if (hw_plan_request(data, &j->from, &j->to, &items) ||
	    !(j->hold = hw_plan_hold_take(a->api, self, data))) {
		/* A host that cannot wait: the posts are in the database, which
		 * this handler cannot read without waiting. */
		a->api->log(self, HW_LOG_WARN, "announce: the host cannot wait for the plan's "
						"answer; the outbox is not in it");
		free(j);
		return;
	}
	hw_units_run(a->units, plan_body, plan_done, plan_job_free, j);
}
