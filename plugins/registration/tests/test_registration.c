/*
 * The registration plugin through mock_api: pretix answers are canned by
 * URL, role and nickname changes are recorded by a table that wraps the
 * mock's (the mock has no guild members). Covers: a registration from a
 * live lookup and its role/nick calls; the cache answering without pretix;
 * the same answer for a wrong name, an unpaid order and no order; a
 * ticket used twice; the throttle and its cool-down; pretix down, the
 * queue and its DM; roles Discord refuses; unbind; the sync with pages,
 * modified_since and a next link to another host; the console rehearsal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mock_api.h"
#include "testlib.h"

extern const hw_plugin_desc hallway_plugin;

#define BASE "http://pretix.test"
#define ORDERS BASE "/api/v1/organizers/democon/events/2026/orders/"
#define GUILD "900000000000000001"
#define ROLE_REG "800000000000000001"
#define ROLE_ITEM1 "800000000000000002"
#define ROLE_REMOTE "800000000000000003"
#define ROLE_SPONSOR "800000000000000004"
#define ROLE_BROKEN "800000000000000099"
#define ORGANIZER_LOG "700000000000000001"
#define REG_TEST_FLUSH_MS 3000

/* ---- a table around the mock's, with guild members ---- */

static hw_api table;
static char calls[64][200];
static size_t ncalls;
static int refuse_status; /* what member calls answer with (0: 204) */

static const char *t_guild(hw_plugin *self)
{
	(void)self;
	return GUILD;
}

static void record(const char *line)
{
	if (ncalls < sizeof(calls) / sizeof(calls[0]))
		snprintf(calls[ncalls++], sizeof(calls[0]), "%s", line);
}

static int t_member_role(hw_plugin *self, const char *guild_id, const char *user_id,
			 const char *role_id, int add, const char *reason, hw_send_fn cb, void *ud)
{
	char line[200];
	int status = refuse_status;
	if (strcmp(guild_id, GUILD) || !reason || !*reason)
		return HW_ERR_INVALID;
	if (!strcmp(role_id, ROLE_BROKEN))
		status = 403;
	snprintf(line, sizeof(line), "%s %s %s", add ? "role+" : "role-", user_id, role_id);
	if (!status)
		record(line);
	cb(self, status ? status : 204, NULL, status ? "Missing Permissions" : NULL, ud);
	return HW_OK;
}

static int t_member_nick(hw_plugin *self, const char *guild_id, const char *user_id,
			 const char *nick, const char *reason, hw_send_fn cb, void *ud)
{
	char line[200];
	(void)reason;
	if (strcmp(guild_id, GUILD))
		return HW_ERR_INVALID;
	snprintf(line, sizeof(line), "nick %s %s", user_id, nick);
	if (!refuse_status)
		record(line);
	cb(self, refuse_status ? refuse_status : 200, NULL, NULL, ud);
	return HW_OK;
}

static int called(const char *line)
{
	for (size_t i = 0; i < ncalls; i++)
		if (!strcmp(calls[i], line))
			return 1;
	return 0;
}

/* ---- fixtures ---- */

static char db_path[128];

/* speaker_role: roles.speaker, or NULL for none. */
static mock_api *start_with(const char *extra_roles, const char *speaker_role)
{
	char cfg_text[1200];
	json_t *cfg;
	mock_api *m;
	snprintf(cfg_text, sizeof(cfg_text),
		 "{\"pretix\": {\"url\": \"" BASE "/\", \"organizer\": \"democon\", \"event\": \"2026\"},"
		 " \"roles\": {\"registered\": \"" ROLE_REG "\","
		 "  \"items\": {\"1\": [\"" ROLE_ITEM1 "\"], \"2\": \"" ROLE_SPONSOR "\"%s},"
		 "  \"variations\": {\"12\": \"" ROLE_REMOTE "\"}},"
		 " \"log_channel\": \"" ORGANIZER_LOG "\"}",
		 extra_roles ? extra_roles : "");
	cfg = json_loads(cfg_text, 0, NULL);
	if (speaker_role)
		json_object_set_new(json_object_get(cfg, "roles"), "speaker", json_string(speaker_role));
	m = mock_api_new("registration", cfg, db_path);
	json_decref(cfg);
	mock_api_log_verbose(m, 0);
	table = *mock_api_table(m);
	table.guild = t_guild;
	table.member_role = t_member_role;
	table.member_nick = t_member_nick;
	ncalls = 0;
	refuse_status = 0;
	if (hallway_plugin.init(mock_api_self(m), &table) != HW_OK) {
		mock_api_free(m);
		return NULL;
	}
	return m;
}

static mock_api *start(const char *extra_roles)
{
	return start_with(extra_roles, NULL);
}

static mock_api *start_speakers(void)
{
	return start_with(NULL, "800000000000000005");
}

static void stop(mock_api *m)
{
	/* The plugin was started by hand (with the wrapped table), so the
	 * mock does not unload it: its queued units of work run first. */
	mock_api_db_settle(m);
	hallway_plugin.shutdown(mock_api_self(m), table.userdata(mock_api_self(m)));
	mock_api_free(m);
}

static const char ORDER_AB[] =
	"{\"code\": \"AB12C\", \"status\": \"p\", \"last_modified\": \"2026-11-01T10:00:00Z\","
	" \"positions\": [{\"id\": 101, \"item\": 1, \"variation\": 12,"
	" \"attendee_name\": \"José Müller\", \"attendee_name_parts\": {}},"
	" {\"id\": 102, \"item\": 2, \"variation\": null, \"attendee_name\": \"Grace Hopper\"}]}";
static const char ORDER_UNPAID[] =
	"{\"code\": \"NP001\", \"status\": \"n\", \"positions\": [{\"id\": 201, \"item\": 1,"
	" \"attendee_name\": \"Ada Lovelace\"}]}";

static const mock_user ALICE = {"100000000000000001", "alice", 0};
static const mock_user BOB = {"100000000000000002", "bob", 0};
static const mock_user CAROL = {"100000000000000003", "carol", 0};
static const mock_user ORG = {"100000000000000009", "org", 1};

/* A look at the plugin's tables, on whichever engine the mock runs
 * (SQLite, or PostgreSQL with HALLWAY_TEST_PG_DIR). */
static long long q_int(mock_api *m, const char *sql)
{
	return (long long)mock_api_db_int(m, sql);
}

static const char *said(mock_api *m)
{
	return mock_api_last_text(m, MOCK_OUT_REPLY);
}

/* The failure answer without its "(N of 5 attempts left" tail. */
static void fail_head(const char *text, char *out, size_t len)
{
	const char *cut = strstr(text, " (");
	size_t n = cut ? (size_t)(cut - text) : strlen(text);
	snprintf(out, len, "%.*s", (int)(n < len ? n : len - 1), text);
}

/* ---- tests ---- */

TEST(register_live_lookup_roles_and_nick)
{
	mock_api *m = start(NULL);
	REQUIRE(m);
	mock_api_http_respond(m, ORDERS "AB12C/", 200, ORDER_AB);
	CHECK_INTEQ(mock_api_chat(m, &ALICE, "register ab12c jose muller"), HW_OK);
	mock_api_pump(m);
	CHECK(strstr(said(m), "Welcome, José Müller!") != NULL);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM registration_binding WHERE position_id = 101"
			  " AND user_id = '100000000000000001'"), 1);
	/* roles: registered + item 1 + variation 12, and the nickname */
	mock_api_advance(m, 3000);
	CHECK(called("role+ 100000000000000001 " ROLE_REG));
	CHECK(called("role+ 100000000000000001 " ROLE_ITEM1));
	CHECK(called("role+ 100000000000000001 " ROLE_REMOTE));
	CHECK(called("nick 100000000000000001 José Müller"));
	CHECK(!called("role+ 100000000000000001 " ROLE_SPONSOR));
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM registration_grant"), 0);
	/* the log channel heard of it, without the name typed */
	CHECK(strstr(mock_api_last_text(m, MOCK_OUT_SEND), "registered: order AB12C") != NULL);
	CHECK(strstr(mock_api_last_text(m, MOCK_OUT_SEND), "muller") == NULL);

	/* again: already registered, nothing new */
	ncalls = 0;
	mock_api_chat(m, &ALICE, "register AB12C Grace Hopper");
	CHECK(strstr(said(m), "already registered") != NULL);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM registration_binding"), 1);

	/* the second ticket of the order, from the cache: no pretix request */
	{
		size_t before = mock_api_http_requests(m);
		mock_api_chat(m, &BOB, "register AB12C hopper grace");
		CHECK_INTEQ(mock_api_http_requests(m), before);
		CHECK(strstr(said(m), "Welcome, Grace Hopper!") != NULL);
		mock_api_advance(m, 3000);
		CHECK(called("role+ 100000000000000002 " ROLE_SPONSOR));
	}
	stop(m);
}

TEST(ticket_used_twice_and_same_answer_for_failures)
{
	mock_api *m = start(NULL);
	char a[400], b[400], c[400];
	REQUIRE(m);
	mock_api_http_respond(m, ORDERS "AB12C/", 200, ORDER_AB);
	mock_api_http_respond(m, ORDERS "NP001/", 200, ORDER_UNPAID);
	mock_api_http_respond(m, ORDERS "ZZZZZ/", 404, "{\"detail\": \"Not found.\"}");
	mock_api_chat(m, &ALICE, "register AB12C José Müller");
	mock_api_pump(m);
	CHECK(strstr(said(m), "Welcome") != NULL);

	/* Bob claims Alice's ticket */
	mock_api_chat(m, &BOB, "register AB12C José Müller");
	mock_api_pump(m);
	CHECK(strstr(said(m), "already linked to another Discord account") != NULL);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM registration_binding"), 1);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM registration_binding WHERE user_id ="
			  " '100000000000000002'"), 0);

	/* a wrong name, an unpaid order and no order read the same */
	mock_api_chat(m, &CAROL, "register AB12C José");
	mock_api_pump(m);
	fail_head(said(m), a, sizeof(a));
	mock_api_chat(m, &CAROL, "register NP001 Ada Lovelace");
	mock_api_pump(m);
	fail_head(said(m), b, sizeof(b));
	mock_api_chat(m, &CAROL, "register ZZZZZ Ada Lovelace");
	mock_api_pump(m);
	fail_head(said(m), c, sizeof(c));
	CHECK(strstr(a, "could not find a paid ticket") != NULL);
	CHECK_STREQ(a, b);
	CHECK_STREQ(b, c);
	CHECK(strstr(said(m), "2 of 5 attempts left") != NULL);
	stop(m);
}

TEST(throttle_and_cool_down)
{
	mock_api *m = start(NULL);
	size_t requests;
	REQUIRE(m);
	mock_api_http_respond(m, ORDERS "GUESS/", 404, "{\"detail\": \"Not found.\"}");
	mock_api_http_respond(m, ORDERS "AB12C/", 200, ORDER_AB);
	for (int i = 0; i < 5; i++) {
		mock_api_chat(m, &CAROL, "register GUESS Someone");
		mock_api_pump(m);
		mock_api_advance(m, 60000);
	}
	CHECK(strstr(said(m), "last attempt for this hour") != NULL);
	requests = mock_api_http_requests(m);
	/* the sixth, even with a right code, is refused without asking pretix */
	mock_api_chat(m, &CAROL, "register AB12C Grace Hopper");
	mock_api_pump(m);
	CHECK(strstr(said(m), "Too many failed attempts: please wait 55 minutes") != NULL);
	CHECK_INTEQ(mock_api_http_requests(m), requests);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM registration_binding"), 0);
	/* an hour after the first failure, one more try is allowed */
	mock_api_advance(m, 56 * 60000);
	mock_api_chat(m, &CAROL, "register AB12C Grace Hopper");
	mock_api_pump(m);
	CHECK(strstr(said(m), "Welcome, Grace Hopper") != NULL);
	stop(m);
}

TEST(pretix_down_queue_and_dm)
{
	mock_api *m = start(NULL);
	REQUIRE(m);
	mock_api_http_respond(m, ORDERS "AB12C/", 503, "<html>503</html>");
	mock_api_chat(m, &ALICE, "register AB12C Jose Muller");
	mock_api_pump(m);
	CHECK(strstr(said(m), "pretix (the ticket shop) is not answering") != NULL);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM registration_queue"), 1);
	/* while pretix is in its backoff, another attempt queues at once */
	{
		size_t requests = mock_api_http_requests(m);
		mock_api_chat(m, &BOB, "register AB12C Grace Hopper");
		CHECK_INTEQ(mock_api_http_requests(m), requests);
		CHECK(strstr(said(m), "you will get a DM") != NULL);
	}
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM registration_queue"), 2);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM registration_attempt WHERE outcome = 'failed'"), 0);
	/* pretix is back: the queue finishes by itself, with DMs */
	mock_api_http_respond(m, ORDERS "AB12C/", 200, ORDER_AB);
	for (int i = 0; i < 20 && q_int(m, "SELECT COUNT(*) FROM registration_queue"); i++) {
		mock_api_advance(m, 30000);
		mock_api_pump(m);
	}
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM registration_queue"), 0);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM registration_binding"), 2);
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_DM), 2);
	CHECK(strstr(mock_api_last_text(m, MOCK_OUT_DM), "Welcome") != NULL);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM registration_outbox"), 0);
	mock_api_advance(m, 20000);
	CHECK(called("role+ 100000000000000002 " ROLE_SPONSOR));
	stop(m);
}

TEST(a_long_queue_drains_in_batches)
{
	mock_api *m = start(NULL);
	char line[80], order[600], url[200];
	REQUIRE(m);
	/* 25 attendees while pretix is down, each with their own order */
	for (int i = 0; i < 25; i++) {
		mock_user u = {NULL, "someone", 0};
		char id[32];
		snprintf(id, sizeof(id), "1000000000000%05d", i);
		u.id = id;
		snprintf(url, sizeof(url), ORDERS "Q%04d/", i);
		mock_api_http_respond(m, url, 503, "down");
		snprintf(line, sizeof(line), "register Q%04d Person %d", i, i);
		mock_api_chat(m, &u, line);
		mock_api_pump(m);
	}
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM registration_queue"), 25);
	for (int i = 0; i < 25; i++) {
		snprintf(url, sizeof(url), ORDERS "Q%04d/", i);
		snprintf(order, sizeof(order), "{\"code\": \"Q%04d\", \"status\": \"p\", \"positions\": "
			 "[{\"id\": %d, \"item\": 1, \"attendee_name\": \"Person %d\"}]}", i, 5000 + i, i);
		mock_api_http_respond(m, url, 200, order);
	}
	/* the next 30 s tick takes 10, then 10 more every 2 s: all within 40 s */
	for (int t = 0; t < 40; t++) {
		mock_api_advance(m, 1000);
		mock_api_pump(m);
	}
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM registration_queue"), 0);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM registration_binding"), 25);
	for (int t = 0; t < 10; t++)
		mock_api_advance(m, 1000);
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_DM), 25);
	stop(m);
}

TEST(throttled_by_pretix_waits_as_told)
{
	mock_api *m = start(NULL);
	size_t before;
	REQUIRE(m);
	mock_api_http_respond(m, ORDERS "AB12C/", 429, "{\"detail\": \"Request was throttled. "
			      "Expected available in 45 seconds.\"}");
	mock_api_chat(m, &ALICE, "register AB12C José Müller");
	mock_api_pump(m);
	CHECK(strstr(said(m), "you will get a DM") != NULL);
	mock_api_http_respond(m, ORDERS "AB12C/", 200, ORDER_AB);
	before = mock_api_http_requests(m);
	/* the queue's 30 s tick comes before pretix's 45 s: nothing is asked */
	mock_api_advance(m, 30000);
	mock_api_pump(m);
	CHECK_INTEQ(mock_api_http_requests(m), before);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM registration_queue"), 1);
	/* the next tick is after it: the queued registration finishes */
	mock_api_advance(m, 30000);
	mock_api_pump(m);
	mock_api_pump(m);
	CHECK(mock_api_http_requests(m) > before);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM registration_binding"), 1);
	mock_api_advance(m, REG_TEST_FLUSH_MS * 6);
	CHECK(strstr(mock_api_last_text(m, MOCK_OUT_DM), "Welcome, José Müller") != NULL);
	stop(m);
}

TEST(refused_role_is_logged_not_retried)
{
	mock_api *m = start(", \"3\": \"" ROLE_BROKEN "\"");
	static const char order[] = "{\"code\": \"VOL01\", \"status\": \"p\", \"positions\": [{\"id\":"
				    " 301, \"item\": 3, \"attendee_name\": \"Vera Volunteer\"}]}";
	REQUIRE(m);
	mock_api_http_respond(m, ORDERS "VOL01/", 200, order);
	mock_api_chat(m, &CAROL, "register VOL01 Vera Volunteer");
	mock_api_pump(m);
	mock_api_advance(m, 3000);
	CHECK(called("role+ 100000000000000003 " ROLE_REG));
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM registration_grant"), 0);
	CHECK(strstr(mock_api_last_text(m, MOCK_OUT_SEND), "Discord said 403") != NULL);
	stop(m);
}

TEST(grants_survive_a_restart)
{
	mock_api *m = start(NULL);
	REQUIRE(m);
	mock_api_http_respond(m, ORDERS "AB12C/", 200, ORDER_AB);
	refuse_status = 502; /* Discord fails: the outbox keeps the changes */
	mock_api_chat(m, &ALICE, "register AB12C José Müller");
	mock_api_pump(m);
	mock_api_advance(m, 3000);
	CHECK(q_int(m, "SELECT COUNT(*) FROM registration_grant") == 4);
	stop(m);
	/* a new process on the same database sends them */
	m = start(NULL);
	REQUIRE(m);
	mock_api_advance(m, 3000);
	CHECK(called("role+ 100000000000000001 " ROLE_ITEM1));
	CHECK(called("nick 100000000000000001 José Müller"));
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM registration_grant"), 0);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM registration_binding"), 1);
	stop(m);
}

TEST(unbind_needs_confirm_and_takes_roles_back)
{
	mock_api *m = start(NULL);
	REQUIRE(m);
	mock_api_http_respond(m, ORDERS "AB12C/", 200, ORDER_AB);
	mock_api_chat(m, &ALICE, "register AB12C José Müller");
	mock_api_pump(m);
	mock_api_advance(m, 3000);
	mock_api_chat(m, &ORG, "registration unbind alice");
	CHECK(strstr(said(m), "exactly") != NULL);
	mock_api_chat(m, &ORG, "registration unbind <@100000000000000001>");
	CHECK(strstr(said(m), "registration unbind 100000000000000001 confirm") != NULL);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM registration_binding"), 1);
	ncalls = 0;
	mock_api_chat(m, &ORG, "registration unbind 100000000000000001 confirm");
	CHECK(strstr(said(m), "free again") != NULL);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM registration_binding"), 0);
	CHECK(called("role- 100000000000000001 " ROLE_ITEM1));
	CHECK(called("role- 100000000000000001 " ROLE_REMOTE));
	/* the ticket can be registered again, by someone else */
	mock_api_chat(m, &BOB, "register AB12C José Müller");
	CHECK(strstr(said(m), "Welcome") != NULL);
	/* status by user and by order; stats; export */
	mock_api_chat(m, &ORG, "registration status 100000000000000002");
	CHECK(strstr(said(m), "order AB12C, ticket position 101") != NULL);
	mock_api_chat(m, &ORG, "registration status ab12c");
	CHECK(strstr(said(m), "position 101: item 1, variation 12") != NULL);
	CHECK(strstr(said(m), "bound to <@100000000000000002>") != NULL);
	mock_api_chat(m, &ORG, "registration stats");
	CHECK(strstr(said(m), "Registered: 1") != NULL);
	CHECK(strstr(said(m), "item 1, variation 12: 1") != NULL);
	mock_api_chat(m, &ORG, "registration export");
	{
		const mock_output *f = mock_api_last(m, MOCK_OUT_REPLY_FILE);
		REQUIRE(f);
		CHECK_STREQ(f->filename, "registrations.csv");
		CHECK(strstr(f->data, "\"100000000000000002\",\"AB12C\",\"101\",\"1\",\"12\","
				      "\"José Müller\"") != NULL);
	}
	stop(m);
}

TEST(speaker_needs_config_and_is_unique)
{
	mock_api *m = start(NULL);
	REQUIRE(m);
	mock_api_chat(m, &ORG, "registration speaker <@100000000000000001> ABCDEF");
	CHECK(strstr(said(m), "Set roles.speaker") != NULL);
	stop(m);
	m = start(NULL);
	REQUIRE(m);
	stop(m);
	{
		/* a config with a speaker role */
		json_t *cfg = json_pack("{s:{s:s, s:s, s:s}, s:{s:s}}", "pretix", "url", BASE,
					"organizer", "democon", "event", "2026", "roles", "speaker",
					"800000000000000005");
		m = mock_api_new("registration", cfg, db_path);
		json_decref(cfg);
		mock_api_log_verbose(m, 0);
		table = *mock_api_table(m);
		table.guild = t_guild;
		table.member_role = t_member_role;
		table.member_nick = t_member_nick;
		ncalls = 0;
		REQUIRE(hallway_plugin.init(mock_api_self(m), &table) == HW_OK);
	}
	mock_api_chat(m, &ORG, "registration speaker alice ABCDEF");
	CHECK(strstr(said(m), "exactly") != NULL);
	mock_api_chat(m, &ORG, "registration speaker <@100000000000000001> ABCDEF");
	CHECK(strstr(said(m), "is now a speaker") != NULL);
	mock_api_advance(m, REG_TEST_FLUSH_MS);
	CHECK(called("role+ 100000000000000001 800000000000000005"));
	mock_api_chat(m, &ORG, "registration speaker 100000000000000002 ABCDEF");
	CHECK(strstr(said(m), "already claimed by <@100000000000000001>") != NULL);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM registration_speaker"), 1);
	mock_api_chat(m, &ORG, "registration status 100000000000000001");
	CHECK(strstr(said(m), "Speaker: ABCDEF.") != NULL);
	stop(m);
}

TEST(speaker_claims_with_pretalx_code)
{
	json_t *cfg = json_pack("{s:{s:s, s:s, s:s}, s:{s:s, s:s}, s:{s:s, s:s}}", "pretix", "url",
				BASE, "organizer", "democon", "event", "2026", "pretalx", "url",
				"http://pretalx.test/", "event", "democon-2026", "roles", "speaker",
				"800000000000000005", "registered", ROLE_REG);
	mock_api *m = mock_api_new("registration", cfg, db_path);
	json_decref(cfg);
	REQUIRE(m);
	mock_api_log_verbose(m, 0);
	table = *mock_api_table(m);
	table.guild = t_guild;
	table.member_role = t_member_role;
	table.member_nick = t_member_nick;
	ncalls = 0;
	REQUIRE(hallway_plugin.init(mock_api_self(m), &table) == HW_OK);
#define PRETALX "http://pretalx.test/api/events/democon-2026/speakers/"
	mock_api_http_respond(m, PRETALX "SPK01/", 200, "{\"code\": \"SPK01\", \"name\": \"Müller, José\"}");
	mock_api_http_respond(m, PRETALX "SPK02/", 200, "{\"code\": \"SPK02\", \"name\": \"Grace Hopper\"}");
	mock_api_http_respond(m, PRETALX "SPK99/", 404, "{\"detail\": \"Not found.\"}");
	mock_api_http_respond(m, ORDERS "AB12C/", 200, ORDER_AB);
	mock_api_chat(m, &ALICE, "registration claim spk01");
	CHECK(strstr(said(m), "Register your ticket first") != NULL);
	mock_api_chat(m, &ALICE, "register AB12C José Müller");
	mock_api_pump(m);
	CHECK(strstr(said(m), "Welcome") != NULL);
	mock_api_chat(m, &ALICE, "registration claim SPK99");
	mock_api_pump(m);
	CHECK(strstr(said(m), "must be the one on your pretalx speaker page") != NULL);
	mock_api_chat(m, &ALICE, "registration claim SPK02");
	mock_api_pump(m);
	CHECK(strstr(said(m), "3 of 5 attempts left") != NULL);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM registration_speaker"), 0);
	mock_api_chat(m, &ALICE, "registration claim spk01");
	mock_api_pump(m);
	CHECK(strstr(said(m), "Confirmed: you are speaker SPK01") != NULL);
	mock_api_advance(m, REG_TEST_FLUSH_MS);
	CHECK(called("role+ 100000000000000001 800000000000000005"));
	mock_api_chat(m, &ALICE, "registration claim SPK01");
	CHECK(strstr(said(m), "speaker already") != NULL);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM registration_speaker WHERE speaker = 'SPK01'"), 1);
	/* pretalx's name is the one talks are matched by for mentions */
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM registration_speaker"
			  " WHERE name = 'Müller, José' AND mention = 0"), 1);
	stop(m);
}

/* The last "registration.speakers" published, or "" (none). */
static const char *speakers_pub(mock_api *m, size_t *count)
{
	const char *last = "";
	*count = 0;
	for (size_t i = 0; i < mock_api_output_count(m, MOCK_OUT_PUBLISH); i++) {
		const mock_output *o = mock_api_output(m, MOCK_OUT_PUBLISH, i);
		if (!strcmp(o->target, "registration.speakers")) {
			last = o->text;
			(*count)++;
		}
	}
	return last;
}

static int speakers_are(const char *text, const char *want)
{
	json_t *got = json_loads(text, 0, NULL), *exp = json_loads(want, 0, NULL);
	int eq = got && exp && json_integer_value(json_object_get(got, "version")) == 1 &&
		 json_equal(json_object_get(got, "speakers"), exp);
	if (!eq)
		fprintf(stderr, "speakers: got %s, want %s\n", text, want);
	json_decref(got);
	json_decref(exp);
	return eq;
}

TEST(speaker_mention_opt_in_is_published)
{
	mock_api *m = start_speakers();
	size_t n;
	json_t *req;
	REQUIRE(m);
	mock_api_db_settle(m);
	/* the first read publishes the (empty) set */
	CHECK(speakers_are(speakers_pub(m, &n), "[]"));
	CHECK_INTEQ(n, 1);
	mock_api_chat(m, &ALICE, "registration mention on");
	mock_api_db_settle(m);
	CHECK(strstr(said(m), "not a speaker here yet") != NULL);
	mock_api_chat(m, &ORG, "registration speaker <@100000000000000001> Ada Lovelace");
	mock_api_chat(m, &ORG, "registration speaker <@100000000000000002> Grace Hopper");
	mock_api_db_settle(m);
	speakers_pub(m, &n);
	CHECK_INTEQ(n, 1); /* nobody opted in: nothing changed */
	mock_api_chat(m, &ALICE, "registration mention maybe");
	CHECK(strstr(said(m), "registration mention on") != NULL);
	mock_api_chat(m, &ALICE, "registration mention on");
	mock_api_db_settle(m);
	CHECK(strstr(said(m), "talks by \"Ada Lovelace\" will mention you") != NULL);
	CHECK(speakers_are(speakers_pub(m, &n),
			   "[{\"name\": \"Ada Lovelace\", \"user_id\": \"100000000000000001\"}]"));
	CHECK_INTEQ(n, 2);
	mock_api_chat(m, &ALICE, "registration mention on"); /* again: no new event */
	mock_api_db_settle(m);
	speakers_pub(m, &n);
	CHECK_INTEQ(n, 2);
	/* a plugin that starts later asks */
	req = json_pack("{s:i}", "version", 1);
	mock_api_emit(m, "registration.request", req);
	json_decref(req);
	mock_api_db_settle(m);
	CHECK(strstr(speakers_pub(m, &n), "Ada Lovelace") != NULL);
	CHECK_INTEQ(n, 3);
	stop(m);

	/* the opt-in is durable: a restart publishes it again */
	m = start_speakers();
	REQUIRE(m);
	mock_api_db_settle(m);
	CHECK(speakers_are(speakers_pub(m, &n),
			   "[{\"name\": \"Ada Lovelace\", \"user_id\": \"100000000000000001\"}]"));
	mock_api_chat(m, &ALICE, "registration mention off");
	mock_api_db_settle(m);
	CHECK(strstr(said(m), "without a mention") != NULL);
	CHECK(speakers_are(speakers_pub(m, &n), "[]"));
	CHECK_INTEQ(n, 2);
	stop(m);
}

TEST(sync_pages_and_modified_since)
{
	mock_api *m = start(NULL);
	char page2[600];
	REQUIRE(m);
	snprintf(page2, sizeof(page2), "{\"count\": 2, \"next\": null, \"results\": [%s]}", ORDER_UNPAID);
	mock_api_http_respond(m, ORDERS, 200, "{\"count\": 2, \"next\": \"" ORDERS "?page=2\","
			      " \"results\": [{\"code\": \"AB12C\", \"status\": \"p\", \"last_modified\":"
			      " \"2026-11-01T10:00:00Z\", \"positions\": [{\"id\": 101, \"item\": 1,"
			      " \"attendee_name\": \"José Müller\"}]}]}");
	mock_api_http_respond(m, ORDERS "?page=2", 200, page2);
	mock_api_advance(m, 1000); /* the first sweep */
	mock_api_pump(m);
	mock_api_pump(m);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM registration_order"), 2);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM registration_meta WHERE key = 'modified_since'"
			  " AND value = '2026-11-01T10:00:00Z'"), 1);
	/* registering from the cache needs no request */
	{
		size_t before = mock_api_http_requests(m);
		mock_api_chat(m, &ALICE, "register AB12C Müller José");
		CHECK(strstr(said(m), "Welcome") != NULL);
		CHECK_INTEQ(mock_api_http_requests(m), before);
	}
	/* a next link with another scheme and case of the host is followed on the
	 * configured base (a proxy's rewrite) */
	mock_api_http_respond(m, ORDERS "?modified_since=2026-11-01T10:00:00Z", 200,
			      "{\"count\": 1, \"next\": \"https://PRETIX.test/api/v1/organizers/democon/"
			      "events/2026/orders/?modified_since=x&page=2\", \"results\": []}");
	mock_api_http_respond(m, ORDERS "?modified_since=x&page=2", 200,
			      "{\"count\": 1, \"next\": null, \"results\": []}");
	{
		size_t before = mock_api_http_requests(m), errors = mock_api_log_errors(m);
		mock_api_advance(m, 300000);
		mock_api_pump(m);
		mock_api_pump(m);
		mock_api_pump(m);
		CHECK_INTEQ(mock_api_http_requests(m), before + 2);
		CHECK_INTEQ(mock_api_log_errors(m), errors);
	}
	/* the next sweep asks only for changes; a next link elsewhere is not followed */
	mock_api_http_respond(m, ORDERS "?modified_since=2026-11-01T10:00:00Z", 200,
			      "{\"count\": 9, \"next\": \"http://evil.test/steal?page=2\", \"results\": []}");
	mock_api_advance(m, 300000);
	mock_api_pump(m);
	mock_api_pump(m);
	CHECK(mock_api_log_errors(m) >= 1);
	stop(m);
}

TEST(console_rehearsal_binds_nothing)
{
	mock_api *m = start(NULL);
	REQUIRE(m);
	mock_api_http_respond(m, ORDERS "AB12C/", 200, ORDER_AB);
	mock_api_set_door(m, HW_DOOR_CONSOLE, 0);
	mock_api_chat(m, &ORG, "register AB12C Jose Muller");
	mock_api_pump(m);
	CHECK(strstr(said(m), "Rehearsal: order AB12C matches ticket position 101") != NULL);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM registration_binding"), 0);
	mock_api_chat(m, &ORG, "register AB12C Nobody");
	mock_api_pump(m);
	CHECK(strstr(said(m), "Rehearsal: no paid ticket") != NULL);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM registration_attempt"), 0);
	stop(m);
}

int main(void)
{
	int fresh = 0;
	snprintf(db_path, sizeof(db_path), "/tmp/test_registration_%d_0.db", (int)getpid());
/* A new database file for every test: on PostgreSQL a new file is a new
 * database, so no test sees another's rows. */
#define FRESH()                                                                          \
	do {                                                                             \
		char side[160];                                                          \
		unlink(db_path);                                                         \
		snprintf(side, sizeof(side), "%s-wal", db_path);                         \
		unlink(side);                                                            \
		snprintf(side, sizeof(side), "%s-shm", db_path);                         \
		unlink(side);                                                            \
		snprintf(db_path, sizeof(db_path), "/tmp/test_registration_%d_%d.db",  \
			 (int)getpid(), ++fresh);                                        \
	} while (0)
	FRESH();
	RUN(register_live_lookup_roles_and_nick);
	FRESH();
	RUN(ticket_used_twice_and_same_answer_for_failures);
	FRESH();
	RUN(throttle_and_cool_down);
	FRESH();
	RUN(pretix_down_queue_and_dm);
	FRESH();
	RUN(a_long_queue_drains_in_batches);
	FRESH();
	RUN(throttled_by_pretix_waits_as_told);
	FRESH();
	RUN(refused_role_is_logged_not_retried);
	FRESH();
	RUN(grants_survive_a_restart);
	FRESH();
	RUN(unbind_needs_confirm_and_takes_roles_back);
	FRESH();
	RUN(speaker_needs_config_and_is_unique);
	FRESH();
	RUN(speaker_claims_with_pretalx_code);
	FRESH();
	RUN(speaker_mention_opt_in_is_published);
	FRESH();
	RUN(sync_pages_and_modified_since);
	FRESH();
	RUN(console_rehearsal_binds_nothing);
	FRESH();
	return test_summary();
}
