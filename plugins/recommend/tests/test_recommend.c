/*
 * The plugin through mock_api: commands, agenda and clashes, ICS upload,
 * reminders (due, sent once, skipped after a restart past the start,
 * resent after a crash mid-send, claimed by one of two daemons), change
 * DMs, the dry run's late answer, a database that is away, autocomplete.
 * On SQLite, and on PostgreSQL as test_recommend_pg.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hallway/events.h>
#include <hallway/plan.h>

#include "mock_api.h"
#include "rec_fixture.h"
#include "recommend.h"
#include "testlib.h"

extern const hw_plugin_desc hallway_plugin;

static char db_path[256];
static const mock_user ada = {"1001", "Ada", 0};
static const mock_user bob = {"1002", "Bob", 0};

static void rm_db(void)
{
	char side[300];

	if (!db_path[0])
		return;
	unlink(db_path);
	snprintf(side, sizeof(side), "%s-wal", db_path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", db_path);
	unlink(side);
}

/* Removes the previous test's database and names a new one. */
static void fresh_db(const char *name)
{
	rm_db();
	snprintf(db_path, sizeof(db_path), "/tmp/test_recommend_%d_%s.db", (int)getpid(), name);
	rm_db();
}

/* A loaded plugin with the fixture schedule indexed, clock at now_s. */
static mock_api *start(long long now_s, const char *config)
{
	json_t *cfg = config ? json_loads(config, 0, NULL) : NULL;
	mock_api *m = mock_api_new("recommend", cfg, db_path);
	json_t *s = fx_schedule();

	json_decref(cfg);
	mock_api_log_verbose(m, 0);
	mock_api_set_now(m, now_s * 1000);
	if (mock_api_load(m, &hallway_plugin) != HW_OK) {
		mock_api_free(m);
		json_decref(s);
		return NULL;
	}
	mock_api_emit(m, "schedule.loaded", s);
	mock_api_pump(m);
	json_decref(s);
	return m;
}

static int run(mock_api *m, const mock_user *u, const char *line)
{
	return mock_api_chat(m, u, line);
}

static const char *reply(mock_api *m)
{
	return mock_api_last_text(m, MOCK_OUT_REPLY);
}

/* 1 when exactly one reminder row matches sql's WHERE (a literal: the
 * test's look at the table, on whichever engine db_run uses). */
#define REMINDER_IS(m, where) \
	(mock_api_db_int((m), "SELECT count(*) FROM recommend_reminders WHERE " where) == 1)

/* 1 when this test runs on PostgreSQL (hallway_pg_variant). */
static int on_pg(void)
{
	const char *dir = getenv("HALLWAY_TEST_PG_DIR");
	return dir && *dir;
}

static size_t dms_to(mock_api *m, const char *user, const char *needle)
{
	size_t n = 0;
	for (size_t i = 0; i < mock_api_output_count(m, MOCK_OUT_DM); i++) {
		const mock_output *o = mock_api_output(m, MOCK_OUT_DM, i);
		if (!strcmp(o->target, user) && (!needle || strstr(o->text, needle)))
			n++;
	}
	return n;
}

TEST(asks_for_the_schedule_and_waits_for_it)
{
	mock_api *m;
	fresh_db("ask");
	m = mock_api_new("recommend", NULL, db_path);
	mock_api_log_verbose(m, 0);
	REQUIRE(mock_api_load(m, &hallway_plugin) == HW_OK);
	CHECK_STREQ(mock_api_last(m, MOCK_OUT_PUBLISH)->target, "schedule.request");
	CHECK(run(m, &ada, "recommend rust") == HW_OK);
	CHECK(strstr(reply(m), "not loaded yet") != NULL);
	mock_api_free(m);
}

/* A reload announces the schedule once for every plugin that asks for it:
 * one index build at a time, and of those that came meanwhile only the
 * newest is built. */
TEST(schedules_in_a_row_build_one_index_at_a_time)
{
	mock_api *m;
	json_t *s1 = fx_schedule(), *s2 = fx_schedule(), *s3 = fx_schedule();

	fresh_db("row");
	m = mock_api_new("recommend", NULL, db_path);
	mock_api_log_verbose(m, 0);
	mock_api_set_now(m, (int64_t)T0 * 1000);
	REQUIRE(mock_api_load(m, &hallway_plugin) == HW_OK);
	mock_api_pump(m);
	json_array_append_new(json_object_get(s3, "talks"),
			      fx_talk("t-zig", "Zig Comptime Tricks", "Compile-time code in Zig.",
				      "Languages", "Room A", "Andrew Example", T0 + 3600, 30));
	mock_api_emit(m, "schedule.loaded", s1);
	mock_api_emit(m, "schedule.loaded", s2);
	mock_api_emit(m, "schedule.loaded", s3);
	/* The first build, then the newest (s3); s2 is never built. */
	CHECK(mock_api_pump(m) == 2);
	CHECK(mock_api_pump(m) == 0);
	CHECK(run(m, &ada, "recommend zig") == HW_OK);
	CHECK(strstr(reply(m), "Zig Comptime Tricks") != NULL);
	mock_api_free(m);
	json_decref(s1);
	json_decref(s2);
	json_decref(s3);
}

TEST(recommend_replies_with_reasons)
{
	mock_api *m;
	fresh_db("rec");
	REQUIRE((m = start(T0, NULL)));
	CHECK(run(m, &ada, "recommend rust microcontrollers") == HW_OK);
	CHECK(strstr(reply(m), "1. **Rust for Embedded Systems**") != NULL);
	CHECK(strstr(reply(m), "matches rust, microcontrollers") != NULL);
	CHECK(strstr(reply(m), "track Embedded") != NULL);
	CHECK(strstr(reply(m), "Retrospective") == NULL); /* over */
	CHECK(run(m, &ada, "recommend fuzzing") == HW_OK);
	/* The workshop has two slots but is listed once. */
	{
		const char *r = reply(m), *a = strstr(r, "Fuzzing Parsers");
		CHECK(a && !strstr(a + 1, "Fuzzing Parsers"));
	}
	CHECK(run(m, &ada, "recommend zzzz") == HW_OK);
	CHECK(strstr(reply(m), "No upcoming talk matches") != NULL);
	CHECK(run(m, &ada, "similar python typing") == HW_OK);
	CHECK(strstr(reply(m), "1. **Mypy Internals: Typing Checkers**") != NULL);
	CHECK(run(m, &ada, "similar python") == HW_OK);
	CHECK(strstr(reply(m), "which one?") != NULL);
	mock_api_free(m);
}

TEST(star_agenda_clash_and_unstar)
{
	mock_api *m;
	const mock_output *f;
	fresh_db("star");
	REQUIRE((m = start(T0, NULL)));
	CHECK(run(m, &ada, "agenda") == HW_OK);
	CHECK(strstr(reply(m), "Your agenda is empty") != NULL);
	CHECK(run(m, &ada, "star rust embedded") == HW_OK);
	CHECK(strstr(reply(m), "⭐ Starred **Rust for Embedded Systems**") != NULL);
	CHECK(run(m, &ada, "star postgres") == HW_OK);
	CHECK(strstr(reply(m), "⚠️ Clashes with **Rust for Embedded Systems**") != NULL);
	CHECK(run(m, &ada, "star postgres") == HW_OK);
	CHECK(strstr(reply(m), "already in your agenda") != NULL);
	CHECK(run(m, &ada, "star retrospective") == HW_OK);
	CHECK(strstr(reply(m), "no upcoming session") != NULL);
	CHECK(run(m, &ada, "agenda") == HW_OK);
	{
		/* A reply model (issue 16), recorded as its JSON by the mock. */
		const char *r = reply(m), *pg = strstr(r, "\"title\":\"Postgres"),
			   *ru = strstr(r, "\"title\":\"Rust for");
		CHECK(strstr(r, "Your agenda (2 talks)") != NULL);
		/* Time order: postgres (T0+3000) before rust (T0+3600). */
		CHECK(pg && ru && pg < ru);
		CHECK(strstr(r, "\"note\":\"Clashes with Rust for Embedded Systems\"") != NULL);
		CHECK(strstr(r, "\"zone\":\"Europe/Brussels\"") != NULL);
		CHECK(strstr(r, "\"start\":1700003000000") != NULL);
		CHECK(strstr(r, "\"command\":\"agenda ics\"") != NULL);
	}
	/* Bob's agenda is his own. */
	CHECK(run(m, &bob, "agenda") == HW_OK);
	CHECK(strstr(reply(m), "empty") != NULL);
	CHECK(run(m, &ada, "agenda ics") == HW_OK);
	f = mock_api_last(m, MOCK_OUT_REPLY_FILE);
	REQUIRE(f);
	CHECK_STREQ(f->filename, "agenda.ics");
	CHECK(strstr(f->data, "BEGIN:VCALENDAR\r\n") == f->data);
	CHECK(strstr(f->data, "SUMMARY:Postgres Replication\\, Explained\r\n") != NULL);
	CHECK(strstr(f->data, "UID:t-rust@recommend.hallway\r\n") != NULL);
	CHECK(run(m, &ada, "unstar rust") == HW_OK);
	CHECK(strstr(reply(m), "Removed **Rust for Embedded Systems**") != NULL);
	CHECK(run(m, &ada, "agenda") == HW_OK);
	CHECK(strstr(reply(m), "Your agenda (1 talk)") != NULL);
	CHECK(run(m, &ada, "unstar rust") == HW_OK);
	CHECK(strstr(reply(m), "None of your starred talks") != NULL);
	mock_api_free(m);
}

TEST(stars_shape_recommendations_in_chat)
{
	mock_api *m;
	fresh_db("shape");
	REQUIRE((m = start(T0, NULL)));
	CHECK(run(m, &ada, "recommend python") == HW_OK);
	CHECK(strstr(reply(m), "1. **Python Packaging Today**") != NULL);
	CHECK(run(m, &ada, "star mypy internals") == HW_OK);
	CHECK(run(m, &ada, "recommend python") == HW_OK);
	CHECK(strstr(reply(m), "1. **Python Typing in Practice**") != NULL);
	CHECK(strstr(reply(m), "like your starred Mypy Internals") != NULL);
	mock_api_free(m);
}

TEST(reminder_is_sent_once_when_due)
{
	mock_api *m;
	fresh_db("remind");
	REQUIRE((m = start(T0, NULL)));
	CHECK(run(m, &ada, "star rust embedded") == HW_OK); /* starts T0+3600 */
	mock_api_advance(m, (3600 - 600 - 60) * 1000LL);
	CHECK_INTEQ(dms_to(m, "1001", NULL), 0);
	mock_api_advance(m, 61 * 1000LL);
	CHECK_INTEQ(dms_to(m, "1001", "Rust for Embedded Systems"), 1);
	CHECK(strstr(mock_api_last_text(m, MOCK_OUT_DM), "Starting in 10 min") != NULL);
	CHECK(REMINDER_IS(m, "user_id = '1001' AND talk_id = 't-rust' AND state = 'sent'"
			     " AND reason IS NULL"));
	mock_api_advance(m, 3600 * 1000LL);
	CHECK_INTEQ(dms_to(m, "1001", NULL), 1);
	mock_api_free(m);
	/* A restart before the talk (same clock) does not send it again. */
	REQUIRE((m = start(T0 + 3000, NULL)));
	mock_api_advance(m, 500 * 1000LL);
	CHECK_INTEQ(dms_to(m, "1001", NULL), 0);
	mock_api_free(m);
}

TEST(reminder_lead_is_configurable)
{
	mock_api *m;
	fresh_db("lead");
	REQUIRE((m = start(T0, "{\"reminder_minutes\": 30}")));
	CHECK(run(m, &ada, "star rust embedded") == HW_OK);
	CHECK(strstr(reply(m), "30 minutes before") != NULL);
	mock_api_advance(m, (3600 - 1800 + 1) * 1000LL);
	CHECK_INTEQ(dms_to(m, "1001", "Starting in 30 min"), 1);
	mock_api_free(m);
	fresh_db("lead2");
	CHECK(start(T0, "{\"reminder_minutes\": -3}") == NULL);
}

TEST(reminder_skipped_when_down_past_the_start)
{
	mock_api *m;
	fresh_db("late");
	REQUIRE((m = start(T0, NULL)));
	CHECK(run(m, &ada, "star rust embedded") == HW_OK);
	mock_api_free(m); /* the bot goes down ... */
	/* ... and comes back after the talk started. */
	REQUIRE((m = start(T0 + 3600 + 60, NULL)));
	mock_api_advance(m, 3600 * 1000LL);
	CHECK_INTEQ(dms_to(m, "1001", NULL), 0);
	CHECK(REMINDER_IS(m, "user_id = '1001' AND talk_id = 't-rust' AND state = 'skipped'"
			     " AND reason = 'late'"));
	mock_api_free(m);
	/* Down past the reminder time but not the start: sent at once. */
	fresh_db("late2");
	REQUIRE((m = start(T0, NULL)));
	CHECK(run(m, &ada, "star rust embedded") == HW_OK);
	mock_api_free(m);
	REQUIRE((m = start(T0 + 3600 - 120, NULL)));
	mock_api_advance(m, 2000);
	CHECK_INTEQ(dms_to(m, "1001", "Starting in 2 min"), 1);
	mock_api_free(m);
}

TEST(crash_mid_send_resends_with_the_same_nonce)
{
	mock_api *m;
	char n1[32], n2[32], n3[32];
	fresh_db("crash");
	REQUIRE((m = start(T0, NULL)));
	CHECK(run(m, &ada, "star rust embedded") == HW_OK);
	/* A crash after "sending" was committed, before the callback. */
	CHECK(mock_api_db_int(m, "UPDATE recommend_reminders SET state = 'sending' RETURNING 1")
	      == 1);
	mock_api_free(m);
	REQUIRE((m = start(T0 + 3000, NULL)));
	mock_api_advance(m, 2000);
	CHECK_INTEQ(dms_to(m, "1001", "Rust for Embedded Systems"), 1);
	CHECK(REMINDER_IS(m, "user_id = '1001' AND talk_id = 't-rust' AND state = 'sent'"));
	mock_api_free(m);
	rec_remind_nonce("1001", "t-rust", T0 + 3600, n1, sizeof(n1));
	rec_remind_nonce("1001", "t-rust", T0 + 3600, n2, sizeof(n2));
	rec_remind_nonce("1001", "t-rust", T0 + 3660, n3, sizeof(n3));
	CHECK_STREQ(n1, n2);
	CHECK(strcmp(n1, n3) != 0);
	CHECK(strlen(n1) <= 25);
}

TEST(failed_dm_is_not_retried_forever)
{
	mock_api *m;
	fresh_db("fail");
	REQUIRE((m = start(T0, NULL)));
	CHECK(run(m, &ada, "star rust embedded") == HW_OK);
	mock_api_fail_sends(m, 403);
	mock_api_advance(m, 3500 * 1000LL);
	CHECK(REMINDER_IS(m, "user_id = '1001' AND talk_id = 't-rust' AND state = 'skipped'"
			     " AND reason LIKE 'dm failed (403)%'"));
	CHECK(mock_api_timer_count(m) == 0);
	mock_api_free(m);
}

TEST(changes_reach_everyone_who_starred)
{
	mock_api *m;
	json_t *moved, *cancelled;
	fresh_db("change");
	REQUIRE((m = start(T0, NULL)));
	CHECK(run(m, &ada, "star rust embedded") == HW_OK);
	CHECK(run(m, &bob, "star rust embedded") == HW_OK);
	CHECK(run(m, &bob, "star python packaging") == HW_OK);
	moved = json_pack("{s:[{s:s, s:s, s:s, s:s, s:I, s:I}], s:[], s:[], s:[]}", "moved", "id",
			  "t-rust", "title", "Rust for Embedded Systems", "room", "Room C",
			  "old_room", "Room A", "old_start", (json_int_t)(T0 + 3600), "new_start",
			  (json_int_t)(T0 + 7200), "added", "cancelled", "removed");
	mock_api_emit(m, "schedule.changed", moved);
	json_decref(moved);
	CHECK_INTEQ(dms_to(m, "1001", "moved: **Rust for Embedded Systems**"), 1);
	CHECK_INTEQ(dms_to(m, "1002", "moved: **Rust for Embedded Systems**"), 1);
	CHECK(strstr(mock_api_last_text(m, MOCK_OUT_DM), "in Room C") != NULL);
	CHECK(run(m, &ada, "agenda") == HW_OK);
	CHECK(strstr(reply(m), "\"room\":\"Room C\",\"start\":1700007200000,\"title\":\"Rust for "
			       "Embedded Systems\"") != NULL);
	CHECK(REMINDER_IS(m, "user_id = '1001' AND talk_id = 't-rust' AND state = 'pending'"
			     " AND reason IS NULL AND start_at = 1700007200"));
	CHECK(REMINDER_IS(m, "user_id = '1001' AND talk_id = 't-rust' AND state = 'skipped'"
			     " AND reason = 'moved' AND start_at = 1700003600"));
	mock_api_clear(m);
	cancelled = json_pack("{s:[], s:[{s:s, s:s, s:n, s:n, s:n, s:n}], s:[], s:[]}", "moved",
			      "cancelled", "id", "t-py1", "title", "Python Packaging Today", "room",
			      "old_room", "old_start", "new_start", "added", "removed");
	mock_api_emit(m, "schedule.changed", cancelled);
	json_decref(cancelled);
	CHECK_INTEQ(dms_to(m, "1002", "cancelled: **Python Packaging Today**"), 1);
	CHECK_INTEQ(dms_to(m, "1001", NULL), 0);
	CHECK(REMINDER_IS(m, "user_id = '1002' AND talk_id = 't-py1' AND state = 'skipped'"
			     " AND reason = 'cancelled'"));
	CHECK(run(m, &bob, "agenda") == HW_OK);
	CHECK(strstr(reply(m), "\"status\":\"cancelled\"") != NULL);
	/* The old reminder time passes quietly; the new one fires; the
	 * cancelled talk's never does. */
	mock_api_clear(m);
	mock_api_advance(m, (3600 - 600 + 10) * 1000LL);
	CHECK_INTEQ(dms_to(m, "1001", NULL), 0);
	mock_api_advance(m, 3600 * 1000LL);
	CHECK_INTEQ(dms_to(m, "1001", "Starting in"), 1);
	CHECK_INTEQ(dms_to(m, "1002", "Rust for Embedded"), 1);
	CHECK_INTEQ(dms_to(m, "1002", "Python Packaging"), 0);
	mock_api_free(m);
}

static void watched(mock_api *m, const char *user, const char *talk, int yes)
{
	json_t *ev = json_pack("{s:i, s:s, s:s, s:b}", "version", 1, "user_id", user, "talk_id",
			       talk, "watched", yes);
	mock_api_emit(m, "talk.watched", ev);
	json_decref(ev);
}

/* Issue 21: a starred talk that has ended shows its recording; after the
 * conference agenda is the watch list, and talk.watched ticks one off. */
TEST(agenda_becomes_the_watch_list)
{
	mock_api *m;
	const char *r;
	fresh_db("watch");
	REQUIRE((m = start(T0, NULL)));
	CHECK(run(m, &ada, "star rust embedded") == HW_OK);
	CHECK(run(m, &ada, "star postgres") == HW_OK);
	CHECK(run(m, &bob, "star rust embedded") == HW_OK);
	/* Before it ends: no recording yet, even though the schedule has one. */
	CHECK(run(m, &ada, "agenda") == HW_OK);
	CHECK(strstr(reply(m), "recording") == NULL);
	/* Rust has ended (T0+5400), Postgres has not (T0+6600). */
	mock_api_set_now(m, (T0 + 6000) * 1000);
	CHECK(run(m, &ada, "agenda") == HW_OK);
	r = reply(m);
	CHECK(strstr(r, "Your agenda (2 talks)") != NULL);
	CHECK(strstr(r, "\"recording\":\"https://video.example.org/rust.mp4\"") != NULL);
	CHECK(strstr(r, "\"recording\"") == strstr(r, "\"recording\":\"https://video.example.org/"
							"rust.mp4\""));
	/* After the last talk (the workshop's second slot ends at T0+95400). */
	mock_api_set_now(m, (T0 + 95401) * 1000);
	CHECK(run(m, &ada, "agenda") == HW_OK);
	r = reply(m);
	CHECK(strstr(r, "Your watch list (2 talks)") != NULL);
	CHECK(strstr(r, "Say watched <talk> to tick one off.") != NULL);
	CHECK(strstr(r, "\"recording\":\"https://video.example.org/rust.mp4\"") != NULL);
	CHECK(strstr(r, "\"note\":\"No recording linked yet.\"") != NULL);
	watched(m, "1001", "t-rust", 1);
	CHECK(run(m, &ada, "agenda") == HW_OK);
	r = reply(m);
	CHECK(strstr(r, "Your watch list (1 talk)") != NULL);
	CHECK(strstr(r, "Rust for Embedded") == NULL);
	CHECK(strstr(r, "Postgres Replication") != NULL);
	/* Ada's tick is hers: Bob still has Rust to watch. */
	CHECK(run(m, &bob, "agenda") == HW_OK);
	CHECK(strstr(reply(m), "Rust for Embedded") != NULL);
	/* Put back (later <talk> again), then both watched. */
	watched(m, "1001", "t-rust", 0);
	CHECK(run(m, &ada, "agenda") == HW_OK);
	CHECK(strstr(reply(m), "Your watch list (2 talks)") != NULL);
	watched(m, "1001", "t-rust", 1);
	watched(m, "1001", "t-db", 1);
	CHECK(run(m, &ada, "agenda") == HW_OK);
	CHECK(strstr(reply(m), "Your watch list is empty: every starred talk is ticked off.") !=
	      NULL);
	/* A newer shape is left alone, never misread. */
	{
		json_t *ev = json_pack("{s:i, s:s, s:s, s:b}", "version", 2, "user_id", "1002",
				       "talk_id", "t-rust", "watched", 1);
		mock_api_emit(m, "talk.watched", ev);
		json_decref(ev);
	}
	CHECK(run(m, &bob, "agenda") == HW_OK);
	CHECK(strstr(reply(m), "Your watch list (1 talk)") != NULL);
	mock_api_free(m);
	/* Kept across a restart. */
	REQUIRE((m = start(T0 + 95401, NULL)));
	CHECK(run(m, &ada, "agenda") == HW_OK);
	CHECK(strstr(reply(m), "Your watch list is empty") != NULL);
	mock_api_free(m);
}

TEST(database_away_is_said_and_changes_nothing)
{
	/* Issue 18: a unit of work that cannot run (the database is away, or
	 * the PostgreSQL standby) is said plainly; nothing is half-written. */
	mock_api *m;
	fresh_db("away");
	REQUIRE((m = start(T0, NULL)));
	mock_api_db_fail(m, HW_ERR_UNAVAILABLE);
	CHECK(run(m, &ada, "star rust embedded") == HW_OK);
	CHECK(strstr(reply(m), "cannot reach your agenda just now (the database is not "
			       "reachable); nothing was changed") != NULL);
	CHECK(run(m, &ada, "agenda") == HW_OK);
	CHECK(strstr(reply(m), "cannot reach your agenda") != NULL);
	CHECK(run(m, &ada, "recommend rust") == HW_OK);
	CHECK(strstr(reply(m), "cannot reach your agenda") != NULL);
	mock_api_db_fail(m, 0);
	CHECK_INTEQ(mock_api_db_int(m, "SELECT count(*) FROM recommend_stars"), 0);
	CHECK(run(m, &ada, "star rust embedded") == HW_OK);
	CHECK(strstr(reply(m), "⭐ Starred **Rust for Embedded Systems**") != NULL);
	CHECK_INTEQ(mock_api_db_int(m, "SELECT count(*) FROM recommend_stars"), 1);
	mock_api_free(m);
}

/* The plan.collect payload of a host that waits for holds (bot/host/plan_wait.c). */
static json_t *plan_payload(long long from_s, long long to_s, int can_wait)
{
	json_t *d = json_pack("{s:i, s:I, s:I, s:[]}", "version", HW_PLAN_VERSION, "from",
			      (json_int_t)from_s * 1000, "to", (json_int_t)to_s * 1000, "items");
	if (d && can_wait) {
		json_object_set_new(d, "plan", json_integer(7));
		json_object_set_new(d, "holds", json_array());
	}
	return d;
}

TEST(plan_answers_from_a_unit_of_work)
{
	mock_api *m;
	json_t *d, *holds;
	const mock_output *o;
	fresh_db("plan");
	REQUIRE((m = start(T0, NULL)));
	CHECK(run(m, &ada, "star rust embedded") == HW_OK);
	CHECK(run(m, &bob, "star rust embedded") == HW_OK);
	CHECK(run(m, &bob, "star python packaging") == HW_OK);
	mock_api_clear(m);
	/* The reminders are in the database: the plugin holds the plan and
	 * answers from done() with plan.answer. */
	REQUIRE((d = plan_payload(T0, T0 + 3600 * 4, 1)));
	mock_api_emit(m, HW_EVENT_PLAN_COLLECT, d);
	holds = json_object_get(d, "holds");
	CHECK_INTEQ(json_array_size(holds), 1);
	CHECK_STREQ(json_string_value(json_object_get(json_array_get(holds, 0), "plugin")),
		    "recommend");
	CHECK_INTEQ(json_array_size(json_object_get(d, "items")), 0);
	o = mock_api_last(m, MOCK_OUT_PUBLISH);
	REQUIRE(o);
	CHECK_STREQ(o->target, HW_EVENT_PLAN_ANSWER);
	CHECK(strstr(o->text, "\"plan\":7") != NULL);
	CHECK(strstr(o->text, "\"hold\":0") != NULL);
	CHECK(strstr(o->text, "reminder of \\\"Rust for Embedded Systems\\\" to 2 attendees") !=
	      NULL);
	CHECK(strstr(o->text, "reminder of \\\"Python Packaging Today\\\" to 1 attendee\"") !=
	      NULL);
	CHECK(strstr(o->text, "\"at\":1700003000000") != NULL); /* 10 min before T0+3600 */
	CHECK(strstr(o->text, "\"error\"") == NULL);
	json_decref(d);
	/* The database is away: released at once with the reason, not left to
	 * the host's timeout. */
	mock_api_clear(m);
	mock_api_db_fail(m, HW_ERR_UNAVAILABLE);
	REQUIRE((d = plan_payload(T0, T0 + 3600 * 4, 1)));
	mock_api_emit(m, HW_EVENT_PLAN_COLLECT, d);
	o = mock_api_last(m, MOCK_OUT_PUBLISH);
	REQUIRE(o);
	CHECK(strstr(o->text, "\"error\":\"the database is not reachable\"") != NULL);
	CHECK(strstr(o->text, "reminder of") == NULL);
	json_decref(d);
	mock_api_db_fail(m, 0);
	/* A host that cannot wait gets no reminders (and no answer). */
	mock_api_clear(m);
	REQUIRE((d = plan_payload(T0, T0 + 3600 * 4, 0)));
	mock_api_emit(m, HW_EVENT_PLAN_COLLECT, d);
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_PUBLISH), 0);
	CHECK_INTEQ(json_array_size(json_object_get(d, "items")), 0);
	json_decref(d);
	mock_api_free(m);
}

TEST(rows_of_the_sqlite_plugin_before_db_run_keep_working)
{
	/* A database the 1.1 plugin wrote through api->db (the raw SQLite
	 * handle ABI 2.0 removed): same tables, rows put in as it did. The
	 * plugin on db_run reads and sends them. */
	mock_api *m;
	sqlite3 *db;
	if (on_pg())
		return; /* SQLite databases only */
	fresh_db("old");
	REQUIRE((m = start(T0, NULL)));
	mock_api_free(m);
	REQUIRE(sqlite3_open(db_path, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db,
			   "INSERT INTO recommend_stars(user_id, talk_id, title, room, start, end,"
			   " starred_at) VALUES ('1001', 't-rust', 'Rust for Embedded Systems',"
			   " 'Room A', 1700003600, 1700005400, 1699999000);"
			   "INSERT INTO recommend_reminders(user_id, talk_id, start_at, due_at, state)"
			   " VALUES ('1001', 't-rust', 1700003600, 1700003000, 'pending')",
			   NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	REQUIRE((m = start(T0, NULL)));
	CHECK(run(m, &ada, "agenda") == HW_OK);
	CHECK(strstr(reply(m), "\"title\":\"Rust for Embedded Systems\"") != NULL);
	mock_api_advance(m, 3001 * 1000LL);
	CHECK_INTEQ(dms_to(m, "1001", "Rust for Embedded Systems"), 1);
	CHECK(REMINDER_IS(m, "user_id = '1001' AND state = 'sent'"));
	mock_api_free(m);
}

TEST(two_daemons_send_a_reminder_once)
{
	/* Two plugin instances on one database (two daemons on PostgreSQL, or
	 * two processes on one SQLite file): the claim lets one of them send. */
	mock_api *a, *b;
	fresh_db("two");
	REQUIRE((a = start(T0, NULL)));
	REQUIRE((b = start(T0, NULL)));
	CHECK(run(a, &ada, "star rust embedded") == HW_OK);
	CHECK(run(b, &bob, "star rust embedded") == HW_OK);
	/* b learns of ada's star only from the database: its timer is armed
	 * for bob's, the same due time. */
	mock_api_advance(a, 3001 * 1000LL);
	mock_api_advance(b, 3001 * 1000LL);
	CHECK_INTEQ(dms_to(a, "1001", NULL) + dms_to(b, "1001", NULL), 1);
	CHECK_INTEQ(dms_to(a, "1002", NULL) + dms_to(b, "1002", NULL), 1);
	CHECK(mock_api_db_int(a, "SELECT count(*) FROM recommend_reminders WHERE state = 'sent'")
	      == 2);
	mock_api_free(a);
	mock_api_free(b);
}

TEST(a_standby_taking_over_resends_with_the_same_nonce)
{
	/* The active one claimed a reminder (state "sending") and died; the
	 * standby, loaded long before, gets hallway.active and sends it again
	 * with the row's nonce (Discord keeps one message). */
	mock_api *standby, *active;
	json_t *ev = json_pack("{s:i, s:i}", "version", 1, "epoch", 2);
	const mock_output *o;
	char nonce[32];
	fresh_db("takeover");
	REQUIRE(ev);
	REQUIRE((active = start(T0, NULL)));
	REQUIRE((standby = start(T0, NULL)));
	CHECK(run(active, &ada, "star rust embedded") == HW_OK);
	CHECK(mock_api_db_int(active, "UPDATE recommend_reminders SET state = 'sending'"
				      " RETURNING 1") == 1);
	mock_api_set_now(standby, (T0 + 3100) * 1000LL);
	mock_api_advance(standby, 1000);
	CHECK_INTEQ(dms_to(standby, "1001", NULL), 0); /* claimed by the other one */
	mock_api_emit(standby, HW_EVENT_LEASE_ACTIVE, ev);
	mock_api_advance(standby, 2000);
	CHECK_INTEQ(dms_to(standby, "1001", "Rust for Embedded Systems"), 1);
	o = mock_api_last(standby, MOCK_OUT_DM);
	rec_remind_nonce("1001", "t-rust", T0 + 3600, nonce, sizeof(nonce));
	CHECK(o && o->nonce && !strcmp(o->nonce, nonce));
	CHECK(REMINDER_IS(standby, "user_id = '1001' AND state = 'sent'"));
	json_decref(ev);
	mock_api_free(active);
	mock_api_free(standby);
}

TEST(autocomplete_offers_talks_by_id)
{
	mock_api *m;
	const char *value = NULL, *name;
	size_t n;
	fresh_db("complete");
	REQUIRE((m = start(T0, NULL)));
	n = mock_api_complete(m, "star", "talk", "rust");
	REQUIRE(n == 2);
	name = mock_api_choice(m, 0, &value);
	CHECK(strstr(name, "Rust for Embedded Systems") == name);
	CHECK_STREQ(value, "t-rust");
	/* The slash form passes the value: the id stars the exact slot. */
	CHECK(mock_api_run(m, &ada, "star", 1, (const char *const[]){"t-ws@2"}) == HW_OK);
	CHECK(strstr(reply(m), "Starred **Workshop: Fuzzing Parsers**") != NULL);
	CHECK(strstr(reply(m), "<t:1700090000:t>") != NULL);
	/* Empty: the next talks, soonest first. */
	n = mock_api_complete(m, "similar", "talk", "");
	CHECK(n == 6);
	mock_api_choice(m, 0, &value);
	CHECK_STREQ(value, "t-ws@1");
	mock_api_free(m);
}

int main(void)
{
	RUN(asks_for_the_schedule_and_waits_for_it);
	RUN(schedules_in_a_row_build_one_index_at_a_time);
	RUN(recommend_replies_with_reasons);
	RUN(star_agenda_clash_and_unstar);
	RUN(stars_shape_recommendations_in_chat);
	RUN(reminder_is_sent_once_when_due);
	RUN(reminder_lead_is_configurable);
	RUN(reminder_skipped_when_down_past_the_start);
	RUN(crash_mid_send_resends_with_the_same_nonce);
	RUN(failed_dm_is_not_retried_forever);
	RUN(changes_reach_everyone_who_starred);
	RUN(agenda_becomes_the_watch_list);
	RUN(database_away_is_said_and_changes_nothing);
	RUN(plan_answers_from_a_unit_of_work);
	RUN(rows_of_the_sqlite_plugin_before_db_run_keep_working);
	RUN(two_daemons_send_a_reminder_once);
	RUN(a_standby_taking_over_resends_with_the_same_nonce);
	RUN(autocomplete_offers_talks_by_id);
	rm_db();
	return test_summary();
}
