/*
 * Pure Discord rate-limit bookkeeping: no I/O, no clock of its own. Times
 * are seconds on a monotonic clock the caller passes in ("now"), so tests
 * drive it with a fake clock.
 *
 * A bucket (struct rl_bucket) is one route template x major parameter, e.g.
 * "POST /channels/{channel_id}/messages" x "1234". Routes that Discord
 * reports with the same X-RateLimit-Bucket hash share one limit state
 * (struct rl_limit, internal) per major parameter. Until a limit state has
 * seen rate-limit headers, only one request may be in flight on it.
 */
#ifndef HALLWAY_RATELIMIT_H
#define HALLWAY_RATELIMIT_H

#include <stddef.h>

struct rl;
struct rl_bucket;

/* Response headers (borrowed; NULL when absent). */
struct rl_headers {
	const char *limit, *remaining, *reset, *reset_after, *bucket, *global, *scope,
		*retry_after;
};

/* What a response meant; set by rl_response(). */
struct rl_verdict {
	int limited;        /* the response was a 429 */
	int global;         /* ... from the global limit */
	double retry_after; /* seconds the bucket (or everything) now waits */
	char scope[16];     /* X-RateLimit-Scope or "" */
};

/* Added to every reset and retry time: headers are rounded to milliseconds
 * and the server's window may start a little after ours. */
#define RL_MARGIN_S 0.05

/* The longest wait a peer may dictate (Retry-After, retry_after,
 * X-RateLimit-Reset-After, X-RateLimit-Reset): one hour. Discord's longest
 * documented pause is the Cloudflare ban for too many invalid requests,
 * about an hour; anything longer is a broken or hostile peer, and the worst
 * a too-short wait costs is one more 429. Larger, negative or non-numeric
 * values are clamped to 0..RL_WAIT_MAX_S before any arithmetic. */
#define RL_WAIT_MAX_S 3600.0

#define RL_ROUTE_SECRET 1  /* the path holds a token: log the template only */
#define RL_ROUTE_EXEMPT 2  /* exempt from the global limit (interactions) */

/* Splits method + path (relative to the API base; a query string is ignored)
 * into a route template such as "POST /channels/{channel_id}/messages/{id}"
 * and the major parameter ("1234", "webhook_id/token" or "" for none).
 * Returns RL_ROUTE_* flags, or -1 if a buffer is too small. */
int rl_route(const char *method, const char *path, char *route, size_t route_len, char *major,
	     size_t major_len);

/* global_per_sec: requests per second over all non-exempt buckets (0 = 50).
 * Returns NULL when out of memory. */
struct rl *rl_create(int global_per_sec);
void rl_destroy(struct rl *rl);

/* The bucket for a request. Borrowed: it lives until rl_destroy(), or until
 * rl_gc() finds it idle (no data, nothing in flight). NULL when out of
 * memory or the path is too long. */
struct rl_bucket *rl_bucket_get(struct rl *rl, const char *method, const char *path, double now);
const char *rl_bucket_route(const struct rl_bucket *b);
int rl_bucket_flags(const struct rl_bucket *b);
unsigned rl_bucket_inflight(const struct rl_bucket *b);
/* A pointer for the caller (its queue); a bucket with data is never freed. */
void *rl_bucket_data(const struct rl_bucket *b);
void rl_bucket_set_data(struct rl_bucket *b, void *data);

/* Earliest time the next request of b may be sent: <= now means now,
 * INFINITY means "after a response of this limit arrives". */
double rl_next_send(struct rl *rl, struct rl_bucket *b, double now);
/* A request of b was sent at now. */
void rl_sent(struct rl *rl, struct rl_bucket *b, double now);
/* A request took seconds from rl_sent to its response. The global window
 * counts arrivals, and a request arrives up to that long after it was
 * handed to the transport (on a loaded machine: tens of ms, more than
 * RL_MARGIN_S): the 51st request waits the median of the last
 * RL_RTT_KEPT round trips (each at most RL_RTT_MAX_S) after the oldest
 * send's second, or the global 429s of a broadcast cost a whole window
 * each (bench/announce: 69 global 429s in 10 x 50 POSTs on a loaded
 * machine with the fixed margin, none with this). */
void rl_observe_rtt(struct rl *rl, double seconds);
#define RL_RTT_KEPT 64
#define RL_RTT_MAX_S 1.0
/* A request of b finished. status 0: transport error or cancelled (h may be
 * NULL). wall_now: Unix time, for X-RateLimit-Reset when Reset-After is
 * absent. body_retry_after: the JSON body's retry_after, or < 0. */
void rl_response(struct rl *rl, struct rl_bucket *b, double now, double wall_now, long status,
		 const struct rl_headers *h, double body_retry_after, int body_global,
		 struct rl_verdict *out);
/* Frees buckets idle for 60 s with no data and nothing in flight or pending. */
void rl_gc(struct rl *rl, double now);
size_t rl_bucket_count(const struct rl *rl);

#endif
