/*
 * hw_fts: full-text search over SQLite FTS5 in memory (include/hallway/fts.h).
 *
 * The FTS5 table t takes its content from the plain table d (external
 * content), which keeps only what the queries read back: column 0 (the
 * title, for ordering), ref and demote. The other columns (abstracts) are
 * only in the index, not stored a second time: with FOSDEM 2025, the
 * schedule's index 2.9 -> 1.8 MB and recommend's ranking index 1.8 -> 0.7
 * MB. Nothing ever reads them back (no highlight(), no snippet()).
 */
#include <hallway/fts.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include <hallway/plugin.h>
#include <hallway/text.h>

#define FTS_MAX_WORDS 12
#define FTS_WORDLEN 64
#define FTS_ALTS 8         /* readings kept for one unknown word */
#define FTS_EXPR_MAX 4096
#define FTS_QUERY_MAX 512  /* bytes of typed text read */
#define FTS_SQL_MAX 1024 /* our own SQL, never typed text */

struct hw_fts {
	sqlite3 *db;
	size_t ncols;
	sqlite3_stmt *ins, *ins_doc;
	int64_t rows;
	char search_sql[FTS_SQL_MAX];
	char rank_sql[FTS_SQL_MAX];
	int flags;
};

/* Prepares sql on the index's own connection and binds the arguments by
 * a type string: 'i' int64_t, 't' const char * (NULL binds NULL). Every
 * value is bound, never formatted into SQL. *out is a new statement to
 * finalize, set only on success. Returns HW_OK or HW_ERR_STORAGE. */
static int fts_prepare(sqlite3 *db, sqlite3_stmt **out, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st = NULL;
	va_list ap;
	int rc = HW_OK;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return HW_ERR_STORAGE;
	va_start(ap, types);
	for (int i = 0; types && types[i] && rc == HW_OK; i++) {
		int brc;
		if (types[i] == 'i') {
			brc = sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
		} else {
			const char *t = va_arg(ap, const char *);
			brc = t ? sqlite3_bind_text(st, i + 1, t, -1, SQLITE_TRANSIENT)
				: sqlite3_bind_null(st, i + 1);
		}
		if (brc != SQLITE_OK)
			rc = HW_ERR_STORAGE;
	}
	va_end(ap);
	if (rc != HW_OK) {
		sqlite3_finalize(st);
		return rc;
	}
	*out = st;
	return HW_OK;
}

/* A column's text, borrowed (valid until the next step), "" for NULL. */
static const char *fts_text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	return t ? (const char *)t : "";
}

static void log_db(const struct hw_fts *f, const char *what)
{
	fprintf(stderr, "fts: %s: %s\n", what, f->db ? sqlite3_errmsg(f->db) : "out of memory");
}

struct hw_fts *hw_fts_new(size_t ncols, const double *weights)
{
	return hw_fts_new_ex(ncols, weights, 0);
}

struct hw_fts *hw_fts_new_ex(size_t ncols, const double *weights, int flags)
{
	struct hw_fts *f = calloc(1, sizeof(*f));
	char create[FTS_SQL_MAX], ins[FTS_SQL_MAX], ins_doc[FTS_SQL_MAX / 4], rank[FTS_SQL_MAX / 4];
	size_t oc, oi, orank;

	if (!f || ncols < 1 || ncols > HW_FTS_MAX_COLS)
		goto fail;
	f->ncols = ncols;
	f->flags = flags;
	/* Column names are ours (c0, c1, ...); nothing typed goes in the SQL.
	 * d has every column of t by name (FTS5 reads them all when it reads
	 * a row); only c0, ref and demote are ever filled. */
	oc = (size_t)snprintf(create, sizeof(create), "CREATE TABLE d(");
	for (size_t i = 0; i < ncols; i++)
		oc += (size_t)snprintf(create + oc, sizeof(create) - oc, "c%zu, ", i);
	oc += (size_t)snprintf(create + oc, sizeof(create) - oc,
			       "ref, demote); CREATE VIRTUAL TABLE t USING fts5(");
	oi = (size_t)snprintf(ins, sizeof(ins), "INSERT INTO t(rowid, ");
	orank = (size_t)snprintf(rank, sizeof(rank), "bm25(t");
	for (size_t i = 0; i < ncols; i++) {
		oc += (size_t)snprintf(create + oc, sizeof(create) - oc, "c%zu, ", i);
		oi += (size_t)snprintf(ins + oi, sizeof(ins) - oi, "c%zu, ", i);
		orank += (size_t)snprintf(rank + orank, sizeof(rank) - orank, ", %.3f",
					  weights ? weights[i] : 1.0);
	}
	snprintf(create + oc, sizeof(create) - oc,
		 "ref UNINDEXED, demote UNINDEXED, content = 'd', "
		 "tokenize = '%sunicode61 remove_diacritics 2');"
		 "CREATE VIRTUAL TABLE v USING fts5vocab(t, 'row');"
		 "CREATE TABLE words(term TEXT PRIMARY KEY, len INTEGER NOT NULL) WITHOUT ROWID;"
		 "CREATE INDEX words_len ON words(len);"
		 "CREATE VIRTUAL TABLE tri USING fts5(term, tokenize = 'trigram');",
		 flags & HW_FTS_STEM ? "porter " : "");
	/* ?1 the rowid, ?2.. the columns, then ref and demote. */
	snprintf(ins + oi, sizeof(ins) - oi, "ref, demote) VALUES (?1");
	for (size_t i = 1; i < ncols + 3; i++) {
		size_t l = strlen(ins);
		snprintf(ins + l, sizeof(ins) - l, ", ?%zu", i + 1);
	}
	strncat(ins, ")", sizeof(ins) - strlen(ins) - 1);
	snprintf(ins_doc, sizeof(ins_doc),
		 "INSERT INTO d(rowid, c0, ref, demote) VALUES (?1, ?2, ?%zu, ?%zu)", ncols + 2,
		 ncols + 3);
	snprintf(rank + orank, sizeof(rank) - orank, ")");
	snprintf(f->search_sql, sizeof(f->search_sql),
		 "SELECT ref FROM t WHERE t MATCH ?1 ORDER BY c0 = ?2 DESC,"
		 " (?3 AND instr(c0, ?2) > 0) DESC, demote, %s, ref",
		 rank);
	snprintf(f->rank_sql, sizeof(f->rank_sql),
		 "SELECT ref, -%s FROM t WHERE t MATCH ?1 ORDER BY 2 DESC, ref", rank);
	/* No lookaside memory (about 120 KB a connection by default): an
	 * index is built once and then read a few times a minute. */
	if (sqlite3_open_v2(":memory:", &f->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
		    SQLITE_OK ||
	    sqlite3_db_config(f->db, SQLITE_DBCONFIG_LOOKASIDE, NULL, 0, 0) != SQLITE_OK ||
	    sqlite3_exec(f->db, create, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(f->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(f->db, ins, -1, &f->ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(f->db, ins_doc, -1, &f->ins_doc, NULL) != SQLITE_OK) {
		log_db(f, "a new index");
		goto fail;
	}
	return f;
fail:
	hw_fts_free(f);
	return NULL;
}

void hw_fts_free(struct hw_fts *f)
{
	if (!f)
		return;
	sqlite3_finalize(f->ins);
	sqlite3_finalize(f->ins_doc);
	if (f->db)
		sqlite3_close(f->db);
	free(f);
}

int hw_fts_add(struct hw_fts *f, int64_t ref, const char *const *texts, int demote)
{
	char *folded[HW_FTS_MAX_COLS] = {0};
	int rc = HW_ERR_STORAGE, step_doc, step_ins;
	int64_t row;

	if (!f || !f->ins || !f->ins_doc)
		return HW_ERR_STORAGE;
	row = ++f->rows;
	for (size_t i = 0; i < f->ncols; i++) {
		if (!(folded[i] = hw_fold(texts[i] ? texts[i] : "")))
			goto out;
		sqlite3_bind_text(f->ins, (int)i + 2, folded[i], -1, SQLITE_STATIC);
	}
	/* The same row in d (what is read back) and in t's index. */
	sqlite3_bind_int64(f->ins_doc, 1, row);
	sqlite3_bind_text(f->ins_doc, 2, folded[0], -1, SQLITE_STATIC);
	sqlite3_bind_int64(f->ins_doc, (int)f->ncols + 2, ref);
	sqlite3_bind_int(f->ins_doc, (int)f->ncols + 3, demote != 0);
	sqlite3_bind_int64(f->ins, 1, row);
	sqlite3_bind_int64(f->ins, (int)f->ncols + 2, ref);
	sqlite3_bind_int(f->ins, (int)f->ncols + 3, demote != 0);
	step_doc = sqlite3_step(f->ins_doc);
	step_ins = step_doc == SQLITE_DONE ? sqlite3_step(f->ins) : SQLITE_ERROR;
	if (step_ins == SQLITE_DONE)
		rc = HW_OK;
	else
		log_db(f, "adding a document");
	sqlite3_reset(f->ins_doc);
	sqlite3_clear_bindings(f->ins_doc);
	sqlite3_reset(f->ins);
	sqlite3_clear_bindings(f->ins);
out:
	for (size_t i = 0; i < f->ncols; i++)
		free(folded[i]);
	return rc;
}

int hw_fts_ready(struct hw_fts *f)
{
	if (!f || !f->ins)
		return HW_ERR_STORAGE;
	sqlite3_finalize(f->ins);
	sqlite3_finalize(f->ins_doc);
	f->ins = f->ins_doc = NULL;
	if (f->flags & HW_FTS_STEM) /* ranks only: no typo reading, no vocabulary */
		return sqlite3_exec(f->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? HW_OK
										: HW_ERR_STORAGE;
	/* The vocabulary, for typos and word insides. */
	if (sqlite3_exec(f->db,
			 "INSERT INTO words(term, len) SELECT term, length(term) FROM v;"
			 "INSERT INTO tri(term) SELECT term FROM words;"
			 "COMMIT;",
			 NULL, NULL, NULL) != SQLITE_OK) {
		log_db(f, "the vocabulary");
		return HW_ERR_STORAGE;
	}
	return HW_OK;
}

/* ---- reading the typed words ---- */

static int word_byte(char c)
{
	return (unsigned char)c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Splits the folded text into words of letters and digits (what
 * unicode61 keeps); returns the count. */
static size_t split(const char *folded, char w[][FTS_WORDLEN], size_t max)
{
	const char *p = folded;
	size_t n = 0;

	while (*p && n < max) {
		size_t l = 0;
		while (*p && !word_byte(*p))
			p++;
		while (p[l] && word_byte(p[l]))
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

/* A quoted FTS5 string (the words hold no '"'; doubled anyway). */
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

/* 1 when some indexed word starts with w (its first l bytes). */
static int known(sqlite3 *db, const char *w, size_t l, int prefix)
{
	sqlite3_stmt *st = NULL;
	int hit = 0;

	if (fts_prepare(db, &st, "SELECT term FROM words WHERE term >= ? ORDER BY term LIMIT 1",
			  "") == 0) {
		sqlite3_bind_text(st, 1, w, (int)l, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			const char *t = fts_text(st, 0);
			hit = !strncmp(t, w, l) && (prefix || t[l] == 0);
		}
	}
	sqlite3_finalize(st);
	return hit;
}

struct alts {
	char term[FTS_ALTS][FTS_WORDLEN * 2 + 2]; /* a word, or "a b" for a split */
	int prefix[FTS_ALTS];                       /* match as a prefix */
	size_t n;
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

/* Words holding w inside them ("zone" in "timezones"). */
static void alts_inside(sqlite3 *db, const char *w, struct alts *a)
{
	char expr[FTS_WORDLEN * 2 + 4];
	size_t o = 0;
	sqlite3_stmt *st = NULL;

	if (strlen(w) < 4 || put_quoted(expr, sizeof(expr), &o, w))
		return;
	if (fts_prepare(db, &st,
			  "SELECT term FROM tri WHERE tri MATCH ? ORDER BY length(term), term LIMIT 8",
			  "t", expr) == 0)
		while (sqlite3_step(st) == SQLITE_ROW)
			alt_add(a, fts_text(st, 0), 0);
	sqlite3_finalize(st);
}

/* The byte offsets of w's characters (at most FTS_WORDLEN); returns the count. */
static size_t char_starts(const char *w, size_t *at)
{
	size_t n = 0;
	for (size_t i = 0; w[i] && n < FTS_WORDLEN; i++)
		if (((unsigned char)w[i] & 0xC0) != 0x80)
			at[n++] = i;
	at[n] = strlen(w);
	return n;
}

/* Known words within the typo allowance of w: 1 edit for words of 4 to 7
 * characters, 2 from 8. Candidates share a trigram with w or, since a
 * swap in a short word can leave none in common ("tiem", "time"), are
 * of a length within the allowance. */
static void alts_typo(sqlite3 *db, const char *w, struct alts *a)
{
	size_t at[FTS_WORDLEN + 1], wl = char_starts(w, at), cap = wl >= 8 ? 2 : 1, o = 0, nb = 0;
	char expr[FTS_EXPR_MAX];
	sqlite3_stmt *st = NULL;
	struct {
		char term[FTS_WORDLEN];
		size_t d;
	} best[FTS_ALTS];

	if (wl < 4)
		return;
	for (size_t i = 0; i + 3 <= wl; i++) {
		char g[FTS_WORDLEN];
		snprintf(g, sizeof(g), "%.*s", (int)(at[i + 3] - at[i]), w + at[i]);
		if ((i && put(expr, sizeof(expr), &o, " OR ")) || put_quoted(expr, sizeof(expr), &o, g))
			return;
	}
	if (fts_prepare(db, &st,
			  "SELECT term FROM tri WHERE tri MATCH ?1 AND length(term) BETWEEN ?2 AND ?3"
			  " UNION SELECT term FROM words WHERE ?4 AND len BETWEEN ?2 AND ?3",
			  "tiii", expr, (int64_t)(wl - cap), (int64_t)(wl + cap), (int64_t)(wl <= 6)))
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *t = fts_text(st, 0);
		size_t d = hw_distance_capped(w, t, cap), k;
		if (d > cap || strlen(t) >= FTS_WORDLEN)
			continue;
		/* Keep the FTS_ALTS closest (ties: in term order). */
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
		if ((w[i] & 0xC0) == 0x80 || !known(db, w, i, 0) || !known(db, w + i, wl - i, 1))
			continue;
		snprintf(pair, sizeof(pair), "%.*s %s", (int)i, w, w + i);
		alt_add(a, pair, 1);
	}
}

/* The MATCH expression: each word a group of its readings, ANDed; 0 when
 * some word has no reading at all. */
static int build_expr(sqlite3 *db, char w[][FTS_WORDLEN], size_t nw, int loose, char *expr,
		      size_t len)
{
	size_t o = 0;

	expr[0] = 0;
	for (size_t i = 0; i < nw; i++) {
		struct alts a = {.n = 0};
		if (!loose || known(db, w[i], strlen(w[i]), 1)) {
			alt_add(&a, w[i], 1);
		} else {
			alts_inside(db, w[i], &a);
			alts_typo(db, w[i], &a);
			alts_split(db, w[i], &a);
		}
		if (!a.n || (i && put(expr, len, &o, " AND ")) || put(expr, len, &o, "("))
			return 0;
		for (size_t k = 0; k < a.n; k++)
			if ((k && put(expr, len, &o, " OR ")) || put_quoted(expr, len, &o, a.term[k]) ||
			    (a.prefix[k] && put(expr, len, &o, " *")))
				return 0;
		if (put(expr, len, &o, ")"))
			return 0;
	}
	return nw > 0;
}

static size_t run(struct hw_fts *f, const char *expr, const char *phrase, int multi, int flags,
		  int64_t *out, size_t max)
{
	char sql[FTS_SQL_MAX + 64];
	sqlite3_stmt *st = NULL;
	size_t n = 0;

	if (flags & HW_FTS_BY_REF)
		snprintf(sql, sizeof(sql), "SELECT DISTINCT ref FROM t WHERE t MATCH ?1 AND ?2 "
					   "IS NOT NULL AND ?3 >= 0 ORDER BY ref");
	else
		snprintf(sql, sizeof(sql), "%s", f->search_sql);
	if (fts_prepare(f->db, &st, sql, "tti", expr, phrase, (int64_t)multi)) {
		log_db(f, "a search");
		return 0;
	}
	while (n < max && sqlite3_step(st) == SQLITE_ROW) {
		int64_t ref = sqlite3_column_int64(st, 0);
		size_t k = 0;
		while (k < n && out[k] != ref)
			k++;
		if (k == n)
			out[n++] = ref;
	}
	sqlite3_finalize(st);
	return n;
}

size_t hw_fts_search(struct hw_fts *f, const char *query, int flags, int64_t *out, size_t max)
{
	char w[FTS_MAX_WORDS][FTS_WORDLEN], expr[FTS_EXPR_MAX], phrase[FTS_QUERY_MAX * 2],
		words[FTS_QUERY_MAX * 2];
	size_t nw, n = 0;

	if (!f || f->ins || !query || !max || strlen(query) > FTS_QUERY_MAX)
		return 0;
	/* The phrase as stored (emoji kept) for the title checks; the words
	 * without symbols, as unicode61 reads them. */
	hw_fold_into(query, phrase, sizeof(phrase));
	hw_fold_into_ex(query, words, sizeof(words), HW_FOLD_DROP_SYMBOLS);
	if (!(nw = split(words, w, FTS_MAX_WORDS)))
		return 0;
	for (int loose = 0; loose < 1 + !!(flags & HW_FTS_TYPOS) && !n; loose++)
		if (build_expr(f->db, w, nw, loose, expr, sizeof(expr)))
			n = run(f, expr, phrase, nw > 1, flags, out, max);
	return n;
}

long hw_fts_rank(struct hw_fts *f, const char *query, int64_t *refs, double *scores, size_t max)
{
	char w[FTS_MAX_WORDS][FTS_WORDLEN], expr[FTS_EXPR_MAX], words[FTS_QUERY_MAX * 2];
	sqlite3_stmt *st = NULL;
	size_t nw, o = 0, n = 0;

	if (!f || f->ins || !query || !max || strlen(query) > FTS_QUERY_MAX)
		return 0;
	hw_fold_into_ex(query, words, sizeof(words), HW_FOLD_DROP_SYMBOLS);
	if (!(nw = split(words, w, FTS_MAX_WORDS)))
		return 0;
	for (size_t i = 0; i < nw; i++)
		if ((i && put(expr, sizeof(expr), &o, " OR ")) ||
		    put_quoted(expr, sizeof(expr), &o, w[i]))
			return 0;
	if (fts_prepare(f->db, &st, f->rank_sql, "t", expr)) {
		log_db(f, "a ranking");
		return -1;
	}
	while (n < max && sqlite3_step(st) == SQLITE_ROW) {
		refs[n] = sqlite3_column_int64(st, 0);
		scores[n++] = sqlite3_column_double(st, 1);
	}
	sqlite3_finalize(st);
	return (long)n;
}
