/* Config validation: the option table, every kind of problem, defaults. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

#include "testlib.h"

static int has_problem(const struct config_report *r, const char *text, int is_error)
{
	for (int i = 0; i < r->count; i++)
		if (strstr(r->items[i].text, text) && r->items[i].is_error == is_error)
			return 1;
	return 0;
}

TEST(defaults)
{
	struct config_report r;
	struct config *c = NULL;
	REQUIRE(config_load_string("{\"discord\": {\"token\": \"abcdefghijklmnop\"}}", "/etc/h/c.json",
				   CONFIG_MODE_RUN, &c, &r) == 0);
	CHECK_INTEQ(r.count, 0);
	CHECK_STREQ(c->api_base, CONFIG_DEFAULT_API_BASE);
	CHECK_STREQ(c->prefix, "!");
	CHECK_INTEQ(c->intents, CONFIG_DEFAULT_INTENTS);
	CHECK_INTEQ(c->compress, 1);
	CHECK_INTEQ(c->large_threshold, 250);
	CHECK_STREQ(c->storage_path, "/etc/h/hallway.db"); /* relative to the file */
	CHECK(c->plugin_dir == NULL);
	CHECK(c->http_listen == NULL);
	CHECK_STREQ(c->log_level, "info");
	CHECK_STREQ(c->log_format, "text");
	CHECK_INTEQ(c->shutdown_timeout_ms, 5000);
	CHECK(c->application_id == NULL && c->guild_id == NULL);
	config_free(c);
}

TEST(every_field)
{
	struct config_report r;
	struct config *c = NULL;
	const char *text =
		"{\"discord\": {\"token\": \"abcdefghijklmnop\", \"api_base\": \"http://127.0.0.1:9/api/v10/\","
		" \"application_id\": \"1100000000000000123\", \"guild_id\": \"1100000000000000456\", \"prefix\": \"?\", \"intents\": 513,"
		" \"compress\": false},"
		" \"storage\": {\"path\": \"/var/lib/h.db\"}, \"plugin_dir\": \"p\","
		" \"plugins\": {\"schedule\": {\"source\": \"x\"}, \"hello\": true},"
		" \"organizer_roles\": [\"Organizer\", \"42\"], \"log\": {\"level\": \"debug\", \"format\": \"json\"}}";
	REQUIRE(config_load_string(text, "conf/c.json", CONFIG_MODE_RUN, &c, &r) == 0);
	CHECK_INTEQ(r.errors, 0);
	CHECK_STREQ(c->api_base, "http://127.0.0.1:9/api/v10"); /* trailing slash dropped */
	CHECK_STREQ(c->application_id, "1100000000000000123");
	CHECK_STREQ(c->guild_id, "1100000000000000456");
	CHECK_STREQ(c->prefix, "?");
	CHECK_INTEQ(c->intents, 513);
	CHECK_INTEQ(c->compress, 0);
	CHECK_STREQ(c->storage_path, "/var/lib/h.db");
	CHECK_STREQ(c->plugin_dir, "conf/p");
	CHECK(json_is_object(config_plugin(c, "schedule")));
	CHECK(json_is_true(config_plugin(c, "hello")));
	CHECK(config_plugin(c, "nope") == NULL);
	CHECK_INTEQ(json_array_size(c->organizer_roles), 2);
	CHECK_STREQ(c->log_format, "json");
	config_free(c);
}

TEST(every_problem_is_listed)
{
	struct config_report r;
	struct config *c = NULL;
	const char *text =
		"{\"discord\": {\"prefix\": 5, \"intents\": \"all\", \"compress\": \"yes\","
		" \"guild_id\": 123, \"application_id\": \"12a\", \"api_base\": \"ftp://example.org\", \"tokn\": 1},"
		" \"storage\": [], \"plugins\": {\"Bad Name\": {}, \"ok\": 5},"
		" \"organizer_roles\": [\"\", 7], \"log\": {\"level\": \"loud\"}, \"colour\": \"blue\"}";
	CHECK(config_load_string(text, "c.json", CONFIG_MODE_RUN, &c, &r) == -1);
	CHECK(c == NULL);
	CHECK(has_problem(&r, "discord.prefix: must be a string", 1));
	CHECK(has_problem(&r, "discord.intents: must be an integer", 1));
	CHECK(has_problem(&r, "discord.compress: must be true or false", 1));
	CHECK(has_problem(&r, "discord.guild_id: must be a snowflake", 1));
	CHECK(has_problem(&r, "discord.application_id: must be a snowflake", 1));
	CHECK(has_problem(&r, "discord.api_base: must be an http", 1));
	CHECK(has_problem(&r, "discord.tokn: unknown key", 0));
	CHECK(has_problem(&r, "colour: unknown key", 0));
	CHECK(has_problem(&r, "storage: must be an object", 1));
	CHECK(has_problem(&r, "plugins.Bad Name: plugin names use only", 1));
	CHECK(has_problem(&r, "plugins.ok: must be an object", 1));
	CHECK(has_problem(&r, "organizer_roles: item 0", 1));
	CHECK(has_problem(&r, "organizer_roles: item 1", 1));
	CHECK(has_problem(&r, "log.level: must be one of: error warn info debug", 1));
	CHECK(has_problem(&r, "discord.token: missing", 1));
	CHECK_INTEQ(r.errors, 13);
}

TEST(token_rules)
{
	struct config_report r;
	struct config *c = NULL;
	/* The console needs no token; running does. */
	CHECK(config_load_string("{}", "c.json", CONFIG_MODE_CONSOLE, &c, &r) == 0);
	config_free(c);
	c = NULL;
	CHECK(config_load_string("{\"discord\": {\"token\": \"\"}}", "c.json", CONFIG_MODE_RUN, &c, &r) == -1);
	CHECK(has_problem(&r, "discord.token: missing", 1));
	CHECK(config_load_string("{\"discord\": {\"token\": \"Bot abcdefghijkl\"}}", "c.json",
				 CONFIG_MODE_RUN, &c, &r) == -1);
	CHECK(has_problem(&r, "without \"Bot \"", 1));
	CHECK(config_load_string("{\"discord\": {\"token\": \"short\"}}", "c.json", CONFIG_MODE_RUN, &c, &r) == -1);
	/* The environment wins over the file. */
	setenv("HALLWAY_DISCORD_TOKEN", "from-the-environment", 1);
	REQUIRE(config_load_string("{\"discord\": {\"token\": \"from-the-file-123\"}}", "c.json",
				   CONFIG_MODE_RUN, &c, &r) == 0);
	CHECK_STREQ(c->token, "from-the-environment");
	config_free(c);
	c = NULL;
	REQUIRE(config_load_string("{}", "c.json", CONFIG_MODE_RUN, &c, &r) == 0);
	config_free(c);
	unsetenv("HALLWAY_DISCORD_TOKEN");
}

TEST(bad_json_and_ranges)
{
	struct config_report r;
	struct config *c = NULL;
	CHECK(config_load_string("{\"discord\": ", "c.json", CONFIG_MODE_CONSOLE, &c, &r) == -1);
	CHECK(has_problem(&r, "(file): invalid JSON at line 1", 1));
	CHECK(config_load_string("[1, 2]", "c.json", CONFIG_MODE_CONSOLE, &c, &r) == -1);
	CHECK(has_problem(&r, "top level must be a JSON object", 1));
	CHECK(config_load_string("{\"a\": 1, \"a\": 2}", "c.json", CONFIG_MODE_CONSOLE, &c, &r) == -1);
	CHECK(config_load_string("{\"discord\": {\"large_threshold\": 10}}", "c.json",
				 CONFIG_MODE_CONSOLE, &c, &r) == -1);
	CHECK(has_problem(&r, "discord.large_threshold: must be between 50 and 250", 1));
	CHECK(config_load_string("{\"discord\": {\"prefix\": \"\"}}", "c.json", CONFIG_MODE_CONSOLE, &c, &r) == -1);
	CHECK(has_problem(&r, "discord.prefix: length must be between 1 and 16", 1));
	CHECK(c == NULL);
}

TEST(plugin_prefixes_must_not_overlap)
{
	struct config_report r;
	struct config *c = NULL;
	CHECK(config_load_string("{\"plugins\": {\"a\": {}, \"a_b\": {}}}", "c.json",
				 CONFIG_MODE_CONSOLE, &c, &r) == -1);
	CHECK(has_problem(&r, "plugins.a: its table prefix \"a_\" would cover plugin \"a_b\"", 1));
	REQUIRE(config_load_string("{\"plugins\": {\"ab\": {}, \"a-b\": {}}}", "c.json",
				   CONFIG_MODE_CONSOLE, &c, &r) == 0);
	config_free(c);
}

TEST(conference_guild_and_foreign_guilds)
{
	struct config_report r;
	struct config *c = NULL;
	/* Default: other guilds are ignored. Organizer roles without a
	 * conference guild grant nothing on Discord: a warning says so. */
	REQUIRE(config_load_string("{\"discord\": {\"token\": \"abcdefghijklmnop\"},"
				   " \"organizer_roles\": [\"Organizer\"]}",
				   "c.json", CONFIG_MODE_RUN, &c, &r) == 0);
	CHECK_STREQ(c->foreign_guilds, "ignore");
	CHECK(has_problem(&r, "discord.guild_id: not set: organizer_roles grant nothing", 0));
	config_free(c);
	REQUIRE(config_load_string("{\"discord\": {\"token\": \"abcdefghijklmnop\", \"guild_id\": \"1000000000000000100\","
				   " \"foreign_guilds\": \"answer\"}, \"organizer_roles\": [\"Organizer\"]}",
				   "c.json", CONFIG_MODE_RUN, &c, &r) == 0);
	CHECK_STREQ(c->foreign_guilds, "answer");
	CHECK_INTEQ(r.count, 0);
	config_free(c);
	CHECK(config_load_string("{\"discord\": {\"token\": \"abcdefghijklmnop\","
				 " \"foreign_guilds\": \"organizers\"}}",
				 "c.json", CONFIG_MODE_RUN, &c, &r) != 0);
	CHECK(has_problem(&r, "discord.foreign_guilds: must be one of: ignore answer", 1));
}

/* Issue 14: mistakes that passed --check-config before. */
TEST(ids_listen_and_storage_folder)
{
	struct config_report r;
	struct config *c = NULL;
	char path[] = "/tmp/hallway-config-test-XXXXXX";
	const char *text =
		"{\"discord\": {\"token\": \"abcdefghijklmnop\", \"guild_id\": \"000000000000000000\"},"
		" \"http\": {\"listen\": \"localhost:abc\"}}";
	FILE *f;
	int fd;
	CHECK(config_load_string(text, "c.json", CONFIG_MODE_RUN, &c, &r) == -1);
	CHECK(has_problem(&r, "discord.guild_id: must be a snowflake ID that can be real", 1));
	CHECK(has_problem(&r, "http.listen: must be address:port", 1));
	CHECK_INTEQ(r.errors, 2);
	/* A real-looking ID and address pass. */
	c = NULL;
	CHECK(config_load_string("{\"discord\": {\"token\": \"abcdefghijklmnop\", \"guild_id\": "
				 "\"1100000000000000456\"}, \"http\": {\"listen\": \"[::1]:9464\"}}",
				 "c.json", CONFIG_MODE_RUN, &c, &r) == 0);
	config_free(c);
	/* From a file: the storage folder must exist. */
	fd = mkstemp(path);
	REQUIRE(fd >= 0);
	f = fdopen(fd, "w");
	REQUIRE(f);
	fputs("{\"discord\": {\"token\": \"abcdefghijklmnop\"}, \"storage\": {\"path\": "
	      "\"/nonexistent-hallway-dir/h.db\"}}", f);
	fclose(f);
	c = NULL;
	CHECK(config_load(path, CONFIG_MODE_RUN, &c, &r) == -1);
	CHECK(c == NULL);
	CHECK(has_problem(&r, "storage.path: the folder /nonexistent-hallway-dir does not exist", 1));
	unlink(path);
}

int main(void)
{
	unsetenv("HALLWAY_DISCORD_TOKEN");
	RUN(defaults);
	RUN(every_field);
	RUN(every_problem_is_listed);
	RUN(token_rules);
	RUN(bad_json_and_ranges);
	RUN(plugin_prefixes_must_not_overlap);
	RUN(conference_guild_and_foreign_guilds);
	RUN(ids_listen_and_storage_folder);
	return test_summary();
}
