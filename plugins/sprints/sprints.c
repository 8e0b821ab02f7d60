/*
 * sprints — sprint signups in chat: the plugin descriptor, init and
 * shutdown.
 *
 * Commands: sprints, sprint info|join|leave|mine (sprints_cmd.c) and, for
 * organizers, sprint add|edit|remove|export (sprints_admin.c). Projects come
 * from chat, config and a pretalx feed (sprints_feed.c); signups live in
 * the host database (sprints_store.c) and every answer follows a commit.
 *
 * Config (plugins.sprints):
 *   default_capacity  seats per day for projects added without one (20)
 *   projects          [{name, title?, description?, capacity, days, leads,
 *                       level?, links}]
 *   feed              {source, submission_type, default_capacity,
 *                      refresh_seconds}
 */
#include <stdlib.h>
#include <string.h>

#include "sprints.h"
#include "sprints_feed.h"
#include "sprints_notify.h"
#include "sprints_store.h"

static void sprints_free(sprints *s)
{
	if (!s)
		return;
	sprints_feed_stop(s);
	if (s->notify_timer)
		s->api->cancel(s->self, s->notify_timer);
	free(s);
}

static int sprints_init(hw_plugin *self, const hw_api *api)
{
	const json_t *cfg;
	json_t *cap;
	sprints *s;
	int rc;

	if (api->struct_size < sizeof(hw_api))
		return HW_ERR_UNSUPPORTED;
	s = calloc(1, sizeof(*s));
	if (!s)
		return HW_ERR_NOMEM;
	s->self = self;
	s->api = api;
	s->default_capacity = SPRINTS_DEFAULT_CAPACITY;
	cfg = api->config(self);
	cap = json_object_get(cfg, "default_capacity");
	if (json_is_integer(cap) && json_integer_value(cap) >= 0)
		s->default_capacity = json_integer_value(cap);
	s->db = api->db(self);
	if (!s->db) {
		api->log(self, HW_LOG_ERROR, "sprints: no database");
		rc = HW_ERR_UNSUPPORTED;
		goto fail;
	}
	rc = api->db_migrate(self, sprints_store_migrations, sprints_store_nmigrations);
	if (rc) {
		api->log(self, HW_LOG_ERROR, "sprints: migration failed (%d)", rc);
		goto fail;
	}
	api->set_userdata(self, s);
	rc = sprints_feed_start(s);
	if (!rc)
		rc = sprints_cmd_register(s);
	if (!rc)
		rc = sprints_admin_register(s);
	if (!rc)
		rc = sprints_notify_start(s);
	if (rc) {
		api->log(self, HW_LOG_ERROR, "sprints: init failed (%d)", rc);
		api->set_userdata(self, NULL);
		goto fail;
	}
	return HW_OK;
fail:
	sprints_free(s);
	return rc;
}

/* userdata: the context set in init; freed here. */
static void sprints_shutdown(hw_plugin *self, void *userdata)
{
	sprints_free(userdata);
}

HW_PLUGIN_DEFINE("sprints", "1.0.0", "Sprint signups with capacity, waitlists and export",
		 sprints_init, sprints_shutdown);
