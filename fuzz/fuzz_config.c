/*
 * fuzz_config: the config file (config_load_string), in both modes. On
 * success the result must be consistent: every string option set, the
 * plugin table an object; on failure the report must say why.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_level(LOG_ERROR);
	/* The token must come from the file, not the environment. */
	unsetenv("HALLWAY_DISCORD_TOKEN");
	return 0;
}

static void check_report(const struct config_report *rep)
{
	if (rep->count < 0 || rep->count > 64)
		abort();
	for (int i = 0; i < rep->count; i++)
		if (!memchr(rep->items[i].text, '\0', sizeof(rep->items[i].text)))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct config *cfg;
	struct config_report rep;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (int mode = CONFIG_MODE_RUN; mode <= CONFIG_MODE_START; mode++) {
		cfg = NULL;
		memset(&rep, 0, sizeof(rep));
		if (config_load_string(text, "/nonexistent/hallway/config.json", mode, &cfg, &rep) == 0) {
			if (!cfg || !cfg->prefix || !cfg->api_base || !cfg->storage_path ||
			    (cfg->plugins && !json_is_object(cfg->plugins)) ||
			    (cfg->organizer_roles && !json_is_array(cfg->organizer_roles)))
				abort();
			if (mode != CONFIG_MODE_CONSOLE && (!cfg->token || !*cfg->token))
				abort(); /* running needs a token */
			json_t *p;
			const char *name;
			json_object_foreach(cfg->plugins, name, p)
				(void)config_plugin(cfg, name);
			config_free(cfg);
		} else {
			if (cfg || rep.errors < 1)
				abort(); /* failure without an error in the report */
		}
		check_report(&rep);
	}
	free(text);
	return 0;
}
