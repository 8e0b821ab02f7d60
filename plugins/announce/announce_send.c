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
 *
 * Every read and write is a unit of work (db_run, either engine): the
 * claim, each send's result, the recovery, the rearm. On PostgreSQL with
 * two daemons the host fences each with the lease epoch, so a standby (or
 * a daemon that lost the lease) claims nothing and sends nothing; the one
 * that becomes active recovers what the previous one left 'sending' and
 * sends it again with the row's nonce (Discord keeps one message).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "announce.h"
#include "announce_store.h"
#include <hallway/events.h>
#include <hallway/reply.h>

#define RETRY_BASE_MS 30000
#define UNAVAILABLE_RETRY_MS 10000 /* the database away, or this daemon the standby */

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
 * see bot/metrics.h): hallway_outbox_pending and hallway_outbox_failed. */
static void report_metrics(struct announce *a, const int64_t v[2])
{
	static const char *const help[2] = {
		"Announcements written to the outbox and not yet accepted by Discord",
		"Announcements that failed for good (see announce audit)"};
	static const char *const names[2] = {"outbox_pending", "outbox_failed"};
	for (int i = 0; i < 2; i++) {
		json_t *r = json_pack("{s:i, s:s, s:s, s:I, s:s}", "version",
				      HW_METRICS_REPORT_VERSION, "name", names[i], "type", "gauge",
				      "value", (json_int_t)v[i], "help", help[i]);
		if (r)
			a->api->publish(a->self, HW_EVENT_METRICS_REPORT, r);
		json_decref(r);
	}
}

/* A unit of work refused: the database is away, or this daemon is the
 * standby (its writes are refused), said at debug level; else a warning. */
static void unit_failed(struct announce *a, int status, const char *what)
{
	a->api->log(a->self, status == HW_ERR_UNAVAILABLE ? HW_LOG_DEBUG : HW_LOG_ERROR,
		    "announce: cannot %s (%d)", what, status);
}

/* Arms the timer for due (conference ms; -1: none). */
static void arm(struct announce *a, int64_t due)
{
	const hw_api *api = a->api;
	int64_t now = api->now_ms(a->self), delay;
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

struct rearm_job {
	int64_t counts[2], due;
};

static int rearm_body(void *ctx, hw_tx *tx, void *job)
{
	struct announce *a = ctx;
	struct rearm_job *j = job;
	int rc = announce_store_counts(a->api, tx, &j->counts[0], &j->counts[1]);
	return rc ? rc : announce_store_next_due(a->api, tx, &j->due);
}

static void rearm_done(void *ctx, int status, void *job)
{
	struct announce *a = ctx;
	struct rearm_job *j = job;
	a->rearming = 0;
	if (status == HW_OK) {
		report_metrics(a, j->counts);
		arm(a, j->due);
	} else {
		unit_failed(a, status, "read the outbox; looking again soon");
		arm(a, a->api->now_ms(a->self) + UNAVAILABLE_RETRY_MS);
	}
	free(j);
	announce_web_refresh(a);
	if (a->rearm_again) {
		a->rearm_again = 0;
		announce_send_rearm(a);
	}
}

void announce_send_rearm(struct announce *a)
{
	struct rearm_job *j;
	if (a->rearming) {
		a->rearm_again = 1;
		return;
	}
	if (!(j = calloc(1, sizeof(*j)))) {
		a->api->log(a->self, HW_LOG_ERROR, "announce: out of memory reading the outbox");
		return;
	}
	a->rearming = 1;
	if (hw_units_run(a->units, rearm_body, rearm_done, free, j))
		a->rearming = 0;
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

/* The outcome of one send, recorded in a unit of work. */
struct result_job {
	int64_t row_id, item_id, now, retry_at;
	int outcome;              /* RESULT_* */
	char channel_id[32];
	char message_id[32];
	char why[400];
};

enum { RESULT_SENT, RESULT_RETRY, RESULT_FAILED };

static int result_body(void *ctx, hw_tx *tx, void *job)
{
	struct announce *a = ctx;
	struct result_job *j = job;
	switch (j->outcome) {
	case RESULT_SENT:
		return announce_store_sent(a->api, tx, j->row_id, j->message_id, j->now);
	case RESULT_RETRY:
		return announce_store_retry(a->api, tx, j->row_id, j->why, j->retry_at);
	default:
		return announce_store_failed(a->api, tx, j->row_id, j->why);
	}
}

static void result_done(void *ctx, int status, void *job)
{
	struct announce *a = ctx;
	struct result_job *j = job;
	if (status != HW_OK)
		/* The row stays 'sending': recovery (the next start, or the next
		 * active daemon) sends it again with the same nonce, which
		 * Discord deduplicates. */
		a->api->log(a->self, HW_LOG_ERROR,
			    "announce: cannot record the result of row %lld (%d)",
			    (long long)j->row_id, status);
	else if (j->outcome == RESULT_SENT)
		settle(a, j->item_id, j->channel_id, 1, NULL);
	else if (j->outcome == RESULT_FAILED)
		settle(a, j->item_id, j->channel_id, 0, j->why);
	free(j);
	announce_send_rearm(a);
}

static void record(struct announce *a, struct result_job *j)
{
	j->now = a->api->now_ms(a->self);
	if (hw_units_run(a->units, result_body, result_done, free, j))
		a->api->log(a->self, HW_LOG_ERROR,
			    "announce: cannot queue the result of row %lld; it is sent again "
			    "(same nonce) at the next recovery", (long long)j->row_id);
}

static void on_sent(hw_plugin *self, int status, const char *message_id, const char *error,
		    void *ud)
{
	struct announce_flight *f = ud;
	struct announce *a = f->a;
	const hw_api *api = a->api;
	struct result_job *j = calloc(1, sizeof(*j));
	char why[300];
	int ok = status >= 200 && status < 300;

	flight_unlink(a, f);
	if (!j) {
		api->log(self, HW_LOG_ERROR, "announce: out of memory recording row %lld",
			 (long long)f->row_id);
		free(f);
		return;
	}
	j->row_id = f->row_id;
	j->item_id = f->item_id;
	snprintf(j->channel_id, sizeof(j->channel_id), "%s", f->channel_id);
	if (ok) {
		j->outcome = RESULT_SENT;
		snprintf(j->message_id, sizeof(j->message_id), "%s", message_id ? message_id : "?");
		api->log(self, HW_LOG_INFO, "announce: #%lld sent to %s as message %s",
			 (long long)f->item_id, f->channel_id, message_id ? message_id : "?");
	} else {
		if (error && !strncmp(error, "HTTP ", 5))
			snprintf(why, sizeof(why), "%s", error); /* the host's own words */
		else
			snprintf(why, sizeof(why), "%s%d: %s", status ? "HTTP " : "transport error ",
				 status, error && *error ? error : "no reason given");
		if (transient(status) && f->attempts < ANNOUNCE_MAX_ATTEMPTS) {
			j->outcome = RESULT_RETRY;
			j->retry_at = api->now_ms(self) + (int64_t)RETRY_BASE_MS * f->attempts;
			snprintf(j->why, sizeof(j->why), "%s", why);
			api->log(self, HW_LOG_WARN, "announce: #%lld to %s failed (%s); retrying",
				 (long long)f->item_id, f->channel_id, why);
		} else {
			j->outcome = RESULT_FAILED;
			if (transient(status))
				snprintf(j->why, sizeof(j->why), "gave up after %d attempts: %s",
					 f->attempts, why);
			else
				snprintf(j->why, sizeof(j->why), "%s", why);
			api->log(self, HW_LOG_WARN, "announce: #%lld to %s failed: %s",
				 (long long)f->item_id, f->channel_id, j->why);
		}
	}
	free(f);
	record(a, j);
}

/* A starting-soon post's model with this row's nonce and the users it
 * pings (at most HW_REPLY_MENTIONS_MAX; only they are pinged). Steals
 * model; returns what api->send_model returns. */
static int send_model_row(struct announce *a, const struct announce_row *r, json_t *model,
			  struct announce_flight *f)
{
	json_t *users = json_array();
	char *list = r->mention_users ? strdup(r->mention_users) : NULL, *save = NULL;
	int rc = HW_ERR_NOMEM;

	if (!users || (r->mention_users && !list))
		goto out;
	for (char *u = list ? strtok_r(list, ",", &save) : NULL;
	     u && json_array_size(users) < HW_REPLY_MENTIONS_MAX; u = strtok_r(NULL, ",", &save))
		if (json_array_append_new(users, json_string(u)))
			goto out;
	if (json_object_set_new(model, "nonce", json_string(r->nonce)) ||
	    (json_array_size(users) && json_object_set(model, "mention_users", users)))
		goto out;
	rc = a->api->send_model(a->self, r->channel_id, model, on_sent, f);
	model = NULL; /* stolen, also on error */
out:
	json_decref(model);
	json_decref(users);
	free(list);
	return rc;
}

/* Any other row: its text (a post's summary when the host draws no
 * model), with its nonce, pinging only its mention_users (the host drops
 * anything that is not a user id). */
static int send_text_row(struct announce *a, const struct announce_row *r,
			 struct announce_flight *f)
{
	hw_message m = {.struct_size = sizeof(m)};
	const char *users[ANNOUNCE_MENTIONS_MAX];
	char summary[ANNOUNCE_TEXT_MAX + 1], *list = NULL;
	size_t nusers = 0;
	int rc;

	m.content = announce_shown(r->text, summary, sizeof(summary));
	m.allow_mentions = r->mentions;
	m.nonce = r->nonce;
	if (r->mention_users && (list = strdup(r->mention_users))) {
		char *save = NULL;
		for (char *u = strtok_r(list, ",", &save); u && nusers < ANNOUNCE_MENTIONS_MAX;
		     u = strtok_r(NULL, ",", &save))
			users[nusers++] = u;
		m.mention_users = users;
		m.nmention_users = nusers;
	}
	rc = a->api->send(a->self, r->channel_id, &m, on_sent, f);
	free(list);
	return rc;
}

static void send_row(struct announce *a, const struct announce_row *r)
{
	const hw_api *api = a->api;
	struct announce_flight *f = calloc(1, sizeof(*f));
	struct result_job *j;
	json_t *model;
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
	/* A starting-soon post is a reply model (announce_soon.c), drawn by
	 * the host; a host without send_model gets its summary as text. */
	if (api->send_model && (model = announce_soon_model(r->text)))
		rc = send_model_row(a, r, model, f);
	else
		rc = send_text_row(a, r, f);
	if (rc == HW_OK)
		return;
	/* Refused before anything went out (e.g. not a channel id). The
	 * callback will not run: the flight is ours to free. */
	flight_unlink(a, f);
	free(f);
	if (!(j = calloc(1, sizeof(*j))))
		return; /* left 'sending', recovered at the next start */
	j->row_id = r->id;
	j->item_id = r->item_id;
	j->outcome = RESULT_FAILED;
	snprintf(j->channel_id, sizeof(j->channel_id), "%s", r->channel_id);
	snprintf(j->why, sizeof(j->why), "not sent: the host refused it (error %d)", rc);
	record(a, j);
}

struct claim_job {
	int64_t now;
	struct announce_row *rows;
	size_t n;
};

static void claim_free(void *job)
{
	struct claim_job *j = job;
	announce_store_rows_free(j->rows, j->n);
	free(j);
}

static int claim_body(void *ctx, hw_tx *tx, void *job)
{
	struct announce *a = ctx;
	struct claim_job *j = job;
	return announce_store_claim(a->api, tx, a->pg, j->now, a->start_ms, ANNOUNCE_BATCH,
				    &j->rows, &j->n);
}

static void claim_done(void *ctx, int status, void *job)
{
	struct announce *a = ctx;
	struct claim_job *j = job;
	int more = 0;

	a->claiming = 0;
	if (status == HW_OK) {
		for (size_t i = 0; i < j->n; i++)
			send_row(a, &j->rows[i]);
		more = j->n == ANNOUNCE_BATCH || a->again;
	} else {
		/* Not claimed: tried again soon (a standby's claims are refused
		 * until it is the active one; then it recovers at once). */
		unit_failed(a, status, "claim due rows");
		arm(a, a->api->now_ms(a->self) + UNAVAILABLE_RETRY_MS);
	}
	a->again = 0;
	claim_free(j);
	if (more)
		announce_send_dispatch(a);
	else if (status == HW_OK)
		announce_send_rearm(a);
}

void announce_send_dispatch(struct announce *a)
{
	struct claim_job *j;

	if (a->claiming) {
		a->again = 1;
		return;
	}
	if (!(j = calloc(1, sizeof(*j)))) {
		a->api->log(a->self, HW_LOG_ERROR, "announce: out of memory claiming due rows");
		return;
	}
	j->now = a->api->now_ms(a->self);
	a->claiming = 1;
	if (hw_units_run(a->units, claim_body, claim_done, claim_free, j))
		a->claiming = 0;
}

struct recover_job {
	int64_t now;
	size_t resent, skipped;
};

static int recover_body(void *ctx, hw_tx *tx, void *job)
{
	struct announce *a = ctx;
	struct recover_job *j = job;
	return announce_store_recover(a->api, tx, j->now, a->catchup_ms, &j->resent, &j->skipped);
}

static void recover_done(void *ctx, int status, void *job)
{
	struct announce *a = ctx;
	struct recover_job *j = job;
	if (status != HW_OK)
		unit_failed(a, status, "recover the outbox");
	else if (j->resent || j->skipped)
		a->api->log(a->self, HW_LOG_INFO,
			    "announce: recovered the outbox: %zu unconfirmed sends to retry "
			    "with their nonce, %zu missed (older than the catch-up window) skipped",
			    j->resent, j->skipped);
	free(j);
	announce_send_dispatch(a);
}

int announce_send_recover(struct announce *a)
{
	struct recover_job *j = calloc(1, sizeof(*j));
	if (!j)
		return HW_ERR_NOMEM;
	j->now = a->api->now_ms(a->self);
	return hw_units_run(a->units, recover_body, recover_done, free, j);
}

void announce_send_on_active(hw_plugin *self, const char *type, json_t *data, void *ud)
{
	struct announce *a = ud;
	if (!hw_event_check(a->api, self, type, data, HW_LEASE_ACTIVE_VERSION))
		return;
	/* What the previous active daemon claimed may or may not have reached
	 * Discord: recovered as after a crash, sent again with its nonce. */
	a->api->log(self, HW_LOG_INFO, "announce: active now: recovering the outbox");
	if (announce_send_recover(a))
		a->api->log(self, HW_LOG_ERROR, "announce: cannot queue the outbox recovery");
}

/* ---- organizers waiting for a broadcast's result -------------------- */

int announce_send_wait(struct announce *a, int64_t item_id, const hw_invocation *inv,
		       size_t total, const char *channels)
{
	struct announce_wait *w = calloc(1, sizeof(*w));
	if (!w || !(w->channels = strdup(channels))) {
		free(w);
		a->api->invocation_release(a->self, inv);
		return HW_ERR_NOMEM;
	}
	w->inv = inv;
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
