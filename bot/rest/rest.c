/*
 * Discord REST: per-bucket FIFO queues in front of bot/rest/http.c, paced by the
 * pure rate-limit state in bot/rest/ratelimit.c.
 *
 * Each rl_bucket (route template x major parameter) that has work owns one
 * queue. Requests wait there in order and are never dropped: a 429 puts the
 * request back at the head, 5xx and transport errors put it back with an
 * exponential, jittered delay (at most max_retries times). Queues of
 * non-GET routes keep one request in flight, so messages to a channel reach
 * Discord in the order they were queued; GET queues send as many as the
 * rate limit allows. One lws_sul wakes the pump at the earliest time a
 * waiting queue may send again.
 */
#include "rest.h"
#include "gateway_scan.h"
#include "http.h"
#include "log.h"
#include "msgsplit.h"
#include "ratelimit.h"

#include <curl/curl.h>
#include <libwebsockets.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define REST_USER_AGENT "DiscordBot (https://github.com/hallway-bot/hallway, 0.1.0)"
#define REST_MAX_429 20          /* consecutive 429s before giving up */
#define REST_BACKOFF_BASE_S 0.25
#define REST_BACKOFF_MAX_S 30.0
#define REST_TIMEOUT_MS 30000L
#define REST_MAX_RESPONSE ((size_t)16 << 20)
#define REST_GET_CONCURRENCY 8
#define REST_GC_INTERVAL_S 60.0
#define REST_WAKE_MAX_S 60.0         /* the pump sleeps at most this long */

struct rest_queue;
struct rest_group;

struct rest_req {
	struct rest_req *prev, *next; /* r->reqs: every queued or in-flight request */
	struct rest_req *qnext;       /* waiting list of its queue */
	struct rest *r;
	struct rest_queue *q;
	struct rest_group *group;     /* a part of rest_send_message, or NULL */
	uint64_t id;                  /* 0 for message parts (the group has one) */
	char *method, *path;
	char *body;                   /* JSON text or NULL */
	size_t body_len;
	int multipart;
	char *filename;
	void *file;
	size_t file_len;
	char *reason;                 /* X-Audit-Log-Reason header value (encoded), or NULL */
	int quiet;                    /* rest_quiet_success: a 2xx body is not parsed */
	rest_done_fn done;
	void *ud;
	uint64_t http_id;             /* in flight when non-zero */
	int attempts, n429;
	double not_before;
	double sent_at;               /* when rl_sent counted it (mono_now) */
};

struct rest_queue {
	struct rest_queue *next;
	struct rl_bucket *b;
	struct rest_req *head, *tail; /* waiting, FIFO */
	unsigned inflight, max_inflight;
};

struct rest_group {
	struct rest_group *prev, *next;
	uint64_t id;
	rest_done_fn done;
	void *ud;
	int parts_left;
	long last_status;
	int quiet;                    /* rest_quiet_success */
};

struct rest {
	struct lws_context *lws;
	struct http *http;
	struct rl *rl;
	char *api_base, *token;
	/* Authorization and User-Agent, with and without the JSON content
	 * type: built when configured, not per request (http_start copies). */
	struct curl_slist *hdr_json, *hdr_form;
	int max_retries;
	struct rest_req *reqs;
	struct rest_queue *queues;
	struct rest_group *groups;
	size_t pending;
	uint64_t next_id;
	uint64_t rng;
	lws_sorted_usec_list_t pump_sul;
	double next_gc;
	int pumping;
	int aborted;             /* rest_abort ran: nothing new is queued */
	int held;                /* rest_hold: the standby sends nothing */
	struct rest_stats stats;
	rest_observe_fn observe; /* metrics */
	void *observe_ud;
};

static void pump(struct rest *r);

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng_next(struct rest *r)
{
	/* xorshift64*: jitter and nonces, not secrets. */
	r->rng ^= r->rng >> 12;
	r->rng ^= r->rng << 25;
	r->rng ^= r->rng >> 27;
	return r->rng * 2685821657736338717ULL;
}

static char *dup_str(const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

/* What a log line may name: the path, or only the template when the path
 * holds a token (interactions, webhooks). Into buf. */
static const char *log_name(const struct rest_req *q, char *buf, size_t len)
{
	if (!q->q || (rl_bucket_flags(q->q->b) & RL_ROUTE_SECRET))
		snprintf(buf, len, "%s", q->q ? rl_bucket_route(q->q->b) : "(route)");
	else
		snprintf(buf, len, "%s %s", q->method, q->path);
	return buf;
}

/* ---- requests and queues ---- */

static void req_free(struct rest *r, struct rest_req *q)
{
	if (q->prev)
		q->prev->next = q->next;
	else if (r->reqs == q)
		r->reqs = q->next;
	if (q->next)
		q->next->prev = q->prev;
	r->pending--;
	free(q->method);
	free(q->path);
	free(q->body);
	free(q->filename);
	free(q->file);
	free(q->reason);
	free(q);
}

static void queue_push(struct rest_queue *qu, struct rest_req *q)
{
	q->qnext = NULL;
	if (qu->tail)
		qu->tail->qnext = q;
	else
		qu->head = q;
	qu->tail = q;
}

static void queue_push_front(struct rest_queue *qu, struct rest_req *q)
{
	q->qnext = qu->head;
	qu->head = q;
	if (!qu->tail)
		qu->tail = q;
}

static struct rest_req *queue_pop(struct rest_queue *qu)
{
	struct rest_req *q = qu->head;
	if (q) {
		qu->head = q->qnext;
		if (!qu->head)
			qu->tail = NULL;
		q->qnext = NULL;
	}
	return q;
}

static void queue_remove(struct rest_queue *qu, struct rest_req *q)
{
	struct rest_req **pp = &qu->head, *prev = NULL;
	while (*pp && *pp != q) {
		prev = *pp;
		pp = &(*pp)->qnext;
	}
	if (!*pp)
		return;
	*pp = q->qnext;
	if (qu->tail == q)
		qu->tail = prev;
	q->qnext = NULL;
}

static struct rest_queue *queue_for(struct rest *r, const char *method, const char *path)
{
	struct rl_bucket *b = rl_bucket_get(r->rl, method, path, mono_now());
	if (!b)
		return NULL;
	struct rest_queue *qu = rl_bucket_data(b);
	if (qu)
		return qu;
	qu = calloc(1, sizeof(*qu));
	if (!qu)
		return NULL;
	qu->b = b;
	qu->max_inflight = strcmp(method, "GET") ? 1 : REST_GET_CONCURRENCY;
	rl_bucket_set_data(b, qu);
	qu->next = r->queues;
	r->queues = qu;
	return qu;
}

/* Creates a waiting request (not yet queued). Steals nothing. */
static struct rest_req *req_new(struct rest *r, const char *method, const char *path)
{
	if (!method || !path || path[0] != '/')
		return NULL;
	struct rest_req *q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->r = r;
	q->method = dup_str(method);
	q->path = dup_str(path);
	if (!q->method || !q->path) {
		free(q->method);
		free(q->path);
		free(q);
		return NULL;
	}
	q->next = r->reqs;
	if (r->reqs)
		r->reqs->prev = q;
	r->reqs = q;
	r->pending++;
	return q;
}

static int req_enqueue(struct rest *r, struct rest_req *q)
{
	q->q = queue_for(r, q->method, q->path);
	if (!q->q)
		return -1;
	queue_push(q->q, q);
	return 0;
}

/* ---- completion ---- */

static void group_free(struct rest *r, struct rest_group *g)
{
	if (g->prev)
		g->prev->next = g->next;
	else
		r->groups = g->next;
	if (g->next)
		g->next->prev = g->prev;
	free(g);
}

/* Final result of q: calls back and frees q. body borrowed. */
static void req_finish(struct rest *r, struct rest_req *q, long status, json_t *body,
		       const char *error)
{
	struct rest_group *g = q->group;
	rest_done_fn done = q->done;
	void *ud = q->ud;
	int ok = status >= 200 && status < 300;

	if (g) {
		g->parts_left--;
		g->last_status = status;
		if (!ok) {
			/* The rest of the message would arrive with a gap: drop the
			 * parts not yet sent; they share the failure. */
			for (struct rest_req *o = r->reqs, *n; o; o = n) {
				n = o->next;
				if (o != q && o->group == g && !o->http_id) {
					queue_remove(o->q, o);
					req_free(r, o);
					g->parts_left--;
				}
			}
		}
		done = (ok && g->parts_left > 0) ? NULL : g->done;
		ud = g->ud;
		if (!ok || g->parts_left <= 0)
			group_free(r, g);
	}
	req_free(r, q);
	if (done)
		done(ud, status, body, error);
}

static int retryable_status(long status)
{
	return status == 500 || status == 502 || status == 503 || status == 504 ||
	       status == 524;
}

static double backoff_s(struct rest *r, int attempt)
{
	double d = REST_BACKOFF_BASE_S * ldexp(1.0, attempt > 1 ? attempt - 1 : 0);
	if (d > REST_BACKOFF_MAX_S)
		d = REST_BACKOFF_MAX_S;
	/* Equal jitter: half fixed, half random. */
	return d * (0.5 + 0.5 * (double)(rng_next(r) >> 11) / 9007199254740992.0);
}

/* Discord's error shape {"code":N,"message":"..."} as short text. */
static const char *discord_error(json_t *body, long status, char *buf, size_t len)
{
	json_t *code = json_object_get(body, "code");
	const char *msg = json_string_value(json_object_get(body, "message"));
	if (msg)
		snprintf(buf, len, "HTTP %ld: %s (code %lld)", status, msg,
			 (long long)json_integer_value(code));
	else
		snprintf(buf, len, "HTTP %ld", status);
	return buf;
}

static void on_http_done(void *ud, const struct http_response *res)
{
	struct rest_req *q = ud;
	struct rest *r = q->r;
	struct rest_queue *qu = q->q;
	char name[320], err[512];
	json_t *body = NULL;
	double body_ra = -1, now = mono_now();
	int body_global = 0;
	long status = res->status;

	q->http_id = 0;
	qu->inflight--;
	if (res->status)
		rl_observe_rtt(r->rl, now - q->sent_at);
	/* A success nobody reads is not parsed (rest_quiet_success); every
	 * other answer is: a 429's retry_after, an error's message. */
	if (res->body_len &&
	    !(status >= 200 && status < 300 && (q->quiet || (q->group && q->group->quiet)))) {
		body = json_fast_loadb(res->body, res->body_len, JSON_DECODE_ANY, NULL);
		json_t *ra = json_object_get(body, "retry_after");
		if (json_is_number(ra))
			body_ra = json_number_value(ra);
		body_global = json_is_true(json_object_get(body, "global"));
	}
	struct rl_headers h = {
		.limit = http_response_header(res, "X-RateLimit-Limit"),
		.remaining = http_response_header(res, "X-RateLimit-Remaining"),
		.reset = http_response_header(res, "X-RateLimit-Reset"),
		.reset_after = http_response_header(res, "X-RateLimit-Reset-After"),
		.bucket = http_response_header(res, "X-RateLimit-Bucket"),
		.global = http_response_header(res, "X-RateLimit-Global"),
		.scope = http_response_header(res, "X-RateLimit-Scope"),
		.retry_after = http_response_header(res, "Retry-After"),
	};
	struct rl_verdict v;
	rl_response(r->rl, qu->b, now, wall_now(), status, &h, body_ra, body_global, &v);
	log_name(q, name, sizeof(name));
	if (r->observe)
		r->observe(r->observe_ud, rl_bucket_route(qu->b), status);

	if (status >= 200 && status < 300)
		r->stats.responses_2xx++;
	else if (status >= 400 && status < 500)
		r->stats.responses_4xx++;
	else if (status >= 500)
		r->stats.responses_5xx++;
	else if (status == 0)
		r->stats.transport_errors++;

	if (status == 429 && ++q->n429 <= REST_MAX_429) {
		r->stats.rate_limited_429++;
		LOGW("rest", "rate limited: %s for %.3f s (scope %s%s)", name, v.retry_after,
		     v.scope[0] ? v.scope : "unknown", v.global ? ", global" : "");
		queue_push_front(qu, q);
		goto out;
	}
	if ((status == 0 || retryable_status(status)) && q->attempts < r->max_retries) {
		q->attempts++;
		r->stats.retries++;
		double d = backoff_s(r, q->attempts);
		q->not_before = now + d;
		if (status)
			LOGW("rest", "%s: HTTP %ld, retry %d/%d in %.2f s", name, status, q->attempts,
			     r->max_retries, d);
		else
			LOGW("rest", "%s: %s, retry %d/%d in %.2f s", name,
			     res->error ? res->error : "transport error", q->attempts, r->max_retries,
			     d);
		queue_push_front(qu, q);
		goto out;
	}

	const char *error = NULL;
	if (status == 0) {
		snprintf(err, sizeof(err), "%s", res->error ? res->error : "transport error");
		error = err;
		LOGE("rest", "%s failed: %s", name, err);
	} else if (status < 200 || status >= 300) {
		error = discord_error(body, status, err, sizeof(err));
		LOGW("rest", "%s: %s", name, err);
	}
	req_finish(r, q, status, body, error);
out:
	json_decref(body);
	pump(r);
}

/* A new list: Authorization, User-Agent and, when json, the JSON content
 * type. Freed with curl_slist_free_all. */
static struct curl_slist *auth_headers(const char *token, int json)
{
	struct curl_slist *l = NULL, *n;
	size_t alen = strlen(token) + 32;
	char *auth = malloc(alen);
	if (!auth)
		return NULL;
	snprintf(auth, alen, "Authorization: Bot %s", token);
	n = curl_slist_append(l, auth);
	/* Do not leave the token lying around in freed memory. */
	memset(auth, 0, alen);
	free(auth);
	if (!n)
		return NULL;
	l = n;
	n = curl_slist_append(l, "User-Agent: " REST_USER_AGENT);
	if (n && json)
		n = curl_slist_append(n, "Content-Type: application/json");
	if (!n) {
		curl_slist_free_all(l);
		return NULL;
	}
	return l;
}

/* Frees a header list that holds the token, wiping the token first. */
static void headers_free(struct curl_slist *l)
{
	for (struct curl_slist *n = l; n; n = n->next)
		memset(n->data, 0, strlen(n->data));
	curl_slist_free_all(l);
}

static curl_mime *build_mime(const struct rest_req *q)
{
	curl_mime *m = curl_mime_init(NULL);
	curl_mimepart *p;
	if (!m)
		return NULL;
	p = curl_mime_addpart(m);
	if (!p || curl_mime_name(p, "payload_json") ||
	    curl_mime_data(p, q->body ? q->body : "{}", q->body ? q->body_len : 2) ||
	    curl_mime_type(p, "application/json"))
		goto fail;
	p = curl_mime_addpart(m);
	if (!p || curl_mime_name(p, "files[0]") || curl_mime_filename(p, q->filename) ||
	    curl_mime_data(p, q->file ? q->file : "", q->file_len) ||
	    curl_mime_type(p, "application/octet-stream"))
		goto fail;
	return m;
fail:
	curl_mime_free(m);
	return NULL;
}

/* Starts q over HTTP. 0, or -1 (q stays with the caller). */
static int req_send(struct rest *r, struct rest_req *q, double now)
{
	struct curl_slist *hdr = q->multipart ? r->hdr_form : r->hdr_json, *with_reason = NULL;
	size_t ulen = strlen(r->api_base) + strlen(q->path) + 1;
	char small[512], *url = ulen <= sizeof(small) ? small : malloc(ulen);
	int rc = -1;

	if (!url)
		goto out;
	snprintf(url, ulen, "%s%s", r->api_base, q->path);
	if (q->reason) {
		/* The shared list gets one more line for this request only. */
		for (const struct curl_slist *s = hdr; s; s = s->next) {
			struct curl_slist *n = curl_slist_append(with_reason, s->data);
			if (!n)
				goto out;
			with_reason = n;
		}
		struct curl_slist *n = curl_slist_append(with_reason, q->reason);
		if (!n)
			goto out;
		hdr = with_reason = n;
	}
	struct http_request req = {
		.method = q->method,
		.url = url,
		.headers = hdr,
		.body = q->multipart ? NULL : q->body,
		.body_len = q->multipart ? 0 : q->body_len,
		.max_bytes = REST_MAX_RESPONSE,
		.timeout_ms = REST_TIMEOUT_MS,
		.identity = 1,
	};
	if (q->multipart) {
		req.mime = build_mime(q);
		if (!req.mime)
			goto out;
	}
	rl_sent(r->rl, q->q->b, now);
	q->sent_at = now;
	q->http_id = http_start(r->http, &req, on_http_done, q);
	if (!q->http_id) {
		rl_response(r->rl, q->q->b, now, wall_now(), 0, NULL, -1, 0, NULL);
		goto out;
	}
	q->q->inflight++;
	r->stats.requests++;
	rc = 0;
out:
	headers_free(with_reason);
	if (url != small)
		free(url);
	return rc;
}

/* ---- the pump ---- */

static void pump_fire(lws_sorted_usec_list_t *sul)
{
	struct rest *r = lws_container_of(sul, struct rest, pump_sul);
	pump(r);
}

/* Makes the queue *link points to the head of the list, the ones before
 * it going after the last (the order is otherwise kept). */
static void rotate_to(struct rest *r, struct rest_queue **link)
{
	struct rest_queue *first = *link, *last;

	if (!first || link == &r->queues)
		return;
	for (last = first; last->next; last = last->next)
		;
	last->next = r->queues;
	*link = NULL;
	r->queues = first;
}

/* Sends whatever may go now; wakes itself for what must wait. */
static void pump(struct rest *r)
{
	double now = mono_now(), next = INFINITY;
	/* The link to the first queue a limit held back this pass: the next
	 * pass starts there. Under the global limit, passes that always began
	 * with the same queues starved the last ones: with 50 channels each
	 * allowed 5 posts per 5 s, a channel served last got 4 in its first
	 * window and its last post waited for a third one (bench/announce). */
	struct rest_queue **held = NULL;

	if (r->pumping)
		return; /* the outer pump sees everything queued meanwhile */
	r->pumping = 1;
	for (struct rest_queue **pq = &r->queues; *pq;) {
		struct rest_queue *qu = *pq;
		while (qu->head && qu->inflight < qu->max_inflight) {
			struct rest_req *q = qu->head;
			if (q->not_before > now) {
				next = fmin(next, q->not_before);
				break;
			}
			double t = rl_next_send(r->rl, qu->b, now);
			if (t > now) {
				if (!held)
					held = pq;
				/* INFINITY: a response of this limit will pump again. */
				if (isfinite(t)) {
					next = fmin(next, t);
					if (t - now > 1.0)
						LOGD("rest", "%s waits %.2f s for its rate limit",
						     rl_bucket_route(qu->b), t - now);
				}
				break;
			}
			queue_pop(qu);
			if (req_send(r, q, now)) {
				/* Local failure (memory): like a transport error. */
				q->attempts++;
				q->not_before = now + backoff_s(r, q->attempts);
				queue_push_front(qu, q);
				next = fmin(next, q->not_before);
				break;
			}
		}
		if (!qu->head && !qu->inflight) {
			*pq = qu->next;
			rl_bucket_set_data(qu->b, NULL);
			free(qu);
		} else {
			pq = &qu->next;
		}
	}
	if (held)
		rotate_to(r, held);
	if (now >= r->next_gc) {
		rl_gc(r->rl, now);
		r->next_gc = now + REST_GC_INTERVAL_S;
	}
	if (isfinite(next)) {
		/* Waits come from the peer (rate limits) and are clamped there;
		 * clamp again before the conversion, which is undefined for a
		 * value lws_usec_t cannot hold (it once made the timer fire at
		 * once, for ever, starving every other timer, SIGTERM's too).
		 * Waking early only re-runs the pump. */
		double wait = next - now;
		if (!(wait > 0))
			wait = 0;
		else if (wait > REST_WAKE_MAX_S)
			wait = REST_WAKE_MAX_S;
		lws_sul_schedule(r->lws, 0, &r->pump_sul, pump_fire,
				 (lws_usec_t)(wait * 1e6) + 1000);
	} else {
		lws_sul_cancel(&r->pump_sul);
	}
	r->pumping = 0;
}

/* ---- public API ---- */

int rest_configure(struct rest *r, const struct rest_config *cfg)
{
	if (!r || !cfg || !cfg->api_base || !cfg->token)
		return -1;
	char *base = dup_str(cfg->api_base), *tok = dup_str(cfg->token);
	struct curl_slist *hj = tok ? auth_headers(tok, 1) : NULL;
	struct curl_slist *hf = tok ? auth_headers(tok, 0) : NULL;
	if (!base || !tok || !hj || !hf) {
		free(base);
		if (tok)
			memset(tok, 0, strlen(tok));
		free(tok);
		headers_free(hj);
		headers_free(hf);
		return -1;
	}
	size_t bl = strlen(base);
	while (bl > 0 && base[bl - 1] == '/')
		base[--bl] = '\0';
	free(r->api_base);
	if (r->token) {
		memset(r->token, 0, strlen(r->token));
		free(r->token);
	}
	headers_free(r->hdr_json);
	headers_free(r->hdr_form);
	r->api_base = base;
	r->token = tok;
	r->hdr_json = hj;
	r->hdr_form = hf;
	r->max_retries = cfg->max_retries > 0 ? cfg->max_retries : 5;
	return 0;
}

struct rest *rest_create(struct lws_context *lws, struct http *http, const struct rest_config *cfg)
{
	struct rest *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->lws = lws;
	r->http = http;
	r->rl = rl_create(cfg ? cfg->global_per_sec : 0);
	r->rng = ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid() ^ (uint64_t)(uintptr_t)r;
	if (!r->rng)
		r->rng = 88172645463325252ULL;
	if (!r->rl || rest_configure(r, cfg)) {
		rest_destroy(r);
		return NULL;
	}
	return r;
}

/* body as compact JSON text: a new string (free it) of *len bytes, or
 * NULL. Small bodies (every chat reply) are written into a stack buffer
 * first and copied once: json_dumps grows its buffer by reallocation. */
static char *dump_body(const json_t *body, size_t flags, size_t *len)
{
	char small[2048], *out;
	size_t n = json_dumpb(body, small, sizeof(small), flags);

	if (!n || n > sizeof(small)) {
		out = json_dumps(body, flags);
		*len = out ? strlen(out) : 0;
		return out;
	}
	if (!(out = malloc(n + 1)))
		return NULL;
	memcpy(out, small, n);
	out[n] = '\0';
	*len = n;
	return out;
}

/* Serialises body (stolen, may be NULL) into q, queues q and starts the
 * pump. On failure frees q (may be NULL), logs what failed and returns 0. */
static uint64_t req_submit(struct rest *r, struct rest_req *q, json_t *body, rest_done_fn done,
			   void *ud, const char *what)
{
	if (r->held) {
		LOGD("rest", "standby: %s %s not sent", q ? q->method : "?", q ? q->path : "?");
		if (q)
			req_free(r, q);
		json_decref(body);
		return 0;
	}
	if (!q || r->aborted)
		goto fail;
	if (body) {
		q->body = dump_body(body, JSON_COMPACT | JSON_ENCODE_ANY, &q->body_len);
		if (!q->body)
			goto fail;
	}
	if (req_enqueue(r, q))
		goto fail;
	json_decref(body);
	q->id = ++r->next_id;
	q->done = done;
	q->ud = ud;
	pump(r);
	return q->id;
fail:
	if (q)
		req_free(r, q);
	json_decref(body);
	LOGE("rest", "could not queue %s", what);
	return 0;
}

uint64_t rest_request(struct rest *r, const char *method, const char *path, json_t *body,
		      rest_done_fn done, void *ud)
{
	if (!r) {
		json_decref(body);
		return 0;
	}
	return req_submit(r, req_new(r, method, path), body, done, ud, "a request");
}

/* Discord wants the audit-log reason URL-encoded (it may be any UTF-8);
 * at most 512 characters once decoded, so the encoded text is capped too. */
static char *reason_header(const char *reason)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *name = "X-Audit-Log-Reason: ";
	size_t n = strlen(name), cap = n + 3 * 400 + 1;
	char *h = malloc(cap), *o;
	if (!h)
		return NULL;
	memcpy(h, name, n);
	o = h + n;
	for (const unsigned char *p = (const unsigned char *)reason; *p && o + 4 <= h + cap; p++) {
		/* Stop before a character that would not fit whole. */
		if ((*p & 0xC0) != 0x80 && o + 3 * 4 + 1 > h + cap)
			break;
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '_' || *p == '.' || *p == '~') {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return h;
}

uint64_t rest_request_reason(struct rest *r, const char *method, const char *path, json_t *body,
			     const char *reason, rest_done_fn done, void *ud)
{
	struct rest_req *q;
	if (!r) {
		json_decref(body);
		return 0;
	}
	q = req_new(r, method, path);
	if (q && reason && *reason && !(q->reason = reason_header(reason))) {
		req_free(r, q);
		q = NULL;
	}
	return req_submit(r, q, body, done, ud, "a request");
}

uint64_t rest_request_file(struct rest *r, const char *method, const char *path,
			   json_t *payload_json, const char *filename, const void *data,
			   size_t len, rest_done_fn done, void *ud)
{
	struct rest_req *q;

	if (!r || !filename || (!data && len)) {
		json_decref(payload_json);
		return 0;
	}
	q = req_new(r, method, path);
	if (q) {
		q->multipart = 1;
		q->filename = dup_str(filename);
		q->file = malloc(len ? len : 1);
		if (!q->filename || !q->file) {
			req_free(r, q);
			q = NULL;
		} else {
			if (len)
				memcpy(q->file, data, len);
			q->file_len = len;
		}
	}
	return req_submit(r, q, payload_json, done, ud, "a file upload");
}

void rest_cancel(struct rest *r, uint64_t id)
{
	if (!r || !id)
		return;
	for (struct rest_req *q = r->reqs; q; q = q->next)
		if (q->id == id)
			q->done = NULL;
	for (struct rest_group *g = r->groups; g; g = g->next)
		if (g->id == id)
			g->done = NULL;
}

void rest_quiet_success(struct rest *r, uint64_t id)
{
	if (!r || !id)
		return;
	for (struct rest_req *q = r->reqs; q; q = q->next)
		if (q->id == id)
			q->quiet = 1;
	for (struct rest_group *g = r->groups; g; g = g->next)
		if (g->id == id)
			g->quiet = 1;
}

static int is_snowflake(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (s[n] < '0' || s[n] > '9')
			return 0;
	return n > 0 && n <= 20;
}

static json_t *part_json(struct rest *r, const json_t *tmpl, const char *text, size_t len,
			 size_t index, int last, int allow_mentions)
{
	int first = index == 0;
	const char *tmpl_nonce = json_string_value(json_object_get(tmpl, "nonce"));
	static const char *const last_only[] = {"embeds", "components", "attachments",
						 "sticker_ids", "poll"};
	static const char *const first_only[] = {"nonce", "enforce_nonce", "message_reference"};
	json_t *m = tmpl ? json_deep_copy(tmpl) : json_object();
	if (!m || !json_is_object(m))
		goto fail;
	if (!last)
		for (size_t i = 0; i < sizeof(last_only) / sizeof(*last_only); i++)
			json_object_del(m, last_only[i]);
	if (!first)
		for (size_t i = 0; i < sizeof(first_only) / sizeof(*first_only); i++)
			json_object_del(m, first_only[i]);
	if (text && json_object_set_new(m, "content", json_stringn(text, len)))
		goto fail;
	if (allow_mentions) {
		if (json_object_set_new(m, "allowed_mentions", rest_allowed_mentions(1)))
			goto fail;
	} else {
		/* Keep explicit "users"/"roles" lists the caller chose; never
		 * let Discord parse mentions out of the text. */
		json_t *am = json_object_get(m, "allowed_mentions");
		if (!json_is_object(am)) {
			am = json_object();
			if (json_object_set_new(m, "allowed_mentions", am))
				goto fail;
		}
		if (json_object_set_new(am, "parse", json_array()))
			goto fail;
	}
	/* A later part of a message sent with a nonce (a post's outbox row, an
	 * answer to a command) gets one derived from it, so that sending the
	 * whole message again (after a takeover) doubles none of its parts. */
	if (!first && tmpl_nonce) {
		char nonce[26];
		int n = snprintf(nonce, sizeof(nonce), "%s.p%zu", tmpl_nonce, index);
		if (n > 0 && (size_t)n < sizeof(nonce) &&
		    (json_object_set_new(m, "nonce", json_string(nonce)) ||
		     json_object_set_new(m, "enforce_nonce", json_true())))
			goto fail;
	}
	/* A nonce with enforce_nonce makes a retried POST idempotent. */
	if (!json_object_get(m, "nonce")) {
		char nonce[24];
		snprintf(nonce, sizeof(nonce), "%llu",
			 (unsigned long long)(rng_next(r) >> 1));
		if (json_object_set_new(m, "nonce", json_string(nonce)) ||
		    json_object_set_new(m, "enforce_nonce", json_true()))
			goto fail;
	}
	return m;
fail:
	json_decref(m);
	return NULL;
}

uint64_t rest_send_message(struct rest *r, const char *channel_id, const char *content,
			   const json_t *msg_template, int allow_mentions, rest_done_fn done,
			   void *ud)
{
	char path[64], *text = NULL, *buf = NULL;
	size_t len = 0, nparts = 0, n = 0;
	struct rest_group *g = NULL;
	struct msgsplit ms;
	struct msgsplit_part part;

	if (!r || r->aborted || !channel_id || !is_snowflake(channel_id) ||
	    (msg_template && !json_is_object(msg_template)))
		goto fail;
	snprintf(path, sizeof(path), "/channels/%s/messages", channel_id);
	if (content) {
		text = msgsplit_sanitize(content, strlen(content), &len);
		if (!text)
			goto fail;
		msgsplit_init(&ms, text, len, MSGSPLIT_DISCORD_MAX);
		while (msgsplit_part(&ms, &part))
			nparts++;
		/* A part is its bytes between the markers that reopen and
		 * close the markup spans cut at its ends. */
		buf = malloc(len + 2 * MSGSPLIT_MARKS + 1);
		if (!buf)
			goto fail;
	}
	if (nparts == 0 && !msg_template) {
		/* Discord rejects an empty message (50006). */
		LOGW("rest", "not sending an empty message");
		free(text);
		free(buf);
		return 0;
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		goto fail;
	g->id = ++r->next_id;
	g->parts_left = 0;
	g->next = r->groups;
	if (r->groups)
		r->groups->prev = g;
	r->groups = g;

	size_t total = nparts ? nparts : 1;
	if (nparts)
		msgsplit_init(&ms, text, len, MSGSPLIT_DISCORD_MAX);
	for (size_t i = 0; i < total; i++) {
		const char *pt = NULL;
		if (nparts && msgsplit_part(&ms, &part)) {
			n = msgsplit_part_copy(&ms, &part, buf);
			pt = buf;
		}
		json_t *m = part_json(r, msg_template, pt, n, i, i + 1 == total, allow_mentions);
		struct rest_req *q = m ? req_new(r, "POST", path) : NULL;
		if (q) {
			q->body = dump_body(m, JSON_COMPACT, &q->body_len);
		}
		json_decref(m);
		if (!q || !q->body || req_enqueue(r, q)) {
			if (q)
				req_free(r, q);
			goto fail_parts;
		}
		q->group = g;
		g->parts_left++;
	}
	free(text);
	free(buf);
	g->done = done;
	g->ud = ud;
	pump(r);
	return g->id;
fail_parts:
	/* Nothing was sent yet (pump runs last): unqueue this group's parts. */
	for (struct rest_req *o = r->reqs, *nx; o; o = nx) {
		nx = o->next;
		if (o->group == g) {
			queue_remove(o->q, o);
			req_free(r, o);
		}
	}
	group_free(r, g);
	pump(r); /* frees queues left empty */
fail:
	free(text);
	free(buf);
	LOGE("rest", "could not queue a message");
	return 0;
}

void rest_abort(struct rest *r, const char *why)
{
	if (!r)
		return;
	r->aborted = 1;
	lws_sul_cancel(&r->pump_sul);
	while (r->reqs) {
		struct rest_req *q = r->reqs;
		struct rest_group *g = q->group;
		rest_done_fn done = q->done;
		void *ud = q->ud;

		if (q->http_id) {
			http_cancel(r->http, q->http_id);
			q->q->inflight--;
		} else {
			queue_remove(q->q, q);
		}
		if (g) {
			/* A message's parts share one callback: called once. */
			done = g->done;
			ud = g->ud;
			g->done = NULL;
			if (--g->parts_left <= 0)
				group_free(r, g);
		}
		req_free(r, q);
		/* The owner frees what it keeps for this request (a plugin's
		 * pending send record, say); new requests fail from here on. */
		if (done)
			done(ud, 0, NULL, why);
	}
}

size_t rest_pending(const struct rest *r)
{
	return r ? r->pending : 0;
}

void rest_get_stats(const struct rest *r, struct rest_stats *out)
{
	if (r && out)
		*out = r->stats;
}

void rest_hold(struct rest *r, int held)
{
	if (r)
		r->held = held;
}

void rest_set_observer(struct rest *r, rest_observe_fn fn, void *ud)
{
	if (r) {
		r->observe = fn;
		r->observe_ud = ud;
	}
}

void rest_destroy(struct rest *r)
{
	if (!r)
		return;
	lws_sul_cancel(&r->pump_sul);
	while (r->reqs) {
		struct rest_req *q = r->reqs;
		if (q->http_id)
			http_cancel(r->http, q->http_id);
		req_free(r, q);
	}
	while (r->groups)
		group_free(r, r->groups);
	while (r->queues) {
		struct rest_queue *qu = r->queues;
		r->queues = qu->next;
		free(qu);
	}
	rl_destroy(r->rl);
	headers_free(r->hdr_json);
	headers_free(r->hdr_form);
	free(r->api_base);
	if (r->token) {
		memset(r->token, 0, strlen(r->token));
		free(r->token);
	}
	free(r);
}
