/*
 * The schedule model: allocation, string helpers and the normalisation
 * every loader finishes with.
 */
#include "sched_model.h"
#include "sched_clean.h"

#include <hallway/text.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *sched_strerror(int err)
{
	switch (err) {
	case SCHED_OK: return "success";
	case SCHED_ERR_NOMEM: return "out of memory";
	case SCHED_ERR_PARSE: return "malformed input";
	case SCHED_ERR_FORMAT: return "not a schedule in a known format";
	case SCHED_ERR_TZ: return "unknown time zone";
	case SCHED_ERR_IO: return "cannot read the source";
	case SCHED_ERR_EMPTY: return "the schedule has no talks";
	}
	return "unknown error";
}

struct sched *sched_model_new(void)
{
	struct sched *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->rooms = calloc(1, sizeof(*s->rooms));
	if (!s->rooms) {
		free(s);
		return NULL;
	}
	return s;
}

static void strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

static void talk_free(struct sched_talk *t)
{
	free(t->id);
	free(t->guid);
	free(t->title);
	free(t->subtitle);
	free(t->abstract);
	free(t->track);
	free(t->type);
	free(t->language);
	free(t->level);
	free(t->url);
	free(t->recording);
	free(t->room);
	strv_free(t->speakers);
	strv_free(t->tags);
	free(t->f_title);
	free(t->f_people);
	free(t->f_meta);
	memset(t, 0, sizeof(*t));
}

void sched_model_free(struct sched *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->ntalks; i++)
		talk_free(&s->talks[i]);
	free(s->talks);
	strv_free(s->rooms);
	free(s->name);
	free(s->version);
	free(s->tz_name);
	hw_tz_free(s->tz);
	free(s);
}

struct sched_talk *sched_model_add(struct sched *s)
{
	struct sched_talk *t;

	if (s->ntalks == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 64;
		struct sched_talk *n = realloc(s->talks, ncap * sizeof(*n));
		if (!n)
			return NULL;
		s->talks = n;
		s->cap = ncap;
	}
	t = &s->talks[s->ntalks++];
	memset(t, 0, sizeof(*t));
	t->speakers = calloc(1, sizeof(char *));
	t->tags = calloc(1, sizeof(char *));
	t->start = INT64_MIN;
	if (!t->speakers || !t->tags) {
		talk_free(t);
		s->ntalks--;
		return NULL;
	}
	return t;
}

void sched_model_drop_last(struct sched *s)
{
	if (s->ntalks)
		talk_free(&s->talks[--s->ntalks]);
}

int sched_model_setn(char **dst, const char *str, size_t len)
{
	char *c;

	if (!str) {
		free(*dst);
		*dst = NULL;
		return SCHED_OK;
	}
	while (len && isspace((unsigned char)*str)) {
		str++;
		len--;
	}
	while (len && isspace((unsigned char)str[len - 1]))
		len--;
	if (!len) {
		free(*dst);
		*dst = NULL;
		return SCHED_OK;
	}
	c = malloc(len + 1);
	if (!c)
		return SCHED_ERR_NOMEM;
	memcpy(c, str, len);
	c[len] = 0;
	free(*dst);
	*dst = c;
	return SCHED_OK;
}

int sched_model_set(char **dst, const char *str)
{
	return sched_model_setn(dst, str, str ? strlen(str) : 0);
}

int sched_model_strv_add(char ***v, size_t *n, const char *str)
{
	char **nv, *c = NULL;

	if (sched_model_set(&c, str))
		return SCHED_ERR_NOMEM;
	if (!c)
		return SCHED_OK; /* blank names are not names */
	nv = realloc(*v, (*n + 2) * sizeof(*nv));
	if (!nv) {
		free(c);
		return SCHED_ERR_NOMEM;
	}
	nv[(*n)++] = c;
	nv[*n] = NULL;
	*v = nv;
	return SCHED_OK;
}

int sched_model_room_index(const struct sched *s, const char *name)
{
	for (size_t i = 0; name && i < s->nrooms; i++)
		if (!strcmp(s->rooms[i], name))
			return (int)i;
	return -1;
}

int sched_model_room_add(struct sched *s, const char *room)
{
	if (!room || sched_model_room_index(s, room) >= 0)
		return SCHED_OK;
	return sched_model_strv_add(&s->rooms, &s->nrooms, room);
}

static int talk_cmp(const void *a, const void *b)
{
	const struct sched_talk *x = a, *y = b;
	int c;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	c = strcmp(x->room ? x->room : "", y->room ? y->room : "");
	if (c)
		return c;
	c = strcmp(x->title, y->title);
	return c ? c : strcmp(x->id, y->id);
}

static int idp_cmp(const void *a, const void *b)
{
	const struct sched_talk *x = *(struct sched_talk *const *)a;
	const struct sched_talk *y = *(struct sched_talk *const *)b;
	int c = strcmp(x->id ? x->id : "", y->id ? y->id : "");

	if (c)
		return c;
	return x < y ? -1 : x > y;
}

/* Makes ids unique: the second "x" becomes "x#2", and so on. Sorts a
 * pointer array by id so this is n log n even for big schedules. */
static int unique_ids(struct sched *s)
{
	struct sched_talk **v = malloc((s->ntalks + 1) * sizeof(*v));
	int ret = SCHED_OK;
	size_t i = 0;

	if (!v)
		return SCHED_ERR_NOMEM;
	for (size_t k = 0; k < s->ntalks; k++)
		v[k] = &s->talks[k];
	qsort(v, s->ntalks, sizeof(*v), idp_cmp);
	while (i < s->ntalks && ret == SCHED_OK) {
		size_t k = i + 1;
		while (k < s->ntalks && !strcmp(v[k]->id, v[i]->id))
			k++;
		for (size_t m = i + 1; m < k; m++) {
			size_t n = strlen(v[m]->id);
			char *nid = malloc(n + 24);
			if (!nid) {
				ret = SCHED_ERR_NOMEM;
				break;
			}
			snprintf(nid, n + 24, "%s#%zu", v[m]->id, m - i + 1);
			free(v[m]->id);
			v[m]->id = nid;
		}
		i = k;
	}
	free(v);
	return ret;
}

int sched_model_dedupe(struct sched *s)
{
	struct sched_talk **v = malloc((s->ntalks + 1) * sizeof(*v));
	size_t j = 0;

	if (!v)
		return SCHED_ERR_NOMEM;
	for (size_t k = 0; k < s->ntalks; k++)
		v[k] = &s->talks[k];
	qsort(v, s->ntalks, sizeof(*v), idp_cmp);
	/* Mark later duplicates (pointer order = insertion order). */
	for (size_t k = 1; k < s->ntalks; k++)
		if (v[k]->id && v[k - 1]->id && !strcmp(v[k]->id, v[k - 1]->id))
			v[k]->start = INT64_MAX;
	free(v);
	for (size_t k = 0; k < s->ntalks; k++) {
		if (s->talks[k].start == INT64_MAX) {
			talk_free(&s->talks[k]);
			continue;
		}
		s->talks[j++] = s->talks[k];
	}
	s->ntalks = j;
	return SCHED_OK;
}

/* Folds the joined strings of a NULL-terminated list into a new string. */
static char *fold_join(const char *const *parts, size_t n, const char *sep)
{
	size_t len = 1;
	char *joined, *folded;

	for (size_t i = 0; i < n; i++)
		len += (parts[i] ? strlen(parts[i]) : 0) + strlen(sep);
	joined = malloc(len);
	if (!joined)
		return NULL;
	joined[0] = 0;
	for (size_t i = 0, o = 0; i < n; i++) {
		if (!parts[i])
			continue;
		o += (size_t)snprintf(joined + o, len - o, "%s%s", o ? sep : "", parts[i]);
	}
	folded = hw_fold(joined);
	free(joined);
	return folded;
}

/* Fills the f_* matching fields of t. */
static int talk_fold(struct sched_talk *t)
{
	const char *meta[4] = {t->track, t->type, t->room, NULL};
	char *tags = fold_join((const char *const *)t->tags, t->ntags, " ");

	if (!tags)
		return SCHED_ERR_NOMEM;
	meta[3] = tags;
	t->f_title = hw_fold(t->title);
	t->f_people = fold_join((const char *const *)t->speakers, t->nspeakers, " ");
	t->f_meta = fold_join(meta, 4, " ");
	free(tags);
	if (!t->f_title || !t->f_people || !t->f_meta)
		return SCHED_ERR_NOMEM;
	return SCHED_OK;
}

/* Rebuilds s->rooms: rooms the source declared (in its order) that have
 * talks, then rooms only named by talks, in order of first use. */
static int rooms_rebuild(struct sched *s)
{
	char **declared = s->rooms;
	size_t ndeclared = s->nrooms;
	int ret = SCHED_ERR_NOMEM;

	s->rooms = calloc(1, sizeof(*s->rooms));
	s->nrooms = 0;
	if (!s->rooms)
		goto out;
	for (size_t i = 0; i < ndeclared; i++)
		for (size_t k = 0; k < s->ntalks; k++)
			if (s->talks[k].room && !strcmp(s->talks[k].room, declared[i])) {
				if (sched_model_room_add(s, declared[i]))
					goto out;
				break;
			}
	for (size_t k = 0; k < s->ntalks; k++)
		if (sched_model_room_add(s, s->talks[k].room))
			goto out;
	ret = SCHED_OK;
out:
	strv_free(declared);
	return ret;
}

int sched_model_finish(struct sched *s, const char *tz_name, int have_offset,
		       int32_t fallback_offset)
{
	size_t j = 0;
	int ret;

	/* The zone: the source's own, else the configured one, else the
	 * offset the loader saw, else UTC. */
	if (!s->tz && s->tz_name && hw_tz_load(NULL, s->tz_name, &s->tz))
		s->tz = NULL;
	if (!s->tz && tz_name && hw_tz_load(NULL, tz_name, &s->tz) == SCHED_OK) {
		if (sched_model_set(&s->tz_name, tz_name))
			return SCHED_ERR_NOMEM;
	}
	if (!s->tz) {
		s->tz = hw_tz_fixed(have_offset ? fallback_offset : 0);
		if (!s->tz || sched_model_set(&s->tz_name, hw_tz_name(s->tz)))
			return SCHED_ERR_NOMEM;
	}
	/* Multi-room bookings, placeholders, duplicates (issue 16). */
	if ((ret = sched_clean(s)))
		return ret;
	for (size_t i = 0; i < s->ntalks; i++) {
		struct sched_talk *t = &s->talks[i];
		if (t->start == INT64_MIN) {
			talk_free(t);
			continue;
		}
		if (t->end < t->start)
			t->end = t->start;
		if (!t->title && sched_model_set(&t->title, "(untitled)"))
			return SCHED_ERR_NOMEM;
		if (!t->id) {
			char buf[48];
			snprintf(buf, sizeof(buf), "t%lld", (long long)t->start);
			if (sched_model_set(&t->id, buf))
				return SCHED_ERR_NOMEM;
		}
		if (j != i)
			s->talks[j] = *t;
		j++;
	}
	s->ntalks = j;
	if (!s->ntalks)
		return SCHED_ERR_EMPTY;
	ret = unique_ids(s);
	if (ret)
		return ret;
	qsort(s->talks, s->ntalks, sizeof(*s->talks), talk_cmp);
	for (size_t i = 0; i < s->ntalks; i++)
		if (talk_fold(&s->talks[i]))
			return SCHED_ERR_NOMEM;
	return rooms_rebuild(s);
}
