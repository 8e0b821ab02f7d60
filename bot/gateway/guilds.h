/*
 * What the bot knows about guilds, for permissions: each guild's name and
 * roles (id → name) from GUILD_CREATE and GUILD_ROLE_* events. Organizer
 * rights are decided per command from the roles it carries, in the
 * conference guild only; see docs/SECURITY.md.
 */
#ifndef HALLWAY_GUILDS_H
#define HALLWAY_GUILDS_H

#include <jansson.h>

struct bus;
struct guild_cache;
struct hallway;

/* organizer_roles: borrowed array of role IDs or names (may be NULL). */
struct guild_cache *guilds_create(struct bus *bus, json_t *organizer_roles);
/* Replaces the organizer role list (config reload). Borrowed. */
void guilds_set_organizer_roles(struct guild_cache *gc, json_t *organizer_roles);
/* 1 if a command typed in guild_id by a member holding member_roles (array
 * of role ID strings, borrowed, from member.roles of that very message or
 * interaction) comes from an organizer: guild_id must be conference_id
 * (discord.guild_id) and one role must match organizer_roles by ID, or by
 * name among that guild's roles. 0 otherwise, and always 0 for a DM
 * (guild_id NULL), another guild, or no conference_id. */
int guilds_is_organizer(struct guild_cache *gc, const char *conference_id, const char *guild_id,
			json_t *member_roles);
/* The guild's name from its GUILD_CREATE (borrowed, valid until the next
 * guild event), or NULL when unknown. */
const char *guilds_name(const struct guild_cache *gc, const char *guild_id);
/* The id of the one guild the bot is in (had a GUILD_CREATE for), or NULL
 * when it is in none or several. Borrowed. */
const char *guilds_only(const struct guild_cache *gc);
void guilds_destroy(struct guild_cache *gc);
/* Learns a guild object (id, name, roles) as GUILD_CREATE does. */
void guilds_learn(struct guild_cache *gc, json_t *guild);
/* 1 when the guild's roles are known. */
int guilds_has_roles(struct guild_cache *gc, const char *guild_id);
/* A number that changes whenever a guild's name or roles change. */
unsigned guilds_generation(const struct guild_cache *gc);
/* The guild as guilds_learn takes it back ({"id","name","roles":[{"id",
 * "name"}]}), as compact JSON text the caller frees; NULL when its roles
 * are unknown or out of memory. With two daemons the active one keeps the
 * conference guild's this way beside the Discord session, so the one that
 * takes the session over knows the organizer roles before its first
 * command (issue 18). */
char *guilds_dump(const struct guild_cache *gc, const char *guild_id);

/* After a RESUME in a process that never saw the conference guild's
 * GUILD_CREATE (a standby that took over the session, issue 18), the
 * guild's name and roles come from REST (GET /guilds/{id}), so organizer
 * roles named in config keep working (guilds_fetch.c). */
int guilds_fetch_start(struct hallway *hw);

#endif
