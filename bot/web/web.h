/*
 * The daemon's HTTP server (`http.listen`, loopback by default), an lws
 * server vhost in the daemon's own loop:
 *   GET  /healthz, /metrics              health.c's checks and the metrics
 *   GET  /screen, /screen/<room>         lobby screens (public, read-only)
 *   GET  /organizer, /organizer/signin   the organizer page (signed in)
 *   GET  /static/<owner>/<file>          embedded assets (host: "hallway")
 *   GET  /events                         Server-Sent Events (web_push)
 *   *    /api/<plugin>/...               plugin routes (api->web_route)
 *   POST /api/auth/signin, /api/auth/signout, /api/action
 * Every answer carries the security headers (a strict Content-Security-
 * Policy: scripts, styles and images from 'self' only; no framing). A
 * request body is capped at WEB_BODY_MAX; a POST must be JSON.
 */
#ifndef HALLWAY_BOT_WEB_H
#define HALLWAY_BOT_WEB_H

#include <hallway/web.h>
#include <jansson.h>
#include <stddef.h>

struct hallway;
struct plugin;
struct web;
struct web_conn;

#define WEB_BODY_MAX 16384
#define WEB_PATH_MAX 512
#define WEB_QUERY_MAX 1024

/* One request, as a host handler sees it (borrowed during the call). */
struct web_req {
	const char *method;       /* "GET" or "POST" */
	const char *path;         /* decoded by lws, "/screen/Main Hall" */
	const char *query;        /* raw, "" when none */
	const char *body;         /* POST body (NUL-terminated), or NULL */
	size_t body_len;
	const char *user_id;      /* the signed-in organizer, or NULL */
	const char *session_id;   /* their session, or NULL */
	const char *csrf;         /* the X-CSRF-Token header, or "" */
	struct web_conn *conn;
};

struct web *web_create(struct hallway *hw);
/* Listens on the configured address (nothing when off). 0, or -1 with a
 * log line. */
int web_listen(struct web *w);
int web_port(const struct web *w);
/* Closes the push connections (shutdown). */
void web_close_all(struct web *w);
void web_destroy(struct web *w);

/* ---- answers ---- */

/* Answers conn now or later (async handlers keep conn with web_conn_hold
 * and answer once). json: stolen; NULL answers {"error": why}. */
void web_conn_json(struct web_conn *c, unsigned status, json_t *json, const char *why);
/* Any body (copied). */
void web_conn_answer(struct web_conn *c, unsigned status, const char *ctype, const void *body,
		     size_t len);
/* A Set-Cookie header for the answer (copied; before answering). */
void web_conn_cookie(struct web_conn *c, const char *cookie);
/* An async handler keeps c (hold), answers it later exactly once, then
 * releases it. Answering a connection that closed meanwhile does nothing. */
void web_conn_hold(struct web_conn *c);
void web_conn_release(struct web_conn *c);
/* Turns c into a push stream (GET /events). */
int web_conn_sse(struct web_conn *c);

/* ---- plugin registrations (api_web.c) ---- */

int web_route_add(struct web *w, struct plugin *owner, const char *method, const char *path,
		  enum hw_web_access access, hw_web_fn fn, void *ud, char *why, size_t whylen);
int web_asset_add(struct web *w, struct plugin *owner, const char *path, const char *ctype,
		  const void *data, size_t len, char *why, size_t whylen);
int web_panel_add(struct web *w, struct plugin *owner, const char *title, const char *path,
		  char *why, size_t whylen);
/* Forgets everything owner registered (plugin unload). */
void web_sweep(struct web *w, struct plugin *owner);
/* Sends {"topic": topic, "data": data} to every open page (data borrowed). */
int web_push(struct web *w, const char *topic, json_t *data);
/* The organizer panels: [{"title", "path", "plugin"}] (new reference). */
json_t *web_panels(struct web *w);

/* The base URL links point at: http.public_url, else http://<listen>. */
void web_public_url(const struct web *w, char *buf, size_t len);
/* Number of open push streams (metrics, bench). */
size_t web_sse_clients(const struct web *w);

/* Host pages and endpoints (web_pages.c): returns 1 if it answered c. */
int web_pages_dispatch(struct web *w, struct web_req *req);
/* The organizer sign-in (web_signin.c). */
struct web_auth *web_auth_of(struct web *w);
struct hallway *web_hallway(struct web *w);
/* Registers the `dashboard` command (organizers get a sign-in link). */
int web_dashboard_add(struct web *w);

/* Embedded host assets (generated at build time from bot/web/). */
struct web_embedded {
	const char *name;         /* "screen.js" */
	const unsigned char *data;
	size_t len;
};
extern const struct web_embedded web_embedded_assets[];
extern const size_t web_embedded_count;

#endif
