/*
 * The dispatcher. One timer on the conference clock points at the earliest
 * pending row; when it fires, due rows are claimed ('sending', committed)
 * and then sent, each with its row's nonce. The send callback is the only
 * place a row becomes 'sent'. Rate limits are the host REST layer's job:
 * it queues per channel bucket and under the global limit, so a fan-out to
 * many channels is simply handed over at once and drains at the allowed
 * pace.
 *
 * Failure policy: the host already retries 5xx and transport errors; what
 * reaches us as status 0, 429 or 5xx is retried here too, up to
 * ANNOUNCE_MAX_ATTEMPTS, with a growing delay. Any other status (a 4xx:
 * unknown channel, missing access) is final: the row is 'failed' with the
 * reason, visible in `announce audit`. A failure is never marked sent.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "announce.h"
#include "announce_store.h"
#include <hallway/events.h>

#define RETRY_BASE_MS 30000

static void settle(struct announce *a, int64_t item_id, const char *channel_id, int ok,
		   const char *error);

static void on_timer(hw_plugin *self, hw_handle h, void *ud)
{
	struct announce *a = ud;
	(void)self;
	if (a->timer == h)
		a->timer = 0;
	announce_send_dispatch(a);
}

/* Publishes the outbox gauges for /metrics (the "metrics.report" event,
 * see bot/ops/metrics.h): hallway_outbox_pending and hallway_outbox_failed. */
static void report_metrics(struct announce *a)
{
	static const char *const help[2] = {
		"Announcements written to the outbox and not yet accepted by Discord",
		"Announcements that failed for good (see announce audit)"};
	static const char *const names[2] = {"outbox_pending", "outbox_failed"};
	int64_t v[2];
	if (announce_store_counts(a->api->db(a->self), &v[0], &v[1]))
		return;
	for (int i = 0; i < 2; i++) {
		json_t *r = json_pack("{s:i, s:s, s:s, s:I, s:s}", "version",
				      HW_METRICS_REPORT_VERSION, "name", names[i], "type", "gauge",
				      "value", (json_int_t)v[i], "help", help[i]);
		if (r)
			a->api->publish(a->self, HW_EVENT_METRICS_REPORT, r);
		json_decref(r);
	}
}

void announce_send_rearm(struct announce *a)
{
	const hw_api *api = a->api;
	int64_t due = -1, now = api->now_ms(a->self), delay;

	if (a->dispatching)
		return; /* dispatch re-arms when it ends */
	report_metrics(a);
	if (announce_store_next_due(api->db(a->self), &due)) {
		api->log(a->self, HW_LOG_ERROR, "announce: cannot read the outbox: %s",
			 sqlite3_errmsg(api->db(a->self)));
		due = now + 60000; /* look again in a minute */
	}
	if (a->timer && a->timer_at == due)
		return;
	if (a->timer) {
		api->cancel(a->self, a->timer);
		a->timer = 0;
	}
	if (due < 0)
		return;
	delay = due > now ? due - now : 0;
	a->timer = api->timer_add(a->self, delay, 0, on_timer, a);
	a->timer_at = due;
	if (!a->timer)
		api->log(a->self, HW_LOG_ERROR, "announce: cannot arm the outbox timer");
}

static void flight_unlink(struct announce *a, struct announce_flight *f)
{
	for (struct announce_flight **it = &a->flights; *it; it = &(*it)->next) {
		if (*it == f) {
			*it = f->next;
			return;
		}
	}
}

static int transient(int status)
{
	return status == 0 || status == 429 || status >= 500;
}

static void on_sent(hw_plugin *self, int status, const char *message_id, const char *error,
		    void *ud)
{
	struct announce_flight *f = ud;
	struct announce *a = f->a;
	const hw_api *api = a->api;
	sqlite3 *db = api->db(self);
	int64_t now = api->now_ms(self);
	char why[300];
	int ok = status >= 200 && status < 300, rc;

	flight_unlink(a, f);
	if (ok) {
		rc = announce_store_sent(db, f->row_id, message_id ? message_id : "?", now);
		api->log(self, HW_LOG_INFO, "announce: #%lld sent to %s as message %s",
			 (long long)f->item_id, f->channel_id, message_id ? message_id : "?");
		if (rc == HW_OK)
			settle(a, f->item_id, f->channel_id, 1, NULL);
	} else {
		if (error && !strncmp(error, "HTTP ", 5))
			snprintf(why, sizeof(why), "%s", error); /* the host's own words */
		else
			snprintf(why, sizeof(why), "%s%d: %s", status ? "HTTP " : "transport error ",
				 status, error && *error ? error : "no reason given");
		if (transient(status) && f->attempts < ANNOUNCE_MAX_ATTEMPTS) {
			rc = announce_store_retry(db, f->row_id, why,
						  now + (int64_t)RETRY_BASE_MS * f->attempts);
			api->log(self, HW_LOG_WARN, "announce: #%lld to %s failed (%s); retrying",
				 (long long)f->item_id, f->channel_id, why);
		} else {
			char gave[400];
			const char *final = why;
			if (transient(status)) {
				snprintf(gave, sizeof(gave), "gave up after %d attempts: %s",
					 f->attempts, why);
				final = gave;
			}
			rc = announce_store_failed(db, f->row_id, final);
			api->log(self, HW_LOG_WARN, "announce: #%lld to %s failed: %s",
				 (long long)f->item_id, f->channel_id, final);
			if (rc == HW_OK)
				settle(a, f->item_id, f->channel_id, 0, final);
		}
	}
	if (rc != HW_OK)
		/* The row stays 'sending': the next start sends it again with
		 * the same nonce, which Discord deduplicates. */
		api->log(self, HW_LOG_ERROR, "announce: cannot record the result of row %lld: %s",
			 (long long)f->row_id, sqlite3_errmsg(db));
	free(f);
	announce_send_rearm(a);
}

static void send_row(struct announce *a, const struct announce_row *r)
{
	const hw_api *api = a->api;
	struct announce_flight *f = calloc(1, sizeof(*f));
	hw_message m = {.struct_size = sizeof(m)};
	const char *users[ANNOUNCE_MENTIONS_MAX];
	char why[64], *list = NULL;
	size_t nusers = 0;
	int rc;

	if (!f) {
		/* Left 'sending'; recovered at the next start. */
		api->log(a->self, HW_LOG_ERROR, "announce: out of memory sending row %lld",
			 (long long)r->id);
		return;
	}
	f->a = a;
	f->row_id = r->id;
	f->item_id = r->item_id;
	f->attempts = r->attempts;
	snprintf(f->channel_id, sizeof(f->channel_id), "%s", r->channel_id);
	f->next = a->flights;
	a->flights = f;
	m.content = r->text;
	m.allow_mentions = r->mentions;
	m.nonce = r->nonce;
	/* The speakers who opted in: only they are pinged (the host drops
	 * anything that is not a user id). */
	if (r->mention_users && (list = strdup(r->mention_users))) {
		char *save = NULL;
		for (char *u = strtok_r(list, ",", &save); u && nusers < ANNOUNCE_MENTIONS_MAX;
		     u = strtok_r(NULL, ",", &save))
			users[nusers++] = u;
		m.mention_users = users;
		m.nmention_users = nusers;
	}
	rc = api->send(a->self, r->channel_id, &m, on_sent, f);
	free(list);
	if (rc == HW_OK)
		return;
	/* Refused before anything went out (e.g. not a channel id). The
	 * callback will not run: the flight is ours to free. */
	flight_unlink(a, f);
	free(f);
	snprintf(why, sizeof(why), "not sent: the host refused it (error %d)", rc);
	if (announce_store_failed(api->db(a->self), r->id, why) == HW_OK)
		settle(a, r->item_id, r->channel_id, 0, why);
}

void announce_send_dispatch(struct announce *a)
{
	const hw_api *api = a->api;
	sqlite3 *db = api->db(a->self);
	struct announce_row *rows;
	size_t n;

	if (a->dispatching) {
		a->again = 1;
		return;
	}
	a->dispatching = 1;
	do {
		a->again = 0;
		rows = NULL;
		n = 0;
		if (announce_store_claim(db, api->now_ms(a->self), a->start_ms, ANNOUNCE_BATCH,
					 &rows, &n)) {
			api->log(a->self, HW_LOG_ERROR, "announce: cannot claim due rows: %s",
				 sqlite3_errmsg(db));
			break;
		}
		for (size_t i = 0; i < n; i++)
			send_row(a, &rows[i]);
		announce_store_rows_free(rows, n);
	} while (n == ANNOUNCE_BATCH || a->again);
	a->dispatching = 0;
	announce_send_rearm(a);
}

int announce_send_recover(struct announce *a)
{
	size_t resent = 0, skipped = 0;
	int rc = announce_store_recover(a->api->db(a->self), a->api->now_ms(a->self),
					a->catchup_ms, &resent, &skipped);
	if (rc == HW_OK && (resent || skipped))
		a->api->log(a->self, HW_LOG_INFO,
			    "announce: recovered the outbox: %zu unconfirmed sends to retry "
			    "with their nonce, %zu missed (older than the catch-up window) skipped",
			    resent, skipped);
	return rc;
}

/* ---- organizers waiting for a broadcast's result -------------------- */

int announce_send_wait(struct announce *a, int64_t item_id, const hw_invocation *inv,
		       size_t total, const char *channels)
{
	struct announce_wait *w = calloc(1, sizeof(*w));
	if (!w || !(w->channels = strdup(channels))) {
		free(w);
		return HW_ERR_NOMEM;
	}
	if (!(w->inv = a->api->invocation_keep(a->self, inv))) {
		free(w->channels);
		free(w);
		return HW_ERR_NOMEM;
	}
	w->item_id = item_id;
	w->total = total;
	w->next = a->waits;
	a->waits = w;
	return HW_OK;
}

static void wait_free(struct announce *a, struct announce_wait *w)
{
	a->api->invocation_release(a->self, w->inv);
	free(w->channels);
	free(w);
}

static void settle(struct announce *a, int64_t item_id, const char *channel_id, int ok,
		   const char *error)
{
	struct announce_wait **it, *w;
	char text[1800];

	for (it = &a->waits; *it && (*it)->item_id != item_id; it = &(*it)->next)
		;
	if (!(w = *it))
		return;
	if (ok) {
		w->ok++;
	} else {
		if (!w->failed)
			snprintf(w->error, sizeof(w->error), "<#%s>: %s", channel_id,
				 error ? error : "?");
		w->failed++;
	}
	if (w->ok + w->failed < w->total)
		return;
	*it = w->next;
	if (!w->failed)
		snprintf(text, sizeof(text), "Posted #%lld to %zu channel%s (%s).",
			 (long long)item_id, w->ok, w->ok == 1 ? "" : "s", w->channels);
	else
		snprintf(text, sizeof(text),
			 "Posted #%lld to %zu of %zu channels; %zu failed (%s%s). "
			 "See `announce audit`.",
			 (long long)item_id, w->ok, w->total, w->failed, w->error,
			 w->failed > 1 ? ", ..." : "");
	if (a->api->reply(a->self, w->inv, text) != HW_OK)
		a->api->log(a->self, HW_LOG_WARN, "announce: cannot answer for #%lld",
			    (long long)item_id);
	wait_free(a, w);
}

void announce_send_shutdown(struct announce *a)
{
	while (a->waits) {
		struct announce_wait *w = a->waits;
		a->waits = w->next;
		wait_free(a, w);
	}
	while (a->flights) {
		struct announce_flight *f = a->flights;
		a->flights = f->next;
		free(f);
	}
	if (a->timer) {
		a->api->cancel(a->self, a->timer);
		a->timer = 0;
	}
}
