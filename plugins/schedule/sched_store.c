/*
 * schedule_cache: the last good source bytes and their HTTP validators,
 * through api->db_run (see sched_store.h).
 *
 * A unit of work's done() may come after shutdown (the host completes
 * queued work at unload): each job holds a reference to a small link
 * whose plugin pointer shutdown clears, so a late done() only frees.
 */
#include "sched_store.h"

#include <stdlib.h>
#include <string.h>

#include "sched_model.h"
#include "sched_plugin.h"

/* SQLite databases made before storage moved to db_run have body BLOB;
 * SQLite stores the text written into it as text, so both read alike. */
static const char *const migrations_sqlite[] = {
	"CREATE TABLE schedule_cache("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" source TEXT NOT NULL,"
	" etag TEXT,"
	" last_modified TEXT,"
	" fetched_ms INTEGER NOT NULL,"
	" body BLOB NOT NULL)",
};
static const char *const migrations_pg[] = {
	"CREATE TABLE schedule_cache("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" source TEXT NOT NULL,"
	" etag TEXT,"
	" last_modified TEXT,"
	" fetched_ms BIGINT NOT NULL,"
	" body TEXT NOT NULL)",
};

const char *const *sched_store_migrations(const hw_api *api, hw_plugin *self, size_t *n)
{
	int pg = api->db_engine && !strcmp(api->db_engine(self), "postgresql");
	*n = 1;
	return pg ? migrations_pg : migrations_sqlite;
}

struct sched_store_link {
	struct sched_plugin *p; /* NULL after shutdown */
	int refs;
};

struct store_job {
	struct sched_store_link *link;
	const hw_api *api;
	sched_store_loaded_fn fn;
	struct sched_cached c; /* save: what to write; load: what was read */
	int status;
};

void sched_store_cached_free(struct sched_cached *c)
{
	free(c->source);
	free(c->etag);
	free(c->last_modified);
	free(c->body);
	memset(c, 0, sizeof(*c));
}

static struct sched_store_link *link_get(struct sched_plugin *p)
{
	if (!p->store_link) {
		p->store_link = calloc(1, sizeof(*p->store_link));
		if (!p->store_link)
			return NULL;
		p->store_link->p = p;
		p->store_link->refs = 1; /* the plugin's */
	}
	p->store_link->refs++;
	return p->store_link;
}

static void link_put(struct sched_store_link *l)
{
	if (l && !--l->refs)
		free(l);
}

void sched_store_detach(struct sched_plugin *p)
{
	if (!p->store_link)
		return;
	p->store_link->p = NULL;
	link_put(p->store_link);
	p->store_link = NULL;
}

static void job_free(struct store_job *j)
{
	sched_store_cached_free(&j->c);
	link_put(j->link);
	free(j);
}

static struct store_job *job_new(struct sched_plugin *p)
{
	struct store_job *j = calloc(1, sizeof(*j));
	if (!j)
		return NULL;
	j->api = p->api;
	if (!(j->link = link_get(p))) {
		free(j);
		return NULL;
	}
	return j;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* ---- save ---- */

static int save_body(hw_plugin *self, hw_tx *tx, void *ud)
{
	struct store_job *j = ud;
	const hw_api *api = j->api;
	hw_stmt *st = api->db_prepare(tx,
		"INSERT INTO schedule_cache(id, source, etag, last_modified, fetched_ms, body) "
		"VALUES (1, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET source = excluded.source, "
		"etag = excluded.etag, last_modified = excluded.last_modified, "
		"fetched_ms = excluded.fetched_ms, body = excluded.body");
	(void)self;
	api->db_bind_text(st, 1, j->c.source);
	api->db_bind_text(st, 2, j->c.etag);
	api->db_bind_text(st, 3, j->c.last_modified);
	api->db_bind_int(st, 4, j->c.fetched_ms);
	api->db_bind_text(st, 5, j->c.body);
	return api->db_step(st) == HW_DONE ? HW_OK : HW_ERR_STORAGE;
}

static void save_done(hw_plugin *self, int status, void *ud)
{
	struct store_job *j = ud;
	if (status != HW_OK && j->link->p)
		j->api->log(self, HW_LOG_WARN, "could not store the schedule copy (error %d)", status);
	job_free(j);
}

int sched_store_save(struct sched_plugin *p, const char *source, const char *etag,
		     const char *last_modified, const char *body, size_t len, int64_t fetched_ms)
{
	struct store_job *j;
	int rc;

	if (!p->api->db_run || !source || !body)
		return HW_ERR_UNSUPPORTED;
	if (memchr(body, '\0', len)) {
		p->api->log(p->self, HW_LOG_WARN,
			    "the schedule source holds a NUL byte: no stored copy is kept");
		return HW_ERR_INVALID;
	}
	if (!(j = job_new(p)))
		return HW_ERR_NOMEM;
	j->c.source = strdup(source);
	j->c.etag = dup_or_null(etag);
	j->c.last_modified = dup_or_null(last_modified);
	j->c.body = malloc(len + 1);
	j->c.fetched_ms = fetched_ms;
	if (!j->c.source || (etag && !j->c.etag) || (last_modified && !j->c.last_modified) ||
	    !j->c.body) {
		job_free(j);
		return HW_ERR_NOMEM;
	}
	memcpy(j->c.body, body, len);
	j->c.body[len] = '\0';
	j->c.len = len;
	rc = p->api->db_run(p->self, save_body, save_done, j);
	if (rc != HW_OK)
		job_free(j);
	return rc;
}

/* ---- load ---- */

static int load_body(hw_plugin *self, hw_tx *tx, void *ud)
{
	struct store_job *j = ud;
	const hw_api *api = j->api;
	hw_stmt *st = api->db_prepare(tx, "SELECT source, etag, last_modified, fetched_ms, body "
					  "FROM schedule_cache WHERE id = 1");
	const char *body;
	int rc = api->db_step(st);

	(void)self;
	if (rc == HW_DONE) {
		j->status = SCHED_ERR_EMPTY;
		return HW_OK;
	}
	if (rc != HW_ROW)
		return rc;
	body = api->db_col_text(st, 4);
	j->c.source = dup_or_null(api->db_col_text(st, 0));
	j->c.etag = dup_or_null(api->db_col_text(st, 1));
	j->c.last_modified = dup_or_null(api->db_col_text(st, 2));
	j->c.fetched_ms = api->db_col_int(st, 3);
	j->c.body = dup_or_null(body ? body : "");
	j->c.len = j->c.body ? strlen(j->c.body) : 0;
	if (!j->c.source || !j->c.body)
		return HW_ERR_NOMEM;
	j->status = SCHED_OK;
	return HW_OK;
}

static void load_done(hw_plugin *self, int status, void *ud)
{
	struct store_job *j = ud;
	(void)self;
	if (j->link->p)
		j->fn(j->link->p, &j->c, status == HW_OK ? j->status : SCHED_ERR_IO);
	job_free(j);
}

int sched_store_load(struct sched_plugin *p, sched_store_loaded_fn fn)
{
	struct store_job *j;
	int rc;

	if (!p->api->db_run || !fn)
		return HW_ERR_UNSUPPORTED;
	if (!(j = job_new(p)))
		return HW_ERR_NOMEM;
	j->fn = fn;
	rc = p->api->db_run(p->self, load_body, load_done, j);
	if (rc != HW_OK)
		job_free(j);
	return rc;
}
