/*
 * fuzz_gateway: bytes from the network to replies, without a socket.
 *
 * Input: byte 0 picks the mode, the rest is the traffic.
 *   bit 0 set: zlib-stream. The rest is one zlib stream as Discord sends it;
 *     it is cut into websocket messages after each 00 00 ff ff suffix and
 *     pushed through zstream (bit 1 set: each message in two fragments).
 *   bit 0 clear: plain JSON payloads separated by 0x1e (record separator),
 *     so the fuzzer can mutate the JSON directly.
 * Bit 2 set: the daemon's pre-scan wiring (bot/gateway/dispatch.c dispatch_wanted)
 * lets the gateway skip chatter unparsed. Every payload is also checked
 * against the pre-scan's contract: whatever gateway_scan accepts, jansson
 * accepts with the same op, s, t and d.content, or the target aborts.
 * Each payload goes through gateway_proto_handle (ops, seq filter, HELLO,
 * READY, RESUMED, op 7/9/11) and each dispatch through the daemon's wiring
 * (bot/gateway/dispatch.c, the daemon's own code) into the bus, the
 * guild cache and the router, which parses commands from a registry built
 * here and "sends" replies to the REST stubs in gateway_stubs.c, which
 * abort if a reply could ping anyone.
 */
#include "fuzz_gateway.h"

#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "commands.h"
#include "dispatch.h"
#include "guilds.h"
#include "log.h"
#include "router.h"

static int64_t clock_us = 1000000;
static int reconnect_pending;

int64_t fuzz_gateway_clock_us(void)
{
	return clock_us;
}

void fuzz_gateway_reconnect(struct gateway *g)
{
	gateway_proto_reset(g);
	gateway_limiter_reset(g->tx);
	g->state = GW_HELLO_WAIT;
	reconnect_pending = 1; /* a new zstream, once the current payload is done */
}

/* ---- the daemon's dispatch wiring (bot/gateway/dispatch.c) ---- */

static void on_dispatch(void *ud, const char *type, json_t *d, int64_t seq)
{
	(void)seq;
	dispatch_event(ud, type, d);
}

static int wants_dispatch(void *ud, const struct gateway_scan *sc)
{
	return dispatch_wanted(ud, sc);
}

/* gateway_scan_load_lean's contract: json_loadb's tree without d.members
 * and d.presences, or NULL. */
static void check_lean(const char *text, size_t len)
{
	static const char *const drop[] = {"members", "presences", NULL};
	json_error_t err;
	json_t *lean = gateway_scan_load_lean(text, len, drop), *full, *d;
	char *dl, *df;

	if (!lean)
		return;
	full = json_loadb(text, len, JSON_ALLOW_NUL, &err);
	if (!full)
		abort(); /* vouched for what jansson refuses */
	d = json_object_get(full, "d");
	if (json_is_object(d)) {
		json_object_del(d, "members");
		json_object_del(d, "presences");
	}
	dl = json_dumps(lean, JSON_COMPACT);
	df = json_dumps(full, JSON_COMPACT);
	if (!json_equal(lean, full) || !dl || !df || strcmp(dl, df))
		abort();
	free(dl);
	free(df);
	json_decref(lean);
	json_decref(full);
}

/* gateway_scan_load_kept's contract: json_loadb's tree with d's members
 * not named in the list deleted ("a.b": of an object d.a only its "b"), or
 * NULL. The list is the router's, the one the daemon uses. */
static int keep_names(const char *parent, const char *key, int *some)
{
	size_t pl = parent ? strlen(parent) : 0, kl = strlen(key);

	*some = 0;
	for (const char *const *e = router_message_fields; *e; e++) {
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

static void keep_prune(json_t *obj, const char *parent)
{
	const char *key;
	json_t *v;
	void *tmp;
	int some;

	json_object_foreach_safe(obj, tmp, key, v)
	{
		if (keep_names(parent, key, &some))
			continue;
		if (!some)
			json_object_del(obj, key);
		else if (!parent && json_is_object(v))
			keep_prune(v, key);
	}
}

static void check_kept(const char *text, size_t len)
{
	json_error_t err;
	json_t *kept = gateway_scan_load_kept(text, len, router_message_fields), *full, *d;
	char *dl, *df;

	if (!kept)
		return;
	full = json_loadb(text, len, JSON_ALLOW_NUL, &err);
	if (!full)
		abort(); /* vouched for what jansson refuses */
	d = json_object_get(full, "d");
	if (json_is_object(d))
		keep_prune(d, NULL);
	dl = json_dumps(kept, JSON_COMPACT);
	df = json_dumps(full, JSON_COMPACT);
	if (!json_equal(kept, full) || !dl || !df || strcmp(dl, df))
		abort();
	free(dl);
	free(df);
	json_decref(kept);
	json_decref(full);
}

/* json_fast_loadb's contract: json_loadb's tree, dumped the same (so the
 * same key order), or NULL when json_loadb says NULL. */
static void check_fast_load(const char *text, size_t len)
{
	json_error_t e1, e2;
	json_t *a = json_fast_loadb(text, len, JSON_ALLOW_NUL, &e1);
	json_t *b = json_loadb(text, len, JSON_ALLOW_NUL, &e2);
	char *da, *db;

	if (!a != !b)
		abort();
	if (a) {
		da = json_dumps(a, JSON_COMPACT);
		db = json_dumps(b, JSON_COMPACT);
		if (!json_equal(a, b) || !da || !db || strcmp(da, db))
			abort();
		free(da);
		free(db);
	}
	json_decref(a);
	json_decref(b);
	check_lean(text, len);
	check_kept(text, len);
}

/* The pre-scan's contract (bot/gateway/gateway_scan.h), checked on every payload. */
static void check_scan(const char *text, size_t len)
{
	struct gateway_scan sc;
	json_error_t err;
	json_t *root, *s, *t, *d, *c;

	check_fast_load(text, len);
	if (gateway_scan(text, len, &sc) != GATEWAY_SCAN_OK)
		return;
	root = json_loadb(text, len, JSON_ALLOW_NUL, &err);
	if (!root)
		abort(); /* accepted what jansson rejects */
	s = json_object_get(root, "s");
	t = json_object_get(root, "t");
	d = json_object_get(root, "d");
	c = json_is_object(d) ? json_object_get(d, "content") : NULL;
	if (json_integer_value(json_object_get(root, "op")) != sc.op ||
	    !json_is_integer(json_object_get(root, "op")) || sc.has_s != json_is_integer(s) ||
	    (sc.has_s && json_integer_value(s) != sc.s) ||
	    (sc.has_t && (!json_is_string(t) || json_string_length(t) != strlen(sc.t) ||
			  strcmp(json_string_value(t), sc.t))) ||
	    sc.has_content != json_is_string(c) ||
	    (sc.has_content &&
	     (sc.content_len > json_string_length(c) ||
	      memcmp(sc.content, json_string_value(c), sc.content_len) ||
	      (sc.content_whole && sc.content_len != json_string_length(c)))))
		abort();
	json_decref(root);
}

/* ---- commands: handlers echo what they parsed ---- */

static int cmd_echo(hw_plugin *self, const hw_invocation *pub, void *ud)
{
	struct invocation *inv = (struct invocation *)pub;
	const hw_arg *a = &pub->argv[0];
	hw_message m = {.struct_size = sizeof(m), .content = a->present ? a->str : "(nothing)",
			.ephemeral = (int)(intptr_t)ud};

	(void)self;
	return router_reply(inv, &m);
}

static int cmd_args(hw_plugin *self, const hw_invocation *pub, void *ud)
{
	struct invocation *inv = (struct invocation *)pub;
	char buf[4096];
	size_t off = 0;
	hw_message m = {.struct_size = sizeof(m), .content = buf};

	(void)self;
	(void)ud;
	buf[0] = '\0';
	for (size_t i = 0; i < pub->argc && off < sizeof(buf); i++) {
		const hw_arg *a = &pub->argv[i];
		int n = snprintf(buf + off, sizeof(buf) - off, "%s=%s(%lld)|", a->name,
				 a->present ? a->str : "-", (long long)a->num);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	if (!buf[0])
		snprintf(buf, sizeof(buf), "no args");
	return router_reply(inv, &m);
}

static int cmd_fail(hw_plugin *self, const hw_invocation *pub, void *ud)
{
	(void)self;
	(void)pub;
	(void)ud;
	return HW_ERR_INVALID;
}

static void complete_project(hw_plugin *self, const char *arg, const char *partial,
			     hw_completion *out, void *ud)
{
	(void)self;
	(void)arg;
	(void)ud;
	if (json_array_size(out->choices) < 25)
		json_array_append_new(out->choices,
				      json_pack("{s:s%, s:s%}", "name", partial, strlen(partial) > 100 ? (size_t)100 : strlen(partial),
						"value", partial, strlen(partial) > 100 ? (size_t)100 : strlen(partial)));
}

static void register_commands(struct commands *cs)
{
	static const hw_arg_spec text[] = {{"text", HW_ARG_TEXT, 0, "what to say", 0}};
	static const hw_arg_spec join[] = {{"project", HW_ARG_STRING, 1, "project", 1},
					   {"day", HW_ARG_STRING, 0, "day", 0}};
	static const hw_arg_spec count[] = {{"n", HW_ARG_INTEGER, 1, "how many", 0},
					    {"loud", HW_ARG_BOOL, 0, "shout", 0},
					    {"note", HW_ARG_TEXT, 0, "a note", 0}};
	static const hw_arg_spec name[] = {{"name", HW_ARG_STRING, 1, "plugin", 0}};
	const hw_command_spec specs[] = {
		{sizeof(hw_command_spec), "echo", "say it back", NULL, HW_PERM_EVERYONE, text, 1,
		 cmd_echo, NULL, NULL, {0}},
		{sizeof(hw_command_spec), "whisper", "say it back quietly", NULL, HW_PERM_EVERYONE,
		 text, 1, cmd_echo, NULL, (void *)1, {0}},
		{sizeof(hw_command_spec), "sprint join", "join", "Join a sprint.", HW_PERM_EVERYONE,
		 join, 2, cmd_args, complete_project, NULL, {0}},
		{sizeof(hw_command_spec), "sprint leave", "leave", NULL, HW_PERM_EVERYONE, join, 1,
		 cmd_args, complete_project, NULL, {0}},
		{sizeof(hw_command_spec), "count", "numbers", NULL, HW_PERM_EVERYONE, count, 3,
		 cmd_args, NULL, NULL, {0}},
		{sizeof(hw_command_spec), "admin reload", "organizers", NULL, HW_PERM_ORGANIZER, name,
		 1, cmd_args, NULL, NULL, {0}},
		{sizeof(hw_command_spec), "broken", "always fails", NULL, HW_PERM_EVERYONE, NULL, 0,
		 cmd_fail, NULL, NULL, {0}},
	};
	char why[256];

	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		if (commands_add(cs, NULL, NULL, &specs[i], why, sizeof(why)))
			abort(); /* the harness itself is wrong */
}

/* ---- one run ---- */

static const struct gateway_limiter_config tx_config = {
	.max_sends = 110, .control_reserve = 5, .window_ms = 60000, .headroom = 16,
	.max_queued = 256};

/* What the writeable callback would do: send whatever the limiter allows. */
static void drain_tx(struct gateway *g)
{
	struct gateway_frame *f;
	int64_t wait;

	while ((f = gateway_limiter_next(g->tx, gateway_now_ms(), g->state == GW_READY, &wait))) {
		if (f->len > 4096)
			abort(); /* the limiter promised frames Discord accepts */
		gateway_limiter_sent(g->tx, f, gateway_now_ms());
	}
}

static void handle_payload(struct gateway *g, const char *text, size_t len)
{
	clock_us += 1000;
	check_scan(text, len);
	gateway_proto_handle(g, text, len);
	drain_tx(g);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_level(getenv("FUZZ_LOG") ? LOG_DEBUG : LOG_ERROR);
	log_add_secret("fuzz-token");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hallway hw;
	struct gateway g;
	json_t *roles;
	struct gateway_callbacks cb = {on_dispatch, NULL, &hw};
	struct zstream *z = NULL;
	int mode;

	if (size < 1)
		return 0;
	mode = data[0];
	data++;
	if (mode & 4) {
		cb.wants = wants_dispatch;
		cb.skipped = NULL;
	}
	size--;
	roles = json_pack("[s]", "Organizer");

	memset(&hw, 0, sizeof(hw));
	memset(&g, 0, sizeof(g));
	hw.bus = bus_create();
	hw.guilds = guilds_create(hw.bus, roles);
	hw.router = router_create(&hw);
	g.token = strdup("fuzz-token");
	g.tx = gateway_limiter_new(&tx_config);
	g.seq = -1;
	g.state = GW_HELLO_WAIT;
	g.compress = mode & 1;
	g.cb = cb;
	g.wsi = (struct lws *)&g; /* "a socket is open"; never dereferenced by the stubs */
	if (!hw.bus || !hw.guilds || !hw.router || !g.token || !g.tx)
		goto out;
	register_commands(router_commands(hw.router));
	reconnect_pending = 0;

	if (mode & 1) {
		size_t start = 0;

		z = zstream_new(GATEWAY_ZIN_MAX, GATEWAY_ZOUT_MAX);
		if (!z)
			goto out;
		for (size_t i = 0; i <= size; i++) {
			int end = i == size ||
				  (i >= 3 && data[i - 3] == 0 && data[i - 2] == 0 &&
				   data[i - 1] == 0xff && data[i] == 0xff);
			size_t stop = i == size ? size : i + 1;
			const char *out;
			size_t out_len;
			int rc;

			if (!end || stop == start)
				continue;
			if ((mode & 2) && stop - start > 1) {
				size_t half = (stop - start) / 2;
				rc = zstream_push(z, data + start, half, 0, &out, &out_len);
				if (!rc)
					rc = zstream_push(z, data + start + half, stop - start - half, 1,
							  &out, &out_len);
			} else {
				rc = zstream_push(z, data + start, stop - start, 1, &out, &out_len);
			}
			start = stop;
			if (rc) {
				/* The real gateway closes with 4000 and resumes on a new socket. */
				gateway_close_local(&g, 4000, "bad zlib", GATEWAY_CLOSE_RESUME);
			} else if (out) {
				if (out[out_len] != '\0')
					abort(); /* zstream promises a NUL-terminated payload */
				handle_payload(&g, out, out_len);
			}
			if (reconnect_pending) {
				reconnect_pending = 0;
				zstream_free(z);
				if (!(z = zstream_new(GATEWAY_ZIN_MAX, GATEWAY_ZOUT_MAX)))
					goto out;
			}
		}
	} else {
		size_t start = 0;

		for (size_t i = 0; i <= size; i++) {
			if (i < size && data[i] != 0x1e)
				continue;
			if (i > start)
				handle_payload(&g, (const char *)data + start, i - start);
			start = i + 1;
		}
	}
	commands_collect(router_commands(hw.router));

out:
	zstream_free(z);
	gateway_proto_reset(&g);
	gateway_limiter_free(g.tx);
	free(g.token);
	free(g.session_id);
	free(g.resume_url);
	router_destroy(hw.router);
	guilds_destroy(hw.guilds);
	bus_destroy(hw.bus);
	json_decref(roles);
	return 0;
}
