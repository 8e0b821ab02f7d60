/*
 * Internals shared by gateway.c (connection: DNS, connect, lws callback,
 * close and reconnect) and gateway_proto.c (payloads: HELLO, heartbeats,
 * IDENTIFY/RESUME, dispatch). Not part of the interface.
 */
#ifndef HALLWAY_GATEWAY_INT_H
#define HALLWAY_GATEWAY_INT_H

#include "gateway.h"
#include "gateway_limiter.h"
#include "gateway_policy.h"
#include "zstream.h"

#include <netinet/in.h>

#define GATEWAY_LOG "gateway"
#define GATEWAY_RX_MAX (16u << 20)       /* one reassembled message */
#define GATEWAY_RX_KEEP (256u << 10)     /* a bigger RX buffer is freed after use */
#define GATEWAY_ZIN_MAX (16u << 20)      /* compressed bytes per payload */
#define GATEWAY_ZOUT_MAX (64u << 20)     /* one inflated payload */
#define GATEWAY_STABLE_MS 5000           /* READY this long = healthy socket */
#define GATEWAY_IDENTIFY_GAP_MS 5250     /* IDENTIFYs at least this far apart */

enum gateway_state {
	GW_IDLE,        /* created, not started */
	GW_RESOLVING,   /* DNS job on a worker */
	GW_CONNECTING,  /* TCP/TLS/websocket handshake */
	GW_HELLO_WAIT,  /* socket open, waiting for HELLO */
	GW_IDENTIFYING, /* IDENTIFY queued, waiting for READY */
	GW_RESUMING,    /* RESUME queued, waiting for RESUMED */
	GW_READY,       /* READY or RESUMED seen on this socket */
	GW_CLOSING,     /* we asked the socket to close */
	GW_BACKOFF,     /* waiting to reconnect */
	GW_STOPPED,     /* gateway_stop: closed for good */
	GW_FATAL,       /* fatal close code: closed for good */
};

struct gateway_dns; /* a resolution job shared with a worker */

struct gateway {
	struct lws_context *lws;
	struct lws_vhost *vhost;
	struct work *work;
	char *token;
	uint32_t intents;
	int compress;
	int large_threshold;
	struct gateway_callbacks cb;

	char *url;        /* from gateway_start */
	char *resume_url; /* from READY; NULL without a session */
	char *session_id; /* from READY; NULL without a session */
	int64_t seq;      /* last dispatch seq of this session, -1 = none */

	enum gateway_state state;
	int stopping; /* gateway_stop was called */
	struct lws *wsi;
	struct gateway_dns *dns;
	uint64_t dns_id;
	int64_t connect_started_ms;

	/* Per socket. */
	int64_t hb_interval_ms;
	int ack_pending;        /* heartbeat sent, no ACK yet */
	int64_t hb_sent_us;     /* monotonic us the last heartbeat was written, 0 while queued */
	int64_t hb_queued_us;   /* monotonic us the last heartbeat was queued */
	int64_t hb_due_ms;      /* when the heartbeat timer was meant to fire */
	int close_requested;    /* local close: code/reason/action below */
	int close_code;
	char close_reason[64];
	enum gateway_close_action close_action;
	int peer_close_code;    /* from the server's close frame, 0 = none */
	char peer_close_reason[128];
	uint64_t replayed;      /* dispatches between RESUME and RESUMED */
	int64_t ready_ms;       /* when READY/RESUMED arrived, 0 = not yet */
	uint64_t live;          /* dispatches after READY/RESUMED on this socket */
	struct zstream *z;
	unsigned char *rx;
	size_t rx_len, rx_cap;

	/* Reconnecting. */
	unsigned retry;           /* attempts since the last healthy socket */
	unsigned retry_at_ready;  /* retry before the last READY/RESUMED */
	int64_t min_delay_ms;     /* at least this before the next connect */
	int64_t identify_ms;      /* when the last IDENTIFY was queued, 0 = never */

	struct gateway_limiter *tx;
	lws_sorted_usec_list_t sul_hb, sul_tx, sul_reconnect;
	uint64_t rng;
	struct gateway_stats stats;
};

/* gateway_proto.c: counts one dispatch (replayed or live) in the stats. */
void gateway_note_dispatch(struct gateway *g);

/* gateway.c */
int64_t gateway_now_ms(void);
int64_t gateway_now_us(void);
double gateway_rand01(struct gateway *g);
/* Ask the socket to close with code; action says what happens next. */
void gateway_close_local(struct gateway *g, int code, const char *reason,
			 enum gateway_close_action action);
/* Forget session_id, resume URL and seq: the next connect IDENTIFYs. */
void gateway_drop_session(struct gateway *g);
/* Request CLIENT_WRITEABLE if something may be sent. */
void gateway_kick_tx(struct gateway *g);
/* Copies src into dst (cap bytes) with control characters replaced. */
const char *gateway_clean(char *dst, size_t cap, const char *src, size_t len);

/* gateway_proto.c */
/* One complete payload (JSON text) from the server. */
void gateway_proto_handle(struct gateway *g, const char *text, size_t len);
/* The socket is gone: stop the heartbeat. */
void gateway_proto_reset(struct gateway *g);
/* Queue payload (stolen) with prio; returns 0 or a gateway_limiter_err. */
int gateway_proto_queue(struct gateway *g, json_t *payload, enum gateway_prio prio);
/* A frame of this GATEWAY_FRAME_* kind was just written to the socket. */
void gateway_proto_written(struct gateway *g, int kind);

#endif
