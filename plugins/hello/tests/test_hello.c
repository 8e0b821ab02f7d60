/*
 * The hello plugin through mock_api: the greeting counter reports only what
 * was stored.
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
	mock_api *m = mock_api_new("hello", NULL, db_path);
	sqlite3 *db;

	REQUIRE(m);
	mock_api_log_verbose(m, 0);
	REQUIRE(mock_api_load(m, &hallway_plugin) == HW_OK);
	CHECK(mock_api_chat(m, &ada, "hello") == HW_OK);
	CHECK(strstr(mock_api_last_text(m, MOCK_OUT_REPLY), "greeting number 1 ") != NULL);
	db = mock_api_db(m);
	REQUIRE(db);
	mock_api_clear(m);
	sqlite3_commit_hook(db, refuse_commit, NULL);
	CHECK(mock_api_chat(m, &ada, "hello") == HW_ERR_STORAGE);
	CHECK(strstr(mock_api_last_text(m, MOCK_OUT_REPLY), "greeting number") == NULL);
	sqlite3_commit_hook(db, NULL, NULL);
	CHECK(mock_api_chat(m, &ada, "hello") == HW_OK);
	CHECK(strstr(mock_api_last_text(m, MOCK_OUT_REPLY), "greeting number 2 ") != NULL);
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
