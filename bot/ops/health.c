/*
 * Health checks and their answers to /healthz and /metrics (web.c serves
 * them on the daemon's HTTP server). Checks read state the modules already keep;
 * the only I/O is the storage probe, a one-row write done at most every
 * STORAGE_PROBE_MS so that frequent scrapes cost nothing.
 */
#include "health.h"

#include <hallway/events.h>

#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "clock.h"
#include "config.h"
#include "gateway.h"
#include "hallway.h"
#include "host.h"
#include "host_retry.h"
#include "log.h"
#include "metrics.h"
#include "storage.h"

#define STORAGE_PROBE_MS 10000
#define ACK_GRACE_MS 5000
#define DEFAULT_HEARTBEAT_MS 41250
#define SAMPLE_US (1000 * LWS_US_PER_MS)
#define COMPONENT_MAX 48
#define DETAIL_MAX 200

struct component {
	char name[COMPONENT_MAX + 1];
	char detail[DETAIL_MAX + 1];
	int ok;
	int64_t at_ms;       /* monotonic time of the last report */
	int64_t max_age_ms;  /* 0: never stale */
};

struct health {
	struct hallway *hw;
	struct component comps[HEALTH_MAX_COMPONENTS];
	int ncomps;
	int64_t ready_at_ms;      /* last READY/RESUMED */
	int64_t probe_at_ms;      /* last storage probe, 0 = never */
	int probe_ok;
	char probe_err[160];
	lws_sorted_usec_list_t sample_sul;
	int64_t seen_ack_ms;      /* the ACK whose RTT the histogram has */
};

/* ---- listen address ---- */

const char *health_listen_address(const struct hallway *hw)
{
	const struct config *c = hw ? hw->cfg : NULL;
	if (!c)
		return NULL;
	if (c->http_listen)
		return c->http_listen;
	return json_is_object(json_object_get(c->root, "http")) ? HEALTH_DEFAULT_LISTEN : NULL;
}

/* ---- component reports ---- */

static struct component *find_component(struct health *h, const char *name)
{
	for (int i = 0; i < h->ncomps; i++)
		if (!strcmp(h->comps[i].name, name))
			return &h->comps[i];
	return NULL;
}

static int valid_component(const char *s)
{
	size_t n = strlen(s);
	return n >= 1 && n <= COMPONENT_MAX &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

int health_report(struct health *h, json_t *r)
{
	const char *name = json_string_value(json_object_get(r, "component"));
	const char *detail = json_string_value(json_object_get(r, "detail"));
	json_t *ok = json_object_get(r, "ok"), *max_age = json_object_get(r, "max_age_s");
	struct component *c;
	double ma = 0;

	if (!h || !name || !valid_component(name)) {
		LOGW("health", "health.report refused: component must match [a-z0-9_.-]{1,48}");
		return -1;
	}
	c = find_component(h, name);
	if (json_is_true(json_object_get(r, "remove"))) {
		if (c) {
			*c = h->comps[--h->ncomps];
			LOGI("health", "component %s no longer tracked", name);
		}
		return 0;
	}
	if (!json_is_boolean(ok) || (max_age && !json_is_number(max_age))) {
		LOGW("health", "health.report for %s refused: ok must be a boolean, max_age_s a number",
		     name);
		return -1;
	}
	if (max_age)
		ma = json_number_value(max_age);
	if (!(ma >= 0 && ma <= 90 * 86400.0)) {
		LOGW("health", "health.report for %s refused: max_age_s out of range", name);
		return -1;
	}
	if (!c) {
		if (h->ncomps == HEALTH_MAX_COMPONENTS) {
			LOGW("health", "health.report for %s refused: %d components already", name,
			     HEALTH_MAX_COMPONENTS);
			return -1;
		}
		c = &h->comps[h->ncomps++];
		memset(c, 0, sizeof(*c));
		snprintf(c->name, sizeof(c->name), "%s", name);
	}
	if (c->ok != json_is_true(ok) || !c->at_ms)
		LOGI("health", "component %s: %s%s%s", name, json_is_true(ok) ? "ok" : "NOT ok",
		     detail ? ": " : "", detail ? detail : "");
	c->ok = json_is_true(ok);
	snprintf(c->detail, sizeof(c->detail), "%s", detail ? detail : "");
	c->at_ms = clock_mono_ms();
	c->max_age_ms = (int64_t)(ma * 1000.0);
	return 0;
}

const char *health_detail(struct health *h, const char *component)
{
	const struct component *c = h && component ? find_component(h, component) : NULL;
	return c ? c->detail : "";
}

void health_foreach(struct health *h, health_component_fn fn, void *ud)
{
	int64_t now = clock_mono_ms();
	for (int i = 0; h && i < h->ncomps; i++) {
		const struct component *c = &h->comps[i];
		int fresh = !c->max_age_ms || now - c->at_ms <= c->max_age_ms;
		fn(ud, c->name, c->ok && fresh, (now - c->at_ms) / 1000.0, c->max_age_ms / 1000.0);
	}
}

static void on_report(void *ud, const char *type, json_t *data)
{
	if (!hw_event_readable(data, HW_HEALTH_REPORT_VERSION)) {
		LOGW("health", "%s: a version newer than this build reads: ignored", type);
		return;
	}
	health_report(ud, data);
}

static void on_ready(void *ud, const char *type, json_t *data)
{
	struct health *h = ud;
	(void)type;
	(void)data;
	h->ready_at_ms = clock_mono_ms();
}

/* ---- checks ---- */

static void add_check(json_t *checks, json_t *problems, const char *name, int ok,
		      const char *detail)
{
	json_object_set_new(checks, name, json_pack("{s:b,s:s}", "ok", ok, "detail", detail));
	if (!ok) {
		char line[320];
		snprintf(line, sizeof(line), "%s: %s", name, detail);
		json_array_append_new(problems, json_string(line));
	}
}

static int check_gateway(struct health *h, char *why, size_t len)
{
	struct gateway_stats st;
	int64_t now = clock_mono_ms(), ref, limit, interval;
	gateway_get_stats(h->hw->gw, &st);
	if (!st.ready) {
		snprintf(why, len, "not READY (connecting or resuming; %llu reconnects so far)",
			 (unsigned long long)st.reconnects);
		return 0;
	}
	/* Right after READY/RESUMED no ACK may have come on this socket yet:
	 * count from the later of the two. */
	ref = st.last_ack_ms > h->ready_at_ms ? st.last_ack_ms : h->ready_at_ms;
	interval = st.heartbeat_interval_ms > 0 ? st.heartbeat_interval_ms : DEFAULT_HEARTBEAT_MS;
	limit = 2 * interval + ACK_GRACE_MS;
	if (!ref || now - ref > limit) {
		snprintf(why, len, "no heartbeat ACK for %.1f s (limit %.1f s)",
			 ref ? (now - ref) / 1000.0 : -1.0, limit / 1000.0);
		return 0;
	}
	if (st.last_ack_ms)
		snprintf(why, len, "READY; last heartbeat ACK %.1f s ago, round trip %.1f ms",
			 (now - st.last_ack_ms) / 1000.0, st.last_rtt_ms);
	else
		snprintf(why, len, "READY; waiting for the first heartbeat ACK");
	return 1;
}

static int check_storage(struct health *h, char *why, size_t len)
{
	int64_t now = clock_mono_ms();
	if (!h->hw->storage) {
		snprintf(why, len, "not open");
		return 0;
	}
	if (!h->probe_at_ms || now - h->probe_at_ms >= STORAGE_PROBE_MS) {
		char stamp[32];
		snprintf(stamp, sizeof(stamp), "%lld", (long long)clock_real_ms());
		h->probe_at_ms = now;
		/* Another process holding the write lock would keep the loop in
		 * SQLite's busy timeout (5 s) on every probe: ask first. */
		if (storage_own_write(h->hw->storage)) {
			/* Our own storage thread is committing a unit of work:
			 * the database takes writes. */
			h->probe_ok = 1;
			h->probe_err[0] = '\0';
		} else if (storage_write_locked(h->hw->storage) > 0) {
			h->probe_ok = 0;
			snprintf(h->probe_err, sizeof(h->probe_err),
				 "the database is locked by another process");
		} else {
			h->probe_ok = !storage_meta_set(h->hw->storage, "health.probe", stamp);
			snprintf(h->probe_err, sizeof(h->probe_err), "%s",
				 h->probe_ok ? "" : sqlite3_errmsg(storage_db(h->hw->storage)));
		}
	}
	if (h->probe_ok)
		snprintf(why, len, "writable (probed %.1f s ago)", (now - h->probe_at_ms) / 1000.0);
	else
		snprintf(why, len, "cannot write: %s", h->probe_err);
	return h->probe_ok;
}

/* Every plugin the config names (and does not set to false) is running. A
 * plugin whose init failed is loaded again with backoff (host_retry.h);
 * until then it is a problem, not a silent gap. */
static int check_plugins(struct health *h, char *why, size_t len)
{
	const struct hallway *hw = h->hw;
	int64_t now = clock_mono_ms();
	const char *name;
	json_t *v;
	size_t off = 0;
	int running = 0, missing = 0;

	why[0] = '\0';
	if (!hw->host || !hw->cfg || !hw->cfg->plugins) {
		snprintf(why, len, "none loaded");
		return 1;
	}
	json_object_foreach(hw->cfg->plugins, name, v) {
		const char *reason = "";
		int64_t in_ms = 0;
		int n;

		if (json_is_false(v))
			continue;
		if (host_find(hw->host, name)) {
			running++;
			continue;
		}
		missing++;
		if (host_retry_status(hw->host_retry, name, now, &in_ms, &reason) || !reason[0])
			reason = "its load failed";
		n = snprintf(why + off, len - off, "%s%s not running (%s; next attempt in %.0f s)",
			     missing > 1 ? "; " : "", name, reason, (double)in_ms / 1000.0);
		if (n < 0 || (size_t)n >= len - off)
			break; /* the rest does not fit: the first ones say enough */
		off += (size_t)n;
	}
	if (!missing)
		snprintf(why, len, "%d running", running);
	return !missing;
}

int health_check(struct health *h, json_t **report)
{
	json_t *checks = json_object(), *problems = json_array();
	char why[256];
	int64_t now = clock_mono_ms();
	int healthy = 1, ok;

	if (!checks || !problems) {
		healthy = 0; /* out of memory is not healthy */
		goto out;
	}
	if (h->hw->stopping) {
		add_check(checks, problems, "daemon", 0, "shutting down");
		healthy = 0;
	}
	/* The standby (storage.url PostgreSQL, lease held by the other daemon)
	 * is not connected to Discord on purpose: healthy without it. */
	if (h->hw->gw && !(storage_role(h->hw->storage) &&
			   !strcmp(storage_role(h->hw->storage), "standby"))) {
		ok = check_gateway(h, why, sizeof(why));
		add_check(checks, problems, "gateway", ok, why);
		healthy &= ok;
	}
	ok = check_storage(h, why, sizeof(why));
	add_check(checks, problems, "storage", ok, why);
	healthy &= ok;
	ok = check_plugins(h, why, sizeof(why));
	add_check(checks, problems, "plugins", ok, why);
	healthy &= ok;
	for (int i = 0; i < h->ncomps; i++) {
		const struct component *c = &h->comps[i];
		double age = (now - c->at_ms) / 1000.0;
		int stale = c->max_age_ms && now - c->at_ms > c->max_age_ms;
		if (stale)
			snprintf(why, sizeof(why), "stale: last report %.0f s ago (max %.0f s)%s%s", age,
				 c->max_age_ms / 1000.0, c->detail[0] ? "; last said: " : "",
				 c->detail);
		else
			snprintf(why, sizeof(why), "%s", c->detail[0] ? c->detail : c->ok ? "ok" : "not ok");
		add_check(checks, problems, c->name, c->ok && !stale, why);
		json_object_set_new(json_object_get(checks, c->name), "age_s", json_real(age));
		if (c->max_age_ms)
			json_object_set_new(json_object_get(checks, c->name), "max_age_s",
					    json_real(c->max_age_ms / 1000.0));
		healthy &= c->ok && !stale;
	}
out:
	if (report)
		*report = checks && problems ? json_pack("{s:s,s:O,s:O}", "status",
							 healthy ? "ok" : "unhealthy", "problems",
							 problems, "checks", checks)
					     : NULL;
	if (report && *report && storage_role(h->hw->storage))
		json_object_set_new(*report, "role", json_string(storage_role(h->hw->storage)));
	json_decref(checks);
	json_decref(problems);
	return healthy;
}

/* ---- heartbeat sampling ---- */

static void sample(lws_sorted_usec_list_t *sul)
{
	struct health *h = lws_container_of(sul, struct health, sample_sul);
	struct gateway_stats st;
	gateway_get_stats(h->hw->gw, &st);
	if (st.last_ack_ms && st.last_ack_ms != h->seen_ack_ms) {
		h->seen_ack_ms = st.last_ack_ms;
		metrics_observe_rtt(h->hw->metrics, st.last_rtt_ms / 1000.0);
	}
	lws_sul_schedule(h->hw->lws, 0, &h->sample_sul, sample, SAMPLE_US);
}

/* ---- HTTP (served by web.c) ---- */

unsigned health_http_answer(struct hallway *hw, const char *path, char **text, size_t *len,
			    const char **ctype)
{
	unsigned status;
	json_t *report = NULL;

	*text = NULL;
	*len = 0;
	*ctype = "application/json";
	if (!strcmp(path, "/healthz") && hw->health) {
		status = health_check(hw->health, &report) ? 200 : 503;
		*text = report ? json_dumps(report, JSON_COMPACT) : NULL;
		json_decref(report);
	} else if (!strcmp(path, "/metrics") && hw->metrics) {
		*ctype = "text/plain; version=0.0.4; charset=utf-8";
		metrics_sample(hw->metrics, hw);
		status = 200;
		*text = metrics_render(hw->metrics, len);
	} else {
		return 0;
	}
	if (*text && !*len)
		*len = strlen(*text);
	return *text ? status : 500;
}

/* ---- lifecycle ---- */

struct health *health_create(struct hallway *hw)
{
	struct health *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->hw = hw;
	if (hw->bus && (bus_subscribe(hw->bus, h, "READY", on_ready, h, NULL) ||
			bus_subscribe(hw->bus, h, "RESUMED", on_ready, h, NULL) ||
			bus_subscribe(hw->bus, h, HW_EVENT_HEALTH_REPORT, on_report, h, NULL))) {
		bus_remove_owner(hw->bus, h);
		free(h);
		return NULL;
	}
	if (hw->lws && hw->gw)
		lws_sul_schedule(hw->lws, 0, &h->sample_sul, sample, SAMPLE_US);
	return h;
}

void health_destroy(struct health *h)
{
	/* Runs after lws_context_destroy() and bus_destroy(): the vhost, the
	 * timer and the subscriptions are already gone with them. */
	free(h);
}
