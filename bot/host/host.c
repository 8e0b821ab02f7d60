/*
 * Plugin lifecycle. A plugin is loaded from plugin_dir/<name>.so through a
 * private copy (so a reload can open the new build while the old one still
 * runs: glibc would hand back the old image for the same path), checked
 * against our ABI, initialised, and only then swapped in for its previous
 * instance. Unload sweeps everything the plugin owns before dlclose.
 */
#include "host.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bus.h"
#include "commands.h"
#include "config.h"
#include "hallway.h"
#include "log.h"
#include "metrics.h"
#include "router.h"
#include "settings.h"
#include "storage.h"

static int valid_plugin_name(const char *name)
{
	size_t n = strlen(name);
	return n > 0 && n <= 64 && strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

void host_plugin_dir(const char *configured, char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n;
	if (configured) {
		snprintf(buf, len, "%s", configured);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0) {
		snprintf(buf, len, "plugins");
		return;
	}
	exe[n] = '\0';
	if (strrchr(exe, '/'))
		*strrchr(exe, '/') = '\0';
	snprintf(buf, len, "%s/plugins", exe);
#ifdef HALLWAY_PLUGIN_RELDIR
	/* An installed binary: plugins/ is not beside it, but the install
	 * layout's plugin folder is, relative to bin/ (cmake/install.cmake). */
	if (access(buf, F_OK))
		snprintf(buf, len, "%s/%s", exe, HALLWAY_PLUGIN_RELDIR);
#endif
}

/* Copies src to dst (new file, mode 0600). Returns 0 or -1 with errno. */
static int copy_file(const char *src, const char *dst)
{
	char buf[65536];
	int in = open(src, O_RDONLY | O_CLOEXEC), out = -1, rc = -1;
	ssize_t n;
	if (in < 0)
		return -1;
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0)
		goto out;
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		ssize_t off = 0;
		while (off < n) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0)
				goto out;
			off += w;
		}
	}
	rc = n < 0 ? -1 : 0;
out:
	if (out >= 0 && close(out))
		rc = -1;
	close(in);
	return rc;
}

unsigned host_foreach_active(struct host *h, host_plugin_fn fn, void *ud)
{
	unsigned n = 0;
	if (!h)
		return 0;
	for (struct plugin *p = h->plugins; p; p = p->next) {
		if (p->state != PLUGIN_ACTIVE)
			continue;
		n++;
		if (fn)
			fn(ud, p->name, p->version,
			   p->desc && p->desc->description ? p->desc->description : "");
	}
	return n;
}

unsigned host_generation(const struct host *h)
{
	return h ? h->generation : 0;
}

const char *host_plugin_version(struct host *h, const char *name)
{
	struct plugin *p = host_find(h, name);
	return p ? p->version : NULL;
}

struct plugin *host_find(struct host *h, const char *name)
{
	for (struct plugin *p = h->plugins; p; p = p->next)
		if (!strcmp(p->name, name) && p->state == PLUGIN_ACTIVE)
			return p;
	return NULL;
}

static void plugin_free(struct plugin *p)
{
	if (!p)
		return;
	json_decref(p->config);
	free(p->name);
	free(p->version);
	free(p->so_path);
	free(p->copy_path);
	free(p);
}

static void list_remove(struct host *h, struct plugin *p)
{
	for (struct plugin **pp = &h->plugins; *pp; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			return;
		}
	}
}

/* Everything but the shutdown call: used for failed inits and unloads. */
static void plugin_teardown(struct host *h, struct plugin *p)
{
	api_sweep(p);
	commands_remove_owner(router_commands(h->hw->router), p);
	bus_remove_owner(h->hw->bus, p);
	if (p->db)
		storage_plugin_close(p->db);
	p->db = NULL;
	/* A worker may still be inside the plugin's run(): then the code stays
	 * mapped until host_job_returned. */
	if (!p->jobs_running) {
		if (p->dl && dlclose(p->dl))
			LOGW("host", "plugin %s: dlclose failed: %s", p->name, dlerror());
		p->dl = NULL;
	}
	h->generation++;
}

void host_unload(struct host *h, struct plugin *p)
{
	if (!p)
		return;
	p->state = PLUGIN_UNLOADING;
	if (p->desc && p->desc->shutdown)
		p->desc->shutdown(plugin_token(p), p->userdata);
	plugin_teardown(h, p);
	list_remove(h, p);
	if (p->jobs_running) {
		/* Never wait on the loop for a worker (a 2 MB schedule parse takes
		 * seconds): retire the instance and finish when its jobs return. */
		LOGI("host", "plugin %s %s unloaded; its code stays mapped until %u worker job(s) return",
		     p->name, p->version ? p->version : "", p->jobs_running);
		p->retired = 1;
		h->retired++;
		return;
	}
	LOGI("host", "plugin %s %s unloaded", p->name, p->version ? p->version : "");
	plugin_free(p);
}

void host_job_orphaned(struct plugin *p)
{
	p->jobs_running++;
}

void host_job_returned(struct plugin *p)
{
	struct host *h = p->host;
	if (!p->jobs_running || --p->jobs_running || !p->retired)
		return;
	if (p->dl && dlclose(p->dl))
		LOGW("host", "plugin %s: dlclose failed: %s", p->name, dlerror());
	LOGD("host", "plugin %s: the last worker job of the unloaded instance returned", p->name);
	plugin_free(p);
	if (!--h->retired && h->destroyed) {
		rmdir(h->tmpdir);
		free(h);
	}
}

/* Opens and checks the descriptor. On failure why says what is wrong. */
static int plugin_open(struct host *h, struct plugin *p, char *why, size_t whylen)
{
	const hw_plugin_desc *d;
	struct stat st;

	if (stat(p->so_path, &st) || !S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "%s: %s", p->so_path, errno ? strerror(errno) : "not a file");
		return -1;
	}
	if (copy_file(p->so_path, p->copy_path)) {
		snprintf(why, whylen, "cannot copy %s: %s", p->so_path, strerror(errno));
		return -1;
	}
	p->dl = dlopen(p->copy_path, RTLD_NOW | RTLD_LOCAL);
	unlink(p->copy_path); /* the mapping stays; nothing is left behind */
	if (!p->dl) {
		snprintf(why, whylen, "cannot load: %s", dlerror());
		return -1;
	}
	d = dlsym(p->dl, HW_PLUGIN_SYMBOL);
	if (!d) {
		snprintf(why, whylen, "not a hallway plugin (no %s symbol)", HW_PLUGIN_SYMBOL);
		return -1;
	}
	if (d->abi_major != HW_ABI_MAJOR) {
		snprintf(why, whylen, "built for plugin ABI %u.%u, this hallway speaks %d.%d: %s",
			 d->abi_major, d->abi_minor, HW_ABI_MAJOR, HW_ABI_MINOR,
			 d->abi_major < HW_ABI_MAJOR
				 ? "rebuild it against this hallway's <hallway/plugin.h> "
				   "(docs/PLUGINS.md, ABI history)"
				 : "upgrade hallway");
		return -1;
	}
	if (d->abi_minor > HW_ABI_MINOR) {
		snprintf(why, whylen, "built for a newer plugin ABI (%u.%u > %d.%d): upgrade hallway",
			 d->abi_major, d->abi_minor, HW_ABI_MAJOR, HW_ABI_MINOR);
		return -1;
	}
	if (d->struct_size < offsetof(hw_plugin_desc, reserved) || !d->init || !d->name) {
		snprintf(why, whylen, "malformed plugin descriptor");
		return -1;
	}
	/* api_size is sizeof(hw_api) where the plugin was built: at least the
	 * 2.0 table (which ends with arg), and no larger than ours (it claims
	 * a minor <= ours). */
	if (d->api_size < offsetof(hw_api, arg) + sizeof(void *) ||
	    d->api_size > sizeof(hw_api)) {
		snprintf(why, whylen, "malformed plugin descriptor (api_size %u, this hallway's "
			 "table is %zu bytes)", (unsigned)d->api_size, sizeof(hw_api));
		return -1;
	}
	if (strcmp(d->name, p->name)) {
		snprintf(why, whylen, "the file %s.so declares itself as \"%s\"", p->name, d->name);
		return -1;
	}
	p->desc = d;
	p->version = strdup(d->version ? d->version : "?");
	return p->version ? 0 : -1;
}

static int load_plugin(struct host *h, const char *name, struct plugin *old, char *why,
		       size_t whylen)
{
	char dir[PATH_MAX], path[PATH_MAX + 80];
	struct plugin *p;
	json_t *cfg;
	int rc;

	if (!valid_plugin_name(name)) {
		snprintf(why, whylen, "invalid plugin name (use a-z, 0-9, _ and -)");
		return -1;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	p->host = h;
	p->name = strdup(name);
	host_plugin_dir(h->hw->cfg ? h->hw->cfg->plugin_dir : NULL, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/%s.so", dir, name);
	p->so_path = strdup(path);
	snprintf(path, sizeof(path), "%s/%s.%llu.so", h->tmpdir, name,
		 (unsigned long long)++h->next_handle);
	p->copy_path = strdup(path);
	cfg = config_plugin(h->hw->cfg, name);
	/* The plugin's own copy: relative paths among its settings are
	 * resolved against the config file's folder once it is open. */
	p->config = json_is_object(cfg) ? json_deep_copy(cfg) : json_object();
	if (!p->name || !p->so_path || !p->copy_path || !p->config) {
		snprintf(why, whylen, "out of memory");
		plugin_free(p);
		return -1;
	}
	errno = 0;
	if (plugin_open(h, p, why, whylen))
		goto fail;
	if (settings_resolve_paths(settings_of(p->desc), p->config,
				   h->hw->cfg ? h->hw->cfg->dir : NULL)) {
		snprintf(why, whylen, "out of memory");
		goto fail;
	}
	if (storage_plugin_open(h->hw->storage, name, &p->db)) {
		snprintf(why, whylen, "cannot open its storage");
		goto fail;
	}
	p->state = PLUGIN_LOADING;
	p->next = h->plugins;
	h->plugins = p;
	/* While it initialises, `old` (if any) keeps running; command names
	 * owned by old do not conflict. */
	p->kept = NULL;
	h->replacing = old;
	rc = p->desc->init(plugin_token(p), &h->api);
	h->replacing = NULL;
	if (rc != HW_OK) {
		snprintf(why, whylen, "init failed (error %d)", rc);
		list_remove(h, p);
		plugin_teardown(h, p);
		if (p->jobs_running) {
			p->retired = 1; /* host_job_returned frees it */
			h->retired++;
		} else {
			plugin_free(p);
		}
		return -1;
	}
	if (old)
		host_unload(h, old);
	p->state = PLUGIN_ACTIVE;
	h->generation++;
	LOGI("host", "plugin %s %s loaded", p->name, p->version);
	return 0;
fail:
	if (p->db)
		storage_plugin_close(p->db);
	if (p->dl)
		dlclose(p->dl);
	plugin_free(p);
	return -1;
}

int host_reload(struct host *h, const char *name, char *why, size_t whylen)
{
	struct plugin *old;
	if (!valid_plugin_name(name)) {
		/* Plugins load only from plugin_dir: no paths, no "..". */
		snprintf(why, whylen, "invalid plugin name (use a-z, 0-9, _ and -)");
		return -1;
	}
	old = host_find(h, name);
	if (!config_plugin(h->hw->cfg, name) && !old) {
		snprintf(why, whylen, "no plugin \"%s\" in the config's plugins", name);
		return -1;
	}
	if (load_plugin(h, name, old, why, whylen)) {
		metrics_plugin_error(h->hw->metrics, name, "load");
		LOGE("host", "plugin %s: %s%s", name, why, old ? " (the running version stays)" : "");
		return -1;
	}
	return 0;
}

int host_load_all(struct host *h)
{
	const char *name;
	json_t *v;
	int n = 0;
	if (!h->hw->cfg || !h->hw->cfg->plugins)
		return 0;
	json_object_foreach(h->hw->cfg->plugins, name, v) {
		char why[512];
		if (json_is_false(v))
			continue;
		if (!host_reload(h, name, why, sizeof(why)))
			n++;
	}
	return n;
}

void host_reload_all(struct host *h)
{
	struct plugin *p, *next;
	/* Unload what the config no longer names. */
	for (p = h->plugins; p; p = next) {
		next = p->next;
		if (!config_plugin(h->hw->cfg, p->name))
			host_unload(h, p);
	}
	host_load_all(h);
}

int host_busy(struct host *h)
{
	for (struct plugin *p = h->plugins; p; p = p->next)
		if (p->pending || p->kept)
			return 1;
	return 0;
}

void host_plugin_error(struct plugin *p, const char *what, int rc)
{
	p->errors++;
	metrics_plugin_error(p->host->hw->metrics, p->name, "command");
	LOGE("host", "plugin %s: \"%s\" failed with error %d (%u errors so far)", p->name, what, rc,
	     p->errors);
}

struct host *host_create(struct hallway *hw)
{
	struct host *h = calloc(1, sizeof(*h));
	const char *tmp = getenv("TMPDIR");
	if (!h)
		return NULL;
	h->hw = hw;
	api_init(&h->api);
	snprintf(h->tmpdir, sizeof(h->tmpdir), "%s/hallway-plugins-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(h->tmpdir)) {
		LOGE("host", "cannot create a private folder for plugins: %s", strerror(errno));
		free(h);
		return NULL;
	}
	return h;
}

void host_destroy(struct host *h)
{
	if (!h)
		return;
	while (h->plugins)
		host_unload(h, h->plugins);
	if (h->retired) {
		/* Jobs of unloaded plugins still run; work_drain completes them
		 * (work_destroy at the latest) and the last one frees h. */
		h->destroyed = 1;
		return;
	}
	rmdir(h->tmpdir);
	free(h);
}
