/*
 * announce on the web: the latest announcement for the lobby screens' banner
 * (a public route, and a push on topic "announce.latest" when a new one has
 * been posted), and the organizer page's panel: scheduled announcements
 * (each with a cancel action that runs `announce cancel <id> confirm`, the
 * chat command) and the outbox audit (sent, pending, failed, skipped, with
 * the reason).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

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
};

static int banner_kind(const char *kind)
{
	return !strcmp(kind, ANNOUNCE_KIND_MANUAL) || !strcmp(kind, ANNOUNCE_KIND_SCHEDULED);
}

/* The newest manual or scheduled announcement sent to a channel, as
 * {"id", "text", "at"}; {} when there is none (or it is old news). */
static json_t *latest(struct announce *a)
{
	int64_t now = a->api->now_ms(a->self);
	struct announce_view *rows = NULL;
	size_t n = 0, more = 0;
	json_t *out = NULL;
	if (announce_store_audit(a->api->db(a->self), now, now - BANNER_MAX_AGE_MS, 50, &rows, &n,
				 &more))
		return NULL;
	for (size_t i = n; i-- > 0 && !out;) { /* the audit lists the newest last */
		const struct announce_view *v = &rows[i];
		if (banner_kind(v->kind) && !strcmp(v->state, "sent") && v->text &&
		    now - v->sent_ms <= BANNER_MAX_AGE_MS)
			out = json_pack("{s:I,s:s,s:I}", "id", (json_int_t)v->item_id, "text", v->text,
					"at", (json_int_t)v->sent_ms);
	}
	announce_store_views_free(rows, n);
	return out ? out : json_object();
}

static json_t *route_latest(hw_plugin *self, const hw_web_request *req, int *status, void *ud)
{
	struct announce_web *w = ud;
	json_t *j = latest(w->a);
	(void)self;
	(void)req;
	if (!j)
		*status = 503;
	return j;
}

/* After every send the plugin reports its outbox gauges: a new latest
 * announcement goes to the screens then. */
static void on_metrics(hw_plugin *self, const char *type, json_t *data, void *ud)
{
	struct announce_web *w = ud;
	const char *name = json_string_value(json_object_get(data, "name"));
	json_t *j;
	json_int_t id;
	if (!hw_event_check(w->a->api, self, type, data, HW_METRICS_REPORT_VERSION))
		return;
	if (!name || strcmp(name, "outbox_pending") || !(j = latest(w->a)))
		return;
	id = json_integer_value(json_object_get(j, "id"));
	if (id && id != w->last_item) {
		w->last_item = id;
		w->a->api->web_push(w->a->self, "latest", j);
	}
	json_decref(j);
}

static void add_row(json_t *rows, const struct announce *a, const struct announce_view *v)
{
	char id[24], due[40], sent[40] = "";
	snprintf(id, sizeof(id), "#%lld", (long long)v->item_id);
	announce_time_format(announce_tz(a), v->due_ms, due, sizeof(due));
	if (v->sent_ms)
		announce_time_format(announce_tz(a), v->sent_ms, sent, sizeof(sent));
	json_array_append_new(rows, json_pack("[s,s,s,s,s,s,s,s]", id, v->kind, v->state, due, sent,
					      v->channel_id, v->text ? v->text : "",
					      v->error ? v->error : ""));
}

static json_t *route_panel(hw_plugin *self, const hw_web_request *req, int *status, void *ud)
{
	struct announce_web *w = ud;
	struct announce *a = w->a;
	sqlite3 *db = a->api->db(self);
	int64_t now = a->api->now_ms(self);
	struct announce_view *up = NULL, *audit = NULL;
	size_t nup = 0, naudit = 0, more_up = 0, more_audit = 0, ncancel = 0;
	json_t *up_rows = json_array(), *audit_rows = json_array(), *actions = json_array(), *m;
	int64_t last = 0;
	(void)req;

	if (!up_rows || !audit_rows || !actions ||
	    announce_store_upcoming(db, 0, PANEL_ITEMS, &up, &nup, &more_up) ||
	    announce_store_audit(db, now, now - 24 * 3600 * 1000LL, PANEL_ITEMS, &audit, &naudit,
				 &more_audit)) {
		json_decref(up_rows);
		json_decref(audit_rows);
		json_decref(actions);
		announce_store_views_free(up, nup);
		*status = 503;
		return NULL;
	}
	for (size_t i = 0; i < nup; i++) {
		add_row(up_rows, a, &up[i]);
		if (up[i].item_id != last && ncancel < CANCEL_ACTIONS) {
			char label[40], cmd[64];
			snprintf(label, sizeof(label), "Cancel #%lld", (long long)up[i].item_id);
			snprintf(cmd, sizeof(cmd), "announce cancel %lld confirm",
				 (long long)up[i].item_id);
			json_array_append_new(actions, json_pack("{s:s,s:s,s:s}", "label", label,
								 "style", "danger", "command", cmd));
			ncancel++;
		}
		last = up[i].item_id;
	}
	for (size_t i = 0; i < naudit; i++)
		add_row(audit_rows, a, &audit[i]);
	announce_store_views_free(up, nup);
	announce_store_views_free(audit, naudit);
	m = json_pack("{s:i,s:s,s:[{s:s,s:s,s:[s,s,s,s,s,s,s,s],s:o},{s:s,s:s,s:[s,s,s,s,s,s,s,s],"
		      "s:o}],s:o}",
		      "version", 1, "text",
		      "Scheduled posts wait in the outbox; the audit shows the last 24 hours.",
		      "items", "kind", "table", "title", "Scheduled", "columns", "Item", "Kind",
		      "State", "Due", "Sent", "Channel", "Text", "Reason", "rows", up_rows, "kind",
		      "table", "title", "Outbox and audit", "columns", "Item", "Kind", "State", "Due",
		      "Sent", "Channel", "Text", "Reason", "rows", audit_rows, "actions", actions);
	if (m && (more_up || more_audit)) {
		char more[120];
		snprintf(more, sizeof(more), "%zu more scheduled and %zu more in the audit: see "
			 "announce list and announce audit.", more_up, more_audit);
		json_array_append_new(json_object_get(m, "items"),
				      json_pack("{s:s,s:s}", "kind", "text", "text", more));
	}
	return m;
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
	if (rc == HW_ERR_UNSUPPORTED)
		return HW_OK; /* a host without a web server: no web side */
	if (rc || (rc = api->web_route(a->self, "GET", "panel", HW_WEB_ORGANIZER, route_panel, w)) ||
	    (rc = api->web_panel(a->self, "Announcements", "panel")) ||
	    (rc = api->subscribe(a->self, HW_EVENT_METRICS_REPORT, on_metrics, w)))
		return rc;
	return HW_OK;
}

void announce_web_free(struct announce_web *w)
{
	free(w);
}
