/*
 * The reply model (bot/reply/reply_model.c): checking, and golden drawings per
 * door (tests/unit/golden/reply/NAME.model.json drawn as NAME.discord.json
 * and NAME.console.txt; HALLWAY_GOLDEN_UPDATE=1 writes them anew). Every
 * Discord drawing, golden or random, is checked against Discord's limits.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/reply.h>
#include <hallway/tz.h>

#include "reply_model.h"
#include "testlib.h"

#define NOW_MS 1738487520000LL /* Sun 2 Feb 2025 10:12 in Brussels */
/* The schedule's answers (sched-*) are on the sample conference, asked
 * at Thu 26 Nov 2026 10:00 in Brussels. */
#define SAMPLE_NOW_MS 1795683600000LL

static struct hw_tz *brussels;
static int fake_ids_fail;

/* Stands for components.c: inline when short, else a counter. */
static int fake_ids(void *ud, const char *kind, const json_t *payload, char *id, size_t len)
{
	int *n = ud;
	const char *cmd = json_string_value(payload);
	if (fake_ids_fail)
		return -1;
	if (cmd && strlen(cmd) + 5 <= RM_CUSTOM_ID_MAX && strcmp(kind, "m"))
		snprintf(id, len, "hw:%s:%s", kind, cmd);
	else
		snprintf(id, len, "hw:k:%016d", ++*n);
	return 0;
}

static size_t chars(const char *s)
{
	return rm_chars(s);
}

/* Discord's limits on one message body. */
static void check_limits(const json_t *msg, const char *name)
{
	const json_t *embeds = json_object_get(msg, "embeds"), *e, *rows, *row;
	size_t i, k, total = 0;
	const char *content = json_string_value(json_object_get(msg, "content"));
	REQUIRE(content != NULL);
	if (chars(content) > RM_CONTENT_MAX)
		fprintf(stderr, "%s: content too long\n", name);
	CHECK(chars(content) <= RM_CONTENT_MAX);
	CHECK(json_array_size(embeds) <= RM_EMBEDS_MAX);
	CHECK(*content || json_array_size(embeds));
	json_array_foreach(embeds, i, e) {
		const json_t *f;
		const char *title = json_string_value(json_object_get(e, "title"));
		const char *desc = json_string_value(json_object_get(e, "description"));
		CHECK(chars(title) <= RM_EMBED_TITLE_MAX);
		CHECK(chars(desc) <= RM_EMBED_DESC_MAX);
		CHECK(title || desc || json_array_size(json_object_get(e, "fields")));
		CHECK(json_array_size(json_object_get(e, "fields")) <= RM_EMBED_FIELDS_MAX);
		total += chars(title) + chars(desc);
		json_array_foreach(json_object_get(e, "fields"), k, f) {
			CHECK(chars(json_string_value(json_object_get(f, "name"))) <= RM_FIELD_NAME_MAX);
			CHECK(chars(json_string_value(json_object_get(f, "value"))) <= RM_FIELD_VALUE_MAX);
			total += chars(json_string_value(json_object_get(f, "name"))) +
				 chars(json_string_value(json_object_get(f, "value")));
		}
	}
	if (total > RM_EMBED_TOTAL_MAX)
		fprintf(stderr, "%s: embeds hold %zu characters\n", name, total);
	CHECK(total <= RM_EMBED_TOTAL_MAX);
	rows = json_object_get(msg, "components");
	CHECK(json_array_size(rows) <= 5);
	json_array_foreach(rows, i, row) {
		const json_t *c;
		CHECK(json_integer_value(json_object_get(row, "type")) == 1);
		CHECK(json_array_size(json_object_get(row, "components")) >= 1);
		CHECK(json_array_size(json_object_get(row, "components")) <= 5);
		json_array_foreach(json_object_get(row, "components"), k, c) {
			const char *cid = json_string_value(json_object_get(c, "custom_id"));
			json_int_t style = json_integer_value(json_object_get(c, "style"));
			CHECK(!cid || chars(cid) <= RM_CUSTOM_ID_MAX);
			if (json_integer_value(json_object_get(c, "type")) == 2) {
				CHECK(chars(json_string_value(json_object_get(c, "label"))) <=
				      RM_BUTTON_LABEL_MAX);
				/* a link button has a url and no custom_id; the others the reverse */
				CHECK((style == 5) == (cid == NULL));
				CHECK((style == 5) == (json_object_get(c, "url") != NULL));
			} else {
				CHECK(json_integer_value(json_object_get(c, "type")) == 3);
				CHECK(cid != NULL);
				CHECK(json_array_size(json_object_get(c, "options")) <= RM_SELECT_OPTIONS_MAX);
			}
		}
	}
	CHECK(json_array_size(json_object_get(json_object_get(msg, "allowed_mentions"), "parse")) == 0);
	CHECK(json_object_get(msg, "allowed_mentions") != NULL);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1))) {
		if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
		}
	}
	fclose(f);
	return buf;
}

static void golden(const char *dir, const char *name, const char *ext, const char *got)
{
	char path[1200];
	char *want;
	snprintf(path, sizeof(path), "%s/%s.%s", dir, name, ext);
	if (getenv("HALLWAY_GOLDEN_UPDATE")) {
		FILE *f = fopen(path, "wb");
		REQUIRE(f != NULL);
		fputs(got, f);
		fclose(f);
		return;
	}
	want = slurp(path);
	if (!want || strcmp(want, got))
		fprintf(stderr, "%s differs from the drawing:\n%s\n", path, got);
	CHECK(want && !strcmp(want, got));
	free(want);
}

/* The instant a golden model is drawn at: the schedule's answers on the
 * sample conference at its own instant, announce's posts five minutes
 * before they start (Thu 26 Nov 2026 10:10 or 10:20 in Brussels). */
static int64_t golden_now(const char *name)
{
	if (!strncmp(name, "sched-", 6))
		return SAMPLE_NOW_MS;
	if (!strcmp(name, "announce-soon-big"))
		return 1795684800000LL;
	if (!strncmp(name, "announce-", 9))
		return 1795684200000LL;
	return NOW_MS;
}

static void draw_golden(const char *name)
{
	char dir[900], path[1200], why[200];
	const char *src = getenv("HALLWAY_SOURCE_DIR");
	json_error_t err;
	json_t *model, *msg;
	char *dump;
	int n = 0;
	struct rm_discord_opts o = {fake_ids, &n, "!"};
	hw_buf text;

	snprintf(dir, sizeof(dir), "%s/tests/unit/golden/reply", src ? src : ".");
	snprintf(path, sizeof(path), "%s/%s.model.json", dir, name);
	model = json_load_file(path, 0, &err);
	if (!model)
		fprintf(stderr, "%s: %s\n", path, err.text);
	REQUIRE(model != NULL);
	if (reply_model_check(model, why, sizeof(why)))
		fprintf(stderr, "%s: %s\n", name, why);
	CHECK(reply_model_check(model, why, sizeof(why)) == 0);
	msg = reply_model_discord(model, &o);
	REQUIRE(msg != NULL);
	check_limits(msg, name);
	dump = json_dumps(msg, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	REQUIRE(dump != NULL);
	golden(dir, name, "discord.json", dump);
	free(dump);
	json_decref(msg);

	hw_buf_init(&text, 0);
	reply_model_console(model, brussels, golden_now(name), 0, &text);
	hw_buf_add(&text, "\n");
	REQUIRE(hw_buf_str(&text) != NULL);
	CHECK(strchr(hw_buf_str(&text), '\033') == NULL); /* no ANSI off a terminal */
	golden(dir, name, "console.txt", hw_buf_str(&text));
	hw_buf_free(&text);
	json_decref(model);
}

/* Every NAME.model.json of the folder: the hand-written ones (next,
 * sprints, table, long, hostile) and the plugins' models the plugins'
 * tests keep there (sched-*, announce-soon-*). */
TEST(golden_drawings)
{
	const char *src = getenv("HALLWAY_SOURCE_DIR");
	char dir[900];
	struct dirent *e;
	DIR *d;
	size_t n = 0;
	snprintf(dir, sizeof(dir), "%s/tests/unit/golden/reply", src ? src : ".");
	REQUIRE((d = opendir(dir)) != NULL);
	while ((e = readdir(d))) {
		char name[256];
		size_t len = strlen(e->d_name);
		if (len <= 11 || len - 11 >= sizeof(name) || strcmp(e->d_name + len - 11, ".model.json"))
			continue;
		memcpy(name, e->d_name, len - 11);
		name[len - 11] = '\0';
		draw_golden(name);
		n++;
	}
	closedir(d);
	CHECK(n >= 9); /* five written by hand, four from the schedule */
}

static json_t *parse(const char *s)
{
	return json_loads(s, 0, NULL);
}

static void refused(const char *model, const char *why_part)
{
	char why[200];
	json_t *m = parse(model);
	int rc = reply_model_check(m, why, sizeof(why));
	if (rc == 0 || !strstr(why, why_part))
		fprintf(stderr, "model %s: rc %d, why \"%s\", expected \"%s\"\n", model, rc, why, why_part);
	CHECK(rc == -1 && strstr(why, why_part));
	json_decref(m);
}

TEST(check_refuses)
{
	refused("[]", "not a JSON object");
	refused("{}", "version");
	refused("{\"version\": 3, \"title\": \"x\"}", "version");
	/* Version 2's keys: a post relies on them, so they need version 2. */
	refused("{\"version\": 1, \"title\": \"x\", \"nonce\": \"a-1\"}", "need version 2");
	refused("{\"version\": 1, \"title\": \"x\", \"mention_users\": [\"42\"]}",
		"need version 2");
	refused("{\"version\": 2, \"title\": \"x\", \"nonce\": \"\"}", "nonce");
	refused("{\"version\": 2, \"title\": \"x\", \"nonce\": \"12345678901234567890123456\"}",
		"nonce");
	refused("{\"version\": 2, \"title\": \"x\", \"nonce\": \"a b\"}", "nonce");
	refused("{\"version\": 2, \"title\": \"x\", \"nonce\": 17}", "nonce");
	refused("{\"version\": 2, \"title\": \"x\", \"mention_users\": \"42\"}", "mention_users");
	refused("{\"version\": 2, \"title\": \"x\", \"mention_users\": [\"<@42>\"]}",
		"not a user id");
	refused("{\"version\": 2, \"title\": \"x\", \"mention_users\": [\"everyone\"]}",
		"not a user id");
	refused("{\"version\": 2, \"title\": \"x\", \"mention_users\": [\"123456789012345678901\"]}",
		"not a user id");
	refused("{\"version\": 2, \"title\": \"x\", \"mention_users\": [\"42\", \"42\"]}", "twice");
	{
		/* At most HW_REPLY_MENTIONS_MAX users. */
		json_t *m = json_pack("{s:i, s:s, s:[]}", "version", 2, "title", "x", "mention_users");
		char why[200], id[24];
		for (int i = 0; i <= HW_REPLY_MENTIONS_MAX; i++) {
			snprintf(id, sizeof(id), "%d", 1000 + i);
			json_array_append_new(json_object_get(m, "mention_users"), json_string(id));
		}
		CHECK(reply_model_check(m, why, sizeof(why)) == -1 && strstr(why, "mention_users"));
		json_array_remove(json_object_get(m, "mention_users"), 0);
		CHECK(reply_model_check(m, why, sizeof(why)) == 0);
		json_decref(m);
	}
	refused("{\"version\": 1}", "nothing to show");
	refused("{\"version\": 1, \"title\": 3}", "title: not a string");
	refused("{\"version\": 1, \"items\": [{\"kind\": \"song\"}]}", "items[0]: unknown kind");
	refused("{\"version\": 1, \"items\": [{}]}", "items[0]: no \"kind\"");
	refused("{\"version\": 1, \"items\": [{\"kind\": \"talk\", \"start\": \"10:00\"}]}",
		"items[0].start: not an integer");
	refused("{\"version\": 1, \"items\": [{\"kind\": \"talk\", \"start\": 10, \"end\": 5}]}",
		"ends before it starts");
	refused("{\"version\": 1, \"items\": [{\"kind\": \"talk\", \"url\": \"javascript:x\"}]}",
		"items[0].url: not an http(s) link");
	refused("{\"version\": 1, \"items\": [{\"kind\": \"talk\", \"colour\": \"red\"}]}", "colour");
	refused("{\"version\": 1, \"items\": [{\"kind\": \"talk\", \"status\": \"gone\"}]}", "status");
	refused("{\"version\": 1, \"items\": [{\"kind\": \"text\"}]}", "items[0].text: missing");
	refused("{\"version\": 1, \"items\": [{\"kind\": \"table\", \"rows\": [[1]]}]}", "cell");
	refused("{\"version\": 1, \"title\": \"x\", \"more\": {\"shown\": 9, \"total\": 8, "
		"\"command\": \"next\"}}", "more");
	refused("{\"version\": 1, \"title\": \"x\", \"more\": {\"shown\": 1, \"total\": 8}}",
		"more.command");
	refused("{\"version\": 1, \"title\": \"x\", \"actions\": [{\"label\": \"a\"}]}",
		"exactly one of");
	refused("{\"version\": 1, \"title\": \"x\", \"actions\": [{\"label\": \"a\", \"command\": "
		"\"x\", \"url\": \"https://a.b\"}]}", "exactly one of");
	refused("{\"version\": 1, \"title\": \"x\", \"actions\": [{\"label\": \"a\", \"command\": "
		"\"x\\ny\"}]}", "command line");
	refused("{\"version\": 1, \"title\": \"x\", \"actions\": [{\"label\": \"a\", \"modal\": "
		"{\"title\": \"t\", \"command\": \"r\", \"fields\": []}}]}", "1 to 5 fields");
	refused("{\"version\": 1, \"title\": \"x\", \"actions\": [{\"label\": \"a\", \"modal\": "
		"{\"title\": \"t\", \"command\": \"r\", \"fields\": [{\"name\": \"Order\", "
		"\"label\": \"o\"}]}}]}", "argument name");
	refused("{\"version\": 1, \"title\": \"x\", \"actions\": [{\"label\": \"a\", \"modal\": "
		"{\"title\": \"t\", \"command\": \"r\", \"fields\": [{\"name\": \"o\", \"label\": "
		"\"o\"}, {\"name\": \"o\", \"label\": \"p\"}]}}]}", "two fields");
	refused("{\"version\": 1, \"title\": \"x\", \"choice\": {\"command\": \"j\", \"options\": []}}",
		"1 to 25");
	refused("{\"version\": 1, \"title\": \"x\", \"actions\": [{\"label\": \"1\", \"command\": \"a\"},"
		"{\"label\": \"2\", \"command\": \"a\"},{\"label\": \"3\", \"command\": \"a\"},"
		"{\"label\": \"4\", \"command\": \"a\"},{\"label\": \"5\", \"command\": \"a\"},"
		"{\"label\": \"6\", \"command\": \"a\"}]}", "at most 5 actions");
	/* Accepted: unknown keys are ignored. */
	{
		char why[200];
		json_t *m = parse("{\"version\": 1, \"title\": \"x\", \"future\": 1, \"items\": "
				  "[{\"kind\": \"talk\", \"later\": true}]}");
		CHECK(reply_model_check(m, why, sizeof(why)) == 0);
		json_decref(m);
	}
}

/* Without component ids (or when keeping one fails) every command is
 * written out, so nothing is lost. */
TEST(no_components_written_out)
{
	json_t *m = parse("{\"version\": 1, \"title\": \"Next\", \"items\": [{\"kind\": \"talk\", "
			  "\"title\": \"T\"}], \"more\": {\"shown\": 1, \"total\": 9, \"command\": "
			  "\"next page=2\"}, \"actions\": [{\"label\": \"Mine\", \"command\": \"sprint mine\"}]}");
	struct rm_discord_opts o = {NULL, NULL, "!"};
	json_t *msg = reply_model_discord(m, &o);
	const char *content = json_string_value(json_object_get(msg, "content"));
	REQUIRE(msg != NULL);
	CHECK(json_object_get(msg, "components") == NULL);
	CHECK(strstr(content, "1 of 9 shown.") != NULL);
	CHECK(strstr(content, "More: type `!next page=2`") != NULL);
	CHECK(strstr(content, "Mine: type `!sprint mine`") != NULL);
	json_decref(msg);
	fake_ids_fail = 1;
	{
		int n = 0;
		struct rm_discord_opts f = {fake_ids, &n, "/"};
		msg = reply_model_discord(m, &f);
		CHECK(strstr(json_string_value(json_object_get(msg, "content")),
			     "More: type `/next page=2`") != NULL);
		json_decref(msg);
	}
	fake_ids_fail = 0;
	json_decref(m);
}

/* Version 2: the nonce rides the message with enforce_nonce; the users to
 * ping are written in the content, and the drawing's own allowed_mentions
 * pings nobody (the host names the users: api_reply.c, rest.c). The
 * console shows neither. */
TEST(nonce_and_mentions)
{
	json_t *m = parse("{\"version\": 2, \"title\": \"Starting in 5 minutes\", "
			  "\"nonce\": \"5f3a9c01-17\", \"mention_users\": [\"5001\", \"5002\"], "
			  "\"items\": [{\"kind\": \"talk\", \"title\": \"<@5003> @everyone\"}]}");
	int n = 0;
	struct rm_discord_opts o = {fake_ids, &n, "!"};
	json_t *msg;
	hw_buf text;
	char why[200];
	REQUIRE(m != NULL);
	CHECK(reply_model_check(m, why, sizeof(why)) == 0);
	msg = reply_model_discord(m, &o);
	REQUIRE(msg != NULL);
	CHECK_STREQ(json_string_value(json_object_get(msg, "nonce")), "5f3a9c01-17");
	CHECK(json_is_true(json_object_get(msg, "enforce_nonce")));
	CHECK_STREQ(json_string_value(json_object_get(msg, "content")),
		    "**Starting in 5 minutes**\n<@5001> <@5002>");
	CHECK(json_object_get(json_object_get(msg, "allowed_mentions"), "users") == NULL);
	CHECK_STREQ(json_string_value(json_object_get(json_array_get(json_object_get(msg, "embeds"), 0),
						      "title")),
		    "\\<\\@5003\\> \\@everyone");
	json_decref(msg);
	hw_buf_init(&text, 0);
	reply_model_console(m, NULL, NOW_MS, 0, &text);
	REQUIRE(hw_buf_str(&text) != NULL);
	CHECK(strstr(hw_buf_str(&text), "5001") == NULL);
	CHECK(strstr(hw_buf_str(&text), "5f3a9c01") == NULL);
	hw_buf_free(&text);
	json_decref(m);
}

static uint64_t rnd_state = 88172645463325252ULL;
static unsigned rnd(unsigned n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (unsigned)(rnd_state % n);
}

static json_t *rnd_string(size_t max)
{
	static const char *pieces[] = {"a", "é", "**", "<@1>", "`", "\n", "Rust", " ", "🦀", "\\", "_"};
	char buf[8192] = "";
	size_t n = rnd((unsigned)max) + 1, len = 0, c = 0;
	while (c < n) {
		const char *p = pieces[rnd(sizeof(pieces) / sizeof(pieces[0]))];
		if (c + chars(p) > n)
			p = "a";
		if (len + strlen(p) + 1 >= sizeof(buf))
			break;
		memcpy(buf + len, p, strlen(p) + 1);
		len += strlen(p);
		c += chars(p);
	}
	return json_string(buf);
}

/* Random models, checked and drawn: always within the limits, and what
 * does not fit is said. */
TEST(random_models_stay_within_limits)
{
	for (int round = 0; round < 300; round++) {
		json_t *items = json_array(), *m;
		unsigned n = rnd(60);
		int ids = 0;
		struct rm_discord_opts o = {fake_ids, &ids, "!"};
		char why[200];
		json_t *msg;
		hw_buf text;
		for (unsigned i = 0; i < n; i++) {
			static const char *kinds[] = {"talk", "sprint", "openspace", "text", "field", "table"};
			const char *kind = kinds[rnd(6)];
			json_t *it = json_pack("{s:s}", "kind", kind);
			if (!strcmp(kind, "text")) {
				json_object_set_new(it, "text", rnd_string(rnd(2) ? 30 : 1500));
			} else if (!strcmp(kind, "field")) {
				json_object_set_new(it, "name", rnd_string(50));
				json_object_set_new(it, "value", rnd_string(300));
			} else if (!strcmp(kind, "table")) {
				json_t *rows = json_array();
				for (unsigned r = rnd(30); r > 0; r--)
					json_array_append_new(rows, json_pack("[o,o]", rnd_string(30),
									      rnd_string(30)));
				json_object_set_new(it, "rows", rows);
				json_object_set_new(it, "columns", json_pack("[s,s]", "A", "B"));
			} else {
				json_object_set_new(it, "title", rnd_string(rnd(4) ? 20 : 300));
				json_object_set_new(it, "room", rnd_string(20));
				json_object_set_new(it, "note", rnd_string(rnd(3) ? 10 : 1000));
				json_object_set_new(it, "speakers", json_pack("[o,o]", rnd_string(40),
									      rnd_string(40)));
				json_object_set_new(it, "start", json_integer(NOW_MS + rnd(100) * 60000));
				json_object_set_new(it, "url", json_string("https://example.org/x"));
				json_object_set_new(it, "count", json_integer(rnd(30)));
			}
			json_array_append_new(items, it);
		}
		m = json_pack("{s:i, s:o, s:o}", "version", 2, "title", rnd_string(200), "items", items);
		if (rnd(2))
			json_object_set_new(m, "text", rnd_string(1800));
		if (rnd(3) == 0) {
			/* As many mentions as a model may hold: the content stays
			 * within 2000 characters. */
			json_t *users = json_array();
			char id[24];
			for (unsigned k = rnd(2) ? HW_REPLY_MENTIONS_MAX : rnd(5); k > 0; k--) {
				snprintf(id, sizeof(id), "%llu", 10000000000000000000ULL + k);
				json_array_append_new(users, json_string(id));
			}
			json_object_set_new(m, "mention_users", users);
			json_object_set_new(m, "nonce", json_string("abcdefghijklmnopqrstuvwxy"));
		}
		if (reply_model_check(m, why, sizeof(why))) {
			fprintf(stderr, "round %d: %s\n", round, why);
			CHECK(0);
			json_decref(m);
			continue;
		}
		msg = reply_model_discord(m, &o);
		REQUIRE(msg != NULL);
		check_limits(msg, "random");
		/* Items: each drawn, or counted as not fitting. */
		if (json_array_size(items) && !json_array_size(json_object_get(msg, "embeds")))
			CHECK(strstr(json_string_value(json_object_get(msg, "content")), "did not fit"));
		json_decref(msg);
		hw_buf_init(&text, 0);
		reply_model_console(m, NULL, NOW_MS, rnd(2), &text);
		CHECK(hw_buf_str(&text) != NULL);
		hw_buf_free(&text);
		json_decref(m);
	}
}

int main(void)
{
	if (hw_tz_load(NULL, "Europe/Brussels", &brussels))
		return 1;
	RUN(golden_drawings);
	RUN(check_refuses);
	RUN(no_components_written_out);
	RUN(nonce_and_mentions);
	RUN(random_models_stay_within_limits);
	hw_tz_free(brussels);
	return test_summary();
}
