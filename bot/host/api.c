/*
 * The hw_api function table: what a plugin can do, each call recorded
 * against its owner so unload can sweep it (host.c calls api_sweep).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "clock.h"
#include "config.h"
#include "console.h"
#include "hallway.h"
#include "host.h"
#include "http.h"
#include "log.h"
#include "rest.h"
#include "router.h"
#include "storage.h"
#include "work.h"
#include "api_reply.h"

#include <curl/curl.h>
#include <hallway/text.h>

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

static struct hallway *hw_of(struct plugin *p)
{
	return p->host->hw;
}

static hw_handle next_handle(struct plugin *p)
{
	return ++p->host->next_handle;
}

/* ---- log, config, names, clock ---- */

static void api_log(hw_plugin *self, enum hw_log_level level, const char *fmt, ...)
{
	struct plugin *p = plugin_from(self);
	char module[80];
	va_list ap;
	if (level < HW_LOG_ERROR || level > HW_LOG_DEBUG)
		level = HW_LOG_INFO;
	snprintf(module, sizeof(module), "plugin:%s", p ? p->name : "host");
	va_start(ap, fmt);
	hw_logv((enum log_level)level, module, fmt, ap);
	va_end(ap);
}

static const json_t *api_config(hw_plugin *self)
{
	return plugin_from(self)->config;
}

static const char *api_name(hw_plugin *self)
{
	return plugin_from(self)->name;
}

static const char *api_prefix(hw_plugin *self)
{
	struct hallway *hw = hw_of(plugin_from(self));
	return hw->cfg && hw->cfg->prefix ? hw->cfg->prefix : "!";
}

static int64_t api_now_ms(hw_plugin *self)
{
	return clock_now_ms(&hw_of(plugin_from(self))->clock);
}

/* ---- commands and replies ---- */

static int api_command_add(hw_plugin *self, const hw_command_spec *spec)
{
	struct plugin *p = plugin_from(self);
	char why[256] = "";
	int rc = commands_add(router_commands(hw_of(p)->router), p, p->host->replacing, spec, why,
			      sizeof(why));
	if (rc != HW_OK)
		LOGE("host", "plugin %s: cannot register command \"%s\": %s", p->name,
		     spec && spec->name ? spec->name : "(null)", why);
	else
		p->host->generation++;
	return rc;
}

static void api_complete_add(hw_completion *out, const char *name, const char *value)
{
	json_t *choice;
	if (!out || !name || !value || json_array_size(out->choices) >= 25)
		return;
	/* Discord caps choice names and values at 100 characters. */
	if (strlen(name) > 100 || strlen(value) > 100)
		return;
	choice = json_pack("{s:s, s:s}", "name", name, "value", value);
	if (choice)
		json_array_append_new(out->choices, choice);
}

/* A struct a plugin hands in must be at least as large as its 1.0 layout
 * (struct_size up to the reserved tail). */
#define HW_STRUCT_OK(ptr, type) ((ptr) && (ptr)->struct_size >= offsetof(type, reserved))

static struct invocation *inv_of(const hw_invocation *inv)
{
	return (struct invocation *)inv;
}

static int api_reply_message(hw_plugin *self, const hw_invocation *inv, const hw_message *msg)
{
	(void)self;
	if (!inv || !HW_STRUCT_OK(msg, hw_message))
		return HW_ERR_INVALID;
	return router_reply(inv_of(inv), msg);
}

static int api_reply(hw_plugin *self, const hw_invocation *inv, const char *text)
{
	hw_message m = {.struct_size = sizeof(m), .content = text};
	return api_reply_message(self, inv, &m);
}

static int api_reply_file(hw_plugin *self, const hw_invocation *inv, const char *text,
			  const char *filename, const void *data, size_t len)
{
	(void)self;
	if (!inv)
		return HW_ERR_INVALID;
	return router_reply_file(inv_of(inv), text, filename, data, len);
}

static const hw_invocation *api_invocation_keep(hw_plugin *self, const hw_invocation *pub)
{
	struct plugin *p = plugin_from(self);
	struct invocation *inv = inv_of(pub);
	if (!p || !inv || inv->owner)
		return inv && inv->owner == p ? pub : NULL;
	invocation_ref(inv);
	inv->owner = p;
	inv->next_kept = p->kept;
	p->kept = inv;
	return pub;
}

static void api_invocation_release(hw_plugin *self, const hw_invocation *pub)
{
	struct plugin *p = plugin_from(self);
	struct invocation *inv = inv_of(pub);
	if (!p || !inv || inv->owner != p)
		return;
	for (struct invocation **pp = &p->kept; *pp; pp = &(*pp)->next_kept) {
		if (*pp == inv) {
			*pp = inv->next_kept;
			break;
		}
	}
	inv->owner = NULL;
	invocation_unref(inv);
}

/* ---- sending ---- */

struct plugin_pending *pending_new(struct plugin *p, int kind, void *fn, void *ud)
{
	struct plugin_pending *pp = calloc(1, sizeof(*pp));
	if (!pp)
		return NULL;
	pp->p = p;
	pp->kind = kind;
	pp->fn = fn;
	pp->ud = ud;
	pp->id = next_handle(p);
	pp->next = p->pending;
	p->pending = pp;
	return pp;
}

/* Unlinks pp from its plugin's list (it may already be detached). */
void pending_unlink(struct plugin_pending *pp)
{
	if (pp->cancelled)
		return;
	for (struct plugin_pending **it = &pp->p->pending; *it; it = &(*it)->next) {
		if (*it == pp) {
			*it = pp->next;
			return;
		}
	}
}

void pending_free(struct plugin_pending *pp)
{
	free(pp->channel_id);
	json_decref(pp->msg);
	free(pp);
}

void send_done(void *ud, long status, json_t *body, const char *error)
{
	struct plugin_pending *pp = ud;
	hw_send_fn fn = (hw_send_fn)pp->fn;
	const char *id = json_string_value(json_object_get(body, "id"));
	int ok = status >= 200 && status < 300;
	if (!pp->cancelled) {
		pending_unlink(pp);
		if (fn)
			fn(plugin_token(pp->p), (int)status, ok ? id : NULL,
			   ok ? NULL : (error ? error : json_string_value(json_object_get(body, "message"))),
			   pp->ud);
	}
	pending_free(pp);
}

/* Console mode has no Discord: sends are shown on the console. */
static int console_send(struct plugin *p, const char *where, const hw_message *msg)
{
	struct hallway *hw = hw_of(p);
	size_t n = strlen(where) + (msg->content ? strlen(msg->content) : 0) + sizeof("(posted ) ");
	char *line;
	if (hw->plan_only)
		return HW_OK; /* a dry run on a copy of the database: only the plan is shown */
	if (!(line = malloc(n)))
		return HW_ERR_NOMEM;
	snprintf(line, n, "(posted %s) %s", where, msg->content ? msg->content : "(embed)");
	console_print(hw->console, line);
	free(line);
	return HW_OK;
}

/* allowed_mentions for msg's mention_users (a field appended to
 * hw_message: read only when the plugin's struct has it), or NULL when
 * there are none: rest_allowed_users keeps the snowflakes, each once, at
 * most Discord's 100, and nothing else pings. */
static json_t *mention_users(const hw_message *msg)
{
	json_t *users, *am;
	if (msg->struct_size < offsetof(hw_message, nmention_users) + sizeof(msg->nmention_users) ||
	    !msg->mention_users || !msg->nmention_users)
		return NULL;
	if (!(users = json_array()))
		return NULL;
	for (size_t i = 0; i < msg->nmention_users; i++) {
		/* Not UTF-8 is not an id either: dropped like any other. */
		json_t *u = msg->mention_users[i] ? json_string(msg->mention_users[i]) : NULL;
		if (u && json_array_append_new(users, u)) {
			json_decref(users);
			return NULL;
		}
	}
	am = rest_allowed_users(users);
	json_decref(users);
	return am;
}

/* Starts the REST send of msg to channel_id for pending pp. */
static int start_send(struct plugin_pending *pp, const char *channel_id, const hw_message *msg)
{
	struct hallway *hw = hw_of(pp->p);
	json_t *tmpl = json_object(), *am;
	uint64_t id;
	if (!tmpl)
		return HW_ERR_NOMEM;
	if (!msg->allow_mentions && (am = mention_users(msg)))
		json_object_set_new(tmpl, "allowed_mentions", am);
	if (msg->embeds && json_array_size(msg->embeds))
		json_object_set(tmpl, "embeds", msg->embeds);
	if (msg->nonce && *msg->nonce) {
		json_object_set_new(tmpl, "nonce", json_string(msg->nonce));
		json_object_set_new(tmpl, "enforce_nonce", json_true());
	}
	id = rest_send_message(hw->rest, channel_id, msg->content ? msg->content : "", tmpl,
			       msg->allow_mentions, send_done, pp);
	json_decref(tmpl);
	return id ? HW_OK : HW_ERR_NOMEM;
}

static int api_send(hw_plugin *self, const char *channel_id, const hw_message *msg,
		    hw_send_fn cb, void *ud)
{
	struct plugin *p = plugin_from(self);
	struct plugin_pending *pp;
	char where[64];
	int rc;
	if (!channel_id || !*channel_id || !HW_STRUCT_OK(msg, hw_message) ||
	    ((!msg->content || !*msg->content) && !json_array_size(msg->embeds)))
		return HW_ERR_INVALID;
	if (!hw_of(p)->rest) {
		snprintf(where, sizeof(where), "to channel %s", channel_id);
		rc = console_send(p, where, msg);
		if (rc == HW_OK && cb)
			cb(self, 200, "console", NULL, ud);
		return rc;
	}
	if (!(pp = pending_new(p, PENDING_SEND, (void *)cb, ud)))
		return HW_ERR_NOMEM;
	rc = start_send(pp, channel_id, msg);
	if (rc != HW_OK) {
		pending_unlink(pp);
		pending_free(pp);
	}
	return rc;
}

static void dm_channel_done(void *ud, long status, json_t *body, const char *error)
{
	struct plugin_pending *pp = ud;
	const char *channel = json_string_value(json_object_get(body, "id"));
	hw_message m = {.struct_size = sizeof(m)};
	if (pp->cancelled) {
		pending_free(pp);
		return;
	}
	if (status < 200 || status >= 300 || !channel) {
		send_done(pp, status ? status : 0, body, error ? error : "cannot open a DM channel");
		return;
	}
	m.content = json_string_value(json_object_get(pp->msg, "content"));
	m.embeds = json_object_get(pp->msg, "embeds");
	m.nonce = json_string_value(json_object_get(pp->msg, "nonce"));
	if (start_send(pp, channel, &m) != HW_OK)
		send_done(pp, 0, NULL, "out of memory");
}

static int api_dm(hw_plugin *self, const char *user_id, const hw_message *msg, hw_send_fn cb,
		  void *ud)
{
	struct plugin *p = plugin_from(self);
	struct hallway *hw = hw_of(p);
	struct plugin_pending *pp;
	char where[64];
	if (!user_id || !*user_id || !HW_STRUCT_OK(msg, hw_message) || ((!msg->content || !*msg->content) &&
					      !json_array_size(msg->embeds)))
		return HW_ERR_INVALID;
	if (!hw->rest) {
		snprintf(where, sizeof(where), "by DM to %s", user_id);
		if (console_send(p, where, msg) != HW_OK)
			return HW_ERR_NOMEM;
		if (cb)
			cb(self, 200, "console", NULL, ud);
		return HW_OK;
	}
	if (!(pp = pending_new(p, PENDING_SEND, (void *)cb, ud)))
		return HW_ERR_NOMEM;
	pp->msg = json_pack("{s:s?, s:O?, s:s?}", "content", msg->content, "embeds", msg->embeds,
			    "nonce", msg->nonce);
	if (!pp->msg || !rest_request(hw->rest, "POST", "/users/@me/channels",
				      json_pack("{s:s}", "recipient_id", user_id), dm_channel_done, pp)) {
		pending_unlink(pp);
		pending_free(pp);
		return HW_ERR_NOMEM;
	}
	return HW_OK;
}

static int api_send_file(hw_plugin *self, const char *channel_id, const char *text,
			 const char *filename, const void *data, size_t len, hw_send_fn cb, void *ud)
{
	struct plugin *p = plugin_from(self);
	struct hallway *hw = hw_of(p);
	struct plugin_pending *pp;
	char path[128];
	json_t *payload;
	if (!channel_id || !filename || !data)
		return HW_ERR_INVALID;
	if (!hw->rest) {
		char line[300];
		snprintf(line, sizeof(line), "[#%s] file %s (%zu bytes)", channel_id, filename, len);
		console_print(hw->console, line);
		if (cb)
			cb(self, 200, "console", NULL, ud);
		return HW_OK;
	}
	if (!(pp = pending_new(p, PENDING_SEND, (void *)cb, ud)))
		return HW_ERR_NOMEM;
	payload = json_pack("{s:s, s:o}", "content", text ? text : "", "allowed_mentions",
			    rest_allowed_mentions(0));
	snprintf(path, sizeof(path), "/channels/%s/messages", channel_id);
	if (!payload || !rest_request_file(hw->rest, "POST", path, payload, filename, data, len,
					   send_done, pp)) {
		pending_unlink(pp);
		pending_free(pp);
		return HW_ERR_NOMEM;
	}
	return HW_OK;
}

/* ---- events ---- */

struct subscription {
	struct plugin *p;
	hw_event_fn fn;
	void *ud;
};

static void event_trampoline(void *ud, const char *type, json_t *data)
{
	struct subscription *s = ud;
	if (s->p->state == PLUGIN_UNLOADING)
		return;
	s->fn(plugin_token(s->p), type, data, s->ud);
}

static int api_subscribe(hw_plugin *self, const char *type, hw_event_fn fn, void *ud)
{
	struct plugin *p = plugin_from(self);
	struct subscription *s;
	if (!type || !*type || !fn)
		return HW_ERR_INVALID;
	if (!(s = calloc(1, sizeof(*s))))
		return HW_ERR_NOMEM;
	s->p = p;
	s->fn = fn;
	s->ud = ud;
	if (bus_subscribe(hw_of(p)->bus, p, type, event_trampoline, s, free)) {
		free(s);
		return HW_ERR_NOMEM;
	}
	return HW_OK;
}

static int api_publish(hw_plugin *self, const char *type, json_t *data)
{
	struct plugin *p = plugin_from(self);
	/* Plugin events are namespaced with a dot; gateway names are reserved. */
	if (!type || !strchr(type, '.'))
		return HW_ERR_INVALID;
	bus_publish(hw_of(p)->bus, type, data);
	return HW_OK;
}

/* ---- timers ---- */

static void timer_unlink(struct plugin_timer *t)
{
	for (struct plugin_timer **it = &t->p->timers; *it; it = &(*it)->next) {
		if (*it == t) {
			*it = t->next;
			return;
		}
	}
}

static void timer_arm(struct plugin_timer *t);

static void timer_fire(lws_sorted_usec_list_t *sul)
{
	struct plugin_timer *t = container_of(sul, struct plugin_timer, sul);
	struct plugin *p = t->p;
	struct hallway *hw = hw_of(p);
	int64_t now = clock_now_ms(&hw->clock);
	hw_timer_fn fn = t->fn;
	void *ud = t->ud;
	hw_handle id = t->id;

	if (now < t->at_ms) { /* woke early (clock rounding): wait the rest */
		timer_arm(t);
		return;
	}
	if (t->repeat_ms > 0) {
		while (t->at_ms <= now)
			t->at_ms += t->repeat_ms;
		timer_arm(t);
	} else {
		timer_unlink(t);
		free(t);
	}
	/* t may be freed from here on (by the callback cancelling it). */
	if (p->state != PLUGIN_UNLOADING)
		fn(plugin_token(p), id, ud);
}

static void timer_arm(struct plugin_timer *t)
{
	struct hallway *hw = hw_of(t->p);
	int64_t us = clock_real_delay_us(&hw->clock, t->at_ms);
	lws_sul_schedule(hw->lws, 0, &t->sul, timer_fire, us > 0 ? us : 1);
}

static hw_handle api_timer_add(hw_plugin *self, int64_t delay_ms, int64_t repeat_ms,
			       hw_timer_fn fn, void *ud)
{
	struct plugin *p = plugin_from(self);
	struct plugin_timer *t;
	if (!fn || delay_ms < 0 || repeat_ms < 0)
		return 0;
	if (!(t = calloc(1, sizeof(*t))))
		return 0;
	t->p = p;
	t->id = next_handle(p);
	t->at_ms = clock_now_ms(&hw_of(p)->clock) + delay_ms;
	t->repeat_ms = repeat_ms;
	t->fn = fn;
	t->ud = ud;
	t->next = p->timers;
	p->timers = t;
	timer_arm(t);
	return t->id;
}

static void timer_free(struct plugin_timer *t)
{
	lws_sul_cancel(&t->sul);
	free(t);
}

/* ---- HTTP ---- */

static void http_done(void *ud, const struct http_response *res)
{
	struct plugin_pending *pp = ud;
	hw_http_fn fn = (hw_http_fn)pp->fn;
	hw_http_response out = {.struct_size = sizeof(out)};
	out.status = res->status;
	out.error = res->error;
	out.body = res->body ? res->body : "";
	out.body_len = res->body_len;
	out.etag = http_response_header(res, "ETag");
	out.last_modified = http_response_header(res, "Last-Modified");
	out.content_type = http_response_header(res, "Content-Type");
	pending_unlink(pp);
	if (pp->p->state != PLUGIN_UNLOADING)
		fn(plugin_token(pp->p), pp->id, &out, pp->ud);
	pending_free(pp);
}

static hw_handle api_http(hw_plugin *self, const hw_http_request *req, hw_http_fn fn, void *ud)
{
	struct plugin *p = plugin_from(self);
	struct hallway *hw = hw_of(p);
	struct plugin_pending *pp;
	struct curl_slist *headers = NULL;
	struct http_request r = {0};
	if (!HW_STRUCT_OK(req, hw_http_request) || !req->url || !fn || !hw->http)
		return 0;
	if (!hw_url_is_http(req->url))
		return 0;
	for (const char *const *hdr = req->headers; hdr && *hdr; hdr++) {
		struct curl_slist *n = curl_slist_append(headers, *hdr);
		if (!n) {
			curl_slist_free_all(headers);
			return 0;
		}
		headers = n;
	}
	if (!(pp = pending_new(p, PENDING_HTTP, (void *)fn, ud))) {
		curl_slist_free_all(headers);
		return 0;
	}
	r.method = req->method;
	r.url = req->url;
	r.headers = headers;
	r.body = req->body;
	r.body_len = req->body_len;
	r.max_bytes = req->max_bytes;
	r.timeout_ms = req->timeout_ms;
	pp->lower_id = http_start(hw->http, &r, http_done, pp);
	curl_slist_free_all(headers);
	if (!pp->lower_id) {
		pending_unlink(pp);
		pending_free(pp);
		return 0;
	}
	return pp->id;
}

/* ---- worker jobs ---- */

static void work_run_trampoline(void *arg)
{
	struct plugin_pending *pp = arg;
	pp->run(pp->ud);
}

static void work_done_trampoline(void *arg, int cancelled)
{
	struct plugin_pending *pp = arg;
	struct plugin *p = pp->p;
	void (*done)(hw_plugin *, void *, int) = (void (*)(hw_plugin *, void *, int))pp->fn;
	int orphan = pp->cancelled; /* cancelled or swept while a worker ran it */
	pending_unlink(pp);
	done(plugin_token(p), pp->ud, cancelled || orphan);
	pending_free(pp);
	if (orphan)
		host_job_returned(p); /* may unmap and free p */
}

static hw_handle api_work(hw_plugin *self, void (*run)(void *arg),
			  void (*done)(hw_plugin *self, void *arg, int cancelled), void *arg)
{
	struct plugin *p = plugin_from(self);
	struct plugin_pending *pp;
	if (!run || !done || !hw_of(p)->work)
		return 0;
	if (!(pp = pending_new(p, PENDING_WORK, (void *)done, arg)))
		return 0;
	pp->run = run;
	pp->lower_id = work_submit(hw_of(p)->work, work_run_trampoline, work_done_trampoline, pp);
	if (!pp->lower_id) {
		pending_unlink(pp);
		pending_free(pp);
		return 0;
	}
	return pp->id;
}

/* ---- cancel ---- */

/* Stops one pending record: no plugin callback after this returns. */
static void pending_stop(struct plugin_pending *pp)
{
	struct hallway *hw = hw_of(pp->p);
	void (*done)(hw_plugin *, void *, int);
	switch (pp->kind) {
	case PENDING_HTTP:
		http_cancel(hw->http, pp->lower_id);
		pending_free(pp);
		break;
	case PENDING_DB:
		api_db_stop(pp);
		break;
	case PENDING_WORK:
		/* Never waits for a worker. A job not running is completed now; one
		 * a worker is inside is completed (cancelled) when run() returns,
		 * and the plugin's code stays mapped until then. */
		if (work_detach(hw->work, pp->lower_id)) {
			done = (void (*)(hw_plugin *, void *, int))pp->fn;
			done(plugin_token(pp->p), pp->ud, 1);
			pending_free(pp);
		} else {
			pp->cancelled = 1; /* already off p->pending */
			host_job_orphaned(pp->p);
		}
		break;
	default:
		/* A REST send in flight: its callback frees the record. */
		pp->cancelled = 1;
		break;
	}
}

static void api_cancel(hw_plugin *self, hw_handle h)
{
	struct plugin *p = plugin_from(self);
	if (!h)
		return;
	for (struct plugin_timer *t = p->timers; t; t = t->next) {
		if (t->id == h) {
			timer_unlink(t);
			timer_free(t);
			return;
		}
	}
	for (struct plugin_pending **it = &p->pending; *it; it = &(*it)->next) {
		struct plugin_pending *pp = *it;
		if (pp->id == h) {
			*it = pp->next;
			pending_stop(pp);
			return;
		}
	}
}

/* ---- storage ---- */

static int api_db_migrate(hw_plugin *self, const char *const *migrations, size_t n)
{
	struct plugin *p = plugin_from(self);
	if (!p->db || (!migrations && n))
		return HW_ERR_INVALID;
	return storage_plugin_migrate(p->db, migrations, n) ? HW_ERR_STORAGE : HW_OK;
}

static void api_set_userdata(hw_plugin *self, void *data)
{
	plugin_from(self)->userdata = data;
}

static const hw_arg *api_arg(const hw_invocation *inv, const char *name)
{
	if (!inv || !name || !inv->argv)
		return NULL;
	for (size_t i = 0; i < inv->argc; i++) {
		const hw_arg *a = &inv->argv[i];
		if (a->present && a->name && !strcmp(a->name, name))
			return a;
	}
	return NULL;
}

static void *api_userdata(hw_plugin *self)
{
	return plugin_from(self)->userdata;
}

/* ---- sweep ---- */

void api_sweep(struct plugin *p)
{
	while (p->timers) {
		struct plugin_timer *t = p->timers;
		p->timers = t->next;
		timer_free(t);
	}
	while (p->pending) {
		struct plugin_pending *pp = p->pending;
		p->pending = pp->next;
		pending_stop(pp);
	}
	api_web_sweep(p);
	while (p->kept) {
		struct invocation *inv = p->kept;
		p->kept = inv->next_kept;
		inv->owner = NULL;
		invocation_unref(inv);
	}
}

void api_init(hw_api *api)
{
	memset(api, 0, sizeof(*api));
	api->struct_size = sizeof(*api);
	api->abi_major = HW_ABI_MAJOR;
	api->abi_minor = HW_ABI_MINOR;
	api->log = api_log;
	api->config = api_config;
	api->command_add = api_command_add;
	api->complete_add = api_complete_add;
	api->reply = api_reply;
	api->reply_message = api_reply_message;
	api->reply_file = api_reply_file;
	api->invocation_keep = api_invocation_keep;
	api->invocation_release = api_invocation_release;
	api->send = api_send;
	api->dm = api_dm;
	api->send_file = api_send_file;
	api->subscribe = api_subscribe;
	api->publish = api_publish;
	api->now_ms = api_now_ms;
	api->timer_add = api_timer_add;
	api->cancel = api_cancel;
	api->http = api_http;
	api->db_migrate = api_db_migrate;
	api->work = api_work;
	api->name = api_name;
	api->prefix = api_prefix;
	api->set_userdata = api_set_userdata;
	api->userdata = api_userdata;
	api_db_init(api);
	api_web_init(api);
	api_member_init(api);
	api_reply_init(api);
	api->arg = api_arg;
}
