/*
 * announce on the web: the latest announcement for the lobby screens' banner
 * (a public route, and a push on topic "announce.latest" when a new one has
 * been posted), and the organizer page's panel: scheduled announcements
 * (each with a cancel action that runs `announce cancel <id> confirm`, the
 * chat command) and the outbox audit (sent, pending, failed, skipped, with
 * the reason).
 *
 * A route answers at once, so both answer from a copy made in a unit of
 * work after every change of the outbox (announce_web_refresh, from the
 * rearm): the loop never waits for the database; 503 until the first copy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "announce.h"
#include "announce_store.h"
#include "announce_time.h"
#include <hallway/events.h>

#define BANNER_MAX_AGE_MS (3 * 3600 * 1000LL) /* older news leaves the screens */
#define PANEL_ITEMS 20
#define CANCEL_ACTIONS 5

struct announce_web {
	struct announce *a;
	int64_t last_item;        /* the item the screens show */
	json_t *latest, *panel;   /* the copies the routes answer; NULL before the first */
	int refreshing, again;
};

static int banner_kind(const char *kind)
{
	return !strcmp(kind, ANNOUNCE_KIND_MANUAL) || !strcmp(kind, ANNOUNCE_KIND_SCHEDULED);
}

/* The newest manual or scheduled announcement sent to a channel, as
 * {"id", "text", "at"}; {} when there is none (or it is old news). */
static json_t *latest(int64_t now, const struct announce_view *rows, size_t n)
{
	json_t *out = NULL;
	for (size_t i = n; i-- > 0 && !out;) { /* the audit lists the newest last */
		const struct announce_view *v = &rows[i];
		if (banner_kind(v->kind) && !strcmp(v->state, "sent") && v->text &&
		    now - v->sent_ms <= BANNER_MAX_AGE_MS)
			out = json_pack("{s:I,s:s,s:I}", "id", (json_int_t)v->item_id, "text", v->text,
					"at", (json_int_t)v->sent_ms);
	}
	return out ? out : json_object();
}

static json_t *route_latest(hw_plugin *self, const hw_web_request *req, int *status, void *ud)
{
	struct announce_web *w = ud;
	(void)self;
	(void)req;
	if (!w->latest) {
		*status = 503;
		return NULL;
	}
	return json_incref(w->latest);
}

static void add_row(json_t *rows, const struct announce *a, const struct announce_view *v)
{
	char id[24], due[40], sent[40] = "", shown[ANNOUNCE_TEXT_MAX + 1];
	snprintf(id, sizeof(id), "#%lld", (long long)v->item_id);
	announce_time_format(announce_tz(a), v->due_ms, due, sizeof(due));
	if (v->sent_ms)
		announce_time_format(announce_tz(a), v->sent_ms, sent, sizeof(sent));
	json_array_append_new(rows, json_pack("[s,s,s,s,s,s,s,s]", id, v->kind, v->state, due, sent,
					      v->channel_id, announce_shown(v->text, shown, sizeof(shown)),
					      v->error ? v->error : ""));
}

/* What one refresh reads (in its unit of work). */
struct refresh_job {
	int64_t now;
	struct announce_view *banner, *up, *audit;
	size_t nbanner, nup, naudit, more_up, more_audit;
};

static void refresh_free(void *p)
{
	struct refresh_job *j = p;
	announce_store_views_free(j->banner, j->nbanner);
	announce_store_views_free(j->up, j->nup);
	announce_store_views_free(j->audit, j->naudit);
	free(j);
}

static int refresh_body(void *ctx, hw_tx *tx, void *job)
{
	struct announce *a = ctx;
	struct refresh_job *j = job;
	size_t more = 0;
	int rc = announce_store_audit(a->api, tx, j->now, j->now - BANNER_MAX_AGE_MS, 50,
				      &j->banner, &j->nbanner, &more);
	if (!rc)
		rc = announce_store_upcoming(a->api, tx, 0, PANEL_ITEMS, &j->up, &j->nup,
					     &j->more_up);
	if (!rc)
		rc = announce_store_audit(a->api, tx, j->now, j->now - 24 * 3600 * 1000LL,
					  PANEL_ITEMS, &j->audit, &j->naudit, &j->more_audit);
	return rc;
}

static json_t *panel(struct announce *a, const struct refresh_job *j)
{
	json_t *up_rows = json_array(), *audit_rows = json_array(), *actions = json_array(), *m;
	size_t ncancel = 0;
	int64_t last = 0;

	if (!up_rows || !audit_rows || !actions) {
		json_decref(up_rows);
		json_decref(audit_rows);
		json_decref(actions);
		return NULL;
	}
	for (size_t i = 0; i < j->nup; i++) {
		add_row(up_rows, a, &j->up[i]);
		if (j->up[i].item_id != last && ncancel < CANCEL_ACTIONS) {
			char label[40], cmd[64];
			snprintf(label, sizeof(label), "Cancel #%lld", (long long)j->up[i].item_id);
			snprintf(cmd, sizeof(cmd), "announce cancel %lld confirm",
				 (long long)j->up[i].item_id);
			json_array_append_new(actions, json_pack("{s:s,s:s,s:s}", "label", label,
								 "style", "danger", "command", cmd));
			ncancel++;
		}
		last = j->up[i].item_id;
	}
	for (size_t i = 0; i < j->naudit; i++)
		add_row(audit_rows, a, &j->audit[i]);
	m = json_pack("{s:i,s:s,s:[{s:s,s:s,s:[s,s,s,s,s,s,s,s],s:o},{s:s,s:s,s:[s,s,s,s,s,s,s,s],"
		      "s:o}],s:o}",
		      "version", 1, "text",
		      "Scheduled posts wait in the outbox; the audit shows the last 24 hours.",
		      "items", "kind", "table", "title", "Scheduled", "columns", "Item", "Kind",
		      "State", "Due", "Sent", "Channel", "Text", "Reason", "rows", up_rows, "kind",
		      "table", "title", "Outbox and audit", "columns", "Item", "Kind", "State", "Due",
		      "Sent", "Channel", "Text", "Reason", "rows", audit_rows, "actions", actions);
	if (m && (j->more_up || j->more_audit)) {
		char more[120];
		snprintf(more, sizeof(more), "%zu more scheduled and %zu more in the audit: see "
			 "announce list and announce audit.", j->more_up, j->more_audit);
		json_array_append_new(json_object_get(m, "items"),
				      json_pack("{s:s,s:s}", "kind", "text", "text", more));
	}
	return m;
}

static void refresh_done(void *ctx, int status, void *job)
{
	struct announce *a = ctx;
	struct announce_web *w = a->web;
	struct refresh_job *j = job;
	json_t *l, *p;

	w->refreshing = 0;
	if (status == HW_OK && (l = latest(j->now, j->banner, j->nbanner))) {
		json_int_t id = json_integer_value(json_object_get(l, "id"));
		json_decref(w->latest);
		w->latest = l;
		/* A new latest announcement goes to the screens. */
		if (id && id != w->last_item) {
			w->last_item = id;
			a->api->web_push(a->self, "latest", l);
		}
	}
	if (status == HW_OK && (p = panel(a, j))) {
		json_decref(w->panel);
		w->panel = p;
	}
	refresh_free(j);
	if (w->again) {
		w->again = 0;
		announce_web_refresh(a);
	}
}

void announce_web_refresh(struct announce *a)
{
	struct announce_web *w = a->web;
	struct refresh_job *j;
	if (!w)
		return;
	if (w->refreshing) {
		w->again = 1;
		return;
	}
	if (!(j = calloc(1, sizeof(*j))))
		return;
	j->now = a->api->now_ms(a->self);
	w->refreshing = 1;
	if (hw_units_run(a->units, refresh_body, refresh_done, refresh_free, j))
		w->refreshing = 0;
}

static json_t *route_panel(hw_plugin *self, const hw_web_request *req, int *status, void *ud)
{
	struct announce_web *w = ud;
	(void)self;
	(void)req;
	if (!w->panel) {
		*status = 503;
		return NULL;
	}
	return json_incref(w->panel);
}

int announce_web_init(struct announce *a)
{
	const hw_api *api = a->api;
	struct announce_web *w;
	int rc;
	if (!HW_API_HAS(api, web_panel) || !api->web_route)
		return HW_OK; /* an older host: no web side */
	if (!(w = calloc(1, sizeof(*w))))
		return HW_ERR_NOMEM;
	w->a = a;
	a->web = w;
	rc = api->web_route(a->self, "GET", "latest", HW_WEB_PUBLIC, route_latest, w);
	if (rc == HW_ERR_UNSUPPORTED) {
		a->web = NULL; /* a host without a web server: no web side */
		announce_web_free(w);
		return HW_OK;
	}
	if (rc || (rc = api->web_route(a->self, "GET", "panel", HW_WEB_ORGANIZER, route_panel, w)) ||
	    (rc = api->web_panel(a->self, "Announcements", "panel")))
		return rc;
	announce_web_refresh(a);
	return HW_OK;
}

void announce_web_free(struct announce_web *w)
{
	if (!w)
		return;
	json_decref(w->latest);
	json_decref(w->panel);
	free(w);
}
