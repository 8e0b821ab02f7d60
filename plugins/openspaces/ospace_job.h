/*
 * ospace_job — a command (or a timer's work) as one unit of work on the
 * storage API (include/hallway/store.h, lib/stmt.c's hw_units): the body
 * runs on the storage thread inside one transaction, reads and writes
 * through j->db and writes its answer into the job; after the commit,
 * done() on the loop sends the answer, flushes the outbox, refreshes the
 * screens' copy of the board and publishes what the body asked for. A
 * failed unit (the database away: HW_ERR_UNAVAILABLE) wrote nothing and
 * says so.
 *
 * A body touches nothing the loop changes: it has the clock and the time
 * zone and the known places as they were when the job was queued
 * (j->now_ms, j->tz, j->places: what the plugin replaces stays alive until
 * it unloads), the board (fixed at init) and the kept invocation.
 */
#ifndef OSPACE_JOB_H
#define OSPACE_JOB_H

#include <jansson.h>
#include <stdint.h>

#include "openspaces.h"
#include "ospace_db.h"

typedef struct ospace_job ospace_job;
typedef int (*ospace_job_fn)(ospace_job *j);

struct ospace_job {
	ospace *o;
	const hw_invocation *inv;   /* kept for the answer; NULL for a timer's job */
	ospace_db db;               /* valid inside the body */
	int64_t now_ms;             /* the clock when queued */
	const struct hw_tz *tz;     /* the conference's zone when queued */
	char *const *places;        /* the places a meetup may name, when queued */
	size_t nplaces;
	ospace_job_fn body;
	void (*after)(ospace_job *j); /* on the loop after the commit, or NULL */
	char *reply;                /* the answer (owned), sent after the commit */
	json_t *model;              /* or a reply model (owned) */
	int flush;                  /* rows were queued in the outbox */
	const char *screen;         /* the board changed: why ("proposed"...) */
	json_t *copy;               /* then the board as committed (ospace_screen.h) */
	void *arg;                  /* the command's own data */
	void (*arg_free)(void *arg);
};

/* Runs body for the invocation: keeps it, queues the unit of work, and
 * answers from done(). Returns HW_OK once queued, or an error (nothing
 * queued). */
int ospace_job_cmd(ospace *o, const hw_invocation *inv, ospace_job_fn body);
/* The same with the command's own data (freed with arg_free, also when
 * nothing could be queued) and an optional after(). */
int ospace_job_cmd_arg(ospace *o, const hw_invocation *inv, ospace_job_fn body, void *arg,
		       void (*arg_free)(void *), void (*after)(ospace_job *j));
/* A job without an invocation (a timer's). */
int ospace_job_run(ospace *o, ospace_job_fn body, void *arg, void (*arg_free)(void *),
		   void (*after)(ospace_job *j));

/* Inside a body: the answer (copied; the last one wins); NULL text is
 * "that reply got too long". HW_OK or HW_ERR_NOMEM. */
int ospace_job_say(ospace_job *j, const char *text);

#endif
