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
/* Takes a job back without ever waiting (the loop must not block on a
 * worker). Returns 1 if the job was queued or finished but not drained: it
 * is forgotten and done() is not called (the caller completes it). Returns
 * 0 if a worker is inside run() right now, or the job is unknown: it is
 * marked cancelled and work_drain() calls done(arg, 1) once run() returns,
 * so whatever run() and done() need (a plugin's code) must stay valid
 * until then. */
int work_detach(struct work *w, uint64_t id);
/* Loop thread: call done() of every finished job. Called from the lws
 * EVENT_WAIT_CANCELLED callback. */
void work_drain(struct work *w);
/* Joins the workers; jobs not finished are cancelled and completed. */
void work_destroy(struct work *w);

#endif
