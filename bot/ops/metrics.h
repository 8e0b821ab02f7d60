/*
 * Metrics: a small registry of counters and gauges with up to two labels,
 * the daemon's own families fed by hooks (gateway events, commands, REST
 * responses, plugin errors), values sampled at scrape time (gateway and
 * REST stats, health), a heartbeat round-trip histogram, and what plugins
 * publish on the bus. metrics_render() writes Prometheus text format 0.0.4.
 *
 * Plugins report metrics without a new API member: they publish the event
 * "metrics.report" with a JSON object
 *   {"name": "outbox_pending", "type": "gauge", "value": 3,
 *    "help": "Messages waiting to be sent", "labels": {"channel": "news"}}
 * "type" is "gauge" (value is set, default) or "counter" ("inc" is added,
 * default 1, never negative; name it "..._total"). The family is exposed as
 * hallway_<name>. name: [a-z][a-z0-9_]{0,47}; at most two labels, names
 * [a-z_][a-z0-9_]{0,31}, values up to 64 bytes. The first report fixes a
 * family's type, help and label names; later reports that disagree, and
 * names of the daemon's own families, are refused (counted in
 * hallway_metrics_rejected_total). Caps: 32 plugin families, 64 series per
 * family; series beyond the cap are added to one series whose labels are
 * all "_other".
 *
 * Every hook is a no-op when the registry is NULL (unit tests, start-up).
 */
#ifndef HALLWAY_METRICS_H
#define HALLWAY_METRICS_H

#include <jansson.h>
#include <stddef.h>

struct bus;
struct hallway;
struct metrics;
struct metrics_family;

enum metrics_type { METRICS_COUNTER = 0, METRICS_GAUGE };

#define METRICS_MAX_SERIES 64
#define METRICS_MAX_PLUGIN_FAMILIES 32
#define METRICS_OTHER "_other"

/* Returns a new registry with the daemon's families, or NULL when out of
 * memory. With bus (may be NULL) it subscribes to "metrics.report" (owner:
 * the registry; unsubscribed by metrics_destroy, so the bus must outlive
 * it). REST responses arrive through rest_set_observer(rest,
 * metrics_rest_response, m), heartbeat round trips from health.c. */
struct metrics *metrics_create(struct bus *bus);
void metrics_destroy(struct metrics *m);

/* The family called name, created when new (labels: NULL for none; help
 * and label names are copied). Borrowed: lives as long as the registry.
 * NULL when out of memory, or when it exists with another type or labels. */
struct metrics_family *metrics_family(struct metrics *m, const char *name,
				      enum metrics_type type, const char *help,
				      const char *label1, const char *label2);
/* Adds v to / sets one series (label values: as many as the family has;
 * NULL for the others). Both are no-ops when f is NULL. */
void metrics_add(struct metrics_family *f, const char *l1, const char *l2, double v);
void metrics_set(struct metrics_family *f, const char *l1, const char *l2, double v);
/* Forgets every series of f (gauges re-sampled at each scrape). */
void metrics_clear(struct metrics_family *f);

/* Hooks. type/name/outcome/route/plugin: borrowed, copied when stored. */
void metrics_gateway_event(struct metrics *m, const char *type);
/* outcome: "ok", "error", "denied" or "unavailable". */
void metrics_command(struct metrics *m, const char *name, const char *outcome);
/* A rest_observe_fn: route is the template ("POST /channels/{channel_id}/messages"),
 * status the HTTP status (0: transport error). ud is the registry. */
void metrics_rest_response(void *ud, const char *route, long status);
/* kind: "command" (a handler failed) or "load" (load or reload failed). */
void metrics_plugin_error(struct metrics *m, const char *plugin, const char *kind);

/* A plugin's report (the "metrics.report" payload, borrowed). Returns 0,
 * or -1 when refused (a warning is logged for the first few refusals). */
int metrics_report(struct metrics *m, json_t *report);

/* Observes one heartbeat round trip (seconds) in the histogram. */
void metrics_observe_rtt(struct metrics *m, double seconds);

/* metrics_sample.c: refreshes the values read from the daemon (gateway and
 * REST stats, health, plugins) right before a scrape. */
void metrics_sample(struct metrics *m, struct hallway *hw);

/* The exposition text: returns a new NUL-terminated string (caller frees)
 * and its length in *len, or NULL when out of memory. */
char *metrics_render(struct metrics *m, size_t *len);

/* For tests: the current value of one series (labels may be NULL), or -1
 * when it does not exist. */
double metrics_value(struct metrics *m, const char *name, const char *l1, const char *l2);

#endif
