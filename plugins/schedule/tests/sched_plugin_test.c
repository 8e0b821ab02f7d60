/*
 * The plugin glue against a fake host: a mock hw_api table (config,
 * commands, replies, clock, timers, HTTP, in-memory SQLite, synchronous
 * workers, events). Registered command handlers are invoked with fake
 * invocations and the reply text is checked; HTTP responses are fed in
 * by hand to exercise conditional refresh, failures, change events and
 * a restart without network that answers from storage.
 */
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "testlib.h"

#include "sched_plugin.h"
#include "store_sqlite.h"

#define MAX_CMDS 16
#define MAX_OUT 64

struct mock_cmd {
	char name[32];
	hw_command_fn fn;
	hw_complete_fn complete;
	void *ud;
	size_t nargs;
};

struct mock {
	json_t *config;
	struct mock_cmd cmds[MAX_CMDS];
	size_t ncmds;
	char *replies[MAX_OUT];
	size_t nreplies;
	char *events[MAX_OUT]; /* "type data-json" */
	size_t nevents;
	char *choices[32];
	size_t nchoices;
	int64_t now_ms;
	hw_handle next_handle;
	/* The last timer and HTTP request. */
	hw_timer_fn timer_fn;
	void *timer_ud;
	hw_http_fn http_fn;
	void *http_ud;
	char http_headers[512];
	int http_pending;
	sqlite3 *db;
	int migrated;
	int warnings;
	void *userdata;
	/* Subscriptions, and the board a fake openspaces plugin answers
	 * "openspaces.request" with, on the bus, synchronously (NULL: no
	 * openspaces plugin loaded). */
	struct {
		char type[48];
		hw_event_fn fn;
		void *ud;
	} subs[8];
	size_t nsubs;
	json_t *ospaces_board;
};

static struct mock M; /* the fake host; tests are single-threaded */

static hw_plugin *const SELF = (hw_plugin *)&M;

static void m_log(hw_plugin *self, enum hw_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level <= HW_LOG_WARN)
		M.warnings++;
	va_start(ap, fmt);
	fprintf(stderr, "  [log %d] ", (int)level);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
}

static const json_t *m_config(hw_plugin *self)
{
	return M.config;
}

static int m_command_add(hw_plugin *self, const hw_command_spec *spec)
{
	struct mock_cmd *c;

	if (M.ncmds == MAX_CMDS)
		return HW_ERR_NOMEM;
	c = &M.cmds[M.ncmds++];
	snprintf(c->name, sizeof(c->name), "%s", spec->name);
	c->fn = spec->fn;
	c->complete = spec->complete;
	c->ud = spec->ud;
	c->nargs = spec->nargs;
	return HW_OK;
}

static void m_complete_add(hw_completion *out, const char *name, const char *value)
{
	if (M.nchoices < 32)
		M.choices[M.nchoices++] = strdup(value);
}

static int m_reply(hw_plugin *self, const hw_invocation *inv, const char *text)
{
	if (strlen(text) > 2000)
		return HW_ERR_INVALID;
	if (M.nreplies < MAX_OUT)
		M.replies[M.nreplies++] = strdup(text);
	return HW_OK;
}

/* A reply model (ABI 1.2) is recorded as its JSON, keys sorted. */
static int m_reply_model(hw_plugin *self, const hw_invocation *inv, json_t *model)
{
	char *js = json_dumps(model, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(model);
	if (!js)
		return HW_ERR_INVALID;
	if (M.nreplies < MAX_OUT)
		M.replies[M.nreplies++] = js;
	else
		free(js);
	return HW_OK;
}

static void deliver(const char *type, json_t *data)
{
	for (size_t i = 0; i < M.nsubs; i++)
		if (!strcmp(M.subs[i].type, type))
			M.subs[i].fn(SELF, type, data, M.subs[i].ud);
}

static int m_publish(hw_plugin *self, const char *type, json_t *data)
{
	char *js = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
	size_t n = strlen(type) + (js ? strlen(js) : 0) + 2;

	if (M.nevents < MAX_OUT && (M.events[M.nevents] = malloc(n)))
		snprintf(M.events[M.nevents++], n, "%s %s", type, js ? js : "");
	free(js);
	/* The openspaces plugin answers from its copy, inside the publish. */
	if (!strcmp(type, "openspaces.request") && M.ospaces_board)
		deliver("openspaces.board", M.ospaces_board);
	return HW_OK;
}

static void m_set_userdata(hw_plugin *self, void *data)
{
	M.userdata = data;
}

static int m_subscribe(hw_plugin *self, const char *type, hw_event_fn fn, void *ud)
{
	if (M.nsubs < sizeof(M.subs) / sizeof(*M.subs)) {
		snprintf(M.subs[M.nsubs].type, sizeof(M.subs[M.nsubs].type), "%s", type);
		M.subs[M.nsubs].fn = fn;
		M.subs[M.nsubs++].ud = ud;
	}
	return HW_OK;
}

static int64_t m_now_ms(hw_plugin *self)
{
	return M.now_ms;
}

static hw_handle m_timer_add(hw_plugin *self, int64_t delay, int64_t repeat, hw_timer_fn fn,
			     void *ud)
{
	M.timer_fn = fn;
	M.timer_ud = ud;
	return ++M.next_handle;
}

static void m_cancel(hw_plugin *self, hw_handle h)
{
}

static hw_handle m_http(hw_plugin *self, const hw_http_request *req, hw_http_fn fn, void *ud)
{
	M.http_fn = fn;
	M.http_ud = ud;
	M.http_pending = 1;
	M.http_headers[0] = 0;
	for (const char *const *h = req->headers; h && *h; h++) {
		strncat(M.http_headers, *h, sizeof(M.http_headers) - strlen(M.http_headers) - 2);
		strcat(M.http_headers, "\n");
	}
	return ++M.next_handle;
}

static int m_db_migrate(hw_plugin *self, const char *const *migrations, size_t n)
{
	for (size_t i = (size_t)M.migrated; i < n; i++)
		if (sqlite3_exec(M.db, migrations[i], NULL, NULL, NULL) != SQLITE_OK)
			return HW_ERR_STORAGE;
	M.migrated = (int)n;
	return HW_OK;
}

/* Units of work run synchronously too, with the host's SQLite engine on
 * the test's connection: the body, then done. */
static int m_db_run(hw_plugin *self, hw_tx_fn body, hw_tx_done_fn done, void *ud)
{
	struct store_sqlite *s = store_sqlite_new(M.db);
	int rc = s ? store_sqlite_run(s, NULL, body, self, ud, NULL, 0) : HW_ERR_NOMEM;
	store_sqlite_free(s);
	if (done)
		done(self, rc, ud);
	return HW_OK;
}

static const char *m_db_engine(hw_plugin *self)
{
	return "sqlite";
}

/* Workers run synchronously: run, then done on the "loop". */
static hw_handle m_work(hw_plugin *self, void (*run)(void *), void (*done)(hw_plugin *, void *, int),
			void *arg)
{
	run(arg);
	done(self, arg, 0);
	return ++M.next_handle;
}

static hw_api API = { /* the statement calls are filled in main() */
	.struct_size = sizeof(hw_api),
	.abi_major = HW_ABI_MAJOR,
	.abi_minor = HW_ABI_MINOR,
	.log = m_log,
	.config = m_config,
	.command_add = m_command_add,
	.complete_add = m_complete_add,
	.reply = m_reply,
	.reply_model = m_reply_model,
	.publish = m_publish,
	.subscribe = m_subscribe,
	.set_userdata = m_set_userdata,
	.now_ms = m_now_ms,
	.timer_add = m_timer_add,
	.cancel = m_cancel,
	.http = m_http,
	.db_migrate = m_db_migrate,
	.work = m_work,
	.db_run = m_db_run,
	.db_engine = m_db_engine,
};

static void clear_out(void)
{
	for (size_t i = 0; i < M.nreplies; i++)
		free(M.replies[i]);
	for (size_t i = 0; i < M.nevents; i++)
		free(M.events[i]);
	for (size_t i = 0; i < M.nchoices; i++)
		free(M.choices[i]);
	M.nreplies = M.nevents = M.nchoices = 0;
	M.warnings = 0;
}

static int replied(const char *needle)
{
	for (size_t i = 0; i < M.nreplies; i++)
		if (strstr(M.replies[i], needle))
			return 1;
	return 0;
}

/* Events published whose text starts with prefix ("schedule.", ...). */
static size_t count_events(const char *prefix)
{
	size_t n = 0;
	for (size_t i = 0; i < M.nevents; i++)
		if (!strncmp(M.events[i], prefix, strlen(prefix)))
			n++;
	return n;
}

static int event(const char *needle)
{
	for (size_t i = 0; i < M.nevents; i++)
		if (strstr(M.events[i], needle))
			return 1;
	return 0;
}

/* Runs command `name` with one optional argument. */
static int invoke(const char *name, const char *arg)
{
	hw_arg a = {.name = "arg", .present = arg != NULL, .str = arg};
	hw_invocation inv = {.struct_size = sizeof(inv), .door = HW_DOOR_CONSOLE, .command = name,
			     .user_id = "console", .user_name = "tester", .argc = 0, .argv = &a};

	for (size_t i = 0; i < M.ncmds; i++)
		if (!strcmp(M.cmds[i].name, name)) {
			inv.argc = M.cmds[i].nargs;
			return M.cmds[i].fn(SELF, &inv, M.cmds[i].ud);
		}
	return -999;
}

static void complete(const char *name, const char *arg, const char *partial)
{
	for (size_t i = 0; i < M.ncmds; i++)
		if (!strcmp(M.cmds[i].name, name) && M.cmds[i].complete)
			M.cmds[i].complete(SELF, arg, partial, (hw_completion *)&M, M.cmds[i].ud);
}

static char *sample_body(size_t *len)
{
	FILE *f = fopen(SCHED_SAMPLE_PATH, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void respond(long status, const char *body, size_t len, const char *etag)
{
	hw_http_response res = {.struct_size = sizeof(res), .status = status, .body = body,
				.body_len = len, .etag = etag};

	REQUIRE(M.http_pending);
	M.http_pending = 0;
	M.http_fn(SELF, 1, &res, M.http_ud);
}

static void setup(const char *config_json)
{
	clear_out();
	json_decref(M.config);
	M.config = json_loads(config_json, 0, NULL);
	M.ncmds = 0;
	M.nsubs = 0;
	M.http_pending = 0;
}

/* 2026-11-26 10:00 in Brussels (CET). */
#define THU_1000_MS ((int64_t)1795683600 * 1000)

TEST(file_source_commands)
{
	char cfg[1200];

	snprintf(cfg, sizeof(cfg), "{\"source\": \"%s\", \"timezone\": \"Europe/Brussels\"}",
		 SCHED_SAMPLE_PATH);
	setup(cfg);
	M.now_ms = THU_1000_MS;
	REQUIRE(sched_plugin_init(SELF, &API) == HW_OK);
	CHECK_INTEQ(M.ncmds, 7);
	CHECK(event("schedule.loaded {\"name\":\"HallwayCon 2026\",\"room_count\":4,"));
	CHECK(event("\"talk_count\":29,\"talks\":[{"));
	CHECK(event("\"room\":\"Envelope ✉️\""));
	CHECK(!event("schedule.changed"));

	clear_out();
	CHECK(invoke("next", "envelope") == HW_OK);
	/* A reply model (issue 16), recorded as its JSON by the mock. */
	CHECK(replied("\"title\":\"Next in Envelope \xE2\x9C\x89\xEF\xB8\x8F\""));
	CHECK(replied("\"room\":\"Envelope \xE2\x9C\x89\xEF\xB8\x8F\""));
	CHECK(replied("\"title\":\"Discord Gateway Deep Dive\""));
	CHECK(replied("\"start\":1795684500000"));
	CHECK(replied("\"zone\":\"Europe/Brussels\""));
	CHECK(replied("Linus \xC3\x85" "berg"));

	clear_out();
	CHECK(invoke("next", NULL) == HW_OK);
	CHECK(replied("\"title\":\"Next talks\""));
	CHECK(replied("Why Conferences Need Better Bots"));
	CHECK(replied("Meet the Maintainers")); /* the café's next, later that morning */

	clear_out();
	M.now_ms = THU_1000_MS + 30 * 60 * 1000; /* 10:30 */
	CHECK(invoke("now", NULL) == HW_OK);
	CHECK(replied("\"title\":\"On now\"") && replied("Workshop: Your First Plugin in C"));

	clear_out();
	CHECK(invoke("today", NULL) == HW_OK);
	CHECK(replied("\"title\":\"Thursday 26 Nov: 14 talks\""));
	CHECK(replied("Times in Europe/Brussels."));
	CHECK(replied("\"start\":1795684500000,\"title\":\"Discord Gateway Deep Dive\""));

	clear_out();
	CHECK(invoke("day", "friday") == HW_OK);
	CHECK(replied("\"title\":\"Friday 27 Nov: 11 talks\""));
	CHECK(replied("\"status\":\"cancelled\",\"title\":\"Rust and C Side by Side\""));

	clear_out();
	CHECK(invoke("talk", "time zones") == HW_OK);
	CHECK(replied("Best matches for \\\"time zones\\\"") ||
	      replied("Best match for \\\"time zones\\\""));
	CHECK(replied("\"title\":\"Time Zones Are Hard, DST Is Harder\""));

	clear_out();
	CHECK(invoke("speaker", "chloe") == HW_OK);
	CHECK(replied("Talks by \\\"chloe\\\"") && replied("Internationalisation for Bots"));

	clear_out();
	CHECK(invoke("rooms", NULL) == HW_OK);
	CHECK(replied("Caf\xC3\xA9 Lounge \xE2\x98\x95"));

	clear_out();
	CHECK(invoke("next", "kitchen") == HW_OK);
	CHECK(replied("No room or track matches \\\"kitchen\\\""));

	/* Autocomplete. */
	clear_out();
	complete("next", "room", "env");
	CHECK(M.nchoices == 1 && !strcmp(M.choices[0], "Envelope \xE2\x9C\x89\xEF\xB8\x8F"));
	clear_out();
	complete("next", "room", "");
	CHECK_INTEQ(M.nchoices, 4);
	clear_out();
	complete("talk", "words", "gateway");
	CHECK(M.nchoices >= 1 && !strcmp(M.choices[0], "Discord Gateway Deep Dive"));
	clear_out();
	complete("day", "when", "fri");
	CHECK(M.nchoices == 1 && !strcmp(M.choices[0], "2026-11-27"));
	clear_out();
	complete("speaker", "name", "zoe");
	CHECK(M.nchoices == 1 && !strcmp(M.choices[0], "Zo\xC3\xAB Fern\xC3\xA1ndez"));

	/* A timer tick with an unchanged file changes nothing, but confirms
	 * the schedule is fresh (stale after three missed refreshes). */
	clear_out();
	M.timer_fn(SELF, 1, M.timer_ud);
	CHECK_INTEQ(count_events("schedule."), 0);
	CHECK_INTEQ(count_events("health.report"), 1);
	CHECK(event("\"component\":\"schedule\""));
	CHECK(event("\"max_age_s\":900"));
	sched_plugin_shutdown(SELF, M.userdata);
	clear_out();
}

/* Issue 21: `next openspaces` asks the openspaces plugin for its board on
 * the bus and draws it; without an answer (not loaded, or a board of a
 * shape this plugin does not read) it says so, even after an earlier
 * board. */
TEST(next_openspaces_over_the_bus)
{
	char cfg[1200];
	json_t *b = json_pack("{s:i, s:s, s:[{s:i, s:s, s:s, s:I, s:I, s:s, s:i}]}", "version", 1,
			      "timezone", "Europe/Brussels", "spaces", "id", 7, "title",
			      "Packaging war stories", "room", "Courtyard", "start",
			      (json_int_t)THU_1000_MS / 1000 + 3600, "end",
			      (json_int_t)THU_1000_MS / 1000 + 7200, "host", "Ann", "going", 3);

	snprintf(cfg, sizeof(cfg), "{\"source\": \"%s\", \"timezone\": \"Europe/Brussels\"}",
		 SCHED_SAMPLE_PATH);
	setup(cfg);
	M.now_ms = THU_1000_MS;
	REQUIRE(sched_plugin_init(SELF, &API) == HW_OK);

	clear_out();
	CHECK(invoke("next", "openspaces") == HW_OK);
	CHECK(event("openspaces.request {\"version\":1}"));
	CHECK(replied("the openspaces plugin is not loaded"));
	/* No board seen: autocomplete offers rooms only. */
	clear_out();
	complete("next", "room", "open");
	CHECK_INTEQ(M.nchoices, 0);
	clear_out();
	CHECK(invoke("next", NULL) == HW_OK);
	CHECK(replied("\"title\":\"Next talks\"") && !replied("open space"));

	M.ospaces_board = b;
	clear_out();
	CHECK(invoke("next", "openspaces") == HW_OK);
	CHECK(replied("\"title\":\"Next open spaces\""));
	CHECK(replied("\"title\":\"Packaging war stories\""));
	CHECK(replied("\"count\":2"));
	CHECK(replied("\"host\":\"Ann\""));
	clear_out();
	CHECK(invoke("now", "openspaces courtyard") == HW_OK);
	CHECK(replied("No open space is on in Courtyard right now."));
	CHECK(replied("Next up:"));
	clear_out();
	CHECK(invoke("next", NULL) == HW_OK);
	CHECK(replied("Also 1 open space starts by then."));
	CHECK(replied("\"command\":\"next openspaces\""));
	/* Autocomplete offers the open spaces now. */
	clear_out();
	complete("next", "room", "Open");
	CHECK(M.nchoices == 1 && !strcmp(M.choices[0], "openspaces"));
	clear_out();
	complete("now", "room", "");
	CHECK_INTEQ(M.nchoices, 5); /* the four rooms, then the open spaces */
	CHECK(M.nchoices == 5 && !strcmp(M.choices[4], "openspaces"));
	/* Other commands do not ask. */
	clear_out();
	CHECK(invoke("today", NULL) == HW_OK);
	CHECK_INTEQ(count_events("openspaces."), 0);

	/* The openspaces plugin unloaded: the board kept from before is not
	 * shown as if it were still there. */
	M.ospaces_board = NULL;
	clear_out();
	CHECK(invoke("next", "openspaces") == HW_OK);
	CHECK(replied("the openspaces plugin is not loaded"));
	/* A newer shape is not misread. */
	json_object_set_new(b, "version", json_integer(2));
	M.ospaces_board = b;
	clear_out();
	CHECK(invoke("next", "openspaces") == HW_OK);
	CHECK(replied("the openspaces plugin is not loaded"));
	M.ospaces_board = NULL;
	json_decref(b);
	sched_plugin_shutdown(SELF, M.userdata);
	clear_out();
}

TEST(no_source)
{
	setup("{}");
	REQUIRE(sched_plugin_init(SELF, &API) == HW_OK);
	clear_out();
	CHECK(invoke("next", NULL) == HW_OK);
	CHECK(replied("No schedule loaded yet."));
	sched_plugin_shutdown(SELF, M.userdata);
	setup("{\"timezone\": \"Mars/Olympus\"}");
	CHECK(sched_plugin_init(SELF, &API) != HW_OK);
	setup("{\"format\": \"docx\"}");
	CHECK(sched_plugin_init(SELF, &API) != HW_OK);
	clear_out();
}

/* One conference in several files: a directory, or a list of paths. */
TEST(multi_file_sources)
{
	char dir[1024], d1[1024], d2[1024], cfg[4000];

	test_shared_path(dir, sizeof(dir), "schedules/europython-2024-days");
	test_shared_path(d1, sizeof(d1), "schedules/europython-2024-days/2024-07-10.json");
	test_shared_path(d2, sizeof(d2), "schedules/europython-2024-days/2024-07-11.json");
	snprintf(cfg, sizeof(cfg), "{\"source\": \"%s\", \"timezone\": \"Europe/Prague\"}", dir);
	setup(cfg);
	M.now_ms = (int64_t)1720598400 * 1000; /* 2024-07-10 10:00 CEST */
	REQUIRE(sched_plugin_init(SELF, &API) == HW_OK);
	/* 216 events; a booking in several rooms is one entry in each. */
	CHECK(event("\"talk_count\":319,"));
	clear_out();
	CHECK(invoke("day", "2024-07-12") == HW_OK);
	CHECK(replied("\"title\":\"Friday 12 Jul: 50 talks\""));
	CHECK(replied("Times in Europe/Prague."));
	sched_plugin_shutdown(SELF, M.userdata);

	snprintf(cfg, sizeof(cfg), "{\"source\": [\"%s\", \"%s\"], \"format\": \"europython\"}",
		 d1, d2);
	setup(cfg);
	REQUIRE(sched_plugin_init(SELF, &API) == HW_OK);
	/* 52 + 57 events, 8 of them in several rooms (50 entries). */
	CHECK(event("\"talk_count\":151,"));
	sched_plugin_shutdown(SELF, M.userdata);

	/* A list holds local paths only. */
	setup("{\"source\": [\"a.json\", \"https://example.org/b.json\"]}");
	CHECK(sched_plugin_init(SELF, &API) == HW_ERR_INVALID);
	setup("{\"source\": [\"a.json\", 3]}");
	CHECK(sched_plugin_init(SELF, &API) == HW_ERR_INVALID);
	clear_out();
}

TEST(url_refresh_and_restart)
{
	size_t len;
	char *body = sample_body(&len), *moved;
	const char *url_cfg = "{\"source\": \"https://hallwaycon.example.org/schedule.json\", "
			      "\"refresh_seconds\": 60}";

	REQUIRE(body);
	sqlite3_close(M.db);
	REQUIRE(sqlite3_open(":memory:", &M.db) == SQLITE_OK);
	M.migrated = 0;
	setup(url_cfg);
	M.now_ms = THU_1000_MS;
	REQUIRE(sched_plugin_init(SELF, &API) == HW_OK);
	REQUIRE(M.http_pending);
	CHECK_STREQ(M.http_headers, ""); /* nothing cached: unconditional */
	respond(200, body, len, "\"v1\"");
	CHECK(event("schedule.loaded"));

	/* Next refresh is conditional; 304 keeps everything. */
	clear_out();
	M.timer_fn(SELF, 1, M.timer_ud);
	REQUIRE(M.http_pending);
	CHECK(strstr(M.http_headers, "If-None-Match: \"v1\"") != NULL);
	respond(304, NULL, 0, NULL);
	CHECK_INTEQ(count_events("schedule."), 0);
	CHECK_INTEQ(count_events("health.report"), 1); /* 304 confirms freshness */
	clear_out();

	/* A server error and a malformed body keep the last good schedule. */
	M.timer_fn(SELF, 1, M.timer_ud);
	respond(500, "oops", 4, NULL);
	CHECK(M.warnings >= 1);
	M.timer_fn(SELF, 1, M.timer_ud);
	respond(200, body, len / 2, "\"broken\"");
	CHECK(M.warnings >= 2);
	CHECK_INTEQ(M.nevents, 0); /* failures neither change nor confirm it */
	clear_out();
	CHECK(invoke("next", "envelope") == HW_OK);
	CHECK(replied("Discord Gateway Deep Dive"));

	/* A new release moves a talk: schedule.changed lists it. */
	moved = strdup(body);
	REQUIRE(moved);
	char *p = strstr(moved, "\"date\": \"2026-11-26T10:15:00+01:00\", \"start\": \"10:15\", "
				"\"duration\": \"00:30\"");
	if (!p)
		p = strstr(moved, "2026-11-26T10:15:00+01:00");
	REQUIRE(p);
	/* The first 10:15 talk in file order is in Main Hall or Envelope;
	 * shift it to 10:45 (same length of text). */
	p = strstr(p, "10:15:00");
	memcpy(p, "10:45:00", 8);
	clear_out();
	M.timer_fn(SELF, 1, M.timer_ud);
	CHECK(strstr(M.http_headers, "If-None-Match: \"v1\"") != NULL);
	respond(200, moved, len, "\"v2\"");
	CHECK(event("schedule.changed"));
	CHECK(event("\"moved\":[{\"id\":"));
	CHECK(event("\"new_start\":1795686300"));
	CHECK(event("\"old_start\":1795684500"));
	free(moved);
	sched_plugin_shutdown(SELF, M.userdata);

	/* Restart without network: the stored copy answers at once. */
	setup(url_cfg);
	REQUIRE(sched_plugin_init(SELF, &API) == HW_OK);
	CHECK(event("schedule.loaded"));
	REQUIRE(M.http_pending); /* and a conditional refresh is under way */
	CHECK(strstr(M.http_headers, "If-None-Match: \"v2\"") != NULL);
	respond(0, NULL, 0, NULL);
	clear_out();
	CHECK(invoke("talk", "gateway") == HW_OK);
	CHECK(replied("Discord Gateway Deep Dive"));
	sched_plugin_shutdown(SELF, M.userdata);

	/* A different source ignores the stored copy. */
	setup("{\"source\": \"https://other.example.org/s.json\"}");
	REQUIRE(sched_plugin_init(SELF, &API) == HW_OK);
	CHECK(!event("schedule.loaded"));
	respond(404, "", 0, NULL);
	clear_out();
	CHECK(invoke("next", NULL) == HW_OK);
	CHECK(replied("No schedule loaded yet."));
	sched_plugin_shutdown(SELF, M.userdata);
	free(body);
	clear_out();
}

int main(void)
{
	store_api_fill(&API);
	if (sqlite3_open(":memory:", &M.db) != SQLITE_OK)
		return 1;
	RUN(file_source_commands);
	RUN(no_source);
	RUN(next_openspaces_over_the_bus);
	RUN(multi_file_sources);
	RUN(url_refresh_and_restart);
	clear_out();
	json_decref(M.config);
	sqlite3_close(M.db);
	return test_summary();
}
