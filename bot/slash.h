/*
 * Slash command registration: the application command list built from the
 * registry is PUT (one bulk overwrite) only when its hash differs from the
 * one stored after the last successful registration — never on every
 * reconnect (Discord allows 200 command creates a day per guild).
 */
#ifndef HALLWAY_SLASH_H
#define HALLWAY_SLASH_H

struct hallway;

/* Checks now whether a registration is due and starts it. */
void slash_sync(struct hallway *hw);

#endif
