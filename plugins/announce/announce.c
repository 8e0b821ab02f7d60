/*
 * announce: plugin entry, configuration, and start-up order.
 *
 * Config (plugins.announce), one row per option in `options` below:
 *   channels          [channel id...]   where `announce` posts
 *   remind_minutes    5                 "starting soon" lead; 0 = off
 *   soon_posts        grouped           grouped | per-talk | off
 *   room_channels     {room: channel}   soon posts for a room go there
 *   changes_channel   channel id        schedule-change alerts
 *   catchup_minutes   10                after downtime: later is skipped
 *   allow_mentions    false             true: organizers' text may ping
 *   timezone          IANA name         default: the schedule's, else UTC
 *
 * Start-up: migrate, recover the outbox (unconfirmed sends go out again
 * with their nonce, missed ones older than the catch-up window are
 * skipped), subscribe, ask the schedule plugin for its talks, dispatch.
 */
#include <stdlib.h>
#include <string.h>

#include "announce.h"
#include "announce_store.h"
#include <hallway/events.h>
#include <hallway/text.h>
#include <hallway/tz.h>

#define REMIND_DEFAULT 5
#define CATCHUP_DEFAULT 10
#define MINUTES_MAX (7 * 24 * 60)

const struct hw_tz *announce_tz(const struct announce *a)
{
	return a->tz;
}

const char *announce_room_channel(const struct announce *a, const char *room)
{
	char fold[512];
	if (!room)
		return NULL;
	/* The shared fold, without emoji: "Envelope" in room_channels is the
	 * room "Envelope \u2709\ufe0f" of the schedule, as `next envelope` is. */
	hw_fold_into_ex(room, fold, sizeof(fold), HW_FOLD_DROP_SYMBOLS);
	for (size_t i = 0; i < a->nrooms; i++)
		if (!strcmp(a->rooms[i].room, room) || (*fold && !strcmp(a->rooms[i].fold, fold)))
			return a->rooms[i].channel_id;
	return NULL;
}

void announce_rooms_check(struct announce *a, json_t *talks)
{
	json_t *t;
	size_t i;
	char detail[300] = "";
	for (size_t k = 0; k < a->nrooms; k++)
		a->rooms[k].seen = 0;
	json_array_foreach(talks, i, t) {
		const char *room = json_string_value(json_object_get(t, "room"));
		const char *ch = announce_room_channel(a, room);
		for (size_t k = 0; ch && k < a->nrooms; k++)
			if (a->rooms[k].channel_id == ch)
				a->rooms[k].seen = 1;
	}
	for (size_t k = 0; json_array_size(talks) && k < a->nrooms; k++)
		if (!a->rooms[k].seen) {
			a->api->log(a->self, HW_LOG_WARN,
				    "plugins.announce.room_channels: \"%s\" matches no room of the "
				    "schedule; its starting-soon posts go to the announce channels",
				    a->rooms[k].room);
			if (!detail[0])
				snprintf(detail, sizeof(detail),
					 "room_channels: \"%.100s\" matches no room of the schedule",
					 a->rooms[k].room);
		}
	/* A health component only when there is something to check, so
	 * /healthz and `--check-config --online` name a key that never fires. */
	if (a->nrooms && json_array_size(talks)) {
		json_t *r = json_pack("{s:i,s:s,s:b,s:s}", "version", HW_HEALTH_REPORT_VERSION,
				      "component", "announce.rooms", "ok", !detail[0], "detail",
				      detail[0] ? detail : "every room_channels key matches a room");
		if (r)
			a->api->publish(a->self, HW_EVENT_HEALTH_REPORT, r);
		json_decref(r);
	}
}

/* A Discord snowflake: 1..20 digits. */
static int is_snowflake(const char *s)
{
	size_t n = 0;
	if (!s)
		return 0;
	for (; s[n]; n++)
		if (s[n] < '0' || s[n] > '9')
			return 0;
	return n > 0 && n <= 20;
}

static int config_error(struct announce *a, const char *what)
{
	a->api->log(a->self, HW_LOG_ERROR, "plugins.announce: %s", what);
	return HW_ERR_INVALID;
}

static int minutes(struct announce *a, const json_t *cfg, const char *key, int def,
		   int64_t *out_ms)
{
	json_t *v = json_object_get(cfg, key);
	json_int_t m = def;
	if (v) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > MINUTES_MAX) {
			a->api->log(a->self, HW_LOG_ERROR,
				    "plugins.announce.%s must be a whole number of minutes "
				    "(0..%d)", key, MINUTES_MAX);
			return HW_ERR_INVALID;
		}
		m = json_integer_value(v);
	}
	*out_ms = (int64_t)m * 60000;
	return HW_OK;
}

static int load_config(struct announce *a)
{
	const json_t *cfg = a->api->config(a->self);
	json_t *chans = json_object_get(cfg, "channels");
	json_t *rooms = json_object_get(cfg, "room_channels");
	json_t *changes = json_object_get(cfg, "changes_channel");
	json_t *mentions = json_object_get(cfg, "allow_mentions");
	json_t *tz = json_object_get(cfg, "timezone");
	const char *key;
	json_t *v;
	size_t i;
	int rc;

	if (chans && (!json_is_array(chans) || json_array_size(chans) > ANNOUNCE_CHANNELS_MAX))
		return config_error(a, "channels must be a list of at most 100 channel ids");
	if (json_array_size(chans) &&
	    !(a->channels = calloc(json_array_size(chans), sizeof(*a->channels))))
		return HW_ERR_NOMEM;
	json_array_foreach(chans, i, v) {
		if (!is_snowflake(json_string_value(v)))
			return config_error(a, "channels: every entry must be a channel id (digits, "
					       "as a string)");
		for (size_t k = 0; k < a->nchannels; k++)
			if (!strcmp(a->channels[k], json_string_value(v)))
				return config_error(a, "channels: a channel is listed twice");
		if (!(a->channels[a->nchannels] = strdup(json_string_value(v))))
			return HW_ERR_NOMEM;
		a->nchannels++;
	}
	if (rooms && !json_is_object(rooms))
		return config_error(a, "room_channels must map room names to channel ids");
	if (json_object_size(rooms) &&
	    !(a->rooms = calloc(json_object_size(rooms), sizeof(*a->rooms))))
		return HW_ERR_NOMEM;
	json_object_foreach((json_t *)rooms, key, v) {
		struct announce_room *r = &a->rooms[a->nrooms];
		if (!is_snowflake(json_string_value(v)))
			return config_error(a, "room_channels: every value must be a channel id");
		r->room = strdup(key);
		r->fold = hw_fold_ex(key, HW_FOLD_DROP_SYMBOLS);
		r->channel_id = strdup(json_string_value(v));
		a->nrooms++;
		if (!r->room || !r->fold || !r->channel_id)
			return HW_ERR_NOMEM;
	}
	if (changes && !is_snowflake(json_string_value(changes)))
		return config_error(a, "changes_channel must be a channel id");
	if (changes && !(a->changes_channel = strdup(json_string_value(changes))))
		return HW_ERR_NOMEM;
	if (mentions && !json_is_boolean(mentions))
		return config_error(a, "allow_mentions must be true or false");
	a->allow_mentions = json_is_true(mentions);
	a->preview_channels = ANNOUNCE_PREVIEW_DEFAULT;
	if (json_is_integer(json_object_get(cfg, "preview_channels")))
		a->preview_channels = json_integer_value(json_object_get(cfg, "preview_channels"));
	{
		const char *mode = json_string_value(json_object_get(cfg, "soon_posts"));
		if (json_object_get(cfg, "soon_posts") && !mode)
			return config_error(a, "soon_posts must be grouped, per-talk or off");
		if (!mode || !strcmp(mode, "grouped"))
			a->soon_mode = ANNOUNCE_SOON_GROUPED;
		else if (!strcmp(mode, "per-talk"))
			a->soon_mode = ANNOUNCE_SOON_PER_TALK;
		else if (!strcmp(mode, "off"))
			a->soon_mode = ANNOUNCE_SOON_OFF;
		else
			return config_error(a, "soon_posts must be grouped, per-talk or off");
	}
	if ((rc = minutes(a, cfg, "remind_minutes", REMIND_DEFAULT, &a->remind_ms)) ||
	    (rc = minutes(a, cfg, "catchup_minutes", CATCHUP_DEFAULT, &a->catchup_ms)))
		return rc;
	if (tz && !json_is_string(tz))
		return config_error(a, "timezone must be an IANA zone name");
	if (tz) {
		if (hw_tz_load(NULL, json_string_value(tz), &a->tz))
			return config_error(a, "timezone is not a known IANA zone");
		if (!(a->tz_config = strdup(json_string_value(tz))))
			return HW_ERR_NOMEM;
	} else if (!(a->tz = hw_tz_fixed(0))) {
		return HW_ERR_NOMEM;
	}
	return HW_OK;
}

static void announce_free(struct announce *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < ANNOUNCE_DRAFTS; i++)
		free(a->drafts[i].text);
	for (size_t i = 0; i < a->nchannels; i++)
		free(a->channels[i]);
	free(a->channels);
	for (size_t i = 0; i < a->nrooms; i++) {
		free(a->rooms[i].room);
		free(a->rooms[i].fold);
		free(a->rooms[i].channel_id);
	}
	free(a->rooms);
	free(a->changes_channel);
	free(a->tz_config);
	free(a->tz_schedule);
	hw_tz_free(a->tz);
	announce_web_free(a->web);
	json_decref(a->speakers);
	json_decref(a->talks);
	json_decref(a->spaces);
	free(a);
}

static void announce_free_ctx(void *ctx)
{
	announce_free(ctx);
}

static int init(hw_plugin *self, const hw_api *api)
{
	struct announce *a = calloc(1, sizeof(*a));
	int rc;

	if (!a)
		return HW_ERR_NOMEM;
	a->self = self;
	a->api = api;
	a->start_ms = api->now_ms(self);
	if (!HW_API_HAS(api, db_engine) || !api->db_run) {
		api->log(self, HW_LOG_ERROR, "announce: this host has no storage API (db_run)");
		announce_free(a);
		return HW_ERR_UNSUPPORTED;
	}
	a->pg = !strcmp(api->db_engine(self), "postgresql");
	if ((rc = load_config(a))) {
		announce_free(a);
		return rc;
	}
	if ((rc = api->db_migrate(self,
				  a->pg ? announce_store_migrations_pg : announce_store_migrations,
				  announce_store_nmigrations))) {
		api->log(self, HW_LOG_ERROR, "announce: storage migration failed: %d", rc);
		announce_free(a);
		return rc;
	}
	if (!(a->units = hw_units_new(api, self, a, announce_free_ctx))) {
		announce_free(a);
		return HW_ERR_NOMEM;
	}
	/* Unconfirmed sends go out again with their nonce, then due rows are
	 * dispatched (recover's done). */
	if ((rc = announce_send_recover(a))) {
		api->log(self, HW_LOG_ERROR, "announce: cannot queue the outbox recovery (%d)", rc);
		goto fail;
	}
	if ((rc = announce_cmd_register(a)) ||
	    (rc = api->subscribe(self, HW_EVENT_SCHEDULE_LOADED, announce_sched_on_loaded, a)) ||
	    (rc = api->subscribe(self, HW_EVENT_SCHEDULE_CHANGED, announce_sched_on_changed, a)) ||
	    (rc = api->subscribe(self, HW_EVENT_PLAN_COLLECT, announce_plan_on_collect, a)) ||
	    (rc = api->subscribe(self, HW_EVENT_REG_SPEAKERS, announce_sched_on_speakers, a)) ||
	    (rc = api->subscribe(self, HW_EVENT_OSPACES_BOARD, announce_soon_on_board, a)) ||
	    (rc = api->subscribe(self, HW_EVENT_LEASE_ACTIVE, announce_send_on_active, a)) ||
	    (rc = announce_web_init(a)))
		goto fail;
	api->set_userdata(self, a);
	/* Plugins loaded before us: ask for the open spaces and for the
	 * speakers who want mentions first, so the schedule's posts are made
	 * with them (announce_sched_redo says what happens when they come
	 * later). */
	hw_event_publish_bare(api, self, HW_EVENT_OSPACES_REQUEST, HW_OSPACES_REQUEST_VERSION);
	hw_event_publish_bare(api, self, HW_EVENT_REG_REQUEST, HW_REG_REQUEST_VERSION);
	hw_event_publish_bare(api, self, HW_EVENT_SCHEDULE_REQUEST, HW_SCHEDULE_REQUEST_VERSION);
	api->log(self, HW_LOG_INFO,
		 "announce: %zu channel%s, %zu room channel%s, reminders %lld min before, "
		 "catch-up window %lld min",
		 a->nchannels, a->nchannels == 1 ? "" : "s", a->nrooms, a->nrooms == 1 ? "" : "s",
		 (long long)(a->remind_ms / 60000), (long long)(a->catchup_ms / 60000));
	return HW_OK;
fail:
	announce_send_shutdown(a);
	hw_units_stop(a->units);
	hw_units_release(a->units); /* frees a once the recovery's done came */
	return rc;
}

static void shutdown(hw_plugin *self, void *userdata)
{
	struct announce *a = userdata;
	(void)self;
	if (!a)
		return;
	announce_send_shutdown(a);
	hw_units_stop(a->units);
	hw_units_release(a->units); /* frees a once the last unit of work came back */
}

/* plugins.announce: checked by the host before init (--check-config too). */
static const hw_setting announce_settings[] = {
	{.key = "channels", .type = HW_SETTING_STRINGS, .format = HW_FORMAT_CHANNEL_ID,
	 .def = "none",
	 .help = "Channel IDs an organizer's `announce` posts to (at most 100)."},
	{.key = "room_channels", .type = HW_SETTING_MAP, .format = HW_FORMAT_CHANNEL_ID,
	 .def = "none",
	 .help = "Room name to channel ID: starting-soon posts for a room's talks go to its "
		 "channel. Names match the schedule's rooms the way attendees' `next <room>` "
		 "does (case, accents and emoji ignored)."},
	{.key = "changes_channel", .type = HW_SETTING_STRING, .format = HW_FORMAT_CHANNEL_ID,
	 .def = "none", .help = "Where schedule changes (moved, cancelled, new talks) are posted."},
	{.key = "remind_minutes", .type = HW_SETTING_INTEGER, .min = 0, .max = MINUTES_MAX,
	 .def = "5", .help = "Starting-soon posts go this many minutes before a talk (0: off)."},
	{.key = "soon_posts", .type = HW_SETTING_STRING, .format = HW_FORMAT_CHOICE,
	 .choices = "grouped|per-talk|off", .def = "grouped",
	 .help = "grouped: one starting-soon message per time slot in each of `channels`, "
		 "listing every room starting then and the open spaces of the board starting "
		 "with them (a room in room_channels still gets its talk there); per-talk: one "
		 "message per talk; off: none."},
	{.key = "catchup_minutes", .type = HW_SETTING_INTEGER, .min = 0, .max = MINUTES_MAX,
	 .def = "10",
	 .help = "After a restart, posts that fell due at most this long ago still go out; "
		 "older ones are recorded as skipped."},
	{.key = "allow_mentions", .type = HW_SETTING_BOOLEAN, .def = "false",
	 .help = "Whether @everyone, roles and users in announcements ping."},
	{.key = "preview_channels", .type = HW_SETTING_INTEGER, .min = 0, .max = 1000,
	 .def = "5",
	 .help = "`announce <text>` to this many channels or more first shows a preview; "
		 "`announce confirm` posts it (0: never preview)."},
	{.key = "timezone", .type = HW_SETTING_STRING, .format = HW_FORMAT_TIMEZONE,
	 .def = "the schedule's, else UTC",
	 .help = "How organizers' times (`announce at 14:00 ...`) are read."},
	{0},
};

HW_PLUGIN_DEFINE_SETTINGS("announce", "1.1.0",
			  "Announcements that are never lost: broadcasts, scheduled posts, "
			  "starting-soon posts, schedule-change alerts, audit",
			  init, shutdown, announce_settings);
