/*
 * rec_eval: measures the recommend plugin on real schedules.
 *
 * 1. Quality of `similar`: precision@5 with "same track" as relevant, on
 *    EuroPython 2024 (site "days" JSON, read here with jansson since the
 *    schedule plugin has no loader for it) and FOSDEM 2025/2023 (loaded
 *    with the schedule plugin's own loader and exported exactly as the
 *    plugin receives them in "schedule.loaded"). Only talks with a track
 *    form the pool. Compared side by side:
 *      - random: five random other talks (the exact expectation and a draw);
 *      - title-only: the same TF-IDF cosine over titles alone;
 *      - content: the plugin's fields with the track hidden (no leakage);
 *      - plugin: the plugin's default fields, track included (what users
 *        get; the track makes this one partly circular).
 *    A method that finds fewer than five talks sharing any word is padded
 *    with random talks, as a user would still be shown five.
 * 2. Ranking of `recommend`: precision@5 with each talk's title as the
 *    interests (itself left out, track hidden, no padding): the plugin
 *    (FTS5 bm25() over its fields since issue 13; the hand-written BM25F
 *    it replaced scored 0.160, 0.284 and 0.236 here), and beside it a
 *    plain FTS5 table of title, abstract, type and speakers ranked by
 *    bm25() with the same weights, as a reference.
 * 3. Speed: index build, `recommend` and `similar` over >= 1000 talks
 *    (FOSDEM 2025 + 2023 merged), median and p99 in microseconds.
 *
 * Usage: rec_eval [--check] [shared-data-dir]   (default $HALLWAY_SHARED_DATA)
 * Prints Markdown on stdout. --check skips the timings and exits 1 if
 * `similar` (track hidden) does not beat 2x random everywhere and
 * title-only where there are abstracts (CTest runs it so).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "rec_index.h"
#include "rec_query.h"
#include "rec_text.h"
#include "sched_export.h"
#include "sched_load.h"
#include <hallway/civil.h>

#define K 5

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t rng(void)
{
	uint64_t x = rng_state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 2685821657736338717ULL;
}

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
		buf[n] = 0;
		*len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* A schedule through the schedule plugin's loader and export. New ref. */
static json_t *load_with_schedule_plugin(const char *path)
{
	size_t len;
	char *buf = read_file(path, &len), err[200] = "";
	struct sched *s = NULL;
	json_t *out = NULL;

	if (!buf || sched_load(buf, len, SCHED_FMT_AUTO, NULL, &s, err, sizeof(err))) {
		fprintf(stderr, "cannot load %s: %s\n", path, err);
		free(buf);
		return NULL;
	}
	out = sched_export(s);
	sched_model_free(s);
	free(buf);
	return out;
}

/* EuroPython 2024 "days" files into the schedule.loaded shape. New ref. */
static json_t *load_europython(const char *dir)
{
	static const char *const days[] = {"2024-07-08", "2024-07-09", "2024-07-10", "2024-07-11",
					   "2024-07-12"};
	json_t *talks = json_array();

	for (size_t d = 0; d < 5; d++) {
		char path[1100];
		json_error_t jerr;
		json_t *root, *ev;
		size_t i;

		snprintf(path, sizeof(path), "%s/%s.json", dir, days[d]);
		root = json_load_file(path, 0, &jerr);
		if (!root) {
			fprintf(stderr, "cannot read %s: %s\n", path, jerr.text);
			json_decref(talks);
			return NULL;
		}
		json_array_foreach(json_object_get(root, "events"), i, ev) {
			const char *start = json_string_value(json_object_get(ev, "start"));
			const char *code = json_string_value(json_object_get(ev, "code"));
			json_t *speakers = json_array(), *sp;
			int64_t t;
			size_t j;
			char id[64];

			if (!code || !start || hw_civil_instant(start, NULL, &t)) {
				json_decref(speakers);
				continue;
			}
			json_array_foreach(json_object_get(ev, "speakers"), j, sp)
				json_array_append(speakers, json_object_get(sp, "name"));
			snprintf(id, sizeof(id), "%s@%lld", code, (long long)t);
			json_array_append_new(
				talks,
				json_pack("{s:s, s:O, s:O?, s:O?, s:O?, s:O?, s:o, s:[], s:I, s:I, s:b}",
					  "id", id, "title", json_object_get(ev, "title"), "track",
					  json_object_get(ev, "track"), "type",
					  json_object_get(ev, "session_type"), "level",
					  json_object_get(ev, "level"), "room",
					  json_array_get(json_object_get(ev, "rooms"), 0), "speakers",
					  speakers, "tags", "start", (json_int_t)t, "end",
					  (json_int_t)(t + 60 * json_integer_value(
								json_object_get(ev, "duration"))),
					  "cancelled", 0));
		}
		json_decref(root);
	}
	return json_pack("{s:s, s:s, s:o}", "name", "EuroPython 2024", "timezone",
			 "Europe/Prague", "talks", talks);
}

/* Keeps only talks with a track (the evaluation pool). Steals loaded. */
static json_t *tracked_only(json_t *loaded)
{
	json_t *talks = json_object_get(loaded, "talks"), *keep = json_array(), *t;
	size_t i;

	json_array_foreach(talks, i, t) {
		const char *tr = json_string_value(json_object_get(t, "track"));
		if (tr && *tr)
			json_array_append(keep, t);
	}
	json_object_set_new(loaded, "talks", keep);
	return loaded;
}

struct method {
	const char *name;
	struct rec_params params;
	struct rec_index *idx;
};

static int same_track(const struct rec_index *idx, size_t a, size_t b)
{
	return idx->e[a].track && idx->e[b].track && !strcmp(idx->e[a].track, idx->e[b].track);
}

/* Mean precision@K of one method over every entry as the query. */
static double precision_at_k(const struct rec_index *idx, int random_only)
{
	double sum = 0;
	struct rec_hit hits[K];

	for (size_t q = 0; q < idx->n; q++) {
		size_t got[K], n = 0, rel = 0;
		long h = random_only ? 0 : rec_query_similar(idx, q, REC_ALL_TIMES, hits, K);
		for (long i = 0; i < h; i++)
			got[n++] = hits[i].entry;
		while (n < K && n + 1 < idx->n) { /* pad with random others */
			size_t r = rng() % idx->n, j;
			for (j = 0; j < n && got[j] != r; j++)
				;
			if (r == q || j < n)
				continue;
			got[n++] = r;
		}
		for (size_t i = 0; i < n; i++)
			rel += same_track(idx, q, got[i]);
		sum += (double)rel / K;
	}
	return idx->n ? sum / (double)idx->n : 0;
}

/* E[precision] of K random other talks: (same-track others)/(others). */
static double random_expectation(const struct rec_index *idx)
{
	double sum = 0;
	for (size_t q = 0; q < idx->n; q++) {
		size_t same = 0;
		for (size_t d = 0; d < idx->n; d++)
			same += d != q && same_track(idx, q, d);
		sum += idx->n > 1 ? (double)same / (double)(idx->n - 1) : 0;
	}
	return idx->n ? sum / (double)idx->n : 0;
}

static size_t count_tracks(const struct rec_index *idx)
{
	size_t n = 0;
	for (size_t i = 0; i < idx->n; i++) {
		size_t j;
		for (j = 0; j < i && !same_track(idx, i, j); j++)
			;
		n += j == i;
	}
	return n;
}

/* Returns 0, or 1 when `similar` (track hidden) fails to beat random by
 * 2x, or (with abstracts) title-only: the --check regression gate. */
static int quality(const char *label, json_t *loaded, int has_abstracts)
{
	struct method m[3] = {{"title-only (TF-IDF cosine, title field)", {{0}, {0}, 0}, NULL},
			      {"content (plugin fields, track hidden)", {{0}, {0}, 0}, NULL},
			      {"plugin default (track included)", {{0}, {0}, 0}, NULL}};
	double p[3];

	rec_params_default(&m[0].params);
	for (int f = 0; f < REC_NFIELDS; f++)
		m[0].params.bm25[f] = m[0].params.sim[f] = f == REC_F_TITLE ? 1.0f : 0.0f;
	rec_params_default(&m[1].params);
	m[1].params.bm25[REC_F_TRACK] = m[1].params.sim[REC_F_TRACK] = 0;
	rec_params_default(&m[2].params);
	for (int i = 0; i < 3; i++)
		if (rec_index_build(loaded, &m[i].params, &m[i].idx)) {
			fprintf(stderr, "index build failed\n");
			exit(1);
		}
	printf("### %s\n\n", label);
	printf("%zu talks with a track (multi-slot sessions merged), %zu tracks.\n\n",
	       m[0].idx->n, count_tracks(m[0].idx));
	printf("| method | precision@%d |\n|---|---|\n", K);
	rng_state = 42;
	double rnd = random_expectation(m[0].idx);
	int bad;
	printf("| random (expected) | %.3f |\n", rnd);
	printf("| random (one draw) | %.3f |\n", precision_at_k(m[0].idx, 1));
	for (int i = 0; i < 3; i++) {
		rng_state = 42;
		p[i] = precision_at_k(m[i].idx, 0);
		printf("| %s | %.3f |\n", m[i].name, p[i]);
	}
	printf("\n");
	for (int i = 0; i < 3; i++)
		rec_index_free(m[i].idx);
	bad = p[1] < 2 * rnd || (has_abstracts && p[1] <= p[0]);
	if (bad)
		fprintf(stderr, "%s: content %.3f vs random %.3f, title-only %.3f: regression\n",
			label, p[1], rnd, p[0]);
	return bad;
}

/* ---- recommend: the plugin against a plain FTS5 table ---- */

/* Mean precision@K of `recommend` with each talk's title as the
 * interests (the talk itself left out), same track = relevant, no
 * padding: a method that finds fewer talks scores less. */
static double recommend_p5(const struct rec_index *idx)
{
	struct rec_hit hits[K + 1];
	double sum = 0;

	for (size_t q = 0; q < idx->n; q++) {
		struct rec_ask ask = {idx->e[q].title, NULL, 0, REC_ALL_TIMES};
		long h = rec_query_recommend(idx, &ask, hits, K + 1);
		size_t n = 0, rel = 0;
		for (long i = 0; i < h && n < K; i++) {
			if (hits[i].entry == q)
				continue;
			rel += same_track(idx, q, hits[i].entry);
			n++;
		}
		sum += (double)rel / K;
	}
	return idx->n ? sum / (double)idx->n : 0;
}

struct fts_expr {
	char buf[4096];
	size_t n;
};

static int fts_word(const char *term, const char *word, void *ud)
{
	struct fts_expr *e = ud;
	(void)term;
	if (strchr(word, '"'))
		return 0;
	e->n += (size_t)snprintf(e->buf + e->n, sizeof(e->buf) - e->n, "%s\"%s\"",
				 e->n ? " OR " : "", word);
	return e->n >= sizeof(e->buf) - 1;
}

/* An entry's "subtitle\nabstract" as the index read it (the index keeps
 * no copy after its build): from the first talk listed with one of the
 * entry's slot ids. A new string, "" when the talk has neither. */
static char *entry_abstract(const json_t *loaded, const struct rec_entry *e)
{
	const json_t *t;
	size_t i;

	json_array_foreach(json_object_get(loaded, "talks"), i, t) {
		const char *id = json_string_value(json_object_get(t, "id"));
		for (size_t k = 0; id && k < e->nslots; k++) {
			if (strcmp(id, e->slots[k].id))
				continue;
			const char *sub = json_string_value(json_object_get(t, "subtitle"));
			const char *abs = json_string_value(json_object_get(t, "abstract"));
			size_t n = (sub ? strlen(sub) : 0) + (abs ? strlen(abs) : 0) + 2;
			char *out = malloc(n);
			if (!out) {
				fprintf(stderr, "out of memory\n");
				exit(1);
			}
			if (sub || abs)
				snprintf(out, n, "%s\n%s", sub ? sub : "", abs ? abs : "");
			else
				out[0] = '\0';
			return out;
		}
	}
	return strdup("");
}

/* The same question to an FTS5 table of the same fields (porter stemming
 * over unicode61), ranked by bm25() with the plugin's field weights. */
static double recommend_p5_fts(const struct rec_index *idx, const json_t *loaded)
{
	const struct rec_params *w = &idx->params;
	sqlite3 *db = NULL;
	sqlite3_stmt *ins = NULL, *q = NULL;
	char rank[256];
	double sum = 0;

	snprintf(rank, sizeof(rank),
		 "SELECT rowid FROM t WHERE t MATCH ?1 ORDER BY bm25(t, %f, %f, %f, %f) LIMIT %d",
		 w->bm25[REC_F_TITLE], w->bm25[REC_F_ABSTRACT], w->bm25[REC_F_TAGS],
		 w->bm25[REC_F_SPEAKERS], K + 1);
	if (sqlite3_open(":memory:", &db) ||
	    sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(title, abstract, tags, speakers,"
			     " tokenize = 'porter unicode61 remove_diacritics 2'); BEGIN",
			 NULL, NULL, NULL) ||
	    sqlite3_prepare_v2(db, "INSERT INTO t(rowid, title, abstract, tags, speakers)"
				   " VALUES (?, ?, ?, ?, ?)", -1, &ins, NULL) ||
	    sqlite3_prepare_v2(db, rank, -1, &q, NULL)) {
		fprintf(stderr, "fts: %s\n", sqlite3_errmsg(db));
		exit(1);
	}
	for (size_t i = 0; i < idx->n; i++) {
		const struct rec_entry *e = &idx->e[i];
		char who[2048] = "";
		size_t o = 0;
		for (size_t k = 0; k < e->nspeakers && o < sizeof(who); k++)
			o += (size_t)snprintf(who + o, sizeof(who) - o, "%s ", e->speakers[k]);
		sqlite3_bind_int64(ins, 1, (sqlite3_int64)i + 1);
		sqlite3_bind_text(ins, 2, e->title, -1, SQLITE_STATIC);
		char *abstract = entry_abstract(loaded, e);
		if (!abstract) {
			fprintf(stderr, "out of memory\n");
			exit(1);
		}
		sqlite3_bind_text(ins, 3, abstract, -1, SQLITE_TRANSIENT);
		free(abstract);
		sqlite3_bind_text(ins, 4, e->type ? e->type : "", -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 5, who, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(ins) != SQLITE_DONE) {
			fprintf(stderr, "fts insert: %s\n", sqlite3_errmsg(db));
			exit(1);
		}
		sqlite3_reset(ins);
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	for (size_t qi = 0; qi < idx->n; qi++) {
		struct fts_expr e = {{0}, 0};
		size_t n = 0, rel = 0;
		rec_text_terms(idx->e[qi].title, fts_word, &e);
		if (e.n) {
			sqlite3_bind_text(q, 1, e.buf, -1, SQLITE_STATIC);
			while (n < K && sqlite3_step(q) == SQLITE_ROW) {
				size_t d = (size_t)sqlite3_column_int64(q, 0) - 1;
				if (d == qi)
					continue;
				rel += same_track(idx, qi, d);
				n++;
			}
			sqlite3_reset(q);
		}
		sum += (double)rel / K;
	}
	sqlite3_finalize(ins);
	sqlite3_finalize(q);
	sqlite3_close(db);
	return idx->n ? sum / (double)idx->n : 0;
}

static void recommend_quality(const char *label, json_t *loaded)
{
	struct rec_params params;
	struct rec_index *idx = NULL;

	rec_params_default(&params);
	params.bm25[REC_F_TRACK] = params.sim[REC_F_TRACK] = 0; /* no leakage */
	if (rec_index_build(loaded, &params, &idx)) {
		fprintf(stderr, "index build failed\n");
		exit(1);
	}
	printf("| %s | %.3f | %.3f |\n", label, recommend_p5(idx), recommend_p5_fts(idx, loaded));
	rec_index_free(idx);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void report(const char *what, double *t, size_t n)
{
	qsort(t, n, sizeof(*t), cmp_double);
	printf("| %s | %zu | %.1f | %.1f | %.1f |\n", what, n, t[n / 2],
	       t[(size_t)((double)n * 0.99)], t[n - 1]);
}

/* Median build time of loaded's index over 21 runs, in µs. */
static double build_median(const json_t *loaded, size_t *n)
{
	double t[21];
	for (int i = 0; i < 21; i++) {
		struct rec_index *x = NULL;
		double t0 = now_us();
		if (rec_index_build(loaded, NULL, &x))
			exit(1);
		t[i] = now_us() - t0;
		*n = x->n;
		rec_index_free(x);
	}
	qsort(t, 21, sizeof(*t), cmp_double);
	return t[10];
}

static void speed(json_t *loaded, const json_t *f25)
{
	static const char *const queries[] = {
		"rust embedded",        "python packaging",   "postgresql performance",
		"linux kernel drivers", "security fuzzing",   "web browser javascript",
		"machine learning",     "open source community", "containers kubernetes",
		"database replication", "compilers llvm",     "accessibility",
		"risc-v hardware",      "go concurrency",     "documentation",
		"nix reproducible builds", "real time audio", "mozilla firefox",
		"legal licensing gpl",  "energy efficiency",
	};
	const size_t nq = sizeof(queries) / sizeof(*queries), reps = 50;
	struct rec_index *idx = NULL;
	struct rec_hit hits[K];
	double *t, t0;
	size_t n = 0, starred[3];
	int64_t first = INT64_MAX;

	t = malloc(sizeof(double) * 5000 * 2);
	for (int i = 0; i < 21; i++) {
		struct rec_index *x = NULL;
		t0 = now_us();
		if (rec_index_build(loaded, NULL, &x))
			exit(1);
		t[i] = now_us() - t0;
		if (idx)
			rec_index_free(x);
		else
			idx = x;
	}
	for (size_t i = 0; i < idx->n; i++)
		if (idx->e[i].slots[0].start < first)
			first = idx->e[i].slots[0].start;
	printf("### Speed\n\n%zu talks (FOSDEM 2025 + FOSDEM 2023 in one index), %zu terms. "
	       "Times in microseconds, one core, Release build.\n\n",
	       idx->n, idx->nterms);
	printf("| operation | runs | median µs | p99 µs | max µs |\n|---|---|---|---|---|\n");
	report("index build (all talks)", t, 21);
	{
		size_t n25 = 0;
		double b = build_median(f25, &n25);
		printf("| index build (FOSDEM 2025 alone, %zu talks) | 21 | %.1f | | |\n", n25, b);
	}
	n = 0;
	for (size_t r = 0; r < reps; r++)
		for (size_t q = 0; q < nq; q++) {
			struct rec_ask ask = {queries[q], NULL, 0, first - 1};
			t0 = now_us();
			rec_query_recommend(idx, &ask, hits, K);
			t[n++] = now_us() - t0;
		}
	report("recommend <interests>", t, n);
	starred[0] = 1, starred[1] = idx->n / 2, starred[2] = idx->n - 1;
	n = 0;
	for (size_t r = 0; r < reps; r++)
		for (size_t q = 0; q < nq; q++) {
			struct rec_ask ask = {queries[q], starred, 3, first - 1};
			t0 = now_us();
			rec_query_recommend(idx, &ask, hits, K);
			t[n++] = now_us() - t0;
		}
	report("recommend, 3 starred talks", t, n);
	n = 0;
	for (size_t i = 0; i < idx->n && n < 5000; i++) {
		t0 = now_us();
		rec_query_similar(idx, i, first - 1, hits, K);
		t[n++] = now_us() - t0;
	}
	report("similar <talk> (every talk)", t, n);
	printf("\n");
	rec_index_free(idx);
	free(t);
}

int main(int argc, char **argv)
{
	int check = argc > 1 && !strcmp(argv[1], "--check"), bad = 0;
	const char *base = argc > 1 + check ? argv[1 + check] : getenv("HALLWAY_SHARED_DATA");
	char path[1024], path2[1024];
	json_t *ep, *f25, *f23, *all, *f25_all;

	if (!base)
		base = "../shared/data";
	sched_xml_init();
	snprintf(path, sizeof(path), "%s/schedules/europython-2024-days", base);
	ep = load_europython(path);
	snprintf(path, sizeof(path), "%s/schedules/fosdem2025-schedule.xml", base);
	f25 = load_with_schedule_plugin(path);
	snprintf(path2, sizeof(path2), "%s/schedules/fosdem2023-pentabarf-schedule.xml", base);
	f23 = load_with_schedule_plugin(path2);
	if (!ep || !f25 || !f23)
		return 1;
	printf("## `similar`: precision@%d, same track = relevant\n\n", K);
	all = json_deep_copy(f25);
	f25_all = json_deep_copy(f25);
	json_array_extend(json_object_get(all, "talks"), json_object_get(f23, "talks"));
	bad |= quality("EuroPython 2024 (titles and speakers; no abstracts in the data)",
		       tracked_only(ep), 0);
	bad |= quality("FOSDEM 2025 (tracks are devrooms; abstracts present)", tracked_only(f25), 1);
	bad |= quality("FOSDEM 2023", tracked_only(f23), 1);
	printf("## `recommend`: precision@%d, a talk's title as the interests, same track = "
	       "relevant (track hidden)\n\n", K);
	printf("| schedule | plugin | plain FTS5 bm25() |\n|---|---|---|\n");
	recommend_quality("EuroPython 2024", tracked_only(ep));
	recommend_quality("FOSDEM 2025", tracked_only(f25));
	recommend_quality("FOSDEM 2023", tracked_only(f23));
	printf("\n");
	if (!check)
		speed(all, f25_all);
	json_decref(f25_all);
	json_decref(ep);
	json_decref(f25);
	json_decref(f23);
	json_decref(all);
	return check && bad ? 1 : 0;
}
