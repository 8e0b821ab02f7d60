/* hw_fts (lib/fts.c): the shared FTS5 search every plugin reads words with. */
#include <stdint.h>
#include <string.h>

#include <hallway/fts.h>

#include "testlib.h"

static const char *const docs[][2] = {
	{"Time Zones Are Hard, DST Is Harder", "Chloé Dubois"},
	{"Sprint: Zoneinfo Café", "Time zone data and the code that reads it"},
	{"Питон Спринт", "Анна"},
	{"Café Lounge ☕", "coffee"},
	{"Recommendation engines in C", "ranking bm25"},
	{"Rust and C Side by Side", "cancelled"},
	{"Rust in the kernel", "systems"},
};

static struct hw_fts *sample(void)
{
	static const double w[] = {10.0, 1.0};
	struct hw_fts *f = hw_fts_new(2, w);
	if (!f)
		return NULL;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		if (hw_fts_add(f, (int64_t)i + 100, docs[i], i == 5)) {
			hw_fts_free(f);
			return NULL;
		}
	if (hw_fts_ready(f)) {
		hw_fts_free(f);
		return NULL;
	}
	return f;
}

/* The refs found for q with flags, as "100 101" for the messages. */
static size_t find(struct hw_fts *f, const char *q, int flags, int64_t *out)
{
	size_t n = hw_fts_search(f, q, flags, out, 8);
	fprintf(stderr, "  \"%s\" ->", q);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, " %lld", (long long)out[i]);
	fprintf(stderr, "\n");
	return n;
}

TEST(readings)
{
	static const struct {
		const char *q;
		int flags;
		size_t n;    /* how many, or (size_t)-1 for "at least one" */
		int64_t first;
	} cases[] = {
		{"time zones", 0, 1, 100},
		{"TIME ZONES", 0, 1, 100},
		{"tim", 0, 2, 100},                /* a prefix: the title, then the abstract */
		{"tiem zones", 0, 0, 0},           /* typos only when asked */
		{"tiem zones", HW_FTS_TYPOS, 1, 100},
		{"timezone", HW_FTS_TYPOS, 2, 100}, /* run together */
		{"zoneinf", 0, 1, 101},
		{"oneinfo", HW_FTS_TYPOS, 1, 101},  /* the inside of a word */
		{"recomendation", HW_FTS_TYPOS, 1, 104},
		{"ПИТОН", 0, 1, 102},              /* Cyrillic case */
		{"питн", HW_FTS_TYPOS, 1, 102},    /* and its typos */
		{"chloe", 0, 1, 100},              /* accents */
		{"CAFÉ", 0, 2, 103},
		{"Café Lounge ☕", 0, 1, 103},      /* the whole title first */
		{"rust", 0, 2, 106},               /* the demoted one last */
		{"tiem xyzzy", HW_FTS_TYPOS, 0, 0}, /* every word must match */
		{"☕", HW_FTS_TYPOS, 0, 0},         /* no word */
		{"\" OR * NEAR(", HW_FTS_TYPOS, 0, 0}, /* FTS5 syntax is just text */
		{"rust OR xyzzy", HW_FTS_TYPOS, 0, 0}, /* "or" is a word to find, not an operator */
		{"rust and c", 0, 1, 105},
		{"", HW_FTS_TYPOS, 0, 0},
	};
	struct hw_fts *f = sample();
	int64_t out[8];

	REQUIRE(f);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = find(f, cases[i].q, cases[i].flags, out);
		CHECK_INTEQ(n, cases[i].n);
		if (n && cases[i].n)
			CHECK_INTEQ(out[0], cases[i].first);
	}
	hw_fts_free(f);
}

TEST(by_ref_and_limits)
{
	struct hw_fts *f = hw_fts_new(1, NULL);
	const char *a[] = {"Linus Åberg"}, *b[] = {"Chloé Dubois"}, *c[] = {"Linus Berg"};
	char longq[2000];
	int64_t out[8];

	REQUIRE(f);
	/* One talk, two speakers: a first name of one and a last name of the
	 * other are no person. */
	CHECK(!hw_fts_add(f, 7, a, 0) && !hw_fts_add(f, 7, b, 0) && !hw_fts_add(f, 3, c, 0));
	CHECK(!hw_fts_ready(f));
	CHECK_INTEQ(find(f, "linus", HW_FTS_BY_REF, out), 2);
	CHECK(out[0] == 3 && out[1] == 7);
	CHECK_INTEQ(find(f, "linus dubois", HW_FTS_BY_REF, out), 0);
	CHECK_INTEQ(find(f, "aberg", HW_FTS_BY_REF, out), 1);
	CHECK_INTEQ(hw_fts_search(f, "linus", 0, out, 1), 1); /* max is kept */
	memset(longq, 'a', sizeof(longq) - 1);
	longq[sizeof(longq) - 1] = 0;
	CHECK_INTEQ(hw_fts_search(f, longq, HW_FTS_TYPOS, out, 8), 0);
	CHECK(hw_fts_new(0, NULL) == NULL);
	CHECK(hw_fts_new(HW_FTS_MAX_COLS + 1, NULL) == NULL);
	hw_fts_free(f);
	hw_fts_free(NULL);
}

/* hw_fts_rank: any word, stemmed, scored (recommend ranks with it). */
TEST(rank)
{
	static const double w[] = {3.0, 1.0};
	static const char *const rdocs[][2] = {
		{"Parsing iCalendar files", "a parser for calendars"},
		{"Writing a parser in Rust", ""},
		{"Gardening", "calendar of the seasons"},
		{"Time zones", ""},
	};
	struct hw_fts *f = hw_fts_new_ex(2, w, HW_FTS_STEM);
	int64_t refs[8];
	double sc[8];
	long n;

	REQUIRE(f);
	for (size_t i = 0; i < sizeof(rdocs) / sizeof(rdocs[0]); i++)
		CHECK(!hw_fts_add(f, (int64_t)i, rdocs[i], 0));
	CHECK(!hw_fts_ready(f));
	n = hw_fts_rank(f, "parsers calendar", refs, sc, 8);
	CHECK_INTEQ(n, 3);              /* any word; "parsers" finds "parsing" and "parser" */
	CHECK_INTEQ(refs[0], 0);        /* both words, in the title */
	for (long i = 0; i < n; i++)
		CHECK(sc[i] > 0 && (i == 0 || sc[i] <= sc[i - 1]));
	CHECK_INTEQ(hw_fts_rank(f, "xyzzy", refs, sc, 8), 0);
	CHECK_INTEQ(hw_fts_rank(f, "\" OR", refs, sc, 8), 0); /* "or" is a word here */
	CHECK_INTEQ(hw_fts_rank(f, "", refs, sc, 8), 0);
	CHECK_INTEQ(hw_fts_rank(f, "parser", refs, sc, 1), 1);
	hw_fts_free(f);
}

int main(void)
{
	RUN(readings);
	RUN(by_ref_and_limits);
	RUN(rank);
	return test_summary();
}
