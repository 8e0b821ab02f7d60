/*
 * Fixture plugin for the plugin web API (tests/integration/test_web.py):
 * two embedded assets, a public route, organizer routes (GET, and a POST
 * that counts), a panel answering a reply model, a route that fails, and
 * `webpush <text>`, which pushes {"text"} on topic fx_web.news. Registering
 * outside its namespace must be refused; /api/fx_web/public says whether
 * it was.
 */
#include <stdio.h>
#include <string.h>

#include <hallway/plugin.h>

static const hw_api *api;
static int refused_outside, refused_twice;
static long bumps;

static const char HELLO[] = "hello from fx_web\n";
static const char SCRIPT[] = "document.title = 'fx_web';\n";

static json_t *route_public(hw_plugin *self, const hw_web_request *req, int *status, void *ud)
{
	(void)self;
	(void)status;
	(void)ud;
	return json_pack("{s:s,s:s,s:b,s:b,s:b}", "hello", "world", "query", req->query, "refused_outside",
			 refused_outside, "refused_twice", refused_twice, "signed_in", req->user_id != NULL);
}

static json_t *route_secret(hw_plugin *self, const hw_web_request *req, int *status, void *ud)
{
	(void)self;
	(void)status;
	(void)ud;
	return json_pack("{s:s}", "user", req->user_id ? req->user_id : "(none)");
}

static json_t *route_bump(hw_plugin *self, const hw_web_request *req, int *status, void *ud)
{
	json_t *body = req->body ? json_loadb(req->body, req->body_len, 0, NULL) : NULL;
	json_int_t by = json_integer_value(json_object_get(body, "by"));
	(void)self;
	(void)ud;
	json_decref(body);
	if (by <= 0 || by > 100) {
		*status = 400;
		return NULL;
	}
	bumps += (long)by;
	return json_pack("{s:I}", "count", (json_int_t)bumps);
}

static json_t *route_fail(hw_plugin *self, const hw_web_request *req, int *status, void *ud)
{
	(void)self;
	(void)req;
	(void)ud;
	*status = 409;
	return NULL;
}

static json_t *route_panel(hw_plugin *self, const hw_web_request *req, int *status, void *ud)
{
	(void)self;
	(void)req;
	(void)status;
	(void)ud;
	return json_pack("{s:i,s:s,s:[{s:s,s:s,s:[s,s],s:[[s,s]]}],s:[{s:s,s:s}]}", "version",
			 HW_REPLY_VERSION, "text", "The fixture's panel.", "items", "kind", "table",
			 "title", "Counters", "columns", "Name", "Value", "rows", "bumps",
			 bumps ? "some" : "none", "actions", "label", "Push", "command", "webpush from panel");
}

static int cmd_push(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	json_t *d = json_pack("{s:s}", "text", inv->argv[0].str);
	int rc;
	(void)ud;
	rc = api->web_push(self, "news", d);
	json_decref(d);
	return rc ? rc : api->reply(self, inv, "pushed");
}

/* `webflood <count> <size>`: count pushes of size bytes, five every 10 ms
 * (a page that reads keeps up; one that never reads falls behind). */
static long flood_left, flood_size;
static hw_handle flood_timer;

static void flood_tick(hw_plugin *self, hw_handle h, void *ud)
{
	char text[4096];
	(void)ud;
	memset(text, 'x', sizeof(text));
	text[flood_size < (long)sizeof(text) ? flood_size : (long)sizeof(text) - 1] = '\0';
	for (int i = 0; i < 5 && flood_left > 0; i++, flood_left--) {
		json_t *d = json_pack("{s:I,s:s}", "left", (json_int_t)flood_left - 1, "text", text);
		api->web_push(self, "flood", d);
		json_decref(d);
	}
	if (!flood_left) {
		api->cancel(self, h);
		flood_timer = 0;
	}
}

static int cmd_flood(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	(void)ud;
	if (flood_timer || inv->argv[0].num <= 0 || inv->argv[1].num <= 0)
		return api->reply(self, inv, "no");
	flood_left = (long)inv->argv[0].num;
	flood_size = (long)inv->argv[1].num;
	flood_timer = api->timer_add(self, 10, 10, flood_tick, NULL);
	return api->reply(self, inv, flood_timer ? "flooding" : "no timer");
}

static int init(hw_plugin *self, const hw_api *a)
{
	static const hw_arg_spec flood_args[] = {{"count", HW_ARG_INTEGER, 1, "Pushes", 0},
						 {"size", HW_ARG_INTEGER, 1, "Bytes each", 0}};
	hw_command_spec flood = {HW_COMMAND_SPEC_INIT, .name = "webflood", .summary = "Many pushes",
				 .perm = HW_PERM_ORGANIZER, .args = flood_args, .nargs = 2,
				 .fn = cmd_flood};
	static const hw_arg_spec push_args[] = {{"text", HW_ARG_TEXT, 1, "What to push", 0}};
	hw_command_spec push = {HW_COMMAND_SPEC_INIT, .name = "webpush", .summary = "Push to pages",
				.args = push_args, .nargs = 1, .fn = cmd_push};
	api = a;
	if (!HW_API_HAS(a, web_panel))
		return HW_ERR_UNSUPPORTED;
	refused_outside = a->web_route(self, "GET", "/api/schedule/screen", HW_WEB_PUBLIC,
				       route_public, NULL) == HW_ERR_INVALID &&
			  a->web_asset(self, "../x", "text/plain", HELLO, 1) == HW_ERR_INVALID;
	flood_timer = 0;
	flood_left = 0;
	if (a->command_add(self, &push) || a->command_add(self, &flood) ||
	    a->web_asset(self, "hello.txt", "text/plain; charset=utf-8", HELLO, sizeof(HELLO) - 1) ||
	    a->web_asset(self, "/static/fx_web/app.js", "text/javascript", SCRIPT,
			 sizeof(SCRIPT) - 1) ||
	    a->web_route(self, "GET", "public", HW_WEB_PUBLIC, route_public, NULL) ||
	    a->web_route(self, "GET", "/api/fx_web/secret", HW_WEB_ORGANIZER, route_secret, NULL) ||
	    a->web_route(self, "POST", "bump", HW_WEB_ORGANIZER, route_bump, NULL) ||
	    a->web_route(self, "GET", "fail", HW_WEB_PUBLIC, route_fail, NULL) ||
	    a->web_route(self, "GET", "panel", HW_WEB_ORGANIZER, route_panel, NULL) ||
	    a->web_panel(self, "Fixture", "panel"))
		return HW_ERR_INVALID;
	refused_twice = a->web_route(self, "GET", "public", HW_WEB_PUBLIC, route_public, NULL) ==
			HW_ERR_EXISTS;
	return HW_OK;
}

HW_PLUGIN_DEFINE("fx_web", "1.0", "Web routes, assets, panels and pushes (tests)", init, NULL);
