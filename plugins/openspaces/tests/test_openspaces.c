/*
 * The openspaces plugin through mock_api: every command, the one-winner
 * rule within one process, nearest free slots, time words, capacity,
 * drops, moves and removals with their DMs, export, the dry run, the
 * schedule's time zone, hostile text, and a restart on the same database.
 */
#include "testlib.h"

#include "common.h"

static const mock_user org = {"900", "Orga", 1};
static const mock_user ann = {"101", "Ann", 0};
static const mock_user bob = {"102", "Bob", 0};
static const mock_user cat = {"103", "Cat", 0};
static const mock_user dan = {"104", "Dan", 0};

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

TEST(commands_registered)
{
	static const char *const names[] = {"openspace board", "openspace propose",
					    "openspace join", "openspace leave",
					    "openspace mine", "openspace drop",
					    "openspace move", "openspace remove",
					    "openspace export", "meetup", "meetups", "openspaces",
					    "later", "watched"};
	char path[256];
	mock_api *m = os_start(os_tmp_db(path, sizeof(path)), NULL);
	size_t i;
	CHECK_INTEQ(mock_api_command_count(m), 14);
	for (i = 0; i < 14; i++) {
		const hw_command_spec *c = mock_api_command(m, names[i]);
		REQUIRE(c != NULL);
		CHECK_INTEQ(c->perm, i >= 6 && i < 9 ? HW_PERM_ORGANIZER : HW_PERM_EVERYONE);
	}
	mock_api_free(m);
}

TEST(propose_board_and_conflicts)
{
	char path[256];
	mock_api *m = os_start(os_tmp_db(path, sizeof(path)), NULL);
	const char *r;
	CHECK(os_has(say(m, &ann, "openspace propose thursday 10:00 Packaging war stories"),
		     "It's yours: #1 \xE2\x80\x9CPackaging war stories\xE2\x80\x9D on Thu 2026-11-26 "
		     "10:00 in Room A"));
	/* No room named: the first free one. */
	CHECK(os_has(say(m, &bob, "openspace propose thu 10:00 Rust in production"),
		     "#2 \xE2\x80\x9CRust in production\xE2\x80\x9D on Thu 2026-11-26 10:00 in Room B"));
	/* A room named ("room a", any case) that is taken: the nearest free slots. */
	r = say(m, &cat, "openspace propose thu 10:00 room a Docs sprint");
	CHECK(os_has(r, "Room A is taken then (#1"));
	CHECK(os_has(r, "Free nearby:\n- Thu 2026-11-26 10:00 in Garden (`openspace propose thu "
			"10:00 Garden ...`)\n- Thu 2026-11-26 11:00 in Room A"));
	CHECK(os_has(r, "- Thu 2026-11-26 12:00 in Room A"));
	/* A multi-word room, then the topic. */
	CHECK(os_has(say(m, &cat, "openspace propose thu 10:00 Garden Docs sprint"),
		     "#3 \xE2\x80\x9C" "Docs sprint\xE2\x80\x9D on Thu 2026-11-26 10:00 in Garden"));
	/* Full: every room taken at 10:00. */
	r = say(m, &dan, "openspace propose thu 10:00 Type hints");
	CHECK(os_has(r, "Every room is taken then."));
	CHECK(os_has(r, "- Thu 2026-11-26 11:00 in Room A"));
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM openspaces_sessions"), 3);
	/* A replay is answered the same and changes nothing; a host is in one
	 * place at a time. */
	CHECK(os_has(say(m, &ann, "openspace propose thursday 10:00 packaging WAR stories"),
		     "You already have it: #1"));
	CHECK(os_has(say(m, &ann, "openspace propose thu 10:00 Something else"),
		     "You already host #1"));
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM openspaces_sessions"), 3);
	r = say(m, &dan, "openspace board thu");
	CHECK(os_has(r, "Open spaces on Thu 2026-11-26 (times in Europe/Brussels):"));
	CHECK(os_has(r, "\n10:00 #1 \xE2\x80\x9CPackaging war stories\xE2\x80\x9D in Room A (host "
			"Ann, 1 going) \xC2\xB7 #2"));
	CHECK(os_has(r, "\n11:00 free: Room A, Room B, Garden"));
	r = say(m, &dan, "openspace board friday");
	CHECK(os_has(r, "\n12:00 free: Room A, Room B\n"));
	CHECK(os_has(say(m, &dan, "openspace board monday"), "not a day of the open-space board"));
	mock_api_free(m);
}

TEST(time_words)
{
	char path[256];
	mock_api *m = os_start(os_tmp_db(path, sizeof(path)), NULL);
	const char *r;
	mock_api_set_now(m, OS_THU_0900);
	CHECK(os_has(say(m, &ann, "openspace propose tomorrow 2pm Coffee"),
		     "No open-space slot starts then. Slots start at 10:00, 11:00, 12:00."));
	CHECK(os_has(say(m, &ann, "openspace propose tomorrow 11am Garden Coffee"),
		     "on Fri 2026-11-27 11:00 in Garden"));
	CHECK(os_has(say(m, &bob, "openspace propose demain 11h Room B Café"),
		     "on Fri 2026-11-27 11:00 in Room B"));
	CHECK(os_has(say(m, &cat, "openspace propose 10:00 Today's topic"),
		     "on Thu 2026-11-26 10:00 in Room A"));
	CHECK(os_has(say(m, &dan, "openspace propose 12 pm vendredi Garden Lunch"),
		     "Garden is held back then."));
	CHECK(os_has(say(m, &dan, "openspace propose monday 10:00 Nope"),
		     "not a day of the open-space board. Its days: Thu 2026-11-26, Fri 2026-11-27"));
	CHECK(os_has(say(m, &dan, "openspace propose Packaging"), "Say when: `14:30`"));
	CHECK(os_has(say(m, &dan, "openspace propose friday 10:00"), "Add a topic"));
	/* 10:30 in Brussels: the 10:00 slot has started and is not offered. */
	mock_api_set_now(m, OS_THU_0900 + 90 * 60000);
	r = say(m, &dan, "openspace propose thu 10:00 Late");
	CHECK(os_has(r, "That slot has already started. Free nearby:\n- Thu 2026-11-26 11:00"));
	CHECK(os_has(say(m, &dan, "openspace board"), "\n10:00 #3"));
	CHECK(os_has(say(m, &dan, "openspace board"), "\n11:00 free"));
	mock_api_free(m);
}

TEST(join_leave_capacity)
{
	char path[256];
	mock_api *m = os_start(os_tmp_db(path, sizeof(path)), NULL);
	const mock_user eve = {"105", "Eve", 0};
	say(m, &ann, "openspace propose thu 11:00 Room B Packaging war stories");
	CHECK(os_has(say(m, &bob, "openspace join packaging"),
		     "You're in: #1 \xE2\x80\x9CPackaging war stories\xE2\x80\x9D on Thu 2026-11-26 "
		     "11:00 in Room B (2 going of 3)"));
	CHECK(os_has(say(m, &bob, "openspace join #1"), "You already joined #1"));
	CHECK(os_has(say(m, &ann, "openspace join 1"), "You host #1"));
	CHECK(os_has(say(m, &cat, "openspace join war"), "(3 going of 3)"));
	CHECK(os_has(say(m, &dan, "openspace join 1"), "is full: its room holds 3."));
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM openspaces_joins"), 2);
	CHECK(os_has(say(m, &dan, "openspace join nothing like it"), "No open space by that"));
	say(m, &dan, "openspace propose thu 12:00 Packaging tools");
	CHECK(os_has(say(m, &eve, "openspace join packaging"), "2 open spaces match; which one?"));
	CHECK(os_has(say(m, &bob, "openspace mine"), "Your open spaces:\n- #1"));
	CHECK(os_has(say(m, &ann, "openspace mine"), "(you host; 3 going)"));
	CHECK(os_has(say(m, &eve, "openspace mine"), "You host and joined no open space yet."));
	/* Slash autocomplete: by a word of the topic, or by number. */
	CHECK_INTEQ(mock_api_complete(m, "openspace join", "open_space", "war"), 1);
	{
		const char *value = NULL, *name = mock_api_choice(m, 0, &value);
		CHECK(os_has(name, "#1 Packaging war stories \xC2\xB7 Thu 2026-11-26 11:00"));
		CHECK_STREQ(value, "#1");
	}
	CHECK_INTEQ(mock_api_complete(m, "openspace join", "open_space", "pack"), 2);
	CHECK_INTEQ(mock_api_complete(m, "openspace drop", "open_space", "#2"), 1);
	CHECK_INTEQ(mock_api_complete(m, "openspace leave", "open_space", ""), 2);
	CHECK(os_has(say(m, &bob, "openspace leave"), "You left #1"));
	CHECK(os_has(say(m, &bob, "openspace leave #1"), "You had not joined #1"));
	CHECK(os_has(say(m, &ann, "openspace leave #1"), "You host #1 \xE2\x80\x9CPackaging war "
							 "stories\xE2\x80\x9D; to give its slot back, "
							 "`openspace drop #1`."));
	CHECK(os_has(say(m, &dan, "openspace join 1"), "You're in"));
	mock_api_free(m);
}

TEST(drop_by_host_only)
{
	char path[256];
	mock_api *m = os_start(os_tmp_db(path, sizeof(path)), NULL);
	say(m, &ann, "openspace propose thu 10:00 Packaging");
	say(m, &bob, "openspace join 1");
	say(m, &cat, "openspace join 1");
	CHECK(os_has(say(m, &bob, "openspace drop 1"), "Only its host drops"));
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_DM), 0);
	CHECK(os_has(say(m, &ann, "openspace drop #1"), "the slot is free again. 2 who joined"));
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_DM), 2);
	CHECK(os_has(mock_api_last_text(m, MOCK_OUT_DM), "is cancelled: its host dropped it."));
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM openspaces_outbox"), 0);
	CHECK(os_has(say(m, &ann, "openspace drop 1"), "No open space by that"));
	/* The cell is free for the next one. */
	CHECK(os_has(say(m, &dan, "openspace propose thu 10:00 Room A Docs"), "It's yours: #2"));
	mock_api_free(m);
}

TEST(move_notifies_once)
{
	char path[256];
	mock_api *m = os_start(os_tmp_db(path, sizeof(path)), NULL);
	const char *r;
	say(m, &ann, "openspace propose thu 10:00 Packaging");
	say(m, &bob, "openspace propose thu 11:00 Rust");
	say(m, &cat, "openspace join packaging");
	CHECK_INTEQ(mock_api_chat(m, &ann, "openspace move 1 fri 10:00"), HW_ERR_DENIED);
	r = say(m, &org, "openspace move #1 thu 11:00 Room A");
	CHECK(os_has(r, "That room is taken then. Free nearby:\n- Thu 2026-11-26 11:00 in Room B"));
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_DM), 0);
	r = say(m, &org, "openspace move #1 fri 12:00");
	CHECK(os_has(r, "Moved #1 \xE2\x80\x9CPackaging\xE2\x80\x9D on Fri 2026-11-27 12:00 in Room A. "
			"2 people get a DM."));
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_DM), 2);
	CHECK_STREQ(mock_api_output(m, MOCK_OUT_DM, 0)->target, "103");
	CHECK_STREQ(mock_api_output(m, MOCK_OUT_DM, 1)->target, "101");
	CHECK(os_has(mock_api_last_text(m, MOCK_OUT_DM), "moved: it is now on Fri 2026-11-27 12:00 in "
							 "Room A"));
	/* The retry timer sends nothing again. */
	mock_api_advance(m, 5 * 60000);
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_DM), 2);
	CHECK(os_has(say(m, &cat, "openspace board fri"), "\n12:00 #1"));
	CHECK(os_has(say(m, &cat, "openspace board thu"), "\n10:00 free: Room A"));
	/* A slot that has started is no place to move to. */
	mock_api_set_now(m, OS_THU_0900 + 90 * 60000);
	CHECK(os_has(say(m, &org, "openspace move #1 thu 10:00"), "That slot has already started."));
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_DM), 2);
	mock_api_free(m);
}

TEST(remove_exact_with_reason)
{
	char path[256];
	mock_api *m = os_start(os_tmp_db(path, sizeof(path)), NULL);
	const char *r;
	say(m, &ann, "openspace propose thu 10:00 Packaging war stories");
	say(m, &bob, "openspace join 1");
	r = say(m, &org, "openspace remove packaging spam");
	CHECK(os_has(r, "Did you mean #1"));
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM openspaces_sessions WHERE ended_ms IS NULL"), 1);
	r = say(m, &org, "openspace remove \"packaging war Stories\" the room is closed");
	CHECK(os_has(r, "Removed #1"));
	CHECK(os_has(r, "The host and 1 who joined get a DM with the reason."));
	REQUIRE(mock_api_output_count(m, MOCK_OUT_DM) == 2);
	CHECK(os_has(mock_api_output(m, MOCK_OUT_DM, 0)->text,
		     "was removed by the organizers: the room is closed."));
	CHECK_STREQ(mock_api_output(m, MOCK_OUT_DM, 0)->target, "102");
	CHECK_STREQ(mock_api_output(m, MOCK_OUT_DM, 1)->target, "101");
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM openspaces_sessions WHERE end_reason = "
			     "'the room is closed'"), 1);
	say(m, &ann, "openspace propose thu 11:00 Docs");
	CHECK(os_has(say(m, &org, "openspace remove #2"), "Removed #2"));
	mock_api_free(m);
}

/* The last "openspaces.board" published (new reference), and how many. */
static json_t *last_board(mock_api *m, size_t *count)
{
	const mock_output *o = NULL;
	*count = 0;
	for (size_t i = 0; i < mock_api_output_count(m, MOCK_OUT_PUBLISH); i++)
		if (!strcmp(mock_api_output(m, MOCK_OUT_PUBLISH, i)->target, "openspaces.board")) {
			o = mock_api_output(m, MOCK_OUT_PUBLISH, i);
			(*count)++;
		}
	return o ? json_loads(o->text, 0, NULL) : NULL;
}

static const char *space_str(json_t *board, size_t i, const char *key)
{
	const char *v = json_string_value(
		json_object_get(json_array_get(json_object_get(board, "spaces"), i), key));
	return v ? v : "";
}

static long long space_int(json_t *board, size_t i, const char *key)
{
	return json_integer_value(
		json_object_get(json_array_get(json_object_get(board, "spaces"), i), key));
}

/* Issue 21: other plugins (announce's starting-soon posts) learn the board
 * from "openspaces.board": at start, after each change a post would show,
 * and when asked. */
TEST(board_published_to_other_plugins)
{
	char path[256];
	mock_api *m = os_start(os_tmp_db(path, sizeof(path)), NULL);
	json_t *b, *req;
	size_t n, before;
	/* The first read of the board is published (empty here). */
	REQUIRE((b = last_board(m, &n)));
	CHECK(n >= 1);
	CHECK_INTEQ(json_integer_value(json_object_get(b, "version")), 1);
	CHECK_INTEQ(json_array_size(json_object_get(b, "spaces")), 0);
	json_decref(b);
	say(m, &ann, "openspace propose thu 10:00 Packaging");
	REQUIRE((b = last_board(m, &n)));
	CHECK_INTEQ(json_array_size(json_object_get(b, "spaces")), 1);
	CHECK_INTEQ(space_int(b, 0, "id"), 1);
	CHECK_STREQ(space_str(b, 0, "title"), "Packaging");
	CHECK_STREQ(space_str(b, 0, "room"), "Room A");
	CHECK_STREQ(space_str(b, 0, "host"), "Ann");
	CHECK_INTEQ(space_int(b, 0, "start"), OS_THU_0900 / 1000 + 3600);
	CHECK_INTEQ(space_int(b, 0, "end"), OS_THU_0900 / 1000 + 7200);
	json_decref(b);
	/* A join or a taken slot changes nothing a post shows. */
	say(m, &bob, "openspace join 1");
	say(m, &cat, "openspace propose thu 10:00 Room A Other");
	REQUIRE((b = last_board(m, &n)));
	CHECK_INTEQ(json_array_size(json_object_get(b, "spaces")), 1);
	CHECK_STREQ(space_str(b, 0, "title"), "Packaging");
	json_decref(b);
	say(m, &org, "openspace move #1 fri 12:00");
	REQUIRE((b = last_board(m, &n)));
	CHECK_INTEQ(space_int(b, 0, "start"), OS_THU_0900 / 1000 + 86400 + 3 * 3600);
	json_decref(b);
	say(m, &ann, "openspace drop 1");
	REQUIRE((b = last_board(m, &n)));
	CHECK_INTEQ(json_array_size(json_object_get(b, "spaces")), 0);
	json_decref(b);
	/* Asked: answered; a request of a newer shape is left alone. */
	before = n;
	req = json_pack("{s:i}", "version", 1);
	mock_api_emit(m, "openspaces.request", req);
	json_decref(req);
	json_decref(last_board(m, &n));
	CHECK_INTEQ(n, before + 1);
	req = json_pack("{s:i}", "version", 2);
	mock_api_emit(m, "openspaces.request", req);
	json_decref(req);
	json_decref(last_board(m, &n));
	CHECK_INTEQ(n, before + 1);
	say(m, &ann, "openspace propose thu 11:00 Docs");
	REQUIRE((b = last_board(m, &n)));
	CHECK_INTEQ(json_array_size(json_object_get(b, "spaces")), 1);
	json_decref(b);
	say(m, &org, "openspace remove #2");
	REQUIRE((b = last_board(m, &n)));
	CHECK_INTEQ(json_array_size(json_object_get(b, "spaces")), 0);
	json_decref(b);
	mock_api_free(m);
}

/* The zone of the copy other plugins and the screens read: without
 * plugins.openspaces.timezone it is the schedule's, learnt after the board
 * was first read (a restart reads the board at once, the schedule comes
 * later), and it may change on a reload. The instants follow each time,
 * also for a change committed in a unit of work queued before the zone
 * moved. */
TEST(board_follows_the_schedule_zone)
{
	char path[256];
	const char *cfg = "{\"rooms\": [{\"name\": \"Hall\"}], \"days\": [\"2026-11-26\"],"
			  " \"slots\": [\"10:00\", \"14:00\"]}";
	const long long thu = OS_THU_0900 / 1000 - 9 * 3600 + 3600; /* 2026-11-26T00:00Z */
	json_t *ev, *b;
	size_t n, before;
	mock_api *m;

	os_tmp_db(path, sizeof(path));
	m = os_start(path, cfg);
	ev = json_pack("{s:i, s:s}", "version", 1, "timezone", "Europe/Brussels");
	mock_api_emit(m, "schedule.loaded", ev);
	json_decref(ev);
	say(m, &ann, "openspace propose thu 10:00 Packaging");
	REQUIRE((b = last_board(m, &n)));
	CHECK_INTEQ(space_int(b, 0, "start"), thu + 9 * 3600); /* 10:00 in Brussels */
	json_decref(b);
	mock_api_free(m);

	/* A restart: the board is read before the schedule says its zone. */
	m = os_start(path, cfg);
	REQUIRE((b = last_board(m, &before)));
	CHECK_INTEQ(space_int(b, 0, "start"), thu + 10 * 3600); /* UTC, for now */
	json_decref(b);
	ev = json_pack("{s:i, s:s}", "version", 1, "timezone", "Europe/Brussels");
	mock_api_emit(m, "schedule.loaded", ev);
	json_decref(ev);
	REQUIRE((b = last_board(m, &n)));
	CHECK_INTEQ(n, before + 1); /* published again at once */
	CHECK_INTEQ(space_int(b, 0, "start"), thu + 9 * 3600);
	CHECK_INTEQ(space_int(b, 0, "end"), thu + 10 * 3600);
	json_decref(b);
	/* Asked later: the same. */
	ev = json_pack("{s:i}", "version", 1);
	mock_api_emit(m, "openspaces.request", ev);
	json_decref(ev);
	REQUIRE((b = last_board(m, &n)));
	CHECK_INTEQ(space_int(b, 0, "start"), thu + 9 * 3600);
	json_decref(b);

	/* A change queued in Brussels, committed after the zone moved (a
	 * reload of the schedule with another zone): New York's instants. */
	mock_api_db_hold(m, 1);
	CHECK_INTEQ(mock_api_chat(m, &bob, "openspace propose thu 14:00 Docs"), HW_OK);
	ev = json_pack("{s:i, s:s}", "version", 1, "timezone", "America/New_York");
	mock_api_emit(m, "schedule.loaded", ev);
	json_decref(ev);
	REQUIRE((b = last_board(m, &n)));
	CHECK_INTEQ(json_array_size(json_object_get(b, "spaces")), 1);
	CHECK_INTEQ(space_int(b, 0, "start"), thu + 15 * 3600); /* 10:00 in New York */
	json_decref(b);
	CHECK(mock_api_db_settle(m) >= 1);
	mock_api_db_hold(m, 0);
	REQUIRE((b = last_board(m, &n)));
	CHECK_INTEQ(json_array_size(json_object_get(b, "spaces")), 2);
	CHECK_INTEQ(space_int(b, 0, "start"), thu + 15 * 3600);
	CHECK_INTEQ(space_int(b, 1, "start"), thu + 19 * 3600); /* 14:00 in New York */
	json_decref(b);
	mock_api_free(m);
}

TEST(export_csv)
{
	char path[256];
	mock_api *m = os_start(os_tmp_db(path, sizeof(path)), NULL);
	const mock_output *f;
	say(m, &ann, "openspace propose thu 10:00 =cmd|' /C calc'!A0, \"quoted\"");
	say(m, &bob, "openspace join 1");
	say(m, &cat, "openspace propose thu 11:00 Docs");
	say(m, &cat, "openspace drop 2");
	CHECK_INTEQ(mock_api_chat(m, &ann, "openspace export"), HW_ERR_DENIED);
	say(m, &org, "openspace export");
	f = mock_api_last(m, MOCK_OUT_REPLY_FILE);
	REQUIRE(f != NULL);
	CHECK_STREQ(f->filename, "openspaces.csv");
	CHECK(os_has(f->text, "Open spaces: 2 rows."));
	CHECK(os_has(f->data, "id,day,start,room,topic,host_id,host_name,going,joined,status,reason\r\n"));
	CHECK(os_has(f->data, "1,2026-11-26,10:00,Room A,\"'=cmd|' /C calc'!A0, \"\"quoted\"\"\",101,Ann,"
			      "2,Bob,active,\r\n"));
	CHECK(os_has(f->data, "2,2026-11-26,11:00,Room A,Docs,103,Cat,1,,ended,dropped by its host\r\n"));
	mock_api_free(m);
}

TEST(hostile_text)
{
	char path[256];
	mock_api *m = os_start(os_tmp_db(path, sizeof(path)), NULL);
	const mock_user evil = {"666", "@everyone", 0};
	const char *r;
	r = say(m, &evil, "openspace propose thu 10:00 @here \xE2\x80\xAE" "desrever %s%n\x01");
	CHECK(os_has(r, "@\xE2\x80\x8Bhere desrever %s%n"));
	CHECK(!strstr(r, "\xE2\x80\xAE"));
	r = say(m, &ann, "openspace board thu");
	CHECK(os_has(r, "(host @\xE2\x80\x8B" "everyone, 1 going)"));
	mock_api_free(m);
}

TEST(survives_restart)
{
	char path[256];
	mock_api *m;
	os_tmp_db(path, sizeof(path));
	m = os_start(path, NULL);
	say(m, &ann, "openspace propose thu 10:00 Packaging");
	say(m, &bob, "openspace join 1");
	/* Discord is down: the move's DMs stay in the outbox. */
	mock_api_fail_sends(m, 503);
	CHECK(os_has(say(m, &org, "openspace move 1 fri 11:00"), "Moved #1"));
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM openspaces_outbox"), 2);
	mock_api_free(m);

	m = os_start(path, NULL);
	/* The DMs owed go out at load, once. */
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_DM), 2);
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM openspaces_outbox"), 0);
	CHECK(os_has(say(m, &cat, "openspace board fri"), "\n11:00 #1 \xE2\x80\x9CPackaging\xE2\x80\x9D "
							   "in Room A (host Ann, 2 going)"));
	CHECK(os_has(say(m, &bob, "openspace mine"), "#1"));
	CHECK(os_has(say(m, &cat, "openspace propose fri 11:00 Room A Other"), "Room A is taken then"));
	CHECK(os_has(say(m, &cat, "openspace propose thu 10:00 Room A Other"), "It's yours: #2"));
	mock_api_free(m);
}

TEST(schedule_time_zone_and_plan)
{
	char path[256];
	const char *cfg = "{\"rooms\": [{\"name\": \"Hall\"}], \"days\": [\"2026-11-26\"],"
			  " \"slots\": [\"10:00\", \"14:00\"]}";
	mock_api *m = os_start(os_tmp_db(path, sizeof(path)), cfg);
	json_t *ev, *plan, *items;
	CHECK(os_has(say(m, &ann, "openspace board"), "(times in UTC):\n10:00 free: Hall\n14:00 free"));
	ev = json_pack("{s:s}", "timezone", "America/New_York");
	mock_api_emit(m, "schedule.loaded", ev);
	json_decref(ev);
	CHECK(os_has(say(m, &ann, "openspace board"), "(times in America/New_York)"));
	say(m, &ann, "openspace propose thu 14:00 Packaging");
	say(m, &bob, "openspace join 1");
	/* 14:00 in New York on 2026-11-26 is 19:00 UTC. */
	plan = json_pack("{s:i, s:I, s:I, s:[]}", "version", 1, "from", (json_int_t)1795719600000LL,
			 "to", (json_int_t)1795719600000LL + 3600000, "items");
	mock_api_emit(m, HW_EVENT_PLAN_COLLECT, plan);
	items = json_object_get(plan, "items");
	REQUIRE(json_array_size(items) == 1);
	CHECK_INTEQ(json_integer_value(json_object_get(json_array_get(items, 0), "at")),
		    1795719600000LL);
	CHECK(os_has(json_string_value(json_object_get(json_array_get(items, 0), "what")),
		     "open space #1 \"Packaging\" starts in Hall (2 going)"));
	CHECK_STREQ(json_string_value(json_object_get(json_array_get(items, 0), "when")), "Thu 14:00");
	CHECK_STREQ(json_string_value(json_object_get(json_array_get(items, 0), "where")),
		    "board (no post)");
	json_decref(plan);
	/* The starting-soon DM, 10 minutes before (remind_minutes). */
	plan = json_pack("{s:i, s:I, s:I, s:[]}", "version", 1, "from",
			 (json_int_t)1795719600000LL - 1800000, "to", (json_int_t)1795719600000LL,
			 "items");
	mock_api_emit(m, HW_EVENT_PLAN_COLLECT, plan);
	items = json_object_get(plan, "items");
	REQUIRE(json_array_size(items) == 1);
	CHECK_INTEQ(json_integer_value(json_object_get(json_array_get(items, 0), "at")),
		    1795719600000LL - 600000);
	CHECK(os_has(json_string_value(json_object_get(json_array_get(items, 0), "what")),
		     "starting-soon DM for open space #1 \"Packaging\" to 2"));
	CHECK_STREQ(json_string_value(json_object_get(json_array_get(items, 0), "where")), "DM");
	json_decref(plan);
	mock_api_free(m);
}

int main(void)
{
	RUN(commands_registered);
	RUN(propose_board_and_conflicts);
	RUN(time_words);
	RUN(join_leave_capacity);
	RUN(drop_by_host_only);
	RUN(move_notifies_once);
	RUN(remove_exact_with_reason);
	RUN(export_csv);
	RUN(hostile_text);
	RUN(survives_restart);
	RUN(schedule_time_zone_and_plan);
	RUN(board_published_to_other_plugins);
	RUN(board_follows_the_schedule_zone);
	return test_summary();
}
