/*
 * Fixture plugins for the host tests, one source built several ways
 * (tests/plugins/CMakeLists.txt): FIXTURE_NAME names the plugin and the
 * FIXTURE_* switches pick its behaviour.
 *
 *   fx_good      commands: fx echo <text>, fx fail, fx slow <ms>, fx pending,
 *                fx seen, fx long <n>, and through db_run fx secret <word>,
 *                fx peek <table>, fx keep <word>, fx count; a repeating timer;
 *                config "watch_messages" subscribes to MESSAGE_CREATE
 *   fx_abimajor  built for ABI 1.2, the last 1.x (refused: 2.0 is incompatible)
 *   fx_abimajor3 built for ABI 3.0, a newer major (refused)
 *   fx_abiminor  built for a newer minor (refused)
 *   fx_initfail  registers things, then fails init (all swept)
 *   fx_other     a second plugin for storage isolation (fxo secret/peek)
 */
#include <hallway/plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef FIXTURE_NAME
#error FIXTURE_NAME must be defined
#endif
#ifndef FIXTURE_PREFIX
#define FIXTURE_PREFIX "fx"
#endif

static const hw_api *api;

static int cmd_echo(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	char text[600];
	snprintf(text, sizeof(text), "echo[%s] %s|%s|org=%d|user=%s", inv->command,
		 inv->argv[0].str ? inv->argv[0].str : "", inv->argc > 1 && inv->argv[1].present ?
		 inv->argv[1].str : "-", inv->is_organizer, inv->user_id);
	return api->reply(self, inv, text);
}

static int cmd_fail(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	return HW_ERR_PLUGIN;
}

static void slow_fire(hw_plugin *self, hw_handle t, void *ud)
{
	const hw_invocation *inv = ud;
	api->reply(self, inv, "slow answer");
	api->invocation_release(self, inv);
}

/* Answers after <ms> through a kept invocation (the host defers). */
static int cmd_slow(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	const hw_invocation *kept = api->invocation_keep(self, inv);
	if (!kept || !api->timer_add(self, inv->argv[0].num, 0, slow_fire, (void *)kept))
		return HW_ERR_PLUGIN;
	return HW_OK;
}

static void http_done(hw_plugin *self, hw_handle req, const hw_http_response *res, void *ud)
{
	api->log(self, HW_LOG_INFO, "http done: %ld (%zu bytes)", res->status, res->body_len);
}

static void work_run(void *arg)
{
	struct timespec ts = {0, 300 * 1000 * 1000};
	nanosleep(&ts, NULL);
	*(int *)arg = 42;
}

static void work_done(hw_plugin *self, void *arg, int cancelled)
{
	api->log(self, HW_LOG_INFO, "work done: %d cancelled=%d", *(int *)arg, cancelled);
	free(arg);
}

static void noop_timer(hw_plugin *self, hw_handle t, void *ud)
{
}

/* Leaves timers, an HTTP request (config "slow_url") and a job in flight. */
static int cmd_pending(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	const char *url = json_string_value(json_object_get(api->config(self), "slow_url"));
	int *arg = malloc(sizeof(int));
	if (!arg)
		return HW_ERR_NOMEM;
	*arg = 0;
	api->timer_add(self, 100, 100, noop_timer, NULL);
	api->timer_add(self, 3600 * 1000, 0, noop_timer, NULL);
	if (url) {
		hw_http_request req = {.struct_size = sizeof(req), .url = url};
		api->http(self, &req, http_done, NULL);
	}
	if (!api->work(self, work_run, work_done, arg))
		free(arg);
	return api->reply(self, inv, "pending started");
}

/* burst <n>: sends n numbered messages to the invoking channel. */
static int cmd_burst(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	for (int64_t i = 1; i <= inv->argv[0].num && i <= 500; i++) {
		char text[64];
		hw_message m = {.struct_size = sizeof(m), .content = text};
		snprintf(text, sizeof(text), "burst %lld", (long long)i);
		if (api->send(self, inv->channel_id ? inv->channel_id : "0", &m, NULL, NULL) != HW_OK)
			return HW_ERR_PLUGIN;
	}
	return HW_OK;
}

/* version: which build answers (reload tests). */
static int cmd_version(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	return api->reply(self, inv, FIXTURE_NAME " " FIXTURE_VERSION);
}

/* Config "watch_messages": true subscribes to MESSAGE_CREATE (the gateway
 * must then parse every message); fx seen says how many arrived. */
static unsigned long messages_seen;

static void on_message(hw_plugin *self, const char *type, json_t *data, void *ud)
{
	messages_seen++;
}

static int cmd_seen(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	char text[64];

	snprintf(text, sizeof(text), "seen %lu", messages_seen);
	return api->reply(self, inv, text);
}

/* fx long <n>: one reply of n lines, each with every kind of markup span
 * and a long bold span, as a plugin's long list would be (the host bounds
 * it, issue 15 item 7). */
static int cmd_long(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	int64_t n = inv->argv[0].num;
	size_t cap, len = 0;
	char *text;
	int rc;

	if (n < 1 || n > 5000)
		return api->reply(self, inv, "1 to 5000 lines");
	cap = (size_t)n * 200 + 1;
	if (!(text = malloc(cap)))
		return HW_ERR_NOMEM;
	for (int64_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"%lld. **Caf\xc3\xa9 talk %lld, a title that goes on and on** "
					"<t:1795684500:t> ~~old room~~ `Room %lld` \xf0\x9f\x8e\x89\n",
					(long long)(i + 1), (long long)(i + 1), (long long)(i % 7));
	rc = api->reply(self, inv, text);
	free(text);
	return rc;
}

/*
 * Storage through db_run (either engine); the answer comes from done(),
 * with what the unit of work returned:
 *   keep <word> / count  store a word / count them ("kept w (n)", "count n")
 *   secret <word>        store a word ("stored")
 *   peek <table>         read a table, own or not: "allowed rows=n", or
 *                        "denied" when the per-plugin rule refused it
 *                        (HW_ERR_DENIED), "failed (code)" for any other
 *                        error (such as a table that does not exist)
 * Identifiers cannot be bound, so peek reads only the tables named in
 * peek_probes (both engines' spellings): no SQL is built from chat text.
 */
enum job_kind { JOB_KEEP, JOB_COUNT, JOB_SECRET, JOB_PEEK };

struct fx_job {
	enum job_kind kind;
	const hw_invocation *inv;
	char word[64];       /* keep/secret: the word; peek: the probe's name */
	const char *sql;     /* peek: the probe's statement */
	int64_t count;
};

static const struct peek_probe {
	const char *table;
	const char *sql;
} peek_probes[] = {
	{"fx_good_secrets", "SELECT count(*) FROM fx_good_secrets"},
	{"fx_other_secrets", "SELECT count(*) FROM fx_other_secrets"},
	{"fx_good.fx_good_secrets", "SELECT count(*) FROM fx_good.fx_good_secrets"},
	{"fx_other.fx_other_secrets", "SELECT count(*) FROM fx_other.fx_other_secrets"},
	{"hw_meta", "SELECT count(*) FROM hw_meta"},                   /* SQLite: the host's */
	{"hw_plugin_schema", "SELECT count(*) FROM hw_plugin_schema"},
	{"hw.plugin_schema", "SELECT count(*) FROM hw.plugin_schema"}, /* PostgreSQL */
};

static int job_body(hw_plugin *self, hw_tx *tx, void *ud)
{
	struct fx_job *j = ud;
	hw_stmt *st;
	if (j->kind == JOB_PEEK) {
		/* A refused prepare fails the unit of work with its own status
		 * (HW_ERR_DENIED), which done() then gets: return HW_OK so the
		 * host reports the statement's status, not ours. */
		st = api->db_prepare(tx, j->sql);
		if (api->db_step(st) == HW_ROW)
			j->count = api->db_col_int(st, 0);
		return HW_OK;
	}
	if (j->kind == JOB_KEEP || j->kind == JOB_SECRET) {
		st = api->db_prepare(tx, "INSERT INTO " FIXTURE_NAME "_secrets(word) VALUES (?)");
		api->db_bind_text(st, 1, j->word);
		if (api->db_step(st) != HW_DONE)
			return HW_ERR_STORAGE;
	}
	st = api->db_prepare(tx, "SELECT count(*) FROM " FIXTURE_NAME "_secrets");
	if (api->db_step(st) != HW_ROW)
		return HW_ERR_STORAGE;
	j->count = api->db_col_int(st, 0);
	return HW_OK;
}

static void job_done(hw_plugin *self, int status, void *ud)
{
	struct fx_job *j = ud;
	char text[200];
	if (j->kind == JOB_PEEK && status == HW_OK)
		snprintf(text, sizeof(text), "peek %s: allowed rows=%lld", j->word,
			 (long long)j->count);
	else if (j->kind == JOB_PEEK && status == HW_ERR_DENIED)
		snprintf(text, sizeof(text), "peek %s: denied", j->word);
	else if (j->kind == JOB_PEEK)
		snprintf(text, sizeof(text), "peek %s: failed (%d)", j->word, status);
	else if (status == HW_OK && j->kind == JOB_SECRET)
		snprintf(text, sizeof(text), "stored");
	else if (status == HW_OK && j->kind == JOB_KEEP)
		snprintf(text, sizeof(text), "kept %s (%lld)", j->word, (long long)j->count);
	else if (status == HW_OK)
		snprintf(text, sizeof(text), "count %lld", (long long)j->count);
	else if (status == HW_ERR_UNAVAILABLE)
		snprintf(text, sizeof(text), "database unavailable, nothing kept");
	else
		snprintf(text, sizeof(text), "storage error %d", status);
	api->reply(self, j->inv, text);
	api->invocation_release(self, j->inv);
	free(j);
}

static int job_start(hw_plugin *self, const hw_invocation *inv, enum job_kind kind)
{
	struct fx_job *j = calloc(1, sizeof(*j));
	int rc;
	if (!j)
		return HW_ERR_NOMEM;
	j->kind = kind;
	if (kind != JOB_COUNT)
		snprintf(j->word, sizeof(j->word), "%s", inv->argv[0].str);
	if (kind == JOB_PEEK) {
		for (size_t i = 0; i < sizeof(peek_probes) / sizeof(peek_probes[0]); i++)
			if (!strcmp(peek_probes[i].table, j->word))
				j->sql = peek_probes[i].sql;
		if (!j->sql) {
			free(j);
			return api->reply(self, inv, "peek: no probe for that table");
		}
	}
	if (!(j->inv = api->invocation_keep(self, inv))) {
		free(j);
		return HW_ERR_NOMEM;
	}
	rc = api->db_run(self, job_body, job_done, j);
	if (rc != HW_OK) {
		api->invocation_release(self, j->inv);
		free(j);
	}
	return rc;
}

static int cmd_keep(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	return job_start(self, inv, ud ? JOB_KEEP : JOB_COUNT);
}

static int cmd_secret(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	return job_start(self, inv, JOB_SECRET);
}

static int cmd_peek(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	return job_start(self, inv, JOB_PEEK);
}

static int init(hw_plugin *self, const hw_api *host_api)
{
	static const char *const migrations[] = {
		"CREATE TABLE " FIXTURE_NAME "_secrets(word TEXT NOT NULL)",
	};
	static const hw_arg_spec echo_args[] = {{"word", HW_ARG_STRING, 1, "a word", 0},
						{"rest", HW_ARG_TEXT, 0, "more text", 0}};
	static const hw_arg_spec ms_args[] = {{"ms", HW_ARG_INTEGER, 1, "delay", 0}};
	static const hw_arg_spec word_args[] = {{"word", HW_ARG_STRING, 1, "a word", 0}};
	const hw_command_spec specs[] = {
		{sizeof(hw_command_spec), FIXTURE_PREFIX " echo", "Echo arguments", NULL,
		 HW_PERM_EVERYONE, echo_args, 2, cmd_echo, NULL, NULL, {0}, sizeof(hw_arg_spec)},
		{sizeof(hw_command_spec), FIXTURE_PREFIX " fail", "Fail", NULL, HW_PERM_EVERYONE,
		 NULL, 0, cmd_fail, NULL, NULL, {0}, sizeof(hw_arg_spec)},
		{sizeof(hw_command_spec), FIXTURE_PREFIX " slow", "Answer later", NULL,
		 HW_PERM_EVERYONE, ms_args, 1, cmd_slow, NULL, NULL, {0}, sizeof(hw_arg_spec)},
		{sizeof(hw_command_spec), FIXTURE_PREFIX " pending", "Leave work in flight", NULL,
		 HW_PERM_EVERYONE, NULL, 0, cmd_pending, NULL, NULL, {0}, sizeof(hw_arg_spec)},
		{sizeof(hw_command_spec), FIXTURE_PREFIX " secret", "Store a word", NULL,
		 HW_PERM_EVERYONE, word_args, 1, cmd_secret, NULL, NULL, {0}, sizeof(hw_arg_spec)},
		{sizeof(hw_command_spec), FIXTURE_PREFIX " peek", "Read a table", NULL,
		 HW_PERM_EVERYONE, word_args, 1, cmd_peek, NULL, NULL, {0}, sizeof(hw_arg_spec)},
		{sizeof(hw_command_spec), FIXTURE_PREFIX " admin", "Organizers only", NULL,
		 HW_PERM_ORGANIZER, word_args, 1, cmd_echo, NULL, NULL, {0}, sizeof(hw_arg_spec)},
		{sizeof(hw_command_spec), FIXTURE_PREFIX " burst", "Send n messages", NULL,
		 HW_PERM_EVERYONE, ms_args, 1, cmd_burst, NULL, NULL, {0}, sizeof(hw_arg_spec)},
		{sizeof(hw_command_spec), FIXTURE_PREFIX " version", "Which build", NULL,
		 HW_PERM_EVERYONE, NULL, 0, cmd_version, NULL, NULL, {0}, sizeof(hw_arg_spec)},
		{sizeof(hw_command_spec), FIXTURE_PREFIX " seen", "Messages seen", NULL,
		 HW_PERM_EVERYONE, NULL, 0, cmd_seen, NULL, NULL, {0}, sizeof(hw_arg_spec)},
		{sizeof(hw_command_spec), FIXTURE_PREFIX " long", "One reply of n lines", NULL,
		 HW_PERM_EVERYONE, ms_args, 1, cmd_long, NULL, NULL, {0}, sizeof(hw_arg_spec)},
		{sizeof(hw_command_spec), FIXTURE_PREFIX " keep", "Store a word (db_run)", NULL,
		 HW_PERM_EVERYONE, word_args, 1, cmd_keep, NULL, (void *)"keep", {0},
		 sizeof(hw_arg_spec)},
		{sizeof(hw_command_spec), FIXTURE_PREFIX " count", "Count the words (db_run)", NULL,
		 HW_PERM_EVERYONE, NULL, 0, cmd_keep, NULL, NULL, {0}, sizeof(hw_arg_spec)},
	};
	api = host_api;
	if (api->db_migrate(self, migrations, 1) != HW_OK)
		return HW_ERR_STORAGE;
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		if (api->command_add(self, &specs[i]) != HW_OK)
			return HW_ERR_PLUGIN;
	api->timer_add(self, 50, 50, noop_timer, NULL);
	if (json_is_true(json_object_get(api->config(self), "watch_messages")) &&
	    api->subscribe(self, "MESSAGE_CREATE", on_message, NULL) != HW_OK)
		return HW_ERR_PLUGIN;
#ifdef FIXTURE_EXTRA_COMMAND
	{
		const hw_command_spec extra = {sizeof(hw_command_spec), FIXTURE_PREFIX " extra",
					       "Only in the v2 build", NULL, HW_PERM_EVERYONE, NULL,
					       0, cmd_version, NULL, NULL, {0}, sizeof(hw_arg_spec)};
		if (api->command_add(self, &extra) != HW_OK)
			return HW_ERR_PLUGIN;
	}
#endif
#ifdef FIXTURE_INITFAIL
	return HW_ERR_PLUGIN;
#else
	return HW_OK;
#endif
}

#if defined(FIXTURE_ABIMAJOR)
/* What a plugin built against the 1.2 header declares: the descriptor's
 * layout is the same in 1.x and 2.0, only its numbers differ (and its
 * hw_api was one pointer larger: db() sat before db_migrate). */
HW_EXPORT const hw_plugin_desc hallway_plugin = {sizeof(hw_plugin_desc), FIXTURE_ABIMAJOR,
						 FIXTURE_ABIMAJOR_MINOR,
						 sizeof(hw_api) + sizeof(void *), FIXTURE_NAME, "1",
						 "another major", init, NULL, NULL, {0}};
#elif defined(FIXTURE_ABIMINOR)
HW_EXPORT const hw_plugin_desc hallway_plugin = {sizeof(hw_plugin_desc), HW_ABI_MAJOR,
						 HW_ABI_MINOR + 1, sizeof(hw_api), FIXTURE_NAME, "1",
						 "newer minor", init, NULL, NULL, {0}};
#else
static const hw_setting fixture_settings[] = {
	{.key = "slow_url", .type = HW_SETTING_STRING, .format = HW_FORMAT_URL,
	 .help = "A URL `fx pending` fetches (slow, for reload tests)."},
	{.key = "watch_messages", .type = HW_SETTING_BOOLEAN, .def = "false",
	 .help = "Subscribe to every MESSAGE_CREATE."},
	{0},
};
HW_PLUGIN_DEFINE_SETTINGS(FIXTURE_NAME, FIXTURE_VERSION, "test fixture", init, NULL,
			  fixture_settings);
#endif
