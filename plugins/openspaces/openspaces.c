/*
 * openspaces — the hallway track's open-space board in chat (issue 21):
 * the plugin descriptor, its settings, init and shutdown.
 *
 * Commands: openspace board|propose|join|leave|mine|drop (ospace_cmd.c)
 * and, for organizers, openspace move|remove|export (ospace_admin.c). The
 * board's cells live in the host database, SQLite or PostgreSQL, reached
 * through units of work (ospace_job.c, ospace_store.c); a partial UNIQUE
 * index gives each cell one winner, and every answer follows a commit.
 *
 * Times are the conference's: plugins.openspaces.timezone, else the zone
 * of the schedule ("schedule.loaded"), else UTC. Cells are stored as the
 * local day and start time, so a zone learnt later moves no open space.
 */
#include <stdlib.h>
#include <string.h>

#include <hallway/civil.h>
#include <hallway/events.h>
#include <hallway/tz.h>

#include "openspaces.h"
#include "ospace_event.h"
#include "ospace_later.h"
#include "ospace_meetup.h"
#include "ospace_remind.h"
#include "ospace_screen.h"
#include <hallway/dm_outbox.h>
#include "ospace_store.h"

const char *ospace_arg(const hw_invocation *inv, const char *name)
{
	size_t i;
	for (i = 0; i < inv->argc; i++)
		if (inv->argv[i].present && inv->argv[i].name && !strcmp(inv->argv[i].name, name))
			return inv->argv[i].str;
	return NULL;
}

int64_t ospace_start_in(const ospace *o, const struct hw_tz *tz, size_t day, size_t slot)
{
	int64_t local = ospace_board_days(&o->board, day) * 86400 +
			(int64_t)o->board.slots[slot] * 60;
	return hw_tz_to_utc(tz, local);
}


/* The places a meetup may name: the board's rooms, then the schedule's. */
static void ospace_set_places(ospace *o, const json_t *rooms)
{
	size_t n = o->board.nrooms + json_array_size(rooms), k = 0, i;
	char **p = calloc(n + 1, sizeof(*p));
	json_t *v;

	if (!p) {
		o->api->log(o->self, HW_LOG_WARN, "openspaces: out of memory for the room names");
		return;
	}
	for (i = 0; i < o->board.nrooms; i++)
		if ((p[k] = strdup(o->board.rooms[i].name)))
			k++;
	json_array_foreach(rooms, i, v)
		if (json_is_string(v) && (p[k] = strdup(json_string_value(v))))
			k++;
	if (o->places) {
		/* A unit of work queued before may still read the old list. */
		char ***old = realloc(o->old_places, (o->nold_places + 1) * sizeof(*old));
		if (!old) {
			for (i = 0; i < k; i++)
				free(p[i]);
			free(p);
			o->api->log(o->self, HW_LOG_WARN, "openspaces: out of memory for the room names");
			return;
		}
		o->old_places = old;
		old[o->nold_places++] = o->places;
	}
	o->places = p;
	o->nplaces = k;
}

/* The schedule's zone, unless config named one; its rooms and talks. */
static void ospace_on_schedule(hw_plugin *self, const char *type, json_t *data, void *ud)
{
	ospace *o = ud;
	const char *name = json_string_value(json_object_get(data, "timezone"));
	struct hw_tz *tz = NULL;
	if (!hw_event_check(o->api, self, type, data, HW_SCHEDULE_LOADED_VERSION))
		return;
	ospace_set_places(o, json_object_get(data, "rooms"));
	ospace_later_set_talks(o, data);
	if (o->tz_from_config || !name || !*name || !strcmp(name, hw_tz_name(o->tz)))
		return;
	if (hw_tz_load(NULL, name, &tz)) {
		o->api->log(self, HW_LOG_WARN, "openspaces: the schedule's time zone %s is unknown",
			    name);
		return;
	}
	/* A unit of work queued before may still read the old zone. */
	{
		struct hw_tz **old = realloc(o->old_tz, (o->nold_tz + 1) * sizeof(*old));
		if (!old) {
			o->api->log(self, HW_LOG_WARN, "openspaces: out of memory for a new time zone");
			hw_tz_free(tz);
			return;
		}
		o->old_tz = old;
		old[o->nold_tz++] = o->tz;
	}
	o->tz = tz;
	/* The screens' copy and "openspaces.board" follow: their instants were
	 * set in the zone known when the board was read. */
	ospace_screen_rezone(o);
}

/* The context, once the plugin has stopped and its last unit of work has
 * come back (hw_units). */
static void ospace_free_ctx(void *p)
{
	ospace *o = p;
	if (!o)
		return;
	for (size_t i = 0; i < o->nplaces; i++)
		free(o->places[i]);
	free(o->places);
	for (size_t i = 0; i < o->nold_places; i++) {
		for (char **q = o->old_places[i]; *q; q++)
			free(*q);
		free(o->old_places[i]);
	}
	free(o->old_places);
	free(o->meetups_channel);
	ospace_later_free(o);
	ospace_board_free(&o->board);
	for (size_t i = 0; i < o->nold_tz; i++)
		hw_tz_free(o->old_tz[i]);
	free(o->old_tz);
	hw_tz_free(o->tz);
	free(o);
}

/* Stops what runs on the loop (timers, the outbox), then lets the units
 * of work still out free the context when they come back. */
static void ospace_stop(ospace *o)
{
	ospace_remind_stop(o);
	ospace_screen_free(o);
	hw_dm_outbox_stop(o->outbox);
	o->outbox = NULL;
	if (o->units) {
		hw_units_stop(o->units);
		hw_units_release(o->units); /* may free o */
	} else {
		ospace_free_ctx(o);
	}
}

static int ospace_init(hw_plugin *self, const hw_api *api)
{
	const json_t *cfg;
	const char *zone;
	char err[300];
	ospace *o;
	int rc;

	if (api->struct_size < sizeof(hw_api))
		return HW_ERR_UNSUPPORTED;
	o = calloc(1, sizeof(*o));
	if (!o)
		return HW_ERR_NOMEM;
	o->self = self;
	o->api = api;
	cfg = api->config(self);
	if (ospace_board_parse(cfg, &o->board, err, sizeof(err))) {
		api->log(self, HW_LOG_ERROR, "openspaces: plugins.openspaces.%s", err);
		rc = HW_ERR_INVALID;
		goto fail;
	}
	if (json_string_value(json_object_get(cfg, "meetups_channel")) &&
	    !(o->meetups_channel = strdup(json_string_value(json_object_get(cfg, "meetups_channel"))))) {
		rc = HW_ERR_NOMEM;
		goto fail;
	}
	o->remind_minutes = json_is_integer(json_object_get(cfg, "remind_minutes"))
				    ? json_integer_value(json_object_get(cfg, "remind_minutes"))
				    : 10;
	zone = json_string_value(json_object_get(cfg, "timezone"));
	o->tz_from_config = zone != NULL;
	if (hw_tz_load(NULL, zone ? zone : "UTC", &o->tz) && !(o->tz = hw_tz_fixed(0))) {
		rc = HW_ERR_NOMEM;
		goto fail;
	}
	if (zone && strcmp(hw_tz_name(o->tz), zone))
		api->log(self, HW_LOG_WARN, "openspaces: time zone %s is unknown; using UTC", zone);
	if (!HW_API_HAS(api, db_engine) || !api->db_run) {
		api->log(self, HW_LOG_ERROR, "openspaces: the host has no storage API (db_run)");
		rc = HW_ERR_UNSUPPORTED;
		goto fail;
	}
	o->pg = !strcmp(api->db_engine(self), "postgresql");
	{
		size_t n;
		const char *const *steps = ospace_store_migrations(api, self, &n);
		rc = api->db_migrate(self, steps, n);
	}
	if (!rc && !(o->units = hw_units_new(api, self, o, ospace_free_ctx)))
		rc = HW_ERR_NOMEM;
	if (rc) {
		api->log(self, HW_LOG_ERROR, "openspaces: migration failed (%d)", rc);
		goto fail;
	}
	api->set_userdata(self, o);
	ospace_set_places(o, NULL);
	if (!(rc = ospace_cmd_register(o)) && !(rc = ospace_admin_register(o)) &&
	    !(rc = ospace_meetup_register(o)) && !(rc = ospace_next_register(o)) &&
	    !(rc = ospace_later_register(o)) &&
	    !(rc = api->subscribe(self, HW_EVENT_SCHEDULE_LOADED, ospace_on_schedule, o)) &&
	    !(rc = api->subscribe(self, HW_EVENT_PLAN_COLLECT, ospace_plan_on_collect, o)) &&
	    !(rc = api->subscribe(self, HW_EVENT_OSPACES_REQUEST, ospace_event_on_request, o)))
		rc = hw_dm_outbox_start(self, api, "openspaces_outbox", 60000, &o->outbox);
	if (!rc)
		rc = ospace_remind_start(o);
	if (!rc)
		rc = ospace_screen_init(o);
	if (rc) {
		api->log(self, HW_LOG_ERROR, "openspaces: init failed (%d)", rc);
		api->set_userdata(self, NULL);
		ospace_stop(o);
		return rc;
	}
	/* The schedule may have loaded before us: ask for its zone. */
	hw_event_publish_bare(api, self, HW_EVENT_SCHEDULE_REQUEST, HW_SCHEDULE_REQUEST_VERSION);
	return HW_OK;
fail:
	ospace_free_ctx(o);
	return rc;
}

/* userdata: the context set in init; freed once its units are back. */
static void ospace_shutdown(hw_plugin *self, void *userdata)
{
	(void)self;
	if (userdata)
		ospace_stop(userdata);
}

/* plugins.openspaces: checked by the host before init (--check-config too). */
static const hw_setting ospace_room_fields[] = {
	{.key = "name", .type = HW_SETTING_STRING, .max = 100, .required = 1,
	 .help = "The room as attendees type it (`openspace propose friday 14:00 <room> <topic>`)."},
	{.key = "capacity", .type = HW_SETTING_INTEGER, .min = 0, .max = 100000, .def = "none",
	 .help = "People the room holds, host included; `openspace join` stops there."},
	{0},
};

static const hw_setting ospace_held_fields[] = {
	{.key = "day", .type = HW_SETTING_STRING, .format = HW_FORMAT_DATE, .required = 1,
	 .help = "A day of `days`."},
	{.key = "slot", .type = HW_SETTING_STRING, .format = HW_FORMAT_TIME, .required = 1,
	 .help = "A slot's start time, HH:MM."},
	{.key = "room", .type = HW_SETTING_STRING, .max = 100, .def = "every room",
	 .help = "One of `rooms`."},
	{0},
};

static const hw_setting ospace_settings[] = {
	{.key = "rooms", .type = HW_SETTING_OBJECTS, .fields = ospace_room_fields, .required = 1,
	 .help = "The open-space rooms, in the order `propose` fills them when no room is named."},
	{.key = "days", .type = HW_SETTING_STRINGS, .format = HW_FORMAT_DATE, .required = 1,
	 .help = "The days the board runs."},
	{.key = "start", .type = HW_SETTING_STRING, .format = HW_FORMAT_TIME, .def = "10:00",
	 .help = "The first slot's start, HH:MM in the conference's time zone."},
	{.key = "end", .type = HW_SETTING_STRING, .format = HW_FORMAT_TIME, .def = "18:00",
	 .help = "When the last slot ends at the latest, HH:MM."},
	{.key = "slot_minutes", .type = HW_SETTING_INTEGER, .min = 5, .max = 1440, .def = "60",
	 .help = "The length of a slot."},
	{.key = "slots", .type = HW_SETTING_STRINGS, .format = HW_FORMAT_TIME,
	 .def = "every slot_minutes from start to end",
	 .help = "Slot start times (HH:MM) instead of start and end, for a grid with breaks."},
	{.key = "held", .type = HW_SETTING_OBJECTS, .fields = ospace_held_fields,
	 .help = "Slots not offered to attendees."},
	{.key = "timezone", .type = HW_SETTING_STRING, .format = HW_FORMAT_TIMEZONE,
	 .def = "the schedule's, else UTC", .help = "The zone of days and slot times."},
	{.key = "remind_minutes", .type = HW_SETTING_INTEGER, .min = 0, .max = 1440, .def = "10",
	 .help = "Minutes before an open space or a meetup starts when its host and those who "
		 "joined get a DM; 0: none."},
	{.key = "meetups_channel", .type = HW_SETTING_STRING, .format = HW_FORMAT_CHANNEL_ID,
	 .def = "none (not announced)",
	 .help = "Where a new `meetup` is announced (durably: a crash never loses the post)."},
	{0},
};

HW_PLUGIN_DEFINE_SETTINGS("openspaces", "0.1.0",
			  "The open-space board: propose, join, move and export hallway-track sessions",
			  ospace_init, ospace_shutdown, ospace_settings);
