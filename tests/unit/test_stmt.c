/*
 * lib/stmt.c's units of work (<hallway/stmt.h>): the context outlives its
 * units, done() runs only while the plugin is not stopping, and a job is
 * freed exactly once on every path. A fake db_run keeps the units so the test
 * decides when each one comes back, as the host's storage thread would.
 */
#include <stdlib.h>
#include <string.h>

#include <hallway/stmt.h>

#include "testlib.h"

static hw_tx_fn pending_body[4];
static hw_tx_done_fn pending_done[4];
static void *pending_ud[4];
static int npending;
static int refuse_run;

static int fake_db_run(hw_plugin *self, hw_tx_fn body, hw_tx_done_fn done, void *ud)
{
	(void)self;
	if (refuse_run || npending == 4)
		return HW_ERR_UNAVAILABLE;
	pending_body[npending] = body;
	pending_done[npending] = done;
	pending_ud[npending++] = ud;
	return HW_OK;
}

static int ctx_freed, bodies, dones, jobs_freed;

static void free_ctx(void *ctx)
{
	(void)ctx;
	ctx_freed++;
}

static int body(void *ctx, hw_tx *tx, void *job)
{
	(void)ctx;
	(void)tx;
	(void)job;
	bodies++;
	return HW_OK;
}

static void done(void *ctx, int status, void *job)
{
	(void)ctx;
	(void)status;
	dones++;
	free(job);
	jobs_freed++;
}

static void free_job(void *job)
{
	free(job);
	jobs_freed++;
}

/* The host: runs the body, then delivers done. */
static void deliver(int i, int status)
{
	if (status == HW_OK)
		pending_body[i](NULL, NULL, pending_ud[i]);
	pending_done[i](NULL, status, pending_ud[i]);
}

static void reset(void)
{
	npending = refuse_run = 0;
	ctx_freed = bodies = dones = jobs_freed = 0;
}

TEST(done_runs_while_the_plugin_runs)
{
	hw_api api = {.db_run = fake_db_run};
	int ctx = 0;
	hw_units *u;
	reset();
	REQUIRE((u = hw_units_new(&api, NULL, &ctx, free_ctx)) != NULL);
	CHECK(hw_units_run(u, body, done, free_job, malloc(8)) == HW_OK);
	deliver(0, HW_OK);
	CHECK(bodies == 1 && dones == 1 && jobs_freed == 1);
	CHECK(!hw_units_stopping(u));
	hw_units_stop(u);
	CHECK(hw_units_stopping(u));
	CHECK(ctx_freed == 0);
	hw_units_release(u);
	CHECK(ctx_freed == 1);
}

TEST(the_context_outlives_a_unit_still_out_at_shutdown)
{
	hw_api api = {.db_run = fake_db_run};
	int ctx = 0;
	hw_units *u;
	reset();
	REQUIRE((u = hw_units_new(&api, NULL, &ctx, free_ctx)) != NULL);
	CHECK(hw_units_run(u, body, done, free_job, malloc(8)) == HW_OK);
	CHECK(hw_units_run(u, body, done, free_job, malloc(8)) == HW_OK);
	hw_units_stop(u);
	/* Stopping: a new unit is refused and its job freed at once. */
	CHECK(hw_units_run(u, body, done, free_job, malloc(8)) == HW_ERR_UNAVAILABLE);
	CHECK(jobs_freed == 1);
	hw_units_release(u);
	CHECK(ctx_freed == 0);
	deliver(0, HW_OK);
	CHECK(ctx_freed == 0);
	deliver(1, HW_ERR_UNAVAILABLE);
	/* done() never ran after stop; every job freed once; ctx gone last. */
	CHECK(dones == 0);
	CHECK(jobs_freed == 3);
	CHECK(ctx_freed == 1);
}

TEST(a_unit_the_host_refuses_frees_its_job_and_keeps_no_reference)
{
	hw_api api = {.db_run = fake_db_run};
	int ctx = 0;
	hw_units *u;
	reset();
	REQUIRE((u = hw_units_new(&api, NULL, &ctx, free_ctx)) != NULL);
	refuse_run = 1;
	CHECK(hw_units_run(u, body, done, free_job, malloc(8)) == HW_ERR_UNAVAILABLE);
	CHECK(jobs_freed == 1 && npending == 0);
	hw_units_stop(u);
	hw_units_release(u);
	CHECK(ctx_freed == 1);
}

TEST(a_hold_keeps_the_context)
{
	hw_api api = {.db_run = fake_db_run};
	int ctx = 0;
	hw_units *u;
	reset();
	REQUIRE((u = hw_units_new(&api, NULL, &ctx, free_ctx)) != NULL);
	hw_units_hold(u);
	hw_units_stop(u);
	hw_units_release(u);
	CHECK(ctx_freed == 0);
	hw_units_release(u);
	CHECK(ctx_freed == 1);
}

/* hw_sql_rows over a fake statement: rows_left rows, then HW_DONE, or
 * step_error in place of the row numbered fail_at. */
static int rows_left, step_error, fail_at, freed_rows, fill_nomem_at, row_no;

static int fake_step(hw_stmt *st)
{
	(void)st;
	if (step_error && row_no == fail_at)
		return step_error;
	return rows_left-- > 0 ? HW_ROW : HW_DONE;
}

static int64_t fake_col_int(hw_stmt *st, int col)
{
	(void)st;
	(void)col;
	return row_no;
}

struct two {
	int64_t value;
	char *copy;
};

static int fill_two(const hw_api *api, hw_stmt *st, void *row)
{
	struct two *t = row;

	CHECK(t->value == 0 && t->copy == NULL); /* zeroed before the fill */
	t->value = api->db_col_int(st, 0) * 10;
	if (row_no++ == fill_nomem_at)
		return HW_ERR_NOMEM;
	t->copy = strdup("x");
	return t->copy ? HW_OK : HW_ERR_NOMEM;
}

static void free_two(void *rows, size_t n)
{
	struct two *v = rows;

	for (size_t i = 0; v && i < n; i++)
		free(v[i].copy);
	free(v);
	freed_rows += (int)n;
}

static void rows_reset(int n)
{
	rows_left = n;
	step_error = 0;
	fail_at = -1;
	freed_rows = 0;
	fill_nomem_at = -1;
	row_no = 0;
}

TEST(rows_are_collected_in_order_past_the_first_growth)
{
	hw_api api = {0};
	struct two *v = NULL;
	size_t n = 0;

	api.db_step = fake_step;
	api.db_col_int = fake_col_int;
	rows_reset(20); /* the array starts at 8 and doubles twice */
	CHECK(hw_sql_rows(&api, (hw_stmt *)&api, sizeof(*v), fill_two, free_two, (void **)&v, &n) ==
	      HW_OK);
	REQUIRE(n == 20 && v != NULL);
	for (size_t i = 0; i < n; i++)
		CHECK(v[i].value == (int64_t)i * 10 && v[i].copy && !strcmp(v[i].copy, "x"));
	free_two(v, n);
	/* No rows: HW_OK, NULL, 0. */
	rows_reset(0);
	v = (struct two *)&api;
	CHECK(hw_sql_rows(&api, (hw_stmt *)&api, sizeof(*v), fill_two, free_two, (void **)&v, &n) ==
	      HW_OK);
	CHECK(v == NULL && n == 0);
}

TEST(a_failure_frees_every_row_filled_so_far_and_leaves_the_outputs)
{
	hw_api api = {0};
	struct two *v = (struct two *)&api, *untouched = v;
	size_t n = 77;

	api.db_step = fake_step;
	api.db_col_int = fake_col_int;
	/* The fill runs out of memory on the 12th row: 12 rows freed (the
	 * half-filled one too), the outputs untouched. */
	rows_reset(30);
	fill_nomem_at = 11;
	CHECK(hw_sql_rows(&api, (hw_stmt *)&api, sizeof(*v), fill_two, free_two, (void **)&v, &n) ==
	      HW_ERR_NOMEM);
	CHECK(freed_rows == 12 && v == untouched && n == 77);
	/* The step fails after 5 rows. */
	rows_reset(30);
	step_error = HW_ERR_STORAGE;
	fail_at = 5;
	CHECK(hw_sql_rows(&api, (hw_stmt *)&api, sizeof(*v), fill_two, free_two, (void **)&v, &n) ==
	      HW_ERR_STORAGE);
	CHECK(freed_rows == 5 && v == untouched && n == 77);
	/* A failed hw_sql (NULL statement) is a storage error. */
	rows_reset(3);
	CHECK(hw_sql_rows(&api, NULL, sizeof(*v), fill_two, free_two, (void **)&v, &n) ==
	      HW_ERR_STORAGE);
	CHECK(freed_rows == 0 && v == untouched);
}

int main(void)
{
	RUN(done_runs_while_the_plugin_runs);
	RUN(the_context_outlives_a_unit_still_out_at_shutdown);
	RUN(a_unit_the_host_refuses_frees_its_job_and_keeps_no_reference);
	RUN(a_hold_keeps_the_context);
	RUN(rows_are_collected_in_order_past_the_first_growth);
	RUN(a_failure_frees_every_row_filled_so_far_and_leaves_the_outputs);
	return test_summary();
}
