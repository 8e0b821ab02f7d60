/*
 * The host's own pages and endpoints: the lobby screen and organizer pages
 * (embedded assets), /healthz and /metrics, the push stream, the organizer
 * session, sign-out and actions. An action runs a command line through the
 * router's web door as the signed-in organizer: the same path as chat.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hallway.h"
#include "health.h"
#include "host.h"
#include "log.h"
#include "router.h"
#include "web_auth.h"
#include "web_int.h"

#define ACTION_TIMEOUT_MS 10000
#define ACTION_MAX 1000

const char *web_mime(const char *name)
{
	static const struct {
		const char *ext, *type;
	} types[] = {{".html", "text/html; charset=utf-8"},
		     {".js", "text/javascript; charset=utf-8"},
		     {".css", "text/css; charset=utf-8"},
		     {".svg", "image/svg+xml"},
		     {".png", "image/png"},
		     {".ico", "image/x-icon"},
		     {".json", "application/json"},
		     {".txt", "text/plain; charset=utf-8"}};
	const char *dot = strrchr(name, '.');
	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

static int serve_embedded(struct web_req *req, const char *name, int cacheable)
{
	for (size_t i = 0; i < web_embedded_count; i++) {
		if (strcmp(web_embedded_assets[i].name, name))
			continue;
		req->conn->cacheable = cacheable;
		web_conn_answer(req->conn, 200, web_mime(name), web_embedded_assets[i].data,
				web_embedded_assets[i].len);
		return 1;
	}
	web_conn_json(req->conn, 404, NULL, "not found");
	return 1;
}

static int serve_health(struct web *w, struct web_req *req)
{
	char *text;
	size_t len;
	const char *ctype;
	unsigned status = health_http_answer(w->hw, req->path, &text, &len, &ctype);
	if (!status)
		return 0;
	if (!text)
		web_conn_json(req->conn, 500, NULL, "out of memory");
	else
		web_conn_answer(req->conn, status, ctype, text, len);
	free(text);
	return 1;
}

/* ---- organizer endpoints ---- */

static const struct web_session *organizer(struct web *w, struct web_req *req, int post)
{
	const struct web_session *s = web_auth_session(w->auth, req->conn->cookie);
	if (!s) {
		web_conn_json(req->conn, 401, NULL, "sign in as an organizer first");
		return NULL;
	}
	if (post && !web_auth_csrf_ok(s, req->csrf)) {
		LOGW("web", "refused a POST %s without the right CSRF token (user %s)", req->path,
		     s->user_id);
		web_conn_json(req->conn, 403, NULL, "missing or wrong CSRF token");
		return NULL;
	}
	return s;
}

static void plugin_rows(struct web *w, json_t *out)
{
	struct host *h = w->hw->host;
	for (struct plugin *p = h ? h->plugins : NULL; p; p = p->next)
		json_array_append_new(out, json_pack("{s:s,s:s,s:s,s:I,s:I}", "name", p->name,
						     "version", p->version ? p->version : "",
						     "state", p->state == PLUGIN_ACTIVE ? "active"
							      : p->state == PLUGIN_LOADING ? "loading"
											   : "unloading",
						     "commands_run", (json_int_t)p->commands_run,
						     "errors", (json_int_t)p->errors));
}

static void session_info(struct web *w, struct web_req *req)
{
	const struct web_session *s = organizer(w, req, 0);
	json_t *health = NULL, *plugins = json_array();
	if (!s) {
		json_decref(plugins);
		return;
	}
	if (w->hw->health)
		health_check(w->hw->health, &health);
	plugin_rows(w, plugins);
	web_conn_json(req->conn, 200,
		      json_pack("{s:s,s:s,s:o,s:o*,s:o*}", "user_id", s->user_id, "csrf", s->csrf,
				"panels", web_panels(w), "health", health, "plugins", plugins),
		      NULL);
}

static void signout(struct web *w, struct web_req *req)
{
	const struct web_session *s = organizer(w, req, 1);
	if (!s)
		return;
	LOGI("web", "organizer %s signed out", s->user_id);
	web_auth_session_end(w->auth, s->id);
	web_conn_cookie(req->conn, WEB_COOKIE_NAME "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
	web_conn_json(req->conn, 200, json_pack("{s:b}", "ok", 1), NULL);
}

struct web_action {
	struct web *w;
	struct web_conn *conn;    /* held until answered */
	json_t *replies;
	lws_sorted_usec_list_t sul;
	int answered;
	char user[32];
	char *line;
};

static void action_answer(struct web_action *a, int pending)
{
	if (a->answered)
		return;
	a->answered = 1;
	web_conn_json(a->conn, 200,
		      json_pack("{s:b,s:O,s:b}", "ok", 1, "replies", a->replies, "pending", pending),
		      NULL);
	web_conn_release(a->conn);
	a->conn = NULL;
}

static void action_timeout(lws_sorted_usec_list_t *sul)
{
	struct web_action *a = lws_container_of(sul, struct web_action, sul);
	action_answer(a, 1); /* the rest of the answer goes nowhere */
}

static void action_out(void *ud, json_t *reply)
{
	struct web_action *a = ud;
	if (reply) {
		if (!a->answered && json_array_size(a->replies) < 50)
			json_array_append(a->replies, reply);
		return;
	}
	lws_sul_cancel(&a->sul);
	action_answer(a, 0);
	json_decref(a->replies);
	free(a->line);
	free(a);
}

/* The organizer role is checked again for every action, as chat checks
 * the roles a message carries: someone who lost it is stopped at once. */
static void action_checked(void *ud, int verdict)
{
	struct web_action *a = ud;
	if (verdict != WEB_ROLE_YES) {
		web_conn_json(a->conn, verdict == WEB_ROLE_NO ? 403 : 503, NULL,
			      verdict == WEB_ROLE_NO ? "you are not an organizer (any more)"
						     : "cannot check your roles with Discord now; try again");
		web_conn_release(a->conn);
		json_decref(a->replies);
		free(a->line);
		free(a);
		return;
	}
	LOGI("web", "organizer %s runs from the web page: %s", a->user, a->line);
	lws_sul_schedule(a->w->hw->lws, 0, &a->sul, action_timeout,
			 ACTION_TIMEOUT_MS * LWS_US_PER_MS);
	router_web_line(a->w->hw->router, a->line, a->user, action_out, a);
}

static void action(struct web *w, struct web_req *req)
{
	const struct web_session *s = organizer(w, req, 1);
	json_t *body;
	const char *line;
	struct web_action *a;

	if (!s)
		return;
	body = req->body ? json_loadb(req->body, req->body_len, 0, NULL) : NULL;
	line = json_string_value(json_object_get(body, "command"));
	if (!line || !*line || strlen(line) > ACTION_MAX || strpbrk(line, "\r\n")) {
		json_decref(body);
		web_conn_json(req->conn, 400, NULL,
			      "the body must be {\"command\": \"one command line\"}");
		return;
	}
	if (!(a = calloc(1, sizeof(*a))) || !(a->replies = json_array()) ||
	    !(a->line = strdup(line))) {
		if (a)
			json_decref(a->replies);
		free(a);
		json_decref(body);
		web_conn_json(req->conn, 500, NULL, "out of memory");
		return;
	}
	json_decref(body);
	a->w = w;
	a->conn = req->conn;
	snprintf(a->user, sizeof(a->user), "%s", s->user_id);
	web_conn_hold(req->conn);
	web_role_check(w, a->user, action_checked, a);
}

/* ---- dispatch ---- */

int web_pages_dispatch(struct web *w, struct web_req *req)
{
	const char *p = req->path;
	int get = !strcmp(req->method, "GET");

	if (get) {
		if (serve_health(w, req))
			return 1;
		if (!strcmp(p, "/") || !strcmp(p, "/screen") || !strncmp(p, "/screen/", 8))
			return serve_embedded(req, "screen.html", 0);
		if (!strcmp(p, "/organizer") || !strcmp(p, "/organizer/"))
			return serve_embedded(req, "organizer.html", 0);
		if (!strcmp(p, "/organizer/signin"))
			return serve_embedded(req, "signin.html", 0);
		if (!strncmp(p, "/static/hallway/", 16))
			return serve_embedded(req, p + 16, 1);
		if (!strcmp(p, "/events")) {
			web_conn_sse(req->conn);
			return 1;
		}
		if (!strcmp(p, "/api/organizer/session")) {
			session_info(w, req);
			return 1;
		}
	} else {
		if (!strcmp(p, "/api/auth/signin"))
			return web_signin_post(w, req);
		if (!strcmp(p, "/api/auth/signout")) {
			signout(w, req);
			return 1;
		}
		if (!strcmp(p, "/api/action")) {
			action(w, req);
			return 1;
		}
	}
	return 0;
}
