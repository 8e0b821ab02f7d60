/*
 * Asynchronous HTTP with libcurl's multi socket API inside the lws loop
 * (architecture-notes §2, recipe (a)):
 *
 * - Each socket curl wants watched is dup()ed (F_DUPFD_CLOEXEC) and adopted
 *   into lws as a raw-file descriptor bound to the "hallway-curl" protocol;
 *   the wsi's opaque user data points at our struct http_sock. The raw-file
 *   role only polls and calls back; curl does all reading and writing on its
 *   own descriptor. lws closes the dup, curl closes the original.
 * - A socket curl stops watching (CURL_POLL_REMOVE) while it keeps the
 *   connection for the next request keeps its adopted dup, idle and not
 *   polled, until curl closes the socket (CURLOPT_CLOSESOCKETFUNCTION, a
 *   property of the connection): adopting and closing a wsi per request
 *   cost about 14,000 instructions. Only sockets curl opens through
 *   CURLOPT_OPENSOCKETFUNCTION are kept so: curl closes exactly those
 *   through the close callback (others, such as its resolver's
 *   socketpair, are freed on CURL_POLL_REMOVE as before).
 * - Finished easy handles are reset and kept (at most HTTP_POOL_MAX) for
 *   the next request instead of being freed and made anew.
 * - curl's timer is an lws_sul.
 * - curl_multi_socket_action() is called only from lws callbacks and suls,
 *   never from inside a curl callback. After each call the completion
 *   messages are drained, the handles removed, and only then are the done
 *   callbacks run, so a done callback may start or cancel requests freely.
 *
 * Contract: http_destroy() runs before lws_context_destroy(), and never from
 * inside a done callback.
 */
#include "http.h"
#include "log.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define HTTP_DEFAULT_MAX ((size_t)64 << 20)
#define HTTP_DEFAULT_TIMEOUT_MS 60000L
#define HTTP_CONNECT_TIMEOUT_MS 15000L
#define HTTP_HEADERS_MAX (64 * 1024)
#define HTTP_MAX_HEADERS 128
#define HTTP_POOL_MAX 4 /* idle easy handles kept for the next requests */

/* One socket curl asked us to watch. */
struct http_sock {
	struct http_sock *prev, *next;
	struct http *h;
	curl_socket_t fd;  /* curl's descriptor */
	struct lws *wsi;   /* the adopted dup, or NULL */
	int what;          /* CURL_POLL_* */
	int hup;           /* lws closed the dup: curl must see an error */
	int conn;          /* a connection's socket (opensocket_cb made it) */
	int idle;          /* not watched now; curl keeps the connection */
};

struct http_req {
	struct http_req *prev, *next; /* h->reqs */
	struct http_req *done_next;   /* completion batch */
	struct http *h;
	uint64_t id;
	CURL *easy;
	struct curl_slist *headers;
	curl_mime *mime;
	http_done_fn done;
	void *ud;
	int finished;   /* removed from the multi, waiting for its callback */
	int cancelled;  /* no callback */
	int too_big;
	CURLcode result;
	size_t max_bytes;
	char *buf;
	size_t len, cap;
	char *hdr[HTTP_MAX_HEADERS]; /* "name\0value" each */
	size_t nhdr, hdr_bytes;
	char errbuf[CURL_ERROR_SIZE];
};

struct http {
	struct lws_context *lws;
	struct lws_vhost *vhost;
	CURLM *multi;
	lws_sorted_usec_list_t timer_sul, hup_sul;
	struct http_sock *socks;
	struct http_req *reqs;
	uint64_t next_id;
	size_t active;
	CURL *pool[HTTP_POOL_MAX]; /* reset easy handles, ready for reuse */
	size_t npool;
};

static void after_action(struct http *h);

/* ---- sockets ---- */

static void sock_arm(struct http_sock *cs)
{
	if (!cs->wsi)
		return;
	lws_rx_flow_control(cs->wsi, (cs->what & CURL_POLL_IN) ? 1 : 0);
	if (cs->what & CURL_POLL_OUT)
		lws_callback_on_writable(cs->wsi);
}

static int sock_adopt(struct http *h, struct http_sock *cs)
{
	int dfd = fcntl(cs->fd, F_DUPFD_CLOEXEC, 0);
	if (dfd < 0) {
		LOGE("http", "dup of curl socket failed: %s", strerror(errno));
		return -1;
	}
	lws_adopt_desc_t info;
	memset(&info, 0, sizeof(info));
	info.vh = h->vhost;
	info.type = LWS_ADOPT_RAW_FILE_DESC;
	info.fd.filefd = dfd;
	info.vh_prot_name = "hallway-curl";
	info.opaque = cs;
	/* On failure lws has closed dfd. */
	cs->wsi = lws_adopt_descriptor_vhost_via_info(&info);
	if (!cs->wsi) {
		LOGE("http", "lws could not adopt a curl socket");
		return -1;
	}
	return 0;
}

/* Detaches the wsi (lws closes it and the dup later) and frees cs. */
static void sock_free(struct http *h, struct http_sock *cs)
{
	if (cs->wsi) {
		lws_set_opaque_user_data(cs->wsi, NULL);
		lws_rx_flow_control(cs->wsi, 0);
		lws_set_timeout(cs->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
		cs->wsi = NULL;
	}
	if (cs->prev)
		cs->prev->next = cs->next;
	else
		h->socks = cs->next;
	if (cs->next)
		cs->next->prev = cs->prev;
	free(cs);
}

/* The entry opensocket_cb made, or that curl's last transfer left idle,
 * for fd. */
static struct http_sock *sock_idle_take(struct http *h, curl_socket_t fd)
{
	for (struct http_sock *cs = h->socks; cs; cs = cs->next) {
		if (cs->fd == fd && cs->idle) {
			cs->idle = 0;
			return cs;
		}
	}
	return NULL;
}

static struct http_sock *sock_new(struct http *h, curl_socket_t fd)
{
	struct http_sock *cs = calloc(1, sizeof(*cs));

	if (!cs)
		return NULL;
	cs->h = h;
	cs->fd = fd;
	cs->next = h->socks;
	if (h->socks)
		h->socks->prev = cs;
	h->socks = cs;
	return cs;
}

/* CURLMOPT_SOCKETFUNCTION: never calls back into curl. */
static int socket_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct http *h = userp;
	struct http_sock *cs = socketp;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (cs && cs->conn) {
			/* A connection: kept, not polled, until curl closes it. */
			cs->idle = 1;
			cs->what = 0;
			if (cs->wsi)
				lws_rx_flow_control(cs->wsi, 0);
		} else if (cs) {
			sock_free(h, cs);
		}
		return 0;
	}
	if (!cs && !(cs = sock_idle_take(h, s)) && !(cs = sock_new(h, s))) {
		LOGE("http", "out of memory");
		return 0;
	}
	if (!socketp)
		curl_multi_assign(h->multi, s, cs);
	cs->what = what;
	if (!cs->wsi && !cs->hup && sock_adopt(h, cs))
		return 0; /* the transfer times out */
	sock_arm(cs);
	return 0;
}

/* CURLOPT_OPENSOCKETFUNCTION: a connection's socket, noted so that its wsi
 * can outlive one transfer (closesocket_cb ends it). */
static curl_socket_t opensocket_cb(void *clientp, curlsocktype purpose,
				   struct curl_sockaddr *addr)
{
	struct http *h = clientp;
	curl_socket_t s;
	struct http_sock *cs;

	(void)purpose;
	s = socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
	if (s == CURL_SOCKET_BAD)
		return s;
	/* Without an entry the socket is only adopted per transfer, as
	 * any other socket curl watches. */
	if ((cs = sock_new(h, s)) != NULL) {
		cs->conn = 1;
		cs->idle = 1;
	}
	return s;
}

/* CURLOPT_CLOSESOCKETFUNCTION: curl is done with a connection's socket.
 * curl has already said CURL_POLL_REMOVE for it if it watched it. */
static int closesocket_cb(void *clientp, curl_socket_t fd)
{
	struct http *h = clientp;

	for (struct http_sock *cs = h->socks; cs; cs = cs->next) {
		if (cs->fd == fd) {
			sock_free(h, cs);
			break;
		}
	}
	return close(fd);
}

/* ---- timers ---- */

static void timer_fire(lws_sorted_usec_list_t *sul)
{
	struct http *h = lws_container_of(sul, struct http, timer_sul);
	int running;
	curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	after_action(h);
}

/* CURLMOPT_TIMERFUNCTION. */
static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct http *h = userp;
	if (timeout_ms < 0)
		lws_sul_cancel(&h->timer_sul);
	else
		lws_sul_schedule(h->lws, 0, &h->timer_sul, timer_fire,
				 (lws_usec_t)timeout_ms * LWS_US_PER_MS);
	return 0;
}

/* lws closed a dup on POLLHUP/POLLERR: tell curl the socket failed. */
static void hup_fire(lws_sorted_usec_list_t *sul)
{
	struct http *h = lws_container_of(sul, struct http, hup_sul);
	int running, again = 1;
	while (again) {
		again = 0;
		for (struct http_sock *cs = h->socks; cs; cs = cs->next) {
			if (cs->hup && !cs->idle) {
				cs->hup = 0;
				/* cs may be freed by this call: rescan. */
				curl_multi_socket_action(h->multi, cs->fd, CURL_CSELECT_ERR,
							 &running);
				again = 1;
				break;
			}
		}
	}
	after_action(h);
}

/* ---- lws protocol ---- */

int http_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		      size_t len)
{
	struct http_sock *cs = lws_get_opaque_user_data(wsi);
	struct http *h;
	int running;

	switch (reason) {
	case LWS_CALLBACK_RAW_RX_FILE:
	case LWS_CALLBACK_RAW_WRITEABLE_FILE:
		if (!cs)
			return 0;
		h = cs->h;
		curl_multi_socket_action(h->multi, cs->fd,
					 reason == LWS_CALLBACK_RAW_RX_FILE ? CURL_CSELECT_IN
									    : CURL_CSELECT_OUT,
					 &running);
		/* cs may be gone now (CURL_POLL_REMOVE); only h is used. */
		after_action(h);
		return 0;
	case LWS_CALLBACK_RAW_CLOSE_FILE:
		if (!cs)
			return 0;
		cs->wsi = NULL;
		if (cs->idle)
			return 0; /* adopted again if curl uses the socket again */
		cs->hup = 1;
		lws_sul_schedule(cs->h->lws, 0, &cs->h->hup_sul, hup_fire, 0);
		return 0;
	default:
		return 0;
	}
}

/* ---- requests ---- */

static void req_unlink(struct http *h, struct http_req *r)
{
	if (r->prev)
		r->prev->next = r->next;
	else
		h->reqs = r->next;
	if (r->next)
		r->next->prev = r->prev;
	r->prev = r->next = NULL;
}

/* Keeps a finished easy handle for the next request, reset (its options
 * gone, connections and caches kept), or frees it. */
static void easy_release(struct http *h, CURL *e)
{
	if (!e)
		return;
	if (h->npool < HTTP_POOL_MAX) {
		curl_easy_reset(e);
		h->pool[h->npool++] = e;
	} else {
		curl_easy_cleanup(e);
	}
}

static void req_free(struct http_req *r)
{
	easy_release(r->h, r->easy);
	curl_mime_free(r->mime); /* after the easy handle that used it */
	curl_slist_free_all(r->headers);
	for (size_t i = 0; i < r->nhdr; i++)
		free(r->hdr[i]);
	free(r->buf);
	free(r);
}

static void headers_clear(struct http_req *r)
{
	for (size_t i = 0; i < r->nhdr; i++)
		free(r->hdr[i]);
	r->nhdr = 0;
	r->hdr_bytes = 0;
}

static size_t header_cb(char *data, size_t size, size_t n, void *ud)
{
	struct http_req *r = ud;
	size_t len = size * n;

	/* A new status line (redirect, 100 Continue): start over. */
	if (len >= 5 && !strncasecmp(data, "HTTP/", 5)) {
		headers_clear(r);
		return len;
	}
	const char *colon = memchr(data, ':', len);
	if (!colon || colon == data || r->nhdr >= HTTP_MAX_HEADERS ||
	    r->hdr_bytes + len > HTTP_HEADERS_MAX)
		return len;
	size_t nlen = (size_t)(colon - data);
	const char *v = colon + 1, *end = data + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	size_t vlen = (size_t)(end - v);
	char *e = malloc(nlen + vlen + 2);
	if (!e)
		return len;
	memcpy(e, data, nlen);
	e[nlen] = '\0';
	memcpy(e + nlen + 1, v, vlen);
	e[nlen + 1 + vlen] = '\0';
	r->hdr[r->nhdr++] = e;
	r->hdr_bytes += len;
	return len;
}

static size_t write_cb(char *data, size_t size, size_t n, void *ud)
{
	struct http_req *r = ud;
	size_t len = size * n;

	if (len > r->max_bytes - r->len) {
		r->too_big = 1;
		return 0; /* aborts the transfer */
	}
	if (r->len + len + 1 > r->cap) {
		size_t cap = r->cap ? r->cap : 16384;
		while (cap < r->len + len + 1)
			cap *= 2;
		if (cap > r->max_bytes + 1)
			cap = r->max_bytes + 1;
		char *nb = realloc(r->buf, cap);
		if (!nb)
			return 0;
		r->buf = nb;
		r->cap = cap;
	}
	memcpy(r->buf + r->len, data, len);
	r->len += len;
	r->buf[r->len] = '\0';
	return len;
}

/* Sets the method and body options. */
static CURLcode set_method(CURL *e, const struct http_request *req, int *plain_get)
{
	const char *m = req->method ? req->method : "GET";
	CURLcode rc = CURLE_OK;

	*plain_get = 0;
	if (req->mime) {
		rc = curl_easy_setopt(e, CURLOPT_MIMEPOST, req->mime);
		if (!rc && strcmp(m, "POST"))
			rc = curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m);
	} else if (req->body || !strcmp(m, "POST") || !strcmp(m, "PUT") || !strcmp(m, "PATCH")) {
		/* A body-less PUT still needs Content-Length: 0. The size is set
		 * first so that COPYPOSTFIELDS copies exactly body_len bytes. */
		rc = curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
				      (curl_off_t)(req->body ? req->body_len : 0));
		if (!rc)
			rc = curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, req->body ? req->body : "");
		if (!rc && strcmp(m, "POST"))
			rc = curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m);
	} else if (!strcmp(m, "HEAD")) {
		rc = curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	} else if (!strcmp(m, "GET")) {
		*plain_get = 1;
	} else {
		rc = curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m);
	}
	return rc;
}

uint64_t http_start(struct http *h, const struct http_request *req, http_done_fn done, void *ud)
{
	struct http_req *r = NULL;
	CURLcode rc = CURLE_OK;
	int plain_get;

	if (!h || !req || !req->url)
		goto fail;
	r = calloc(1, sizeof(*r));
	if (!r)
		goto fail;
	r->h = h;
	r->done = done;
	r->ud = ud;
	r->max_bytes = req->max_bytes ? req->max_bytes : HTTP_DEFAULT_MAX;
	r->easy = h->npool ? h->pool[--h->npool] : curl_easy_init();
	if (!r->easy)
		goto fail;

	for (const struct curl_slist *s = req->headers; s; s = s->next) {
		struct curl_slist *n = curl_slist_append(r->headers, s->data);
		if (!n)
			goto fail;
		r->headers = n;
	}
	/* No "Expect: 100-continue" round trip before large bodies. */
	struct curl_slist *n = curl_slist_append(r->headers, "Expect:");
	if (!n)
		goto fail;
	r->headers = n;

	long timeout = req->timeout_ms > 0 ? req->timeout_ms : HTTP_DEFAULT_TIMEOUT_MS;
	CURL *e = r->easy;
	rc |= curl_easy_setopt(e, CURLOPT_URL, req->url);
	rc |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	rc |= curl_easy_setopt(e, CURLOPT_PRIVATE, r);
	rc |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
	rc |= curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	rc |= curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb);
	rc |= curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
	rc |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
	rc |= curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
	if (!req->identity)
		rc |= curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "gzip");
	rc |= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout);
	rc |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
			       timeout < HTTP_CONNECT_TIMEOUT_MS ? timeout : HTTP_CONNECT_TIMEOUT_MS);
	rc |= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	rc |= curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)r->max_bytes);
	rc |= curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
	rc |= curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, opensocket_cb);
	rc |= curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, h);
	rc |= curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, closesocket_cb);
	rc |= curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, h);
	if (rc != CURLE_OK)
		goto fail;
	/* From here on the mime belongs to r (stolen). */
	r->mime = req->mime;
	if (set_method(e, req, &plain_get) != CURLE_OK)
		goto fail;
	if (plain_get) {
		rc |= curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
		rc |= curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
		rc |= curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
		if (rc != CURLE_OK)
			goto fail;
	}
	if (curl_multi_add_handle(h->multi, e) != CURLM_OK)
		goto fail;

	r->id = ++h->next_id;
	r->next = h->reqs;
	if (h->reqs)
		h->reqs->prev = r;
	h->reqs = r;
	h->active++;
	return r->id;
fail:
	if (r) {
		req_free(r);
	} else if (req && req->mime) {
		curl_mime_free(req->mime);
	}
	LOGE("http", "could not start a request");
	return 0;
}

/* Drains curl's completions, then runs their callbacks. */
static void after_action(struct http *h)
{
	struct http_req *batch = NULL, **tail = &batch;
	CURLMsg *m;
	int left;

	for (struct http_sock *cs = h->socks; cs; cs = cs->next)
		if (cs->wsi && (cs->what & CURL_POLL_OUT))
			lws_callback_on_writable(cs->wsi);

	while ((m = curl_multi_info_read(h->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		struct http_req *r = NULL;
		CURL *e = m->easy_handle;
		CURLcode result = m->data.result;
		curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&r);
		if (!r)
			continue;
		r->result = result;
		curl_multi_remove_handle(h->multi, e);
		r->finished = 1;
		h->active--;
		*tail = r;
		tail = &r->done_next;
	}

	/* Callbacks may start requests (new ones are not in this batch) or
	 * cancel any request, including later ones of this batch. */
	while (batch) {
		struct http_req *r = batch;
		batch = r->done_next;
		req_unlink(h, r);
		if (!r->cancelled && r->done) {
			struct http_response res;
			long status = 0;
			double total = 0;
			memset(&res, 0, sizeof(res));
			curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
			curl_easy_getinfo(r->easy, CURLINFO_TOTAL_TIME, &total);
			if (r->result == CURLE_OK) {
				res.status = status;
			} else if (r->too_big || r->result == CURLE_FILESIZE_EXCEEDED) {
				res.error = "response body too large";
			} else {
				res.error = r->errbuf[0] ? r->errbuf : curl_easy_strerror(r->result);
			}
			res.body = r->buf ? r->buf : "";
			res.body_len = r->buf ? r->len : 0;
			res.elapsed_s = total;
			res.priv = r;
			r->done(r->ud, &res);
		}
		req_free(r);
	}
}

static struct http_req *req_find(struct http *h, uint64_t id)
{
	for (struct http_req *r = h->reqs; r; r = r->next)
		if (r->id == id)
			return r;
	return NULL;
}

void http_cancel(struct http *h, uint64_t id)
{
	struct http_req *r;

	if (!h || !id)
		return;
	/* A request finished but not yet called back is in a batch that
	 * after_action() owns: only mark it. After its callback it is gone. */
	r = req_find(h, id);
	if (!r)
		return;
	r->cancelled = 1;
	if (r->finished)
		return;
	curl_multi_remove_handle(h->multi, r->easy);
	h->active--;
	req_unlink(h, r);
	req_free(r);
}

const char *http_response_header(const struct http_response *res, const char *name)
{
	const struct http_req *r = res ? res->priv : NULL;
	if (!r || !name)
		return NULL;
	for (size_t i = 0; i < r->nhdr; i++)
		if (!strcasecmp(r->hdr[i], name))
			return r->hdr[i] + strlen(r->hdr[i]) + 1;
	return NULL;
}

size_t http_active(const struct http *h)
{
	return h ? h->active : 0;
}

struct http *http_create(struct lws_context *lws, struct lws_vhost *vhost)
{
	struct http *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->lws = lws;
	h->vhost = vhost;
	/* Reference counted; paired with curl_global_cleanup() in destroy. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		free(h);
		return NULL;
	}
	h->multi = curl_multi_init();
	if (!h->multi) {
		curl_global_cleanup();
		free(h);
		return NULL;
	}
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	return h;
}

void http_destroy(struct http *h)
{
	if (!h)
		return;
	while (h->reqs) {
		struct http_req *r = h->reqs;
		req_unlink(h, r);
		if (!r->finished)
			curl_multi_remove_handle(h->multi, r->easy);
		req_free(r);
	}
	while (h->npool)
		curl_easy_cleanup(h->pool[--h->npool]);
	/* Closes cached connections; the close callbacks free their socks. */
	curl_multi_cleanup(h->multi);
	while (h->socks)
		sock_free(h, h->socks);
	lws_sul_cancel(&h->timer_sul);
	lws_sul_cancel(&h->hup_sul);
	free(h);
	curl_global_cleanup();
}
