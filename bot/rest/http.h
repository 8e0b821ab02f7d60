/*
 * Asynchronous HTTP: libcurl's multi socket API driven from the lws loop
 * (curl sockets dup()ed and adopted as lws raw-file descriptors, curl's
 * timer as an lws_sul). No second thread; nothing blocks the loop.
 */
#ifndef HALLWAY_HTTP_H
#define HALLWAY_HTTP_H

#include <libwebsockets.h>
#include <stddef.h>
#include <stdint.h>

struct http;
struct curl_slist;
typedef struct curl_mime curl_mime; /* as in <curl/curl.h> (C11 allows the repeat) */

struct http_request {
	const char *method;            /* NULL = GET */
	const char *url;
	const struct curl_slist *headers; /* borrowed; copied by http_start */
	const char *body;              /* copied */
	size_t body_len;
	curl_mime *mime;               /* stolen when non-NULL (multipart) */
	size_t max_bytes;              /* 0 = 64 MiB; larger bodies fail */
	long timeout_ms;               /* 0 = 60 s */
	int identity;                  /* 1: no Accept-Encoding (small JSON answers:
					* compression would not pay for its header) */
};

struct http_response {
	long status;                   /* 0 on transport error */
	const char *error;             /* transport error text or NULL */
	const char *body;              /* NUL-terminated, borrowed */
	size_t body_len;
	double elapsed_s;
	const void *priv;              /* for http_response_header() */
};

/* Called once per request on the loop thread, unless cancelled. */
typedef void (*http_done_fn)(void *ud, const struct http_response *res);

/* The lws protocol callback for adopted curl descriptors ("hallway-curl"). */
int http_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
		      void *in, size_t len);

struct http *http_create(struct lws_context *lws, struct lws_vhost *vhost);
/* Returns a request id (> 0), or 0 on failure (done is not called). */
uint64_t http_start(struct http *h, const struct http_request *req, http_done_fn done, void *ud);
/* The request is aborted; done() is never called after this returns. */
void http_cancel(struct http *h, uint64_t id);
/* Case-insensitive response header lookup; borrowed, or NULL. */
const char *http_response_header(const struct http_response *res, const char *name);
size_t http_active(const struct http *h);
/* Aborts everything (no callbacks) and frees. */
void http_destroy(struct http *h);

#endif
