/*
 * The commands: recommend, similar, star, unstar, agenda [ics]. Answers
 * read the current index (talks) and storage (the user's stars); every
 * change is committed before the reply.
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

static int cmd_recommend(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	struct rec_plugin *p = ud;
	const char *text = arg0(inv);
	struct rec_star *stars = NULL;
	size_t nstars = 0, *st = NULL, nst;
	struct rec_hit hits[REC_RESULTS];
	struct rec_out o = {0};
	long n;

	if (!p->idx)
		return no_schedule(p, inv);
	if (rec_store_stars(p->db, inv->user_id, &stars, &nstars))
		return HW_ERR_STORAGE;
	nst = starred_entries(p, stars, nstars, &st);
	if (!st) {
		rec_store_stars_free(stars, nstars);
		return HW_ERR_NOMEM;
	}
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
	rec_store_stars_free(stars, nstars);
	free(st);
	return send_out(p, inv, &o);
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

static int cmd_star(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	struct rec_plugin *p = ud;
	const char *text = arg0(inv);
	const struct rec_entry *en;
	const struct rec_slot *sl;
	struct rec_star s = {0}, *all = NULL;
	struct rec_out o = {0};
	char title[CMD_TITLE_MAX + 1], when[256];
	size_t nall = 0;
	long e, slot;
	int64_t now = rec_now(p), due;
	int ret, added = 0;

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
	s.talk_id = sl->id;
	s.title = en->title;
	s.room = sl->room;
	s.start = sl->start;
	s.end = sl->end;
	s.starred_at = now;
	due = sl->start - p->lead_s;
	if (rec_store_star(p->db, inv->user_id, &s, due, &added)) {
		p->api->log(self, HW_LOG_ERROR, "recommend: cannot store a star: %s",
			    sqlite3_errmsg(p->db));
		return HW_ERR_STORAGE;
	}
	rec_remind_arm(p);
	slot_text(p, sl, when, sizeof(when));
	if (added)
		rec_out_add(&o, "⭐ Starred **%s** — %s. I will DM you %lld minutes before it "
				"starts.", title, when, (long long)(p->lead_s / 60));
	else
		rec_out_add(&o, "**%s** (%s) is already in your agenda.", title, when);
	if (!rec_store_stars(p->db, inv->user_id, &all, &nall)) {
		for (size_t i = 0; i < nall; i++) {
			char t2[CMD_TITLE_MAX + 1], w2[64];
			if (!strcmp(all[i].talk_id, s.talk_id) || !overlaps(&all[i], &s))
				continue;
			rec_fmt_cut(all[i].title, t2, sizeof(t2));
			rec_fmt_span(p->tz, all[i].start, all[i].end, w2, sizeof(w2));
			rec_out_add(&o, "\n⚠️ Clashes with **%s** (%s).", t2, w2);
		}
		rec_store_stars_free(all, nall);
	}
	return send_out(p, inv, &o);
}

static int cmd_unstar(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	struct rec_plugin *p = ud;
	const char *text = arg0(inv);
	struct rec_star *all = NULL;
	struct rec_out o = {0};
	size_t nall = 0, match[5], nm = 0, exact = 0;
	char f[512], ft[512], title[CMD_TITLE_MAX + 1];
	int removed = 0;

	if (!text)
		return p->api->reply(self, inv, "Usage: `unstar <talk>` (words from its title)");
	if (rec_store_stars(p->db, inv->user_id, &all, &nall))
		return HW_ERR_STORAGE;
	hw_fold_into(text, f, sizeof(f));
	/* By id, then the exact title, then title words. */
	for (int pass = 0; pass < 3 && !nm; pass++)
		for (size_t i = 0; i < nall; i++) {
			int hit;
			hw_fold_into(all[i].title, ft, sizeof(ft));
			hit = pass == 0   ? !strcmp(all[i].talk_id, text)
			      : pass == 1 ? f[0] && !strcmp(ft, f)
					  : f[0] && rec_query_words_prefix(ft, f);
			if (hit && nm < 5)
				match[nm++] = i;
			exact = pass < 2;
		}
	if (!nm) {
		rec_out_add(&o, "None of your starred talks matches “%.200s”. `agenda` lists "
				"them.", text);
	} else if (nm > 1 && !exact) {
		rec_out_add(&o, "Several starred talks match “%.200s”; which one?\n", text);
		for (size_t i = 0; i < nm; i++) {
			rec_fmt_cut(all[match[i]].title, title, sizeof(title));
			rec_out_add(&o, "• **%s**\n", title);
		}
	} else {
		const struct rec_star *s = &all[match[0]];
		if (rec_store_unstar(p->db, inv->user_id, s->talk_id, &removed)) {
			rec_store_stars_free(all, nall);
			return HW_ERR_STORAGE;
		}
		rec_remind_arm(p);
		rec_fmt_cut(s->title, title, sizeof(title));
		rec_out_add(&o, "Removed **%s** from your agenda; no reminder for it.", title);
	}
	rec_store_stars_free(all, nall);
	return send_out(p, inv, &o);
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

/* What `agenda` shows: a page of talks in time order, today's, or all of
 * them as a calendar file. */
struct agenda_ask {
	int ics, today;
	size_t page; /* from 1 */
};

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

/* After the conference: the starred talks not yet watched (rec_watch.h).
 * Frees all. */
static int watch_list(struct rec_plugin *p, const hw_invocation *inv, struct rec_star *all,
		      size_t nall, size_t page, size_t per_page)
{
	unsigned char *watched = calloc(nall ? nall : 1, 1);
	json_t *m = NULL;
	int ret = HW_ERR_NOMEM;

	if (watched && rec_watch_mark(p, inv->user_id, all, nall, watched)) {
		ret = HW_ERR_STORAGE;
		goto out;
	}
	if (watched && (m = rec_watch_model(p, all, nall, watched, page, per_page)))
		ret = p->api->reply_model(p->self, inv, m);
out:
	free(watched);
	rec_store_stars_free(all, nall);
	return ret;
}

static int cmd_agenda(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	struct rec_plugin *p = ud;
	struct agenda_ask ask;
	struct rec_star *all = NULL;
	size_t nall = 0, nsel = 0, shown = 0, first, per_page, *sel = NULL;
	int64_t now = rec_now(p), today = rec_fmt_day(p->tz, now);
	char line[300];
	json_t *m, *items;

	if (agenda_parse(arg0(inv), &ask))
		return p->api->reply(self, inv, "Usage: `agenda`, `agenda 2` (the next page), "
					       "`agenda today` or `agenda ics` (a calendar file)");
	if (rec_store_stars(p->db, inv->user_id, &all, &nall))
		return HW_ERR_STORAGE;
	if (ask.ics) {
		int ret = agenda_ics(p, inv, all, nall);
		rec_store_stars_free(all, nall);
		return ret;
	}
	per_page = inv->is_dm || inv->door == HW_DOOR_CONSOLE ? AGENDA_PAGE_PRIVATE : AGENDA_PAGE;
	if (rec_watch_is_after(p, now))
		return watch_list(p, inv, all, nall, ask.page, per_page);
	m = json_pack("{s:i, s:[]}", "version", HW_REPLY_VERSION, "items");
	if (!m || !(sel = calloc(nall ? nall : 1, sizeof(*sel)))) {
		json_decref(m);
		rec_store_stars_free(all, nall);
		return HW_ERR_NOMEM;
	}
	items = json_object_get(m, "items");
	if (p->tz)
		json_object_set_new(m, "zone", json_string(hw_tz_name(p->tz)));
	for (size_t i = 0; i < nall; i++)
		if (!ask.today || rec_fmt_day(p->tz, all[i].start) == today)
			sel[nsel++] = i;
	/* Where only the asker reads, a page may be longer (per_page). */
	first = (ask.page - 1) * per_page;
	if (!nall) {
		json_object_set_new(m, "text", json_string(
			"Your agenda is empty. Type star <talk> to add a talk; recommend <interests> "
			"suggests some."));
	} else if (ask.today && !nsel) {
		snprintf(line, sizeof(line), "None of your %zu starred talk%s is today.", nall,
			 nall == 1 ? "" : "s");
		json_object_set_new(m, "text", json_string(line));
		json_object_set_new(m, "actions", json_pack("[{s:s, s:s}]", "label", "All of them",
							    "command", "agenda"));
	} else if (first >= nsel) {
		snprintf(line, sizeof(line), "Your agenda has %zu talk%s%s: there is no page %zu.",
			 nsel, nsel == 1 ? "" : "s", ask.today ? " today" : "", ask.page);
		json_object_set_new(m, "text", json_string(line));
		json_object_set_new(m, "actions", json_pack("[{s:s, s:s}]", "label", "First page",
							    "command", ask.today ? "agenda today"
										 : "agenda"));
	} else {
		if (ask.today)
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
		snprintf(line, sizeof(line), "agenda%s %zu", ask.today ? " today" : "", ask.page + 1);
		json_object_set_new(m, "more", json_pack("{s:I, s:I, s:s}", "shown",
							 (json_int_t)(first + shown), "total",
							 (json_int_t)nsel, "command", line));
	}
	free(sel);
	rec_store_stars_free(all, nall);
	return p->api->reply_model(self, inv, m);
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
