/*
 * Building the recommendation index (see rec_index.h): talks from the
 * schedule.loaded JSON, merged by title and speakers, tokenized per field,
 * then postings and normalised TF-IDF vectors, and the FTS5 tables that
 * recommend ranks with and typed names are found in.
 */
#include "rec_index.h"

#include <hallway/buf.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rec_text.h"
#include <hallway/text.h>

void rec_params_default(struct rec_params *p)
{
	/* Titles say most about a talk; tracks and tags are curated labels;
	 * speakers matter to fans; abstracts are long and noisy. */
	static const float bm25[REC_NFIELDS] = {3.0f, 1.0f, 2.0f, 2.0f, 1.5f};
	static const float sim[REC_NFIELDS] = {3.0f, 1.0f, 2.0f, 2.0f, 0.5f};

	memcpy(p->bm25, bm25, sizeof(bm25));
	memcpy(p->sim, sim, sizeof(sim));
	p->profile_boost = 1.0f;
}

/* One term's counts in the document being tokenized. */
struct doc_term {
	uint32_t tid;
	uint16_t tf[REC_NFIELDS];
};

/* Build state; everything here is freed at the end of the build. */
struct builder {
	struct rec_index *idx;
	size_t cap_terms;
	uint32_t *last_doc;    /* per term: 1 + the last doc it was seen in */
	uint32_t *at;          /* per term: its position in dt for that doc */
	struct doc_term *dt;   /* all docs' term lists, concatenated */
	size_t ndt, cap_dt;
	size_t *doc_off;       /* doc i's terms are dt[doc_off[i]..doc_off[i+1]) */
	const json_t **first;  /* per entry: its first talk's JSON (borrowed) */
	uint32_t cur_doc;
	int cur_field;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

long rec_index_term(const struct rec_index *idx, const char *term)
{
	size_t mask, i;

	if (!idx->nslots_hash)
		return -1;
	mask = idx->nslots_hash - 1;
	for (i = hash_str(term) & mask; idx->slots[i]; i = (i + 1) & mask)
		if (!strcmp(idx->terms[idx->slots[i] - 1], term))
			return (long)idx->slots[i] - 1;
	return -1;
}

static int hash_grow(struct rec_index *idx)
{
	size_t n = idx->nslots_hash ? idx->nslots_hash * 2 : 1024, mask = n - 1;
	uint32_t *s = calloc(n, sizeof(*s));

	if (!s)
		return REC_ERR_NOMEM;
	for (size_t t = 0; t < idx->nterms; t++) {
		size_t i = hash_str(idx->terms[t]) & mask;
		while (s[i])
			i = (i + 1) & mask;
		s[i] = (uint32_t)t + 1;
	}
	free(idx->slots);
	idx->slots = s;
	idx->nslots_hash = n;
	return REC_OK;
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return REC_OK;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * size);
	if (!q)
		return REC_ERR_NOMEM;
	*p = q;
	*cap = n;
	return REC_OK;
}

/* Interns a term; returns its id or -1 on out of memory. */
static long intern(struct builder *b, const char *term, const char *word)
{
	struct rec_index *idx = b->idx;
	long t = rec_index_term(idx, term);
	size_t cap = b->cap_terms, i, mask;

	if (t >= 0)
		return t;
	if ((idx->nterms + 1) * 2 > idx->nslots_hash && hash_grow(idx))
		return -1;
	if (idx->nterms + 1 > b->cap_terms) {
		size_t c1 = cap, c2 = cap, c3 = cap;
		if (grow((void **)&idx->terms, &c1, idx->nterms + 1, sizeof(char *)) ||
		    grow((void **)&idx->words, &c2, idx->nterms + 1, sizeof(char *)) ||
		    grow((void **)&b->last_doc, &c3, idx->nterms + 1, sizeof(uint32_t)))
			return -1;
		cap = b->cap_terms;
		if (grow((void **)&b->at, &cap, idx->nterms + 1, sizeof(uint32_t)))
			return -1;
		b->cap_terms = cap;
	}
	idx->terms[idx->nterms] = strdup(term);
	idx->words[idx->nterms] = strdup(word);
	if (!idx->terms[idx->nterms] || !idx->words[idx->nterms]) {
		free(idx->terms[idx->nterms]);
		free(idx->words[idx->nterms]);
		return -1;
	}
	b->last_doc[idx->nterms] = 0;
	mask = idx->nslots_hash - 1;
	for (i = hash_str(term) & mask; idx->slots[i]; i = (i + 1) & mask)
		;
	idx->slots[i] = (uint32_t)idx->nterms + 1;
	return (long)idx->nterms++;
}

static int on_term(const char *term, const char *word, void *ud)
{
	struct builder *b = ud;
	long t = intern(b, term, word);
	struct doc_term *d;

	if (t < 0)
		return -1;
	if (b->last_doc[t] != b->cur_doc + 1) {
		if (grow((void **)&b->dt, &b->cap_dt, b->ndt + 1, sizeof(*b->dt)))
			return -1;
		d = &b->dt[b->ndt];
		memset(d, 0, sizeof(*d));
		d->tid = (uint32_t)t;
		b->last_doc[t] = b->cur_doc + 1;
		b->at[t] = (uint32_t)b->ndt++;
	}
	d = &b->dt[b->at[t]];
	if (d->tf[b->cur_field] < UINT16_MAX)
		d->tf[b->cur_field]++;
	return 0;
}

static int add_text(struct builder *b, int field, const char *text)
{
	b->cur_field = field;
	return rec_text_terms(text, on_term, b) ? REC_ERR_NOMEM : REC_OK;
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s && *s ? s : NULL;
}

static int dup_opt(char **dst, const char *s)
{
	*dst = s ? strdup(s) : NULL;
	return s && !*dst ? REC_ERR_NOMEM : REC_OK;
}

/* The merge key: folded title and speakers. Returns a new string. */
static char *merge_key(const json_t *talk)
{
	const json_t *sp = json_object_get(talk, "speakers"), *v;
	const char *title = str(talk, "title");
	size_t i, n;
	char *key, *f;

	if (!title)
		title = "";
	n = strlen(title) + 2;
	json_array_foreach(sp, i, v) if (json_is_string(v)) n += json_string_length(v) + 1;
	key = malloc(n);
	if (!key)
		return NULL;
	snprintf(key, n, "%s\x1f", title);
	json_array_foreach(sp, i, v) if (json_is_string(v)) {
		strcat(key, json_string_value(v));
		strcat(key, "\x1e");
	}
	f = hw_fold(key);
	free(key);
	return f;
}

/* Merge keys of the entries so far: an open-addressing table of entry
 * index + 1, keyed by the folded title and speakers. */
struct keys {
	char **key;            /* per entry, owned */
	uint32_t *slot;
	size_t nslot;
};

static int keys_grow(struct keys *k, size_t n)
{
	size_t cap = k->nslot ? k->nslot : 512, mask;
	uint32_t *s;

	if (n * 2 <= k->nslot)
		return REC_OK;
	while (n * 2 > cap)
		cap *= 2;
	if (!(s = calloc(cap, sizeof(*s))))
		return REC_ERR_NOMEM;
	mask = cap - 1;
	for (size_t e = 0; e + 1 < n; e++) {
		size_t i = hash_str(k->key[e]) & mask;
		while (s[i])
			i = (i + 1) & mask;
		s[i] = (uint32_t)e + 1;
	}
	free(k->slot);
	k->slot = s;
	k->nslot = cap;
	return REC_OK;
}

/* Finds or adds the entry for talk; returns its index or -1. */
static long entry_for(struct rec_index *idx, size_t *cap, struct keys *keys, const json_t *talk)
{
	char *key = merge_key(talk);
	struct rec_entry *e;
	size_t kc = *cap, i, mask;
	const json_t *sp = json_object_get(talk, "speakers"), *v;

	if (!key)
		return -1;
	if (keys->nslot) {
		mask = keys->nslot - 1;
		for (i = hash_str(key) & mask; keys->slot[i]; i = (i + 1) & mask)
			if (!strcmp(keys->key[keys->slot[i] - 1], key)) {
				free(key);
				return (long)keys->slot[i] - 1;
			}
	}
	if (grow((void **)&idx->e, cap, idx->n + 1, sizeof(*idx->e)) ||
	    grow((void **)&keys->key, &kc, idx->n + 1, sizeof(char *)) ||
	    keys_grow(keys, idx->n + 1)) {
		free(key);
		return -1;
	}
	mask = keys->nslot - 1;
	for (i = hash_str(key) & mask; keys->slot[i]; i = (i + 1) & mask)
		;
	keys->slot[i] = (uint32_t)idx->n + 1;
	e = &idx->e[idx->n];
	memset(e, 0, sizeof(*e));
	keys->key[idx->n] = key;
	idx->n++;
	if (dup_opt(&e->title, str(talk, "title") ? str(talk, "title") : "") ||
	    dup_opt(&e->track, str(talk, "track")) || dup_opt(&e->type, str(talk, "type")) ||
	    dup_opt(&e->level, str(talk, "level")) || dup_opt(&e->url, str(talk, "url")) ||
	    !(e->f_title = hw_fold(e->title)))
		return -1;
	if (json_array_size(sp)) {
		e->speakers = calloc(json_array_size(sp), sizeof(char *));
		if (!e->speakers)
			return -1;
		json_array_foreach(sp, i, v) if (json_is_string(v)) {
			if (!(e->speakers[e->nspeakers] = strdup(json_string_value(v))))
				return -1;
			e->nspeakers++;
		}
	}
	return (long)idx->n - 1;
}

static int add_slot(struct rec_entry *e, const json_t *talk)
{
	struct rec_slot *s = realloc(e->slots, (e->nslots + 1) * sizeof(*s));
	json_t *end = json_object_get(talk, "end");

	if (!s)
		return REC_ERR_NOMEM;
	e->slots = s;
	s = &e->slots[e->nslots];
	memset(s, 0, sizeof(*s));
	s->start = json_integer_value(json_object_get(talk, "start"));
	s->end = json_is_integer(end) ? json_integer_value(end) : s->start;
	if (s->end < s->start)
		s->end = s->start;
	s->cancelled = json_is_true(json_object_get(talk, "cancelled"));
	e->nslots++;
	if (dup_opt(&s->id, str(talk, "id")) || dup_opt(&s->room, str(talk, "room")) ||
	    dup_opt(&s->recording, str(talk, "recording")))
		return REC_ERR_NOMEM;
	return REC_OK;
}

static int cmp_slot(const void *a, const void *b)
{
	const struct rec_slot *x = a, *y = b;
	return (x->start > y->start) - (x->start < y->start);
}

/* Collects the entries (merged) from the talks array. */
static int load_entries(struct builder *b, const json_t *talks)
{
	struct rec_index *idx = b->idx;
	size_t cap = 0, i, fcap = 0;
	struct keys keys = {0};
	const json_t *t;
	int ret = REC_OK;

	json_array_foreach(talks, i, t) {
		long k;
		if (!str(t, "id") || !json_is_integer(json_object_get(t, "start")))
			continue;
		k = entry_for(idx, &cap, &keys, t);
		if (k >= 0 && (size_t)k + 1 > fcap &&
		    grow((void **)&b->first, &fcap, (size_t)k + 1, sizeof(*b->first)))
			k = -1;
		if (k < 0 || add_slot(&idx->e[k], t)) {
			ret = REC_ERR_NOMEM;
			break;
		}
		if (idx->e[k].nslots == 1)
			b->first[k] = t;
	}
	for (i = 0; i < idx->n; i++) {
		free(keys.key[i]);
		qsort(idx->e[i].slots, idx->e[i].nslots, sizeof(struct rec_slot), cmp_slot);
	}
	free(keys.key);
	free(keys.slot);
	return ret;
}

/* The "subtitle\nabstract" text of talk, written into buf (reused), or NULL
 * when the talk has neither. The index keeps no copy: the vectors and the
 * FTS table read it while they are built, and a copy kept for good was ~1 MB
 * of steady memory with FOSDEM 2025 (bench/README.md). *failed is set when
 * buf could not grow. */
static const char *talk_abstract(hw_buf *buf, const json_t *talk, int *failed)
{
	const char *sub = str(talk, "subtitle"), *abs = str(talk, "abstract");

	if (!sub && !abs)
		return NULL;
	hw_buf_truncate(buf, 0);
	hw_buf_add(buf, sub ? sub : "");
	hw_buf_add(buf, "\n");
	hw_buf_add(buf, abs ? abs : "");
	if (buf->failed) {
		*failed = 1;
		return NULL;
	}
	return hw_buf_str(buf);
}

/* Tokenizes every entry's fields; tags come from the talks' JSON. */
static int tokenize(struct builder *b)
{
	struct rec_index *idx = b->idx;
	size_t i, j;
	const json_t *v;
	hw_buf abs;
	int ret = REC_OK, failed = 0;

	b->doc_off = calloc(idx->n + 1, sizeof(*b->doc_off));
	if (!b->doc_off)
		return REC_ERR_NOMEM;
	hw_buf_init(&abs, 0);
	for (i = 0; i < idx->n && !ret; i++) {
		struct rec_entry *e = &idx->e[i];
		const char *text = talk_abstract(&abs, b->first[i], &failed);
		b->cur_doc = (uint32_t)i;
		b->doc_off[i] = b->ndt;
		ret = failed ? REC_ERR_NOMEM : add_text(b, REC_F_TITLE, e->title);
		if (!ret)
			ret = add_text(b, REC_F_ABSTRACT, text);
		if (!ret)
			ret = add_text(b, REC_F_TRACK, e->track);
		for (j = 0; !ret && j < e->nspeakers; j++)
			ret = add_text(b, REC_F_SPEAKERS, e->speakers[j]);
		/* Tags of the talk as first listed. */
		json_array_foreach(json_object_get(b->first[i], "tags"), j, v)
			if (!ret && json_is_string(v))
				ret = add_text(b, REC_F_TAGS, json_string_value(v));
	}
	hw_buf_free(&abs);
	b->doc_off[idx->n] = b->ndt;
	return ret;
}

/* Turns counts into postings and vectors. */
static int weigh(struct builder *b)
{
	struct rec_index *idx = b->idx;
	const struct rec_params *p = &idx->params;
	uint32_t *df = calloc(idx->nterms ? idx->nterms : 1, sizeof(*df));
	size_t i, k;
	int f;

	if (!df)
		return REC_ERR_NOMEM;
	for (i = 0; i < b->ndt; i++)
		df[b->dt[i].tid]++;
	idx->post = calloc(idx->nterms ? idx->nterms : 1, sizeof(*idx->post));
	idx->npost = calloc(idx->nterms ? idx->nterms : 1, sizeof(*idx->npost));
	if (!idx->post || !idx->npost)
		goto nomem;
	for (i = 0; i < idx->nterms; i++)
		if (!(idx->post[i] = malloc(df[i] * sizeof(struct rec_posting))))
			goto nomem;
	for (i = 0; i < idx->n; i++) {
		struct rec_entry *e = &idx->e[i];
		size_t lo = b->doc_off[i], hi = b->doc_off[i + 1];
		double norm = 0;

		e->vterm = malloc((hi - lo + 1) * sizeof(*e->vterm));
		e->vw = malloc((hi - lo + 1) * sizeof(*e->vw));
		if (!e->vterm || !e->vw)
			goto nomem;
		for (k = lo; k < hi; k++) {
			const struct doc_term *d = &b->dt[k];
			double idf_tfidf = log(1.0 + (double)idx->n / df[d->tid]);
			double raw = 0, w;
			int ranked = 0;
			for (f = 0; f < REC_NFIELDS; f++) {
				if (!d->tf[f])
					continue;
				ranked |= p->bm25[f] > 0;
				raw += p->sim[f] * d->tf[f];
			}
			if (!ranked && raw <= 0)
				continue; /* only in fields weighted 0 */
			w = raw > 0 ? log1p(raw) * idf_tfidf : 0;
			idx->post[d->tid][idx->npost[d->tid]++] =
				(struct rec_posting){(uint32_t)i, (float)w};
			e->vterm[e->vn] = d->tid;
			e->vw[e->vn++] = (float)w;
			norm += w * w;
		}
		norm = sqrt(norm);
		for (k = 0; k < e->vn; k++)
			e->vw[k] = norm > 0 ? (float)(e->vw[k] / norm) : 0;
	}
	/* Postings hold raw weights; rescale to the normalised vectors. */
	for (i = 0; i < idx->n; i++) {
		struct rec_entry *e = &idx->e[i];
		for (k = 0; k < e->vn; k++) {
			struct rec_posting *ps = idx->post[e->vterm[k]];
			uint32_t lo = 0, hi = idx->npost[e->vterm[k]];
			while (lo < hi) { /* postings are sorted by doc */
				uint32_t mid = (lo + hi) / 2;
				if (ps[mid].doc < i)
					lo = mid + 1;
				else
					hi = mid;
			}
			ps[lo].tfidf = e->vw[k];
		}
	}
	free(df);
	return REC_OK;
nomem:
	free(df);
	return REC_ERR_NOMEM;
}

static int cmp_dt(const void *a, const void *b)
{
	const struct doc_term *x = a, *y = b;
	return (x->tid > y->tid) - (x->tid < y->tid);
}

/* The FTS5 index of titles and speakers that rec_query_find falls back
 * on (typos, insides of words, words run together). */
static int build_find(struct rec_index *idx)
{
	static const double weights[] = {4.0, 1.0};
	int ret = REC_OK;

	if (!(idx->find = hw_fts_new(2, weights)))
		return REC_ERR_NOMEM;
	for (size_t i = 0; i < idx->n && !ret; i++) {
		const struct rec_entry *e = &idx->e[i];
		const char *cols[2];
		hw_buf who;
		hw_buf_init(&who, 0);
		for (size_t k = 0; k < e->nspeakers; k++) {
			if (k)
				hw_buf_add(&who, ", ");
			hw_buf_add(&who, e->speakers[k]);
		}
		cols[0] = e->title;
		cols[1] = hw_buf_str(&who);
		if (who.failed || hw_fts_add(idx->find, (int64_t)i, cols, 0))
			ret = REC_ERR_NOMEM;
		hw_buf_free(&who);
	}
	if (!ret && hw_fts_ready(idx->find))
		ret = REC_ERR_NOMEM;
	return ret;
}

/* The FTS5 index recommend ranks with: one document per entry, the
 * fields of enum rec_field in order, weighted by params.bm25 (0 leaves a
 * field out), stemmed like rec_text's terms are. */
static int build_rank(struct rec_index *idx, const struct builder *b)
{
	double w[REC_NFIELDS];
	hw_buf abs;
	int ret = REC_OK, failed = 0;

	for (int f = 0; f < REC_NFIELDS; f++)
		w[f] = idx->params.bm25[f];
	if (!(idx->rank = hw_fts_new_ex(REC_NFIELDS, w, HW_FTS_STEM)))
		return REC_ERR_NOMEM;
	hw_buf_init(&abs, 0);
	for (size_t i = 0; i < idx->n && !ret; i++) {
		const struct rec_entry *e = &idx->e[i];
		const char *cols[REC_NFIELDS];
		hw_buf who, tags;
		const json_t *v;
		size_t j;
		hw_buf_init(&who, 0);
		hw_buf_init(&tags, 0);
		for (j = 0; j < e->nspeakers; j++) {
			hw_buf_add(&who, e->speakers[j]);
			hw_buf_add(&who, ", ");
		}
		json_array_foreach(json_object_get(b->first[i], "tags"), j, v)
			if (json_is_string(v)) {
				hw_buf_add(&tags, json_string_value(v));
				hw_buf_add(&tags, ", ");
			}
		cols[REC_F_TITLE] = e->title;
		cols[REC_F_ABSTRACT] = talk_abstract(&abs, b->first[i], &failed);
		cols[REC_F_TRACK] = e->track;
		cols[REC_F_TAGS] = hw_buf_str(&tags);
		cols[REC_F_SPEAKERS] = hw_buf_str(&who);
		if (who.failed || tags.failed || failed ||
		    hw_fts_add(idx->rank, (int64_t)i, cols, 0))
			ret = REC_ERR_NOMEM;
		hw_buf_free(&who);
		hw_buf_free(&tags);
	}
	hw_buf_free(&abs);
	if (!ret && hw_fts_ready(idx->rank))
		ret = REC_ERR_NOMEM;
	return ret;
}

int rec_index_build(const json_t *loaded, const struct rec_params *params,
		    struct rec_index **out)
{
	const json_t *talks = json_object_get(loaded, "talks");
	struct builder b = {0};
	struct rec_index *idx;
	int ret;

	if (!json_is_array(talks))
		return REC_ERR_FORMAT;
	idx = calloc(1, sizeof(*idx));
	if (!idx)
		return REC_ERR_NOMEM;
	b.idx = idx;
	if (params)
		idx->params = *params;
	else
		rec_params_default(&idx->params);
	ret = dup_opt(&idx->name, str(loaded, "name"));
	if (!ret)
		ret = dup_opt(&idx->tz_name, str(loaded, "timezone"));
	if (!ret)
		ret = hash_grow(idx);
	if (!ret)
		ret = load_entries(&b, talks);
	for (size_t i = 0; !ret && i < idx->n; i++)
		for (size_t j = 0; j < idx->e[i].nslots; j++)
			if (idx->e[i].slots[j].end > idx->last_end)
				idx->last_end = idx->e[i].slots[j].end;
	if (!ret)
		ret = tokenize(&b);
	if (!ret) {
		/* Vectors by ascending term id (merging and lookups rely on it).
		 * With no words at all (a talk titled "T") b.dt is NULL, which
		 * qsort may not be given even for zero elements. */
		for (size_t i = 0; i < idx->n; i++) {
			size_t n = b.doc_off[i + 1] - b.doc_off[i];

			if (n > 1)
				qsort(b.dt + b.doc_off[i], n, sizeof(*b.dt), cmp_dt);
		}
		ret = weigh(&b);
	}
	if (!ret)
		ret = build_find(idx);
	if (!ret)
		ret = build_rank(idx, &b);
	free(b.last_doc);
	free(b.at);
	free(b.dt);
	free(b.doc_off);
	free(b.first);
	if (ret) {
		rec_index_free(idx);
		return ret;
	}
	*out = idx;
	return REC_OK;
}

void rec_index_free(struct rec_index *idx)
{
	if (!idx)
		return;
	for (size_t i = 0; i < idx->n; i++) {
		struct rec_entry *e = &idx->e[i];
		free(e->title);
		free(e->track);
		free(e->type);
		free(e->level);
		free(e->url);
		free(e->f_title);
		for (size_t j = 0; j < e->nspeakers; j++)
			free(e->speakers[j]);
		free(e->speakers);
		for (size_t j = 0; j < e->nslots; j++) {
			free(e->slots[j].id);
			free(e->slots[j].room);
			free(e->slots[j].recording);
		}
		free(e->slots);
		free(e->vterm);
		free(e->vw);
	}
	free(idx->e);
	hw_fts_free(idx->find);
	hw_fts_free(idx->rank);
	for (size_t t = 0; t < idx->nterms; t++) {
		free(idx->terms[t]);
		free(idx->words[t]);
		if (idx->post)
			free(idx->post[t]);
	}
	free(idx->terms);
	free(idx->words);
	free(idx->post);
	free(idx->npost);
	free(idx->slots);
	free(idx->name);
	free(idx->tz_name);
	free(idx);
}

long rec_index_find_id(const struct rec_index *idx, const char *id, size_t *slot)
{
	for (size_t i = 0; id && i < idx->n; i++)
		for (size_t j = 0; j < idx->e[i].nslots; j++)
			if (!strcmp(idx->e[i].slots[j].id, id)) {
				if (slot)
					*slot = j;
				return (long)i;
			}
	return -1;
}

long rec_index_upcoming(const struct rec_index *idx, size_t i, int64_t now)
{
	const struct rec_entry *e = &idx->e[i];
	for (size_t j = 0; j < e->nslots; j++)
		if (!e->slots[j].cancelled && e->slots[j].start > now)
			return (long)j;
	return -1;
}

const char *rec_index_recording(const struct rec_index *idx, const char *id)
{
	size_t slot;
	long i = idx ? rec_index_find_id(idx, id, &slot) : -1;
	return i < 0 ? NULL : idx->e[i].slots[slot].recording;
}
