/*
 * Loader tests on every real schedule in ../shared/data/schedules: talk
 * counts, rooms, zones, and a few talks whose start instant was checked
 * by hand against the file; auto-detection; truncated and corrupted
 * input must give an error or a partial schedule, never a crash.
 */
#include <stdint.h>
#include <string.h>

#include "sched_bundle.h"
#include "sched_source.h"
#include "sched_test_util.h"
#include <hallway/civil.h>

#define D "schedules/"

struct real_file {
	const char *rel;
	enum sched_format fmt;
	const char *cfg_tz; /* what an organiser would configure */
	size_t ntalks;
};

static const struct real_file files[] = {
	{D "mch2022-pretalx-schedule.json", SCHED_FMT_FRAB_JSON, "Europe/Amsterdam", 183},
	{D "cccamp2019-frab-schedule.json", SCHED_FMT_FRAB_JSON, NULL, 79},
	{D "pyconfr2025-pretalx-api.json", SCHED_FMT_PRETALX_API, "Europe/Paris", 93},
	/* 209 slots and the 27 posters nested in one of them. */
	{D "pyconus2024-conference.json", SCHED_FMT_PYCON, "America/New_York", 236},
	{D "fosdem2025-schedule.xml", SCHED_FMT_XML, NULL, 943},
	{D "fosdem2023-pentabarf-schedule.xml", SCHED_FMT_XML, "Europe/Brussels", 780},
	{D "debconf23-wafer-schedule.xml", SCHED_FMT_XML, NULL, 117},
	{D "lca2020-schedule.ics", SCHED_FMT_ICS, NULL, 262},
	{D "jres2022-schedule.ics", SCHED_FMT_ICS, NULL, 120},
	/* One day of EuroPython 2024 on its own. */
	{D "europython-2024-days/2024-07-10.json", SCHED_FMT_EUROPYTHON, "Europe/Prague", 52},
};
#define NFILES (sizeof(files) / sizeof(*files))

static int has_speaker(const struct sched_talk *t, const char *name)
{
	for (size_t i = 0; i < t->nspeakers; i++)
		if (!strcmp(t->speakers[i], name))
			return 1;
	return 0;
}

TEST(detect)
{
	for (size_t i = 0; i < NFILES; i++) {
		size_t len;
		char *buf = sched_test_read(files[i].rel, &len);
		REQUIRE(buf);
		if (sched_load_detect(buf, len) != files[i].fmt)
			fprintf(stderr, "  detect failed for %s\n", files[i].rel);
		CHECK(sched_load_detect(buf, len) == files[i].fmt);
		free(buf);
	}
	CHECK(sched_load_detect("hello", 5) == SCHED_FMT_AUTO);
	CHECK(sched_load_detect("{\"a\": 1}", 8) == SCHED_FMT_AUTO);
	CHECK(sched_load_detect("\xEF\xBB\xBF  BEGIN:VCALENDAR\r\n", 22) == SCHED_FMT_ICS);
}

TEST(counts)
{
	for (size_t i = 0; i < NFILES; i++) {
		double ms = 0;
		size_t n;
		struct sched *s = sched_test_load(files[i].rel, SCHED_FMT_AUTO, files[i].cfg_tz, &ms);
		CHECK(s != NULL);
		if (!s)
			continue;
		/* The source's events: what the model offers, less the entries
		 * multi-room bookings became, plus what cleaning dropped. */
		n = s->ntalks - (s->clean.split_entries - s->clean.split_bookings) +
		    s->clean.placeholders + s->clean.duplicates;
		if (n != files[i].ntalks)
			fprintf(stderr, "  %s: %zu talks, expected %zu\n", files[i].rel, n,
				files[i].ntalks);
		CHECK_INTEQ(n, files[i].ntalks);
		fprintf(stderr, "  %-40s %4zu talks %3zu rooms %-20s %7.2f ms\n", files[i].rel,
			s->ntalks, s->nrooms, s->tz_name, ms);
		for (size_t k = 1; k < s->ntalks; k++)
			CHECK(s->talks[k - 1].start <= s->talks[k].start);
		sched_model_free(s);
	}
}

TEST(mch2022)
{
	struct sched *s = sched_test_load(D "mch2022-pretalx-schedule.json", SCHED_FMT_AUTO,
					  "Europe/Amsterdam", NULL);
	const struct sched_talk *t;

	REQUIRE(s);
	CHECK_STREQ(s->name, "MCH2022");
	CHECK_STREQ(s->tz_name, "Europe/Amsterdam");
	CHECK_INTEQ(s->nrooms, 8);
	CHECK(sched_model_room_index(s, "Envelope \xE2\x9C\x89\xEF\xB8\x8F") >= 0);
	CHECK(sched_model_room_index(s, "Abacus  \xF0\x9F\xA7\xAE") >= 0);
	t = sched_test_title(s, "Building public, dynamic webapps using Micropython on the ESP32");
	REQUIRE(t);
	/* "date": "2022-07-22T20:40:00+02:00", "duration": "03:00" */
	CHECK_INTEQ(t->start, 1658515200);
	CHECK_INTEQ(t->end, 1658515200 + 3 * 3600);
	CHECK_STREQ(t->room, "Envelope \xE2\x9C\x89\xEF\xB8\x8F");
	CHECK(has_speaker(t, "Bjarni R\xC3\xBAnar Einarsson"));
	CHECK(t->url && strstr(t->url, "https://") == t->url);
	sched_model_free(s);
	/* Without a configured zone, the offset seen in the file is used. */
	s = sched_test_load(D "mch2022-pretalx-schedule.json", SCHED_FMT_FRAB_JSON, NULL, NULL);
	REQUIRE(s);
	CHECK_STREQ(s->tz_name, "UTC+02:00");
	sched_model_free(s);
}

TEST(camp2019)
{
	struct sched *s = sched_test_load(D "cccamp2019-frab-schedule.json", SCHED_FMT_AUTO,
					  "Europe/London", NULL);
	const struct sched_talk *t;

	REQUIRE(s);
	/* The file's own zone wins over configuration. */
	CHECK_STREQ(s->tz_name, "Europe/Berlin");
	CHECK_STREQ(s->version, "Gacrux");
	CHECK_INTEQ(s->nrooms, 2);
	t = sched_test_title(s, "Opening Ceremony");
	REQUIRE(t);
	CHECK_INTEQ(t->start, 1566378000); /* 2019-08-21T11:00:00+02:00 */
	CHECK_INTEQ(t->end - t->start, 1800);
	CHECK_STREQ(t->id, "a0a0fcfe-b7fb-46e3-84b6-97a5406016b4");
	CHECK(has_speaker(t, "jinxx") && has_speaker(t, "smtw"));
	CHECK_STREQ(t->track, "CCC");
	t = sched_test_title(s, "Visualization of networks using physics");
	REQUIRE(t);
	CHECK_INTEQ(t->start, 1566741600);
	CHECK_STREQ(t->room, "Meitner");
	sched_model_free(s);
}

TEST(pyconfr2025)
{
	struct sched *s = sched_test_load(D "pyconfr2025-pretalx-api.json", SCHED_FMT_AUTO,
					  "Europe/Paris", NULL);
	const struct sched_talk *t;

	REQUIRE(s);
	CHECK_STREQ(s->tz_name, "Europe/Paris");
	t = sched_test_title(s, "Accueil\xE2\x80\xAF/ Welcome"); /* U+202F */
	REQUIRE(t);
	CHECK_INTEQ(t->start, 1761983400); /* 2025-11-01T08:50:00+01:00 */
	CHECK_INTEQ(t->end, 1761986100);   /* 09:35 */
	CHECK_STREQ(t->room, "B003");      /* i18n {"en": "B003", "fr": ...} */
	CHECK_STREQ(t->type, "Short plenary");
	CHECK(has_speaker(t, "Lucie Anglade"));
	CHECK(t->id && !strncmp(t->id, "pretalx:38LRHE@", 15));
	sched_model_free(s);
}

TEST(pyconus2024)
{
	struct sched *s = sched_test_load(D "pyconus2024-conference.json", SCHED_FMT_AUTO,
					  "America/New_York", NULL);
	const struct sched_talk *t;

	REQUIRE(s);
	t = sched_test_title(s, "Hacking `import` for speed: how we wrote a GPU accelerator "
				"for pandas");
	REQUIRE(t);
	CHECK_INTEQ(t->start, 1716042600); /* 2024-05-18T10:30:00-04:00 */
	CHECK_STREQ(t->room, "Ballroom BC");
	CHECK(has_speaker(t, "Bradley Dice"));
	CHECK_STREQ(t->type, "talk");
	t = sched_test_title(s, "Registration Desk Opens");
	REQUIRE(t);
	CHECK_INTEQ(t->end, t->start); /* a zero-length marker */
	/* The unfilled "Slot" (a sponsor workshop at 11:30 in Room 315) is
	 * not offered as a talk (issue 16). */
	CHECK(sched_test_title(s, "Slot") == NULL);
	CHECK(sched_test_title(s, "Sponsor workshop (to be announced)") == NULL);
	CHECK_INTEQ(s->clean.placeholders, 1);
	sched_model_free(s);
}

TEST(fosdem2025)
{
	struct sched *s = sched_test_load(D "fosdem2025-schedule.xml", SCHED_FMT_AUTO, NULL, NULL);
	const struct sched_talk *t;
	size_t cancelled = 0;

	REQUIRE(s);
	CHECK_STREQ(s->tz_name, "Europe/Brussels");
	CHECK_STREQ(s->name, "FOSDEM 2025");
	CHECK_INTEQ(s->nrooms, 29);
	t = sched_test_title(s, "An introduction to Torch-MLIR");
	REQUIRE(t);
	CHECK_INTEQ(t->start, 1738409100); /* 2025-02-01T12:25:00+01:00 */
	CHECK_INTEQ(t->end - t->start, 1200);
	CHECK_STREQ(t->room, "K.3.201");
	for (size_t i = 0; i < s->ntalks; i++)
		cancelled += s->talks[i].cancelled;
	/* "Cancelling POSIX syscalls..." is not a cancellation. */
	CHECK_INTEQ(cancelled, 0);
	sched_model_free(s);
}

TEST(fosdem2023_pentabarf)
{
	struct sched *s = sched_test_load(D "fosdem2023-pentabarf-schedule.xml", SCHED_FMT_AUTO,
					  "Europe/Brussels", NULL);
	const struct sched_talk *t;
	size_t cancelled = 0;

	REQUIRE(s);
	CHECK_STREQ(s->tz_name, "Europe/Brussels");
	CHECK_INTEQ(s->nrooms, 35);
	/* No <date>: day 2023-02-04 + <start>15:00 in Brussels = 14:00 UTC. */
	t = sched_test_title(s, "Similarity Detection in Online Integrity");
	REQUIRE(t);
	CHECK_INTEQ(t->start, 1675519200);
	CHECK_INTEQ(t->end - t->start, 3000);
	CHECK_STREQ(t->room, "Janson");
	CHECK_STREQ(t->id, "xml:13744@1675519200");
	t = sched_test_title(s, "Welcome to FOSDEM 2023");
	REQUIRE(t);
	CHECK_INTEQ(t->start, 1675499400); /* 09:30 CET */
	CHECK(has_speaker(t, "Richard Hartmann"));
	for (size_t i = 0; i < s->ntalks; i++)
		cancelled += s->talks[i].cancelled;
	CHECK_INTEQ(cancelled, 5);
	t = sched_test_title(s, "First class support in OSS"); /* prefix dropped */
	CHECK(t && t->cancelled);
	sched_model_free(s);
}

TEST(debconf23_wafer)
{
	struct sched *s = sched_test_load(D "debconf23-wafer-schedule.xml", SCHED_FMT_AUTO, NULL,
					  NULL);
	const struct sched_talk *t;
	struct hw_civil c;

	REQUIRE(s);
	CHECK_STREQ(s->tz_name, "Asia/Kolkata");
	CHECK_INTEQ(s->nrooms, 5);
	/* <date>2023-09-10T12:30:00+00:00</date> with <start>18:00</start> IST */
	t = sched_test_title(s, "From 5 to 100: The Debian Bras\xC3\xADlia Community's Story");
	REQUIRE(t);
	CHECK_INTEQ(t->start, 1694349000);
	hw_civil_split(hw_tz_to_local(s->tz, t->start), &c);
	CHECK(c.day == 10 && c.hour == 18 && c.min == 0);
	sched_model_free(s);
}

TEST(lca2020_ics)
{
	struct sched *s = sched_test_load(D "lca2020-schedule.ics", SCHED_FMT_AUTO, NULL, NULL);
	const struct sched_talk *t;

	REQUIRE(s);
	/* TZID=Australia/Brisbane without VTIMEZONE, X-WR-TIMEZONE too. */
	CHECK_STREQ(s->tz_name, "Australia/Brisbane");
	CHECK_STREQ(s->name, "linux.conf.au 2020");
	t = sched_test_title(s, "Wednesday Welcome");
	REQUIRE(t);
	CHECK_INTEQ(t->start, 1579042800); /* 20200115T090000 +10:00 */
	CHECK_INTEQ(t->end - t->start, 600);
	CHECK_STREQ(t->room, "Arena");
	CHECK(has_speaker(t, "Joel Addison")); /* from "Speaker: ..." in DESCRIPTION */
	CHECK_STREQ(t->id, "94@lca2020.linux.org.au");
	/* The escaped multi-room LOCATION is one entry in each room (issue 16). */
	CHECK(sched_model_room_index(s, "Arena, Room 8, Room 5, Room 6, Room 7") < 0);
	CHECK_INTEQ(s->clean.split_bookings, 8);
	sched_model_free(s);
}

TEST(jres2022_ics)
{
	struct sched *s = sched_test_load(D "jres2022-schedule.ics", SCHED_FMT_AUTO, NULL, NULL);
	const struct sched_talk *t;

	REQUIRE(s);
	CHECK_STREQ(s->tz_name, "Europe/Paris");
	t = sched_test_title(s, "Accueil congressistes");
	REQUIRE(t);
	CHECK_INTEQ(t->start, 1652778000); /* 20220517T110000 Europe/Paris, CEST */
	CHECK_STREQ(t->room, "Accueil Parc Chanot");
	/* A fold splits a UTF-8 character in this event's DESCRIPTION. */
	t = sched_test_title(s, "182 - Num\xC3\xA9rique : Enjeux g\xC3\xA9opolitiques, "
				"externalit\xC3\xA9s environnementales et cha\xC3\xAEnes de "
				"d\xC3\xA9pendance");
	REQUIRE(t);
	CHECK(t->abstract && strstr(t->abstract, "territoires, leurs richesses"));
	CHECK(t->abstract && !strchr(t->abstract, '\r'));
	/* Both spellings of the Callelongue room are present as rooms. */
	CHECK(sched_model_room_index(s, "Amphith\xC3\xA9\xC3\xA2tre Callelongue") >= 0);
	CHECK(sched_model_room_index(s, "Amphith\xC3\xA9\x61tre Callelongue") >= 0);
	sched_model_free(s);
}

TEST(europython_day)
{
	struct sched *s = sched_test_load(D "europython-2024-days/2024-07-10.json", SCHED_FMT_AUTO,
					  NULL, NULL);
	const struct sched_talk *t;

	REQUIRE(s);
	/* No zone named: the offset seen (+02:00) until one is configured. */
	CHECK_STREQ(s->tz_name, "UTC+02:00");
	t = sched_test_title(s, "Coffee Break");
	REQUIRE(t);
	CHECK_INTEQ(t->start, 1720599300); /* 2024-07-10T10:15:00+02:00 */
	CHECK_INTEQ(t->end - t->start, 30 * 60);
	CHECK_STREQ(t->type, "break");
	/* Booked in six rooms: one entry in each (issue 16). */
	CHECK_STREQ(t->room, "Forum Hall");
	t = sched_test_title(s, "Wednesday Registration & Welcome @ Forum Hall Foyer 1st Floor");
	REQUIRE(t);
	CHECK_STREQ(t->type, "Announcements");
	CHECK_STREQ(t->level, "beginner");
	CHECK(t->id && !strncmp(t->id, "ep:TZWRJN@", 10));
	/* The day's declared rooms come first, in the site's order. */
	CHECK_STREQ(s->rooms[0], "Exhibit Hall");
	sched_model_free(s);
}

/* Several files of one conference: a list of paths, read as a bundle. */
TEST(bundle_sources)
{
	char p1[1024], p2[1024], dir[1024], err[256], *buf = NULL;
	const char *two[2] = {test_shared_path(p1, sizeof(p1), D "europython-2024-days/2024-07-08.json"),
			      test_shared_path(p2, sizeof(p2), D "europython-2024-days/2024-07-09.json")};
	const char *schema[1] = {test_shared_path(dir, sizeof(dir), D "schema")};
	struct sched_bundle_part part;
	struct sched *s = NULL;
	size_t len = 0, pos = 0, n = 0;

	REQUIRE(sched_source_read(two, 2, 1u << 20, &buf, &len, err, sizeof(err)) == 0);
	CHECK(sched_bundle_is(buf, len));
	CHECK(sched_load_detect(buf, len) == SCHED_FMT_EUROPYTHON);
	while (sched_bundle_next(buf, len, &pos, &part) == 1)
		n++;
	CHECK_INTEQ(n, 2);
	REQUIRE(sched_load(buf, len, SCHED_FMT_AUTO, "Europe/Prague", &s, err, sizeof(err)) == 0);
	CHECK_INTEQ(s->ntalks - (s->clean.split_entries - s->clean.split_bookings), 28 + 29);
	sched_model_free(s);
	s = NULL;
	/* Every truncation of the bundle: an error or a sane schedule. */
	for (size_t cut = 0; cut < len; cut += len / 97 + 1) {
		char *copy = malloc(cut + 1);
		REQUIRE(copy);
		memcpy(copy, buf, cut);
		if (sched_load(copy, cut, SCHED_FMT_AUTO, NULL, &s, err, sizeof(err)) == 0) {
			CHECK(s->ntalks > 0);
			sched_model_free(s);
			s = NULL;
		} else {
			CHECK(err[0] != 0);
		}
		free(copy);
	}
	free(buf);
	buf = NULL;
	/* The cap is on the whole bundle. */
	CHECK(sched_source_read(two, 2, 30000, &buf, &len, err, sizeof(err)) == SCHED_ERR_IO);
	CHECK(buf == NULL && strstr(err, "larger") != NULL);
	/* schema/ holds .json and .xsd: one file, its plain bytes. */
	REQUIRE(sched_source_read(schema, 1, 1u << 20, &buf, &len, err, sizeof(err)) == 0);
	CHECK(!sched_bundle_is(buf, len) && buf[0] == '{');
	free(buf);
	buf = NULL;
	two[1] = "/nonexistent/hallway-schedule.json";
	CHECK(sched_source_read(two, 2, 1u << 20, &buf, &len, err, sizeof(err)) == SCHED_ERR_IO);
	CHECK(strstr(err, "/nonexistent/") != NULL);
	schema[0] = test_shared_path(dir, sizeof(dir), "../docs");
	CHECK(sched_source_read(schema, 1, 1u << 20, &buf, &len, err, sizeof(err)) ==
	      SCHED_ERR_EMPTY);
	/* Malformed bundles: lengths past the end, no header, no parts. */
	{
		static const char *const bad[] = {
			SCHED_BUNDLE_MAGIC "99 a.json\n{}\n",
			SCHED_BUNDLE_MAGIC "2 a.json\n{}",
			SCHED_BUNDLE_MAGIC "x a.json\n{}\n",
			SCHED_BUNDLE_MAGIC "2 a.json",
			SCHED_BUNDLE_MAGIC,
			SCHED_BUNDLE_MAGIC "99999999999999999999 a\n",
		};
		for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
			CHECK(sched_load(bad[i], strlen(bad[i]), SCHED_FMT_AUTO, NULL, &s, err,
					 sizeof(err)) != 0);
			CHECK(s == NULL && err[0]);
		}
	}
}

TEST(ics_fixture)
{
	/* Every pitfall in a few lines: LF and CRLF and \r\r\n, a fold
	 * splitting "é" (C3 | A9), UTC, floating, DATE-only, DURATION,
	 * mozilla-style TZID, quoted CN, STATUS:CANCELLED, a VALARM. */
	static const char ics[] =
		"BEGIN:VCALENDAR\r\nX-WR-CALNAME:Fixture\\, Conf\r\n"
		"BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Caf\xC3\r\n \xA9 talk\r\r\n"
		"DTSTART:20260328T233000Z\r\nDURATION:PT45M\r\n"
		"ATTENDEE;CN=\"Doe, Jane\";ROLE=CHAIR:mailto:j@example.org\r\n"
		"BEGIN:VALARM\r\nSUMMARY:not the title\r\nEND:VALARM\r\nEND:VEVENT\n"
		"BEGIN:VEVENT\nUID:b\nSUMMARY:Floating\nDTSTART:20260329T023000\n"
		"DTEND:20260329T040000\nLOCATION:Room \\; 1\nSTATUS:CANCELLED\nEND:VEVENT\n"
		"BEGIN:VEVENT\nUID:c\nSUMMARY:All day\nDTSTART;VALUE=DATE:20260330\nEND:VEVENT\n"
		"BEGIN:VEVENT\nUID:d\nSUMMARY:Mozilla\n"
		"DTSTART;TZID=/mozilla.org/20050126_1/America/New_York:20260330T090000\nEND:VEVENT\n"
		"BEGIN:VEVENT\nSUMMARY:No start\nEND:VEVENT\n"
		"END:VCALENDAR\n";
	struct sched *s = NULL;
	const struct sched_talk *t;
	char err[200];

	REQUIRE(sched_load(ics, sizeof(ics) - 1, SCHED_FMT_AUTO, "Europe/Brussels", &s, err,
			   sizeof(err)) == 0);
	CHECK_INTEQ(s->ntalks, 4);
	CHECK_STREQ(s->name, "Fixture, Conf");
	t = sched_test_title(s, "Caf\xC3\xA9 talk");
	REQUIRE(t);
	CHECK_INTEQ(t->start, 1774740600);
	CHECK_INTEQ(t->end - t->start, 2700);
	CHECK(has_speaker(t, "Doe, Jane"));
	t = sched_test_title(s, "Floating");
	REQUIRE(t);
	/* 02:30 does not exist in Brussels that night: read as 03:30 CEST. */
	CHECK_INTEQ(t->start, 1774747800);
	CHECK_INTEQ(t->end, 1774749600); /* 04:00 CEST */
	CHECK(t->cancelled);
	CHECK_STREQ(t->room, "Room ; 1");
	t = sched_test_title(s, "All day");
	REQUIRE(t);
	CHECK_INTEQ(t->end - t->start, 86400);
	t = sched_test_title(s, "Mozilla");
	REQUIRE(t);
	CHECK_INTEQ(t->start, 1774875600); /* 09:00 EDT */
	sched_model_free(s);
}

/* Loads buf[0..len) and checks the result is an error or a sane schedule. */
static void check_robust(const char *buf, size_t len, const char *what)
{
	struct sched *s = NULL;
	char err[256];
	int ret = sched_load(buf, len, SCHED_FMT_AUTO, "Europe/Brussels", &s, err, sizeof(err));

	if (ret) {
		CHECK(s == NULL);
		CHECK(err[0] != 0);
		return;
	}
	CHECK(s && s->ntalks > 0);
	for (size_t i = 0; s && i < s->ntalks; i++) {
		CHECK(s->talks[i].title && s->talks[i].id);
		CHECK(s->talks[i].end >= s->talks[i].start);
	}
	(void)what;
	sched_model_free(s);
}

TEST(truncated_and_corrupted)
{
	for (size_t i = 0; i < NFILES; i++) {
		size_t len;
		char *buf = sched_test_read(files[i].rel, &len);
		REQUIRE(buf);
		/* Truncate at 0, a few bytes, and 13 points through the file. */
		size_t cuts[] = {0, 1, 7, 64, 100};
		for (size_t k = 0; k < sizeof(cuts) / sizeof(*cuts); k++)
			check_robust(buf, cuts[k] < len ? cuts[k] : len, files[i].rel);
		for (size_t k = 1; k < 14; k++) {
			size_t cut = len * k / 14;
			char *copy = malloc(cut + 1);
			REQUIRE(copy);
			memcpy(copy, buf, cut); /* exact length: ASan sees overreads */
			check_robust(copy, cut, files[i].rel);
			free(copy);
		}
		/* Corrupt bytes in the middle: quotes, angle brackets, NULs. */
		for (size_t k = 1; k < 6; k++) {
			char *copy = malloc(len);
			REQUIRE(copy);
			memcpy(copy, buf, len);
			for (size_t j = k; j < len; j += len / 7 + k)
				copy[j] = "\"<\0:\n"[k % 5];
			check_robust(copy, len, files[i].rel);
			free(copy);
		}
		free(buf);
	}
	check_robust("", 0, "empty");
	check_robust("{}", 2, "empty object");
	check_robust("[]", 2, "empty array");
	check_robust("<schedule/>", 11, "empty xml");
	check_robust("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", 32, "empty ics");
}

TEST(explicit_format_mismatch)
{
	struct sched *s = NULL;
	char err[256];
	size_t len;
	char *buf = sched_test_read(D "cccamp2019-frab-schedule.json", &len);

	REQUIRE(buf);
	CHECK(sched_load(buf, len, SCHED_FMT_XML, NULL, &s, err, sizeof(err)) != 0);
	CHECK(strstr(err, "XML") != NULL);
	CHECK(sched_load(buf, len, SCHED_FMT_PYCON, NULL, &s, err, sizeof(err)) != 0);
	CHECK(s == NULL);
	free(buf);
}

int main(void)
{
	RUN(detect);
	RUN(counts);
	RUN(mch2022);
	RUN(camp2019);
	RUN(pyconfr2025);
	RUN(pyconus2024);
	RUN(fosdem2025);
	RUN(fosdem2023_pentabarf);
	RUN(debconf23_wafer);
	RUN(lca2020_ics);
	RUN(jres2022_ics);
	RUN(europython_day);
	RUN(bundle_sources);
	RUN(ics_fixture);
	RUN(truncated_and_corrupted);
	RUN(explicit_format_mismatch);
	return test_summary();
}
