/*
 * Gateway send queue and limiter. Discord closes a connection with 4008
 * after 120 sends in 60 s (heartbeats included); we stay at or under
 * max_sends (110) per rolling window per connection. CONTROL frames
 * (heartbeat, IDENTIFY, RESUME) always go first, and at most
 * max_sends - reserve NORMAL frames go per window, so the reserve is left
 * for heartbeats: set it from the heartbeat interval (window / interval + a
 * few). Payloads over 4096 bytes are refused. Pure: the clock is passed in.
 */
#ifndef HALLWAY_GATEWAY_LIMITER_H
#define HALLWAY_GATEWAY_LIMITER_H

#include <stddef.h>
#include <stdint.h>

#define GATEWAY_LIMITER_MAX_PAYLOAD 4096

enum gateway_prio { GATEWAY_PRIO_CONTROL = 0, GATEWAY_PRIO_NORMAL = 1 };

enum gateway_limiter_err {
	GATEWAY_LIMITER_OK = 0,
	GATEWAY_LIMITER_ETOOBIG = -1, /* payload > 4096 bytes */
	GATEWAY_LIMITER_EFULL = -2,   /* max_queued NORMAL frames already wait */
	GATEWAY_LIMITER_ENOMEM = -3,
};

struct gateway_limiter_config {
	int max_sends;       /* per window, all frames: 110 */
	int control_reserve; /* initial reserve for CONTROL frames: 5 */
	int64_t window_ms;   /* 60000 */
	size_t headroom;     /* bytes before each payload (LWS_PRE) */
	size_t max_queued;   /* NORMAL frames waiting, at most: 256 */
};

struct gateway_frame {
	struct gateway_frame *next;
	enum gateway_prio prio;
	int kind;            /* the caller's tag (GATEWAY_FRAME_*), for on-write bookkeeping */
	size_t len;          /* payload bytes */
	unsigned char *data; /* payload; headroom bytes before it are writable */
	unsigned char buf[];
};

struct gateway_limiter;

/* Returns a new limiter (free with gateway_limiter_free), or NULL. */
struct gateway_limiter *gateway_limiter_new(const struct gateway_limiter_config *cfg);
void gateway_limiter_free(struct gateway_limiter *l);

enum gateway_frame_kind { GATEWAY_FRAME_OTHER = 0, GATEWAY_FRAME_HEARTBEAT = 1 };

/* Copies len bytes of data into a new queued frame. */
int gateway_limiter_push(struct gateway_limiter *l, enum gateway_prio prio, const void *data,
			 size_t len);
/* The same, with a tag the writer reads back from the frame (f->kind). */
int gateway_limiter_push_kind(struct gateway_limiter *l, enum gateway_prio prio, int kind,
			      const void *data, size_t len);

/*
 * The frame to write now (still queued, owned by l), or NULL. normal_ok is
 * 0 while NORMAL frames must wait (before READY/RESUMED). When NULL is
 * returned, *wait_ms is how long until a queued frame may go (> 0), or -1
 * when nothing sendable is queued.
 */
struct gateway_frame *gateway_limiter_next(struct gateway_limiter *l, int64_t now_ms,
					   int normal_ok, int64_t *wait_ms);
/* The frame last returned by gateway_limiter_next was written at now_ms:
 * dequeue and free it, and count the send. */
void gateway_limiter_sent(struct gateway_limiter *l, struct gateway_frame *f, int64_t now_ms);

/* A new connection: forget the send history and drop CONTROL frames (a
 * queued heartbeat or IDENTIFY belongs to the old socket). NORMAL frames
 * stay queued for the next session. */
void gateway_limiter_reset(struct gateway_limiter *l);
/* Drops every queued frame too. */
void gateway_limiter_clear(struct gateway_limiter *l);

/* Slots per window kept for CONTROL frames (clamped to 0..max_sends-1). */
void gateway_limiter_set_reserve(struct gateway_limiter *l, int reserve);

size_t gateway_limiter_queued(const struct gateway_limiter *l, enum gateway_prio prio);
/* Sends counted in the window ending at now_ms. */
int gateway_limiter_in_window(struct gateway_limiter *l, int64_t now_ms);

#endif
