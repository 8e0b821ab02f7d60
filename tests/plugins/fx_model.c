/*
 * Fixture plugin for the reply model's components (tests/integration/
 * test_components.py): `form` answers a model with a modal button, a
 * button whose command is too long to ride in a custom_id, and a select
 * menu; `echo` says what it was given, so a test sees which command a
 * press ran, with which arguments, as whom; `slowpage` pages an answer it
 * gives later.
 */
#include <stdio.h>
#include <string.h>

#include <hallway/plugin.h>

static const hw_api *api;

static int cmd_form(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	char long_cmd[200];
	json_t *m, *fields, *modal, *actions, *choice;
	(void)ud;
	memset(long_cmd, 0, sizeof(long_cmd));
	memcpy(long_cmd, "echo ", 5);
	memset(long_cmd + 5, 'x', 120);
	fields = json_pack("[{s:s, s:s, s:s, s:i, s:i, s:b}, {s:s, s:s, s:s, s:b}]", "name", "order",
			   "label", "Order code", "style", "short", "min", 3, "max", 16, "required", 1,
			   "name", "name", "label", "Your name", "style", "paragraph", "required", 0);
	modal = json_pack("{s:s, s:s, s:o}", "title", "Register", "command", "echo", "fields", fields);
	actions = json_pack("[{s:s, s:o}, {s:s, s:s}]", "label", "Register", "modal", modal, "label",
			    "Long", "command", long_cmd);
	choice = json_pack("{s:s, s:s, s:[{s:s, s:s}, {s:s, s:s}]}", "placeholder", "Pick one",
			   "command", "echo", "options", "label", "Alpha", "value", "alpha", "label",
			   "Two words", "value", "two words");
	m = json_pack("{s:i, s:s, s:[{s:s, s:s}], s:o, s:o}", "version", HW_REPLY_VERSION, "title",
		      "A form", "items", "kind", "text", "text", "Press a button.", "actions", actions,
		      "choice", choice);
	if (!m)
		return HW_ERR_NOMEM;
	return api->reply_model(self, inv, m);
}

static int cmd_echo(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	char out[600];
	(void)ud;
	snprintf(out, sizeof(out), "echo order=%s name=%s by=%s door=%d",
		 inv->argv[0].present ? inv->argv[0].str : "-",
		 inv->argv[1].present ? inv->argv[1].str : "-", inv->user_id, (int)inv->door);
	return api->reply(self, inv, out);
}

static int cmd_secret(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	json_t *m = json_pack("{s:i, s:s, s:{s:i, s:i, s:s}}", "version", HW_REPLY_VERSION, "title",
			      "Organizers only", "more", "shown", 1, "total", 2, "command", "secret");
	(void)ud;
	return m ? api->reply_model(self, inv, m) : HW_ERR_NOMEM;
}

static void on_posted(hw_plugin *self, int status, const char *message_id, const char *error,
		      void *ud)
{
	api->log(self, HW_LOG_INFO, "fx_model: %s: status %d, message %s%s%s", (const char *)ud,
		 status, message_id ? message_id : "-", error ? ", " : "", error ? error : "");
}

/* `post`: the same model sent to the channel and by DM to the caller. */
static int cmd_post(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	const char *channel = inv->channel_id;
	json_t *m = json_pack("{s:i, s:s, s:[{s:s, s:s, s:I, s:s}], s:[{s:s, s:s}]}", "version",
			      HW_REPLY_VERSION, "title", "Starting soon", "items", "kind", "talk",
			      "title", "Posted talk", "start", (json_int_t)1795684500000, "room",
			      "Envelope", "actions", "label", "Next", "command", "next");
	(void)ud;
	if (!m)
		return HW_ERR_NOMEM;
	if (channel && api->send_model(self, channel, json_incref(m), on_posted, "send_model"))
		api->log(self, HW_LOG_WARN, "fx_model: send_model refused");
	if (api->dm_model(self, inv->user_id, m, on_posted, "dm_model"))
		api->log(self, HW_LOG_WARN, "fx_model: dm_model refused");
	/* A model that breaks the format is refused, with a log line. */
	if (api->send_model(self, channel ? channel : "1", json_pack("{s:i}", "version", 7), NULL,
			    NULL) != HW_ERR_INVALID)
		api->log(self, HW_LOG_ERROR, "fx_model: a bad model was accepted");
	return api->reply(self, inv, "posted");
}

/* `slowpage [page=N]`: page N of 3, answered 300 ms later from a kept
 * invocation, so a "Show more" press is deferred (type 6) and the page
 * replaces the pressed message by an edit of @original. */
#define SLOW_MAX 8
static struct slow {
	const hw_invocation *inv; /* kept; NULL: free slot */
	int page;
} slow[SLOW_MAX];

static void slow_fire(hw_plugin *self, hw_handle h, void *ud)
{
	struct slow *s = ud;
	char title[32], next[32];
	json_t *m;
	(void)h;
	snprintf(title, sizeof(title), "Page %d of 3", s->page);
	snprintf(next, sizeof(next), "slowpage page=%d", s->page + 1);
	m = json_pack("{s:i, s:s, s:[{s:s, s:s}]}", "version", HW_REPLY_VERSION, "title", title,
		      "items", "kind", "talk", "title", title);
	if (m && s->page < 3)
		json_object_set_new(m, "more", json_pack("{s:i, s:i, s:s}", "shown", s->page,
							 "total", 3, "command", next));
	if (!m || api->reply_model(self, s->inv, m))
		api->log(self, HW_LOG_WARN, "fx_model: slowpage could not answer");
	api->invocation_release(self, s->inv);
	s->inv = NULL;
}

static int cmd_slowpage(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	const char *arg = inv->argc && inv->argv[0].present ? inv->argv[0].str : "";
	const char *p = strstr(arg, "page=");
	struct slow *s = NULL;
	(void)ud;
	for (size_t i = 0; i < SLOW_MAX && !s; i++)
		if (!slow[i].inv)
			s = &slow[i];
	if (!s || !(s->inv = api->invocation_keep(self, inv)))
		return api->reply(self, inv, "busy");
	s->page = p && p[5] >= '1' && p[5] <= '3' ? p[5] - '0' : 1;
	if (!api->timer_add(self, 300, 0, slow_fire, s)) {
		api->invocation_release(self, s->inv);
		s->inv = NULL;
		return HW_ERR_NOMEM;
	}
	return HW_OK;
}

static void shutdown(hw_plugin *self, void *userdata)
{
	(void)userdata;
	for (size_t i = 0; i < SLOW_MAX; i++)
		if (slow[i].inv) {
			api->invocation_release(self, slow[i].inv);
			slow[i].inv = NULL;
		}
}

static int init(hw_plugin *self, const hw_api *a)
{
	static const hw_arg_spec echo_args[] = {
		{"order", HW_ARG_STRING, 1, "An order code", 0},
		{"name", HW_ARG_TEXT, 0, "A name", 0}};
	hw_command_spec form = {HW_COMMAND_SPEC_INIT, .name = "form",
				.summary = "A model with components", .fn = cmd_form};
	hw_command_spec echo = {HW_COMMAND_SPEC_INIT, .name = "echo",
				.summary = "Says what it was given", .args = echo_args, .nargs = 2,
				.fn = cmd_echo};
	hw_command_spec post = {HW_COMMAND_SPEC_INIT, .name = "post",
				.summary = "send_model and dm_model", .fn = cmd_post};
	static const hw_arg_spec slow_args[] = {{"rest", HW_ARG_TEXT, 0, "page=N", 0}};
	hw_command_spec slowpage = {HW_COMMAND_SPEC_INIT, .name = "slowpage",
				    .summary = "A paged answer given later", .args = slow_args,
				    .nargs = 1, .fn = cmd_slowpage};
	hw_command_spec secret = {HW_COMMAND_SPEC_INIT, .name = "secret",
				  .summary = "An organizer command", .perm = HW_PERM_ORGANIZER,
				  .fn = cmd_secret};
	api = a;
	if (a->command_add(self, &form) || a->command_add(self, &echo) ||
	    a->command_add(self, &secret) || a->command_add(self, &post) ||
	    a->command_add(self, &slowpage))
		return HW_ERR_INVALID;
	return HW_OK;
}

HW_PLUGIN_DEFINE("fx_model", "1.0", "Reply model components (tests)", init, shutdown);
