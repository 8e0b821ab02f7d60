/*
 * mock_api — a fake hw_api for plugin unit tests.
 *
 * One mock_api plays the host for one plugin instance: it hands the plugin a
 * real hw_api table, stores what the plugin registers (commands, timers,
 * subscriptions, HTTP requests, work jobs) and captures everything the plugin
 * says (replies, files, DMs, sends, publishes). The clock is settable and
 * timers fire only when the test advances it. db_run runs on a real SQLite
 * connection (WAL, busy timeout) on a file the test names, so two mocks on
 * the same file behave like two processes sharing the host database (or on
 * PostgreSQL: HALLWAY_TEST_PG_DIR); an authorizer refuses tables that do not
 * start with "<plugin>_", as the host does. mock_api_db() hands that SQLite
 * connection to the test itself, to look at or prepare the tables (plugins
 * have no such handle since ABI 2.0).
 *
 *   mock_api *m = mock_api_new("sprints", config, "/tmp/x.db");
 *   mock_api_load(m, &hallway_plugin);
 *   mock_user u = {"42", "Ada", 0};
 *   mock_api_chat(m, &u, "sprint join django");
 *   puts(mock_api_last_text(m, MOCK_OUT_REPLY));
 *   mock_api_free(m);            // calls shutdown if loaded
 *
 * Everything here is single-threaded, like the host's event loop.
 */
#ifndef HALLWAY_MOCK_API_H
#define HALLWAY_MOCK_API_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include <hallway/plugin.h>

typedef struct mock_api mock_api;

/* Who runs a command. */
typedef struct mock_user {
	const char *id;
	const char *name;
	int is_organizer;
} mock_user;

enum mock_out_kind {
	MOCK_OUT_REPLY = 0,     /* reply, reply_message */
	MOCK_OUT_REPLY_FILE,
	MOCK_OUT_DM,
	MOCK_OUT_SEND,
	MOCK_OUT_SEND_FILE,
	MOCK_OUT_PUBLISH,       /* text = JSON dump of the data */
	MOCK_OUT_ANY,           /* only as a filter */
};

/* One captured output; owned by the mock, valid until mock_api_clear/free. */
typedef struct mock_output {
	enum mock_out_kind kind;
	char *target;   /* user id (reply, dm), channel id (send), event type */
	char *text;     /* message content; "" when none */
	char *filename; /* files only */
	char *data;     /* files only; NUL-terminated copy */
	size_t len;
	int ephemeral;
	char *mention_users; /* sends: the message's mention_users, "id,id" ("" none) */
	char *nonce;         /* sends and DMs: the message's nonce, or NULL */
} mock_output;

/* Returns a new mock, or NULL. config: borrowed (copied); NULL = {}.
 * db_path: the SQLite file db() opens (NULL: db() returns NULL). */
mock_api *mock_api_new(const char *plugin_name, const json_t *config, const char *db_path);
/* Calls the plugin's shutdown if loaded, closes the db, frees everything. */
void mock_api_free(mock_api *m);

/* The table and token handed to the plugin (borrowed). */
const hw_api *mock_api_table(mock_api *m);
hw_plugin *mock_api_self(mock_api *m);

/* Checks the descriptor's ABI like the host and calls init(); returns its
 * result. mock_api_unload() calls shutdown() and forgets registrations. */
int mock_api_load(mock_api *m, const hw_plugin_desc *desc);
void mock_api_unload(mock_api *m);

/* Run a registered command. args: one string per declared argument in spec
 * order (NULL = absent); integers and bools are parsed from text. Returns
 * the handler's result, or HW_ERR_NOT_FOUND / HW_ERR_INVALID (bad args) /
 * HW_ERR_DENIED (an organizer command run by a non-organizer while the
 * mock enforces permissions; see mock_api_enforce_perms). */
int mock_api_run(mock_api *m, const mock_user *u, const char *command, size_t nargs,
		 const char *const *args);
/* Like a chat line without the prefix: the longest registered command name
 * that starts the line wins; words become arguments, "double quotes" group
 * words, and a TEXT argument takes the rest of the line. */
int mock_api_chat(mock_api *m, const mock_user *u, const char *line);
/* 1 (default): refuse organizer commands like the host. 0: pass them to the
 * plugin so its own defensive check can be tested. */
void mock_api_enforce_perms(mock_api *m, int on);
/* The door of the next invocations: HW_DOOR_CHAT in a guild channel by
 * default; is_dm 1 for a DM (no guild). */
void mock_api_set_door(mock_api *m, enum hw_door door, int is_dm);
/* The spec of a registered command (borrowed), or NULL. */
const hw_command_spec *mock_api_command(mock_api *m, const char *name);
size_t mock_api_command_count(mock_api *m);

/* Autocomplete: calls the command's complete(); returns the number of
 * choices, readable with mock_api_choice(). */
size_t mock_api_complete(mock_api *m, const char *command, const char *arg,
			 const char *partial);
const char *mock_api_choice(mock_api *m, size_t i, const char **value);

/* Captured outputs, oldest first. */
size_t mock_api_output_count(mock_api *m, enum mock_out_kind kind);
const mock_output *mock_api_output(mock_api *m, enum mock_out_kind kind, size_t i);
const mock_output *mock_api_last(mock_api *m, enum mock_out_kind kind);
/* Text of the last output of that kind, or "" (never NULL). */
const char *mock_api_last_text(mock_api *m, enum mock_out_kind kind);
void mock_api_clear(mock_api *m);
/* Calls fn for every output at the moment it is captured, before any send
 * callback runs: a test can stream what "Discord" received (e.g. to a pipe
 * from a child process). NULL removes the hook. */
typedef void (*mock_output_fn)(mock_api *m, const mock_output *o, void *ud);
void mock_api_on_output(mock_api *m, mock_output_fn fn, void *ud);
/* When set, dm() and send() report this failure status to their callback
 * (0 = success, the default). */
void mock_api_fail_sends(mock_api *m, int status);

/* Clock and timers: now starts at 1 700 000 000 000 ms. advance() moves the
 * clock and fires due timers in time order. */
void mock_api_set_now(mock_api *m, int64_t now_ms);
void mock_api_advance(mock_api *m, int64_t ms);
size_t mock_api_timer_count(mock_api *m); /* live timers */

/* HTTP: requests are queued; a canned response (by exact URL) answers at the
 * next mock_api_pump(). */
void mock_api_http_respond(mock_api *m, const char *url, long status, const char *body);
size_t mock_api_http_requests(mock_api *m); /* how many were made */
/* Delivers pending HTTP responses and finished work jobs; returns how many. */
size_t mock_api_pump(mock_api *m);

/* Events: deliver an event to the plugin's subscribers (data borrowed). */
void mock_api_emit(mock_api *m, const char *type, json_t *data);

/* The test's connection to the plugin's SQLite file (opened on first use;
 * the one db_run uses on SQLite), or NULL. */
sqlite3 *mock_api_db(mock_api *m);
/* Set PRAGMA synchronous for the db (default FULL). */
void mock_api_db_synchronous(mock_api *m, const char *mode);

/* db_run (ABI 1.2): units of work run on the db file with the host's
 * SQLite engine (bot/storage/store_sqlite.c), in order, each body then its done(),
 * once the command, timer or event that queued them returned (and at
 * mock_api_pump). hold 1 keeps them queued until mock_api_db_settle(),
 * which returns how many ran. fail: every unit of work is refused with
 * this status (HW_ERR_UNAVAILABLE: the database is away), 0 to stop.
 * With HALLWAY_TEST_PG_DIR set (a cluster of scripts/pg-cluster.sh),
 * db_run and db_migrate run on PostgreSQL instead: one database per
 * db_path, made afresh when the file does not exist yet; db_engine() says
 * "postgresql". db() stays the SQLite file (plugins on db_run only). */
void mock_api_db_hold(mock_api *m, int on);
size_t mock_api_db_settle(mock_api *m);
size_t mock_api_db_pending(mock_api *m);
/* The first column of the first row of sql (a test's look at the plugin's
 * tables, as the host, on whichever engine db_run uses): -1 when there is
 * no row or the query fails, 0 for NULL. */
int64_t mock_api_db_int(mock_api *m, const char *sql);
/* The same as text: a new string (free it; cut at 64 KiB), or NULL when
 * there is no row, the value is NULL or the query fails. */
char *mock_api_db_text(mock_api *m, const char *sql);
void mock_api_db_fail(mock_api *m, int status);
/* PostgreSQL only: units of work check the lease fence (hw.fence) of
 * holder and epoch from now on, as in a daemon with a lease: a stale
 * epoch's unit of work runs read-only (its writes are refused,
 * HW_ERR_UNAVAILABLE). Returns 0, or -1 on SQLite. */
int mock_api_db_fence(mock_api *m, const char *holder, int64_t epoch);

/* Log lines at HW_LOG_ERROR / HW_LOG_WARN seen so far. */
size_t mock_api_log_errors(mock_api *m);
/* 0: silence log output (counts are still kept). */
void mock_api_log_verbose(mock_api *m, int on);

#endif
