/*
 * Reminder DMs before starred talks.
 *
 * Durability: a reminder is a row (recommend_reminders). Before its DM is
 * sent the row becomes "sending" (committed), and the send callback makes
 * it "sent". After a crash between the two, start-up puts it back to
 * pending and it is sent again with the same nonce, which Discord's
 * enforce_nonce turns into the message already posted: never twice. A
 * reminder whose talk started while the bot was down is skipped ("late"),
 * never sent late. One timer on the conference clock points at the next
 * due reminder.
 *
 * Each step is a unit of work (db_run): the timer's check skips the late
 * ones and claims the due ones (pending -> sending, one conditional UPDATE
 * each, so two daemons on one PostgreSQL never both claim a row) in one
 * transaction, and the DMs go out from its done(), after the commit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/events.h>

#include "rec_fmt.h"
#include "rec_store.h"
#include "recommend.h"

#define REMIND_BATCH 50

void rec_remind_nonce(const char *user, const char *talk_id, int64_t start_at, char *buf,
		      size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	char when[24];

	snprintf(when, sizeof(when), "%lld", (long long)start_at);
	for (const char *const *s = (const char *const[]){user, "\x1f", talk_id, "\x1f", when, NULL};
	     *s; s++)
		for (const char *c = *s; *c; c++)
			h = (h ^ (unsigned char)*c) * 1099511628211ULL;
	/* "rm" + 16 hex digits: 18 characters, under Discord's 25. */
	snprintf(buf, len, "rm%016llx", (unsigned long long)h);
}

static void flight_free(struct rec_flight *f)
{
	free(f->user_id);
	free(f->talk_id);
	free(f);
}

static void flight_unlink(struct rec_plugin *p, struct rec_flight *f)
{
	for (struct rec_flight **pp = &p->flights; *pp; pp = &(*pp)->next)
		if (*pp == f) {
			*pp = f->next;
			return;
		}
}

/* One reminder's new state (sending -> sent or skipped), as a unit of work. */
struct mark_job {
	struct rec_reminder r; /* user_id, talk_id, start_at; reason in title */
	const char *state;
};

static void mark_free(void *job)
{
	struct mark_job *j = job;
	rec_store_reminders_free(&j->r, 1);
}

static int mark_body(void *ctx, hw_tx *tx, void *job)
{
	struct rec_plugin *p = ctx;
	struct mark_job *j = job;
	return rec_store_mark(p->api, tx, j->r.user_id, j->r.talk_id, j->r.start_at, "sending",
			      j->state, j->r.title, NULL);
}

static void mark_done(void *ctx, int status, void *job)
{
	struct rec_plugin *p = ctx;
	struct mark_job *j = job;
	/* Not recorded: the row stays "sending" and the next start sends it
	 * again with the same nonce, which Discord turns into the message
	 * already posted. */
	if (status != HW_OK)
		p->api->log(p->self, HW_LOG_ERROR, "recommend: cannot record reminder %s of %s as "
			    "%s (%d); it is resent with its nonce at the next start", j->r.talk_id,
			    j->r.user_id, j->state, status);
	mark_free(j);
}

/* Records how a claimed reminder ended (reason NULL for sent). */
static void mark(struct rec_plugin *p, const char *user, const char *talk_id, int64_t start_at,
		 const char *state, const char *reason)
{
	struct mark_job *j = calloc(1, sizeof(*j));
	if (!j || !(j->r.user_id = strdup(user)) || !(j->r.talk_id = strdup(talk_id)) ||
	    (reason && !(j->r.title = strdup(reason)))) {
		if (j)
			mark_free(j);
		p->api->log(p->self, HW_LOG_ERROR, "recommend: out of memory recording a reminder");
		return;
	}
	j->r.start_at = start_at;
	j->state = state;
	hw_units_run(p->units, mark_body, mark_done, mark_free, j);
}

/* The DM went out (message_id set) or failed for good. */
static void sent(hw_plugin *self, int status, const char *message_id, const char *error,
		 void *ud)
{
	struct rec_flight *f = ud;
	struct rec_plugin *p = f->p;
	int ok = message_id != NULL && (status == 0 || (status >= 200 && status < 300));
	char reason[120];

	flight_unlink(p, f);
	if (!ok) {
		snprintf(reason, sizeof(reason), "dm failed (%d): %.80s", status,
			 error ? error : "no reason");
		p->api->log(self, HW_LOG_WARN, "recommend: reminder DM to %s failed: %s",
			    f->user_id, reason);
	}
	mark(p, f->user_id, f->talk_id, f->start_at, ok ? "sent" : "skipped", ok ? NULL : reason);
	flight_free(f);
}

/* Sends one claimed reminder (its row is "sending", committed). */
static void send_one(struct rec_plugin *p, const struct rec_reminder *r)
{
	char span[64], nonce[32], text[600], title[300], room[120];
	int64_t mins = (r->start_at - rec_now(p) + 59) / 60;
	hw_message msg = {.struct_size = sizeof(msg)};
	struct rec_flight *f;

	f = calloc(1, sizeof(*f));
	if (!f || !(f->user_id = strdup(r->user_id)) || !(f->talk_id = strdup(r->talk_id))) {
		if (f)
			flight_free(f);
		mark(p, r->user_id, r->talk_id, r->start_at, "pending", NULL);
		return;
	}
	f->p = p;
	f->start_at = r->start_at;
	rec_fmt_span(p->tz, r->start_at, 0, span, sizeof(span));
	rec_fmt_cut(r->title, title, sizeof(title));
	rec_fmt_cut(r->room ? r->room : "", room, sizeof(room));
	snprintf(text, sizeof(text), "⏰ Starting in %lld min: **%s** — %s%s%s (<t:%lld:t>, <t:%lld:R>)",
		 (long long)(mins > 0 ? mins : 0), title, span, room[0] ? " in " : "", room,
		 (long long)r->start_at, (long long)r->start_at);
	rec_remind_nonce(r->user_id, r->talk_id, r->start_at, nonce, sizeof(nonce));
	msg.content = text;
	msg.nonce = nonce;
	f->next = p->flights;
	p->flights = f;
	/* The callback may run before dm() returns (console, tests): f is not
	 * touched after the call unless dm() failed (then no callback ran). */
	if (p->api->dm(p->self, r->user_id, &msg, sent, f) != HW_OK) {
		p->api->log(p->self, HW_LOG_WARN, "recommend: cannot DM %s a reminder",
			    r->user_id);
		flight_unlink(p, f);
		mark(p, r->user_id, r->talk_id, r->start_at, "skipped", "dm refused");
		flight_free(f);
	}
}

/* One check of due reminders: claimed in the unit, sent from its done. */
struct due_job {
	int64_t now;
	struct rec_reminder *r;
	size_t n;
};

static void due_free(void *job)
{
	struct due_job *j = job;
	rec_store_reminders_free(j->r, j->n);
	free(j);
}

static int due_body(void *ctx, hw_tx *tx, void *job)
{
	struct rec_plugin *p = ctx;
	struct due_job *j = job;
	return rec_store_claim_due(p->api, tx, j->now, REMIND_BATCH, &j->r, &j->n);
}

static void due_done(void *ctx, int status, void *job)
{
	struct rec_plugin *p = ctx;
	struct due_job *j = job;

	if (status != HW_OK)
		p->api->log(p->self, HW_LOG_ERROR, "recommend: cannot read due reminders (%d)",
			    status);
	for (size_t i = 0; status == HW_OK && i < j->n; i++)
		send_one(p, &j->r[i]);
	due_free(j);
	rec_remind_arm(p);
}

static void fire(hw_plugin *self, hw_handle timer, void *ud)
{
	struct rec_plugin *p = ud;
	struct due_job *j = calloc(1, sizeof(*j));
	(void)timer;

	p->timer = 0;
	if (!j) {
		p->api->log(self, HW_LOG_ERROR, "recommend: out of memory checking reminders");
		rec_remind_arm(p);
		return;
	}
	j->now = rec_now(p);
	if (hw_units_run(p->units, due_body, due_done, due_free, j) != HW_OK)
		rec_remind_arm(p);
}

/* The next due time, read in a unit of work; the timer is set from it. */
struct arm_job {
	int64_t due;
	int found;
};

static int arm_body(void *ctx, hw_tx *tx, void *job)
{
	struct rec_plugin *p = ctx;
	struct arm_job *j = job;
	return rec_store_next_due(p->api, tx, &j->due, &j->found);
}

static void arm_done(void *ctx, int status, void *job)
{
	struct rec_plugin *p = ctx;
	struct arm_job *j = job;
	int64_t due = j->due, now = rec_now(p);
	int found = j->found;

	free(j);
	p->arming = 0;
	if (status != HW_OK) {
		/* The database is away: look again in a minute rather than
		 * forget the reminders. */
		p->api->log(p->self, HW_LOG_WARN, "recommend: cannot read the next reminder (%d); "
			    "trying again in a minute", status);
		found = 1;
		due = now + 60;
	}
	if (p->arm_again) {
		p->arm_again = 0;
		rec_remind_arm(p);
		return;
	}
	if (!found) {
		if (p->timer)
			p->api->cancel(p->self, p->timer);
		p->timer = 0;
		return;
	}
	/* At least a second apart: a row that cannot be updated must not
	 * spin the loop. */
	if (due <= now)
		due = now + 1;
	if (p->timer && p->timer_due == due)
		return;
	if (p->timer)
		p->api->cancel(p->self, p->timer);
	/* The conference clock may run faster than real time: timers follow
	 * it, so the delay is in conference milliseconds. */
	p->timer = p->api->timer_add(p->self, (due - now) * 1000, 0, fire, p);
	p->timer_due = due;
	if (!p->timer)
		p->api->log(p->self, HW_LOG_ERROR, "recommend: cannot set the reminder timer");
}

void rec_remind_arm(struct rec_plugin *p)
{
	struct arm_job *j;

	if (p->arming) {
		p->arm_again = 1; /* once the read out now is back */
		return;
	}
	if (!(j = calloc(1, sizeof(*j)))) {
		p->api->log(p->self, HW_LOG_ERROR, "recommend: out of memory arming reminders");
		return;
	}
	p->arming = 1;
	if (hw_units_run(p->units, arm_body, arm_done, free, j) != HW_OK)
		p->arming = 0;
}

/* Start-up recovery (see rec_store_recover), then the first arming. */
struct recover_job {
	int64_t now;
	size_t skipped;
};

static int recover_body(void *ctx, hw_tx *tx, void *job)
{
	struct rec_plugin *p = ctx;
	struct recover_job *j = job;
	return rec_store_recover(p->api, tx, j->now, &j->skipped);
}

static void recover_done(void *ctx, int status, void *job)
{
	struct rec_plugin *p = ctx;
	struct recover_job *j = job;

	if (status != HW_OK)
		p->api->log(p->self, HW_LOG_ERROR, "recommend: reminder recovery failed (%d); "
			    "reminders wait for the next start or the next star", status);
	else if (j->skipped)
		p->api->log(p->self, HW_LOG_INFO,
			    "recommend: skipped %zu reminder(s) whose talk started while the bot was down",
			    j->skipped);
	free(j);
	if (status == HW_OK)
		rec_remind_arm(p);
}

/* This daemon just became the active one (PostgreSQL with a standby): the
 * reminders the old active one had claimed are its now. The same recovery
 * as at start-up puts them back to pending, and they go out with their
 * nonce, so Discord keeps one message if the old one had sent it. */
void rec_remind_on_active(hw_plugin *self, const char *type, json_t *data, void *ud)
{
	struct rec_plugin *p = ud;
	if (!hw_event_check(p->api, self, type, data, HW_LEASE_ACTIVE_VERSION))
		return;
	p->api->log(self, HW_LOG_INFO, "recommend: active now: taking over the reminders");
	if (rec_remind_start(p) != HW_OK)
		p->api->log(self, HW_LOG_ERROR, "recommend: cannot take over the reminders");
}

int rec_remind_start(struct rec_plugin *p)
{
	struct recover_job *j = calloc(1, sizeof(*j));
	if (!j)
		return HW_ERR_NOMEM;
	j->now = rec_now(p);
	return hw_units_run(p->units, recover_body, recover_done, free, j);
}

void rec_remind_stop(struct rec_plugin *p)
{
	/* The host drops pending sends at unload without calling back. The
	 * rows stay "sending" and are resent with their nonce next start. */
	while (p->flights) {
		struct rec_flight *f = p->flights;
		p->flights = f->next;
		flight_free(f);
	}
	if (p->timer)
		p->api->cancel(p->self, p->timer);
	p->timer = 0;
}
