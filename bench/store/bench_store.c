/*
 * bench_store: units of work per second and the latency of one, through
 * the storage API's engines as the daemon runs them (bot/storage/storage.c: the
 * storage thread, the plugin's session, on PostgreSQL the lease and its
 * fence). A unit is a sprint join's shape: an INSERT ... ON CONFLICT DO
 * NOTHING and a count of the project's signups.
 *
 *   bench_store sqlite:/tmp/x.db [N]
 *   bench_store postgresql://... [N]
 *
 * Prints one line: engine, units/s with 64 queued, p50/p99 latency of a
 * unit alone (queued, run, done back on the "loop").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "storage.h"
#include "store.h"
#include "work.h"

static hw_api api;

struct unit {
	int i;
	int rc;
	int done;
	int64_t count;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static store_run_fn run_fn;
static void *session;

static int join_body(hw_plugin *self, hw_tx *tx, void *ud)
{
	struct unit *u = ud;
	char user[32], project[16];
	hw_stmt *st;
	(void)self;
	snprintf(user, sizeof(user), "user%d", u->i % 100);
	snprintf(project, sizeof(project), "p%d", u->i % 10);
	st = api.db_prepare(tx, "INSERT INTO bench_join(project, user_id, at_ms) VALUES (?, ?, ?) "
				"ON CONFLICT (project, user_id) DO NOTHING");
	api.db_bind_text(st, 1, project);
	api.db_bind_text(st, 2, user);
	api.db_bind_int(st, 3, u->i);
	if (api.db_step(st) != HW_DONE)
		return HW_ERR_STORAGE;
	st = api.db_prepare(tx, "SELECT count(*) FROM bench_join WHERE project = ?");
	api.db_bind_text(st, 1, project);
	if (api.db_step(st) != HW_ROW)
		return HW_ERR_STORAGE;
	u->count = api.db_col_int(st, 0);
	return HW_OK;
}

static void unit_run(void *arg)
{
	struct unit *u = arg;
	char err[STORE_ERR_MAX];
	u->rc = run_fn(session, NULL, join_body, NULL, u, err, sizeof(err));
	if (u->rc)
		fprintf(stderr, "unit %d: %d %s\n", u->i, u->rc, err);
}

static void unit_done(void *arg, int cancelled)
{
	struct unit *u = arg;
	(void)cancelled;
	u->done = 1;
}

static void wait_all(struct storage *st, struct unit *u, int n)
{
	for (;;) {
		int left = 0;
		storage_drain(st);
		for (int i = 0; i < n; i++)
			left += !u[i].done;
		if (!left)
			return;
		usleep(50);
	}
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static const char *const steps_sqlite[] = {
		"CREATE TABLE bench_join(project TEXT NOT NULL, user_id TEXT NOT NULL, "
		"at_ms INTEGER NOT NULL, PRIMARY KEY (project, user_id))"};
	static const char *const steps_pg[] = {
		"CREATE TABLE bench_join(project TEXT NOT NULL, user_id TEXT NOT NULL, "
		"at_ms BIGINT NOT NULL, PRIMARY KEY (project, user_id))"};
	const char *url = argc > 1 ? argv[1] : NULL;
	int n = argc > 2 ? atoi(argv[2]) : 2000, pg;
	char dir[] = "/tmp/hw-bench-store-XXXXXX", path[128];
	struct storage *st = NULL;
	struct storage_plugin_db *pdb = NULL;
	struct unit *u;
	double t0, t1, *lat;

	if (!url || n < 10) {
		fprintf(stderr, "usage: bench_store sqlite:PATH|postgresql://URL [N]\n");
		return 2;
	}
	pg = strncmp(url, "sqlite:", 7) != 0;
	if (pg && !mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/host.db", pg ? dir : "");
	store_api_fill(&api);
	if (storage_open(pg ? path : url + 7, &st) || (pg && storage_use_postgres(st, url)) ||
	    storage_start(st, NULL) ||
	    (pg && storage_lease_start(st, NULL, "bench", 10000, NULL, NULL)) ||
	    storage_plugin_open(st, "bench", &pdb) ||
	    storage_plugin_migrate(pdb, pg ? steps_pg : steps_sqlite, 1) ||
	    storage_plugin_session(pdb, &run_fn, &session)) {
		fprintf(stderr, "bench_store: cannot set up %s\n", url);
		return 1;
	}
	u = calloc((size_t)n, sizeof(*u));
	lat = calloc((size_t)n, sizeof(*lat));
	if (!u || !lat)
		return 1;
	/* Throughput: 64 in flight at a time. */
	t0 = now_s();
	for (int base = 0; base < n; base += 64) {
		int k = n - base < 64 ? n - base : 64;
		for (int i = 0; i < k; i++) {
			u[base + i].i = base + i;
			work_submit(storage_pool(st), unit_run, unit_done, &u[base + i]);
		}
		wait_all(st, u + base, k);
	}
	t1 = now_s();
	/* Latency: one at a time. */
	for (int i = 0; i < n / 4; i++) {
		struct unit one = {.i = n + i};
		double s = now_s();
		work_submit(storage_pool(st), unit_run, unit_done, &one);
		wait_all(st, &one, 1);
		lat[i] = now_s() - s;
	}
	qsort(lat, (size_t)(n / 4), sizeof(*lat), cmp);
	printf("%-10s %7.0f units/s  one unit: p50 %.2f ms  p99 %.2f ms  (%d units)\n",
	       pg ? "postgresql" : "sqlite", n / (t1 - t0), lat[n / 8] * 1000,
	       lat[(int)((n / 4) * 0.99)] * 1000, n);
	for (int i = 0; i < n; i++)
		if (u[i].rc)
			return 1;
	free(u);
	free(lat);
	storage_plugin_close(pdb);
	storage_close(st);
	if (pg) {
		unlink(path);
		rmdir(dir);
	}
	return 0;
}
