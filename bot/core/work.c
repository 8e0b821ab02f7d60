/*
 * Worker pool: a FIFO of jobs run by N threads; finished jobs move to a
 * done list and the loop is woken with lws_cancel_service() (the only
 * thread-safe lws call). work_drain() runs on the loop thread.
 */
#include "work.h"

#include <libwebsockets.h>
#include <pthread.h>
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "log.h"

struct job {
	struct job *next;              /* queue or done list */
	struct job *all_prev, *all_next; /* every live job, for cancel */
	uint64_t id;
	work_run_fn run;
	work_done_fn done;
	void *arg;
	int cancelled; /* written on the loop thread under the lock */
	int running;   /* a worker is in run() (under the lock) */
};

struct work {
	struct lws_context *lws;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct job *queue_head, *queue_tail; /* waiting to run */
	struct job *done_head, *done_tail;   /* finished, waiting for drain */
	struct job *all;                     /* every job not yet drained */
	uint64_t next_id;
	int quit;
	int nthreads;
	pthread_t threads[8];
};

static void list_push(struct job **head, struct job **tail, struct job *j)
{
	j->next = NULL;
	if (*tail)
		(*tail)->next = j;
	else
		*head = j;
	*tail = j;
}

static void *worker_main(void *p)
{
	struct work *w = p;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct job *j;
		while (!w->quit && !w->queue_head)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->quit)
			break;
		j = w->queue_head;
		w->queue_head = j->next;
		if (!w->queue_head)
			w->queue_tail = NULL;
		int skip = j->cancelled;
		j->running = !skip;
		pthread_mutex_unlock(&w->lock);
		if (!skip)
			j->run(j->arg);
		pthread_mutex_lock(&w->lock);
		j->running = 0;
		list_push(&w->done_head, &w->done_tail, j);
		pthread_mutex_unlock(&w->lock);
		if (w->lws)
			lws_cancel_service(w->lws);
		pthread_mutex_lock(&w->lock);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct work *work_create(struct lws_context *lws, int nthreads)
{
	struct work *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	if (nthreads < 1)
		nthreads = 1;
	if (nthreads > 8)
		nthreads = 8;
	w->lws = lws;
	w->next_id = 1;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	for (int i = 0; i < nthreads; i++) {
		if (pthread_create(&w->threads[i], NULL, worker_main, w)) {
			LOGE("work", "cannot start worker thread %d", i);
			break;
		}
		w->nthreads++;
	}
	if (!w->nthreads) {
		work_destroy(w);
		return NULL;
	}
	return w;
}

uint64_t work_submit(struct work *w, work_run_fn run, work_done_fn done, void *arg)
{
	struct job *j;
	uint64_t id;
	if (!w || !run || !done)
		return 0;
	j = calloc(1, sizeof(*j));
	if (!j)
		return 0;
	j->run = run;
	j->done = done;
	j->arg = arg;
	pthread_mutex_lock(&w->lock);
	id = j->id = w->next_id++;
	list_push(&w->queue_head, &w->queue_tail, j);
	j->all_next = w->all;
	if (w->all)
		w->all->all_prev = j;
	w->all = j;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	return id;
}

void work_cancel(struct work *w, uint64_t id)
{
	if (!w || !id)
		return;
	pthread_mutex_lock(&w->lock);
	for (struct job *j = w->all; j; j = j->all_next)
		if (j->id == id)
			j->cancelled = 1;
	pthread_mutex_unlock(&w->lock);
}

static void unlink_all(struct work *w, struct job *j)
{
	if (j->all_prev)
		j->all_prev->all_next = j->all_next;
	else
		w->all = j->all_next;
	if (j->all_next)
		j->all_next->all_prev = j->all_prev;
}

/* Removes j from a singly linked list with head/tail; returns 1 if found. */
static int list_remove(struct job **head, struct job **tail, struct job *j)
{
	struct job *prev = NULL;
	for (struct job *x = *head; x; prev = x, x = x->next) {
		if (x != j)
			continue;
		if (prev)
			prev->next = x->next;
		else
			*head = x->next;
		if (*tail == x)
			*tail = prev;
		return 1;
	}
	return 0;
}

int work_detach(struct work *w, uint64_t id)
{
	struct job *j = NULL;
	int taken = 0;
	if (!w || !id)
		return 0;
	pthread_mutex_lock(&w->lock);
	for (struct job *x = w->all; x; x = x->all_next)
		if (x->id == id)
			j = x;
	if (j) {
		j->cancelled = 1;
		if (!j->running) {
			if (!list_remove(&w->queue_head, &w->queue_tail, j))
				list_remove(&w->done_head, &w->done_tail, j);
			unlink_all(w, j);
			free(j);
			taken = 1;
		}
	}
	pthread_mutex_unlock(&w->lock);
	return taken;
}

void work_drain(struct work *w)
{
	struct job *list;
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	list = w->done_head;
	w->done_head = w->done_tail = NULL;
	for (struct job *j = list; j; j = j->next)
		unlink_all(w, j);
	pthread_mutex_unlock(&w->lock);
	if (!list)
		return;
	while (list) {
		struct job *j = list;
		list = j->next;
		j->done(j->arg, j->cancelled);
		free(j);
	}
#ifdef __GLIBC__
	/* Jobs are rare, one-off heavy work (a schedule parsed into a tree on
	 * a worker's arena, an index built, a DNS lookup): give the pages they
	 * and their done callbacks freed back to the system, or RSS keeps the
	 * peak for good (bench/README.md). */
	malloc_trim(0);
#endif
}

void work_destroy(struct work *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->quit = 1;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	for (int i = 0; i < w->nthreads; i++)
		pthread_join(w->threads[i], NULL);
	/* Jobs never run are completed as cancelled so owners free them. */
	for (struct job *j = w->queue_head; j; j = j->next)
		j->cancelled = 1;
	if (w->queue_head) {
		if (w->done_tail)
			w->done_tail->next = w->queue_head;
		else
			w->done_head = w->queue_head;
		w->done_tail = w->queue_tail;
		w->queue_head = w->queue_tail = NULL;
	}
	work_drain(w);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w);
}
