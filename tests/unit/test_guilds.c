/* The guild cache's organizer rule (guilds.c), and the dump the active
 * daemon keeps with its Discord session for the one that takes it over
 * (issue 18): what guilds_dump writes, guilds_learn takes back, and a
 * fresh cache that learnt only the dump grants what the first one did. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "guilds.h"
#include "testlib.h"

#define CONF "100"

static json_t *guild(void)
{
	return json_pack("{s:s, s:s, s:[{s:s, s:s}, {s:s, s:s}]}", "id", CONF, "name",
			 "PyCon \"Test\"", "roles", "id", "301", "name", "Organizer", "id", "302",
			 "name", "Speaker");
}

static int organizer(struct guild_cache *gc, const char *role)
{
	json_t *roles = json_pack("[s]", role);
	int yes = guilds_is_organizer(gc, CONF, CONF, roles);
	json_decref(roles);
	return yes;
}

TEST(by_name_needs_the_roles)
{
	json_t *want = json_pack("[s]", "organizer");
	struct guild_cache *gc = guilds_create(NULL, want);
	json_t *g = guild();

	CHECK(!organizer(gc, "301")); /* the name is unknown without the guild */
	CHECK(guilds_dump(gc, CONF) == NULL);
	guilds_learn(gc, g);
	CHECK(organizer(gc, "301"));
	CHECK(!organizer(gc, "302"));
	{
		json_t *ids = json_pack("[s]", "301");
		CHECK(guilds_is_organizer(gc, CONF, CONF, ids));
		CHECK(!guilds_is_organizer(gc, CONF, "999", ids)); /* another guild grants nothing */
		json_decref(ids);
	}
	json_decref(g);
	json_decref(want);
	guilds_destroy(gc);
}

TEST(the_dump_round_trips)
{
	json_t *want = json_pack("[s]", "Organizer");
	struct guild_cache *a = guilds_create(NULL, want), *b = guilds_create(NULL, want);
	json_t *g = guild(), *back;
	unsigned gen = guilds_generation(a);
	char *text;

	guilds_learn(a, g);
	CHECK(guilds_generation(a) != gen);
	CHECK(guilds_dump(a, "999") == NULL); /* not a guild it knows */
	text = guilds_dump(a, CONF);
	CHECK(text != NULL);
	back = text ? json_loads(text, 0, NULL) : NULL;
	CHECK(back != NULL);
	CHECK(back && !strcmp(json_string_value(json_object_get(back, "name")), "PyCon \"Test\""));
	CHECK(back && json_array_size(json_object_get(back, "roles")) == 2);
	CHECK(!organizer(b, "301"));
	guilds_learn(b, back);
	CHECK(organizer(b, "301"));
	CHECK(guilds_has_roles(b, CONF));
	json_decref(back);
	free(text);
	json_decref(g);
	json_decref(want);
	guilds_destroy(a);
	guilds_destroy(b);
}

int main(void)
{
	RUN(by_name_needs_the_roles);
	RUN(the_dump_round_trips);
	return test_summary();
}
