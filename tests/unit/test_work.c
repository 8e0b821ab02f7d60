/*
 * Worker pool (bot/core/work.c): taking a job back never waits for a worker.
 * The job a worker is inside is completed later, cancelled, by work_drain
 * (issue 14: a plugin reload blocked the loop for a whole schedule parse).
 */
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"
#include "work.h"

struct gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int entered, open;
	int done_calls, done_cancelled;
};

static void gate_run(void *arg)
{
	struct gate *g = arg;
	pthread_mutex_lock(&g->lock);
	g->entered = 1;
	pthread_cond_broadcast(&g->cond);
	while (!g->open)
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
}

static void gate_done(void *arg, int cancelled)
{
	struct gate *g = arg;
	g->done_calls++;
	g->done_cancelled += cancelled;
}

static void noop_run(void *arg)
{
	(void)arg;
}

static double mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void gate_init(struct gate *g)
{
	memset(g, 0, sizeof(*g));
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->cond, NULL);
}

static void gate_wait_entered(struct gate *g)
{
	pthread_mutex_lock(&g->lock);
	while (!g->entered)
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
}

static void gate_open(struct gate *g)
{
	pthread_mutex_lock(&g->lock);
	g->open = 1;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

/* Drains until done() was called n times or 5 s pass. */
static void drain_until(struct work *w, int *calls, int n)
{
	double end = mono_ms() + 5000;
	while (*calls < n && mono_ms() < end) {
		work_drain(w);
		usleep(1000);
	}
}

TEST(detach_running_job_returns_at_once)
{
	struct work *w = work_create(NULL, 1);
	struct gate g;
	uint64_t id;
	double t0;
	REQUIRE(w);
	gate_init(&g);
	id = work_submit(w, gate_run, gate_done, &g);
	REQUIRE(id);
	gate_wait_entered(&g);
	t0 = mono_ms();
	/* A worker is inside run(): not taken, and no waiting for it. */
	CHECK_INTEQ(work_detach(w, id), 0);
	CHECK(mono_ms() - t0 < 100);
	work_drain(w);
	CHECK_INTEQ(g.done_calls, 0);
	gate_open(&g);
	drain_until(w, &g.done_calls, 1);
	CHECK_INTEQ(g.done_calls, 1);
	CHECK_INTEQ(g.done_cancelled, 1);
	work_destroy(w);
}

TEST(detach_queued_job_is_taken)
{
	struct work *w = work_create(NULL, 1);
	struct gate blocker, queued;
	uint64_t bid, qid;
	REQUIRE(w);
	gate_init(&blocker);
	gate_init(&queued);
	bid = work_submit(w, gate_run, gate_done, &blocker);
	qid = work_submit(w, noop_run, gate_done, &queued);
	REQUIRE(bid && qid);
	gate_wait_entered(&blocker);
	/* Still queued behind the blocker: taken back, done() is the caller's. */
	CHECK_INTEQ(work_detach(w, qid), 1);
	CHECK_INTEQ(work_detach(w, qid), 0); /* unknown now */
	gate_open(&blocker);
	drain_until(w, &blocker.done_calls, 1);
	CHECK_INTEQ(blocker.done_calls, 1);
	CHECK_INTEQ(blocker.done_cancelled, 0);
	CHECK_INTEQ(queued.done_calls, 0);
	work_destroy(w);
}

TEST(detach_finished_job_before_drain_is_taken)
{
	struct work *w = work_create(NULL, 1);
	struct gate g;
	uint64_t id;
	double end;
	int taken;
	REQUIRE(w);
	gate_init(&g);
	g.open = 1;
	id = work_submit(w, gate_run, gate_done, &g);
	REQUIRE(id);
	gate_wait_entered(&g);
	/* Wait until run() has left, without draining; then detach takes it. */
	end = mono_ms() + 5000;
	while (!(taken = work_detach(w, id)) && mono_ms() < end)
		usleep(1000);
	CHECK_INTEQ(taken, 1);
	work_drain(w);
	CHECK_INTEQ(g.done_calls, 0);
	work_destroy(w);
}

int main(void)
{
	RUN(detach_running_job_returns_at_once);
	RUN(detach_queued_job_is_taken);
	RUN(detach_finished_job_before_drain_is_taken);
	return test_summary();
}
