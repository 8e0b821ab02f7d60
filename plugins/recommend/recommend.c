/*
 * recommend — talk recommendations and a personal agenda (issue 6): the
 * descriptor, init and shutdown, and the schedule events.
 *
 * Talks come from the schedule plugin's "schedule.loaded" event; the index
 * is built on a worker (about 35 ms per 1,000 talks with abstracts, see
 * bench/recommend/RESULTS.md) and swapped in on the loop. Commands are in
 * rec_cmd.c, reminders in rec_remind.c, change DMs in rec_change.c.
 *
 * Config (plugins.recommend):
 *   reminder_minutes  DM this many minutes before a starred talk (10; 0..1440)
 */
#include <stdlib.h>
#include <string.h>

#include "rec_store.h"
#include "rec_watch.h"
#include "recommend.h"
#include <hallway/events.h>
#include <hallway/tz.h>

/* One index build on a worker: owns a deep copy of the event data. */
struct rec_job {
	struct rec_plugin *p;
	json_t *data;
	struct rec_index *idx;
	struct hw_tz *tz;
	uint64_t gen;
	int ret;
};

int64_t rec_now(struct rec_plugin *p)
{
	int64_t ms = p->api->now_ms(p->self);
	return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

static void job_free(struct rec_job *j)
{
	json_decref(j->data);
	rec_index_free(j->idx);
	hw_tz_free(j->tz);
	free(j);
}

/* Worker thread: no API calls. */
static void job_run(void *arg)
{
	struct rec_job *j = arg;
	const char *zone = json_string_value(json_object_get(j->data, "timezone"));

	j->ret = rec_index_build(j->data, NULL, &j->idx);
	if (!zone || hw_tz_load(NULL, zone, &j->tz))
		j->tz = hw_tz_fixed(0);
}

static void start_build(struct rec_plugin *p, json_t *data);

static void job_done(hw_plugin *self, void *arg, int cancelled)
{
	struct rec_job *j = arg;
	struct rec_plugin *p = j->p;

	if (cancelled) {
		job_free(j);
		return;
	}
	p->building = 0;
	if (j->ret) {
		p->api->log(self, HW_LOG_ERROR, "recommend: cannot index the schedule (%d)", j->ret);
	} else if (j->gen > p->gen_installed) {
		/* A newer build may finish first; never go back to an older one. */
		struct rec_index *old = p->idx;
		struct hw_tz *old_tz = p->tz;
		p->idx = j->idx;
		p->tz = j->tz;
		p->gen_installed = j->gen;
		j->idx = old;
		j->tz = old_tz;
		p->api->log(self, HW_LOG_INFO, "recommend: indexed %zu talks (%zu terms)",
			    p->idx->n, p->idx->nterms);
	}
	job_free(j);
	if (p->pending) {
		json_t *next = p->pending;
		p->pending = NULL;
		start_build(p, next);
	}
}

/* Starts an index build of data (stolen) on a worker. */
static void start_build(struct rec_plugin *p, json_t *data)
{
	struct rec_job *j = calloc(1, sizeof(*j));

	if (!j) {
		json_decref(data);
		p->api->log(p->self, HW_LOG_ERROR, "recommend: out of memory for the schedule");
		return;
	}
	j->data = data;
	j->p = p;
	j->gen = ++p->gen_started;
	if (!p->api->work(p->self, job_run, job_done, j)) {
		p->api->log(p->self, HW_LOG_ERROR, "recommend: cannot start indexing");
		job_free(j);
		return;
	}
	p->building = 1;
}

/* One build at a time: a schedule that comes while one is out waits, and a
 * newer one replaces it. A reload (SIGHUP) announces the schedule once for
 * every plugin that asks for it; building each copy side by side held four
 * indexes and four copies of the talks at once (bench/README.md). */
static void on_loaded(hw_plugin *self, const char *type, json_t *data, void *ud)
{
	struct rec_plugin *p = ud;
	json_t *copy;

	if (!hw_event_check(p->api, self, type, data, HW_SCHEDULE_LOADED_VERSION))
		return;
	/* data is borrowed for this call only: the worker gets its own copy. */
	if (!(copy = json_deep_copy(data))) {
		p->api->log(self, HW_LOG_ERROR, "recommend: out of memory for the schedule");
		return;
	}
	if (p->building) {
		json_decref(p->pending);
		p->pending = copy;
		return;
	}
	start_build(p, copy);
}

static void on_changed(hw_plugin *self, const char *type, json_t *data, void *ud)
{
	struct rec_plugin *p = ud;

	if (hw_event_check(p->api, self, type, data, HW_SCHEDULE_CHANGED_VERSION))
		rec_change_apply(p, data);
}

const char *rec_storage_text(int status)
{
	return status == HW_ERR_UNAVAILABLE ? "the database is not reachable"
	       : status == HW_ERR_NOMEM	    ? "out of memory"
					    : "its storage failed";
}

/* Frees the state: by hw_units, after shutdown and the last unit of work
 * (also straight from a failed init). */
static void rec_free(void *ctx)
{
	struct rec_plugin *p = ctx;
	if (!p)
		return;
	rec_index_free(p->idx);
	hw_tz_free(p->tz);
	json_decref(p->pending);
	free(p);
}

/* Stops what runs on the loop and gives up the plugin's reference: p is
 * freed now or when the last unit of work comes back. */
static void rec_stop(struct rec_plugin *p)
{
	if (!p)
		return;
	rec_remind_stop(p);
	if (!p->units) {
		rec_free(p);
		return;
	}
	hw_units_stop(p->units); /* done() callbacks only free from here */
	hw_units_release(p->units);
}

static int rec_init(hw_plugin *self, const hw_api *api)
{
	struct rec_plugin *p;
	const char *const *migrations;
	size_t nmigrations;
	json_t *mins;
	int ret;

	if (api->struct_size < sizeof(hw_api))
		return HW_ERR_UNSUPPORTED;
	if (!(p = calloc(1, sizeof(*p))))
		return HW_ERR_NOMEM;
	p->self = self;
	p->api = api;
	p->lead_s = REC_DEFAULT_LEAD_MIN * 60;
	mins = json_object_get(api->config(self), "reminder_minutes");
	if (mins) {
		if (!json_is_integer(mins) || json_integer_value(mins) < 0 ||
		    json_integer_value(mins) > 1440) {
			api->log(self, HW_LOG_ERROR,
				 "plugins.recommend.reminder_minutes must be an integer 0..1440");
			ret = HW_ERR_INVALID;
			goto fail;
		}
		p->lead_s = json_integer_value(mins) * 60;
	}
	p->tz = hw_tz_fixed(0);
	if (!p->tz || !(p->units = hw_units_new(api, self, p, rec_free))) {
		ret = HW_ERR_NOMEM;
		goto fail;
	}
	migrations = rec_store_migrations(api, self, &nmigrations);
	ret = api->db_migrate(self, migrations, nmigrations);
	if (ret) {
		api->log(self, HW_LOG_ERROR, "recommend: storage migration failed (%d)", ret);
		goto fail;
	}
	if ((ret = rec_cmd_register(p)) ||
	    (ret = api->subscribe(self, HW_EVENT_SCHEDULE_LOADED, on_loaded, p)) ||
	    (ret = api->subscribe(self, HW_EVENT_SCHEDULE_CHANGED, on_changed, p)) ||
	    (ret = api->subscribe(self, HW_EVENT_PLAN_COLLECT, rec_plan_on_collect, p)) ||
	    (ret = api->subscribe(self, HW_EVENT_TALK_WATCHED, rec_watch_on_event, p)) ||
	    (ret = api->subscribe(self, HW_EVENT_LEASE_ACTIVE, rec_remind_on_active, p)) ||
	    (ret = rec_remind_start(p)))
		goto fail;
	api->set_userdata(self, p);
	/* The schedule may have loaded before us: ask for it again. */
	hw_event_publish_bare(api, self, HW_EVENT_SCHEDULE_REQUEST, HW_SCHEDULE_REQUEST_VERSION);
	return HW_OK;
fail:
	rec_stop(p);
	return ret;
}

/* userdata: the state from init, freed once no unit of work is out.
 * Index jobs still running come back cancelled and free themselves. */
static void rec_shutdown(hw_plugin *self, void *userdata)
{
	(void)self;
	rec_stop(userdata);
}

/* plugins.recommend: checked by the host before init (--check-config too). */
static const hw_setting rec_settings[] = {
	{.key = "reminder_minutes", .type = HW_SETTING_INTEGER, .min = 0, .max = 1440,
	 .def = "10", .help = "A DM this many minutes before each starred talk (0: no reminders)."},
	{0},
};

HW_PLUGIN_DEFINE_SETTINGS("recommend", "1.1.0",
			  "Talk recommendations, similar talks, a personal agenda with reminders",
			  rec_init, rec_shutdown, rec_settings);
