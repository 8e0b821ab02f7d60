/* The pure parts: words, index, ranking, ICS. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rec_fixture.h"
#include "rec_ics.h"
#include "rec_index.h"
#include "rec_query.h"
#include "rec_text.h"
#include "testlib.h"

static void stem_of(const char *w, char *out)
{
	strcpy(out, w);
	rec_text_stem(out);
}

TEST(words)
{
	char a[64], b[64];
	const char *stops[] = {"a", "about", "and", "de", "les", "pour", "the", "vous", "your", "with"};
	for (size_t i = 0; i < sizeof(stops) / sizeof(*stops); i++)
		CHECK(rec_text_stop(stops[i]));
	CHECK(!rec_text_stop("rust"));
	CHECK(!rec_text_stop("c"));
	stem_of("parsing", a), stem_of("parser", b);
	CHECK_STREQ(a, b);
	stem_of("parses", b);
	CHECK_STREQ(a, b);
	stem_of("databases", a), stem_of("database", b);
	CHECK_STREQ(a, b);
	stem_of("recommendations", a), stem_of("recommend", b);
	CHECK_STREQ(a, b);
	stem_of("class", a);
	CHECK_STREQ(a, "class");
	stem_of("rust", a);
	CHECK_STREQ(a, "rust");
}

struct collect {
	char all[512];
};

static int on_term(const char *term, const char *word, void *ud)
{
	struct collect *c = ud;
	strcat(c->all, term);
	strcat(c->all, "|");
	return 0;
}

TEST(tokenize_folds_accents_and_drops_stop_words)
{
	struct collect c = {""};
	CHECK(rec_text_terms("Éléphants AND the Amphithéâtre: C++ for Ünïcödé!", on_term, &c) == 0);
	CHECK_STREQ(c.all, "elephant|amphitheatr|c|unicod|");
}

static long entry_titled(const struct rec_index *idx, const char *title)
{
	for (size_t i = 0; i < idx->n; i++)
		if (!strcmp(idx->e[i].title, title))
			return (long)i;
	return -1;
}

TEST(index_merges_multi_slot_sessions)
{
	json_t *s = fx_schedule();
	struct rec_index *idx = NULL;
	long ws;

	REQUIRE(rec_index_build(s, NULL, &idx) == REC_OK);
	CHECK_INTEQ(idx->n, 7); /* 8 talks, the workshop's two slots merged */
	ws = entry_titled(idx, "Workshop: Fuzzing Parsers");
	REQUIRE(ws >= 0);
	CHECK_INTEQ(idx->e[ws].nslots, 2);
	CHECK_STREQ(idx->e[ws].slots[0].id, "t-ws@1");
	CHECK_INTEQ(rec_index_find_id(idx, "t-ws@2", NULL), ws);
	/* Upcoming: the first slot after now. */
	CHECK_INTEQ(rec_index_upcoming(idx, (size_t)ws, T0), 0);
	CHECK_INTEQ(rec_index_upcoming(idx, (size_t)ws, T0 + 1800), 1);
	CHECK_INTEQ(rec_index_upcoming(idx, (size_t)ws, T0 + 90000), -1);
	rec_index_free(idx);
	json_decref(s);
}

TEST(recommend_ranks_with_reason_and_upcoming_only)
{
	json_t *s = fx_schedule();
	struct rec_index *idx = NULL;
	struct rec_hit h[5];
	struct rec_ask ask = {"rust microcontrollers", NULL, 0, T0};
	char why[200];
	long n;

	REQUIRE(rec_index_build(s, NULL, &idx) == REC_OK);
	n = rec_query_recommend(idx, &ask, h, 5);
	REQUIRE(n >= 1);
	/* The retrospective says "rust" five times but is over. */
	CHECK_STREQ(idx->e[h[0].entry].title, "Rust for Embedded Systems");
	for (long i = 0; i < n; i++)
		CHECK(strcmp(idx->e[h[i].entry].title, "Rust Rust Rust: a Rust Retrospective"));
	rec_query_matched(idx, ask.text, h[0].entry, why, sizeof(why));
	CHECK_STREQ(why, "rust, microcontrollers");
	/* With every time allowed, the retrospective is a candidate again. */
	ask.now = REC_ALL_TIMES;
	n = rec_query_recommend(idx, &ask, h, 5);
	CHECK(n == 2);
	/* Speakers and tracks count: a speaker's surname, accent-free. */
	ask.text = "dubois";
	ask.now = T0;
	n = rec_query_recommend(idx, &ask, h, 5);
	REQUIRE(n == 1);
	CHECK_STREQ(idx->e[h[0].entry].title, "Postgres Replication, Explained");
	ask.text = "the and of";
	CHECK(rec_query_recommend(idx, &ask, h, 5) == 0);
	rec_index_free(idx);
	json_decref(s);
}

TEST(stars_shape_the_ranking)
{
	json_t *s = fx_schedule();
	struct rec_index *idx = NULL;
	struct rec_hit h[5];
	struct rec_ask ask = {"python", NULL, 0, T0};
	size_t starred[1];
	long n, py1, py2;

	REQUIRE(rec_index_build(s, NULL, &idx) == REC_OK);
	py1 = entry_titled(idx, "Python Packaging Today");
	py2 = entry_titled(idx, "Python Typing in Practice");
	n = rec_query_recommend(idx, &ask, h, 5);
	REQUIRE(n == 2);
	/* Without stars the packaging talk wins (shorter abstract, same words). */
	CHECK_INTEQ(h[0].entry, py1);
	/* Starring the mypy talk (typing) pulls the typing talk up. */
	starred[0] = (size_t)entry_titled(idx, "Mypy Internals: Typing Checkers");
	ask.starred = starred;
	ask.nstarred = 1;
	n = rec_query_recommend(idx, &ask, h, 5);
	REQUIRE(n == 2);
	CHECK_INTEQ(h[0].entry, py2);
	CHECK_INTEQ(rec_query_closest(idx, h[0].entry, starred, 1), (long)starred[0]);
	/* Without words, the profile alone ranks, and starred talks are left out. */
	ask.text = NULL;
	n = rec_query_recommend(idx, &ask, h, 5);
	REQUIRE(n >= 1);
	CHECK_INTEQ(h[0].entry, py2);
	for (long i = 0; i < n; i++)
		CHECK(h[i].entry != starred[0]);
	rec_index_free(idx);
	json_decref(s);
}

TEST(similar_and_find)
{
	json_t *s = fx_schedule();
	struct rec_index *idx = NULL;
	struct rec_hit h[5];
	size_t out[5];
	int exact;
	long n, py2 = -1;

	REQUIRE(rec_index_build(s, NULL, &idx) == REC_OK);
	py2 = entry_titled(idx, "Python Typing in Practice");
	n = rec_query_similar(idx, (size_t)py2, T0, h, 5);
	REQUIRE(n >= 2);
	CHECK_STREQ(idx->e[h[0].entry].title, "Mypy Internals: Typing Checkers");
	for (long i = 0; i < n; i++)
		CHECK(h[i].entry != (size_t)py2);
	CHECK(rec_query_find(idx, "t-py2", T0, out, 5, &exact) == 1 && exact);
	CHECK(rec_query_find(idx, "python typing in practice", T0, out, 5, &exact) == 1 && exact);
	CHECK(rec_query_find(idx, "pyth", T0, out, 5, &exact) == 2 && !exact);
	CHECK(rec_query_find(idx, "pyth typ", T0, out, 5, &exact) == 1 && out[0] == (size_t)py2);
	CHECK(rec_query_find(idx, "nothing like this", T0, out, 5, &exact) == 0);
	/* Typos and run-together words (issue 13: `star tiem zones`), through
	 * the FTS5 index of titles and speakers. */
	CHECK(rec_query_find(idx, "pyhton typnig", T0, out, 5, &exact) == 1 && !exact &&
	      out[0] == (size_t)py2);
	CHECK(rec_query_find(idx, "pythontyping", T0, out, 5, &exact) == 1 && out[0] == (size_t)py2);
	CHECK(rec_query_find(idx, "pyhton xyzzy", T0, out, 5, &exact) == 0);
	/* Upcoming first: the retrospective is listed after the live rust talk. */
	CHECK(rec_query_find(idx, "rust", T0, out, 5, &exact) == 2);
	CHECK_STREQ(idx->e[out[0]].title, "Rust for Embedded Systems");
	rec_index_free(idx);
	json_decref(s);
}

/* Unfolds an iCalendar text (CRLF + space/tab continues a line). */
static char *unfold(const char *ics)
{
	char *out = malloc(strlen(ics) + 1), *o = out;
	for (const char *p = ics; *p; p++) {
		if (p[0] == '\r' && p[1] == '\n' && (p[2] == ' ' || p[2] == '\t')) {
			p += 2;
			continue;
		}
		*o++ = *p;
	}
	*o = 0;
	return out;
}

/* The value of property name in unfolded text, unescaped, into buf. */
static int prop(const char *text, const char *name, char *buf, size_t len)
{
	size_t n = strlen(name);
	const char *p = text;
	while ((p = strstr(p, name))) {
		if ((p == text || p[-1] == '\n') && p[n] == ':') {
			size_t o = 0;
			for (p += n + 1; *p && *p != '\r' && o + 1 < len; p++) {
				if (*p == '\\' && p[1]) {
					p++;
					buf[o++] = *p == 'n' || *p == 'N' ? '\n' : *p;
				} else {
					buf[o++] = *p;
				}
			}
			buf[o] = 0;
			return 1;
		}
		p += n;
	}
	return 0;
}

TEST(index_of_talks_without_words)
{
	/* Regression (issue 15): qsort(NULL, 0, ...), a UBSan abort, when no
	 * talk has a word to index (a one-event ICS with SUMMARY:T). */
	json_t *s = json_pack("{s:s, s:[{s:s, s:s, s:I, s:I}]}", "name", "X", "talks", "id", "t1",
			      "title", "T", "start", (json_int_t)(T0 + 60), "end",
			      (json_int_t)(T0 + 120));
	struct rec_index *idx = NULL;

	REQUIRE(s);
	REQUIRE(rec_index_build(s, NULL, &idx) == REC_OK);
	CHECK(idx != NULL);
	rec_index_free(idx);
	json_decref(s);
}

TEST(ics_folds_escapes_and_uses_crlf)
{
	char title[600], got[700], *flat;
	struct rec_star st[2] = {{0}};
	char *ics = NULL;
	size_t len = 0, lines = 0;

	strcpy(title, "Commas, semicolons; back\\slash and a\nnewline — ");
	while (strlen(title) < 300)
		strcat(title, "ünïcödé ");
	st[0] = (struct rec_star){"talk-1", title, "Room, B", T0, T0 + 1800, 0, 0};
	st[1] = (struct rec_star){"talk-2", "Plain", NULL, T0 + 3600, T0 + 5400, 0, 1};
	REQUIRE(rec_ics_build(st, 2, "Con; agenda", T0, &ics, &len) == REC_OK);
	CHECK_INTEQ(strlen(ics), len);
	/* Every line ends in CRLF, is at most 75 octets, and a fold never
	 * starts inside a UTF-8 character. */
	for (const char *p = ics; *p;) {
		const char *e = strstr(p, "\r\n");
		REQUIRE(e);
		CHECK(e - p <= 75);
		if (*p == ' ')
			CHECK(((unsigned char)p[1] & 0xC0) != 0x80);
		for (const char *q = p; q < e; q++)
			CHECK(*q != '\n' && *q != '\r');
		p = e + 2;
		lines++;
	}
	CHECK(lines > 10);
	CHECK(!strncmp(ics, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", 30));
	CHECK(len > 15 && !strcmp(ics + len - 15, "END:VCALENDAR\r\n"));
	flat = unfold(ics);
	CHECK(prop(flat, "SUMMARY", got, sizeof(got)));
	CHECK_STREQ(got, title);
	CHECK(prop(flat, "LOCATION", got, sizeof(got)));
	CHECK_STREQ(got, "Room, B");
	CHECK(prop(flat, "UID", got, sizeof(got)));
	CHECK_STREQ(got, "talk-1@recommend.hallway");
	CHECK(prop(flat, "DTSTART", got, sizeof(got)));
	CHECK_STREQ(got, "20231114T221320Z");
	CHECK(prop(flat, "DTEND", got, sizeof(got)));
	CHECK_STREQ(got, "20231114T224320Z");
	CHECK(prop(flat, "DTSTAMP", got, sizeof(got)));
	CHECK(prop(flat, "X-WR-CALNAME", got, sizeof(got)));
	CHECK_STREQ(got, "Con; agenda");
	CHECK(strstr(flat, "STATUS:CANCELLED\r\n") != NULL);
	CHECK(strstr(ics, "a\\nnewline") || strstr(flat, "a\\nnewline"));
	free(flat);
	free(ics);
}

int main(void)
{
	RUN(words);
	RUN(tokenize_folds_accents_and_drops_stop_words);
	RUN(index_merges_multi_slot_sessions);
	RUN(recommend_ranks_with_reason_and_upcoming_only);
	RUN(stars_shape_the_ranking);
	RUN(similar_and_find);
	RUN(index_of_talks_without_words);
	RUN(ics_folds_escapes_and_uses_crlf);
	return test_summary();
}
