/* Slash command registration, deduplicated by a stored hash. */
#include "slash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "config.h"
#include "hallway.h"
#include "log.h"
#include "rest.h"
#include "router.h"
#include "storage.h"

struct sync_req {
	struct hallway *hw;
	char key[128];
	char hash[17];
};

static void put_done(void *ud, long status, json_t *body, const char *error)
{
	struct sync_req *req = ud;
	req->hw->slash_inflight = 0;
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

void slash_sync(struct hallway *hw)
{
	const char *guild = hw->cfg ? hw->cfg->guild_id : NULL;
	struct sync_req *req;
	char path[200];
	char *stored;
	json_t *list;

	if (!hw->rest || !hw->application_id[0] || !hw->storage || hw->slash_inflight)
		return;
	hw->slash_dirty = 0;
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
		hw->slash_inflight = 1;
	else
		free(req);
}
