/*
 * registration — ticket holders in, roles by ticket (issue 20): the
 * plugin descriptor, its settings, init and shutdown. See registration.h
 * for the files and docs/REGISTRATION.md for the organizer's side.
 */
#include <stdlib.h>
#include <string.h>

#include "reg_store.h"
#include "registration.h"

const char *reg_arg(const reg *r, const hw_invocation *inv, const char *name)
{
	(void)r;
	for (size_t i = 0; i < inv->argc; i++)
		if (inv->argv[i].present && inv->argv[i].name && !strcmp(inv->argv[i].name, name))
			return inv->argv[i].str;
	return NULL;
}

/* Freed by hw_units when the plugin's own reference (dropped at shutdown)
 * and the last unit of work are both gone. */
static void reg_free(void *ctx)
{
	reg *r = ctx;
	reg_config_free(r);
	free(r);
}

static void reg_stop(reg *r)
{
	if (!r)
		return;
	if (!r->units) {
		reg_free(r);
		return;
	}
	/* From here hw_units_stopping() is 1: done() callbacks only free. */
	hw_units_stop(r->units);
	reg_pretix_stop(r);
	reg_speaker_stop(r);
	reg_mention_stop(r);
	reg_grant_stop(r);
	if (r->queue_timer)
		r->api->cancel(r->self, r->queue_timer);
	r->queue_timer = 0;
	if (r->kick_timer)
		r->api->cancel(r->self, r->kick_timer);
	r->kick_timer = 0;
	hw_units_release(r->units);
}

static int reg_init(hw_plugin *self, const hw_api *api)
{
	char err[300];
	const char *engine;
	reg *r;
	int rc;

	if (api->struct_size < offsetof(hw_api, db_engine) + sizeof(api->db_engine) ||
	    !api->member_role || !api->member_nick || !api->guild || !api->db_run) {
		api->log(self, HW_LOG_ERROR, "registration: this host cannot change member roles "
			 "or run storage units of work (plugin ABI 1.2 needed)");
		return HW_ERR_UNSUPPORTED;
	}
	if (!(r = calloc(1, sizeof(*r))))
		return HW_ERR_NOMEM;
	r->self = self;
	r->api = api;
	if (!(r->units = hw_units_new(api, self, r, reg_free))) {
		free(r);
		return HW_ERR_NOMEM;
	}
	if (reg_config_read(r, api->config(self), err, sizeof(err))) {
		api->log(self, HW_LOG_ERROR, "registration: plugins.registration: %s", err);
		rc = HW_ERR_INVALID;
		goto fail;
	}
	engine = api->db_engine(self);
	if ((rc = api->db_migrate(self, engine && !strcmp(engine, "postgresql")
						? reg_store_migrations_pg
						: reg_store_migrations,
				  reg_store_nmigrations))) {
		api->log(self, HW_LOG_ERROR, "registration: migration failed (%d)", rc);
		goto fail;
	}
	api->set_userdata(self, r);
	if ((rc = reg_register_add(r)) || (rc = reg_admin_add(r)) || (rc = reg_speaker_add(r)) ||
	    (rc = reg_mention_add(r)) ||
	    (rc = reg_grant_start(r)) ||
	    (rc = reg_queue_start(r)) || (rc = reg_pretix_start(r))) {
		api->log(self, HW_LOG_ERROR, "registration: init failed (%d)", rc);
		api->set_userdata(self, NULL);
		goto fail;
	}
	return HW_OK;
fail:
	reg_stop(r);
	return rc;
}

static void reg_shutdown(hw_plugin *self, void *userdata)
{
	(void)self;
	reg_stop(userdata);
}

static const hw_setting reg_pretix_fields[] = {
	{.key = "url", .type = HW_SETTING_STRING, .format = HW_FORMAT_URL, .required = 1,
	 .help = "pretix's base URL, e.g. https://pretix.eu (the API is under /api/v1/). The API "
		 "token comes from the environment variable HALLWAY_PRETIX_TOKEN, never the config."},
	{.key = "organizer", .type = HW_SETTING_STRING, .max = 100, .required = 1,
	 .help = "The organizer's short name, as in pretix's URLs."},
	{.key = "event", .type = HW_SETTING_STRING, .max = 100, .required = 1,
	 .help = "The event's short name, as in pretix's URLs."},
	{0},
};

static const hw_setting reg_pretalx_fields[] = {
	{.key = "url", .type = HW_SETTING_STRING, .format = HW_FORMAT_URL, .required = 1,
	 .help = "pretalx's base URL, e.g. https://pretalx.com (its API is under /api/)."},
	{.key = "event", .type = HW_SETTING_STRING, .max = 100, .required = 1,
	 .help = "The event's short name, as in pretalx's URLs."},
	{0},
};

static const hw_setting reg_role_fields[] = {
	{.key = "items", .type = HW_SETTING_MAP, .format = HW_FORMAT_ROLE_ID, .def = "none",
	 .help = "pretix item ID -> the role ID (or list of role IDs) its ticket holders get."},
	{.key = "variations", .type = HW_SETTING_MAP, .format = HW_FORMAT_ROLE_ID, .def = "none",
	 .help = "pretix variation ID -> role ID(s), e.g. the Remote variation of a ticket."},
	{.key = "registered", .type = HW_SETTING_STRING_OR_LIST, .format = HW_FORMAT_ROLE_ID,
	 .def = "none", .help = "Role ID(s) everyone registered gets."},
	{.key = "speaker", .type = HW_SETTING_STRING_OR_LIST, .format = HW_FORMAT_ROLE_ID,
	 .def = "none", .help = "Role ID(s) `registration speaker` gives."},
	{0},
};

static const hw_setting reg_settings[] = {
	{.key = "pretix", .type = HW_SETTING_OBJECT, .fields = reg_pretix_fields, .required = 1,
	 .help = "Where the tickets are."},
	{.key = "pretalx", .type = HW_SETTING_OBJECT, .fields = reg_pretalx_fields, .def = "none",
	 .help = "Where the speakers are: lets a registered speaker claim roles.speaker with the "
		 "code of their pretalx speaker page (`registration claim <code>`)."},
	{.key = "roles", .type = HW_SETTING_OBJECT, .fields = reg_role_fields,
	 .help = "Which roles a ticket gives."},
	{.key = "log_channel", .type = HW_SETTING_STRING, .format = HW_FORMAT_CHANNEL_ID,
	 .def = "none", .help = "The organizers' channel for a line per attempt, registration and "
				"refusal (no secrets in them)."},
	{.key = "nickname", .type = HW_SETTING_BOOLEAN, .def = "true",
	 .help = "Set the nickname to the name on the ticket (32 characters at most)."},
	{.key = "refresh_seconds", .type = HW_SETTING_INTEGER, .min = 30, .max = 86400, .def = "300",
	 .help = "How often the order cache asks pretix for changed orders."},
	{0},
};

HW_PLUGIN_DEFINE_SETTINGS("registration", "0.1.0",
			  "Ticket holders in: pretix orders to Discord roles and nicknames",
			  reg_init, reg_shutdown, reg_settings);
