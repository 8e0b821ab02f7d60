/*
 * fuzz_plugin_commands: every command of every real plugin, through every
 * door, as an attendee and as an organizer (issue 14).
 *
 * The daemon's own modules run here: the plugin host (bot/host/host.c, api.c)
 * loads the real plugin .so files (built by fuzz/CMakeLists.txt with the
 * fuzzer's coverage instrumentation) with the demo's plugin settings
 * (config.example.json: every plugin, the sample conference in
 * plugins/schedule/sample/), the router and its
 * built-ins, the bus, the guild cache, storage (SQLite), the worker pool
 * and the daemon's dispatch wiring (bot/gateway/dispatch.c). Only the network is
 * replaced, by the REST and HTTP stubs in fuzz_plugin_stubs.c, which also
 * check every reply a command would post.
 *
 * Input: byte 0 picks the default door and role, then one command per line
 * ('\n'), as a user would type it after the prefix:
 *   bits 0-1  door: 0 chat (a MESSAGE_CREATE with the prefix), 1 slash (the
 *             line is parsed against the live registry and sent as Discord
 *             would: an INTERACTION_CREATE with typed options), 2 console,
 *             3 chat addressed by a mention of the bot
 *   bit 2     organizer (a member with the Organizer role, or the
 *             console's --as organizer)
 *   bit 3     slash only: an autocomplete (type 4) for the first
 *             autocompleted argument, with the line's value as typed so far
 * A line that starts with a byte 0x10-0x1f overrides byte 0 for that line
 * (the same bits, plus 0x10). After each line the loop runs until the
 * plugins' asynchronous work (worker jobs, sends, kept invocations) has
 * settled, as the console does. State (the database, the schedule) carries
 * over from one input to the next, like a day of use.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <libwebsockets.h>

#include "bus.h"
#include "clock.h"
#include "commands.h"
#include "config.h"
#include "dispatch.h"
#include "fuzz_plugin_commands.h"
#include "guilds.h"
#include "hallway.h"
#include "host.h"
#include "log.h"
#include "plan_book.h"
#include "router.h"
#include "storage.h"
#include "work.h"

#define GUILD_ID "100000000000000100"
#define CHANNEL_ID "100000000000000001"
#define ORGANIZER_ROLE "100000000000000301"
#define ATTENDEE_ID "100000000000001002"
#define ORGANIZER_ID "100000000000001001"
#define BOT_ID "100000000000000900"
#define APP_ID "100000000000000900"
#define MAX_LINES 32
#define MAX_LINE 4096
#define SETTLE_ROUNDS 20000

static struct hallway hw;
static char db_path[256];
static uint64_t next_id = 200000000000000000ull;

enum { DOOR_CHAT = 0, DOOR_SLASH, DOOR_CONSOLE, DOOR_MENTION };

/* ---- the loop ---- */

static int loop_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
			 size_t len)
{
	(void)wsi;
	(void)user;
	(void)in;
	(void)len;
	if (reason == LWS_CALLBACK_EVENT_WAIT_CANCELLED && hw.work)
		work_drain(hw.work);
	if (reason == LWS_CALLBACK_EVENT_WAIT_CANCELLED && hw.storage)
		storage_drain(hw.storage);
	return 0;
}

static const struct lws_protocols protocols[] = {
	{"hallway-loop", loop_callback, 0, 0, 0, NULL, 0},
	{NULL, NULL, 0, 0, 0, NULL, 0}};

/* Runs the loop until nothing asynchronous is left: worker jobs finish on
 * their threads, so this may wait a little for them (never forever: a job
 * that does not settle in SETTLE_ROUNDS is a hang, and the target aborts). */
static void settle(void)
{
	for (int i = 0; i < SETTLE_ROUNDS; i++) {
		int busy;

		fuzz_stubs_complete();
		work_drain(hw.work);
		storage_drain(hw.storage);
		lws_service(hw.lws, -1);
		busy = host_busy(hw.host) || plan_book_busy(hw.plans) || fuzz_stubs_pending();
		if (!busy)
			return;
		if (i > 100) {
			struct timespec ts = {0, 100000};
			nanosleep(&ts, NULL);
		}
	}
	fprintf(stderr, "fuzz_plugin_commands: the plugins never settled (a hang)\n");
	abort();
}

/* ---- start-up: the demo's config, every plugin ---- */

static void load_dictionary(const char *path);
static void collect_heads(void);

static void cleanup_db(void)
{
	char side[300];

	unlink(db_path);
	snprintf(side, sizeof(side), "%s-wal", db_path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", db_path);
	unlink(side);
}

/* The demo's config (config.example.json: every plugin, the sample
 * conference) with this process's database, the fuzz build's plugins and a
 * conference guild. Returns a new string (free), or NULL. */
static char *config_text(void)
{
	json_t *example = json_load_file(FUZZ_SOURCE_DIR "/config.example.json", 0, NULL);
	json_t *plugins = json_object_get(example, "plugins"), *sched, *root;
	char source[1024], *text = NULL;

	if (!json_is_object(plugins))
		goto out;
	sched = json_object_get(plugins, "schedule");
	if (json_is_string(json_object_get(sched, "source")) &&
	    json_string_value(json_object_get(sched, "source"))[0] != '/') {
		snprintf(source, sizeof(source), "%s/%s", FUZZ_SOURCE_DIR,
			 json_string_value(json_object_get(sched, "source")));
		json_object_set_new(sched, "source", json_string(source));
	}
	root = json_pack("{s:{s:s, s:s, s:s}, s:{s:s}, s:s, s:[s], s:{s:s}, s:O}", "discord",
			 "token", "fuzz-token", "guild_id", GUILD_ID, "prefix", "!", "storage",
			 "path", db_path, "plugin_dir", FUZZ_PLUGIN_DIR, "organizer_roles",
			 "Organizer", "log", "level", "error", "plugins", plugins);
	if (root)
		text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
out:
	json_decref(example);
	return text;
}

static void guild_create(void)
{
	json_t *d = json_pack("{s:s, s:s, s:[{s:s, s:s}, {s:s, s:s}], s:[]}", "id", GUILD_ID, "name",
			      "HallwayCon", "roles", "id", GUILD_ID, "name", "@everyone", "id",
			      ORGANIZER_ROLE, "name", "Organizer", "channels");
	json_t *ready = json_pack("{s:{s:s}, s:{s:s}}", "user", "id", BOT_ID, "application",
				  "id", APP_ID);

	if (!d || !ready)
		abort();
	dispatch_event(&hw, "READY", ready);
	dispatch_event(&hw, "GUILD_CREATE", d);
	json_decref(d);
	json_decref(ready);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct lws_context_creation_info info;
	struct config_report rep;
	char *text;
	const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

	(void)argc;
	(void)argv;
	log_set_level(getenv("FUZZ_LOG") ? LOG_DEBUG : LOG_ERROR);
	lws_set_log_level(0, NULL);
	snprintf(db_path, sizeof(db_path), "%s/hallway-fuzz-%ld.db", dir, (long)getpid());
	cleanup_db();
	atexit(cleanup_db);
	if (!(text = config_text()))
		abort();
	if (config_load_string(text, FUZZ_SOURCE_DIR "/config.example.json", CONFIG_MODE_RUN,
			       &hw.cfg, &rep)) {
		for (int i = 0; i < rep.count; i++)
			fprintf(stderr, "fuzz_plugin_commands: config: %s\n", rep.items[i].text);
		abort();
	}
	free(text);
	/* The sample conference's first morning, as scripts/demo.sh. */
	if (clock_init(&hw.clock, "2026-11-26T09:55:00+01:00", 1.0) ||
	    storage_open(hw.cfg->storage_path, &hw.storage))
		abort();
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.user = &hw;
	if (!(hw.lws = lws_create_context(&info)))
		abort();
	hw.vhost = lws_get_vhost_by_name(hw.lws, "default");
	snprintf(hw.application_id, sizeof(hw.application_id), "%s", APP_ID);
	/* Never dereferenced: the stubs stand in for the REST and HTTP clients,
	 * and api.c takes their presence to mean "not the console". */
	hw.rest = (struct rest *)&hw;
	hw.http = (struct http *)&hw;
	/* The storage thread: plugins on db_run (ABI 1.2) answer from done(). */
	if (!(hw.work = work_create(hw.lws, 2)) || storage_start(hw.storage, hw.lws) ||
	    !(hw.bus = bus_create()) ||
	    !(hw.plans = plan_book_create(&hw)) ||
	    !(hw.guilds = guilds_create(hw.bus, hw.cfg->organizer_roles)) ||
	    !(hw.router = router_create(&hw)) || router_add_builtins(hw.router) ||
	    !(hw.host = host_create(&hw)))
		abort();
	guild_create();
	if (host_load_all(hw.host) != (int)json_object_size(hw.cfg->plugins)) {
		fprintf(stderr, "fuzz_plugin_commands: not every plugin of config.example.json "
			"loaded from %s (a new plugin needs a fuzz_plugin() line in "
			"fuzz/CMakeLists.txt)\n", FUZZ_PLUGIN_DIR);
		abort();
	}
	settle();
	load_dictionary(FUZZ_SOURCE_DIR "/fuzz/fuzz_plugin_commands.dict");
	collect_heads();
	return 0;
}

/* ---- the doors ---- */

static void next_snowflake(char *buf, size_t len)
{
	snprintf(buf, len, "%llu", (unsigned long long)next_id++);
}

static json_t *member(int organizer)
{
	return json_pack("{s:{s:s, s:s, s:s}, s:[s]}", "user", "id",
			 organizer ? ORGANIZER_ID : ATTENDEE_ID, "username",
			 organizer ? "ada" : "bob", "global_name", organizer ? "Ada" : "Bob", "roles",
			 organizer ? ORGANIZER_ROLE : GUILD_ID);
}

static void chat(const char *line, int organizer, int mention)
{
	char id[32], *content;
	size_t n = strlen(line) + 32;
	json_t *d, *m = member(organizer);

	if (!m || !(content = malloc(n)))
		abort();
	snprintf(content, n, "%s%s", mention ? "<@" BOT_ID "> " : "!", line);
	next_snowflake(id, sizeof(id));
	d = json_pack("{s:s, s:s, s:s, s:s, s:O, s:o}", "id", id, "channel_id", CHANNEL_ID,
		      "guild_id", GUILD_ID, "content", content, "author", json_object_get(m, "user"),
		      "member", m);
	free(content);
	if (!d)
		return; /* not UTF-8: Discord would never send it */
	dispatch_event(&hw, "MESSAGE_CREATE", d);
	json_decref(d);
}

/* One typed option, as Discord sends it for the argument's declared type. */
static json_t *option(const struct command_arg *spec, const hw_arg *a, int focused)
{
	json_t *o;

	if (spec->type == HW_ARG_INTEGER && !focused)
		o = json_pack("{s:s, s:i, s:I}", "name", spec->name, "type", 4, "value",
			      (json_int_t)a->num);
	else if (spec->type == HW_ARG_BOOL && !focused)
		o = json_pack("{s:s, s:i, s:b}", "name", spec->name, "type", 5, "value", (int)a->num);
	else
		o = json_pack("{s:s, s:i, s:s}", "name", spec->name,
			      "type", spec->type == HW_ARG_INTEGER ? 4 : spec->type == HW_ARG_BOOL ? 5 : 3,
			      "value", a->str);
	if (o && focused)
		json_object_set_new(o, "focused", json_true());
	return o;
}

/* The interaction "data" Discord would send for a parsed line. */
static json_t *interaction_data(const struct parsed_args *pa, int autocomplete)
{
	const struct command *c = pa->cmd;
	json_t *opts = json_array(), *data;
	int focused_done = 0;

	if (!opts)
		return NULL;
	for (size_t i = 0; i < c->nargs; i++) {
		int focused = 0;

		if (autocomplete && !focused_done && c->args[i].autocomplete) {
			focused = focused_done = 1;
			if (!pa->argv[i].present) {
				json_array_append_new(opts, json_pack("{s:s, s:i, s:s, s:b}", "name",
								      c->args[i].name, "type", 3,
								      "value", "", "focused", 1));
				continue;
			}
		}
		if (pa->argv[i].present)
			json_array_append_new(opts, option(&c->args[i], &pa->argv[i], focused));
	}
	if (c->group)
		data = json_pack("{s:s, s:i, s:[{s:s, s:i, s:o}]}", "name", c->group, "type", 1,
				 "options", "name", c->sub, "type", 1, "options", opts);
	else
		data = json_pack("{s:s, s:i, s:o}", "name", c->name, "type", 1, "options", opts);
	return data;
}

static void slash(const char *line, int organizer, int autocomplete)
{
	struct parsed_args pa;
	char why[512], id[32], token[48];
	json_t *data = NULL, *d;

	memset(&pa, 0, sizeof(pa));
	if (commands_parse_line(router_commands(hw.router), line, &pa, why, sizeof(why)) ==
	    PARSE_OK)
		data = interaction_data(&pa, autocomplete);
	else /* what a stale or mistyped registration would send */
		data = json_pack("{s:s%, s:i}", "name", line, strcspn(line, " "), "type", 1);
	parsed_args_free(&pa);
	if (!data)
		return;
	next_snowflake(id, sizeof(id));
	snprintf(token, sizeof(token), "fuzz-interaction-token-%s", id);
	d = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:o, s:o}", "id", id, "application_id",
		      APP_ID, "type", autocomplete ? 4 : 2, "token", token, "channel_id", CHANNEL_ID,
		      "guild_id", GUILD_ID, "member", member(organizer), "data", data);
	if (!d)
		return;
	dispatch_event(&hw, "INTERACTION_CREATE", d);
	json_decref(d);
}

static void console_out(void *ud, const char *text)
{
	(void)ud;
	fuzz_stubs_check_text(text, "console reply");
}

/* A reload maps a new copy of the plugin that is never unmapped (see
 * dlclose in fuzz_plugin_stubs.c): past this many per process, reload
 * lines are skipped. */
#define MAX_RELOADS 64
static int reloads;

static int is_reload(const char *line)
{
	while (*line == ' ' || *line == '\t' || *line == '!' || *line == '/')
		line++;
	return !strncasecmp(line, "reload", 6);
}

static void run_line(const char *line, int sel)
{
	int organizer = !!(sel & 4);

	if (is_reload(line) && ++reloads > MAX_RELOADS)
		return;

	switch (sel & 3) {
	case DOOR_CHAT:
		chat(line, organizer, 0);
		break;
	case DOOR_MENTION:
		chat(line, organizer, 1);
		break;
	case DOOR_SLASH:
		slash(line, organizer, !!(sel & 8));
		break;
	case DOOR_CONSOLE:
		router_console_line(hw.router, line, organizer, console_out, NULL);
		break;
	}
	settle();
}

/* ---- a mutator that speaks commands ----
 *
 * libFuzzer's byte mutations (with the dictionary) rarely turn "announce
 * audit" into "announce audit yesterday": the input must be cut at the
 * right place and the right entry inserted. So half of the mutations here
 * write whole commands instead: a head (a registered command's name, or a
 * dictionary phrase that starts with one, such as "announce audit") and up
 * to three arguments from the dictionary, as a new input, a new line, or
 * words appended to a line. The dictionary file is read once at start:
 * one list of words for both mutators.
 */
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

struct strv {
	char **v;
	size_t n, cap;
};

static struct strv dict_tokens, heads;

static void strv_add(struct strv *sv, const char *s, size_t n)
{
	char *copy;

	if (sv->n == sv->cap) {
		size_t cap = sv->cap ? sv->cap * 2 : 64;
		char **grown = realloc(sv->v, cap * sizeof(*grown));
		if (!grown)
			abort();
		sv->v = grown;
		sv->cap = cap;
	}
	if (!(copy = malloc(n + 1)))
		abort();
	memcpy(copy, s, n);
	copy[n] = '\0';
	sv->v[sv->n++] = copy;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
		: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The quoted entries of a libFuzzer dictionary, unescaped, without line
 * breaks, selectors or leading spaces (the mutator adds its own). */
static void load_dictionary(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[1024], out[1024];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		const char *p = strchr(line, '"');
		size_t n = 0;
		int ok = 1;

		if (line[0] == '#' || !p)
			continue;
		for (p++; *p && *p != '"' && n + 1 < sizeof(out); p++) {
			if (*p == '\\' && p[1] == 'x' && hexval(p[2]) >= 0 && hexval(p[3]) >= 0) {
				out[n++] = (char)(hexval(p[2]) * 16 + hexval(p[3]));
				p += 3;
			} else if (*p == '\\' && p[1]) {
				out[n++] = *++p;
			} else {
				out[n++] = *p;
			}
		}
		for (size_t i = 0; i < n; i++)
			ok &= (unsigned char)out[i] >= 0x20;
		while (n && out[0] == ' ') {
			memmove(out, out + 1, --n);
		}
		if (ok && n)
			strv_add(&dict_tokens, out, n);
	}
	fclose(f);
}

/* Heads: every live command's name, and the dictionary's phrases whose
 * first word is a command's first word ("announce audit"). */
static void collect_heads(void)
{
	for (struct command *c = router_commands(hw.router)->head; c; c = c->next) {
		const char *top = c->group ? c->group : c->name;
		size_t tl = strlen(top);

		if (c->dead)
			continue;
		strv_add(&heads, c->name, strlen(c->name));
		for (size_t i = 0; i < dict_tokens.n; i++) {
			const char *t = dict_tokens.v[i];
			if (!strncmp(t, top, tl) && t[tl] == ' ' && t[tl + 1] && !c->group)
				strv_add(&heads, t, strlen(t));
		}
	}
}

static uint64_t rng_next(uint64_t *st)
{
	*st ^= *st << 13;
	*st ^= *st >> 7;
	*st ^= *st << 17;
	return *st;
}

/* Appends src to buf (len, cap); 0 when it does not fit. */
static int put_text(uint8_t *buf, size_t *len, size_t cap, const char *src, size_t n)
{
	if (*len + n > cap)
		return 0;
	memcpy(buf + *len, src, n);
	*len += n;
	return 1;
}

/* " tok tok" (0-3 dictionary tokens). */
static int put_args(uint8_t *buf, size_t *len, size_t cap, uint64_t *st, unsigned max)
{
	unsigned k = (unsigned)(rng_next(st) % (max + 1));

	for (unsigned i = 0; i < k && dict_tokens.n; i++) {
		const char *t = dict_tokens.v[rng_next(st) % dict_tokens.n];
		if (!put_text(buf, len, cap, " ", 1) || !put_text(buf, len, cap, t, strlen(t)))
			return 0;
	}
	return 1;
}

/* "head args" */
static int put_command(uint8_t *buf, size_t *len, size_t cap, uint64_t *st)
{
	const char *h = heads.v[rng_next(st) % heads.n];

	return put_text(buf, len, cap, h, strlen(h)) && put_args(buf, len, cap, st, 3);
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
	uint64_t st = seed * 2654435761u + 1;
	uint8_t *buf;
	size_t len = 0;
	unsigned op = (unsigned)(rng_next(&st) % 8);

	if (op < 4 || !heads.n || !(buf = malloc(max_size)))
		return LLVMFuzzerMutate(data, size, max_size);
	if (op == 4 || size < 1) {
		/* A new input: one command, any door and role. */
		uint8_t sel = (uint8_t)(rng_next(&st) % 16);
		if (!put_text(buf, &len, max_size, (const char *)&sel, 1) ||
		    !put_command(buf, &len, max_size, &st))
			len = 0;
	} else if (op == 5) {
		/* One more line, maybe with its own door and role. */
		char sel[2] = {'\n', (char)(0x10 + rng_next(&st) % 16)};
		if (!put_text(buf, &len, max_size, (const char *)data, size) ||
		    !put_text(buf, &len, max_size, sel, 1 + (rng_next(&st) & 1)) ||
		    !put_command(buf, &len, max_size, &st))
			len = 0;
	} else {
		/* Words appended to a line: the end of the input or before a break. */
		size_t at = size, lines = 0;
		for (size_t i = 1; i < size; i++)
			if (data[i] == '\n' && rng_next(&st) % ++lines == 0)
				at = i;
		if (op == 7)
			at = size;
		if (!put_text(buf, &len, max_size, (const char *)data, at) ||
		    !put_args(buf, &len, max_size, &st, 2) ||
		    !put_text(buf, &len, max_size, (const char *)data + at, size - at))
			len = 0;
	}
	if (len)
		memcpy(data, buf, len);
	free(buf);
	return len ? len : LLVMFuzzerMutate(data, size, max_size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line;
	size_t start = 1;
	int sel, lines = 0;

	if (size < 2)
		return 0;
	sel = data[0];
	if (!(line = malloc(MAX_LINE + 1)))
		return 0;
	for (size_t i = 1; i <= size && lines < MAX_LINES; i++) {
		size_t n;
		int s = sel;
		const char *text = line;

		if (i < size && data[i] != '\n')
			continue;
		n = i - start;
		if (n > MAX_LINE)
			n = MAX_LINE;
		memcpy(line, data + start, n);
		line[n] = '\0';
		start = i + 1;
		if (n && (unsigned char)line[0] >= 0x10 && (unsigned char)line[0] <= 0x1f) {
			s = line[0] - 0x10;
			text++;
		}
		if (!*text)
			continue;
		lines++;
		run_line(text, s);
	}
	free(line);
	commands_collect(router_commands(hw.router));
	return 0;
}
