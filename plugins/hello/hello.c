/*
 * hello: the example plugin (about 100 lines). It shows the whole shape of a
 * plugin: one descriptor, commands with typed arguments, storage with a
 * migration and a unit of work (on SQLite or PostgreSQL alike), a timer,
 * and replies through whichever door the user came in.
 */
#include <hallway/plugin.h>
#include <stdio.h>
#include <stdlib.h>

static const hw_api *api; /* the host's table; valid from init to shutdown */

static int cmd_ping(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	return api->reply(self, inv, "pong");
}

/* One greeting on its way through storage. */
struct greeting {
	const hw_invocation *inv; /* kept: the answer comes after the commit */
	int64_t count;
};

/* The unit of work: runs on the host's storage thread, statements only. */
static int count_body(hw_plugin *self, hw_tx *tx, void *ud)
{
	struct greeting *g = ud;
	hw_stmt *st = api->db_prepare(tx, "INSERT INTO hello_counts(user_id, n) VALUES (?, 1) "
					  "ON CONFLICT (user_id) DO UPDATE SET n = hello_counts.n + 1 "
					  "RETURNING n");
	api->db_bind_text(st, 1, g->inv->user_id);
	if (api->db_step(st) != HW_ROW)
		return HW_ERR_STORAGE;
	g->count = api->db_col_int(st, 0);
	return HW_OK;
}

/* Back on the loop: HW_OK only once the count is committed, so a failed
 * write (a full disk, the database away) is never reported as counted. */
static void count_done(hw_plugin *self, int status, void *ud)
{
	struct greeting *g = ud;
	const hw_arg *name = &g->inv->argv[0];
	char text[300];

	if (status == HW_OK)
		snprintf(text, sizeof(text), "Hello, %s! (greeting number %lld from you)",
			 name->present ? name->str : g->inv->user_name, (long long)g->count);
	else
		snprintf(text, sizeof(text), "Hello, %s! (I could not count this one: %s)",
			 name->present ? name->str : g->inv->user_name,
			 status == HW_ERR_UNAVAILABLE ? "the database is unavailable right now"
						      : "storage failed");
	api->reply(self, g->inv, text);
	api->invocation_release(self, g->inv);
	free(g);
}

/* hello [name]: greets, and counts greetings per user in storage. */
static int cmd_hello(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	struct greeting *g = calloc(1, sizeof(*g));
	int rc;

	if (!g || !(g->inv = api->invocation_keep(self, inv))) {
		free(g);
		return HW_ERR_NOMEM;
	}
	rc = api->db_run(self, count_body, count_done, g);
	if (rc != HW_OK) {
		api->invocation_release(self, g->inv);
		free(g);
	}
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

HW_PLUGIN_DEFINE("hello", "1.1.0", "An example: ping, hello and a greeting counter", init, NULL);
