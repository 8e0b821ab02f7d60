/*
 * pretix over api->http: the order list synced into the cache on a timer
 * (modified_since the newest change seen, If-None-Match on the first page,
 * `next` followed only on pretix's own host), and live lookups of one
 * order when the cache cannot answer. The token goes in a header and
 * nowhere else: no URL, no log line.
 *
 * A failing pretix (no answer, 5xx, 429, a refused token) starts a backoff
 * during which nothing is asked: registrations are queued meanwhile
 * (reg_register.c). 429 waits as long as pretix says ("Expected available
 * in N seconds", Django REST framework's wording; the host does not pass
 * Retry-After headers on), the rest doubles from 5 s up to 5 minutes.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <hallway/text.h>

#include "reg_store.h"
#include "registration.h"

#define SYNC_MAX_PAGES 10000
#define LOOKUP_TIMEOUT_MS 15000
#define SYNC_TIMEOUT_MS 60000

struct reg_lookup {
	struct reg_lookup *next;
	reg *r;
	hw_handle req;
	reg_lookup_fn fn;
	void (*free_ud)(void *);
	void *ud;
};

int reg_pretix_unavailable(reg *r)
{
	return r->api->now_ms(r->self) < r->pretix_wait_until;
}

/* The seconds in DRF's "Request was throttled. Expected available in 17
 * seconds.", or 0. */
static int64_t throttle_seconds(const char *body)
{
	json_t *root = body ? json_loads(body, 0, NULL) : NULL;
	const char *detail = json_string_value(json_object_get(root, "detail"));
	const char *p = detail ? strstr(detail, "available in ") : NULL;
	int64_t s = 0;
	if (p) {
		for (p += 13; isdigit((unsigned char)*p) && s < 86400; p++)
			s = s * 10 + (*p - '0');
	}
	json_decref(root);
	return s;
}

/* Notes an answer that counts as pretix failing; returns its kind. */
static void pretix_failed(reg *r, const char *what, const hw_http_response *res)
{
	int64_t now = r->api->now_ms(r->self), wait;
	if (res->status == 429) {
		wait = throttle_seconds(res->body) * 1000;
		if (wait <= 0)
			wait = 60000;
	} else {
		wait = 5000LL << (r->pretix_failures < 6 ? r->pretix_failures : 6);
		if (wait > 300000)
			wait = 300000;
	}
	r->pretix_failures++;
	r->pretix_wait_until = now + wait;
	if (res->status == 401 || res->status == 403)
		r->api->log(r->self, HW_LOG_ERROR,
			    "registration: pretix refused the token (%ld) for %s; check "
			    "HALLWAY_PRETIX_TOKEN and the team's permissions", res->status, what);
	else
		r->api->log(r->self, HW_LOG_WARN,
			    "registration: pretix failed %s (%ld%s%s); asking again in %lld s", what,
			    res->status, res->error ? ": " : "", res->error ? res->error : "",
			    (long long)(wait / 1000));
	if (!r->pretix_down)
		reg_log(r, "pretix is not answering (%ld); registrations wait in the queue",
			res->status);
	r->pretix_down = 1;
}

static void pretix_answered(reg *r)
{
	int was_down = r->pretix_down;
	r->pretix_ok_ms = r->api->now_ms(r->self);
	r->pretix_down = 0;
	r->pretix_failures = 0;
	r->pretix_wait_until = 0;
	if (was_down) {
		reg_log(r, "pretix answers again; finishing queued registrations");
		reg_queue_kick(r);
	}
}

static hw_handle get(reg *r, const char *url, const char *if_none_match, long timeout_ms,
		     hw_http_fn fn, void *ud)
{
	char inm[200];
	const char *headers[4] = {"Accept: application/json", NULL, NULL, NULL};
	size_t n = 1;
	hw_http_request req = {.struct_size = sizeof(req), .url = url, .headers = headers,
			       .max_bytes = 32 << 20, .timeout_ms = timeout_ms};
	if (r->auth)
		headers[n++] = r->auth;
	if (if_none_match && *if_none_match && !strpbrk(if_none_match, "\r\n")) {
		hw_fmt(inm, sizeof(inm), "If-None-Match: %s", if_none_match);
		headers[n++] = inm;
	}
	return r->api->http(r->self, &req, fn, ud);
}

/* ---- live lookups ---- */

static void lookup_unlink(reg *r, struct reg_lookup *l)
{
	for (struct reg_lookup **it = &r->lookups; *it; it = &(*it)->next)
		if (*it == l) {
			*it = l->next;
			return;
		}
}

static void lookup_done(hw_plugin *self, hw_handle h, const hw_http_response *res, void *ud)
{
	struct reg_lookup *l = ud;
	reg *r = l->r;
	reg_order *order = calloc(1, sizeof(*order));
	char err[200];
	(void)self;
	(void)h;
	lookup_unlink(r, l);
	if (res->status == 200) {
		if (!order || reg_parse_order(res->body, res->body_len, order, err, sizeof(err))) {
			r->api->log(r->self, HW_LOG_WARN, "registration: pretix's order answer: %s",
				    order ? err : "out of memory");
			if (order)
				reg_order_free(order);
			free(order);
			pretix_failed(r, "an order lookup", res);
			l->fn(r, REG_UNAVAILABLE, NULL, l->ud);
		} else {
			pretix_answered(r);
			l->fn(r, REG_FOUND, order, l->ud); /* fn owns order */
		}
		free(l);
		return;
	}
	free(order);
	if (res->status == 404) {
		pretix_answered(r);
		l->fn(r, REG_NOT_FOUND, NULL, l->ud);
	} else {
		pretix_failed(r, "an order lookup", res);
		l->fn(r, REG_UNAVAILABLE, NULL, l->ud);
	}
	free(l);
}

int reg_pretix_lookup(reg *r, const char *code, reg_lookup_fn fn, void (*free_ud)(void *),
		      void *ud)
{
	char url[600];
	struct reg_lookup *l;
	if (strspn(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != strlen(code))
		return HW_ERR_INVALID; /* it goes into a URL path */
	if (hw_fmt(url, sizeof(url), "%s%s/", r->orders_url, code) >= sizeof(url) - 1)
		return HW_ERR_INVALID;
	if (!(l = calloc(1, sizeof(*l))))
		return HW_ERR_NOMEM;
	l->r = r;
	l->fn = fn;
	l->free_ud = free_ud;
	l->ud = ud;
	l->req = get(r, url, NULL, LOOKUP_TIMEOUT_MS, lookup_done, l);
	if (!l->req) {
		free(l);
		return HW_ERR_UNAVAILABLE;
	}
	l->next = r->lookups;
	r->lookups = l;
	return HW_OK;
}

/* ---- the sync ---- */

static void sync_end(reg *r)
{
	free(r->sync_url);
	free(r->sync_first);
	r->sync_url = r->sync_first = NULL;
	r->sync_req = 0;
	r->syncing = 0;
}

static void sync_page(reg *r, const char *if_none_match);
static void store_page(reg *r, reg_page *page);

/* Splits "scheme://host[:port]/rest" at the end of the host. */
static const char *after_host(const char *url)
{
	const char *h = strstr(url, "://");
	if (!h)
		return NULL;
	h += 3;
	return h + strcspn(h, "/?#");
}

/* `next` must stay on pretix's host: the token goes with it. A proxy that
 * writes the link with another scheme (http for https) or another case of
 * the host is forgiven: the path is taken onto the configured base. NULL
 * for a link elsewhere. */
static char *rebase_next(reg *r, const char *url)
{
	const char *bh = strstr(r->pretix_base, "://"), *uh = strstr(url, "://");
	const char *bend = after_host(r->pretix_base), *uend = after_host(url);
	size_t blen, ulen, bpath;
	char *out;
	if (!bh || !uh || !bend || !uend)
		return NULL;
	bh += 3;
	uh += 3;
	blen = (size_t)(bend - bh);
	ulen = (size_t)(uend - uh);
	bpath = strlen(bend);
	if (blen != ulen || strncasecmp(bh, uh, blen) || strncmp(uend, bend, bpath) ||
	    (uend[bpath] != '/' && uend[bpath] != '?'))
		return NULL;
	if (!(out = malloc(strlen(r->pretix_base) + strlen(uend + bpath) + 1)))
		return NULL;
	strcpy(out, r->pretix_base);
	strcat(out, uend + bpath);
	return out;
}

static void sync_done(hw_plugin *self, hw_handle h, const hw_http_response *res, void *ud)
{
	reg *r = ud;
	reg_page page;
	char err[200];
	int first = r->sync_pages == 0;
	(void)self;
	(void)h;
	r->sync_req = 0;
	if (first)
		snprintf(r->sync_etag, sizeof(r->sync_etag), "%s",
			 res->status == 200 && res->etag ? res->etag : "");
	if (res->status == 304 && first) {
		pretix_answered(r);
		r->sync_304s++;
		sync_end(r);
		return;
	}
	if (res->status != 200) {
		pretix_failed(r, "the order list", res);
		sync_end(r);
		return;
	}
	if (reg_parse_page(res->body, res->body_len, &page, err, sizeof(err))) {
		r->api->log(r->self, HW_LOG_WARN, "registration: pretix's order list: %s", err);
		reg_page_free(&page);
		pretix_failed(r, "the order list", res);
		sync_end(r);
		return;
	}
	pretix_answered(r);
	for (size_t i = 0; i < page.n; i++)
		if (strcmp(page.orders[i].last_modified, r->sync_max) > 0)
			snprintf(r->sync_max, sizeof(r->sync_max), "%s", page.orders[i].last_modified);
	r->sync_pages++;
	if (page.next && r->sync_pages < SYNC_MAX_PAGES) {
		char *next = rebase_next(r, page.next);
		if (!next) {
			r->api->log(r->self, HW_LOG_ERROR, "registration: pretix's next page is on "
				    "another host; not following it (the token would go there)");
			reg_page_free(&page);
			sync_end(r);
			return;
		}
		free(page.next);
		page.next = next;
	}
	store_page(r, &page);
}

/* A page's orders go into the cache in one unit of work; at the end of a
 * whole sweep it also records where the next one starts. */
struct page_job {
	reg_page page;
	int64_t now;              /* read on the loop: a body calls no other API */
	int last;
	char since[REG_STAMP_MAX], etag[200];
	char *etag_url;
};

static void page_job_free(void *p)
{
	struct page_job *j = p;
	if (!j)
		return;
	reg_page_free(&j->page);
	free(j->etag_url);
	free(j);
}

static int page_body(void *ctx, hw_tx *tx, void *job)
{
	reg *r = ctx;
	struct page_job *j = job;
	int rc = HW_OK;
	for (size_t i = 0; !rc && i < j->page.n; i++)
		rc = reg_store_put_order(r, tx, &j->page.orders[i], j->now);
	if (rc || !j->last)
		return rc;
	/* The sweep is whole: the next one asks only for what changed since,
	 * and with the same question, whether anything changed at all. */
	if (j->since[0]) {
		if (!(rc = reg_store_meta_set(r, tx, "modified_since", j->since)))
			rc = reg_store_meta_set(r, tx, "etag", "");
	} else if (j->etag_url) {
		if (!(rc = reg_store_meta_set(r, tx, "etag", j->etag)))
			rc = reg_store_meta_set(r, tx, "etag_url", j->etag_url);
	}
	return rc;
}

static void page_done(void *ctx, int status, void *job)
{
	reg *r = ctx;
	struct page_job *j = job;
	if (status != HW_OK) {
		r->api->log(r->self, HW_LOG_WARN, "registration: cannot cache pretix's orders (%d)",
			    status);
		sync_end(r);
	} else if (!j->last) {
		free(r->sync_url);
		r->sync_url = j->page.next;
		j->page.next = NULL;
		sync_page(r, NULL);
	} else {
		r->syncs++;
		sync_end(r);
	}
	page_job_free(j);
}

static void store_page(reg *r, reg_page *page)
{
	struct page_job *j = calloc(1, sizeof(*j));
	if (!j) {
		reg_page_free(page);
		sync_end(r);
		return;
	}
	j->page = *page;
	j->now = r->api->now_ms(r->self);
	memset(page, 0, sizeof(*page));
	j->last = !j->page.next || r->sync_pages >= SYNC_MAX_PAGES;
	if (j->last) {
		if (r->sync_max[0] && strcmp(r->sync_max, r->sync_since))
			snprintf(j->since, sizeof(j->since), "%s", r->sync_max);
		else if (r->sync_first && !(j->etag_url = strdup(r->sync_first)))
			j->etag_url = NULL;
		snprintf(j->etag, sizeof(j->etag), "%s", r->sync_etag);
	}
	if (hw_units_run(r->units, page_body, page_done, page_job_free, j))
		sync_end(r);
}

static void sync_page(reg *r, const char *if_none_match)
{
	r->sync_req = get(r, r->sync_url, if_none_match, SYNC_TIMEOUT_MS, sync_done, r);
	if (!r->sync_req) {
		r->api->log(r->self, HW_LOG_WARN, "registration: cannot start a pretix request");
		sync_end(r);
	}
}

/* Query values: modified_since is an ISO time ("+" must be escaped). */
static void url_escape(const char *s, char *out, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p && n + 4 < len; p++) {
		if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == ':') {
			out[n++] = (char)*p;
		} else {
			out[n++] = '%';
			out[n++] = hex[*p >> 4];
			out[n++] = hex[*p & 15];
		}
	}
	out[n] = '\0';
}

struct start_job {
	char since[REG_STAMP_MAX], etag[200], etag_url[800];
};

static int start_body(void *ctx, hw_tx *tx, void *job)
{
	reg *r = ctx;
	struct start_job *j = job;
	int rc = reg_store_meta_get(r, tx, "modified_since", j->since, sizeof(j->since));
	if (!rc || rc == HW_ERR_NOT_FOUND)
		rc = reg_store_meta_get(r, tx, "etag", j->etag, sizeof(j->etag));
	if (!rc || rc == HW_ERR_NOT_FOUND)
		rc = reg_store_meta_get(r, tx, "etag_url", j->etag_url, sizeof(j->etag_url));
	return rc == HW_ERR_NOT_FOUND ? HW_OK : rc;
}

static void start_done(void *ctx, int status, void *job)
{
	reg *r = ctx;
	struct start_job *j = job;
	char esc[3 * REG_STAMP_MAX + 1], url[800];
	if (status != HW_OK || reg_pretix_unavailable(r)) {
		sync_end(r);
		free(j);
		return;
	}
	snprintf(r->sync_since, sizeof(r->sync_since), "%s", j->since);
	snprintf(r->sync_max, sizeof(r->sync_max), "%s", r->sync_since);
	if (r->sync_since[0]) {
		url_escape(r->sync_since, esc, sizeof(esc));
		hw_fmt(url, sizeof(url), "%s?modified_since=%s", r->orders_url, esc);
	} else {
		hw_fmt(url, sizeof(url), "%s", r->orders_url);
	}
	sync_end(r);
	r->syncing = 1;
	if (!(r->sync_url = strdup(url)) || !(r->sync_first = strdup(url))) {
		sync_end(r);
		free(j);
		return;
	}
	r->sync_pages = 0;
	sync_page(r, strcmp(j->etag_url, url) ? NULL : j->etag);
	free(j);
}

void reg_pretix_sync_now(reg *r)
{
	struct start_job *j;
	if (r->syncing || reg_pretix_unavailable(r) || !(j = calloc(1, sizeof(*j))))
		return;
	r->syncing = 1; /* until sync_end: one sweep at a time */
	if (hw_units_run(r->units, start_body, start_done, free, j))
		r->syncing = 0;
}

static void sync_tick(hw_plugin *self, hw_handle t, void *ud)
{
	(void)self;
	(void)t;
	reg_pretix_sync_now(ud);
}

int reg_pretix_start(reg *r)
{
	/* The first sweep soon after start, then every refresh_seconds. */
	r->sync_timer = r->api->timer_add(r->self, 1000, r->refresh_ms, sync_tick, r);
	return r->sync_timer ? HW_OK : HW_ERR_NOMEM;
}

void reg_pretix_stop(reg *r)
{
	if (r->sync_timer)
		r->api->cancel(r->self, r->sync_timer);
	if (r->sync_req)
		r->api->cancel(r->self, r->sync_req);
	sync_end(r);
	while (r->lookups) {
		struct reg_lookup *l = r->lookups;
		r->lookups = l->next;
		r->api->cancel(r->self, l->req);
		if (l->free_ud)
			l->free_ud(l->ud);
		free(l);
	}
}
