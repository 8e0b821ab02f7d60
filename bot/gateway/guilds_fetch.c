/*
 * The conference guild's roles after a RESUME (see guilds.h). A daemon that
 * took over a session by RESUME gets the events from the gap, but never the
 * GUILD_CREATE the old one had at its READY: without this, organizer_roles
 * given by name would grant nothing until Discord next sends the guild.
 */
#include <stdio.h>

#include "bus.h"
#include "config.h"
#include "guilds.h"
#include "hallway.h"
#include "log.h"
#include "rest.h"

static void on_guild(void *ud, long status, json_t *body, const char *error)
{
	struct hallway *hw = ud;
	if (status != 200 || !json_is_object(body)) {
		LOGW("guilds", "after RESUME, reading the guild's roles failed (%ld %s): organizer "
		     "roles given by name grant nothing until Discord sends the guild",
		     status, error ? error : "");
		return;
	}
	guilds_learn(hw->guilds, body);
	LOGI("guilds", "after RESUME, the guild's roles were read over REST");
}

static void on_resumed(void *ud, const char *type, json_t *d)
{
	struct hallway *hw = ud;
	const char *gid = hw->cfg ? hw->cfg->guild_id : NULL;
	char path[64];
	(void)type;
	(void)d;
	if (!gid || !hw->rest || guilds_has_roles(hw->guilds, gid))
		return;
	snprintf(path, sizeof(path), "/guilds/%s", gid);
	if (!rest_request(hw->rest, "GET", path, NULL, on_guild, hw))
		LOGW("guilds", "after RESUME, cannot ask for the guild's roles");
}

int guilds_fetch_start(struct hallway *hw)
{
	static char owner; /* the subscription's owner token */
	return bus_subscribe(hw->bus, &owner, "RESUMED", on_resumed, hw, NULL);
}
