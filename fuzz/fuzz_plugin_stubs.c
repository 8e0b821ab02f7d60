/*
 * The network of fuzz_plugin_commands: bot/rest/rest.c and bot/rest/http.c replaced.
 * REST requests succeed as Discord would answer them (a message gets an
 * id), HTTP requests fail as without a network; both answer later, from
 * the target's loop, never inside the call, as the real modules do.
 *
 * They are the target's oracle too: every message must be valid JSON that
 * pings nobody unless the plugin asked for mentions (only announce may, and
 * the fuzz config forbids it), and every text must split into valid UTF-8
 * parts Discord accepts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "console.h"
#include "fuzz_plugin_commands.h"
#include "hallway.h"
#include "http.h"
#include "msgsplit.h"
#include "rest.h"
#include "web.h"
#include <hallway/plugin.h>

struct answer {
	int is_http;
	int cancelled;
	uint64_t id;
	long status;
	json_t *body;          /* REST: owned */
	int quiet;             /* rest_quiet_success: no body on a success */
	rest_done_fn rest_done;
	http_done_fn http_done;
	void *ud;
};

static struct answer *queue;
static size_t queued, queue_cap;
static uint64_t next_request = 1;
static uint64_t next_message = 300000000000000000ull;

static void oom(void)
{
	fprintf(stderr, "fuzz_plugin_stubs: out of memory\n");
	abort();
}

static uint64_t enqueue(const struct answer *a)
{
	if (queued == queue_cap) {
		size_t cap = queue_cap ? queue_cap * 2 : 64;
		struct answer *grown = realloc(queue, cap * sizeof(*queue));
		if (!grown)
			oom();
		queue = grown;
		queue_cap = cap;
	}
	queue[queued] = *a;
	queue[queued].id = next_request++;
	return queue[queued++].id;
}

void fuzz_stubs_complete(void)
{
	size_t n = queued;
	struct answer *batch;

	if (!n)
		return;
	/* Take the batch: answers may queue new requests. */
	batch = queue;
	queue = NULL;
	queued = queue_cap = 0;
	for (size_t i = 0; i < n; i++) {
		struct answer *a = &batch[i];

		if (a->is_http && !a->cancelled) {
			struct http_response res = {.status = 0, .error = "no network in the fuzzer",
						    .body = "", .body_len = 0};
			a->http_done(a->ud, &res);
		} else if (!a->is_http && !a->cancelled && a->rest_done) {
			int ok = a->status >= 200 && a->status < 300;
			a->rest_done(a->ud, a->status, a->quiet && ok ? NULL : a->body, NULL);
		}
		json_decref(a->body);
	}
	free(batch);
}

int fuzz_stubs_pending(void)
{
	return queued > 0;
}

void fuzz_stubs_check_text(const char *text, const char *what)
{
	size_t len, pos = 0, off, n;
	char *clean;

	if (!text) {
		fprintf(stderr, "fuzz_plugin_stubs: %s: NULL text\n", what);
		abort();
	}
	if (getenv("FUZZ_LOG"))
		fprintf(stderr, "fuzz: %s: %s\n", what, text);
	if (!(clean = msgsplit_sanitize(text, strlen(text), &len)))
		oom();
	while (msgsplit_next(clean, len, MSGSPLIT_DISCORD_MAX, &pos, &off, &n)) {
		json_t *part = json_stringn(clean + off, n);
		if (!part || msgsplit_count(clean + off, n) > MSGSPLIT_DISCORD_MAX) {
			fprintf(stderr, "fuzz_plugin_stubs: %s: a part Discord would refuse\n", what);
			abort();
		}
		json_decref(part);
	}
	free(clean);
}

/* A message body (or an interaction callback's data) must not ping. */
static void check_body(const json_t *body, const char *path)
{
	const json_t *msg = body, *parse;
	char *text;

	if (!body)
		return;
	if (!json_is_object(body)) {
		fprintf(stderr, "fuzz_plugin_stubs: %s: body is not an object\n", path);
		abort();
	}
	if (!(text = json_dumps(body, JSON_COMPACT))) {
		fprintf(stderr, "fuzz_plugin_stubs: %s: body does not serialise\n", path);
		abort();
	}
	free(text);
	if (json_object_get(body, "data"))
		msg = json_object_get(body, "data");
	if (json_is_string(json_object_get(msg, "content")))
		fuzz_stubs_check_text(json_string_value(json_object_get(msg, "content")), path);
	if (!json_object_get(msg, "content") && !json_object_get(msg, "embeds"))
		return;
	parse = json_object_get(json_object_get(msg, "allowed_mentions"), "parse");
	if (!json_is_array(parse) || json_array_size(parse) != 0) {
		fprintf(stderr, "fuzz_plugin_stubs: %s: a reply could ping\n", path);
		abort();
	}
}

/* What Discord answers: a message object for posts, 204 for callbacks. */
static struct answer rest_answer(const char *method, const char *path, const char *channel_id,
				 rest_done_fn done, void *ud)
{
	struct answer a = {.rest_done = done, .ud = ud, .status = 204};
	char id[32];

	if (strstr(path, "/callback"))
		return a;
	snprintf(id, sizeof(id), "%llu", (unsigned long long)next_message++);
	a.status = 200;
	a.body = json_pack("{s:s, s:s}", "id", id, "channel_id", channel_id ? channel_id : id);
	if (!a.body)
		oom();
	(void)method;
	return a;
}

uint64_t rest_request(struct rest *r, const char *method, const char *path, json_t *body,
		      rest_done_fn done, void *ud)
{
	struct answer a;

	(void)r;
	if (!method || !path || path[0] != '/') {
		fprintf(stderr, "fuzz_plugin_stubs: bad request %s %s\n", method ? method : "-",
			path ? path : "-");
		abort();
	}
	check_body(body, path);
	json_decref(body);
	a = rest_answer(method, path, NULL, done, ud);
	return enqueue(&a);
}

uint64_t rest_request_reason(struct rest *r, const char *method, const char *path, json_t *body,
			     const char *reason, rest_done_fn done, void *ud)
{
	(void)reason;
	return rest_request(r, method, path, body, done, ud);
}

/* No web server in this target (hw->web is NULL): api_web.c refuses
 * routes, assets and panels before reaching these. */
int web_route_add(struct web *w, struct plugin *owner, const char *method, const char *path,
		  enum hw_web_access access, hw_web_fn fn, void *ud, char *why, size_t whylen)
{
	(void)w, (void)owner, (void)method, (void)path, (void)access, (void)fn, (void)ud;
	snprintf(why, whylen, "no web server");
	return HW_ERR_UNSUPPORTED;
}

int web_asset_add(struct web *w, struct plugin *owner, const char *path, const char *ctype,
		  const void *data, size_t len, char *why, size_t whylen)
{
	(void)w, (void)owner, (void)path, (void)ctype, (void)data, (void)len;
	snprintf(why, whylen, "no web server");
	return HW_ERR_UNSUPPORTED;
}

int web_panel_add(struct web *w, struct plugin *owner, const char *title, const char *path,
		  char *why, size_t whylen)
{
	(void)w, (void)owner, (void)title, (void)path;
	snprintf(why, whylen, "no web server");
	return HW_ERR_UNSUPPORTED;
}

void web_sweep(struct web *w, struct plugin *owner)
{
	(void)w, (void)owner;
}

int web_push(struct web *w, const char *topic, json_t *data)
{
	(void)w, (void)topic, (void)data;
	return 0;
}

uint64_t rest_request_file(struct rest *r, const char *method, const char *path,
			   json_t *payload_json, const char *filename, const void *data,
			   size_t len, rest_done_fn done, void *ud)
{
	if (!filename || (!data && len)) {
		fprintf(stderr, "fuzz_plugin_stubs: %s: a file without a name or data\n", path);
		abort();
	}
	return rest_request(r, method, path, payload_json, done, ud);
}

uint64_t rest_send_message(struct rest *r, const char *channel_id, const char *content,
			   const json_t *msg_template, int allow_mentions, rest_done_fn done,
			   void *ud)
{
	struct answer a;

	(void)r;
	if (!channel_id || !*channel_id || !content || allow_mentions ||
	    (msg_template && !json_is_object(msg_template))) {
		fprintf(stderr, "fuzz_plugin_stubs: a send Discord would refuse or that pings\n");
		abort();
	}
	fuzz_stubs_check_text(content, "send");
	a = rest_answer("POST", "/channels/messages", channel_id, done, ud);
	return enqueue(&a);
}

void rest_cancel(struct rest *r, uint64_t id)
{
	(void)r;
	for (size_t i = 0; i < queued; i++)
		if (queue[i].id == id && !queue[i].is_http)
			queue[i].cancelled = 1;
}

void rest_quiet_success(struct rest *r, uint64_t id)
{
	(void)r;
	for (size_t i = 0; i < queued; i++)
		if (queue[i].id == id && !queue[i].is_http)
			queue[i].quiet = 1;
}

size_t rest_pending(const struct rest *r)
{
	(void)r;
	return queued;
}

uint64_t http_start(struct http *h, const struct http_request *req, http_done_fn done, void *ud)
{
	struct answer a = {.is_http = 1, .http_done = done, .ud = ud};

	(void)h;
	if (!req || !req->url || !done)
		abort();
	return enqueue(&a);
}

void http_cancel(struct http *h, uint64_t id)
{
	(void)h;
	for (size_t i = 0; i < queued; i++)
		if (queue[i].id == id && queue[i].is_http)
			queue[i].cancelled = 1;
}

const char *http_response_header(const struct http_response *res, const char *name)
{
	(void)res;
	(void)name;
	return NULL;
}

void console_print(struct console *c, const char *text)
{
	(void)c;
	fuzz_stubs_check_text(text, "console send");
}

int console_save_file(struct console *c, const char *name, const void *data, size_t len,
		      char *saved, size_t savedlen)
{
	(void)c;
	(void)name;
	(void)data;
	(void)len;
	snprintf(saved, savedlen, "no console");
	return -1;
}

/*
 * libFuzzer reads every loaded module's coverage counters after each run
 * and has no notion of a module going away: after the host's dlclose (a
 * `reload`) it would read unmapped memory. So unloading keeps the code
 * mapped here; the host still sweeps everything the plugin owned, which is
 * what is under test. (Each reload maps a fresh private copy, so the
 * target caps reloads per process: fuzz_plugin_commands.c.)
 */
int dlclose(void *handle)
{
	(void)handle;
	return 0;
}

void hallway_request_stop(struct hallway *hw, int exit_code)
{
	hw->exit_code = exit_code;
	hw->signal_stop = 1;
}
