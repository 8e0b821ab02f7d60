/*
 * Fair use (bot/commands/fairuse.c): the burst, the refill rate, one notice per
 * window, separate budgets per user and per class, the console door, a
 * reconfiguration, and the cap on users tracked.
 */
#include <stdio.h>

#include "config.h"
#include "fairuse.h"
#include "log.h"
#include "router.h"
#include "testlib.h"

/* fairuse_admit answers through the router: record what it would send. */
static int replies;
static char last_reply[256];
static int last_ephemeral;

int router_reply(struct invocation *inv, const hw_message *msg)
{
	(void)inv;
	replies++;
	snprintf(last_reply, sizeof(last_reply), "%s", msg->content ? msg->content : "");
	last_ephemeral = msg->ephemeral;
	return HW_OK;
}

/* 5 per 10 s with a burst of 3; organizers 20, interactions 10. */
static const struct fairuse_config cfg = {
	.budget = {{5, 3}, {20, 20}, {10, 10}},
	.window_ms = 10000,
};

TEST(burst_then_rate)
{
	struct fairuse *f = fairuse_create(&cfg);
	REQUIRE(f);
	for (int i = 0; i < 3; i++)
		CHECK_INTEQ(fairuse_take(f, "1", FAIRUSE_USER, 1000), FAIRUSE_ALLOW);
	CHECK_INTEQ(fairuse_take(f, "1", FAIRUSE_USER, 1000), FAIRUSE_NOTICE);
	/* 27 more in a row: dropped without another notice. */
	for (int i = 0; i < 27; i++)
		CHECK_INTEQ(fairuse_take(f, "1", FAIRUSE_USER, 1000 + i), FAIRUSE_DROP);
	/* One command refills every window / rate = 2 s. */
	CHECK_INTEQ(fairuse_take(f, "1", FAIRUSE_USER, 2999), FAIRUSE_DROP);
	CHECK_INTEQ(fairuse_take(f, "1", FAIRUSE_USER, 3000), FAIRUSE_ALLOW);
	CHECK_INTEQ(fairuse_take(f, "1", FAIRUSE_USER, 3001), FAIRUSE_DROP);
	/* 8 s later the bucket is full again (the burst, 3); past the
	 * window, one more notice, then silence again. */
	for (int i = 0; i < 3; i++)
		CHECK_INTEQ(fairuse_take(f, "1", FAIRUSE_USER, 11000), FAIRUSE_ALLOW);
	CHECK_INTEQ(fairuse_take(f, "1", FAIRUSE_USER, 11000), FAIRUSE_NOTICE);
	CHECK_INTEQ(fairuse_take(f, "1", FAIRUSE_USER, 11001), FAIRUSE_DROP);
	/* Idle long enough: the full burst again. */
	for (int i = 0; i < 3; i++)
		CHECK_INTEQ(fairuse_take(f, "1", FAIRUSE_USER, 60000), FAIRUSE_ALLOW);
	fairuse_destroy(f);
}

TEST(users_and_classes_are_separate)
{
	struct fairuse *f = fairuse_create(&cfg);
	REQUIRE(f);
	for (int i = 0; i < 30; i++)
		fairuse_take(f, "spammer", FAIRUSE_USER, 500);
	CHECK_INTEQ(fairuse_take(f, "other", FAIRUSE_USER, 500), FAIRUSE_ALLOW);
	CHECK_INTEQ(fairuse_take(f, "spammer", FAIRUSE_ORGANIZER, 500), FAIRUSE_ALLOW);
	CHECK_INTEQ(fairuse_take(f, "spammer", FAIRUSE_INTERACTION, 500), FAIRUSE_ALLOW);
	for (int i = 0; i < 9; i++)
		CHECK_INTEQ(fairuse_take(f, "spammer", FAIRUSE_INTERACTION, 501), FAIRUSE_ALLOW);
	CHECK_INTEQ(fairuse_take(f, "spammer", FAIRUSE_INTERACTION, 502), FAIRUSE_NOTICE);
	CHECK_INTEQ(fairuse_users(f), 2);
	fairuse_destroy(f);
}

TEST(off_null_and_reconfigure)
{
	struct fairuse_config off = cfg, small = cfg;
	struct fairuse *f;
	off.budget[FAIRUSE_USER].rate = 0;
	small.budget[FAIRUSE_USER].burst = 1;
	CHECK_INTEQ(fairuse_take(NULL, "1", FAIRUSE_USER, 0), FAIRUSE_ALLOW);
	REQUIRE((f = fairuse_create(&off)));
	for (int i = 0; i < 100; i++)
		CHECK_INTEQ(fairuse_take(f, "1", FAIRUSE_USER, 0), FAIRUSE_ALLOW);
	CHECK_INTEQ(fairuse_take(f, NULL, FAIRUSE_USER, 0), FAIRUSE_ALLOW);
	fairuse_configure(f, &small);
	CHECK_INTEQ(fairuse_take(f, "2", FAIRUSE_USER, 0), FAIRUSE_ALLOW);
	CHECK_INTEQ(fairuse_take(f, "2", FAIRUSE_USER, 0), FAIRUSE_NOTICE);
	fairuse_destroy(f);
}

TEST(check_classifies_invocations)
{
	struct fairuse *f = fairuse_create(&cfg);
	struct command organizer_cmd = {.name = "announce", .perm = HW_PERM_ORGANIZER};
	struct invocation inv = {0};
	const char *notice = "unset";
	REQUIRE(f);
	inv.user_id = "7";
	inv.pub.door = HW_DOOR_CONSOLE;
	for (int i = 0; i < 50; i++)
		CHECK_INTEQ(fairuse_check(f, &inv, &notice), FAIRUSE_ALLOW);
	CHECK(notice == NULL);
	inv.pub.door = HW_DOOR_CHAT;
	for (int i = 0; i < 3; i++)
		CHECK_INTEQ(fairuse_check(f, &inv, &notice), FAIRUSE_ALLOW);
	CHECK_INTEQ(fairuse_check(f, &inv, &notice), FAIRUSE_NOTICE);
	CHECK(notice && strstr(notice, "Slow down"));
	CHECK_INTEQ(fairuse_check(f, &inv, &notice), FAIRUSE_DROP);
	CHECK(notice == NULL);
	/* An organizer's organizer command: its own budget. */
	inv.args.cmd = &organizer_cmd;
	inv.pub.is_organizer = 1;
	CHECK_INTEQ(fairuse_check(f, &inv, &notice), FAIRUSE_ALLOW);
	/* The same command from an attendee (to be refused) costs their budget. */
	inv.pub.is_organizer = 0;
	CHECK_INTEQ(fairuse_check(f, &inv, &notice), FAIRUSE_DROP);
	fairuse_destroy(f);
}

TEST(users_tracked_are_capped)
{
	struct fairuse *f = fairuse_create(&cfg);
	char id[32];
	REQUIRE(f);
	for (int i = 0; i < 30000; i++) {
		snprintf(id, sizeof(id), "%d", i);
		CHECK_INTEQ(fairuse_take(f, id, FAIRUSE_USER, 0), FAIRUSE_ALLOW);
	}
	CHECK(fairuse_users(f) <= 20000);
	/* A window later the idle ones are swept to make room. */
	CHECK_INTEQ(fairuse_take(f, "late", FAIRUSE_USER, 100000), FAIRUSE_ALLOW);
	CHECK_INTEQ(fairuse_take(f, "late", FAIRUSE_USER, 100000), FAIRUSE_ALLOW);
	CHECK(fairuse_users(f) < 20000);
	fairuse_destroy(f);
}

TEST(admit_answers_once_per_window)
{
	struct config c = {.user_commands = 5, .user_burst = 3, .user_window_ms = 60000,
			   .organizer_commands = 30, .interactions = 30};
	struct fairuse_config fc;
	struct fairuse *f;
	struct invocation inv = {0};
	int admitted = 0;
	fairuse_config_read(&fc, &c);
	CHECK_INTEQ(fc.budget[FAIRUSE_USER].burst, 3);
	CHECK_INTEQ(fc.budget[FAIRUSE_ORGANIZER].rate, 30);
	REQUIRE((f = fairuse_create(&fc)));
	inv.user_id = "spammer";
	inv.pub.door = HW_DOOR_SLASH;
	replies = 0;
	for (int i = 0; i < 30; i++)
		admitted += fairuse_admit(f, &inv);
	CHECK_INTEQ(admitted, 3);
	CHECK_INTEQ(replies, 1);
	CHECK(strstr(last_reply, "Slow down") != NULL);
	CHECK_INTEQ(last_ephemeral, 1);
	fairuse_destroy(f);
}

int main(void)
{
	log_set_level(LOG_ERROR);
	RUN(admit_answers_once_per_window);
	RUN(burst_then_rate);
	RUN(users_and_classes_are_separate);
	RUN(off_null_and_reconfigure);
	RUN(check_classifies_invocations);
	RUN(users_tracked_are_capped);
	return test_summary();
}
