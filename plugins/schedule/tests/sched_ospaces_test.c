/*
 * Issue 21 on the schedule's side: `next openspaces` and `now openspaces`
 * from a board as "openspaces.board" carries it, on the sample conference
 * (HallwayCon, Thursday 26 November 2026 in Brussels): the keyword, the
 * next open space of each room, a room, now, paging, a board nobody
 * answered for, and the "also 2 open spaces" under a plain `next`. Two
 * answers are kept as golden models, which test_reply_model draws for
 * every door.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "golden_model.h"
#include "sched_cmd_model.h"
#include "sched_load.h"
#include "sched_ospaces.h"
#include "testlib.h"

#define THU_1000 1795683600LL /* Thu 26 Nov 2026 10:00 in Brussels */
#define H 3600LL

/* Five open spaces: two at 11:00, one at 14:00 in Room A, one on Friday,
 * and one running at 10:00 in the Garden. */
static json_t *board(void)
{
	return json_pack(
		"{s:i, s:s, s:[{s:i, s:s, s:s, s:I, s:I, s:s, s:i},"
		" {s:i, s:s, s:s, s:I, s:I, s:s, s:i}, {s:i, s:s, s:s, s:I, s:I, s:s, s:i},"
		" {s:i, s:s, s:s, s:I, s:I, s:s, s:i}, {s:i, s:s, s:s, s:I, s:I, s:s, s:i}]}",
		"version", 1, "timezone", "Europe/Brussels", "spaces",
		"id", 5, "title", "Early birds", "room", "Garden", "start", THU_1000 - H / 2,
		"end", THU_1000 + H / 2, "host", "Dan", "going", 1,
		"id", 1, "title", "Packaging war stories", "room", "Room A", "start", THU_1000 + H,
		"end", THU_1000 + 2 * H, "host", "Ann", "going", 2,
		"id", 2, "title", "Rust in production", "room", "Garden", "start", THU_1000 + H,
		"end", THU_1000 + 2 * H, "host", "Bob", "going", 1,
		"id", 3, "title", "Docs", "room", "Room A", "start", THU_1000 + 4 * H, "end",
		THU_1000 + 5 * H, "host", "Cat", "going", 1,
		"id", 4, "title", "Friday", "room", "Room A", "start", THU_1000 + 24 * H, "end",
		THU_1000 + 25 * H, "host", "Eve", "going", 1);
}

static json_t *item(const json_t *m, size_t i)
{
	return json_array_get(json_object_get(m, "items"), i);
}

static const char *field(const json_t *m, size_t i, const char *key)
{
	const char *v = json_string_value(json_object_get(item(m, i), key));
	return v ? v : "";
}

static const char *mstr(const json_t *m, const char *key)
{
	const char *v = json_string_value(json_object_get(m, key));
	return v ? v : "";
}

static json_t *ask(const json_t *b, int64_t now, const char *rooms, int is_next, size_t page,
		   size_t per)
{
	struct sched_ospaces_ask q = {b, now, rooms, "next openspaces", page, per, is_next};
	return sched_ospaces_answer(&q);
}

static struct sched *sample(void)
{
	struct sched *s = NULL;
	char err[256], *buf = calloc(1, 1 << 20);
	size_t len = 0;
	FILE *f = fopen(SCHED_SAMPLE_PATH, "rb");
	if (f && buf)
		len = fread(buf, 1, (1 << 20) - 1, f);
	if (f)
		fclose(f);
	if (!len || sched_load(buf, len, SCHED_FMT_AUTO, "Europe/Brussels", &s, err, sizeof(err)))
		s = NULL;
	free(buf);
	return s;
}

TEST(keyword)
{
	int two = -1;
	CHECK_STREQ(sched_ospaces_keyword("openspaces", &two), "");
	CHECK_INTEQ(two, 0);
	CHECK_STREQ(sched_ospaces_keyword("  OpenSpace  room a", &two), "room a");
	CHECK_STREQ(sched_ospaces_keyword("open spaces garden", &two), "garden");
	CHECK_INTEQ(two, 1);
	CHECK_STREQ(sched_ospaces_keyword("Open-Spaces", &two), "");
	CHECK(sched_ospaces_keyword("openspacesx", &two) == NULL);
	CHECK(sched_ospaces_keyword("open", &two) == NULL);
	CHECK(sched_ospaces_keyword("envelope", &two) == NULL);
	CHECK(sched_ospaces_keyword(NULL, &two) == NULL);
}

TEST(next_each_room)
{
	json_t *b = board(), *m;

	/* 10:00: the next of each room, that day: Room A's and the Garden's
	 * 11:00 (not Room A's 14:00, not Friday's, not the running one). */
	REQUIRE((m = ask(b, THU_1000, "", 1, 1, 8)));
	CHECK_STREQ(mstr(m, "title"), "Next open spaces");
	CHECK_STREQ(mstr(m, "zone"), "Europe/Brussels");
	CHECK_INTEQ(json_array_size(json_object_get(m, "items")), 2);
	CHECK_STREQ(field(m, 0, "kind"), "openspace");
	CHECK_STREQ(field(m, 0, "title"), "Rust in production"); /* same start: by room */
	CHECK_STREQ(field(m, 0, "room"), "Garden");
	CHECK_STREQ(field(m, 1, "title"), "Packaging war stories");
	CHECK_STREQ(field(m, 1, "host"), "Ann");
	CHECK_STREQ(field(m, 1, "id"), "1");
	CHECK_STREQ(field(m, 1, "note"), "To go: openspace join 1");
	CHECK_INTEQ(json_integer_value(json_object_get(item(m, 1), "start")), (THU_1000 + H) * 1000);
	CHECK_INTEQ(json_integer_value(json_object_get(item(m, 1), "end")), (THU_1000 + 2 * H) * 1000);
	CHECK_INTEQ(json_integer_value(json_object_get(item(m, 1), "count")), 1); /* host aside */
	CHECK(json_object_get(item(m, 0), "count") == NULL); /* nobody joined */
	CHECK(json_object_get(m, "more") == NULL);
	json_decref(m);

	/* 11:30: Room A's 14:00; Friday's is more than a day's slots away. */
	REQUIRE((m = ask(b, THU_1000 + H + H / 2, "", 1, 1, 8)));
	CHECK_INTEQ(json_array_size(json_object_get(m, "items")), 1);
	CHECK_STREQ(field(m, 0, "title"), "Docs");
	json_decref(m);

	/* After the last: said so, with the way to take a slot. */
	REQUIRE((m = ask(b, THU_1000 + 30 * H, "", 1, 1, 8)));
	CHECK_INTEQ(json_array_size(json_object_get(m, "items")), 0);
	CHECK(strstr(mstr(m, "text"), "No more open spaces on the board.") != NULL);
	CHECK(strstr(mstr(m, "text"), "openspace propose") != NULL);
	json_decref(m);
	json_decref(b);
}

TEST(a_room)
{
	json_t *b = board(), *m;

	/* The shared forgiving matching: a word of the name, any case. */
	REQUIRE((m = ask(b, THU_1000, "room a", 1, 1, 8)));
	CHECK_STREQ(mstr(m, "title"), "Next open spaces in Room A");
	CHECK_INTEQ(json_array_size(json_object_get(m, "items")), 1);
	CHECK_STREQ(field(m, 0, "title"), "Packaging war stories");
	json_decref(m);
	REQUIRE((m = ask(b, THU_1000, "GARDEN", 0, 1, 8)));
	CHECK_STREQ(mstr(m, "title"), "Open spaces on now in Garden");
	CHECK_STREQ(field(m, 0, "title"), "Early birds");
	json_decref(m);
	REQUIRE((m = ask(b, THU_1000, "gardn", 0, 1, 8)));
	CHECK_STREQ(mstr(m, "text"), "No open-space room matches \"gardn\". Did you mean Garden?");
	json_decref(m);
	REQUIRE((m = ask(b, THU_1000, "kitchen", 1, 1, 8)));
	CHECK_INTEQ(json_array_size(json_object_get(m, "items")), 0);
	CHECK(strstr(mstr(m, "text"), "No open-space room matches \"kitchen\".") != NULL);
	CHECK(strstr(mstr(m, "text"), "Rooms on the board: Garden, Room A") != NULL);
	json_decref(m);
	json_decref(b);
}

TEST(now_and_next_up)
{
	json_t *b = board(), *m;

	REQUIRE((m = ask(b, THU_1000, "", 0, 1, 8)));
	CHECK_STREQ(mstr(m, "title"), "Open spaces on now");
	CHECK_INTEQ(json_array_size(json_object_get(m, "items")), 1);
	CHECK_STREQ(field(m, 0, "title"), "Early birds");
	json_decref(m);
	/* 12:30: nothing on; the next one follows. */
	REQUIRE((m = ask(b, THU_1000 + 2 * H + H / 2, "", 0, 1, 8)));
	CHECK_STREQ(mstr(m, "text"), "No open space is on right now.");
	CHECK_INTEQ(json_array_size(json_object_get(m, "items")), 2);
	CHECK_STREQ(field(m, 0, "text"), "Next up:");
	CHECK_STREQ(field(m, 1, "title"), "Docs");
	json_decref(m);
	json_decref(b);
}

TEST(pages)
{
	json_t *b = board(), *m, *more;

	REQUIRE((m = ask(b, THU_1000, "", 1, 1, 1)));
	CHECK_INTEQ(json_array_size(json_object_get(m, "items")), 1);
	REQUIRE((more = json_object_get(m, "more")));
	CHECK_INTEQ(json_integer_value(json_object_get(more, "shown")), 1);
	CHECK_INTEQ(json_integer_value(json_object_get(more, "total")), 2);
	CHECK_STREQ(mstr(more, "command"), "next openspaces page=2");
	json_decref(m);
	REQUIRE((m = ask(b, THU_1000, "", 1, 2, 1)));
	CHECK_STREQ(field(m, 0, "title"), "Packaging war stories");
	CHECK(json_object_get(m, "more") == NULL);
	json_decref(m);
	json_decref(b);
}

TEST(openspaces_not_loaded)
{
	json_t *m = ask(NULL, THU_1000, "", 1, 1, 8);
	REQUIRE(m);
	CHECK(strstr(mstr(m, "text"), "the openspaces plugin is not loaded") != NULL);
	CHECK_INTEQ(json_array_size(json_object_get(m, "items")), 0);
	json_decref(m);
	/* An empty board is a board: nothing to show, said as such. */
	json_t *empty = json_pack("{s:i, s:[]}", "version", 1, "spaces");
	REQUIRE((m = ask(empty, THU_1000, "", 1, 1, 8)));
	CHECK(strstr(mstr(m, "text"), "No more open spaces on the board.") != NULL);
	json_decref(m);
	json_decref(empty);
}

/* Through the schedule's `next` and `now`: the keyword, and the count
 * under the talks. */
TEST(through_next_and_now)
{
	struct sched *s = sample();
	json_t *b = board(), *m, *acts;
	struct sched_answer a = {THU_1000, NULL, 0, 0, b};
	size_t n;

	REQUIRE(s);
	REQUIRE((m = sched_answer_next(s, &a, "openspaces")));
	CHECK_STREQ(mstr(m, "title"), "Next open spaces");
	CHECK_INTEQ(json_array_size(json_object_get(m, "items")), 2);
	json_decref(m);
	/* "open spaces" names no room or track of HallwayCon. */
	REQUIRE((m = sched_answer_now(s, &a, "open spaces garden")));
	CHECK_STREQ(mstr(m, "title"), "Open spaces on now in Garden");
	json_decref(m);
	REQUIRE((m = sched_answer_next(s, &a, "openspaces page=2")));
	CHECK_INTEQ(json_array_size(json_object_get(m, "items")), 2); /* one page holds both */
	json_decref(m);
	/* Without the schedule, the board still answers. */
	REQUIRE((m = sched_answer_next(NULL, &a, "openspaces")));
	CHECK_STREQ(mstr(m, "title"), "Next open spaces");
	json_decref(m);

	/* A plain `next`: the talks, then how many open spaces start by the
	 * last talk listed, and a button for them. */
	REQUIRE((m = sched_answer_next(s, &a, NULL)));
	CHECK_STREQ(mstr(m, "title"), "Next talks");
	n = json_array_size(json_object_get(m, "items"));
	REQUIRE(n >= 2);
	CHECK_STREQ(field(m, n - 1, "kind"), "text");
	CHECK(strstr(field(m, n - 1, "text"), "open spaces start by then.") != NULL);
	REQUIRE((acts = json_object_get(m, "actions")));
	CHECK_STREQ(mstr(json_array_get(acts, 0), "command"), "next openspaces");
	CHECK(golden_model_same("sched-next-with-openspaces", m));
	/* A room's `next` leaves the open spaces out. */
	REQUIRE((m = sched_answer_next(s, &a, "envelope")));
	CHECK(json_object_get(m, "actions") == NULL);
	json_decref(m);
	/* `now`: one open space is on. */
	REQUIRE((m = sched_answer_now(s, &a, NULL)));
	n = json_array_size(json_object_get(m, "items"));
	CHECK_STREQ(field(m, n - 1, "text"), "Also 1 open space is on now.");
	CHECK_STREQ(mstr(json_array_get(json_object_get(m, "actions"), 0), "command"),
		    "now openspaces");
	json_decref(m);
	/* Nobody answered for the board: the talks alone, as before. */
	a.ospaces = NULL;
	REQUIRE((m = sched_answer_next(s, &a, NULL)));
	CHECK(json_object_get(m, "actions") == NULL);
	json_decref(m);
	REQUIRE((m = sched_answer_next(s, &a, "openspaces")));
	CHECK(strstr(mstr(m, "text"), "not loaded") != NULL);
	json_decref(m);

	a.ospaces = b;
	CHECK(golden_model_same("sched-next-openspaces", sched_answer_next(s, &a, "openspaces")));
	json_decref(b);
	sched_model_free(s);
}

int main(void)
{
	RUN(keyword);
	RUN(next_each_room);
	RUN(a_room);
	RUN(now_and_next_up);
	RUN(pages);
	RUN(openspaces_not_loaded);
	RUN(through_next_and_now);
	return test_summary();
}
