/*
 * What the daemon does with each gateway dispatch before the bus: learn
 * who the bot is from READY, drop the bot's own messages, count events; and
 * the pre-scan's question "does anyone need this dispatch parsed?".
 * Shared by main.c and the gateway fuzz target, so the fuzzer runs this
 * code rather than a copy.
 */
#ifndef HALLWAY_DISPATCH_H
#define HALLWAY_DISPATCH_H

#include <jansson.h>

struct hallway;
struct gateway_scan;

/* data: borrowed. Publishes on hw->bus unless it is the bot's own message. */
void dispatch_event(struct hallway *hw, const char *type, json_t *data);
/* 0 when nobody subscribed to the type, or for a MESSAGE_CREATE that only
 * the router reads and that cannot address the bot; GATEWAY_WANT_LEAN for a
 * GUILD_CREATE only the guild cache reads (it keeps roles, not members);
 * GATEWAY_WANT_FIELDS for a MESSAGE_CREATE only the router reads (built
 * with router_message_fields only); else 1. */
int dispatch_wanted(struct hallway *hw, const struct gateway_scan *sc);

#endif
