/*
 * Local schedule sources: files, directories and lists of them.
 */
#include "sched_source.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "sched_bundle.h"
#include "sched_model.h"

#define SOURCE_CHUNK 65536
#define SOURCE_DIR_MAX 256 /* files read from one directory */

int sched_source_read_file(const char *path, size_t max, char **out, size_t *len, char *err,
			   size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;
	int ret = SCHED_ERR_IO;

	if (!f) {
		snprintf(err, errlen, "cannot open %s", path);
		return SCHED_ERR_IO;
	}
	for (;;) {
		if (n + SOURCE_CHUNK + 1 > cap) {
			size_t ncap = cap ? cap * 2 : 262144;
			char *nb;
			if (ncap > max + SOURCE_CHUNK + 1) {
				snprintf(err, errlen, "%s is larger than %zu bytes", path, max);
				goto out;
			}
			nb = realloc(buf, ncap);
			if (!nb) {
				ret = SCHED_ERR_NOMEM;
				goto out;
			}
			buf = nb;
			cap = ncap;
		}
		size_t got = fread(buf + n, 1, SOURCE_CHUNK, f);
		n += got;
		if (got < SOURCE_CHUNK)
			break;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "error reading %s", path);
		goto out;
	}
	if (n > max) {
		snprintf(err, errlen, "%s is larger than %zu bytes", path, max);
		goto out;
	}
	buf[n] = 0;
	*out = buf;
	*len = n;
	buf = NULL;
	ret = SCHED_OK;
out:
	free(buf);
	fclose(f);
	return ret;
}

static int wanted(const char *name)
{
	const char *dot = strrchr(name, '.');

	if (name[0] == '.' || !dot)
		return 0;
	return !strcasecmp(dot, ".json") || !strcasecmp(dot, ".xml") || !strcasecmp(dot, ".ics");
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collected file paths (owned). */
struct source_list {
	char **paths;
	size_t n, cap;
};

static int list_add(struct source_list *l, const char *dir, const char *name)
{
	size_t need = strlen(dir) + 1 + (name ? strlen(name) : 0) + 1;
	char *p;

	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 16;
		char **np = realloc(l->paths, ncap * sizeof(*np));
		if (!np)
			return SCHED_ERR_NOMEM;
		l->paths = np;
		l->cap = ncap;
	}
	p = malloc(need);
	if (!p)
		return SCHED_ERR_NOMEM;
	if (name)
		snprintf(p, need, "%s/%s", dir, name);
	else
		snprintf(p, need, "%s", dir);
	l->paths[l->n++] = p;
	return SCHED_OK;
}

static void list_free(struct source_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->paths[i]);
	free(l->paths);
}

/* Adds the schedule files of directory `dir`, sorted by name. */
static int list_dir(struct source_list *l, const char *dir, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t first = l->n, found = 0;
	int ret = SCHED_OK;

	if (!d) {
		snprintf(err, errlen, "cannot open directory %s", dir);
		return SCHED_ERR_IO;
	}
	while ((e = readdir(d))) {
		if (!wanted(e->d_name))
			continue;
		if (++found > SOURCE_DIR_MAX) {
			snprintf(err, errlen, "%s holds more than %d schedule files", dir,
				 SOURCE_DIR_MAX);
			ret = SCHED_ERR_IO;
			break;
		}
		if ((ret = list_add(l, dir, e->d_name)))
			break;
	}
	closedir(d);
	if (!ret && !found) {
		snprintf(err, errlen, "%s holds no .json, .xml or .ics file", dir);
		ret = SCHED_ERR_EMPTY;
	}
	if (!ret)
		qsort(l->paths + first, l->n - first, sizeof(*l->paths), cmp_names);
	return ret;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

int sched_source_read(const char *const *paths, size_t n, size_t max, char **out, size_t *len,
		      char *err, size_t errlen)
{
	struct source_list l = {0};
	struct sched_bundle_buf b = {.max = max};
	struct stat st;
	int ret = SCHED_OK;

	for (size_t i = 0; i < n && !ret; i++) {
		if (stat(paths[i], &st)) {
			snprintf(err, errlen, "cannot open %s", paths[i]);
			ret = SCHED_ERR_IO;
		} else if (S_ISDIR(st.st_mode)) {
			ret = list_dir(&l, paths[i], err, errlen);
		} else {
			ret = list_add(&l, paths[i], NULL);
		}
	}
	if (ret)
		goto out;
	if (l.n == 0) {
		snprintf(err, errlen, "no schedule source");
		ret = SCHED_ERR_EMPTY;
		goto out;
	}
	if (l.n == 1) {
		ret = sched_source_read_file(l.paths[0], max, out, len, err, errlen);
		goto out;
	}
	for (size_t i = 0; i < l.n; i++) {
		char *body = NULL;
		size_t blen = 0;
		ret = sched_source_read_file(l.paths[i], max, &body, &blen, err, errlen);
		if (!ret) {
			ret = sched_bundle_add(&b, base_name(l.paths[i]), body, blen);
			if (ret == SCHED_ERR_IO)
				snprintf(err, errlen, "the schedule files are larger than %zu bytes",
					 max);
		}
		free(body);
		if (ret)
			goto out;
	}
	*out = b.data;
	*len = b.len;
	b.data = NULL;
out:
	free(b.data);
	list_free(&l);
	return ret;
}
