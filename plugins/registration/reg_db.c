/*
 * registration's units of work on the host's storage (ABI 1.2 db_run):
 * the body runs in a transaction (on the storage thread with PostgreSQL,
 * inline with SQLite) and may only use the statement calls; done runs on
 * the loop afterwards. Each job holds a reference on the plugin's context,
 * so a done() the host delivers after shutdown (HW_ERR_UNAVAILABLE for work
 * dropped at unload) frees the job and touches nothing else; the context
 * goes with the last reference.
 *
 * The statement helpers bind by a type string like lib/db.c's: 'i'
 * int64_t, 't' const char * (NULL binds NULL).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "registration.h"

struct unit {
	reg *r;
	reg_body_fn body;
	reg_done_fn done;
	void (*free_job)(void *);
	void *job;
};

static int unit_body(hw_plugin *self, hw_tx *tx, void *ud)
{
	struct unit *u = ud;
	(void)self;
	return u->body(u->r, tx, u->job);
}

static void unit_done(hw_plugin *self, int status, void *ud)
{
	struct unit *u = ud;
	reg *r = u->r;
	(void)self;
	if (!r->stopping && u->done)
		u->done(r, status, u->job);
	else if (u->free_job)
		u->free_job(u->job);
	free(u);
	reg_unref(r);
}

int reg_db(reg *r, reg_body_fn body, reg_done_fn done, void (*free_job)(void *), void *job)
{
	struct unit *u;
	int rc;
	if (r->stopping || !(u = calloc(1, sizeof(*u)))) {
		if (free_job)
			free_job(job);
		return HW_ERR_NOMEM;
	}
	u->r = r;
	u->body = body;
	u->done = done;
	u->free_job = free_job;
	u->job = job;
	r->refs++;
	rc = r->api->db_run(r->self, unit_body, unit_done, u);
	if (rc) {
		/* Not queued: done will not come. */
		r->refs--;
		if (free_job)
			free_job(job);
		free(u);
	}
	return rc;
}

static int bind_all(const reg *r, hw_stmt *st, const char *types, va_list ap)
{
	int idx = 1;
	for (const char *t = types ? types : ""; *t; t++, idx++) {
		int rc = *t == 'i' ? r->api->db_bind_int(st, idx, va_arg(ap, int64_t))
				   : r->api->db_bind_text(st, idx, va_arg(ap, const char *));
		if (rc)
			return rc;
	}
	return HW_OK;
}

hw_stmt *reg_sql(reg *r, hw_tx *tx, const char *sql, const char *types, ...)
{
	hw_stmt *st = r->api->db_prepare(tx, sql);
	va_list ap;
	int rc;
	if (!st)
		return NULL;
	va_start(ap, types);
	rc = bind_all(r, st, types, ap);
	va_end(ap);
	return rc ? NULL : st;
}

int reg_exec(reg *r, hw_tx *tx, const char *sql, const char *types, ...)
{
	hw_stmt *st = r->api->db_prepare(tx, sql);
	va_list ap;
	int rc;
	if (!st)
		return HW_ERR_STORAGE;
	va_start(ap, types);
	rc = bind_all(r, st, types, ap);
	va_end(ap);
	if (rc)
		return rc;
	while ((rc = r->api->db_step(st)) == HW_ROW)
		;
	return rc == HW_DONE ? HW_OK : rc < 0 ? rc : HW_ERR_STORAGE;
}

int reg_int(reg *r, hw_tx *tx, int64_t *out, const char *sql, const char *types, ...)
{
	hw_stmt *st = r->api->db_prepare(tx, sql);
	va_list ap;
	int rc;
	*out = 0;
	if (!st)
		return HW_ERR_STORAGE;
	va_start(ap, types);
	rc = bind_all(r, st, types, ap);
	va_end(ap);
	if (rc)
		return rc;
	rc = r->api->db_step(st);
	if (rc == HW_ROW) {
		*out = r->api->db_col_int(st, 0);
		return HW_OK;
	}
	return rc == HW_DONE ? HW_ERR_NOT_FOUND : rc < 0 ? rc : HW_ERR_STORAGE;
}

const char *reg_col(reg *r, hw_stmt *st, int col)
{
	const char *s = r->api->db_col_text(st, col);
	return s ? s : "";
}
