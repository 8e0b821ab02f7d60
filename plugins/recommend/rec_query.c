/* Ranking and lookups over the recommendation index (see rec_query.h). */
#include "rec_query.h"

#include <stdlib.h>
#include <string.h>

#include "rec_text.h"
#include <hallway/text.h>

#define REC_FIND_FTS 64 /* talks a typed name may find */

/* Keeps hits[0..*n) sorted by score, at most k. */
static void top_insert(struct rec_hit *hits, size_t *n, size_t k, size_t entry, long slot,
		       float score)
{
	size_t i;

	if (*n == k && (k == 0 || score <= hits[k - 1].score))
		return;
	i = *n < k ? (*n)++ : k - 1;
	while (i > 0 && hits[i - 1].score < score) {
		hits[i] = hits[i - 1];
		i--;
	}
	hits[i] = (struct rec_hit){entry, slot, score};
}

/* The interests' words, stop words dropped, for the FTS5 ranking. */
struct qwords {
	char buf[1024];
	size_t len, n;
};

static int on_qword(const char *term, const char *word, void *ud)
{
	struct qwords *q = ud;
	size_t l = strlen(word);
	(void)term;
	if (q->len + l + 2 > sizeof(q->buf))
		return 0;
	if (q->len)
		q->buf[q->len++] = ' ';
	memcpy(q->buf + q->len, word, l + 1);
	q->len += l;
	q->n++;
	return 0;
}

static int starred(const struct rec_ask *ask, size_t e)
{
	for (size_t i = 0; i < ask->nstarred; i++)
		if (ask->starred[i] == e)
			return 1;
	return 0;
}

/* cos[d] += sum over the profile's terms (the sum of starred vectors). */
static void profile_scores(const struct rec_index *idx, const struct rec_ask *ask, float *cos)
{
	for (size_t s = 0; s < ask->nstarred; s++) {
		const struct rec_entry *e = &idx->e[ask->starred[s]];
		for (size_t k = 0; k < e->vn; k++) {
			const struct rec_posting *p = idx->post[e->vterm[k]];
			for (uint32_t j = 0; j < idx->npost[e->vterm[k]]; j++)
				cos[p[j].doc] += e->vw[k] * p[j].tfidf / (float)ask->nstarred;
		}
	}
}

long rec_query_recommend(const struct rec_index *idx, const struct rec_ask *ask,
			 struct rec_hit *hits, size_t k)
{
	struct qwords q = {.len = 0, .n = 0};
	float *score, *cos;
	int64_t *refs = NULL;
	double *bm = NULL;
	long m = 0;
	size_t n = 0;

	if (!idx->n || !k)
		return 0;
	if (rec_text_terms(ask->text, on_qword, &q) < 0)
		return -1;
	if (!q.n && !ask->nstarred)
		return 0;
	score = calloc(idx->n * 2, sizeof(*score));
	refs = malloc(idx->n * sizeof(*refs));
	bm = malloc(idx->n * sizeof(*bm));
	if (!score || !refs || !bm) {
		m = -1;
		goto out;
	}
	cos = score + idx->n;
	/* BM25 over the fields with their weights: SQLite FTS5's bm25() with
	 * porter stemming (bench/recommend: precision@5 as good or better
	 * than the hand-written BM25F it replaced). */
	if (q.n && (m = hw_fts_rank(idx->rank, q.buf, refs, bm, idx->n)) < 0)
		goto out;
	for (long i = 0; i < m; i++)
		if (refs[i] >= 0 && (size_t)refs[i] < idx->n)
			score[refs[i]] = (float)bm[i];
	if (ask->nstarred)
		profile_scores(idx, ask, cos);
	for (size_t d = 0; d < idx->n; d++) {
		float s = q.n ? score[d] * (1.0f + idx->params.profile_boost * cos[d]) : cos[d];
		long slot = -1;
		if (s <= 0 || starred(ask, d))
			continue;
		if (ask->now != REC_ALL_TIMES && (slot = rec_index_upcoming(idx, d, ask->now)) < 0)
			continue;
		top_insert(hits, &n, k, d, slot, s);
	}
	m = (long)n;
out:
	free(score);
	free(refs);
	free(bm);
	return m;
}

long rec_query_similar(const struct rec_index *idx, size_t of, int64_t now,
		       struct rec_hit *hits, size_t k)
{
	const struct rec_entry *e = &idx->e[of];
	float *score;
	size_t n = 0;

	if (of >= idx->n || !k)
		return 0;
	score = calloc(idx->n, sizeof(*score));
	if (!score)
		return -1;
	for (size_t t = 0; t < e->vn; t++) {
		const struct rec_posting *p = idx->post[e->vterm[t]];
		for (uint32_t j = 0; j < idx->npost[e->vterm[t]]; j++)
			score[p[j].doc] += e->vw[t] * p[j].tfidf;
	}
	for (size_t d = 0; d < idx->n; d++) {
		long slot = -1;
		if (d == of || score[d] <= 0)
			continue;
		if (now != REC_ALL_TIMES && (slot = rec_index_upcoming(idx, d, now)) < 0)
			continue;
		top_insert(hits, &n, k, d, slot, score[d]);
	}
	free(score);
	return (long)n;
}

/* Position of term t in entry's vector, or -1 (the vector is by term id). */
static long vec_find(const struct rec_entry *e, uint32_t t)
{
	size_t lo = 0, hi = e->vn;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (e->vterm[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < e->vn && e->vterm[lo] == t ? (long)lo : -1;
}

double rec_query_cosine(const struct rec_index *idx, size_t a, size_t b)
{
	const struct rec_entry *x = &idx->e[a], *y = &idx->e[b];
	size_t i = 0, j = 0;
	double c = 0;

	while (i < x->vn && j < y->vn) {
		if (x->vterm[i] < y->vterm[j])
			i++;
		else if (x->vterm[i] > y->vterm[j])
			j++;
		else
			c += (double)x->vw[i++] * y->vw[j++];
	}
	return c;
}

/* Appends word to buf as ", word" (no duplicates). */
static void append_word(char *buf, size_t len, const char *word)
{
	size_t n = strlen(buf), w = strlen(word);
	const char *p = buf;

	while ((p = strstr(p, word))) {
		if ((p == buf || p[-1] == ' ') && (p[w] == ',' || !p[w]))
			return;
		p += w;
	}
	if (n + w + 3 >= len)
		return;
	if (n)
		memcpy(buf + n, ", ", 2), n += 2;
	memcpy(buf + n, word, w + 1);
}

struct matched {
	const struct rec_index *idx;
	const struct rec_entry *e;
	char *buf;
	size_t len, count;
};

static int on_matched(const char *term, const char *word, void *ud)
{
	struct matched *m = ud;
	long t = rec_index_term(m->idx, term);

	if (t >= 0 && vec_find(m->e, (uint32_t)t) >= 0) {
		size_t before = strlen(m->buf);
		append_word(m->buf, m->len, word);
		if (strlen(m->buf) != before)
			m->count++;
	}
	return 0;
}

size_t rec_query_matched(const struct rec_index *idx, const char *text, size_t entry,
			 char *buf, size_t len)
{
	struct matched m = {idx, &idx->e[entry], buf, len, 0};

	if (!len)
		return 0;
	buf[0] = 0;
	rec_text_terms(text, on_matched, &m);
	return m.count;
}

size_t rec_query_shared(const struct rec_index *idx, size_t a, size_t b, char *buf,
			size_t len)
{
	const struct rec_entry *x = &idx->e[a], *y = &idx->e[b];
	struct {
		uint32_t t;
		float w;
	} top[3] = {{0, 0}, {0, 0}, {0, 0}};
	size_t i = 0, j = 0, n = 0;

	if (!len)
		return 0;
	buf[0] = 0;
	while (i < x->vn && j < y->vn) {
		if (x->vterm[i] < y->vterm[j]) {
			i++;
		} else if (x->vterm[i] > y->vterm[j]) {
			j++;
		} else {
			float w = x->vw[i] * y->vw[j];
			for (size_t s = 0; s < 3; s++)
				if (w > top[s].w) {
					memmove(&top[s + 1], &top[s], (2 - s) * sizeof(top[0]));
					top[s].t = x->vterm[i];
					top[s].w = w;
					break;
				}
			i++;
			j++;
		}
	}
	for (size_t s = 0; s < 3 && top[s].w > 0; s++, n++)
		append_word(buf, len, idx->words[top[s].t]);
	return n;
}

long rec_query_closest(const struct rec_index *idx, size_t entry, const size_t *starred_e,
		       size_t nstarred)
{
	long best = -1;
	double bc = 0;

	for (size_t i = 0; i < nstarred; i++) {
		double c = rec_query_cosine(idx, entry, starred_e[i]);
		if (c > bc) {
			bc = c;
			best = (long)starred_e[i];
		}
	}
	return best;
}

int rec_query_words_prefix(const char *hay, const char *query)
{
	const char *q = query;

	while (*q) {
		size_t n = strcspn(q, " ");
		const char *h = hay;
		int found = 0;
		while (*h && !found) {
			if (!strncmp(h, q, n))
				found = 1;
			h += strcspn(h, " ");
			h += strspn(h, " ");
		}
		if (!found)
			return 0;
		q += n;
		q += strspn(q, " ");
	}
	return 1;
}

/* Nothing by title: the FTS5 index of titles and speakers, with typos
 * ("star tiem zones"), insides of words and words run together; entries
 * with an upcoming slot first, then by rank. */
static size_t find_fts(const struct rec_index *idx, const char *text, int64_t now, size_t *out,
		       size_t max)
{
	int64_t ids[REC_FIND_FTS];
	size_t n, k = 0;

	n = hw_fts_search(idx->find, text, HW_FTS_TYPOS, ids, REC_FIND_FTS);
	for (int up = 1; up >= 0; up--)
		for (size_t i = 0; i < n; i++) {
			int is_up = rec_index_upcoming(idx, (size_t)ids[i], now) >= 0;
			if (is_up == up && k < max)
				out[k++] = (size_t)ids[i];
		}
	return n;
}

size_t rec_query_find(const struct rec_index *idx, const char *text, int64_t now,
		      size_t *out, size_t max, int *exact)
{
	char f[512];
	size_t n = 0, total = 0;
	long e;

	*exact = 0;
	if (!text || !*text)
		return 0;
	if ((e = rec_index_find_id(idx, text, NULL)) >= 0) {
		*exact = 1;
		if (max)
			out[0] = (size_t)e;
		return 1;
	}
	hw_fold_into(text, f, sizeof(f));
	if (!f[0])
		return 0;
	/* Two passes (exact titles, then word prefixes); within each,
	 * upcoming entries first. */
	for (int pass = 0; pass < 2 && !total; pass++)
		for (int up = 1; up >= 0; up--)
			for (size_t i = 0; i < idx->n; i++) {
				const struct rec_entry *en = &idx->e[i];
				int is_up = rec_index_upcoming(idx, i, now) >= 0;
				if (is_up != up)
					continue;
				if (pass == 0 ? strcmp(en->f_title, f) : !rec_query_words_prefix(en->f_title, f))
					continue;
				if (n < max)
					out[n++] = i;
				total++;
				if (pass == 0)
					*exact = 1;
			}
	if (!total)
		total = find_fts(idx, text, now, out, max);
	return total;
}
