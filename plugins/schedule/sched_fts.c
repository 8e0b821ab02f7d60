/*
 * Talk search through SQLite FTS5 (sched_fts.h).
 */
#include "sched_fts.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include <hallway/db.h>
#include <hallway/text.h>

#define FTS_MAX_WORDS 12
#define FTS_WORDLEN 64
#define FTS_ALTS 8           /* readings kept for one unknown word */
#define FTS_EXPR_MAX 4096
#define FTS_QUERY_MAX 512    /* bytes of typed text read */

/* Column weights for bm25(): title, speakers, track/type/room/tags, text. */
#define FTS_RANK "bm25(t, 10.0, 8.0, 4.0, 1.0)"

struct fts_index {
	const struct sched *s; /* the schedule it was built from (borrowed) */
	uint64_t print;        /* its fingerprint, against a reused address */
	sqlite3 *db;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fts_index cache;

static const char *const schema =
	"CREATE VIRTUAL TABLE t USING fts5(title, people, meta, text, cancelled UNINDEXED,"
	" tokenize = 'unicode61 remove_diacritics 2');"
	"CREATE VIRTUAL TABLE sp USING fts5(name, talk UNINDEXED,"
	" tokenize = 'unicode61 remove_diacritics 2');"
	"CREATE VIRTUAL TABLE v USING fts5vocab(t, 'row');"
	"CREATE VIRTUAL TABLE spv USING fts5vocab(sp, 'row');"
	"CREATE TABLE words(term TEXT PRIMARY KEY, len INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE INDEX words_len ON words(len);"
	"CREATE VIRTUAL TABLE tri USING fts5(term, tokenize = 'trigram');";

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

static int fill(sqlite3 *db, const struct sched *s)
{
	sqlite3_stmt *ins = NULL, *isp = NULL;
	int rc = -1;

	if (hw_db_prepare(db, &ins,
			  "INSERT INTO t(rowid, title, people, meta, text, cancelled)"
			  " VALUES (?, ?, ?, ?, ?, ?)", "") ||
	    hw_db_prepare(db, &isp, "INSERT INTO sp(name, talk) VALUES (?, ?)", ""))
		goto out;
	for (size_t i = 0; i < s->ntalks; i++) {
		const struct sched_talk *t = &s->talks[i];
		sqlite3_bind_int64(ins, 1, (sqlite3_int64)i + 1);
		sqlite3_bind_text(ins, 2, t->f_title, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, t->f_people, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 4, t->f_meta, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 5, t->f_text, -1, SQLITE_STATIC);
		sqlite3_bind_int(ins, 6, t->cancelled != 0);
		if (sqlite3_step(ins) != SQLITE_DONE)
			goto out;
		sqlite3_reset(ins);
		for (size_t k = 0; k < t->nspeakers; k++) {
			char *f = hw_fold(t->speakers[k]);
			int ok;
			if (!f)
				goto out;
			sqlite3_bind_text(isp, 1, f, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(isp, 2, (sqlite3_int64)i + 1);
			ok = sqlite3_step(isp) == SQLITE_DONE;
			free(f);
			sqlite3_reset(isp);
			if (!ok)
				goto out;
		}
	}
	/* The vocabulary of both indexes, for typos and word insides. */
	if (sqlite3_exec(db,
			 "INSERT OR IGNORE INTO words(term, len) SELECT term, length(term) FROM v;"
			 "INSERT OR IGNORE INTO words(term, len) SELECT term, length(term) FROM spv;"
			 "INSERT INTO tri(term) SELECT term FROM words;",
			 NULL, NULL, NULL) != SQLITE_OK)
		goto out;
	rc = 0;
out:
	sqlite3_finalize(ins);
	sqlite3_finalize(isp);
	return rc;
}

static void cache_drop(void)
{
	if (cache.db)
		sqlite3_close(cache.db);
	memset(&cache, 0, sizeof(cache));
}

/* The index for s, built if the cache holds another schedule; NULL on a
 * failure (logged). Called with cache_lock held. */
static sqlite3 *index_for(const struct sched *s)
{
	uint64_t print = fingerprint(s);
	sqlite3 *db = NULL;

	if (cache.db && cache.s == s && cache.print == print)
		return cache.db;
	cache_drop();
	if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK)
		goto fail;
	if (sqlite3_exec(db, schema, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK || fill(db, s) ||
	    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	cache.db = db;
	cache.s = s;
	cache.print = print;
	return db;
fail:
	fprintf(stderr, "schedule: the search index of %zu talks could not be built: %s\n",
		s->ntalks, db ? sqlite3_errmsg(db) : "out of memory");
	if (db)
		sqlite3_close(db);
	return NULL;
}

void sched_fts_release(void)
{
	pthread_mutex_lock(&cache_lock);
	cache_drop();
	pthread_mutex_unlock(&cache_lock);
}

/* ---- reading the typed words ---- */

/* Splits the folded text into words of letters and digits (what
 * unicode61 keeps); returns the count. */
static size_t split(const char *text, char w[][FTS_WORDLEN], size_t max)
{
	char buf[FTS_QUERY_MAX * 2];
	size_t n = 0;
	char *p;

	if (strlen(text) > FTS_QUERY_MAX)
		return 0;
	hw_fold_into_ex(text, buf, sizeof(buf), HW_FOLD_DROP_SYMBOLS);
	p = buf;
	while (*p && n < max) {
		size_t l = 0;
		while (*p && !((unsigned char)*p >= 0x80 || (*p >= 'a' && *p <= 'z') ||
			       (*p >= '0' && *p <= '9')))
			p++;
		while (p[l] && ((unsigned char)p[l] >= 0x80 || (p[l] >= 'a' && p[l] <= 'z') ||
				(p[l] >= '0' && p[l] <= '9')))
			l++;
		if (l && l < FTS_WORDLEN) {
			memcpy(w[n], p, l);
			w[n++][l] = 0;
		}
		p += l;
	}
	return n;
}

/* Appends to a bounded expression; 1 when it no longer fits. */
static int put(char *buf, size_t len, size_t *o, const char *s)
{
	size_t l = strlen(s);
	if (*o + l + 1 > len)
		return 1;
	memcpy(buf + *o, s, l + 1);
	*o += l;
	return 0;
}

/* A quoted FTS5 string (the words hold no '"', but double any anyway). */
static int put_quoted(char *buf, size_t len, size_t *o, const char *s)
{
	if (put(buf, len, o, "\""))
		return 1;
	for (; *s; s++) {
		char c[3] = {*s, *s == '"' ? '"' : 0, 0};
		if (put(buf, len, o, c))
			return 1;
	}
	return put(buf, len, o, "\"");
}

/* 1 when some indexed word starts with w. */
static int known_prefix(sqlite3 *db, const char *w)
{
	sqlite3_stmt *st = NULL;
	int hit = 0;

	if (hw_db_prepare(db, &st, "SELECT term FROM words WHERE term >= ? ORDER BY term LIMIT 1",
			  "t", w) == 0 &&
	    sqlite3_step(st) == SQLITE_ROW)
		hit = !strncmp(hw_db_text(st, 0), w, strlen(w));
	sqlite3_finalize(st);
	return hit;
}

static int known_exact(sqlite3 *db, const char *w, size_t l)
{
	sqlite3_stmt *st = NULL;
	int hit = 0;

	if (hw_db_prepare(db, &st, "SELECT 1 FROM words WHERE term = ?", "") == 0) {
		sqlite3_bind_text(st, 1, w, (int)l, SQLITE_TRANSIENT);
		hit = sqlite3_step(st) == SQLITE_ROW;
	}
	sqlite3_finalize(st);
	return hit;
}

struct alts {
	char term[FTS_ALTS][FTS_WORDLEN * 2 + 2]; /* a word, or "a b" for a split */
	size_t n;
	int prefix[FTS_ALTS];                       /* match as a prefix */
};

static void alt_add(struct alts *a, const char *term, int prefix)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->term[i], term))
			return;
	if (a->n < FTS_ALTS && strlen(term) < sizeof(a->term[0])) {
		strcpy(a->term[a->n], term);
		a->prefix[a->n++] = prefix;
	}
}

/* Words holding w inside them ("zone" in "timezones"), by the trigram
 * index over the vocabulary. */
static void alts_inside(sqlite3 *db, const char *w, struct alts *a)
{
	char expr[FTS_WORDLEN * 2 + 4];
	size_t o = 0;
	sqlite3_stmt *st = NULL;

	if (strlen(w) < 4 || put_quoted(expr, sizeof(expr), &o, w))
		return;
	if (hw_db_prepare(db, &st,
			  "SELECT term FROM tri WHERE tri MATCH ? ORDER BY length(term) LIMIT 8",
			  "t", expr) == 0)
		while (sqlite3_step(st) == SQLITE_ROW)
			alt_add(a, hw_db_text(st, 0), 0);
	sqlite3_finalize(st);
}

/* Known words within the typo allowance of w: 1 edit for 4 to 7 bytes, 2
 * from 8. Candidates share a trigram with w (any length) or, since a
 * swap in a short word can leave no trigram in common ("tiem", "time"),
 * are of a length within the allowance. */
static void alts_typo(sqlite3 *db, const char *w, struct alts *a)
{
	size_t wl = strlen(w), cap = wl >= 8 ? 2 : 1, o = 0;
	char expr[FTS_EXPR_MAX];
	sqlite3_stmt *st = NULL;
	struct {
		char term[FTS_WORDLEN];
		size_t d;
	} best[FTS_ALTS];
	size_t nb = 0;

	if (wl < 4)
		return;
	for (size_t i = 0; i + 3 <= wl; i++) {
		char g[4] = {w[i], w[i + 1], w[i + 2], 0};
		if ((i && put(expr, sizeof(expr), &o, " OR ")) || put_quoted(expr, sizeof(expr), &o, g))
			return;
	}
	if (hw_db_prepare(db, &st,
			  "SELECT term FROM tri WHERE tri MATCH ?1 AND length(term) BETWEEN ?2 AND ?3"
			  " UNION SELECT term FROM words WHERE len BETWEEN ?2 AND ?3 AND ?4",
			  "tiii", expr, (int64_t)(wl > cap ? wl - cap : 1), (int64_t)(wl + cap),
			  (int64_t)(wl <= 6)))
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *t = hw_db_text(st, 0);
		size_t d = hw_distance_capped(w, t, cap), k;
		if (d > cap || strlen(t) >= FTS_WORDLEN)
			continue;
		/* Keep the FTS_ALTS closest (ties: the order found). */
		for (k = nb; k > 0 && best[k - 1].d > d; k--)
			;
		if (k >= FTS_ALTS)
			continue;
		if (nb < FTS_ALTS)
			nb++;
		memmove(&best[k + 1], &best[k], (nb - 1 - k) * sizeof(best[0]));
		strcpy(best[k].term, t);
		best[k].d = d;
	}
	sqlite3_finalize(st);
	for (size_t i = 0; i < nb; i++)
		alt_add(a, best[i].term, 0);
}

/* Two known words run together: "timezone" as "time" + "zone…". */
static void alts_split(sqlite3 *db, const char *w, struct alts *a)
{
	size_t wl = strlen(w);

	for (size_t i = 2; i + 2 <= wl; i++) {
		char pair[FTS_WORDLEN * 2 + 2];
		if ((w[i] & 0xC0) == 0x80 || !known_exact(db, w, i) || !known_prefix(db, w + i))
			continue;
		snprintf(pair, sizeof(pair), "%.*s %s", (int)i, w, w + i);
		alt_add(a, pair, 1);
	}
}

/* The MATCH expression for the words, each word a group of its readings
 * (ANDed); 0 when some word has no reading at all. */
static int build_expr(sqlite3 *db, char w[][FTS_WORDLEN], size_t nw, int loose, char *expr,
		      size_t len)
{
	size_t o = 0;

	expr[0] = 0;
	for (size_t i = 0; i < nw; i++) {
		struct alts a = {.n = 0};
		if (!loose || known_prefix(db, w[i])) {
			alt_add(&a, w[i], 1);
		} else {
			alts_inside(db, w[i], &a);
			alts_typo(db, w[i], &a);
			alts_split(db, w[i], &a);
		}
		if (!a.n)
			return 0;
		if (i && put(expr, len, &o, " AND "))
			return 0;
		if (put(expr, len, &o, "("))
			return 0;
		for (size_t k = 0; k < a.n; k++)
			if ((k && put(expr, len, &o, " OR ")) ||
			    put_quoted(expr, len, &o, a.term[k]) ||
			    (a.prefix[k] && put(expr, len, &o, " *")))
				return 0;
		if (put(expr, len, &o, ")"))
			return 0;
	}
	return nw > 0;
}

static size_t run(sqlite3 *db, const struct sched *s, const char *sql, const char *expr,
		  const char *phrase, int multi, const struct sched_talk **out, size_t max)
{
	sqlite3_stmt *st = NULL;
	size_t n = 0;

	if (hw_db_prepare(db, &st, sql, "ttii", expr, phrase, (int64_t)multi, (int64_t)max)) {
		fprintf(stderr, "schedule: search \"%s\": %s\n", expr, sqlite3_errmsg(db));
		return 0;
	}
	while (n < max && sqlite3_step(st) == SQLITE_ROW) {
		sqlite3_int64 row = sqlite3_column_int64(st, 0);
		if (row >= 1 && (size_t)row <= s->ntalks)
			out[n++] = &s->talks[row - 1];
	}
	sqlite3_finalize(st);
	return n;
}

size_t sched_fts_search(const struct sched *s, const char *words,
			const struct sched_talk **out, size_t max)
{
	static const char *const sql =
		"SELECT rowid FROM t WHERE t MATCH ?1 ORDER BY title = ?2 DESC,"
		" (?3 AND instr(title, ?2) > 0) DESC, cancelled, " FTS_RANK ", rowid LIMIT ?4";
	char w[FTS_MAX_WORDS][FTS_WORDLEN], expr[FTS_EXPR_MAX], *phrase = NULL;
	size_t nw, n = 0;
	sqlite3 *db;

	if (!s || !s->ntalks || !words || !max || !(nw = split(words, w, FTS_MAX_WORDS)))
		return 0;
	if (!(phrase = hw_fold(words)))
		return 0;
	pthread_mutex_lock(&cache_lock);
	if (!(db = index_for(s)))
		goto out;
	for (int loose = 0; loose < 2 && !n; loose++)
		if (build_expr(db, w, nw, loose, expr, sizeof(expr)))
			n = run(db, s, sql, expr, phrase, nw > 1, out, max);
out:
	pthread_mutex_unlock(&cache_lock);
	free(phrase);
	return n;
}

size_t sched_fts_speaker(const struct sched *s, const char *name,
			 const struct sched_talk **out, size_t max)
{
	static const char *const sql =
		"SELECT DISTINCT talk FROM sp WHERE sp MATCH ?1 AND ?2 IS NOT NULL AND ?3 >= 0"
		" ORDER BY talk LIMIT ?4";
	char w[FTS_MAX_WORDS][FTS_WORDLEN], expr[FTS_EXPR_MAX];
	size_t nw, n = 0, o = 0;
	sqlite3 *db;

	if (!s || !s->ntalks || !name || !max || !(nw = split(name, w, FTS_MAX_WORDS)))
		return 0;
	for (size_t i = 0; i < nw; i++)
		if ((i && put(expr, sizeof(expr), &o, " AND ")) ||
		    put_quoted(expr, sizeof(expr), &o, w[i]) || put(expr, sizeof(expr), &o, " *"))
			return 0;
	pthread_mutex_lock(&cache_lock);
	if ((db = index_for(s)))
		n = run(db, s, sql, expr, "", 0, out, max);
	pthread_mutex_unlock(&cache_lock);
	return n;
}
