/*
 * sched_ospaces — the open spaces in `next` and `now` (sched_ospaces.h).
 *
 * `next openspaces`: the next open space of each room (strictly later
 * starts, like the talks), those starting within OSPACES_DAY_S of the very
 * next one (the rest of that day on a board of daytime slots); with a
 * room, the next one there. `now openspaces`: those running, and when none
 * is, the next one. Rooms are matched with the schedule's forgiving
 * matching (sched_match.h) against the rooms of the board.
 */
#include "sched_ospaces.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <hallway/reply.h>
#include <hallway/reply_item.h>

#include "sched_match.h"

#define OSPACES_DAY_S (12 * 3600)
#define OSPACES_ROOMS_MAX 64  /* distinct rooms read from a board */
#define OSPACES_FOUND_MAX 8   /* rooms one word may match */
#define OSPACES_LIST_ROOMS 6  /* rooms named when a word matches none */

/* ---- the keyword ---- */

const char *sched_ospaces_keyword(const char *text, int *spelled_out)
{
	static const struct {
		const char *word;
		int spelled_out;
	} forms[] = {{"openspaces", 0}, {"openspace", 0},   {"open-spaces", 0},
		     {"open-space", 0}, {"open spaces", 1}, {"open space", 1}};
	const char *p = text ? text : "";

	p += strspn(p, " \t");
	for (size_t i = 0; i < sizeof(forms) / sizeof(*forms); i++) {
		size_t n = strlen(forms[i].word);
		if (strncasecmp(p, forms[i].word, n) || (p[n] && p[n] != ' ' && p[n] != '\t'))
			continue;
		*spelled_out = forms[i].spelled_out;
		return p + n + strspn(p + n, " \t");
	}
	return NULL;
}

/* ---- reading the board ---- */

struct space {
	const json_t *j;
	int64_t start, end; /* Unix s */
	const char *room;
};

static const char *str(const json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v ? v : "";
}

/* The board's open spaces that have instants, in its order (earliest
 * first). A new array of *n (NULL with *n = 0 when there are none or out
 * of memory). */
static struct space *spaces_of(const json_t *board, size_t *n)
{
	const json_t *arr = json_object_get(board, "spaces"), *v;
	struct space *out;
	size_t i;

	*n = 0;
	if (!json_array_size(arr) || !(out = calloc(json_array_size(arr), sizeof(*out))))
		return NULL;
	json_array_foreach(arr, i, v) {
		json_t *s = json_object_get(v, "start"), *e = json_object_get(v, "end");
		if (!json_is_integer(s) || !json_is_integer(e))
			continue;
		out[*n].j = v;
		out[*n].start = json_integer_value(s);
		out[*n].end = json_integer_value(e);
		out[*n].room = str(v, "room");
		(*n)++;
	}
	return out;
}

static int by_start(const void *a, const void *b)
{
	const struct space *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return strcmp(x->room, y->room);
}

/* ---- the model ---- */

static json_t *model_new(const json_t *board)
{
	const char *zone = json_string_value(json_object_get(board, "timezone"));
	json_t *m = json_pack("{s:i, s:[]}", "version", HW_REPLY_VERSION, "items");
	if (m && zone && strncmp(zone, "UTC+", 4) && strncmp(zone, "UTC-", 4))
		json_object_set_new(m, "zone", json_string(zone));
	return m;
}

static int add_item(json_t *m, const struct space *sp)
{
	json_t *it = json_pack("{s:s, s:I, s:I}", "kind", "openspace", "start",
			       (json_int_t)sp->start * 1000, "end", (json_int_t)sp->end * 1000);
	json_t *going = json_object_get(sp->j, "going"), *id = json_object_get(sp->j, "id");
	char note[64];

	if (!it)
		return -1;
	hw_reply_set_text(it, "title", *str(sp->j, "title") ? str(sp->j, "title") : "(no topic)",
			  290);
	hw_reply_set_text(it, "room", sp->room, 190);
	hw_reply_set_text(it, "host", str(sp->j, "host"), 190);
	/* "going" counts the host: the door says "N joined" (none: nothing). */
	if (json_is_integer(going) && json_integer_value(going) > 1)
		json_object_set_new(it, "count", json_integer(json_integer_value(going) - 1));
	if (json_is_integer(id)) {
		snprintf(note, sizeof(note), "%lld", (long long)json_integer_value(id));
		json_object_set_new(it, "id", json_string(note));
		snprintf(note, sizeof(note), "To go: openspace join %lld",
			 (long long)json_integer_value(id));
		hw_reply_set_text(it, "note", note, 100);
	}
	return json_array_append_new(json_object_get(m, "items"), it);
}

/* The distinct rooms of the board, in order of first appearance. */
static size_t rooms_of(const struct space *sp, size_t n, const char **rooms)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;
		while (j < k && strcmp(rooms[j], sp[i].room))
			j++;
		if (j == k && k < OSPACES_ROOMS_MAX && *sp[i].room)
			rooms[k++] = sp[i].room;
	}
	return k;
}

/* Keeps the open spaces in the rooms the words match. 1, or 0 after
 * setting the model's text about the miss. */
static int filter_rooms(json_t *m, const char *words, struct space *sp, size_t *n,
			char *label, size_t len)
{
	const char *rooms[OSPACES_ROOMS_MAX] = {0};
	size_t idx[OSPACES_FOUND_MAX], found = 0, nrooms = rooms_of(sp, *n, rooms), kept = 0;
	char line[600];

	enum sched_match_kind k = sched_match(rooms, nrooms, words, idx, OSPACES_FOUND_MAX, &found);

	if (k != SCHED_MATCH_FOUND) {
		/* A near miss names what it may have meant; else the rooms. */
		int near = k == SCHED_MATCH_SUGGEST && found;
		size_t o = (size_t)snprintf(line, sizeof(line),
					    "No open-space room matches \"%.80s\".", words);
		size_t shown = near ? found : nrooms;
		for (size_t i = 0; i < shown && i < OSPACES_LIST_ROOMS && o < sizeof(line); i++)
			o += (size_t)snprintf(line + o, sizeof(line) - o, "%s%.60s",
					      i ? ", " : near ? " Did you mean " : " Rooms on the board: ",
					      rooms[near ? idx[i] : i]);
		if (shown > OSPACES_LIST_ROOMS && o < sizeof(line))
			o += (size_t)snprintf(line + o, sizeof(line) - o, " and %zu more",
					      shown - OSPACES_LIST_ROOMS);
		if (near && o < sizeof(line))
			snprintf(line + o, sizeof(line) - o, "?");
		hw_reply_set_text(m, "text", line, 1700);
		return 0;
	}
	for (size_t i = 0; i < *n; i++) {
		size_t j = 0;
		while (j < found && strcmp(sp[i].room, rooms[idx[j]]))
			j++;
		if (j < found)
			sp[kept++] = sp[i];
	}
	*n = kept;
	snprintf(label, len, " in %.100s", rooms[idx[0]]);
	if (found > 1) {
		size_t o = strlen(label);
		snprintf(label + o, len - o, " and %zu more room%s", found - 1, found == 2 ? "" : "s");
	}
	return 1;
}

/* next: the open spaces starting next (see the top of the file); sp is in
 * time order. Compacts sp and returns the count. */
static size_t pick_next(struct space *sp, size_t n, int64_t now, int one_instant)
{
	size_t k = 0;
	int64_t first = 0;

	for (size_t i = 0; i < n; i++) {
		int seen = 0;
		if (sp[i].start <= now)
			continue;
		if (!k)
			first = sp[i].start;
		if (one_instant ? sp[i].start != first : sp[i].start > first + OSPACES_DAY_S)
			break;
		for (size_t j = 0; j < k && !seen; j++)
			seen = !strcmp(sp[j].room, sp[i].room);
		if (!seen || one_instant)
			sp[k++] = sp[i];
	}
	return k;
}

static size_t pick_now(struct space *sp, size_t n, int64_t now)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (sp[i].start <= now && now < sp[i].end)
			sp[k++] = sp[i];
	return k;
}

static int add_page(json_t *m, const struct space *sp, size_t n, const struct sched_ospaces_ask *q)
{
	size_t per = q->per ? q->per : 8, from = (q->page ? q->page - 1 : 0) * per, to;
	char more[400];

	if (from >= n)
		from = (n - 1) / per * per; /* past the end: the last page */
	to = from + per < n ? from + per : n;
	for (size_t i = from; i < to; i++)
		if (add_item(m, &sp[i]))
			return -1;
	if (to < n) {
		snprintf(more, sizeof(more), "%s page=%zu", q->command, from / per + 2);
		json_object_set_new(m, "more", json_pack("{s:I, s:I, s:s}", "shown", (json_int_t)to,
							 "total", (json_int_t)n, "command", more));
	}
	return 0;
}

json_t *sched_ospaces_answer(const struct sched_ospaces_ask *q)
{
	struct space *sp = NULL, *all = NULL;
	size_t n = 0, nall;
	char label[200] = "", line[400];
	json_t *m = model_new(q->board);
	int filtered = q->rooms && *q->rooms;

	if (!m)
		return NULL;
	if (!q->board) {
		hw_reply_set_text(m, "text",
				  "Open spaces are not available: the openspaces plugin is not loaded "
				  "(or has not read its board yet).",
				  1700);
		return m;
	}
	sp = spaces_of(q->board, &n);
	if (sp)
		qsort(sp, n, sizeof(*sp), by_start);
	if (filtered && !filter_rooms(m, q->rooms, sp, &n, label, sizeof(label)))
		goto out;
	/* A copy for "next up" when nothing is on now. */
	nall = n;
	if (n && !(all = malloc(n * sizeof(*all)))) {
		json_decref(m);
		m = NULL;
		goto out;
	}
	if (n)
		memcpy(all, sp, n * sizeof(*all));
	n = q->is_next ? pick_next(sp, n, q->now, filtered) : pick_now(sp, n, q->now);
	if (!n) {
		if (q->is_next) {
			snprintf(line, sizeof(line),
				 "No more open spaces%s on the board. \"openspace board\" shows the "
				 "free slots; \"openspace propose\" takes one.", label);
			hw_reply_set_text(m, "text", line, 1700);
			goto out;
		}
		snprintf(line, sizeof(line), "No open space is on%s right now.", label);
		hw_reply_set_text(m, "text", line, 1700);
		if (pick_next(all, nall, q->now, 1)) {
			json_t *it = json_pack("{s:s, s:s}", "kind", "text", "text", "Next up:");
			if (!it || json_array_append_new(json_object_get(m, "items"), it) ||
			    add_item(m, &all[0])) {
				json_decref(m);
				m = NULL;
			}
		}
		goto out;
	}
	snprintf(line, sizeof(line), "%s%s", q->is_next ? "Next open spaces" : "Open spaces on now",
		 label);
	hw_reply_set_text(m, "title", line, 250);
	if (add_page(m, sp, n, q)) {
		json_decref(m);
		m = NULL;
	}
out:
	free(all);
	free(sp);
	return m;
}

size_t sched_ospaces_count(const json_t *board, int64_t from, int64_t to)
{
	const json_t *v;
	size_t i, n = 0;

	json_array_foreach(json_object_get(board, "spaces"), i, v) {
		json_t *s = json_object_get(v, "start"), *e = json_object_get(v, "end");
		int64_t start = json_integer_value(s), end = json_integer_value(e);
		if (!json_is_integer(s) || !json_is_integer(e))
			continue;
		if (to < 0 ? start <= from && from < end : start > from && start <= to)
			n++;
	}
	return n;
}
