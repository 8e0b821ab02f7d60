/* Built-in commands: help, plugins, reload. Owned by the host (owner NULL). */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "config.h"
#include "hallway.h"
#include "host.h"
#include "log.h"
#include <hallway/buf.h>

#include "plan.h"
#include "router.h"

static struct hallway *hw_from(void *ud)
{
	return ud;
}

static int cmd_help(hw_plugin *self, const hw_invocation *pub, void *ud)
{
	struct hallway *hw = hw_from(ud);
	struct commands *cs = router_commands(hw->router);
	/* The console user types commands bare: `next`, not `!next`. */
	const char *prefix = pub->door == HW_DOOR_CONSOLE ? "" : hw->cfg ? hw->cfg->prefix : "!";
	const char *which = pub->argc && pub->argv[0].present ? pub->argv[0].str : NULL;
	hw_buf t;
	char line[700], usage[300];
	int rc;
	(void)self;
	hw_buf_init(&t, 0);

	if (which) {
		struct command *c = commands_find(cs, which);
		hw_message m = {.struct_size = sizeof(m)};
		if (!c) {
			m.content = "No such command. Type help for the list.";
			return router_reply((struct invocation *)pub, &m);
		}
		commands_usage(c, prefix, usage, sizeof(usage));
		snprintf(line, sizeof(line), "%s — %s%s\n", usage, c->summary,
			 c->perm == HW_PERM_ORGANIZER ? " (organizers)" : "");
		hw_buf_add(&t, line);
		if (c->help) {
			hw_buf_add(&t, c->help);
			hw_buf_add(&t, "\n");
		}
		for (size_t i = 0; i < c->nargs; i++) {
			if (!c->args[i].description)
				continue;
			snprintf(line, sizeof(line), "  %s: %s\n", c->args[i].name, c->args[i].description);
			hw_buf_add(&t, line);
		}
	} else {
		hw_buf_add(&t, "Commands:\n");
		for (struct command *c = cs->head; c; c = c->next) {
			if (c->dead || (c->perm == HW_PERM_ORGANIZER && !pub->is_organizer))
				continue;
			commands_usage(c, prefix, usage, sizeof(usage));
			snprintf(line, sizeof(line), "%s — %s\n", usage, c->summary);
			hw_buf_add(&t, line);
		}
		snprintf(line, sizeof(line), "Type %shelp <command> for details.", prefix);
		hw_buf_add(&t, line);
	}
	if (!hw_buf_str(&t)) {
		hw_buf_free(&t);
		return HW_ERR_NOMEM;
	}
	{
		hw_message m = {.struct_size = sizeof(m), .content = hw_buf_str(&t), .ephemeral = 1};
		rc = router_reply((struct invocation *)pub, &m);
	}
	hw_buf_free(&t);
	return rc;
}

static void plugins_line(void *ud, const char *name, const char *version,
			 const char *description)
{
	char line[300];
	snprintf(line, sizeof(line), "%s %s — %s\n", name, version, description);
	hw_buf_add(ud, line);
}

static int cmd_plugins(hw_plugin *self, const hw_invocation *pub, void *ud)
{
	struct hallway *hw = hw_from(ud);
	hw_buf t;
	int rc;
	(void)self;
	hw_buf_init(&t, 0);
	hw_buf_add(&t, "Plugins:\n");
	host_foreach_active(hw->host, plugins_line, &t);
	if (!hw_buf_str(&t)) {
		hw_buf_free(&t);
		return HW_ERR_NOMEM;
	}
	{
		hw_message m = {.struct_size = sizeof(m), .content = hw_buf_str(&t)};
		rc = router_reply((struct invocation *)pub, &m);
	}
	hw_buf_free(&t);
	return rc;
}

static int cmd_reload(hw_plugin *self, const hw_invocation *pub, void *ud)
{
	struct hallway *hw = hw_from(ud);
	const char *name = pub->argv[0].str;
	char why[512], msg[700];
	hw_message m = {.struct_size = sizeof(m), .content = msg, .ephemeral = 1};
	(void)self;
	if (host_reload(hw->host, name, why, sizeof(why)))
		snprintf(msg, sizeof(msg), "Reload of %s failed: %s%s", name, why,
			 host_plugin_version(hw->host, name) ? " The running version keeps working."
							     : "");
	else
		snprintf(msg, sizeof(msg), "Reloaded %s %s.", name,
			 host_plugin_version(hw->host, name) ? host_plugin_version(hw->host, name) : "?");
	LOGI("host", "reload %s requested by %s: %s", name, pub->user_id, msg);
	return router_reply((struct invocation *)pub, &m);
}

int router_add_builtins(struct router *r)
{
	static const hw_arg_spec help_args[] = {
		{"command", HW_ARG_TEXT, 0, "A command to explain", 0}};
	static const hw_arg_spec reload_args[] = {
		{"plugin", HW_ARG_STRING, 1, "The plugin to reload", 0}};
	hw_command_spec specs[] = {
		{sizeof(hw_command_spec), "help", "List the commands, or explain one", NULL,
		 HW_PERM_EVERYONE, help_args, 1, cmd_help, NULL, NULL, {0}, sizeof(hw_arg_spec)},
		{sizeof(hw_command_spec), "plugins", "Show the loaded plugins and their versions",
		 NULL, HW_PERM_EVERYONE, NULL, 0, cmd_plugins, NULL, NULL, {0}, sizeof(hw_arg_spec)},
		{sizeof(hw_command_spec), "reload", "Reload a plugin without dropping the session",
		 "Loads the plugin's new build; if it fails, the running version stays.",
		 HW_PERM_ORGANIZER, reload_args, 1, cmd_reload, NULL, NULL, {0}, sizeof(hw_arg_spec)},
	};
	struct commands *cs = router_commands(r);
	struct hallway *hw = NULL;
	char why[256];
	hw = router_hallway(r);
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		specs[i].ud = hw;
		if (commands_add(cs, NULL, NULL, &specs[i], why, sizeof(why))) {
			LOGE("router", "cannot register built-in %s: %s", specs[i].name, why);
			return -1;
		}
	}
	return plan_register(r);
}
