/*
 * Unit tests of the schedule plugin's pure building blocks: calendar
 * arithmetic, time notations, TZif zones (DST gap and overlap), text
 * folding and forgiving room matching.
 */
#include <stdint.h>
#include <string.h>

#include "testlib.h"

#include <hallway/text.h>
#include "sched_match.h"
#include "sched_model.h"
#include <hallway/civil.h>
#include <hallway/tz.h>

TEST(civil_roundtrip)
{
	struct hw_civil c;

	CHECK_INTEQ(hw_civil_days(1970, 1, 1), 0);
	CHECK_INTEQ(hw_civil_days(2000, 3, 1), 11017);
	CHECK_INTEQ(hw_civil_make(2026, 11, 26, 10, 30, 0), 1795689000);
	hw_civil_split(1795689000, &c);
	CHECK_INTEQ(c.year, 2026);
	CHECK_INTEQ(c.mon, 11);
	CHECK_INTEQ(c.day, 26);
	CHECK_INTEQ(c.hour, 10);
	CHECK_INTEQ(c.min, 30);
	CHECK_INTEQ(c.wday, 4); /* a Thursday */
	hw_civil_split(-1, &c);
	CHECK_INTEQ(c.year, 1969);
	CHECK_INTEQ(c.hour, 23);
	CHECK_INTEQ(c.wday, 3);
	CHECK_INTEQ(hw_civil_mdays(2024, 2), 29);
	CHECK_INTEQ(hw_civil_mdays(2100, 2), 28);
}

TEST(parse_iso)
{
	int64_t local, utc;
	int has_off, date_only;
	int32_t off;

	CHECK(hw_civil_parse("2022-07-22T17:00:00+02:00", &local, &has_off, &off,
			       &date_only) == 0);
	CHECK_INTEQ(local - off, 1658502000);
	CHECK_INTEQ(has_off, 1);
	CHECK_INTEQ(date_only, 0);
	CHECK(hw_civil_parse("2023-09-10T05:00:00Z", &local, &has_off, &off, NULL) == 0);
	CHECK_INTEQ(has_off, 1);
	CHECK_INTEQ(off, 0);
	CHECK(hw_civil_parse("2024-05-17T07:00:00-04:00", &local, &has_off, &off, NULL) == 0);
	CHECK_INTEQ(off, -4 * 3600);
	CHECK(hw_civil_parse("20200114T070000", &local, &has_off, &off, NULL) == 0);
	CHECK_INTEQ(has_off, 0);
	CHECK_INTEQ(local, hw_civil_make(2020, 1, 14, 7, 0, 0));
	CHECK(hw_civil_parse("20200114", &local, &has_off, &off, &date_only) == 0);
	CHECK_INTEQ(date_only, 1);
	CHECK(hw_civil_parse("2024-05-17 07:00:00.123+0530", &local, &has_off, &off, NULL) == 0);
	CHECK_INTEQ(off, 5 * 3600 + 1800);
	CHECK(hw_civil_parse("2024-02-30T00:00", &local, NULL, NULL, NULL) != 0);
	CHECK(hw_civil_parse("2024-05-17T07:00junk", &local, NULL, NULL, NULL) != 0);
	CHECK(hw_civil_parse("", &local, NULL, NULL, NULL) != 0);
	CHECK(hw_civil_parse("2024-0", &local, NULL, NULL, NULL) != 0);
	CHECK(hw_civil_instant("2025-02-01T10:35:00+01:00", NULL, &utc) == 0);
	CHECK_INTEQ(utc, 1738402500);
}

TEST(durations)
{
	int64_t s;

	CHECK(hw_civil_duration("00:30", 1, &s) == 0 && s == 1800);
	CHECK(hw_civil_duration("01:05", 0, &s) == 0 && s == 3900);
	CHECK(hw_civil_duration("1:02:30", 1, &s) == 0 && s == 86400 + 2 * 3600 + 1800);
	CHECK(hw_civil_duration("00:05:00", 0, &s) == 0 && s == 300);
	CHECK(hw_civil_duration("45", 0, &s) == 0 && s == 2700);
	CHECK(hw_civil_duration("PT1H30M", 0, &s) == 0 && s == 5400);
	CHECK(hw_civil_duration("P1DT2H", 0, &s) == 0 && s == 93600);
	CHECK(hw_civil_duration("PT", 0, &s) != 0);
	CHECK(hw_civil_duration("ab:cd", 0, &s) != 0);
	CHECK(hw_civil_duration("", 0, &s) != 0);
}

TEST(tz_brussels)
{
	struct hw_tz *tz = NULL;
	int64_t u;

	REQUIRE(hw_tz_load(NULL, "Europe/Brussels", &tz) == 0);
	CHECK_STREQ(hw_tz_name(tz), "Europe/Brussels");
	/* Winter and summer. */
	CHECK_INTEQ(hw_tz_offset(tz, hw_civil_make(2025, 2, 1, 9, 0, 0)), 3600);
	CHECK_INTEQ(hw_tz_offset(tz, hw_civil_make(2025, 7, 1, 9, 0, 0)), 7200);
	/* 2026-03-29 01:00 UTC: clocks go 02:00 -> 03:00. */
	CHECK_INTEQ(hw_tz_offset(tz, hw_civil_make(2026, 3, 29, 0, 59, 59)), 3600);
	CHECK_INTEQ(hw_tz_offset(tz, hw_civil_make(2026, 3, 29, 1, 0, 0)), 7200);
	/* Local 10:30 on conference day -> 09:30 UTC. */
	u = hw_tz_to_utc(tz, hw_civil_make(2026, 11, 26, 10, 30, 0));
	CHECK_INTEQ(u, hw_civil_make(2026, 11, 26, 9, 30, 0));
	/* The gap: 02:30 does not exist; read with the old offset = 03:30 CEST. */
	u = hw_tz_to_utc(tz, hw_civil_make(2026, 3, 29, 2, 30, 0));
	CHECK_INTEQ(u, hw_civil_make(2026, 3, 29, 1, 30, 0));
	CHECK_INTEQ(hw_tz_to_local(tz, u), hw_civil_make(2026, 3, 29, 3, 30, 0));
	/* The overlap: 02:30 on 2026-10-25 happens twice; first is CEST. */
	u = hw_tz_to_utc(tz, hw_civil_make(2026, 10, 25, 2, 30, 0));
	CHECK_INTEQ(u, hw_civil_make(2026, 10, 25, 0, 30, 0));
	/* Beyond the table (footer rule M3.5.0,M10.5.0/3). */
	CHECK_INTEQ(hw_tz_offset(tz, hw_civil_make(2090, 7, 1, 0, 0, 0)), 7200);
	CHECK_INTEQ(hw_tz_offset(tz, hw_civil_make(2090, 12, 1, 0, 0, 0)), 3600);
	CHECK_INTEQ(hw_tz_offset(tz, hw_civil_make(2090, 3, 26, 0, 59, 0)), 3600);
	CHECK_INTEQ(hw_tz_offset(tz, hw_civil_make(2090, 3, 26, 1, 0, 0)), 7200);
	hw_tz_free(tz);
}

TEST(tz_others)
{
	struct hw_tz *tz = NULL;

	REQUIRE(hw_tz_load(NULL, "Australia/Sydney", &tz) == 0);
	/* Southern hemisphere: DST in January, not in July; 2099 via rule. */
	CHECK_INTEQ(hw_tz_offset(tz, hw_civil_make(2020, 1, 15, 0, 0, 0)), 11 * 3600);
	CHECK_INTEQ(hw_tz_offset(tz, hw_civil_make(2020, 7, 15, 0, 0, 0)), 10 * 3600);
	CHECK_INTEQ(hw_tz_offset(tz, hw_civil_make(2099, 1, 15, 0, 0, 0)), 11 * 3600);
	CHECK_INTEQ(hw_tz_offset(tz, hw_civil_make(2099, 7, 15, 0, 0, 0)), 10 * 3600);
	hw_tz_free(tz);
	tz = NULL;
	REQUIRE(hw_tz_load(NULL, "Asia/Kolkata", &tz) == 0);
	CHECK_INTEQ(hw_tz_offset(tz, hw_civil_make(2023, 9, 10, 5, 0, 0)), 19800);
	hw_tz_free(tz);
	tz = NULL;
	REQUIRE(hw_tz_load(NULL, "UTC", &tz) == 0);
	CHECK_INTEQ(hw_tz_offset(tz, 0), 0);
	hw_tz_free(tz);
	tz = NULL;
	CHECK(hw_tz_load(NULL, "Europe/Nowhere", &tz) != 0);
	CHECK(hw_tz_load(NULL, "../../etc/passwd", &tz) != 0);
	CHECK(hw_tz_load(NULL, "/etc/localtime", &tz) != 0);
	CHECK(hw_tz_parse("x", (const unsigned char *)"TZif2", 5, &tz) != 0);
	tz = hw_tz_fixed(-4 * 3600);
	REQUIRE(tz);
	CHECK_STREQ(hw_tz_name(tz), "UTC-04:00");
	CHECK_INTEQ(hw_tz_to_utc(tz, 0), 4 * 3600);
	hw_tz_free(tz);
}

TEST(fold)
{
	char buf[128];

	/* An emoji is a word of its own; the invisible U+FE0F goes. */
	hw_fold_into("Envelope \xE2\x9C\x89\xEF\xB8\x8F", buf, sizeof(buf));
	CHECK_STREQ(buf, "envelope \xE2\x9C\x89");
	hw_fold_into("Abacus  \xF0\x9F\xA7\xAE", buf, sizeof(buf));
	CHECK_STREQ(buf, "abacus \xF0\x9F\xA7\xAE");
	hw_fold_into_ex("Envelope \xE2\x9C\x89\xEF\xB8\x8F", buf, sizeof(buf), HW_FOLD_DROP_SYMBOLS);
	CHECK_STREQ(buf, "envelope");
	/* Every script folds case (issue 13: Cyrillic and Greek did not). */
	hw_fold_into("\xD0\x9F\xD0\x98\xD0\xA2\xD0\x9E\xD0\x9D \xCE\xA9mega", buf, sizeof(buf));
	CHECK_STREQ(buf, "\xD0\xBF\xD0\xB8\xD1\x82\xD0\xBE\xD0\xBD \xCF\x89mega");
	hw_fold_into("Amphith\xC3\xA9\xC3\xA2tre Callelongue", buf, sizeof(buf));
	CHECK_STREQ(buf, "amphitheatre callelongue");
	hw_fold_into("\xC5\x81\xC3\xB3\x64\xC5\xBA Stra\xC3\x9F\x65 \xC3\x86sir", buf,
			sizeof(buf));
	CHECK_STREQ(buf, "lodz strasse aesir");
	/* Combining accent (NFD) and punctuation. */
	hw_fold_into("Jose\xCC\x81 -- O'Brien!", buf, sizeof(buf));
	CHECK_STREQ(buf, "jose o brien");
	hw_fold_into("\xD0\x9C\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0", buf, sizeof(buf));
	CHECK_STREQ(buf, "\xD0\xBC\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0");
	/* Invalid UTF-8 is a separator, never a crash. */
	hw_fold_into("a\xFF\xC3 b\xE2\x82", buf, sizeof(buf));
	CHECK_STREQ(buf, "a b");
	/* Truncation stays NUL-terminated. */
	hw_fold_into("abcdef", buf, 4);
	CHECK_STREQ(buf, "abc");
	char *f = hw_fold("K.3.201");
	CHECK_STREQ(f, "k 3 201");
	free(f);
}

TEST(match_rooms)
{
	const char *rooms[] = {
		"Abacus  \xF0\x9F\xA7\xAE",
		"Envelope \xE2\x9C\x89\xEF\xB8\x8F",
		"Gear \xE2\x9A\x99\xEF\xB8\x8F",
		"Amphith\xC3\xA9\xC3\xA2tre Callelongue",
		"Amphith\xC3\xA9\x61tre Callelongue",
		"Room 8",
		"Room 18",
		"ChaosTrawler Stubnitz/G\xC3\xA4ngeviertel Hamburg",
	};
	size_t n = sizeof(rooms) / sizeof(*rooms), out[5], nout;

	CHECK(sched_match(rooms, n, "envelope", out, 5, &nout) == SCHED_MATCH_FOUND);
	CHECK(nout == 1 && out[0] == 1);
	CHECK(sched_match(rooms, n, "ENVELOPE \xE2\x9C\x89", out, 5, &nout) == SCHED_MATCH_FOUND);
	CHECK(nout == 1 && out[0] == 1);
	/* Both spellings of one room match together. */
	CHECK(sched_match(rooms, n, "amphitheatre callelongue", out, 5, &nout) ==
	      SCHED_MATCH_FOUND);
	CHECK_INTEQ(nout, 2);
	/* Exact beats prefix: "room 8" is not "room 18". */
	CHECK(sched_match(rooms, n, "room 8", out, 5, &nout) == SCHED_MATCH_FOUND);
	CHECK(nout == 1 && out[0] == 5);
	/* Word prefix. */
	CHECK(sched_match(rooms, n, "gang", out, 5, &nout) == SCHED_MATCH_FOUND);
	CHECK(nout == 1 && out[0] == 7);
	CHECK(sched_match(rooms, n, "aba", out, 5, &nout) == SCHED_MATCH_FOUND);
	CHECK(nout == 1 && out[0] == 0);
	/* Near misses are suggestions. */
	CHECK(sched_match(rooms, n, "envelop", out, 5, &nout) == SCHED_MATCH_FOUND);
	CHECK(sched_match(rooms, n, "evnelope", out, 5, &nout) == SCHED_MATCH_SUGGEST);
	CHECK(nout >= 1 && out[0] == 1);
	CHECK(sched_match(rooms, n, "geer", out, 5, &nout) == SCHED_MATCH_SUGGEST);
	CHECK(nout >= 1 && out[0] == 2);
	CHECK(sched_match(rooms, n, "kitchen", out, 5, &nout) == SCHED_MATCH_NONE);
	CHECK_INTEQ(nout, 0);
	/* The emoji alone names its room, as "next \xE2\x98\x95" names "Caf\xC3\xA9 Lounge \xE2\x98\x95". */
	CHECK(sched_match(rooms, n, "\xF0\x9F\xA7\xAE", out, 5, &nout) == SCHED_MATCH_FOUND);
	CHECK(nout == 1 && out[0] == 0);
	CHECK_INTEQ(hw_distance("kitten", 6, "sitting", 7), 3);
	CHECK_INTEQ(hw_distance("tiem", 4, "time", 4), 1);
}

int main(void)
{
	RUN(civil_roundtrip);
	RUN(parse_iso);
	RUN(durations);
	RUN(tz_brussels);
	RUN(tz_others);
	RUN(fold);
	RUN(match_rooms);
	return test_summary();
}
