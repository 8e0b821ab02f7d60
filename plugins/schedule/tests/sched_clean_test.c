/*
 * Issue 16 on the schedule's side: cleaning at load (multi-room bookings,
 * placeholders, duplicates, ICS "Title - Speaker") on small sources and
 * the real schedules, and the answers as reply models: every talk running
 * or next reachable page by page, the main rooms on the first page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/civil.h>

#include "sched_clean.h"
#include "sched_cmd_model.h"
#include "sched_load.h"
#include "sched_query.h"
#include "sched_test_util.h"
#include "golden_model.h"
#include "testlib.h"

#define D "schedules/"

static struct sched *load_text(const char *text, enum sched_format fmt)
{
	struct sched *s = NULL;
	char err[256];
	if (sched_load(text, strlen(text), fmt, "Europe/Brussels", &s, err, sizeof(err)))
		fprintf(stderr, "load: %s\n", err);
	return s;
}

static size_t count_title(const struct sched *s, const char *title)
{
	size_t n = 0;
	for (size_t i = 0; i < s->ntalks; i++)
		n += !strcmp(s->talks[i].title, title);
	return n;
}

/* A conference.json in PyCon US's shape: a break booked in three rooms
 * (comma-joined), a placeholder, a duplicate, a room list that is not. */
static const char *pycon =
	"{\"conference\": {}, \"schedule\": ["
	"{\"room\": \"Room 1\", \"start\": \"2025-05-16T10:00:00-04:00\", \"duration\": 30,"
	" \"kind\": \"talk\", \"name\": \"Alpha\", \"conf_key\": 1,"
	" \"speakers\": [{\"name\": \"Ann\"}]},"
	"{\"room\": \"Room 2\", \"start\": \"2025-05-16T10:00:00-04:00\", \"duration\": 30,"
	" \"kind\": \"talk\", \"name\": \"Beta\", \"conf_key\": 2, \"speakers\": [{\"name\": \"Bo\"}]},"
	"{\"room\": \"Room 3\", \"start\": \"2025-05-16T10:00:00-04:00\", \"duration\": 30,"
	" \"kind\": \"talk\", \"name\": \"Gamma\", \"conf_key\": 3, \"speakers\": [{\"name\": \"Cy\"}]},"
	"{\"room\": \"Room 1, Room 2, Room 3\", \"start\": \"2025-05-16T10:30:00-04:00\","
	" \"duration\": 15, \"kind\": \"break\", \"name\": \"Break\", \"conf_key\": 4},"
	"{\"room\": \"Room 3\", \"start\": \"2025-05-16T11:00:00-04:00\", \"duration\": 60,"
	" \"kind\": \"sponsor-workshop\", \"name\": \"Slot\", \"conf_key\": 5},"
	"{\"room\": \"Room 2\", \"start\": \"2025-05-16T11:00:00-04:00\", \"duration\": 30,"
	" \"kind\": \"talk\", \"name\": \"Delta\", \"conf_key\": 6, \"speakers\": [{\"name\": \"Di\"}]},"
	"{\"room\": \"Room 2\", \"start\": \"2025-05-16T11:00:00-04:00\", \"duration\": 30,"
	" \"kind\": \"talk\", \"name\": \"Delta\", \"conf_key\": 7, \"speakers\": [{\"name\": \"Di\"}]},"
	"{\"room\": \"Room 2\", \"start\": \"2025-05-16T11:00:00-04:00\", \"duration\": 30,"
	" \"kind\": \"talk\", \"name\": \"Delta\", \"conf_key\": 8, \"speakers\": [{\"name\": \"Eve\"}]},"
	"{\"room\": \"Hall A, upper level\", \"start\": \"2025-05-16T12:00:00-04:00\","
	" \"duration\": 30, \"kind\": \"talk\", \"name\": \"Epsilon\", \"conf_key\": 9,"
	" \"speakers\": [{\"name\": \"Fa\"}]}"
	"]}";

TEST(pycon_rooms_placeholders_duplicates)
{
	struct sched *s = load_text(pycon, SCHED_FMT_AUTO);
	char summary[300];
	REQUIRE(s);
	/* The break is one entry in each of its rooms, never an 18th room. */
	CHECK_INTEQ(count_title(s, "Break"), 3);
	CHECK(sched_model_room_index(s, "Room 1, Room 2, Room 3") < 0);
	CHECK_INTEQ(s->nrooms, 4); /* Room 1..3, "Hall A, upper level" */
	/* A comma that does not join known rooms is left alone. */
	CHECK_INTEQ(count_title(s, "Epsilon"), 1);
	CHECK(sched_model_room_index(s, "Hall A, upper level") >= 0);
	/* The placeholder is not a talk; the exact copy collapses, a talk that
	 * differs (another speaker) stays. */
	CHECK_INTEQ(count_title(s, "Slot"), 0);
	CHECK_INTEQ(count_title(s, "Delta"), 2);
	CHECK_INTEQ(s->clean.split_bookings, 1);
	CHECK_INTEQ(s->clean.split_entries, 3);
	CHECK_INTEQ(s->clean.placeholders, 1);
	CHECK_INTEQ(s->clean.duplicates, 1);
	sched_clean_summary(s, summary, sizeof(summary));
	CHECK_STREQ(summary, "; cleaned: 1 booking in several rooms split into 3 entries, "
			     "1 placeholder dropped, 1 duplicate collapsed");
	/* The split entries have ids of their own. */
	for (size_t i = 0; i < s->ntalks; i++)
		for (size_t k = i + 1; k < s->ntalks; k++)
			CHECK(strcmp(s->talks[i].id, s->talks[k].id));
	sched_model_free(s);
}

/* pretalx's .ics: "Title - Speaker" in SUMMARY. */
static const char *ics_people =
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-TIMEZONE:Europe/Brussels\r\n"
	"BEGIN:VEVENT\r\nUID:a1\r\nDTSTART:20251120T090000Z\r\nDTEND:20251120T093000Z\r\n"
	"SUMMARY:Parsing calendars - Ada Lovelace\r\n"
	"ORGANIZER;CN=Ada Lovelace:mailto:ada@example.org\r\nLOCATION:Room A\r\nEND:VEVENT\r\n"
	"BEGIN:VEVENT\r\nUID:a2\r\nDTSTART:20251120T100000Z\r\nDTEND:20251120T103000Z\r\n"
	"SUMMARY:Time zones - the hard parts - Grace Hopper\r\n"
	"ATTENDEE;CN=Grace Hopper:mailto:grace@example.org\r\nLOCATION:Room A\r\nEND:VEVENT\r\n"
	"BEGIN:VEVENT\r\nUID:a3\r\nDTSTART:20251120T110000Z\r\nDTEND:20251120T113000Z\r\n"
	"SUMMARY:Rust - a retrospective\r\n"
	"ORGANIZER;CN=Someone Else:mailto:x@example.org\r\nLOCATION:Room A\r\nEND:VEVENT\r\n"
	"END:VCALENDAR\r\n";

/* ... and with no ATTENDEE or ORGANIZER: the pattern across the file. */
static const char *ics_pattern =
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	"BEGIN:VEVENT\r\nUID:b1\r\nDTSTART:20251120T090000Z\r\nSUMMARY:Fast builds - Ana Ng\r\nEND:VEVENT\r\n"
	"BEGIN:VEVENT\r\nUID:b2\r\nDTSTART:20251120T100000Z\r\nSUMMARY:Slow builds - Bo Li & Cy Wu\r\nEND:VEVENT\r\n"
	"BEGIN:VEVENT\r\nUID:b3\r\nDTSTART:20251120T110000Z\r\nSUMMARY:No builds - Di Ma\r\nEND:VEVENT\r\n"
	"BEGIN:VEVENT\r\nUID:b4\r\nDTSTART:20251120T120000Z\r\nSUMMARY:Lunch\r\nEND:VEVENT\r\n"
	"END:VCALENDAR\r\n";

static int has_speaker(const struct sched_talk *t, const char *name)
{
	for (size_t i = 0; i < t->nspeakers; i++)
		if (!strcmp(t->speakers[i], name))
			return 1;
	return 0;
}

TEST(ics_title_speaker)
{
	struct sched *s = load_text(ics_people, SCHED_FMT_ICS);
	const struct sched_talk *t;
	REQUIRE(s);
	t = sched_test_title(s, "Parsing calendars");
	CHECK(t && has_speaker(t, "Ada Lovelace"));
	t = sched_test_title(s, "Time zones - the hard parts");
	CHECK(t && has_speaker(t, "Grace Hopper") && t->nspeakers == 1);
	/* The last part is nobody of the event: the title stays whole. */
	CHECK(sched_test_title(s, "Rust - a retrospective") != NULL);
	CHECK_INTEQ(s->clean.titles_split, 2);
	sched_model_free(s);

	s = load_text(ics_pattern, SCHED_FMT_ICS);
	REQUIRE(s);
	t = sched_test_title(s, "Slow builds");
	CHECK(t && has_speaker(t, "Bo Li") && has_speaker(t, "Cy Wu"));
	CHECK((t = sched_test_title(s, "Fast builds")) && has_speaker(t, "Ana Ng"));
	CHECK(sched_test_title(s, "Lunch") != NULL);
	CHECK_INTEQ(s->clean.titles_split, 3);
	sched_model_free(s);
}

/* The real schedules: what the cleaning does to each, and what it leaves. */
TEST(real_schedules)
{
	struct sched *s = sched_test_load(D "lca2020-schedule.ics", SCHED_FMT_AUTO, NULL, NULL);
	REQUIRE(s);
	/* Eight plenary events booked in "Arena, Room 8, Room 5, Room 6, Room 7". */
	CHECK_INTEQ(s->clean.split_bookings, 8);
	CHECK_INTEQ(s->clean.split_entries, 40);
	CHECK_INTEQ(s->nrooms, 6);
	/* " - " there is a subtitle, with the speaker in DESCRIPTION: kept. */
	CHECK_INTEQ(s->clean.titles_split, 0);
	CHECK(sched_test_title(s, "Decoding battery management data - back in the old school"));
	sched_model_free(s);

	s = sched_test_load(D "fosdem2025-schedule.xml", SCHED_FMT_AUTO, NULL, NULL);
	REQUIRE(s);
	CHECK_INTEQ(s->ntalks, 943);
	CHECK_INTEQ(s->clean.split_bookings + s->clean.placeholders + s->clean.duplicates, 0);
	sched_model_free(s);
}

/* FOSDEM 2025, Sunday 10:12: 26 talks on. Paging shows each once; a
 * configured main room comes first. */
TEST(fosdem_now_pages)
{
	struct sched *s = sched_test_load(D "fosdem2025-schedule.xml", SCHED_FMT_AUTO, NULL, NULL);
	const char *mains[] = {"K.4.401", "UD6.215"};
	struct sched_answer a = {hw_civil_make(2025, 2, 2, 9, 12, 0), mains, 2, 0, NULL};
	char *seen[64];
	size_t nseen = 0, total = 0;
	REQUIRE(s);
	for (int page = 1; page <= 5; page++) {
		char args[32];
		json_t *m, *it;
		size_t i;
		snprintf(args, sizeof(args), "page=%d", page);
		m = sched_answer_now(s, &a, args);
		REQUIRE(m);
		if (page == 1) {
			/* The configured main rooms first, in their order. */
			CHECK_STREQ(json_string_value(json_object_get(
					    json_array_get(json_object_get(m, "items"), 0), "room")),
				    "K.4.401");
			CHECK_STREQ(json_string_value(json_object_get(
					    json_array_get(json_object_get(m, "items"), 1), "room")),
				    "UD6.215");
			CHECK_INTEQ(json_integer_value(json_object_get(json_object_get(m, "more"),
								       "total")), 26);
			CHECK_STREQ(json_string_value(json_object_get(json_object_get(m, "more"),
								      "command")), "now page=2");
		}
		json_array_foreach(json_object_get(m, "items"), i, it) {
			const char *title = json_string_value(json_object_get(it, "title"));
			if (!title || strcmp(json_string_value(json_object_get(it, "kind")), "talk"))
				continue;
			total++;
			for (size_t k = 0; k < nseen; k++)
				CHECK(strcmp(seen[k], title));
			if (nseen < 64)
				seen[nseen++] = strdup(title);
		}
		if (!json_object_get(m, "more")) {
			json_decref(m);
			break;
		}
		json_decref(m);
	}
	CHECK_INTEQ(total, 26);
	for (size_t k = 0; k < nseen; k++)
		free(seen[k]);
	/* next at Sunday 09:00 (20 talks starting) pages the same way, and a
	 * track narrows: now track:Inclusive Web. */
	a.now = hw_civil_make(2025, 2, 2, 7, 59, 0);
	{
		json_t *m = sched_answer_next(s, &a, NULL);
		REQUIRE(m);
		CHECK(json_integer_value(json_object_get(json_object_get(m, "more"), "total")) > 8);
		json_decref(m);
		a.now = hw_civil_make(2025, 2, 2, 9, 12, 0);
		m = sched_answer_now(s, &a, "track:Inclusive Web");
		REQUIRE(m);
		CHECK_STREQ(json_string_value(json_object_get(m, "title")),
			    "On now in the Inclusive Web track");
		CHECK_INTEQ(json_array_size(json_object_get(m, "items")), 1);
		json_decref(m);
	}
	sched_model_free(s);
}

/* Issue 16: `talk` pages like next and now. FOSDEM 2025, `talk rust`: more
 * matches than a page; each page's "Show more" runs the same words with
 * the next page, and every match is reachable exactly once, in the order
 * of the search (best first). */
TEST(fosdem_talk_pages)
{
	struct sched *s = sched_test_load(D "fosdem2025-schedule.xml", SCHED_FMT_AUTO, NULL, NULL);
	struct sched_answer a = {hw_civil_make(2025, 2, 2, 9, 12, 0), NULL, 0, 0, NULL};
	const struct sched_talk **all;
	char command[200] = "rust";
	size_t n, seen = 0, pages = 0;
	REQUIRE(s);
	REQUIRE((all = malloc(s->ntalks * sizeof(*all))));
	n = sched_query_search(s, "rust", all, s->ntalks);
	CHECK(n > 2 * SCHED_MODEL_PAGE);
	for (;;) {
		json_t *m = sched_answer_talk(s, &a, command), *it, *more;
		size_t i;
		REQUIRE(m);
		pages++;
		json_array_foreach(json_object_get(m, "items"), i, it) {
			if (strcmp(json_string_value(json_object_get(it, "kind")), "talk"))
				continue;
			/* The same talk as the search's, at the same place. */
			if (seen < n)
				CHECK_STREQ(json_string_value(json_object_get(it, "id")), all[seen]->id);
			seen++;
		}
		more = json_object_get(m, "more");
		if (!more) {
			json_decref(m);
			break;
		}
		CHECK_INTEQ(json_integer_value(json_object_get(more, "total")), n);
		CHECK_INTEQ(json_integer_value(json_object_get(more, "shown")), seen);
		REQUIRE(!strncmp(json_string_value(json_object_get(more, "command")), "talk rust page=", 15));
		snprintf(command, sizeof(command), "%s",
			 json_string_value(json_object_get(more, "command")) + 5);
		json_decref(m);
		REQUIRE(pages < 100);
	}
	CHECK_INTEQ(seen, n);
	CHECK_INTEQ(pages, (n + SCHED_MODEL_PAGE - 1) / SCHED_MODEL_PAGE);
	free(all);
	sched_model_free(s);
}

/* PyCon US 2024, Thursday 09:35: 12 tutorials, sponsor workshops and
 * summits on. Every one reachable over the pages, none twice; with main
 * rooms configured, they come first. */
TEST(pycon_now_pages)
{
	struct sched *s = sched_test_load(D "pyconus2024-conference.json", SCHED_FMT_AUTO, NULL, NULL);
	const char *mains[] = {"Room 402"};
	struct sched_answer a = {1715866500 /* 2024-05-16T09:35:00-04:00 */, mains, 1, 0, NULL};
	json_t *p1, *p2;
	REQUIRE(s);
	p1 = sched_answer_now(s, &a, NULL);
	p2 = sched_answer_now(s, &a, "page=2");
	REQUIRE(p1 && p2);
	CHECK_INTEQ(json_integer_value(json_object_get(json_object_get(p1, "more"), "total")), 12);
	CHECK_INTEQ(json_array_size(json_object_get(p1, "items")), 8);
	CHECK_STREQ(json_string_value(json_object_get(json_array_get(json_object_get(p1, "items"), 0),
						      "room")), "Room 402");
	/* The second page ends it: 4 more talks, then "The last of 12." */
	CHECK_INTEQ(json_array_size(json_object_get(p2, "items")), 4 + 1);
	CHECK(json_object_get(p2, "more") == NULL);
	json_decref(p1);
	json_decref(p2);
	sched_model_free(s);
}

/* The schedule's answers on the sample conference, as the models the
 * host draws: compared with tests/unit/golden/reply/sched-*.model.json,
 * which test_reply_model draws for each door (HALLWAY_GOLDEN_UPDATE=1
 * writes them anew). */
static void golden_model(const char *name, json_t *m)
{
	REQUIRE(m);
	CHECK(golden_model_same(name, m));
}

TEST(golden_models)
{
	struct sched *s = NULL;
	char err[256];
	size_t len = 0;
	char *buf = NULL;
	FILE *f = fopen(SCHED_SAMPLE_PATH, "rb");
	struct sched_answer a = {1795683600 /* Thu 26 Nov 2026 10:00 in Brussels */, NULL, 0, 0, NULL};
	REQUIRE(f);
	buf = calloc(1, 1 << 20);
	if (buf)
		len = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	REQUIRE(buf && len);
	REQUIRE(sched_load(buf, len, SCHED_FMT_AUTO, "Europe/Brussels", &s, err, sizeof(err)) == 0);
	free(buf);
	golden_model("sched-next", sched_answer_next(s, &a, NULL));
	golden_model("sched-now-envelope", sched_answer_now(s, &a, "envlope"));
	golden_model("sched-day-friday", sched_answer_day(s, &a, "friday"));
	golden_model("sched-speaker", sched_answer_speaker(s, &a, "chloe"));
	sched_model_free(s);
}

int main(void)
{
	RUN(pycon_rooms_placeholders_duplicates);
	RUN(ics_title_speaker);
	RUN(real_schedules);
	RUN(fosdem_now_pages);
	RUN(pycon_now_pages);
	RUN(fosdem_talk_pages);
	RUN(golden_models);
	return test_summary();
}
