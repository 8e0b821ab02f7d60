/*
 * hallway plugin API — the only header a plugin needs.
 *
 * A plugin is a shared object that exports exactly one symbol,
 * `hallway_plugin` (use HW_PLUGIN_DEFINE below). The host checks the ABI
 * version in it, then calls init() with an opaque owner token (hw_plugin *)
 * and a function table (hw_api). Plugins never link against the daemon:
 * every service is reached through the table.
 *
 * Versioning: HW_ABI_MAJOR changes only on incompatible changes; the host
 * refuses plugins built for another major. HW_ABI_MINOR grows when members
 * are appended to hw_api or to the structs below; the host refuses plugins
 * built for a newer minor than its own. Structs carry struct_size so both
 * sides can tell which members exist. ABI 2.0 removed hw_api's db() (a raw
 * SQLite handle): storage is db_run and the statement calls of
 * <hallway/store.h> only, on SQLite and PostgreSQL alike, so no SQLite type
 * crosses the ABI (docs/PLUGINS.md, "ABI history").
 *
 * Ownership: the host records every command, subscription, timer, HTTP
 * request, kept invocation and unit of work (db_run) against the plugin and
 * sweeps them when the plugin is unloaded, before dlclose(). Every string
 * the host keeps is copied; strings handed to callbacks are borrowed and
 * valid only during the callback. json_t arguments are borrowed unless a
 * comment says "steals" (the host then owns the reference, also on error).
 *
 * Threads: every callback runs on the host's single event-loop thread.
 * Plugins must not start threads, block, or change process-global state.
 */
#ifndef HALLWAY_PLUGIN_H
#define HALLWAY_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <hallway/reply.h>
#include <hallway/store.h>
#include <hallway/web.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HW_ABI_MAJOR 2
#define HW_ABI_MINOR 0

#if defined(__GNUC__)
#define HW_EXPORT __attribute__((visibility("default")))
#define HW_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define HW_EXPORT
#define HW_PRINTF(fmt, args)
#endif

/* Opaque token naming the calling plugin; the owner of its registrations. */
typedef struct hw_plugin hw_plugin;
/* Timers and HTTP requests; 0 means failure. */
typedef uint64_t hw_handle;

/* Error codes returned by API calls (0 = success). */
enum hw_err {
	HW_OK = 0,
	HW_ERR_INVALID = -1,    /* bad argument */
	HW_ERR_NOMEM = -2,      /* allocation failed */
	HW_ERR_EXISTS = -3,     /* name already registered */
	HW_ERR_NOT_FOUND = -4,  /* no such object */
	HW_ERR_DENIED = -5,     /* not allowed (e.g. another plugin's table) */
	HW_ERR_UNSUPPORTED = -6,/* not possible through this door / offline */
	HW_ERR_STORAGE = -7,    /* the database failed */
	HW_ERR_PLUGIN = -8,     /* generic plugin failure ("something went wrong") */
	HW_ERR_UNAVAILABLE = -9,/* ABI 1.2: a service (database, upstream) is not
				 * reachable now; nothing was done, try later */
	HW_ERR_CONFLICT = -10,  /* ABI 1.2: a unique constraint refused the write */
};

enum hw_log_level { HW_LOG_ERROR = 0, HW_LOG_WARN, HW_LOG_INFO, HW_LOG_DEBUG };

/* Who may run a command. */
enum hw_perm { HW_PERM_EVERYONE = 0, HW_PERM_ORGANIZER = 1 };

/* Where a command came from. */
enum hw_door {
	HW_DOOR_CHAT = 0,
	HW_DOOR_SLASH = 1,   /* any Discord interaction: slash command, button,
			      * select menu, modal submit */
	HW_DOOR_CONSOLE = 2,
	HW_DOOR_WEB = 3,     /* ABI 1.2: an action on the organizer page */
};

/* Argument types, mapped to Discord option types for slash commands. */
enum hw_arg_type {
	HW_ARG_STRING = 0, /* one word in chat (quotes group words) */
	HW_ARG_TEXT = 1,   /* the rest of the line; only as the last argument */
	HW_ARG_INTEGER = 2,
	HW_ARG_BOOL = 3,
};

typedef struct hw_arg_spec {
	const char *name;        /* lowercase, [a-z0-9_-], <= 32 chars */
	enum hw_arg_type type;
	int required;            /* required arguments come first */
	const char *description; /* <= 100 chars; shown in help and slash UI */
	int autocomplete;        /* 1: the command's complete() offers values */
} hw_arg_spec;

/* One parsed argument of an invocation. Since ABI 1.2 read arguments with
 * api->arg(inv, "name") rather than indexing argv, so this struct can grow. */
typedef struct hw_arg {
	const char *name;
	int present;
	const char *str; /* always set when present (integers as text too) */
	int64_t num;     /* for HW_ARG_INTEGER and HW_ARG_BOOL */
} hw_arg;

/*
 * One invocation of a command: a chat message, a slash interaction or a
 * console line. Borrowed: valid during the command callback only, unless
 * the plugin calls invocation_keep() to answer later.
 */
typedef struct hw_invocation {
	uint32_t struct_size;
	enum hw_door door;
	const char *command;      /* full name, e.g. "sprint join" */
	const char *user_id;      /* snowflake; "console" in the console */
	const char *user_name;    /* display name */
	const char *channel_id;   /* NULL in the console */
	const char *guild_id;     /* NULL in DMs and the console */
	int is_dm;
	int is_organizer;
	size_t argc;
	const hw_arg *argv;       /* in spec order, one per declared argument */
	const char *raw_args;     /* the unparsed argument text (chat/console) */
	void *reserved[4];
} hw_invocation;

/* Handlers return HW_OK, or an error: the user then sees a short
 * "something went wrong" and the host logs the failure. */
typedef int (*hw_command_fn)(hw_plugin *self, const hw_invocation *inv, void *ud);

/* Autocomplete: add up to 25 choices with api->complete_add(). `partial`
 * is what the user has typed so far for argument `arg`. */
typedef struct hw_completion hw_completion;
typedef void (*hw_complete_fn)(hw_plugin *self, const char *arg,
			       const char *partial, hw_completion *out, void *ud);

typedef struct hw_command_spec {
	uint32_t struct_size;     /* sizeof(hw_command_spec) */
	/* "next", or "group sub" (e.g. "sprint join"): a two-word name becomes
	 * a subcommand of a slash command named after the first word. */
	const char *name;
	const char *summary;      /* one line, <= 100 chars */
	const char *help;         /* longer text for `help <command>`; may be NULL */
	enum hw_perm perm;
	const hw_arg_spec *args;
	size_t nargs;
	hw_command_fn fn;
	hw_complete_fn complete;  /* may be NULL */
	void *ud;
	void *reserved[4];
	/* ABI 1.2: sizeof(hw_arg_spec) as the plugin was built, so the element
	 * struct can grow; 0 (or a plugin built for 1.0/1.1) means the 1.0
	 * layout. HW_COMMAND_SPEC_INIT sets both sizes. */
	uint32_t arg_spec_size;
} hw_command_spec;

#define HW_COMMAND_SPEC_INIT .struct_size = sizeof(hw_command_spec), \
	.arg_spec_size = sizeof(hw_arg_spec)

/* A message to post. All fields optional but at least content or embeds.
 * Content is user-visible text; it is never interpreted as a format. */
typedef struct hw_message {
	uint32_t struct_size;
	const char *content;
	json_t *embeds;           /* borrowed array of embed objects, or NULL */
	int ephemeral;            /* only honoured for slash replies */
	int allow_mentions;       /* 0: ping nobody (default). 1: parse
				   * users/roles/everyone as written */
	const char *nonce;        /* optional; sent with enforce_nonce */
	void *reserved[4];
	/* Appended (ABI 1.2): with allow_mentions 0, these users (snowflakes;
	 * at most 100, others dropped) are pinged when the content mentions
	 * them, and nothing else in it pings anyone. Channel sends only; a
	 * host that predates the field pings nobody. */
	const char *const *mention_users;
	size_t nmention_users;
} hw_message;

/* Result of a send: message_id is NULL on failure and error says why.
 * Send, HTTP and timer callbacks are never called once the plugin's
 * shutdown has begun: free anything a pending callback's ud owns there.
 * (A worker job's done() is the exception: always called, with
 * cancelled = 1 at unload, so it can free its argument.) */
typedef void (*hw_send_fn)(hw_plugin *self, int status, const char *message_id,
			   const char *error, void *ud);

typedef void (*hw_event_fn)(hw_plugin *self, const char *type, json_t *data, void *ud);
typedef void (*hw_timer_fn)(hw_plugin *self, hw_handle timer, void *ud);

typedef struct hw_http_request {
	uint32_t struct_size;
	const char *method;       /* NULL = GET */
	const char *url;
	const char *const *headers; /* NULL-terminated "Name: value" list, or NULL */
	const char *body;
	size_t body_len;
	size_t max_bytes;         /* 0 = host default (64 MiB) */
	long timeout_ms;          /* 0 = host default (60 s) */
	void *reserved[4];
} hw_http_request;

typedef struct hw_http_response {
	uint32_t struct_size;
	long status;              /* 0 on transport error */
	const char *error;        /* transport error text, or NULL */
	const char *body;         /* NUL-terminated copy, valid during callback */
	size_t body_len;
	const char *etag;         /* or NULL */
	const char *last_modified;/* or NULL */
	const char *content_type; /* or NULL */
} hw_http_response;

typedef void (*hw_http_fn)(hw_plugin *self, hw_handle req,
			   const hw_http_response *res, void *ud);

/* The host's function table. Append-only within a major version. */
typedef struct hw_api {
	uint32_t struct_size;
	uint16_t abi_major, abi_minor;

	/* Logging: user text goes in arguments, never in fmt. */
	void (*log)(hw_plugin *self, enum hw_log_level level, const char *fmt, ...)
		HW_PRINTF(3, 4);

	/* This plugin's config object (plugins.<name>): borrowed, may be an
	 * empty object, valid until the plugin is unloaded. */
	const json_t *(*config)(hw_plugin *self);

	/* Commands. The spec and every string in it are copied. */
	int (*command_add)(hw_plugin *self, const hw_command_spec *spec);
	void (*complete_add)(hw_completion *out, const char *name, const char *value);

	/* Replies. The invocation must be the one being handled, or a kept one. */
	int (*reply)(hw_plugin *self, const hw_invocation *inv, const char *text);
	int (*reply_message)(hw_plugin *self, const hw_invocation *inv, const hw_message *msg);
	int (*reply_file)(hw_plugin *self, const hw_invocation *inv, const char *text,
			  const char *filename, const void *data, size_t len);
	/* Keep an invocation to answer after the callback returns (interactions
	 * are deferred for you). Returns a new reference; release it with
	 * invocation_release() once answered. */
	const hw_invocation *(*invocation_keep)(hw_plugin *self, const hw_invocation *inv);
	void (*invocation_release)(hw_plugin *self, const hw_invocation *inv);

	/* Sending. cb may be NULL. Long content is split at 2000 characters. */
	int (*send)(hw_plugin *self, const char *channel_id, const hw_message *msg,
		    hw_send_fn cb, void *ud);
	int (*dm)(hw_plugin *self, const char *user_id, const hw_message *msg,
		  hw_send_fn cb, void *ud);
	int (*send_file)(hw_plugin *self, const char *channel_id, const char *text,
			 const char *filename, const void *data, size_t len,
			 hw_send_fn cb, void *ud);

	/* Events: gateway dispatches ("MESSAGE_CREATE", "*" for all) and events
	 * plugins publish ("schedule.changed"). data is borrowed. */
	int (*subscribe)(hw_plugin *self, const char *type, hw_event_fn fn, void *ud);
	/* data: borrowed; delivered synchronously to every subscriber. */
	int (*publish)(hw_plugin *self, const char *type, json_t *data);

	/* Clock: plugins read time only from the host (HALLWAY_NOW, speed). */
	int64_t (*now_ms)(hw_plugin *self);   /* Unix time in ms */

	/* Timers follow the host clock. repeat_ms 0 = one-shot. */
	hw_handle (*timer_add)(hw_plugin *self, int64_t delay_ms, int64_t repeat_ms,
			       hw_timer_fn fn, void *ud);
	/* Cancel a timer or HTTP request: no callback fires after return. */
	void (*cancel)(hw_plugin *self, hw_handle h);

	/* Asynchronous HTTP through the host's libcurl multi. */
	hw_handle (*http)(hw_plugin *self, const hw_http_request *req, hw_http_fn fn, void *ud);

	/* Storage: this plugin's tables ("<plugin>_*", the only ones it may
	 * touch) in the host database. Apply migrations[version..n-1] in one
	 * transaction each; the applied version is recorded by the host. Data
	 * goes through db_run and the statement calls below (ABI 2.0 removed
	 * the raw SQLite handle that used to sit here). */
	int (*db_migrate)(hw_plugin *self, const char *const *migrations, size_t n);

	/* CPU-heavy work (parsing a large schedule) off the loop: run(arg) runs
	 * on a worker thread and must not call the API; done(arg) runs later on
	 * the loop thread, with cancelled=1 if the job was cancelled or the
	 * plugin unloaded (free arg then, and touch nothing else: unloading
	 * never waits for a running job, so this done() may come after
	 * shutdown() returned; the plugin's code stays mapped until it has).
	 * Returns a handle, or 0. */
	hw_handle (*work)(hw_plugin *self, void (*run)(void *arg),
			  void (*done)(hw_plugin *self, void *arg, int cancelled), void *arg);

	/* The names of this plugin and the bot's command prefix. Borrowed. */
	const char *(*name)(hw_plugin *self);
	const char *(*prefix)(hw_plugin *self);

	/* One pointer of plugin state (e.g. for shutdown), owned by the plugin. */
	void (*set_userdata)(hw_plugin *self, void *data);
	void *(*userdata)(hw_plugin *self);

	/* ---- came with ABI 1.2; every 2.x host has them ---- */

	/* Replies as a model (see <hallway/reply.h>); each steals `model`,
	 * also on error. HW_ERR_INVALID (and a log line) for a model that does
	 * not follow the format. */
	int (*reply_model)(hw_plugin *self, const hw_invocation *inv, json_t *model);
	int (*send_model)(hw_plugin *self, const char *channel_id, json_t *model,
			  hw_send_fn cb, void *ud);
	int (*dm_model)(hw_plugin *self, const char *user_id, json_t *model,
			hw_send_fn cb, void *ud);

	/* Guild members. guild() is the guild the bot serves (config
	 * `guild_id`, else the one guild it is in; NULL when unknown). The
	 * calls go through the REST rate limits; cb reports the outcome
	 * (message_id is NULL for these). `reason` goes to the audit log. */
	const char *(*guild)(hw_plugin *self);
	int (*member_role)(hw_plugin *self, const char *guild_id, const char *user_id,
			   const char *role_id, int add, const char *reason,
			   hw_send_fn cb, void *ud);
	int (*member_nick)(hw_plugin *self, const char *guild_id, const char *user_id,
			   const char *nick, const char *reason, hw_send_fn cb, void *ud);

	/* Web (see <hallway/web.h>). Routes live under "/api/<plugin>/",
	 * assets under "/static/<plugin>/" (data borrowed: it must live as
	 * long as the plugin, e.g. embedded in the .so). push() sends
	 * {"topic": "<plugin>.<topic>", "data": data} to every open page
	 * (data borrowed). A panel is an organizer route (GET) answering a
	 * reply model, shown on /organizer under `title`. */
	int (*web_route)(hw_plugin *self, const char *method, const char *path,
			 enum hw_web_access access, hw_web_fn fn, void *ud);
	int (*web_asset)(hw_plugin *self, const char *path, const char *content_type,
			 const void *data, size_t len);
	int (*web_push)(hw_plugin *self, const char *topic, json_t *data);
	int (*web_panel)(hw_plugin *self, const char *title, const char *path);

	/* Storage (see <hallway/store.h>). db_run queues body, then done on
	 * the loop; the rest are for use inside a body only. Text columns are
	 * valid until the next step of that statement. A statement prepared
	 * with the same SQL text is reused: never finalize one. */
	int (*db_run)(hw_plugin *self, hw_tx_fn body, hw_tx_done_fn done, void *ud);
	hw_stmt *(*db_prepare)(hw_tx *tx, const char *sql);
	int (*db_bind_text)(hw_stmt *st, int idx, const char *value); /* 1-based; NULL binds NULL */
	int (*db_bind_int)(hw_stmt *st, int idx, int64_t value);
	int (*db_step)(hw_stmt *st);  /* HW_ROW, HW_DONE, or an error < 0 */
	int64_t (*db_col_int)(hw_stmt *st, int col);             /* 0-based */
	const char *(*db_col_text)(hw_stmt *st, int col);        /* NULL for NULL */
	int (*db_col_is_null)(hw_stmt *st, int col);
	int64_t (*db_changes)(hw_tx *tx);       /* rows changed by the last step */
	const char *(*db_engine)(hw_plugin *self); /* "sqlite" or "postgresql" */

	/* The argument named `name` of inv when it was given, else NULL.
	 * Borrowed like inv. */
	const hw_arg *(*arg)(const hw_invocation *inv, const char *name);

	void *reserved[8];
} hw_api;

/* Whether the host's table has `member`, for members appended after 2.0
 * (a plugin built for a newer minor than the host it runs in never gets
 * here: the host refuses it; this is for a plugin that supports older 2.x
 * hosts). Every member up to arg() is in every 2.x host. */
#define HW_API_HAS(api, member) \
	((api)->struct_size >= offsetof(hw_api, member) + sizeof((api)->member))

/*
 * Settings (ABI 1.1). A plugin declares the keys of its config object
 * (plugins.<name>) as a table ended by a row with key NULL. The host checks
 * the config against it before init, in `hallway --check-config` and at
 * every start (a problem stops the start with exit 2 before any network
 * traffic), suggests the nearest key for an unknown one, and documents
 * every row (`hallway --help-plugin NAME`, docs/CONFIG.md). A plugin still
 * reads its values itself with api->config(); init may assume they passed
 * the checks below.
 */
enum hw_setting_type {
	HW_SETTING_STRING = 1,
	HW_SETTING_INTEGER,       /* min..max inclusive */
	HW_SETTING_BOOLEAN,
	HW_SETTING_STRINGS,       /* a list of strings, each checked by format */
	HW_SETTING_STRING_OR_LIST,/* one string, or a list of them */
	HW_SETTING_MAP,           /* an object of name -> string, or -> list of strings
				   * (format on every value) */
	HW_SETTING_OBJECTS,       /* a list of objects described by fields */
	HW_SETTING_OBJECT,        /* one object described by fields */
};

enum hw_setting_format {
	HW_FORMAT_TEXT = 0,       /* any non-empty text */
	HW_FORMAT_TIMEZONE,       /* an IANA zone the system knows ("Europe/Brussels") */
	HW_FORMAT_URL,            /* http:// or https:// with a host */
	HW_FORMAT_PATH,           /* a file or folder that exists (relative: to the config file) */
	HW_FORMAT_PATH_OR_URL,    /* either of the two above */
	HW_FORMAT_CHANNEL_ID,     /* a Discord snowflake that can be real */
	HW_FORMAT_ROLE_ID,
	HW_FORMAT_CHOICE,         /* one of choices, "a|b|c" */
	HW_FORMAT_DATE,           /* YYYY-MM-DD */
	HW_FORMAT_TIME,           /* HH:MM, 00:00 to 23:59 (a board's slot times) */
};

typedef struct hw_setting {
	const char *key;
	enum hw_setting_type type;
	enum hw_setting_format format;
	int64_t min, max;         /* integers: bounds; strings: max length (0 = none) */
	const char *choices;      /* HW_FORMAT_CHOICE: "auto|frab|ics" */
	const char *def;          /* the default as documentation shows it, or NULL */
	const char *help;         /* one or two sentences for the docs */
	const struct hw_setting *fields; /* OBJECT(S): their keys, ended by key NULL */
	int required;             /* 1: the key must be present */
} hw_setting;

/*
 * Event "plan.collect" (ABI 1.1), published by the host for the organizers'
 * dry run (`plan` command, `hallway --plan`). data:
 *   {"version": 1, "from": <Unix ms>, "to": <Unix ms>, "items": [...],
 *    "plan": <id>, "holds": [...]}
 * A plugin that will post something on its own (scheduled posts, reminders,
 * alerts) appends one object per post due in [from, to) to "items":
 *   {"at": <Unix ms>, "when": "Sat 09:55" (the conference's zone),
 *    "where": "channel <id>" or "DM", "what": "one line, no markup",
 *    "plugin": "<name>"}
 * and touches nothing else. Names of people never go into "what": give
 * counts ("to 12 attendees"). Check "version" before reading the rest
 * (include/hallway/plan.h does both for you).
 *
 * Answering later (a plugin whose answer needs db_run): a host that can
 * wait puts "plan" (an id) and "holds" (an array) in the payload; these
 * were added keys, not a new shape, so the version stays 1 and a plugin
 * that answers at once reads and writes it as before. Such a plugin takes
 * a hold in its handler (hw_plan_hold in plan.h appends {"plugin", "hold"}
 * to "holds") and releases it from its done() callback (hw_plan_release
 * publishes "plan.answer" below). The host draws the plan once every hold
 * is released, or after HW_PLAN_WAIT_MS, naming each plugin that did not
 * answer; it never waits longer. A payload without "plan" comes from a host
 * that cannot wait: answer in the handler or not at all.
 */
#define HW_EVENT_PLAN_COLLECT "plan.collect"
#define HW_PLAN_VERSION 1
#define HW_PLAN_WAIT_MS 10000

/*
 * Event "plan.answer": one released hold, published by the plugin that
 * took it (through hw_plan_release):
 *   {"version": 1, "plan": <id>, "hold": <index>, "plugin": "<name>",
 *    "items": [...as in plan.collect...], "error": "why not" (optional)}
 * "error" says in a few words why the plugin's posts are missing (the
 * database was not reachable); the plan shows it to the organizer. An
 * answer for a plan that is already drawn is dropped.
 */
#define HW_EVENT_PLAN_ANSWER "plan.answer"
#define HW_PLAN_ANSWER_VERSION 1

typedef struct hw_plugin_desc {
	uint32_t struct_size;     /* sizeof(hw_plugin_desc) when built */
	uint16_t abi_major, abi_minor;
	uint32_t api_size;        /* sizeof(hw_api) when built */
	const char *name;         /* must equal the file name without .so */
	const char *version;
	const char *description;
	/* Return HW_OK, or an error to refuse loading (the host sweeps
	 * whatever was registered). */
	int (*init)(hw_plugin *self, const hw_api *api);
	/* Called before unload while the API still works; userdata is what
	 * the plugin gave api->set_userdata (or NULL). May be NULL. */
	void (*shutdown)(hw_plugin *self, void *userdata);
	/* ABI 1.1: the settings table (see hw_setting), or NULL for a plugin
	 * that takes no settings (any key it is given is then a problem). */
	const hw_setting *settings;
	void *reserved[4];
} hw_plugin_desc;

#define HW_PLUGIN_SYMBOL "hallway_plugin"

#define HW_PLUGIN_DEFINE(name_, version_, description_, init_, shutdown_)      \
	HW_PLUGIN_DEFINE_SETTINGS(name_, version_, description_, init_, shutdown_, NULL)

/* The same, with a settings table (const hw_setting[], ended by key NULL). */
#define HW_PLUGIN_DEFINE_SETTINGS(name_, version_, description_, init_, shutdown_, settings_) \
	HW_EXPORT const hw_plugin_desc hallway_plugin = {                         \
		sizeof(hw_plugin_desc), HW_ABI_MAJOR, HW_ABI_MINOR, sizeof(hw_api), \
		(name_), (version_), (description_), (init_), (shutdown_), (settings_), {0}}

#ifdef __cplusplus
}
#endif
#endif /* HALLWAY_PLUGIN_H */
