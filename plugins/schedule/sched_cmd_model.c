/*
 * The schedule's answers as reply models: next, now, day, talk, speaker.
 * Long answers are paged ("8 of 26", a "Show more" that runs the same
 * command with page=N+1), the main rooms first when not all fit, and a
 * room or a track (FOSDEM's devrooms) narrows them.
 */
#include "sched_cmd_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/reply.h>
#include <hallway/reply_item.h>
#include <hallway/text.h>
#include <hallway/tz.h>

#include "sched_match.h"
#include "sched_ospaces.h"
#include "sched_query.h"
#include "sched_when.h"

#define ARG_MAX 200
#define PAGE_MAX 1000
#define DAY_PAGE 20
#define ROOMSET_MAX 8
#define SUGGEST_MAX 5

/* ---- items ---- */

json_t *sched_answer_item(const struct sched *s, const struct sched_talk *t)
{
	json_t *it = json_pack("{s:s}", "kind", "talk");
	json_t *sp;
	(void)s;
	if (!it)
		return NULL;
	/* Times a model can carry (Unix ms, 1970 to 9999). */
	if (t->start >= 0 && t->end >= t->start && t->end < (int64_t)253402300799) {
		json_object_set_new(it, "start", json_integer((json_int_t)t->start * 1000));
		json_object_set_new(it, "end", json_integer((json_int_t)t->end * 1000));
	}
	hw_reply_set_text(it, "title", *t->title ? t->title : "(untitled)", 290);
	hw_reply_set_text(it, "room", t->room, 190);
	hw_reply_set_text(it, "track", t->track, 190);
	hw_reply_set_text(it, "id", t->id, 90);
	if (hw_reply_is_link(t->url))
		json_object_set_new(it, "url", json_string(t->url));
	if (hw_reply_is_link(t->recording))
		json_object_set_new(it, "recording", json_string(t->recording));
	if (hw_reply_colour(t->track))
		json_object_set_new(it, "colour", json_string(hw_reply_colour(t->track)));
	if (t->cancelled)
		json_object_set_new(it, "status", json_string("cancelled"));
	if (t->nspeakers && (sp = json_array())) {
		for (size_t i = 0; i < t->nspeakers && i < 50; i++)
			json_array_append_new(sp, hw_reply_text(t->speakers[i], 190));
		json_object_set_new(it, "speakers", sp);
	}
	return it;
}

static json_t *model_new(const struct sched *s, const char *title)
{
	const char *zone = s && s->tz ? hw_tz_name(s->tz) : NULL;
	json_t *m = json_pack("{s:i, s:[]}", "version", HW_REPLY_VERSION, "items");
	if (!m)
		return NULL;
	if (title)
		hw_reply_set_text(m, "title", title, 250);
	if (zone && strncmp(zone, "UTC+", 4) && strncmp(zone, "UTC-", 4))
		json_object_set_new(m, "zone", json_string(zone));
	return m;
}

static void add_text(json_t *m, const char *text)
{
	json_t *it = json_pack("{s:s, s:o}", "kind", "text", "text", hw_reply_text(text, 3900));
	if (it)
		json_array_append_new(json_object_get(m, "items"), it);
}

/* The model's own paragraph (the text before the items). */
static void set_para(json_t *m, const char *text)
{
	hw_reply_set_text(m, "text", text, 1700);
}

/* ---- arguments ---- */

struct args {
	char text[ARG_MAX + 1];  /* the room or track words */
	char track[ARG_MAX + 1]; /* after "track:" */
	int has_track;
	size_t page;             /* 1-based */
};

static void args_parse(const char *in, struct args *a)
{
	const char *p = in ? in : "";
	size_t o = 0;
	memset(a, 0, sizeof(*a));
	a->page = 1;
	while (*p) {
		size_t len;
		while (*p == ' ' || *p == '\t')
			p++;
		len = strcspn(p, " \t");
		if (!len)
			break;
		if (len > 5 && !strncmp(p, "page=", 5)) {
			long v = strtol(p + 5, NULL, 10);
			a->page = v >= 1 && v <= PAGE_MAX ? (size_t)v : 1;
		} else if (!a->has_track && (!strncmp(p, "track:", 6) || !strncmp(p, "track=", 6))) {
			a->has_track = 1;
			snprintf(a->track, sizeof(a->track), "%.*s", (int)(len - 6), p + 6);
		} else if (a->has_track) {
			size_t t = strlen(a->track);
			snprintf(a->track + t, sizeof(a->track) - t, "%s%.*s", t ? " " : "", (int)len, p);
		} else if (o + len + 2 < sizeof(a->text)) {
			o += (size_t)snprintf(a->text + o, sizeof(a->text) - o, "%s%.*s", o ? " " : "",
					      (int)len, p);
		}
		p += len;
	}
}

/* "next track:Rust page=3". */
static void more_command(const char *cmd, const struct args *a, size_t page, char *buf,
			 size_t len)
{
	if (a->has_track)
		snprintf(buf, len, "%s track:%s page=%zu", cmd, a->track, page);
	else if (a->text[0])
		snprintf(buf, len, "%s %s page=%zu", cmd, a->text, page);
	else
		snprintf(buf, len, "%s page=%zu", cmd, page);
}

/* ---- filters ---- */

struct filter {
	const char *names[ROOMSET_MAX];
	struct sched_roomset set;
	char label[ARG_MAX + 64]; /* "in Janson", "in the Rust track" */
};

/* Resolves a room or track. Returns 1 (filter set), 0 (an answer about
 * the miss was added to m). */
static int resolve(const struct sched *s, const struct args *a, const char *cmd,
		   struct filter *f, json_t *m)
{
	size_t idx[SUGGEST_MAX], n = 0;
	enum sched_match_kind k = SCHED_MATCH_NONE;
	char line[600];

	memset(f, 0, sizeof(*f));
	f->set.names = f->names;
	if (a->has_track || !a->text[0]) {
		const char *tr = a->has_track ? sched_query_track(s, a->track) : NULL;
		if (!a->has_track)
			return 1;
		if (!tr) {
			snprintf(line, sizeof(line), "No track matches \"%.80s\".", a->track);
			set_para(m, line);
			return 0;
		}
		f->set.track = tr;
		snprintf(f->label, sizeof(f->label), "in the %.120s track", tr);
		return 1;
	}
	k = sched_match((const char *const *)s->rooms, s->nrooms, a->text, idx, SUGGEST_MAX, &n);
	if (k == SCHED_MATCH_FOUND) {
		size_t o;
		for (size_t i = 0; i < n && i < ROOMSET_MAX; i++)
			f->names[f->set.n++] = s->rooms[idx[i]];
		o = (size_t)snprintf(f->label, sizeof(f->label), "in %.100s", f->names[0]);
		if (f->set.n > 1 && o < sizeof(f->label))
			snprintf(f->label + o, sizeof(f->label) - o, " and %zu more room%s",
				 f->set.n - 1, f->set.n == 2 ? "" : "s");
		return 1;
	}
	if ((f->set.track = sched_query_track(s, a->text))) {
		/* No room by that name, but a track (a FOSDEM devroom): `next rust`. */
		snprintf(f->label, sizeof(f->label), "in the %.120s track", f->set.track);
		return 1;
	}
	snprintf(line, sizeof(line), "No room or track matches \"%.80s\".%s", a->text,
		 k == SCHED_MATCH_SUGGEST ? " Did you mean one of these?" : " Try \"rooms\" for the list.");
	set_para(m, line);
	if (k == SCHED_MATCH_SUGGEST && n) {
		json_t *opts = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(opts, json_pack("{s:o, s:o}", "label",
							      hw_reply_text(s->rooms[idx[i]], 100), "value",
							      hw_reply_text(s->rooms[idx[i]], 100)));
		json_object_set_new(m, "choice", json_pack("{s:s, s:s, s:o}", "placeholder",
							   "Pick a room", "command", cmd, "options",
							   opts));
	}
	return 0;
}

/* ---- main rooms first ---- */

static int has_word(const char *s, const char *word)
{
	char folded[256];
	if (!s)
		return 0;
	hw_fold_into(s, folded, sizeof(folded));
	return strstr(folded, word) != NULL;
}

/* 0.. for configured main rooms in their order; then rooms holding a
 * keynote or the main track; then the rest. */
static size_t room_rank(const struct sched_answer *a, const struct sched_talk *t)
{
	for (size_t i = 0; t->room && i < a->nmain; i++) {
		char x[256], y[256];
		hw_fold_into(t->room, x, sizeof(x));
		hw_fold_into(a->main_rooms[i], y, sizeof(y));
		if (!strcmp(x, y))
			return i;
	}
	if (has_word(t->track, "keynote") || has_word(t->type, "keynote") ||
	    has_word(t->track, "main track"))
		return a->nmain;
	return a->nmain + 1;
}

struct ranked {
	const struct sched_talk *t;
	size_t rank, order;
};

static int ranked_cmp(const void *x, const void *y)
{
	const struct ranked *a = x, *b = y;
	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

/* Puts the main rooms first, keeping the order within each rank. */
static void main_first(const struct sched_answer *a, const struct sched_talk **t, size_t n)
{
	struct ranked *r = malloc(n * sizeof(*r));
	if (!r)
		return; /* the plain order is still an answer */
	for (size_t i = 0; i < n; i++)
		r[i] = (struct ranked){t[i], room_rank(a, t[i]), i};
	qsort(r, n, sizeof(*r), ranked_cmp);
	for (size_t i = 0; i < n; i++)
		t[i] = r[i].t;
	free(r);
}

/* ---- one booking in several rooms, shown once ---- */

static int add_page_merged(const struct sched *s, json_t *m, const struct sched_talk **t,
			   char **rooms, size_t n, size_t per, const char *cmd,
			   const struct args *args);

#define MERGE_NAMES 3

static int same_booking(const struct sched_talk *a, const struct sched_talk *b)
{
	return a->start == b->start && a->end == b->end && a->cancelled == b->cancelled &&
	       !strcmp(a->title, b->title) && a->room && b->room && strcmp(a->room, b->room);
}

/* The cleaning at load made a booking in several rooms one entry per room
 * (so `next <room>` finds it); a list shows it once, with its rooms.
 * Compacts t[0..n) (entries of a booking are neighbours: lists are
 * ordered by start) and returns the new count; rooms[i] is then a new
 * "A, B, C and 4 more" for a merged entry, else NULL. */
static size_t merge_bookings(const struct sched_talk **t, size_t n, char **rooms)
{
	size_t out = 0, *extra = calloc(n + 1, sizeof(*extra));
	if (!extra)
		return n; /* unmerged is still an answer */
	for (size_t i = 0; i < n; i++) {
		size_t k = out;
		while (k > 0 && t[k - 1]->start == t[i]->start && !same_booking(t[k - 1], t[i]))
			k--;
		if (k > 0 && same_booking(t[k - 1], t[i])) {
			char *r = rooms[k - 1];
			size_t len = r ? strlen(r) : strlen(t[k - 1]->room);
			if (extra[k - 1] + 1 < MERGE_NAMES) {
				char *nr = malloc(len + strlen(t[i]->room) + 3);
				if (nr) {
					snprintf(nr, len + strlen(t[i]->room) + 3, "%s, %s",
						 r ? r : t[k - 1]->room, t[i]->room);
					free(r);
					rooms[k - 1] = nr;
				}
			}
			extra[k - 1]++;
			continue;
		}
		rooms[out] = NULL;
		t[out++] = t[i];
	}
	for (size_t i = 0; i < out; i++) {
		if (extra[i] + 1 > MERGE_NAMES && rooms[i]) {
			size_t len = strlen(rooms[i]) + 32;
			char *nr = malloc(len);
			if (nr) {
				snprintf(nr, len, "%s and %zu more", rooms[i], extra[i] + 1 - MERGE_NAMES);
				free(rooms[i]);
				rooms[i] = nr;
			}
		}
	}
	free(extra);
	return out;
}

/* Adds page `a->page` of t[0..n) to m and the "more" that pages on; a
 * booking in several rooms counts once. */
static int add_page(const struct sched *s, json_t *m, const struct sched_talk **t, size_t n,
		    size_t per, const char *cmd, const struct args *args, size_t *listed)
{
	char **rooms = calloc(n + 1, sizeof(*rooms));
	int ret;
	if (!rooms)
		return -1;
	n = merge_bookings(t, n, rooms);
	if (listed)
		*listed = n;
	ret = add_page_merged(s, m, t, rooms, n, per, cmd, args);
	for (size_t i = 0; i < n; i++)
		free(rooms[i]);
	free(rooms);
	return ret;
}

/* add_page once bookings are merged. */
static int add_page_merged(const struct sched *s, json_t *m, const struct sched_talk **t,
			   char **rooms, size_t n, size_t per, const char *cmd,
			   const struct args *args)
{
	size_t from = (args->page - 1) * per, to, i;
	json_t *items = json_object_get(m, "items");
	char more[ARG_MAX * 2 + 64];
	if (from >= n && n)
		from = (n - 1) / per * per; /* past the end: the last page */
	to = from + per < n ? from + per : n;
	for (i = from; i < to; i++) {
		json_t *it = sched_answer_item(s, t[i]);
		if (it && rooms[i])
			json_object_set_new(it, "room", json_string(rooms[i]));
		if (!it || json_array_append_new(items, it))
			return -1;
	}
	if (n > per) {
		more_command(cmd, args, to < n ? from / per + 2 : 1, more, sizeof(more));
		if (to < n) {
			json_object_set_new(m, "more", json_pack("{s:I, s:I, s:s}", "shown", (json_int_t)to,
								 "total", (json_int_t)n, "command", more));
		} else {
			char line[120];
			snprintf(line, sizeof(line), "The last of %zu.", n);
			add_text(m, line);
		}
	}
	return 0;
}

/* ---- next and now ---- */

/* 1 when words name a room or a track of s ("Open Space" may be a room). */
static int names_room_or_track(const struct sched *s, const char *words)
{
	size_t idx[1], n = 0;
	return s && (sched_match((const char *const *)s->rooms, s->nrooms, words, idx, 1, &n) ==
			     SCHED_MATCH_FOUND ||
		     sched_query_track(s, words));
}

/* `next openspaces [room]`: the board's answer (sched_ospaces.c), paged
 * like the talks. */
static json_t *ospaces_answer(const struct sched_answer *a, const struct args *args,
			      const char *rooms, int is_next)
{
	char cmd[ARG_MAX + 32];
	struct sched_ospaces_ask q = {a->ospaces, a->now, rooms, cmd, args->page,
				      a->page_size ? a->page_size : SCHED_MODEL_PAGE, is_next};
	snprintf(cmd, sizeof(cmd), "%s openspaces%s%s", is_next ? "next" : "now",
		 *rooms ? " " : "", rooms);
	return sched_ospaces_answer(&q);
}

/* Under the talks of a plain `next` (`now`): "Also 2 open spaces start by
 * then." and a button that asks for them. until: the last start listed
 * (next; INT64_MAX when no talk is left), or -1 (now). */
static void ospaces_mention(json_t *m, const struct sched_answer *a, int64_t until)
{
	size_t n = sched_ospaces_count(a->ospaces, a->now, until);
	char line[120];
	json_t *act;

	if (!n)
		return;
	if (until == INT64_MAX)
		snprintf(line, sizeof(line), "Also %zu open space%s still to come.", n,
			 n == 1 ? "" : "s");
	else if (until >= 0)
		snprintf(line, sizeof(line), "Also %zu open space%s start%s by then.", n,
			 n == 1 ? "" : "s", n == 1 ? "s" : "");
	else
		snprintf(line, sizeof(line), "Also %zu open space%s on now.", n,
			 n == 1 ? " is" : "s are");
	add_text(m, line);
	act = json_pack("{s:s, s:s, s:s}", "label", "Open spaces", "style", "secondary", "command",
			until >= 0 ? "next openspaces" : "now openspaces");
	if (act && !json_object_get(m, "actions"))
		json_object_set_new(m, "actions", json_array());
	if (act)
		json_array_append_new(json_object_get(m, "actions"), act);
}

static json_t *next_or_now(const struct sched *s, const struct sched_answer *a, const char *in,
			   int is_next)
{
	const char *cmd = is_next ? "next" : "now";
	size_t per = a->page_size ? a->page_size : SCHED_MODEL_PAGE, total, n;
	const struct sched_talk **t = NULL;
	struct filter f;
	struct args args;
	char title[ARG_MAX + 80];
	json_t *m;

	args_parse(in, &args);
	if (!args.has_track) {
		int spelled_out = 0;
		const char *rooms = sched_ospaces_keyword(args.text, &spelled_out);
		/* "openspaces" always; "open spaces" unless a room or track is
		 * called that. */
		if (rooms && (!spelled_out || !names_room_or_track(s, args.text)))
			return ospaces_answer(a, &args, rooms, is_next);
	}
	if (!s) {
		m = model_new(NULL, NULL);
		if (m)
			set_para(m, "No schedule loaded yet.");
		return m;
	}
	if (!(m = model_new(s, NULL)))
		return NULL;
	if (!resolve(s, &args, cmd, &f, m))
		return m;
	total = is_next ? sched_query_next_total(s, a->now, f.set.n || f.set.track ? &f.set : NULL)
			: sched_query_now_total(s, a->now, f.set.n || f.set.track ? &f.set : NULL);
	if (!(t = malloc((total + 1) * sizeof(*t)))) {
		json_decref(m);
		return NULL;
	}
	n = is_next ? sched_query_next(s, a->now, f.set.n || f.set.track ? &f.set : NULL, t, total + 1)
		    : sched_query_now(s, a->now, f.set.n || f.set.track ? &f.set : NULL, t, total + 1);
	if (!n && !is_next) {
		/* Nothing on: say what comes next, which is what people want. */
		hw_fmt(title, sizeof(title), "Nothing is on %s right now.", f.label);
		set_para(m, f.label[0] ? title : "Nothing is on right now.");
		n = sched_query_next(s, a->now, f.set.n || f.set.track ? &f.set : NULL, t, 1);
		if (n) {
			add_text(m, "Next up:");
			json_array_append_new(json_object_get(m, "items"), sched_answer_item(s, t[0]));
		}
		if (!f.label[0] && a->ospaces)
			ospaces_mention(m, a, -1);
		free(t);
		return m;
	}
	if (!n) {
		if (f.label[0]) {
			snprintf(title, sizeof(title), "No more talks %s.", f.label);
			set_para(m, title);
		} else {
			set_para(m, "No more talks: that was the whole programme.");
			if (a->ospaces)
				ospaces_mention(m, a, INT64_MAX);
		}
		free(t);
		return m;
	}
	if (n > per)
		main_first(a, t, n);
	if (f.label[0])
		snprintf(title, sizeof(title), "%s %s", is_next ? "Next" : "On now", f.label);
	else
		snprintf(title, sizeof(title), "%s", is_next ? "Next talks" : "On now");
	hw_reply_set_text(m, "title", title, 250);
	if (add_page(s, m, t, n, per, cmd, &args, NULL)) {
		json_decref(m);
		m = NULL;
	} else if (!f.label[0] && a->ospaces) {
		int64_t until = 0;
		for (size_t i = 0; is_next && i < n; i++)
			if (t[i]->start > until)
				until = t[i]->start;
		ospaces_mention(m, a, is_next ? until : -1);
	}
	free(t);
	return m;
}

json_t *sched_answer_next(const struct sched *s, const struct sched_answer *a, const char *args)
{
	return next_or_now(s, a, args, 1);
}

json_t *sched_answer_now(const struct sched *s, const struct sched_answer *a, const char *args)
{
	return next_or_now(s, a, args, 0);
}

/* ---- day, talk, speaker ---- */

json_t *sched_answer_day(const struct sched *s, const struct sched_answer *a, const char *when)
{
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	static const char *const wdays[] = {"Sunday", "Monday", "Tuesday", "Wednesday",
					    "Thursday", "Friday", "Saturday"};
	struct args args;
	char first[64] = "", title[ARG_MAX + 100], cmd[ARG_MAX + 16];
	const struct sched_talk **t;
	struct hw_civil d;
	struct filter f;
	size_t total, len;
	json_t *m;

	args_parse(when, &args);
	if (!(m = model_new(s, NULL)))
		return NULL;
	if (!s) {
		set_para(m, "No schedule loaded yet.");
		return m;
	}
	/* "sat envelope", "28 nov envelope": the day phrase (sched_when.c),
	 * then a room. */
	{
		const char *rest = NULL;
		if (sched_when_day(s, args.text, a->now, &d, &rest, title, sizeof(title))) {
			set_para(m, title);
			return m;
		}
		for (len = (size_t)(rest - args.text); len && args.text[len - 1] == ' '; len--)
			;
		snprintf(first, sizeof(first), "%.*s", (int)(len < 63 ? len : 63), args.text);
		memmove(args.text, rest, strlen(rest) + 1);
	}
	snprintf(cmd, sizeof(cmd), "day %s", first[0] ? first : "today");
	if (!resolve(s, &args, cmd, &f, m))
		return m;
	total = sched_query_day(s, d.year, d.mon, d.day, f.set.n || f.set.track ? &f.set : NULL,
				NULL, 0);
	snprintf(title, sizeof(title), "%s %d %s%s%s: %zu talk%s", wdays[d.wday], d.day,
		 months[d.mon - 1], f.label[0] ? " " : "", f.label, total, total == 1 ? "" : "s");
	hw_reply_set_text(m, "title", title, 250);
	if (!total)
		return m;
	/* Discord shows each reader their own time; the console and the web
	 * show the conference's. */
	snprintf(title, sizeof(title), "Times in %s.", hw_tz_name(s->tz));
	set_para(m, title);
	if (!(t = malloc(total * sizeof(*t)))) {
		json_decref(m);
		return NULL;
	}
	total = sched_query_day(s, d.year, d.mon, d.day, f.set.n || f.set.track ? &f.set : NULL, t,
				total);
	if (add_page(s, m, t, total, a->page_size ? a->page_size : DAY_PAGE, cmd, &args, &total)) {
		json_decref(m);
		free(t);
		return NULL;
	}
	/* The count of what the list shows: a booking in several rooms once. */
	snprintf(title, sizeof(title), "%s %d %s%s%s: %zu talk%s", wdays[d.wday], d.day,
		 months[d.mon - 1], f.label[0] ? " " : "", f.label, total, total == 1 ? "" : "s");
	hw_reply_set_text(m, "title", title, 250);
	free(t);
	return m;
}

/* `talk <words> [page=N]`: the best matches, a page at a time like next
 * and now ("8 of 23 shown", a "Show more" for the next page). */
json_t *sched_answer_talk(const struct sched *s, const struct sched_answer *a, const char *words)
{
	const struct sched_talk **t;
	char line[ARG_MAX + 64];
	struct args args;
	size_t n, o = 0;
	json_t *m = model_new(s, NULL);
	if (!m)
		return NULL;
	if (!s) {
		set_para(m, "No schedule loaded yet.");
		return m;
	}
	/* The words as typed, "page=N" aside ("track:" is a search word). */
	memset(&args, 0, sizeof(args));
	args.page = 1;
	for (const char *p = words ? words : ""; *p;) {
		size_t len;
		p += strspn(p, " \t");
		len = strcspn(p, " \t");
		if (len > 5 && !strncmp(p, "page=", 5)) {
			long v = strtol(p + 5, NULL, 10);
			args.page = v >= 1 && v <= PAGE_MAX ? (size_t)v : 1;
		} else if (len && o + len + 2 < sizeof(args.text)) {
			o += (size_t)snprintf(args.text + o, sizeof(args.text) - o, "%s%.*s",
					      o ? " " : "", (int)len, p);
		}
		p += len;
	}
	if (!(t = malloc((s->ntalks + 1) * sizeof(*t)))) {
		json_decref(m);
		return NULL;
	}
	n = sched_query_search(s, args.text, t, s->ntalks + 1);
	if (!n) {
		snprintf(line, sizeof(line), "No talk matches \"%.80s\".", args.text);
		set_para(m, line);
		free(t);
		return m;
	}
	snprintf(line, sizeof(line), "Best match%s for \"%.80s\"", n == 1 ? "" : "es", args.text);
	hw_reply_set_text(m, "title", line, 250);
	if (add_page(s, m, t, n, a->page_size ? a->page_size : SCHED_MODEL_PAGE, "talk", &args,
		     NULL)) {
		json_decref(m);
		m = NULL;
	}
	free(t);
	return m;
}

json_t *sched_answer_speaker(const struct sched *s, const struct sched_answer *a,
			     const char *name)
{
	struct args args;
	const struct sched_talk **t;
	char line[ARG_MAX + 64];
	size_t n;
	json_t *m = model_new(s, NULL);
	if (!m)
		return NULL;
	if (!s) {
		set_para(m, "No schedule loaded yet.");
		return m;
	}
	args_parse(name, &args);
	if (!(t = malloc((s->ntalks + 1) * sizeof(*t)))) {
		json_decref(m);
		return NULL;
	}
	n = sched_query_speaker(s, args.text, t, s->ntalks + 1);
	if (!n) {
		const char **all = malloc(4096 * sizeof(*all));
		size_t idx[SUGGEST_MAX], ni = 0, na;
		snprintf(line, sizeof(line), "No talks by \"%.80s\".", args.text);
		if (all) {
			na = sched_query_speakers(s, all, 4096);
			if (sched_match(all, na, args.text, idx, SUGGEST_MAX, &ni) != SCHED_MATCH_NONE &&
			    ni) {
				json_t *opts = json_array();
				for (size_t i = 0; i < ni; i++)
					json_array_append_new(opts, json_pack("{s:o, s:o}", "label",
									      hw_reply_text(all[idx[i]], 100),
									      "value",
									      hw_reply_text(all[idx[i]], 100)));
				json_object_set_new(m, "choice",
						    json_pack("{s:s, s:s, s:o}", "placeholder",
							      "Did you mean…", "command", "speaker",
							      "options", opts));
				snprintf(line, sizeof(line), "No talks by \"%.80s\". Did you mean one "
					 "of these?", args.text);
			}
			free(all);
		}
		set_para(m, line);
		free(t);
		return m;
	}
	snprintf(line, sizeof(line), "Talks by \"%.80s\"", args.text);
	hw_reply_set_text(m, "title", line, 250);
	if (add_page(s, m, t, n, a->page_size ? a->page_size : SCHED_MODEL_PAGE, "speaker", &args,
		     NULL)) {
		json_decref(m);
		m = NULL;
	}
	free(t);
	return m;
}
