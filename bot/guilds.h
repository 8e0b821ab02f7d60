/*
 * What the bot knows about guilds, for permissions: each guild's roles
 * (id → name) from GUILD_CREATE and GUILD_ROLE_* events, and which users
 * were last seen as organizers (so a DM command from an organizer works).
 */
#ifndef HALLWAY_GUILDS_H
#define HALLWAY_GUILDS_H

#include <jansson.h>

struct bus;
struct guild_cache;

/* organizer_roles: borrowed array of role IDs or names (may be NULL). */
struct guild_cache *guilds_create(struct bus *bus, json_t *organizer_roles);
/* Replaces the organizer role list (config reload). Borrowed. */
void guilds_set_organizer_roles(struct guild_cache *gc, json_t *organizer_roles);
/* member_roles: array of role ID strings (borrowed), from member.roles.
 * guild_id NULL (a DM): the answer remembered from the user's last guild
 * message. Remembers the answer for user_id. */
int guilds_is_organizer(struct guild_cache *gc, const char *guild_id, const char *user_id,
			json_t *member_roles);
size_t guilds_count(const struct guild_cache *gc);
void guilds_destroy(struct guild_cache *gc);

#endif
