/*
 * Gateway connection: URL handling, DNS on a worker, the lws client socket
 * ("hallway-gateway"), RX reassembly and zlib-stream, the TX queue drained
 * one frame per CLIENT_WRITEABLE, closing with a code, and reconnecting
 * with backoff under the close-code policy. Payloads are gateway_proto.c's.
 *
 * Lifecycle: IDLE -> RESOLVING -> CONNECTING -> HELLO_WAIT -> IDENTIFYING
 * or RESUMING -> READY; any socket loss goes to BACKOFF (then RESOLVING
 * again), to FATAL (fatal close code) or to STOPPED (gateway_stop).
 */
#include "gateway_int.h"

#include <arpa/inet.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "log.h"
#include "work.h"

/* lws must not ping or hang up on its own: heartbeats are the liveness
 * check. hangup = 0 disables lws's validity timer. */
static const lws_retry_bo_t gateway_idle_policy = {
	.secs_since_valid_ping = 0,
	.secs_since_valid_hangup = 0,
};

static const struct gateway_limiter_config gateway_tx_config = {
	.max_sends = 110,
	.control_reserve = 5,
	.window_ms = 60000,
	.headroom = LWS_PRE,
	.max_queued = 256,
};

struct gateway_dns {
	struct gateway *g; /* NULL once the gateway gave up on this job */
	char host[256];
	char port[8];
	char ip[INET6_ADDRSTRLEN];
	int err; /* getaddrinfo result */
};

static void connect_timer(lws_sorted_usec_list_t *sul);

int64_t gateway_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t gateway_now_ms(void)
{
	return gateway_now_us() / 1000;
}

double gateway_rand01(struct gateway *g)
{
	/* xorshift64*, seeded from lws_get_random in gateway_create. */
	g->rng ^= g->rng >> 12;
	g->rng ^= g->rng << 25;
	g->rng ^= g->rng >> 27;
	return (double)((g->rng * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

void gateway_kick_tx(struct gateway *g)
{
	if (g->wsi && g->state >= GW_HELLO_WAIT && g->state <= GW_CLOSING)
		lws_callback_on_writable(g->wsi);
}

void gateway_close_local(struct gateway *g, int code, const char *reason,
			 enum gateway_close_action action)
{
	int established = g->state >= GW_HELLO_WAIT;

	if (!g->wsi || g->close_requested)
		return;
	g->close_requested = 1;
	g->close_code = code;
	g->close_action = action;
	snprintf(g->close_reason, sizeof(g->close_reason), "%s", reason);
	g->state = GW_CLOSING;
	g->stats.ready = 0;
	gateway_proto_reset(g);
	lws_sul_cancel(&g->sul_tx);
	if (!established) { /* still connecting: nothing to say, just drop it */
		lws_set_timeout(g->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
		return;
	}
	lws_callback_on_writable(g->wsi);
	/* A dead peer may never let us write the close frame. */
	lws_set_timeout(g->wsi, PENDING_TIMEOUT_USER_OK, 3);
}

/* Splits ws[s]://host[:port][/path][?query] into g's connect target. */
struct target {
	char host[256];
	char path[600];
	int port;
	int tls;
};

static int parse_url(const char *url, int compress, struct target *t)
{
	const char *p, *host, *host_end, *path;
	size_t hlen, plen;

	memset(t, 0, sizeof(*t));
	if (!strncmp(url, "wss://", 6)) {
		t->tls = 1;
		t->port = 443;
		p = url + 6;
	} else if (!strncmp(url, "ws://", 5)) {
		t->port = 80;
		p = url + 5;
	} else {
		return -1;
	}
	host = p;
	if (*p == '[') { /* IPv6 literal */
		host = ++p;
		while (*p && *p != ']')
			p++;
		if (*p != ']')
			return -1;
		host_end = p++;
	} else {
		while (*p && *p != ':' && *p != '/' && *p != '?')
			p++;
		host_end = p;
	}
	hlen = (size_t)(host_end - host);
	if (!hlen || hlen >= sizeof(t->host))
		return -1;
	memcpy(t->host, host, hlen);
	if (*p == ':') {
		char *end;
		long port = strtol(p + 1, &end, 10);

		if (end == p + 1 || port < 1 || port > 65535)
			return -1;
		t->port = (int)port;
		p = end;
	}
	path = *p == '/' ? p : "/";
	plen = *p == '/' ? strcspn(p, "?#") : 1;
	if (plen > 256)
		return -1;
	snprintf(t->path, sizeof(t->path), "%.*s?v=10&encoding=json%s", (int)plen, path,
		 compress ? "&compress=zlib-stream" : "");
	return 0;
}

static void schedule_reconnect(struct gateway *g, const char *why)
{
	int64_t delay;
	int resume = g->session_id != NULL;

	if (g->stopping || g->state == GW_STOPPED || g->state == GW_FATAL ||
	    g->state == GW_BACKOFF)
		return;
	delay = gateway_policy_backoff_ms(g->retry, gateway_rand01(g));
	if (g->retry < 1000)
		g->retry++;
	if (delay < g->min_delay_ms)
		delay = g->min_delay_ms;
	/* One IDENTIFY per 5 s (max_concurrency 1), or Discord answers op 9. */
	if (!resume && g->identify_ms &&
	    delay < g->identify_ms + GATEWAY_IDENTIFY_GAP_MS - gateway_now_ms())
		delay = g->identify_ms + GATEWAY_IDENTIFY_GAP_MS - gateway_now_ms();
	g->min_delay_ms = 0;
	g->state = GW_BACKOFF;
	g->stats.reconnects++;
	LOGW(GATEWAY_LOG, "reconnecting in %lld ms (%s); will %s", (long long)delay, why,
	     resume ? "resume" : "identify");
	lws_sul_schedule(g->lws, 0, &g->sul_reconnect, connect_timer,
			 (lws_usec_t)delay * LWS_US_PER_MS);
}

static void connect_ip(struct gateway *g, const struct target *t, const char *ip)
{
	struct lws_client_connect_info i;

	memset(&i, 0, sizeof(i));
	i.context = g->lws;
	i.vhost = g->vhost;
	i.address = ip;
	i.port = t->port;
	i.path = t->path;
	i.host = t->host; /* Host header, SNI and the certificate name check */
	i.origin = t->host;
	i.ssl_connection = t->tls ? LCCSCF_USE_SSL | LCCSCF_PRIORITIZE_READS : 0;
	i.protocol = NULL;
	i.local_protocol_name = "hallway-gateway";
	i.pwsi = &g->wsi;
	i.opaque_user_data = g;
	i.retry_and_idle_policy = &gateway_idle_policy;

	g->state = GW_CONNECTING;
	g->close_requested = 0;
	g->peer_close_code = 0;
	g->peer_close_reason[0] = '\0';
	LOGD(GATEWAY_LOG, "connecting to %s (%s) port %d", t->host, ip, t->port);
	if (!lws_client_connect_via_info(&i)) {
		/* A synchronous CONNECTION_ERROR may already have rescheduled. */
		g->wsi = NULL;
		if (g->state == GW_CONNECTING)
			schedule_reconnect(g, "connect failed");
	}
}

/* Returns the URL and target of the next connection. */
static int next_target(struct gateway *g, struct target *t)
{
	if (g->session_id && g->resume_url && !parse_url(g->resume_url, g->compress, t))
		return 0;
	return parse_url(g->url, g->compress, t);
}

static void dns_run(void *arg)
{
	struct gateway_dns *job = arg;
	struct addrinfo hints, *res = NULL;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	job->err = getaddrinfo(job->host, job->port, &hints, &res);
	if (!job->err && res) {
		const void *addr = res->ai_family == AF_INET6
					   ? (const void *)&((struct sockaddr_in6 *)res->ai_addr)->sin6_addr
					   : (const void *)&((struct sockaddr_in *)res->ai_addr)->sin_addr;

		if (!inet_ntop(res->ai_family, addr, job->ip, sizeof(job->ip)))
			job->err = EAI_FAIL;
	} else if (!job->err) {
		job->err = EAI_NONAME;
	}
	if (res)
		freeaddrinfo(res);
}

static void dns_done(void *arg, int cancelled)
{
	struct gateway_dns *job = arg;
	struct gateway *g = job->g;
	struct target t;
	char why[400];

	if (!g) {
		free(job);
		return;
	}
	g->dns = NULL;
	g->dns_id = 0;
	if (cancelled) {
		/* The pool is shutting down (gateway_stop clears job->g). */
		schedule_reconnect(g, "DNS job cancelled");
		free(job);
		return;
	}
	if (job->err) {
		snprintf(why, sizeof(why), "cannot resolve %s: %s", job->host,
			 gai_strerror(job->err));
		g->state = GW_CONNECTING;
		schedule_reconnect(g, why);
	} else if (next_target(g, &t) || strcmp(t.host, job->host)) {
		g->state = GW_CONNECTING;
		schedule_reconnect(g, "gateway URL changed while resolving");
	} else {
		LOGD(GATEWAY_LOG, "resolved %s to %s", job->host, job->ip);
		connect_ip(g, &t, job->ip);
	}
	free(job);
}

static void connect_now(struct gateway *g)
{
	struct gateway_dns *job;
	struct target t;

	if (g->stopping || g->state == GW_FATAL)
		return;
	g->connect_started_ms = gateway_now_ms();
	if (next_target(g, &t)) {
		/* Only a bad resume URL can get here (gateway_start checked
		 * url): start over without the session. */
		LOGW(GATEWAY_LOG, "unusable gateway URL; starting a new session");
		gateway_drop_session(g);
		if (next_target(g, &t))
			return;
	}
	g->state = GW_RESOLVING;
	if (!g->work) {
		/* No worker pool: let lws resolve (blocking) rather than fail. */
		connect_ip(g, &t, t.host);
		return;
	}
	job = calloc(1, sizeof(*job));
	if (!job) {
		g->state = GW_CONNECTING;
		schedule_reconnect(g, "out of memory");
		return;
	}
	job->g = g;
	snprintf(job->host, sizeof(job->host), "%s", t.host);
	snprintf(job->port, sizeof(job->port), "%d", t.port);
	g->dns = job;
	g->dns_id = work_submit(g->work, dns_run, dns_done, job);
	if (!g->dns_id) {
		g->dns = NULL;
		free(job);
		g->state = GW_CONNECTING;
		schedule_reconnect(g, "cannot submit the DNS job");
	}
}

static void connect_timer(lws_sorted_usec_list_t *sul)
{
	struct gateway *g = lws_container_of(sul, struct gateway, sul_reconnect);

	if (g->state == GW_BACKOFF || g->state == GW_IDLE)
		connect_now(g);
}

static void tx_timer(lws_sorted_usec_list_t *sul)
{
	struct gateway *g = lws_container_of(sul, struct gateway, sul_tx);

	gateway_kick_tx(g);
}

/* The socket is gone (closed or never connected): decide what is next. */
static void socket_gone(struct gateway *g, const char *error)
{
	struct gateway_close_policy p;
	enum gateway_close_action action;
	char why[300];
	int was_ready = g->ready_ms != 0;

	g->wsi = NULL;
	lws_sul_cancel(&g->sul_tx);
	gateway_proto_reset(g);
	zstream_free(g->z);
	g->z = NULL;
	g->rx_len = 0;
	g->stats.ready = 0;
	/* A socket that died soon after READY/RESUMED without carrying a live
	 * event does not count as healthy: a server that accepts and drops
	 * every socket is backed off. One that served events did its job,
	 * however short it lived (op 7, op 9 resumable, a drop): backing off
	 * from it kept the bot away for seconds while interactions, which
	 * must be answered within 3 s, expired (it_test_soak). */
	if (was_ready && !g->live && gateway_now_ms() - g->ready_ms < GATEWAY_STABLE_MS)
		g->retry = g->retry_at_ready;
	g->ready_ms = 0;

	if (g->stopping) {
		g->state = GW_STOPPED;
		LOGI(GATEWAY_LOG, "gateway stopped");
		return;
	}
	if (g->close_requested) {
		action = g->close_action;
		snprintf(why, sizeof(why), "we closed with %d: %s", g->close_code, g->close_reason);
	} else {
		p = gateway_policy_close(g->peer_close_code);
		action = p.action;
		if (error)
			snprintf(why, sizeof(why), "connection failed: %s", error);
		else if (g->peer_close_code)
			snprintf(why, sizeof(why), "server closed with %d (%s)%s%s",
				 g->peer_close_code, p.meaning,
				 g->peer_close_reason[0] ? ": " : "", g->peer_close_reason);
		else
			snprintf(why, sizeof(why), "connection lost without a close code");
		if (action == GATEWAY_CLOSE_FATAL) {
			g->state = GW_FATAL;
			LOGE(GATEWAY_LOG, "%s; not reconnecting. %s", why, p.why);
			if (g->cb.fatal)
				g->cb.fatal(g->cb.ud, p.code, p.why);
			return;
		}
	}
	g->close_requested = 0;
	if (action == GATEWAY_CLOSE_NEW_SESSION)
		gateway_drop_session(g);
	schedule_reconnect(g, why);
}

/* A big message (a GUILD_CREATE with every member: ~1 MB of text, ~8 MB of
 * JSON tree) is rare: give its buffer back, and the freed tree's pages too,
 * so resident memory returns to the steady state (bench/RESULTS.md). */
static void trim_heap(void)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

static void release_big_rx(struct gateway *g)
{
	free(g->rx);
	g->rx = NULL;
	g->rx_cap = 0;
	trim_heap();
}

static int on_receive(struct gateway *g, struct lws *wsi, const void *in, size_t len)
{
	int final = lws_is_final_fragment(wsi);
	const char *out;
	size_t out_len;
	int rc;

	if (g->state == GW_CLOSING)
		return 0;
	if (g->compress) {
		if (!g->z)
			g->z = zstream_new(GATEWAY_ZIN_MAX, GATEWAY_ZOUT_MAX);
		rc = g->z ? zstream_push(g->z, in, len, final, &out, &out_len) : ZSTREAM_ENOMEM;
		if (rc) {
			LOGW(GATEWAY_LOG, "zlib-stream: %s; closing with 4000 to resume",
			     zstream_strerror(rc));
			gateway_close_local(g, 4000, "zlib-stream error", GATEWAY_CLOSE_RESUME);
			return 0;
		}
		if (out) {
			gateway_proto_handle(g, out, out_len);
			/* The same for zlib-stream: the inflated GUILD_CREATE. */
			if (g->z && zstream_trim(g->z, GATEWAY_RX_KEEP))
				trim_heap();
		}
		return 0;
	}
	if (len > GATEWAY_RX_MAX - g->rx_len) {
		LOGW(GATEWAY_LOG, "message over %u bytes; closing with 4000 to resume",
		     GATEWAY_RX_MAX);
		gateway_close_local(g, 4000, "message too large", GATEWAY_CLOSE_RESUME);
		return 0;
	}
	if (g->rx_len + len > g->rx_cap) {
		size_t cap = g->rx_cap ? g->rx_cap : 8192;
		unsigned char *nrx;

		while (cap < g->rx_len + len)
			cap *= 2;
		if (cap > GATEWAY_RX_MAX)
			cap = GATEWAY_RX_MAX;
		nrx = realloc(g->rx, cap);
		if (!nrx) {
			gateway_close_local(g, 4000, "out of memory", GATEWAY_CLOSE_RESUME);
			return 0;
		}
		g->rx = nrx;
		g->rx_cap = cap;
	}
	memcpy(g->rx + g->rx_len, in, len);
	g->rx_len += len;
	if (final) {
		size_t n = g->rx_len;

		g->rx_len = 0;
		gateway_proto_handle(g, (const char *)g->rx, n);
		if (g->rx_cap >= GATEWAY_RX_KEEP)
			release_big_rx(g);
	}
	return 0;
}

static int on_writeable(struct gateway *g, struct lws *wsi)
{
	struct gateway_frame *f;
	int64_t now = gateway_now_ms(), wait;

	if (g->close_requested) {
		lws_close_reason(wsi, (enum lws_close_status)g->close_code,
				 (unsigned char *)g->close_reason, strlen(g->close_reason));
		return -1;
	}
	f = gateway_limiter_next(g->tx, now, g->state == GW_READY, &wait);
	if (!f) {
		if (wait > 0)
			lws_sul_schedule(g->lws, 0, &g->sul_tx, tx_timer,
					 (lws_usec_t)wait * LWS_US_PER_MS);
		return 0;
	}
	if (lws_write(wsi, f->data, f->len, LWS_WRITE_TEXT) < (int)f->len) {
		LOGW(GATEWAY_LOG, "websocket write failed; reconnecting");
		return -1;
	}
	gateway_proto_written(g, f->kind);
	gateway_limiter_sent(g->tx, f, now);
	/* One frame per WRITEABLE; come back for the next one. */
	if (gateway_limiter_next(g->tx, now, g->state == GW_READY, &wait))
		lws_callback_on_writable(wsi);
	else if (wait > 0)
		lws_sul_schedule(g->lws, 0, &g->sul_tx, tx_timer, (lws_usec_t)wait * LWS_US_PER_MS);
	return 0;
}

static void on_peer_close(struct gateway *g, const unsigned char *in, size_t len)
{
	if (len < 2)
		return;
	g->peer_close_code = in[0] << 8 | in[1];
	gateway_clean(g->peer_close_reason, sizeof(g->peer_close_reason), (const char *)in + 2,
		      len - 2);
	LOGD(GATEWAY_LOG, "server sent close %d", g->peer_close_code);
}

int gateway_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
			 void *in, size_t len)
{
	struct gateway *g = wsi ? lws_get_opaque_user_data(wsi) : NULL;

	if (!g)
		return reason == LWS_CALLBACK_CLIENT_RECEIVE ||
			       reason == LWS_CALLBACK_CLIENT_WRITEABLE
		       ? -1 /* an orphan socket of a destroyed gateway */
		       : 0;
	if (g->wsi && g->wsi != wsi)
		return 0; /* not our current socket */
	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR: {
		char err[128];

		gateway_clean(err, sizeof(err), in ? (const char *)in : "unknown error",
			      in ? strnlen((const char *)in, len ? len : 127) : 13);
		if (g->wsi == wsi || (!g->wsi && g->state == GW_CONNECTING))
			socket_gone(g, err);
		break;
	}
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		g->wsi = wsi;
		g->state = GW_HELLO_WAIT;
		g->stats.connects++;
		gateway_limiter_reset(g->tx);
		zstream_free(g->z);
		g->z = g->compress ? zstream_new(GATEWAY_ZIN_MAX, GATEWAY_ZOUT_MAX) : NULL;
		g->rx_len = 0;
		LOGI(GATEWAY_LOG, "connected (%lld ms)%s",
		     (long long)(gateway_now_ms() - g->connect_started_ms),
		     g->compress ? ", zlib-stream" : "");
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		return on_receive(g, wsi, in, len);
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		on_peer_close(g, in, len);
		break;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		return on_writeable(g, wsi);
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (g->wsi == wsi)
			socket_gone(g, NULL);
		break;
	default:
		break;
	}
	return 0;
}

struct gateway *gateway_create(struct lws_context *lws, struct lws_vhost *vhost,
			       struct work *work, const struct gateway_config *cfg,
			       const struct gateway_callbacks *cb)
{
	struct gateway *g;

	if (!lws || !cfg || !cfg->token || !cfg->token[0])
		return NULL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->lws = lws;
	g->vhost = vhost;
	g->work = work;
	g->token = strdup(cfg->token);
	g->intents = cfg->intents;
	g->compress = cfg->compress;
	g->large_threshold = cfg->large_threshold ? cfg->large_threshold : 250;
	if (cb)
		g->cb = *cb;
	g->seq = -1;
	g->tx = gateway_limiter_new(&gateway_tx_config);
	if (lws_get_random(lws, &g->rng, sizeof(g->rng)) != sizeof(g->rng) || !g->rng)
		g->rng = (uint64_t)gateway_now_ms() * 6364136223846793005ull + 1;
	if (!g->token || !g->tx) {
		gateway_destroy(g);
		return NULL;
	}
	return g;
}

int gateway_start(struct gateway *g, const char *url)
{
	struct target t;
	char *copy;

	if (!g || !url || g->stopping || g->state == GW_FATAL)
		return -1;
	if (parse_url(url, g->compress, &t)) {
		LOGE(GATEWAY_LOG, "gateway URL is not ws:// or wss://host[:port][/path]");
		return -1;
	}
	copy = strdup(url);
	if (!copy)
		return -1;
	free(g->url);
	g->url = copy;
	if (g->state == GW_IDLE || g->state == GW_BACKOFF) {
		lws_sul_cancel(&g->sul_reconnect);
		connect_now(g);
	}
	return 0;
}

/* code 1000 ends the session; 4000 leaves it resumable (gateway.h). */
static void stop_with(struct gateway *g, int code, const char *reason)
{
	if (!g || g->stopping)
		return;
	g->stopping = 1;
	lws_sul_cancel(&g->sul_reconnect);
	if (g->dns) {
		work_cancel(g->work, g->dns_id);
		g->dns->g = NULL;
		g->dns = NULL;
	}
	if (g->wsi) {
		LOGI(GATEWAY_LOG, "closing the gateway (%d: %s)", code, reason);
		g->close_requested = 0; /* a pending close gets this code instead */
		gateway_close_local(g, code, reason,
				    code == 1000 ? GATEWAY_CLOSE_NEW_SESSION : GATEWAY_CLOSE_RESUME);
	} else if (g->state != GW_FATAL) {
		g->state = GW_STOPPED;
	}
}

void gateway_stop(struct gateway *g)
{
	stop_with(g, 1000, "shutdown");
}

void gateway_stop_resumable(struct gateway *g)
{
	stop_with(g, 4000, "handing over");
}

int gateway_adopt_session(struct gateway *g, const char *session_id, const char *resume_url,
			  int64_t seq)
{
	char *sid, *url = NULL;
	struct target t;

	if (!g || g->state != GW_IDLE || !session_id || !*session_id || strlen(session_id) >= 256 ||
	    seq < 0)
		return -1;
	/* A resume URL we could not connect to is no use: resume on the
	 * main URL then (Discord accepts it, with more disconnects). */
	if (resume_url && (strlen(resume_url) >= 1024 || parse_url(resume_url, g->compress, &t)))
		resume_url = NULL;
	if (!(sid = strdup(session_id)) || (resume_url && !(url = strdup(resume_url)))) {
		free(sid);
		return -1;
	}
	gateway_drop_session(g);
	g->session_id = sid;
	g->resume_url = url;
	g->seq = seq;
	return 0;
}

void gateway_session(const struct gateway *g, const char **session_id, const char **resume_url,
		     int64_t *seq)
{
	*session_id = g ? g->session_id : NULL;
	*resume_url = g ? g->resume_url : NULL;
	*seq = g ? g->seq : -1;
}

int gateway_is_stopped(const struct gateway *g)
{
	return !g || ((g->state == GW_STOPPED || g->state == GW_FATAL) && !g->wsi);
}

void gateway_get_stats(const struct gateway *g, struct gateway_stats *out)
{
	if (!g) {
		memset(out, 0, sizeof(*out));
		return;
	}
	*out = g->stats;
	out->ready = g->state == GW_READY;
}

void gateway_destroy(struct gateway *g)
{
	if (!g)
		return;
	lws_sul_cancel(&g->sul_hb);
	lws_sul_cancel(&g->sul_tx);
	lws_sul_cancel(&g->sul_reconnect);
	if (g->dns) {
		work_cancel(g->work, g->dns_id);
		g->dns->g = NULL;
	}
	if (g->wsi) {
		/* Orphan the socket: its callbacks find no gateway and close. */
		lws_set_opaque_user_data(g->wsi, NULL);
		lws_set_timeout(g->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
	}
	zstream_free(g->z);
	gateway_limiter_free(g->tx);
	if (g->token) {
		memset(g->token, 0, strlen(g->token));
		free(g->token);
	}
	free(g->url);
	free(g->resume_url);
	free(g->session_id);
	free(g->rx);
	free(g);
}
