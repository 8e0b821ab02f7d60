/*
 * Plugin settings checks and docs, driven by each plugin's hw_setting
 * table. Descriptors are read by dlopen()ing the plugin without calling
 * its init, so --check-config runs no plugin code and touches no network.
 */
#include "settings.h"

#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hallway/text.h>

#include "host.h"
#include "suggest.h"

#define TZ_DIR_DEFAULT "/usr/share/zoneinfo"

static void problem(struct config_report *rep, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void problem(struct config_report *rep, const char *key, const char *fmt, ...)
{
	char why[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	config_report_add(rep, 1, key, why);
}

static int date_ok(const char *s)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d;
	char tail;
	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || s[4] != '-' ||
	    s[7] != '-')
		return 0;
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	return !(m == 2 && d == 29 && (y % 4 || (y % 100 == 0 && y % 400)));
}

/* "HH:MM" (or "H:MM"), 00:00 to 23:59. */
static int time_ok(const char *s)
{
	size_t h = 0;
	int hours = 0;
	while (h < 2 && isdigit((unsigned char)s[h]))
		hours = hours * 10 + (s[h++] - '0');
	return h && hours < 24 && s[h] == ':' && isdigit((unsigned char)s[h + 1]) &&
	       s[h + 1] < '6' && isdigit((unsigned char)s[h + 2]) && !s[h + 3];
}

static const char *tz_dir(void)
{
	const char *d = getenv("TZDIR");
	return d && *d ? d : TZ_DIR_DEFAULT;
}

/* A zone file under the zone folder: the name is plain and the file
 * starts with the TZif magic. */
static int timezone_ok(const char *name)
{
	char path[PATH_MAX], magic[4];
	FILE *f;
	int ok;
	if (!*name || strlen(name) > 128 || name[0] == '/' || strstr(name, "..") ||
	    strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-") !=
		    strlen(name))
		return 0;
	snprintf(path, sizeof(path), "%s/%s", tz_dir(), name);
	if (!(f = fopen(path, "rb")))
		return 0;
	ok = fread(magic, 1, 4, f) == 4 && !memcmp(magic, "TZif", 4);
	fclose(f);
	return ok;
}

/* The nearest zone name in the same region folder ("Europe/Brusels"). */
static void timezone_suggest(const char *name, char *out, size_t outlen)
{
	char region[128] = "", dirpath[PATH_MAX], cand[400];
	const char *slash = strrchr(name, '/');
	struct suggest sg;
	struct dirent *e;
	DIR *d;
	out[0] = '\0';
	if (slash && (size_t)(slash - name) < sizeof(region))
		snprintf(region, sizeof(region), "%.*s", (int)(slash - name), name);
	snprintf(dirpath, sizeof(dirpath), "%s%s%s", tz_dir(), *region ? "/" : "", region);
	if (!(d = opendir(dirpath)))
		return;
	suggest_init(&sg, name);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(cand, sizeof(cand), "%s%s%s", region, *region ? "/" : "", e->d_name);
		if (timezone_ok(cand))
			suggest_offer(&sg, cand);
	}
	closedir(d);
	if (suggest_result(&sg))
		snprintf(out, outlen, "%s", suggest_result(&sg));
}

static void check_path(const char *key, const char *s, struct config_report *rep)
{
	struct stat st;
	if (stat(s, &st))
		problem(rep, key, "cannot read \"%s\": %s (relative paths start at the config "
			"file's folder)", s, strerror(errno));
	else if (access(s, R_OK))
		problem(rep, key, "\"%s\" is not readable by this user", s);
}

static void check_string(const hw_setting *row, const char *key, const json_t *v,
			 struct config_report *rep)
{
	const char *s = json_string_value(v);
	char hint[200];
	if (!json_is_string(v)) {
		problem(rep, key, "must be a string (text in quotes)");
		return;
	}
	if (row->max > 0 && json_string_length(v) > (size_t)row->max) {
		problem(rep, key, "longer than %" PRId64 " bytes", row->max);
		return;
	}
	switch (row->format) {
	case HW_FORMAT_TEXT:
		if (!*s)
			problem(rep, key, "must not be empty");
		break;
	case HW_FORMAT_TIMEZONE:
		if (!timezone_ok(s)) {
			timezone_suggest(s, hint, sizeof(hint));
			if (*hint)
				problem(rep, key, "\"%s\" is not a known IANA time zone; did you mean \"%s\"?",
					s, hint);
			else
				problem(rep, key, "\"%s\" is not a known IANA time zone (e.g. "
					"\"Europe/Brussels\", \"America/New_York\", \"UTC\")", s);
		}
		break;
	case HW_FORMAT_URL:
		if (!hw_url_is_http(s))
			problem(rep, key, "\"%s\" is not an http:// or https:// URL", s);
		break;
	case HW_FORMAT_PATH_OR_URL:
		if (strstr(s, "://") || !strncmp(s, "http", 4)) {
			if (!hw_url_is_http(s))
				problem(rep, key, "\"%s\" is not an http:// or https:// URL (or a "
					"local file)", s);
			break;
		}
		/* fall through */
	case HW_FORMAT_PATH:
		check_path(key, s, rep);
		break;
	case HW_FORMAT_CHANNEL_ID:
	case HW_FORMAT_ROLE_ID:
		if (!config_snowflake_ok(s))
			problem(rep, key, "\"%s\" cannot be a Discord %s ID (17 to 20 digits; in Discord "
				"turn on Developer Mode, then right-click it and Copy ID)", s,
				row->format == HW_FORMAT_CHANNEL_ID ? "channel" : "role");
		break;
	case HW_FORMAT_CHOICE: {
		size_t n = strlen(s);
		const char *c = row->choices ? row->choices : "";
		int found = 0;
		while (*c && !found) {
			size_t len = strcspn(c, "|");
			found = len == n && !strncmp(c, s, n);
			c += len + (c[len] == '|');
		}
		if (!found)
			problem(rep, key, "\"%s\" is not one of: %s", s, row->choices ? row->choices : "");
		break;
	}
	case HW_FORMAT_DATE:
		if (!date_ok(s))
			problem(rep, key, "\"%s\" is not a date as YYYY-MM-DD", s);
		break;
	case HW_FORMAT_TIME:
		if (!time_ok(s))
			problem(rep, key, "\"%s\" is not a time of day as HH:MM (00:00 to 23:59)", s);
		break;
	}
}

static void check_value(const hw_setting *row, const char *key, const json_t *v,
			struct config_report *rep)
{
	char sub[300];
	size_t i;
	const char *k;
	json_t *item;

	switch (row->type) {
	case HW_SETTING_STRING:
		check_string(row, key, v, rep);
		break;
	case HW_SETTING_INTEGER:
		if (!json_is_integer(v))
			problem(rep, key, "must be a whole number (without quotes)");
		else if ((row->min || row->max) &&
			 (json_integer_value(v) < row->min || json_integer_value(v) > row->max))
			problem(rep, key, "%" JSON_INTEGER_FORMAT " is out of range (%" PRId64 "..%" PRId64
				")", json_integer_value(v), row->min, row->max);
		break;
	case HW_SETTING_BOOLEAN:
		if (!json_is_boolean(v))
			problem(rep, key, "must be true or false (without quotes)");
		break;
	case HW_SETTING_STRING_OR_LIST:
		if (json_is_string(v)) {
			check_string(row, key, v, rep);
			break;
		}
		/* fall through */
	case HW_SETTING_STRINGS:
		if (!json_is_array(v)) {
			problem(rep, key, row->type == HW_SETTING_STRINGS
						  ? "must be a list of strings, e.g. [\"a\", \"b\"]"
						  : "must be a string or a list of strings");
			break;
		}
		json_array_foreach(v, i, item) {
			hw_fmt(sub, sizeof(sub), "%s[%zu]", key, i);
			check_string(row, sub, item, rep);
		}
		break;
	case HW_SETTING_MAP:
		if (!json_is_object(v)) {
			problem(rep, key, "must be an object of names to values, e.g. {\"name\": \"value\"}");
			break;
		}
		json_object_foreach((json_t *)v, k, item) {
			hw_fmt(sub, sizeof(sub), "%s.%s", key, k);
			if (json_is_array(item)) {
				/* A name may map to a list of values (an item ID to
				 * its role IDs). */
				char el[300];
				json_t *x;
				json_array_foreach(item, i, x) {
					hw_fmt(el, sizeof(el), "%s[%zu]", sub, i);
					check_string(row, el, x, rep);
				}
			} else {
				check_string(row, sub, item, rep);
			}
		}
		break;
	case HW_SETTING_OBJECTS:
		if (!json_is_array(v)) {
			problem(rep, key, "must be a list of objects");
			break;
		}
		json_array_foreach(v, i, item) {
			hw_fmt(sub, sizeof(sub), "%s[%zu]", key, i);
			if (!json_is_object(item))
				problem(rep, sub, "must be an object");
			else
				settings_check(row->fields, item, sub, rep);
		}
		break;
	case HW_SETTING_OBJECT:
		if (!json_is_object(v))
			problem(rep, key, "must be an object");
		else
			settings_check(row->fields, v, key, rep);
		break;
	}
}

void settings_check(const hw_setting *table, const json_t *cfg, const char *prefix,
		    struct config_report *rep)
{
	const char *k;
	json_t *v;
	char key[300];

	json_object_foreach((json_t *)cfg, k, v) {
		const hw_setting *row = NULL;
		struct suggest sg;
		snprintf(key, sizeof(key), "%s.%s", prefix, k);
		suggest_init(&sg, k);
		for (const hw_setting *r = table; r && r->key; r++) {
			if (!strcmp(r->key, k))
				row = r;
			suggest_offer(&sg, r->key);
		}
		if (row)
			check_value(row, key, v, rep);
		else if (suggest_result(&sg))
			problem(rep, key, "unknown key; did you mean \"%s\"?", suggest_result(&sg));
		else
			problem(rep, key, "unknown key (see hallway --help-plugin for the keys it takes)");
	}
	for (const hw_setting *r = table; r && r->key; r++) {
		if (r->required && !json_object_get(cfg, r->key)) {
			snprintf(key, sizeof(key), "%s.%s", prefix, r->key);
			problem(rep, key, "missing (required)");
		}
	}
}

/* ---- relative paths ---- */

static int is_path_value(const hw_setting *r, const char *s)
{
	if (r->format == HW_FORMAT_PATH)
		return 1;
	return r->format == HW_FORMAT_PATH_OR_URL && !strstr(s, "://") && strncmp(s, "http", 4);
}

/* Replaces a relative path string v (in its container) by dir/v. */
static int resolve_one(const hw_setting *r, json_t *v, const char *dir)
{
	const char *s = json_string_value(v);
	char *joined;
	size_t n;
	int rc;
	if (!s || !*s || s[0] == '/' || !is_path_value(r, s))
		return 0;
	n = strlen(dir) + strlen(s) + 2;
	if (!(joined = malloc(n)))
		return -1;
	snprintf(joined, n, "%s/%s", dir, s);
	rc = json_string_set(v, joined);
	free(joined);
	return rc;
}

int settings_resolve_paths(const hw_setting *table, json_t *cfg, const char *dir)
{
	if (!table || !json_is_object(cfg) || !dir || !*dir || !strcmp(dir, "."))
		return 0;
	for (const hw_setting *r = table; r->key; r++) {
		json_t *v = json_object_get(cfg, r->key), *item;
		size_t i;
		if (!v)
			continue;
		if (json_is_string(v) && resolve_one(r, v, dir))
			return -1;
		if (json_is_array(v) && r->type != HW_SETTING_OBJECTS)
			json_array_foreach(v, i, item)
				if (json_is_string(item) && resolve_one(r, item, dir))
					return -1;
		if (r->type == HW_SETTING_OBJECTS && json_is_array(v))
			json_array_foreach(v, i, item)
				if (settings_resolve_paths(r->fields, item, dir))
					return -1;
		if (r->type == HW_SETTING_OBJECT && settings_resolve_paths(r->fields, v, dir))
			return -1;
	}
	return 0;
}

/* ---- finding plugins ---- */

struct plugin_folder {
	char dir[PATH_MAX];
};

/* The plugin folder of the config at path (plugin_dir relative to the
 * config's folder), or the default one. */
static void folder_of(const json_t *root, const char *path, struct plugin_folder *f)
{
	const char *pd = json_string_value(json_object_get(root, "plugin_dir"));
	char tmp[PATH_MAX];
	if (pd && *pd) {
		snprintf(tmp, sizeof(tmp), "%s", path ? path : ".");
		if (pd[0] == '/' || !path)
			snprintf(f->dir, sizeof(f->dir), "%s", pd);
		else
			snprintf(f->dir, sizeof(f->dir), "%s/%s", dirname(tmp), pd);
		return;
	}
	host_plugin_dir(NULL, f->dir, sizeof(f->dir));
}

static void suggest_plugin(const struct plugin_folder *f, const char *name, char *out,
			   size_t outlen)
{
	struct suggest sg;
	struct dirent *e;
	DIR *d = opendir(f->dir);
	out[0] = '\0';
	if (!d)
		return;
	suggest_init(&sg, name);
	while ((e = readdir(d))) {
		char cand[256];
		size_t n = strlen(e->d_name);
		if (n < 4 || n - 3 >= sizeof(cand) || strcmp(e->d_name + n - 3, ".so"))
			continue;
		snprintf(cand, sizeof(cand), "%.*s", (int)(n - 3), e->d_name);
		suggest_offer(&sg, cand);
	}
	closedir(d);
	if (suggest_result(&sg))
		snprintf(out, outlen, "%s", suggest_result(&sg));
}

/* dlopen()s plugin name without running it. Returns the handle (dlclose
 * it) and its descriptor, or NULL with why filled in. */
static void *open_desc(const struct plugin_folder *f, const char *name,
		       const hw_plugin_desc **out, char *why, size_t whylen)
{
	char so[PATH_MAX + 300], hint[128];
	const hw_plugin_desc *d;
	void *dl;
	snprintf(so, sizeof(so), "%s/%s.so", f->dir, name);
	if (access(so, F_OK)) {
		suggest_plugin(f, name, hint, sizeof(hint));
		if (*hint)
			hw_fmt(why, whylen, "no plugin \"%s\" in %s; did you mean \"%s\"?", name,
				 f->dir, hint);
		else
			hw_fmt(why, whylen, "no plugin \"%s\" in %s", name, f->dir);
		return NULL;
	}
	if (!(dl = dlopen(so, RTLD_NOW | RTLD_LOCAL))) {
		hw_fmt(why, whylen, "cannot load %s: %s", so, dlerror());
		return NULL;
	}
	d = dlsym(dl, HW_PLUGIN_SYMBOL);
	if (!d) {
		hw_fmt(why, whylen, "%s is not a hallway plugin (no %s symbol)", so,
			 HW_PLUGIN_SYMBOL);
		dlclose(dl);
		return NULL;
	}
	if (d->abi_major != HW_ABI_MAJOR || d->abi_minor > HW_ABI_MINOR) {
		hw_fmt(why, whylen, "%s was built for plugin ABI %u.%u, this hallway speaks %d.%d",
			 so, d->abi_major, d->abi_minor, HW_ABI_MAJOR, HW_ABI_MINOR);
		dlclose(dl);
		return NULL;
	}
	*out = d;
	return dl;
}

const hw_setting *settings_of(const hw_plugin_desc *d)
{
	/* Settings came with ABI 1.1: every descriptor of this major has them. */
	if (d->struct_size < offsetof(hw_plugin_desc, settings) + sizeof(void *))
		return NULL;
	return d->settings;
}

void settings_check_file(const char *path, struct config_report *rep)
{
	struct plugin_folder f;
	json_error_t jerr;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr), *plugins, *v;
	const char *name, *config_dir;
	char dirbuf[PATH_MAX];

	if (!json_is_object(root))
		goto out; /* config_load has said why */
	plugins = json_object_get(root, "plugins");
	if (!json_is_object(plugins))
		goto out;
	folder_of(root, path, &f);
	snprintf(dirbuf, sizeof(dirbuf), "%s", path);
	config_dir = dirname(dirbuf);
	json_object_foreach(plugins, name, v) {
		const hw_plugin_desc *d = NULL;
		char key[300], why[600];
		void *dl;
		if (json_is_false(v))
			continue;
		snprintf(key, sizeof(key), "plugins.%s", name);
		if (!*name || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(name))
			continue; /* config_load says so */
		if (!(dl = open_desc(&f, name, &d, why, sizeof(why)))) {
			/* A missing plugin is a mistake in the config; one that is
			 * there but will not load is refused by the host at start
			 * while the others run, so it is a warning. */
			config_report_add(rep, why[0] == 'n' && !strncmp(why, "no plugin", 9), key, why);
			continue;
		}
		if (json_is_object(v)) {
			json_t *copy = json_deep_copy(v);
			if (!copy || settings_resolve_paths(settings_of(d), copy, config_dir))
				config_report_add(rep, 1, key, "out of memory");
			else
				settings_check(settings_of(d), copy, key, rep);
			json_decref(copy);
		}
		dlclose(dl);
	}
out:
	json_decref(root);
}

/* ---- documentation ---- */

static const char *type_name(const hw_setting *r)
{
	switch (r->type) {
	case HW_SETTING_STRING: return "string";
	case HW_SETTING_INTEGER: return "integer";
	case HW_SETTING_BOOLEAN: return "boolean";
	case HW_SETTING_STRINGS: return "list of strings";
	case HW_SETTING_STRING_OR_LIST: return "string or list of strings";
	case HW_SETTING_MAP: return "object of strings";
	case HW_SETTING_OBJECTS: return "list of objects";
	case HW_SETTING_OBJECT: return "object";
	}
	return "?";
}

static const char *format_name(const hw_setting *r)
{
	switch (r->format) {
	case HW_FORMAT_TEXT: return NULL;
	case HW_FORMAT_TIMEZONE: return "IANA time zone";
	case HW_FORMAT_URL: return "http(s) URL";
	case HW_FORMAT_PATH: return "file or folder";
	case HW_FORMAT_PATH_OR_URL: return "file, folder or http(s) URL";
	case HW_FORMAT_CHANNEL_ID: return "channel ID";
	case HW_FORMAT_ROLE_ID: return "role ID";
	case HW_FORMAT_CHOICE: return r->choices;
	case HW_FORMAT_DATE: return "YYYY-MM-DD";
	case HW_FORMAT_TIME: return "HH:MM";
	}
	return NULL;
}

static void print_rows(const hw_setting *table, const char *prefix, int markdown, FILE *out)
{
	for (const hw_setting *r = table; r && r->key; r++) {
		char key[200], kind[200];
		const char *fmt = format_name(r);
		snprintf(key, sizeof(key), "%s%s%s", prefix, *prefix ? "." : "", r->key);
		snprintf(kind, sizeof(kind), "%s%s%s%s", type_name(r), fmt ? " (" : "", fmt ? fmt : "",
			 fmt ? ")" : "");
		if (r->type == HW_SETTING_INTEGER && (r->min || r->max))
			snprintf(kind + strlen(kind), sizeof(kind) - strlen(kind),
				 ", %" PRId64 "..%" PRId64, r->min, r->max);
		if (markdown) {
			fprintf(out, "| `%s` | ", key);
			config_md_cell(out, kind);
			fprintf(out, " | ");
			config_md_cell(out, r->def ? r->def : (r->required ? "required" : "-"));
			fprintf(out, " | ");
			config_md_cell(out, r->help);
			fprintf(out, " |\n");
		} else
			fprintf(out, "  %-28s %s%s%s%s [%s]\n", key, r->help ? r->help : "",
				r->def ? " Default: " : "", r->def ? r->def : "", r->def ? "." : "",
				kind);
		if (r->fields) {
			char sub[220];
			snprintf(sub, sizeof(sub), "%s%s", key,
				 r->type == HW_SETTING_OBJECTS ? "[]" : "");
			print_rows(r->fields, sub, markdown, out);
		}
	}
}

int settings_print_plugin(const char *config_path, const char *name, int markdown, FILE *out)
{
	struct plugin_folder f;
	const hw_plugin_desc *d = NULL;
	json_t *root = config_path ? json_load_file(config_path, 0, NULL) : NULL;
	char why[600];
	const hw_setting *table;
	void *dl;

	folder_of(root, config_path, &f);
	json_decref(root);
	if (!(dl = open_desc(&f, name, &d, why, sizeof(why)))) {
		fprintf(stderr, "hallway: %s\n", why);
		return -1;
	}
	table = settings_of(d);
	if (markdown) {
		fprintf(out, "## plugins.%s\n\n%s\n\n", name, d->description ? d->description : "");
		if (table && table->key) {
			fprintf(out, "| Key | Type | Default | What it does |\n|---|---|---|---|\n");
			print_rows(table, "", 1, out);
		} else {
			fprintf(out, "No settings: give it `{}`.\n");
		}
		fprintf(out, "\n");
	} else {
		fprintf(out, "plugins.%s: %s\n", name, d->description ? d->description : "");
		if (table && table->key)
			print_rows(table, "", 0, out);
		else
			fprintf(out, "  (no settings: give it {})\n");
	}
	dlclose(dl);
	return 0;
}
