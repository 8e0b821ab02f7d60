/* The gateway pre-scan (bot/gateway/gateway_scan.c): whatever it accepts, jansson's
 * json_loadb(JSON_ALLOW_NUL) accepts too, with the same op, s, t and
 * d.content. Checked on hand-written tricky payloads and on a few hundred
 * thousand random mutations of real ones. */
#include "gateway_scan.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

static int disagreements;
/* The loaders are checked on every text but one mutation in four (time). */
static int check_loaders = 1;

/* json_fast_loadb and json_loadb return the same tree (the same dump, so
 * the same key order too), or both NULL, under the given flags. */
static void fast_agrees(const char *text, size_t len, size_t flags)
{
	json_error_t e1, e2;
	json_t *a = json_fast_loadb(text, len, flags, &e1);
	json_t *b = json_loadb(text, len, flags, &e2);
	char *da = a ? json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	char *db = b ? json_dumps(b, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

	if (!a != !b || (a && (!json_equal(a, b) || !da || !db || strcmp(da, db)))) {
		disagreements++;
		fprintf(stderr, "json_fast_loadb (%s) and json_loadb (%s) disagree (flags %zx) on "
			"%zu bytes: %.*s\n", a ? "tree" : "NULL", b ? "tree" : "NULL", flags, len,
			(int)(len > 300 ? 300 : len), text);
	}
	free(da);
	free(db);
	json_decref(a);
	json_decref(b);
}

/* gateway_scan_load_lean: json_loadb's tree with d.members and d.presences
 * deleted, or NULL (then the caller loads it whole). */
static void lean_agrees(const char *text, size_t len)
{
	static const char *const drop[] = {"members", "presences", NULL};
	json_error_t err;
	json_t *lean = gateway_scan_load_lean(text, len, drop), *full, *d;
	char *dl, *df;

	if (!lean)
		return;
	full = json_loadb(text, len, JSON_ALLOW_NUL, &err);
	d = json_object_get(full, "d");
	if (json_is_object(d)) {
		json_object_del(d, "members");
		json_object_del(d, "presences");
	}
	dl = json_dumps(lean, JSON_COMPACT);
	df = full ? json_dumps(full, JSON_COMPACT) : NULL;
	if (!full || !json_equal(lean, full) || !dl || !df || strcmp(dl, df)) {
		disagreements++;
		fprintf(stderr, "the lean load and json_loadb disagree on %zu bytes: %.*s\n", len,
			(int)(len > 300 ? 300 : len), text);
	}
	free(dl);
	free(df);
	json_decref(lean);
	json_decref(full);
}

/* What gateway_scan_load_kept must give, built the slow way: json_loadb's
 * tree with d's members not named in keep deleted (a path "a.b" keeps d.a,
 * and of an object d.a only its "b"). */
static const char *const kept_fields[] = {"id", "content", "author.id", "author.bot",
					  "member.roles", NULL};

static int keep_names(const char *const *keep, const char *parent, const char *key, int *some)
{
	size_t pl = parent ? strlen(parent) : 0, kl = strlen(key);

	*some = 0;
	for (const char *const *e = keep; *e; e++) {
		const char *p = *e;
		if (parent) {
			if (strncmp(p, parent, pl) || p[pl] != '.')
				continue;
			p += pl + 1;
		}
		if (!strcmp(p, key))
			return 1;
		if (!strncmp(p, key, kl) && p[kl] == '.')
			*some = 1;
	}
	return 0;
}

static void keep_prune(json_t *obj, const char *const *keep, const char *parent)
{
	const char *key;
	json_t *v;
	void *tmp;
	int some;

	json_object_foreach_safe(obj, tmp, key, v)
	{
		if (keep_names(keep, parent, key, &some))
			continue;
		if (!some)
			json_object_del(obj, key);
		else if (!parent && json_is_object(v))
			keep_prune(v, keep, key);
	}
}

static void kept_agrees(const char *text, size_t len)
{
	json_error_t err;
	json_t *kept = gateway_scan_load_kept(text, len, kept_fields), *full, *d;
	char *dl, *df;

	if (!kept)
		return;
	full = json_loadb(text, len, JSON_ALLOW_NUL, &err);
	d = json_object_get(full, "d");
	if (json_is_object(d))
		keep_prune(d, kept_fields, NULL);
	dl = json_dumps(kept, JSON_COMPACT);
	df = full ? json_dumps(full, JSON_COMPACT) : NULL;
	if (!full || !json_equal(kept, full) || !dl || !df || strcmp(dl, df)) {
		disagreements++;
		fprintf(stderr, "the kept load and json_loadb disagree on %zu bytes: %.*s\n", len,
			(int)(len > 300 ? 300 : len), text);
	}
	free(dl);
	free(df);
	json_decref(kept);
	json_decref(full);
}

/* Scans text and, if the scan accepts it, checks it against jansson.
 * Returns 1 if the scan accepted it. Every text also goes through
 * json_fast_loadb, checked against json_loadb. */
static int agree_n(const char *text, size_t len, struct gateway_scan *sc)
{
	json_error_t err;
	json_t *root, *d, *c, *s, *t;
	int ok = 1;

	if (check_loaders) {
		fast_agrees(text, len, JSON_ALLOW_NUL);
		lean_agrees(text, len);
		kept_agrees(text, len);
	}
	if (gateway_scan(text, len, sc) != GATEWAY_SCAN_OK)
		return 0;
	root = json_loadb(text, len, JSON_ALLOW_NUL, &err);
	if (!root) {
		ok = 0;
		goto out;
	}
	s = json_object_get(root, "s");
	t = json_object_get(root, "t");
	d = json_object_get(root, "d");
	c = json_is_object(d) ? json_object_get(d, "content") : NULL;
	if (!json_is_integer(json_object_get(root, "op")) ||
	    json_integer_value(json_object_get(root, "op")) != sc->op)
		ok = 0;
	if (sc->has_s != json_is_integer(s) || (sc->has_s && json_integer_value(s) != sc->s))
		ok = 0;
	if (sc->has_t && (!json_is_string(t) || json_string_length(t) != strlen(sc->t) ||
			  strcmp(json_string_value(t), sc->t)))
		ok = 0;
	if (!sc->has_t && json_is_string(t) && json_string_length(t) < 16 &&
	    !memchr(text, '\\', len))
		ok = 0; /* a short plain type must be found */
	if (sc->has_d != (d != NULL))
		ok = 0;
	if (sc->has_content != json_is_string(c))
		ok = 0;
	if (sc->has_content) {
		if (sc->content_len > json_string_length(c) ||
		    memcmp(sc->content, json_string_value(c), sc->content_len) ||
		    (sc->content_whole && sc->content_len != json_string_length(c)))
			ok = 0;
	}
out:
	if (!ok) {
		disagreements++;
		fprintf(stderr, "scan and jansson disagree on %zu bytes: %.*s\n", len,
			(int)(len > 300 ? 300 : len), text);
	}
	json_decref(root);
	return 1;
}

static int agree(const char *text, struct gateway_scan *sc)
{
	return agree_n(text, strlen(text), sc);
}

static int accepts(const char *text)
{
	struct gateway_scan sc;

	return agree(text, &sc);
}

static const char *message_create =
	"{\"op\":0,\"t\":\"MESSAGE_CREATE\",\"s\":42,\"d\":{\"id\":\"1200000000000000001\","
	"\"channel_id\":\"1100\",\"guild_id\":\"1000\",\"channel_type\":0,"
	"\"author\":{\"id\":\"77\",\"username\":\"ada\",\"global_name\":\"Ada \\u00e9\","
	"\"avatar\":null,\"bot\":false},\"member\":{\"roles\":[\"1\",\"2\"],\"nick\":null},"
	"\"content\":\"hello there\",\"timestamp\":\"2026-11-26T09:55:00+00:00\","
	"\"edited_timestamp\":null,\"tts\":false,\"mentions\":[],\"attachments\":[],"
	"\"embeds\":[{\"title\":\"x\",\"fields\":[{\"name\":\"a\",\"value\":\"b\"}]}],"
	"\"referenced_message\":{\"content\":\"!ping\",\"id\":\"5\"},\"flags\":0,\"nonce\":-12}}";

TEST(typical_message)
{
	struct gateway_scan sc;

	REQUIRE(agree(message_create, &sc));
	CHECK_INTEQ(sc.op, 0);
	CHECK(sc.has_s);
	CHECK_INTEQ(sc.s, 42);
	CHECK(sc.has_t);
	CHECK_STREQ(sc.t, "MESSAGE_CREATE");
	CHECK(sc.has_d);
	/* d.content, not referenced_message.content */
	REQUIRE(sc.has_content);
	CHECK_INTEQ(sc.content_len, 11);
	CHECK(!memcmp(sc.content, "hello there", 11));
	CHECK(sc.content_whole);
}

TEST(other_ops_and_shapes)
{
	struct gateway_scan sc;

	REQUIRE(agree(" {\"op\":11,\"d\":null,\"s\":null,\"t\":null}\r\n\t ", &sc));
	CHECK_INTEQ(sc.op, 11);
	CHECK(!sc.has_s);
	CHECK(!sc.has_t);
	CHECK(sc.has_d);
	CHECK(!sc.has_content);
	REQUIRE(agree("{\"op\":10,\"d\":{\"heartbeat_interval\":41250}}", &sc));
	CHECK_INTEQ(sc.op, 10);
	CHECK(!sc.has_d || !sc.has_content);
	/* content that is not a string, d that is not an object */
	REQUIRE(agree("{\"op\":0,\"t\":\"X\",\"s\":1,\"d\":{\"content\":null}}", &sc));
	CHECK(!sc.has_content);
	REQUIRE(agree("{\"op\":0,\"t\":\"X\",\"s\":1,\"d\":[{\"content\":\"a\"}]}", &sc));
	CHECK(!sc.has_content);
	REQUIRE(agree("{\"op\":0,\"t\":\"X\",\"s\":1,\"d\":\"content\"}", &sc));
	CHECK(!sc.has_content);
	/* s and t of other types are reported missing, not guessed */
	REQUIRE(agree("{\"op\":0,\"t\":5,\"s\":\"7\",\"d\":{}}", &sc));
	CHECK(!sc.has_s);
	CHECK(!sc.has_t);
	/* an escaped type is left to the parser */
	REQUIRE(agree("{\"op\":0,\"t\":\"MESSAGE\\u005fCREATE\",\"s\":1}", &sc));
	CHECK(!sc.has_t);
	/* keys with escapes below d are fine */
	CHECK(accepts("{\"op\":0,\"d\":{\"author\":{\"\\u0069d\":\"1\"}}}"));
	/* -0 is 0; the largest integer taken */
	REQUIRE(agree("{\"op\":-0,\"s\":999999999999999999}", &sc));
	CHECK_INTEQ(sc.op, 0);
	CHECK_INTEQ(sc.s, 999999999999999999LL);
	REQUIRE(agree("{\"op\":1,\"s\":-999999999999999999}", &sc));
	CHECK_INTEQ(sc.s, -999999999999999999LL);
}

TEST(content_with_escapes)
{
	struct gateway_scan sc;

	REQUIRE(agree("{\"op\":0,\"t\":\"MESSAGE_CREATE\",\"s\":3,\"d\":{\"content\":\"ab\\ncd\"}}",
		      &sc));
	CHECK_INTEQ(sc.content_len, 2);
	CHECK(!sc.content_whole);
	REQUIRE(agree("{\"op\":0,\"d\":{\"content\":\"\\\"!ping\\\"\"}}", &sc));
	CHECK_INTEQ(sc.content_len, 0);
	CHECK(!sc.content_whole);
	REQUIRE(agree("{\"op\":0,\"d\":{\"content\":\"\"}}", &sc));
	CHECK_INTEQ(sc.content_len, 0);
	CHECK(sc.content_whole);
	/* UTF-8 passes through as is */
	REQUIRE(agree("{\"op\":0,\"d\":{\"content\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}}",
		      &sc));
	CHECK_INTEQ(sc.content_len, 14);
	CHECK(sc.content_whole);
	CHECK(accepts("{\"op\":0,\"d\":{\"content\":\"\\/\\b\\f\\r\\t\\\\\\u00e9\\uFFFF\"}}"));
}

/* Valid JSON the scan leaves to jansson (it is unsure about it). */
TEST(falls_back_when_unsure)
{
	static const char *cases[] = {
		"{\"op\":0,\"s\":1.5}",                          /* reals */
		"{\"op\":0,\"s\":1e3}",
		"{\"op\":0,\"s\":1E3}",
		"{\"op\":0,\"d\":{\"x\":-0.0}}",
		"{\"op\":0,\"s\":1234567890123456789}",          /* 19 digits */
		"{\"op\":0,\"op\":1}",                           /* duplicates jansson resolves */
		"{\"op\":0,\"s\":1,\"s\":2}",
		"{\"op\":0,\"t\":\"A\",\"t\":\"B\"}",
		"{\"op\":0,\"d\":{},\"d\":{\"content\":\"!x\"}}",
		"{\"op\":0,\"d\":{\"content\":\"a\",\"content\":\"!x\"}}",
		"{\"\\u006fp\":0}",                              /* escaped keys that we read */
		"{\"op\":0,\"\\u0064\":{\"content\":\"!x\"}}",
		"{\"op\":0,\"d\":{\"cont\\u0065nt\":\"!x\"}}",
		"{\"op\":0,\"d\":{\"content\":\"a\\u0000b\"}}",  /* NUL and surrogates */
		"{\"op\":0,\"d\":{\"content\":\"\\ud83d\\ude00\"}}",
		"{\"op\":0,\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
		"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
		"{\"s\":1}",                                     /* no op */
		"{\"op\":\"0\"}",
		"{\"op\":-1}",
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_error_t err;
		json_t *j = json_loads(cases[i], JSON_ALLOW_NUL, &err);

		CHECK(j != NULL); /* they are JSON */
		json_decref(j);
		if (accepts(cases[i]))
			fprintf(stderr, "accepted: %s\n", cases[i]);
		CHECK(!accepts(cases[i]));
	}
}

/* Not JSON (jansson rejects them): never accepted. */
TEST(rejects_what_jansson_rejects)
{
	static const char *cases[] = {
		"",
		" ",
		"[]",
		"0",
		"\"op\"",
		"{",
		"{\"op\":0",
		"{\"op\":0,}",
		"{\"op\":0}}",
		"{\"op\":0} x",
		"{\"op\":0}{}",
		"{\"op\":00}",
		"{\"op\":01}",
		"{\"op\":-}",
		"{\"op\":+1}",
		"{\"op\":0,\"d\":[1,]}",
		"{\"op\":0,\"d\":[,1]}",
		"{\"op\":0,\"d\":tru}",
		"{\"op\":0,\"d\":truee}",
		"{\"op\":0,\"d\":nul}",
		"{\"op\":0,\"d\":True}",
		"{\"op\":0,\"d\":'x'}",
		"{op:0}",
		"{\"op\" 0}",
		"{\"op\":0 \"s\":1}",
		"{\"op\":0,\"d\":\"a\x01\"}",                    /* control characters */
		"{\"op\":0,\"d\":\"a\tb\"}",
		"{\"op\":0,\"d\":\"a\\x\"}",                     /* bad escapes */
		"{\"op\":0,\"d\":\"a\\u12\"}",
		"{\"op\":0,\"d\":\"a\\u12g4\"}",
		"{\"op\":0,\"d\":\"a\\\"}",
		"{\"op\":0,\"d\":\"\\ud800\"}",                  /* lone surrogates */
		"{\"op\":0,\"d\":\"\\udc00\"}",
		"{\"op\":0,\"d\":\"\xc0\x80\"}",                 /* bad UTF-8 */
		"{\"op\":0,\"d\":\"\xc1\xbf\"}",
		"{\"op\":0,\"d\":\"\xe0\x80\x80\"}",
		"{\"op\":0,\"d\":\"\xed\xa0\x80\"}",
		"{\"op\":0,\"d\":\"\xf0\x80\x80\x80\"}",
		"{\"op\":0,\"d\":\"\xf4\x90\x80\x80\"}",
		"{\"op\":0,\"d\":\"\xf5\x80\x80\x80\"}",
		"{\"op\":0,\"d\":\"\xff\"}",
		"{\"op\":0,\"d\":\"\x80\"}",
		"{\"op\":0,\"d\":\"\xc3\"}",
		"{\"op\":0,\"d\":\"\xe2\x82\"}",
		"{\"op\":0,\"d\":\"\xc3(\"}",
		"\xef\xbb\xbf{\"op\":0}",                        /* BOM */
		"{\"op\":0,\x0b\"s\":1}",                        /* vertical tab is not whitespace */
		"{\"op\":0,\"d\":\"abc}",
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (accepts(cases[i]))
			fprintf(stderr, "accepted: %s\n", cases[i]);
		CHECK(!accepts(cases[i]));
	}
	/* NUL bytes in the text, and lengths that cut a valid payload */
	CHECK(!agree_n("{\"op\":0}\0", 9, &(struct gateway_scan){0}));
	CHECK(!agree_n("{\"op\":0,\"d\":\"a\0b\"}", 18, &(struct gateway_scan){0}));
	for (size_t n = 0; n < strlen(message_create); n++)
		CHECK(!agree_n(message_create, n, &(struct gateway_scan){0}));
	CHECK_INTEQ(gateway_scan(NULL, 0, &(struct gateway_scan){0}), GATEWAY_SCAN_FALLBACK);
}

TEST(depth_limit)
{
	char buf[400];
	size_t n = 0;

	/* 63 arrays under the top-level object: taken; 64: left to jansson */
	for (int depth = 63; depth <= 64; depth++) {
		n = (size_t)snprintf(buf, sizeof(buf), "{\"op\":0,\"x\":");
		for (int i = 0; i < depth; i++)
			buf[n++] = '[';
		for (int i = 0; i < depth; i++)
			buf[n++] = ']';
		buf[n++] = '}';
		buf[n] = '\0';
		CHECK(accepts(buf) == (depth == 63));
	}
}

/* Random mutations of real payloads: the scan may fall back as often as it
 * likes but must never accept anything jansson would read differently. */
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* Strings are skipped eight bytes at a time: a byte that is not plain
 * must be seen at every offset within the word, in strings of every length. */
TEST(every_byte_at_every_offset)
{
	static const unsigned char special[] = {0x00, 0x01, 0x1f, 0x20, '"', '\\', 0x7f,
						0x80, 0xbf, 0xc0, 0xc3, 0xe2, 0xf0, 0xff};
	char text[256];
	struct gateway_scan sc;
	int accepted = 0;

	for (size_t len = 1; len <= 24; len++) {
		for (size_t at = 0; at < len; at++) {
			for (size_t k = 0; k < sizeof(special); k++) {
				char body[32];
				int n;

				memset(body, 'a', len);
				body[at] = (char)special[k];
				n = snprintf(text, sizeof(text),
					     "{\"op\":0,\"s\":1,\"t\":\"MESSAGE_CREATE\",\"d\":{\"content\":\"");
				memcpy(text + n, body, len);
				n += (int)len;
				n += snprintf(text + n, sizeof(text) - (size_t)n, "\"}}");
				if (agree_n(text, (size_t)n, &sc)) {
					accepted++;
					/* The plain ones are read whole. */
					if (special[k] >= 0x20 && special[k] < 0x80 && special[k] != '"' &&
					    special[k] != '\\')
						CHECK(sc.content_whole && sc.content_len == len);
				} else if (special[k] >= 0x20 && special[k] < 0x80 && special[k] != '"' &&
					   special[k] != '\\') {
					CHECK(!"a plain byte made the scan give up");
				}
			}
		}
	}
	CHECK(accepted > 0);
	CHECK_INTEQ(disagreements, 0);
}

/* json_fast_loadb builds what json_loadb builds: escapes in keys and
 * values, duplicate keys, every length of decoded UTF-8, long strings,
 * top-level scalars under JSON_DECODE_ANY, and whatever falls back. */
TEST(fast_loader_matches_jansson)
{
	static const char *texts[] = {
		"{}", "{\"a\":1,\"b\":[],\"c\":{},\"d\":[1,[2,[3]]],\"e\":null,\"f\":true,\"g\":false}",
		"{\"k\\u00e9y\":\"v\\u0041\\u00e9\\u20ac\\n\\t\\r\\b\\f\\/\\\\\\\"\"}",
		"{\"a\":1,\"b\":2,\"a\":3}", "{\"z\":1,\"y\":2,\"x\":3,\"w\":{\"b\":1,\"a\":2}}",
		"{\"n\":-0,\"m\":-123456789012345678,\"o\":123456789012345678}",
		"{\"big\":1234567890123456789}", "{\"r\":1.5}", "{\"e\":1e3}",
		"{\"nul\":\"a\\u0000b\"}", "{\"pair\":\"\\ud83d\\ude00\"}", "{\"emoji\":\"\xf0\x9f\x98\x80\"}",
		"\"top\"", "12", "[1,2]", "null", "true", " {\"ws\" : [ 1 , 2 ] } ", "{\"a\":1} x",
		"{\"a\":1,}", "[1,]", "", "{", "{\"a\"}", "{\"a\":01}",
	};
	char big[2000];
	size_t n = 0;

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		fast_agrees(texts[i], strlen(texts[i]), JSON_ALLOW_NUL);
		fast_agrees(texts[i], strlen(texts[i]), JSON_DECODE_ANY);
		fast_agrees(texts[i], strlen(texts[i]), 0);
	}
	/* A key and a value of more than 256 bytes, with escapes. */
	n += (size_t)snprintf(big + n, sizeof(big) - n, "{\"");
	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "k\\u00e9");
	n += (size_t)snprintf(big + n, sizeof(big) - n, "\":\"");
	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "v\\n\\u20ac");
	n += (size_t)snprintf(big + n, sizeof(big) - n, "\"}");
	fast_agrees(big, n, JSON_ALLOW_NUL);
	/* A flag the fast path does not know goes to json_loadb. */
	fast_agrees("{\"a\":1,\"a\":2}", 15, JSON_REJECT_DUPLICATES);
	fast_agrees(message_create, strlen(message_create), JSON_ALLOW_NUL);
	CHECK_INTEQ(disagreements, 0);
}

/* A MESSAGE_CREATE loaded with a keep list has d's named members only. */
TEST(kept_message_create)
{
	static const char *texts[] = {
		"{\"op\":0,\"s\":9,\"t\":\"MESSAGE_CREATE\",\"d\":{\"id\":\"5\",\"content\":\"!ping\","
		"\"author\":{\"id\":\"7\",\"username\":\"u\",\"bot\":false,\"avatar\":null},"
		"\"member\":{\"roles\":[\"3\",\"4\"],\"nick\":\"n\",\"joined_at\":\"x\"},"
		"\"embeds\":[{\"id\":{\"x\":1}}],\"nonce\":\"12\"}}",
		"{\"op\":0,\"d\":{\"author\":\"flat\",\"member\":[1,2],\"id\":1,\"id\":2}}",
		"{\"op\":0,\"d\":{\"author\":{\"id\":1},\"author\":{\"bot\":true,\"x\":1}}}",
		"{\"op\":0,\"d\":{\"con\\u0074ent\":\"a\",\"author\":{\"i\\u0064\":\"9\",\"idx\":1}}}",
		"{\"op\":0,\"id\":1,\"d\":{\"x\":{\"id\":1},\"author\":{\"author\":{\"id\":2}}}}",
		"{\"op\":0,\"d\":{\"embeds\":[1,}}", /* broken where it is not built */
	};
	json_t *t, *d;

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		kept_agrees(texts[i], strlen(texts[i]));
	CHECK_INTEQ(disagreements, 0);
	t = gateway_scan_load_kept(texts[0], strlen(texts[0]), kept_fields);
	REQUIRE(t);
	d = json_object_get(t, "d");
	CHECK_INTEQ(json_object_size(d), 4);
	CHECK_STREQ(json_string_value(json_object_get(d, "content")), "!ping");
	CHECK_INTEQ(json_object_size(json_object_get(d, "author")), 2);
	CHECK(json_is_false(json_object_get(json_object_get(d, "author"), "bot")));
	CHECK_INTEQ(json_object_size(json_object_get(d, "member")), 1);
	CHECK_INTEQ(json_array_size(json_object_get(json_object_get(d, "member"), "roles")), 2);
	CHECK(!json_object_get(d, "embeds"));
	CHECK_INTEQ(json_integer_value(json_object_get(t, "s")), 9);
	json_decref(t);
	/* Broken inside a member that is not built: not vouched for. */
	CHECK(!gateway_scan_load_kept(texts[5], strlen(texts[5]), kept_fields));
}

/* A GUILD_CREATE loaded lean keeps everything but d's member lists. */
TEST(lean_guild_create)
{
	static const char *const drop[] = {"members", "presences", NULL};
	static const char *texts[] = {
		"{\"op\":0,\"s\":2,\"t\":\"GUILD_CREATE\",\"d\":{\"id\":\"1\",\"members\":[{\"user\":"
		"{\"id\":\"2\"},\"roles\":[\"3\"]}],\"roles\":[{\"id\":\"3\",\"name\":\"Organizer\"}],"
		"\"presences\":[],\"name\":\"g\"}}",
		"{\"d\":{\"members\":1,\"x\":2,\"members\":3},\"op\":0}",
		"{\"op\":0,\"members\":[1],\"d\":{\"a\":{\"members\":[2]}}}",
		"{\"op\":0,\"d\":{\"mem\\u0062ers\":[1],\"b\":1}}",
		"{\"op\":0,\"d\":[1,{\"members\":2}]}",
		"{\"op\":0,\"d\":{\"members\":[1,}}", /* broken where it is dropped */
	};
	json_t *t;

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		lean_agrees(texts[i], strlen(texts[i]));
	t = gateway_scan_load_lean(texts[0], strlen(texts[0]), drop);
	REQUIRE(t);
	CHECK(!json_object_get(json_object_get(t, "d"), "members"));
	CHECK(!json_object_get(json_object_get(t, "d"), "presences"));
	CHECK_INTEQ(json_array_size(json_object_get(json_object_get(t, "d"), "roles")), 1);
	CHECK_STREQ(json_string_value(json_object_get(json_object_get(t, "d"), "name")), "g");
	json_decref(t);
	/* Broken inside a dropped list: not vouched for. */
	CHECK(!gateway_scan_load_lean(texts[5], strlen(texts[5]), drop));
	/* Nested "members" stay: only d's own go. */
	t = gateway_scan_load_lean(texts[2], strlen(texts[2]), drop);
	REQUIRE(t);
	CHECK(json_object_get(t, "members"));
	CHECK(json_object_get(json_object_get(json_object_get(t, "d"), "a"), "members"));
	json_decref(t);
	CHECK_INTEQ(disagreements, 0);
}

TEST(mutations)
{
	static const char *seeds[] = {
		NULL, /* message_create */
		"{\"op\":0,\"t\":\"MESSAGE_CREATE\",\"s\":7,\"d\":{\"content\":\"!ping \\\"x\\\" \\u00e9\","
		"\"author\":{\"id\":\"1\",\"bot\":true},\"n\":[1,-2,0,true,false,null,{}]}}",
		"{\"op\":10,\"d\":{\"heartbeat_interval\":41250},\"s\":null,\"t\":null}",
		"{\"t\":\"GUILD_CREATE\",\"s\":2,\"op\":0,\"d\":{\"roles\":[{\"id\":\"1\",\"name\":\"Organizer\"}]}}",
	};
	static const char *tokens[] = {"\"", "\\", "\\u", "\\u0000", "\\ud83d", "{", "}", "[", "]",
				       ",", ":", "0", "-", ".", "e", "1234567890123456789",
				       "\"op\":", "\"content\":", "\"d\":", "\"s\":1,", "null",
				       "true", " ", "\xc3\xa9", "\xed\xa0\x80", "\xf4\x90", "\xff",
				       "\x01"};
	char buf[4096], tmp[4096];
	int accepted = 0, rejected = 0;

	seeds[0] = message_create;
	for (int iter = 0; iter < 300000; iter++) {
		const char *seed = seeds[rnd(sizeof(seeds) / sizeof(seeds[0]))];
		size_t n = strlen(seed);
		int edits = 1 + (int)rnd(3);
		struct gateway_scan sc;

		memcpy(buf, seed, n);
		for (int e = 0; e < edits; e++) {
			size_t at = n ? rnd((unsigned)n + 1) : 0;

			switch (rnd(4)) {
			case 0: /* overwrite a byte */
				if (at < n)
					buf[at] = (char)rnd(256);
				break;
			case 1: /* delete a range */
				if (at < n) {
					size_t k = 1 + rnd(8);

					if (at + k > n)
						k = n - at;
					memmove(buf + at, buf + at + k, n - at - k);
					n -= k;
				}
				break;
			default: { /* insert a token */
				const char *tok = tokens[rnd(sizeof(tokens) / sizeof(tokens[0]))];
				size_t k = strlen(tok);

				if (n + k < sizeof(buf)) {
					memcpy(tmp, buf + at, n - at);
					memcpy(buf + at, tok, k);
					memcpy(buf + at + k, tmp, n - at);
					n += k;
				}
				break;
			}
			}
		}
		check_loaders = iter % 4 == 0;
		if (agree_n(buf, n, &sc))
			accepted++;
		else
			rejected++;
	}
	check_loaders = 1;
	fprintf(stderr, "mutations: %d accepted, %d left to jansson\n", accepted, rejected);
	/* Both outcomes must actually happen, or this test proves nothing. */
	CHECK(accepted > 10000);
	CHECK(rejected > 10000);
}

/* Repairs text jansson refuses; returns the parsed result (new reference). */
static json_t *repaired(const char *text)
{
	size_t n;
	char *fixed;
	json_t *root;

	CHECK(!json_loads(text, JSON_ALLOW_NUL, NULL));
	fixed = gateway_scan_repair(text, strlen(text), &n);
	if (!fixed)
		return NULL;
	CHECK(n == strlen(fixed));
	root = json_loadb(fixed, n, JSON_ALLOW_NUL, NULL);
	free(fixed);
	return root;
}

TEST(repair_keeps_the_message)
{
	/* Regression (issue 15): these made the daemon resume into a replay
	 * loop; now they are repaired and the message is not lost. */
	json_t *r = repaired("{\"op\":0,\"s\":7,\"t\":\"MESSAGE_CREATE\",\"d\":{\"content\":\"!hello \\udcff x\","
			     "\"nonce\":1234567890123456789012345}}");
	REQUIRE(r);
	CHECK_INTEQ(json_integer_value(json_object_get(r, "s")), 7);
	json_t *d = json_object_get(r, "d");
	CHECK_STREQ(json_string_value(json_object_get(d, "content")), "!hello \xef\xbf\xbd x");
	CHECK_STREQ(json_string_value(json_object_get(d, "nonce")), "1234567890123456789012345");
	json_decref(r);

	/* A high surrogate without its pair, a pair kept, invalid UTF-8, a
	 * control character, a stray backslash, reals and integers at the
	 * edges. */
	r = repaired("{\"op\":0,\"a\":\"\\ud83d!\",\"b\":\"\\ud83d\\ude00\xff\x01\\q\",\"c\":-9223372036854775808,"
		     "\"e\":9223372036854775807,\"f\":-9223372036854775809,\"g\":1e999,\"h\":1e-999}");
	REQUIRE(r);
	CHECK_STREQ(json_string_value(json_object_get(r, "a")), "\xef\xbf\xbd!");
	CHECK_STREQ(json_string_value(json_object_get(r, "b")),
		    "\xf0\x9f\x98\x80\xef\xbf\xbd\x01\\q");
	CHECK(json_integer_value(json_object_get(r, "c")) == INT64_MIN);
	CHECK(json_integer_value(json_object_get(r, "e")) == INT64_MAX);
	CHECK_STREQ(json_string_value(json_object_get(r, "f")), "-9223372036854775809");
	CHECK_STREQ(json_string_value(json_object_get(r, "g")), "1e999");
	CHECK(json_is_real(json_object_get(r, "h")));
	json_decref(r);

	/* Nothing to repair: NULL. */
	size_t n = 99;
	CHECK(!gateway_scan_repair("{\"op\":0,\"d\":{\"content\":\"trunc", 29, &n));
	CHECK(n == 99);
}

TEST(seq_of_broken_payloads)
{
	int64_t op = 5, s = -5;
	const char *t = "{\"t\":\"MESSAGE_CREATE\",\"s\":42,\"op\":0,\"d\":{\"s\":99,\"content\":\"\\\"}, \\\"s\\\":77";

	CHECK(gateway_scan_seq(t, strlen(t), &op, &s) == GATEWAY_SCAN_OK);
	CHECK_INTEQ(op, 0);
	CHECK_INTEQ(s, 42);
	t = "{\"d\":[{\"s\":3}],\"s\" : 8 , \"op\":0, \"x\":\"\xff\\udc00\"";
	CHECK(gateway_scan_seq(t, strlen(t), &op, &s) == GATEWAY_SCAN_OK);
	CHECK_INTEQ(s, 8);
	CHECK_INTEQ(op, 0);
	t = "{\"op\":11,\"s\":null}";
	CHECK(gateway_scan_seq(t, strlen(t), &op, &s) == GATEWAY_SCAN_FALLBACK);
	CHECK_INTEQ(op, 11);
	t = "{\"op\":0,\"s\":1234567890123456789012345}";
	CHECK(gateway_scan_seq(t, strlen(t), &op, &s) == GATEWAY_SCAN_FALLBACK);
	t = "garbage \"s\":4";
	CHECK(gateway_scan_seq(t, strlen(t), &op, &s) == GATEWAY_SCAN_FALLBACK);
	CHECK_INTEQ(op, -1);
	CHECK(gateway_scan_seq("", 0, &op, &s) == GATEWAY_SCAN_FALLBACK);
	CHECK(gateway_scan_seq("{\"s\":\"\\", 7, &op, &s) == GATEWAY_SCAN_FALLBACK);
}

int main(void)
{
	RUN(typical_message);
	RUN(other_ops_and_shapes);
	RUN(content_with_escapes);
	RUN(falls_back_when_unsure);
	RUN(rejects_what_jansson_rejects);
	RUN(depth_limit);
	RUN(every_byte_at_every_offset);
	RUN(fast_loader_matches_jansson);
	RUN(lean_guild_create);
	RUN(kept_message_create);
	RUN(mutations);
	RUN(repair_keeps_the_message);
	RUN(seq_of_broken_payloads);
	CHECK_INTEQ(disagreements, 0);
	return test_summary();
}
