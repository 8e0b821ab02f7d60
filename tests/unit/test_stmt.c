/*
 * lib/stmt.c's units of work (<hallway/stmt.h>): the context outlives its
 * units, done() runs only while the plugin is not stopping, and a job is
 * freed exactly once on every path. A fake db_run keeps the units so the test
 * decides when each one comes back, as the host's storage thread would.
 */
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

int main(void)
{
	RUN(done_runs_while_the_plugin_runs);
	RUN(the_context_outlives_a_unit_still_out_at_shutdown);
	RUN(a_unit_the_host_refuses_frees_its_job_and_keeps_no_reference);
	RUN(a_hold_keeps_the_context);
	return test_summary();
}
