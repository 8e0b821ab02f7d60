/*
 * Send limiter: two FIFO queues (CONTROL before NORMAL) and a ring of the
 * last max_sends sends (time and class). In the rolling window
 * (now - window_ms, now] a CONTROL frame may go while fewer than max_sends
 * frames were sent; a NORMAL frame also needs fewer than max_sends - reserve
 * NORMAL frames sent. With reserve >= the CONTROL frames one window can
 * hold (heartbeats, IDENTIFY/RESUME), heartbeats never wait.
 */
#include "gateway_limiter.h"

#include <stdlib.h>
#include <string.h>

struct fifo {
	struct gateway_frame *head, *tail;
	size_t n;
};

struct gateway_limiter {
	struct gateway_limiter_config cfg;
	struct fifo q[2];
	struct sent {
		int64_t t;
		int normal;
	} *ts;          /* ring of sends, oldest at ts_head */
	int ts_head, ts_n;
	int normal_n;   /* NORMAL entries in the ring */
	int reserve;
};

struct gateway_limiter *gateway_limiter_new(const struct gateway_limiter_config *cfg)
{
	struct gateway_limiter *l;

	if (cfg->max_sends < 1 || cfg->control_reserve < 0 ||
	    cfg->control_reserve >= cfg->max_sends || cfg->window_ms <= 0)
		return NULL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->cfg = *cfg;
	l->reserve = cfg->control_reserve;
	l->ts = calloc((size_t)cfg->max_sends, sizeof(*l->ts));
	if (!l->ts) {
		free(l);
		return NULL;
	}
	return l;
}

static void fifo_clear(struct fifo *q)
{
	struct gateway_frame *f = q->head, *next;

	for (; f; f = next) {
		next = f->next;
		free(f);
	}
	memset(q, 0, sizeof(*q));
}

void gateway_limiter_free(struct gateway_limiter *l)
{
	if (!l)
		return;
	fifo_clear(&l->q[0]);
	fifo_clear(&l->q[1]);
	free(l->ts);
	free(l);
}

int gateway_limiter_push(struct gateway_limiter *l, enum gateway_prio prio, const void *data,
			 size_t len)
{
	return gateway_limiter_push_kind(l, prio, GATEWAY_FRAME_OTHER, data, len);
}

int gateway_limiter_push_kind(struct gateway_limiter *l, enum gateway_prio prio, int kind,
			      const void *data, size_t len)
{
	struct gateway_frame *f;
	struct fifo *q = &l->q[prio == GATEWAY_PRIO_CONTROL ? 0 : 1];

	if (len > GATEWAY_LIMITER_MAX_PAYLOAD)
		return GATEWAY_LIMITER_ETOOBIG;
	if (prio != GATEWAY_PRIO_CONTROL && q->n >= l->cfg.max_queued)
		return GATEWAY_LIMITER_EFULL;
	f = malloc(sizeof(*f) + l->cfg.headroom + len + 1);
	if (!f)
		return GATEWAY_LIMITER_ENOMEM;
	f->next = NULL;
	f->prio = prio == GATEWAY_PRIO_CONTROL ? GATEWAY_PRIO_CONTROL : GATEWAY_PRIO_NORMAL;
	f->kind = kind;
	f->len = len;
	f->data = f->buf + l->cfg.headroom;
	if (len)
		memcpy(f->data, data, len);
	f->data[len] = '\0';
	if (q->tail)
		q->tail->next = f;
	else
		q->head = f;
	q->tail = f;
	q->n++;
	return GATEWAY_LIMITER_OK;
}

/* Forgets sends that left the window. */
static void expire(struct gateway_limiter *l, int64_t now_ms)
{
	while (l->ts_n && l->ts[l->ts_head].t <= now_ms - l->cfg.window_ms) {
		l->normal_n -= l->ts[l->ts_head].normal;
		l->ts_head = (l->ts_head + 1) % l->cfg.max_sends;
		l->ts_n--;
	}
}

int gateway_limiter_in_window(struct gateway_limiter *l, int64_t now_ms)
{
	expire(l, now_ms);
	return l->ts_n;
}

/* 0 if one more send of the class (normal_only: NORMAL sends; else all)
 * stays under cap now, else ms until it will. */
static int64_t wait_for(struct gateway_limiter *l, int cap, int normal_only, int64_t now_ms)
{
	int n = normal_only ? l->normal_n : l->ts_n, skip;

	if (n < cap)
		return 0;
	/* The (n - cap)-th oldest counted send must leave the window first. */
	skip = n - cap;
	for (int i = 0; i < l->ts_n; i++) {
		const struct sent *e = &l->ts[(l->ts_head + i) % l->cfg.max_sends];

		if (normal_only && !e->normal)
			continue;
		if (!skip--)
			return e->t + l->cfg.window_ms - now_ms;
	}
	return l->cfg.window_ms; /* not reached */
}

struct gateway_frame *gateway_limiter_next(struct gateway_limiter *l, int64_t now_ms,
					   int normal_ok, int64_t *wait_ms)
{
	int64_t w;

	*wait_ms = -1;
	expire(l, now_ms);
	if (l->q[0].head) {
		w = wait_for(l, l->cfg.max_sends, 0, now_ms);
		if (!w)
			return l->q[0].head;
		*wait_ms = w;
		return NULL;
	}
	if (l->q[1].head && normal_ok) {
		int64_t w2 = wait_for(l, l->cfg.max_sends, 0, now_ms);

		w = wait_for(l, l->cfg.max_sends - l->reserve, 1, now_ms);
		if (w2 > w)
			w = w2;
		if (!w)
			return l->q[1].head;
		*wait_ms = w;
	}
	return NULL;
}

void gateway_limiter_sent(struct gateway_limiter *l, struct gateway_frame *f, int64_t now_ms)
{
	struct fifo *q = &l->q[f->prio == GATEWAY_PRIO_CONTROL ? 0 : 1];
	int slot, normal = f->prio != GATEWAY_PRIO_CONTROL;

	if (q->head != f)
		return; /* not the frame next() handed out */
	q->head = f->next;
	if (!q->head)
		q->tail = NULL;
	q->n--;
	free(f);

	expire(l, now_ms);
	if (l->ts_n == l->cfg.max_sends) { /* full: overwrite the oldest */
		l->normal_n -= l->ts[l->ts_head].normal;
		l->ts_head = (l->ts_head + 1) % l->cfg.max_sends;
		l->ts_n--;
	}
	slot = (l->ts_head + l->ts_n) % l->cfg.max_sends;
	l->ts[slot].t = now_ms;
	l->ts[slot].normal = normal;
	l->normal_n += normal;
	l->ts_n++;
}

void gateway_limiter_reset(struct gateway_limiter *l)
{
	fifo_clear(&l->q[0]);
	l->ts_head = 0;
	l->ts_n = 0;
	l->normal_n = 0;
}

void gateway_limiter_set_reserve(struct gateway_limiter *l, int reserve)
{
	if (reserve < 0)
		reserve = 0;
	if (reserve > l->cfg.max_sends - 1)
		reserve = l->cfg.max_sends - 1;
	l->reserve = reserve;
}

void gateway_limiter_clear(struct gateway_limiter *l)
{
	gateway_limiter_reset(l);
	fifo_clear(&l->q[1]);
}

size_t gateway_limiter_queued(const struct gateway_limiter *l, enum gateway_prio prio)
{
	return l->q[prio == GATEWAY_PRIO_CONTROL ? 0 : 1].n;
}
