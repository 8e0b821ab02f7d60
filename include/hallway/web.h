/*
 * Web routes (plugin ABI 1.2): a plugin's JSON endpoints, static assets,
 * push messages and organizer panels on the daemon's HTTP server
 * (`http.listen`). Included by <hallway/plugin.h>.
 *
 * The daemon owns the server, the organizer sign-in (sessions, CSRF) and the
 * push channel (Server-Sent Events at /events). Paths are namespaced:
 *   routes  /api/<plugin>/…      assets  /static/<plugin>/…
 * A route marked HW_WEB_ORGANIZER is reached only with a signed-in
 * organizer session (and, for POST, a valid CSRF token, and the member's
 * organizer role asked of Discord again first, as for a chat command): the
 * plugin never sees a request that failed those checks. A host without a
 * web server answers web_route with HW_ERR_UNSUPPORTED: load without the
 * web side then.
 */
#ifndef HALLWAY_WEB_H
#define HALLWAY_WEB_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

enum hw_web_access { HW_WEB_PUBLIC = 0, HW_WEB_ORGANIZER = 1 };

/* Borrowed, valid during the handler only. */
typedef struct hw_web_request {
	uint32_t struct_size;
	const char *method;       /* "GET" or "POST" */
	const char *path;         /* the full path, "/api/sprints/rosters" */
	const char *query;        /* after '?' (not decoded), or "" */
	const char *body;         /* POST body (JSON), or NULL */
	size_t body_len;
	const char *user_id;      /* the signed-in organizer, or NULL */
	void *reserved[4];
} hw_web_request;

/*
 * A route handler returns a new JSON value (the host owns it and sends it
 * as application/json) with *status left at 200 or set; or NULL with
 * *status set to an error (the host writes a JSON error body).
 */
typedef struct hw_plugin hw_plugin;
typedef json_t *(*hw_web_fn)(hw_plugin *self, const hw_web_request *req, int *status,
			     void *ud);

/* Decodes the query argument `name` of a request's query (percent-encoding,
 * '+' as a space) into out: 0, 1 when absent, -1 when malformed or longer
 * than len - 1 (or holding a NUL). In hallway_text (lib/webq.c). */
int hw_web_query_arg(const char *query, const char *name, char *out, size_t len);

#endif
