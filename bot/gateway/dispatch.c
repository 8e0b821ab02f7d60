/* Gateway dispatches on their way to the bus (see dispatch.h). */
#include "dispatch.h"

#include <stdio.h>
#include <string.h>

#include "bus.h"
#include "gateway.h"
#include "gateway_scan.h"
#include "hallway.h"
#include "metrics.h"
#include "router.h"

void dispatch_event(struct hallway *hw, const char *type, json_t *d)
{
	metrics_gateway_event(hw->metrics, type);
	if (!strcmp(type, "READY")) {
		const char *uid = json_string_value(json_object_get(json_object_get(d, "user"), "id"));
		const char *app = json_string_value(
			json_object_get(json_object_get(d, "application"), "id"));
		if (uid && strlen(uid) < sizeof(hw->self_user_id))
			snprintf(hw->self_user_id, sizeof(hw->self_user_id), "%s", uid);
		if (!hw->application_id[0] && app && strlen(app) < sizeof(hw->application_id))
			snprintf(hw->application_id, sizeof(hw->application_id), "%s", app);
	}
	if (!strcmp(type, "MESSAGE_CREATE")) {
		const char *author = json_string_value(
			json_object_get(json_object_get(d, "author"), "id"));
		if (author && !strcmp(author, hw->self_user_id))
			return; /* the bot ignores its own messages */
	}
	bus_publish(hw->bus, type, d);
}

int dispatch_wanted(struct hallway *hw, const struct gateway_scan *sc)
{
	if (!strcmp(sc->t, "GUILD_CREATE") && !bus_has_subscribers(hw->bus, sc->t, hw->guilds))
		/* Only the guild cache, which keeps roles: not the member lists. */
		return bus_has_subscribers(hw->bus, sc->t, NULL) ? GATEWAY_WANT_LEAN : 0;
	if (strcmp(sc->t, "MESSAGE_CREATE"))
		return bus_has_subscribers(hw->bus, sc->t, NULL);
	if (bus_has_subscribers(hw->bus, sc->t, hw->router))
		return 1;
	if (!sc->has_content ||
	    !router_may_address(hw->router, sc->content, sc->content_len, sc->content_whole))
		return 0;
	/* Only the router reads it: only the fields it reads are built. */
	return GATEWAY_WANT_FIELDS;
}
