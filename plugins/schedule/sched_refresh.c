/*
 * Keeping the schedule fresh: a repeating timer fetches the source (HTTP
 * with ETag / If-Modified-Since, or a file), a worker parses it off the
 * loop, and on success the loop swaps the schedule in, publishes
 * "schedule.loaded" and "schedule.changed", and stores the bytes as the
 * last good copy. Any failure keeps the previous schedule and logs why.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hallway/events.h>

#include "sched_diff.h"
#include "sched_export.h"
#include "sched_plugin.h"
#include "sched_clean.h"
#include "sched_source.h"
#include "sched_store.h"

#define REFRESH_MAX_BYTES (64u * 1024 * 1024)
#define REFRESH_TIMEOUT_MS 60000

/* One load: inputs set on the loop, results set by the worker. */
struct sched_job {
	struct sched_plugin *p;  /* not touched when cancelled */
	char **paths;            /* local paths to read in the worker, or NULL */
	size_t npaths;
	char *body;              /* source bytes (owned) */
	size_t len;
	enum sched_format fmt;
	char *tz;
	char *etag, *last_modified;
	int from_store;          /* the stored copy: do not store again */
	uint64_t prev_hash;
	/* Results. */
	struct sched *s;
	int ret, unchanged;
	uint64_t hash;
	double ms;
	char err[300];
};

static void job_free(struct sched_job *j)
{
	if (!j)
		return;
	for (size_t i = 0; i < j->npaths; i++)
		free(j->paths[i]);
	free(j->paths);
	free(j->body);
	free(j->tz);
	free(j->etag);
	free(j->last_modified);
	sched_model_free(j->s);
	free(j);
}

static uint64_t fnv1a(const char *buf, size_t len)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)buf[i];
		h *= 1099511628211ull;
	}
	return h;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Worker thread: no API calls, only the job. */
static void job_run(void *arg)
{
	struct sched_job *j = arg;
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	if (j->paths && !j->body) {
		j->ret = sched_source_read((const char *const *)j->paths, j->npaths,
					   REFRESH_MAX_BYTES, &j->body, &j->len, j->err,
					   sizeof(j->err));
		if (j->ret)
			return;
	}
	j->hash = fnv1a(j->body, j->len);
	if (!j->from_store && j->prev_hash && j->hash == j->prev_hash) {
		j->unchanged = 1;
		return;
	}
	j->ret = sched_load(j->body, j->len, j->fmt, j->tz, &j->s, j->err, sizeof(j->err));
	clock_gettime(CLOCK_MONOTONIC, &b);
	j->ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
}

static void publish_changes(struct sched_plugin *p, const struct sched *old)
{
	const hw_api *api = p->api;
	size_t changes = 0;
	json_t *diff, *loaded;

	loaded = sched_export(p->cur);
	if (loaded && !hw_event_stamp(loaded, HW_SCHEDULE_LOADED_VERSION)) {
		api->publish(p->self, HW_EVENT_SCHEDULE_LOADED, loaded);
		json_decref(loaded);
	}
	if (!old)
		return; /* a first load is not a change */
	diff = sched_diff(old, p->cur, &changes);
	if (!diff) {
		api->log(p->self, HW_LOG_ERROR, "out of memory computing the schedule diff");
		return;
	}
	if (changes && !hw_event_stamp(diff, HW_SCHEDULE_CHANGED_VERSION)) {
		api->log(p->self, HW_LOG_INFO,
			 "schedule changed: %zu added, %zu moved, %zu cancelled, %zu removed",
			 json_array_size(json_object_get(diff, "added")),
			 json_array_size(json_object_get(diff, "moved")),
			 json_array_size(json_object_get(diff, "cancelled")),
			 json_array_size(json_object_get(diff, "removed")));
		api->publish(p->self, HW_EVENT_SCHEDULE_CHANGED, diff);
	}
	json_decref(diff);
}

/* Tells the host's /healthz and /metrics that the schedule is fresh (the
 * "health.report" event, see bot/ops/health.h): after every load, 304 or
 * unchanged body. Three refresh intervals without one, and the report goes
 * stale: /healthz says so. A single failed refresh changes nothing. */
static void report_health(struct sched_plugin *p)
{
	char detail[160];
	int64_t max_age_s = 3 * (p->refresh_ms / 1000);
	json_t *r;

	if (!p->cur)
		return;
	if (max_age_s < 60)
		max_age_s = 60;
	/* "FOSDEM 2025: 943 talks loaded in 68 rooms, Europe/Brussels" */
	snprintf(detail, sizeof(detail), "%.80s%s%zu talks loaded in %zu rooms, %s",
		 p->cur->name ? p->cur->name : "", p->cur->name ? ": " : "", p->cur->ntalks,
		 p->cur->nrooms, hw_tz_name(p->cur->tz));
	r = json_pack("{s:i,s:s,s:b,s:s,s:I}", "version", HW_HEALTH_REPORT_VERSION, "component",
		      "schedule", "ok", 1, "detail", detail, "max_age_s", (json_int_t)max_age_s);
	if (r)
		p->api->publish(p->self, HW_EVENT_HEALTH_REPORT, r);
	json_decref(r);
}

/* No schedule at all yet, and the source failed: a health problem, so
 * /healthz and `hallway --check-config --online` say why. */
static void report_no_schedule(struct sched_plugin *p, const char *why)
{
	char detail[300];
	json_t *r;
	if (p->cur)
		return; /* the last good schedule still answers */
	snprintf(detail, sizeof(detail), "no schedule: %.250s", why);
	r = json_pack("{s:i,s:s,s:b,s:s}", "version", HW_HEALTH_REPORT_VERSION, "component",
		      "schedule", "ok", 0, "detail", detail);
	if (r)
		p->api->publish(p->self, HW_EVENT_HEALTH_REPORT, r);
	json_decref(r);
}

/* Loop thread: swap in the result, or keep the last good schedule. */
static void job_done(hw_plugin *self, void *arg, int cancelled)
{
	struct sched_job *j = arg;
	struct sched_plugin *p = j->p;
	struct sched *old;
	int from_store = j->from_store;
	char cleaned[300];

	if (cancelled || p->shutting_down) {
		job_free(j);
		return;
	}
	p->busy = 0;
	if (j->unchanged) {
		p->api->log(self, HW_LOG_DEBUG, "schedule source unchanged");
		report_health(p);
		goto out;
	}
	if (j->ret) {
		p->api->log(self, HW_LOG_WARN, "schedule %s failed to load, keeping the %s: %s",
			    from_store ? "stored copy" : "refresh",
			    p->cur ? "last good schedule" : "empty one", j->err);
		if (!from_store)
			report_no_schedule(p, j->err);
		goto out;
	}
	old = p->cur;
	p->cur = j->s;
	j->s = NULL;
	p->hash = j->hash;
	free(p->etag);
	free(p->last_modified);
	p->etag = j->etag;
	p->last_modified = j->last_modified;
	j->etag = j->last_modified = NULL;
	sched_clean_summary(p->cur, cleaned, sizeof(cleaned));
	p->api->log(self, HW_LOG_INFO, "schedule loaded%s: %zu talks in %zu rooms (%s, %s) in %.1f ms%s",
		    from_store ? " from storage" : "", p->cur->ntalks, p->cur->nrooms,
		    p->cur->name ? p->cur->name : "untitled", hw_tz_name(p->cur->tz), j->ms, cleaned);
	if (!from_store)
		sched_store_save(p, p->source, p->etag, p->last_modified, j->body, j->len,
				 p->api->now_ms(self)); /* a failure is logged when it comes */
	publish_changes(p, old);
	report_health(p);
	sched_model_free(old);
out:
	job_free(j);
	/* After the stored copy, fetch the live source right away. */
	if (from_store)
		sched_refresh_now(p);
}

/* Hands a job to a worker; takes ownership of j. */
static void job_start(struct sched_plugin *p, struct sched_job *j)
{
	j->p = p;
	j->fmt = p->fmt;
	j->prev_hash = p->hash;
	if (p->tz && !(j->tz = strdup(p->tz))) {
		job_free(j);
		return;
	}
	p->busy = 1;
	if (!p->api->work(p->self, job_run, job_done, j)) {
		p->busy = 0;
		p->api->log(p->self, HW_LOG_ERROR, "cannot start a worker job for the schedule");
		job_free(j);
	}
}

static void on_http(hw_plugin *self, hw_handle req, const hw_http_response *res, void *ud)
{
	struct sched_plugin *p = ud;
	struct sched_job *j;

	p->http = 0;
	p->busy = 0;
	if (res->status == 304) {
		p->api->log(self, HW_LOG_DEBUG, "schedule not modified");
		report_health(p);
		return;
	}
	if (res->status != 200 || !res->body) {
		char why[300];
		snprintf(why, sizeof(why), "fetching %.120s failed (HTTP %ld%s%.100s)", p->source,
			 res->status, res->error ? ": " : "", res->error ? res->error : "");
		p->api->log(self, HW_LOG_WARN, "schedule %s, keeping the %s", why,
			    p->cur ? "last good schedule" : "empty one");
		report_no_schedule(p, why);
		return;
	}
	j = calloc(1, sizeof(*j));
	if (!j || !(j->body = malloc(res->body_len + 1))) {
		free(j);
		p->api->log(self, HW_LOG_ERROR, "out of memory for the schedule body");
		return;
	}
	memcpy(j->body, res->body, res->body_len);
	j->body[res->body_len] = 0;
	j->len = res->body_len;
	j->etag = dup_or_null(res->etag);
	j->last_modified = dup_or_null(res->last_modified);
	job_start(p, j);
}

void sched_refresh_now(struct sched_plugin *p)
{
	if (p->busy || !p->source || p->shutting_down)
		return;
	if (p->is_url) {
		char inm[512], ims[256];
		const char *headers[3] = {NULL, NULL, NULL};
		size_t nh = 0;
		hw_http_request req = {.struct_size = sizeof(req), .url = p->source,
				       .max_bytes = REFRESH_MAX_BYTES,
				       .timeout_ms = REFRESH_TIMEOUT_MS};
		/* Validators only while we hold the copy they describe. */
		if (p->cur && p->etag && strlen(p->etag) < 400 && !strpbrk(p->etag, "\r\n")) {
			snprintf(inm, sizeof(inm), "If-None-Match: %s", p->etag);
			headers[nh++] = inm;
		}
		if (p->cur && p->last_modified && strlen(p->last_modified) < 200 &&
		    !strpbrk(p->last_modified, "\r\n")) {
			snprintf(ims, sizeof(ims), "If-Modified-Since: %s", p->last_modified);
			headers[nh++] = ims;
		}
		req.headers = nh ? headers : NULL;
		p->http = p->api->http(p->self, &req, on_http, p);
		if (p->http)
			p->busy = 1;
		else
			p->api->log(p->self, HW_LOG_WARN, "cannot start the schedule fetch");
		return;
	}
	struct sched_job *j = calloc(1, sizeof(*j));
	if (!j || !(j->paths = calloc(p->npaths + 1, sizeof(*j->paths)))) {
		free(j);
		return;
	}
	for (size_t i = 0; i < p->npaths; i++, j->npaths++)
		if (!(j->paths[i] = strdup(p->paths[i]))) {
			job_free(j);
			return;
		}
	job_start(p, j);
}

static void on_timer(hw_plugin *self, hw_handle timer, void *ud)
{
	sched_refresh_now(ud);
}

/* The stored copy arrived (a unit of work on the host's storage): parse
 * it if it belongs to this source, else fetch the live one now. */
static void on_stored(struct sched_plugin *p, struct sched_cached *c, int status)
{
	p->busy = 0;
	if (status == SCHED_OK && !strcmp(c->source, p->source) && !p->cur) {
		struct sched_job *j = calloc(1, sizeof(*j));
		if (j) {
			j->body = c->body;
			j->len = c->len;
			j->etag = c->etag;
			j->last_modified = c->last_modified;
			j->from_store = 1;
			c->body = c->etag = c->last_modified = NULL;
			job_start(p, j); /* refreshes once parsed */
			return;
		}
	} else if (status != SCHED_OK && status != SCHED_ERR_EMPTY) {
		p->api->log(p->self, HW_LOG_WARN, "cannot read the stored schedule copy");
	}
	sched_refresh_now(p);
}

int sched_refresh_start(struct sched_plugin *p)
{
	if (!p->source) {
		p->api->log(p->self, HW_LOG_WARN,
			    "plugins.schedule.source is not set: no schedule to serve");
		return HW_OK;
	}
	p->timer = p->api->timer_add(p->self, p->refresh_ms, p->refresh_ms, on_timer, p);
	if (!p->timer)
		return HW_ERR_PLUGIN;
	/* Refreshes wait (busy) until the stored copy has been read. */
	p->busy = 1;
	if (sched_store_load(p, on_stored) != HW_OK) {
		p->busy = 0;
		p->api->log(p->self, HW_LOG_WARN, "cannot read the stored schedule copy");
		sched_refresh_now(p);
	}
	return HW_OK;
}
