/*
 * The board's pure parts: config reading (grid, slots, held, errors), day
 * and time words on the board (weekdays, today/tomorrow in the zone, 2pm,
 * time then day), nearest free slots, and text cleaning.
 */
#include <hallway/tz.h>

#include "testlib.h"

#include "ospace_board.h"
#include "ospace_free.h"
#include "ospace_out.h"
#include "ospace_when.h"

static int parse(const char *json, ospace_board *b, char *err, size_t len)
{
	json_t *cfg = json_loads(json, 0, NULL);
	int rc = cfg ? ospace_board_parse(cfg, b, err, len) : -2;
	json_decref(cfg);
	return rc;
}

#define BASE "\"rooms\": [{\"name\": \"Room A\"}, {\"name\": \"Room B\", \"capacity\": 12}]," \
	     " \"days\": [\"2026-11-26\", \"2026-11-27\"]"

TEST(board_grid)
{
	ospace_board b;
	char err[200] = "";
	char hhmm[6];
	REQUIRE(parse("{" BASE "}", &b, err, sizeof(err)) == 0);
	/* The default grid: hourly from 10:00, the last slot ending by 18:00. */
	CHECK_INTEQ(b.nslots, 8);
	CHECK_INTEQ(b.slots[0], 600);
	CHECK_INTEQ(b.slots[7], 17 * 60);
	CHECK_INTEQ(b.nrooms, 2);
	CHECK_INTEQ(b.rooms[1].capacity, 12);
	CHECK_INTEQ(ospace_board_room(&b, "room b"), 1);
	CHECK_INTEQ(ospace_board_room(&b, "ROOM-A"), 0);
	CHECK_INTEQ(ospace_board_room(&b, "Room"), -1);
	CHECK_INTEQ(ospace_board_wday(&b, 0), 4); /* Thursday */
	ospace_board_fmt(b.slots[3], hhmm);
	CHECK_STREQ(hhmm, "13:00");
	ospace_board_free(&b);

	REQUIRE(parse("{" BASE ", \"start\": \"09:30\", \"end\": \"12:00\", \"slot_minutes\": 45}",
		      &b, err, sizeof(err)) == 0);
	CHECK_INTEQ(b.nslots, 3); /* 09:30, 10:15, 11:00 (11:45 would end after 12:00) */
	CHECK_INTEQ(b.slots[2], 11 * 60);
	ospace_board_free(&b);

	/* A listed grid with a lunch break, given out of order. */
	REQUIRE(parse("{" BASE ", \"slots\": [\"14:00\", \"10:00\", \"11:00\"],"
		      " \"held\": [{\"day\": \"2026-11-27\", \"slot\": \"14:00\"},"
		      " {\"day\": \"2026-11-26\", \"slot\": \"10:00\", \"room\": \"room b\"}]}",
		      &b, err, sizeof(err)) == 0);
	CHECK_INTEQ(b.nslots, 3);
	CHECK_INTEQ(b.slots[2], 14 * 60);
	CHECK(ospace_board_is_held(&b, 1, 2, 0));
	CHECK(ospace_board_is_held(&b, 1, 2, 1));
	CHECK(ospace_board_is_held(&b, 0, 0, 1));
	CHECK(!ospace_board_is_held(&b, 0, 0, 0));
	ospace_board_free(&b);
}

TEST(board_errors)
{
	static const struct {
		const char *json, *why;
	} cases[] = {
		{"{\"days\": [\"2026-11-26\"]}", "rooms: give at least one room"},
		{"{\"rooms\": [{\"name\": \"A\"}, {\"name\": \"a\"}], \"days\": [\"2026-11-26\"]}",
		 "rooms[1]: \"a\" is listed twice"},
		{"{\"rooms\": [{\"name\": \"A\"}]}", "days: give 1 to"},
		{"{\"rooms\": [{\"name\": \"A\"}], \"days\": [\"26/11/2026\"]}", "days[0]: not a date"},
		{"{" BASE ", \"slots\": [\"10:00\", \"25:00\"]}", "slots[1]: not a time as HH:MM"},
		{"{" BASE ", \"slots\": [\"10:00\", \"10:30\"]}", "closer than slot_minutes"},
		{"{" BASE ", \"start\": \"17:30\"}", "end: no 60-minute slot fits"},
		{"{" BASE ", \"held\": [{\"day\": \"2026-11-28\", \"slot\": \"10:00\"}]}",
		 "held[0]: the day is not on the board"},
		{"{" BASE ", \"held\": [{\"day\": \"2026-11-26\", \"slot\": \"10:00\", \"room\": \"Z\"}]}",
		 "held[0]: the room is not on the board"},
	};
	size_t i;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ospace_board b;
		char err[200] = "";
		CHECK_INTEQ(parse(cases[i].json, &b, err, sizeof(err)), -1);
		if (!strstr(err, cases[i].why)) {
			fprintf(stderr, "  case %zu: \"%s\" lacks \"%s\"\n", i, err, cases[i].why);
			CHECK(0);
		}
	}
}

TEST(when_words)
{
	ospace_board b;
	struct hw_tz *tz = NULL;
	char err[200], why[600];
	size_t day = 9, slot = 9, used = 0;
	int64_t today;
	const char *text;
	REQUIRE(parse("{" BASE "}", &b, err, sizeof(err)) == 0);
	REQUIRE(hw_tz_load(NULL, "Pacific/Auckland", &tz) == 0);
	/* 2026-11-26T11:30Z is already Friday 00:30 in Auckland (UTC+13). */
	today = ospace_when_today(tz, 1795692600);
	CHECK_INTEQ(ospace_when_day(&b, today, "today"), 1);
	CHECK_INTEQ(ospace_when_day(&b, today, "yesterday"), 0);
	CHECK_INTEQ(ospace_when_day(&b, today, "tomorrow"), -1);
	CHECK_INTEQ(ospace_when_day(&b, today, "Jeudi"), 0);
	CHECK_INTEQ(ospace_when_day(&b, today, "2026-11-27"), 1);
	CHECK_INTEQ(ospace_when_day(&b, today, "2"), 1);
	CHECK_INTEQ(ospace_when_default_day(&b, today), 1);
	CHECK_INTEQ(ospace_when_default_day(&b, today + 10), 1);
	CHECK_INTEQ(ospace_when_default_day(&b, today - 10), 0);

	text = "friday 2pm Room B Rust";
	CHECK_INTEQ(ospace_when_read(&b, tz, 1795692600, text, &day, &slot, &used, why, sizeof(why)), 0);
	CHECK_INTEQ(day, 1);
	CHECK_INTEQ(slot, 4);
	CHECK_STREQ(text + used, " Room B Rust");
	text = "2 pm thu Docs";
	CHECK_INTEQ(ospace_when_read(&b, tz, 1795692600, text, &day, &slot, &used, why, sizeof(why)), 0);
	CHECK_INTEQ(day, 0);
	CHECK_STREQ(text + used, " Docs");
	text = "14h30 Docs"; /* today, but no slot starts at 14:30 */
	CHECK_INTEQ(ospace_when_read(&b, tz, 1795692600, text, &day, &slot, &used, why, sizeof(why)),
		    OSPACE_WHEN_NO_SLOT);
	CHECK(strstr(why, "Slots start at 10:00, 11:00") != NULL);
	text = "noon Lunch"; /* today is Friday there */
	CHECK_INTEQ(ospace_when_read(&b, tz, 1795692600, text, &day, &slot, &used, why, sizeof(why)), 0);
	CHECK_INTEQ(day, 1);
	CHECK_INTEQ(slot, 2);
	text = "saturday 10:00 x";
	CHECK_INTEQ(ospace_when_read(&b, tz, 1795692600, text, &day, &slot, &used, why, sizeof(why)),
		    OSPACE_WHEN_NO_DAY);
	text = "10:00 saturday x"; /* a day word after the time is read as one */
	CHECK_INTEQ(ospace_when_read(&b, tz, 1795692600, text, &day, &slot, &used, why, sizeof(why)),
		    OSPACE_WHEN_NO_DAY);
	text = "thursday Docs";
	CHECK_INTEQ(ospace_when_read(&b, tz, 1795692600, text, &day, &slot, &used, why, sizeof(why)),
		    OSPACE_WHEN_NONE);
	CHECK(strstr(why, "at what time") != NULL);
	/* The shared phrase reader (lib/when.c): a day of the month, a time
	 * first, an ambiguous date refused with what works. */
	text = "the 27th 2pm Room B Rust";
	CHECK_INTEQ(ospace_when_read(&b, tz, 1795692600, text, &day, &slot, &used, why, sizeof(why)), 0);
	CHECK_INTEQ(day, 1);
	CHECK_STREQ(text + used, " Room B Rust");
	text = "26 nov 10:00 Docs";
	CHECK_INTEQ(ospace_when_read(&b, tz, 1795692600, text, &day, &slot, &used, why, sizeof(why)), 0);
	CHECK_INTEQ(day, 0);
	CHECK_INTEQ(slot, 0);
	text = "11/12 10:00 Docs";
	CHECK_INTEQ(ospace_when_read(&b, tz, 1795692600, text, &day, &slot, &used, why, sizeof(why)),
		    OSPACE_WHEN_NONE);
	CHECK(strstr(why, "could be") != NULL);
	CHECK_INTEQ(ospace_when_day(&b, today, "the 26th"), 0);
	CHECK_INTEQ(ospace_when_day(&b, today, "nov 27"), 1);
	CHECK_INTEQ(ospace_when_day(&b, today, "28 nov"), -1);
	text = "";
	CHECK_INTEQ(ospace_when_read(&b, tz, 1795692600, text, &day, &slot, &used, why, sizeof(why)),
		    OSPACE_WHEN_NONE);
	hw_tz_free(tz);
	ospace_board_free(&b);
}

TEST(nearest_free)
{
	ospace_board b;
	char err[200];
	unsigned char *taken;
	ospace_cell c[5];
	size_t n;
	int64_t thu = 0;
	REQUIRE(parse("{" BASE ", \"held\": [{\"day\": \"2026-11-26\", \"slot\": \"12:00\","
		      " \"room\": \"Room B\"}]}", &b, err, sizeof(err)) == 0);
	taken = calloc(b.ndays * b.nslots * b.nrooms, 1);
	REQUIRE(taken != NULL);
	thu = ospace_board_days(&b, 0) * 1440;
	/* Thu 11:00 and 13:00 taken in both rooms, 12:00 in Room A (B held). */
#define TAKE(d, s, r) taken[((d) * b.nslots + (s)) * b.nrooms + (r)] = 1
	TAKE(0, 1, 0);
	TAKE(0, 1, 1);
	TAKE(0, 3, 0);
	TAKE(0, 3, 1);
	TAKE(0, 2, 0);
	n = ospace_free_nearest(&b, taken, 0, 2, 0, thu, c, 5);
	REQUIRE(n == 5);
	/* 10:00 and 14:00 are both two hours away: the later one first. */
	CHECK_INTEQ(c[0].slot, 4);
	CHECK_INTEQ(c[1].slot, 0);
	CHECK_INTEQ(c[0].room, 0);
	CHECK_INTEQ(c[2].slot, 5);
	/* The preferred room when it is free, else the first free one. */
	TAKE(0, 4, 0);
	n = ospace_free_nearest(&b, taken, 0, 2, 0, thu, c, 1);
	CHECK_INTEQ(c[0].slot, 4);
	CHECK_INTEQ(c[0].room, 1);
	/* Nothing that has started: from 13:30 on Thursday. */
	n = ospace_free_nearest(&b, taken, 0, 2, 0, thu + 13 * 60 + 30, c, 1);
	REQUIRE(n == 1);
	CHECK_INTEQ(c[0].slot, 4);
	n = ospace_free_nearest(&b, taken, 0, 2, -1, thu + 24 * 60, c, 1);
	CHECK_INTEQ(c[0].day, 1);
	/* A full board offers nothing. */
	memset(taken, 1, b.ndays * b.nslots * b.nrooms);
	CHECK_INTEQ(ospace_free_nearest(&b, taken, 0, 2, 0, 0, c, 5), 0);
#undef TAKE
	free(taken);
	ospace_board_free(&b);
}

TEST(text)
{
	hw_buf o;
	char *c = ospace_out_clean("  Packaging \t\n war\x01stories  ", 100);
	CHECK_STREQ(c, "Packaging war stories");
	free(c);
	/* Cut at a character boundary: "é" is two bytes. */
	c = ospace_out_clean("ab\xC3\xA9", 3);
	CHECK_STREQ(c, "ab");
	free(c);
	hw_buf_init(&o, 100);
	hw_buf_add_safe(&o, "@everyone \xE2\x80\xAEx\ny", 100);
	CHECK_STREQ(hw_buf_str(&o), "@\xE2\x80\x8B" "everyone x y");
	hw_buf_free(&o);
	hw_buf_init(&o, 100);
	hw_buf_add_safe(&o, "abcdef", 3);
	CHECK_STREQ(hw_buf_str(&o), "abc\xE2\x80\xA6");
	hw_buf_free(&o);
	hw_buf_init(&o, 4);
	hw_buf_addf(&o, "%s", "12345");
	CHECK(hw_buf_str(&o) == NULL);
	hw_buf_free(&o);
}

int main(void)
{
	RUN(board_grid);
	RUN(board_errors);
	RUN(when_words);
	RUN(nearest_free);
	RUN(text);
	return test_summary();
}
