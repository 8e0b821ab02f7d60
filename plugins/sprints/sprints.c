/*
 * sprints — sprint signups in chat: the plugin descriptor, init and
 * shutdown.
 *
 * Commands: sprints, sprint info|join|leave|mine (sprints_cmd.c) and, for
 * organizers, sprint add|edit|remove|export (sprints_admin.c). Projects come
 * from chat, config and a pretalx feed (sprints_feed.c); signups live in
 * storage (sprints_store.c, SQLite or PostgreSQL) and every answer follows a
 * commit (sprints_job.c).
 *
 * Config (plugins.sprints):
 *   default_capacity  seats per day for projects added without one (20)
 *   projects          [{name, title?, description?, capacity, days, leads,
 *                       level?, links}]
 *   feed              {source, submission_type, default_capacity,
 *                      refresh_seconds}
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "sprints.h"
#include "sprints_feed.h"
#include <hallway/dm_outbox.h>
#include "sprints_store.h"
#include "sprints_web.h"

/* Freed by hw_units once the plugin's own reference (dropped at shutdown)
 * and the last unit of work are both gone. */
static void sprints_free(void *ctx)
{
	sprints *s = ctx;
	json_decref(s->names);
	json_decref(s->rosters);
	free(s);
}

static void sprints_stop(sprints *s)
{
	if (!s)
		return;
	s->stopping = 1;
	/* From here no done() runs: units still out only free their jobs. */
	hw_units_stop(s->units);
	sprints_feed_stop(s);
	sprints_job_stop(s);
	hw_dm_outbox_stop(s->outbox);
	s->outbox = NULL;
	hw_units_release(s->units);
}

/* Names stored by an older build are read with today's fold, once per
 * load, before any command (units run in order). */
struct sprints_refold {
	int64_t changed, kept;
};

static int sprints_refold_body(void *ctx, hw_tx *tx, void *arg)
{
	sprints *s = ctx;
	struct sprints_refold *r = arg;
	return sprints_store_refold(s->api, tx, &r->changed, &r->kept);
}

static void sprints_refold_done(void *ctx, int status, void *arg)
{
	sprints *s = ctx;
	struct sprints_refold *r = arg;
	if (status)
		s->api->log(s->self, HW_LOG_WARN, "sprints: cannot refresh project names (%d)",
			    status);
	else if (r->changed || r->kept)
		s->api->log(s->self, HW_LOG_INFO,
			    "sprints: %lld project names read anew (%lld kept their old reading: "
			    "they would match another project)", (long long)r->changed,
			    (long long)r->kept);
	free(r);
}

static int sprints_refold_start(sprints *s)
{
	struct sprints_refold *r = calloc(1, sizeof(*r));
	if (!r)
		return HW_ERR_NOMEM;
	return hw_units_run(s->units, sprints_refold_body, sprints_refold_done, free, r);
}

static int sprints_init(hw_plugin *self, const hw_api *api)
{
	const json_t *cfg;
	const char *engine;
	json_t *cap;
	sprints *s;
	int rc;

	if (api->struct_size < offsetof(hw_api, db_engine) + sizeof(api->db_engine) ||
	    !api->db_run || !api->reply_model) {
		api->log(self, HW_LOG_ERROR, "sprints: this host cannot run storage units of work "
			 "(plugin ABI 1.2 needed)");
		return HW_ERR_UNSUPPORTED;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return HW_ERR_NOMEM;
	s->self = self;
	s->api = api;
	s->default_capacity = SPRINTS_DEFAULT_CAPACITY;
	if (!(s->units = hw_units_new(api, self, s, sprints_free))) {
		free(s);
		return HW_ERR_NOMEM;
	}
	cfg = api->config(self);
	cap = json_object_get(cfg, "default_capacity");
	if (json_is_integer(cap) && json_integer_value(cap) >= 0)
		s->default_capacity = json_integer_value(cap);
	engine = api->db_engine(self);
	rc = api->db_migrate(self, engine && !strcmp(engine, "postgresql")
					   ? sprints_store_migrations_pg
					   : sprints_store_migrations,
			     sprints_store_nmigrations);
	if (rc) {
		api->log(self, HW_LOG_ERROR, "sprints: migration failed (%d)", rc);
		goto fail;
	}
	api->set_userdata(self, s);
	rc = sprints_refold_start(s);
	if (rc == HW_ERR_UNAVAILABLE)
		rc = HW_OK; /* the next load reads them anew */
	if (!rc)
		rc = sprints_feed_start(s);
	if (!rc)
		rc = sprints_cmd_register(s);
	if (!rc)
		rc = sprints_admin_register(s);
	if (!rc)
		rc = sprints_web_init(s);
	if (!rc)
		rc = hw_dm_outbox_start(self, api, "sprints_outbox", SPRINTS_NOTIFY_RETRY_MS,
					&s->outbox);
	if (!rc)
		rc = sprints_job_start(s);
	if (rc) {
		api->log(self, HW_LOG_ERROR, "sprints: init failed (%d)", rc);
		api->set_userdata(self, NULL);
		goto fail;
	}
	return HW_OK;
fail:
	sprints_stop(s);
	return rc;
}

/* userdata: the context set in init; let go here. */
static void sprints_shutdown(hw_plugin *self, void *userdata)
{
	(void)self;
	sprints_stop(userdata);
}

/* plugins.sprints: checked by the host before init (--check-config too). */
static const hw_setting sprints_project_fields[] = {
	{.key = "name", .type = HW_SETTING_STRING, .max = 100, .required = 1,
	 .help = "What attendees type (`sprint join <name>`)."},
	{.key = "title", .type = HW_SETTING_STRING, .help = "A longer title."},
	{.key = "description", .type = HW_SETTING_STRING, .help = "What the sprint works on."},
	{.key = "level", .type = HW_SETTING_STRING, .help = "Who it suits (any, beginner ...)."},
	{.key = "capacity", .type = HW_SETTING_INTEGER, .min = 0, .max = 100000,
	 .def = "default_capacity", .help = "Seats; later signups go to the waitlist."},
	{.key = "days", .type = HW_SETTING_STRINGS, .format = HW_FORMAT_DATE,
	 .help = "The days it runs."},
	{.key = "leads", .type = HW_SETTING_STRINGS, .help = "Who leads it."},
	{.key = "links", .type = HW_SETTING_STRINGS, .format = HW_FORMAT_URL,
	 .help = "Repository, issues, chat."},
	{0},
};

static const hw_setting sprints_feed_fields[] = {
	{.key = "source", .type = HW_SETTING_STRING, .format = HW_FORMAT_PATH_OR_URL,
	 .required = 1, .help = "A pretalx submissions export (URL or file)."},
	{.key = "submission_type", .type = HW_SETTING_STRING, .def = "Sprint",
	 .help = "Which submissions are sprints."},
	{.key = "default_capacity", .type = HW_SETTING_INTEGER, .min = 0, .max = 100000,
	 .def = "the plugin's default_capacity", .help = "Seats of a feed sprint without a room capacity."},
	{.key = "refresh_seconds", .type = HW_SETTING_INTEGER, .min = 10, .max = 86400,
	 .def = "none (fetched once)", .help = "How often the feed is fetched again."},
	{0},
};

static const hw_setting sprints_settings[] = {
	{.key = "default_capacity", .type = HW_SETTING_INTEGER, .min = 0, .max = 100000,
	 .def = "20", .help = "Seats of a project that does not say."},
	{.key = "projects", .type = HW_SETTING_OBJECTS, .fields = sprints_project_fields,
	 .help = "Sprint projects. Raising a capacity here promotes the waitlist in order."},
	{.key = "feed", .type = HW_SETTING_OBJECT, .fields = sprints_feed_fields,
	 .help = "Projects from pretalx, merged with `projects`."},
	{0},
};

HW_PLUGIN_DEFINE_SETTINGS("sprints", "1.1.0",
			  "Sprint signups with capacity, waitlists and export", sprints_init,
			  sprints_shutdown, sprints_settings);
