/*
 * The push channel: Server-Sent Events at /events. Every message goes into
 * one ring of the last WEB_SSE_RING messages; each client keeps the number
 * of the next one it needs, so memory does not grow with clients or with a
 * slow reader: a client that falls a whole ring behind is dropped (its page
 * reconnects and catches up). A keep-alive comment goes to every client
 * each WEB_SSE_KEEPALIVE_MS, so proxies keep the stream open and pages
 * notice a dead one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hallway.h"
#include "log.h"
#include "web_int.h"

static const char KEEPALIVE[] = ": keep-alive\n\n";
static const char HELLO[] = "retry: 3000\n: hallway\n\n";

static void keepalive_tick(lws_sorted_usec_list_t *sul)
{
	struct web *w = lws_container_of(sul, struct web, ka_sul);
	for (struct web_conn *c = w->sse; c; c = c->sse_next) {
		if (!c->wsi)
			continue;
		if (w->seq > WEB_SSE_RING && c->sse_seq < w->seq - WEB_SSE_RING) {
			/* Stuck a whole ring behind (no WRITEABLE came): drop it. */
			if (!c->sse_dropped)
				LOGI("web", "dropping a push client a whole ring (%d messages) behind",
				     WEB_SSE_RING);
			c->sse_dropped = 1;
			lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
			continue;
		}
		c->sse_keepalive = 1;
		lws_callback_on_writable(c->wsi);
	}
	if (w->sse)
		lws_sul_schedule(w->hw->lws, 0, &w->ka_sul, keepalive_tick,
				 WEB_SSE_KEEPALIVE_MS * LWS_US_PER_MS);
	else
		w->ka_scheduled = 0;
}

void web_sse_attach(struct web *w, struct web_conn *c)
{
	c->sse_seq = w->seq; /* from now on */
	c->sse_keepalive = 2; /* the greeting first */
	c->sse_prev = NULL;
	c->sse_next = w->sse;
	if (w->sse)
		w->sse->sse_prev = c;
	w->sse = c;
	w->nsse++;
	if (!w->ka_scheduled && w->vhost) {
		w->ka_scheduled = 1;
		lws_sul_schedule(w->hw->lws, 0, &w->ka_sul, keepalive_tick,
				 WEB_SSE_KEEPALIVE_MS * LWS_US_PER_MS);
	}
}

void web_sse_detach(struct web *w, struct web_conn *c)
{
	if (c->sse_prev)
		c->sse_prev->sse_next = c->sse_next;
	else if (w->sse == c)
		w->sse = c->sse_next;
	if (c->sse_next)
		c->sse_next->sse_prev = c->sse_prev;
	c->sse_next = c->sse_prev = NULL;
	w->nsse--;
}

size_t web_sse_clients(const struct web *w)
{
	return w ? w->nsse : 0;
}

static int write_text(struct web_conn *c, const char *text, size_t len)
{
	unsigned char buf[LWS_PRE + 64];
	if (len > sizeof(buf) - LWS_PRE)
		return -1;
	memcpy(buf + LWS_PRE, text, len);
	return lws_write(c->wsi, buf + LWS_PRE, len, LWS_WRITE_HTTP) == (int)len ? 0 : -1;
}

int web_sse_writeable(struct web *w, struct web_conn *c)
{
	struct web_sse_msg *m;
	if (c->sse_keepalive) {
		int hello = c->sse_keepalive == 2;
		c->sse_keepalive = 0;
		if (hello ? write_text(c, HELLO, sizeof(HELLO) - 1)
			  : write_text(c, KEEPALIVE, sizeof(KEEPALIVE) - 1))
			return -1;
		if (c->sse_seq < w->seq)
			lws_callback_on_writable(c->wsi);
		return 0;
	}
	if (c->sse_seq >= w->seq)
		return 0;
	if (w->seq > WEB_SSE_RING && c->sse_seq < w->seq - WEB_SSE_RING) {
		LOGI("web", "dropping a push client a whole ring (%d messages) behind", WEB_SSE_RING);
		return -1;
	}
	m = &w->ring[c->sse_seq % WEB_SSE_RING];
	if (lws_write(c->wsi, m->buf + LWS_PRE, m->len, LWS_WRITE_HTTP) != (int)m->len)
		return -1;
	c->sse_seq++;
	if (c->sse_seq < w->seq)
		lws_callback_on_writable(c->wsi);
	return 0;
}

int web_push(struct web *w, const char *topic, json_t *data)
{
	json_t *msg;
	char *text, head[32];
	unsigned char *buf;
	struct web_sse_msg *m;
	size_t tlen, hlen;

	if (!w || !topic)
		return -1;
	msg = json_pack("{s:s,s:O?}", "topic", topic, "data", data);
	text = msg ? json_dumps(msg, JSON_COMPACT) : NULL; /* one line: no raw newlines */
	json_decref(msg);
	if (!text) {
		LOGE("web", "cannot push %s: out of memory", topic);
		return -1;
	}
	tlen = strlen(text);
	hlen = (size_t)snprintf(head, sizeof(head), "id: %llu\ndata: ", (unsigned long long)w->seq);
	/* Built aside, so that out of memory leaves the slot's message whole
	 * for a client still a ring behind. */
	if (!(buf = malloc(LWS_PRE + hlen + tlen + 2))) {
		free(text);
		LOGE("web", "cannot push %s: out of memory", topic);
		return -1;
	}
	memcpy(buf + LWS_PRE, head, hlen);
	memcpy(buf + LWS_PRE + hlen, text, tlen);
	memcpy(buf + LWS_PRE + hlen + tlen, "\n\n", 2);
	free(text);
	m = &w->ring[w->seq % WEB_SSE_RING];
	free(m->buf);
	m->buf = buf;
	m->len = hlen + tlen + 2;
	w->seq++;
	for (struct web_conn *c = w->sse; c; c = c->sse_next)
		if (c->wsi)
			lws_callback_on_writable(c->wsi);
	LOGD("web", "pushed %s to %zu page(s)", topic, w->nsse);
	return 0;
}

void web_sse_free(struct web *w)
{
	for (size_t i = 0; i < WEB_SSE_RING; i++) {
		free(w->ring[i].buf);
		w->ring[i].buf = NULL;
	}
}
