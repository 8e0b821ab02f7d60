/*
 * PostgreSQL engine of the storage API (see store_pg.h, store.h). Runs on
 * the storage thread only: libpq's blocking calls are fine there, the loop
 * never waits for them.
 */
#include "store_pg.h"

#include <ctype.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define RETRY_MS 1000   /* between connection attempts while the server is away */
#define ROLE_PREFIX "hallway_"
#define NAME_MAX_LEN 64

struct store_pg {
	char *url;
	struct store_fence *fence;
	PGconn *conn;
	uint64_t gen;        /* connection generation: statements prepared on it */
	uint64_t next_name;  /* prepared statement names, per connection */
	int64_t last_try_ms; /* last failed connection attempt */
	char last_err[STORE_ERR_MAX];
};

struct pg_stmt {
	struct hw_stmt base; /* first: the plugin's handle, the cache entry */
	char *text;          /* rewritten with $n */
	char name[32];
	uint64_t gen;        /* prepared on connection generation gen (0: not) */
	int nparams;
	char **vals;         /* bound values as text (owned), NULL = SQL NULL */
	PGresult *res;
	int row, nrows;
};

struct store_pg_session {
	struct store_pg *pg;
	char name[NAME_MAX_LEN];
	char *begin_sql;     /* BEGIN; SET LOCAL ROLE ...; SET LOCAL search_path ... */
	struct store_cache cache;
};

struct pg_tx {
	struct hw_tx base; /* first */
	struct store_pg_session *s;
};

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the ? rewrite ------------------------------------------------------- */

char *store_pg_rewrite(const char *sql, int *nparams)
{
	size_t len = strlen(sql), cap = len * 4 + 1; /* "?" -> "$NNN" at most */
	char *out = malloc(cap);
	size_t o = 0;
	int n = 0;
	const char *p = sql;

	if (!out)
		return NULL;
	while (*p) {
		if (*p == '\'' || *p == '"') { /* literal or quoted identifier */
			char q = *p;
			int esc = q == '\'' && p > sql && (p[-1] == 'E' || p[-1] == 'e');
			out[o++] = *p++;
			while (*p) {
				if (esc && *p == '\\' && p[1]) {
					out[o++] = *p++;
					out[o++] = *p++;
					continue;
				}
				if (*p == q && p[1] == q) { /* doubled quote */
					out[o++] = *p++;
					out[o++] = *p++;
					continue;
				}
				if (*p == q)
					break;
				out[o++] = *p++;
			}
			if (*p)
				out[o++] = *p++;
		} else if (p[0] == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				out[o++] = *p++;
		} else if (p[0] == '/' && p[1] == '*') {
			const char *end = strstr(p + 2, "*/");
			size_t k = end ? (size_t)(end + 2 - p) : strlen(p);
			memcpy(out + o, p, k);
			o += k;
			p += k;
		} else if (*p == '$' && (p[1] == '$' || isalpha((unsigned char)p[1]) || p[1] == '_') &&
			   (p == sql || !(isalnum((unsigned char)p[-1]) || p[-1] == '_'))) {
			/* A dollar quote $tag$...$tag$ (not $1: that is a parameter). */
			const char *t = p + 1;
			while (isalnum((unsigned char)*t) || *t == '_')
				t++;
			if (*t == '$') {
				size_t taglen = (size_t)(t + 1 - p);
				char tag[NAME_MAX_LEN];
				const char *end;
				if (taglen < sizeof(tag)) {
					memcpy(tag, p, taglen);
					tag[taglen] = '\0';
					end = strstr(t + 1, tag);
					size_t k = end ? (size_t)(end + taglen - p) : strlen(p);
					memcpy(out + o, p, k);
					o += k;
					p += k;
					continue;
				}
			}
			out[o++] = *p++;
		} else if (*p == '?') {
			o += (size_t)snprintf(out + o, cap - o, "$%d", ++n);
			p++;
		} else {
			out[o++] = *p++;
		}
	}
	out[o] = '\0';
	*nparams = n;
	return out;
}

/* ---- connection ---------------------------------------------------------- */

struct store_pg *store_pg_new(const char *url)
{
	struct store_pg *pg = calloc(1, sizeof(*pg));
	if (!pg || !(pg->url = strdup(url))) {
		free(pg);
		return NULL;
	}
	return pg;
}

void store_pg_free(struct store_pg *pg)
{
	if (!pg)
		return;
	if (pg->conn)
		PQfinish(pg->conn);
	free(pg->url);
	free(pg);
}

int store_pg_connected(struct store_pg *pg)
{
	return pg && pg->conn && PQstatus(pg->conn) == CONNECTION_OK;
}

static void notice_ignore(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

void store_pg_set_fence(struct store_pg *pg, struct store_fence *fence)
{
	pg->fence = fence;
}

/* Connects with bounded waits; the URL's own settings win (they come
 * after the defaults). Returns a new connection or NULL with err set. */
static PGconn *connect_url(const char *url, char *err, size_t errlen)
{
	static const char *const keys[] = {"connect_timeout", "keepalives", "keepalives_idle",
					   "keepalives_interval", "keepalives_count",
					   "tcp_user_timeout", "application_name", "dbname", NULL};
	const char *vals[] = {"3", "1", "5", "2", "3", "10000", "hallway", url, NULL};
	PGconn *c = PQconnectdbParams(keys, vals, 1);

	if (c && PQstatus(c) == CONNECTION_OK) {
		/* NOTICEs ("already exists, skipping") are not ours to print. */
		PQsetNoticeProcessor(c, notice_ignore, NULL);
		return c;
	}
	if (err && errlen) {
		const char *m = c ? PQerrorMessage(c) : "out of memory";
		size_t k;
		snprintf(err, errlen, "connect: %s", m);
		k = strlen(err);
		while (k && (err[k - 1] == '\n' || err[k - 1] == ' '))
			err[--k] = '\0';
	}
	PQfinish(c);
	return NULL;
}

struct pg_conn *store_pg_connect(const char *url, char *err, size_t errlen)
{
	return connect_url(url, err, errlen);
}

/* Makes sure the connection is up; 0, or -1 (unavailable) with err. */
static int ensure_conn(struct store_pg *pg, char *err, size_t errlen)
{
	int64_t now;

	if (store_pg_connected(pg))
		return 0;
	if (pg->conn) {
		PQfinish(pg->conn);
		pg->conn = NULL;
	}
	now = mono_ms();
	if (pg->last_try_ms && now - pg->last_try_ms < RETRY_MS) {
		snprintf(err, errlen, "database unavailable (%s)", pg->last_err);
		return -1;
	}
	pg->conn = connect_url(pg->url, pg->last_err, sizeof(pg->last_err));
	if (!pg->conn) {
		pg->last_try_ms = now;
		snprintf(err, errlen, "%s", pg->last_err);
		return -1;
	}
	pg->last_try_ms = 0;
	pg->gen++;
	pg->next_name = 0;
	if (pg->fence && store_pg_host_tables(pg->conn, err, errlen)) {
		PQfinish(pg->conn);
		pg->conn = NULL;
		pg->last_try_ms = now;
		snprintf(pg->last_err, sizeof(pg->last_err), "%s", err);
		return -1;
	}
	return 0;
}

struct pg_conn *store_pg_host_conn(struct store_pg *pg, char *err, size_t errlen)
{
	if (!pg || ensure_conn(pg, err, errlen))
		return NULL;
	return (struct pg_conn *)pg->conn;
}

const struct store_fence *store_pg_fence(const struct store_pg *pg)
{
	return pg ? pg->fence : NULL;
}

/* Our status for a failed result. */
static int status_of(PGconn *conn, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	if (PQstatus(conn) != CONNECTION_OK)
		return HW_ERR_UNAVAILABLE;
	if (!state)
		return HW_ERR_STORAGE;
	if (!strcmp(state, "23505"))
		return HW_ERR_CONFLICT;
	if (!strncmp(state, "23", 2) || !strncmp(state, "22", 2) || !strcmp(state, "42P18"))
		return HW_ERR_INVALID;
	if (!strcmp(state, "42501"))
		return HW_ERR_DENIED;
	/* connection exceptions, shutdown, serialization and deadlock, too
	 * many connections, read-only standby server */
	if (!strncmp(state, "08", 2) || !strncmp(state, "57P", 3) || !strcmp(state, "40001") ||
	    !strcmp(state, "40P01") || !strcmp(state, "53300") || !strcmp(state, "25006"))
		return HW_ERR_UNAVAILABLE;
	return HW_ERR_STORAGE;
}

static const char *first_line(const char *m, char *buf, size_t len)
{
	size_t k;
	snprintf(buf, len, "%s", m ? m : "");
	k = strcspn(buf, "\n");
	buf[k] = '\0';
	return buf;
}

/* ---- statements ---------------------------------------------------------- */

static void stmt_clear(struct pg_stmt *st)
{
	PQclear(st->res);
	st->res = NULL;
	st->row = st->nrows = 0;
}

static void stmt_unbind(struct pg_stmt *st)
{
	for (int i = 0; i < st->nparams; i++) {
		free(st->vals[i]);
		st->vals[i] = NULL;
	}
}

static void stmt_free(struct store_pg *pg, struct pg_stmt *st)
{
	stmt_clear(st);
	stmt_unbind(st);
	if (st->gen && pg && pg->gen == st->gen && store_pg_connected(pg)) {
		char sql[64];
		snprintf(sql, sizeof(sql), "DEALLOCATE %s", st->name);
		PQclear(PQexec(pg->conn, sql));
	}
	free(st->vals);
	free(st->base.sql);
	free(st->text);
	free(st);
}

/* Words a body may not start a statement with: leaving the plugin's role
 * or search path, or dropping prepared statements under the cache. */
static int refused_word(const char *sql)
{
	static const char *const words[] = {"SET", "RESET", "DISCARD", "DEALLOCATE", "LISTEN",
					    "NOTIFY", "COPY", "CALL", "DO", "LOCK"};
	return store_sql_first_word_in(sql, words, sizeof(words) / sizeof(words[0]));
}

static void cache_reset(struct hw_stmt *h, void *arg)
{
	(void)arg;
	stmt_clear((struct pg_stmt *)h);
	stmt_unbind((struct pg_stmt *)h);
}

static void cache_drop(struct hw_stmt *h, void *arg)
{
	stmt_free(arg, (struct pg_stmt *)h);
}

static hw_stmt *pg_prepare(hw_tx *tx, const char *sql)
{
	struct store_pg_session *s = ((struct pg_tx *)tx)->s;
	struct store_pg *pg = s->pg;
	struct pg_stmt *st = NULL;
	PGresult *res;
	char line[200];

	if ((st = (struct pg_stmt *)store_cache_take(&s->cache, sql))) {
		store_cache_put(&s->cache, &st->base, tx, 0);
		goto prepared;
	}
	if (refused_word(sql)) {
		store_tx_fail(tx, HW_ERR_DENIED, "prepare \"%.60s\": refused in a plugin's body", sql);
		return NULL;
	}
	store_cache_trim(&s->cache);
	st = calloc(1, sizeof(*st));
	if (!st || !(st->base.sql = strdup(sql)) || !(st->text = store_pg_rewrite(sql, &st->nparams)) ||
	    (st->nparams && !(st->vals = calloc((size_t)st->nparams, sizeof(char *))))) {
		if (st) {
			free(st->base.sql);
			free(st->text);
		}
		free(st);
		store_tx_fail(tx, HW_ERR_NOMEM, "prepare: out of memory");
		return NULL;
	}
	store_cache_put(&s->cache, &st->base, tx, 1);
prepared:
	if (st->gen != pg->gen) {
		snprintf(st->name, sizeof(st->name), "hw%" PRIu64, ++pg->next_name);
		res = PQprepare(pg->conn, st->name, st->text, st->nparams, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			store_tx_fail(tx, status_of(pg->conn, res), "prepare \"%.120s\": %s", sql,
				      first_line(PQerrorMessage(pg->conn), line, sizeof(line)));
			PQclear(res);
			return NULL;
		}
		PQclear(res);
		st->gen = pg->gen;
	}
	return &st->base;
}

static int bind_value(hw_stmt *h, int idx, char *copy, int have)
{
	struct pg_stmt *st = (struct pg_stmt *)h;
	if (idx > st->nparams) {
		free(copy);
		return store_tx_fail(h->tx, HW_ERR_INVALID, "bind %d of \"%.120s\": it has %d", idx,
				     st->base.sql, st->nparams);
	}
	if (have && !copy)
		return store_tx_fail(h->tx, HW_ERR_NOMEM, "bind: out of memory");
	stmt_clear(st); /* binding after steps starts the statement again */
	free(st->vals[idx - 1]);
	st->vals[idx - 1] = copy;
	return HW_OK;
}

static int pg_bind_text(hw_stmt *h, int idx, const char *value)
{
	return bind_value(h, idx, value ? strdup(value) : NULL, value != NULL);
}

static int pg_bind_int(hw_stmt *h, int idx, int64_t value)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "%" PRId64, value);
	return bind_value(h, idx, strdup(buf), 1);
}

static int pg_step(hw_stmt *h)
{
	struct pg_stmt *st = (struct pg_stmt *)h;
	struct store_pg_session *s = ((struct pg_tx *)h->tx)->s;
	char line[200];

	if (st->res && st->row + 1 >= st->nrows) { /* after the last row: run again */
		stmt_clear(st);
		return HW_DONE;
	}
	if (!st->res) {
		PGresult *res = PQexecPrepared(s->pg->conn, st->name, st->nparams,
					       (const char *const *)st->vals, NULL, NULL, 0);
		ExecStatusType es = PQresultStatus(res);
		if (es != PGRES_TUPLES_OK && es != PGRES_COMMAND_OK) {
			int rc = store_tx_fail(h->tx, status_of(s->pg->conn, res), "\"%.120s\": %s",
					       st->base.sql,
					       first_line(PQerrorMessage(s->pg->conn), line,
							  sizeof(line)));
			PQclear(res);
			return rc;
		}
		h->tx->changes = strtoll(PQcmdTuples(res), NULL, 10);
		if (es == PGRES_COMMAND_OK || PQntuples(res) == 0) {
			PQclear(res);
			return HW_DONE;
		}
		st->res = res;
		st->nrows = PQntuples(res);
		st->row = 0;
		return HW_ROW;
	}
	st->row++;
	return HW_ROW;
}

static int row_ok(struct pg_stmt *st, int col)
{
	return st->res && st->row < st->nrows && col < PQnfields(st->res);
}

static int64_t pg_col_int(hw_stmt *h, int col)
{
	struct pg_stmt *st = (struct pg_stmt *)h;
	const char *v;
	if (!row_ok(st, col) || PQgetisnull(st->res, st->row, col))
		return 0;
	v = PQgetvalue(st->res, st->row, col);
	if (v[0] == 't' && !v[1])
		return 1; /* boolean */
	if (v[0] == 'f' && !v[1])
		return 0;
	return strtoll(v, NULL, 10);
}

static const char *pg_col_text(hw_stmt *h, int col)
{
	struct pg_stmt *st = (struct pg_stmt *)h;
	if (!row_ok(st, col) || PQgetisnull(st->res, st->row, col))
		return NULL;
	return PQgetvalue(st->res, st->row, col);
}

static int pg_col_is_null(hw_stmt *h, int col)
{
	struct pg_stmt *st = (struct pg_stmt *)h;
	return !row_ok(st, col) || PQgetisnull(st->res, st->row, col);
}

static const struct store_tx_ops pg_ops = {
	pg_prepare, pg_bind_text, pg_bind_int, pg_step, pg_col_int, pg_col_text, pg_col_is_null,
};

/* ---- sessions ------------------------------------------------------------ */

/* "hallway_<name>" and "<name>" as quoted identifiers; names are
 * [a-z0-9_-] (storage.c checks), so quoting is all they need. */
struct store_pg_session *store_pg_session_new(struct store_pg *pg, const char *name)
{
	struct store_pg_session *s;
	size_t len;

	if (!pg || !name || strlen(name) >= NAME_MAX_LEN || strchr(name, '"'))
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->pg = pg;
	s->cache.reset = cache_reset;
	s->cache.drop = cache_drop;
	s->cache.arg = pg;
	snprintf(s->name, sizeof(s->name), "%s", name);
	len = 3 * strlen(name) + 128;
	s->begin_sql = malloc(len);
	if (!s->begin_sql) {
		free(s);
		return NULL;
	}
	snprintf(s->begin_sql, len,
		 "BEGIN; SET LOCAL ROLE \"" ROLE_PREFIX "%s\"; SET LOCAL search_path TO \"%s\"",
		 name, name);
	return s;
}

void store_pg_session_free(struct store_pg_session *s)
{
	if (!s)
		return;
	store_cache_clear(&s->cache);
	free(s->begin_sql);
	free(s);
}

/* Runs constant SQL; HW_OK or the status, with err. */
static int exec_simple(PGconn *conn, const char *sql, const char *what, char *err, size_t errlen)
{
	PGresult *res = PQexec(conn, sql);
	ExecStatusType es = PQresultStatus(res);
	int rc = HW_OK;
	char line[200];

	if (es != PGRES_COMMAND_OK && es != PGRES_TUPLES_OK) {
		rc = status_of(conn, res);
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", what,
				 first_line(PQerrorMessage(conn), line, sizeof(line)));
	}
	PQclear(res);
	return rc;
}

/* In the transaction begun by the host (before the plugin's role is set:
 * that role may not touch hw), the command's key under this lease term.
 * HW_OK, HW_ERR_CONFLICT when it is there already, or the error. */
static int write_handled(struct store_pg *pg, const char *key, char *err, size_t errlen)
{
	char epoch[24], line[200];
	const char *params[2] = {key, epoch};
	PGresult *res;
	int rc = HW_OK;

	snprintf(epoch, sizeof(epoch), "%lld", (long long)pg->fence->epoch);
	res = PQexecParams(pg->conn, "INSERT INTO hw.handled (id, epoch, at) "
				     "VALUES ($1, $2::bigint, clock_timestamp()) ON CONFLICT (id) DO NOTHING",
			   2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		rc = status_of(pg->conn, res);
		snprintf(err, errlen, "recording %s as handled: %s", key,
			 first_line(PQerrorMessage(pg->conn), line, sizeof(line)));
	} else if (strcmp(PQcmdTuples(res), "1") != 0) {
		rc = HW_ERR_CONFLICT;
		snprintf(err, errlen, "%s was handled already: its effect is not written again", key);
	}
	PQclear(res);
	return rc;
}

int store_pg_run(void *session, const char *handled, hw_tx_fn body, hw_plugin *self, void *ud,
		 char *err, size_t errlen)
{
	struct store_pg_session *s = session;
	struct pg_tx tx = {{&pg_ops, HW_OK, 0, ""}, s};
	char buf[STORE_ERR_MAX];
	int rc;

	if (!err || !errlen) {
		err = buf;
		errlen = sizeof(buf);
	}
	if (!s || !body) {
		snprintf(err, errlen, "no session or no body");
		return HW_ERR_INVALID;
	}
	if (ensure_conn(s->pg, err, errlen))
		return HW_ERR_UNAVAILABLE;
	if (s->pg->fence && handled) {
		/* The fence and the command's key as the host, then the
		 * plugin's role and schema (three round trips, for a command's
		 * first unit only). */
		char begin[512];
		snprintf(begin, sizeof(begin), "BEGIN; SELECT hw.fence('%s', %lld)",
			 s->pg->fence->holder, (long long)s->pg->fence->epoch);
		rc = exec_simple(s->pg->conn, begin, "begin", err, errlen);
		if (rc == HW_OK)
			rc = write_handled(s->pg, handled, err, errlen);
		if (rc == HW_OK)
			rc = exec_simple(s->pg->conn, s->begin_sql + strlen("BEGIN; "), "begin", err,
					 errlen);
	} else if (s->pg->fence) {
		/* The fence first, as the host (the plugin's role may not read
		 * hw); then the plugin's role and schema. Holder: [A-Za-z0-9.:_-]
		 * (lease.c), epoch a number: both safe inside the text. */
		char begin[512];
		snprintf(begin, sizeof(begin),
			 "BEGIN; SELECT hw.fence('%s', %lld); %s", s->pg->fence->holder,
			 (long long)s->pg->fence->epoch, s->begin_sql + strlen("BEGIN; "));
		rc = exec_simple(s->pg->conn, begin, "begin", err, errlen);
	} else {
		rc = exec_simple(s->pg->conn, s->begin_sql, "begin", err, errlen);
	}
	if (rc != HW_OK) {
		if (store_pg_connected(s->pg))
			exec_simple(s->pg->conn, "ROLLBACK", "rollback", NULL, 0);
		return rc == HW_ERR_UNAVAILABLE || rc == HW_ERR_CONFLICT ? rc : HW_ERR_STORAGE;
	}
	rc = body(self, &tx.base, ud);
	store_cache_release(&s->cache);
	if (rc == HW_OK)
		rc = tx.base.status;
	if (rc == HW_OK) {
		PGresult *res = PQexec(s->pg->conn, "COMMIT");
		/* A COMMIT of a transaction that failed answers ROLLBACK. */
		if (PQresultStatus(res) != PGRES_COMMAND_OK || strcmp(PQcmdStatus(res), "COMMIT")) {
			char line[200];
			store_tx_fail(&tx.base,
				      store_pg_connected(s->pg) ? status_of(s->pg->conn, res)
								: HW_ERR_UNAVAILABLE,
				      "commit: %s",
				      first_line(PQerrorMessage(s->pg->conn), line, sizeof(line)));
			rc = tx.base.status == HW_OK ? HW_ERR_STORAGE : tx.base.status;
		}
		PQclear(res);
	}
	if (rc != HW_OK) {
		if (store_pg_connected(s->pg) && PQtransactionStatus(s->pg->conn) != PQTRANS_IDLE)
			exec_simple(s->pg->conn, "ROLLBACK", "rollback", NULL, 0);
		if (!store_pg_connected(s->pg) && rc != HW_ERR_UNAVAILABLE && tx.base.status != HW_OK)
			rc = HW_ERR_UNAVAILABLE;
		snprintf(err, errlen, "%s", tx.base.err[0] ? tx.base.err : "the body failed");
	}
	return rc;
}

/* ---- the host's schema ---------------------------------------------------- */

#define MIGRATE_LOCK "7243108112" /* pg_advisory_lock key: "hallway migrations" */

int store_pg_host_tables(struct pg_conn *conn, char *err, size_t errlen)
{
	/* In one transaction under a transaction-level advisory lock, so two
	 * daemons starting together do not race on CREATE OR REPLACE. The
	 * fence: a current holder locks the lease row FOR SHARE (a takeover
	 * waits for this transaction); anyone else runs read-only, so the
	 * server refuses its writes (SQLSTATE 25006). */
	static const char *const sql =
		"BEGIN; SELECT pg_advisory_xact_lock(" MIGRATE_LOCK "); "
		"CREATE SCHEMA IF NOT EXISTS hw; "
		"CREATE TABLE IF NOT EXISTS hw.plugin_schema("
		" plugin TEXT PRIMARY KEY, version INTEGER NOT NULL); "
		"CREATE TABLE IF NOT EXISTS hw.lease("
		" id INTEGER PRIMARY KEY CHECK (id = 1), holder TEXT NOT NULL,"
		" epoch BIGINT NOT NULL, expires_at TIMESTAMPTZ NOT NULL); "
		/* takeover.c: the Discord session the active one keeps for the
		 * next, and the messages and interactions already handled. */
		"CREATE TABLE IF NOT EXISTS hw.gateway_session("
		" id INTEGER PRIMARY KEY CHECK (id = 1), session_id TEXT NOT NULL,"
		" resume_url TEXT, seq BIGINT NOT NULL, epoch BIGINT NOT NULL,"
		" saved_at TIMESTAMPTZ NOT NULL); "
		/* Added later: the conference guild's roles (guilds_dump). */
		"ALTER TABLE hw.gateway_session ADD COLUMN IF NOT EXISTS guild TEXT; "
		/* Kept for later by the active daemon for the next (takeover_keep). */
		"CREATE TABLE IF NOT EXISTS hw.kept("
		" id TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at TIMESTAMPTZ NOT NULL); "
		"CREATE TABLE IF NOT EXISTS hw.handled("
		" id TEXT PRIMARY KEY, epoch BIGINT NOT NULL, at TIMESTAMPTZ NOT NULL); "
		"CREATE INDEX IF NOT EXISTS handled_at ON hw.handled(at); "
		"CREATE OR REPLACE FUNCTION hw.fence(who TEXT, ep BIGINT) RETURNS void "
		"LANGUAGE plpgsql AS $f$ BEGIN "
		" PERFORM 1 FROM hw.lease WHERE id = 1 AND holder = who AND epoch = ep"
		"  AND expires_at > clock_timestamp() FOR SHARE; "
		" IF NOT FOUND THEN PERFORM set_config('transaction_read_only', 'on', true); END IF; "
		"END $f$; "
		"COMMIT";
	PGconn *c = (PGconn *)conn;
	int rc = exec_simple(c, sql, "host tables", err, errlen);
	if (rc != HW_OK && PQstatus(c) == CONNECTION_OK &&
	    PQtransactionStatus(c) != PQTRANS_IDLE)
		exec_simple(c, "ROLLBACK", "rollback", NULL, 0);
	return rc == HW_OK ? 0 : -1;
}

/* ---- migrations ---------------------------------------------------------- */

int store_pg_migrate(const char *url, const char *name, const char *const *steps, size_t n,
		     char *err, size_t errlen)
{
	PGconn *c = NULL;
	PGresult *res = NULL;
	char sql[1024], line[200];
	const char *params[2];
	char vbuf[24];
	long v;
	int rc = -1;

	if (!name || strlen(name) >= NAME_MAX_LEN || strchr(name, '"') || strchr(name, '\'')) {
		snprintf(err, errlen, "plugin name refused");
		return -1;
	}
	if (!(c = connect_url(url, err, errlen)))
		return -1;
	if (store_pg_host_tables(c, err, errlen) ||
	    exec_simple(c, "SELECT pg_advisory_lock(" MIGRATE_LOCK ")", "lock", err, errlen))
		goto out;
	/* The plugin's role and schema. */
	snprintf(sql, sizeof(sql),
		 "DO $hw$ BEGIN "
		 "IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" ROLE_PREFIX "%s') THEN "
		 "CREATE ROLE \"" ROLE_PREFIX "%s\" NOLOGIN; END IF; END $hw$; "
		 "GRANT \"" ROLE_PREFIX "%s\" TO CURRENT_USER; "
		 "CREATE SCHEMA IF NOT EXISTS \"%s\" AUTHORIZATION \"" ROLE_PREFIX "%s\"",
		 name, name, name, name, name);
	if (exec_simple(c, sql, "role and schema", err, errlen))
		goto out;
	params[0] = name;
	res = PQexecParams(c, "SELECT version FROM hw.plugin_schema WHERE plugin = $1", 1, NULL,
			   params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		snprintf(err, errlen, "schema version: %s",
			 first_line(PQerrorMessage(c), line, sizeof(line)));
		goto out;
	}
	v = PQntuples(res) ? strtol(PQgetvalue(res, 0, 0), NULL, 10) : 0;
	PQclear(res);
	res = NULL;
	if (v < 0 || (size_t)v > n) {
		snprintf(err, errlen, "database schema is version %ld, this plugin knows %zu", v, n);
		goto out;
	}
	for (size_t i = (size_t)v; i < n; i++) {
		char what[48];
		snprintf(what, sizeof(what), "migration %zu", i);
		snprintf(sql, sizeof(sql),
			 "BEGIN; SET LOCAL ROLE \"" ROLE_PREFIX "%s\"; SET LOCAL search_path TO \"%s\"",
			 name, name);
		if (!steps[i]) {
			snprintf(err, errlen, "migration %zu: no SQL", i);
			goto out;
		}
		if (exec_simple(c, sql, what, err, errlen) || exec_simple(c, steps[i], what, err, errlen) ||
		    exec_simple(c, "RESET ROLE", what, err, errlen))
			goto fail_step;
		snprintf(vbuf, sizeof(vbuf), "%zu", i + 1);
		params[1] = vbuf;
		res = PQexecParams(c,
				   "INSERT INTO hw.plugin_schema(plugin, version) VALUES ($1, $2) "
				   "ON CONFLICT (plugin) DO UPDATE SET version = excluded.version",
				   2, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			snprintf(err, errlen, "%s: version: %s", what,
				 first_line(PQerrorMessage(c), line, sizeof(line)));
			goto fail_step;
		}
		PQclear(res);
		res = NULL;
		if (exec_simple(c, "COMMIT", what, err, errlen))
			goto fail_step;
		continue;
fail_step:
		exec_simple(c, "ROLLBACK", "rollback", NULL, 0);
		goto out;
	}
	rc = 0;
out:
	PQclear(res);
	PQfinish(c); /* releases the advisory lock */
	return rc;
}
