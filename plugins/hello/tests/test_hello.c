/*
 * The hello plugin through mock_api: the greeting counter reports only what
 * was stored, on SQLite and (test_hello_pg) PostgreSQL.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mock_api.h"
#include "testlib.h"

extern const hw_plugin_desc hallway_plugin;

static char db_path[256];

static void rm_db(void)
{
	char side[300];

	unlink(db_path);
	snprintf(side, sizeof(side), "%s-wal", db_path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", db_path);
	unlink(side);
}

/* A commit hook that refuses: the COMMIT becomes a ROLLBACK, as when the
 * disk is full. It fails after INSERT ... RETURNING has produced its row. */
static int refuse_commit(void *ud)
{
	(void)ud;
	return 1;
}

TEST(failed_write_is_not_counted)
{
	/* Regression (issue 15): on a full disk "hello" answered "greeting
	 * number 1": the RETURNING row came before the commit that failed. */
	const mock_user ada = {"1001", "Ada", 0};
	const hw_api *api;
	mock_api *m = mock_api_new("hello", NULL, db_path);
	sqlite3 *db;
	int sqlite;

	REQUIRE(m);
	mock_api_log_verbose(m, 0);
	REQUIRE(mock_api_load(m, &hallway_plugin) == HW_OK);
	api = mock_api_table(m);
	sqlite = !strcmp(api->db_engine(mock_api_self(m)), "sqlite");
	CHECK(mock_api_chat(m, &ada, "hello") == HW_OK);
	CHECK(strstr(mock_api_last_text(m, MOCK_OUT_REPLY), "greeting number 1 ") != NULL);
	if (sqlite) { /* the COMMIT itself fails, after RETURNING gave the row */
		db = mock_api_db(m);
		REQUIRE(db);
		mock_api_clear(m);
		sqlite3_commit_hook(db, refuse_commit, NULL);
		CHECK(mock_api_chat(m, &ada, "hello") == HW_OK);
		CHECK(strstr(mock_api_last_text(m, MOCK_OUT_REPLY), "greeting number") == NULL);
		CHECK(strstr(mock_api_last_text(m, MOCK_OUT_REPLY), "storage failed") != NULL);
		sqlite3_commit_hook(db, NULL, NULL);
	}
	/* The database away: said so, nothing counted. */
	mock_api_clear(m);
	mock_api_db_fail(m, HW_ERR_UNAVAILABLE);
	CHECK(mock_api_chat(m, &ada, "hello Bob") == HW_OK);
	CHECK(strstr(mock_api_last_text(m, MOCK_OUT_REPLY),
		     "Hello, Bob! (I could not count this one: the database is unavailable") != NULL);
	mock_api_db_fail(m, 0);
	CHECK(mock_api_chat(m, &ada, "hello") == HW_OK);
	CHECK(strstr(mock_api_last_text(m, MOCK_OUT_REPLY), "greeting number 2 ") != NULL);
	CHECK_INTEQ(mock_api_db_int(m, "SELECT n FROM hello_counts WHERE user_id = '1001'"), 2);
	mock_api_free(m);
}

int main(void)
{
	snprintf(db_path, sizeof(db_path), "/tmp/test_hello_%d.db", (int)getpid());
	rm_db();
	RUN(failed_write_is_not_counted);
	rm_db();
	return test_summary();
}
