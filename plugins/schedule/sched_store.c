/*
 * schedule_cache: the last good source bytes and their HTTP validators.
 */
#include "sched_store.h"

#include <stdlib.h>
#include <string.h>

#include "sched_model.h"

const char *const sched_store_migrations[] = {
	"CREATE TABLE schedule_cache("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" source TEXT NOT NULL,"
	" etag TEXT,"
	" last_modified TEXT,"
	" fetched_ms INTEGER NOT NULL,"
	" body BLOB NOT NULL)",
};
const size_t sched_store_nmigrations = sizeof(sched_store_migrations) / sizeof(char *);

void sched_store_cached_free(struct sched_cached *c)
{
	free(c->source);
	free(c->etag);
	free(c->last_modified);
	free(c->body);
	memset(c, 0, sizeof(*c));
}

int sched_store_save(sqlite3 *db, const char *source, const char *etag,
		     const char *last_modified, const char *body, size_t len, int64_t fetched_ms)
{
	sqlite3_stmt *st = NULL;
	int ret = SCHED_ERR_IO;

	if (!db || sqlite3_prepare_v2(db,
				      "INSERT OR REPLACE INTO schedule_cache(id, source, etag, "
				      "last_modified, fetched_ms, body) VALUES (1, ?1, ?2, ?3, ?4, ?5)",
				      -1, &st, NULL) != SQLITE_OK)
		goto out;
	if (sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC) ||
	    sqlite3_bind_text(st, 2, etag, -1, SQLITE_STATIC) ||
	    sqlite3_bind_text(st, 3, last_modified, -1, SQLITE_STATIC) ||
	    sqlite3_bind_int64(st, 4, fetched_ms) ||
	    sqlite3_bind_blob64(st, 5, body, len, SQLITE_STATIC))
		goto out;
	if (sqlite3_step(st) == SQLITE_DONE)
		ret = SCHED_OK;
out:
	sqlite3_finalize(st);
	return ret;
}

static int dup_col(sqlite3_stmt *st, int col, char **out)
{
	const unsigned char *v = sqlite3_column_text(st, col);

	*out = NULL;
	if (!v)
		return SCHED_OK;
	*out = strdup((const char *)v);
	return *out ? SCHED_OK : SCHED_ERR_NOMEM;
}

int sched_store_load(sqlite3 *db, struct sched_cached *out)
{
	struct sched_cached c = {0};
	sqlite3_stmt *st = NULL;
	const void *blob;
	int ret = SCHED_ERR_IO, rc;

	if (!db || sqlite3_prepare_v2(db,
				      "SELECT source, etag, last_modified, fetched_ms, body "
				      "FROM schedule_cache WHERE id = 1",
				      -1, &st, NULL) != SQLITE_OK)
		goto out;
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		ret = SCHED_ERR_EMPTY;
		goto out;
	}
	if (rc != SQLITE_ROW)
		goto out;
	ret = SCHED_ERR_NOMEM;
	if (dup_col(st, 0, &c.source) || dup_col(st, 1, &c.etag) ||
	    dup_col(st, 2, &c.last_modified))
		goto out;
	c.fetched_ms = sqlite3_column_int64(st, 3);
	blob = sqlite3_column_blob(st, 4);
	c.len = (size_t)sqlite3_column_bytes(st, 4);
	c.body = malloc(c.len + 1);
	if (!c.body || !c.source)
		goto out;
	if (c.len)
		memcpy(c.body, blob, c.len);
	c.body[c.len] = 0;
	*out = c;
	memset(&c, 0, sizeof(c));
	ret = SCHED_OK;
out:
	sched_store_cached_free(&c);
	sqlite3_finalize(st);
	return ret;
}
