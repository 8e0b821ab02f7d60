/*
 * The commands: recommend, similar, star, unstar, agenda [ics]. Answers
 * read the current index (talks) and storage (the user's stars, through a
 * unit of work: the answer comes from its done()); every change is
 * committed before the reply.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rec_fmt.h"
#include "rec_ics.h"
#include "rec_query.h"
#include "rec_store.h"
#include "rec_watch.h"
#include "recommend.h"
#include <hallway/text.h>
#include <hallway/tz.h>

#define CMD_TITLE_MAX 200
#define CMD_CHOICES 25
#define CMD_CHOICE_LEN 100
#define AGENDA_PAGE 10          /* talks per page where others read along */
#define AGENDA_PAGE_PRIVATE 40  /* in a DM or the console */
#define AGENDA_CLASHES 3        /* clashing talks named per talk */
#define AGENDA_CLASH_TITLE 80

static const char *arg0(const hw_invocation *inv)
{
	return inv->argc && inv->argv[0].present && inv->argv[0].str[0] ? inv->argv[0].str
									 : NULL;
}

static int no_schedule(struct rec_plugin *p, const hw_invocation *inv)
{
	return p->api->reply(p->self, inv,
			     "The schedule is not loaded yet; try again in a minute.");
}

static int send_out(struct rec_plugin *p, const hw_invocation *inv, struct rec_out *o)
{
	int ret = o->oom ? HW_ERR_NOMEM : p->api->reply(p->self, inv, o->p ? o->p : "");
	rec_out_free(o);
	return ret;
}

/* What `agenda` shows: a page of talks in time order, today's, or all of
 * them as a calendar file. */
struct agenda_ask {
	int ics, today;
	size_t page; /* from 1 */
};

/* A command whose answer needs storage: the invocation is kept, the unit
 * of work reads (and writes) on the storage thread, and done() answers.
 * The body reads only the job; p->idx and p->tz are read in done(). */
struct cmd_job {
	const hw_invocation *inv; /* kept; released in done() */
	char *user, *text;        /* copies: the invocation's strings are the loop's */
	struct rec_star *stars;   /* the user's stars, read in the unit */
	size_t nstars;
	struct rec_star star;     /* star: the slot to star (strings owned) */
	int64_t due;
	int changed;              /* star: added; unstar: removed */
	size_t match[5], nm;      /* unstar: the stars that match */
	int exact;
	struct agenda_ask ask;    /* agenda */
	int after;                /* agenda: the conference is over (watch list) */
	unsigned char *watched;   /* ... and which stars are ticked off (nstars) */
};

/* Frees the job; never calls the API (also after shutdown). */
static void cmd_free(void *job)
{
	struct cmd_job *j = job;
	free(j->user);
	free(j->text);
	rec_store_stars_free(j->stars, j->nstars);
	free(j->watched);
	free(j->star.talk_id);
	free(j->star.title);
	free(j->star.room);
	free(j);
}

static struct cmd_job *cmd_job_new(const hw_invocation *inv, const char *text)
{
	struct cmd_job *j = calloc(1, sizeof(*j));
	if (!j || !(j->user = strdup(inv->user_id)) || (text && !(j->text = strdup(text)))) {
		if (j)
			cmd_free(j);
		return NULL;
	}
	return j;
}

/* Keeps inv and queues the unit; the handler's result. On failure nothing
 * stays kept and j is freed. */
static int cmd_run(struct rec_plugin *p, const hw_invocation *inv, struct cmd_job *j,
		   hw_unit_body_fn body, hw_unit_done_fn done)
{
	const hw_invocation *kept = p->api->invocation_keep(p->self, inv);
	int rc;
	if (!kept) {
		cmd_free(j);
		return HW_ERR_NOMEM;
	}
	j->inv = kept;
	rc = hw_units_run(p->units, body, done, cmd_free, j);
	if (rc != HW_OK)
		p->api->invocation_release(p->self, kept); /* j is freed already */
	return rc;
}

/* Answers the kept invocation (reply's result logged) and ends the job. */
static void cmd_end(struct rec_plugin *p, struct cmd_job *j, int rc)
{
	if (rc != HW_OK)
		p->api->log(p->self, HW_LOG_WARN, "recommend: answering %s failed (%d)",
			    j->inv->command ? j->inv->command : "a command", rc);
	p->api->invocation_release(p->self, j->inv);
	cmd_free(j);
}

/* A unit that did not commit: said plainly, nothing was changed. */
static int storage_failed(struct rec_plugin *p, const hw_invocation *inv, int status)
{
	char text[300];
	snprintf(text, sizeof(text), "Sorry, I cannot reach your agenda just now (%s); nothing "
		 "was changed. Please try again in a minute.", rec_storage_text(status));
	return p->api->reply(p->self, inv, text);
}

static int stars_body(void *ctx, hw_tx *tx, void *job)
{
	struct rec_plugin *p = ctx;
	struct cmd_job *j = job;
	return rec_store_stars(p->api, tx, j->user, &j->stars, &j->nstars);
}

/* "Thu 26 Nov 10:15–10:45, Room (<t:X:t>)" for one slot. */
static void slot_text(struct rec_plugin *p, const struct rec_slot *s, char *buf, size_t len)
{
	char span[64], room[120];

	rec_fmt_span(p->tz, s->start, s->end, span, sizeof(span));
	rec_fmt_cut(s->room ? s->room : "", room, sizeof(room));
	snprintf(buf, len, "%s%s%s (<t:%lld:t>)", span, room[0] ? ", " : "", room,
		 (long long)s->start);
}

static const struct rec_slot *shown_slot(const struct rec_index *idx, size_t e, long slot)
{
	return &idx->e[e].slots[slot >= 0 ? (size_t)slot : 0];
}

/* Entries of the user's stars that are in the index (new array). */
static size_t starred_entries(struct rec_plugin *p, const struct rec_star *s, size_t n,
			      size_t **out)
{
	size_t *v = calloc(n ? n : 1, sizeof(*v)), k = 0;

	*out = v;
	for (size_t i = 0; v && i < n; i++) {
		long e = rec_index_find_id(p->idx, s[i].talk_id, NULL);
		size_t j;
		for (j = 0; e >= 0 && j < k && v[j] != (size_t)e; j++)
			;
		if (e >= 0 && j == k)
			v[k++] = (size_t)e;
	}
	return k;
}

static int recommend_answer(struct rec_plugin *p, const hw_invocation *inv, const char *text,
			    const struct rec_star *stars, size_t nstars)
{
	size_t *st = NULL, nst;
	struct rec_hit hits[REC_RESULTS];
	struct rec_out o = {0};
	long n;

	if (!p->idx)
		return no_schedule(p, inv);
	nst = starred_entries(p, stars, nstars, &st);
	if (!st)
		return HW_ERR_NOMEM;
	{
		struct rec_ask ask = {text, st, nst, rec_now(p)};
		n = rec_query_recommend(p->idx, &ask, hits, REC_RESULTS);
	}
	if (n < 0) {
		n = 0;
		o.oom = 1;
	}
	if (!n && !text && !nst)
		rec_out_add(&o, "Tell me what you like, e.g. `recommend rust databases`, and I "
				"will pick five upcoming talks. Starring talks (`star <talk>`) "
				"sharpens the picks.");
	else if (!n && text)
		rec_out_add(&o, "No upcoming talk matches “%.200s”. Try other words, or a "
				"track or speaker name.", text);
	else if (!n)
		rec_out_add(&o, "No upcoming talks like the ones you starred; try "
				"`recommend <interests>`.");
	else if (text)
		rec_out_add(&o, "Upcoming talks for “%.200s”%s:\n", text,
			    nst ? " (shaped by your stars)" : "");
	else
		rec_out_add(&o, "Upcoming talks like the ones you starred:\n");
	for (long i = 0; i < n; i++) {
		const struct rec_entry *e = &p->idx->e[hits[i].entry];
		char when[256], title[CMD_TITLE_MAX + 1], words[200] = "", track[120];
		long like = nst ? rec_query_closest(p->idx, hits[i].entry, st, nst) : -1;
		char liked[CMD_TITLE_MAX / 2 + 1];

		slot_text(p, shown_slot(p->idx, hits[i].entry, hits[i].slot), when, sizeof(when));
		rec_fmt_cut(e->title, title, sizeof(title));
		rec_fmt_cut(e->track ? e->track : "", track, sizeof(track));
		if (text)
			rec_query_matched(p->idx, text, hits[i].entry, words, sizeof(words));
		rec_fmt_cut(like >= 0 ? p->idx->e[like].title : "", liked, sizeof(liked));
		rec_out_add(&o, "%ld. **%s** — %s\n   ↳ %s%s%s%s%s%s%s%s\n", i + 1, title, when,
			    words[0] ? "matches " : "", words, words[0] && track[0] ? " · " : "",
			    track[0] ? "track " : "", track,
			    liked[0] && (words[0] || track[0]) ? " · " : "",
			    liked[0] ? "like your starred " : "", liked);
	}
	free(st);
	return send_out(p, inv, &o);
}

static void recommend_done(void *ctx, int status, void *job)
{
	struct rec_plugin *p = ctx;
	struct cmd_job *j = job;
	cmd_end(p, j, status != HW_OK ? storage_failed(p, j->inv, status)
		      : recommend_answer(p, j->inv, j->text, j->stars, j->nstars));
}

static int cmd_recommend(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	struct rec_plugin *p = ud;
	struct cmd_job *j;
	(void)self;

	if (!p->idx)
		return no_schedule(p, inv);
	/* The stars shape the ranking: read them first. */
	if (!(j = cmd_job_new(inv, arg0(inv))))
		return HW_ERR_NOMEM;
	return cmd_run(p, inv, j, stars_body, recommend_done);
}

/* Resolves the talk the user named. Returns the entry, or -1 after
 * replying (no match, or which one?). *ret is the reply's result. */
static long resolve(struct rec_plugin *p, const hw_invocation *inv, const char *text, int *ret)
{
	size_t found[5], total;
	int exact = 0;
	struct rec_out o = {0};

	*ret = HW_OK;
	total = rec_query_find(p->idx, text, rec_now(p), found, 5, &exact);
	if (total == 1 || (total && exact))
		return (long)found[0];
	if (!total) {
		rec_out_add(&o, "No talk matches “%.200s”. Try words from its title, or "
				"`talk <words>` to search.", text);
	} else {
		rec_out_add(&o, "%zu talks match “%.200s”; which one? Use more title words:\n",
			    total, text);
		for (size_t i = 0; i < total && i < 5; i++) {
			char title[CMD_TITLE_MAX + 1], when[256];
			long s = rec_index_upcoming(p->idx, found[i], rec_now(p));
			rec_fmt_cut(p->idx->e[found[i]].title, title, sizeof(title));
			slot_text(p, shown_slot(p->idx, found[i], s), when, sizeof(when));
			rec_out_add(&o, "• **%s** — %s\n", title, when);
		}
		if (total > 5)
			rec_out_add(&o, "…and %zu more.", total - 5);
	}
	*ret = send_out(p, inv, &o);
	return -1;
}

static int cmd_similar(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	struct rec_plugin *p = ud;
	const char *text = arg0(inv);
	struct rec_hit hits[REC_RESULTS];
	struct rec_out o = {0};
	char title[CMD_TITLE_MAX + 1];
	long e, n;
	int ret;

	if (!p->idx)
		return no_schedule(p, inv);
	if (!text)
		return p->api->reply(self, inv, "Usage: `similar <talk>` (words from its title)");
	if ((e = resolve(p, inv, text, &ret)) < 0)
		return ret;
	n = rec_query_similar(p->idx, (size_t)e, rec_now(p), hits, REC_RESULTS);
	if (n < 0)
		return HW_ERR_NOMEM;
	rec_fmt_cut(p->idx->e[e].title, title, sizeof(title));
	if (!n)
		rec_out_add(&o, "No upcoming talk is much like **%s**.", title);
	else
		rec_out_add(&o, "Upcoming talks like **%s**:\n", title);
	for (long i = 0; i < n; i++) {
		const struct rec_entry *h = &p->idx->e[hits[i].entry];
		char when[256], t[CMD_TITLE_MAX + 1], words[160];
		int same = h->track && p->idx->e[e].track && !strcmp(h->track, p->idx->e[e].track);

		slot_text(p, shown_slot(p->idx, hits[i].entry, hits[i].slot), when, sizeof(when));
		rec_fmt_cut(h->title, t, sizeof(t));
		rec_query_shared(p->idx, (size_t)e, hits[i].entry, words, sizeof(words));
		rec_out_add(&o, "%ld. **%s** — %s\n   ↳ %s%s%s%s\n", i + 1, t, when,
			    words[0] ? "shares " : "", words, words[0] && same ? " · " : "",
			    same ? "same track" : "");
	}
	return send_out(p, inv, &o);
}

static int overlaps(const struct rec_star *a, const struct rec_star *b)
{
	return !a->cancelled && !b->cancelled && a->start < b->end && b->start < a->end;
}

static int star_body(void *ctx, hw_tx *tx, void *job)
{
	struct rec_plugin *p = ctx;
	struct cmd_job *j = job;
	int rc = rec_store_star(p->api, tx, j->user, &j->star, j->due, &j->changed);
	/* The agenda after the star, for its clashes. */
	return rc ? rc : rec_store_stars(p->api, tx, j->user, &j->stars, &j->nstars);
}

static void star_done(void *ctx, int status, void *job)
{
	struct rec_plugin *p = ctx;
	struct cmd_job *j = job;
	const struct rec_star *s = &j->star;
	struct rec_slot sl = {.id = s->talk_id, .room = s->room, .start = s->start,
			      .end = s->end};
	struct rec_out o = {0};
	char title[CMD_TITLE_MAX + 1], when[256];

	if (status != HW_OK) {
		p->api->log(p->self, HW_LOG_ERROR, "recommend: cannot store a star (%d)", status);
		cmd_end(p, j, storage_failed(p, j->inv, status));
		return;
	}
	rec_remind_arm(p);
	rec_fmt_cut(s->title, title, sizeof(title));
	slot_text(p, &sl, when, sizeof(when));
	if (j->changed)
		rec_out_add(&o, "⭐ Starred **%s** — %s. I will DM you %lld minutes before it "
				"starts.", title, when, (long long)(p->lead_s / 60));
	else
		rec_out_add(&o, "**%s** (%s) is already in your agenda.", title, when);
	for (size_t i = 0; i < j->nstars; i++) {
		char t2[CMD_TITLE_MAX + 1], w2[64];
		if (!strcmp(j->stars[i].talk_id, s->talk_id) || !overlaps(&j->stars[i], s))
			continue;
		rec_fmt_cut(j->stars[i].title, t2, sizeof(t2));
		rec_fmt_span(p->tz, j->stars[i].start, j->stars[i].end, w2, sizeof(w2));
		rec_out_add(&o, "\n⚠️ Clashes with **%s** (%s).", t2, w2);
	}
	cmd_end(p, j, send_out(p, j->inv, &o));
}

static int cmd_star(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	struct rec_plugin *p = ud;
	const char *text = arg0(inv);
	const struct rec_entry *en;
	const struct rec_slot *sl;
	struct rec_out o = {0};
	struct cmd_job *j;
	char title[CMD_TITLE_MAX + 1];
	long e, slot;
	int64_t now = rec_now(p);
	int ret;

	if (!p->idx)
		return no_schedule(p, inv);
	if (!text)
		return p->api->reply(self, inv, "Usage: `star <talk>` (words from its title)");
	if ((e = resolve(p, inv, text, &ret)) < 0)
		return ret;
	en = &p->idx->e[e];
	rec_fmt_cut(en->title, title, sizeof(title));
	/* An id names one slot; otherwise the next one. */
	slot = rec_index_upcoming(p->idx, (size_t)e, now);
	{
		size_t js;
		if (rec_index_find_id(p->idx, text, &js) == e && !en->slots[js].cancelled &&
		    en->slots[js].start > now)
			slot = (long)js;
	}
	if (slot < 0) {
		rec_out_add(&o, "**%s** has no upcoming session (it is over, under way or "
				"cancelled), so there is nothing to remind you of.", title);
		return send_out(p, inv, &o);
	}
	sl = &en->slots[slot];
	/* The snapshot is copied: the index may be replaced before done(). */
	if (!(j = cmd_job_new(inv, NULL)) || !(j->star.talk_id = strdup(sl->id)) ||
	    !(j->star.title = strdup(en->title)) ||
	    (sl->room && !(j->star.room = strdup(sl->room)))) {
		if (j)
			cmd_free(j);
		return HW_ERR_NOMEM;
	}
	j->star.start = sl->start;
	j->star.end = sl->end;
	j->star.starred_at = now;
	j->due = sl->start - p->lead_s;
	return cmd_run(p, inv, j, star_body, star_done);
}

/* The user's stars that text names: by id, then the exact title, then
 * title words (pure: runs in the unit of work). */
static void unstar_match(struct cmd_job *j)
{
	char f[512], ft[512];

	hw_fold_into(j->text, f, sizeof(f));
	for (int pass = 0; pass < 3 && !j->nm; pass++)
		for (size_t i = 0; i < j->nstars; i++) {
			int hit;
			hw_fold_into(j->stars[i].title, ft, sizeof(ft));
			hit = pass == 0   ? !strcmp(j->stars[i].talk_id, j->text)
			      : pass == 1 ? f[0] && !strcmp(ft, f)
					  : f[0] && rec_query_words_prefix(ft, f);
			if (hit && j->nm < 5)
				j->match[j->nm++] = i;
			j->exact = pass < 2;
		}
}

/* Reads the stars, finds the one named and removes it, in one
 * transaction: what the reply names is what was removed. */
static int unstar_body(void *ctx, hw_tx *tx, void *job)
{
	struct rec_plugin *p = ctx;
	struct cmd_job *j = job;
	int rc = rec_store_stars(p->api, tx, j->user, &j->stars, &j->nstars);

	if (rc)
		return rc;
	unstar_match(j);
	if (j->nm == 1 || (j->nm > 1 && j->exact))
		rc = rec_store_unstar(p->api, tx, j->user, j->stars[j->match[0]].talk_id,
				      &j->changed);
	return rc;
}

static void unstar_done(void *ctx, int status, void *job)
{
	struct rec_plugin *p = ctx;
	struct cmd_job *j = job;
	struct rec_out o = {0};
	char title[CMD_TITLE_MAX + 1];

	if (status != HW_OK) {
		cmd_end(p, j, storage_failed(p, j->inv, status));
		return;
	}
	if (!j->nm) {
		rec_out_add(&o, "None of your starred talks matches “%.200s”. `agenda` lists "
				"them.", j->text);
	} else if (j->nm > 1 && !j->exact) {
		rec_out_add(&o, "Several starred talks match “%.200s”; which one?\n", j->text);
		for (size_t i = 0; i < j->nm; i++) {
			rec_fmt_cut(j->stars[j->match[i]].title, title, sizeof(title));
			rec_out_add(&o, "• **%s**\n", title);
		}
	} else {
		rec_remind_arm(p);
		rec_fmt_cut(j->stars[j->match[0]].title, title, sizeof(title));
		rec_out_add(&o, "Removed **%s** from your agenda; no reminder for it.", title);
	}
	cmd_end(p, j, send_out(p, j->inv, &o));
}

static int cmd_unstar(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	struct rec_plugin *p = ud;
	const char *text = arg0(inv);
	struct cmd_job *j;

	if (!text)
		return p->api->reply(self, inv, "Usage: `unstar <talk>` (words from its title)");
	if (!(j = cmd_job_new(inv, text)))
		return HW_ERR_NOMEM;
	return cmd_run(p, inv, j, unstar_body, unstar_done);
}

static int agenda_ics(struct rec_plugin *p, const hw_invocation *inv, struct rec_star *all,
		      size_t nall)
{
	char name[300], text[120], *data = NULL;
	size_t len = 0;
	int ret;

	snprintf(name, sizeof(name), "%.200s — my agenda",
		 p->idx && p->idx->name ? p->idx->name : "Conference");
	if (rec_ics_build(all, nall, name, rec_now(p), &data, &len))
		return HW_ERR_NOMEM;
	snprintf(text, sizeof(text), "Your agenda as a calendar file (%zu talk%s).", nall,
		 nall == 1 ? "" : "s");
	ret = p->api->reply_file(p->self, inv, text, "agenda.ics", data, len);
	free(data);
	return ret;
}

/* Reads words "ics", "today" and a page number, in any order; 0, or -1
 * for anything else. */
static int agenda_parse(const char *arg, struct agenda_ask *ask)
{
	memset(ask, 0, sizeof(*ask));
	ask->page = 1;
	while (arg && *arg) {
		size_t n;
		arg += strspn(arg, " ");
		n = strcspn(arg, " ");
		if (!n)
			break;
		if ((n == 3 && !strncmp(arg, "ics", 3)) || (n == 4 && !strncmp(arg, "ical", 4)) ||
		    (n == 8 && !strncmp(arg, "calendar", 8)))
			ask->ics = 1;
		else if (n == 5 && !strncmp(arg, "today", 5))
			ask->today = 1;
		else if (n <= 6 && strspn(arg, "0123456789") == n && atoi(arg) > 0)
			ask->page = (size_t)atoi(arg);
		else
			return -1;
		arg += n;
	}
	return 0;
}

/* One talk of the agenda as a reply model item (issue 16), with at most
 * AGENDA_CLASHES of the talks it clashes with in its note, and its
 * recording once it has ended (issue 21). */
static json_t *agenda_item(struct rec_plugin *p, const struct rec_star *all, size_t nall,
			   size_t i, int64_t now)
{
	const struct rec_star *s = &all[i];
	char note[AGENDA_CLASHES * (AGENDA_CLASH_TITLE + 8) + 64] = "";
	size_t clashes = 0, o = 0;
	json_t *it = json_pack("{s:s, s:s%, s:I, s:I}", "kind", "talk", "title", s->title,
			       strnlen(s->title, CMD_TITLE_MAX), "start", (json_int_t)s->start * 1000,
			       "end", (json_int_t)(s->end > s->start ? s->end : s->start) * 1000);
	if (!it)
		return NULL;
	if (s->room)
		json_object_set_new(it, "room", json_stringn(s->room, strnlen(s->room, 150)));
	if (s->talk_id)
		json_object_set_new(it, "id", json_stringn(s->talk_id, strnlen(s->talk_id, 90)));
	if (s->cancelled)
		json_object_set_new(it, "status", json_string("cancelled"));
	if (!s->cancelled && s->end <= now && rec_index_recording(p->idx, s->talk_id))
		json_object_set_new(it, "recording",
				    json_string(rec_index_recording(p->idx, s->talk_id)));
	for (size_t j = 0; j < nall; j++) {
		char t2[AGENDA_CLASH_TITLE + 1];
		if (j == i || !overlaps(s, &all[j]))
			continue;
		if (clashes++ >= AGENDA_CLASHES)
			continue;
		rec_fmt_cut(all[j].title, t2, sizeof(t2));
		if (o < sizeof(note))
			o += (size_t)snprintf(note + o, sizeof(note) - o, "%s%s",
					      clashes == 1 ? "Clashes with " : ", ", t2);
	}
	if (clashes > AGENDA_CLASHES && o < sizeof(note))
		snprintf(note + o, sizeof(note) - o, " and %zu more", clashes - AGENDA_CLASHES);
	if (note[0])
		json_object_set_new(it, "note", json_string(note));
	return it;
}

/* watched: NULL before the conference is over, else which stars are
 * ticked off (the answer is then the watch list). */
static int agenda_answer(struct rec_plugin *p, const hw_invocation *inv,
			 const struct agenda_ask *ask, struct rec_star *all, size_t nall,
			 const unsigned char *watched)
{
	size_t nsel = 0, shown = 0, first, per_page, *sel = NULL;
	int64_t now = rec_now(p), today = rec_fmt_day(p->tz, now);
	char line[300];
	json_t *m, *items;

	if (ask->ics)
		return agenda_ics(p, inv, all, nall);
	/* Where only the asker reads, a page may be longer. */
	per_page = inv->is_dm || inv->door == HW_DOOR_CONSOLE ? AGENDA_PAGE_PRIVATE : AGENDA_PAGE;
	if (watched) {
		/* After the conference: the starred talks not yet watched. */
		if (!(m = rec_watch_model(p, all, nall, watched, ask->page, per_page)))
			return HW_ERR_NOMEM;
		return p->api->reply_model(p->self, inv, m);
	}
	m = json_pack("{s:i, s:[]}", "version", HW_REPLY_VERSION, "items");
	if (!m || !(sel = calloc(nall ? nall : 1, sizeof(*sel)))) {
		json_decref(m);
		return HW_ERR_NOMEM;
	}
	items = json_object_get(m, "items");
	if (p->tz)
		json_object_set_new(m, "zone", json_string(hw_tz_name(p->tz)));
	for (size_t i = 0; i < nall; i++)
		if (!ask->today || rec_fmt_day(p->tz, all[i].start) == today)
			sel[nsel++] = i;
	first = (ask->page - 1) * per_page;
	if (!nall) {
		json_object_set_new(m, "text", json_string(
			"Your agenda is empty. Type star <talk> to add a talk; recommend <interests> "
			"suggests some."));
	} else if (ask->today && !nsel) {
		snprintf(line, sizeof(line), "None of your %zu starred talk%s is today.", nall,
			 nall == 1 ? "" : "s");
		json_object_set_new(m, "text", json_string(line));
		json_object_set_new(m, "actions", json_pack("[{s:s, s:s}]", "label", "All of them",
							    "command", "agenda"));
	} else if (first >= nsel) {
		snprintf(line, sizeof(line), "Your agenda has %zu talk%s%s: there is no page %zu.",
			 nsel, nsel == 1 ? "" : "s", ask->today ? " today" : "", ask->page);
		json_object_set_new(m, "text", json_string(line));
		json_object_set_new(m, "actions", json_pack("[{s:s, s:s}]", "label", "First page",
							    "command", ask->today ? "agenda today"
										  : "agenda"));
	} else {
		if (ask->today)
			snprintf(line, sizeof(line), "Your agenda today (%zu of %zu talk%s)", nsel, nall,
				 nall == 1 ? "" : "s");
		else
			snprintf(line, sizeof(line), "Your agenda (%zu talk%s)", nall,
				 nall == 1 ? "" : "s");
		json_object_set_new(m, "title", json_string(line));
		json_object_set_new(m, "actions", json_pack("[{s:s, s:s}]", "label", "Calendar file",
							    "command", "agenda ics"));
	}
	for (size_t k = first; k < nsel && shown < per_page; k++, shown++)
		json_array_append_new(items, agenda_item(p, all, nall, sel[k], now));
	if (first < nsel && first + shown < nsel) {
		/* Never cut in silence: a "Show more" for the next page. */
		snprintf(line, sizeof(line), "agenda%s %zu", ask->today ? " today" : "",
			 ask->page + 1);
		json_object_set_new(m, "more", json_pack("{s:I, s:I, s:s}", "shown",
							 (json_int_t)(first + shown), "total",
							 (json_int_t)nsel, "command", line));
	}
	free(sel);
	return p->api->reply_model(p->self, inv, m);
}

/* The stars, and after the conference which of them are watched. */
static int agenda_body(void *ctx, hw_tx *tx, void *job)
{
	struct rec_plugin *p = ctx;
	struct cmd_job *j = job;
	int rc = rec_store_stars(p->api, tx, j->user, &j->stars, &j->nstars);
	if (rc || !j->after)
		return rc;
	if (!(j->watched = calloc(j->nstars ? j->nstars : 1, 1)))
		return HW_ERR_NOMEM;
	return rec_watch_mark(p->api, tx, j->user, j->stars, j->nstars, j->watched);
}

static void agenda_done(void *ctx, int status, void *job)
{
	struct rec_plugin *p = ctx;
	struct cmd_job *j = job;
	cmd_end(p, j, status != HW_OK ? storage_failed(p, j->inv, status)
		      : agenda_answer(p, j->inv, &j->ask, j->stars, j->nstars,
				      j->after ? j->watched : NULL));
}

static int cmd_agenda(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	struct rec_plugin *p = ud;
	struct agenda_ask ask;
	struct cmd_job *j;

	if (agenda_parse(arg0(inv), &ask))
		return p->api->reply(self, inv, "Usage: `agenda`, `agenda 2` (the next page), "
					       "`agenda today` or `agenda ics` (a calendar file)");
	if (!(j = cmd_job_new(inv, NULL)))
		return HW_ERR_NOMEM;
	j->ask = ask;
	/* Decided on the loop: the index says when the last talk ends. */
	j->after = !ask.ics && rec_watch_is_after(p, rec_now(p));
	return cmd_run(p, inv, j, agenda_body, agenda_done);
}

/* Slash autocomplete for a talk: title (with its time) -> slot id. */
static void complete(hw_plugin *self, const char *arg, const char *partial, hw_completion *out,
		     void *ud)
{
	struct rec_plugin *p = ud;
	size_t found[CMD_CHOICES], n = 0;
	int64_t now = rec_now(p);
	int exact;

	if (!p->idx || !arg || strcmp(arg, "talk"))
		return;
	if (partial && *partial) {
		n = rec_query_find(p->idx, partial, now, found, CMD_CHOICES, &exact);
		if (n > CMD_CHOICES)
			n = CMD_CHOICES;
	} else {
		/* The next upcoming talks, soonest first. */
		for (size_t i = 0; i < p->idx->n; i++) {
			long s = rec_index_upcoming(p->idx, i, now), k;
			int64_t t;
			if (s < 0)
				continue;
			t = p->idx->e[i].slots[s].start;
			if (n == CMD_CHOICES) {
				long w = rec_index_upcoming(p->idx, found[n - 1], now);
				if (p->idx->e[found[n - 1]].slots[w].start <= t)
					continue;
				n--;
			}
			for (k = (long)n; k > 0; k--) {
				long w = rec_index_upcoming(p->idx, found[k - 1], now);
				if (p->idx->e[found[k - 1]].slots[w].start <= t)
					break;
				found[k] = found[k - 1];
			}
			found[k] = i;
			n++;
		}
	}
	for (size_t i = 0; i < n; i++) {
		const struct rec_entry *e = &p->idx->e[found[i]];
		long s = rec_index_upcoming(p->idx, found[i], now);
		const struct rec_slot *sl = &e->slots[s >= 0 ? (size_t)s : 0];
		char when[40], name[CMD_CHOICE_LEN * 2], choice[CMD_CHOICE_LEN + 1];
		char value[CMD_CHOICE_LEN + 1];

		rec_fmt_when(p->tz, sl->start, when, sizeof(when));
		snprintf(name, sizeof(name), "%.150s (%s)", e->title, when);
		rec_fmt_cut(name, choice, sizeof(choice));
		rec_fmt_cut(strlen(sl->id) <= CMD_CHOICE_LEN ? sl->id : e->title, value,
			    sizeof(value));
		p->api->complete_add(out, choice, value);
	}
}

int rec_cmd_register(struct rec_plugin *p)
{
	static const hw_arg_spec interests[] = {
		{"interests", HW_ARG_TEXT, 0, "Topics, tools, speakers: \"rust databases\"", 0}};
	static const hw_arg_spec talk[] = {
		{"talk", HW_ARG_TEXT, 1, "The talk (words from its title)", 1}};
	static const hw_arg_spec format[] = {
		{"format", HW_ARG_TEXT, 0,
		 "today, a page number, or ics: a calendar file for your calendar app", 0}};
	const struct {
		const char *name, *summary, *help;
		const hw_arg_spec *args;
		hw_command_fn fn;
	} cmds[] = {
		{"recommend", "The 5 best upcoming talks for your interests",
		 "`recommend rust embedded` ranks upcoming talks by title, abstract, track, tags "
		 "and speakers; talks you starred shape the ranking.",
		 interests, cmd_recommend},
		{"similar", "Upcoming talks like a given talk", "`similar <talk>`", talk,
		 cmd_similar},
		{"star", "Add a talk to your agenda (with a reminder DM)",
		 "`star <talk>`: you get a DM before it starts, and one if it moves or is "
		 "cancelled.",
		 talk, cmd_star},
		{"unstar", "Remove a talk from your agenda", "`unstar <talk>`", talk, cmd_unstar},
		{"agenda", "Your starred talks, clashes flagged; `agenda ics` as a calendar file",
		 "`agenda` lists your starred talks in time order, a page at a time (`agenda 2` "
		 "is the next page); `agenda today` only today's; `agenda ics` sends an "
		 "iCalendar file with all of them.",
		 format, cmd_agenda},
	};

	for (size_t i = 0; i < sizeof(cmds) / sizeof(*cmds); i++) {
		hw_command_spec spec = {
			.struct_size = sizeof(spec), .name = cmds[i].name,
			.summary = cmds[i].summary, .help = cmds[i].help,
			.perm = HW_PERM_EVERYONE, .args = cmds[i].args, .nargs = 1,
			.fn = cmds[i].fn, .complete = cmds[i].args == talk ? complete : NULL,
			.ud = p,
		};
		int ret = p->api->command_add(p->self, &spec);
		if (ret != HW_OK) {
			p->api->log(p->self, HW_LOG_ERROR, "recommend: cannot register %s: %d",
				    cmds[i].name, ret);
			return ret;
		}
	}
	return HW_OK;
}
