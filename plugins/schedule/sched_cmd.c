/*
 * Command answers: argument interpretation (room matching, day words),
 * the query, and the wording of the reply.
 */
#include "sched_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/text.h>
#include "sched_match.h"
#include "sched_query.h"
#include "sched_when.h"

#define CMD_ECHO_MAX 80
#define CMD_ECHO_BUF (CMD_ECHO_MAX * 4 + 8)
#define CMD_SUGGEST 3
#define CMD_ROOMSET 8
#define CMD_DAY_MAX 2000

static const char *const no_schedule = "No schedule loaded yet.";

/* Resolves a room argument. Returns 1 with set filled, 0 after writing a
 * "no such room" reply, or a negative error. */
static int resolve_room(const struct sched *s, const char *arg, const char **names,
			struct sched_roomset *set, struct sched_reply *r)
{
	size_t idx[CMD_ROOMSET], n;
	char echo[CMD_ECHO_BUF], list[600] = "";
	enum sched_match_kind k;

	set->track = NULL;
	k = sched_match((const char *const *)s->rooms, s->nrooms, arg, idx, CMD_ROOMSET, &n);
	if (k != SCHED_MATCH_FOUND && (set->track = sched_query_track(s, arg))) {
		/* No room by that name, but a track (a FOSDEM devroom): `next rust`. */
		set->names = names;
		set->n = 0;
		return 1;
	}
	if (k == SCHED_MATCH_FOUND) {
		/* Several partial matches that are not one room folded two
		 * ways ("Room 1", "Room 12") are ambiguous unless one is exact. */
		for (size_t i = 0; i < n; i++)
			names[i] = s->rooms[idx[i]];
		set->names = names;
		set->n = n;
		return 1;
	}
	sched_render_escape(arg, echo, sizeof(echo), CMD_ECHO_MAX);
	for (size_t i = 0, o = 0; k == SCHED_MATCH_SUGGEST && i < n && i < CMD_SUGGEST; i++) {
		char name[CMD_ECHO_BUF];
		sched_render_escape(s->rooms[idx[i]], name, sizeof(name), CMD_ECHO_MAX);
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s**%s**", i ? ", " : "", name);
		if (o >= sizeof(list))
			break;
	}
	if (list[0])
		return sched_reply_addf(r, "No room matches \"%s\". Did you mean %s?", echo, list) ? -1
														: 0;
	return sched_reply_addf(r, "No room matches \"%s\". Try `rooms` for the list.", echo) ? -1
												       : 0;
}

/* "Envelope ✉️", or "Hall A, Hall B" when a word matched several rooms. */
static void roomset_label(const struct sched_roomset *set, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = 0;
	for (size_t i = 0; i < set->n && i < 3 && o < len; i++) {
		char name[CMD_ECHO_BUF];
		sched_render_escape(set->names[i], name, sizeof(name), CMD_ECHO_MAX);
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "", name);
	}
	if (set->n > 3 && o < len)
		snprintf(buf + o, len - o, " and %zu more", set->n - 3);
	if (set->track)
		snprintf(buf, len, "the %.*s track", CMD_ECHO_MAX, set->track);
}

static int list_talks(const struct sched *s, const struct sched_talk **t, size_t n,
		      struct sched_reply *r)
{
	for (size_t i = 0; i < n; i++)
		if (sched_render_talk(s, t[i], r))
			return SCHED_ERR_NOMEM;
	return SCHED_OK;
}

static int next_or_now(const struct sched *s, int64_t now, const char *room, int is_next,
		       struct sched_reply *r)
{
	const struct sched_talk *t[SCHED_CMD_MAX_TALKS];
	const char *names[CMD_ROOMSET];
	struct sched_roomset set, *filter = NULL;
	char label[CMD_ECHO_BUF * 3 + 32];
	size_t n, total;
	int ok;

	if (!s)
		return sched_reply_add(r, no_schedule);
	if (room && *room) {
		ok = resolve_room(s, room, names, &set, r);
		if (ok <= 0)
			return ok < 0 ? SCHED_ERR_NOMEM : SCHED_OK;
		filter = &set;
		roomset_label(&set, label, sizeof(label));
	}
	n = is_next ? sched_query_next(s, now, filter, t, SCHED_CMD_MAX_TALKS)
		    : sched_query_now(s, now, filter, t, SCHED_CMD_MAX_TALKS);
	if (!n) {
		if (!is_next) {
			/* Say what comes next, which is what people want. */
			if (filter)
				sched_reply_addf(r, "Nothing is on in **%s** right now.", label);
			else
				sched_reply_add(r, "Nothing is on right now.");
			n = sched_query_next(s, now, filter, t, 1);
			if (n && (sched_reply_add(r, "Next up:") || list_talks(s, t, 1, r)))
				return SCHED_ERR_NOMEM;
			return r->n ? SCHED_OK : SCHED_ERR_NOMEM;
		}
		if (filter)
			return sched_reply_addf(r, "No more talks in **%s**.", label);
		return sched_reply_add(r, "No more talks: that was the whole programme.");
	}
	total = is_next ? sched_query_next_total(s, now, filter) : sched_query_now_total(s, now, filter);
	if (total < n)
		total = n;
	if (filter)
		ok = sched_reply_addf(r, is_next ? "Next in **%s**:" : "On now in **%s**:", label);
	else
		ok = sched_reply_add(r, is_next ? "Next up:" : "On now:");
	if (!ok)
		ok = list_talks(s, t, n, r);
	/* Nothing cut off in silence (issue 16). */
	if (!ok && total > n)
		ok = sched_reply_addf(r, "... and %zu more %s (%zu in all). Ask for one room: `%s "
				      "<room>`; `rooms` lists them.", total - n,
				      is_next ? "starting next" : "on now", total,
				      is_next ? "next" : "now");
	return ok;
}

int sched_cmd_next(const struct sched *s, int64_t now, const char *room, struct sched_reply *r)
{
	return next_or_now(s, now, room, 1, r);
}

int sched_cmd_now(const struct sched *s, int64_t now, const char *room, struct sched_reply *r)
{
	return next_or_now(s, now, room, 0, r);
}

int sched_cmd_day(const struct sched *s, int64_t now, const char *when, struct sched_reply *r)
{
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	static const char *const wdays[] = {"Sunday", "Monday", "Tuesday", "Wednesday",
					    "Thursday", "Friday", "Saturday"};
	const struct sched_talk **t = NULL;
	const char *names[CMD_ROOMSET], *room = NULL;
	struct sched_roomset set, *filter = NULL;
	struct hw_civil d;
	char why[400], label[CMD_ECHO_BUF * 3 + 32] = "";
	size_t n, total;
	int ret;

	if (!s)
		return sched_reply_add(r, no_schedule);
	/* "sat envelope", "28 nov envelope": the day, then a room (sched_when.c). */
	if (sched_when_day(s, when, now, &d, &room, why, sizeof(why)))
		return sched_reply_add(r, why);
	if (room && *room) {
		int ok = resolve_room(s, room, names, &set, r);
		if (ok <= 0)
			return ok < 0 ? SCHED_ERR_NOMEM : SCHED_OK;
		filter = &set;
		roomset_label(&set, label, sizeof(label));
	}
	t = malloc(CMD_DAY_MAX * sizeof(*t));
	if (!t)
		return SCHED_ERR_NOMEM;
	total = sched_query_day(s, d.year, d.mon, d.day, filter, t, CMD_DAY_MAX);
	n = total < CMD_DAY_MAX ? total : CMD_DAY_MAX;
	if (!total) {
		ret = sched_reply_addf(r, "No talks on %s %d %s%s%s.", wdays[d.wday], d.day,
				       months[d.mon - 1], label[0] ? " in " : "", label);
		goto out;
	}
	ret = sched_reply_addf(r, "**%s %d %s**%s%s: %zu talk%s (times in %s)", wdays[d.wday],
			       d.day, months[d.mon - 1], label[0] ? " in " : "", label, total,
			       total == 1 ? "" : "s", hw_tz_name(s->tz));
	r->max_msgs = SCHED_CMD_MAX_DAY_MSGS;
	for (size_t i = 0; i < n && !ret; i++)
		ret = sched_render_line(s, t[i], r);
	r->max_msgs = 0;
	if (!ret && (r->dropped || total > n))
		ret = sched_reply_addf(r, "... and more: %zu talk%s not shown. Narrow it down "
					  "with `day <when> <room>`.",
				       r->dropped + (total - n), r->dropped + (total - n) == 1 ? "" : "s");
out:
	free(t);
	return ret;
}

int sched_cmd_talk(const struct sched *s, const char *words, struct sched_reply *r)
{
	const struct sched_talk *t[5];
	char echo[CMD_ECHO_BUF];
	size_t n;

	if (!s)
		return sched_reply_add(r, no_schedule);
	sched_render_escape(words, echo, sizeof(echo), CMD_ECHO_MAX);
	n = sched_query_search(s, words, t, 5);
	if (!n)
		return sched_reply_addf(r, "No talk matches \"%s\".", echo);
	if (sched_reply_addf(r, "Best match%s for \"%s\":", n == 1 ? "" : "es", echo))
		return SCHED_ERR_NOMEM;
	return list_talks(s, t, n, r);
}

int sched_cmd_speaker(const struct sched *s, const char *name, struct sched_reply *r)
{
	const struct sched_talk *t[SCHED_CMD_MAX_TALKS];
	char echo[CMD_ECHO_BUF];
	size_t n;

	if (!s)
		return sched_reply_add(r, no_schedule);
	sched_render_escape(name, echo, sizeof(echo), CMD_ECHO_MAX);
	n = sched_query_speaker(s, name, t, SCHED_CMD_MAX_TALKS);
	if (!n) {
		/* Suggest close names (typos in names are the usual miss). */
		const char **all = malloc(4096 * sizeof(*all));
		size_t na, idx[CMD_SUGGEST], ni = 0;
		char list[600] = "";
		if (all) {
			na = sched_query_speakers(s, all, 4096);
			if (sched_match(all, na, name, idx, CMD_SUGGEST, &ni) == SCHED_MATCH_NONE)
				ni = 0;
			for (size_t i = 0, o = 0; i < ni; i++) {
				char nm[CMD_ECHO_BUF];
				sched_render_escape(all[idx[i]], nm, sizeof(nm), CMD_ECHO_MAX);
				o += (size_t)snprintf(list + o, sizeof(list) - o, "%s**%s**",
						      i ? ", " : "", nm);
				if (o >= sizeof(list))
					break;
			}
			free(all);
		}
		if (list[0])
			return sched_reply_addf(r, "No talks by \"%s\". Did you mean %s?", echo, list);
		return sched_reply_addf(r, "No talks by \"%s\".", echo);
	}
	if (sched_reply_addf(r, "Talks by \"%s\":", echo))
		return SCHED_ERR_NOMEM;
	return list_talks(s, t, n, r);
}

int sched_cmd_rooms(const struct sched *s, struct sched_reply *r)
{
	int ret;

	if (!s)
		return sched_reply_add(r, no_schedule);
	if (!s->nrooms)
		return sched_reply_add(r, "This schedule names no rooms.");
	ret = sched_reply_addf(r, "**%zu room%s:**", s->nrooms, s->nrooms == 1 ? "" : "s");
	for (size_t i = 0; i < s->nrooms && !ret; i++) {
		char name[CMD_ECHO_BUF];
		sched_render_escape(s->rooms[i], name, sizeof(name), CMD_ECHO_MAX);
		ret = sched_reply_addf(r, "\xE2\x80\xA2 %s", name);
	}
	return ret;
}
