/*
 * Query, rendering and diff tests at fixed instants, on the project's
 * sample schedule (plugins/schedule/sample/hallwaycon.json, HallwayCon
 * 2026-11-26/27 in Europe/Brussels) and on small fixtures built here.
 */
#include <stdint.h>
#include <string.h>

#include "sched_test_util.h"

#include "sched_cmd.h"
#include "sched_diff.h"
#include "sched_query.h"
#include "sched_render.h"
#include <hallway/civil.h>

/* 2026-11-26 is a Thursday; CET = UTC+1. */
#define LOCAL(d, h, m) (hw_civil_make(2026, 11, (d), (h), (m), 0) - 3600)

static char *read_sample(size_t *len)
{
	FILE *f = fopen(SCHED_SAMPLE_PATH, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = 0;
	*len = (size_t)n;
	fclose(f);
	return buf;
}

static struct sched *sample(void)
{
	size_t len;
	char *buf = read_sample(&len), err[256];
	struct sched *s = NULL;

	if (buf && sched_load(buf, len, SCHED_FMT_AUTO, NULL, &s, err, sizeof(err)))
		fprintf(stderr, "sample: %s\n", err);
	free(buf);
	return s;
}

static int joined_contains(const struct sched_reply *r, const char *needle)
{
	for (size_t i = 0; i < r->n; i++)
		if (strstr(r->msgs[i], needle))
			return 1;
	return 0;
}

TEST(sample_loads)
{
	struct sched *s = sample();

	REQUIRE(s);
	CHECK_INTEQ(s->ntalks, 29);
	CHECK_INTEQ(s->nrooms, 4);
	CHECK_STREQ(s->tz_name, "Europe/Brussels");
	CHECK_STREQ(s->rooms[1], "Envelope \xE2\x9C\x89\xEF\xB8\x8F");
	const struct sched_talk *t = sched_test_title(s, "Rust and C Side by Side");
	CHECK(t && t->cancelled);
	sched_model_free(s);
}

TEST(next_and_now)
{
	struct sched *s = sample();
	const struct sched_talk *t[8];
	const char *env[] = {"Envelope \xE2\x9C\x89\xEF\xB8\x8F"};
	struct sched_roomset envelope = {env, 1, NULL};
	size_t n;

	REQUIRE(s);
	/* Thursday 10:00: next in every room; the 10:15 talks first. */
	n = sched_query_next(s, LOCAL(26, 10, 0), NULL, t, 8);
	CHECK_INTEQ(n, 4);
	CHECK_INTEQ(t[0]->start, LOCAL(26, 10, 15));
	CHECK_INTEQ(t[2]->start, LOCAL(26, 10, 15));
	CHECK_STREQ(t[3]->room, "Caf\xC3\xA9 Lounge \xE2\x98\x95");
	n = sched_query_next(s, LOCAL(26, 10, 0), &envelope, t, 8);
	CHECK_INTEQ(n, 1);
	CHECK_STREQ(t[0]->title, "Discord Gateway Deep Dive");
	/* Exactly at 10:15 it is "now", not "next". */
	n = sched_query_next(s, LOCAL(26, 10, 15), &envelope, t, 8);
	CHECK(n == 1 && !strcmp(t[0]->title, "Time Zones Are Hard, DST Is Harder"));
	n = sched_query_now(s, LOCAL(26, 10, 15), NULL, t, 8);
	CHECK_INTEQ(n, 3);
	n = sched_query_now(s, LOCAL(26, 10, 50), NULL, t, 8);
	CHECK_INTEQ(n, 2); /* the keynote until 11:00 and the workshop */
	/* Friday 11:00: the cancelled 11:15 talk in Envelope is skipped. */
	n = sched_query_next(s, LOCAL(27, 11, 0), &envelope, t, 8);
	CHECK(n == 1 && !strcmp(t[0]->title, "Observability for Small Services"));
	n = sched_query_now(s, LOCAL(27, 11, 20), &envelope, t, 8);
	CHECK_INTEQ(n, 0);
	/* Thursday evening: the next talks are Friday morning's. */
	n = sched_query_next(s, LOCAL(26, 20, 0), NULL, t, 8);
	CHECK(n >= 1 && t[0]->start == LOCAL(27, 9, 30));
	/* Friday evening: Saturday is the sprints day, kick-off first. */
	n = sched_query_next(s, LOCAL(27, 20, 0), NULL, t, 8);
	CHECK_INTEQ(n, 3); /* the kick-off, then both sprints at 10:00 */
	CHECK(n >= 1 && !strcmp(t[0]->title, "Sprints Kick-off") && t[0]->start == LOCAL(28, 9, 30));
	n = sched_query_now(s, LOCAL(28, 14, 0), NULL, t, 8);
	CHECK(n == 2 && !strncmp(t[0]->title, "Sprint: ", 8) && !strncmp(t[1]->title, "Sprint: ", 8));
	/* After the end: nothing. */
	CHECK_INTEQ(sched_query_next(s, LOCAL(28, 17, 0), NULL, t, 8), 0);
	sched_model_free(s);
}

TEST(days)
{
	struct sched *s = sample();
	const struct sched_talk *t[64];
	struct hw_civil d;

	REQUIRE(s);
	CHECK_INTEQ(sched_query_day(s, 2026, 11, 26, NULL, t, 64), 14);
	CHECK_INTEQ(sched_query_day(s, 2026, 11, 27, NULL, t, 64), 11);
	CHECK_INTEQ(sched_query_day(s, 2026, 11, 28, NULL, t, 64), 4); /* sprints day */
	CHECK_INTEQ(sched_query_day(s, 2026, 11, 29, NULL, t, 64), 0);
	CHECK(sched_query_parse_day(s, "friday", LOCAL(26, 9, 0), &d) == 0 && d.day == 27);
	CHECK(sched_query_parse_day(s, "Thu", LOCAL(27, 9, 0), &d) == 0 && d.day == 26);
	CHECK(sched_query_parse_day(s, "2", LOCAL(26, 9, 0), &d) == 0 && d.day == 27);
	CHECK(sched_query_parse_day(s, "26", LOCAL(20, 9, 0), &d) == 0 && d.day == 26);
	CHECK(sched_query_parse_day(s, "2026-11-27", 0, &d) == 0 && d.day == 27);
	CHECK(sched_query_parse_day(s, "today", LOCAL(26, 23, 30), &d) == 0 && d.day == 26);
	/* 23:30 UTC on the 26th is 00:30 on the 27th in Brussels. */
	CHECK(sched_query_parse_day(s, "today", hw_civil_make(2026, 11, 26, 23, 30, 0), &d) == 0 &&
	      d.day == 27);
	CHECK(sched_query_parse_day(s, "tomorrow", LOCAL(26, 9, 0), &d) == 0 && d.day == 27);
	CHECK(sched_query_parse_day(s, "someday", 0, &d) != 0);
	sched_model_free(s);
}

/* A hand-built schedule around the spring-forward night in Brussels. */
TEST(dst_day)
{
	struct sched *s = sched_model_new();
	const struct sched_talk *t[8];
	struct sched_talk *a, *b, *c;
	char span[96];

	REQUIRE(s);
	a = sched_model_add(s);
	b = sched_model_add(s);
	c = sched_model_add(s);
	REQUIRE(a && b && c);
	sched_model_set(&a->title, "Late night (Saturday 23:30 CET)");
	a->start = hw_civil_make(2026, 3, 28, 22, 30, 0);
	a->end = a->start + 3600;
	sched_model_set(&b->title, "Before the gap (01:30 CET)");
	b->start = hw_civil_make(2026, 3, 29, 0, 30, 0);
	b->end = b->start + 3600; /* ends 03:30 CEST: an hour that lasts one hour */
	sched_model_set(&c->title, "After the gap (03:30 CEST)");
	c->start = hw_civil_make(2026, 3, 29, 1, 30, 0);
	c->end = c->start + 1800;
	REQUIRE(sched_model_finish(s, "Europe/Brussels", 0, 0) == 0);
	CHECK_INTEQ(sched_query_day(s, 2026, 3, 29, NULL, t, 8), 2);
	CHECK_INTEQ(sched_query_day(s, 2026, 3, 28, NULL, t, 8), 1);
	sched_render_span(s, b, span, sizeof(span));
	CHECK_STREQ(span, "Sun 01:30\xE2\x80\x93" "03:30 (Europe/Brussels)");
	sched_render_span(s, c, span, sizeof(span));
	CHECK_STREQ(span, "Sun 03:30\xE2\x80\x93" "04:00 (Europe/Brussels)");
	sched_model_free(s);
}

/* A conference over the autumn change in Brussels (Sunday 2026-10-25,
 * 03:00 CEST -> 02:00 CET): 02:30 happens twice, once per offset. Shared
 * with tests/integration/test_schedule.py, which asks the same under
 * other server zones. */
static const char dst_conf[] =
	"{\"schedule\": {\"version\": \"1\", \"conference\": {\"title\": \"FallBackConf\", "
	"\"time_zone_name\": \"Europe/Brussels\", \"days\": [{\"index\": 1, "
	"\"date\": \"2026-10-24\", \"rooms\": {\"Hall\": ["
	"{\"guid\": \"a\", \"title\": \"Saturday Closing\", \"date\": "
	"\"2026-10-24T17:00:00+02:00\", \"duration\": \"00:30\"},"
	"{\"guid\": \"b\", \"title\": \"Night Owls (first 02:30)\", \"date\": "
	"\"2026-10-25T02:30:00+02:00\", \"duration\": \"01:00\"},"
	"{\"guid\": \"c\", \"title\": \"Second Chance (second 02:30)\", \"date\": "
	"\"2026-10-25T02:30:00+01:00\", \"duration\": \"00:30\"},"
	"{\"guid\": \"d\", \"title\": \"Sunday Keynote\", \"date\": "
	"\"2026-10-25T10:00:00+01:00\", \"duration\": \"00:45\"}]}}]}}}";

TEST(dst_fall_back)
{
	struct sched *s = NULL;
	const struct sched_talk *t[8];
	struct sched_reply r = {0};
	char span[96], err[200];
	size_t n;

	REQUIRE(sched_load(dst_conf, sizeof(dst_conf) - 1, SCHED_FMT_AUTO, NULL, &s, err,
			   sizeof(err)) == 0);
	/* Before the change: Saturday 17:10 CEST is 15:10 UTC. */
	n = sched_query_now(s, hw_civil_make(2026, 10, 24, 15, 10, 0), NULL, t, 8);
	CHECK(n == 1 && !strcmp(t[0]->title, "Saturday Closing"));
	sched_render_span(s, t[0], span, sizeof(span));
	CHECK_STREQ(span, "Sat 17:00\xE2\x80\x93" "17:30 (Europe/Brussels)");
	n = sched_query_next(s, hw_civil_make(2026, 10, 24, 18, 0, 0), NULL, t, 8);
	CHECK(n == 1 && !strcmp(t[0]->title, "Night Owls (first 02:30)"));
	CHECK(n == 1 && t[0]->start == hw_civil_make(2026, 10, 25, 0, 30, 0));
	/* Between the two 02:30s (02:45 CEST = 00:45 UTC). */
	n = sched_query_now(s, hw_civil_make(2026, 10, 25, 0, 45, 0), NULL, t, 8);
	CHECK(n == 1 && !strcmp(t[0]->title, "Night Owls (first 02:30)"));
	sched_render_span(s, t[0], span, sizeof(span));
	CHECK_STREQ(span, "Sun 02:30\xE2\x80\x93" "02:30 (Europe/Brussels)"); /* one hour */
	n = sched_query_next(s, hw_civil_make(2026, 10, 25, 0, 45, 0), NULL, t, 8);
	CHECK(n == 1 && !strcmp(t[0]->title, "Second Chance (second 02:30)"));
	CHECK(n == 1 && t[0]->start == hw_civil_make(2026, 10, 25, 1, 30, 0));
	/* After the change: 02:40 CET = 01:40 UTC; the night owls are over. */
	n = sched_query_now(s, hw_civil_make(2026, 10, 25, 1, 40, 0), NULL, t, 8);
	CHECK(n == 1 && !strcmp(t[0]->title, "Second Chance (second 02:30)"));
	sched_render_span(s, t[0], span, sizeof(span));
	CHECK_STREQ(span, "Sun 02:30\xE2\x80\x93" "03:00 (Europe/Brussels)");
	n = sched_query_next(s, hw_civil_make(2026, 10, 25, 1, 40, 0), NULL, t, 8);
	CHECK(n == 1 && !strcmp(t[0]->title, "Sunday Keynote"));
	CHECK(n == 1 && t[0]->start == hw_civil_make(2026, 10, 25, 9, 0, 0)); /* 10:00 CET */
	/* Days: Saturday has one talk, Sunday (a 25-hour day) three. */
	CHECK_INTEQ(sched_query_day(s, 2026, 10, 24, NULL, t, 8), 1);
	CHECK_INTEQ(sched_query_day(s, 2026, 10, 25, NULL, t, 8), 3);
	/* "today" late on Sunday (23:30 CET = 22:30 UTC) is still Sunday. */
	REQUIRE(sched_cmd_day(s, hw_civil_make(2026, 10, 25, 22, 30, 0), "today", &r) == 0);
	CHECK(r.n >= 1 && strstr(r.msgs[0], "**Sunday 25 Oct**: 3 talks"));
	sched_reply_free(&r);
	/* "today" at 23:30 UTC on Saturday is 01:30 CEST on Sunday. */
	REQUIRE(sched_cmd_day(s, hw_civil_make(2026, 10, 24, 23, 30, 0), "today", &r) == 0);
	CHECK(r.n >= 1 && strstr(r.msgs[0], "**Sunday 25 Oct**: 3 talks"));
	sched_reply_free(&r);
	sched_model_free(s);
}

TEST(search_and_speakers)
{
	struct sched *s = sample();
	const struct sched_talk *t[8];
	size_t n;

	REQUIRE(s);
	n = sched_query_search(s, "time zones", t, 8);
	CHECK(n >= 1 && !strcmp(t[0]->title, "Time Zones Are Hard, DST Is Harder"));
	n = sched_query_search(s, "UNICODE", t, 8);
	CHECK(n >= 1 && strstr(t[0]->title, "Internationalisation"));
	n = sched_query_search(s, "grace", t, 8);
	CHECK_INTEQ(n, 2);
	n = sched_query_search(s, "rust", t, 8);
	CHECK(n == 1 && t[0]->cancelled);
	n = sched_query_search(s, "workshop slash", t, 8);
	CHECK(n >= 1 && strstr(t[0]->title, "Slash Commands"));
	CHECK_INTEQ(sched_query_search(s, "xyzzy", t, 8), 0);
	CHECK_INTEQ(sched_query_search(s, "   ", t, 8), 0);
	/* Typos and run-together words find the talk when nothing exact does
	 * (issue 13: they found nothing and suggested nothing). */
	n = sched_query_search(s, "tiem zones", t, 8);
	CHECK(n == 1 && !strcmp(t[0]->title, "Time Zones Are Hard, DST Is Harder"));
	n = sched_query_search(s, "timezone", t, 8); /* and the sprint's "time zone data" */
	CHECK(n >= 1 && !strcmp(t[0]->title, "Time Zones Are Hard, DST Is Harder"));
	CHECK_INTEQ(sched_query_search(s, "tiem xyzzy", t, 8), 0);
	/* Speakers: case and accents do not matter. */
	/* Two talks and the Zoneinfo Café sprint. */
	CHECK_INTEQ(sched_query_speaker(s, "chloe dubois", t, 8), 3);
	CHECK_INTEQ(sched_query_speaker(s, "CHLO\xC3\x89", t, 8), 3);
	CHECK_INTEQ(sched_query_speaker(s, "Linus \xC3\x85" "berg", t, 8), 2);
	CHECK_INTEQ(sched_query_speaker(s, "aberg", t, 8), 2);
	CHECK_INTEQ(sched_query_speaker(s, "zoe", t, 8), 3); /* and the hallway sprint */
	CHECK_INTEQ(sched_query_speaker(s, "chleo", t, 8), 0);
	sched_model_free(s);
}

TEST(render_talk)
{
	struct sched *s = sample();
	struct sched_reply r = {0};
	const struct sched_talk *t;

	REQUIRE(s);
	t = sched_test_title(s, "Discord Gateway Deep Dive");
	REQUIRE(t);
	CHECK(sched_render_talk(s, t, &r) == 0);
	REQUIRE(r.n == 1);
	fprintf(stderr, "  rendered: %s\n", r.msgs[0]);
	CHECK(strstr(r.msgs[0], "**Discord Gateway Deep Dive**"));
	CHECK(strstr(r.msgs[0], "Envelope \xE2\x9C\x89\xEF\xB8\x8F"));
	CHECK(strstr(r.msgs[0], "<t:1795684500:t>"));
	CHECK(strstr(r.msgs[0], "<t:1795684500:R>"));
	CHECK(strstr(r.msgs[0], "Thu 10:15\xE2\x80\x93" "10:45 (Europe/Brussels)"));
	CHECK(strstr(r.msgs[0], "Linus \xC3\x85" "berg"));
	CHECK(strstr(r.msgs[0], "<https://hallwaycon.example.org/2026/talk/"));
	sched_reply_free(&r);
	t = sched_test_title(s, "Rust and C Side by Side");
	REQUIRE(t);
	CHECK(sched_render_talk(s, t, &r) == 0);
	CHECK(r.n == 1 && strstr(r.msgs[0], "~~Rust and C Side by Side~~ **CANCELLED**"));
	sched_reply_free(&r);
	sched_model_free(s);
}

TEST(escape)
{
	char buf[128];

	sched_render_escape("@everyone *bold* `code`\nline", buf, sizeof(buf), 100);
	CHECK_STREQ(buf, "@\xE2\x80\x8B" "everyone \\*bold\\* \\`code\\` line");
	sched_render_escape("# heading - x", buf, sizeof(buf), 100);
	CHECK_STREQ(buf, "\\# heading - x");
	/* Cut on a character boundary, with an ellipsis. */
	sched_render_escape("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", buf, sizeof(buf), 9);
	CHECK_STREQ(buf, "\xC3\xA9\xC3\xA9\xE2\x80\xA6");
}

TEST(commands_text)
{
	struct sched *s = sample();
	struct sched_reply r = {0};

	REQUIRE(s);
	CHECK(sched_cmd_next(NULL, 0, NULL, &r) == 0);
	CHECK(r.n == 1 && !strcmp(r.msgs[0], "No schedule loaded yet."));
	sched_reply_free(&r);
	CHECK(sched_cmd_next(s, LOCAL(26, 10, 0), "envelope", &r) == 0);
	CHECK(joined_contains(&r, "Next in **Envelope \xE2\x9C\x89\xEF\xB8\x8F**"));
	CHECK(joined_contains(&r, "Discord Gateway Deep Dive"));
	sched_reply_free(&r);
	CHECK(sched_cmd_next(s, LOCAL(26, 10, 0), "envlope", &r) == 0);
	CHECK(joined_contains(&r, "No room matches \"envlope\". Did you mean **Envelope"));
	sched_reply_free(&r);
	CHECK(sched_cmd_now(s, LOCAL(26, 12, 20), "main hall", &r) == 0);
	CHECK(joined_contains(&r, "Nothing is on in **Main Hall** right now."));
	CHECK(joined_contains(&r, "Accessibility in Chat Interfaces"));
	sched_reply_free(&r);
	CHECK(sched_cmd_day(s, LOCAL(26, 8, 0), "fri envelope", &r) == 0);
	CHECK(joined_contains(&r, "**Friday 27 Nov** in Envelope"));
	CHECK(joined_contains(&r, "~~Rust and C Side by Side~~ (cancelled)"));
	CHECK(!joined_contains(&r, "Main Hall"));
	sched_reply_free(&r);
	CHECK(sched_cmd_day(s, 0, "blursday", &r) == 0);
	CHECK(joined_contains(&r, "I don't know which day \"blursday\" is"));
	sched_reply_free(&r);
	CHECK(sched_cmd_speaker(s, "chleo dubois", &r) == 0);
	CHECK(joined_contains(&r, "Did you mean **Chlo\xC3\xA9 Dubois**?"));
	sched_reply_free(&r);
	CHECK(sched_cmd_rooms(s, &r) == 0);
	CHECK(joined_contains(&r, "**4 rooms:**"));
	sched_reply_free(&r);
	sched_model_free(s);
}

TEST(big_day_splits)
{
	struct sched *s = sched_test_load("schedules/fosdem2025-schedule.xml", SCHED_FMT_AUTO, NULL,
					  NULL);
	struct sched_reply r = {0};

	REQUIRE(s);
	CHECK(sched_cmd_day(s, 0, "2025-02-01", &r) == 0);
	CHECK(r.n >= 2 && r.n <= SCHED_CMD_MAX_DAY_MSGS + 1);
	for (size_t i = 0; i < r.n; i++)
		CHECK(strlen(r.msgs[i]) <= SCHED_RENDER_MSG_MAX);
	CHECK(joined_contains(&r, "470 talks"));
	CHECK(joined_contains(&r, "not shown"));
	sched_reply_free(&r);
	sched_model_free(s);
}

TEST(diff)
{
	struct sched *a = sample(), *b = sample();
	size_t changes = 99;
	json_t *d;
	struct sched_talk *t;

	REQUIRE(a && b);
	d = sched_diff(a, b, &changes);
	CHECK(d && changes == 0);
	json_decref(d);
	/* Move one talk, cancel one, remove one (new id), add it back. */
	t = (struct sched_talk *)sched_test_title(b, "Discord Gateway Deep Dive");
	REQUIRE(t);
	t->start += 1800;
	t = (struct sched_talk *)sched_test_title(b, "Organising Sprints That Ship");
	REQUIRE(t);
	t->cancelled = 1;
	t = (struct sched_talk *)sched_test_title(b, "Lightning Talks");
	REQUIRE(t);
	sched_model_set(&t->id, "new-lightning");
	d = sched_diff(a, b, &changes);
	REQUIRE(d);
	CHECK_INTEQ(changes, 4);
	json_t *moved = json_array_get(json_object_get(d, "moved"), 0);
	CHECK_STREQ(json_string_value(json_object_get(moved, "title")), "Discord Gateway Deep Dive");
	CHECK_INTEQ(json_integer_value(json_object_get(moved, "old_start")), 1795684500);
	CHECK_INTEQ(json_integer_value(json_object_get(moved, "new_start")), 1795684500 + 1800);
	CHECK_INTEQ(json_array_size(json_object_get(d, "cancelled")), 1);
	CHECK_INTEQ(json_array_size(json_object_get(d, "removed")), 1);
	CHECK_INTEQ(json_array_size(json_object_get(d, "added")), 1);
	CHECK(json_is_null(json_object_get(json_array_get(json_object_get(d, "added"), 0),
					   "old_start")));
	json_decref(d);
	d = sched_diff(NULL, b, &changes);
	CHECK(d && changes == 27); /* all but the two cancelled ones */
	json_decref(d);
	sched_model_free(a);
	sched_model_free(b);
}

int main(void)
{
	RUN(sample_loads);
	RUN(next_and_now);
	RUN(days);
	RUN(dst_fall_back);
	RUN(dst_day);
	RUN(search_and_speakers);
	RUN(render_talk);
	RUN(escape);
	RUN(commands_text);
	RUN(big_day_splits);
	RUN(diff);
	return test_summary();
}
