/*
 * The session and the handled ids kept for the next active daemon (see
 * takeover.h). Jobs run on the storage thread with the PostgreSQL engine's
 * connection (store_pg_host_conn), each one statement; their done()
 * callbacks run on the loop.
 */
#include "takeover.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "clock.h"
#include "log.h"
#include "storage.h"
#include "store_pg.h"
#include "work.h"

/* A check that finds our lease lapsed while we still hold an epoch tries
 * again this often, this many times (10 s: past any renewal after the
 * database returns; see check_run). */
#define CHECK_RENEW_WAIT_MS 250
#define CHECK_RENEW_TRIES 40

#define MOD "takeover"
#define PRUNE_EVERY_MS 60000
#define SID_MAX 256
#define URL_MAX 1024

struct save_rec {
	char session_id[SID_MAX];
	char resume_url[URL_MAX]; /* "" = none */
	int64_t seq;
	int prune;
	char *guild; /* the conference guild's roles as JSON text (guilds_dump), owned; NULL none */
};

struct takeover {
	struct work *pool;
	struct store_pg *pg;
	int save_ms;
	/* The loop's view: the last save queued, one job in flight at most
	 * and the newest one waiting behind it. */
	char session_id[SID_MAX];
	int64_t saved_seq, saved_ms;
	int64_t pruned_ms;
	int saving;
	int has_pending;
	struct save_rec pending; /* its guild owned here */
	int save_failing; /* log a failure once, and the recovery */
	char *saved_guild; /* the guild text of the last save queued, owned */
};

struct save_job {
	struct takeover *t;
	struct save_rec rec;
	int ok;
	char err[STORE_ERR_MAX];
	char prune_err[STORE_ERR_MAX];
};

struct load_job {
	takeover_load_fn fn;
	void *ud;
	int found;
	char *guild; /* owned; NULL none */
	json_t *kept; /* owned: key -> value of hw.kept */
	char kept_err[STORE_ERR_MAX];
	char session_id[SID_MAX];
	char resume_url[URL_MAX];
	int64_t seq, epoch;
	char err[STORE_ERR_MAX];
};

struct check_job {
	struct store_pg *pg;
	takeover_check_fn fn;
	void *ud;
	char key[TAKEOVER_KEY_MAX];
	enum takeover_check outcome;
	char err[STORE_ERR_MAX];
};

int takeover_save_due(int64_t saved_seq, int64_t saved_ms, int64_t seq, int64_t now_ms,
		      int save_ms, int force)
{
	if (force || saved_seq < 0)
		return 1;
	if (seq <= saved_seq)
		return 0;
	return seq - saved_seq >= TAKEOVER_SAVE_EVENTS || now_ms - saved_ms >= save_ms;
}

/* The first line of libpq's message into err. */
static void pq_err(PGconn *c, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s", c ? PQerrorMessage(c) : "no connection");
	err[strcspn(err, "\n")] = '\0';
}

/* Storage thread: the fence as it is now (holder fixed, epoch atomic). */
static int fence_now(struct store_pg *pg, const char **holder, char *epoch, size_t len)
{
	const struct store_fence *f = store_pg_fence(pg);
	int64_t e = f ? atomic_load(&f->epoch) : 0;

	if (!f || e <= 0)
		return -1;
	*holder = f->holder;
	snprintf(epoch, len, "%" PRId64, e);
	return 0;
}

/* Storage thread, for a write under our lease: the host's connection,
 * with params[0] the holder and params[1] the epoch (written into epoch);
 * NULL with err when the lease is not ours or there is no connection. */
static PGconn *fenced_conn(struct store_pg *pg, const char **params, char *epoch, size_t len,
			   char *err, size_t errlen)
{
	if (fence_now(pg, &params[0], epoch, len)) {
		snprintf(err, errlen, "the lease is not ours");
		return NULL;
	}
	params[1] = epoch;
	return (PGconn *)store_pg_host_conn(pg, err, errlen);
}

/* ---- the session ---------------------------------------------------------- */

static void save_run(void *arg)
{
	struct save_job *j = arg;
	const char *params[6];
	char epoch[24], seq[24];
	PGconn *c = fenced_conn(j->t->pg, params, epoch, sizeof(epoch), j->err, sizeof(j->err));
	PGresult *res;

	if (!c)
		return;
	snprintf(seq, sizeof(seq), "%" PRId64, j->rec.seq);
	params[2] = j->rec.session_id;
	params[3] = j->rec.resume_url[0] ? j->rec.resume_url : NULL;
	params[4] = seq;
	params[5] = j->rec.guild;
	/* Written only under our current lease (locked FOR SHARE: a takeover
	 * waits for this statement), and never over a later term's row. */
	res = PQexecParams(c,
		"INSERT INTO hw.gateway_session AS g (id, session_id, resume_url, seq, epoch, saved_at, "
		"guild) "
		"SELECT 1, $3, $4, $5::bigint, l.epoch, clock_timestamp(), $6 FROM hw.lease l "
		"WHERE l.id = 1 AND l.holder = $1 AND l.epoch = $2::bigint "
		"AND l.expires_at > clock_timestamp() FOR SHARE "
		"ON CONFLICT (id) DO UPDATE SET session_id = excluded.session_id, "
		"resume_url = excluded.resume_url, seq = excluded.seq, epoch = excluded.epoch, "
		"saved_at = excluded.saved_at, guild = coalesce(excluded.guild, g.guild) "
		"WHERE g.epoch <= excluded.epoch RETURNING seq",
		6, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		pq_err(c, j->err, sizeof(j->err));
	else if (PQntuples(res) != 1)
		snprintf(j->err, sizeof(j->err), "the lease is not ours");
	else
		j->ok = 1;
	PQclear(res);
	if (j->ok && j->rec.prune) {
		/* Far older than any session Discord still resumes. */
		char keep[24];
		const char *p1[1] = {keep};
		snprintf(keep, sizeof(keep), "%d", TAKEOVER_KEEP_S);
		res = PQexecParams(c, "DELETE FROM hw.handled WHERE at < clock_timestamp() - "
				      "$1::bigint * interval '1 second'", 1, NULL, p1, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			pq_err(c, j->prune_err, sizeof(j->prune_err));
		PQclear(res);
		res = PQexec(c, "DELETE FROM hw.kept WHERE updated_at < clock_timestamp() - "
				"interval '" TAKEOVER_KEPT_DAYS_TEXT " days'");
		if (PQresultStatus(res) != PGRES_COMMAND_OK && !j->prune_err[0])
			pq_err(c, j->prune_err, sizeof(j->prune_err));
		PQclear(res);
	}
}

static void save_submit(struct takeover *t, const struct save_rec *rec);

static void save_done(void *arg, int cancelled)
{
	struct save_job *j = arg;
	struct takeover *t = j->t;

	t->saving = 0;
	if (j->prune_err[0])
		LOGW(MOD, "pruning old handled ids: %s", j->prune_err);
	if (!cancelled) {
		if (!j->ok && !t->save_failing)
			LOGW(MOD, "the Discord session was not saved (seq %" PRId64 "): %s; a takeover "
			     "now would replay more, or start a new session", j->rec.seq, j->err);
		else if (j->ok && t->save_failing)
			LOGI(MOD, "the Discord session is saved again (seq %" PRId64 ")", j->rec.seq);
		else if (j->ok)
			LOGD(MOD, "session saved at seq %" PRId64, j->rec.seq);
		t->save_failing = !j->ok;
		if (t->has_pending) {
			t->has_pending = 0;
			save_submit(t, &t->pending); /* takes pending.guild */
			t->pending.guild = NULL;
		}
	}
	free(j->rec.guild);
	free(j);
}

/* Takes rec->guild (freed here or by the job). */
static void save_submit(struct takeover *t, const struct save_rec *rec)
{
	struct save_job *j;

	if (t->saving) {
		free(t->pending.guild);
		t->pending = *rec;
		t->has_pending = 1;
		return;
	}
	j = calloc(1, sizeof(*j));
	if (!j) {
		LOGW(MOD, "out of memory: the session at seq %" PRId64 " is not saved", rec->seq);
		free(rec->guild);
		return;
	}
	j->t = t;
	j->rec = *rec;
	if (!work_submit(t->pool, save_run, save_done, j)) {
		LOGW(MOD, "cannot queue the session save (seq %" PRId64 ")", rec->seq);
		free(j->rec.guild);
		free(j);
		return;
	}
	t->saving = 1;
}

void takeover_seen(struct takeover *t, const char *type, int64_t seq, const char *session_id,
		   const char *resume_url, const char *guild)
{
	struct save_rec rec;
	int64_t now;
	int force;

	if (!t || !session_id || strlen(session_id) >= SID_MAX || seq < 0)
		return;
	now = clock_mono_ms();
	/* A changed guild is saved at once: the roles a takeover needs. */
	force = !strcmp(type, "READY") || !strcmp(type, "RESUMED") ||
		strcmp(session_id, t->session_id) != 0 ||
		(guild && (!t->saved_guild || strcmp(guild, t->saved_guild) != 0));
	if (!takeover_save_due(t->saved_seq, t->saved_ms, seq, now, t->save_ms, force))
		return;
	memset(&rec, 0, sizeof(rec));
	snprintf(rec.session_id, sizeof(rec.session_id), "%s", session_id);
	if (resume_url && strlen(resume_url) < sizeof(rec.resume_url))
		snprintf(rec.resume_url, sizeof(rec.resume_url), "%s", resume_url);
	rec.seq = seq;
	/* Without it the row keeps the last one saved (coalesce); a guild
	 * too big to copy now is saved with a later save. */
	rec.guild = guild ? strdup(guild) : NULL;
	if (rec.guild && (!t->saved_guild || strcmp(guild, t->saved_guild))) {
		free(t->saved_guild);
		t->saved_guild = strdup(guild); /* NULL: compared again next time */
	}
	if (now - t->pruned_ms >= PRUNE_EVERY_MS) {
		rec.prune = 1;
		t->pruned_ms = now;
	}
	snprintf(t->session_id, sizeof(t->session_id), "%s", session_id);
	t->saved_seq = seq;
	t->saved_ms = now;
	save_submit(t, &rec);
}

/* ---- reading it back ------------------------------------------------------ */

struct load_ctx {
	struct store_pg *pg;
	struct load_job job;
};

static void load_ctx_run(void *arg)
{
	struct load_ctx *x = arg;
	struct load_job *j = &x->job;
	PGconn *c = (PGconn *)store_pg_host_conn(x->pg, j->err, sizeof(j->err));
	PGresult *res;

	if (!c)
		return;
	res = PQexec(c, "SELECT session_id, resume_url, seq, epoch, guild FROM hw.gateway_session "
			"WHERE id = 1");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pq_err(c, j->err, sizeof(j->err));
	} else if (PQntuples(res) == 1) {
		snprintf(j->session_id, sizeof(j->session_id), "%s", PQgetvalue(res, 0, 0));
		if (!PQgetisnull(res, 0, 1))
			snprintf(j->resume_url, sizeof(j->resume_url), "%s", PQgetvalue(res, 0, 1));
		j->seq = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
		j->epoch = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
		if (!PQgetisnull(res, 0, 4))
			j->guild = strdup(PQgetvalue(res, 0, 4)); /* NULL: read without it */
		j->found = 1;
	}
	PQclear(res);
	if (j->err[0])
		return;
	/* What the last active daemons kept for later (takeover_keep), not
	 * older than TAKEOVER_KEPT_DAYS. */
	res = PQexec(c, "SELECT id, value FROM hw.kept WHERE updated_at > clock_timestamp() - "
			"interval '" TAKEOVER_KEPT_DAYS_TEXT " days'");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pq_err(c, j->kept_err, sizeof(j->kept_err));
	} else if ((j->kept = json_object())) {
		for (int i = 0; i < PQntuples(res); i++)
			if (json_object_set_new(j->kept, PQgetvalue(res, i, 0),
						json_string(PQgetvalue(res, i, 1)))) {
				snprintf(j->kept_err, sizeof(j->kept_err), "out of memory, or not UTF-8");
				break;
			}
	}
	PQclear(res);
}

static void load_ctx_done(void *arg, int cancelled)
{
	struct load_ctx *x = arg;
	struct load_job *j = &x->job;

	if (cancelled) {
		j->found = 0;
	} else if (!j->found && j->err[0]) {
		LOGW(MOD, "cannot read the stored Discord session (%s): starting a new one", j->err);
	} else if (!j->found) {
		LOGI(MOD, "no Discord session is stored: starting a new one");
	} else {
		LOGI(MOD, "the stored Discord session (saved in lease term %" PRId64 ", seq %" PRId64
		     ") is resumed", j->epoch, j->seq);
	}
	if (!cancelled && j->kept_err[0])
		LOGW(MOD, "cannot read all that the last active daemon kept for later (%s): "
		     "buttons it drew with long commands may say they are no longer known",
		     j->kept_err);
	else if (!cancelled && j->kept)
		LOGI(MOD, "%zu kept components read from the last active daemon",
		     json_object_size(j->kept));
	{
		struct takeover_stored st = {
			j->found ? j->session_id : NULL, j->resume_url[0] ? j->resume_url : NULL,
			j->seq, j->found ? j->guild : NULL, cancelled ? NULL : j->kept};
		j->fn(j->ud, &st);
	}
	free(j->guild);
	json_decref(j->kept);
	free(x);
}

int takeover_load(struct takeover *t, takeover_load_fn done, void *ud)
{
	struct load_ctx *x;

	if (!t || !done || !(x = calloc(1, sizeof(*x))))
		return -1;
	x->pg = t->pg;
	x->job.fn = done;
	x->job.ud = ud;
	if (!work_submit(t->pool, load_ctx_run, load_ctx_done, x)) {
		free(x);
		return -1;
	}
	return 0;
}

/* ---- handled ids ---------------------------------------------------------- */

/* "<kind> <id>", the key of hw.handled; -1 when it does not fit. */
int takeover_key(char *out, size_t len, const char *kind, const char *id)
{
	int n;

	if (!kind || !id || !*id)
		return -1;
	n = snprintf(out, len, "%s %s", kind, id);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* One look (worker thread): is the lease ours, and is the id recorded? */
static void check_once(struct check_job *j)
{
	PGconn *c;
	const char *params[3];
	char epoch[24];
	PGresult *res;

	j->outcome = TAKEOVER_UNAVAILABLE;
	if (fence_now(j->pg, &params[0], epoch, sizeof(epoch))) {
		j->outcome = TAKEOVER_NOT_ACTIVE;
		return;
	}
	if (!(c = (PGconn *)store_pg_host_conn(j->pg, j->err, sizeof(j->err))))
		return;
	params[1] = epoch;
	params[2] = j->key;
	res = PQexecParams(c,
		"SELECT (SELECT count(*) FROM hw.lease WHERE id = 1 AND holder = $1 "
		" AND epoch = $2::bigint AND expires_at > clock_timestamp()), "
		"(SELECT count(*) FROM hw.handled WHERE id = $3)",
		3, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		pq_err(c, j->err, sizeof(j->err));
	else if (strcmp(PQgetvalue(res, 0, 0), "1") != 0)
		j->outcome = TAKEOVER_NOT_ACTIVE;
	else
		j->outcome = strcmp(PQgetvalue(res, 0, 1), "0") == 0 ? TAKEOVER_NEW : TAKEOVER_HANDLED;
	PQclear(res);
}

static void check_run(void *arg)
{
	struct check_job *j = arg;
	const char *holder;
	char epoch[24];

	/* The row says our lease lapsed while our lease thread still holds an
	 * epoch: after a database outage longer than the lease, that thread
	 * renews it (or takes a new epoch) within moments of the database's
	 * return. Wait for that instead of dropping the command unanswered;
	 * when the thread gives the lease up (epoch 0), it is not ours. */
	for (int i = 0;; i++) {
		check_once(j);
		if (j->outcome != TAKEOVER_NOT_ACTIVE || i >= CHECK_RENEW_TRIES ||
		    fence_now(j->pg, &holder, epoch, sizeof(epoch)))
			return;
		struct timespec ts = {0, CHECK_RENEW_WAIT_MS * 1000000L};
		nanosleep(&ts, NULL);
	}
}

static void check_done(void *arg, int cancelled)
{
	struct check_job *j = arg;
	enum takeover_check outcome = cancelled ? TAKEOVER_CANCELLED : j->outcome;

	if (outcome == TAKEOVER_UNAVAILABLE)
		LOGW(MOD, "%s: cannot tell whether it was handled (%s); running it all the same",
		     j->key, j->err[0] ? j->err : "the database did not answer");
	else if (outcome == TAKEOVER_HANDLED)
		LOGI(MOD, "%s was handled by an earlier active daemon (replayed after the "
		     "takeover): skipped", j->key);
	else if (outcome == TAKEOVER_NOT_ACTIVE)
		LOGW(MOD, "%s: this daemon no longer holds the lease: skipped", j->key);
	j->fn(j->ud, outcome);
	free(j);
}

int takeover_check(struct takeover *t, const char *key, takeover_check_fn fn, void *ud)
{
	struct check_job *j;

	if (!t || !key || !*key || !fn || strlen(key) >= sizeof(j->key))
		return -1;
	if (!(j = calloc(1, sizeof(*j))))
		return -1;
	j->pg = t->pg;
	j->fn = fn;
	j->ud = ud;
	snprintf(j->key, sizeof(j->key), "%s", key);
	if (!work_submit(t->pool, check_run, check_done, j)) {
		free(j);
		return -1;
	}
	return 0;
}

/* ---- writes under the lease, fire and forget ------------------------------- */

/* sql: $1 holder, $2 epoch, $3 key, and $4 value when there is one. */
struct write_job {
	struct store_pg *pg;
	const char *sql;   /* static */
	const char *lost;  /* static: what a failure means, for the log */
	char *key, *value; /* owned; value NULL when sql has no $4 */
	int ok;
	char err[STORE_ERR_MAX];
};

static void write_run(void *arg)
{
	struct write_job *j = arg;
	const char *params[4];
	char epoch[24];
	PGconn *c = fenced_conn(j->pg, params, epoch, sizeof(epoch), j->err, sizeof(j->err));
	PGresult *res;

	if (!c)
		return;
	params[2] = j->key;
	params[3] = j->value;
	res = PQexecParams(c, j->sql, j->value ? 4 : 3, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		pq_err(c, j->err, sizeof(j->err));
	else
		j->ok = 1;
	PQclear(res);
}

static void write_done(void *arg, int cancelled)
{
	struct write_job *j = arg;

	if (cancelled || !j->ok)
		LOGW(MOD, "%s: %s (%s)", j->key ? j->key : "?", j->lost,
		     cancelled ? "shutting down" : j->err);
	free(j->key);
	free(j->value);
	free(j);
}

static void write_submit(struct takeover *t, const char *sql, const char *lost, const char *key,
			 const char *value)
{
	struct write_job *j;

	if (!t || !key || !*key || !(j = calloc(1, sizeof(*j))))
		return;
	j->pg = t->pg;
	j->sql = sql;
	j->lost = lost;
	j->key = strdup(key);
	j->value = value ? strdup(value) : NULL;
	if (!j->key || (value && !j->value) || !work_submit(t->pool, write_run, write_done, j))
		write_done(j, 1);
}

/* Only under our current lease (FOR SHARE: a takeover waits for us). */
void takeover_record(struct takeover *t, const char *key)
{
	write_submit(t,
		"INSERT INTO hw.handled (id, epoch, at) SELECT $3, epoch, clock_timestamp() "
		"FROM hw.lease WHERE id = 1 AND holder = $1 AND epoch = $2::bigint "
		"AND expires_at > clock_timestamp() FOR SHARE ON CONFLICT (id) DO NOTHING",
		"answered but not recorded as handled: a takeover before its session is saved "
		"again would answer it again (Discord keeps one answer by its nonce)", key, NULL);
}

void takeover_keep(struct takeover *t, const char *key, const char *value)
{
	if (!value)
		return;
	write_submit(t,
		"INSERT INTO hw.kept (id, value, updated_at) SELECT $3, $4, clock_timestamp() "
		"FROM hw.lease WHERE id = 1 AND holder = $1 AND epoch = $2::bigint "
		"AND expires_at > clock_timestamp() FOR SHARE "
		"ON CONFLICT (id) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
		"kept on this machine only: after a takeover it is not known", key, value);
}

/* ---- lifetime --------------------------------------------------------------- */

struct takeover *takeover_create(struct storage *st, int save_ms)
{
	struct store_pg *pg = storage_lease_pg(st);
	struct work *pool = storage_pool(st);
	struct takeover *t;

	if (!pg || !pool)
		return NULL;
	if (!(t = calloc(1, sizeof(*t)))) {
		LOGE(MOD, "out of memory");
		return NULL;
	}
	t->pool = pool;
	t->pg = pg;
	t->save_ms = save_ms > 0 ? save_ms : 1;
	t->saved_seq = -1;
	t->pruned_ms = clock_mono_ms() - PRUNE_EVERY_MS;
	return t;
}

void takeover_destroy(struct takeover *t)
{
	if (t) {
		free(t->pending.guild);
		free(t->saved_guild);
	}
	free(t);
}
