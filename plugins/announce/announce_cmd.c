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
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "announce.h"
#include "announce_store.h"
#include "announce_time.h"
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

/* A bounded string builder; `full` once REPLY_MAX is reached. */
struct sbuf {
	char *p;
	size_t n, cap;
	int oom, full;
};

static void sb_add(struct sbuf *b, const char *s, size_t len)
{
	if (b->oom || b->full)
		return;
	if (b->n + len + 1 > REPLY_MAX) {
		b->full = 1;
		return;
	}
	if (b->n + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *np;
		while (cap < b->n + len + 1)
			cap *= 2;
		if (!(np = realloc(b->p, cap))) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, len);
	b->n += len;
	b->p[b->n] = '\0';
}

static void sb_puts(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static void sb_printf(struct sbuf *b, const char *fmt, ...) HW_PRINTF(2, 3);
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		sb_add(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* A quoted one-line excerpt of text (UTF-8 safe cut). */
static void sb_snippet(struct sbuf *b, const char *text)
{
	size_t n = 0, cut = 0;
	sb_puts(b, "\"");
	while (text[n] && n < SNIPPET) {
		n++;
		if (!text[n] || ((unsigned char)text[n] & 0xC0) != 0x80)
			cut = n;
	}
	for (size_t i = 0; i < cut; i++)
		sb_add(b, text[i] == '\n' ? " " : text + i, 1);
	if (text[cut])
		sb_puts(b, "…");
	sb_puts(b, "\"");
}

static int reply_sb(struct announce *a, const hw_invocation *inv, struct sbuf *b)
{
	int rc;
	if (b->oom) {
		free(b->p);
		return HW_ERR_NOMEM;
	}
	if (b->full)
		sb_puts(b, "\n(cut short)");
	rc = a->api->reply(a->self, inv, b->p ? b->p : "");
	free(b->p);
	return rc;
}

static const char *zone_name(const struct announce *a)
{
	return hw_tz_name(announce_tz(a));
}

/* "<#1>, <#2>, ... and N more" for the configured channels. */
static void channel_list(const struct announce *a, struct sbuf *b)
{
	for (size_t i = 0; i < a->nchannels && i < CHANNELS_SHOWN; i++)
		sb_printf(b, "%s<#%s>", i ? ", " : "", a->channels[i]);
	if (a->nchannels > CHANNELS_SHOWN)
		sb_printf(b, " and %zu more", a->nchannels - CHANNELS_SHOWN);
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

static int add_item(struct announce *a, const hw_invocation *inv, const char *kind,
		    const char *text, int64_t due, int64_t *id)
{
	struct announce_new n = {
		.kind = kind,
		.text = text,
		.due_ms = due,
		.created_by = inv->user_name,
		.created_ms = a->api->now_ms(a->self),
		/* Mentions only when the config allows them, and only for an
		 * organizer (the host already refuses everyone else). */
		.mentions = a->allow_mentions && inv->is_organizer,
		.channels = (const char *const *)a->channels,
		.nchannels = a->nchannels,
	};
	int rc = announce_store_add(a->api->db(a->self), &n, id);
	if (rc)
		a->api->log(a->self, HW_LOG_ERROR, "announce: cannot write the outbox: %s",
			    sqlite3_errmsg(a->api->db(a->self)));
	return rc;
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
	struct sbuf b = {0};
	char *copy;
	int refused, rc = check_text(a, inv, text, &refused);
	if (refused)
		return rc;
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
	sb_printf(&b, "Preview: this goes to %zu channels now:\n", a->nchannels);
	sb_puts(&b, text);
	sb_printf(&b, "\nSend `announce confirm` within 10 minutes to post it; nothing is posted "
		      "until then.");
	return reply_sb(a, inv, &b);
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
	struct sbuf chans = {0};
	int64_t id = 0;
	int refused, rc = check_text(a, inv, text, &refused);
	if (refused)
		return rc;
	if ((rc = add_item(a, inv, ANNOUNCE_KIND_MANUAL, text, a->api->now_ms(a->self), &id)))
		return rc;
	channel_list(a, &chans);
	if (chans.oom) {
		free(chans.p);
		return HW_ERR_NOMEM;
	}
	/* Answer once every channel has a result; the rows are written, so
	 * the announcement goes out even if this fails. */
	rc = announce_send_wait(a, id, inv, a->nchannels, chans.p ? chans.p : "");
	free(chans.p);
	announce_send_dispatch(a);
	return rc;
}

static int do_at(struct announce *a, const hw_invocation *inv, const char *args)
{
	const hw_api *api = a->api;
	char why[256], when[64], msg[512];
	const char *text;
	int64_t at = 0, id = 0, now = api->now_ms(a->self);
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
	if ((rc = add_item(a, inv, ANNOUNCE_KIND_SCHEDULED, text, at, &id)))
		return rc;
	announce_send_rearm(a);
	snprintf(msg, sizeof(msg), "Scheduled #%lld for %s (%s) to %zu channel%s.",
		 (long long)id, when, zone_name(a), a->nchannels, a->nchannels == 1 ? "" : "s");
	return api->reply(a->self, inv, msg);
}

static int do_cancel(struct announce *a, const hw_invocation *inv, const char *args)
{
	char msg[600], reason[160], when[64], text[100], *end;
	size_t pending = 0;
	int64_t due = 0;
	long long id;
	int rc, confirm = 0;

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
	if (!confirm) {
		/* Say what would be cancelled; a second command confirms. */
		rc = announce_store_peek(a->api->db(a->self), id, &due, &pending, text, sizeof(text));
		if (rc == HW_ERR_NOT_FOUND) {
			snprintf(msg, sizeof(msg), "There is no announcement #%lld.", id);
			return a->api->reply(a->self, inv, msg);
		}
		if (rc)
			return rc;
		if (!pending) {
			snprintf(msg, sizeof(msg),
				 "#%lld has nothing left to cancel: it already went out, failed or was "
				 "skipped. See `announce audit`.", id);
			return a->api->reply(a->self, inv, msg);
		}
		announce_time_format(announce_tz(a), due, when, sizeof(when));
		snprintf(msg, sizeof(msg),
			 "This would cancel #%lld, due %s to %zu channel%s: \"%s%s\". To cancel "
			 "it, send `announce cancel %lld confirm`.", id, when, pending,
			 pending == 1 ? "" : "s", text, strlen(text) >= sizeof(text) - 1 ? "..." : "",
			 id);
		return a->api->reply(a->self, inv, msg);
	}
	snprintf(reason, sizeof(reason), "cancelled by %s", inv->user_name);
	rc = announce_store_cancel(a->api->db(a->self), id, reason, &pending, &due);
	if (rc == HW_ERR_NOT_FOUND) {
		snprintf(msg, sizeof(msg), "There is no announcement #%lld.", id);
		return a->api->reply(a->self, inv, msg);
	}
	if (rc)
		return rc;
	announce_send_rearm(a);
	announce_time_format(announce_tz(a), due, when, sizeof(when));
	if (pending)
		snprintf(msg, sizeof(msg), "Cancelled #%lld (was due %s, %zu channel%s).", id,
			 when, pending, pending == 1 ? "" : "s");
	else
		snprintf(msg, sizeof(msg),
			 "#%lld has nothing left to cancel: it already went out, failed or was "
			 "skipped. See `announce audit`.", id);
	return a->api->reply(a->self, inv, msg);
}

/* The header line of one item with `count` channel rows. */
static void item_line(struct announce *a, struct sbuf *b, const struct announce_view *v,
		      size_t count)
{
	char when[64];
	announce_time_format(announce_tz(a), v->due_ms, when, sizeof(when));
	sb_printf(b, "#%lld %s %s", (long long)v->item_id, when, v->kind);
	sb_printf(b, " (%zu channel%s) by %s: ", count, count == 1 ? "" : "s", v->created_by);
	sb_snippet(b, v->text);
	sb_puts(b, "\n");
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
	sqlite3 *db = a->api->db(a->self);
	struct announce_view *v = NULL, *s = NULL;
	size_t n = 0, more = 0, ns = 0, smore = 0;
	struct sbuf b = {0};
	int rc;

	if ((rc = announce_store_upcoming(db, 0, LIST_ITEMS, &v, &n, &more)) ||
	    (rc = announce_store_upcoming(db, 1, 1, &s, &ns, &smore)))
		goto out;
	if (!n)
		sb_printf(&b, "No scheduled announcements. Times are in %s.\n", zone_name(a));
	else
		sb_printf(&b, "Scheduled announcements (times in %s):\n", zone_name(a));
	for (size_t i = 0; i < n;) {
		size_t j = item_end(v, n, i);
		item_line(a, &b, &v[i], j - i);
		i = j;
	}
	if (more)
		sb_printf(&b, "...and %zu more.\n", more);
	if (ns) {
		char when[64];
		announce_time_format(announce_tz(a), s[0].due_ms, when, sizeof(when));
		sb_printf(&b, "Automatic posts queued: %zu; the next at %s: ", 1 + smore, when);
		sb_snippet(&b, s[0].text);
		sb_puts(&b, "\n");
	}
	rc = reply_sb(a, inv, &b);
	b.p = NULL;
out:
	free(b.p);
	announce_store_views_free(v, n);
	announce_store_views_free(s, ns);
	return rc;
}

static void audit_row(struct sbuf *b, const struct announce_view *r)
{
	sb_printf(b, "  <#%s> ", r->channel_id);
	if (!strcmp(r->state, "sent")) {
		sb_puts(b, "sent, message ");
		sb_puts(b, r->message_id ? r->message_id : "?");
		if (r->late)
			sb_puts(b, " (late: due while the bot was down)");
	} else if (!strcmp(r->state, "sending")) {
		sb_puts(b, "sending, not yet confirmed by Discord");
	} else {
		sb_puts(b, r->state);
		if (r->error) {
			sb_puts(b, !strcmp(r->state, "pending") ? " (last try: " : " (");
			sb_puts(b, r->error);
			sb_puts(b, ")");
		}
	}
	sb_puts(b, "\n");
}

static int do_audit(struct announce *a, const hw_invocation *inv, const char *args)
{
	const hw_api *api = a->api;
	int64_t now = api->now_ms(a->self), since = INT64_MIN;
	struct announce_view *v = NULL;
	size_t n = 0, more = 0, counts[5] = {0};
	static const char *const states[] = {"sent", "pending", "sending", "failed", "skipped"};
	struct sbuf b = {0};
	char why[256], when[64], msg[400];
	const char *rest;
	int rc;

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
	if ((rc = announce_store_audit(api->db(a->self), now, since, AUDIT_ITEMS, &v, &n, &more)))
		return rc;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < 5; k++)
			if (!strcmp(v[i].state, states[k]))
				counts[k]++;
	if (since != INT64_MIN) {
		announce_time_format(announce_tz(a), since, when, sizeof(when));
		sb_printf(&b, "Audit since %s (%s): ", when, zone_name(a));
	} else {
		sb_printf(&b, "Audit (%s): ", zone_name(a));
	}
	if (!n)
		sb_puts(&b, "nothing was due.\n");
	else
		sb_printf(&b, "%zu sent, %zu pending, %zu failed, %zu skipped.\n", counts[0],
			  counts[1] + counts[2], counts[3], counts[4]);
	if (more)
		sb_printf(&b, "(%zu older announcements not shown; use `announce audit <since>`.)\n",
			  more);
	for (size_t i = 0; i < n;) {
		size_t j = item_end(v, n, i);
		item_line(a, &b, &v[i], j - i);
		for (size_t k = i; k < j; k++)
			audit_row(&b, &v[k]);
		i = j;
	}
	announce_store_views_free(v, n);
	return reply_sb(a, inv, &b);
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
