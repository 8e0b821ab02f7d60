/*
 * ospace_cmd — the attendee commands: openspace board, propose, join,
 * leave, mine, drop. Every change replies after ospace_store committed it;
 * a retried command gets the same answer and changes nothing.
 */
#include "ospace_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/text.h>
#include <hallway/tz.h>

#include "ospace_fmt.h"
#include "ospace_job.h"
#include "ospace_free.h"
#include <hallway/dm_outbox.h>
#include "ospace_query.h"
#include "ospace_screen.h"
#include "ospace_store.h"
#include "ospace_when.h"

#define OSPACE_REPLY_MAX 12000
#define OSPACE_OFFERS 3
#define OSPACE_FIND_SHOW 5

int64_t ospace_cmd_today(const ospace_job *j)
{
	return ospace_when_today(j->tz, j->now_ms / 1000);
}

void ospace_cmd_room(const ospace_board *b, const char *text, long *room, const char **rest)
{
	const char *ends[4], *p = text;
	char word[128], span[512];
	size_t n = 0, k;
	*room = -1;
	*rest = text;
	while (n < 4 && ospace_when_word(&p, word, sizeof(word)))
		ends[n++] = p;
	/* The longest run of words that names a room wins ("Room A" before "Room"). */
	for (k = n; k > 0; k--) {
		size_t len = (size_t)(ends[k - 1] - text);
		long r;
		if (len >= sizeof(span))
			continue;
		memcpy(span, text, len);
		span[len] = 0;
		if ((r = ospace_board_room(b, span)) >= 0) {
			*room = r;
			*rest = ends[k - 1];
			return;
		}
	}
}

void ospace_cmd_offers(ospace_job *j, hw_buf *out, size_t day, size_t slot, long room,
		       const char *example)
{
	ospace *o = j->o;
	const ospace_board *b = &o->board;
	unsigned char *taken = calloc(b->ndays * b->nslots * b->nrooms, 1);
	ospace_cell cells[OSPACE_OFFERS];
	/* Local minutes now: slots that started are never offered. */
	int64_t now_min = hw_tz_to_local(j->tz, j->now_ms / 1000) / 60;
	size_t n = 0, i;
	if (taken && !ospace_query_taken(&j->db, b, taken))
		n = ospace_free_nearest(b, taken, day, slot, room, now_min, cells, OSPACE_OFFERS);
	free(taken);
	if (!n) {
		hw_buf_addf(out, " No slot is free on the whole board.");
		return;
	}
	hw_buf_addf(out, " Free nearby:");
	for (i = 0; i < n; i++) {
		char hhmm[6];
		hw_buf_addf(out, "\n- ");
		ospace_fmt_cell(out, b, &cells[i]);
		ospace_board_fmt(b->slots[cells[i].slot], hhmm);
		hw_buf_addf(out, " (`%s %s %s ", example, ospace_fmt_dayword(b, cells[i].day), hhmm);
		hw_buf_add_safe(out, b->rooms[cells[i].room].name, 100);
		hw_buf_addf(out, " ...`)");
	}
}

int ospace_cmd_find(ospace_job *j, const hw_invocation *inv, const char *typed, const char *verb,
		    int64_t *id)
{
	int64_t ids[OSPACE_FIND_SHOW];
	hw_buf out;
	size_t n = 0, i;
	int rc;
	if (!typed || !*typed) {
		hw_buf_init(&out, 1000);
		hw_buf_addf(&out, "Which open space? Give its topic or its number: `openspace %s #3`.",
			       verb);
		rc = ospace_job_say(j, hw_buf_str(&out));
		hw_buf_free(&out);
		return rc ? rc : OSPACE_REPLIED;
	}
	rc = ospace_query_find(&j->db, typed, ids, OSPACE_FIND_SHOW, &n);
	if (rc)
		return rc;
	if (n == 1) {
		*id = ids[0];
		return HW_OK;
	}
	hw_buf_init(&out, 4000);
	if (!n) {
		/* The typed text is not echoed: it may be anything. */
		hw_buf_addf(&out, "No open space by that topic or number. `openspace board` shows "
				     "them all.");
	} else {
		hw_buf_addf(&out, "%zu open spaces match; which one?", n);
		for (i = 0; i < n && i < OSPACE_FIND_SHOW; i++) {
			ospace_session s;
			if (ospace_query_session(&j->db, ids[i], &s))
				continue;
			hw_buf_addf(&out, "\n- ");
			ospace_fmt_full(&out, &s);
		}
		hw_buf_addf(&out, "\nSay it by number: `openspace %s #%lld`.", verb,
			       (long long)ids[0]);
	}
	rc = ospace_job_say(j, hw_buf_str(&out));
	hw_buf_free(&out);
	return rc ? rc : OSPACE_REPLIED;
}

/* ---- board ---- */

typedef struct ospace_board_view {
	ospace *o;
	const struct hw_tz *tz;
	size_t day;
	ospace_session *cells; /* [slot * nrooms + room]; id 0 = free */
	ospace_session *other; /* sessions in rooms config no longer has */
	size_t nother, maxother;
} ospace_board_view;

static int ospace_cmd_board_row(const ospace_session *s, void *ud)
{
	ospace_board_view *v = ud;
	const ospace_board *b = &v->o->board;
	long slot = ospace_board_slot(b, ospace_board_hhmm(s->slot));
	long room = ospace_board_room(b, s->room);
	if (slot < 0)
		return 0;
	if (room >= 0)
		v->cells[(size_t)slot * b->nrooms + (size_t)room] = *s;
	else if (v->nother < v->maxother)
		v->other[v->nother++] = *s;
	return 0;
}

static void ospace_cmd_board_slot(ospace_board_view *v, hw_buf *out, size_t slot,
				  int64_t now_s)
{
	const ospace_board *b = &v->o->board;
	size_t r, i, nfree = 0, nheld = 0;
	int sep = 0;
	char hhmm[6];
	ospace_board_fmt(b->slots[slot], hhmm);
	hw_buf_addf(out, "\n%s", hhmm);
	for (r = 0; r < b->nrooms; r++) {
		const ospace_session *s = &v->cells[slot * b->nrooms + r];
		if (!s->id)
			continue;
		hw_buf_addf(out, "%s ", sep++ ? " \xC2\xB7" : "");
		ospace_fmt_name(out, s);
		hw_buf_addf(out, " in ");
		hw_buf_add_safe(out, s->room, 100);
		hw_buf_addf(out, " (host ");
		hw_buf_add_safe(out, s->host_name, 60);
		hw_buf_addf(out, ", %lld going)", (long long)s->going);
	}
	for (i = 0; i < v->nother; i++) {
		if (ospace_board_slot(b, ospace_board_hhmm(v->other[i].slot)) != (long)slot)
			continue;
		hw_buf_addf(out, "%s ", sep++ ? " \xC2\xB7" : "");
		ospace_fmt_name(out, &v->other[i]);
		hw_buf_addf(out, " in ");
		hw_buf_add_safe(out, v->other[i].room, 100);
	}
	if (ospace_start_in(v->o, v->tz, v->day, slot) < now_s) {
		if (!sep)
			hw_buf_addf(out, " (over)");
		return;
	}
	for (r = 0; r < b->nrooms; r++) {
		if (v->cells[slot * b->nrooms + r].id)
			continue;
		if (ospace_board_is_held(b, v->day, slot, r)) {
			nheld++;
			continue;
		}
		hw_buf_addf(out, "%s", nfree++ ? ", " : sep ? " \xC2\xB7 free: " : " free: ");
		hw_buf_add_safe(out, b->rooms[r].name, 100);
	}
	if (!sep && !nfree && nheld)
		hw_buf_addf(out, " held back");
}

static int ospace_cmd_board_body(ospace_job *j)
{
	ospace *o = j->o;
	const hw_invocation *inv = j->inv;
	const ospace_board *b = &o->board;
	const char *typed = ospace_arg(inv, "day");
	int64_t today = ospace_cmd_today(j), now_s = j->now_ms / 1000;
	ospace_board_view v;
	hw_buf out;
	long day;
	size_t slot;
	int rc;

	memset(&v, 0, sizeof(v));
	hw_buf_init(&out, OSPACE_REPLY_MAX);
	day = typed && *typed ? ospace_when_day(b, today, typed)
			      : (long)ospace_when_default_day(b, today);
	if (day < 0) {
		char why[600];
		ospace_when_days_why(b, why, sizeof(why));
		hw_buf_add_safe(&out, why, sizeof(why));
		rc = ospace_job_say(j, hw_buf_str(&out));
		goto out;
	}
	v.o = o;
	v.tz = j->tz;
	v.day = (size_t)day;
	v.cells = calloc(b->nslots * b->nrooms, sizeof(*v.cells));
	v.maxother = 20;
	v.other = calloc(v.maxother, sizeof(*v.other));
	if (!v.cells || !v.other) {
		rc = HW_ERR_NOMEM;
		goto out;
	}
	rc = ospace_query_day(&j->db, b->days[day], ospace_cmd_board_row, &v);
	if (rc)
		goto out;
	hw_buf_addf(&out, "Open spaces on ");
	ospace_fmt_when(&out, b->days[day], "");
	hw_buf_addf(&out, "(times in ");
	hw_buf_add_safe(&out, hw_tz_name(j->tz), 64);
	hw_buf_addf(&out, "):");
	for (slot = 0; slot < b->nslots; slot++)
		ospace_cmd_board_slot(&v, &out, slot, now_s);
	{
		char hhmm[6];
		ospace_board_fmt(b->slots[b->nslots > 1 ? 1 : 0], hhmm);
		hw_buf_addf(&out, "\nPropose one: `openspace propose %s %s <topic>`; join one: "
				     "`openspace join #<number>`.", ospace_fmt_dayword(b, (size_t)day),
			       hhmm);
	}
	rc = ospace_job_say(j, hw_buf_str(&out));
out:
	free(v.cells);
	free(v.other);
	hw_buf_free(&out);
	return rc;
}

static int ospace_cmd_board(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	(void)self;
	return ospace_job_cmd(ud, inv, ospace_cmd_board_body);
}

/* ---- propose ---- */

static int ospace_cmd_propose_body(ospace_job *j)
{
	ospace *o = j->o;
	const hw_invocation *inv = j->inv;
	const ospace_board *b = &o->board;
	const char *text = ospace_arg(inv, "what"), *rest;
	char why[600], *topic = NULL, *name = NULL, *fold = NULL;
	enum ospace_outcome res = 0;
	ospace_session s;
	hw_buf out;
	size_t day = 0, slot = 0, used = 0;
	long room;
	int rc;

	memset(&s, 0, sizeof(s));
	hw_buf_init(&out, OSPACE_REPLY_MAX);
	if (ospace_when_read(b, j->tz, j->now_ms / 1000, text, &day, &slot, &used,
			     why, sizeof(why))) {
		hw_buf_add_safe(&out, why, sizeof(why));
		hw_buf_addf(&out, "\nUsage: `openspace propose <day> <time> [room] <topic>`, e.g. "
				     "`openspace propose %s 14:00 Packaging war stories`.",
			       ospace_fmt_dayword(b, 0));
		rc = ospace_job_say(j, hw_buf_str(&out));
		goto out;
	}
	ospace_cmd_room(b, text + used, &room, &rest);
	topic = ospace_out_clean(rest, OSPACE_TOPIC_MAX);
	name = ospace_out_clean(inv->user_name ? inv->user_name : inv->user_id, OSPACE_USER_NAME_MAX);
	fold = topic ? hw_fold(topic) : NULL;
	if (!topic || !name || !fold) {
		rc = HW_ERR_NOMEM;
		goto out;
	}
	if (!*fold) {
		hw_buf_addf(&out, "What is it about? Add a topic: `openspace propose %s ",
			       ospace_fmt_dayword(b, day));
		hw_buf_addf(&out, "%02d:%02d Packaging war stories`.", b->slots[slot] / 60,
			       b->slots[slot] % 60);
		rc = ospace_job_say(j, hw_buf_str(&out));
		goto out;
	}
	if (ospace_start_in(o, j->tz, day, slot) < j->now_ms / 1000) {
		hw_buf_addf(&out, "That slot has already started.");
		ospace_cmd_offers(j, &out, day, slot, room, "openspace propose");
		rc = ospace_job_say(j, hw_buf_str(&out));
		goto out;
	}
	rc = ospace_store_propose(&j->db, b, day, slot, room, topic, inv->user_id, name,
				  j->now_ms, &res, &s);
	if (rc)
		goto out;
	switch (res) {
	case OSPACE_TOOK:
	case OSPACE_ALREADY_YOURS:
		hw_buf_addf(&out, res == OSPACE_TOOK ? "It's yours: " : "You already have it: ");
		ospace_fmt_full(&out, &s);
		hw_buf_addf(&out, ". People join with `openspace join #%lld`; `openspace drop "
				     "#%lld` gives the slot back.", (long long)s.id, (long long)s.id);
		break;
	case OSPACE_HOST_BUSY:
		hw_buf_addf(&out, "You already host ");
		ospace_fmt_full(&out, &s);
		hw_buf_addf(&out, ". One open space at a time: pick another slot or "
				     "`openspace drop #%lld` first.", (long long)s.id);
		break;
	case OSPACE_TAKEN:
		hw_buf_add_safe(&out, b->rooms[room].name, 100);
		hw_buf_addf(&out, " is taken then");
		if (s.id) {
			hw_buf_addf(&out, " (");
			ospace_fmt_name(&out, &s);
			hw_buf_addf(&out, ")");
		}
		hw_buf_addf(&out, ".");
		ospace_cmd_offers(j, &out, day, slot, room, "openspace propose");
		break;
	case OSPACE_HELD:
		hw_buf_add_safe(&out, b->rooms[room].name, 100);
		hw_buf_addf(&out, " is held back then.");
		ospace_cmd_offers(j, &out, day, slot, room, "openspace propose");
		break;
	default:
		hw_buf_addf(&out, "Every room is taken then.");
		ospace_cmd_offers(j, &out, day, slot, -1, "openspace propose");
		break;
	}
	rc = ospace_job_say(j, hw_buf_str(&out));
	if (res == OSPACE_TOOK)
		j->screen = "proposed";
out:
	free(topic);
	free(name);
	free(fold);
	hw_buf_free(&out);
	return rc;
}

static int ospace_cmd_propose(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	(void)self;
	return ospace_job_cmd(ud, inv, ospace_cmd_propose_body);
}

/* ---- join, leave, mine, drop ---- */

static int ospace_cmd_join_body(ospace_job *j)
{
	const hw_invocation *inv = j->inv;
	enum ospace_outcome res = 0;
	ospace_session s;
	hw_buf out;
	char *name = NULL;
	int64_t id = 0;
	int rc = ospace_cmd_find(j, inv, ospace_arg(inv, "open_space"), "join", &id);
	if (rc)
		return rc == OSPACE_REPLIED ? HW_OK : rc;
	name = ospace_out_clean(inv->user_name ? inv->user_name : inv->user_id, OSPACE_USER_NAME_MAX);
	if (!name)
		return HW_ERR_NOMEM;
	hw_buf_init(&out, 4000);
	memset(&s, 0, sizeof(s));
	rc = ospace_store_join(&j->db, id, inv->user_id, name, j->now_ms, &res, &s);
	if (rc)
		goto out;
	switch (res) {
	case OSPACE_JOINED:
	case OSPACE_ALREADY_JOINED:
		hw_buf_addf(&out, res == OSPACE_JOINED ? "You're in: " : "You already joined ");
		ospace_fmt_full(&out, &s);
		hw_buf_addf(&out, " (%lld going", (long long)s.going);
		if (s.capacity)
			hw_buf_addf(&out, " of %lld", (long long)s.capacity);
		hw_buf_addf(&out, "). A change to it comes to you by DM.");
		break;
	case OSPACE_IS_HOST:
		hw_buf_addf(&out, "You host ");
		ospace_fmt_name(&out, &s);
		hw_buf_addf(&out, "; you're counted.");
		break;
	case OSPACE_ROOM_FULL:
		hw_buf_addf(&out, "Sorry, ");
		ospace_fmt_name(&out, &s);
		hw_buf_addf(&out, " is full: its room holds %lld.", (long long)s.capacity);
		break;
	default:
		hw_buf_addf(&out, "That open space is gone. `openspace board` shows what is on.");
		break;
	}
	rc = ospace_job_say(j, hw_buf_str(&out));
out:
	free(name);
	hw_buf_free(&out);
	return rc;
}

static int ospace_cmd_join(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	(void)self;
	return ospace_job_cmd(ud, inv, ospace_cmd_join_body);
}

/* Collects up to max ids (ospace_query_* callback). */
typedef struct ospace_cmd_ids {
	int64_t ids[OSPACE_FIND_SHOW];
	size_t n;
} ospace_cmd_ids;

static int ospace_cmd_collect(const ospace_session *s, void *ud)
{
	ospace_cmd_ids *c = ud;
	if (c->n < OSPACE_FIND_SHOW)
		c->ids[c->n] = s->id;
	c->n++;
	return 0;
}

static int ospace_cmd_leave_body(ospace_job *j)
{
	const hw_invocation *inv = j->inv;
	const char *typed = ospace_arg(inv, "open_space");
	enum ospace_outcome res = 0;
	ospace_cmd_ids joined;
	ospace_session s;
	hw_buf out;
	int64_t id = 0;
	int rc;

	memset(&joined, 0, sizeof(joined));
	if (!typed || !*typed) {
		/* Without a name: the one open space you joined, if just one. */
		rc = ospace_query_joined(&j->db, inv->user_id, ospace_cmd_collect, &joined);
		if (rc)
			return rc;
		if (joined.n != 1)
			return ospace_job_say(j, joined.n ? "You joined several; say which: "
								  "`openspace leave #<number>` "
								  "(`openspace mine` lists them)."
							      : "You haven't joined any open space.");
		id = joined.ids[0];
	} else {
		rc = ospace_cmd_find(j, inv, typed, "leave", &id);
		if (rc)
			return rc == OSPACE_REPLIED ? HW_OK : rc;
	}
	memset(&s, 0, sizeof(s));
	rc = ospace_store_leave(&j->db, id, inv->user_id, &res, &s);
	if (rc)
		return rc;
	hw_buf_init(&out, 2000);
	if (res == OSPACE_GONE) {
		hw_buf_addf(&out, "That open space is gone; nothing to leave.");
	} else if (res == OSPACE_NOT_JOINED && !strcmp(s.host_id, inv->user_id)) {
		hw_buf_addf(&out, "You host ");
		ospace_fmt_name(&out, &s);
		hw_buf_addf(&out, "; to give its slot back, `openspace drop #%lld`.", (long long)s.id);
	} else {
		hw_buf_addf(&out, res == OSPACE_LEFT ? "You left " : "You had not joined ");
		ospace_fmt_name(&out, &s);
		hw_buf_addf(&out, res == OSPACE_LEFT ? "." : "; nothing to do.");
	}
	rc = ospace_job_say(j, hw_buf_str(&out));
	hw_buf_free(&out);
	return rc;
}

static int ospace_cmd_leave(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	(void)self;
	return ospace_job_cmd(ud, inv, ospace_cmd_leave_body);
}

typedef struct ospace_cmd_mine_ctx {
	hw_buf *out;
	size_t n;
	const char *user_id;
} ospace_cmd_mine_ctx;

static int ospace_cmd_mine_row(const ospace_session *s, void *ud)
{
	ospace_cmd_mine_ctx *c = ud;
	int host = !strcmp(s->host_id, c->user_id);
	hw_buf_addf(c->out, "\n- ");
	ospace_fmt_full(c->out, s);
	hw_buf_addf(c->out, host ? " (you host; %lld going)" : " (%lld going)",
		       (long long)s->going);
	c->n++;
	return c->n >= 50;
}

static int ospace_cmd_mine_body(ospace_job *j)
{
	const hw_invocation *inv = j->inv;
	ospace_cmd_mine_ctx c = {NULL, 0, inv->user_id};
	hw_buf out;
	int rc;
	hw_buf_init(&out, OSPACE_REPLY_MAX);
	c.out = &out;
	hw_buf_addf(&out, "Your open spaces:");
	rc = ospace_query_hosted(&j->db, inv->user_id, ospace_cmd_mine_row, &c);
	if (!rc)
		rc = ospace_query_joined(&j->db, inv->user_id, ospace_cmd_mine_row, &c);
	if (!rc)
		rc = ospace_job_say(j, c.n ? hw_buf_str(&out)
					      : "You host and joined no open space yet. "
						"`openspace board` shows what is on.");
	hw_buf_free(&out);
	return rc;
}

static int ospace_cmd_mine(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	(void)self;
	return ospace_job_cmd(ud, inv, ospace_cmd_mine_body);
}

/* The DM to those who joined an open space its host dropped. */
static void ospace_cmd_drop_dm(const ospace_session *s, void *ud, hw_buf *out)
{
	(void)ud;
	hw_buf_addf(out, "The open space ");
	ospace_fmt_full(out, s);
	hw_buf_addf(out, " is cancelled: its host dropped it.");
}

static int ospace_cmd_drop_body(ospace_job *j)
{
	const hw_invocation *inv = j->inv;
	enum ospace_outcome res = 0;
	ospace_session s;
	hw_buf out;
	int64_t id = 0, notified = 0;
	int rc = ospace_cmd_find(j, inv, ospace_arg(inv, "open_space"), "drop", &id);
	if (rc)
		return rc == OSPACE_REPLIED ? HW_OK : rc;
	memset(&s, 0, sizeof(s));
	rc = ospace_store_end(&j->db, id, inv->user_id, "dropped by its host", 0, ospace_cmd_drop_dm,
			      NULL, j->now_ms, &res, &s, &notified);
	if (rc)
		return rc;
	hw_buf_init(&out, 2000);
	if (res == OSPACE_ENDED) {
		hw_buf_addf(&out, "Dropped ");
		ospace_fmt_full(&out, &s);
		hw_buf_addf(&out, "; the slot is free again.");
		if (notified)
			hw_buf_addf(&out, " %lld who joined get a DM.", (long long)notified);
	} else if (res == OSPACE_NOT_HOST) {
		hw_buf_addf(&out, "Only its host drops an open space (organizers can "
				     "`openspace remove` it).");
	} else {
		hw_buf_addf(&out, "That open space is gone already.");
	}
	rc = ospace_job_say(j, hw_buf_str(&out));
	hw_buf_free(&out);
	if (res == OSPACE_ENDED)
		j->screen = "dropped";
	if (notified)
		j->flush = 1;
	return rc;
}

static int ospace_cmd_drop(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	(void)self;
	return ospace_job_cmd(ud, inv, ospace_cmd_drop_body);
}

/* ---- autocomplete ---- */

typedef struct ospace_cmd_completion {
	ospace *o;
	hw_completion *out;
	const char *partial; /* folded, or an id as typed */
	size_t n;
} ospace_cmd_completion;

static int ospace_cmd_complete_one(const ospace_session *s, int64_t start_s, void *ud)
{
	ospace_cmd_completion *c = ud;
	hw_buf name;
	char value[24], topic[OSPACE_TOPIC_MAX * 2];
	hw_fold_into(s->topic, topic, sizeof(topic));
	if (*c->partial && !hw_fold_has_word_prefix(topic, c->partial) &&
	    ospace_query_id(c->partial) != s->id)
		return 0;
	(void)start_s;
	hw_buf_init(&name, 400);
	hw_buf_addf(&name, "#%lld ", (long long)s->id);
	hw_buf_add_safe(&name, s->topic, 60);
	hw_buf_addf(&name, " \xC2\xB7 ");
	ospace_fmt_when(&name, s->day, s->slot);
	snprintf(value, sizeof(value), "#%lld", (long long)s->id);
	if (hw_buf_str(&name))
		c->o->api->complete_add(c->out, hw_buf_str(&name), value);
	hw_buf_free(&name);
	return ++c->n >= 25;
}

/* Open spaces for the slash commands' open_space argument. */
static void ospace_cmd_complete(hw_plugin *self, const char *arg, const char *partial,
				hw_completion *out, void *ud)
{
	ospace_cmd_completion c = {ud, out, NULL, 0};
	char folded[200];
	if (arg && strcmp(arg, "open_space"))
		return;
	/* "#2" keeps its '#', which folding would drop. */
	if (partial && ospace_query_id(partial))
		c.partial = partial;
	else {
		hw_fold_into(partial ? partial : "", folded, sizeof(folded));
		c.partial = folded;
	}
	/* Answered at once: from the copy of the board (ospace_screen.h). */
	ospace_screen_each(c.o, ospace_cmd_complete_one, &c);
}

/* ---- registration ---- */

static const hw_arg_spec ospace_cmd_board_args[] = {
	{"day", HW_ARG_STRING, 0, "friday, tomorrow or 2026-11-27 (default: today or the next day)",
	 0},
};
static const hw_arg_spec ospace_cmd_propose_args[] = {
	{"what", HW_ARG_TEXT, 1, "<day> <time> [room] <topic>, e.g. friday 14:00 Packaging", 0},
};
static const hw_arg_spec ospace_cmd_space_args[] = {
	{"open_space", HW_ARG_TEXT, 1, "its topic, or its number (#3)", 1},
};
static const hw_arg_spec ospace_cmd_leave_args[] = {
	{"open_space", HW_ARG_TEXT, 0, "its topic, or its number (#3)", 1},
};

int ospace_cmd_register(ospace *o)
{
	const hw_command_spec specs[] = {
		{sizeof(hw_command_spec), "openspace board", "The open-space board of a day",
		 "Which slots are taken (topic, host) and which rooms are free.", HW_PERM_EVERYONE,
		 ospace_cmd_board_args, 1, ospace_cmd_board, NULL, o, {0}, sizeof(hw_arg_spec)},
		{sizeof(hw_command_spec), "openspace propose", "Take a free open-space slot",
		 "openspace propose <day> <time> [room] <topic>: `openspace propose friday 14:00 "
		 "Packaging`, `openspace propose tomorrow 2pm Room B Rust in prod`. Without a room, "
		 "the first free one; a taken slot gets the nearest free ones.",
		 HW_PERM_EVERYONE, ospace_cmd_propose_args, 1, ospace_cmd_propose, NULL, o, {0}, sizeof(hw_arg_spec)},
		{sizeof(hw_command_spec), "openspace join", "Say you'll come to an open space",
		 "For the head count and news of changes by DM.", HW_PERM_EVERYONE,
		 ospace_cmd_space_args, 1, ospace_cmd_join, ospace_cmd_complete, o, {0}, sizeof(hw_arg_spec)},
		{sizeof(hw_command_spec), "openspace leave", "Leave an open space you joined", NULL,
		 HW_PERM_EVERYONE, ospace_cmd_leave_args, 1, ospace_cmd_leave, ospace_cmd_complete, o,
		 {0}, sizeof(hw_arg_spec)},
		{sizeof(hw_command_spec), "openspace mine", "The open spaces you host and joined",
		 NULL, HW_PERM_EVERYONE, NULL, 0, ospace_cmd_mine, NULL, o, {0}, sizeof(hw_arg_spec)},
		{sizeof(hw_command_spec), "openspace drop", "Give back the slot of an open space you host",
		 "Those who joined get a DM.", HW_PERM_EVERYONE, ospace_cmd_space_args, 1,
		 ospace_cmd_drop, ospace_cmd_complete, o, {0}, sizeof(hw_arg_spec)},
	};
	size_t i;
	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		int rc = o->api->command_add(o->self, &specs[i]);
		if (rc)
			return rc;
	}
	return HW_OK;
}
