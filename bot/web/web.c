/*
 * The HTTP server: one lws server vhost in the daemon's loop. Reads a
 * request (a POST body up to WEB_BODY_MAX), finds the signed-in organizer
 * from the session cookie, hands the request to the host pages or a
 * plugin's route, and writes the answer with the security headers. An
 * answer may come later (web_conn_hold): the connection object outlives
 * the socket until then.
 */
#include "web.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/text.h>

#include "config.h"
#include "hallway.h"
#include "health.h"
#include "log.h"
#include "web_auth.h"
#include "web_int.h"

#define WRITE_CHUNK 16384

static const char CSP[] =
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
	"form-action 'self'; frame-ancestors 'none'";

/* lws per-session data: the transaction's connection object. */
struct web_sess {
	struct web_conn *conn;
};

struct hallway *web_hallway(struct web *w)
{
	return w->hw;
}

struct web_auth *web_auth_of(struct web *w)
{
	return w->auth;
}

int web_port(const struct web *w)
{
	return w ? w->port : 0;
}

/* ---- connections ---- */

static struct web_conn *conn_new(struct web *w, struct lws *wsi)
{
	struct web_conn *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->w = w;
	c->wsi = wsi;
	c->refs = 1;
	c->content_length = -1;
	return c;
}

void web_conn_unref(struct web_conn *c)
{
	if (!c || --c->refs > 0)
		return;
	free(c->body);
	free(c->out);
	free(c);
}

void web_conn_hold(struct web_conn *c)
{
	c->refs++;
}

void web_conn_release(struct web_conn *c)
{
	web_conn_unref(c);
}

void web_conn_cookie(struct web_conn *c, const char *cookie)
{
	snprintf(c->set_cookie, sizeof(c->set_cookie), "%s", cookie ? cookie : "");
}

void web_conn_answer(struct web_conn *c, unsigned status, const char *ctype, const void *body,
		     size_t len)
{
	if (c->state == CONN_ANSWERED || c->state == CONN_SSE)
		return;
	if (c->state == CONN_READING)
		c->close_after = 1; /* what is left of the request is never read */
	c->state = CONN_ANSWERED;
	c->status = status;
	snprintf(c->ctype, sizeof(c->ctype), "%s", ctype);
	free(c->out);
	c->out_len = c->out_off = 0;
	if (!(c->out = malloc(LWS_PRE + len + 1))) {
		c->status = 500;
		snprintf(c->ctype, sizeof(c->ctype), "text/plain");
		len = 0;
	} else {
		memcpy(c->out + LWS_PRE, body, len);
		c->out_len = len;
	}
	if (c->wsi)
		lws_callback_on_writable(c->wsi);
}

void web_conn_json(struct web_conn *c, unsigned status, json_t *json, const char *why)
{
	char *text;
	if (!json)
		json = json_pack("{s:s}", "error", why ? why : "error");
	text = json ? json_dumps(json, JSON_COMPACT) : NULL;
	json_decref(json);
	if (!text) {
		web_conn_answer(c, 500, "application/json", "{\"error\":\"out of memory\"}", 25);
		return;
	}
	web_conn_answer(c, status, "application/json", text, strlen(text));
	free(text);
}

int web_conn_sse(struct web_conn *c)
{
	if (c->state == CONN_ANSWERED || !c->wsi)
		return -1;
	if (c->w->nsse >= WEB_SSE_MAX) {
		web_conn_json(c, 503, NULL, "too many open screens");
		return -1;
	}
	c->state = CONN_SSE;
	c->status = 200;
	snprintf(c->ctype, sizeof(c->ctype), "text/event-stream");
	web_sse_attach(c->w, c);
	lws_set_timeout(c->wsi, NO_PENDING_TIMEOUT, 0);
	lws_callback_on_writable(c->wsi);
	return 0;
}

/* ---- reading a request ---- */

static void hdr_copy(struct lws *wsi, char *buf, size_t len, enum lws_token_indexes t)
{
	buf[0] = '\0';
	if (lws_hdr_total_length(wsi, t) > 0 && lws_hdr_copy(wsi, buf, (int)len, t) < 0)
		buf[0] = '\0';
}

/* Appends s percent-encoded (unreserved characters kept). */
static int qs_put(char *out, size_t cap, size_t *off, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (*off + 4 >= cap)
			return -1;
		if (isalnum(ch) || strchr("-._~", ch)) {
			out[(*off)++] = (char)ch;
		} else {
			out[(*off)++] = '%';
			out[(*off)++] = hex[ch >> 4];
			out[(*off)++] = hex[ch & 15];
		}
	}
	out[*off] = '\0';
	return 0;
}

/* lws decodes each query argument: encode them again, so that a value with
 * '&' or '=' in it stays one value. */
static int read_query(struct lws *wsi, char *out, size_t cap)
{
	char frag[WEB_QUERY_MAX];
	size_t off = 0;
	out[0] = '\0';
	for (int i = 0; i < 32; i++) {
		char *eq;
		int n = lws_hdr_copy_fragment(wsi, frag, sizeof(frag), WSI_TOKEN_HTTP_URI_ARGS, i);
		if (n <= 0)
			break;
		if (off && off + 1 < cap)
			out[off++] = '&';
		eq = strchr(frag, '=');
		if (eq)
			*eq = '\0';
		if (qs_put(out, cap, &off, frag))
			return -1;
		if (eq) {
			if (off + 1 >= cap)
				return -1;
			out[off++] = '=';
			out[off] = '\0';
			if (qs_put(out, cap, &off, eq + 1))
				return -1;
		}
	}
	return 0;
}

static void dispatch(struct web_conn *c)
{
	struct web *w = c->w;
	struct web_req req = {.method = c->method, .path = c->path, .query = c->query,
			      .body = c->body, .body_len = c->body_len, .csrf = c->csrf, .conn = c};
	const struct web_session *s;

	c->state = CONN_HANDLING;
	if ((s = web_auth_session(w->auth, c->cookie))) {
		req.user_id = s->user_id;
		req.session_id = s->id;
	}
	if (!web_pages_dispatch(w, &req) && !web_registry_dispatch(w, &req))
		web_conn_json(c, 404, NULL, "not found");
}

static int start_request(struct web *w, struct lws *wsi, struct web_sess *sess, const char *in,
			 size_t len)
{
	struct web_conn *c;
	char ctype_in[96], clen[32];
	int is_post = lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0;

	if (!(c = conn_new(w, wsi)))
		return -1;
	sess->conn = c;
	if (!is_post && !lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI)) {
		web_conn_json(c, 405, NULL, "only GET and POST");
		return 0;
	}
	snprintf(c->method, sizeof(c->method), "%s", is_post ? "POST" : "GET");
	if (len >= sizeof(c->path)) {
		web_conn_json(c, 414, NULL, "path too long");
		return 0;
	}
	memcpy(c->path, in, len);
	c->path[len] = '\0';
	if (read_query(wsi, c->query, sizeof(c->query))) {
		web_conn_json(c, 414, NULL, "query too long");
		return 0;
	}
	hdr_copy(wsi, c->cookie, sizeof(c->cookie), WSI_TOKEN_HTTP_COOKIE);
	if (lws_hdr_custom_copy(wsi, c->csrf, sizeof(c->csrf), "x-csrf-token:", 13) < 0)
		c->csrf[0] = '\0';
	if (!is_post) {
		dispatch(c);
		return 0;
	}
	if (strncmp(c->path, "/api/", 5)) {
		web_conn_json(c, 405, NULL, "only GET here; actions are POSTs to /api/");
		return 0;
	}
	/* A POST is JSON, so a cross-site form cannot send one without a
	 * preflight that this server never allows. */
	hdr_copy(wsi, ctype_in, sizeof(ctype_in), WSI_TOKEN_HTTP_CONTENT_TYPE);
	if (strncasecmp(ctype_in, "application/json", 16)) {
		web_conn_json(c, 415, NULL, "a POST body must be application/json");
		return 0;
	}
	hdr_copy(wsi, clen, sizeof(clen), WSI_TOKEN_HTTP_CONTENT_LENGTH);
	c->content_length = clen[0] ? strtol(clen, NULL, 10) : -1;
	if (c->content_length < 0) {
		web_conn_json(c, 411, NULL, "a POST needs a Content-Length");
		return 0;
	}
	if (c->content_length > WEB_BODY_MAX) {
		web_conn_json(c, 413, NULL, "request body too large");
		return 0;
	}
	if (!(c->body = malloc(WEB_BODY_MAX + 1))) {
		web_conn_json(c, 500, NULL, "out of memory");
		return 0;
	}
	c->body[0] = '\0';
	if (c->content_length == 0)
		dispatch(c); /* no body comes */
	return 0;
}

static int read_body(struct web_conn *c, const void *in, size_t len)
{
	if (c->state != CONN_READING || !c->body)
		return 0;
	if (c->body_len + len > WEB_BODY_MAX) {
		free(c->body);
		c->body = NULL;
		web_conn_json(c, 413, NULL, "request body too large");
		return 0;
	}
	memcpy(c->body + c->body_len, in, len);
	c->body_len += len;
	c->body[c->body_len] = '\0';
	return 0;
}

/* ---- writing the answer ---- */

static int add_hdr(struct lws *wsi, const char *name, const char *value, unsigned char **p,
		   unsigned char *end)
{
	return lws_add_http_header_by_name(wsi, (const unsigned char *)name,
					   (const unsigned char *)value, (int)strlen(value), p, end);
}

static int write_headers(struct web_conn *c)
{
	unsigned char hdr[LWS_PRE + 2048], *start = hdr + LWS_PRE, *p = start,
					   *end = hdr + sizeof(hdr) - 1;
	struct lws *wsi = c->wsi;
	int sse = c->state == CONN_SSE;
	lws_filepos_t clen = sse ? LWS_ILLEGAL_HTTP_CONTENT_LEN : c->out_len;

	if (lws_add_http_common_headers(wsi, c->status, c->ctype, clen, &p, end) ||
	    add_hdr(wsi, "content-security-policy:", CSP, &p, end) ||
	    add_hdr(wsi, "x-content-type-options:", "nosniff", &p, end) ||
	    add_hdr(wsi, "referrer-policy:", "no-referrer", &p, end) ||
	    add_hdr(wsi, "x-frame-options:", "DENY", &p, end) ||
	    add_hdr(wsi, "cross-origin-opener-policy:", "same-origin", &p, end) ||
	    add_hdr(wsi, "cache-control:", c->cacheable ? "public, max-age=300" : "no-store", &p,
		    end) ||
	    (sse && add_hdr(wsi, "x-accel-buffering:", "no", &p, end)) ||
	    (c->set_cookie[0] && add_hdr(wsi, "set-cookie:", c->set_cookie, &p, end)) ||
	    lws_finalize_write_http_header(wsi, start, &p, end))
		return -1;
	c->headers_sent = 1;
	return 0;
}

static int writeable(struct web_conn *c)
{
	size_t n;
	int last;

	if (c->state != CONN_ANSWERED && c->state != CONN_SSE)
		return 0;
	if (!c->headers_sent) {
		if (write_headers(c))
			return -1;
		lws_callback_on_writable(c->wsi);
		return 0;
	}
	if (c->state == CONN_SSE)
		return web_sse_writeable(c->w, c);
	n = c->out_len - c->out_off;
	last = n <= WRITE_CHUNK;
	if (!last)
		n = WRITE_CHUNK;
	if (lws_write(c->wsi, c->out + LWS_PRE + c->out_off, n,
		      last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)n)
		return -1;
	c->out_off += n;
	if (!last) {
		lws_callback_on_writable(c->wsi);
		return 0;
	}
	if (c->close_after)
		return -1;
	return lws_http_transaction_completed(c->wsi) ? -1 : 0;
}

static void conn_closed(struct web_sess *sess)
{
	struct web_conn *c = sess ? sess->conn : NULL;
	if (!c)
		return;
	sess->conn = NULL;
	if (c->state == CONN_SSE)
		web_sse_detach(c->w, c);
	c->wsi = NULL;
	web_conn_unref(c);
}

static int web_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
			size_t len)
{
	struct hallway *hw = lws_context_user(lws_get_context(wsi));
	struct web_sess *sess = user;
	struct web *w = hw ? hw->web : NULL;

	switch (reason) {
	case LWS_CALLBACK_HTTP:
		if (!sess || !w)
			return -1;
		conn_closed(sess); /* a keep-alive connection's previous request */
		return start_request(w, wsi, sess, in ? in : "", in ? len : 0);
	case LWS_CALLBACK_HTTP_BODY:
		return sess && sess->conn ? read_body(sess->conn, in, len) : 0;
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		if (sess && sess->conn && sess->conn->state == CONN_READING)
			dispatch(sess->conn);
		return 0;
	case LWS_CALLBACK_HTTP_WRITEABLE:
		if (!sess || !sess->conn)
			return 0;
		if (writeable(sess->conn)) {
			return -1;
		}
		return 0;
	case LWS_CALLBACK_CLOSED_HTTP:
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
		conn_closed(sess);
		break;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols web_protocols[] = {
	{"hallway-http", web_callback, sizeof(struct web_sess), 0, 0, NULL, 0},
	{NULL, NULL, 0, 0, 0, NULL, 0}};

/* ---- lifecycle ---- */

void web_public_url(const struct web *w, char *buf, size_t len)
{
	const struct config *c = w && w->hw ? w->hw->cfg : NULL;
	const char *pub = c ? c->http_public_url : NULL;
	size_t n;
	if (pub && *pub) {
		snprintf(buf, len, "%s", pub);
		n = strlen(buf);
		while (n > 0 && buf[n - 1] == '/')
			buf[--n] = '\0';
		return;
	}
	snprintf(buf, len, "http://%s:%d",
		 w && w->iface[0] && strcmp(w->iface, "*") && strcmp(w->iface, "0.0.0.0")
			 ? w->iface
			 : "127.0.0.1",
		 w ? w->port : 0);
}

struct web *web_create(struct hallway *hw)
{
	struct web *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->hw = hw;
	if (!(w->auth = web_auth_create())) {
		free(w);
		return NULL;
	}
	return w;
}

int web_listen(struct web *w)
{
	const char *addr = health_listen_address(w->hw);
	struct lws_context_creation_info info;
	char host[64];
	int port;

	const char *pub = w->hw->cfg ? w->hw->cfg->http_public_url : NULL;

	if (!addr)
		return 0;
	if (config_parse_listen(addr, host, sizeof(host), &port)) {
		LOGE("web", "http.listen \"%s\" is not address:port (e.g. 127.0.0.1:9464)", addr);
		return -1;
	}
	if (pub && !hw_url_is_http(pub)) {
		LOGE("web", "http.public_url \"%s\" must be an https:// (or http://) URL", pub);
		return -1;
	}
	snprintf(w->iface, sizeof(w->iface), "%s", host);
	memset(&info, 0, sizeof(info));
	info.port = port;
	info.iface = w->iface[0] && strcmp(w->iface, "*") ? w->iface : NULL;
	info.protocols = web_protocols;
	info.vhost_name = "hallway-http";
	info.keepalive_timeout = 5;
	info.timeout_secs = 10;
	w->vhost = lws_create_vhost(w->hw->lws, &info);
	if (!w->vhost) {
		LOGE("web", "cannot serve HTTP on %s (address in use, or not an address here?)", addr);
		return -1;
	}
	w->port = lws_get_vhost_listen_port(w->vhost);
	LOGI("web", "serving /healthz and /metrics on http://%s:%d, the lobby screens at /screen and "
	     "the organizer page at /organizer", w->iface[0] ? w->iface : "*", w->port);
	return 0;
}

void web_close_all(struct web *w)
{
	if (!w)
		return;
	for (struct web_conn *c = w->sse; c; c = c->sse_next)
		if (c->wsi)
			lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

void web_destroy(struct web *w)
{
	/* Runs after lws_context_destroy(): every connection was closed (and
	 * its object released) with it. */
	if (!w)
		return;
	web_sse_free(w);
	web_registry_free(w);
	web_auth_destroy(w->auth);
	free(w);
}
