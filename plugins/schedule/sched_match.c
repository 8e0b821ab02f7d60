/*
 * Name matching: folded compare, substring, then edit distance.
 */
#include "sched_match.h"

#include <stdlib.h>
#include <string.h>

#include <hallway/text.h>

#define MATCH_MAXLEN 64
#define MATCH_NAMELEN 256

/* The shared distance (transpositions cost 1: "tiem" is one edit from
 * "time") on at most MATCH_MAXLEN bytes of each side. */
static size_t match_distance(const char *a, size_t alen, const char *b, size_t blen)
{
	return hw_distance(a, alen > MATCH_MAXLEN ? MATCH_MAXLEN : alen, b,
			   blen > MATCH_MAXLEN ? MATCH_MAXLEN : blen);
}

/* Score of a name for a query; lower is better. */
struct cand {
	size_t idx;
	size_t score;
};

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->score != y->score)
		return x->score < y->score ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* 0: a word of f starts with q; 1: q occurs inside f; else no. */
static int contains(const char *f, const char *q)
{
	const char *p = strstr(f, q);
	int inside = 0;

	while (p) {
		if (p == f || p[-1] == ' ')
			return 0;
		inside = 1;
		p = strstr(p + 1, q);
	}
	return inside ? 1 : -1;
}

/* Smallest distance from q to f, to any word of f, or to any prefix of
 * f as long as q (so a typo in the first word of a long name counts). */
static size_t near(const char *f, const char *q)
{
	size_t ql = strlen(q), fl = strlen(f);
	size_t best = match_distance(q, ql, f, fl);
	const char *w = f;

	while (*w) {
		size_t wl = strcspn(w, " ");
		size_t d = match_distance(q, ql, w, wl);
		if (d < best)
			best = d;
		if (fl - (size_t)(w - f) >= ql) {
			d = match_distance(q, ql, w, ql);
			if (d < best)
				best = d;
		}
		w += wl;
		while (*w == ' ')
			w++;
	}
	return best;
}

enum sched_match_kind sched_match(const char *const *names, size_t n, const char *query,
				  size_t *out, size_t max, size_t *nout)
{
	char q[MATCH_NAMELEN], f[MATCH_NAMELEN];
	struct cand *c = NULL;
	size_t nc = 0, qlen, limit;
	enum sched_match_kind kind = SCHED_MATCH_NONE;

	*nout = 0;
	qlen = hw_fold_into(query, q, sizeof(q));
	if (!qlen || !n || !max)
		return SCHED_MATCH_NONE;
	c = calloc(n, sizeof(*c));
	if (!c)
		return SCHED_MATCH_NONE;
	/* Pass 1: folded equality. */
	for (size_t i = 0; i < n; i++) {
		hw_fold_into(names[i], f, sizeof(f));
		if (!strcmp(f, q))
			c[nc++] = (struct cand){i, 0};
	}
	if (nc) {
		kind = SCHED_MATCH_FOUND;
		goto done;
	}
	/* Pass 2: containment, word prefixes first, shorter names first. */
	for (size_t i = 0; i < n; i++) {
		int how;
		hw_fold_into(names[i], f, sizeof(f));
		how = contains(f, q);
		if (how >= 0)
			c[nc++] = (struct cand){i, (size_t)how * 1000 + strlen(f)};
	}
	if (nc) {
		kind = SCHED_MATCH_FOUND;
		goto done;
	}
	/* Pass 3: near misses. */
	limit = qlen / 3 ? qlen / 3 : 1;
	if (limit > 4)
		limit = 4;
	for (size_t i = 0; i < n; i++) {
		size_t d;
		hw_fold_into(names[i], f, sizeof(f));
		d = near(f, q);
		if (d <= limit)
			c[nc++] = (struct cand){i, d};
	}
	if (nc)
		kind = SCHED_MATCH_SUGGEST;
done:
	qsort(c, nc, sizeof(*c), cand_cmp);
	for (size_t i = 0; i < nc && i < max; i++)
		out[(*nout)++] = c[i].idx;
	free(c);
	return kind;
}
