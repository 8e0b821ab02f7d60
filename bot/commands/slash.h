/*
 * Slash command registration: the application command list built from the
 * registry is PUT (one bulk overwrite) only when its hash differs from the
 * one stored after the last successful registration — never on every
 * reconnect (Discord allows 200 command creates a day per guild).
 */
#ifndef HALLWAY_SLASH_H
#define HALLWAY_SLASH_H

struct hallway;
/* The registration state (a PUT in flight, commands changed since the last
 * one) lives here, not in struct hallway. */
struct slash;

/* Watches READY on hw->bus (the application id is known then). */
struct slash *slash_create(struct hallway *hw);
void slash_destroy(struct slash *s);
/* From the housekeeping tick: notices a plugin (re)load changed the
 * commands, and starts a registration when one is due. */
void slash_tick(struct slash *s);

#endif
