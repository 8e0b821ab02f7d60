/*
 * What plugins add to the web server (api->web_route, web_asset,
 * web_panel), each recorded with its owner so unload sweeps it, and the
 * dispatch of /api/<plugin>/… and /static/<owner>/… requests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hallway.h"
#include "host.h"
#include "log.h"
#include "web_auth.h"
#include "web_int.h"

#define ROUTES_MAX 256

static int valid_tail(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 200 || strstr(s, "..") || strstr(s, "//"))
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-/") == n;
}

/* The full path of a plugin's route or asset: "rosters", "/rosters" and
 * "/api/sprints/rosters" all name /api/sprints/rosters. */
static char *full_path(const char *ns, const char *owner, const char *path, char *why,
		       size_t whylen)
{
	char prefix[96], *out;
	size_t plen;
	snprintf(prefix, sizeof(prefix), "/%s/%s/", ns, owner);
	plen = strlen(prefix);
	if (!path) {
		snprintf(why, whylen, "no path");
		return NULL;
	}
	if (!strncmp(path, prefix, plen))
		path += plen;
	else if (path[0] == '/' && !strncmp(path + 1, ns, strlen(ns)) &&
		 path[1 + strlen(ns)] == '/') {
		snprintf(why, whylen, "path %s is outside %s", path, prefix);
		return NULL;
	}
	while (*path == '/')
		path++;
	if (!valid_tail(path)) {
		snprintf(why, whylen, "path \"%s\" must be [A-Za-z0-9_.-/]{1,200}, no .. or //", path);
		return NULL;
	}
	if (!(out = malloc(plen + strlen(path) + 1))) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	memcpy(out, prefix, plen);
	strcpy(out + plen, path);
	return out;
}

static const char *owner_name(struct plugin *p)
{
	return p ? p->name : "hallway";
}

int web_route_add(struct web *w, struct plugin *owner, const char *method, const char *path,
		  enum hw_web_access access, hw_web_fn fn, void *ud, char *why, size_t whylen)
{
	struct web_route *r;
	size_t n = 0;
	char *full;
	if (!w || !fn || !method || (strcmp(method, "GET") && strcmp(method, "POST")) ||
	    (access != HW_WEB_PUBLIC && access != HW_WEB_ORGANIZER)) {
		snprintf(why, whylen, "method must be GET or POST, access public or organizer, fn set");
		return HW_ERR_INVALID;
	}
	if (!(full = full_path("api", owner_name(owner), path, why, whylen)))
		return HW_ERR_INVALID;
	for (r = w->routes; r; r = r->next, n++)
		if (!strcmp(r->path, full) && !strcmp(r->method, method) && r->owner == owner) {
			snprintf(why, whylen, "%s %s is already registered", method, full);
			free(full);
			return HW_ERR_EXISTS;
		}
	if (n >= ROUTES_MAX || !(r = calloc(1, sizeof(*r)))) {
		snprintf(why, whylen, "too many routes");
		free(full);
		return HW_ERR_NOMEM;
	}
	r->owner = owner;
	snprintf(r->method, sizeof(r->method), "%s", method);
	r->path = full;
	r->access = access;
	r->fn = fn;
	r->ud = ud;
	r->next = w->routes;
	w->routes = r;
	return HW_OK;
}

int web_asset_add(struct web *w, struct plugin *owner, const char *path, const char *ctype,
		  const void *data, size_t len, char *why, size_t whylen)
{
	struct web_asset *a;
	char *full;
	if (!w || !data || !ctype || strlen(ctype) > 80 || strpbrk(ctype, "\r\n")) {
		snprintf(why, whylen, "asset needs data and a content type (<= 80 bytes)");
		return HW_ERR_INVALID;
	}
	if (len > 1024 * 1024) {
		snprintf(why, whylen, "asset larger than 1 MiB");
		return HW_ERR_INVALID;
	}
	if (!(full = full_path("static", owner_name(owner), path, why, whylen)))
		return HW_ERR_INVALID;
	for (a = w->assets; a; a = a->next)
		if (!strcmp(a->path, full) && a->owner == owner) {
			snprintf(why, whylen, "%s is already registered", full);
			free(full);
			return HW_ERR_EXISTS;
		}
	if (!(a = calloc(1, sizeof(*a))) || !(a->ctype = strdup(ctype))) {
		free(a);
		free(full);
		snprintf(why, whylen, "out of memory");
		return HW_ERR_NOMEM;
	}
	a->owner = owner;
	a->path = full;
	a->data = data;
	a->len = len;
	a->next = w->assets;
	w->assets = a;
	return HW_OK;
}

int web_panel_add(struct web *w, struct plugin *owner, const char *title, const char *path,
		  char *why, size_t whylen)
{
	struct web_panel *pn, **tail;
	char *full;
	if (!w || !title || !*title || strlen(title) > 100) {
		snprintf(why, whylen, "a panel needs a title of 1 to 100 bytes");
		return HW_ERR_INVALID;
	}
	if (!(full = full_path("api", owner_name(owner), path, why, whylen)))
		return HW_ERR_INVALID;
	if (!(pn = calloc(1, sizeof(*pn))) || !(pn->title = strdup(title))) {
		free(pn);
		free(full);
		snprintf(why, whylen, "out of memory");
		return HW_ERR_NOMEM;
	}
	pn->owner = owner;
	pn->path = full;
	for (tail = &w->panels; *tail; tail = &(*tail)->next)
		; /* in the order they were added */
	*tail = pn;
	return HW_OK;
}

json_t *web_panels(struct web *w)
{
	json_t *out = json_array();
	for (struct web_panel *pn = w ? w->panels : NULL; pn && out; pn = pn->next)
		json_array_append_new(out, json_pack("{s:s,s:s,s:s}", "title", pn->title, "path",
						     pn->path, "plugin", owner_name(pn->owner)));
	return out;
}

void web_sweep(struct web *w, struct plugin *owner)
{
	if (!w)
		return;
	for (struct web_route **it = &w->routes; *it;) {
		struct web_route *r = *it;
		if (r->owner != owner) {
			it = &r->next;
			continue;
		}
		*it = r->next;
		free(r->path);
		free(r);
	}
	for (struct web_asset **it = &w->assets; *it;) {
		struct web_asset *a = *it;
		if (a->owner != owner) {
			it = &a->next;
			continue;
		}
		*it = a->next;
		free(a->path);
		free(a->ctype);
		free(a);
	}
	for (struct web_panel **it = &w->panels; *it;) {
		struct web_panel *pn = *it;
		if (pn->owner != owner) {
			it = &pn->next;
			continue;
		}
		*it = pn->next;
		free(pn->path);
		free(pn->title);
		free(pn);
	}
}

void web_registry_free(struct web *w)
{
	while (w->routes || w->assets || w->panels) {
		struct plugin *owner = w->routes   ? w->routes->owner
				       : w->assets ? w->assets->owner
						   : w->panels->owner;
		web_sweep(w, owner);
	}
}

/* A live instance's registration wins over one of an instance being
 * replaced (a reload registers before the old one goes). */
static int usable(struct plugin *p)
{
	return !p || p->state == PLUGIN_ACTIVE || p->state == PLUGIN_LOADING;
}

static int serve_asset(struct web *w, struct web_req *req)
{
	struct web_asset *hit = NULL;
	for (struct web_asset *a = w->assets; a; a = a->next)
		if (!strcmp(a->path, req->path) && usable(a->owner) &&
		    (!hit || (a->owner && a->owner->state == PLUGIN_ACTIVE)))
			hit = a;
	if (!hit)
		return 0;
	if (strcmp(req->method, "GET")) {
		web_conn_json(req->conn, 405, NULL, "assets are GET only");
		return 1;
	}
	req->conn->cacheable = 1;
	web_conn_answer(req->conn, 200, hit->ctype, hit->data, hit->len);
	return 1;
}

/* The route for method and path (a live instance's over one being
 * replaced); *other_method when the path has routes for other methods. */
static struct web_route *find_route(struct web *w, const char *method, const char *path,
				    int *other_method)
{
	struct web_route *hit = NULL;
	*other_method = 0;
	for (struct web_route *r = w->routes; r; r = r->next) {
		if (strcmp(r->path, path) || !usable(r->owner))
			continue;
		if (strcmp(r->method, method)) {
			*other_method = 1;
			continue;
		}
		if (!hit || (r->owner && r->owner->state == PLUGIN_ACTIVE))
			hit = r;
	}
	return hit;
}

/* Calls the route's handler for the request kept in c and answers c. */
static void run_route(struct web_route *hit, struct web_conn *c, const char *user_id)
{
	hw_web_request pub;
	int status = 200;
	json_t *out;

	memset(&pub, 0, sizeof(pub));
	pub.struct_size = sizeof(pub);
	pub.method = c->method;
	pub.path = c->path;
	pub.query = c->query;
	pub.body = c->body;
	pub.body_len = c->body_len;
	pub.user_id = hit->access == HW_WEB_ORGANIZER ? user_id : NULL;
	out = hit->fn(hit->owner ? plugin_token(hit->owner) : NULL, &pub, &status, hit->ud);
	if (status < 100 || status > 599) {
		LOGW("web", "route %s answered status %d: sent as 500", hit->path, status);
		status = 500;
	}
	if (!out) {
		if (status < 400)
			status = 500;
		web_conn_json(c, (unsigned)status, NULL,
			      status == 404 ? "not found" : status < 500 ? "bad request" : "failed");
		return;
	}
	web_conn_json(c, (unsigned)status, out, NULL);
}

/* An organizer's POST to a plugin waits for the role check (web_role_check),
 * as an action does. */
struct route_check {
	struct web *w;
	struct web_conn *conn;    /* held: the request lives in it */
	char user_id[32];
};

static void route_checked(void *ud, int verdict)
{
	struct route_check *rc = ud;
	struct web_route *hit;
	int other;
	if (verdict != WEB_ROLE_YES)
		web_conn_json(rc->conn, verdict == WEB_ROLE_NO ? 403 : 503, NULL,
			      verdict == WEB_ROLE_NO ? "you are not an organizer (any more)"
						     : "cannot check your roles with Discord now; try again");
	else if (!(hit = find_route(rc->w, rc->conn->method, rc->conn->path, &other)))
		web_conn_json(rc->conn, 404, NULL, "not found"); /* unloaded meanwhile */
	else
		run_route(hit, rc->conn, rc->user_id);
	web_conn_release(rc->conn);
	free(rc);
}

static int call_route(struct web *w, struct web_req *req)
{
	const struct web_session *s;
	struct route_check *rc;
	int other_method;
	struct web_route *hit = find_route(w, req->method, req->path, &other_method);

	if (!hit) {
		if (!other_method)
			return 0;
		web_conn_json(req->conn, 405, NULL, "method not allowed");
		return 1;
	}
	if (hit->access != HW_WEB_ORGANIZER) {
		run_route(hit, req->conn, NULL);
		return 1;
	}
	if (!req->user_id) {
		web_conn_json(req->conn, 401, NULL, "sign in as an organizer first");
		return 1;
	}
	if (strcmp(req->method, "POST")) {
		run_route(hit, req->conn, req->user_id);
		return 1;
	}
	s = web_auth_session(w->auth, req->conn->cookie);
	if (!web_auth_csrf_ok(s, req->csrf)) {
		web_conn_json(req->conn, 403, NULL, "missing or wrong CSRF token");
		return 1;
	}
	if (!(rc = calloc(1, sizeof(*rc)))) {
		web_conn_json(req->conn, 500, NULL, "out of memory");
		return 1;
	}
	rc->w = w;
	rc->conn = req->conn;
	snprintf(rc->user_id, sizeof(rc->user_id), "%s", req->user_id);
	web_conn_hold(req->conn);
	web_role_check(w, rc->user_id, route_checked, rc);
	return 1;
}

int web_registry_dispatch(struct web *w, struct web_req *req)
{
	if (!strncmp(req->path, "/static/", 8))
		return serve_asset(w, req);
	if (!strncmp(req->path, "/api/", 5))
		return call_route(w, req);
	return 0;
}
