/* Guild roles and organizer resolution. Small linear tables: a conference
 * bot sits in a handful of guilds with tens of roles.
 *
 * Organizer rights come from one guild only, the conference's
 * (discord.guild_id), and only from the roles a message or interaction
 * carries at that moment. Nothing is remembered per user: a role name
 * matched in a server someone else owns, or a role lost since, must not
 * grant anything (issue 15). */
#include "guilds.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bus.h"
#include "log.h"

struct role {
	char id[24];
	char *name;
};

struct guild {
	struct guild *next;
	char id[24];
	char *name;              /* owned; NULL until GUILD_CREATE */
	struct role *roles;
	size_t nroles;
};

struct guild_cache {
	struct guild *head;
	json_t *organizer_roles; /* own reference */
	unsigned generation;     /* grows with every change to a guild or role */
};

static struct guild *find_guild(struct guild_cache *gc, const char *id, int create)
{
	struct guild *g;
	for (g = gc->head; g; g = g->next)
		if (!strcmp(g->id, id))
			return g;
	if (!create || strlen(id) >= sizeof(g->id))
		return NULL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	snprintf(g->id, sizeof(g->id), "%s", id);
	g->next = gc->head;
	gc->head = g;
	return g;
}

static void clear_roles(struct guild *g)
{
	for (size_t i = 0; i < g->nroles; i++)
		free(g->roles[i].name);
	free(g->roles);
	g->roles = NULL;
	g->nroles = 0;
}

static void put_role(struct guild *g, json_t *role)
{
	const char *id = json_string_value(json_object_get(role, "id"));
	const char *name = json_string_value(json_object_get(role, "name"));
	struct role *grown;
	if (!id || !name || strlen(id) >= sizeof(g->roles[0].id))
		return;
	for (size_t i = 0; i < g->nroles; i++) {
		if (!strcmp(g->roles[i].id, id)) {
			char *copy = strdup(name);
			if (copy) {
				free(g->roles[i].name);
				g->roles[i].name = copy;
			}
			return;
		}
	}
	grown = realloc(g->roles, (g->nroles + 1) * sizeof(*grown));
	if (!grown)
		return;
	g->roles = grown;
	snprintf(g->roles[g->nroles].id, sizeof(g->roles[0].id), "%s", id);
	g->roles[g->nroles].name = strdup(name);
	if (g->roles[g->nroles].name)
		g->nroles++;
}

static void drop_role(struct guild *g, const char *id)
{
	for (size_t i = 0; i < g->nroles; i++) {
		if (!strcmp(g->roles[i].id, id)) {
			free(g->roles[i].name);
			g->roles[i] = g->roles[--g->nroles];
			return;
		}
	}
}

void guilds_learn(struct guild_cache *gc, json_t *d)
{
	const char *gid = json_string_value(json_object_get(d, "id"));
	json_t *roles = json_object_get(d, "roles"), *r;
	const char *name = json_string_value(json_object_get(d, "name"));
	struct guild *g;
	size_t i;
	if (!gid || !json_is_array(roles) || !(g = find_guild(gc, gid, 1)))
		return;
	if (name) {
		char *copy = strdup(name);
		if (copy) {
			free(g->name);
			g->name = copy;
		}
	}
	clear_roles(g);
	json_array_foreach(roles, i, r)
		put_role(g, r);
	gc->generation++;
	LOGI("guilds", "guild %s: %zu roles known", gid, g->nroles);
}

int guilds_has_roles(struct guild_cache *gc, const char *guild_id)
{
	struct guild *g = guild_id ? find_guild(gc, guild_id, 0) : NULL;
	return g && g->nroles > 0;
}

static void on_event(void *ud, const char *type, json_t *d)
{
	struct guild_cache *gc = ud;
	const char *gid = json_string_value(json_object_get(d, json_object_get(d, "guild_id") ? "guild_id" : "id"));
	struct guild *g;
	if (!gid)
		return;
	if (!strcmp(type, "GUILD_CREATE") || !strcmp(type, "GUILD_UPDATE")) {
		guilds_learn(gc, d);
	} else if (!strcmp(type, "GUILD_ROLE_CREATE") || !strcmp(type, "GUILD_ROLE_UPDATE")) {
		if ((g = find_guild(gc, gid, 1)))
			put_role(g, json_object_get(d, "role"));
		gc->generation++;
	} else if (!strcmp(type, "GUILD_ROLE_DELETE")) {
		const char *rid = json_string_value(json_object_get(d, "role_id"));
		if (rid && (g = find_guild(gc, gid, 0)))
			drop_role(g, rid);
		gc->generation++;
	}
}

struct guild_cache *guilds_create(struct bus *bus, json_t *organizer_roles)
{
	static const char *const types[] = {"GUILD_CREATE", "GUILD_UPDATE", "GUILD_ROLE_CREATE",
					    "GUILD_ROLE_UPDATE", "GUILD_ROLE_DELETE"};
	struct guild_cache *gc = calloc(1, sizeof(*gc));
	if (!gc)
		return NULL;
	guilds_set_organizer_roles(gc, organizer_roles);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (bus && bus_subscribe(bus, gc, types[i], on_event, gc, NULL)) {
			guilds_destroy(gc);
			return NULL;
		}
	return gc;
}

void guilds_set_organizer_roles(struct guild_cache *gc, json_t *organizer_roles)
{
	json_decref(gc->organizer_roles);
	gc->organizer_roles = json_incref(organizer_roles);
}

/* Does role id `rid` of guild g match an entry of organizer_roles (an ID,
 * or a role name compared case-insensitively)? */
static int role_matches(struct guild_cache *gc, struct guild *g, const char *rid)
{
	size_t i;
	json_t *e;
	const char *rname = NULL;
	if (g)
		for (size_t k = 0; k < g->nroles; k++)
			if (!strcmp(g->roles[k].id, rid))
				rname = g->roles[k].name;
	json_array_foreach(gc->organizer_roles, i, e) {
		const char *want = json_string_value(e);
		if (!want)
			continue;
		if (!strcmp(want, rid) || (rname && !strcasecmp(want, rname)))
			return 1;
	}
	return 0;
}

int guilds_is_organizer(struct guild_cache *gc, const char *conference_id, const char *guild_id,
			json_t *member_roles)
{
	struct guild *g;
	size_t i;
	json_t *e;
	if (!gc || !conference_id || !*conference_id || !guild_id || strcmp(guild_id, conference_id))
		return 0;
	g = find_guild(gc, guild_id, 0);
	json_array_foreach(member_roles, i, e) {
		const char *rid = json_string_value(e);
		if (rid && role_matches(gc, g, rid))
			return 1;
	}
	return 0;
}

const char *guilds_name(const struct guild_cache *gc, const char *guild_id)
{
	for (struct guild *g = gc && guild_id ? gc->head : NULL; g; g = g->next)
		if (!strcmp(g->id, guild_id))
			return g->name;
	return NULL;
}

const char *guilds_only(const struct guild_cache *gc)
{
	const struct guild *only = NULL;
	for (const struct guild *g = gc ? gc->head : NULL; g; g = g->next) {
		if (!g->name)
			continue; /* known from a role event only, not joined */
		if (only)
			return NULL;
		only = g;
	}
	return only ? only->id : NULL;
}

unsigned guilds_generation(const struct guild_cache *gc)
{
	return gc ? gc->generation : 0;
}

char *guilds_dump(const struct guild_cache *gc, const char *guild_id)
{
	const struct guild *g = NULL;
	json_t *obj, *roles;
	char *text = NULL;

	for (const struct guild *it = gc && guild_id ? gc->head : NULL; it && !g; it = it->next)
		if (!strcmp(it->id, guild_id))
			g = it;
	if (!g || !g->nroles)
		return NULL;
	if (!(obj = json_pack("{s:s, s:[]}", "id", g->id, "roles")))
		return NULL;
	if (g->name && json_object_set_new(obj, "name", json_string(g->name)))
		goto out;
	roles = json_object_get(obj, "roles");
	for (size_t i = 0; i < g->nroles; i++)
		if (json_array_append_new(roles, json_pack("{s:s, s:s}", "id", g->roles[i].id, "name",
							   g->roles[i].name)))
			goto out;
	text = json_dumps(obj, JSON_COMPACT);
out:
	json_decref(obj);
	return text;
}

void guilds_destroy(struct guild_cache *gc)
{
	struct guild *g, *next;
	if (!gc)
		return;
	for (g = gc->head; g; g = next) {
		next = g->next;
		clear_roles(g);
		free(g->name);
		free(g);
	}
	json_decref(gc->organizer_roles);
	free(gc);
}
