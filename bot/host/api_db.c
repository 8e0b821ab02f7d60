/*
 * The hw_api storage members of ABI 1.2: db_run and db_engine (the
 * statement calls are store.c's). A body runs on the storage thread
 * (storage.c's one-thread pool), in the order db_run was called; done()
 * runs afterwards on the loop, never inside db_run's caller, on both
 * engines. The job is a plugin_pending record (kind PENDING_DB) so the
 * unload sweep finds it: a job not started is dropped and its done() gets
 * HW_ERR_UNAVAILABLE at once (nothing was written); a body running at
 * unload finishes, its done() still comes (to free ud), and the plugin's
 * code stays mapped until then.
 */
#include <stdlib.h>
#include <string.h>

#include "hallway.h"
#include "host.h"
#include "log.h"
#include "router.h"
#include "storage.h"
#include "store.h"
#include "work.h"

struct db_job {
	hw_tx_fn body;
	void *ud;
	store_run_fn run;
	void *session;
	hw_plugin *self;
	struct storage *st; /* outlives every job (storage_stop drains them) */
	char *handled; /* the command's key, written with this unit (router_take_handled_key) */
	int status;
	char err[STORE_ERR_MAX];
};

static struct storage *storage_of(struct plugin *p)
{
	return p->host->hw->storage;
}

/* Storage thread. */
static void job_run(void *arg)
{
	struct plugin_pending *pp = arg;
	struct db_job *job = pp->ud;

	/* The SQLite engine counts itself as holding the write lock once it has
	 * it (store_sqlite_count_lock), for the health probe. */
	job->status = job->run(job->session, job->handled, job->body, job->self, job->ud, job->err,
			       sizeof(job->err));
}

static void job_finish(struct plugin_pending *pp, int status)
{
	struct db_job *job = pp->ud;
	hw_tx_done_fn done = (hw_tx_done_fn)pp->fn;

	if (done)
		done(job->self, status, job->ud);
	free(job->handled);
	free(job);
	pending_free(pp);
}

/* Loop thread, once the body ran (or never will: cancelled). */
static void job_done(void *arg, int cancelled)
{
	struct plugin_pending *pp = arg;
	struct db_job *job = pp->ud;
	struct plugin *p = pp->p;
	int orphan = pp->cancelled; /* swept while the thread ran it */
	int status = cancelled && !orphan ? HW_ERR_UNAVAILABLE : job->status;
	const char *role = orphan ? NULL : storage_role(storage_of(p));

	pending_unlink(pp);
	if (status == HW_ERR_UNAVAILABLE && !orphan && role && !strcmp(role, "standby"))
		/* A standby's writes are refused (its transactions are read-only
		 * until it holds the lease): its plugins' timers try, and that is
		 * how it should be, not a warning every few seconds. */
		LOGD("storage", "plugin %s: not committed on the standby (%d): %s", p->name, status,
		     job->err[0] ? job->err : "the body failed");
	else if (status != HW_OK && !orphan)
		LOGW("storage", "plugin %s: transaction not committed (%d): %s", p->name, status,
		     job->err[0] ? job->err : cancelled ? "shutting down" : "the body failed");
	job_finish(pp, status);
	if (orphan)
		host_job_returned(p); /* may unmap and free p */
}

void api_db_stop(struct plugin_pending *pp)
{
	if (work_detach(storage_pool(storage_of(pp->p)), pp->lower_id)) {
		job_finish(pp, HW_ERR_UNAVAILABLE);
	} else {
		pp->cancelled = 1; /* already off p->pending */
		host_job_orphaned(pp->p);
	}
}

static int api_db_run(hw_plugin *self, hw_tx_fn body, hw_tx_done_fn done, void *ud)
{
	struct plugin *p = plugin_from(self);
	struct storage *st = storage_of(p);
	struct plugin_pending *pp = NULL;
	struct db_job *job;

	if (!body)
		return HW_ERR_INVALID;
	if (!p->db || !storage_pool(st))
		return HW_ERR_UNAVAILABLE;
	job = calloc(1, sizeof(*job));
	if (!job)
		return HW_ERR_NOMEM;
	job->body = body;
	job->ud = ud;
	job->self = self;
	job->st = st;
	if (storage_plugin_session(p->db, &job->run, &job->session)) {
		free(job);
		return HW_ERR_STORAGE;
	}
	if (!(pp = pending_new(p, PENDING_DB, (void *)done, job))) {
		free(job);
		return HW_ERR_NOMEM;
	}
	/* Last, once nothing can fail: the first unit a command queues takes
	 * its key (two daemons), and once taken it is not written otherwise. */
	job->handled = router_take_handled_key(p->host->hw->router, p);
	pp->lower_id = work_submit(storage_pool(st), job_run, job_done, pp);
	if (!pp->lower_id) {
		LOGW("storage", "plugin %s: cannot queue a unit of work%s%s", p->name,
		     job->handled ? "; not recorded as handled: " : "",
		     job->handled ? job->handled : "");
		pending_unlink(pp);
		pending_free(pp);
		free(job->handled);
		free(job);
		return HW_ERR_NOMEM;
	}
	if (job->handled)
		LOGD("storage", "plugin %s: %s is recorded as handled with this unit of work", p->name,
		     job->handled);
	return HW_OK;
}

static const char *api_db_engine(hw_plugin *self)
{
	return storage_engine(storage_of(plugin_from(self)));
}

void api_db_init(hw_api *api)
{
	api->db_run = api_db_run;
	api->db_engine = api_db_engine;
	store_api_fill(api);
}
