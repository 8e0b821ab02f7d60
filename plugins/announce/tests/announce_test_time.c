/* announce_time: the `announce at` time forms, local -> UTC with DST. */
#include <stdint.h>
#include <string.h>

#include "announce_time.h"
#include <hallway/civil.h>
#include <hallway/tz.h>
#include "testlib.h"

static struct hw_tz *brussels(void)
{
	struct hw_tz *tz = NULL;
	if (hw_tz_load(NULL, "Europe/Brussels", &tz))
		return NULL;
	return tz;
}

/* Unix ms of a UTC civil time. */
static int64_t utc(int y, int mo, int d, int h, int mi)
{
	return hw_civil_make(y, mo, d, h, mi, 0) * 1000;
}

/* Parses s at now; returns the instant or -1 (and checks rest). */
static int64_t parse(const struct hw_tz *tz, int64_t now, const char *s, const char *want_rest)
{
	int64_t at = 0;
	const char *rest = NULL;
	char why[256];
	if (announce_time_parse(s, tz, now, &at, &rest, why, sizeof(why)))
		return -1;
	if (want_rest)
		CHECK_STREQ(rest, want_rest);
	return at;
}

TEST(forms_on_a_conference_morning)
{
	struct hw_tz *tz = brussels();
	/* Thursday 2026-11-26 09:20 in Brussels (CET, +01:00). */
	int64_t now = utc(2026, 11, 26, 8, 20);
	REQUIRE(tz);
	CHECK_INTEQ(parse(tz, now, "14:30 Coffee is served", "Coffee is served"),
		    utc(2026, 11, 26, 13, 30));
	CHECK_INTEQ(parse(tz, now, "  9:05   x", "x"), utc(2026, 11, 26, 8, 5));
	CHECK_INTEQ(parse(tz, now, "14:30:15 t", "t"), utc(2026, 11, 26, 13, 30) + 15000);
	CHECK_INTEQ(parse(tz, now, "today 18:00 t", "t"), utc(2026, 11, 26, 17, 0));
	CHECK_INTEQ(parse(tz, now, "tomorrow 09:00 Day two", "Day two"), utc(2026, 11, 27, 8, 0));
	CHECK_INTEQ(parse(tz, now, "Friday 10:00 t", "t"), utc(2026, 11, 27, 9, 0));
	CHECK_INTEQ(parse(tz, now, "fri 10:00 t", "t"), utc(2026, 11, 27, 9, 0));
	/* Today is Thursday: 10:00 is still ahead, 09:00 is not (next week). */
	CHECK_INTEQ(parse(tz, now, "thursday 10:00 t", "t"), utc(2026, 11, 26, 9, 0));
	CHECK_INTEQ(parse(tz, now, "thu 09:00 t", "t"), utc(2026, 12, 3, 8, 0));
	CHECK_INTEQ(parse(tz, now, "2026-11-26 14:30 t", "t"), utc(2026, 11, 26, 13, 30));
	CHECK_INTEQ(parse(tz, now, "2026-11-26T14:30 t", "t"), utc(2026, 11, 26, 13, 30));
	CHECK_INTEQ(parse(tz, now, "2026-11-26T14:30:00+02:00 t", "t"), utc(2026, 11, 26, 12, 30));
	CHECK_INTEQ(parse(tz, now, "2026-11-26T14:30Z t", "t"), utc(2026, 11, 26, 14, 30));
	CHECK_INTEQ(parse(tz, now, "14:30", ""), utc(2026, 11, 26, 13, 30));
	/* The shared words (issue 13): the ones `day` reads, noon, am/pm, 14h30. */
	CHECK_INTEQ(parse(tz, now, "noon Lunch", "Lunch"), utc(2026, 11, 26, 11, 0));
	CHECK_INTEQ(parse(tz, now, "2pm t", "t"), utc(2026, 11, 26, 13, 0));
	CHECK_INTEQ(parse(tz, now, "2 pm t", "t"), utc(2026, 11, 26, 13, 0));
	CHECK_INTEQ(parse(tz, now, "2:30PM t", "t"), utc(2026, 11, 26, 13, 30));
	CHECK_INTEQ(parse(tz, now, "14h30 t", "t"), utc(2026, 11, 26, 13, 30));
	CHECK_INTEQ(parse(tz, now, "vendredi 10:00 t", "t"), utc(2026, 11, 27, 9, 0));
	CHECK_INTEQ(parse(tz, now, "friday noon t", "t"), utc(2026, 11, 27, 11, 0));
	CHECK_INTEQ(parse(tz, now, "demain 9am t", "t"), utc(2026, 11, 27, 8, 0));
	CHECK_INTEQ(parse(tz, now, "12am t", "t"), utc(2026, 11, 25, 23, 0));
	/* The whole phrase reader (hw_when_read): a day of the month, a time
	 * then a day, a delay. */
	CHECK_INTEQ(parse(tz, now, "the 27th 10:00 t", "t"), utc(2026, 11, 27, 9, 0));
	CHECK_INTEQ(parse(tz, now, "27 nov 14:00 t", "t"), utc(2026, 11, 27, 13, 0));
	CHECK_INTEQ(parse(tz, now, "nov 27 at 2pm t", "t"), utc(2026, 11, 27, 13, 0));
	CHECK_INTEQ(parse(tz, now, "10:00 friday t", "t"), utc(2026, 11, 27, 9, 0));
	CHECK_INTEQ(parse(tz, now, "in 20 min Coffee", "Coffee"), now + 20 * 60000);
	CHECK_INTEQ(parse(tz, now, "in 2 hours t", "t"), now + 2 * 3600000);
	CHECK_INTEQ(parse(tz, now, "11/12 10:00 t", NULL), -1); /* ambiguous */
	hw_tz_free(tz);
}

TEST(local_midnight_uses_the_local_day)
{
	struct hw_tz *tz = brussels();
	/* 23:30 UTC on the 26th is already 00:30 on the 27th in Brussels. */
	int64_t now = utc(2026, 11, 26, 23, 30);
	REQUIRE(tz);
	CHECK_INTEQ(parse(tz, now, "09:00 t", "t"), utc(2026, 11, 27, 8, 0));
	CHECK_INTEQ(parse(tz, now, "tomorrow 09:00 t", "t"), utc(2026, 11, 28, 8, 0));
	hw_tz_free(tz);
}

TEST(daylight_saving)
{
	struct hw_tz *tz = brussels();
	int64_t now = utc(2026, 3, 27, 12, 0);
	REQUIRE(tz);
	/* Spring forward on 2026-03-29: 02:30 does not exist, read as 03:30
	 * CEST (01:30 UTC); noon is CEST (+02:00). */
	CHECK_INTEQ(parse(tz, now, "2026-03-29 02:30 t", "t"), utc(2026, 3, 29, 1, 30));
	CHECK_INTEQ(parse(tz, now, "2026-03-29 12:00 t", "t"), utc(2026, 3, 29, 10, 0));
	CHECK_INTEQ(parse(tz, now, "2026-03-28 12:00 t", "t"), utc(2026, 3, 28, 11, 0));
	/* Fall back on 2026-10-25: 02:30 happens twice; the first one (CEST). */
	CHECK_INTEQ(parse(tz, now, "2026-10-25 02:30 t", "t"), utc(2026, 10, 25, 0, 30));
	CHECK_INTEQ(parse(tz, now, "2026-10-25 12:00 t", "t"), utc(2026, 10, 25, 11, 0));
	hw_tz_free(tz);
}

TEST(refusals)
{
	struct hw_tz *tz = brussels();
	int64_t now = utc(2026, 11, 26, 8, 20), at = 0;
	const char *rest = NULL;
	char why[256] = "";
	static const char *const bad[] = {
		"", "the door", "25:00 x", "12:60 x", "12:5 x", "friday", "friday soon", "13pm x",
		"2 x", "0am x",
		"2026-11-26", "2026-13-01 10:00", "someday 10:00", "1430 x", "T12:00 x",
	};
	REQUIRE(tz);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		int rc = announce_time_parse(bad[i], tz, now, &at, &rest, why, sizeof(why));
		if (rc != -1)
			fprintf(stderr, "accepted: \"%s\"\n", bad[i]);
		CHECK(rc == -1);
		CHECK(why[0] != '\0');
	}
	announce_time_parse("the door", tz, now, &at, &rest, why, sizeof(why));
	CHECK(strstr(why, "\"the\"") != NULL);
	hw_tz_free(tz);
}

TEST(format)
{
	struct hw_tz *tz = brussels();
	char buf[64];
	REQUIRE(tz);
	announce_time_format(tz, utc(2026, 11, 26, 13, 30), buf, sizeof(buf));
	CHECK_STREQ(buf, "Thu 26 Nov 14:30");
	announce_time_format(tz, utc(2026, 7, 1, 22, 5), buf, sizeof(buf));
	CHECK_STREQ(buf, "Thu 2 Jul 00:05");
	announce_time_hhmm(tz, utc(2026, 11, 27, 8, 25), buf, sizeof(buf));
	CHECK_STREQ(buf, "09:25");
	hw_tz_free(tz);
}

int main(void)
{
	RUN(forms_on_a_conference_morning);
	RUN(local_midnight_uses_the_local_day);
	RUN(daylight_saving);
	RUN(refusals);
	RUN(format);
	return test_summary();
}
