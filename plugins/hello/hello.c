/*
 * hello: the example plugin (about 60 lines). It shows the whole shape of a
 * plugin: one descriptor, commands with typed arguments, storage with a
 * migration, a timer, and replies through whichever door the user came in.
 */
#include <hallway/plugin.h>
#include <stdio.h>

static const hw_api *api; /* the host's table; valid from init to shutdown */

static int cmd_ping(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	return api->reply(self, inv, "pong");
}

/* hello [name]: greets, and counts greetings per user in storage. */
static int cmd_hello(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	sqlite3 *db = api->db(self);
	sqlite3_stmt *st = NULL;
	const char *who = inv->argv[0].present ? inv->argv[0].str : inv->user_name;
	char text[300];
	int count = 0, rc = HW_ERR_STORAGE;

	if (sqlite3_prepare_v2(db, "INSERT INTO hello_counts(user_id, n) VALUES (?1, 1) "
				   "ON CONFLICT(user_id) DO UPDATE SET n = n + 1 RETURNING n",
			       -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(st, 1, inv->user_id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_ROW)
		goto out;
	count = sqlite3_column_int(st, 0);
	/* RETURNING hands the row out before the commit: only SQLITE_DONE
	 * says it was stored (a full disk fails here). */
	if (sqlite3_step(st) != SQLITE_DONE)
		goto out;
	snprintf(text, sizeof(text), "Hello, %s! (greeting number %d from you)", who, count);
	rc = api->reply(self, inv, text);
out:
	sqlite3_finalize(st);
	return rc;
}

static void heartbeat(hw_plugin *self, hw_handle timer, void *ud)
{
	api->log(self, HW_LOG_DEBUG, "still here at %lld", (long long)api->now_ms(self));
}

static int init(hw_plugin *self, const hw_api *host_api)
{
	static const char *const migrations[] = {
		"CREATE TABLE hello_counts(user_id TEXT PRIMARY KEY, n INTEGER NOT NULL)",
	};
	static const hw_arg_spec hello_args[] = {{"name", HW_ARG_TEXT, 0, "Who to greet", 0}};
	const hw_command_spec ping = {.struct_size = sizeof(ping), .name = "ping",
				      .summary = "Check that the bot answers", .fn = cmd_ping};
	const hw_command_spec hello = {.struct_size = sizeof(hello), .name = "hello",
				       .summary = "Say hello", .args = hello_args, .nargs = 1,
				       .fn = cmd_hello};
	api = host_api;
	if (api->db_migrate(self, migrations, 1) != HW_OK)
		return HW_ERR_STORAGE;
	if (api->command_add(self, &ping) != HW_OK || api->command_add(self, &hello) != HW_OK)
		return HW_ERR_PLUGIN;
	api->timer_add(self, 60000, 60000, heartbeat, NULL);
	return HW_OK;
}

HW_PLUGIN_DEFINE("hello", "1.0.0", "An example: ping, hello and a greeting counter", init, NULL);
