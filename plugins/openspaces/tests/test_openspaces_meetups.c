/*
 * Meetups (issue 21) through mock_api: posting with the shared time
 * phrases, places read from quotes, colons, known rooms or the first word,
 * the durable announcement to meetups_channel, replays, join/leave, the
 * host's cancel with DMs to those who joined, the list, and a restart.
 */
#include "testlib.h"

#include "common.h"
#include "ospace_meetup.h"

static const mock_user org = {"900", "Orga", 1};
static const mock_user ann = {"101", "Ann", 0};
static const mock_user bob = {"102", "Bob", 0};
static const mock_user cat = {"103", "Cat", 0};

#define MEETUP_CONFIG                                                                        \
	"{\"rooms\": [{\"name\": \"Room A\"}, {\"name\": \"Café Lounge ☕\"}],"                  \
	" \"days\": [\"2026-11-26\", \"2026-11-27\"], \"timezone\": \"Europe/Brussels\","      \
	" \"meetups_channel\": \"222222222222222222\"}"

static const char *say(mock_api *m, const mock_user *u, const char *line)
{
	int rc = mock_api_chat(m, u, line);
	if (rc)
		fprintf(stderr, "  command \"%s\" returned %d\n", line, rc);
	return mock_api_last_text(m, MOCK_OUT_REPLY);
}

/* A look at the plugin's tables, on whichever engine db_run uses. */
static long long q_int(mock_api *m, const char *sql)
{
	return mock_api_db_int(m, sql);
}

TEST(split_place)
{
	static const char *const places[] = {"Room A", "Café Lounge ☕", "Main Hall"};
	static const struct {
		const char *text, *place, *what;
	} cases[] = {
		{"\"The Old Pub\" dinner", "The Old Pub", "dinner"},
		{"Main Hall: walk to the river", "Main Hall", "walk to the river"},
		{"Grand Place - waffles", "Grand Place", "waffles"},
		{"cafe lounge board games", "cafe lounge", "board games"}, /* a room, as typed */
		{"Café Lounge ☕ chess", "Café Lounge ☕", "chess"},
		{"at main hall BOF on packaging", "main hall", "BOF on packaging"},
		{"lobby coffee", "lobby", "coffee"},                       /* the first word */
		{"lobby", "lobby", ""},
		{"", "", ""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *p = NULL, *w = NULL;
		CHECK_INTEQ(ospace_meetup_split(cases[i].text, places, 3, &p, &w), 0);
		CHECK_STREQ(p, cases[i].place);
		CHECK_STREQ(w, cases[i].what);
		free(p);
		free(w);
	}
}

TEST(post_announce_join_cancel)
{
	char path[256];
	mock_api *m = os_start(os_tmp_db(path, sizeof(path)), MEETUP_CONFIG);
	const mock_output *o;
	const char *r;

	mock_api_set_now(m, OS_THU_0900);
	r = say(m, &ann, "meetup friday 19:00 \"The Old Pub\" dinner");
	CHECK(os_has(r, "Meetup on: #1 Fri 27 Nov 19:00 \xC2\xB7 The Old Pub \xC2\xB7 **dinner** "
			"\xC2\xB7 by Ann. Announced."));
	/* The announcement went to the channel, once, from the outbox. */
	REQUIRE(mock_api_output_count(m, MOCK_OUT_SEND) == 1);
	o = mock_api_output(m, MOCK_OUT_SEND, 0);
	CHECK_STREQ(o->target, "222222222222222222");
	CHECK(os_has(o->text, "Meetup: **dinner** \xC2\xB7 Fri 27 Nov 19:00 \xC2\xB7 The Old Pub"));
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM openspaces_outbox"), 0);
	/* A replay: the same meetup, announced once. */
	CHECK(os_has(say(m, &ann, "meetup friday 19:00 \"The Old Pub\" dinner"),
		     "You already posted it: #1"));
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_SEND), 1);
	/* Time phrases of every kind; a known room of several words. */
	CHECK(os_has(say(m, &bob, "meetup in 20 min café lounge ☕ board games"),
		     "#2 Thu 26 Nov 09:20 \xC2\xB7 café lounge ☕ \xC2\xB7 **board games**"));
	CHECK(os_has(say(m, &cat, "meetup the 27th 8pm Main Hall: BOF on packaging"),
		     "#3 Fri 27 Nov 20:00 \xC2\xB7 Main Hall \xC2\xB7 **BOF on packaging**"));
	/* Refusals say what works. */
	CHECK(os_has(say(m, &cat, "meetup soon somewhere"), "Say when"));
	CHECK(os_has(say(m, &cat, "meetup friday lobby"), "Say at what time too"));
	CHECK(os_has(say(m, &cat, "meetup 08:00 lobby coffee"), "has passed"));
	CHECK(os_has(say(m, &cat, "meetup friday 10:00 lobby"), "Where, and what is it?"));
	CHECK(os_has(say(m, &cat, "meetup 11/12 10:00 lobby x"), "could be"));
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM openspaces_meetups"), 3);
	/* Join, again, leave, join. */
	CHECK(os_has(say(m, &bob, "meetup join #1"), "You're in: #1"));
	CHECK(os_has(say(m, &bob, "meetup join 1"), "You're already in"));
	CHECK(os_has(say(m, &ann, "meetup join #1"), "You're already in")); /* the host */
	CHECK(os_has(say(m, &cat, "meetup leave #1"), "You had not joined"));
	CHECK(os_has(say(m, &cat, "meetup join #1"), "3 going"));
	CHECK(os_has(say(m, &cat, "meetups"), "#1 Fri 27 Nov 19:00"));
	CHECK(os_has(say(m, &cat, "meetups"), "3 going"));
	CHECK(os_has(say(m, &cat, "meetup join #99"), "There is no meetup #99"));
	CHECK(os_has(say(m, &cat, "meetup join"), "Which meetup?"));
	/* Only the host (or an organizer) calls it off; who joined get a DM. */
	CHECK(os_has(say(m, &bob, "meetup cancel #1"), "Only its host"));
	CHECK(os_has(say(m, &ann, "meetup cancel #1"), "Called off (2 who joined get a DM)"));
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_DM), 2);
	CHECK(os_has(mock_api_last_text(m, MOCK_OUT_DM), "Called off: #1"));
	CHECK(os_has(say(m, &bob, "meetup join #1"), "There is no meetup #1"));
	CHECK(os_has(say(m, &org, "meetup cancel #3"), "Called off (0 who joined"));
	r = say(m, &cat, "meetups");
	CHECK(!strstr(r, "#1 ") && !strstr(r, "#3 ") && os_has(r, "#2 Thu 26 Nov 09:20"));
	mock_api_free(m);
}

/* The announcement is in the outbox in the meetup's own transaction: a
 * post Discord refused is sent again after a restart. */
TEST(announcement_survives_a_failed_send_and_restart)
{
	char path[256];
	mock_api *m = os_start(os_tmp_db(path, sizeof(path)), MEETUP_CONFIG);

	mock_api_set_now(m, OS_THU_0900);
	mock_api_fail_sends(m, 500);
	CHECK(os_has(say(m, &ann, "meetup friday 19:00 lobby dinner"), "Meetup on: #1"));
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM openspaces_outbox"), 1);
	mock_api_free(m);
	m = os_start(path, MEETUP_CONFIG);
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM openspaces_outbox"), 0);
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_SEND), 1);
	CHECK(os_has(say(m, &bob, "meetups"), "#1 Fri 27 Nov 19:00"));
	mock_api_free(m);
}

TEST(no_channel_no_announcement)
{
	char path[256];
	mock_api *m = os_start(os_tmp_db(path, sizeof(path)), NULL);

	mock_api_set_now(m, OS_THU_0900);
	CHECK(os_has(say(m, &ann, "meetup friday 19:00 lobby dinner"), "Meetup on: #1"));
	CHECK(!strstr(mock_api_last_text(m, MOCK_OUT_REPLY), "Announced"));
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_SEND), 0);
	mock_api_free(m);
}

/* Starting-soon DMs: remind_minutes (10) before, to the host and who
 * joined, once, for open spaces and meetups alike. */
TEST(starting_soon_reminders)
{
	char path[256];
	mock_api *m = os_start_at(os_tmp_db(path, sizeof(path)), MEETUP_CONFIG, OS_THU_0900);
	size_t dms;

	CHECK(os_has(say(m, &ann, "openspace propose thu 10:00 Packaging"), "It's yours: #1"));
	CHECK(os_has(say(m, &bob, "openspace join #1"), "#1"));
	CHECK(os_has(say(m, &cat, "meetup 09:30 lobby coffee"), "Meetup on: #1"));
	CHECK(os_has(say(m, &ann, "meetup join #1"), "You're in"));
	mock_api_advance(m, 60000); /* 09:01: nothing is due */
	dms = mock_api_output_count(m, MOCK_OUT_DM);
	CHECK_INTEQ(dms, 0);
	mock_api_advance(m, 20 * 60000); /* 09:21: the meetup at 09:30 */
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_DM), 2);
	CHECK(os_has(mock_api_last_text(m, MOCK_OUT_DM), "Starting in 10 min: meetup #1"));
	mock_api_advance(m, 30 * 60000); /* 09:51: the open space at 10:00 */
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_DM), 4);
	CHECK(os_has(mock_api_last_text(m, MOCK_OUT_DM), "Starting in 10 min: open space #1"));
	mock_api_advance(m, 5 * 60000); /* once each */
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_DM), 4);
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM openspaces_outbox"), 0);
	mock_api_free(m);
}

/* `openspaces`: running now, then starting within three hours, open
 * spaces and meetups together in time order. */
TEST(now_and_next)
{
	char path[256];
	mock_api *m = os_start_at(os_tmp_db(path, sizeof(path)), MEETUP_CONFIG, OS_THU_0900);
	const char *r;

	CHECK(os_has(say(m, &ann, "openspaces"), "nothing yet"));
	CHECK(os_has(say(m, &ann, "openspace propose thu 10:00 Packaging"), "#1"));
	CHECK(os_has(say(m, &bob, "openspace propose thu 15:00 Later"), "#2"));
	CHECK(os_has(say(m, &cat, "meetup 10:30 lobby coffee"), "#1"));
	mock_api_set_now(m, OS_THU_0900 + 80 * 60000); /* 10:20 */
	r = say(m, &cat, "openspaces");
	CHECK(os_has(r, "\nnow \xC2\xB7 Thu 26 Nov 10:00 \xC2\xB7 open space #1 \xE2\x80\x9CPackaging"));
	CHECK(os_has(r, "in Room A (1 going)\nmeetup #1 Thu 26 Nov 10:30"));
	CHECK(!strstr(r, "Later")); /* 15:00 is beyond three hours */
	mock_api_free(m);
}

int main(void)
{
	RUN(split_place);
	RUN(post_announce_join_cancel);
	RUN(announcement_survives_a_failed_send_and_restart);
	RUN(no_channel_no_announcement);
	RUN(starting_soon_reminders);
	RUN(now_and_next);
	return test_summary();
}
