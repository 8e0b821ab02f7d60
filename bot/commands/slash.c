/* Slash command registration, deduplicated by a stored hash. */
#include "slash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "commands.h"
#include "config.h"
#include "hallway.h"
#include "host.h"
#include "log.h"
#include "rest.h"
#include "router.h"
#include "storage.h"

struct slash {
	struct hallway *hw;
	int inflight;              /* a command registration PUT is running */
	int dirty;                 /* commands changed since the last sync */
	unsigned seen_generation;  /* the host's plugin generation last seen */
};

struct sync_req {
	struct hallway *hw;        /* outlives the request; hw->slash may be gone */
	char key[128];
	char hash[17];
};

static void put_done(void *ud, long status, json_t *body, const char *error)
{
	struct sync_req *req = ud;
	if (req->hw->slash)
		req->hw->slash->inflight = 0;
	if (status == 200) {
		storage_meta_set(req->hw->storage, req->key, req->hash);
		LOGI("slash", "registered %zu application commands (hash %s)",
		     json_array_size(body), req->hash);
	} else {
		LOGW("slash", "registering application commands failed: HTTP %ld %s %s", status,
		     error ? error : "",
		     json_string_value(json_object_get(body, "message")) ?
			     json_string_value(json_object_get(body, "message")) : "");
	}
	free(req);
}

static void sync_now(struct slash *s)
{
	struct hallway *hw = s->hw;
	const char *guild = hw->cfg ? hw->cfg->guild_id : NULL;
	struct sync_req *req;
	char path[200];
	char *stored;
	json_t *list;

	if (!hw->rest || !hw->application_id[0] || !hw->storage || s->inflight)
		return;
	s->dirty = 0;
	if (!(list = commands_to_discord(router_commands(hw->router))))
		return;
	if (!(req = calloc(1, sizeof(*req)))) {
		json_decref(list);
		return;
	}
	req->hw = hw;
	commands_discord_hash(list, req->hash);
	snprintf(req->key, sizeof(req->key), "slash_hash:%s:%s", hw->application_id,
		 guild ? guild : "global");
	stored = storage_meta_get(hw->storage, req->key);
	if (stored && !strcmp(stored, req->hash)) {
		LOGD("slash", "application commands unchanged (hash %s)", req->hash);
		free(stored);
		free(req);
		json_decref(list);
		return;
	}
	free(stored);
	if (guild)
		snprintf(path, sizeof(path), "/applications/%s/guilds/%s/commands", hw->application_id,
			 guild);
	else
		snprintf(path, sizeof(path), "/applications/%s/commands", hw->application_id);
	if (rest_request(hw->rest, "PUT", path, list, put_done, req))
		s->inflight = 1;
	else
		free(req);
}

static void on_ready(void *ud, const char *type, json_t *data)
{
	struct slash *s = ud;
	(void)type;
	(void)data;
	s->dirty = 1;
}

struct slash *slash_create(struct hallway *hw)
{
	struct slash *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->hw = hw;
	s->seen_generation = host_generation(hw->host);
	if (hw->bus && bus_subscribe(hw->bus, s, "READY", on_ready, s, NULL)) {
		free(s);
		return NULL;
	}
	return s;
}

void slash_destroy(struct slash *s)
{
	if (!s)
		return;
	if (s->hw->bus)
		bus_remove_owner(s->hw->bus, s);
	if (s->hw->slash == s)
		s->hw->slash = NULL;
	free(s);
}

void slash_tick(struct slash *s)
{
	unsigned gen;
	if (!s)
		return;
	gen = host_generation(s->hw->host);
	if (gen != s->seen_generation) {
		s->seen_generation = gen;
		s->dirty = 1;
	}
	if (s->dirty && s->hw->application_id[0])
		sync_now(s);
}
