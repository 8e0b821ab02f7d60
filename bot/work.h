/*
 * Worker threads for what must not run on the loop: DNS resolution and
 * CPU-heavy parsing. run() executes on a worker; done() executes later on
 * the loop thread (woken through lws_cancel_service). A cancelled job still
 * gets done() with cancelled = 1 so its owner can free arg.
 */
#ifndef HALLWAY_WORK_H
#define HALLWAY_WORK_H

#include <stdint.h>

struct lws_context;
struct work;

typedef void (*work_run_fn)(void *arg);
typedef void (*work_done_fn)(void *arg, int cancelled);

/* Returns a new pool with nthreads workers, or NULL. */
struct work *work_create(struct lws_context *lws, int nthreads);
/* Queue a job; returns its id (> 0) or 0 on failure. */
uint64_t work_submit(struct work *w, work_run_fn run, work_done_fn done, void *arg);
/* Mark a job cancelled: done() will get cancelled = 1 (run may still run). */
void work_cancel(struct work *w, uint64_t id);
/* Takes a job back: waits while a worker is running it, then removes it
 * without calling done() (the caller completes it). Returns 1 if the job
 * was still known, 0 if it had already been drained. */
int work_reclaim(struct work *w, uint64_t id);
/* Loop thread: call done() of every finished job. Called from the lws
 * EVENT_WAIT_CANCELLED callback. */
void work_drain(struct work *w);
/* Joins the workers; jobs not finished are cancelled and completed. */
void work_destroy(struct work *w);

#endif
