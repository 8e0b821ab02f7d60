/*
 * Discord's REST API: Authorization and User-Agent, JSON bodies built with
 * jansson, per-route buckets (route x major parameter) learned from the
 * X-RateLimit-* headers, the global 50/s limit, 429 handling (body
 * retry_after and Retry-After header), bounded retries with backoff on 5xx
 * and transport errors. Requests wait in their bucket's queue, in order,
 * and are never dropped.
 */
#ifndef HALLWAY_REST_H
#define HALLWAY_REST_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct http;
struct lws_context;
struct rest;

struct rest_config {
	const char *api_base;   /* e.g. https://discord.com/api/v10 */
	const char *token;      /* raw token, without "Bot " */
	int max_retries;        /* 5xx / transport; default 5 */
	int global_per_sec;     /* requests per second, all routes; 0 = 50 (read at create) */
};

/* status: HTTP status (0 on transport failure after retries). body: parsed
 * JSON (borrowed; NULL when not JSON). error: short text on failure. */
typedef void (*rest_done_fn)(void *ud, long status, json_t *body, const char *error);

struct rest *rest_create(struct lws_context *lws, struct http *http, const struct rest_config *cfg);
/* Replaces the api base / token (config reload). */
int rest_configure(struct rest *r, const struct rest_config *cfg);

/* method "GET" etc.; path relative to api_base ("/channels/1/messages").
 * body: stolen, may be NULL. Returns request id (> 0) or 0. done may be NULL. */
uint64_t rest_request(struct rest *r, const char *method, const char *path, json_t *body,
		      rest_done_fn done, void *ud);
/* The same with an audit-log reason (X-Audit-Log-Reason, URL-encoded, cut
 * to fit Discord's 512 characters); reason NULL or "" sends none. For
 * guild changes: member roles and nicknames. */
uint64_t rest_request_reason(struct rest *r, const char *method, const char *path, json_t *body,
			     const char *reason, rest_done_fn done, void *ud);
/* multipart/form-data: payload_json (stolen) plus one file (copied). */
uint64_t rest_request_file(struct rest *r, const char *method, const char *path,
			   json_t *payload_json, const char *filename, const void *data,
			   size_t len, rest_done_fn done, void *ud);
/* done() will not be called for this id (the request may still be sent). */
void rest_cancel(struct rest *r, uint64_t id);
/* The done() of request or message id reads no body when the answer is a
 * success (2xx): it gets NULL then, and the response is not parsed (a
 * reply's log callback; about 28,000 instructions per answer). Errors
 * still come with their body. */
void rest_quiet_success(struct rest *r, uint64_t id);

/* Post content to a channel, split into <= 2000-character messages on line
 * or UTF-8 boundaries, never inside markup (msgsplit_part), in order. msg_template (borrowed, may be NULL) adds
 * fields (embeds go on the last part, nonce on the first). Unless
 * allow_mentions, every part carries allowed_mentions {"parse": []}.
 * done is called once, after the last part (status of the first failure). */
uint64_t rest_send_message(struct rest *r, const char *channel_id, const char *content,
			   const json_t *msg_template, int allow_mentions, rest_done_fn done,
			   void *ud);

/* The one "never let the text ping anyone" rule: a new allowed_mentions
 * object, {"parse": []} (or everything parsed when allow is set). Every
 * message hallway posts carries one of these. */
json_t *rest_allowed_mentions(int allow);
/* The same rule for a message that pings exactly some users: a new
 * {"parse": [], "users": [...]} with each id of users (borrowed JSON array)
 * that is a snowflake, once, at most REST_MENTION_USERS_MAX (Discord's
 * limit); anything else is dropped. Without a valid id it is
 * rest_allowed_mentions(0). NULL out of memory. */
#define REST_MENTION_USERS_MAX 100
json_t *rest_allowed_users(const json_t *users);

/* Ends every request queued or in flight now: each done() (each message's
 * once) gets status 0 and error why. Later requests fail at once (id 0).
 * For the shutdown deadline: owners free what they keep per request, which
 * rest_destroy (no callbacks) would leak. */
void rest_abort(struct rest *r, const char *why);
/* held 1: every new request fails at once (id 0) without a word to
 * Discord, for the standby daemon (storage.url PostgreSQL, lease held by
 * the other); 0 when it becomes the active one. */
void rest_hold(struct rest *r, int held);
/* Requests queued or in flight (for the shutdown drain). */
size_t rest_pending(const struct rest *r);
/* Counters for logs and metrics. */
struct rest_stats {
	uint64_t requests, responses_2xx, responses_4xx, responses_5xx, rate_limited_429,
		retries, transport_errors;
};
void rest_get_stats(const struct rest *r, struct rest_stats *out);
/* Called for every response (retries and 429s included) with the route
 * template ("POST /channels/{channel_id}/messages") and the status (0: a
 * transport error). For metrics; fn may be NULL to stop. */
typedef void (*rest_observe_fn)(void *ud, const char *route, long status);
void rest_set_observer(struct rest *r, rest_observe_fn fn, void *ud);
/* Cancels everything (no callbacks) and frees. */
void rest_destroy(struct rest *r);

#endif
