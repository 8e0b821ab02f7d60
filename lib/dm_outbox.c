/*
 * The DM outbox (include/hallway/dm_outbox.h) on the storage API. The SQL
 * names the plugin's table, which cannot be a bound parameter: the
 * statements are written once at start from a name checked to be
 * [a-z0-9_]+ (a constant of the plugin, never user text), and are not
 * changed afterwards, so the storage thread may read them in a body.
 *
 * Every database step is a unit of work (db_run): a claim (release the
 * stale claims, then claim a batch: UPDATE ... RETURNING), and one result
 * per send (delete, or release for a retry). The outbox lives until its
 * owner stopped it and the last unit of work it queued is done.
 */
#include <hallway/dm_outbox.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/events.h>
#include <hallway/text.h>

#define OUTBOX_BATCH 50
#define RELEASE_NONE 0
#define RELEASE_ALL INT64_MAX

/* One DM in flight: the send callback's ud. Listed in the outbox, so the
 * ones whose callback never comes (the plugin stops) are freed at stop. */
struct notice {
	struct notice *next;
	hw_dm_outbox *o;
	int64_t id;
};

struct hw_dm_outbox {
	hw_plugin *self;
	const hw_api *api;
	int64_t retry_ms;
	hw_handle timer;
	int refs;               /* the owner's until stop, and one per unit of work */
	int stopped;
	int claiming;           /* a claim is queued */
	int again;              /* a flush was asked for meanwhile */
	int64_t release_before; /* the next claim first releases older claims */
	struct notice *notices;
	char table[64];
	char sql_claim[400], sql_release_before[160], sql_release[160], sql_delete[128];
};

struct claim_row {
	int64_t id;
	char *user_id, *text;
};

/* A claim: filled by the body, sent by done. */
struct claim {
	hw_dm_outbox *o;
	int64_t now, release_before;
	size_t n;
	struct claim_row rows[OUTBOX_BATCH];
};

/* The outcome of one send. */
struct result {
	hw_dm_outbox *o;
	int64_t id;
	int sent;               /* 1: delete the row; 0: release it for a retry */
};

static void unref(hw_dm_outbox *o)
{
	if (--o->refs > 0)
		return;
	free(o);
}

static void quiet_or_warn(hw_dm_outbox *o, int status, const char *what)
{
	/* A standby's units of work are refused (the database is read-only
	 * for it) and so are all while the database is away: that is the
	 * normal state of a standby, said at debug level. */
	o->api->log(o->self, status == HW_ERR_UNAVAILABLE ? HW_LOG_DEBUG : HW_LOG_WARN,
		    "%s: cannot %s now (%d); the retry timer tries again", o->table, what, status);
}

void hw_dm_outbox_nonce(const char *table, int64_t id, const char *user_id, const char *text,
			char *out)
{
	/* FNV-1a over the fields with a separator; the id in decimal. The
	 * same row gives the same nonce on every daemon. */
	uint64_t h = 1469598103934665603ULL;
	char idbuf[24];
	const char *parts[4] = {table, idbuf, user_id, text};
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	for (size_t i = 0; i < 4; i++) {
		for (const char *p = parts[i] ? parts[i] : ""; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
		h = (h ^ 0xffu) * 1099511628211ULL;
	}
	snprintf(out, HW_DM_OUTBOX_NONCE_MAX, "o%016llx", (unsigned long long)h);
}

/* ---- results ---------------------------------------------------------- */

static int result_body(hw_plugin *self, hw_tx *tx, void *ud)
{
	struct result *r = ud;
	const hw_api *api = r->o->api;
	hw_stmt *st = api->db_prepare(tx, r->sent ? r->o->sql_delete : r->o->sql_release);
	int rc;
	(void)self;
	if (!st)
		return HW_ERR_STORAGE;
	if ((rc = api->db_bind_int(st, 1, r->id)))
		return rc;
	rc = api->db_step(st);
	return rc == HW_DONE ? HW_OK : rc < 0 ? rc : HW_ERR_STORAGE;
}

static void result_done(hw_plugin *self, int status, void *ud)
{
	struct result *r = ud;
	hw_dm_outbox *o = r->o;
	(void)self;
	/* Not recorded: the row stays claimed, the timer releases it after
	 * retry_ms and it is sent again with the same nonce. */
	if (status != HW_OK && !o->stopped)
		quiet_or_warn(o, status, r->sent ? "delete a sent DM's row" : "release a DM's row");
	free(r);
	unref(o);
}

static void queue_result(hw_dm_outbox *o, int64_t id, int sent)
{
	struct result *r = calloc(1, sizeof(*r));
	if (!r) {
		o->api->log(o->self, HW_LOG_ERROR, "%s: out of memory recording row %lld", o->table,
			    (long long)id);
		return;
	}
	r->o = o;
	r->id = id;
	r->sent = sent;
	o->refs++;
	if (o->api->db_run(o->self, result_body, result_done, r)) {
		o->refs--;
		free(r);
		o->api->log(o->self, HW_LOG_WARN, "%s: cannot queue the result of row %lld",
			    o->table, (long long)id);
	}
}

/* ---- sending ---------------------------------------------------------- */

static void notice_unlink(hw_dm_outbox *o, struct notice *n)
{
	for (struct notice **it = &o->notices; *it; it = &(*it)->next)
		if (*it == n) {
			*it = n->next;
			return;
		}
}

static void sent(hw_plugin *self, int status, const char *message_id, const char *error,
		 void *ud)
{
	struct notice *n = ud;
	hw_dm_outbox *o = n->o;
	(void)self;
	notice_unlink(o, n);
	if (message_id) {
		queue_result(o, n->id, 1);
	} else if (status >= 400 && status < 500 && status != 429) {
		/* Final (e.g. 403 code 50007: the user does not accept DMs).
		 * Retrying every minute for the rest of the week helps nobody; the
		 * change itself is committed and shows in the plugin's commands. */
		o->api->log(o->self, HW_LOG_WARN, "%s: DM failed for good (%d %s); not retrying",
			    o->table, status, error ? error : "");
		queue_result(o, n->id, 1);
	} else {
		o->api->log(o->self, HW_LOG_WARN, "%s: DM failed (%d %s); will retry", o->table,
			    status, error ? error : "");
		queue_result(o, n->id, 0);
	}
	free(n);
}

static void send_row(hw_dm_outbox *o, const struct claim_row *r)
{
	struct notice *n = calloc(1, sizeof(*n));
	char nonce[HW_DM_OUTBOX_NONCE_MAX];
	hw_message msg = {.struct_size = sizeof(msg), .content = r->text, .nonce = nonce};
	int rc;

	if (!n) {
		queue_result(o, r->id, 0);
		return;
	}
	hw_dm_outbox_nonce(o->table, r->id, r->user_id, r->text, nonce);
	n->o = o;
	n->id = r->id;
	n->next = o->notices;
	o->notices = n;
	rc = r->user_id[0] == HW_DM_OUTBOX_CHANNEL
		     ? o->api->send(o->self, r->user_id + 1, &msg, sent, n)
		     : o->api->dm(o->self, r->user_id, &msg, sent, n);
	if (rc) {
		/* Refused before anything went out: the callback will not come. */
		o->api->log(o->self, HW_LOG_WARN, "%s: the host refused row %lld (%d)", o->table,
			    (long long)r->id, rc);
		notice_unlink(o, n);
		free(n);
		queue_result(o, r->id, 0);
	}
}

/* ---- claiming --------------------------------------------------------- */

static int claim_body(hw_plugin *self, hw_tx *tx, void *ud)
{
	struct claim *c = ud;
	const hw_api *api = c->o->api;
	hw_stmt *st;
	int rc;
	(void)self;

	if (c->release_before != RELEASE_NONE) {
		if (!(st = api->db_prepare(tx, c->o->sql_release_before)))
			return HW_ERR_STORAGE;
		if ((rc = api->db_bind_int(st, 1, c->release_before)))
			return rc;
		if ((rc = api->db_step(st)) != HW_DONE)
			return rc < 0 ? rc : HW_ERR_STORAGE;
	}
	if (!(st = api->db_prepare(tx, c->o->sql_claim)))
		return HW_ERR_STORAGE;
	if ((rc = api->db_bind_int(st, 1, c->now)))
		return rc;
	while ((rc = api->db_step(st)) == HW_ROW) {
		const char *user = api->db_col_text(st, 1), *text = api->db_col_text(st, 2);
		char *u, *x;
		if (c->n >= OUTBOX_BATCH)
			continue; /* the LIMIT makes this impossible */
		u = strdup(user ? user : "");
		x = strdup(text ? text : "");
		if (!u || !x) {
			free(u);
			free(x);
			return HW_ERR_NOMEM; /* rolled back: nothing is claimed */
		}
		/* c owns them now; claim_done frees them. */
		c->rows[c->n].id = api->db_col_int(st, 0);
		c->rows[c->n].user_id = u;
		c->rows[c->n].text = x;
		c->n++;
	}
	return rc == HW_DONE ? HW_OK : rc < 0 ? rc : HW_ERR_STORAGE;
}

static int row_cmp(const void *x, const void *y)
{
	const struct claim_row *a = x, *b = y;
	return a->id < b->id ? -1 : a->id > b->id;
}

static void claim_done(hw_plugin *self, int status, void *ud)
{
	struct claim *c = ud;
	hw_dm_outbox *o = c->o;
	int more = 0;
	(void)self;

	o->claiming = 0;
	if (!o->stopped) {
		if (status == HW_OK) {
			/* RETURNING has no order: the oldest DM first. */
			qsort(c->rows, c->n, sizeof(c->rows[0]), row_cmp);
			for (size_t i = 0; i < c->n; i++)
				send_row(o, &c->rows[i]);
			more = o->again || c->n == OUTBOX_BATCH;
		} else {
			/* The release did not happen either: the next claim does it. */
			if (c->release_before > o->release_before)
				o->release_before = c->release_before;
			quiet_or_warn(o, status, "claim waiting DMs");
		}
		o->again = 0;
	}
	for (size_t i = 0; i < c->n; i++) {
		free(c->rows[i].user_id);
		free(c->rows[i].text);
	}
	free(c);
	if (more)
		hw_dm_outbox_flush(o);
	unref(o);
}

void hw_dm_outbox_flush(hw_dm_outbox *o)
{
	struct claim *c;

	if (!o || o->stopped)
		return;
	if (o->claiming) {
		o->again = 1; /* the queued claim may run before the rows were committed */
		return;
	}
	if (!(c = calloc(1, sizeof(*c)))) {
		o->api->log(o->self, HW_LOG_ERROR, "%s: out of memory claiming DMs", o->table);
		return;
	}
	c->o = o;
	c->now = o->api->now_ms(o->self);
	c->release_before = o->release_before;
	o->release_before = RELEASE_NONE;
	o->refs++;
	o->claiming = 1;
	if (o->api->db_run(o->self, claim_body, claim_done, c)) {
		o->refs--;
		o->claiming = 0;
		o->release_before = c->release_before;
		free(c);
		o->api->log(o->self, HW_LOG_WARN, "%s: cannot queue a claim of waiting DMs",
			    o->table);
	}
}

static void release_then_flush(hw_dm_outbox *o, int64_t before)
{
	if (before > o->release_before)
		o->release_before = before;
	hw_dm_outbox_flush(o);
}

static void on_timer(hw_plugin *self, hw_handle timer, void *ud)
{
	hw_dm_outbox *o = ud;
	(void)timer;
	/* A DM whose callback never came back within the retry period is
	 * considered lost and tried again (with its nonce). */
	release_then_flush(o, o->api->now_ms(self) - o->retry_ms);
}

static void on_active(hw_plugin *self, const char *type, json_t *data, void *ud)
{
	hw_dm_outbox *o = ud;
	if (o->stopped || !hw_event_check(o->api, self, type, data, HW_LEASE_ACTIVE_VERSION))
		return;
	/* What the previous active daemon claimed may or may not have reached
	 * Discord: everything claimed goes out again, with its nonce. */
	o->api->log(self, HW_LOG_INFO, "%s: active now: sending again what was in flight",
		    o->table);
	release_then_flush(o, RELEASE_ALL);
}

int hw_dm_outbox_start(hw_plugin *self, const hw_api *api, const char *table,
		       int64_t retry_ms, hw_dm_outbox **out)
{
	hw_dm_outbox *o;
	size_t n = table ? strlen(table) : 0;
	int pg, rc;

	if (!n || n >= sizeof(o->table) ||
	    strspn(table, "abcdefghijklmnopqrstuvwxyz0123456789_") != n || retry_ms <= 0)
		return HW_ERR_INVALID;
	if (!HW_API_HAS(api, db_engine) || !api->db_run)
		return HW_ERR_UNSUPPORTED;
	if (!(o = calloc(1, sizeof(*o))))
		return HW_ERR_NOMEM;
	o->self = self;
	o->api = api;
	o->retry_ms = retry_ms;
	o->refs = 1;
	memcpy(o->table, table, n + 1);
	pg = !strcmp(api->db_engine(self), "postgresql");
	/* One statement claims a batch. On PostgreSQL, rows another
	 * transaction holds are skipped, not waited for; on SQLite the
	 * transaction is the one writer (BEGIN IMMEDIATE). */
	hw_fmt(o->sql_claim, sizeof(o->sql_claim),
	       "UPDATE %s SET attempt_ms = ? WHERE id IN (SELECT id FROM %s WHERE attempt_ms IS NULL "
	       "ORDER BY id LIMIT %d%s) RETURNING id, user_id, text",
	       table, table, OUTBOX_BATCH, pg ? " FOR UPDATE SKIP LOCKED" : "");
	hw_fmt(o->sql_release_before, sizeof(o->sql_release_before),
	       "UPDATE %s SET attempt_ms = NULL WHERE attempt_ms < ?", table);
	hw_fmt(o->sql_release, sizeof(o->sql_release),
	       "UPDATE %s SET attempt_ms = NULL WHERE id = ?", table);
	hw_fmt(o->sql_delete, sizeof(o->sql_delete), "DELETE FROM %s WHERE id = ?", table);
	if (!(o->timer = api->timer_add(self, retry_ms, retry_ms, on_timer, o))) {
		free(o);
		return HW_ERR_NOMEM;
	}
	/* Last: a subscription cannot be taken back before the unload. */
	if ((rc = api->subscribe(self, HW_EVENT_LEASE_ACTIVE, on_active, o))) {
		api->cancel(self, o->timer);
		free(o);
		return rc;
	}
	/* At load nothing of ours is in flight: every claim is released. */
	release_then_flush(o, RELEASE_ALL);
	*out = o;
	return HW_OK;
}

void hw_dm_outbox_stop(hw_dm_outbox *o)
{
	if (!o)
		return;
	if (o->timer)
		o->api->cancel(o->self, o->timer);
	o->timer = 0;
	o->stopped = 1;
	while (o->notices) {
		struct notice *n = o->notices;
		o->notices = n->next;
		free(n);
	}
	unref(o);
}
