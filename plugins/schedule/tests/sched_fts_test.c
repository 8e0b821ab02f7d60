/*
 * Talk and speaker search through FTS5 (sched_fts.c), on the sample
 * conference (plugins/schedule/sample/hallwaycon.json) and on real
 * schedules from ../shared/data/schedules: words, accents, typos, words
 * inside words, words run together, and the cache across schedules.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/text.h>

#include "sched_test_util.h"

#include "sched_cmd.h"
#include "sched_cmd_model.h"
#include "sched_fts.h"
#include "sched_render.h"
#include "sched_match.h"
#include "sched_query.h"

static struct sched *sample(void)
{
	char err[256];
	size_t len = 0;
	struct sched *s = NULL;
	FILE *f = fopen(SCHED_SAMPLE_PATH, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
		buf[n] = 0;
		len = (size_t)n;
		if (sched_load(buf, len, SCHED_FMT_AUTO, NULL, &s, err, sizeof(err)))
			fprintf(stderr, "sample: %s\n", err);
	}
	free(buf);
	fclose(f);
	return s;
}

/* The titles found for q, for the failure message. */
/* 1 when text (may be NULL), folded, holds word. */
static int folded_has(const char *text, const char *word)
{
	char *f = text ? hw_fold(text) : NULL;
	int has = f && strstr(f, word) != NULL;
	free(f);
	return has;
}

static size_t search(const struct sched *s, const char *q, const struct sched_talk **t,
		     size_t max)
{
	size_t n = sched_fts_search(s, q, t, max);
	fprintf(stderr, "  \"%s\":", q);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, " [%s]", t[i]->title);
	fprintf(stderr, "\n");
	return n;
}

#define FIRST_IS(q, want)                                                                      \
	do {                                                                                   \
		size_t n_ = search(s, (q), t, 8);                                              \
		CHECK(n_ >= 1 && !strcmp(t[0]->title, (want)));                                \
	} while (0)

TEST(sample_words)
{
	struct sched *s = sample();
	const struct sched_talk *t[8];
	const char *tz = "Time Zones Are Hard, DST Is Harder";

	REQUIRE(s);
	FIRST_IS("time zones", tz);
	FIRST_IS("TIME ZONES", tz);
	FIRST_IS("tim zon", tz);          /* word prefixes */
	CHECK_INTEQ(search(s, "tiem zones", t, 8), 1); /* a swap in a short word */
	CHECK(!strcmp(t[0]->title, tz));
	/* Two words run together; the sprint's abstract says "time zone" too. */
	FIRST_IS("timezone", tz);
	FIRST_IS("timezones", tz);
	FIRST_IS("tmie zoens", tz);
	CHECK_INTEQ(search(s, "tiem xyzzy", t, 8), 0); /* every word must match */
	CHECK_INTEQ(search(s, "xyzzy", t, 8), 0);
	CHECK_INTEQ(search(s, "  ,;  ", t, 8), 0);
	CHECK_INTEQ(search(s, "\xE2\x98\x95", t, 8), 0); /* an emoji alone is no word */
	CHECK_INTEQ(search(s, "", t, 8), 0);
	/* A whole title ranks first. */
	FIRST_IS("Discord Gateway Deep Dive", "Discord Gateway Deep Dive");
	FIRST_IS("discord gateway", "Discord Gateway Deep Dive");
	/* A cancelled talk is found, after the others. */
	CHECK_INTEQ(search(s, "rust", t, 8), 1);
	CHECK(t[0]->cancelled);
	sched_model_free(s);
}

TEST(sample_speakers)
{
	struct sched *s = sample();
	const struct sched_talk *t[8];

	REQUIRE(s);
	CHECK_INTEQ(sched_fts_speaker(s, "chloe dubois", t, 8), 3);
	CHECK_INTEQ(sched_fts_speaker(s, "CHLO\xC3\x89", t, 8), 3);
	CHECK_INTEQ(sched_fts_speaker(s, "aberg", t, 8), 2);
	CHECK_INTEQ(sched_fts_speaker(s, "Linus \xC3\x85" "berg", t, 8), 2);
	CHECK_INTEQ(sched_fts_speaker(s, "chleo", t, 8), 0); /* the command suggests */
	CHECK_INTEQ(sched_fts_speaker(s, "", t, 8), 0);
	/* Speakers of one talk are not one person: a first name of one and
	 * the last name of another find nothing. */
	CHECK_INTEQ(sched_fts_speaker(s, "linus dubois", t, 8), 0);
	/* Talk search reads speakers too. */
	CHECK(search(s, "linus", t, 8) >= 2);
	sched_model_free(s);
}

TEST(rooms_with_emoji)
{
	struct sched *s = sample();
	size_t idx[4], n = 0;

	REQUIRE(s);
	/* `next ☕`: the room "Café Lounge ☕". */
	CHECK_INTEQ(sched_match((const char *const *)s->rooms, s->nrooms, "\xE2\x98\x95", idx, 4, &n),
		    SCHED_MATCH_FOUND);
	CHECK(n == 1 && strstr(s->rooms[idx[0]], "Caf"));
	CHECK_INTEQ(sched_match((const char *const *)s->rooms, s->nrooms, "cafe", idx, 4, &n),
		    SCHED_MATCH_FOUND);
	CHECK_INTEQ(sched_match((const char *const *)s->rooms, s->nrooms, "lounge \xE2\x98\x95\xEF\xB8\x8F",
				idx, 4, &n),
		    SCHED_MATCH_FOUND);
	sched_model_free(s);
}

/* `day <when> [room]` reads the day with the shared phrase reader
 * (sched_when.c): the first reply line for each phrase. */
TEST(day_phrases)
{
	static const struct {
		const char *when, *want;
	} cases[] = {
		{"the 27th", "Friday 27 Nov"},
		{"27 nov", "Friday 27 Nov"},
		{"nov 27 main hall", "Friday 27 Nov** in Main Hall"},
		{"27/11", "Friday 27 Nov"},
		{"fri envelope", "Friday 27 Nov** in Envelope"},
		{"2", "Friday 27 Nov"}, /* the conference's second day */
		{"11/12", "could be 11 Dec or Nov 12"},
		{"31 nov", "There is no 31 Nov"},
		{"someday", "I don't know which day \"someday\" is"},
	};
	struct sched *s = sample();
	/* Thursday 2026-11-26 09:00 in Brussels. */
	int64_t now = hw_civil_make(2026, 11, 26, 8, 0, 0);

	REQUIRE(s);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sched_reply r = {0};
		CHECK_INTEQ(sched_cmd_day(s, now, cases[i].when, &r), 0);
		fprintf(stderr, "  day %s: %.80s\n", cases[i].when, r.n ? r.msgs[0] : "(none)");
		CHECK(r.n >= 1 && strstr(r.msgs[0], cases[i].want));
		sched_reply_free(&r);
	}
	/* The reply model's day (sched_cmd_model.c) reads it the same way. */
	{
		static const struct {
			const char *when, *want;
		} model[] = {
			{"the 27th", "\"Friday 27 Nov: 11 talks\""},
			{"nov 27 main hall", "\"Friday 27 Nov in Main Hall: 5 talks\""},
			{"11/12", "could be 11 Dec or Nov 12"},
		};
		struct sched_answer a = {now, NULL, 0, 0, NULL};
		for (size_t i = 0; i < sizeof(model) / sizeof(model[0]); i++) {
			json_t *m = sched_answer_day(s, &a, model[i].when);
			char *dump = m ? json_dumps(m, 0) : NULL;
			fprintf(stderr, "  model day %s: %s / %s\n", model[i].when,
				m && json_object_get(m, "title") ? json_string_value(json_object_get(m, "title")) : "",
				m && json_object_get(m, "text") ? json_string_value(json_object_get(m, "text")) : "");
			CHECK(dump && strstr(dump, model[i].want));
			free(dump);
			json_decref(m);
		}
	}
	sched_model_free(s);
}

/* A real schedule: FOSDEM 2025 (943 talks), then another schedule at
 * once (the cache follows the schedule asked about). */
TEST(real_schedules)
{
	struct sched *fosdem = sched_test_load("schedules/fosdem2025-schedule.xml", SCHED_FMT_AUTO,
					       NULL, NULL);
	struct sched *pycon = sched_test_load("schedules/pyconus2024-conference.json",
					      SCHED_FMT_AUTO, NULL, NULL);
	const struct sched_talk *t[8];
	size_t n;

	REQUIRE(fosdem);
	REQUIRE(pycon);
	n = search(fosdem, "rust", t, 8);
	CHECK_INTEQ(n, 8);
	for (size_t i = 0; i < n; i++)
		CHECK(strstr(t[i]->f_title, "rust") || strstr(t[i]->f_people, "rust") ||
		      strstr(t[i]->f_meta, "rust") || folded_has(t[i]->subtitle, "rust") ||
		      folded_has(t[i]->abstract, "rust"));
	n = search(fosdem, "webassembly", t, 8);
	CHECK(n >= 1);
	n = search(fosdem, "webasembly", t, 8); /* a typo in a long word */
	CHECK(n >= 1);
	n = search(pycon, "packaging", t, 8);
	CHECK(n >= 1);
	n = search(pycon, "pakaging", t, 8);
	CHECK(n >= 1);
	/* A speaker's every talk, however many (no cut at a fixed size). */
	{
		const struct sched_talk **all = malloc(fosdem->ntalks * sizeof(*all));
		size_t k, most = 0;
		const char *who = NULL;
		REQUIRE(all);
		for (size_t i = 0; i < fosdem->ntalks; i++)
			if (fosdem->talks[i].nspeakers && !who)
				who = fosdem->talks[i].speakers[0];
		k = sched_fts_speaker(fosdem, who, all, fosdem->ntalks);
		for (size_t i = 0; i < fosdem->ntalks; i++)
			for (size_t j = 0; j < fosdem->talks[i].nspeakers; j++)
				most += !strcmp(fosdem->talks[i].speakers[j], who);
		CHECK(k >= most && most >= 1);
		free(all);
	}
	n = search(fosdem, "rust", t, 8); /* back to the first: rebuilt, same answer */
	CHECK_INTEQ(n, 8);
	sched_model_free(pycon);
	sched_model_free(fosdem);
	sched_fts_release();
}

int main(void)
{
	RUN(sample_words);
	RUN(sample_speakers);
	RUN(rooms_with_emoji);
	RUN(day_phrases);
	RUN(real_schedules);
	sched_fts_release();
	return test_summary();
}
