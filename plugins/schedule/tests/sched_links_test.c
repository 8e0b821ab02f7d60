/*
 * Recording links (issue 21, sched_links.c): which real schedules in
 * ../shared/data/schedules carry them (only FOSDEM 2023's pentabarf file:
 * "Video recording (mp4/aac, ...)" links, 646 of its 780 talks), that the
 * other links of the real files are left alone (chat rooms, feedback,
 * camp 2019's YouTube links about something else), and each format's way
 * of writing one on small inputs.
 */
#include <string.h>

#include "sched_export.h"
#include "sched_links.h"
#include "sched_test_util.h"

#define D "schedules/"

static size_t with_recording(const struct sched *s)
{
	size_t n = 0;
	for (size_t i = 0; i < s->ntalks; i++)
		n += s->talks[i].recording != NULL;
	return n;
}

TEST(real_files)
{
	static const struct {
		const char *rel, *tz;
		size_t n;
	} files[] = {
		{D "fosdem2023-pentabarf-schedule.xml", "Europe/Brussels", 646},
		{D "fosdem2025-schedule.xml", NULL, 0},
		{D "debconf23-wafer-schedule.xml", NULL, 0}, /* <recording> without a URL */
		{D "cccamp2019-frab-schedule.json", NULL, 0},
		{D "mch2022-pretalx-schedule.json", "Europe/Amsterdam", 0},
		{D "pyconus2024-conference.json", "America/New_York", 0},
		{D "pyconfr2025-pretalx-api.json", "Europe/Paris", 0},
		{D "lca2020-schedule.ics", NULL, 0},
		{D "europython-2024-days/2024-07-10.json", "Europe/Prague", 0},
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct sched *s = sched_test_load(files[i].rel, SCHED_FMT_AUTO, files[i].tz, NULL);
		REQUIRE(s);
		if (with_recording(s) != files[i].n)
			fprintf(stderr, "  %s: %zu recordings\n", files[i].rel, with_recording(s));
		CHECK_INTEQ(with_recording(s), files[i].n);
		sched_model_free(s);
	}
}

TEST(fosdem2023)
{
	struct sched *s = sched_test_load(D "fosdem2023-pentabarf-schedule.xml", SCHED_FMT_AUTO,
					  "Europe/Brussels", NULL);
	const struct sched_talk *t;
	json_t *ex, *v;
	size_t i;
	int found = 0;

	REQUIRE(s);
	/* WebM first, then mp4: the mp4 is kept (it plays everywhere). */
	t = sched_test_title(s, "Celebrating 25 years of Open Source");
	REQUIRE(t);
	CHECK_STREQ(t->recording,
		    "https://video.fosdem.org/2023/Janson/celebrating_25_years_of_open_source.mp4");
	/* The room's name is in the path, spaces and all: sent as a browser
	 * would. */
	t = sched_test_title(s, "Graphics: A Frame's Journey");
	REQUIRE(t);
	CHECK_STREQ(t->recording, "https://video.fosdem.org/2023/K.1.105%20(La%20Fontaine)/"
				  "graphics_a_frames_journey.mp4");
	/* No recording link at all: chat rooms and feedback only. */
	t = sched_test_title(s, "Welcome to FOSDEM 2023");
	REQUIRE(t);
	CHECK(t->recording == NULL);
	/* What other plugins get (schedule.loaded). */
	ex = sched_export(s);
	REQUIRE(ex);
	json_array_foreach(json_object_get(ex, "talks"), i, v)
		if (!strcmp(json_string_value(json_object_get(v, "title")),
			    "Celebrating 25 years of Open Source")) {
			found = 1;
			CHECK_STREQ(json_string_value(json_object_get(v, "recording")),
				    "https://video.fosdem.org/2023/Janson/"
				    "celebrating_25_years_of_open_source.mp4");
		} else if (!strcmp(json_string_value(json_object_get(v, "title")),
				   "Welcome to FOSDEM 2023")) {
			CHECK(json_string_value(json_object_get(v, "recording")) == NULL);
		}
	CHECK(found);
	json_decref(ex);
	sched_model_free(s);
}

static struct sched *load(const char *text, enum sched_format fmt)
{
	struct sched *s = NULL;
	char err[200];
	if (sched_load(text, strlen(text), fmt, "Europe/Brussels", &s, err, sizeof(err))) {
		fprintf(stderr, "  load failed: %s\n", err);
		return NULL;
	}
	return s;
}

TEST(frab_json)
{
	static const char json[] =
		"{\"schedule\": {\"version\": \"v\", \"conference\": {\"title\": \"C\","
		" \"time_zone_name\": \"Europe/Brussels\", \"days\": [{\"date\": \"2026-03-28\","
		" \"rooms\": {\"A\": ["
		"{\"guid\": \"g1\", \"title\": \"Listed\", \"date\": \"2026-03-28T10:00:00+01:00\","
		" \"duration\": \"00:30\", \"persons\": [], \"links\": ["
		"  {\"url\": \"https://youtu.be/old\", \"title\": \"The recording of the talk from"
		" Droidcon 2022\"},"
		"  {\"url\": \"javascript:alert(1)\", \"title\": \"Video recording\"},"
		"  {\"url\": \"https://media.example.org/listed.webm\", \"title\": \"Video recording"
		" (WebM)\"}]},"
		"{\"guid\": \"g2\", \"title\": \"Field\", \"date\": \"2026-03-28T11:00:00+01:00\","
		" \"duration\": \"00:30\", \"persons\": [], \"video_url\":"
		" \"https://media.example.org/field\", \"links\": [{\"url\":"
		" \"https://media.example.org/field.mp4\", \"title\": \"Recording\"}]},"
		"{\"guid\": \"g3\", \"title\": \"Typed\", \"date\": \"2026-03-28T12:00:00+01:00\","
		" \"duration\": \"00:30\", \"persons\": [], \"links\": [{\"url\":"
		" \"https://peertube.example.org/w/3\", \"title\": \"PeerTube\", \"type\": \"video\"}]},"
		"{\"guid\": \"g4\", \"title\": \"None\", \"date\": \"2026-03-28T13:00:00+01:00\","
		" \"duration\": \"00:30\", \"persons\": [], \"do_not_record\": true, \"links\": [{\"url\":"
		" \"https://example.org/slides\", \"title\": \"[Video] a demo of the tool\"}]}"
		"]}}]}}}";
	struct sched *s = load(json, SCHED_FMT_FRAB_JSON);
	REQUIRE(s);
	CHECK_STREQ(sched_test_title(s, "Listed")->recording, "https://media.example.org/listed.webm");
	/* A field naming the recording beats a listed link, even an mp4. */
	CHECK_STREQ(sched_test_title(s, "Field")->recording, "https://media.example.org/field");
	CHECK_STREQ(sched_test_title(s, "Typed")->recording, "https://peertube.example.org/w/3");
	CHECK(sched_test_title(s, "None")->recording == NULL);
	sched_model_free(s);
}

TEST(pycon_json)
{
	static const char json[] =
		"{\"schedule\": [{\"kind\": \"talk\", \"name\": \"Py\", \"room\": \"R\","
		" \"start\": \"2026-05-15T10:00:00-04:00\", \"end\": \"2026-05-15T10:30:00-04:00\","
		" \"conf_key\": \"7\", \"video_url\": \"https://www.youtube.com/watch?v=abc\"},"
		" {\"kind\": \"talk\", \"name\": \"Quiet\", \"room\": \"R\","
		" \"start\": \"2026-05-15T11:00:00-04:00\", \"end\": \"2026-05-15T11:30:00-04:00\","
		" \"conf_key\": \"8\", \"video_url\": \"\"}]}";
	struct sched *s = load(json, SCHED_FMT_PYCON);
	REQUIRE(s);
	CHECK_STREQ(sched_test_title(s, "Py")->recording, "https://www.youtube.com/watch?v=abc");
	CHECK(sched_test_title(s, "Quiet")->recording == NULL);
	sched_model_free(s);
}

TEST(xml)
{
	static const char xml[] =
		"<schedule><version>v</version><conference><title>C</title>"
		"<time_zone_name>Europe/Brussels</time_zone_name></conference>"
		"<day date=\"2026-03-28\" index=\"1\"><room name=\"A\">"
		"<event guid=\"x1\" id=\"1\"><date>2026-03-28T10:00:00+01:00</date>"
		"<duration>00:30</duration><title>Wafer</title>"
		"<recording><license>MIT</license><optout>false</optout>"
		"<url>https://meetings-archive.example.org/x1.webm</url></recording></event>"
		"<event guid=\"x2\" id=\"2\"><date>2026-03-28T11:00:00+01:00</date>"
		"<duration>00:30</duration><title>Typed</title><links>"
		"<link href=\"https://chat.example.org/#/room\">Chat room (web)</link>"
		"<link href=\"https://v.example.org/x2\" type=\"recording\">Watch</link>"
		"</links></event>"
		"<event guid=\"x3\" id=\"3\"><date>2026-03-28T12:00:00+01:00</date>"
		"<duration>00:30</duration><title>Opted out</title>"
		"<recording><license/><optout>true</optout></recording></event>"
		"</room></day></schedule>";
	struct sched *s = load(xml, SCHED_FMT_XML);
	REQUIRE(s);
	CHECK_STREQ(sched_test_title(s, "Wafer")->recording,
		    "https://meetings-archive.example.org/x1.webm");
	CHECK_STREQ(sched_test_title(s, "Typed")->recording, "https://v.example.org/x2");
	CHECK(sched_test_title(s, "Opted out")->recording == NULL);
	sched_model_free(s);
}

TEST(ics)
{
	static const char ics[] =
		"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
		"BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Attached\r\nDTSTART:20260328T100000Z\r\n"
		"DURATION:PT30M\r\nURL:https://conf.example.org/talk/a\r\n"
		"ATTACH;FMTTYPE=application/pdf:https://conf.example.org/a.pdf\r\n"
		"ATTACH;FMTTYPE=video/mp4:https://conf.example.org/a.mp4\r\nEND:VEVENT\r\n"
		"BEGIN:VEVENT\r\nUID:b\r\nSUMMARY:Slides only\r\nDTSTART:20260328T110000Z\r\n"
		"DURATION:PT30M\r\nATTACH:https://conf.example.org/b.pdf\r\nEND:VEVENT\r\n"
		"END:VCALENDAR\r\n";
	struct sched *s = load(ics, SCHED_FMT_ICS);
	REQUIRE(s);
	CHECK_STREQ(sched_test_title(s, "Attached")->recording, "https://conf.example.org/a.mp4");
	/* The talk's page stays its url, never its recording. */
	CHECK_STREQ(sched_test_title(s, "Attached")->url, "https://conf.example.org/talk/a");
	CHECK(sched_test_title(s, "Slides only")->recording == NULL);
	sched_model_free(s);
}

TEST(encoded)
{
	struct sched_talk t = {0};
	CHECK(sched_links_offer(&t, SCHED_LINK_FIELD, " https://v.example.org/a b\n", NULL, NULL,
				NULL) == 0);
	CHECK_STREQ(t.recording, "https://v.example.org/a%20b");
	/* A control character, or no http(s): not a link, the first one stays. */
	CHECK(sched_links_offer(&t, SCHED_LINK_FIELD, "https://v.example.org/\x01x.mp4", NULL, NULL,
				NULL) == 0);
	CHECK(sched_links_offer(&t, SCHED_LINK_FIELD, "ftp://v.example.org/x.mp4", NULL, NULL,
				NULL) == 0);
	CHECK(sched_links_offer(&t, SCHED_LINK_FIELD, "https:///x.mp4", NULL, NULL, NULL) == 0);
	CHECK_STREQ(t.recording, "https://v.example.org/a%20b");
	free(t.recording);
}

int main(void)
{
	RUN(real_files);
	RUN(fosdem2023);
	RUN(frab_json);
	RUN(pycon_json);
	RUN(xml);
	RUN(ics);
	RUN(encoded);
	return test_summary();
}
