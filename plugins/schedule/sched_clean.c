/*
 * Schedule cleaning at load: multi-room bookings, placeholders,
 * duplicates (see sched_clean.h).
 */
#include "sched_clean.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ROOM_PARTS_MAX 32

/* Whether name is the room of a talk booked in one room only. */
static int known_room(const struct sched *s, const char *name)
{
	for (size_t i = 0; i < s->ntalks; i++) {
		const char *r = s->talks[i].room;
		if (r && !strchr(r, ',') && !strcmp(r, name))
			return 1;
	}
	return 0;
}

/* Splits "A, B, C" into parts (trimmed, in buf). Returns the count, or 0
 * when it is not a list of known rooms. */
static size_t room_parts(const struct sched *s, const char *room, char *buf, size_t len,
			 char **parts)
{
	size_t n = 0;
	char *p, *save = NULL;
	if (!room || !strchr(room, ',') || strlen(room) >= len)
		return 0;
	memcpy(buf, room, strlen(room) + 1);
	for (p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		char *end;
		while (*p == ' ' || *p == '\t')
			p++;
		end = p + strlen(p);
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (!*p || n == ROOM_PARTS_MAX || !known_room(s, p))
			return 0;
		parts[n++] = p;
	}
	return n >= 2 ? n : 0;
}

static int copy_talk(struct sched_talk *dst, const struct sched_talk *src, const char *room)
{
	char **const *lists[] = {&src->speakers, &src->tags};
	char ***dlists[] = {&dst->speakers, &dst->tags};
	size_t *dcounts[] = {&dst->nspeakers, &dst->ntags};
	struct {
		char **d;
		const char *v;
	} fields[] = {{&dst->id, src->id},         {&dst->guid, src->guid},
		      {&dst->title, src->title},   {&dst->subtitle, src->subtitle},
		      {&dst->abstract, src->abstract}, {&dst->track, src->track},
		      {&dst->type, src->type},     {&dst->language, src->language},
		      {&dst->level, src->level},   {&dst->url, src->url},
		      {&dst->recording, src->recording}, {&dst->room, room}};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (fields[i].v && sched_model_set(fields[i].d, fields[i].v))
			return SCHED_ERR_NOMEM;
	for (size_t l = 0; l < 2; l++)
		for (char *const *v = *lists[l]; v && *v; v++)
			if (sched_model_strv_add(dlists[l], dcounts[l], *v))
				return SCHED_ERR_NOMEM;
	dst->start = src->start;
	dst->end = src->end;
	dst->cancelled = src->cancelled;
	dst->recording_rank = src->recording_rank;
	return SCHED_OK;
}

/* One entry per room for each multi-room booking. */
static int split_rooms(struct sched *s)
{
	size_t n = s->ntalks;
	for (size_t i = 0; i < n; i++) {
		char buf[1024], *parts[ROOM_PARTS_MAX];
		size_t np = room_parts(s, s->talks[i].room, buf, sizeof(buf), parts);
		if (!np)
			continue;
		for (size_t k = 1; k < np; k++) {
			struct sched_talk *t = sched_model_add(s); /* may move s->talks */
			if (!t || copy_talk(t, &s->talks[i], parts[k]))
				return SCHED_ERR_NOMEM;
		}
		if (sched_model_set(&s->talks[i].room, parts[0]))
			return SCHED_ERR_NOMEM;
		s->clean.split_bookings++;
		s->clean.split_entries += np;
	}
	return SCHED_OK;
}

static int is_placeholder(const struct sched_talk *t)
{
	const char *title = t->title ? t->title : "";
	while (*title == ' ')
		title++;
	return !t->nspeakers && !strncasecmp(title, "slot", 4) &&
	       (!title[4] || strspn(title + 4, " ") == strlen(title + 4));
}

static int str_cmp(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int dup_cmp(const void *x, const void *y)
{
	const struct sched_talk *a = *(const struct sched_talk *const *)x;
	const struct sched_talk *b = *(const struct sched_talk *const *)y;
	int c;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->end != b->end)
		return a->end < b->end ? -1 : 1;
	if ((c = str_cmp(a->room, b->room)) || (c = str_cmp(a->title, b->title)))
		return c;
	if (a->nspeakers != b->nspeakers)
		return a->nspeakers < b->nspeakers ? -1 : 1;
	for (size_t i = 0; i < a->nspeakers; i++)
		if ((c = str_cmp(a->speakers[i], b->speakers[i])))
			return c;
	if (a->cancelled != b->cancelled)
		return a->cancelled - b->cancelled;
	return a < b ? -1 : a > b; /* the earlier in the source is kept */
}

/* Marks (start = INT64_MIN) placeholders and the later copies of exact
 * duplicates; sched_model_finish drops marked entries. */
static int mark(struct sched *s)
{
	struct sched_talk **v;
	size_t n = 0;
	for (size_t i = 0; i < s->ntalks; i++) {
		if (s->talks[i].start != INT64_MIN && is_placeholder(&s->talks[i])) {
			s->talks[i].start = INT64_MIN;
			s->clean.placeholders++;
		}
	}
	if (!(v = malloc((s->ntalks + 1) * sizeof(*v))))
		return SCHED_ERR_NOMEM;
	for (size_t i = 0; i < s->ntalks; i++)
		if (s->talks[i].start != INT64_MIN)
			v[n++] = &s->talks[i];
	qsort(v, n, sizeof(*v), dup_cmp);
	for (size_t i = 1; i < n; i++) {
		const struct sched_talk *a = v[i - 1], *b = v[i];
		if (a->start == b->start && a->end == b->end && !str_cmp(a->room, b->room) &&
		    !str_cmp(a->title, b->title) && a->cancelled == b->cancelled &&
		    a->nspeakers == b->nspeakers) {
			size_t k = 0;
			while (k < a->nspeakers && !str_cmp(a->speakers[k], b->speakers[k]))
				k++;
			if (k == a->nspeakers) {
				v[i]->start = INT64_MIN;
				s->clean.duplicates++;
				v[i] = v[i - 1]; /* a third copy compares with the kept one */
			}
		}
	}
	free(v);
	return SCHED_OK;
}

int sched_clean(struct sched *s)
{
	int ret = split_rooms(s);
	return ret ? ret : mark(s);
}

void sched_clean_summary(const struct sched *s, char *buf, size_t len)
{
	size_t o = 0;
	const struct sched_clean_stats *c = &s->clean;
	buf[0] = '\0';
#define ADD(...)                                                              \
	do {                                                                  \
		if (o < len)                                                  \
			o += (size_t)snprintf(buf + o, len - o, __VA_ARGS__); \
	} while (0)
	if (c->split_bookings)
		ADD("%s%zu booking%s in several rooms split into %zu entries", o ? ", " : "; cleaned: ",
		    c->split_bookings, c->split_bookings == 1 ? "" : "s", c->split_entries);
	if (c->placeholders)
		ADD("%s%zu placeholder%s dropped", o ? ", " : "; cleaned: ", c->placeholders,
		    c->placeholders == 1 ? "" : "s");
	if (c->duplicates)
		ADD("%s%zu duplicate%s collapsed", o ? ", " : "; cleaned: ", c->duplicates,
		    c->duplicates == 1 ? "" : "s");
	if (c->titles_split)
		ADD("%s%zu \"Title - Speaker\" title%s split", o ? ", " : "; cleaned: ",
		    c->titles_split, c->titles_split == 1 ? "" : "s");
#undef ADD
}
