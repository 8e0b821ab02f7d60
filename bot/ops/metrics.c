/*
 * The metrics registry and its Prometheus text rendering. Families and
 * series are short linked lists searched linearly: the caps keep them
 * small (at most 64 series a family), and a hook costs a few string
 * compares. Everything runs on the loop thread.
 */
#include "metrics.h"

#include <hallway/buf.h>
#include <hallway/events.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "log.h"

#define LABEL_VALUE_MAX 64
#define HELP_MAX 200
#define WARN_REJECTIONS 10

/* Heartbeat round-trip buckets, seconds. */
static const double rtt_bounds[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
#define N_RTT (sizeof(rtt_bounds) / sizeof(rtt_bounds[0]))

struct series {
	struct series *next;
	char *lv[2];
	double v;
};

struct metrics_family {
	struct metrics_family *next;
	char *name, *help;
	enum metrics_type type;
	int nlabels;
	char *ln[2];
	struct series *series, **tail;
	unsigned nseries;
	int from_plugin;
};

struct metrics {
	struct bus *bus;
	struct metrics_family *families, **tail;
	unsigned plugin_families, rejected;
	/* The hooks' families, looked up once. */
	struct metrics_family *events, *commands, *rest, *plugin_errors, *rejections;
	uint64_t rtt_counts[N_RTT + 1]; /* last: +Inf */
	uint64_t rtt_count;
	double rtt_sum;
};

/* ---- text: an hw_buf (<hallway/buf.h>, no cap beyond its default) ---- */

/* Label values: backslash, double quote and newline are escaped; HELP
 * text: backslash and newline. */
static void put_escaped(hw_buf *b, const char *s, int quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			hw_buf_addn(b, "\\\\", 2);
		else if (*s == '\n')
			hw_buf_addn(b, "\\n", 2);
		else if (quote && *s == '"')
			hw_buf_addn(b, "\\\"", 2);
		else
			hw_buf_addn(b, s, 1);
	}
}

static void put_value(hw_buf *b, double v)
{
	if (isnan(v))
		hw_buf_add(b, "NaN");
	else if (isinf(v))
		hw_buf_add(b, v > 0 ? "+Inf" : "-Inf");
	else if (v == floor(v) && fabs(v) < 1e15)
		hw_buf_addf(b, "%.0f", v);
	else
		hw_buf_addf(b, "%.9g", v);
}

/* ---- registry ---- */

static int valid_name(const char *s, size_t max, int allow_leading_underscore)
{
	size_t n = strlen(s);
	if (n < 1 || n > max)
		return 0;
	if (!((s[0] >= 'a' && s[0] <= 'z') || (allow_leading_underscore && s[0] == '_')))
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

static void series_free(struct series *s)
{
	free(s->lv[0]);
	free(s->lv[1]);
	free(s);
}

void metrics_clear(struct metrics_family *f)
{
	if (!f)
		return;
	while (f->series) {
		struct series *s = f->series;
		f->series = s->next;
		series_free(s);
	}
	f->tail = &f->series;
	f->nseries = 0;
}

static void family_free(struct metrics_family *f)
{
	metrics_clear(f);
	free(f->name);
	free(f->help);
	free(f->ln[0]);
	free(f->ln[1]);
	free(f);
}

static int same_label(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static struct metrics_family *find_family(struct metrics *m, const char *name)
{
	for (struct metrics_family *f = m->families; f; f = f->next)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}

struct metrics_family *metrics_family(struct metrics *m, const char *name,
				      enum metrics_type type, const char *help,
				      const char *label1, const char *label2)
{
	struct metrics_family *f;
	if (!m || !name)
		return NULL;
	if (!label1)
		label2 = NULL;
	if ((f = find_family(m, name)))
		return f->type == type && same_label(f->ln[0], label1) &&
			       same_label(f->ln[1], label2) ? f : NULL;
	if (!(f = calloc(1, sizeof(*f))))
		return NULL;
	f->name = strdup(name);
	f->help = strdup(help ? help : "");
	f->type = type;
	f->nlabels = label2 ? 2 : label1 ? 1 : 0;
	f->ln[0] = label1 ? strdup(label1) : NULL;
	f->ln[1] = label2 ? strdup(label2) : NULL;
	f->tail = &f->series;
	if (!f->name || !f->help || (label1 && !f->ln[0]) || (label2 && !f->ln[1])) {
		family_free(f);
		return NULL;
	}
	*m->tail = f;
	m->tail = &f->next;
	return f;
}

static struct series *series_find(struct metrics_family *f, const char *const lv[2])
{
	for (struct series *s = f->series; s; s = s->next)
		if (same_label(s->lv[0], lv[0]) && same_label(s->lv[1], lv[1]))
			return s;
	return NULL;
}

/* v, or its first LABEL_VALUE_MAX bytes (cut on a UTF-8 boundary) in buf. */
static const char *label_cut(const char *v, char buf[LABEL_VALUE_MAX + 1])
{
	size_t n = strlen(v);
	if (n <= LABEL_VALUE_MAX)
		return v;
	n = LABEL_VALUE_MAX;
	while (n > 0 && ((unsigned char)v[n] & 0xC0) == 0x80)
		n--;
	memcpy(buf, v, n);
	buf[n] = '\0';
	return buf;
}

/* The series for these label values: found, created, or the one "_other"
 * series once the family holds METRICS_MAX_SERIES. NULL only when out of
 * memory. */
static struct series *series_get(struct metrics_family *f, const char *l1, const char *l2)
{
	char b0[LABEL_VALUE_MAX + 1], b1[LABEL_VALUE_MAX + 1];
	const char *lv[2] = {f->nlabels > 0 ? label_cut(l1 ? l1 : "", b0) : NULL,
			     f->nlabels > 1 ? label_cut(l2 ? l2 : "", b1) : NULL};
	struct series *s = series_find(f, lv);
	if (s)
		return s;
	if (f->nseries >= METRICS_MAX_SERIES) {
		lv[0] = f->nlabels > 0 ? METRICS_OTHER : NULL;
		lv[1] = f->nlabels > 1 ? METRICS_OTHER : NULL;
		if ((s = series_find(f, lv)))
			return s;
	}
	if (!(s = calloc(1, sizeof(*s))))
		return NULL;
	for (int i = 0; i < f->nlabels; i++) {
		if (!(s->lv[i] = strdup(lv[i]))) {
			series_free(s);
			return NULL;
		}
	}
	*f->tail = s;
	f->tail = &s->next;
	f->nseries++;
	return s;
}

void metrics_add(struct metrics_family *f, const char *l1, const char *l2, double v)
{
	struct series *s = f ? series_get(f, l1, l2) : NULL;
	if (s)
		s->v += v;
}

void metrics_set(struct metrics_family *f, const char *l1, const char *l2, double v)
{
	struct series *s = f ? series_get(f, l1, l2) : NULL;
	if (s)
		s->v = v;
}

double metrics_value(struct metrics *m, const char *name, const char *l1, const char *l2)
{
	struct metrics_family *f = m ? find_family(m, name) : NULL;
	if (!f)
		return -1;
	for (struct series *s = f->series; s; s = s->next)
		if ((f->nlabels < 1 || (l1 && !strcmp(s->lv[0], l1))) &&
		    (f->nlabels < 2 || (l2 && !strcmp(s->lv[1], l2))))
			return s->v;
	return -1;
}

/* ---- hooks ---- */

void metrics_gateway_event(struct metrics *m, const char *type)
{
	if (m && type)
		metrics_add(m->events, type, NULL, 1);
}

void metrics_command(struct metrics *m, const char *name, const char *outcome)
{
	if (m && name && outcome)
		metrics_add(m->commands, name, outcome, 1);
}

void metrics_rest_response(void *ud, const char *route, long status)
{
	struct metrics *m = ud;
	char code[16];
	if (!m || !route)
		return;
	snprintf(code, sizeof(code), "%ld", status);
	metrics_add(m->rest, route, code, 1);
}

void metrics_plugin_error(struct metrics *m, const char *plugin, const char *kind)
{
	if (m && plugin && kind)
		metrics_add(m->plugin_errors, plugin, kind, 1);
}

void metrics_observe_rtt(struct metrics *m, double seconds)
{
	size_t i;
	if (!m || !(seconds >= 0))
		return;
	for (i = 0; i < N_RTT && seconds > rtt_bounds[i]; i++)
		;
	m->rtt_counts[i]++;
	m->rtt_count++;
	m->rtt_sum += seconds;
}

/* ---- plugin reports ---- */

static int reject(struct metrics *m, const char *name, const char *why)
{
	m->rejected++;
	metrics_add(m->rejections, NULL, NULL, 1);
	if (m->rejected <= WARN_REJECTIONS)
		LOGW("metrics", "metrics.report%s%s refused: %s%s", name ? " for " : "",
		     name ? name : "", why,
		     m->rejected == WARN_REJECTIONS ? " (further refusals are only counted)" : "");
	return -1;
}

int metrics_report(struct metrics *m, json_t *r)
{
	const char *name = json_string_value(json_object_get(r, "name"));
	const char *type = json_string_value(json_object_get(r, "type"));
	const char *help = json_string_value(json_object_get(r, "help"));
	json_t *labels = json_object_get(r, "labels");
	const char *ln[2] = {NULL, NULL}, *lv[2] = {NULL, NULL}, *key;
	char full[64], helpbuf[HELP_MAX + 1];
	enum metrics_type t;
	struct metrics_family *f;
	json_t *val;
	double v;
	int n = 0;

	if (!m || !json_is_object(r))
		return -1;
	if (!name || !valid_name(name, 48, 0))
		return reject(m, NULL, "name must match [a-z][a-z0-9_]{0,47}");
	if (!type || !strcmp(type, "gauge"))
		t = METRICS_GAUGE;
	else if (!strcmp(type, "counter"))
		t = METRICS_COUNTER;
	else
		return reject(m, name, "type must be gauge or counter");
	val = json_object_get(r, t == METRICS_GAUGE ? "value" : "inc");
	if (t == METRICS_COUNTER && !val)
		v = 1;
	else if (json_is_number(val))
		v = json_number_value(val);
	else
		return reject(m, name, t == METRICS_GAUGE ? "value must be a number"
							   : "inc must be a number");
	if (!isfinite(v) || (t == METRICS_COUNTER && v < 0))
		return reject(m, name, "the value must be finite (and >= 0 for a counter)");
	if (labels && !json_is_object(labels))
		return reject(m, name, "labels must be an object");
	json_object_foreach(labels, key, val) {
		if (n == 2)
			return reject(m, name, "at most two labels");
		if (!valid_name(key, 32, 1) || !json_is_string(val))
			return reject(m, name, "label names [a-z_][a-z0-9_]*, string values");
		ln[n] = key;
		lv[n++] = json_string_value(val);
	}
	/* jansson keeps insertion order; sort so {"a","b"} == {"b","a"}. */
	if (n == 2 && strcmp(ln[0], ln[1]) > 0) {
		const char *x = ln[0], *y = lv[0];
		ln[0] = ln[1], lv[0] = lv[1], ln[1] = x, lv[1] = y;
	}
	snprintf(full, sizeof(full), "hallway_%s", name);
	f = find_family(m, full);
	if (f && !f->from_plugin)
		return reject(m, name, "that name belongs to the daemon");
	if (!f && m->plugin_families >= METRICS_MAX_PLUGIN_FAMILIES)
		return reject(m, name, "too many plugin metrics");
	snprintf(helpbuf, sizeof(helpbuf), "%s", help ? help : "Reported by a plugin.");
	if (!f) {
		if (!(f = metrics_family(m, full, t, helpbuf, ln[0], ln[1])))
			return reject(m, name, "out of memory");
		f->from_plugin = 1;
		m->plugin_families++;
	} else if (f->type != t || !same_label(f->ln[0], ln[0]) || !same_label(f->ln[1], ln[1])) {
		return reject(m, name, "type or label names differ from its first report");
	}
	if (t == METRICS_GAUGE)
		metrics_set(f, lv[0], lv[1], v);
	else
		metrics_add(f, lv[0], lv[1], v);
	return 0;
}

static void on_report(void *ud, const char *type, json_t *data)
{
	if (!hw_event_readable(data, HW_METRICS_REPORT_VERSION)) {
		LOGW("metrics", "%s: a version newer than this build reads: ignored", type);
		return;
	}
	metrics_report(ud, data);
}

/* ---- rendering ---- */

static void render_labels(hw_buf *b, const struct metrics_family *f, const struct series *s,
			  const char *extra_name, const char *extra_value)
{
	int any = 0;
	if (!f->nlabels && !extra_name)
		return;
	hw_buf_add(b, "{");
	for (int i = 0; i < f->nlabels; i++) {
		hw_buf_add(b, any++ ? "," : "");
		hw_buf_add(b, f->ln[i]);
		hw_buf_add(b, "=\"");
		put_escaped(b, s->lv[i], 1);
		hw_buf_add(b, "\"");
	}
	if (extra_name) {
		hw_buf_add(b, any ? "," : "");
		hw_buf_add(b, extra_name);
		hw_buf_add(b, "=\"");
		hw_buf_add(b, extra_value);
		hw_buf_add(b, "\"");
	}
	hw_buf_add(b, "}");
}

static void render_header(hw_buf *b, const char *name, const char *help, const char *type)
{
	hw_buf_add(b, "# HELP ");
	hw_buf_add(b, name);
	hw_buf_add(b, " ");
	put_escaped(b, help, 0);
	hw_buf_add(b, "\n# TYPE ");
	hw_buf_add(b, name);
	hw_buf_add(b, " ");
	hw_buf_add(b, type);
	hw_buf_add(b, "\n");
}

static void render_rtt(struct metrics *m, hw_buf *b)
{
	static const char *name = "hallway_gateway_heartbeat_rtt_seconds";
	uint64_t cum = 0;
	render_header(b, name, "Gateway heartbeat round-trip time (send to ACK).", "histogram");
	for (size_t i = 0; i <= N_RTT; i++) {
		cum += m->rtt_counts[i];
		hw_buf_add(b, name);
		hw_buf_add(b, "_bucket{le=\"");
		if (i == N_RTT)
			hw_buf_add(b, "+Inf");
		else
			hw_buf_addf(b, "%g", rtt_bounds[i]);
		hw_buf_addf(b, "\"} %llu\n", (unsigned long long)cum);
	}
	hw_buf_add(b, name);
	hw_buf_add(b, "_sum ");
	put_value(b, m->rtt_sum);
	hw_buf_add(b, "\n");
	hw_buf_add(b, name);
	hw_buf_addf(b, "_count %llu\n", (unsigned long long)m->rtt_count);
}

char *metrics_render(struct metrics *m, size_t *len)
{
	hw_buf b;
	if (!m)
		return NULL;
	hw_buf_init(&b, 0);
	for (struct metrics_family *f = m->families; f; f = f->next) {
		/* A labelled family with no series yet says nothing; one without
		 * labels always has its single series (0 until it moves). */
		if (!f->nseries && f->nlabels)
			continue;
		render_header(&b, f->name, f->help, f->type == METRICS_COUNTER ? "counter" : "gauge");
		if (!f->nseries) {
			hw_buf_add(&b, f->name);
			hw_buf_add(&b, " 0\n");
		}
		for (struct series *s = f->series; s; s = s->next) {
			hw_buf_add(&b, f->name);
			render_labels(&b, f, s, NULL, NULL);
			hw_buf_add(&b, " ");
			put_value(&b, s->v);
			hw_buf_add(&b, "\n");
		}
	}
	render_rtt(m, &b);
	if (!hw_buf_str(&b) || !b.data) {
		hw_buf_free(&b);
		return NULL;
	}
	if (len)
		*len = b.len;
	return b.data; /* the caller frees it */
}

/* ---- lifecycle ---- */

struct metrics *metrics_create(struct bus *bus)
{
	struct metrics *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->tail = &m->families;
	m->events = metrics_family(m, "hallway_gateway_events_total", METRICS_COUNTER,
				   "Gateway dispatches received, by event type.", "type", NULL);
	m->commands = metrics_family(m, "hallway_commands_total", METRICS_COUNTER,
				     "Commands run, by name and outcome (ok, error, denied, "
				     "unavailable).", "command", "outcome");
	m->rest = metrics_family(m, "hallway_rest_responses_total", METRICS_COUNTER,
				 "Discord REST responses (retries included), by route template and "
				 "HTTP status (0: transport error).", "route", "status");
	m->plugin_errors = metrics_family(m, "hallway_plugin_errors_total", METRICS_COUNTER,
					  "Plugin failures: a command handler failed, or a load or "
					  "reload failed.", "plugin", "kind");
	m->rejections = metrics_family(m, "hallway_metrics_rejected_total", METRICS_COUNTER,
				       "metrics.report events refused (bad name, type, labels or "
				       "caps).", NULL, NULL);
	if (!m->events || !m->commands || !m->rest || !m->plugin_errors || !m->rejections)
		goto fail;
	if (bus && bus_subscribe(bus, m, HW_EVENT_METRICS_REPORT, on_report, m, NULL))
		goto fail;
	m->bus = bus;
	return m;
fail:
	metrics_destroy(m);
	return NULL;
}

void metrics_destroy(struct metrics *m)
{
	if (!m)
		return;
	if (m->bus)
		bus_remove_owner(m->bus, m);
	while (m->families) {
		struct metrics_family *f = m->families;
		m->families = f->next;
		family_free(f);
	}
	free(m);
}
