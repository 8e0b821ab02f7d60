/*
 * Plugin settings: plugins.<name> checked against the hw_setting table the
 * plugin's descriptor declares (include/hallway/plugin.h), and documented
 * from the same table. Used by --check-config, at every start before any
 * network traffic, by --help-plugin and for docs/CONFIG.md.
 */
#ifndef HALLWAY_SETTINGS_H
#define HALLWAY_SETTINGS_H

#include <stdio.h>

#include <jansson.h>

#include "config.h"
#include "hallway/plugin.h"

/* Checks cfg (the plugin's object) against table. Problems are added to
 * rep, keyed "<prefix>.<key>" (prefix e.g. "plugins.schedule"). */
void settings_check(const hw_setting *table, const json_t *cfg, const char *prefix,
		    struct config_report *rep);

/* The settings table of a plugin descriptor (ABI 1.1), or NULL. */
const hw_setting *settings_of(const hw_plugin_desc *d);
/* Rewrites every relative path among cfg's settings (HW_FORMAT_PATH and
 * the path form of HW_FORMAT_PATH_OR_URL) to start at dir, the config
 * file's folder, as storage.path does. Returns 0, or -1 out of memory. */
int settings_resolve_paths(const hw_setting *table, json_t *cfg, const char *dir);

/* Checks every plugin the config file at path names: that it exists in
 * the plugin folder (else the nearest name is suggested), that it loads,
 * and its settings. Works on a config the core checks refused too, so one
 * run lists every problem. */
void settings_check_file(const char *path, struct config_report *rep);

/* Prints the settings of plugin name (from the plugin folder the config
 * at config_path names, or the default folder when config_path is NULL):
 * as aligned text, or as a Markdown section when markdown is 1.
 * Returns 0, or -1 when the plugin cannot be found or loaded (said on
 * stderr). */
int settings_print_plugin(const char *config_path, const char *name, int markdown, FILE *out);

#endif
