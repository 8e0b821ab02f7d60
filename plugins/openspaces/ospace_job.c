/*
 * ospace_job — commands as units of work (ospace_job.h).
 */
#include "ospace_job.h"

#include <stdlib.h>
#include <string.h>

#include <hallway/dm_outbox.h>

#include "ospace_screen.h"

static void job_free(void *p)
{
	ospace_job *j = p;
	if (!j)
		return;
	/* After hw_units_stop the host's sweep releases kept invocations. */
	if (j->inv && !hw_units_stopping(j->o->units))
		j->o->api->invocation_release(j->o->self, j->inv);
	if (j->arg_free)
		j->arg_free(j->arg);
	free(j->reply);
	json_decref(j->model);
	json_decref(j->copy);
	free(j);
}

static int job_body(void *ctx, hw_tx *tx, void *p)
{
	ospace_job *j = p;
	int rc;
	(void)ctx;
	j->db.tx = tx;
	/* A body the host runs again (a retried transaction) starts afresh. */
	free(j->reply);
	j->reply = NULL;
	json_decref(j->model);
	j->model = NULL;
	j->flush = 0;
	j->screen = NULL;
	json_decref(j->copy);
	j->copy = NULL;
	rc = j->body(j);
	/* The copy of the board (screens, autocomplete, the dry run) as this
	 * transaction leaves it: head counts change with every join. */
	if (rc == HW_OK)
		rc = ospace_screen_read(&j->db, j->o, &j->copy);
	return rc;
}

static void job_done(void *ctx, int status, void *p)
{
	ospace *o = ctx;
	ospace_job *j = p;

	if (status != HW_OK) {
		o->api->log(o->self, status == HW_ERR_UNAVAILABLE ? HW_LOG_WARN : HW_LOG_ERROR,
			    "openspaces: a unit of work failed (%d); nothing was kept", status);
		if (j->inv)
			o->api->reply(o->self, j->inv,
				      status == HW_ERR_UNAVAILABLE
					      ? "The database is unavailable: nothing was kept. "
						"Try again in a minute."
					      : "Sorry, that did not work and nothing was kept; "
						"try again.");
		job_free(j);
		return;
	}
	if (j->inv && j->model) {
		o->api->reply_model(o->self, j->inv, j->model);
		j->model = NULL; /* stolen */
	} else if (j->inv && j->reply) {
		o->api->reply(o->self, j->inv, j->reply);
	}
	ospace_screen_install(o, j->copy, j->screen);
	j->copy = NULL; /* stolen */
	if (j->after)
		j->after(j);
	if (j->flush)
		hw_dm_outbox_flush(o->outbox);
	job_free(j);
}

static int queue(ospace *o, const hw_invocation *inv, ospace_job_fn body, void *arg,
		 void (*arg_free)(void *), void (*after)(ospace_job *j))
{
	ospace_job *j = calloc(1, sizeof(*j));

	if (!j) {
		if (arg_free)
			arg_free(arg);
		return HW_ERR_NOMEM;
	}
	j->o = o;
	j->db.api = o->api;
	j->now_ms = o->api->now_ms(o->self);
	j->tz = o->tz;
	j->places = o->places;
	j->nplaces = o->nplaces;
	j->body = body;
	j->after = after;
	j->arg = arg;
	j->arg_free = arg_free;
	if (inv && !(j->inv = o->api->invocation_keep(o->self, inv))) {
		job_free(j);
		return HW_ERR_PLUGIN;
	}
	/* hw_units_run frees the job itself when nothing was queued. */
	return hw_units_run(o->units, job_body, job_done, job_free, j) ? HW_ERR_UNAVAILABLE
									: HW_OK;
}

int ospace_job_cmd(ospace *o, const hw_invocation *inv, ospace_job_fn body)
{
	return queue(o, inv, body, NULL, NULL, NULL);
}

int ospace_job_cmd_arg(ospace *o, const hw_invocation *inv, ospace_job_fn body, void *arg,
		       void (*arg_free)(void *), void (*after)(ospace_job *j))
{
	return queue(o, inv, body, arg, arg_free, after);
}

int ospace_job_run(ospace *o, ospace_job_fn body, void *arg, void (*arg_free)(void *),
		   void (*after)(ospace_job *j))
{
	return queue(o, NULL, body, arg, arg_free, after);
}

int ospace_job_say(ospace_job *j, const char *text)
{
	char *copy = strdup(text ? text : "Sorry, that reply got too long.");
	if (!copy)
		return HW_ERR_NOMEM;
	free(j->reply);
	j->reply = copy;
	return HW_OK;
}
