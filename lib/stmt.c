/*
 * Statement helpers and units of work over the plugin storage API (see
 * <hallway/stmt.h>). One copy for every plugin on db_run.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/stmt.h>

static int bind_all(const hw_api *api, hw_stmt *st, const char *types, va_list ap)
{
	int idx = 1;
	for (const char *t = types ? types : ""; *t; t++, idx++) {
		int rc = *t == 'i' ? api->db_bind_int(st, idx, va_arg(ap, int64_t))
				   : api->db_bind_text(st, idx, va_arg(ap, const char *));
		if (rc)
			return rc;
	}
	return HW_OK;
}

static hw_stmt *prepare_v(const hw_api *api, hw_tx *tx, const char *sql, const char *types,
			  va_list ap)
{
	hw_stmt *st = api->db_prepare(tx, sql);
	if (!st || bind_all(api, st, types, ap))
		return NULL;
	return st;
}

hw_stmt *hw_sql(const hw_api *api, hw_tx *tx, const char *sql, const char *types, ...)
{
	va_list ap;
	hw_stmt *st;
	va_start(ap, types);
	st = prepare_v(api, tx, sql, types, ap);
	va_end(ap);
	return st;
}

int hw_sql_exec(const hw_api *api, hw_tx *tx, const char *sql, const char *types, ...)
{
	va_list ap;
	hw_stmt *st;
	int rc = HW_ERR_STORAGE;
	va_start(ap, types);
	st = prepare_v(api, tx, sql, types, ap);
	va_end(ap);
	while (st && (rc = api->db_step(st)) == HW_ROW)
		;
	return rc == HW_DONE ? HW_OK : rc < 0 ? rc : HW_ERR_STORAGE;
}

int hw_sql_int(const hw_api *api, hw_tx *tx, int64_t *out, const char *sql, const char *types, ...)
{
	va_list ap;
	hw_stmt *st;
	int rc;
	*out = 0;
	va_start(ap, types);
	st = prepare_v(api, tx, sql, types, ap);
	va_end(ap);
	if (!st)
		return HW_ERR_STORAGE;
	rc = api->db_step(st);
	if (rc == HW_ROW) {
		*out = api->db_col_int(st, 0);
		return HW_OK;
	}
	return rc == HW_DONE ? HW_ERR_NOT_FOUND : rc < 0 ? rc : HW_ERR_STORAGE;
}

const char *hw_sql_col(const hw_api *api, hw_stmt *st, int col)
{
	const char *s = api->db_col_text(st, col);
	return s ? s : "";
}

int hw_sql_rows(const hw_api *api, hw_stmt *st, size_t size, hw_row_fill_fn fill,
		void (*free_rows)(void *rows, size_t n), void **rows, size_t *n)
{
	unsigned char *v = NULL;
	size_t cnt = 0, cap = 0;
	int rc = HW_ERR_STORAGE;

	if (!size || !fill || !free_rows)
		return HW_ERR_INVALID;
	while (st && (rc = api->db_step(st)) == HW_ROW) {
		if (cnt == cap) {
			size_t want = cap ? cap * 2 : 8;
			unsigned char *grown = want > SIZE_MAX / size ? NULL : realloc(v, want * size);

			if (!grown) {
				rc = HW_ERR_NOMEM;
				break;
			}
			v = grown;
			cap = want;
		}
		memset(v + cnt * size, 0, size);
		/* Counted before the fill: a half-filled row is freed too. */
		if ((rc = fill(api, st, v + cnt++ * size)) != HW_OK)
			break;
	}
	if (rc != HW_DONE) {
		free_rows(v, cnt);
		return rc < 0 ? rc : HW_ERR_STORAGE;
	}
	*rows = v;
	*n = cnt;
	return HW_OK;
}

struct hw_units {
	const hw_api *api;
	hw_plugin *self;
	void *ctx;
	void (*free_ctx)(void *);
	int refs;     /* the plugin's own (until hw_units_stop) + one per unit out */
	int stopping;
};

/* One unit of work in flight; owned by the host between db_run and done. */
struct unit {
	hw_units *u;
	hw_unit_body_fn body;
	hw_unit_done_fn done;
	void (*free_job)(void *);
	void *job;
};

hw_units *hw_units_new(const hw_api *api, hw_plugin *self, void *ctx, void (*free_ctx)(void *))
{
	hw_units *u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	u->api = api;
	u->self = self;
	u->ctx = ctx;
	u->free_ctx = free_ctx;
	u->refs = 1;
	return u;
}

void hw_units_hold(hw_units *u)
{
	u->refs++;
}

void hw_units_release(hw_units *u)
{
	if (--u->refs > 0)
		return;
	if (u->free_ctx)
		u->free_ctx(u->ctx);
	free(u);
}

int hw_units_stopping(const hw_units *u)
{
	return u->stopping;
}

void hw_units_stop(hw_units *u)
{
	if (u)
		u->stopping = 1;
}

static int unit_body(hw_plugin *self, hw_tx *tx, void *ud)
{
	struct unit *w = ud;
	(void)self;
	return w->body(w->u->ctx, tx, w->job);
}

static void unit_done(hw_plugin *self, int status, void *ud)
{
	struct unit *w = ud;
	hw_units *u = w->u;
	(void)self;
	if (!u->stopping && w->done)
		w->done(u->ctx, status, w->job);
	else if (w->free_job)
		w->free_job(w->job);
	free(w);
	hw_units_release(u);
}

int hw_units_run(hw_units *u, hw_unit_body_fn body, hw_unit_done_fn done,
		 void (*free_job)(void *), void *job)
{
	struct unit *w;
	int rc;
	if (u->stopping || !(w = calloc(1, sizeof(*w)))) {
		if (free_job)
			free_job(job);
		return u->stopping ? HW_ERR_UNAVAILABLE : HW_ERR_NOMEM;
	}
	w->u = u;
	w->body = body;
	w->done = done;
	w->free_job = free_job;
	w->job = job;
	u->refs++;
	rc = u->api->db_run(u->self, unit_body, unit_done, w);
	if (rc) {
		/* Not queued: done will not come. */
		u->refs--;
		if (free_job)
			free_job(job);
		free(w);
	}
	return rc;
}
