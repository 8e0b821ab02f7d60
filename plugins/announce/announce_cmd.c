/*
 * The `announce` command, organizers only:
 *   announce <text>                 post now to every configured channel
 *   announce at <time> <text>       schedule it
 *   announce list                   scheduled announcements
 *   announce cancel <id>            cancel one that has not gone out
 *   announce audit [since]          everything that was due, and its fate
 *   announce now <text>             post text that starts with one of the
 *                                   words above
 * The host allows no command named both "announce" and "announce at", so
 * this is one command whose text is read here.
 *
 * What reads or writes the outbox is a unit of work (db_run): the command
 * keeps its invocation and answers from done(), once committed; when the
 * database is away the answer says so and nothing was written.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "announce.h"
#include "announce_store.h"
#include "announce_time.h"
#include <hallway/buf.h>
#include <hallway/tz.h>

#define REPLY_MAX (16 * 1024)  /* the host splits replies at 2000 chars */
#define LIST_ITEMS 20
#define AUDIT_ITEMS 25
#define SNIPPET 80
#define CHANNELS_SHOWN 10

static const char usage[] =
	"Usage: `announce <text>` posts now; `announce at <time> <text>` schedules "
	"(14:30, tomorrow 09:00, friday 10:00, 2026-11-26 14:30, or ISO-8601 with an "
	"offset); `announce list`; `announce cancel <id>` (says what it would stop; `announce cancel <id> confirm` does it); `announce audit [since]`; "
	"`announce now <text>` posts text that starts with at/list/cancel/audit/now.";

/* A quoted one-line excerpt of stored text (hw_buf_add_safe: UTF-8 safe
 * cut with "…", newlines as spaces); a starting-soon post's summary. */
static void add_snippet(hw_buf *b, const char *stored)
{
	char shown[ANNOUNCE_TEXT_MAX + 1];
	const char *text = announce_shown(stored, shown, sizeof(shown));
	hw_buf_add(b, "\"");
	hw_buf_add_safe(b, text, SNIPPET);
	hw_buf_add(b, "\"");
}

/* Sends b and frees it. A reply past REPLY_MAX is cut after its last whole
 * line, and says how many lines it left out: never cut in silence. */
static int reply_buf(struct announce *a, const hw_invocation *inv, hw_buf *b)
{
	const char *text = hw_buf_str(b);
	int rc;

	if (!text) {
		hw_buf_free(b);
		return HW_ERR_NOMEM;
	}
	if (b->len > REPLY_MAX) {
		size_t cut = REPLY_MAX - 100, dropped = 0;

		while (cut > 0 && text[cut - 1] != '\n')
			cut--;
		for (size_t i = cut; i < b->len; i++)
			dropped += text[i] == '\n' || i + 1 == b->len;
		hw_buf_truncate(b, cut);
		hw_buf_addf(b, "(cut short: %zu more line%s not shown)", dropped,
			    dropped == 1 ? "" : "s");
		if (!(text = hw_buf_str(b))) {
			hw_buf_free(b);
			return HW_ERR_NOMEM;
		}
	}
	rc = a->api->reply(a->self, inv, text);
	hw_buf_free(b);
	return rc;
}

static const char *zone_name(const struct announce *a)
{
	return hw_tz_name(announce_tz(a));
}

/* "<#1>, <#2>, ... and N more" for the configured channels. */
static void channel_list(const struct announce *a, hw_buf *b)
{
	for (size_t i = 0; i < a->nchannels && i < CHANNELS_SHOWN; i++)
		hw_buf_addf(b, "%s<#%s>", i ? ", " : "", a->channels[i]);
	if (a->nchannels > CHANNELS_SHOWN)
		hw_buf_addf(b, " and %zu more", a->nchannels - CHANNELS_SHOWN);
}

/* Refuses text that cannot be posted: replies and sets *refused. Returns
 * the reply's result (HW_OK when the text is fine). */
static int check_text(struct announce *a, const hw_invocation *inv, const char *text,
		      int *refused)
{
	char msg[200];
	size_t len = strlen(text);
	*refused = 1;
	if (!*text)
		return a->api->reply(a->self, inv, "Nothing to announce: the text is empty.");
	if (announce_soon_is_post(text))
		/* The stored form of a starting-soon post: never an organizer's
		 * text, so the dispatcher never mistakes one for the other. */
		return a->api->reply(a->self, inv,
				     "That text has the form announce keeps starting-soon posts in; "
				     "please reword its start. Nothing was posted.");
	if (len > ANNOUNCE_TEXT_MAX) {
		snprintf(msg, sizeof(msg),
			 "That is too long for one message: %zu bytes, the limit is %d. "
			 "Nothing was posted.", len, ANNOUNCE_TEXT_MAX);
		return a->api->reply(a->self, inv, msg);
	}
	if (!a->nchannels)
		return a->api->reply(a->self, inv,
				     "No announcement channels are configured "
				     "(plugins.announce.channels). Nothing was posted.");
	*refused = 0;
	return HW_OK;
}

/* One unit of work of the command and what it answers with. */
enum cmd_op { OP_POST, OP_AT, OP_PEEK, OP_CANCEL, OP_LIST, OP_AUDIT };

struct cmd_job {
	struct announce *a;
	const hw_invocation *inv; /* kept; released with the job */
	enum cmd_op op;
	/* in */
	char *text;               /* owned: the announcement */
	char *created_by;         /* owned */
	char *channels;           /* owned: "<#1>, <#2>" for the post's answer */
	int64_t now, due, id, since;
	int mentions;
	char reason[160];
	/* out */
	int64_t item_id, due_out;
	int found;                /* peek, cancel: the item exists */
	size_t pending, nv, ns, more, smore;
	char snippet[100];
	struct announce_view *v, *s;
};

static void cmd_job_free(void *p)
{
	struct cmd_job *j = p;
	/* After shutdown the host has swept the kept invocation itself. */
	if (j->inv && !hw_units_stopping(j->a->units))
		j->a->api->invocation_release(j->a->self, j->inv);
	free(j->text);
	free(j->created_by);
	free(j->channels);
	announce_store_views_free(j->v, j->nv);
	announce_store_views_free(j->s, j->ns);
	free(j);
}

static struct cmd_job *cmd_job_new(struct announce *a, const hw_invocation *inv, enum cmd_op op)
{
	struct cmd_job *j = calloc(1, sizeof(*j));
	if (!j)
		return NULL;
	j->a = a;
	j->op = op;
	j->now = a->api->now_ms(a->self);
	if (!(j->inv = a->api->invocation_keep(a->self, inv))) {
		free(j);
		return NULL;
	}
	return j;
}

static int cmd_body(void *ctx, hw_tx *tx, void *job);
static void cmd_done(void *ctx, int status, void *job);

/* Queues j (taken, also on error). */
static int cmd_run(struct announce *a, struct cmd_job *j)
{
	int rc = hw_units_run(a->units, cmd_body, cmd_done, cmd_job_free, j);
	if (rc)
		a->api->log(a->self, HW_LOG_ERROR, "announce: cannot queue the command's work (%d)",
			    rc);
	return rc;
}

/* A new announcement of text by the invoker, due at due. */
static int add_item(struct announce *a, const hw_invocation *inv, enum cmd_op op,
		    const char *text, int64_t due, const char *channels)
{
	struct cmd_job *j = cmd_job_new(a, inv, op);
	if (!j)
		return HW_ERR_NOMEM;
	j->due = due;
	/* Mentions only when the config allows them, and only for an
	 * organizer (the host already refuses everyone else). */
	j->mentions = a->allow_mentions && inv->is_organizer;
	j->text = strdup(text);
	j->created_by = strdup(inv->user_name ? inv->user_name : "?");
	j->channels = channels ? strdup(channels) : NULL;
	if (!j->text || !j->created_by || (channels && !j->channels)) {
		cmd_job_free(j);
		return HW_ERR_NOMEM;
	}
	return cmd_run(a, j);
}

static struct announce_draft *draft_of(struct announce *a, const char *user_id)
{
	for (size_t i = 0; i < ANNOUNCE_DRAFTS; i++)
		if (a->drafts[i].text && !strcmp(a->drafts[i].user_id, user_id))
			return &a->drafts[i];
	return NULL;
}

static int do_post_now(struct announce *a, const hw_invocation *inv, const char *text);

/* A post to many channels is shown first; `announce confirm` sends it. */
static int do_preview(struct announce *a, const hw_invocation *inv, const char *text)
{
	struct announce_draft *d = draft_of(a, inv->user_id), *oldest = &a->drafts[0];
	hw_buf b;
	char *copy;
	int refused, rc = check_text(a, inv, text, &refused);
	if (refused)
		return rc;
	hw_buf_init(&b, 0);
	if (!d) {
		for (size_t i = 0; i < ANNOUNCE_DRAFTS; i++) {
			if (!a->drafts[i].text) {
				d = &a->drafts[i];
				break;
			}
			if (a->drafts[i].at_ms < oldest->at_ms)
				oldest = &a->drafts[i];
		}
		if (!d)
			d = oldest;
	}
	if (!(copy = strdup(text)))
		return HW_ERR_NOMEM;
	free(d->text);
	d->text = copy;
	d->at_ms = a->api->now_ms(a->self);
	snprintf(d->user_id, sizeof(d->user_id), "%s", inv->user_id);
	hw_buf_addf(&b, "Preview: this goes to %zu channels now:\n", a->nchannels);
	hw_buf_add(&b, text);
	hw_buf_addf(&b, "\nSend `announce confirm` within 10 minutes to post it; nothing is posted "
		      "until then.");
	return reply_buf(a, inv, &b);
}

static int do_confirm(struct announce *a, const hw_invocation *inv)
{
	struct announce_draft *d = draft_of(a, inv->user_id);
	char *text;
	int rc;
	if (!d || a->api->now_ms(a->self) - d->at_ms > ANNOUNCE_DRAFT_MS) {
		if (d) {
			free(d->text);
			d->text = NULL;
		}
		return a->api->reply(a->self, inv,
				     "Nothing to confirm: previews last 10 minutes. Send the "
				     "announcement again.");
	}
	text = d->text;
	d->text = NULL;
	rc = do_post_now(a, inv, text);
	free(text);
	return rc;
}

static int do_post(struct announce *a, const hw_invocation *inv, const char *text)
{
	if (a->preview_channels > 0 && a->nchannels >= (size_t)a->preview_channels)
		return do_preview(a, inv, text);
	return do_post_now(a, inv, text);
}

static int do_post_now(struct announce *a, const hw_invocation *inv, const char *text)
{
	hw_buf chans;
	int refused, rc = check_text(a, inv, text, &refused);
	if (refused)
		return rc;
	hw_buf_init(&chans, 0);
	channel_list(a, &chans);
	if (!hw_buf_str(&chans)) {
		hw_buf_free(&chans);
		return HW_ERR_NOMEM;
	}
	/* Answered once every channel has a result (the rows are written
	 * first, so the announcement goes out even if the answer fails). */
	rc = add_item(a, inv, OP_POST, text, a->api->now_ms(a->self), hw_buf_str(&chans));
	hw_buf_free(&chans);
	return rc;
}

static int do_at(struct announce *a, const hw_invocation *inv, const char *args)
{
	const hw_api *api = a->api;
	char why[256], when[64], msg[512];
	const char *text;
	int64_t at = 0, now = api->now_ms(a->self);
	int rc, refused;

	if (announce_time_parse(args, announce_tz(a), now, &at, &text, why, sizeof(why))) {
		snprintf(msg, sizeof(msg), "Not scheduled: %s.", why);
		return api->reply(a->self, inv, msg);
	}
	announce_time_format(announce_tz(a), at, when, sizeof(when));
	if (at <= now) {
		snprintf(msg, sizeof(msg), "Not scheduled: %s (%s) has already passed.", when,
			 zone_name(a));
		return api->reply(a->self, inv, msg);
	}
	rc = check_text(a, inv, text, &refused);
	if (refused)
		return rc;
	return add_item(a, inv, OP_AT, text, at, NULL);
}

static int do_cancel(struct announce *a, const hw_invocation *inv, const char *args)
{
	struct cmd_job *j;
	char *end;
	long long id;
	int confirm = 0;

	if (*args == '#')
		args++;
	id = strtoll(args, &end, 10);
	while (isspace((unsigned char)*end))
		end++;
	if (!strcasecmp(end, "confirm") || !strcasecmp(end, "yes") || !strcasecmp(end, "--yes")) {
		confirm = 1;
		end += strlen(end);
	}
	if (!isdigit((unsigned char)*args) || *end || id <= 0)
		return a->api->reply(a->self, inv,
				     "Usage: `announce cancel <id>`, with the number from "
				     "`announce list`. Nothing was posted.");
	/* Without confirm, say what would be cancelled; a second command
	 * confirms. */
	if (!(j = cmd_job_new(a, inv, confirm ? OP_CANCEL : OP_PEEK)))
		return HW_ERR_NOMEM;
	j->id = id;
	snprintf(j->reason, sizeof(j->reason), "cancelled by %s", inv->user_name);
	return cmd_run(a, j);
}

static int reply_cancel(struct announce *a, struct cmd_job *j, int status)
{
	char msg[600], when[64];
	long long id = (long long)j->id;
	if (status == HW_ERR_NOT_FOUND) {
		snprintf(msg, sizeof(msg), "There is no announcement #%lld.", id);
	} else if (!j->pending) {
		snprintf(msg, sizeof(msg),
			 "#%lld has nothing left to cancel: it already went out, failed or was "
			 "skipped. See `announce audit`.", id);
	} else {
		announce_time_format(announce_tz(a), j->due_out, when, sizeof(when));
		if (j->op == OP_PEEK && announce_soon_is_post(j->snippet))
			/* The start of a starting-soon post is its stored form: named. */
			snprintf(msg, sizeof(msg),
				 "This would cancel #%lld, due %s to %zu channel%s: a starting-soon "
				 "post. To cancel it, send `announce cancel %lld confirm`.", id, when,
				 j->pending, j->pending == 1 ? "" : "s", id);
		else if (j->op == OP_PEEK)
			snprintf(msg, sizeof(msg),
				 "This would cancel #%lld, due %s to %zu channel%s: \"%s%s\". To "
				 "cancel it, send `announce cancel %lld confirm`.", id, when, j->pending,
				 j->pending == 1 ? "" : "s", j->snippet,
				 strlen(j->snippet) >= sizeof(j->snippet) - 1 ? "..." : "", id);
		else
			snprintf(msg, sizeof(msg), "Cancelled #%lld (was due %s, %zu channel%s).", id,
				 when, j->pending, j->pending == 1 ? "" : "s");
	}
	return a->api->reply(a->self, j->inv, msg);
}

/* The header line of one item with `count` channel rows. */
static void item_line(struct announce *a, hw_buf *b, const struct announce_view *v,
		      size_t count)
{
	char when[64];
	announce_time_format(announce_tz(a), v->due_ms, when, sizeof(when));
	hw_buf_addf(b, "#%lld %s %s", (long long)v->item_id, when, v->kind);
	hw_buf_addf(b, " (%zu channel%s) by %s: ", count, count == 1 ? "" : "s", v->created_by);
	add_snippet(b, v->text);
	hw_buf_add(b, "\n");
}

static size_t item_end(const struct announce_view *v, size_t n, size_t i)
{
	size_t j = i;
	while (j < n && v[j].item_id == v[i].item_id)
		j++;
	return j;
}

static int do_list(struct announce *a, const hw_invocation *inv)
{
	struct cmd_job *j = cmd_job_new(a, inv, OP_LIST);
	return j ? cmd_run(a, j) : HW_ERR_NOMEM;
}

static int reply_list(struct announce *a, struct cmd_job *j)
{
	hw_buf b;
	const struct announce_view *v = j->v, *s = j->s;
	size_t n = j->nv;

	hw_buf_init(&b, 0);
	if (!n)
		hw_buf_addf(&b, "No scheduled announcements. Times are in %s.\n", zone_name(a));
	else
		hw_buf_addf(&b, "Scheduled announcements (times in %s):\n", zone_name(a));
	for (size_t i = 0; i < n;) {
		size_t k = item_end(v, n, i);
		item_line(a, &b, &v[i], k - i);
		i = k;
	}
	if (j->more)
		hw_buf_addf(&b, "...and %zu more.\n", j->more);
	if (j->ns) {
		char when[64];
		announce_time_format(announce_tz(a), s[0].due_ms, when, sizeof(when));
		hw_buf_addf(&b, "Automatic posts queued: %zu; the next at %s: ", 1 + j->smore, when);
		add_snippet(&b, s[0].text);
		hw_buf_add(&b, "\n");
	}
	return reply_buf(a, j->inv, &b);
}

static void audit_row(hw_buf *b, const struct announce_view *r)
{
	hw_buf_addf(b, "  <#%s> ", r->channel_id);
	if (!strcmp(r->state, "sent")) {
		hw_buf_add(b, "sent, message ");
		hw_buf_add(b, r->message_id ? r->message_id : "?");
		if (r->late)
			hw_buf_add(b, " (late: due while the bot was down)");
	} else if (!strcmp(r->state, "sending")) {
		hw_buf_add(b, "sending, not yet confirmed by Discord");
	} else {
		hw_buf_add(b, r->state);
		if (r->error) {
			hw_buf_add(b, !strcmp(r->state, "pending") ? " (last try: " : " (");
			hw_buf_add(b, r->error);
			hw_buf_add(b, ")");
		}
	}
	hw_buf_add(b, "\n");
}

static int do_audit(struct announce *a, const hw_invocation *inv, const char *args)
{
	const hw_api *api = a->api;
	int64_t now = api->now_ms(a->self), since = INT64_MIN;
	struct cmd_job *j;
	char why[256], msg[400];
	const char *rest;

	if (*args) {
		/* rest is set only when the time parses: read it only then. */
		if (announce_time_parse(args, announce_tz(a), now, &since, &rest, why,
					sizeof(why))) {
			snprintf(msg, sizeof(msg), "Usage: `announce audit [since]`: %s.", why);
			return api->reply(a->self, inv, msg);
		}
		if (*rest)
			return api->reply(a->self, inv,
					  "Usage: `announce audit [since]`: unexpected words after "
					  "the time.");
	}
	if (!(j = cmd_job_new(a, inv, OP_AUDIT)))
		return HW_ERR_NOMEM;
	j->since = since;
	return cmd_run(a, j);
}

static int reply_audit(struct announce *a, struct cmd_job *j)
{
	static const char *const states[] = {"sent", "pending", "sending", "failed", "skipped"};
	const struct announce_view *v = j->v;
	size_t n = j->nv, counts[5] = {0};
	hw_buf b;
	char when[64];

	hw_buf_init(&b, 0);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < 5; k++)
			if (!strcmp(v[i].state, states[k]))
				counts[k]++;
	if (j->since != INT64_MIN) {
		announce_time_format(announce_tz(a), j->since, when, sizeof(when));
		hw_buf_addf(&b, "Audit since %s (%s): ", when, zone_name(a));
	} else {
		hw_buf_addf(&b, "Audit (%s): ", zone_name(a));
	}
	if (!n)
		hw_buf_add(&b, "nothing was due.\n");
	else
		hw_buf_addf(&b, "%zu sent, %zu pending, %zu failed, %zu skipped.\n", counts[0],
			  counts[1] + counts[2], counts[3], counts[4]);
	if (j->more)
		hw_buf_addf(&b, "(%zu older announcements not shown; use `announce audit <since>`.)\n",
			  j->more);
	for (size_t i = 0; i < n;) {
		size_t k = item_end(v, n, i);
		item_line(a, &b, &v[i], k - i);
		for (size_t r = i; r < k; r++)
			audit_row(&b, &v[r]);
		i = k;
	}
	return reply_buf(a, j->inv, &b);
}

static int cmd_body(void *ctx, hw_tx *tx, void *job)
{
	struct announce *a = ctx;
	struct cmd_job *j = job;
	const hw_api *api = a->api;
	int rc;

	switch (j->op) {
	case OP_POST:
	case OP_AT: {
		struct announce_new n = {
			.kind = j->op == OP_POST ? ANNOUNCE_KIND_MANUAL : ANNOUNCE_KIND_SCHEDULED,
			.text = j->text,
			.due_ms = j->due,
			.created_by = j->created_by,
			.created_ms = j->now,
			.mentions = j->mentions,
			.channels = (const char *const *)a->channels,
			.nchannels = a->nchannels,
		};
		return announce_store_add(api, tx, &n, &j->item_id);
	}
	case OP_PEEK:
		rc = announce_store_peek(api, tx, j->id, &j->due_out, &j->pending, j->snippet,
					 sizeof(j->snippet));
		j->found = rc == HW_OK;
		return rc == HW_ERR_NOT_FOUND ? HW_OK : rc; /* said in the answer */
	case OP_CANCEL:
		rc = announce_store_cancel(api, tx, j->id, j->reason, &j->pending, &j->due_out);
		j->found = rc == HW_OK;
		return rc == HW_ERR_NOT_FOUND ? HW_OK : rc;
	case OP_LIST:
		rc = announce_store_upcoming(api, tx, 0, LIST_ITEMS, &j->v, &j->nv, &j->more);
		return rc ? rc : announce_store_upcoming(api, tx, 1, 1, &j->s, &j->ns, &j->smore);
	case OP_AUDIT:
		return announce_store_audit(api, tx, j->now, j->since, AUDIT_ITEMS, &j->v, &j->nv,
					    &j->more);
	}
	return HW_ERR_INVALID;
}

static void cmd_done(void *ctx, int status, void *job)
{
	struct announce *a = ctx;
	struct cmd_job *j = job;
	char msg[512], when[64];
	int rc = HW_OK;

	if (status != HW_OK) {
		a->api->log(a->self, HW_LOG_ERROR, "announce: the outbox could not be %s (%d)",
			    j->op <= OP_AT || j->op == OP_CANCEL ? "written" : "read", status);
		rc = a->api->reply(a->self, j->inv,
				   status == HW_ERR_UNAVAILABLE
					   ? "The announcement database is not reachable right now; "
					     "nothing was changed. Try again in a moment."
					   : "The announcement database failed; nothing was changed.");
	} else {
		switch (j->op) {
		case OP_POST:
			rc = announce_send_wait(a, j->item_id, j->inv, a->nchannels,
						j->channels ? j->channels : "");
			j->inv = NULL; /* the wait's now */
			announce_send_dispatch(a);
			break;
		case OP_AT:
			announce_send_rearm(a);
			announce_time_format(announce_tz(a), j->due, when, sizeof(when));
			snprintf(msg, sizeof(msg), "Scheduled #%lld for %s (%s) to %zu channel%s.",
				 (long long)j->item_id, when, zone_name(a), a->nchannels,
				 a->nchannels == 1 ? "" : "s");
			rc = a->api->reply(a->self, j->inv, msg);
			break;
		case OP_PEEK:
			rc = reply_cancel(a, j, j->found ? HW_OK : HW_ERR_NOT_FOUND);
			break;
		case OP_CANCEL:
			announce_send_rearm(a);
			rc = reply_cancel(a, j, j->found ? HW_OK : HW_ERR_NOT_FOUND);
			break;
		case OP_LIST:
			rc = reply_list(a, j);
			break;
		case OP_AUDIT:
			rc = reply_audit(a, j);
			break;
		}
	}
	if (rc)
		a->api->log(a->self, HW_LOG_WARN, "announce: cannot answer the command (%d)", rc);
	cmd_job_free(j);
}

/* Splits the first word off s: copies it (lowercased) into w, returns the
 * rest after spaces. */
static const char *first_word(const char *s, char *w, size_t n)
{
	size_t k = 0;
	while (isspace((unsigned char)*s))
		s++;
	while (s[k] && !isspace((unsigned char)s[k]) && k + 1 < n) {
		w[k] = (char)tolower((unsigned char)s[k]);
		k++;
	}
	w[k] = '\0';
	if (s[k] && !isspace((unsigned char)s[k]))
		w[0] = '\0'; /* longer than any keyword */
	s += k;
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

static int cmd_announce(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	struct announce *a = ud;
	const char *text = inv->argc && inv->argv[0].present ? inv->argv[0].str : "";
	const char *rest;
	char w[16];

	(void)self;
	/* The host refuses non-organizers; this is the second lock. */
	if (!inv->is_organizer)
		return a->api->reply(a->self, inv, "Sorry, announcements are for organizers only.");
	while (isspace((unsigned char)*text))
		text++;
	if (!*text)
		return a->api->reply(a->self, inv, usage);
	rest = first_word(text, w, sizeof(w));
	if (!strcmp(w, "at"))
		return do_at(a, inv, rest);
	if (!strcmp(w, "now"))
		return do_post(a, inv, rest);
	if (!strcmp(w, "cancel"))
		return do_cancel(a, inv, rest);
	if (!strcmp(w, "confirm") && !*rest)
		return do_confirm(a, inv);
	if (!strcmp(w, "audit"))
		return do_audit(a, inv, rest);
	if (!strcmp(w, "list")) {
		if (*rest)
			return a->api->reply(a->self, inv,
					     "`announce list` takes no text; to post text that "
					     "starts with \"list\", use `announce now <text>`. "
					     "Nothing was posted.");
		return do_list(a, inv);
	}
	return do_post(a, inv, text);
}

int announce_cmd_register(struct announce *a)
{
	static const hw_arg_spec args[] = {
		{"text", HW_ARG_TEXT, 0,
		 "The announcement, or: at <time> <text> | list | cancel <id> | audit [since]", 0},
	};
	const hw_command_spec spec = {
		.struct_size = sizeof(spec),
		.name = "announce",
		.summary = "Post or schedule an announcement to the announcement channels",
		.help = usage,
		.perm = HW_PERM_ORGANIZER,
		.args = args,
		.nargs = 1,
		.fn = cmd_announce,
		.ud = a,
	};
	return a->api->command_add(a->self, &spec);
}
