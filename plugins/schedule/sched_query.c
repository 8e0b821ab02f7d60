/*
 * The query logic behind next/now/today/day/talk/speaker. Pure functions
 * of (schedule, instant, arguments), so tests pin any instant.
 */
#include "sched_query.h"
#include "sched_fts.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <hallway/text.h>
#include <hallway/when.h>

#define QUERY_WORDLEN 64
#define QUERY_MARKER_SECS 60

static int in_rooms(const struct sched_talk *t, const struct sched_roomset *rooms)
{
	if (!rooms)
		return 1;
	if (rooms->track)
		return t->track && !strcmp(t->track, rooms->track);
	for (size_t i = 0; i < rooms->n; i++)
		if (t->room && !strcmp(t->room, rooms->names[i]))
			return 1;
	return 0;
}

/* Index of the first talk starting after `now` (talks are sorted). */
static size_t first_after(const struct sched *s, int64_t now)
{
	size_t lo = 0, hi = s->ntalks;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->talks[mid].start <= now)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int64_t local_day(const struct sched *s, int64_t utc)
{
	int64_t l = hw_tz_to_local(s->tz, utc);
	return (l - ((l % 86400) + 86400) % 86400) / 86400;
}

size_t sched_query_next(const struct sched *s, int64_t now, const struct sched_roomset *rooms,
			const struct sched_talk **out, size_t max)
{
	size_t n = 0;
	int64_t first = 0, first_day = 0;

	if (!s)
		return 0;
	for (size_t i = first_after(s, now); i < s->ntalks && n < max; i++) {
		const struct sched_talk *t = &s->talks[i];
		int seen = 0;
		if (t->cancelled || !in_rooms(t, rooms))
			continue;
		if (n == 0) {
			first = t->start;
			first_day = local_day(s, t->start);
		}
		if (rooms) {
			if (t->start != first)
				break;
			out[n++] = t;
			continue;
		}
		if (local_day(s, t->start) != first_day)
			break;
		/* One per room: the room's next talk (no-room talks count as one room). */
		for (size_t k = 0; k < n && !seen; k++)
			seen = (!t->room && !out[k]->room) ||
			       (t->room && out[k]->room && !strcmp(t->room, out[k]->room));
		if (!seen)
			out[n++] = t;
	}
	return n;
}

size_t sched_query_next_total(const struct sched *s, int64_t now,
			      const struct sched_roomset *rooms)
{
	const struct sched_talk **all;
	size_t n;
	if (!s || !(all = malloc((s->ntalks + 1) * sizeof(*all))))
		return 0;
	n = sched_query_next(s, now, rooms, all, s->ntalks);
	free(all);
	return n;
}

static int on_at(const struct sched_talk *t, int64_t now)
{
	return now < t->end || (t->end == t->start && now - t->start < QUERY_MARKER_SECS);
}

/* The room's place in the schedule's room list (rooms come in the order
 * the source lists them, main halls usually first). */
static size_t room_rank(const struct sched *s, const char *room)
{
	for (size_t i = 0; room && i < s->nrooms; i++)
		if (!strcmp(s->rooms[i], room))
			return i;
	return s->nrooms;
}

struct now_item {
	const struct sched_talk *t;
	size_t rank;
};

static int now_cmp(const void *a, const void *b)
{
	const struct now_item *x = a, *y = b;
	if (x->t->start != y->t->start)
		return x->t->start > y->t->start ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->t < y->t ? -1 : x->t > y->t;
}

size_t sched_query_now_total(const struct sched *s, int64_t now,
			     const struct sched_roomset *rooms)
{
	size_t n = 0, end;
	if (!s)
		return 0;
	end = first_after(s, now);
	for (size_t i = 0; i < end; i++)
		n += on_at(&s->talks[i], now) && !s->talks[i].cancelled &&
		     in_rooms(&s->talks[i], rooms);
	return n;
}

size_t sched_query_now(const struct sched *s, int64_t now, const struct sched_roomset *rooms,
		       const struct sched_talk **out, size_t max)
{
	struct now_item *all;
	size_t n = 0, end;

	if (!s)
		return 0;
	end = first_after(s, now);
	if (!(all = malloc((end + 1) * sizeof(*all))))
		return 0;
	for (size_t i = 0; i < end; i++) {
		const struct sched_talk *t = &s->talks[i];
		if (on_at(t, now) && !t->cancelled && in_rooms(t, rooms))
			all[n++] = (struct now_item){t, room_rank(s, t->room)};
	}
	qsort(all, n, sizeof(*all), now_cmp);
	if (n > max)
		n = max;
	for (size_t i = 0; i < n; i++)
		out[i] = all[i].t;
	free(all);
	return n;
}

size_t sched_query_day(const struct sched *s, int year, int mon, int day,
		       const struct sched_roomset *rooms, const struct sched_talk **out,
		       size_t max)
{
	int64_t from, to;
	size_t n = 0;

	if (!s)
		return 0;
	from = hw_tz_to_utc(s->tz, hw_civil_make(year, mon, day, 0, 0, 0));
	to = hw_tz_to_utc(s->tz, hw_civil_make(year, mon, day + 1, 0, 0, 0));
	for (size_t i = first_after(s, from - 1); i < s->ntalks && s->talks[i].start < to; i++) {
		if (!in_rooms(&s->talks[i], rooms))
			continue;
		if (n < max)
			out[n] = &s->talks[i];
		n++;
	}
	return n;
}

size_t sched_query_days(const struct sched *s, struct hw_civil *out, size_t max)
{
	size_t n = 0;
	int64_t last = INT64_MIN;

	for (size_t i = 0; s && i < s->ntalks && n < max; i++) {
		int64_t d = local_day(s, s->talks[i].start);
		if (d == last)
			continue;
		last = d;
		hw_civil_split(d * 86400, &out[n++]);
	}
	return n;
}

int sched_query_parse_day(const struct sched *s, const char *when, int64_t now,
			  struct hw_civil *date)
{
	struct hw_civil days[64], today;
	char w[QUERY_WORDLEN];
	size_t ndays = sched_query_days(s, days, 64);
	int64_t local, today_n;
	int wd;

	hw_civil_split(hw_tz_to_local(s ? s->tz : NULL, now), &today);
	today_n = hw_civil_days(today.year, today.mon, today.day);
	hw_fold_into(when, w, sizeof(w));
	if (!w[0]) {
		*date = today;
		return SCHED_OK;
	}
	if ((wd = hw_when_relative_day(w)) != HW_WHEN_NOT_RELATIVE) {
		hw_civil_split((today_n + wd) * 86400, date);
		return SCHED_OK;
	}
	if (when && hw_civil_parse(when, &local, NULL, NULL, NULL) == SCHED_OK) {
		hw_civil_split(local, date);
		return SCHED_OK;
	}
	if ((wd = hw_when_weekday(w)) >= 0) {
		/* A conference day on that weekday, today or later first. */
		const struct hw_civil *pick = NULL;
		for (size_t i = 0; i < ndays; i++) {
			if (days[i].wday != wd)
				continue;
			if (!pick || (hw_civil_days(days[i].year, days[i].mon, days[i].day) >= today_n &&
				      hw_civil_days(pick->year, pick->mon, pick->day) < today_n))
				pick = &days[i];
		}
		if (pick) {
			*date = *pick;
			return SCHED_OK;
		}
		hw_civil_split((today_n + (wd - today.wday + 7) % 7) * 86400, date);
		return SCHED_OK;
	}
	if (isdigit((unsigned char)w[0]) && strlen(w) <= 2) {
		int n = atoi(w);
		if (n >= 1 && (size_t)n <= ndays) {
			*date = days[n - 1];
			return SCHED_OK;
		}
		for (size_t i = 0; i < ndays; i++)
			if (days[i].day == n) {
				*date = days[i];
				return SCHED_OK;
			}
	}
	return SCHED_ERR_PARSE;
}

/* Talk and speaker search: SQLite FTS5 (sched_fts.c). */
size_t sched_query_search(const struct sched *s, const char *words,
			  const struct sched_talk **out, size_t max)
{
	return sched_fts_search(s, words, out, max);
}

size_t sched_query_speaker(const struct sched *s, const char *name,
			   const struct sched_talk **out, size_t max)
{
	return sched_fts_speaker(s, name, out, max);
}

size_t sched_query_speakers(const struct sched *s, const char **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; s && i < s->ntalks; i++)
		for (size_t k = 0; k < s->talks[i].nspeakers; k++) {
			const char *name = s->talks[i].speakers[k];
			size_t j = 0;
			while (j < n && strcmp(out[j], name))
				j++;
			if (j == n && n < max)
				out[n++] = name;
		}
	return n;
}

const char *sched_query_track(const struct sched *s, const char *word)
{
	char q[256], f[256];
	const char *hit = NULL;
	size_t hits = 0;

	if (!s || !word || !hw_fold_into(word, q, sizeof(q)))
		return NULL;
	for (size_t i = 0; i < s->ntalks; i++) {
		const char *tr = s->talks[i].track;
		if (!tr)
			continue;
		hw_fold_into(tr, f, sizeof(f));
		if (!strcmp(f, q))
			return tr; /* the track's own name */
		if (!hw_fold_has_word_prefix(f, q) || (hit && !strcmp(hit, tr)))
			continue;
		if (!hits++)
			hit = tr; /* a second, different track makes it ambiguous */
	}
	return hits == 1 ? hit : NULL;
}
