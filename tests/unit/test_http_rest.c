/*
 * bot/rest/http.c and bot/rest/rest.c against a local HTTP server, in a real lws loop
 * (no listen port; protocols {"hallway-curl", http_lws_callback}). The
 * server is a small Python http.server embedded below, started with
 * posix_spawn; it imitates Discord's message route with a 5 per 0.5 s
 * limit, X-RateLimit headers, and 429/5xx injection.
 */
#include "http.h"
#include "log.h"
#include "rest.h"
#include "testlib.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char server_py[] =
	"import gzip, json, socket, sys, threading, time\n"
	"from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler\n"
	"LOCK = threading.Lock()\n"
	"S = {\"msgs\": [], \"n429\": 0, \"inject\": {}, \"win\": {}, \"reqs\": 0, \"auth\": set(), \"ua\": set(), \"files\": [], \"conns\": 0}\n"
	"LIMIT, WINDOW = 5, 0.5\n"
	"class H(BaseHTTPRequestHandler):\n"
	"    protocol_version = \"HTTP/1.1\"\n"
	"    def setup(self):\n"
	"        super().setup()\n"
	"        # headers and body go out in separate writes: no Nagle delay\n"
	"        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)\n"
	"        with LOCK:\n"
	"            S[\"conns\"] += 1\n"
	"    def log_message(self, *a):\n"
	"        pass\n"
	"    def send(self, code, body=b\"\", ctype=\"application/json\", headers=()):\n"
	"        self.send_response(code)\n"
	"        self.send_header(\"Content-Type\", ctype)\n"
	"        self.send_header(\"Content-Length\", str(len(body)))\n"
	"        for k, v in headers:\n"
	"            self.send_header(k, v)\n"
	"        self.end_headers()\n"
	"        if self.command != \"HEAD\":\n"
	"            self.wfile.write(body)\n"
	"    def js(self, code, obj, headers=()):\n"
	"        self.send(code, json.dumps(obj).encode(), headers=headers)\n"
	"    def do_GET(self):\n"
	"        p = self.path\n"
	"        if p == \"/fast\":\n"
	"            return self.send(200, b\"fast\", \"text/plain\", [(\"X-Test-Header\", \"yes\")])\n"
	"        if p == \"/close\":\n"
	"            self.close_connection = True\n"
	"            return self.send(200, b\"closing\", \"text/plain\", [(\"Connection\", \"close\")])\n"
	"        if p == \"/redirect\":\n"
	"            return self.send(302, b\"\", \"text/plain\", [(\"Location\", \"/fast\")])\n"
	"        if p == \"/gzip\":\n"
	"            return self.send(200, gzip.compress(b\"z\" * 10000), \"text/plain\", [(\"Content-Encoding\", \"gzip\")])\n"
	"        if p == \"/slow\":\n"
	"            chunk = b\"s\" * 65536\n"
	"            self.send_response(200)\n"
	"            self.send_header(\"Content-Length\", str(32 * len(chunk)))\n"
	"            self.end_headers()\n"
	"            for i in range(32):\n"
	"                self.wfile.write(chunk)\n"
	"                self.wfile.flush()\n"
	"                time.sleep(0.05)\n"
	"            return\n"
	"        if p == \"/_test/state\":\n"
	"            with LOCK:\n"
	"                return self.js(200, {\"msgs\": S[\"msgs\"], \"n429\": S[\"n429\"], \"reqs\": S[\"reqs\"], \"auth\": sorted(S[\"auth\"]), \"ua\": sorted(S[\"ua\"]), \"files\": S[\"files\"], \"conns\": S[\"conns\"]})\n"
	"        return self.js(404, {\"message\": \"404: Not Found\", \"code\": 0})\n"
	"    def do_POST(self):\n"
	"        n = int(self.headers.get(\"Content-Length\") or 0)\n"
	"        raw = self.rfile.read(n)\n"
	"        p = self.path\n"
	"        if p.startswith(\"/_test/inject\"):\n"
	"            q = json.loads(raw)\n"
	"            with LOCK:\n"
	"                S[\"inject\"][q[\"path\"]] = q\n"
	"            return self.js(200, {})\n"
	"        with LOCK:\n"
	"            S[\"reqs\"] += 1\n"
	"            S[\"auth\"].add(self.headers.get(\"Authorization\", \"\"))\n"
	"            S[\"ua\"].add(self.headers.get(\"User-Agent\", \"\"))\n"
	"            inj = S[\"inject\"].get(p)\n"
	"            if inj and inj[\"count\"] > 0:\n"
	"                inj[\"count\"] -= 1\n"
	"                if inj[\"status\"] == 429:\n"
	"                    S[\"n429\"] += 1\n"
	"                    return self.js(429, {\"message\": \"You are being rate limited.\", \"retry_after\": inj[\"retry_after\"], \"global\": False},\n"
	"                                   [(\"Retry-After\", \"0\"), (\"X-RateLimit-Scope\", \"user\"), (\"X-RateLimit-Limit\", \"5\"), (\"X-RateLimit-Remaining\", \"3\"), (\"X-RateLimit-Reset-After\", \"0.5\"), (\"X-RateLimit-Bucket\", \"msgs\")])\n"
	"                return self.js(inj[\"status\"], {\"message\": \"injected\", \"code\": 0})\n"
	"        if p.startswith(\"/api/v10/interactions/\"):\n"
	"            return self.js(404, {\"message\": \"Unknown interaction\", \"code\": 10062})\n"
	"        if p == \"/api/v10/channels/403/messages\":\n"
	"            return self.js(403, {\"message\": \"Missing Permissions\", \"code\": 50013})\n"
	"        if p.startswith(\"/api/v10/channels/\") and p.endswith(\"/messages\"):\n"
	"            now = time.monotonic()\n"
	"            with LOCK:\n"
	"                w = S[\"win\"].setdefault(p, [0.0, 0])\n"
	"                if now >= w[0]:\n"
	"                    w[0] = now + WINDOW\n"
	"                    w[1] = 0\n"
	"                w[1] += 1\n"
	"                rem = LIMIT - w[1]\n"
	"                hdrs = [(\"X-RateLimit-Limit\", str(LIMIT)), (\"X-RateLimit-Remaining\", str(max(rem, 0))),\n"
	"                        (\"X-RateLimit-Reset-After\", \"%.3f\" % (w[0] - now)), (\"X-RateLimit-Bucket\", \"msgs\")]\n"
	"                if rem < 0:\n"
	"                    S[\"n429\"] += 1\n"
	"                    return self.js(429, {\"message\": \"You are being rate limited.\", \"retry_after\": w[0] - now, \"global\": False}, hdrs + [(\"X-RateLimit-Scope\", \"user\")])\n"
	"                ctype = self.headers.get(\"Content-Type\", \"\")\n"
	"                if ctype.startswith(\"multipart/form-data\"):\n"
	"                    S[\"files\"].append({\"ctype\": ctype, \"len\": len(raw), \"has_payload\": b'name=\"payload_json\"' in raw,\n"
	"                                       \"has_file\": b'name=\"files[0]\"; filename=\"a.txt\"' in raw, \"hello\": b\"hello file\" in raw})\n"
	"                    return self.js(200, {\"id\": \"1\"}, hdrs)\n"
	"                body = json.loads(raw)\n"
	"                body[\"_path\"] = p\n"
	"                S[\"msgs\"].append(body)\n"
	"            return self.js(200, {\"id\": str(len(S[\"msgs\"])), \"content\": body.get(\"content\")}, hdrs)\n"
	"        return self.js(404, {\"message\": \"404: Not Found\", \"code\": 0})\n"
	"class Srv(ThreadingHTTPServer):\n"
	"    def handle_error(self, request, client_address):\n"
	"        pass  # clients that cancel a download close early\n"
	"srv = Srv((\"127.0.0.1\", 0), H)\n"
	"srv.daemon_threads = True\n"
	"print(\"STANDIN PORT=%d\" % srv.server_address[1], flush=True)\n"
	"srv.serve_forever()\n";

static struct lws_context *ctx;
static struct http *http;
static int port;
static pid_t server_pid;
static char base[64];
static lws_sorted_usec_list_t tick_sul;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Keeps lws_service() from sleeping long so the loop checks its condition. */
static void tick(lws_sorted_usec_list_t *sul)
{
	lws_sul_schedule(ctx, 0, &tick_sul, tick, 20 * LWS_US_PER_MS);
}

/* Runs the loop until *flag >= want or timeout; returns whether reached. */
static int run_until(const int *flag, int want, double timeout_s)
{
	double end = now_s() + timeout_s;
	while (*flag < want && now_s() < end)
		lws_service(ctx, 0);
	return *flag >= want;
}

static void run_for(double s)
{
	int never = 0;
	run_until(&never, 1, s);
}

static int start_server(void)
{
	int fds[2];
	posix_spawn_file_actions_t fa;
	char *argv[] = {"python3", "-c", (char *)server_py, NULL};
	if (pipe(fds))
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	if (posix_spawnp(&server_pid, "python3", &fa, NULL, argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	char line[128];
	size_t n = 0;
	while (n < sizeof(line) - 1) {
		ssize_t k = read(fds[0], line + n, 1);
		if (k <= 0)
			break;
		if (line[n++] == '\n')
			break;
	}
	line[n] = '\0';
	close(fds[0]);
	if (sscanf(line, "STANDIN PORT=%d", &port) != 1)
		return -1;
	snprintf(base, sizeof(base), "http://127.0.0.1:%d", port);
	return 0;
}

/* ---- http ---- */

struct got {
	int done, order;
	long status;
	char err[256], body[64], hdr[16];
	size_t len;
	double t;
	/* For chained and cancelling callbacks. */
	int chain_left;
	uint64_t cancel_id;
};

static int order_counter;

static void on_http(void *ud, const struct http_response *res)
{
	struct got *g = ud;
	const char *h = http_response_header(res, "x-test-header");
	g->done++;
	g->order = ++order_counter;
	g->status = res->status;
	g->len = res->body_len;
	g->t = now_s();
	snprintf(g->err, sizeof(g->err), "%s", res->error ? res->error : "");
	snprintf(g->body, sizeof(g->body), "%s", res->body);
	snprintf(g->hdr, sizeof(g->hdr), "%s", h ? h : "");
	if (g->cancel_id)
		http_cancel(http, g->cancel_id);
}

static uint64_t get(const char *path, struct got *g, size_t max_bytes)
{
	char url[256];
	snprintf(url, sizeof(url), "%s%s", base, path);
	struct http_request req = {.url = url, .max_bytes = max_bytes};
	return http_start(http, &req, on_http, g);
}

TEST(http_get_and_headers)
{
	struct got g = {0};
	REQUIRE(get("/fast", &g, 0));
	CHECK_INTEQ(http_active(http), 1);
	REQUIRE(run_until(&g.done, 1, 5));
	CHECK_INTEQ(g.status, 200);
	CHECK_STREQ(g.body, "fast");
	CHECK_STREQ(g.hdr, "yes");
	CHECK_INTEQ(http_active(http), 0);
}

static void on_seq(void *ud, const struct http_response *res)
{
	struct got *g = ud;
	g->done++;
	g->t = now_s();
	if (res->status != 200)
		g->status = res->status;
	if (g->done < g->chain_left) {
		char url[256];
		snprintf(url, sizeof(url), "%s/fast", base);
		struct http_request req = {.url = url};
		if (!http_start(http, &req, on_seq, g))
			g->status = -2;
	}
}

TEST(http_sequential_latency)
{
	struct got g = {.chain_left = 20, .status = 200};
	char url[256];
	snprintf(url, sizeof(url), "%s/fast", base);
	struct http_request req = {.url = url};
	double t0 = now_s();
	REQUIRE(http_start(http, &req, on_seq, &g));
	REQUIRE(run_until(&g.done, 20, 10));
	/* Timed in the callback: lws_service() returns only after its next
	 * poll, so the loop would add up to one tick. */
	double dt = g.t - t0;
	CHECK_INTEQ(g.status, 200);
	fprintf(stderr, "  20 sequential GETs (each started from the previous done callback): "
			"%.1f ms total, %.2f ms each\n", dt * 1e3, dt * 1e3 / 20);
	CHECK(dt < 2.0);
}

static json_t *server_state(void);
static long server_conns(void);

/* Sequential requests share one kept-alive connection, its adopted socket
 * kept between them; a connection the server closes is let go and the
 * next request opens another. */
TEST(http_keepalive_reuse)
{
	struct got g = {.chain_left = 30, .status = 200};
	char url[256];
	long before = server_conns();
	snprintf(url, sizeof(url), "%s/fast", base);
	struct http_request req = {.url = url};
	REQUIRE(before > 0);
	REQUIRE(http_start(http, &req, on_seq, &g));
	REQUIRE(run_until(&g.done, 30, 10));
	CHECK_INTEQ(g.status, 200);
	CHECK_INTEQ(server_conns() - before, 0);

	struct got c = {0};
	before = server_conns();
	REQUIRE(get("/close", &c, 0));
	REQUIRE(run_until(&c.done, 1, 5));
	CHECK_INTEQ(c.status, 200);
	CHECK_STREQ(c.body, "closing");
	struct got h = {.chain_left = 5, .status = 200};
	REQUIRE(http_start(http, &req, on_seq, &h));
	REQUIRE(run_until(&h.done, 5, 10));
	CHECK_INTEQ(h.status, 200);
	/* One new connection after the close, for the five and the state
	 * request after them. */
	CHECK_INTEQ(server_conns() - before, 1);
}

TEST(http_redirect_and_gzip)
{
	struct got a = {0}, b = {0};
	REQUIRE(get("/redirect", &a, 0));
	REQUIRE(get("/gzip", &b, 0));
	REQUIRE(run_until(&a.done, 1, 5));
	REQUIRE(run_until(&b.done, 1, 5));
	CHECK_INTEQ(a.status, 200);
	CHECK_STREQ(a.body, "fast");
	CHECK_INTEQ(b.status, 200);
	CHECK_INTEQ(b.len, 10000);
}

TEST(http_max_bytes)
{
	struct got g = {0};
	REQUIRE(get("/slow", &g, 100000));
	REQUIRE(run_until(&g.done, 1, 5));
	CHECK_INTEQ(g.status, 0);
	CHECK(strstr(g.err, "too large") != NULL);
}

TEST(http_slow_does_not_block_fast)
{
	struct got slow = {0}, fast = {0};
	double t0 = now_s();
	REQUIRE(get("/slow", &slow, 0));
	run_for(0.1); /* the slow download is under way */
	double tf = now_s();
	REQUIRE(get("/fast", &fast, 0));
	REQUIRE(run_until(&fast.done, 1, 5));
	REQUIRE(run_until(&slow.done, 1, 10));
	CHECK_INTEQ(slow.status, 200);
	CHECK_INTEQ(slow.len, 2 << 20);
	CHECK_INTEQ(fast.status, 200);
	CHECK(fast.order < slow.order);
	CHECK(fast.t - tf < 0.5);
	fprintf(stderr, "  2 MiB slow download %.0f ms; parallel fast GET %.1f ms after start\n",
		(slow.t - t0) * 1e3, (fast.t - tf) * 1e3);
}

TEST(http_cancel)
{
	struct got a = {0}, b = {0}, c = {0};
	uint64_t id = get("/slow", &a, 0);
	REQUIRE(id);
	run_for(0.05);
	http_cancel(http, id);
	CHECK_INTEQ(http_active(http), 0);
	/* A done callback cancels another request. */
	uint64_t idc = get("/slow", &c, 0);
	b.cancel_id = idc;
	REQUIRE(get("/fast", &b, 0));
	REQUIRE(run_until(&b.done, 1, 5));
	run_for(2.5);
	CHECK_INTEQ(a.done, 0);
	CHECK_INTEQ(c.done, 0);
	CHECK_INTEQ(http_active(http), 0);
	/* Cancelling an unknown or finished id is harmless. */
	http_cancel(http, idc);
	http_cancel(http, 999999);
}

TEST(http_refused)
{
	struct got g = {0};
	struct http_request req = {.url = "http://127.0.0.1:1/", .timeout_ms = 3000};
	double t0 = now_s();
	REQUIRE(http_start(http, &req, on_http, &g));
	REQUIRE(run_until(&g.done, 1, 5));
	CHECK_INTEQ(g.status, 0);
	CHECK(g.err[0] != '\0');
	fprintf(stderr, "  connection refused reported after %.2f ms\n", (g.t - t0) * 1e3);
}

/* ---- rest ---- */

#define TOKEN "TESTTOKEN.abc.secretpart"
static struct rest *rest;

struct rgot {
	int done;
	long status;
	char err[256];
	double t;
};

static void on_rest(void *ud, long status, json_t *body, const char *error)
{
	struct rgot *g = ud;
	g->done++;
	g->status = status;
	g->t = now_s();
	snprintf(g->err, sizeof(g->err), "%s", error ? error : "");
}

struct fetch {
	int done;
	json_t *json;
};

static void on_fetch(void *ud, const struct http_response *res)
{
	struct fetch *f = ud;
	f->done++;
	if (res->status == 200)
		f->json = json_loadb(res->body, res->body_len, 0, NULL);
}

/* Server state as JSON (new reference) or NULL. */
static json_t *server_state(void)
{
	char url[256];
	struct fetch f = {0};
	snprintf(url, sizeof(url), "%s/_test/state", base);
	struct http_request req = {.url = url};
	if (!http_start(http, &req, on_fetch, &f) || !run_until(&f.done, 1, 5))
		return NULL;
	return f.json;
}

/* Connections the server has accepted so far, or -1. */
static long server_conns(void)
{
	json_t *st = server_state();
	long n = st ? (long)json_integer_value(json_object_get(st, "conns")) : -1;
	json_decref(st);
	return n;
}

static void inject(const char *path, int status, int count, double retry_after)
{
	char url[256], body[512];
	struct fetch f = {0};
	snprintf(url, sizeof(url), "%s/_test/inject", base);
	snprintf(body, sizeof(body),
		 "{\"path\":\"%s\",\"status\":%d,\"count\":%d,\"retry_after\":%.3f}", path, status,
		 count, retry_after);
	struct http_request req = {.method = "POST", .url = url, .body = body,
				   .body_len = strlen(body)};
	if (http_start(http, &req, on_fetch, &f))
		run_until(&f.done, 1, 5);
	json_decref(f.json);
}

/* Messages the server received on a channel, in arrival order (borrowed
 * from state), into out; returns the count. */
static size_t channel_msgs(json_t *state, const char *channel, json_t **out, size_t max)
{
	char path[128];
	size_t n = 0, i;
	json_t *m;
	snprintf(path, sizeof(path), "/api/v10/channels/%s/messages", channel);
	json_array_foreach(json_object_get(state, "msgs"), i, m)
	{
		if (n < max && !strcmp(json_string_value(json_object_get(m, "_path")) ?: "", path))
			out[n++] = m;
	}
	return n;
}

static int mentions_parse_len(json_t *m)
{
	json_t *p = json_object_get(json_object_get(m, "allowed_mentions"), "parse");
	return json_is_array(p) ? (int)json_array_size(p) : -1;
}

TEST(rest_fifty_in_order)
{
	struct rgot g[50];
	char text[32];
	memset(g, 0, sizeof(g));
	json_t *s0 = server_state();
	long n429_before = (long)json_integer_value(json_object_get(s0, "n429"));
	json_decref(s0);
	double t0 = now_s();
	for (int i = 0; i < 50; i++) {
		snprintf(text, sizeof(text), "msg %d", i);
		CHECK(rest_send_message(rest, "100", text, NULL, 0, on_rest, &g[i]) > 0);
	}
	CHECK_INTEQ(rest_pending(rest), 50);
	REQUIRE(run_until(&g[49].done, 1, 30));
	double dt = g[49].t - t0;
	int ok = 1;
	for (int i = 0; i < 50; i++)
		ok &= g[i].done == 1 && g[i].status == 200;
	CHECK(ok);
	CHECK_INTEQ(rest_pending(rest), 0);
	json_t *st = server_state(), *msgs[64];
	REQUIRE(st);
	size_t n = channel_msgs(st, "100", msgs, 64);
	CHECK_INTEQ(n, 50);
	for (size_t i = 0; i < n; i++) {
		snprintf(text, sizeof(text), "msg %zu", i);
		CHECK_STREQ(json_string_value(json_object_get(msgs[i], "content")), text);
		CHECK_INTEQ(mentions_parse_len(msgs[i]), 0);
	}
	CHECK_INTEQ(json_integer_value(json_object_get(st, "n429")), n429_before);
	json_decref(st);
	/* Server: 5 per 0.5 s window, so 10 windows need at least 4.5 s. */
	fprintf(stderr, "  50 messages to one channel: %.2f s (limit allows >= 4.50 s), no 429\n",
		dt);
	CHECK(dt >= 4.5 && dt < 8.0);
}

TEST(rest_429_retry_after)
{
	struct rgot g = {0};
	struct rest_stats before, after;
	rest_get_stats(rest, &before);
	inject("/api/v10/channels/200/messages", 429, 1, 0.4);
	double t0 = now_s();
	REQUIRE(rest_send_message(rest, "200", "after 429", NULL, 0, on_rest, &g));
	REQUIRE(run_until(&g.done, 1, 10));
	CHECK_INTEQ(g.status, 200);
	CHECK(g.t - t0 >= 0.4);
	rest_get_stats(rest, &after);
	CHECK_INTEQ(after.rate_limited_429 - before.rate_limited_429, 1);
	fprintf(stderr, "  429 with retry_after 0.4 s: delivered after %.0f ms\n", (g.t - t0) * 1e3);
}

TEST(rest_500_retried)
{
	struct rgot g = {0};
	struct rest_stats before, after;
	rest_get_stats(rest, &before);
	inject("/api/v10/channels/300/messages", 500, 2, 0);
	double t0 = now_s();
	REQUIRE(rest_send_message(rest, "300", "after 500", NULL, 0, on_rest, &g));
	REQUIRE(run_until(&g.done, 1, 10));
	CHECK_INTEQ(g.status, 200);
	rest_get_stats(rest, &after);
	CHECK_INTEQ(after.retries - before.retries, 2);
	CHECK_INTEQ(after.responses_5xx - before.responses_5xx, 2);
	fprintf(stderr, "  two 500s then success: %.0f ms\n", (g.t - t0) * 1e3);
	/* Retries are bounded: max_retries (5) + 1 attempts, then the 502. */
	struct rgot h = {0};
	inject("/api/v10/channels/301/messages", 502, 10, 0);
	REQUIRE(rest_send_message(rest, "301", "never", NULL, 0, on_rest, &h));
	REQUIRE(run_until(&h.done, 1, 30));
	CHECK_INTEQ(h.status, 502);
}

struct bgot {
	int done;
	long status;
	int had_body;
};

static void on_rest_body(void *ud, long status, json_t *body, const char *error)
{
	struct bgot *g = ud;
	(void)error;
	g->done++;
	g->status = status;
	g->had_body = body != NULL;
}

/* rest_quiet_success: a success comes without its (unparsed) body, a
 * failure still with it; without the call a success has its body. */
TEST(rest_quiet_success)
{
	struct bgot a = {0}, b = {0}, c = {0};
	uint64_t id;

	id = rest_send_message(rest, "400", "quiet", NULL, 0, on_rest_body, &a);
	REQUIRE(id);
	rest_quiet_success(rest, id);
	REQUIRE(run_until(&a.done, 1, 10));
	CHECK_INTEQ(a.status, 200);
	CHECK_INTEQ(a.had_body, 0);

	REQUIRE(rest_send_message(rest, "400", "loud", NULL, 0, on_rest_body, &b));
	REQUIRE(run_until(&b.done, 1, 10));
	CHECK_INTEQ(b.status, 200);
	CHECK_INTEQ(b.had_body, 1);

	id = rest_request(rest, "POST", "/channels/403/messages", json_pack("{s:s}", "content", "x"),
			  on_rest_body, &c);
	REQUIRE(id);
	rest_quiet_success(rest, id);
	REQUIRE(run_until(&c.done, 1, 10));
	CHECK_INTEQ(c.status, 403);
	CHECK_INTEQ(c.had_body, 1);
}

TEST(rest_4xx_final)
{
	struct rgot g = {0};
	struct rest_stats before, after;
	rest_get_stats(rest, &before);
	REQUIRE(rest_send_message(rest, "403", "nope", NULL, 0, on_rest, &g));
	REQUIRE(run_until(&g.done, 1, 10));
	CHECK_INTEQ(g.status, 403);
	CHECK(strstr(g.err, "Missing Permissions") && strstr(g.err, "50013"));
	rest_get_stats(rest, &after);
	CHECK_INTEQ(after.retries, before.retries);
}

TEST(rest_split_message)
{
	struct rgot g = {0};
	char *text = malloc(6000);
	REQUIRE(text);
	size_t n = 0;
	for (int i = 0; n < 5200; i++)
		n += (size_t)snprintf(text + n, 6000 - n, "line %04d \xc3\xa9\xe2\x82\xac @everyone\n", i);
	/* The text ends without a newline; each joined part gets one back. */
	text[--n] = '\0';
	json_t *tmpl = json_pack("{s:[{s:s}], s:s}", "embeds", "title", "T", "nonce", "first");
	REQUIRE(rest_send_message(rest, "500", text, tmpl, 0, on_rest, &g));
	REQUIRE(run_until(&g.done, 1, 10));
	CHECK_INTEQ(g.done, 1);
	CHECK_INTEQ(g.status, 200);
	json_t *st = server_state(), *msgs[8];
	REQUIRE(st);
	size_t k = channel_msgs(st, "500", msgs, 8);
	CHECK_INTEQ(k, 3);
	/* In order; joined with the dropped newlines they give the text. */
	char *joined = calloc(1, 8000);
	for (size_t i = 0; i < k && joined; i++) {
		const char *c = json_string_value(json_object_get(msgs[i], "content"));
		REQUIRE(c);
		CHECK(strlen(c) <= 2000 * 4);
		strcat(joined, c);
		strcat(joined, "\n");
		CHECK_INTEQ(mentions_parse_len(msgs[i]), 0);
		CHECK_INTEQ(json_object_get(msgs[i], "embeds") != NULL, i + 1 == k);
	}
	CHECK(joined && strlen(joined) == n + 1 && !strncmp(joined, text, n));
	CHECK_STREQ(json_string_value(json_object_get(msgs[0], "nonce")), "first");
	free(joined);
	free(text);
	json_decref(tmpl);
	json_decref(st);
	/* allow_mentions: Discord may parse everything. */
	struct rgot h = {0};
	REQUIRE(rest_send_message(rest, "501", "hi @everyone", NULL, 1, on_rest, &h));
	REQUIRE(run_until(&h.done, 1, 10));
	st = server_state();
	REQUIRE(st && channel_msgs(st, "501", msgs, 8) == 1);
	CHECK_INTEQ(mentions_parse_len(msgs[0]), 3);
	json_decref(st);
	/* Empty content and no template is refused up front. */
	CHECK_INTEQ(rest_send_message(rest, "502", "", NULL, 0, on_rest, &h), 0);
}

TEST(rest_cancel_no_callback)
{
	struct rgot g = {0};
	uint64_t id = rest_send_message(rest, "600", "cancelled", NULL, 0, on_rest, &g);
	REQUIRE(id);
	rest_cancel(rest, id);
	struct rgot a = {0};
	uint64_t id2 = rest_request(rest, "POST", "/channels/601/messages",
				    json_pack("{s:s}", "content", "x"), on_rest, &a);
	REQUIRE(id2);
	rest_cancel(rest, id2);
	double end = now_s() + 5;
	while (rest_pending(rest) && now_s() < end)
		lws_service(ctx, 0);
	CHECK_INTEQ(rest_pending(rest), 0);
	run_for(0.1);
	CHECK_INTEQ(g.done, 0);
	CHECK_INTEQ(a.done, 0);
	json_t *st = server_state(), *msgs[2];
	CHECK_INTEQ(channel_msgs(st, "600", msgs, 2), 1);
	json_decref(st);
}

TEST(rest_file_upload)
{
	struct rgot g = {0};
	REQUIRE(rest_request_file(rest, "POST", "/channels/700/messages",
				  json_pack("{s:s}", "content", "file"), "a.txt", "hello file", 10,
				  on_rest, &g));
	REQUIRE(run_until(&g.done, 1, 10));
	CHECK_INTEQ(g.status, 200);
	json_t *st = server_state();
	json_t *f = json_array_get(json_object_get(st, "files"), 0);
	REQUIRE(f);
	CHECK(json_is_true(json_object_get(f, "has_payload")));
	CHECK(json_is_true(json_object_get(f, "has_file")));
	CHECK(json_is_true(json_object_get(f, "hello")));
	json_decref(st);
}

TEST(rest_headers_and_interaction)
{
	struct rgot g = {0};
	REQUIRE(rest_request(rest, "POST", "/interactions/1/SECRETINTERACTIONTOKEN/callback",
			     json_pack("{s:i}", "type", 5), on_rest, &g));
	REQUIRE(run_until(&g.done, 1, 10));
	CHECK_INTEQ(g.status, 404);
	CHECK(strstr(g.err, "10062") != NULL);
	json_t *st = server_state();
	json_t *auth = json_object_get(st, "auth"), *ua = json_object_get(st, "ua");
	CHECK_INTEQ(json_array_size(auth), 1);
	CHECK_STREQ(json_string_value(json_array_get(auth, 0)), "Bot " TOKEN);
	CHECK_INTEQ(json_array_size(ua), 1);
	CHECK_STREQ(json_string_value(json_array_get(ua, 0)),
		    "DiscordBot (https://github.com/hallway-bot/hallway, 0.1.0)");
	json_decref(st);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	if (start_server()) {
		fprintf(stderr, "could not start the python3 test server\n");
		return 1;
	}
	static const struct lws_protocols protocols[] = {
		{"hallway-curl", http_lws_callback, 0, 0, 0, NULL, 0},
		{NULL, NULL, 0, 0, 0, NULL, 0},
	};
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.gid = -1;
	info.uid = -1;
	lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
	ctx = lws_create_context(&info);
	if (!ctx) {
		fprintf(stderr, "lws_create_context failed\n");
		kill(server_pid, SIGTERM);
		return 1;
	}
	struct lws_vhost *vh = lws_get_vhost_by_name(ctx, "default");
	http = http_create(ctx, vh);
	tick(NULL);

	RUN(http_get_and_headers);
	RUN(http_sequential_latency);
	RUN(http_keepalive_reuse);
	RUN(http_redirect_and_gzip);
	RUN(http_max_bytes);
	RUN(http_slow_does_not_block_fast);
	RUN(http_cancel);
	RUN(http_refused);

	/* Everything logged during the REST tests goes to a file, which must
	 * not contain the token or an interaction token. */
	char logpath[] = "/tmp/hallway-rest-log-XXXXXX";
	int logfd = mkstemp(logpath), saved = dup(2);
	fflush(stderr);
	dup2(logfd, 2);
	char api[128];
	snprintf(api, sizeof(api), "%s/api/v10", base);
	struct rest_config cfg = {.api_base = api, .token = TOKEN, .max_retries = 5};
	rest = rest_create(ctx, http, &cfg);
	if (rest) {
		RUN(rest_fifty_in_order);
		RUN(rest_429_retry_after);
		RUN(rest_500_retried);
		RUN(rest_4xx_final);
		RUN(rest_quiet_success);
		RUN(rest_split_message);
		RUN(rest_cancel_no_callback);
		RUN(rest_file_upload);
		RUN(rest_headers_and_interaction);
		rest_destroy(rest);
	}
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	CHECK(rest != NULL);
	{
		FILE *lf = fopen(logpath, "r");
		char line[4096];
		int leaks = 0;
		while (lf && fgets(line, sizeof(line), lf)) {
			fputs(line, stderr);
			if (strstr(line, "secretpart") || strstr(line, "SECRETINTERACTION"))
				leaks++;
		}
		if (lf)
			fclose(lf);
		CHECK_INTEQ(leaks, 0);
		unlink(logpath);
		close(logfd);
	}

	lws_sul_cancel(&tick_sul);
	http_destroy(http);
	lws_context_destroy(ctx);
	kill(server_pid, SIGTERM);
	waitpid(server_pid, NULL, 0);
	return test_summary();
}
