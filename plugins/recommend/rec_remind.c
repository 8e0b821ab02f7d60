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
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The DM went out (message_id set) or failed for good. */
static void sent(hw_plugin *self, int status, const char *message_id, const char *error,
		 void *ud)
{
	struct rec_flight *f = ud;
	struct rec_plugin *p = f->p;
	int ok = message_id != NULL && (status == 0 || (status >= 200 && status < 300));
	char reason[120];

	flight_unlink(p, f);
	if (!ok)
		snprintf(reason, sizeof(reason), "dm failed (%d): %.80s", status,
			 error ? error : "no reason");
	if (rec_store_mark(p->db, f->user_id, f->talk_id, f->start_at, "sending",
			   ok ? "sent" : "skipped", ok ? NULL : reason, NULL))
		p->api->log(self, HW_LOG_ERROR, "recommend: cannot record a sent reminder: %s",
			    sqlite3_errmsg(p->db));
	if (!ok)
		p->api->log(self, HW_LOG_WARN, "recommend: reminder DM to %s failed: %s",
			    f->user_id, reason);
	flight_free(f);
}

static void send_one(struct rec_plugin *p, const struct rec_reminder *r)
{
	char span[64], nonce[32], text[600], title[300], room[120];
	int64_t mins = (r->start_at - rec_now(p) + 59) / 60;
	hw_message msg = {.struct_size = sizeof(msg)};
	struct rec_flight *f;
	int changed = 0;

	/* Persist first: from here on a crash means "resend with this nonce". */
	if (rec_store_mark(p->db, r->user_id, r->talk_id, r->start_at, "pending", "sending", NULL,
			   &changed) ||
	    !changed)
		return;
	f = calloc(1, sizeof(*f));
	if (!f || !(f->user_id = strdup(r->user_id)) || !(f->talk_id = strdup(r->talk_id))) {
		if (f)
			flight_free(f);
		rec_store_mark(p->db, r->user_id, r->talk_id, r->start_at, "sending", "pending",
			       NULL, NULL);
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
		rec_store_mark(p->db, r->user_id, r->talk_id, r->start_at, "sending", "skipped",
			       "dm refused", NULL);
		flight_free(f);
	}
}

static void fire(hw_plugin *self, hw_handle timer, void *ud)
{
	struct rec_plugin *p = ud;
	struct rec_reminder *r = NULL;
	size_t n = 0;
	int64_t now = rec_now(p);

	p->timer = 0;
	/* A timer that fires after the talk started (the clock jumped, the
	 * loop stalled) skips rather than sends late. */
	if (rec_store_skip_started(p->db, now))
		p->api->log(self, HW_LOG_ERROR, "recommend: reminder update failed: %s",
			    sqlite3_errmsg(p->db));
	if (rec_store_due(p->db, now, REMIND_BATCH, &r, &n) == REC_OK) {
		for (size_t i = 0; i < n; i++)
			send_one(p, &r[i]);
		rec_store_reminders_free(r, n);
	} else {
		p->api->log(self, HW_LOG_ERROR, "recommend: cannot read reminders: %s",
			    sqlite3_errmsg(p->db));
	}
	rec_remind_arm(p);
}

void rec_remind_arm(struct rec_plugin *p)
{
	int64_t due = 0, now = rec_now(p);
	int found = 0;

	if (rec_store_next_due(p->db, &due, &found) || !found) {
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

int rec_remind_start(struct rec_plugin *p)
{
	size_t skipped = 0;
	int ret = rec_store_recover(p->db, rec_now(p), &skipped);

	if (ret) {
		p->api->log(p->self, HW_LOG_ERROR, "recommend: reminder recovery failed: %s",
			    sqlite3_errmsg(p->db));
		return HW_ERR_STORAGE;
	}
	if (skipped)
		p->api->log(p->self, HW_LOG_INFO,
			    "recommend: skipped %zu reminder(s) whose talk started while the bot was down",
			    skipped);
	rec_remind_arm(p);
	return HW_OK;
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
