/*
 * Starting-soon posts as reply models (issue 16): what a post says, built
 * from the talks that start then (schedule.loaded) and the open spaces
 * (openspaces.board, issue 21), drawn by each door: embeds on Discord,
 * plain text on the console.
 *
 * A post is stored in the outbox as an envelope in the item's text:
 *   {"announce_model": 1, "summary": "Starting in 5 minutes, at ...",
 *    "model": {reply model, version 2}}
 * The dispatcher gives the model each row's nonce and the users the post
 * pings (announce_send.c); the audit, the list, the plan and the web panel
 * show the summary. Other announcements keep plain text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/events.h>
#include <hallway/reply.h>
#include <hallway/reply_item.h>
#include <hallway/text.h>
#include <hallway/tz.h>

#include "announce.h"
#include "announce_time.h"

#define ENVELOPE_PREFIX "{\"announce_model\":"
#define ITEMS_MAX 60       /* items in one post; the rest are counted */
#define ROOMS_TEXT_MAX 190 /* a merged booking's rooms, in bytes */

/* ---- the users a post pings ---- */

/* The user id of the opted-in speaker called name (exact after folding),
 * or NULL. Borrowed from a->speakers. */
static const char *speaker_user(const struct announce *a, const char *name)
{
	char fold[400];
	if (!a->speakers || !name || !hw_fold_into(name, fold, sizeof(fold)))
		return NULL;
	return json_string_value(json_object_get(a->speakers, fold));
}

static void mentions_add(struct announce_mentions *m, const char *user)
{
	size_t len = strlen(user);
	for (const char *p = m->list; (p = strstr(p, user)); p += len)
		if ((p == m->list || p[-1] == ',') && (p[len] == ',' || !p[len]))
			return; /* listed already */
	if (m->count >= HW_REPLY_MENTIONS_MAX || m->n + len + 2 > sizeof(m->list))
		return;
	m->n += (size_t)snprintf(m->list + m->n, sizeof(m->list) - m->n, "%s%s", m->n ? "," : "",
				 user);
	m->count++;
}

void announce_soon_mentions(const struct announce *a, json_t *e, struct announce_mentions *m)
{
	json_t *sp;
	size_t i;
	json_array_foreach(json_object_get(e, "speakers"), i, sp) {
		const char *user = speaker_user(a, json_string_value(sp));
		if (user)
			mentions_add(m, user);
	}
}

/* ---- entries: talks and open spaces ---- */

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int is_space(json_t *e)
{
	return json_is_true(json_object_get(e, "openspace"));
}

int announce_soon_keep_talks(struct announce *a, json_t *talks)
{
	static const char *const keys[] = {"id", "title", "room", "track", "url", "start", "end",
					   "cancelled"};
	json_t *kept = json_array(), *t;
	size_t i;

	if (!kept)
		return HW_ERR_NOMEM;
	json_array_foreach(talks, i, t) {
		json_t *c = json_object(), *sp = json_object_get(t, "speakers");
		if (!c || json_array_append_new(kept, c))
			goto nomem;
		for (size_t k = 0; k < sizeof(keys) / sizeof(*keys); k++) {
			json_t *v = json_object_get(t, keys[k]);
			/* Strings, numbers and booleans, copied: a value shared
			 * with the event's tree would keep a few bytes alive in
			 * the middle of the memory the tree frees, one talk after
			 * another, and that memory could not go back to the
			 * system (bench/README.md: steady memory after a refresh). */
			if (v && !json_is_array(v) && !json_is_object(v) &&
			    json_object_set_new(c, keys[k], json_copy(v)))
				goto nomem;
		}
		if (json_is_array(sp) && json_object_set_new(c, "speakers", json_deep_copy(sp)))
			goto nomem;
	}
	json_decref(a->talks);
	a->talks = kept;
	return HW_OK;
nomem:
	json_decref(kept);
	return HW_ERR_NOMEM;
}

json_t *announce_soon_entries(const struct announce *a)
{
	json_t *all = json_array();
	if (!all || (a->talks && json_array_extend(all, a->talks)) ||
	    (a->spaces && json_array_extend(all, a->spaces))) {
		json_decref(all);
		return NULL;
	}
	return all;
}

void announce_soon_on_board(hw_plugin *self, const char *type, json_t *data, void *ud)
{
	struct announce *a = ud;
	json_t *spaces, *sp;
	size_t i;

	if (!hw_event_check(a->api, self, type, data, HW_OSPACES_BOARD_VERSION) ||
	    !(spaces = json_array()))
		return;
	json_array_foreach(json_object_get(data, "spaces"), i, sp) {
		json_t *id = json_object_get(sp, "id"), *e;
		char eid[32];
		if (!json_is_integer(id) || !json_is_integer(json_object_get(sp, "start")) ||
		    !str(sp, "title"))
			continue;
		/* "os#12": an open space's posts never share a talk's key. */
		snprintf(eid, sizeof(eid), "os#%lld", (long long)json_integer_value(id));
		e = json_pack("{s:s, s:b, s:s, s:O, s:O?, s:s?, s:s?}", "id", eid, "openspace", 1,
			      "title", str(sp, "title"), "start", json_object_get(sp, "start"), "end",
			      json_object_get(sp, "end"), "room", str(sp, "room"), "host",
			      str(sp, "host"));
		if (!e || json_array_append_new(spaces, e)) {
			a->api->log(self, HW_LOG_WARN, "announce: out of memory reading the board");
			json_decref(spaces);
			return;
		}
	}
	if (a->spaces && json_equal(a->spaces, spaces)) {
		json_decref(spaces);
		return;
	}
	json_decref(a->spaces);
	a->spaces = spaces;
	a->api->log(self, HW_LOG_INFO, "announce: %zu open space%s on the board",
		    json_array_size(spaces), json_array_size(spaces) == 1 ? "" : "s");
	announce_sched_redo(a);
}

/* ---- the summary: one text a person reads in the audit ---- */

int announce_text_add(struct announce_text *t, const char *s)
{
	size_t len = strlen(s);
	if (t->n + len > ANNOUNCE_TEXT_MAX - 40) /* room for "...and N more" */
		return -1;
	memcpy(t->buf + t->n, s, len + 1);
	t->n += len;
	return 0;
}

static void minutes_phrase(const struct announce *a, char *buf, size_t len)
{
	long mins = (long)(a->remind_ms / 60000);
	snprintf(buf, len, "Starting in %ld minute%s", mins, mins == 1 ? "" : "s");
}

/* ", with A, B" (at most max names) or ", hosted by H" appended at
 * line + *o. */
static void people(json_t *e, size_t max, char *line, size_t size, size_t *o)
{
	json_t *sp;
	size_t k;
	if (is_space(e) && str(e, "host") && *o < size)
		*o += (size_t)snprintf(line + *o, size - *o, ", hosted by %.80s", str(e, "host"));
	json_array_foreach(json_object_get(e, "speakers"), k, sp) {
		if (*o >= size)
			return;
		if (k == max) {
			*o += (size_t)snprintf(line + *o, size - *o, " and others");
			return;
		}
		if (json_string_value(sp))
			*o += (size_t)snprintf(line + *o, size - *o, "%s%.80s", k ? ", " : ", with ",
					       json_string_value(sp));
	}
}

/* 1 when x and y are one booking in two rooms (a break): talks with the
 * same title at the same time (a post lists entries of one start). */
static int same_booking(json_t *x, json_t *y)
{
	const char *tx = str(x, "title"), *ty = str(y, "title");
	return !is_space(x) && !is_space(y) && tx && ty && !strcmp(tx, ty);
}

static const char *room_or(json_t *e, const char *none)
{
	return str(e, "room") ? str(e, "room") : none;
}

/* The rooms of v[i]'s booking when the same booking follows in v[0..n):
 * "A, B and 2 more" into buf; NULL when it is in one room. */
static const char *booking_rooms(json_t *const *v, size_t n, size_t i, char *buf, size_t len)
{
	size_t o, left = 0;
	for (size_t k = i + 1; k < n; k++)
		left += same_booking(v[i], v[k]);
	if (!left)
		return NULL;
	o = (size_t)snprintf(buf, len, "%s", room_or(v[i], "?"));
	for (size_t k = i + 1; k < n && o < len; k++) {
		if (!same_booking(v[i], v[k]))
			continue;
		if (o + strlen(room_or(v[k], "?")) + 20 > ROOMS_TEXT_MAX) {
			snprintf(buf + o, len - o, " and %zu more", left);
			break;
		}
		o += (size_t)snprintf(buf + o, len - o, ", %s", room_or(v[k], "?"));
		left--;
	}
	return buf;
}

/* 1 when v[i] is a booking listed already with an earlier room. */
static int listed_before(json_t *const *v, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (same_booking(v[k], v[i]))
			return 1;
	return 0;
}

/* Entries v[i..n) a post would list: a booking in several rooms once. */
static size_t listings_from(json_t *const *v, size_t n, size_t i)
{
	size_t count = 0;
	for (; i < n; i++)
		count += !listed_before(v, i);
	return count;
}

static void summary(const struct announce *a, json_t *const *v, size_t n, int64_t start_ms,
		    int grouped, struct announce_text *out)
{
	char line[800], hhmm[16], head[64], rooms[ROOMS_TEXT_MAX + 32];
	size_t i, o;

	minutes_phrase(a, head, sizeof(head));
	announce_time_hhmm(announce_tz(a), start_ms, hhmm, sizeof(hhmm));
	if (!grouped) {
		const char *room = str(v[0], "room");
		o = (size_t)snprintf(line, sizeof(line), "%s: %s\"%.300s\"%s%.120s at %s", head,
				     is_space(v[0]) ? "open space " : "",
				     str(v[0], "title") ? str(v[0], "title") : "?",
				     room ? " in " : "", room ? room : "", hhmm);
		people(v[0], 20, line, sizeof(line), &o);
		announce_text_add(out, line);
		announce_text_add(out, ".");
		return;
	}
	snprintf(line, sizeof(line), "%s, at %s:", head, hhmm);
	announce_text_add(out, line);
	for (i = 0; i < n; i++) {
		const char *room = str(v[i], "room");
		if (listed_before(v, i))
			continue;
		if (booking_rooms(v, n, i, rooms, sizeof(rooms)))
			room = rooms;
		o = (size_t)snprintf(line, sizeof(line), "\n- %.200s%s%s\"%.200s\"", room ? room : "",
				     room ? ": " : "", is_space(v[i]) ? "open space " : "",
				     str(v[i], "title") ? str(v[i], "title") : "?");
		people(v[i], 3, line, sizeof(line), &o);
		if (announce_text_add(out, line))
			break;
	}
	if (i < n) {
		snprintf(line, sizeof(line), "\n...and %zu more.", listings_from(v, n, i));
		memcpy(out->buf + out->n, line, strlen(line) + 1);
		out->n += strlen(line);
	}
}

/* ---- the model ---- */

/* Unix seconds in a model's range (1970 to 9999), as ms into it[key]. */
static int set_ms(json_t *it, const char *key, json_t *s)
{
	json_int_t v = json_integer_value(s);
	if (!json_is_integer(s) || v < 0 || v > (json_int_t)253402300799)
		return 0;
	return json_object_set_new(it, key, json_integer(v * 1000)) ? -1 : 0;
}

/* One entry as a model item; rooms (or NULL) for a booking in several. */
static json_t *entry_item(json_t *e, const char *rooms)
{
	int space = is_space(e);
	json_t *it = json_pack("{s:s}", "kind", space ? "openspace" : "talk"), *sp, *list;
	size_t i;
	int rc = 0;

	if (!it)
		return NULL;
	rc |= set_ms(it, "start", json_object_get(e, "start"));
	if (json_integer_value(json_object_get(e, "end")) >=
	    json_integer_value(json_object_get(e, "start")))
		rc |= set_ms(it, "end", json_object_get(e, "end"));
	rc |= hw_reply_set_text(it, "title", str(e, "title") ? str(e, "title") : "(untitled)", 290);
	rc |= hw_reply_set_text(it, "room", rooms ? rooms : str(e, "room"), ROOMS_TEXT_MAX);
	rc |= hw_reply_set_text(it, "id", str(e, "id"), 90);
	if (space) {
		/* Said in words: nothing else tells a reader it is no talk. */
		rc |= hw_reply_set_text(it, "host", str(e, "host"), 190);
		rc |= hw_reply_set_text(it, "note", "Open space", 40);
	} else {
		rc |= hw_reply_set_text(it, "track", str(e, "track"), 190);
		if (hw_reply_colour(str(e, "track")))
			rc |= json_object_set_new(it, "colour",
						  json_string(hw_reply_colour(str(e, "track"))));
		if (hw_reply_is_link(str(e, "url")))
			rc |= json_object_set_new(it, "url", json_string(str(e, "url")));
		if (json_array_size(json_object_get(e, "speakers")) && (list = json_array())) {
			json_array_foreach(json_object_get(e, "speakers"), i, sp) {
				json_t *name = hw_reply_text(json_string_value(sp), 190);
				if (i < 50 && name)
					rc |= json_array_append_new(list, name);
				else
					json_decref(name);
			}
			rc |= json_object_set_new(it, "speakers", list);
		}
	}
	if (rc) {
		json_decref(it);
		return NULL;
	}
	return it;
}

static json_t *post_model(const struct announce *a, json_t *const *v, size_t n, int64_t start_ms,
			  int grouped, struct announce_mentions *m)
{
	const char *zone = hw_tz_name(announce_tz(a));
	char title[96], hhmm[16], rooms[ROOMS_TEXT_MAX + 32], more[64];
	json_t *model, *items;
	size_t i;

	minutes_phrase(a, title, sizeof(title));
	if (grouped) {
		size_t len = strlen(title);
		announce_time_hhmm(announce_tz(a), start_ms, hhmm, sizeof(hhmm));
		snprintf(title + len, sizeof(title) - len, ", at %s", hhmm);
	}
	model = json_pack("{s:i, s:s, s:[]}", "version", HW_REPLY_VERSION, "title", title, "items");
	if (!model)
		return NULL;
	/* The console shows times in the conference's zone (a fixed offset
	 * such as "UTC+01:00" is no zone name: UTC then). */
	if (zone && strncmp(zone, "UTC", 3) && json_object_set_new(model, "zone", json_string(zone)))
		goto nomem;
	items = json_object_get(model, "items");
	for (i = 0; i < n; i++) {
		json_t *it;
		if (listed_before(v, i))
			continue;
		if (json_array_size(items) >= ITEMS_MAX)
			break;
		it = entry_item(v[i], booking_rooms(v, n, i, rooms, sizeof(rooms)));
		if (!it || json_array_append_new(items, it))
			goto nomem;
		/* Only the talks shown ping their speakers. */
		announce_soon_mentions(a, v[i], m);
		for (size_t k = i + 1; k < n; k++)
			if (same_booking(v[i], v[k]))
				announce_soon_mentions(a, v[k], m);
	}
	if (i < n) {
		snprintf(more, sizeof(more), "...and %zu more starting then.", listings_from(v, n, i));
		if (json_array_append_new(items, json_pack("{s:s, s:s}", "kind", "text", "text", more)))
			goto nomem;
	}
	return model;
nomem:
	json_decref(model);
	return NULL;
}

char *announce_soon_post(const struct announce *a, json_t *const *v, size_t n, int64_t start_ms,
			 int grouped, struct announce_mentions *m)
{
	struct announce_text sum = {{0}, 0};
	json_t *model, *env;
	char *out = NULL;

	if (!n)
		return NULL;
	summary(a, v, n, start_ms, grouped, &sum);
	if (!(model = post_model(a, v, n, start_ms, grouped, m)))
		return NULL;
	env = json_pack("{s:i, s:s, s:o}", "announce_model", 1, "summary", sum.buf, "model", model);
	/* Keys sorted: the same post is the same text, so the same key. */
	if (env)
		out = json_dumps(env, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(env);
	return out;
}

/* The envelope of stored text (new reference), or NULL for plain text. */
static json_t *envelope(const char *stored)
{
	json_t *env;
	if (!stored || strncmp(stored, ENVELOPE_PREFIX, strlen(ENVELOPE_PREFIX)))
		return NULL;
	env = json_loads(stored, 0, NULL);
	if (json_integer_value(json_object_get(env, "announce_model")) != 1 ||
	    !json_is_object(json_object_get(env, "model"))) {
		json_decref(env);
		return NULL;
	}
	return env;
}

int announce_soon_is_post(const char *text)
{
	return text && !strncmp(text, ENVELOPE_PREFIX, strlen(ENVELOPE_PREFIX));
}

json_t *announce_soon_model(const char *stored)
{
	json_t *env = envelope(stored), *model;
	if (!env)
		return NULL;
	model = json_incref(json_object_get(env, "model"));
	json_decref(env);
	return model;
}

const char *announce_shown(const char *stored, char *buf, size_t len)
{
	json_t *env = envelope(stored);
	if (!env)
		return !announce_soon_is_post(stored) ? (stored ? stored : "")
						       : "(a starting-soon post)";
	hw_fmt(buf, len, "%s", str(env, "summary") ? str(env, "summary") : "(a starting-soon post)");
	json_decref(env);
	return buf;
}
