/*
 * The web members of hw_api (ABI 1.2): a plugin's routes, assets, push
 * messages and organizer panels on the daemon's HTTP server (web.h),
 * recorded against the plugin so unload sweeps them.
 */
#include <stdio.h>
#include <string.h>

#include "hallway.h"
#include "host.h"
#include "log.h"
#include "web.h"

static struct web *web_of(struct plugin *p)
{
	return p->host->hw->web;
}

static int refused(struct plugin *p, const char *what, const char *path, int rc, const char *why)
{
	LOGE("host", "plugin %s: cannot add web %s \"%s\": %s", p->name, what, path ? path : "(null)",
	     why);
	return rc;
}

static int api_web_route(hw_plugin *self, const char *method, const char *path,
			 enum hw_web_access access, hw_web_fn fn, void *ud)
{
	struct plugin *p = plugin_from(self);
	char why[256] = "";
	int rc;
	if (!web_of(p))
		return refused(p, "route", path, HW_ERR_UNSUPPORTED, "no web server");
	rc = web_route_add(web_of(p), p, method, path, access, fn, ud, why, sizeof(why));
	return rc == HW_OK ? rc : refused(p, "route", path, rc, why);
}

static int api_web_asset(hw_plugin *self, const char *path, const char *content_type,
			 const void *data, size_t len)
{
	struct plugin *p = plugin_from(self);
	char why[256] = "";
	int rc;
	if (!web_of(p))
		return refused(p, "asset", path, HW_ERR_UNSUPPORTED, "no web server");
	rc = web_asset_add(web_of(p), p, path, content_type, data, len, why, sizeof(why));
	return rc == HW_OK ? rc : refused(p, "asset", path, rc, why);
}

static int api_web_push(hw_plugin *self, const char *topic, json_t *data)
{
	struct plugin *p = plugin_from(self);
	char full[128];
	size_t n = topic ? strlen(topic) : 0;
	if (!n || n > 64 || strspn(topic, "abcdefghijklmnopqrstuvwxyz0123456789_.-") != n)
		return refused(p, "push topic", topic, HW_ERR_INVALID, "must be [a-z0-9_.-]{1,64}");
	if (!web_of(p))
		return HW_ERR_UNSUPPORTED;
	snprintf(full, sizeof(full), "%s.%s", p->name, topic);
	return web_push(web_of(p), full, data) ? HW_ERR_NOMEM : HW_OK;
}

static int api_web_panel(hw_plugin *self, const char *title, const char *path)
{
	struct plugin *p = plugin_from(self);
	char why[256] = "";
	int rc;
	if (!web_of(p))
		return refused(p, "panel", path, HW_ERR_UNSUPPORTED, "no web server");
	rc = web_panel_add(web_of(p), p, title, path, why, sizeof(why));
	return rc == HW_OK ? rc : refused(p, "panel", path, rc, why);
}

void api_web_sweep(struct plugin *p)
{
	web_sweep(web_of(p), p);
}

void api_web_init(hw_api *api)
{
	api->web_route = api_web_route;
	api->web_asset = api_web_asset;
	api->web_push = api_web_push;
	api->web_panel = api_web_panel;
}
