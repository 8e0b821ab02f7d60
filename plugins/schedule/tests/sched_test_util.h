/*
 * Helpers shared by the schedule unit tests: reading a shared data file,
 * finding a talk by title.
 */
#ifndef SCHED_TEST_UTIL_H
#define SCHED_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testlib.h"

#include "sched_load.h"
#include "sched_model.h"

/* Reads ../shared/data/<rel> into a new NUL-terminated buffer. */
static inline char *sched_test_read(const char *rel, size_t *len)
{
	char path[1024];
	FILE *f = fopen(test_shared_path(path, sizeof(path), rel), "rb");
	char *buf = NULL;
	long n;

	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
			buf[n] = 0;
			*len = (size_t)n;
		} else {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

/* Loads a shared file; NULL (and a message) on failure. */
static inline struct sched *sched_test_load(const char *rel, enum sched_format fmt,
					    const char *tz, double *ms)
{
	char err[256];
	size_t len = 0;
	char *buf = sched_test_read(rel, &len);
	struct sched *s = NULL;
	struct timespec a, b;
	int ret;

	if (!buf)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &a);
	ret = sched_load(buf, len, fmt, tz, &s, err, sizeof(err));
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (ms)
		*ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	if (ret)
		fprintf(stderr, "%s: %s\n", rel, err);
	free(buf);
	return s;
}

static inline const struct sched_talk *sched_test_title(const struct sched *s, const char *title)
{
	for (size_t i = 0; s && i < s->ntalks; i++)
		if (!strcmp(s->talks[i].title, title))
			return &s->talks[i];
	return NULL;
}

#endif
