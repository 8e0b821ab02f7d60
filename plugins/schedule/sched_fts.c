/*
 * Talk search through SQLite FTS5 (sched_fts.h).
 */
#include "sched_fts.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/buf.h>
#include <hallway/fts.h>

/* Column weights for bm25(): title, speakers, track/type/room/tags, text. */
static const double weights[] = {10.0, 8.0, 4.0, 1.0};

struct fts_index {
	const struct sched *s; /* the schedule it was built from (borrowed) */
	uint64_t print;        /* its fingerprint, against a reused address */
	struct hw_fts *talks;  /* one document per talk */
	struct hw_fts *people; /* one per speaker of a talk */
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fts_index cache;

/* FNV-1a over what identifies a schedule's talks. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	return h;
}

static uint64_t fingerprint(const struct sched *s)
{
	uint64_t h = 1469598103934665603ULL;

	h = fnv(h, &s->ntalks, sizeof(s->ntalks));
	for (size_t i = 0; i < s->ntalks; i++) {
		const struct sched_talk *t = &s->talks[i];
		h = fnv(h, t->id, strlen(t->id) + 1);
		h = fnv(h, t->f_title, strlen(t->f_title) + 1);
		h = fnv(h, &t->start, sizeof(t->start));
		h = fnv(h, &t->cancelled, sizeof(t->cancelled));
	}
	return h;
}

static int fill(struct fts_index *x, const struct sched *s)
{
	if (!(x->talks = hw_fts_new(4, weights)) || !(x->people = hw_fts_new(1, NULL)))
		return -1;
	for (size_t i = 0; i < s->ntalks; i++) {
		const struct sched_talk *t = &s->talks[i];
		const char *cols[4] = {t->f_title, t->f_people, t->f_meta, NULL};
		hw_buf text;
		int rc;

		/* Subtitle and abstract: the model keeps no folded copy of
		 * them (hw_fts_add folds), nor does the index (lib/fts.c). */
		hw_buf_init(&text, 0);
		hw_buf_add(&text, t->subtitle ? t->subtitle : "");
		hw_buf_add(&text, " ");
		hw_buf_add(&text, t->abstract ? t->abstract : "");
		cols[3] = hw_buf_str(&text);
		rc = text.failed ? -1 : hw_fts_add(x->talks, (int64_t)i, cols, t->cancelled);
		hw_buf_free(&text);
		if (rc)
			return -1;
		for (size_t k = 0; k < t->nspeakers; k++)
			if (hw_fts_add(x->people, (int64_t)i, (const char *const *)&t->speakers[k], 0))
				return -1;
	}
	return hw_fts_ready(x->talks) || hw_fts_ready(x->people) ? -1 : 0;
}

static void cache_drop(void)
{
	hw_fts_free(cache.talks);
	hw_fts_free(cache.people);
	memset(&cache, 0, sizeof(cache));
}

/* The index of s, built if the cache holds another schedule; 0 or -1
 * (logged). Called with cache_lock held. */
static int index_for(const struct sched *s)
{
	uint64_t print = fingerprint(s);

	if (cache.talks && cache.s == s && cache.print == print)
		return 0;
	cache_drop();
	if (fill(&cache, s)) {
		fprintf(stderr, "schedule: the search index of %zu talks could not be built\n",
			s->ntalks);
		cache_drop();
		return -1;
	}
	cache.s = s;
	cache.print = print;
	return 0;
}

void sched_fts_release(void)
{
	pthread_mutex_lock(&cache_lock);
	cache_drop();
	pthread_mutex_unlock(&cache_lock);
}

static size_t search(const struct sched *s, const char *q, int people,
		     const struct sched_talk **out, size_t max)
{
	int64_t *ids;
	size_t n = 0;

	if (!s || !s->ntalks || !q || !max)
		return 0;
	if (max > s->ntalks)
		max = s->ntalks; /* every talk at most: a speaker's every talk fits */
	if (!(ids = malloc(max * sizeof(*ids))))
		return 0;
	pthread_mutex_lock(&cache_lock);
	if (!index_for(s))
		n = people ? hw_fts_search(cache.people, q, HW_FTS_BY_REF, ids, max)
			   : hw_fts_search(cache.talks, q, HW_FTS_TYPOS, ids, max);
	pthread_mutex_unlock(&cache_lock);
	for (size_t i = 0; i < n; i++)
		out[i] = &s->talks[ids[i]];
	free(ids);
	return n;
}

size_t sched_fts_search(const struct sched *s, const char *words,
			const struct sched_talk **out, size_t max)
{
	return search(s, words, 0, out, max);
}

size_t sched_fts_speaker(const struct sched *s, const char *name,
			 const struct sched_talk **out, size_t max)
{
	return search(s, name, 1, out, max);
}
