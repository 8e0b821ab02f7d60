/*
 * The announce plugin against mock_api: broadcasts, the write-before-send
 * order, refusals, failures and retries, restart recovery, scheduled posts,
 * the catch-up window, starting-soon posts and schedule-change alerts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hallway/plugin.h>

#include "golden_model.h"
#include "mock_api.h"
#include <hallway/civil.h>
#include <hallway/events.h>
#include "testlib.h"

extern const hw_plugin_desc hallway_plugin;

static const mock_user alice = {"1001", "alice", 1};
static const mock_user bob = {"1002", "bob", 0};
static const mock_user bob_org = {"1003", "bob_org", 1};

/* Thursday 2026-11-26 in Brussels (+01:00): Unix ms of local h:m. */
static int64_t thu(int h, int m)
{
	return (hw_civil_make(2026, 11, 26, h, m, 0) - 3600) * 1000;
}

static void db_path(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "/tmp/announce_test_%ld_%s.db", (long)getpid(), name);
	unlink(buf);
	{
		char side[300];
		snprintf(side, sizeof(side), "%s-wal", buf);
		unlink(side);
		snprintf(side, sizeof(side), "%s-shm", buf);
		unlink(side);
	}
}

static json_t *config(const char *extra_json)
{
	json_t *c = json_pack("{s:[sss], s:s, s:s, s:{s:s}}", "channels", "2001", "2002", "2003",
			      "timezone", "Europe/Brussels", "changes_channel", "2009",
			      "room_channels", "Main Hall", "2005");
	if (extra_json) {
		json_t *x = json_loads(extra_json, 0, NULL);
		json_object_update(c, x);
		json_decref(x);
	}
	return c;
}

static mock_api *start(const char *path, int64_t now, const char *extra_json)
{
	json_t *c = config(extra_json);
	mock_api *m = mock_api_new("announce", c, path);
	json_decref(c);
	if (!m)
		return NULL;
	mock_api_log_verbose(m, 0);
	mock_api_set_now(m, now);
	if (mock_api_load(m, &hallway_plugin) != HW_OK) {
		mock_api_free(m);
		return NULL;
	}
	return m;
}

/* One integer from SQL (or -1), on whichever engine db_run uses. */
static long long q_int(mock_api *m, const char *sql)
{
	return (long long)mock_api_db_int(m, sql);
}

/* Sends to channel_id captured so far. */
static size_t sends_to(mock_api *m, const char *channel_id)
{
	size_t n = 0;
	for (size_t i = 0; i < mock_api_output_count(m, MOCK_OUT_SEND); i++)
		if (!strcmp(mock_api_output(m, MOCK_OUT_SEND, i)->target, channel_id))
			n++;
	return n;
}

/* A starting-soon post as sent: the reply model (new reference), checked
 * for what every post has (version 2, a nonce of its row, the conference's
 * zone), or NULL. */
static json_t *sent_model(const mock_output *o)
{
	json_t *model = o ? json_loads(o->text, 0, NULL) : NULL;
	const char *nonce = json_string_value(json_object_get(model, "nonce"));
	CHECK(model != NULL);
	CHECK_INTEQ(json_integer_value(json_object_get(model, "version")), 2);
	CHECK(nonce && strlen(nonce) >= 3 && strlen(nonce) <= 25);
	CHECK_STREQ(json_string_value(json_object_get(model, "zone")), "Europe/Brussels");
	return model;
}

/* A sent post as a golden model (tests/unit/golden/reply/NAME.model.json,
 * drawn for each door by test_reply_model): its nonce, random per
 * database, is set to a fixed one. Borrows model. */
static int golden_post(const char *name, json_t *model)
{
	json_t *copy = json_deep_copy(model);
	if (!copy || json_object_set_new(copy, "nonce", json_string("5f3a9c01-17"))) {
		json_decref(copy);
		return 0;
	}
	return golden_model_same(name, copy);
}

/* model.items[i].key as a string ("" when absent). */
static const char *item_str(json_t *model, size_t i, const char *key)
{
	const char *v = json_string_value(
		json_object_get(json_array_get(json_object_get(model, "items"), i), key));
	return v ? v : "";
}

/* model.items[i].key as an integer (-1 when absent). */
static long long item_int(json_t *model, size_t i, const char *key)
{
	json_t *v = json_object_get(json_array_get(json_object_get(model, "items"), i), key);
	return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

/* The summary stored for announce_items row id (what the audit, the list
 * and the plan show of a post) is want. */
static int summary_is(mock_api *m, long long id, const char *want)
{
	char sql[120], *text;
	json_t *env;
	const char *got;
	int ok;
	snprintf(sql, sizeof(sql), "SELECT text FROM announce_items WHERE id = %lld", id);
	text = mock_api_db_text(m, sql);
	env = text ? json_loads(text, 0, NULL) : NULL;
	got = json_string_value(json_object_get(env, "summary"));
	ok = got && !strcmp(got, want);
	if (!ok)
		fprintf(stderr, "summary of #%lld: \"%s\"\n", id, got ? got : "(none)");
	json_decref(env);
	free(text);
	return ok;
}

/* Publishes d to the plugin as another plugin would; steals d. */
static void emit(mock_api *m, const char *type, json_t *d)
{
	mock_api_emit(m, type, d);
	json_decref(d);
}

/* Output hook: what state is the outbox row in when "Discord" gets it? */
struct order_check {
	int seen, sending_with_nonce;
};

static void on_output(mock_api *m, const mock_output *o, void *ud)
{
	struct order_check *c = ud;
	char sql[200];
	if (o->kind != MOCK_OUT_SEND)
		return;
	c->seen++;
	/* Channel ids are digits (the mock's own test data). */
	snprintf(sql, sizeof(sql),
		 "SELECT COUNT(*) FROM announce_outbox WHERE channel_id = '%s' AND "
		 "state = 'sending' AND length(nonce) BETWEEN 3 AND 25", o->target);
	if (q_int(m, sql) == 1)
		c->sending_with_nonce++;
}

TEST(broadcast_reaches_every_channel_once)
{
	char path[256];
	struct order_check oc = {0, 0};
	mock_api *m;
	db_path(path, sizeof(path), "broadcast");
	REQUIRE((m = start(path, thu(9, 20), NULL)));
	mock_api_on_output(m, on_output, &oc);
	CHECK_INTEQ(mock_api_chat(m, &alice, "announce Lunch moved to Hall B"), HW_OK);
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_SEND), 3);
	CHECK_INTEQ(sends_to(m, "2001"), 1);
	CHECK_INTEQ(sends_to(m, "2002"), 1);
	CHECK_INTEQ(sends_to(m, "2003"), 1);
	CHECK_STREQ(mock_api_output(m, MOCK_OUT_SEND, 0)->text, "Lunch moved to Hall B");
	/* Each row was committed, 'sending', with a nonce, before the send. */
	CHECK_INTEQ(oc.seen, 3);
	CHECK_INTEQ(oc.sending_with_nonce, 3);
	CHECK_STREQ(mock_api_last_text(m, MOCK_OUT_REPLY),
		    "Posted #1 to 3 channels (<#2001>, <#2002>, <#2003>).");
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox WHERE state = 'sent' "
			     "AND message_id LIKE 'mock-%'"), 3);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(DISTINCT nonce) FROM announce_outbox"), 3);
	CHECK_INTEQ(q_int(m, "SELECT CASE WHEN MAX(length(nonce)) <= 25 THEN 1 ELSE 0 END "
			     "FROM announce_outbox"), 1);
	/* Nothing more goes out later. */
	mock_api_advance(m, 3600 * 1000);
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_SEND), 3);
	mock_api_free(m);
}

TEST(refusals_post_nothing)
{
	char path[256];
	mock_api *m;
	char big[2100];
	db_path(path, sizeof(path), "refuse");
	REQUIRE((m = start(path, thu(9, 20), NULL)));
	CHECK_INTEQ(mock_api_command(m, "announce")->perm, HW_PERM_ORGANIZER);
	CHECK_INTEQ(mock_api_chat(m, &bob, "announce Free beer"), HW_ERR_DENIED);
	/* The plugin's own check, should the host ever let one through. */
	mock_api_enforce_perms(m, 0);
	CHECK_INTEQ(mock_api_chat(m, &bob, "announce Free beer"), HW_OK);
	CHECK(strstr(mock_api_last_text(m, MOCK_OUT_REPLY), "organizers only") != NULL);
	CHECK_INTEQ(mock_api_chat(m, &bob, "announce at 10:00 Free beer"), HW_OK);
	mock_api_enforce_perms(m, 1);
	/* Bad input from an organizer: a clear answer and nothing posted. */
	CHECK_INTEQ(mock_api_chat(m, &alice, "announce at the door"), HW_OK);
	CHECK(strstr(mock_api_last_text(m, MOCK_OUT_REPLY), "Not scheduled") != NULL);
	CHECK_INTEQ(mock_api_chat(m, &alice, "announce at 09:00 too late"), HW_OK);
	CHECK(strstr(mock_api_last_text(m, MOCK_OUT_REPLY), "already passed") != NULL);
	CHECK_INTEQ(mock_api_chat(m, &alice, "announce cancel everything"), HW_OK);
	CHECK(strstr(mock_api_last_text(m, MOCK_OUT_REPLY), "Usage") != NULL);
	CHECK_INTEQ(mock_api_chat(m, &alice, "announce list of winners"), HW_OK);
	CHECK_INTEQ(mock_api_chat(m, &alice, "announce"), HW_OK);
	CHECK(strstr(mock_api_last_text(m, MOCK_OUT_REPLY), "Usage") != NULL);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "announce ", 9);
	CHECK_INTEQ(mock_api_chat(m, &alice, big), HW_OK);
	CHECK(strstr(mock_api_last_text(m, MOCK_OUT_REPLY), "too long") != NULL);
	mock_api_advance(m, 24 * 3600 * 1000LL);
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_SEND), 0);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_items"), 0);
	/* `announce now` posts text that starts with a keyword. */
	CHECK_INTEQ(mock_api_chat(m, &alice, "announce now list of winners is up"), HW_OK);
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_SEND), 3);
	CHECK_STREQ(mock_api_last_text(m, MOCK_OUT_SEND), "list of winners is up");
	mock_api_free(m);
}

TEST(final_failure_is_failed_never_sent)
{
	char path[256];
	mock_api *m;
	db_path(path, sizeof(path), "fail");
	REQUIRE((m = start(path, thu(9, 20), NULL)));
	mock_api_fail_sends(m, 404);
	CHECK_INTEQ(mock_api_chat(m, &alice, "announce Hello"), HW_OK);
	CHECK(strstr(mock_api_last_text(m, MOCK_OUT_REPLY), "0 of 3 channels; 3 failed") != NULL);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox WHERE state = 'failed' AND "
			     "error LIKE 'HTTP 404%' AND message_id IS NULL"), 3);
	mock_api_fail_sends(m, 0);
	mock_api_advance(m, 3600 * 1000);
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_SEND), 0);
	CHECK_INTEQ(mock_api_chat(m, &alice, "announce audit"), HW_OK);
	CHECK(strstr(mock_api_last_text(m, MOCK_OUT_REPLY), "failed (HTTP 404: mock failure)") !=
	      NULL);
	mock_api_free(m);
}

TEST(transient_failure_is_retried)
{
	char path[256];
	mock_api *m;
	db_path(path, sizeof(path), "retry");
	REQUIRE((m = start(path, thu(9, 20), NULL)));
	mock_api_fail_sends(m, 503);
	CHECK_INTEQ(mock_api_chat(m, &alice, "announce Hello"), HW_OK);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox WHERE state = 'pending' AND "
			     "retry_ms IS NOT NULL"), 3);
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_REPLY), 0);
	mock_api_fail_sends(m, 0);
	mock_api_advance(m, 29 * 1000);
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_SEND), 0);
	mock_api_advance(m, 2 * 1000);
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_SEND), 3);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox WHERE state = 'sent' AND "
			     "attempts = 2"), 3);
	CHECK_STREQ(mock_api_last_text(m, MOCK_OUT_REPLY),
		    "Posted #1 to 3 channels (<#2001>, <#2002>, <#2003>).");
	/* Five transient failures in a row: failed, with why. */
	mock_api_fail_sends(m, 500);
	CHECK_INTEQ(mock_api_chat(m, &alice, "announce Again"), HW_OK);
	mock_api_advance(m, 3600 * 1000);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox WHERE state = 'failed' AND "
			     "attempts = 5 AND error LIKE 'gave up after 5 attempts: HTTP 500%'"),
		    3);
	mock_api_free(m);
}

TEST(restart_resends_unconfirmed_and_never_repeats_sent)
{
	char path[256];
	mock_api *m;
	long long nonce_before;
	db_path(path, sizeof(path), "restart");
	REQUIRE((m = start(path, thu(9, 20), NULL)));
	CHECK_INTEQ(mock_api_chat(m, &alice, "announce Hello"), HW_OK);
	/* As if the process died with channel 2002's send unacknowledged and
	 * 2003's row written but not yet claimed. */
	q_int(m, "UPDATE announce_outbox SET state = 'sending', message_id = NULL "
		 "WHERE channel_id = '2002'");
	q_int(m, "UPDATE announce_outbox SET state = 'pending', message_id = NULL "
		 "WHERE channel_id = '2003'");
	nonce_before = q_int(m, "SELECT id FROM announce_outbox WHERE channel_id = '2002'");
	mock_api_free(m);
	REQUIRE((m = start(path, thu(9, 21), NULL)));
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_SEND), 2);
	CHECK_INTEQ(sends_to(m, "2001"), 0);
	CHECK_INTEQ(sends_to(m, "2002"), 1);
	CHECK_INTEQ(sends_to(m, "2003"), 1);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox WHERE state = 'sent'"), 3);
	/* The same row (so the same nonce) was sent again, not a new one. */
	CHECK_INTEQ(q_int(m, "SELECT id FROM announce_outbox WHERE channel_id = '2002' AND "
			     "nonce LIKE '%-' || CAST(id AS TEXT)"), nonce_before);
	CHECK_INTEQ(q_int(m, "SELECT attempts FROM announce_outbox WHERE channel_id = '2002'"), 2);
	mock_api_free(m);
	/* And a third start sends nothing. */
	REQUIRE((m = start(path, thu(9, 22), NULL)));
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_SEND), 0);
	mock_api_free(m);
}

/* A standby becoming the active one (hallway.active) takes over what the
 * previous active daemon left 'sending': sent again, same row and nonce;
 * what was confirmed is not sent again. */
TEST(takeover_resends_what_the_old_active_claimed)
{
	char path[256], nonce[64];
	mock_api *m;
	json_t *ev;
	long long id;
	const mock_output *o;
	db_path(path, sizeof(path), "takeover");
	REQUIRE((m = start(path, thu(9, 20), NULL)));
	CHECK_INTEQ(mock_api_chat(m, &alice, "announce Hello"), HW_OK);
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_SEND), 3);
	/* The old active claimed 2002's row and died before Discord answered. */
	q_int(m, "UPDATE announce_outbox SET state = 'sending', message_id = NULL "
		 "WHERE channel_id = '2002'");
	id = q_int(m, "SELECT id FROM announce_outbox WHERE channel_id = '2002'");
	mock_api_clear(m);
	mock_api_advance(m, 60 * 1000);
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_SEND), 0); /* not ours until active */
	ev = json_pack("{s:i,s:i}", "version", HW_LEASE_ACTIVE_VERSION, "epoch", 2);
	mock_api_emit(m, HW_EVENT_LEASE_ACTIVE, ev);
	json_decref(ev);
	mock_api_pump(m);
	mock_api_pump(m);
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_SEND), 1);
	CHECK_INTEQ(sends_to(m, "2002"), 1);
	o = mock_api_output(m, MOCK_OUT_SEND, 0);
	REQUIRE(o && o->nonce);
	snprintf(nonce, sizeof(nonce), "%s", o->nonce);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox WHERE state = 'sent'"), 3);
	{
		char sql[200];
		snprintf(sql, sizeof(sql), "SELECT id FROM announce_outbox WHERE nonce = '%s'", nonce);
		CHECK_INTEQ(q_int(m, sql), id);
	}
	mock_api_free(m);
}

TEST(scheduled_fires_at_local_time_and_cancel)
{
	char path[256];
	mock_api *m;
	db_path(path, sizeof(path), "sched");
	REQUIRE((m = start(path, thu(9, 20), NULL)));
	CHECK_INTEQ(mock_api_chat(m, &alice, "announce at 10:00 Coffee is served"), HW_OK);
	CHECK_STREQ(mock_api_last_text(m, MOCK_OUT_REPLY),
		    "Scheduled #1 for Thu 26 Nov 10:00 (Europe/Brussels) to 3 channels.");
	CHECK_INTEQ(mock_api_chat(m, &alice, "announce at 2026-11-26T10:30+01:00 Second"), HW_OK);
	CHECK_INTEQ(mock_api_chat(m, &alice, "announce list"), HW_OK);
	CHECK(strstr(mock_api_last_text(m, MOCK_OUT_REPLY),
		     "#1 Thu 26 Nov 10:00 scheduled (3 channels) by alice: \"Coffee is served\"") !=
	      NULL);
	/* A cancel says what it would stop, and takes a second command. */
	CHECK_INTEQ(mock_api_chat(m, &alice, "announce cancel #2"), HW_OK);
	CHECK_STREQ(mock_api_last_text(m, MOCK_OUT_REPLY),
		    "This would cancel #2, due Thu 26 Nov 10:30 to 3 channels: \"Second\". To "
		    "cancel it, send `announce cancel 2 confirm`.");
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox WHERE state = 'skipped'"), 0);
	CHECK_INTEQ(mock_api_chat(m, &alice, "announce cancel #2 confirm"), HW_OK);
	CHECK_STREQ(mock_api_last_text(m, MOCK_OUT_REPLY),
		    "Cancelled #2 (was due Thu 26 Nov 10:30, 3 channels).");
	CHECK_INTEQ(mock_api_chat(m, &alice, "announce cancel 99"), HW_OK);
	CHECK_STREQ(mock_api_last_text(m, MOCK_OUT_REPLY), "There is no announcement #99.");
	mock_api_advance(m, thu(9, 59) + 59000 - thu(9, 20));
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_SEND), 0);
	mock_api_advance(m, 1000);
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_SEND), 3);
	CHECK_STREQ(mock_api_last_text(m, MOCK_OUT_SEND), "Coffee is served");
	mock_api_advance(m, 3600 * 1000);
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_SEND), 3);
	CHECK_INTEQ(mock_api_chat(m, &alice, "announce cancel 1"), HW_OK);
	CHECK(strstr(mock_api_last_text(m, MOCK_OUT_REPLY), "nothing left to cancel") != NULL);
	CHECK_INTEQ(mock_api_chat(m, &alice, "announce audit"), HW_OK);
	CHECK(strstr(mock_api_last_text(m, MOCK_OUT_REPLY), "3 sent, 0 pending, 0 failed, 3 skipped") !=
	      NULL);
	CHECK(strstr(mock_api_last_text(m, MOCK_OUT_REPLY), "skipped (cancelled by alice)") != NULL);
	mock_api_free(m);
}

TEST(catchup_window_late_and_skipped)
{
	char path[256];
	mock_api *m;
	const char *audit;
	db_path(path, sizeof(path), "catchup");
	REQUIRE((m = start(path, thu(9, 20), NULL)));
	CHECK_INTEQ(mock_api_chat(m, &alice, "announce at 10:00 Old news"), HW_OK);
	CHECK_INTEQ(mock_api_chat(m, &alice, "announce at 10:30 Recent news"), HW_OK);
	mock_api_free(m); /* down from 09:20 to 10:35 */
	REQUIRE((m = start(path, thu(10, 35), NULL)));
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_SEND), 3);
	CHECK_STREQ(mock_api_last_text(m, MOCK_OUT_SEND), "Recent news");
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox WHERE item_id = 2 AND "
			     "state = 'sent' AND late = 1"), 3);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox WHERE item_id = 1 AND "
			     "state = 'skipped' AND error LIKE 'missed%'"), 3);
	CHECK_INTEQ(mock_api_chat(m, &alice, "announce audit"), HW_OK);
	audit = mock_api_last_text(m, MOCK_OUT_REPLY);
	CHECK(strstr(audit, "3 sent, 0 pending, 0 failed, 3 skipped") != NULL);
	CHECK(strstr(audit, "(late: due while the bot was down)") != NULL);
	CHECK(strstr(audit, "skipped (missed: due while the bot was down, older than the "
			    "catch-up window)") != NULL);
	/* audit since 10:15 shows only the recent one. */
	CHECK_INTEQ(mock_api_chat(m, &alice, "announce audit 10:15"), HW_OK);
	audit = mock_api_last_text(m, MOCK_OUT_REPLY);
	CHECK(strstr(audit, "Recent news") != NULL);
	CHECK(strstr(audit, "Old news") == NULL);
	mock_api_free(m);
}

/* A schedule.loaded payload with up to three talks. */
static json_t *loaded(int moved, int cancel_second, int drop_third)
{
	json_t *talks = json_array();
	json_array_append_new(talks, json_pack("{s:s, s:s, s:s, s:[s], s:I, s:I, s:b}", "id", "100",
					       "title", "Opening", "room", "Main Hall", "speakers",
					       "Ada", "start", (json_int_t)(thu(moved ? 11 : 9, 30) / 1000),
					       "end", (json_int_t)(thu(12, 0) / 1000), "cancelled", 0));
	json_array_append_new(talks, json_pack("{s:s, s:s, s:s, s:[], s:I, s:I, s:b}", "id", "102",
					       "title", "Gateway @everyone", "room", "Envelope",
					       "speakers", "start", (json_int_t)(thu(10, 15) / 1000),
					       "end", (json_int_t)(thu(10, 45) / 1000), "cancelled",
					       cancel_second));
	if (!drop_third)
		json_array_append_new(talks, json_pack("{s:s, s:s, s:s, s:[], s:I, s:I, s:b}", "id",
						       "103", "title", "Workshop", "room", "Workshop",
						       "speakers", "start",
						       (json_int_t)(thu(10, 15) / 1000), "end",
						       (json_int_t)(thu(11, 45) / 1000), "cancelled",
						       0));
	return json_pack("{s:s, s:s, s:o}", "name", "Test", "timezone", "Europe/Brussels",
			 "talks", talks);
}

/* Issue 14: a post to many channels is previewed; `announce confirm` sends it. */
TEST(preview_before_many_channels)
{
	char path[256];
	mock_api *m;
	db_path(path, sizeof(path), "preview");
	REQUIRE((m = start(path, thu(9, 0), "{\"preview_channels\": 3}")));
	CHECK_INTEQ(mock_api_chat(m, &alice, "announce Lunch is in Hall B"), HW_OK);
	CHECK(strstr(mock_api_last_text(m, MOCK_OUT_REPLY),
		     "Preview: this goes to 3 channels now:\nLunch is in Hall B\nSend `announce "
		     "confirm`") != NULL);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox"), 0);
	/* Someone else's confirm does not post it. */
	CHECK_INTEQ(mock_api_chat(m, &bob_org, "announce confirm"), HW_OK);
	CHECK(strstr(mock_api_last_text(m, MOCK_OUT_REPLY), "Nothing to confirm") != NULL);
	CHECK_INTEQ(mock_api_chat(m, &alice, "announce confirm"), HW_OK);
	mock_api_pump(m);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox"), 3);
	CHECK_INTEQ(mock_api_chat(m, &alice, "announce confirm"), HW_OK);
	CHECK(strstr(mock_api_last_text(m, MOCK_OUT_REPLY), "Nothing to confirm") != NULL);
	/* A preview expires after 10 minutes. */
	CHECK_INTEQ(mock_api_chat(m, &alice, "announce Second one"), HW_OK);
	mock_api_advance(m, 11 * 60 * 1000);
	CHECK_INTEQ(mock_api_chat(m, &alice, "announce confirm"), HW_OK);
	CHECK(strstr(mock_api_last_text(m, MOCK_OUT_REPLY), "Nothing to confirm") != NULL);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_items"), 1);
	mock_api_free(m);
}

/* Issue 13: a reply past the cap is cut after a whole line and says how
 * much it left out (the old builder stopped appending once full, so its
 * "(cut short)" was never written: the audit just ended). */
TEST(long_audit_says_it_was_cut)
{
	char path[256], extra[2048], msg[64];
	const char *audit;
	size_t len;
	mock_api *m;
	int off;

	off = snprintf(extra, sizeof(extra), "{\"preview_channels\": 0, \"channels\": [");
	for (int i = 0; i < 40; i++)
		off += snprintf(extra + off, sizeof(extra) - (size_t)off, "%s\"30%02d\"", i ? "," : "",
				i);
	snprintf(extra + off, sizeof(extra) - (size_t)off, "]}");
	db_path(path, sizeof(path), "long_audit");
	REQUIRE((m = start(path, thu(9, 0), extra)));
	for (int i = 0; i < 25; i++) {
		snprintf(msg, sizeof(msg), "announce Post number %d", i);
		CHECK_INTEQ(mock_api_chat(m, &alice, msg), HW_OK);
		mock_api_pump(m);
	}
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox WHERE state = 'sent'"), 1000);
	CHECK_INTEQ(mock_api_chat(m, &alice, "announce audit"), HW_OK);
	audit = mock_api_last_text(m, MOCK_OUT_REPLY);
	REQUIRE(audit != NULL);
	len = strlen(audit);
	CHECK(len <= 16 * 1024);
	CHECK(strstr(audit, "1000 sent, 0 pending, 0 failed, 0 skipped.") != NULL);
	CHECK(strstr(audit, "more lines not shown)") != NULL);
	/* The cut falls after a whole line: the note starts a line. */
	CHECK(strstr(audit, "\n(cut short: ") != NULL);
	mock_api_free(m);
}

/* Issue 13: room_channels keys read as attendees' `next <room>` does:
 * "envelope" is the room "Envelope \u2709\ufe0f" (an emoji and an
 * invisible U+FE0F). */
TEST(room_channels_fold_like_room_names)
{
	char path[256];
	mock_api *m;
	json_t *talks, *d;
	db_path(path, sizeof(path), "roomfold");
	REQUIRE((m = start(path, thu(9, 0),
			   "{\"room_channels\": {\"envelope\": \"2006\", \"Nowhere\": \"2007\"}}")));
	talks = json_pack("[{s:s, s:s, s:s, s:[], s:I, s:I, s:b}]", "id", "200", "title", "Mail",
			  "room", "Envelope \xE2\x9C\x89\xEF\xB8\x8F", "speakers", "start",
			  (json_int_t)(thu(10, 15) / 1000), "end", (json_int_t)(thu(10, 45) / 1000),
			  "cancelled", 0);
	d = json_pack("{s:s, s:s, s:o}", "name", "Test", "timezone", "Europe/Brussels", "talks",
		      talks);
	mock_api_emit(m, "schedule.loaded", d);
	json_decref(d);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox WHERE kind = 'soon' AND "
			     "channel_id = '2006'"), 1);
	/* ... and the three main channels list it in its time slot's post. */
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox WHERE kind = 'soon'"), 4);
	mock_api_free(m);
}

TEST(starting_soon_posts)
{
	char path[256];
	mock_api *m;
	json_t *d;
	db_path(path, sizeof(path), "soon");
	REQUIRE((m = start(path, thu(9, 0), "{\"soon_posts\": \"per-talk\"}")));
	d = loaded(0, 0, 0);
	mock_api_emit(m, "schedule.loaded", d);
	mock_api_emit(m, "schedule.loaded", d); /* a refresh adds nothing */
	json_decref(d);
	/* 100 -> its room channel; 102 and 103 -> the three main channels. */
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox WHERE kind = 'soon'"), 7);
	mock_api_advance(m, thu(9, 24) + 59000 - thu(9, 0));
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_SEND), 0);
	mock_api_advance(m, 1000);
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_SEND), 1);
	CHECK_STREQ(mock_api_last(m, MOCK_OUT_SEND)->target, "2005");
	/* Issue 16: a reply model the host draws (an embed on Discord). */
	{
		json_t *sm = sent_model(mock_api_last(m, MOCK_OUT_SEND));
		CHECK_STREQ(json_string_value(json_object_get(sm, "title")), "Starting in 5 minutes");
		CHECK_STREQ(item_str(sm, 0, "kind"), "talk");
		CHECK_STREQ(item_str(sm, 0, "title"), "Opening");
		CHECK_STREQ(item_str(sm, 0, "room"), "Main Hall");
		CHECK_STREQ(json_string_value(json_array_get(
				    json_object_get(json_array_get(json_object_get(sm, "items"), 0),
						    "speakers"), 0)), "Ada");
		CHECK_INTEQ(item_int(sm, 0, "start"), thu(9, 30));
		CHECK_INTEQ(item_int(sm, 0, "end"), thu(12, 0));
		CHECK(json_object_get(sm, "mention_users") == NULL);
		json_decref(sm);
		CHECK(summary_is(m, 1, "Starting in 5 minutes: \"Opening\" in Main Hall at 09:30, "
				       "with Ada."));
		CHECK_STREQ(mock_api_last(m, MOCK_OUT_SEND)->mention_users, "");
	}
	/* 102 cancelled, 103 removed, 100 already done: nothing more. */
	d = loaded(0, 1, 1);
	mock_api_emit(m, "schedule.loaded", d);
	json_decref(d);
	mock_api_advance(m, 3 * 3600 * 1000);
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_SEND), 1);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox WHERE error = 'talk cancelled'"),
		    3);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox WHERE "
			     "error = 'talk removed from the schedule'"), 3);
	/* Nothing in soon posts may ping. */
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_items WHERE mentions <> 0"), 0);
	mock_api_free(m);
}

/* Issue 16: by default one post per time slot and channel, listing every
 * room starting then; a room with its own channel gets its talk there. */
TEST(starting_soon_grouped)
{
	char path[256];
	mock_api *m;
	json_t *d;
	db_path(path, sizeof(path), "soongrouped");
	REQUIRE((m = start(path, thu(9, 0), NULL)));
	d = loaded(0, 0, 0);
	mock_api_emit(m, "schedule.loaded", d);
	mock_api_emit(m, "schedule.loaded", d); /* a refresh adds nothing */
	json_decref(d);
	/* 100 -> its room channel, and the 09:30 slot's post in each of the
	 * three main channels; the 10:15 slot (102, 103) -> one post in each. */
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox WHERE kind = 'soon'"), 7);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_items WHERE kind = 'soon'"), 3);
	mock_api_advance(m, thu(10, 10) - thu(9, 0));
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_SEND), 7);
	CHECK_INTEQ(sends_to(m, "2005"), 1);
	CHECK_INTEQ(sends_to(m, "2001"), 2);
	{
		json_t *sm = sent_model(mock_api_last(m, MOCK_OUT_SEND));
		CHECK_STREQ(json_string_value(json_object_get(sm, "title")),
			    "Starting in 5 minutes, at 10:15");
		CHECK_INTEQ(json_array_size(json_object_get(sm, "items")), 2);
		CHECK_STREQ(item_str(sm, 0, "title"), "Gateway @everyone");
		CHECK_STREQ(item_str(sm, 0, "room"), "Envelope");
		CHECK_STREQ(item_str(sm, 1, "title"), "Workshop");
		json_decref(sm);
		/* Each channel's row has its own nonce: a post to three
		 * channels is three messages, each sent once. */
		CHECK_INTEQ(q_int(m, "SELECT COUNT(DISTINCT nonce) FROM announce_outbox WHERE "
				     "kind = 'soon'"), 7);
	}
	/* What the audit and the plan show of it. */
	CHECK(summary_is(m, 3, "Starting in 5 minutes, at 10:15:\n- Envelope: \"Gateway @everyone\"\n"
			       "- Workshop: \"Workshop\""));
	CHECK_INTEQ(mock_api_chat(m, &alice, "announce audit"), HW_OK);
	CHECK(strstr(mock_api_last_text(m, MOCK_OUT_REPLY), "\"Starting in 5 minutes, at 10:15: - "
							     "Envelope") != NULL);
	CHECK(strstr(mock_api_last_text(m, MOCK_OUT_REPLY), "announce_model") == NULL);
	mock_api_free(m);

	/* A refresh that cancels one talk of a slot replaces its pending post;
	 * one that empties the slot skips it. */
	db_path(path, sizeof(path), "soongrouped2");
	REQUIRE((m = start(path, thu(9, 0), NULL)));
	d = loaded(0, 0, 0);
	mock_api_emit(m, "schedule.loaded", d);
	json_decref(d);
	d = loaded(0, 1, 0);
	mock_api_emit(m, "schedule.loaded", d);
	json_decref(d);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox WHERE "
			     "error = 'what starts then changed'"), 3);
	d = loaded(0, 1, 1);
	mock_api_emit(m, "schedule.loaded", d);
	json_decref(d);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox WHERE "
			     "error = 'nothing starts then any more'"), 3);
	mock_api_advance(m, thu(12, 0) - thu(9, 0));
	/* The opening, in its room and in its slot's posts. */
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_SEND), 4);
	mock_api_free(m);

	/* off: none at all. */
	db_path(path, sizeof(path), "soonoff");
	REQUIRE((m = start(path, thu(9, 0), "{\"soon_posts\": \"off\"}")));
	d = loaded(0, 0, 0);
	mock_api_emit(m, "schedule.loaded", d);
	json_decref(d);
	mock_api_advance(m, thu(12, 0) - thu(9, 0));
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_SEND), 0);
	mock_api_free(m);
}

static size_t published(mock_api *m, const char *type)
{
	size_t n = 0;
	for (size_t i = 0; i < mock_api_output_count(m, MOCK_OUT_PUBLISH); i++)
		n += !strcmp(mock_api_output(m, MOCK_OUT_PUBLISH, i)->target, type);
	return n;
}

/* The last send to channel_id, or NULL. */
static const mock_output *last_to(mock_api *m, const char *channel_id)
{
	const mock_output *o = NULL;
	for (size_t i = 0; i < mock_api_output_count(m, MOCK_OUT_SEND); i++)
		if (!strcmp(mock_api_output(m, MOCK_OUT_SEND, i)->target, channel_id))
			o = mock_api_output(m, MOCK_OUT_SEND, i);
	return o;
}

/* Issue 20: speakers who opted in (registration.speakers) are mentioned
 * next to their talks and pinged; nobody else in the text is. */
TEST(starting_soon_mentions_opted_in_speakers)
{
	char path[256];
	mock_api *m;
	json_t *d, *talks, *sp;
	const mock_output *o;
	db_path(path, sizeof(path), "soonmention");
	REQUIRE((m = start(path, thu(9, 0), NULL)));
	CHECK_INTEQ(published(m, "registration.request"), 1);
	CHECK_INTEQ(published(m, "schedule.request"), 1);
	/* "Ad" opted in too: "Adam" is not them (exact after folding). */
	sp = json_pack("{s:i, s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}]}", "version", 1, "speakers",
		       "name", "Ada", "user_id", "5001", "name", "Ad", "user_id", "5003", "name",
		       "Eve", "user_id", "5004> @everyone <@5005");
	mock_api_emit(m, "registration.speakers", sp);
	json_decref(sp);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_items"), 0); /* no schedule yet */
	talks = json_array();
	json_array_append_new(talks, json_pack("{s:s, s:s, s:s, s:[s], s:I, s:I}", "id", "100",
					       "title", "Opening", "room", "Main Hall", "speakers",
					       "Ada", "start", (json_int_t)(thu(9, 30) / 1000), "end",
					       (json_int_t)(thu(10, 0) / 1000)));
	json_array_append_new(talks, json_pack("{s:s, s:s, s:s, s:[sss], s:I, s:I}", "id", "102",
					       "title", "Gateway <@5002> @everyone", "room",
					       "Envelope", "speakers", "ÁDA", "Grace Hopper", "Eve",
					       "start", (json_int_t)(thu(10, 15) / 1000), "end",
					       (json_int_t)(thu(10, 45) / 1000)));
	json_array_append_new(talks, json_pack("{s:s, s:s, s:s, s:[s], s:I, s:I}", "id", "103",
					       "title", "Workshop", "room", "Workshop", "speakers",
					       "Adam", "start", (json_int_t)(thu(10, 15) / 1000), "end",
					       (json_int_t)(thu(11, 45) / 1000)));
	d = json_pack("{s:s, s:s, s:o}", "name", "Test", "timezone", "Europe/Brussels", "talks",
		      talks);
	mock_api_emit(m, "schedule.loaded", d);
	/* the 09:30 talk in its room's channel and in the slot's post; the 10:15 slot */
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_items WHERE mention_users = '5001'"), 3);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_items WHERE mention_users IS NULL"), 0);
	/* The same set again (Eve's id was never a user id) redoes nothing. */
	emit(m, "registration.speakers",
	     json_pack("{s:i, s:[{s:s, s:s}, {s:s, s:s}]}", "version", 1, "speakers", "name", "Ada",
		       "user_id", "5001", "name", "Ad", "user_id", "5003"));
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox WHERE state = 'skipped'"), 0);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_items"), 3);
	mock_api_advance(m, thu(10, 10) - thu(9, 0));
	REQUIRE((o = last_to(m, "2005")));
	{
		json_t *sm = sent_model(o);
		CHECK_STREQ(item_str(sm, 0, "title"), "Opening");
		CHECK_STREQ(json_string_value(json_array_get(json_object_get(sm, "mention_users"), 0)),
			    "5001");
		CHECK_INTEQ(json_array_size(json_object_get(sm, "mention_users")), 1);
		json_decref(sm);
	}
	CHECK_STREQ(o->mention_users, "5001");
	REQUIRE((o = last_to(m, "2001")));
	{
		/* The title is text in the model (the host escapes it): only the
		 * opted-in speaker is pinged, never what a title says. */
		json_t *sm = sent_model(o);
		CHECK_STREQ(item_str(sm, 0, "title"), "Gateway <@5002> @everyone");
		CHECK_STREQ(item_str(sm, 1, "title"), "Workshop");
		CHECK(golden_post("announce-soon-mentions", sm));
		json_decref(sm);
	}
	CHECK_STREQ(o->mention_users, "5001");
	/* The same set again changes nothing; a new one redoes the posts. */
	sp = json_pack("{s:i, s:[{s:s, s:s}, {s:s, s:s}]}", "version", 1, "speakers", "name", "Ada",
		       "user_id", "5001", "name", "Ad", "user_id", "5003");
	mock_api_emit(m, "registration.speakers", sp);
	json_decref(sp);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox WHERE state = 'skipped'"), 0);
	/* Nobody opted in any more: the pending posts (the 10:15 slot's three)
	 * are redone from the talks kept, without asking the schedule again. */
	sp = json_pack("{s:i, s:[]}", "version", 1, "speakers");
	mock_api_emit(m, "registration.speakers", sp);
	json_decref(sp);
	CHECK_INTEQ(published(m, "schedule.request"), 1);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox WHERE state = 'skipped'"), 0);
	/* a newer shape is left alone */
	sp = json_pack("{s:i, s:[{s:s, s:s}]}", "version", 2, "speakers", "name", "Ada", "user_id",
		       "5001");
	mock_api_emit(m, "registration.speakers", sp);
	json_decref(sp);
	CHECK_INTEQ(published(m, "schedule.request"), 1);
	json_decref(d);
	mock_api_free(m);

	/* per-talk posts: an opt-in after the schedule replaces the pending post */
	db_path(path, sizeof(path), "soonmention2");
	REQUIRE((m = start(path, thu(9, 0), "{\"soon_posts\": \"per-talk\"}")));
	d = loaded(0, 0, 0);
	mock_api_emit(m, "schedule.loaded", d);
	sp = json_pack("{s:i, s:[{s:s, s:s}]}", "version", 1, "speakers", "name", "ada", "user_id",
		       "5001");
	mock_api_emit(m, "registration.speakers", sp);
	json_decref(sp);
	json_decref(d);
	mock_api_advance(m, thu(9, 26) - thu(9, 0));
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_SEND), 1);
	{
		json_t *sm = sent_model(mock_api_last(m, MOCK_OUT_SEND));
		CHECK_STREQ(item_str(sm, 0, "title"), "Opening");
		CHECK_STREQ(json_string_value(json_array_get(json_object_get(sm, "mention_users"), 0)),
			    "5001");
		json_decref(sm);
	}
	CHECK_STREQ(mock_api_last(m, MOCK_OUT_SEND)->mention_users, "5001");
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox WHERE "
			     "error = 'the speakers it mentions changed'"), 1);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox WHERE error LIKE 'talk moved%'"), 0);
	mock_api_free(m);

	/* grouped: the same (who a slot's post pings is in its key, as its
	 * text is the same) */
	db_path(path, sizeof(path), "soonmention3");
	REQUIRE((m = start(path, thu(9, 0), NULL)));
	emit(m, "schedule.loaded", loaded(0, 0, 0));
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_items WHERE mention_users IS NOT NULL"), 0);
	emit(m, "registration.speakers",
	     json_pack("{s:i, s:[{s:s, s:s}]}", "version", 1, "speakers", "name", "ada", "user_id",
		       "5001"));
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox o JOIN announce_items i ON "
			     "i.id = o.item_id WHERE o.state = 'pending' AND i.talk_id = 'slot@1795681800'"
			     " AND i.mention_users = '5001'"), 3);
	mock_api_advance(m, thu(9, 26) - thu(9, 0));
	CHECK_STREQ(last_to(m, "2001")->mention_users, "5001");
	CHECK_INTEQ(sends_to(m, "2001"), 1);
	mock_api_free(m);
}

/* An "openspaces.board" payload: open spaces 7 (10:15, with the talks of
 * that slot) and 8 (14:00, alone), each when asked for. */
static json_t *board(int with7, int with8, int moved8)
{
	json_t *spaces = json_array();
	if (with7)
		json_array_append_new(spaces, json_pack("{s:i, s:s, s:s, s:I, s:I, s:s}", "id", 7,
							"title", "Rust BOF", "room", "Room A", "start",
							(json_int_t)(thu(10, 15) / 1000), "end",
							(json_int_t)(thu(11, 15) / 1000), "host", "Ada"));
	if (with8)
		json_array_append_new(spaces, json_pack("{s:i, s:s, s:s, s:I, s:I, s:s}", "id", 8,
							"title", "Packaging woes", "room", "Room B",
							"start", (json_int_t)(thu(moved8 ? 15 : 14, 0) / 1000),
							"end", (json_int_t)(thu(moved8 ? 16 : 15, 0) / 1000),
							"host", "Bob"));
	return json_pack("{s:i, s:o}", "version", 1, "spaces", spaces);
}

/* Issue 21: open spaces get starting-soon posts beside the talks', in the
 * same post when they start together; announce learns them from the
 * "openspaces.board" event only. */
TEST(starting_soon_open_spaces)
{
	char path[256];
	mock_api *m;
	json_t *sm;
	db_path(path, sizeof(path), "soonspaces");
	REQUIRE((m = start(path, thu(9, 0), "{\"room_channels\": {\"Main Hall\": \"2005\", "
					     "\"room b\": \"2006\"}}")));
	CHECK_INTEQ(published(m, "openspaces.request"), 1);
	/* The board before the schedule: no post is made of half of what
	 * starts at 10:15. */
	emit(m, "openspaces.board", board(1, 1, 0));
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_items WHERE kind = 'soon'"), 0);
	emit(m, "schedule.loaded", loaded(0, 0, 0));
	/* 09:30: its room's post and the slot's; 10:15: talks and the BOF in
	 * one post per channel; 14:00: Room B's channel and the slot's post. */
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_items WHERE kind = 'soon'"), 5);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_items WHERE talk_id = 'os#8'"), 1);
	/* A newer board shape is left alone; the same board again adds nothing. */
	{
		json_t *b = board(0, 0, 0);
		json_object_set_new(b, "version", json_integer(2));
		emit(m, "openspaces.board", b);
	}
	emit(m, "openspaces.board", board(1, 1, 0));
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox WHERE state = 'skipped'"), 0);
	mock_api_advance(m, thu(10, 10) - thu(9, 0));
	REQUIRE((sm = sent_model(last_to(m, "2001"))));
	CHECK_STREQ(json_string_value(json_object_get(sm, "title")), "Starting in 5 minutes, at 10:15");
	CHECK_INTEQ(json_array_size(json_object_get(sm, "items")), 3);
	CHECK_STREQ(item_str(sm, 2, "kind"), "openspace");
	CHECK_STREQ(item_str(sm, 2, "title"), "Rust BOF");
	CHECK_STREQ(item_str(sm, 2, "room"), "Room A");
	CHECK_STREQ(item_str(sm, 2, "host"), "Ada");
	CHECK_STREQ(item_str(sm, 2, "id"), "os#7");
	CHECK_INTEQ(item_int(sm, 2, "end"), thu(11, 15));
	CHECK(golden_post("announce-soon-slot", sm));
	json_decref(sm);
	CHECK(summary_is(m, 4, "Starting in 5 minutes, at 10:15:\n- Envelope: \"Gateway @everyone\"\n"
			       "- Workshop: \"Workshop\"\n- Room A: open space \"Rust BOF\", hosted by "
			       "Ada"));
	/* The 14:00 open space moves to 15:00: its pending posts go, new ones
	 * come; then it is dropped from the board: they go too. */
	emit(m, "openspaces.board", board(1, 1, 1));
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox WHERE "
			     "error = 'open space moved to Thu 26 Nov 15:00 in Room B'"), 1);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox WHERE "
			     "error = 'nothing starts then any more'"), 3);
	emit(m, "openspaces.board", board(1, 0, 0));
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox WHERE "
			     "error = 'open space removed from the board'"), 1);
	mock_api_advance(m, thu(16, 0) - thu(10, 10));
	CHECK_INTEQ(sends_to(m, "2006"), 0);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox WHERE state = 'pending'"), 0);
	mock_api_free(m);

	/* After a restart the board comes before the schedule: pending posts
	 * stay as they are until the schedule's talks are known. */
	db_path(path, sizeof(path), "soonspaces2");
	REQUIRE((m = start(path, thu(9, 0), NULL)));
	emit(m, "openspaces.board", board(1, 0, 0));
	emit(m, "schedule.loaded", loaded(0, 0, 0));
	mock_api_free(m);
	REQUIRE((m = start(path, thu(9, 1), NULL)));
	emit(m, "openspaces.board", board(1, 0, 0));
	emit(m, "schedule.loaded", loaded(0, 0, 0));
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox WHERE state = 'skipped'"), 0);
	mock_api_advance(m, thu(10, 10) - thu(9, 1));
	REQUIRE((sm = sent_model(last_to(m, "2002"))));
	CHECK_INTEQ(json_array_size(json_object_get(sm, "items")), 3);
	json_decref(sm);
	mock_api_free(m);

	/* After a restart the board comes after the schedule: the slot's post
	 * made of the talks alone is replaced before it is due, and the post
	 * of the whole slot comes back (the same rows, so the same nonces):
	 * one message per channel, with the open space. */
	db_path(path, sizeof(path), "soonspaces3");
	REQUIRE((m = start(path, thu(9, 0), NULL)));
	emit(m, "openspaces.board", board(1, 0, 0));
	emit(m, "schedule.loaded", loaded(0, 0, 0));
	mock_api_free(m);
	REQUIRE((m = start(path, thu(9, 1), NULL)));
	emit(m, "schedule.loaded", loaded(0, 0, 0));
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox WHERE "
			     "error = 'what starts then changed'"), 3);
	emit(m, "openspaces.board", board(1, 0, 0));
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox WHERE "
			     "error = 'what starts then changed'"), 3);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox o JOIN announce_items i ON "
			     "i.id = o.item_id WHERE o.state = 'pending' AND i.id = 2"), 3);
	mock_api_advance(m, thu(10, 10) - thu(9, 1));
	CHECK_INTEQ(sends_to(m, "2002"), 2); /* the 09:30 slot's and the 10:15 slot's */
	REQUIRE((sm = sent_model(last_to(m, "2002"))));
	CHECK_INTEQ(json_array_size(json_object_get(sm, "items")), 3);
	CHECK_STREQ(item_str(sm, 2, "title"), "Rust BOF");
	json_decref(sm);
	mock_api_free(m);
}

/* A burst of changes while a redo is queued costs one more redo, made
 * from the newest board: the boards in between are never built. */
TEST(starting_soon_redo_coalesced)
{
	char path[256];
	mock_api *m;
	db_path(path, sizeof(path), "soonburst");
	REQUIRE((m = start(path, thu(9, 0), NULL)));
	mock_api_db_hold(m, 1);
	emit(m, "schedule.loaded", loaded(0, 0, 0));
	emit(m, "openspaces.board", board(1, 0, 0));
	emit(m, "openspaces.board", board(0, 1, 0)); /* 8 at 14:00 */
	emit(m, "openspaces.board", board(1, 1, 1)); /* 8 moved to 15:00 */
	CHECK(mock_api_db_settle(m) > 0);
	mock_api_db_hold(m, 0);
	mock_api_pump(m);
	/* The talks' redo and the newest board's: 14:00 was never a slot. */
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_items WHERE talk_id = 'slot@1795698000'"),
		    0);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_items WHERE talk_id = 'slot@1795701600'"),
		    1);
	/* 10:15: the talks alone (replaced), then with the BOF. */
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_items WHERE talk_id = 'slot@1795684500'"),
		    2);
	mock_api_advance(m, thu(10, 10) - thu(9, 0));
	CHECK_INTEQ(sends_to(m, "2001"), 2); /* the 09:30 slot's, the 10:15 slot's */
	mock_api_free(m);
}

/* More than a post lists (60 items): the rest are counted in a last line
 * of the model and of the summary, never cut in silence. */
TEST(starting_soon_past_sixty_counted)
{
	char path[256], id[16], title[64], room[32], *text;
	mock_api *m;
	json_t *talks = json_array(), *sm, *env;
	const char *sum;
	db_path(path, sizeof(path), "soon65");
	REQUIRE((m = start(path, thu(9, 0), NULL)));
	for (int i = 0; i < 65; i++) {
		snprintf(id, sizeof(id), "%d", 700 + i);
		snprintf(title, sizeof(title), "Lightning talk %d", i);
		snprintf(room, sizeof(room), "Room %d", i);
		json_array_append_new(talks, json_pack("{s:s, s:s, s:s, s:[], s:I, s:I}", "id", id,
						       "title", title, "room", room, "speakers",
						       "start", (json_int_t)(thu(10, 25) / 1000), "end",
						       (json_int_t)(thu(10, 55) / 1000)));
	}
	emit(m, "schedule.loaded", json_pack("{s:s, s:s, s:o}", "name", "Big", "timezone",
					      "Europe/Brussels", "talks", talks));
	mock_api_advance(m, thu(10, 20) - thu(9, 0));
	REQUIRE((sm = sent_model(last_to(m, "2001"))));
	CHECK_INTEQ(json_array_size(json_object_get(sm, "items")), 61);
	CHECK_STREQ(item_str(sm, 59, "title"), "Lightning talk 59");
	CHECK_STREQ(item_str(sm, 60, "kind"), "text");
	CHECK_STREQ(item_str(sm, 60, "text"), "...and 5 more starting then.");
	json_decref(sm);
	/* The summary (what the audit shows) counts what it left out too. */
	text = mock_api_db_text(m, "SELECT text FROM announce_items WHERE kind = 'soon'");
	env = text ? json_loads(text, 0, NULL) : NULL;
	sum = json_string_value(json_object_get(env, "summary"));
	REQUIRE(sum != NULL);
	CHECK(strlen(sum) <= 1900);
	CHECK(strstr(sum, "Room 0: \"Lightning talk 0\"") != NULL);
	CHECK(strstr(sum, "more.") != NULL && strstr(sum, "\n...and ") != NULL);
	json_decref(env);
	free(text);
	mock_api_free(m);
}

/* A big slot, FOSDEM's Sunday 10:25 in kind (24 rooms, one booking in
 * two rooms, tracks, links): one post per channel, every room in it. */
TEST(starting_soon_big_slot)
{
	char path[256], id[16], title[64], room[32];
	mock_api *m;
	json_t *talks = json_array(), *sm;
	db_path(path, sizeof(path), "soonbig");
	REQUIRE((m = start(path, thu(9, 0), NULL)));
	for (int i = 0; i < 24; i++) {
		static const char *const tracks[] = {"Rust", "Go", "Python", "Open Media", "Legal"};
		snprintf(id, sizeof(id), "%d", 500 + i);
		if (i >= 22)
			snprintf(title, sizeof(title), "Lunch break");
		else
			snprintf(title, sizeof(title), "Talk number %d", i);
		snprintf(room, sizeof(room), "%s.%d", i % 2 ? "K" : "UB", 100 + i);
		json_array_append_new(talks, json_pack(
			"{s:s, s:s, s:s, s:s, s:s, s:[ss], s:I, s:I}", "id", id, "title", title, "room",
			room, "track", tracks[i % 5], "url", "https://fosdem.org/2025/schedule/event/x/",
			"speakers", "Ada Lovelace", "Grace Hopper", "start",
			(json_int_t)(thu(10, 25) / 1000), "end", (json_int_t)(thu(10, 55) / 1000)));
	}
	emit(m, "openspaces.board", board(0, 0, 0));
	emit(m, "schedule.loaded", json_pack("{s:s, s:s, s:o}", "name", "Big", "timezone",
					      "Europe/Brussels", "talks", talks));
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_items WHERE kind = 'soon'"), 1);
	mock_api_advance(m, thu(10, 20) - thu(9, 0));
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_SEND), 3);
	REQUIRE((sm = sent_model(last_to(m, "2003"))));
	/* 22 talks and the break once, with its two rooms. */
	CHECK_INTEQ(json_array_size(json_object_get(sm, "items")), 23);
	CHECK_STREQ(item_str(sm, 22, "room"), "UB.122, K.123");
	CHECK_STREQ(item_str(sm, 0, "url"), "https://fosdem.org/2025/schedule/event/x/");
	CHECK_STREQ(item_str(sm, 0, "track"), "Rust");
	CHECK(strlen(item_str(sm, 0, "colour")) == 7);
	CHECK(golden_post("announce-soon-big", sm));
	json_decref(sm);
	mock_api_free(m);
}

/* The stored form of a starting-soon post is never an organizer's text,
 * and cancelling a post names it instead of showing its stored form. */
TEST(post_form_refused_as_text)
{
	char path[256];
	mock_api *m;
	db_path(path, sizeof(path), "postform");
	REQUIRE((m = start(path, thu(9, 0), NULL)));
	CHECK_INTEQ(mock_api_chat(m, &alice, "announce {\"announce_model\":1,\"model\":{}}"), HW_OK);
	CHECK(strstr(mock_api_last_text(m, MOCK_OUT_REPLY), "Nothing was posted") != NULL);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_items"), 0);
	emit(m, "schedule.loaded", loaded(0, 0, 0));
	CHECK_INTEQ(mock_api_chat(m, &alice, "announce cancel 3"), HW_OK);
	CHECK(strstr(mock_api_last_text(m, MOCK_OUT_REPLY), "to 3 channels: a starting-soon post.") !=
	      NULL);
	CHECK(strstr(mock_api_last_text(m, MOCK_OUT_REPLY), "announce_model") == NULL);
	mock_api_free(m);
}

TEST(moved_talk_gets_a_new_post)
{
	char path[256];
	mock_api *m;
	json_t *d;
	db_path(path, sizeof(path), "moved");
	REQUIRE((m = start(path, thu(9, 0), NULL)));
	d = loaded(0, 0, 0);
	mock_api_emit(m, "schedule.loaded", d);
	json_decref(d);
	d = loaded(1, 0, 0); /* Opening moves from 09:30 to 11:30 */
	mock_api_emit(m, "schedule.loaded", d);
	json_decref(d);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox WHERE "
			     "error = 'talk moved to Thu 26 Nov 11:30 in Main Hall'"), 1);
	mock_api_advance(m, thu(9, 30) - thu(9, 0));
	CHECK_INTEQ(sends_to(m, "2005"), 0);
	mock_api_advance(m, thu(11, 25) - thu(9, 30));
	CHECK_INTEQ(sends_to(m, "2005"), 1);
	{
		json_t *sm = sent_model(last_to(m, "2005"));
		CHECK_INTEQ(item_int(sm, 0, "start"), thu(11, 30));
		json_decref(sm);
	}
	/* A restart re-reads the same schedule: still one post per talk. */
	mock_api_free(m);
	REQUIRE((m = start(path, thu(11, 26), NULL)));
	d = loaded(1, 0, 0);
	mock_api_emit(m, "schedule.loaded", d);
	json_decref(d);
	mock_api_advance(m, 3600 * 1000);
	CHECK_INTEQ(sends_to(m, "2005"), 0);
	mock_api_free(m);
}

TEST(schedule_change_alert)
{
	char path[256];
	mock_api *m;
	json_t *d;
	const char *text;
	db_path(path, sizeof(path), "changes");
	REQUIRE((m = start(path, thu(9, 0), NULL)));
	d = json_pack("{s:[{s:s, s:s, s:s, s:s, s:I, s:I}], s:[{s:s, s:s, s:s, s:n, s:I, s:n}], "
		      "s:[{s:s, s:s, s:s, s:n, s:n, s:I}], s:[]}",
		      "moved", "id", "100", "title", "Opening", "room", "Envelope", "old_room",
		      "Main Hall", "old_start", (json_int_t)(thu(9, 30) / 1000), "new_start",
		      (json_int_t)(thu(10, 0) / 1000), "cancelled", "id", "102", "title",
		      "Gateway", "room", "Envelope", "old_room", "old_start",
		      (json_int_t)(thu(10, 15) / 1000), "new_start", "added", "id", "130",
		      "title", "Surprise", "room", "Main Hall", "old_room", "old_start",
		      "new_start", (json_int_t)(thu(16, 0) / 1000), "removed");
	REQUIRE(d);
	mock_api_emit(m, "schedule.changed", d);
	json_decref(d);
	REQUIRE(mock_api_output_count(m, MOCK_OUT_SEND) == 1);
	CHECK_STREQ(mock_api_last(m, MOCK_OUT_SEND)->target, "2009");
	text = mock_api_last_text(m, MOCK_OUT_SEND);
	CHECK(strstr(text, "- New: \"Surprise\", Thu 26 Nov 16:00 in Main Hall") != NULL);
	CHECK(strstr(text, "- Moved: \"Opening\" is now Thu 26 Nov 10:00 in Envelope (was Thu 26 "
			   "Nov 09:30 in Main Hall)") != NULL);
	CHECK(strstr(text, "- Cancelled: \"Gateway\" (Thu 26 Nov 10:15 in Envelope)") != NULL);
	CHECK_INTEQ(q_int(m, "SELECT COUNT(*) FROM announce_outbox WHERE kind = 'change' AND "
			     "state = 'sent'"), 1);
	mock_api_free(m);
}

TEST(mentions_only_when_allowed)
{
	char path[256];
	mock_api *m;
	db_path(path, sizeof(path), "mentions");
	REQUIRE((m = start(path, thu(9, 0), NULL)));
	CHECK_INTEQ(mock_api_chat(m, &alice, "announce @everyone hello"), HW_OK);
	CHECK_INTEQ(q_int(m, "SELECT mentions FROM announce_items"), 0);
	mock_api_free(m);
	REQUIRE((m = start(path, thu(9, 0), "{\"allow_mentions\": true}")));
	CHECK_INTEQ(mock_api_chat(m, &alice, "announce @everyone hello again"), HW_OK);
	CHECK_INTEQ(q_int(m, "SELECT mentions FROM announce_items WHERE id = 2"), 1);
	mock_api_free(m);
}

/* Issue 14: a time that does not parse used to crash the daemon (do_audit
 * read the parser's out-parameter, left unset on failure). */
TEST(audit_with_a_bad_time_answers_usage)
{
	static const char *const bad[] = {"announce audit yesterday", "announce audit soon",
					  "announce audit 25:99", "announce audit ☕",
					  "announce audit 10:15 and more"};
	char path[256];
	mock_api *m;
	db_path(path, sizeof(path), "audit_bad");
	REQUIRE((m = start(path, thu(9, 0), NULL)));
	size_t n = sizeof(bad) / sizeof(bad[0]);
	for (size_t i = 0; i < n; i++) {
		const char *reply;
		CHECK_INTEQ(mock_api_chat(m, &alice, bad[i]), HW_OK);
		reply = mock_api_last_text(m, MOCK_OUT_REPLY);
		CHECK(strstr(reply, "Usage: `announce audit [since]`") != NULL);
		/* The parser's reason, not words it never found. */
		if (i + 1 < n)
			CHECK(strstr(reply, "cannot read") != NULL);
		else
			CHECK(strstr(reply, "unexpected words") != NULL);
	}
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_SEND), 0);
	mock_api_free(m);
}

int main(void)
{
	RUN(broadcast_reaches_every_channel_once);
	RUN(refusals_post_nothing);
	RUN(final_failure_is_failed_never_sent);
	RUN(transient_failure_is_retried);
	RUN(restart_resends_unconfirmed_and_never_repeats_sent);
	RUN(takeover_resends_what_the_old_active_claimed);
	RUN(scheduled_fires_at_local_time_and_cancel);
	RUN(catchup_window_late_and_skipped);
	RUN(preview_before_many_channels);
	RUN(room_channels_fold_like_room_names);
	RUN(starting_soon_posts);
	RUN(starting_soon_grouped);
	RUN(starting_soon_mentions_opted_in_speakers);
	RUN(starting_soon_open_spaces);
	RUN(starting_soon_redo_coalesced);
	RUN(starting_soon_big_slot);
	RUN(starting_soon_past_sixty_counted);
	RUN(post_form_refused_as_text);
	RUN(moved_talk_gets_a_new_post);
	RUN(schedule_change_alert);
	RUN(mentions_only_when_allowed);
	RUN(audit_with_a_bad_time_answers_usage);
	RUN(long_audit_says_it_was_cut);
	return test_summary();
}
