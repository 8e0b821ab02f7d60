/*
 * sprints_feed — config and pretalx projects. See sprints_feed.h.
 */
#include "sprints_feed.h"

#include <stdlib.h>
#include <string.h>

#include <hallway/dm_outbox.h>
#include <hallway/events.h>
#include <hallway/text.h>
#include "sprints_store.h"

#define SPRINTS_FEED_DEPTH 12
#define SPRINTS_FEED_MAX_BYTES ((size_t)32 << 20)

/* A string from an i18n object {"en": …, "fr": …} (English first) or a
 * plain string; borrowed, or NULL. */
static const char *sprints_feed_i18n(const json_t *v)
{
	const char *key;
	json_t *x;
	if (json_is_string(v))
		return json_string_value(v);
	if (!json_is_object(v))
		return NULL;
	if (json_is_string(json_object_get(v, "en")))
		return json_string_value(json_object_get(v, "en"));
	json_object_foreach((json_t *)v, key, x)
		if (json_is_string(x))
			return json_string_value(x);
	return NULL;
}

/* 1 when any language of the submission type folds equal to want. */
static int sprints_feed_type_is(const json_t *sub, const char *want)
{
	const json_t *t = json_object_get(sub, "submission_type"), *name;
	char *fw = hw_fold(want), *fv;
	const char *key;
	json_t *x;
	int match = 0;
	if (!fw)
		return 0;
	name = json_is_object(t) ? json_object_get(t, "name") : t;
	if (json_is_string(name)) {
		fv = hw_fold(json_string_value(name));
		match = fv && !strcmp(fv, fw);
		free(fv);
	} else if (json_is_object(name)) {
		json_object_foreach((json_t *)name, key, x) {
			if (!json_is_string(x))
				continue;
			fv = hw_fold(json_string_value(x));
			match = fv && !strcmp(fv, fw);
			free(fv);
			if (match)
				break;
		}
	}
	free(fw);
	return match;
}

/* Skill level from the pretalx answers, normalised when recognised. */
static const char *sprints_feed_level(const json_t *sub)
{
	static const char *const map[][2] = {
		{"all audiences", "any"}, {"tout public", "any"},       {"any", "any"},
		{"junior", "beginner"},   {"beginner", "beginner"},     {"debutant", "beginner"},
		{"intermediate", "intermediate"}, {"intermediaire", "intermediate"},
		{"advanced", "advanced"}, {"avance", "advanced"},       {"expert", "advanced"},
	};
	const json_t *answers = json_object_get(sub, "answers"), *a;
	size_t i, k;
	json_array_foreach(answers, i, a) {
		const json_t *opts = json_object_get(a, "options");
		const char *text = json_array_size(opts)
					   ? sprints_feed_i18n(json_object_get(json_array_get(opts, 0), "answer"))
					   : sprints_feed_i18n(json_object_get(a, "answer"));
		char *f = text ? hw_fold(text) : NULL;
		for (k = 0; f && k < sizeof(map) / sizeof(map[0]); k++)
			if (!strcmp(f, map[k][0])) {
				free(f);
				return map[k][1];
			}
		free(f);
	}
	return "";
}

static int sprints_feed_has(const json_t *arr, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
		if (!strcmp(json_string_value(v), s))
			return 1;
	return 0;
}

/* One pretalx submission to a record (new reference), or NULL. */
static json_t *sprints_feed_record(const json_t *sub, int64_t default_capacity)
{
	const char *title = json_string_value(json_object_get(sub, "title"));
	const char *code = json_string_value(json_object_get(sub, "code"));
	const char *desc = json_string_value(json_object_get(sub, "description"));
	json_t *rec = json_object(), *days = json_array(), *leads = json_array(), *v;
	int64_t cap = default_capacity;
	size_t i;
	if (!rec || !days || !leads || !title)
		goto fail;
	json_array_foreach(json_object_get(sub, "speakers"), i, v)
		if (json_is_string(json_object_get(v, "name")))
			json_array_append(leads, json_object_get(v, "name"));
	json_array_foreach(json_object_get(sub, "slots"), i, v) {
		const char *start = json_string_value(json_object_get(v, "start"));
		json_t *room_cap = json_object_get(json_object_get(v, "room"), "capacity");
		char day[11];
		if (start && strlen(start) >= 10) {
			memcpy(day, start, 10);
			day[10] = 0;
			if (!sprints_feed_has(days, day))
				json_array_append_new(days, json_string(day));
		}
		/* The room's capacity is the natural seat count of a sprint table. */
		if (cap == default_capacity && json_is_integer(room_cap) &&
		    json_integer_value(room_cap) > 0)
			cap = json_integer_value(room_cap);
	}
	if (json_object_set_new(rec, "name", json_string(title)) ||
	    json_object_set_new(rec, "title", json_string(title)) ||
	    json_object_set_new(rec, "description", json_string(desc ? desc : "")) ||
	    json_object_set_new(rec, "level", json_string(sprints_feed_level(sub))) ||
	    json_object_set_new(rec, "capacity", json_integer(cap)) ||
	    json_object_set(rec, "days", days) || json_object_set(rec, "leads", leads) ||
	    json_object_set_new(rec, "links", json_array()) ||
	    (code && json_object_set_new(rec, "source_id", json_string(code))))
		goto fail;
	json_decref(days);
	json_decref(leads);
	return rec;
fail:
	json_decref(rec);
	json_decref(days);
	json_decref(leads);
	return NULL;
}

static int sprints_feed_walk(const json_t *v, const char *type, int64_t cap, json_t *seen,
			     json_t *out, int depth)
{
	const char *key;
	json_t *x;
	size_t i;
	if (depth > SPRINTS_FEED_DEPTH)
		return 0;
	if (json_is_array(v)) {
		json_array_foreach((json_t *)v, i, x)
			if (sprints_feed_walk(x, type, cap, seen, out, depth + 1))
				return -1;
		return 0;
	}
	if (!json_is_object(v))
		return 0;
	if (json_is_string(json_object_get(v, "title")) && json_object_get(v, "submission_type")) {
		const char *code = json_string_value(json_object_get(v, "code"));
		const char *state = json_string_value(json_object_get(v, "state"));
		json_t *rec;
		if (!sprints_feed_type_is(v, type))
			return 0;
		if (state && (!strcmp(state, "rejected") || !strcmp(state, "withdrawn") ||
			      !strcmp(state, "canceled") || !strcmp(state, "deleted")))
			return 0;
		if (code && json_object_get(seen, code))
			return 0; /* the same sprint listed once per day */
		rec = sprints_feed_record(v, cap);
		if (!rec || json_array_append_new(out, rec))
			return -1;
		if (code && json_object_set_new(seen, code, json_true()))
			return -1;
		return 0;
	}
	json_object_foreach((json_t *)v, key, x)
		if (sprints_feed_walk(x, type, cap, seen, out, depth + 1))
			return -1;
	return 0;
}

json_t *sprints_feed_pretalx(const json_t *doc, const char *type, int64_t default_capacity)
{
	json_t *out = json_array(), *seen = json_object();
	if (!out || !seen || sprints_feed_walk(doc, type ? type : "Sprint", default_capacity, seen,
					       out, 0)) {
		json_decref(out);
		out = NULL;
	}
	json_decref(seen);
	return out;
}

/* A list of strings from a string or an array of strings (new reference). */
static json_t *sprints_feed_strings(const json_t *v)
{
	json_t *out = json_array(), *x;
	size_t i;
	if (!out)
		return NULL;
	if (json_is_string(v))
		json_array_append(out, (json_t *)v);
	json_array_foreach(v, i, x)
		if (json_is_string(x) && strlen(json_string_value(x)) <= SPRINTS_FIELD_MAX)
			json_array_append(out, x);
	return out;
}

json_t *sprints_feed_config(sprints *s, const json_t *projects)
{
	static const char *const texts[] = {"title", "description", "level"};
	static const char *const lists[] = {"days", "leads", "links"};
	json_t *out = json_array(), *p;
	size_t i, k;
	if (!out)
		return NULL;
	json_array_foreach(projects, i, p) {
		const char *name = json_string_value(json_object_get(p, "name"));
		json_t *cap = json_object_get(p, "capacity"), *rec;
		if (!name || !*name || strlen(name) > 100 ||
		    (cap && (!json_is_integer(cap) || json_integer_value(cap) < 0))) {
			s->api->log(s->self, HW_LOG_WARN,
				    "plugins.sprints.projects[%zu]: needs a name (<= 100 bytes) and a "
				    "capacity >= 0; skipped", i);
			continue;
		}
		rec = json_object();
		if (!rec || json_array_append_new(out, rec))
			goto fail;
		json_object_set_new(rec, "name", json_string(name));
		json_object_set_new(rec, "capacity",
				    json_integer(cap ? json_integer_value(cap) : s->default_capacity));
		for (k = 0; k < sizeof(texts) / sizeof(texts[0]); k++) {
			const char *t = json_string_value(json_object_get(p, texts[k]));
			json_object_set_new(rec, texts[k], json_string(t ? t : ""));
		}
		for (k = 0; k < sizeof(lists) / sizeof(lists[0]); k++)
			json_object_set_new(rec, lists[k],
					    sprints_feed_strings(json_object_get(p, lists[k])));
	}
	return out;
fail:
	json_decref(out);
	return NULL;
}

/* A merge of project records as one unit of work. */
struct sprints_merge {
	json_t *recs;       /* owned */
	const char *source; /* "feed" or "config" */
	int64_t now, added, updated, promoted;
};

static void sprints_feed_merge_free(void *arg)
{
	struct sprints_merge *m = arg;
	json_decref(m->recs);
	free(m);
}

static int sprints_feed_merge_body(void *ctx, hw_tx *tx, void *arg)
{
	sprints *s = ctx;
	struct sprints_merge *m = arg;
	return sprints_store_merge(s->api, tx, m->recs, m->source, m->now, &m->added, &m->updated,
				   &m->promoted);
}

static void sprints_feed_merge_done(void *ctx, int status, void *arg)
{
	sprints *s = ctx;
	struct sprints_merge *m = arg;
	if (status == HW_ERR_UNAVAILABLE)
		/* The database away, or this daemon the standby: the merge runs
		 * again when it becomes the active one (or at the next load). */
		s->api->log(s->self, HW_LOG_INFO, "sprints %s: storage unavailable now; not merged",
			    m->source);
	else if (status)
		s->api->log(s->self, HW_LOG_ERROR, "sprints %s: merge failed (%d)", m->source, status);
	else
		s->api->log(s->self, HW_LOG_INFO,
			    "sprints %s: %zu projects, %lld new, %lld updated, %lld promoted from "
			    "waitlists", m->source, json_array_size(m->recs), (long long)m->added,
			    (long long)m->updated, (long long)m->promoted);
	if (!status && m->promoted && s->outbox)
		hw_dm_outbox_flush(s->outbox);
	if (!status)
		sprints_refresh(s);
	sprints_feed_merge_free(m);
}

/* Merges recs (stolen) from source in a unit of work. */
static int sprints_feed_merge(sprints *s, json_t *recs, const char *source)
{
	struct sprints_merge *m = calloc(1, sizeof(*m));
	if (!m) {
		json_decref(recs);
		return HW_ERR_NOMEM;
	}
	m->recs = recs;
	m->source = source;
	m->now = s->api->now_ms(s->self);
	return hw_units_run(s->units, sprints_feed_merge_body, sprints_feed_merge_done,
			    sprints_feed_merge_free, m);
}

static void sprints_feed_merge_doc(sprints *s, const json_t *doc)
{
	json_t *recs = sprints_feed_pretalx(doc, s->feed_type, s->feed_default_capacity);
	int rc;
	if (!recs) {
		s->api->log(s->self, HW_LOG_ERROR, "sprints feed: out of memory");
		return;
	}
	rc = sprints_feed_merge(s, recs, "feed");
	if (rc)
		s->api->log(s->self, HW_LOG_ERROR, "sprints feed: merge not started (%d)", rc);
}

static void sprints_feed_http_done(hw_plugin *self, hw_handle req, const hw_http_response *res,
				   void *ud)
{
	sprints *s = ud;
	json_error_t err;
	json_t *doc;
	s->feed_request = 0;
	if (res->status != 200) {
		s->api->log(s->self, HW_LOG_WARN, "sprints feed: HTTP %ld %s", res->status,
			    res->error ? res->error : "");
		return;
	}
	doc = json_loadb(res->body, res->body_len, 0, &err);
	if (!doc) {
		s->api->log(s->self, HW_LOG_WARN, "sprints feed: bad JSON at line %d: %s", err.line,
			    err.text);
		return;
	}
	sprints_feed_merge_doc(s, doc);
	json_decref(doc);
}

static int sprints_feed_is_url(const char *src)
{
	return !strncmp(src, "http://", 7) || !strncmp(src, "https://", 8);
}

/* Fetches or reads the feed once. */
static void sprints_feed_fetch(sprints *s)
{
	if (sprints_feed_is_url(s->feed_source)) {
		hw_http_request req;
		if (s->feed_request)
			return; /* the previous refresh is still running */
		memset(&req, 0, sizeof(req));
		req.struct_size = sizeof(req);
		req.url = s->feed_source;
		req.max_bytes = SPRINTS_FEED_MAX_BYTES;
		s->feed_request = s->api->http(s->self, &req, sprints_feed_http_done, s);
		if (!s->feed_request)
			s->api->log(s->self, HW_LOG_WARN, "sprints feed: request failed to start");
	} else {
		/* A local file is small and read once per refresh. */
		json_error_t err;
		json_t *doc = json_load_file(s->feed_source, 0, &err);
		if (!doc) {
			s->api->log(s->self, HW_LOG_WARN, "sprints feed: %s: %s", s->feed_source,
				    err.text);
			return;
		}
		sprints_feed_merge_doc(s, doc);
		json_decref(doc);
	}
}

static void sprints_feed_timer(hw_plugin *self, hw_handle timer, void *ud)
{
	sprints_feed_fetch(ud);
}

static char *sprints_feed_dup(const char *v)
{
	size_t n = strlen(v);
	char *d = malloc(n + 1);
	if (d)
		memcpy(d, v, n + 1);
	return d;
}

/* The config's projects as a unit of work (at load, and when this daemon
 * becomes the active one: a standby's writes are refused). */
static int sprints_feed_merge_config(sprints *s)
{
	const json_t *projects = json_object_get(s->api->config(s->self), "projects");
	json_t *recs;
	int rc;
	if (!json_is_array(projects))
		return HW_OK;
	/* Queued now, it runs before any command's unit (units run in order). */
	if (!(recs = sprints_feed_config(s, projects)))
		return HW_ERR_NOMEM;
	rc = sprints_feed_merge(s, recs, "config");
	if (rc == HW_ERR_UNAVAILABLE)
		s->api->log(s->self, HW_LOG_INFO, "sprints config: storage unavailable now; not merged");
	return rc == HW_ERR_UNAVAILABLE ? HW_OK : rc;
}

static void sprints_feed_on_active(hw_plugin *self, const char *type, json_t *data, void *ud)
{
	sprints *s = ud;
	(void)self;
	(void)type;
	(void)data;
	if (sprints_feed_merge_config(s) == HW_OK && s->feed_source)
		sprints_feed_fetch(s);
	sprints_refresh(s);
}

int sprints_feed_start(sprints *s)
{
	const json_t *cfg = s->api->config(s->self);
	const json_t *feed = json_object_get(cfg, "feed");
	const char *src = json_string_value(json_object_get(feed, "source"));
	const char *type = json_string_value(json_object_get(feed, "submission_type"));
	json_t *cap = json_object_get(feed, "default_capacity");
	json_t *refresh = json_object_get(feed, "refresh_seconds");
	int rc = HW_OK;

	if ((rc = sprints_feed_merge_config(s)) ||
	    (rc = s->api->subscribe(s->self, HW_EVENT_LEASE_ACTIVE, sprints_feed_on_active, s)))
		return rc;
	if (!src || !*src)
		return HW_OK;
	s->feed_source = sprints_feed_dup(src);
	s->feed_type = sprints_feed_dup(type ? type : "Sprint");
	if (!s->feed_source || !s->feed_type)
		return HW_ERR_NOMEM;
	if (json_is_integer(cap) && json_integer_value(cap) >= 0)
		s->feed_default_capacity = json_integer_value(cap);
	else
		s->feed_default_capacity = s->default_capacity;
	if (json_is_integer(refresh) && json_integer_value(refresh) > 0)
		s->feed_refresh_ms = json_integer_value(refresh) * 1000;
	sprints_feed_fetch(s);
	if (s->feed_refresh_ms)
		s->feed_timer = s->api->timer_add(s->self, s->feed_refresh_ms, s->feed_refresh_ms,
						  sprints_feed_timer, s);
	return HW_OK;
}

void sprints_feed_stop(sprints *s)
{
	if (s->feed_timer)
		s->api->cancel(s->self, s->feed_timer);
	if (s->feed_request)
		s->api->cancel(s->self, s->feed_request);
	s->feed_timer = s->feed_request = 0;
	free(s->feed_source);
	free(s->feed_type);
	s->feed_source = s->feed_type = NULL;
}
