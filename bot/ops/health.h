/*
 * Health: is the bot alive and answering? The answer combines
 *   - the gateway: READY (or RESUMED) on the current socket, and a
 *     heartbeat ACK within 2 x the heartbeat interval + 5 s (counted from
 *     READY/RESUMED when no ACK has come since);
 *   - storage: a real write to the database succeeds (probed at most every
 *     10 s, so scrapes cost no fsync);
 *   - components that plugins report on the bus, without a new API member:
 *     the event "health.report" with
 *       {"component": "schedule", "ok": true, "detail": "212 talks",
 *        "max_age_s": 900}
 *     A component is unhealthy while its last report says ok false, or when
 *     max_age_s (optional, > 0) has passed without a new report. component:
 *     [a-z0-9_.-]{1,48}; detail up to 200 bytes; at most 32 components.
 *     A report {"component": "x", "remove": true} forgets the component.
 *
 * The web server (web.h) serves them on http.listen: GET /healthz (200 or
 * 503, JSON) and GET /metrics (Prometheus text).
 */
#ifndef HALLWAY_HEALTH_H
#define HALLWAY_HEALTH_H

#include <jansson.h>
#include <stddef.h>

struct hallway;
struct health;

#define HEALTH_DEFAULT_LISTEN "127.0.0.1:9464"
#define HEALTH_MAX_COMPONENTS 32

/* Returns a new health tracker (subscribed to READY, RESUMED and
 * health.report when hw->bus is set), or NULL when out of memory. */
struct health *health_create(struct hallway *hw);
void health_destroy(struct health *h);

/* The address to serve on: http.listen; HEALTH_DEFAULT_LISTEN when the
 * config has an "http" object without "listen"; NULL (off) when there is no
 * "http" object. Borrowed from the config. */
const char *health_listen_address(const struct hallway *hw);

/* The answer to GET path when it is /healthz or /metrics: the status, with
 * a new text (free()) of len bytes and its content type; 0 for another
 * path. (web.c serves them on http.listen.) */
unsigned health_http_answer(struct hallway *hw, const char *path, char **text, size_t *len,
			    const char **ctype);

/* Evaluates every check. Returns 1 when healthy, else 0. When report is
 * not NULL it gets a new reference: {"status": "ok"|"unhealthy",
 * "problems": ["gateway: ..."], "checks": {name: {"ok", "detail", ...}}}. */
int health_check(struct health *h, json_t **report);

/* Component reports, for metrics: fn is called once per component. age_s
 * is the time since its last report; max_age_s 0 means never stale. */
typedef void (*health_component_fn)(void *ud, const char *component, int ok, double age_s,
				    double max_age_s);
void health_foreach(struct health *h, health_component_fn fn, void *ud);
/* The last detail a component reported ("943 talks loaded ..."), or "".
 * Borrowed until its next report. */
const char *health_detail(struct health *h, const char *component);

/* Applies a "health.report" payload (borrowed). Returns 0, or -1 when
 * refused. */
int health_report(struct health *h, json_t *report);

#endif
