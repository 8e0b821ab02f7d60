/*
 * sched_bench: how fast the schedule plugin loads the real schedules in
 * ../shared/data/schedules and answers next/now/day/talk over FOSDEM 2025
 * (943 talks). Prints Markdown (bench/schedule/run.sh writes RESULTS.md).
 *
 *   sched_bench [--smoke] [--loads N] [--queries N] DATA_DIR
 *
 * Loads are timed from bytes in memory (the worker reads the file first;
 * that read is measured separately, once, as "read"). Queries are timed
 * one call at a time at instants spread over the conference and an hour
 * either side: the query alone (sched_query_*) and the whole answer as
 * text (sched_cmd_*, what a user gets). Nothing here is pass/fail.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sched_cmd.h"
#include "sched_load.h"
#include "sched_query.h"
#include "sched_source.h"
#include <hallway/civil.h>

#define BENCH_MAX_BYTES (64u << 20)

struct bench_file {
	const char *rel, *tz;
};

static const struct bench_file files[] = {
	{"mch2022-pretalx-schedule.json", "Europe/Amsterdam"},
	{"cccamp2019-frab-schedule.json", NULL},
	{"pyconfr2025-pretalx-api.json", "Europe/Paris"},
	{"pyconus2024-conference.json", "America/New_York"},
	{"fosdem2025-schedule.xml", NULL},
	{"fosdem2023-pentabarf-schedule.xml", "Europe/Brussels"},
	{"debconf23-wafer-schedule.xml", NULL},
	{"lca2020-schedule.ics", NULL},
	{"jres2022-schedule.ics", NULL},
	{"europython-2024-days", "Europe/Prague"},
};

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Sorts v and returns the q-quantile (nearest rank). */
static double quantile(double *v, size_t n, double q)
{
	size_t i;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	i = (size_t)(q * (double)n + 0.999999);
	if (i)
		i--;
	return v[i < n ? i : n - 1];
}

static int read_source(const char *dir, const char *rel, char **buf, size_t *len, double *us)
{
	char path[2048], err[256];
	const char *paths[1] = {path};
	double t0;

	snprintf(path, sizeof(path), "%s/schedules/%s", dir, rel);
	t0 = now_us();
	if (sched_source_read(paths, 1, BENCH_MAX_BYTES, buf, len, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", rel, err);
		return -1;
	}
	*us = now_us() - t0;
	return 0;
}

/* Loads every file `loads` times; returns the FOSDEM 2025 schedule. */
static struct sched *bench_loads(const char *dir, int loads)
{
	double *ms = calloc((size_t)loads, sizeof(*ms));
	struct sched *fosdem = NULL;
	int failed = 0;

	if (!ms)
		return NULL;
	printf("## Load (bytes in memory -> finished schedule), %d runs each\n\n", loads);
	printf("| file | size | talks | read (ms) | median (ms) | p99 (ms) | min (ms) | MB/s (median) |\n");
	printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
	for (size_t f = 0; f < sizeof(files) / sizeof(*files); f++) {
		char *buf = NULL, err[256];
		size_t len = 0, ntalks = 0;
		double read_us = 0, med;

		if (read_source(dir, files[f].rel, &buf, &len, &read_us)) {
			failed = 1;
			continue;
		}
		for (int i = 0; i < loads; i++) {
			struct sched *s = NULL;
			double t0 = now_us();
			if (sched_load(buf, len, SCHED_FMT_AUTO, files[f].tz, &s, err, sizeof(err))) {
				fprintf(stderr, "%s: %s\n", files[f].rel, err);
				failed = 1;
				break;
			}
			ms[i] = (now_us() - t0) / 1e3;
			ntalks = s->ntalks;
			if (!fosdem && !strcmp(files[f].rel, "fosdem2025-schedule.xml") && i == loads - 1)
				fosdem = s;
			else
				sched_model_free(s);
		}
		med = quantile(ms, (size_t)loads, 0.5);
		printf("| %s | %.0f KB | %zu | %.2f | %.2f | %.2f | %.2f | %.0f |\n", files[f].rel,
		       (double)len / 1024, ntalks, read_us / 1e3, med, quantile(ms, (size_t)loads, 0.99),
		       ms[0], med > 0 ? (double)len / 1e6 / (med / 1e3) : 0);
		free(buf);
	}
	printf("\n");
	free(ms);
	if (failed) {
		sched_model_free(fosdem);
		return NULL;
	}
	return fosdem;
}

enum bench_query { Q_NEXT, Q_NEXT_ROOM, Q_NOW, Q_DAY, Q_SEARCH, Q_SPEAKER,
		   Q_CMD_NEXT, Q_CMD_NEXT_ROOM, Q_CMD_NOW, Q_CMD_DAY, Q_CMD_TALK, Q_COUNT };

static const char *const query_names[Q_COUNT] = {
	[Q_NEXT] = "sched_query_next (every room)",
	[Q_NEXT_ROOM] = "sched_query_next (one room)",
	[Q_NOW] = "sched_query_now (every room)",
	[Q_DAY] = "sched_query_day (whole day)",
	[Q_SEARCH] = "sched_query_search (\"rust\")",
	[Q_SPEAKER] = "sched_query_speaker",
	[Q_CMD_NEXT] = "`next` answer text",
	[Q_CMD_NEXT_ROOM] = "`next <room>` answer text",
	[Q_CMD_NOW] = "`now` answer text",
	[Q_CMD_DAY] = "`day sat` answer text",
	[Q_CMD_TALK] = "`talk rust` answer text",
};

/* One call of query q at instant t; returns a value so nothing is
 * optimised away. */
static size_t run_query(const struct sched *s, enum bench_query q, int64_t t, size_t k)
{
	const struct sched_talk *out[64];
	const char *room = s->rooms[k % s->nrooms];
	struct sched_roomset set = {&room, 1, NULL};
	struct hw_civil c;
	struct sched_reply r = {0};
	size_t n = 0;

	switch (q) {
	case Q_NEXT: return sched_query_next(s, t, NULL, out, 64);
	case Q_NEXT_ROOM: return sched_query_next(s, t, &set, out, 64);
	case Q_NOW: return sched_query_now(s, t, NULL, out, 64);
	case Q_DAY:
		hw_civil_split(hw_tz_to_local(s->tz, t), &c);
		return sched_query_day(s, c.year, c.mon, c.day, NULL, out, 64);
	case Q_SEARCH: return sched_query_search(s, "rust", out, 8);
	case Q_SPEAKER: return sched_query_speaker(s, s->talks[k % s->ntalks].speakers[0]
							   ? s->talks[k % s->ntalks].speakers[0] : "x",
						   out, 8);
	case Q_CMD_NEXT: sched_cmd_next(s, t, NULL, &r); break;
	case Q_CMD_NEXT_ROOM: sched_cmd_next(s, t, room, &r); break;
	case Q_CMD_NOW: sched_cmd_now(s, t, NULL, &r); break;
	case Q_CMD_DAY: sched_cmd_day(s, t, "sat", &r); break;
	case Q_CMD_TALK: sched_cmd_talk(s, "rust", &r); break;
	default: break;
	}
	for (size_t i = 0; i < r.n; i++)
		n += strlen(r.msgs[i]);
	sched_reply_free(&r);
	return n;
}

static int bench_queries(const struct sched *s, int nq)
{
	double *us = calloc((size_t)nq, sizeof(*us));
	int64_t from = s->talks[0].start - 3600, to = s->talks[s->ntalks - 1].end + 3600;
	volatile size_t sink = 0;

	if (!us)
		return -1;
	printf("## Queries over FOSDEM 2025 (%zu talks, %zu rooms), %d calls each\n\n", s->ntalks,
	       s->nrooms, nq);
	printf("Instants spread evenly from an hour before the first talk to an hour after the\n"
	       "last; rooms taken in turn. Each call timed on its own (clock_gettime around it).\n\n");
	printf("| query | median (µs) | p99 (µs) | max (µs) |\n|---|---:|---:|---:|\n");
	for (int q = 0; q < Q_COUNT; q++) {
		double mx = 0;
		for (int i = 0; i < nq; i++) {
			int64_t t = from + (to - from) * i / (nq > 1 ? nq - 1 : 1);
			double t0 = now_us();
			sink += run_query(s, (enum bench_query)q, t, (size_t)i);
			us[i] = now_us() - t0;
			if (us[i] > mx)
				mx = us[i];
		}
		printf("| %s | %.2f | %.2f | %.1f |\n", query_names[q], quantile(us, (size_t)nq, 0.5),
		       quantile(us, (size_t)nq, 0.99), mx);
	}
	printf("\n");
	free(us);
	return sink ? 0 : 0;
}

int main(int argc, char **argv)
{
	const char *dir = NULL;
	int loads = 50, queries = 20000, smoke = 0, ret = 1;
	struct sched *fosdem;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--smoke"))
			smoke = 1;
		else if (!strcmp(argv[i], "--loads") && i + 1 < argc)
			loads = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--queries") && i + 1 < argc)
			queries = atoi(argv[++i]);
		else
			dir = argv[i];
	}
	if (smoke) {
		loads = 2;
		queries = 50;
	}
	if (!dir || loads < 1 || queries < 1) {
		fprintf(stderr, "usage: sched_bench [--smoke] [--loads N] [--queries N] DATA_DIR\n");
		return 2;
	}
	sched_xml_init();
	fosdem = bench_loads(dir, loads);
	if (fosdem && bench_queries(fosdem, queries) == 0)
		ret = 0;
	sched_model_free(fosdem);
	return ret;
}
