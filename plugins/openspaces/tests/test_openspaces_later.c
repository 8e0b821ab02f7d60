/*
 * Talks to watch later (issue 21) through mock_api: later <talk> by title
 * words (typos too), by id, an ambiguous name answered with ids, the list
 * before and after the conference (recordings when the schedule carries
 * them, else the talk's page), watched, and a restart.
 */
#include "testlib.h"

#include "common.h"

static const mock_user ann = {"101", "Ann", 0};
static const mock_user bob = {"102", "Bob", 0};

static const char *say(mock_api *m, const mock_user *u, const char *line)
{
	int rc = mock_api_chat(m, u, line);
	if (rc)
		fprintf(stderr, "  command \"%s\" returned %d\n", line, rc);
	return mock_api_last_text(m, MOCK_OUT_REPLY);
}

/* Thu 26 Nov 2026 in Brussels: 11:00-11:30 and 14:00-14:30 local. */
static void load_talks(mock_api *m)
{
	json_t *ev = json_pack(
		"{s:i, s:s, s:[{s:s, s:s, s:s, s:I, s:I, s:s}, {s:s, s:s, s:s, s:I, s:I},"
		" {s:s, s:s, s:I, s:I}]}",
		"version", 1, "timezone", "Europe/Brussels", "talks",
		"id", "HWC104", "title", "Time Zones Are Hard, DST Is Harder", "url",
		"https://example.org/HWC104", "start", (json_int_t)1795687200, "end",
		(json_int_t)1795689000, "recording", "https://video.example.org/HWC104.mp4",
		"id", "HWC105", "title", "A Talk About Bots", "url", "https://example.org/HWC105",
		"start", (json_int_t)1795698000, "end", (json_int_t)1795699800,
		"id", "HWC106", "title", "Another Talk About Bots", "start", (json_int_t)1795698000,
		"end", (json_int_t)1795699800);
	mock_api_emit(m, "schedule.loaded", ev);
	json_decref(ev);
}

TEST(later_and_watched)
{
	char path[256];
	mock_api *m = os_start_at(os_tmp_db(path, sizeof(path)), NULL, OS_THU_0900);
	const char *r;

	CHECK(os_has(say(m, &ann, "later time zones"), "No schedule loaded yet."));
	load_talks(m);
	CHECK(os_has(say(m, &ann, "later tiem zones"),
		     "On your list: **Time Zones Are Hard, DST Is Harder** (1 to watch)"));
	CHECK(os_has(say(m, &ann, "later xyzzy"), "No talk matches \"xyzzy\""));
	r = say(m, &ann, "later bots");
	CHECK(os_has(r, "Which one? Say `later <id>`:"));
	CHECK(os_has(r, "`HWC105` A Talk About Bots") && os_has(r, "`HWC106` Another Talk"));
	CHECK(os_has(say(m, &ann, "later HWC105"), "**A Talk About Bots** (2 to watch)"));
	CHECK(os_has(say(m, &ann, "later a talk about bots"), "(2 to watch)")); /* the whole title */
	r = say(m, &ann, "later");
	CHECK(os_has(r, "**Talks to watch later**\n- Time Zones Are Hard, DST Is Harder (Thu 26 Nov "
			"11:00)\n- A Talk About Bots (Thu 26 Nov 14:00)"));
	CHECK(os_has(say(m, &bob, "later"), "none. `later <talk>` keeps one here."));
	/* After the conference: the watch list, with the recording when known. */
	mock_api_set_now(m, OS_THU_0900 + 2 * 86400000LL);
	r = say(m, &ann, "later");
	CHECK(os_has(r, "**Your watch list**\n- Time Zones Are Hard, DST Is Harder: recording "
			"<https://video.example.org/HWC104.mp4>"));
	CHECK(os_has(r, "- A Talk About Bots: <https://example.org/HWC105> (the recording appears"));
	CHECK(os_has(say(m, &ann, "watched time zones"),
		     "Ticked off: **Time Zones Are Hard, DST Is Harder**. 1 left to watch."));
	CHECK(os_has(mock_api_last(m, MOCK_OUT_PUBLISH)->text,
		     "{\"talk_id\":\"HWC104\",\"user_id\":\"101\",\"version\":1,\"watched\":true}"));
	CHECK(os_has(say(m, &ann, "watched HWC104"), "is ticked off already."));
	/* Not on Bob's list: ticked all the same, so that a talk he starred
	 * leaves agenda's watch list (recommend reads talk.watched). */
	CHECK(os_has(say(m, &bob, "watched HWC105"),
		     "**A Talk About Bots** is ticked off as watched. It was not on your `later`"));
	CHECK(os_has(mock_api_last(m, MOCK_OUT_PUBLISH)->text,
		     "{\"talk_id\":\"HWC105\",\"user_id\":\"102\",\"version\":1,\"watched\":true}"));
	CHECK(os_has(say(m, &bob, "watched HWC105"), "is ticked off already."));
	CHECK(os_has(say(m, &bob, "later"), "none."));
	CHECK(!strstr(say(m, &ann, "later"), "Time Zones"));
	/* Kept again: back on the list. */
	CHECK(os_has(say(m, &ann, "later HWC104"), "(2 to watch)"));
	CHECK(os_has(mock_api_last(m, MOCK_OUT_PUBLISH)->text, "\"watched\":false"));
	mock_api_free(m);
	/* The list is stored: a restart keeps it, even before the schedule. */
	m = os_start_at(path, NULL, OS_THU_0900 + 2 * 86400000LL);
	r = say(m, &ann, "later");
	CHECK(os_has(r, "- A Talk About Bots (no longer in the schedule)"));
	CHECK(os_has(say(m, &ann, "watched HWC105"), "Ticked off: **HWC105**. 1 left"));
	mock_api_free(m);
}

int main(void)
{
	RUN(later_and_watched);
	return test_summary();
}
