/*
 * Config as a table: one row per option names its JSON path, type, default,
 * range and help. The same table validates, fills struct config, and
 * prints the documentation (--help).
 */
#include "config.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hallway/text.h>

#include "log.h"

enum opt_type { OPT_STRING, OPT_INT, OPT_BOOL, OPT_OBJECT, OPT_STRING_ARRAY, OPT_SNOWFLAKE };

struct option_row {
	const char *path;      /* dotted JSON path */
	enum opt_type type;
	const char *def;       /* default as text (strings, ints, bools), or NULL */
	long long min, max;    /* ints: range; strings: length range (max 0 = none) */
	const char *const *choices; /* strings: allowed values, NULL-terminated */
	size_t offset;         /* into struct config, or SIZE_MAX for containers */
	const char *help;
};

static const char *const log_levels[] = {"error", "warn", "info", "debug", NULL};
static const char *const log_formats[] = {"text", "json", NULL};
static const char *const foreign_guild_modes[] = {"ignore", "answer", NULL};

#define OFF(f) offsetof(struct config, f)
#define NONE SIZE_MAX

static const struct option_row config_options[] = {
	{"discord", OPT_OBJECT, NULL, 0, 0, NULL, NONE, "Discord connection settings."},
	{"discord.token", OPT_STRING, NULL, 0, 512, NULL, OFF(token),
	 "Bot token. The environment variable HALLWAY_DISCORD_TOKEN wins over it."},
	{"discord.api_base", OPT_STRING, CONFIG_DEFAULT_API_BASE, 8, 512, NULL, OFF(api_base),
	 "REST base URL; the gateway URL comes from GET {api_base}/gateway/bot."},
	{"discord.application_id", OPT_SNOWFLAKE, NULL, 0, 0, NULL, OFF(application_id),
	 "Application ID (optional; learned from READY)."},
	{"discord.guild_id", OPT_SNOWFLAKE, NULL, 0, 0, NULL, OFF(guild_id),
	 "The conference's guild: slash commands are registered there (otherwise global), and "
	 "organizer rights come from its roles only (unset: organizer commands only on the console)."},
	{"discord.foreign_guilds", OPT_STRING, "ignore", 0, 0, foreign_guild_modes,
	 OFF(foreign_guilds),
	 "What the bot does in a guild other than discord.guild_id: ignore (no answer at all) or "
	 "answer (attendee commands only). Applies only when discord.guild_id is set."},
	{"discord.prefix", OPT_STRING, "!", 1, 16, NULL, OFF(prefix),
	 "Prefix of chat commands; a mention of the bot works too."},
	{"discord.intents", OPT_INT, "37377", 0, (1LL << 26) - 1, NULL, OFF(intents),
	 "Gateway intents override (default GUILDS|GUILD_MESSAGES|DIRECT_MESSAGES|MESSAGE_CONTENT)."},
	{"discord.compress", OPT_BOOL, "true", 0, 0, NULL, OFF(compress),
	 "zlib-stream transport compression."},
	{"discord.large_threshold", OPT_INT, "250", 50, 250, NULL, OFF(large_threshold),
	 "Members above which a guild is 'large' in GUILD_CREATE."},
	{"discord.global_rate_limit", OPT_INT, "50", 1, 100000, NULL, OFF(global_rate_limit),
	 "REST requests per second over all routes (Discord's global limit is 50; raise it only "
	 "for a bot Discord allows more, or for a benchmark)."},
	{"storage", OPT_OBJECT, NULL, 0, 0, NULL, NONE, "Storage settings."},
	{"storage.path", OPT_STRING, "hallway.db", 1, PATH_MAX, NULL, OFF(storage_path),
	 "SQLite database file (relative to the config file's folder). With a PostgreSQL "
	 "storage.url it keeps the host's own small state."},
	{"storage.url", OPT_STRING, NULL, 8, 2048, NULL, OFF(storage_url),
	 "Where plugins keep their data: sqlite:PATH (the same as storage.path) or a "
	 "postgresql:// URL (libpq syntax; two daemons may share it, see docs/PRODUCTION.md)."},
	{"storage.lease_ms", OPT_INT, "5000", 1000, 600000, NULL, OFF(lease_ms),
	 "PostgreSQL: how long the active daemon's lease lasts unrenewed; the standby takes "
	 "over this long (at most) after the active one stops answering."},
	{"storage.session_save_ms", OPT_INT, "2000", 100, 600000, NULL, OFF(session_save_ms),
	 "PostgreSQL with two daemons: the active one saves its Discord session (and the last "
	 "sequence number) at most this often while events come in, so the one that takes over "
	 "resumes it; a longer time only means more events replayed (and skipped) at a "
	 "takeover."},
	{"plugin_dir", OPT_STRING, NULL, 1, PATH_MAX, NULL, OFF(plugin_dir),
	 "Where plugins are found (default: plugins/ beside the binary)."},
	{"plugins", OPT_OBJECT, NULL, 0, 0, NULL, NONE,
	 "Plugins to load: each key names one, its value is that plugin's config."},
	{"organizer_roles", OPT_STRING_ARRAY, NULL, 0, 0, NULL, NONE,
	 "Role IDs or role names whose members may run organizer commands."},
	{"log", OPT_OBJECT, NULL, 0, 0, NULL, NONE, "Logging."},
	{"log.level", OPT_STRING, "info", 0, 0, log_levels, OFF(log_level),
	 "error, warn, info or debug."},
	{"log.format", OPT_STRING, "text", 0, 0, log_formats, OFF(log_format),
	 "text (human-readable lines) or json (JSON lines)."},
	{"http", OPT_OBJECT, NULL, 0, 0, NULL, NONE,
	 "The HTTP server: lobby screens (/screen), the organizer page (/organizer), /healthz and "
	 "/metrics."},
	{"http.listen", OPT_STRING, NULL, 3, 128, NULL, OFF(http_listen),
	 "Address:port for /healthz and /metrics; \"http\": {} alone means 127.0.0.1:9464; off without an http object."},
	{"http.public_url", OPT_STRING, NULL, 8, 300, NULL, OFF(http_public_url),
	 "The address people open, e.g. https://hallway.example.org behind a reverse proxy: "
	 "sign-in links point there, and https makes the session cookie Secure (default: "
	 "http://<http.listen>)."},
	{"http.signin_seconds", OPT_INT, "600", 5, 86400, NULL, OFF(http_signin_seconds),
	 "How long a sign-in link from the dashboard command stays valid (it works once)."},
	{"shutdown_timeout_ms", OPT_INT, "5000", 0, 60000, NULL, OFF(shutdown_timeout_ms),
	 "How long SIGTERM waits for queued sends."},
	{"limits", OPT_OBJECT, NULL, 0, 0, NULL, NONE,
	 "Fair use: per-user command budgets, so one user's spam cannot delay others' answers."},
	{"limits.user_commands", OPT_INT, "5", 0, 10000, NULL, OFF(user_commands),
	 "Commands one user may run per limits.user_window_ms, chat and slash together (0: no "
	 "limit). Over it the user gets one \"slow down\" notice per window; further commands "
	 "are dropped without an answer."},
	{"limits.user_burst", OPT_INT, "3", 1, 10000, NULL, OFF(user_burst),
	 "Commands one user may run at once before the rate applies. With the notice it should "
	 "stay below Discord's 5 messages per 5 s per channel, so others' answers never wait."},
	{"limits.user_window_ms", OPT_INT, "10000", 100, 3600000, NULL, OFF(user_window_ms),
	 "The window of every limits.* budget, in milliseconds."},
	{"limits.organizer_commands", OPT_INT, "30", 0, 10000, NULL, OFF(organizer_commands),
	 "Organizer commands one organizer may run per window: a budget of their own (0: no "
	 "limit)."},
	{"limits.interactions", OPT_INT, "30", 0, 10000, NULL, OFF(interactions),
	 "Button presses and menu choices one user may make per window: a budget of their own "
	 "(0: no limit)."},
	{"limits.reply_messages", OPT_INT, "3", 1, 50, NULL, OFF(reply_messages),
	 "Messages one answer may take in a server channel (Discord allows 5 per 5 s per "
	 "channel, so a longer one would hold up everyone's answers). Beyond it the answer ends "
	 "with a line saying how much was left out and to ask in a DM."},
	{"limits.dm_reply_messages", OPT_INT, "10", 1, 100, NULL, OFF(dm_reply_messages),
	 "Messages one answer may take in a DM or as an ephemeral slash answer; beyond it the "
	 "answer ends with a line saying how much was left out."},
};

#define N_OPTIONS (sizeof(config_options) / sizeof(config_options[0]))

static void report_add(struct config_report *r, int is_error, const char *key, const char *reason);

/* storage.url: "sqlite:PATH" becomes storage.path; a PostgreSQL URL stays
 * in storage_url; anything else is an error. */
static void config_storage_url(struct config *c, struct config_report *report)
{
	const char *u = c->storage_url;
	char *path;

	if (!u)
		return;
	if (!strncmp(u, "postgresql://", 13) || !strncmp(u, "postgres://", 11))
		return;
	if (strncmp(u, "sqlite:", 7) || !u[7]) {
		report_add(report, 1, "storage.url",
			   "want sqlite:PATH or a postgresql:// URL");
		return;
	}
	path = strdup(u + 7);
	if (!path) {
		report_add(report, 1, "storage.url", "out of memory");
		return;
	}
	free(c->storage_path);
	c->storage_path = path;
	free(c->storage_url);
	c->storage_url = NULL;
}

static void report_add(struct config_report *r, int is_error, const char *key, const char *reason)
{
	if (is_error)
		r->errors++;
	else
		r->warnings++;
	if (r->count >= (int)(sizeof(r->items) / sizeof(r->items[0])))
		return;
	r->items[r->count].is_error = is_error;
	hw_fmt(r->items[r->count].text, sizeof(r->items[r->count].text), "%s: %s", key, reason);
	r->count++;
}

/* Borrowed: the value at a dotted path, or NULL. */
static json_t *lookup(json_t *root, const char *path)
{
	char buf[128];
	char *save = NULL, *part;
	json_t *cur = root;
	snprintf(buf, sizeof(buf), "%s", path);
	for (part = strtok_r(buf, ".", &save); part && cur; part = strtok_r(NULL, ".", &save)) {
		if (!json_is_object(cur))
			return NULL;
		cur = json_object_get(cur, part);
	}
	return cur;
}

static const struct option_row *find_row(const char *path)
{
	for (size_t i = 0; i < N_OPTIONS; i++)
		if (!strcmp(config_options[i].path, path))
			return &config_options[i];
	return NULL;
}

/* Warns about keys that no row describes (plugins.* belongs to plugins). */
static void check_unknown(json_t *obj, const char *prefix, struct config_report *r)
{
	const char *key;
	json_t *val;
	json_object_foreach(obj, key, val) {
		char path[256];
		const struct option_row *row;
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", key);
		row = find_row(path);
		if (!row) {
			report_add(r, 0, path, "unknown key (ignored)");
			continue;
		}
		if (row->type == OPT_OBJECT && json_is_object(val) && strcmp(path, "plugins"))
			check_unknown(val, path, r);
	}
}

static int set_string(struct config *c, size_t off, const char *v)
{
	char **slot = (char **)((char *)c + off);
	char *copy = strdup(v);
	if (!copy)
		return -1;
	free(*slot);
	*slot = copy;
	return 0;
}

static void apply_row(struct config *c, const struct option_row *row, json_t *v,
		      struct config_report *r)
{
	char why[160];
	const char *type_name[] = {"a string", "an integer", "true or false", "an object",
				   "an array of strings", "a snowflake ID string"};

	if (!v || json_is_null(v)) {
		if (row->offset == NONE || !row->def)
			return;
		if (row->type == OPT_STRING)
			set_string(c, row->offset, row->def);
		else if (row->type == OPT_INT)
			*(int *)((char *)c + row->offset) = (int)strtoll(row->def, NULL, 10);
		else if (row->type == OPT_BOOL)
			*(int *)((char *)c + row->offset) = !strcmp(row->def, "true");
		return;
	}
	switch (row->type) {
	case OPT_OBJECT:
		if (!json_is_object(v))
			report_add(r, 1, row->path, "must be an object");
		return;
	case OPT_STRING_ARRAY: {
		size_t i;
		json_t *e;
		if (!json_is_array(v)) {
			report_add(r, 1, row->path, "must be an array of strings");
			return;
		}
		json_array_foreach(v, i, e) {
			if (!json_is_string(e) || !json_string_length(e)) {
				snprintf(why, sizeof(why), "item %zu must be a non-empty string", i);
				report_add(r, 1, row->path, why);
			}
		}
		return;
	}
	case OPT_BOOL:
		if (!json_is_boolean(v)) {
			report_add(r, 1, row->path, "must be true or false");
			return;
		}
		*(int *)((char *)c + row->offset) = json_is_true(v);
		return;
	case OPT_INT: {
		long long n;
		if (!json_is_integer(v)) {
			report_add(r, 1, row->path, "must be an integer");
			return;
		}
		n = json_integer_value(v);
		if (n < row->min || n > row->max) {
			snprintf(why, sizeof(why), "must be between %lld and %lld", row->min, row->max);
			report_add(r, 1, row->path, why);
			return;
		}
		if (row->offset == OFF(intents))
			c->intents = (uint32_t)n;
		else
			*(int *)((char *)c + row->offset) = (int)n;
		return;
	}
	case OPT_SNOWFLAKE:
	case OPT_STRING: {
		const char *s;
		size_t len;
		if (!json_is_string(v)) {
			snprintf(why, sizeof(why), "must be %s", type_name[row->type]);
			report_add(r, 1, row->path, why);
			return;
		}
		s = json_string_value(v);
		len = json_string_length(v);
		if (row->type == OPT_SNOWFLAKE && !config_snowflake_ok(s)) {
			report_add(r, 1, row->path,
				   "must be a snowflake ID that can be real (17 to 20 digits, as a "
				   "string; in Discord turn on Developer Mode, then right-click and Copy "
				   "ID)");
			return;
		}
		if (row->type == OPT_STRING && row->max && ((long long)len < row->min || (long long)len > row->max)) {
			snprintf(why, sizeof(why), "length must be between %lld and %lld", row->min, row->max);
			report_add(r, 1, row->path, why);
			return;
		}
		if (row->choices) {
			int ok = 0;
			for (const char *const *ch = row->choices; *ch; ch++)
				ok |= !strcmp(*ch, s);
			if (!ok) {
				snprintf(why, sizeof(why), "must be one of:");
				for (const char *const *ch = row->choices; *ch; ch++) {
					strncat(why, " ", sizeof(why) - strlen(why) - 1);
					strncat(why, *ch, sizeof(why) - strlen(why) - 1);
				}
				report_add(r, 1, row->path, why);
				return;
			}
		}
		if (memchr(s, '\0', len)) {
			report_add(r, 1, row->path, "must not contain NUL characters");
			return;
		}
		set_string(c, row->offset, s);
		return;
	}
	}
}

/* Resolves a path relative to the config file's folder; returns new string. */
static char *resolve_path(const char *dir, const char *p)
{
	char *out;
	size_t n;
	if (!p)
		return NULL;
	if (p[0] == '/' || !dir || !*dir || !strcmp(dir, "."))
		return strdup(p);
	n = strlen(dir) + strlen(p) + 2;
	out = malloc(n);
	if (out)
		snprintf(out, n, "%s/%s", dir, p);
	return out;
}

/* A plugin's tables are "<name>_*": plugin "a" would own plugin "a_b"'s. */
static void check_prefix_overlap(json_t *plugins, const char *name, const char *key,
				 struct config_report *r)
{
	const char *other;
	json_t *v;
	size_t n = strlen(name);
	json_object_foreach(plugins, other, v) {
		char why[200];
		if (strlen(other) > n && !strncmp(other, name, n) && other[n] == '_') {
			snprintf(why, sizeof(why),
				 "its table prefix \"%s_\" would cover plugin \"%s\"'s tables; rename one",
				 name, other);
			report_add(r, 1, key, why);
		}
	}
}

/* The database's folder must exist and be writable (SQLite creates the
 * file, its -wal and -shm beside it): say so now, not at the first write. */
static int check_storage_folder(const char *db_path, enum config_mode mode,
				struct config_report *r)
{
	/* Starting, the folder may only be missing until it is mounted. */
	int is_error = mode != CONFIG_MODE_START;
	char *copy, *dir, why[PATH_MAX + 100];
	struct stat st;
	int errors = r->errors;
	if (!db_path || !(copy = strdup(db_path)))
		return 0;
	dir = dirname(copy);
	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		snprintf(why, sizeof(why), "the folder %s does not exist (create it, or fix the path)",
			 dir);
		report_add(r, is_error, "storage.path", why);
	} else if (access(dir, W_OK | X_OK)) {
		snprintf(why, sizeof(why), "the folder %s is not writable by this user", dir);
		report_add(r, is_error, "storage.path", why);
	}
	free(copy);
	return r->errors != errors;
}

static void validate_semantics(struct config *c, enum config_mode mode, struct config_report *r)
{
	const char *env = getenv("HALLWAY_DISCORD_TOKEN");
	if (env && *env)
		set_string(c, OFF(token), env);
	if (mode != CONFIG_MODE_CONSOLE && (!c->token || !*c->token))
		report_add(r, 1, "discord.token",
			   "missing (set discord.token or the HALLWAY_DISCORD_TOKEN environment variable)");
	if (c->token && *c->token && strlen(c->token) < 10)
		report_add(r, 1, "discord.token", "too short to be a bot token");
	if (c->token && (strchr(c->token, ' ') || strchr(c->token, '\n')))
		report_add(r, 1, "discord.token", "must not contain spaces (give the raw token, without \"Bot \")");
	if (c->http_listen) {
		char host[256];
		int port;
		if (config_parse_listen(c->http_listen, host, sizeof(host), &port))
			report_add(r, 1, "http.listen",
				   "must be address:port with a port 0..65535 (e.g. 127.0.0.1:9464 or "
				   "[::1]:9464)");
	}
	if (c->api_base && !hw_url_is_http(c->api_base))
		report_add(r, 1, "discord.api_base", "must be an http:// or https:// URL");
	if (c->api_base) {
		size_t n = strlen(c->api_base);
		while (n > 0 && c->api_base[n - 1] == '/')
			c->api_base[--n] = '\0';
	}
	if (mode != CONFIG_MODE_CONSOLE && !c->guild_id && json_array_size(c->organizer_roles))
		report_add(r, 0, "discord.guild_id",
			   "not set: organizer_roles grant nothing on Discord (organizer commands work "
			   "only on the console); set it to the conference server's ID");
	if (c->plugins) {
		const char *name;
		json_t *v;
		json_object_foreach(c->plugins, name, v) {
			char key[300];
			snprintf(key, sizeof(key), "plugins.%s", name);
			if (!*name || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(name))
				report_add(r, 1, key, "plugin names use only a-z, 0-9, _ and -");
			else if (!json_is_object(v) && !json_is_true(v) && !json_is_null(v))
				report_add(r, 1, key, "must be an object (the plugin's config), true or null");
			else
				check_prefix_overlap(c->plugins, name, key, r);
		}
	}
}

/* on_disk: origin_path is a real file on this machine, so the paths in
 * it can be checked against the filesystem. */
static int load_text(const char *text, const char *origin_path, enum config_mode mode,
		     struct config **out, struct config_report *report, int on_disk)
{
	struct config *c = NULL;
	json_error_t jerr;
	json_t *root;
	char *tmp;
	char why[300];

	memset(report, 0, sizeof(*report));
	root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		snprintf(why, sizeof(why), "invalid JSON at line %d column %d: %s", jerr.line,
			 jerr.column, jerr.text);
		report_add(report, 1, "(file)", why);
		return -1;
	}
	if (!json_is_object(root)) {
		report_add(report, 1, "(file)", "the top level must be a JSON object");
		json_decref(root);
		return -1;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		json_decref(root);
		report_add(report, 1, "(file)", "out of memory");
		return -1;
	}
	c->root = root;
	c->path = strdup(origin_path ? origin_path : "(string)");
	tmp = strdup(c->path ? c->path : ".");
	c->dir = strdup(tmp ? dirname(tmp) : ".");
	free(tmp);

	check_unknown(root, "", report);
	for (size_t i = 0; i < N_OPTIONS; i++)
		apply_row(c, &config_options[i], lookup(root, config_options[i].path), report);
	c->plugins = json_object_get(root, "plugins");
	if (!json_is_object(c->plugins))
		c->plugins = NULL;
	c->organizer_roles = json_object_get(root, "organizer_roles");
	if (!json_is_array(c->organizer_roles))
		c->organizer_roles = NULL;
	validate_semantics(c, mode, report);
	config_storage_url(c, report);

	tmp = resolve_path(c->dir, c->storage_path);
	free(c->storage_path);
	c->storage_path = tmp;
	if (on_disk)
		check_storage_folder(c->storage_path, mode, report);
	if (c->plugin_dir) {
		tmp = resolve_path(c->dir, c->plugin_dir);
		free(c->plugin_dir);
		c->plugin_dir = tmp;
	}
	if (report->errors) {
		config_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

int config_load_string(const char *text, const char *origin_path, enum config_mode mode,
		       struct config **out, struct config_report *report)
{
	return load_text(text, origin_path, mode, out, report, 0);
}

int config_load(const char *path, enum config_mode mode, struct config **out,
		struct config_report *report)
{
	FILE *f;
	char *buf = NULL;
	long len;
	int rc = -1;
	struct stat st;
	int world_readable = 0;

	memset(report, 0, sizeof(*report));
	f = fopen(path, "rb");
	if (!f) {
		char why[256];
		snprintf(why, sizeof(why), "cannot open: %s", strerror(errno));
		report_add(report, 1, path, why);
		return -1;
	}
	if (!fstat(fileno(f), &st) && (st.st_mode & (S_IROTH | S_IWOTH)))
		world_readable = 1;
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || len > 16 * 1024 * 1024 ||
	    fseek(f, 0, SEEK_SET)) {
		report_add(report, 1, path, "cannot read (or larger than 16 MiB)");
		goto out;
	}
	buf = malloc((size_t)len + 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		report_add(report, 1, path, "cannot read");
		goto out;
	}
	buf[len] = '\0';
	rc = load_text(buf, path, mode, out, report, 1);
	if (rc == 0 && world_readable && (*out)->token && *(*out)->token &&
	    !getenv("HALLWAY_DISCORD_TOKEN"))
		report_add(report, 0, "(file)",
			   "readable by other users and holds the token: chmod 600 it, or use HALLWAY_DISCORD_TOKEN");
out:
	free(buf);
	fclose(f);
	return rc;
}

void config_free(struct config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < N_OPTIONS; i++) {
		const struct option_row *row = &config_options[i];
		if (row->offset != NONE && (row->type == OPT_STRING || row->type == OPT_SNOWFLAKE))
			free(*(char **)((char *)c + row->offset));
	}
	free(c->path);
	free(c->dir);
	json_decref(c->root);
	free(c);
}

json_t *config_plugin(const struct config *c, const char *name)
{
	return c && c->plugins ? json_object_get(c->plugins, name) : NULL;
}

void config_print_options(FILE *out)
{
	for (size_t i = 0; i < N_OPTIONS; i++) {
		const struct option_row *row = &config_options[i];
		if (row->type == OPT_OBJECT && strchr(row->path, '.') == NULL &&
		    strcmp(row->path, "plugins"))
			continue;
		fprintf(out, "  %-26s %s%s%s%s\n", row->path, row->help, row->def ? " [default: " : "",
			row->def ? row->def : "", row->def ? "]" : "");
	}
}

void config_report_add(struct config_report *rep, int is_error, const char *key,
		       const char *reason)
{
	report_add(rep, is_error, key, reason);
}

void config_print_markdown(FILE *out)
{
	for (size_t i = 0; i < N_OPTIONS; i++) {
		const struct option_row *row = &config_options[i];
		if (row->type == OPT_OBJECT && strcmp(row->path, "plugins"))
			continue;
		fprintf(out, "| `%s` | ", row->path);
		config_md_cell(out, row->help);
		fprintf(out, " | ");
		config_md_cell(out, row->def ? row->def : "-");
		fprintf(out, " |\n");
	}
}

void config_md_cell(FILE *out, const char *text)
{
	for (const char *c = text ? text : ""; *c; c++) {
		if (*c == '|')
			fputc('\\', out);
		fputc(*c == '\n' ? ' ' : *c, out);
	}
}

int config_parse_listen(const char *s, char *host, size_t hostlen, int *port)
{
	const char *colon, *hs = s, *he;
	char *end;
	long p;
	if (!s)
		return -1;
	if (*s == '[') {
		he = strchr(s, ']');
		if (!he || he[1] != ':')
			return -1;
		hs = s + 1;
		colon = he + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || memchr(s, ':', (size_t)(colon - s)))
			return -1; /* a bare IPv6 address needs brackets */
		he = colon;
	}
	if (!colon[1] || colon[1] == '-' || colon[1] == '+')
		return -1;
	p = strtol(colon + 1, &end, 10);
	if (*end || p < 0 || p > 65535 || (size_t)(he - hs) >= hostlen)
		return -1;
	memcpy(host, hs, (size_t)(he - hs));
	host[he - hs] = '\0';
	*port = (int)p;
	return 0;
}

int config_snowflake_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	unsigned long long v;
	char *end;
	if (n < 17 || n > 20 || strspn(s, "0123456789") != n)
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > (unsigned long long)INT64_MAX)
		return 0;
	/* The top 42 bits are ms since Discord's epoch (2015): 0 is no ID. */
	return (v >> 22) > 0;
}
