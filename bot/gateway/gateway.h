/*
 * Discord Gateway v10 client on libwebsockets: zlib-stream, HELLO,
 * IDENTIFY/RESUME, jittered heartbeats with zombie detection, op 1/7/9,
 * the close-code policy, backoff with jitter that never gives up on
 * transient failures, and a send limiter (<= 120 per 60 s, heartbeats
 * first, payloads <= 4096 bytes). DNS is resolved on a worker thread.
 */
#ifndef HALLWAY_GATEWAY_H
#define HALLWAY_GATEWAY_H

#include <jansson.h>
#include <libwebsockets.h>
#include <stdint.h>

#include "gateway_scan.h"

struct gateway;
struct work;

struct gateway_config {
	const char *token;      /* raw token */
	uint32_t intents;
	int compress;           /* zlib-stream */
	int large_threshold;    /* default 250 */
};

struct gateway_callbacks {
	/* Every dispatch (op 0), in sequence order, exactly once per session:
	 * type is "t", data is "d" (borrowed). READY and RESUMED included. */
	void (*dispatch)(void *ud, const char *type, json_t *data, int64_t seq);
	/* A fatal close (4004, 4010-4014): the gateway has stopped for good.
	 * why is a sentence for the bot owner. */
	void (*fatal)(void *ud, int close_code, const char *why);
	void *ud;
	/* Optional: asked before a dispatch is parsed (never for READY or
	 * RESUMED), with what the pre-scan found: scan->t, and for a
	 * MESSAGE_CREATE the start of d.content (gateway_scan.h). Return 0 if
	 * the owner does not need this dispatch: the gateway then advances the
	 * seq exactly as for a parsed one (RESUME and heartbeats carry it),
	 * counts it, and calls skipped instead of dispatch, without parsing it.
	 * NULL, or a payload the scan cannot vouch for: parsed and dispatched.
	 * GATEWAY_WANT_LEAN: parsed without d's per-member lists (d.members,
	 * d.presences: a GUILD_CREATE of 30,000 members would be ~80 MB of
	 * tree), for an owner that reads nothing in them.
	 * GATEWAY_WANT_FIELDS: parsed with only the members of d that fields
	 * names (gateway_scan_load_kept), for an owner that reads no other. */
	int (*wants)(void *ud, const struct gateway_scan *scan);
	void (*skipped)(void *ud, const char *type, int64_t seq);
	const char *const *fields; /* for GATEWAY_WANT_FIELDS; borrowed */
};

#define GATEWAY_WANT_LEAN 2
#define GATEWAY_WANT_FIELDS 3

struct gateway_stats {
	int ready;                   /* READY or RESUMED on the current socket */
	int64_t last_ack_ms;         /* monotonic ms of the last heartbeat ACK, 0 = none */
	int64_t heartbeat_interval_ms;
	double last_rtt_ms;
	uint64_t connects, resumes, identifies, reconnects, zombies, dispatches;
	uint64_t skipped; /* dispatches the owner did not want: never parsed */
	uint64_t repaired;    /* payloads jansson refused, repaired and dispatched */
	uint64_t unparseable; /* payloads jansson refused, not repairable: skipped */
};

/* The lws protocol callback for the gateway socket ("hallway-gateway"). */
int gateway_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
			 void *in, size_t len);

struct gateway *gateway_create(struct lws_context *lws, struct lws_vhost *vhost,
			       struct work *work, const struct gateway_config *cfg,
			       const struct gateway_callbacks *cb);
/* Connect to url (from GET /gateway/bot, e.g. "wss://gateway.discord.gg"). */
int gateway_start(struct gateway *g, const char *url);
/* Close with 1000 (ends the session) and stop reconnecting. */
void gateway_stop(struct gateway *g);
/* The same with 4000: Discord keeps the session resumable for a few
 * minutes, for another process that adopts it (two daemons: the standby
 * takes over after an orderly stop without losing what came meanwhile). */
void gateway_stop_resumable(struct gateway *g);
int gateway_is_stopped(const struct gateway *g);
/* Takes over a session another process kept (active/standby, takeover.c):
 * the first connection then RESUMEs it at seq on resume_url instead of
 * IDENTIFYing; a session Discord no longer knows gets op 9 and a new one.
 * Only before gateway_start. Returns 0, or -1 (started already, bad
 * arguments, out of memory). */
int gateway_adopt_session(struct gateway *g, const char *session_id, const char *resume_url,
			  int64_t seq);
/* The current session (borrowed, valid until the next dispatch) and the
 * last sequence number; *session_id NULL without one. */
void gateway_session(const struct gateway *g, const char **session_id, const char **resume_url,
		     int64_t *seq);
void gateway_get_stats(const struct gateway *g, struct gateway_stats *out);
void gateway_destroy(struct gateway *g);

#endif
