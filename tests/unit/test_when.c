/*
 * hw_when_read (lib/when.c): every time phrase a command takes, in one
 * table, read at a fixed instant in the conference's zone, on a server
 * whose own zone is something else (TZ is set to Pacific/Auckland).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/civil.h>
#include <hallway/tz.h>
#include <hallway/when.h>

#include "testlib.h"

/* Thursday 2026-11-26 09:55 in Brussels (UTC+1). */
#define NOW (hw_civil_make(2026, 11, 26, 9, 55, 0) - 3600)

static struct hw_tz *brussels(void)
{
	struct hw_tz *tz = NULL;
	return hw_tz_load(NULL, "Europe/Brussels", &tz) ? NULL : tz;
}

/* "2026-11-28 14:00" (local), "2026-11-28" without a time. */
static void describe(const struct hw_tz *tz, const struct hw_when *w, char *buf, size_t len)
{
	struct hw_civil c;
	hw_civil_split(w->has_time ? hw_tz_to_local(tz, w->at) : w->day * 86400, &c);
	if (w->has_time)
		snprintf(buf, len, "%04d-%02d-%02d %02d:%02d", c.year, c.mon, c.day, c.hour, c.min);
	else
		snprintf(buf, len, "%04d-%02d-%02d", c.year, c.mon, c.day);
}

TEST(table)
{
	static const struct {
		const char *text;
		int result;
		const char *want; /* local, or a piece of the refusal */
		const char *rest; /* what follows the phrase */
	} cases[] = {
		/* days */
		{"today", HW_WHEN_OK, "2026-11-26", ""},
		{"tomorrow", HW_WHEN_OK, "2026-11-27", ""},
		{"Demain", HW_WHEN_OK, "2026-11-27", ""},
		{"morgen", HW_WHEN_OK, "2026-11-27", ""},
		{"yesterday", HW_WHEN_OK, "2026-11-25", ""},
		{"saturday", HW_WHEN_OK, "2026-11-28", ""},
		{"samedi", HW_WHEN_OK, "2026-11-28", ""},
		{"Samstag", HW_WHEN_OK, "2026-11-28", ""},
		{"thursday", HW_WHEN_OK, "2026-11-26", ""}, /* today counts */
		{"wed", HW_WHEN_OK, "2026-12-02", ""},
		{"2026-11-28", HW_WHEN_OK, "2026-11-28", ""},
		{"on friday", HW_WHEN_OK, "2026-11-27", ""},
		/* a day of the month */
		{"the 28th", HW_WHEN_OK, "2026-11-28", ""},
		{"28th", HW_WHEN_OK, "2026-11-28", ""},
		{"the 1st", HW_WHEN_OK, "2026-12-01", ""},
		{"le 28", HW_WHEN_OK, "2026-11-28", ""},
		{"1er décembre", HW_WHEN_OK, "2026-12-01", ""},
		{"28 nov", HW_WHEN_OK, "2026-11-28", ""},
		{"28 Nov.", HW_WHEN_OK, "2026-11-28", ""},
		{"nov 28", HW_WHEN_OK, "2026-11-28", ""},
		{"November 28th", HW_WHEN_OK, "2026-11-28", ""},
		{"28 novembre", HW_WHEN_OK, "2026-11-28", ""},
		{"28. November", HW_WHEN_OK, "2026-11-28", ""},
		{"3 März", HW_WHEN_OK, "2027-03-03", ""},
		{"2 jan", HW_WHEN_OK, "2027-01-02", ""},  /* the nearest: next year */
		{"20 oct", HW_WHEN_OK, "2026-10-20", ""}, /* the nearest: past */
		{"28/11", HW_WHEN_OK, "2026-11-28", ""},
		{"11/28", HW_WHEN_OK, "2026-11-28", ""},
		{"28/11/2027", HW_WHEN_OK, "2027-11-28", ""},
		{"11/12", HW_WHEN_AMBIGUOUS, "11 Dec or Nov 12", ""},
		{"31 nov", HW_WHEN_INVALID, "no 31 Nov", ""},
		{"nov 31", HW_WHEN_INVALID, "no 31 Nov", ""},
		{"31/11", HW_WHEN_INVALID, "not a date", ""},
		{"the 31st", HW_WHEN_OK, "2026-10-31", ""}, /* the nearest 31st (no 31 Nov) */
		{"the 27th", HW_WHEN_OK, "2026-11-27", ""},
		{"the 25th", HW_WHEN_OK, "2026-11-25", ""}, /* yesterday, not next month */
		{"29 feb", HW_WHEN_INVALID, "no 29 Feb", ""}, /* no leap year near */
		/* times (today) */
		{"14:30", HW_WHEN_OK, "2026-11-26 14:30", ""},
		{"14h30", HW_WHEN_OK, "2026-11-26 14:30", ""},
		{"14h", HW_WHEN_OK, "2026-11-26 14:00", ""},
		{"2pm", HW_WHEN_OK, "2026-11-26 14:00", ""},
		{"2 pm", HW_WHEN_OK, "2026-11-26 14:00", ""},
		{"noon", HW_WHEN_OK, "2026-11-26 12:00", ""},
		{"midi", HW_WHEN_OK, "2026-11-26 12:00", ""},
		{"midnight", HW_WHEN_OK, "2026-11-26 00:00", ""},
		/* a day and a time, either order */
		{"friday 14:00", HW_WHEN_OK, "2026-11-27 14:00", ""},
		{"friday, 14:00", HW_WHEN_OK, "2026-11-27 14:00", ""},
		{"tomorrow 2pm", HW_WHEN_OK, "2026-11-27 14:00", ""},
		{"tomorrow at 2 pm", HW_WHEN_OK, "2026-11-27 14:00", ""},
		{"vendredi à 10:00", HW_WHEN_OK, "2026-11-27 10:00", ""},
		{"Freitag um 10:00", HW_WHEN_OK, "2026-11-27 10:00", ""},
		{"thursday 09:00", HW_WHEN_OK, "2026-12-03 09:00", ""}, /* passed: next week */
		{"today 09:00", HW_WHEN_OK, "2026-11-26 09:00", ""},    /* said: kept */
		{"the 28th 10:00", HW_WHEN_OK, "2026-11-28 10:00", ""},
		{"28 nov 14:00", HW_WHEN_OK, "2026-11-28 14:00", ""},
		{"nov 28 at 2pm", HW_WHEN_OK, "2026-11-28 14:00", ""},
		{"2026-11-28 14:30", HW_WHEN_OK, "2026-11-28 14:30", ""},
		{"2026-11-28T14:30", HW_WHEN_OK, "2026-11-28 14:30", ""},
		{"2026-11-28T14:30+02:00", HW_WHEN_OK, "2026-11-28 13:30", ""},
		{"14:00 friday", HW_WHEN_OK, "2026-11-27 14:00", ""},
		{"2 pm on saturday", HW_WHEN_OK, "2026-11-28 14:00", ""},
		{"10:00 the 28th", HW_WHEN_OK, "2026-11-28 10:00", ""},
		/* from now */
		{"in 20 min", HW_WHEN_OK, "2026-11-26 10:15", ""},
		{"in 20min", HW_WHEN_OK, "2026-11-26 10:15", ""},
		{"in 2 hours", HW_WHEN_OK, "2026-11-26 11:55", ""},
		{"in 1h30", HW_WHEN_OK, "2026-11-26 11:25", ""},
		{"in 2h", HW_WHEN_OK, "2026-11-26 11:55", ""},
		{"in 1 hour and 30 minutes", HW_WHEN_OK, "2026-11-26 11:25", ""},
		{"in 90 minutes", HW_WHEN_OK, "2026-11-26 11:25", ""},
		{"dans 20 min", HW_WHEN_OK, "2026-11-26 10:15", ""},
		{"in 20 Minuten", HW_WHEN_OK, "2026-11-26 10:15", ""},
		{"in 15 hours", HW_WHEN_OK, "2026-11-27 00:55", ""},
		/* what follows is left for the command */
		{"friday 14:00 Packaging war stories", HW_WHEN_OK, "2026-11-27 14:00",
		 "Packaging war stories"},
		{"tomorrow Room 2 chat", HW_WHEN_OK, "2026-11-27", "Room 2 chat"},
		{"in 20 min Hall A dinner and 2 hours", HW_WHEN_OK, "2026-11-26 10:15",
		 "Hall A dinner and 2 hours"},
		{"28 nov Café", HW_WHEN_OK, "2026-11-28", "Café"},
		{"noon the lunch", HW_WHEN_OK, "2026-11-26 12:00", "the lunch"},
		/* refused, with the forms that work */
		{"", HW_WHEN_NONE, "`tomorrow 09:00`", ""},
		{"whenever", HW_WHEN_NONE, "`in 20 min`", ""},
		{"in a while", HW_WHEN_NONE, "`in 20 min`", ""},
		{"28", HW_WHEN_NONE, "`the 28th`", ""}, /* a bare number is no day */
		{"25:00", HW_WHEN_NONE, "`14:30`", ""},
		{"the", HW_WHEN_NONE, "Say when", ""},
	};
	struct hw_tz *tz = brussels();
	char buf[64], why[256];

	REQUIRE(tz);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hw_when w;
		size_t used = 0;
		int rc;
		why[0] = 0;
		rc = hw_when_read(cases[i].text, tz, NOW, &w, &used, why, sizeof(why));
		if (rc == HW_WHEN_OK)
			describe(tz, &w, buf, sizeof(buf));
		else
			snprintf(buf, sizeof(buf), "(refused)");
		fprintf(stderr, "  %-40s -> %d %s %s\n", cases[i].text, rc, buf, why);
		CHECK_INTEQ(rc, cases[i].result);
		if (rc != cases[i].result)
			continue;
		if (rc == HW_WHEN_OK) {
			const char *rest = cases[i].text + used;
			while (*rest == ' ')
				rest++;
			CHECK_STREQ(buf, cases[i].want);
			CHECK_STREQ(rest, cases[i].rest);
		} else {
			CHECK(strstr(why, cases[i].want) != NULL);
		}
	}
	hw_tz_free(tz);
}

TEST(fields)
{
	struct hw_tz *tz = brussels();
	struct hw_when w;
	size_t used;
	char why[256], buf[64];

	REQUIRE(tz);
	CHECK_INTEQ(hw_when_read("saturday", tz, NOW, &w, &used, why, sizeof(why)), HW_WHEN_OK);
	CHECK(w.has_day && !w.has_time && w.wday_word == 6 && w.secs == -1);
	CHECK_INTEQ(hw_when_read("14:00", tz, NOW, &w, &used, why, sizeof(why)), HW_WHEN_OK);
	CHECK(!w.has_day && w.has_time && !w.relative && w.secs == 14 * 3600);
	CHECK_INTEQ(hw_when_read("in 20 min", tz, NOW, &w, &used, why, sizeof(why)), HW_WHEN_OK);
	CHECK(w.relative && w.at == NOW + 1200);
	/* Without a zone: UTC. */
	CHECK_INTEQ(hw_when_read("14:00", NULL, NOW, &w, &used, why, sizeof(why)), HW_WHEN_OK);
	CHECK(w.at == hw_civil_make(2026, 11, 26, 14, 0, 0));
	/* DST: 2026-03-29 02:30 does not exist in Brussels; the shared
	 * hw_tz_to_utc decides, the reading never fails. */
	CHECK_INTEQ(hw_when_read("2026-03-29 02:30", tz, NOW, &w, &used, why, sizeof(why)),
		    HW_WHEN_OK);
	hw_when_fmt(tz, hw_civil_make(2026, 11, 28, 13, 0, 0), buf, sizeof(buf));
	CHECK_STREQ(buf, "Sat 28 Nov 14:00");
	CHECK_INTEQ(hw_when_month("Décembre"), 12);
	CHECK_INTEQ(hw_when_month("MRZ"), 3);
	CHECK_INTEQ(hw_when_month("friday"), -1);
	hw_tz_free(tz);
}

int main(void)
{
	setenv("TZ", "Pacific/Auckland", 1);
	RUN(table);
	RUN(fields);
	return test_summary();
}
