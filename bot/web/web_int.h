/*
 * The web server's insides, shared by its files (web.c: connections and
 * answers; web_registry.c: plugin routes, assets, panels; web_sse.c: the
 * push channel; web_pages.c: host pages; web_signin.c: sessions).
 */
#ifndef HALLWAY_WEB_INT_H
#define HALLWAY_WEB_INT_H

#include <libwebsockets.h>
#include <stdint.h>

#include "web.h"

#define WEB_SSE_RING 128      /* messages kept for slow clients */
#define WEB_SSE_MAX 2000      /* open push streams */
#define WEB_SSE_KEEPALIVE_MS 15000

struct web_route {
	struct web_route *next;
	struct plugin *owner;
	char method[8];
	char *path;
	enum hw_web_access access;
	hw_web_fn fn;
	void *ud;
};

struct web_asset {
	struct web_asset *next;
	struct plugin *owner;
	char *path;
	char *ctype;
	const void *data;
	size_t len;
};

struct web_panel {
	struct web_panel *next;
	struct plugin *owner;
	char *title;
	char *path;
};

enum conn_state { CONN_READING = 0, CONN_HANDLING, CONN_ANSWERED, CONN_SSE };

struct web_conn {
	struct web *w;
	struct lws *wsi;          /* NULL once the connection closed */
	int refs;                 /* the lws session + an async handler */
	enum conn_state state;
	char method[8];
	char path[WEB_PATH_MAX];
	char query[WEB_QUERY_MAX];
	char cookie[1024];
	char csrf[96];
	char *body;
	size_t body_len;
	long content_length;
	/* the answer */
	unsigned status;
	char ctype[96];
	int cacheable;
	char set_cookie[400];
	unsigned char *out;       /* LWS_PRE + body */
	size_t out_len, out_off;
	int headers_sent;
	int close_after;          /* refused before its body was read: no keep-alive */
	/* push stream */
	struct web_conn *sse_next, *sse_prev;
	uint64_t sse_seq;         /* next ring message to send */
	int sse_keepalive;        /* a keep-alive comment is due */
	int sse_dropped;
};

struct web_sse_msg {
	unsigned char *buf;       /* LWS_PRE + text */
	size_t len;
};

struct web {
	struct hallway *hw;
	struct lws_vhost *vhost;
	int port;
	char iface[64];
	struct web_route *routes;
	struct web_asset *assets;
	struct web_panel *panels;
	struct web_sse_msg ring[WEB_SSE_RING];
	uint64_t seq;             /* the next message's number */
	struct web_conn *sse;
	size_t nsse;
	int ka_scheduled;
	lws_sorted_usec_list_t ka_sul;
	struct web_auth *auth;
};

/* web.c */
void web_conn_unref(struct web_conn *c);
/* web_registry.c */
int web_registry_dispatch(struct web *w, struct web_req *req);
void web_registry_free(struct web *w);
/* web_signin.c: POST /api/auth/signin (may answer later) */
int web_signin_post(struct web *w, struct web_req *req);
/* Whether user_id holds an organizer role now (asks Discord for the member;
 * the console's own user is one while the console runs). fn may be called
 * before this returns. A "no" also ends the user's sessions. */
enum { WEB_ROLE_NO = 0, WEB_ROLE_YES = 1, WEB_ROLE_UNKNOWN = 2 };
typedef void (*web_role_fn)(void *ud, int verdict);
void web_role_check(struct web *w, const char *user_id, web_role_fn fn, void *ud);
/* web_pages.c: the content type of a file name */
const char *web_mime(const char *name);
/* web_sse.c */
void web_sse_attach(struct web *w, struct web_conn *c);
void web_sse_detach(struct web *w, struct web_conn *c);
/* Writes what c is due; returns -1 to close it. */
int web_sse_writeable(struct web *w, struct web_conn *c);
void web_sse_free(struct web *w);

#endif
