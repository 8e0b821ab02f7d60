/*
 * plugins.registration into the context. The host has checked the types
 * against the settings table (registration.c); this reads the values and
 * the token from the environment, and checks what the table cannot: the
 * organizer and event go into URLs, so they must be slugs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/text.h>

#include "registration.h"

#define TOKEN_ENV "HALLWAY_PRETIX_TOKEN"

static int is_slug(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return n > 0 && n <= 100 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n &&
	       strcmp(s, ".") && strcmp(s, "..");
}

static char *join(const char *a, const char *b, const char *c, const char *d, const char *e)
{
	size_t n = strlen(a) + strlen(b) + strlen(c) + strlen(d) + strlen(e) + 1;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%s%s%s%s%s", a, b, c, d, e);
	return s;
}

int reg_config_read(reg *r, const json_t *cfg, char *err, size_t errlen)
{
	const json_t *pretix = json_object_get(cfg, "pretix"), *roles = json_object_get(cfg, "roles");
	const char *url = json_string_value(json_object_get(pretix, "url"));
	const char *org = json_string_value(json_object_get(pretix, "organizer"));
	const char *event = json_string_value(json_object_get(pretix, "event"));
	const char *token = getenv(TOKEN_ENV);
	const json_t *v;
	size_t n;

	if (!url || !is_slug(org) || !is_slug(event)) {
		hw_fmt(err, errlen, "pretix.url, pretix.organizer and pretix.event are needed "
		       "(organizer and event as in pretix's URLs: letters, digits, '.', '_', '-')");
		return -1;
	}
	n = strlen(url);
	while (n && url[n - 1] == '/')
		n--;
	if (!(r->pretix_base = strndup(url, n)) ||
	    !(r->orders_url = join(r->pretix_base, "/api/v1/organizers/", org, "/events/", event)))
		goto nomem;
	{
		char *full = join(r->orders_url, "/orders/", "", "", "");
		if (!full)
			goto nomem;
		free(r->orders_url);
		r->orders_url = full;
	}
	if (token && *token) {
		if (strpbrk(token, "\r\n")) {
			hw_fmt(err, errlen, "%s holds a line break", TOKEN_ENV);
			return -1;
		}
		if (!(r->auth = join("Authorization: Token ", token, "", "", "")))
			goto nomem;
	} else {
		r->api->log(r->self, HW_LOG_ERROR,
			    "registration: %s is not set: pretix will refuse every lookup", TOKEN_ENV);
	}
	{
		const json_t *pretalx = json_object_get(cfg, "pretalx");
		const char *purl = json_string_value(json_object_get(pretalx, "url"));
		const char *pevent = json_string_value(json_object_get(pretalx, "event"));
		if (purl || pevent) {
			if (!purl || !is_slug(pevent)) {
				hw_fmt(err, errlen, "pretalx.url and pretalx.event go together (the "
				       "event as in pretalx's URLs)");
				return -1;
			}
			n = strlen(purl);
			while (n && purl[n - 1] == '/')
				n--;
			if (!(r->pretalx_base = strndup(purl, n)))
				goto nomem;
			r->pretalx_event = pevent;
		}
	}
	r->roles_items = json_object_get(roles, "items");
	r->roles_variations = json_object_get(roles, "variations");
	r->roles_registered = json_object_get(roles, "registered");
	r->roles_speaker = json_object_get(roles, "speaker");
	r->log_channel = json_string_value(json_object_get(cfg, "log_channel"));
	v = json_object_get(cfg, "nickname");
	r->nickname = v ? json_is_true(v) : 1;
	v = json_object_get(cfg, "refresh_seconds");
	r->refresh_ms = (v ? json_integer_value(v) : 300) * 1000;
	if (r->refresh_ms <= 0)
		r->refresh_ms = 300000;
	return 0;
nomem:
	hw_fmt(err, errlen, "out of memory");
	return -1;
}

void reg_config_free(reg *r)
{
	if (r->auth) {
		/* the token does not stay behind in freed memory */
		memset(r->auth, 0, strlen(r->auth));
		free(r->auth);
		r->auth = NULL;
	}
	free(r->orders_url);
	free(r->pretix_base);
	free(r->pretalx_base);
	r->orders_url = r->pretix_base = r->pretalx_base = NULL;
}
