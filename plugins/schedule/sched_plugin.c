/*
 * The schedule plugin: configuration, commands, autocomplete, and the
 * descriptor. Answers come from sched_cmd.c, loading from sched_refresh.c.
 *
 * Config (plugins.schedule):
 *   source           the schedule: a file, a directory of files (one conference
 *                    in several files, e.g. EuroPython's one JSON file per day),
 *                    an http(s) URL, or a list of files and directories
 *   format           "auto" (default), "frab", "pretalx-api", "pycon", "xml", "ics",
 *                    "europython"
 *   timezone         IANA zone for sources that name none ("Europe/Brussels")
 *   refresh_seconds  how often to re-read the source (default 300, min 10)
 */
#include "sched_export.h"
#include "sched_plugin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched_cmd.h"
#include <hallway/events.h>
#include <hallway/text.h>
#include "sched_fts.h"
#include "sched_match.h"
#include "sched_query.h"
#include "sched_store.h"
#include "sched_cmd_model.h"
#include "sched_web.h"
#include <hallway/tz.h>

#define PLUGIN_REFRESH_DEFAULT 300
#define PLUGIN_REFRESH_MIN 10
#define PLUGIN_CHOICES 25
#define PLUGIN_CHOICE_LEN 100
#define PLUGIN_MAIN_ROOMS 32


static int set_str(char **dst, const json_t *cfg, const char *key)
{
	json_t *v = json_object_get(cfg, key);

	free(*dst);
	*dst = NULL;
	if (!json_is_string(v) || !json_string_length(v))
		return HW_OK;
	*dst = strdup(json_string_value(v));
	return *dst ? HW_OK : HW_ERR_NOMEM;
}

static int is_url(const char *s)
{
	return !strncmp(s, "http://", 7) || !strncmp(s, "https://", 8);
}

static void paths_free(struct sched_plugin *p)
{
	for (size_t i = 0; i < p->npaths; i++)
		free(p->paths[i]);
	free(p->paths);
	p->paths = NULL;
	p->npaths = 0;
}

/* "source": one string, or a list of local files and directories (its
 * newline-joined form names the source in storage). */
static int config_source(struct sched_plugin *p, const json_t *cfg)
{
	json_t *src = json_object_get(cfg, "source"), *v;
	size_t i, total = 0, n = json_is_array(src) ? json_array_size(src) : 1;

	paths_free(p);
	if (json_is_array(src)) {
		free(p->source);
		p->source = NULL;
		json_array_foreach(src, i, v) {
			if (!json_is_string(v) || !json_string_length(v) ||
			    is_url(json_string_value(v)) ||
			    strchr(json_string_value(v), '\n')) {
				p->api->log(p->self, HW_LOG_ERROR,
					    "plugins.schedule.source[%zu] must be a local file or "
					    "directory path", i);
				return HW_ERR_INVALID;
			}
			total += json_string_length(v) + 1;
		}
		if (!total)
			return HW_OK;
		if (!(p->source = calloc(1, total)))
			return HW_ERR_NOMEM;
		json_array_foreach(src, i, v) {
			if (i)
				strcat(p->source, "\n");
			strcat(p->source, json_string_value(v));
		}
	} else if (set_str(&p->source, cfg, "source")) {
		return HW_ERR_NOMEM;
	}
	if (!p->source)
		return HW_OK;
	p->is_url = is_url(p->source);
	if (p->is_url)
		return HW_OK;
	if (!(p->paths = calloc(n + 1, sizeof(*p->paths))))
		return HW_ERR_NOMEM;
	for (i = 0; i < n; i++) {
		const char *path = json_is_array(src) ? json_string_value(json_array_get(src, i))
						      : p->source;
		if (!(p->paths[i] = strdup(path)))
			return HW_ERR_NOMEM;
		p->npaths++;
	}
	return HW_OK;
}

int sched_plugin_config(struct sched_plugin *p)
{
	const json_t *cfg = p->api->config(p->self);
	json_t *fmt = json_object_get(cfg, "format"), *refresh;
	struct hw_tz *tz = NULL;
	json_int_t secs = PLUGIN_REFRESH_DEFAULT;
	int ret;

	if ((ret = config_source(p, cfg)))
		return ret;
	if (set_str(&p->tz, cfg, "timezone"))
		return HW_ERR_NOMEM;
	if (sched_load_format_parse(json_string_value(fmt), &p->fmt)) {
		p->api->log(p->self, HW_LOG_ERROR,
			    "plugins.schedule.format \"%s\" is unknown; use auto, frab, "
			    "pretalx-api, pycon, xml, ics or europython",
			    json_string_value(fmt));
		return HW_ERR_INVALID;
	}
	if (p->tz && hw_tz_load(NULL, p->tz, &tz)) {
		p->api->log(p->self, HW_LOG_ERROR,
			    "plugins.schedule.timezone \"%s\" is not a known IANA zone", p->tz);
		return HW_ERR_INVALID;
	}
	hw_tz_free(tz);
	refresh = json_object_get(cfg, "refresh_seconds");
	if (json_is_integer(refresh))
		secs = json_integer_value(refresh);
	if (secs < PLUGIN_REFRESH_MIN)
		secs = PLUGIN_REFRESH_MIN;
	p->refresh_ms = (int64_t)secs * 1000;
	return HW_OK;
}

/* Sends every message of r as a reply. */
static int send_reply(struct sched_plugin *p, const hw_invocation *inv, struct sched_reply *r,
		      int ret)
{
	for (size_t i = 0; ret == SCHED_OK && i < r->n; i++)
		if (p->api->reply(p->self, inv, r->msgs[i]) != HW_OK)
			ret = HW_ERR_PLUGIN;
	sched_reply_free(r);
	return ret == SCHED_OK ? HW_OK : ret == SCHED_ERR_NOMEM ? HW_ERR_NOMEM : ret;
}

static const char *arg0(const hw_invocation *inv)
{
	return inv->argc && inv->argv[0].present ? inv->argv[0].str : NULL;
}

static int64_t now_s(struct sched_plugin *p)
{
	int64_t ms = p->api->now_ms(p->self);
	return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

/* "openspaces.board": kept for the answer being built (ask_ospaces). */
static void on_ospaces_board(hw_plugin *self, const char *type, json_t *data, void *ud)
{
	struct sched_plugin *p = ud;
	if (!hw_event_check(p->api, self, type, data, HW_OSPACES_BOARD_VERSION) ||
	    !json_is_object(data))
		return;
	json_decref(p->ospaces);
	p->ospaces = json_incref(data);
	p->ospaces_answered = 1;
}

/* The open-space board now, or NULL when the openspaces plugin is not
 * loaded (or has not read its board yet). The bus delivers synchronously,
 * so a loaded openspaces answers the request before publish returns; a
 * board kept from before would outlive an unloaded plugin. Borrowed. */
static const json_t *ask_ospaces(struct sched_plugin *p)
{
	p->ospaces_answered = 0;
	if (hw_event_publish_bare(p->api, p->self, HW_EVENT_OSPACES_REQUEST,
				  HW_OSPACES_REQUEST_VERSION))
		return NULL;
	return p->ospaces_answered ? p->ospaces : NULL;
}

/* The answers as reply models (issue 16), drawn by each door. */
typedef json_t *(*answer_fn)(const struct sched *s, const struct sched_answer *a,
			     const char *args);

/* with_ospaces: next and now, which show the open spaces too. */
static int answer(struct sched_plugin *p, const hw_invocation *inv, answer_fn fn,
		  const char *args, int with_ospaces)
{
	const json_t *mains = json_object_get(p->api->config(p->self), "main_rooms"), *v;
	const char *names[PLUGIN_MAIN_ROOMS];
	struct sched_answer a = {now_s(p), names, 0, 0, NULL};
	json_t *m;
	size_t i;

	json_array_foreach(mains, i, v)
		if (json_is_string(v) && a.nmain < PLUGIN_MAIN_ROOMS)
			names[a.nmain++] = json_string_value(v);
	if (with_ospaces)
		a.ospaces = ask_ospaces(p);
	if (!(m = fn(p->cur, &a, args)))
		return HW_ERR_NOMEM;
	return p->api->reply_model(p->self, inv, m);
}

static int cmd_next(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	(void)self;
	return answer(ud, inv, sched_answer_next, arg0(inv), 1);
}

static int cmd_now(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	(void)self;
	return answer(ud, inv, sched_answer_now, arg0(inv), 1);
}

static int cmd_today(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	(void)self;
	return answer(ud, inv, sched_answer_day, "today", 0);
}

static int cmd_day(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	(void)self;
	return answer(ud, inv, sched_answer_day, arg0(inv), 0);
}

static int cmd_talk(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	struct sched_plugin *p = ud;
	const char *w = arg0(inv);

	if (!w || !*w)
		return p->api->reply(self, inv, "Usage: `talk <words>` (title, speaker, track...)");
	return answer(p, inv, sched_answer_talk, w, 0);
}

static int cmd_speaker(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	struct sched_plugin *p = ud;
	const char *w = arg0(inv);

	if (!w || !*w)
		return p->api->reply(self, inv, "Usage: `speaker <name>`");
	return answer(p, inv, sched_answer_speaker, w, 0);
}

static int cmd_rooms(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	struct sched_plugin *p = ud;
	struct sched_reply r = {0};

	return send_reply(p, inv, &r, sched_cmd_rooms(p->cur, &r));
}

/* Copies at most PLUGIN_CHOICE_LEN bytes of s, on a UTF-8 boundary.
 * Discord counts characters, so bytes are a safe bound. */
static void choice(char *buf, const char *s)
{
	size_t n = strlen(s);

	if (n > PLUGIN_CHOICE_LEN) {
		n = PLUGIN_CHOICE_LEN;
		while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(buf, s, n);
	buf[n] = 0;
}

static void complete_rooms(struct sched_plugin *p, const char *partial, hw_completion *out)
{
	const struct sched *s = p->cur;
	size_t idx[PLUGIN_CHOICES], n = 0;
	char c[PLUGIN_CHOICE_LEN + 1];

	if (!partial || !*partial) {
		for (size_t i = 0; i < s->nrooms && i < PLUGIN_CHOICES; i++)
			idx[n++] = i;
	} else if (sched_match((const char *const *)s->rooms, s->nrooms, partial, idx,
			       PLUGIN_CHOICES, &n) == SCHED_MATCH_NONE) {
		n = 0;
	}
	for (size_t i = 0; i < n; i++) {
		choice(c, s->rooms[idx[i]]);
		p->api->complete_add(out, c, c);
	}
	/* The open spaces, once the openspaces plugin has published a board
	 * (autocomplete answers at once: no request on every keystroke). */
	if (p->ospaces && n < PLUGIN_CHOICES) {
		char f[PLUGIN_CHOICE_LEN + 1];
		hw_fold_into(partial ? partial : "", f, sizeof(f));
		if (!strncmp("openspaces", f, strlen(f)))
			p->api->complete_add(out, "openspaces", "openspaces");
	}
}

static void complete_titles(struct sched_plugin *p, const char *partial, hw_completion *out)
{
	const struct sched_talk *t[PLUGIN_CHOICES];
	char c[PLUGIN_CHOICE_LEN + 1];
	size_t n;

	if (!partial || !*partial)
		n = sched_query_next(p->cur, now_s(p), NULL, t, PLUGIN_CHOICES);
	else
		n = sched_query_search(p->cur, partial, t, PLUGIN_CHOICES);
	for (size_t i = 0; i < n; i++) {
		/* Skip repeats (multi-slot sessions share a title). */
		size_t k = 0;
		while (k < i && strcmp(t[k]->title, t[i]->title))
			k++;
		if (k < i)
			continue;
		choice(c, t[i]->title);
		p->api->complete_add(out, c, c);
	}
}

static void complete_speakers(struct sched_plugin *p, const char *partial, hw_completion *out)
{
	const char **all = malloc(4096 * sizeof(*all));
	size_t na, idx[PLUGIN_CHOICES], n = 0;
	char c[PLUGIN_CHOICE_LEN + 1];

	if (!all)
		return;
	na = sched_query_speakers(p->cur, all, 4096);
	if (!partial || !*partial) {
		for (; n < na && n < PLUGIN_CHOICES; n++)
			idx[n] = n;
	} else if (sched_match(all, na, partial, idx, PLUGIN_CHOICES, &n) == SCHED_MATCH_NONE) {
		n = 0;
	}
	for (size_t i = 0; i < n; i++) {
		choice(c, all[idx[i]]);
		p->api->complete_add(out, c, c);
	}
	free(all);
}

static void complete_days(struct sched_plugin *p, const char *partial, hw_completion *out)
{
	static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	struct hw_civil days[PLUGIN_CHOICES];
	size_t n = sched_query_days(p->cur, days, PLUGIN_CHOICES - 2);
	char name[48], value[16], f[PLUGIN_CHOICE_LEN + 1], fp[PLUGIN_CHOICE_LEN + 1];

	hw_fold_into(partial, fp, sizeof(fp));
	if (!fp[0] || !strncmp("today", fp, strlen(fp)))
		p->api->complete_add(out, "today", "today");
	if (!fp[0] || !strncmp("tomorrow", fp, strlen(fp)))
		p->api->complete_add(out, "tomorrow", "tomorrow");
	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s %04d-%02d-%02d", wd[days[i].wday], days[i].year,
			 days[i].mon, days[i].day);
		snprintf(value, sizeof(value), "%04d-%02d-%02d", days[i].year, days[i].mon,
			 days[i].day);
		hw_fold_into(name, f, sizeof(f));
		if (!fp[0] || strstr(f, fp))
			p->api->complete_add(out, name, value);
	}
}

static void complete(hw_plugin *self, const char *arg, const char *partial, hw_completion *out,
		     void *ud)
{
	struct sched_plugin *p = ud;

	if (!p->cur || !arg)
		return;
	if (!strcmp(arg, "room"))
		complete_rooms(p, partial, out);
	else if (!strcmp(arg, "words"))
		complete_titles(p, partial, out);
	else if (!strcmp(arg, "name"))
		complete_speakers(p, partial, out);
	else if (!strcmp(arg, "when"))
		complete_days(p, partial, out);
}

int sched_plugin_commands(struct sched_plugin *p)
{
	static const hw_arg_spec room_arg[] = {
		{"room", HW_ARG_TEXT, 0,
		 "A room or a track (any part of its name), track:NAME, openspaces, page=N", 1}};
	static const hw_arg_spec when_arg[] = {
		{"when", HW_ARG_TEXT, 1, "today, tomorrow, a weekday or a date; then a room", 1}};
	static const hw_arg_spec words_arg[] = {
		{"words", HW_ARG_TEXT, 1, "Words from the title, abstract, speakers or track", 1}};
	static const hw_arg_spec name_arg[] = {{"name", HW_ARG_TEXT, 1, "A speaker's name", 1}};
	const struct {
		const char *name, *summary, *help;
		const hw_arg_spec *args;
		size_t nargs;
		hw_command_fn fn;
	} cmds[] = {
		{"next", "The talks starting next, in every room or in one; open spaces: `next openspaces`",
		 "`next` lists the next talk in each room; `next <room>` the next one there; "
		 "`next rust` or `next track:Rust` a track's; `next openspaces [room]` the open "
		 "spaces starting next (with the openspaces plugin). A long answer pages: "
		 "`next page=2`.",
		 room_arg, 1, cmd_next},
		{"now", "What is on right now; open spaces: `now openspaces`",
		 "`now [room]`, `now track:Rust`, `now openspaces [room]`; a long answer pages: "
		 "`now page=2`.",
		 room_arg, 1, cmd_now},
		{"today", "Today's programme", NULL, NULL, 0, cmd_today},
		{"day", "A day's programme", "`day sat`, `day 2026-11-27`, `day tomorrow envelope`",
		 when_arg, 1, cmd_day},
		{"talk", "Search talks by title, speaker, track or abstract", NULL, words_arg, 1,
		 cmd_talk},
		{"speaker", "Talks by a speaker", NULL, name_arg, 1, cmd_speaker},
		{"rooms", "The conference rooms", NULL, NULL, 0, cmd_rooms},
	};

	for (size_t i = 0; i < sizeof(cmds) / sizeof(*cmds); i++) {
		hw_command_spec spec = {
			.struct_size = sizeof(spec), .name = cmds[i].name,
			.summary = cmds[i].summary, .help = cmds[i].help,
			.perm = HW_PERM_EVERYONE, .args = cmds[i].args, .nargs = cmds[i].nargs,
			.fn = cmds[i].fn, .complete = cmds[i].nargs ? complete : NULL, .ud = p,
		};
		int ret = p->api->command_add(p->self, &spec);
		if (ret != HW_OK) {
			p->api->log(p->self, HW_LOG_ERROR, "cannot register command %s: %d",
				    cmds[i].name, ret);
			return ret;
		}
	}
	return HW_OK;
}

void sched_plugin_free(struct sched_plugin *p)
{
	if (!p)
		return;
	sched_model_free(p->cur);
	json_decref(p->ospaces);
	paths_free(p);
	free(p->source);
	free(p->tz);
	free(p->etag);
	free(p->last_modified);
	sched_web_free(p->web);
	sched_store_detach(p);
	free(p);
}

/* Another plugin (loaded later, or reloaded) asks for the talks. */
static void on_schedule_request(hw_plugin *self, const char *type, json_t *data, void *ud)
{
	struct sched_plugin *p = ud;
	json_t *loaded;
	if (!hw_event_check(p->api, self, type, data, HW_SCHEDULE_REQUEST_VERSION))
		return;
	if (!p->cur || !(loaded = sched_export(p->cur)))
		return;
	if (!hw_event_stamp(loaded, HW_SCHEDULE_LOADED_VERSION))
		p->api->publish(self, HW_EVENT_SCHEDULE_LOADED, loaded);
	json_decref(loaded);
}

int sched_plugin_init(hw_plugin *self, const hw_api *api)
{
	struct sched_plugin *p = calloc(1, sizeof(*p));
	int ret = HW_ERR_NOMEM;

	if (!p)
		return HW_ERR_NOMEM;
	p->self = self;
	p->api = api;
	sched_xml_init(); /* before any worker parses XML */
	ret = sched_plugin_config(p);
	if (ret)
		goto fail;
	{
		size_t nsteps;
		const char *const *steps = sched_store_migrations(api, self, &nsteps);
		ret = api->db_migrate(self, steps, nsteps);
	}
	if (ret) {
		api->log(self, HW_LOG_ERROR, "schedule storage migration failed: %d", ret);
		goto fail;
	}
	ret = sched_plugin_commands(p);
	if (ret)
		goto fail;
	ret = api->subscribe(self, HW_EVENT_SCHEDULE_REQUEST, on_schedule_request, p);
	if (!ret)
		ret = api->subscribe(self, HW_EVENT_OSPACES_BOARD, on_ospaces_board, p);
	if (ret || (ret = sched_web_init(p)))
		goto fail;
	api->set_userdata(self, p);
	ret = sched_refresh_start(p);
	if (ret) {
		api->set_userdata(self, NULL);
		goto fail;
	}
	return HW_OK;
fail:
	sched_plugin_free(p);
	return ret;
}

void sched_plugin_shutdown(hw_plugin *self, void *userdata)
{
	struct sched_plugin *p = userdata;

	if (!p)
		return;
	/* Jobs still running are handed back cancelled and free themselves;
	 * the host sweeps the timer and any HTTP request. */
	p->shutting_down = 1;
	if (p->http)
		p->api->cancel(self, p->http);
	if (p->timer)
		p->api->cancel(self, p->timer);
	sched_plugin_free(p);
	sched_fts_release(); /* the search index cache (sched_fts.c) */
}

/* plugins.schedule: checked by the host before init (--check-config too). */
static const hw_setting sched_settings[] = {
	{.key = "source", .type = HW_SETTING_STRING_OR_LIST, .format = HW_FORMAT_PATH_OR_URL,
	 .help = "The programme: an http(s) URL, a local file, or a list of local files and "
		 "folders read as one bundle (EuroPython's days). Relative paths start at the "
		 "folder hallway runs in."},
	{.key = "format", .type = HW_SETTING_STRING, .format = HW_FORMAT_CHOICE,
	 .choices = "auto|frab|xml|pretalx-api|pycon|ics|europython", .def = "auto",
	 .help = "The source's format; auto tells them apart by their content."},
	{.key = "timezone", .type = HW_SETTING_STRING, .format = HW_FORMAT_TIMEZONE,
	 .def = "the schedule's own",
	 .help = "The conference's time zone, for sources that do not carry one."},
	{.key = "refresh_seconds", .type = HW_SETTING_INTEGER, .min = PLUGIN_REFRESH_MIN,
	 .max = 86400, .def = "300",
	 .help = "How often a URL source is fetched again (conditional GET: ETag and "
		 "Last-Modified)."},
	{.key = "main_rooms", .type = HW_SETTING_STRINGS, .format = HW_FORMAT_TEXT,
	 .help = "The main rooms, biggest first: when an answer (now, next) cannot show every "
		 "talk at once, talks in these rooms come first. Without it, rooms of keynotes "
		 "and the main track do."},
	{0},
};

HW_PLUGIN_DEFINE_SETTINGS("schedule", "1.1.0",
			  "The conference programme: next, now, today, day, talk, speaker, rooms",
			  sched_plugin_init, sched_plugin_shutdown, sched_settings);
