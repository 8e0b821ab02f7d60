/*
 * hallway: command line, start-up and shutdown order, the event loop.
 *
 *   hallway --config FILE            run the bot
 *   hallway --check-config FILE      validate, list every problem
 *   hallway --console --config FILE  talk to the plugins at the terminal
 */
#include <errno.h>
#include <getopt.h>
#include <libwebsockets.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include <curl/curl.h>
#include <libxml/parser.h>

#include <hallway/events.h>

#include "bus.h"
#include "clock.h"
#include "components.h"
#include "config.h"
#include "settings.h"
#include "console.h"
#include "dispatch.h"
#include "fairuse.h"
#include "gateway.h"
#include "guilds.h"
#include "hallway.h"
#include "health.h"
#include "web.h"
#include "host.h"
#include "host_retry.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "plan_book.h"
#include "rest.h"
#include "router.h"
#include "slash.h"
#include "lease.h"
#include "storage.h"
#include "takeover.h"
#include "work.h"

#define HALLWAY_VERSION "0.1.0"
#define EXIT_CONFIG 2
#define EXIT_FATAL 3   /* Discord refused us for good: restarting cannot help */
#define EXIT_STORAGE 4 /* the database cannot be opened: restart (it may be mounted later) */
#define START_STOPPED (-1) /* start(): a stop signal came first; exit 0 */
/* The housekeeping tick: signals, config reload, slash sync. Idle wakeups
 * cost CPU on a small VPS, so it is slow unless we are shutting down. */
#define TICK_IDLE_MS 250
#define TICK_STOPPING_MS 50

/* Signal handlers only set these; the tick copies them into the context. */
static volatile sig_atomic_t got_stop, got_reload;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		got_reload = 1;
	else
		got_stop = 1;
}

struct runtime {
	struct hallway hw;
	lws_sorted_usec_list_t tick_sul;
	lws_sorted_usec_list_t connect_sul;
	int64_t stop_deadline_ms;
	int64_t close_deadline_ms; /* gateway close frame sent; quit by then */
	int connect_attempt;
	int quit;
	int ready_seen;
	int console;
	int as_organizer;
	/* --plan: the console runs "plan FROM TO" on a copy of the database */
	int plan;
	int online;                /* --check-config --online: report, no plan */
	int online_rc;             /* its verdict: 0 or 1 */
	const char *online_path;
	const char *plan_from, *plan_to;
	char plan_db[4096];
	/* Two daemons: the conference guild as last dumped for the session
	 * save (guilds_dump, owned), and the guilds generation it is of. */
	char *guild_dump;
	unsigned guild_gen;
};

static void tick(lws_sorted_usec_list_t *sul);

/* --check-config --online: what each plugin's sources gave, once loaded. */
struct online {
	struct health *health;
	int bad;
};

static void online_line(void *ud, const char *component, int ok, double age_s,
			double max_age_s)
{
	struct online *o = ud;
	const char *detail = health_detail(o->health, component);
	(void)age_s;
	(void)max_age_s;
	printf("%s %s: %s\n", ok ? "ok" : "PROBLEM", component, *detail ? detail : "-");
	o->bad += !ok;
}

static int online_report(struct runtime *rt)
{
	struct online o = {rt->hw.health, 0};
	const char *name;
	json_t *v;
	health_foreach(rt->hw.health, online_line, &o);
	json_object_foreach(rt->hw.cfg->plugins, name, v) {
		if (json_is_false(v) || host_find(rt->hw.host, name))
			continue;
		printf("PROBLEM plugin %s: did not load (its log lines above say why)\n", name);
		o.bad++;
	}
	printf("%s: %s\n", rt->online_path, o.bad ? "problems found online" : "OK online");
	return o.bad ? 1 : 0;
}


void hallway_request_stop(struct hallway *hw, int exit_code)
{
	struct runtime *rt = lws_container_of(hw, struct runtime, hw);
	if (!hw->stopping) {
		hw->exit_code = exit_code;
		hw->signal_stop = 1;
		if (hw->lws) /* act now rather than at the next idle tick */
			lws_sul_schedule(hw->lws, 0, &rt->tick_sul, tick, 1);
	}
}

/* ---- lws plumbing ---- */

static int loop_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
			     void *in, size_t len)
{
	struct hallway *hw = lws_context_user(lws_get_context(wsi));
	(void)user;
	(void)in;
	(void)len;
	if (reason == LWS_CALLBACK_EVENT_WAIT_CANCELLED && hw && hw->work)
		work_drain(hw->work);
	if (reason == LWS_CALLBACK_EVENT_WAIT_CANCELLED && hw)
		storage_drain(hw->storage);
	return 0;
}

static const struct lws_protocols protocols[] = {
	{"hallway-loop", loop_lws_callback, 0, 0, 0, NULL, 0},
	{"hallway-gateway", gateway_lws_callback, 0, 0, 0, NULL, 0},
	{"hallway-curl", http_lws_callback, 0, 0, 0, NULL, 0},
	{"hallway-console", console_lws_callback, 0, 0, 0, NULL, 0},
	{NULL, NULL, 0, 0, 0, NULL, 0}};

/* ---- gateway wiring ---- */

/* Two daemons: the session as it is after this dispatch, for the next
 * active one (saved when due; after the dispatch, so that claims it made
 * are queued before the save). */
static void keep_session(struct runtime *rt, const char *type, int64_t seq)
{
	const char *sid, *url;
	int64_t gseq, unsettled;

	/* Stopping, the router answers nothing more: what comes now is for
	 * the next active one, which must have it replayed. */
	if (!rt->hw.takeover || rt->hw.stopping)
		return;
	gateway_session(rt->hw.gw, &sid, &url, &gseq);
	/* Not past a command whose handled id is not written yet: if this
	 * daemon dies, Discord replays it to the next one (router_handled.c). */
	unsettled = router_unsettled_seq(rt->hw.router);
	if (unsettled >= 0 && seq >= unsettled)
		seq = unsettled - 1;
	if (!rt->guild_dump || guilds_generation(rt->hw.guilds) != rt->guild_gen) {
		char *dump = guilds_dump(rt->hw.guilds, rt->hw.cfg ? rt->hw.cfg->guild_id : NULL);
		if (dump || !rt->guild_dump) { /* out of memory: keep the last one */
			free(rt->guild_dump);
			rt->guild_dump = dump;
			rt->guild_gen = guilds_generation(rt->hw.guilds);
		}
	}
	takeover_seen(rt->hw.takeover, type, seq, sid, url, rt->guild_dump);
}

static void on_dispatch(void *ud, const char *type, json_t *d, int64_t seq)
{
	struct runtime *rt = ud;
	rt->hw.dispatch_seq = seq;
	dispatch_event(&rt->hw, type, d);
	rt->hw.dispatch_seq = -1;
	keep_session(rt, type, seq);
}

static int wants_dispatch(void *ud, const struct gateway_scan *sc)
{
	return dispatch_wanted(&((struct runtime *)ud)->hw, sc);
}

static void on_skipped(void *ud, const char *type, int64_t seq)
{
	struct runtime *rt = ud;
	metrics_gateway_event(rt->hw.metrics, type);
	keep_session(rt, type, seq);
}

static void on_fatal(void *ud, int code, const char *why)
{
	struct runtime *rt = ud;
	LOGE("main", "stopping: the gateway closed with %d: %s", code, why);
	hallway_request_stop(&rt->hw, EXIT_FATAL);
}

static void connect_gateway(lws_sorted_usec_list_t *sul);

static void retry_connect(struct runtime *rt)
{
	int64_t delay = 1000LL << (rt->connect_attempt < 6 ? rt->connect_attempt : 6);
	delay += rand() % (delay / 5 + 1);
	rt->connect_attempt++;
	LOGW("main", "retrying GET /gateway/bot in %.1f s", delay / 1000.0);
	lws_sul_schedule(rt->hw.lws, 0, &rt->connect_sul, connect_gateway, delay * 1000);
}

static void gateway_bot_done(void *ud, long status, json_t *body, const char *error)
{
	struct runtime *rt = ud;
	const char *url = json_string_value(json_object_get(body, "url"));
	if (rt->hw.stopping)
		return;
	if (status == 401) {
		LOGE("main", "Discord rejected the bot token (HTTP 401 on /gateway/bot): check "
			     "discord.token or HALLWAY_DISCORD_TOKEN");
		hallway_request_stop(&rt->hw, EXIT_FATAL);
		return;
	}
	if (status != 200 || !url) {
		LOGW("main", "GET /gateway/bot failed: HTTP %ld %s", status, error ? error : "");
		retry_connect(rt);
		return;
	}
	rt->connect_attempt = 0;
	if (gateway_start(rt->hw.gw, url)) {
		LOGE("main", "cannot start the gateway connection to %s", url);
		retry_connect(rt);
	}
}

static void connect_gateway(lws_sorted_usec_list_t *sul)
{
	struct runtime *rt = lws_container_of(sul, struct runtime, connect_sul);
	if (!rest_request(rt->hw.rest, "GET", "/gateway/bot", NULL, gateway_bot_done, rt))
		retry_connect(rt);
}

/* ---- reload, stop, periodic work ---- */

static void apply_log_settings(const struct config *cfg)
{
	const char *lv = cfg->log_level;
	log_set_level(!strcmp(lv, "error") ? LOG_ERROR :
		      !strcmp(lv, "warn")  ? LOG_WARN :
		      !strcmp(lv, "debug") ? LOG_DEBUG : LOG_INFO);
	log_set_json(!strcmp(cfg->log_format, "json"));
	if (cfg->token)
		log_add_secret(cfg->token);
}

static void reload_config(struct runtime *rt)
{
	struct hallway *hw = &rt->hw;
	struct config_report rep;
	struct config *fresh = NULL;
	if (config_load(hw->cfg->path, rt->console ? CONFIG_MODE_CONSOLE : CONFIG_MODE_START, &fresh,
			&rep)) {
		for (int i = 0; i < rep.count; i++)
			LOGE("config", "%s", rep.items[i].text);
		LOGE("main", "SIGHUP: the new config has errors; keeping the running one");
		return;
	}
	for (int i = 0; i < rep.count; i++)
		LOGW("config", "%s", rep.items[i].text);
	/* The plugins' settings too: a typo in the new file keeps the old one
	 * running rather than dropping a plugin. */
	memset(&rep, 0, sizeof(rep));
	settings_check_file(fresh->path, &rep);
	if (rep.errors) {
		for (int i = 0; i < rep.count; i++)
			LOGE("config", "%s", rep.items[i].text);
		LOGE("main", "SIGHUP: the new config's plugin settings have errors; keeping the "
		     "running one");
		config_free(fresh);
		return;
	}
	config_free(hw->cfg);
	hw->cfg = fresh;
	apply_log_settings(fresh);
	guilds_set_organizer_roles(hw->guilds, fresh->organizer_roles);
	{
		struct fairuse_config fc;
		fairuse_config_read(&fc, fresh);
		fairuse_configure(hw->fairuse, &fc);
	}
	LOGI("main", "SIGHUP: config reloaded; reloading plugins");
	host_reload_all(hw->host);
}

static void tick(lws_sorted_usec_list_t *sul)
{
	struct runtime *rt = lws_container_of(sul, struct runtime, tick_sul);
	struct hallway *hw = &rt->hw;

	if (got_stop) {
		got_stop = 0;
		hw->signal_stop = 1;
	}
	if (got_reload) {
		got_reload = 0;
		if (!hw->stopping)
			reload_config(rt);
	}
	if (hw->signal_stop && !hw->stopping) {
		hw->stopping = 1;
		notify_stopping(hw->notify);
		rt->stop_deadline_ms = clock_mono_ms() + (hw->cfg ? hw->cfg->shutdown_timeout_ms : 5000);
		LOGI("main", "stopping: unloading plugins, then finishing queued sends (up to %d ms)",
		     hw->cfg ? hw->cfg->shutdown_timeout_ms : 5000);
		if (rt->online && hw->host && !hw->exit_code)
			rt->online_rc = online_report(rt);
		host_destroy(hw->host);
		hw->host = NULL;
		web_close_all(hw->web);
	}
	if (hw->stopping) {
		size_t left = hw->rest ? rest_pending(hw->rest) : 0;
		if (!left || clock_mono_ms() >= rt->stop_deadline_ms) {
			if (left && !rt->close_deadline_ms) {
				LOGW("main", "%zu queued sends not finished at the deadline", left);
				/* Their owners' callbacks free what each keeps. */
				rest_abort(hw->rest, "shutting down");
			}
			if (hw->gw && !rt->close_deadline_ms) {
				/* Close with 1000 and let the close frame go out
				 * (at most 2 s) before the loop ends. */
				/* Two daemons: the standby resumes this session. */
				if (hw->takeover)
					gateway_stop_resumable(hw->gw);
				else
					gateway_stop(hw->gw);
				rt->close_deadline_ms = clock_mono_ms() + 2000;
			}
			if (!hw->gw || gateway_is_stopped(hw->gw) ||
			    clock_mono_ms() >= rt->close_deadline_ms) {
				rt->quit = 1;
				lws_cancel_service(hw->lws);
				return;
			}
		}
	} else if (hw->host) {
		host_retry_tick(hw->host_retry, clock_mono_ms());
		slash_tick(hw->slash);
	}
	lws_sul_schedule(hw->lws, 0, &rt->tick_sul, tick,
			 (hw->stopping ? TICK_STOPPING_MS : TICK_IDLE_MS) * LWS_US_PER_MS);
}

/* ---- command line ---- */

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: hallway --config FILE           run the bot\n"
		"       hallway --check-config FILE     validate a config file\n"
		"       hallway --console --config FILE [--as organizer] [--now ISO-8601]\n"
		"                                       type commands at the terminal, no network\n"
		"Options:\n"
		"  -c, --config FILE        config file (JSON)\n"
		"      --check-config FILE  exit 0 when valid, else 1 listing every problem\n"
		"      --online             with --check-config: also load every plugin once (a dry\n"
		"                           run) and say what each source gave\n"
		"      --help-plugin NAME   the settings plugins.NAME takes\n"
		"      --plan [--from T [--to T]]  what the bot will post, where and when\n"
		"                           (next 24 h; T is ISO-8601 or, for --from, hours)\n"
		"      --config-doc [NAME...]  docs/CONFIG.md: every setting, as Markdown\n"
		"      --console            the console door instead of Discord\n"
		"      --as ROLE            console role: attendee (default) or organizer\n"
		"      --now ISO-8601       start the clock at this instant (also HALLWAY_NOW)\n"
		"      --step-down          PostgreSQL: end the active daemon's lease now (it exits;\n"
		"                           the standby takes over)\n"
		"  -h, --help               this help\n"
		"  -V, --version            the version\n"
		"Environment: HALLWAY_DISCORD_TOKEN (wins over discord.token), HALLWAY_NOW,\n"
		"             HALLWAY_CLOCK_SPEED (run the clock N times faster)\n"
		"Config keys:\n");
	config_print_options(out);
}

static int check_config(const char *path)
{
	struct config_report rep;
	struct config *cfg = NULL;
	int rc = config_load(path, CONFIG_MODE_RUN, &cfg, &rep);
	/* Every plugin and its settings too, even when the core keys failed. */
	settings_check_file(path, &rep);
	if (rep.errors)
		rc = -1;
	for (int i = 0; i < rep.count; i++)
		printf("%s%s\n", rep.items[i].is_error ? "" : "warning: ", rep.items[i].text);
	if (rep.errors + rep.warnings > rep.count)
		printf("(more problems not shown)\n");
	config_free(cfg);
	if (rc) {
		fprintf(stderr, "%s: %d problem%s\n", path, rep.errors, rep.errors == 1 ? "" : "s");
		return 1;
	}
	printf("%s: OK\n", path);
	return 0;
}

/* docs/CONFIG.md: the core keys, then each plugin's, from the same tables
 * that check them (tests/unit compares the file with this output). */
static int config_doc(const char *config_path, int nplugins, char **plugins)
{
	static const char *const all[] = {"schedule",  "announce", "sprints",      "openspaces",
					  "recommend", "hello",    "registration"};
	int rc = 0;
	printf("# Configuration\n\n"
	       "<!-- Generated by `hallway --config-doc`; edit the tables in bot/core/config.c and in each "
	       "plugin, not this file. -->\n\n"
	       "One JSON file (see `config.example.json`). `hallway --check-config FILE` checks "
	       "every key below, the plugins' included, and exits 1 listing every problem; a start "
	       "with any of them exits 2 before any network traffic.\n\n"
	       "## Core keys\n\n| Key | What it does | Default |\n|---|---|---|\n");
	config_print_markdown(stdout);
	printf("\n");
	if (!nplugins) {
		nplugins = (int)(sizeof(all) / sizeof(all[0]));
		plugins = (char **)all;
	}
	for (int i = 0; i < nplugins; i++)
		if (settings_print_plugin(config_path, plugins[i], 1, stdout))
			rc = EXIT_CONFIG;
	return rc;
}

/* ---- start-up and teardown ---- */

/* Sleeps ms unless a stop signal comes first. Returns 1 if one did. */
static int sleep_unless_stopped(int ms)
{
	for (; ms > 0 && !got_stop; ms -= 100) {
		struct timespec ts = {0, (ms < 100 ? ms : 100) * 1000000L};
		nanosleep(&ts, NULL);
	}
	return got_stop != 0;
}

/* The data folder may not be mounted yet, or the filesystem may still be
 * read-only, when the service starts: try for 15 s with backoff before
 * giving up with EXIT_STORAGE, which the systemd unit restarts (unlike
 * EXIT_FATAL). No event loop runs yet, so sleeping blocks nothing. */
static int open_storage(struct hallway *hw)
{
	static const int wait_ms[] = {1000, 2000, 4000, 8000};
	size_t n = sizeof(wait_ms) / sizeof(wait_ms[0]);

	for (size_t i = 0;; i++) {
		if (!storage_open(hw->cfg->storage_path, &hw->storage))
			return 0;
		if (i == n)
			break;
		LOGW("main", "cannot open the database %s (attempt %zu of %zu); trying again in %d s",
		     hw->cfg->storage_path, i + 1, n + 1, wait_ms[i] / 1000);
		if (sleep_unless_stopped(wait_ms[i])) {
			LOGI("main", "stop requested while waiting for the database");
			return START_STOPPED;
		}
	}
	LOGE("main", "cannot open the database %s after %zu attempts; exiting with %d so that "
	     "the service manager starts the daemon again", hw->cfg->storage_path, n + 1,
	     EXIT_STORAGE);
	return EXIT_STORAGE;
}

/* PostgreSQL with a lease (storage_lease_start): the gateway connects only
 * while this process is the active one. Losing the lease ends the process
 * at once, without a frame or request more (the gateway session stays
 * resumable for the new active one); the service manager starts it again,
 * as the standby. */
#define EXIT_STANDBY 5

/* Tells the plugins this daemon is the active one now (events.h,
 * HW_EVENT_LEASE_ACTIVE): their outboxes take over what the previous one
 * left claimed. */
static void publish_active(struct hallway *hw)
{
	int64_t epoch = 0;
	uint64_t takeovers = 0;
	double takeover_s = 0;
	json_t *data;
	if (storage_lease_info(hw->storage, &epoch, &takeovers, &takeover_s))
		return;
	if (!(data = json_pack("{s:i, s:I}", "version", HW_LEASE_ACTIVE_VERSION, "epoch",
			       (json_int_t)epoch))) {
		LOGE("main", "out of memory telling the plugins this daemon is active");
		return;
	}
	bus_publish(hw->bus, HW_EVENT_LEASE_ACTIVE, data);
	json_decref(data);
}

/* The conference guild the last active daemon kept with the session
 * (guilds_dump): learnt before the RESUME, so organizers' commands in the
 * replay and right after it are known as theirs. */
static void learn_kept_guild(struct hallway *hw, const char *text)
{
	const char *want = hw->cfg ? hw->cfg->guild_id : NULL;
	json_error_t e;
	json_t *g;

	if (!text || !want)
		return;
	if (!(g = json_loads(text, 0, &e))) {
		LOGW("main", "the conference guild kept with the session is not JSON (%s): its roles "
		     "come from Discord", e.text);
		return;
	}
	if (json_is_string(json_object_get(g, "id")) &&
	    !strcmp(json_string_value(json_object_get(g, "id")), want))
		guilds_learn(hw->guilds, g);
	else
		LOGI("main", "the guild kept with the session is not discord.guild_id: not used");
	json_decref(g);
}

/* The stored session is read (takeover_load): resume it, then connect. */
static void session_loaded(void *ud, const struct takeover_stored *kept)
{
	struct runtime *rt = ud;
	const char *session_id = kept->session_id, *resume_url = kept->resume_url;
	int64_t seq = kept->seq;

	if (rt->hw.stopping)
		return;
	if (session_id)
		learn_kept_guild(&rt->hw, kept->guild);
	components_adopt(&rt->hw, kept->kept);
	if (session_id && gateway_adopt_session(rt->hw.gw, session_id, resume_url, seq))
		LOGW("main", "cannot take over the stored Discord session; starting a new one");
	else if (session_id)
		LOGI("main", "resuming the Discord session the last active daemon kept (seq %lld)",
		     (long long)seq);
	lws_sul_schedule(rt->hw.lws, 0, &rt->connect_sul, connect_gateway, 1);
}

/* Active: connect to Discord, resuming the session the last active one
 * kept when there is one (two daemons). */
static void go_active(struct runtime *rt)
{
	if (rt->hw.takeover && !takeover_load(rt->hw.takeover, session_loaded, rt))
		return;
	if (rt->hw.takeover)
		LOGW("main", "cannot read the stored Discord session; starting a new one");
	lws_sul_schedule(rt->hw.lws, 0, &rt->connect_sul, connect_gateway, 1);
}

static void on_role(void *ud, int active)
{
	struct runtime *rt = ud;
	if (active) {
		LOGI("main", "active: connecting to Discord");
		rest_hold(rt->hw.rest, 0);
		publish_active(&rt->hw);
		go_active(rt);
		return;
	}
	LOGE("main", "the lease is lost: another daemon is active now; exiting at once "
	     "(restarted, this one is the standby)");
	_exit(EXIT_STANDBY);
}

/* This process's name in the lease: HALLWAY_INSTANCE, else host:pid. */
static void lease_holder(char *out, size_t len)
{
	const char *env = getenv("HALLWAY_INSTANCE");
	char host[64] = "host";
	size_t i;
	if (env && *env) {
		snprintf(out, len, "%s", env);
	} else {
		gethostname(host, sizeof(host) - 1);
		snprintf(out, len, "%s:%ld", host, (long)getpid());
	}
	for (i = 0; out[i]; i++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.:_-",
			    out[i]))
			out[i] = '_';
}

static int start(struct runtime *rt, const char *now_iso)
{
	struct hallway *hw = &rt->hw;
	struct lws_context_creation_info info;
	struct fairuse_config fc;
	const char *speed_env = getenv("HALLWAY_CLOCK_SPEED");
	double speed = speed_env ? strtod(speed_env, NULL) : 1.0;
	int err;

	if (!now_iso)
		now_iso = getenv("HALLWAY_NOW");
	if (clock_init(&hw->clock, now_iso && *now_iso ? now_iso : NULL, speed)) {
		LOGE("main", "cannot parse the start instant \"%s\" (want e.g. 2026-11-26T09:55:00+01:00)",
		     now_iso);
		return EXIT_CONFIG;
	}
	if (hw->clock.fixed)
		LOGI("main", "conference clock starts at %s, speed %.1fx", now_iso ? now_iso : "now",
		     hw->clock.speed);
	if ((err = open_storage(hw)))
		return err;
	if (hw->cfg->storage_url && storage_use_postgres(hw->storage, hw->cfg->storage_url))
		return EXIT_FATAL;

	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.user = hw;
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.fd_limit_per_thread = 1024;
	hw->lws = lws_create_context(&info);
	if (!hw->lws) {
		LOGE("main", "cannot create the event loop (libwebsockets context)");
		return EXIT_FATAL;
	}
	hw->vhost = lws_get_vhost_by_name(hw->lws, "default");
	fairuse_config_read(&fc, hw->cfg);
	if (!(hw->fairuse = fairuse_create(&fc)) || !(hw->work = work_create(hw->lws, 2)) ||
	    storage_start(hw->storage, hw->lws) ||
	    !(hw->http = http_create(hw->lws, hw->vhost)) ||
	    !(hw->bus = bus_create()) || !(hw->plans = plan_book_create(hw)) ||
	    !(hw->guilds = guilds_create(hw->bus, hw->cfg->organizer_roles)) ||
	    guilds_fetch_start(hw) ||
	    !(hw->router = router_create(hw)) || router_add_builtins(hw->router) ||
	    components_start(hw) ||
	    !(hw->host = host_create(hw)) || !(hw->host_retry = host_retry_create(hw)) ||
	    !(hw->slash = slash_create(hw))) {
		LOGE("main", "start-up failed");
		return EXIT_FATAL;
	}
	if (!rt->console) {
		struct rest_config rc = {hw->cfg->api_base, hw->cfg->token, 5,
					 hw->cfg->global_rate_limit};
		struct gateway_config gc = {hw->cfg->token, hw->cfg->intents, hw->cfg->compress,
					    hw->cfg->large_threshold};
		struct gateway_callbacks cb = {on_dispatch, on_fatal, rt, wants_dispatch, on_skipped,
					       router_message_fields};
		if (hw->cfg->application_id)
			snprintf(hw->application_id, sizeof(hw->application_id), "%s",
				 hw->cfg->application_id);
		if (!(hw->rest = rest_create(hw->lws, hw->http, &rc)) ||
		    !(hw->gw = gateway_create(hw->lws, hw->vhost, hw->work, &gc, &cb))) {
			LOGE("main", "start-up failed (REST or gateway)");
			return EXIT_FATAL;
		}
	}
	/* Production: metrics, /healthz and /metrics, systemd notifications. */
	if (!(hw->metrics = metrics_create(hw->bus)) || !(hw->health = health_create(hw)) ||
	    !(hw->web = web_create(hw)) || web_dashboard_add(hw->web) ||
	    ((!rt->console || hw->cfg->http_listen) && web_listen(hw->web)) ||
	    !(hw->notify = notify_create(hw, !rt->console)))
		return EXIT_FATAL;
	rest_set_observer(hw->rest, metrics_rest_response, hw->metrics);
	if (hw->cfg->storage_url && !rt->console) {
		char holder[64];
		lease_holder(holder, sizeof(holder));
		if (storage_lease_start(hw->storage, hw->lws, holder, hw->cfg->lease_ms, on_role, rt))
			return EXIT_FATAL;
		LOGI("main", "%s: %s", holder, storage_role(hw->storage));
		/* The standby's plugins run (timers, caches) but send nothing. */
		rest_hold(hw->rest, strcmp(storage_role(hw->storage), "active") != 0);
		if (!(hw->takeover = takeover_create(hw->storage, hw->cfg->session_save_ms)))
			return EXIT_FATAL;
	}
	host_load_all(hw->host);
	if (rt->console) {
		if (rt->plan) {
			char script[600];
			snprintf(script, sizeof(script), "%s %s %s\n", rt->online ? "" : "plan",
				 rt->plan_from ? rt->plan_from : "", rt->plan_to ? rt->plan_to : "");
			hw->console = console_create_script(hw, 1, script);
		} else {
			hw->console = console_create(hw, rt->as_organizer);
		}
		if (!hw->console)
			return EXIT_FATAL;
	} else if (!storage_role(hw->storage) || !strcmp(storage_role(hw->storage), "active")) {
		go_active(rt);
	} else {
		LOGI("main", "standby: plugins loaded; Discord waits until the lease is ours");
		notify_standby(hw->notify);
		/* (rest is held since the lease started: nothing sent meanwhile) */
	}
	lws_sul_schedule(hw->lws, 0, &rt->tick_sul, tick, TICK_IDLE_MS * LWS_US_PER_MS);
	return 0;
}

static void teardown(struct runtime *rt)
{
	struct hallway *hw = &rt->hw;
	if (hw->lws) {
		lws_sul_cancel(&rt->tick_sul);
		lws_sul_cancel(&rt->connect_sul);
	}
	plan_book_destroy(hw->plans); /* a plan still waiting is dropped */
	hw->plans = NULL;
	host_destroy(hw->host);
	hw->host = NULL;
	storage_stop(hw->storage); /* its thread wakes the loop: before the context goes */
	takeover_destroy(hw->takeover); /* its jobs were completed by storage_stop */
	free(rt->guild_dump);
	hw->takeover = NULL;
	components_adopt(hw, NULL);
	host_retry_destroy(hw->host_retry);
	hw->host_retry = NULL;
	console_destroy(hw->console);
	gateway_destroy(hw->gw);
	rest_destroy(hw->rest);
	http_destroy(hw->http);
	work_destroy(hw->work);
	slash_destroy(hw->slash);
	router_destroy(hw->router);
	fairuse_destroy(hw->fairuse);
	hw->fairuse = NULL;
	guilds_destroy(hw->guilds);
	notify_destroy(hw->notify);
	metrics_destroy(hw->metrics);
	hw->metrics = NULL;
	bus_destroy(hw->bus);
	if (hw->lws)
		lws_context_destroy(hw->lws);
	health_destroy(hw->health);
	web_destroy(hw->web); /* after the context: lws points into it */
	hw->web = NULL;
	storage_close(hw->storage);
	config_free(hw->cfg);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"check-config", required_argument, NULL, 'k'},
		{"online", no_argument, NULL, 'O'},
		{"help-plugin", required_argument, NULL, 'P'},
		{"plan", no_argument, NULL, 'L'},
		{"from", required_argument, NULL, 'F'},
		{"to", required_argument, NULL, 'T'},
		{"config-doc", no_argument, NULL, 'D'},
		{"console", no_argument, NULL, 'C'},
		{"as", required_argument, NULL, 'a'},
		{"now", required_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{"step-down", no_argument, NULL, 'S'},
		{NULL, 0, NULL, 0}};
	static struct runtime rt; /* large; lives for the whole process */
	struct config_report rep;
	const char *config_path = NULL, *now_iso = NULL, *help_plugin = NULL, *check_path = NULL;
	int step_down = 0;
	struct sigaction sa;
	int c, rc;

	rt.hw.dispatch_seq = -1;
	while ((c = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config_path = optarg; break;
		case 'k': check_path = optarg; break;
		case 'O': rt.online = 1; break;
		case 'P': help_plugin = optarg; break;
		case 'D': return config_doc(config_path, argc - optind, argv + optind);
		case 'C': rt.console = 1; break;
		case 'L': rt.plan = rt.console = 1; break;
		case 'F': rt.plan_from = optarg; break;
		case 'T': rt.plan_to = optarg; break;
		case 'a':
			if (!strcmp(optarg, "organizer"))
				rt.as_organizer = 1;
			else if (strcmp(optarg, "attendee")) {
				fprintf(stderr, "hallway: --as takes organizer or attendee\n");
				return EXIT_CONFIG;
			}
			break;
		case 'n': now_iso = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("hallway %s (plugin ABI %d.%d)\n", HALLWAY_VERSION, HW_ABI_MAJOR, HW_ABI_MINOR); return 0;
		case 'S': step_down = 1; break;
		default: usage(stderr); return EXIT_CONFIG;
		}
	}
	if (help_plugin)
		return settings_print_plugin(config_path, help_plugin, 0, stdout) ? EXIT_CONFIG : 0;
	if (check_path) {
		/* --online: then load every plugin once, as a dry run on a copy of
		 * the database, and say what each source gave. */
		if ((rc = check_config(check_path)) || !rt.online)
			return rc;
		config_path = rt.online_path = check_path;
		rt.plan = rt.console = 1;
	}
	if (!config_path || optind < argc) {
		usage(stderr);
		return EXIT_CONFIG;
	}
	if (getenv("HALLWAY_DISCORD_TOKEN"))
		log_add_secret(getenv("HALLWAY_DISCORD_TOKEN"));
	if (config_load(config_path, rt.console ? CONFIG_MODE_CONSOLE : CONFIG_MODE_START, &rt.hw.cfg,
			&rep)) {
		for (int i = 0; i < rep.count; i++)
			LOGE("config", "%s", rep.items[i].text);
		return EXIT_CONFIG;
	}
	for (int i = 0; i < rep.count; i++)
		LOGW("config", "%s", rep.items[i].text);
	if (step_down) {
		char err[256] = "";
		int bad = !rt.hw.cfg->storage_url ||
			  lease_step_down(rt.hw.cfg->storage_url, err, sizeof(err));
		if (!rt.hw.cfg->storage_url)
			fprintf(stderr, "hallway: --step-down needs a postgresql:// storage.url\n");
		else if (bad)
			fprintf(stderr, "hallway: --step-down: %s\n", err);
		else
			printf("the lease is ended: the standby takes over within a second%s%s\n",
			       err[0] ? "; " : "", err);
		config_free(rt.hw.cfg);
		return bad ? 1 : 0;
	}
	/* The plugins' settings: a mistake stops the start before any network
	 * traffic, with the same list --check-config gives. */
	memset(&rep, 0, sizeof(rep));
	settings_check_file(config_path, &rep);
	if (rep.errors) {
		for (int i = 0; i < rep.count; i++)
			LOGE("config", "%s", rep.items[i].text);
		LOGE("config", "%d problem%s in the plugins' settings; not starting (hallway "
		     "--check-config %s lists them too)", rep.errors, rep.errors == 1 ? "" : "s",
		     config_path);
		config_free(rt.hw.cfg);
		return EXIT_CONFIG;
	}
	if (rt.plan) {
		/* The dry run works on a copy: loading the plugins must not send,
		 * or mark as sent, anything of the live database. */
		char *copy;
		if ((rt.plan_to && !rt.plan_from) ||
		    storage_snapshot(rt.hw.cfg->storage_path, rt.plan_db, sizeof(rt.plan_db)) ||
		    !(copy = strdup(rt.plan_db))) {
			if (rt.plan_to && !rt.plan_from)
				fprintf(stderr, "hallway: --to needs --from\n");
			config_free(rt.hw.cfg);
			return EXIT_CONFIG;
		}
		free(rt.hw.cfg->storage_path);
		rt.hw.cfg->storage_path = copy;
		rt.hw.plan_only = 1;
	}
	apply_log_settings(rt.hw.cfg);
	log_route_lws();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	/* libxml2 keeps per-thread state in our worker threads while a plugin
	 * parses XML there. Loading it here keeps it mapped for the life of
	 * the process, so a plugin's dlclose cannot unload it under that state
	 * (which would leak it); the state is freed as the workers exit. */
	xmlInitParser();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	rc = start(&rt, now_iso);
	if (rc == START_STOPPED) {
		rc = 0;
	} else if (!rc) {
		LOGI("main", "hallway %s running%s", HALLWAY_VERSION, rt.console ? " (console)" : "");
		while (!rt.quit)
			if (lws_service(rt.hw.lws, 0) < 0)
				break;
		rc = rt.hw.exit_code;
		if (rt.online && !rc)
			rc = rt.online_rc;
	}
	teardown(&rt);
	if (rt.plan_db[0]) {
		char side[4200];
		unlink(rt.plan_db);
		snprintf(side, sizeof(side), "%s-wal", rt.plan_db);
		unlink(side);
		snprintf(side, sizeof(side), "%s-shm", rt.plan_db);
		unlink(side);
	}
	curl_global_cleanup();
	LOGI("main", "exit %d", rc);
	return rc;
}
