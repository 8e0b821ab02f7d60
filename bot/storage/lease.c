/*
 * The lease of the active daemon (see lease.h). One thread with its own
 * connection: every renew period it takes or renews the lease in one
 * statement, on the database's clock:
 *
 *   still ours and not lapsed -> renewed, same epoch
 *   lapsed (whoever held it)  -> ours, epoch + 1 (a takeover)
 *   someone else's, current   -> no row: we are the standby
 *
 * The loop learns of changes through lws_cancel_service (lease_poll).
 */
#include "lease.h"

#include <libpq-fe.h>
#include <libwebsockets.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define MOD "lease"

struct lease {
	struct lws_context *lws;
	char *url;
	int64_t lease_ms, renew_ms;
	struct store_fence *fence;
	PGconn *conn; /* the thread's */
	pthread_t thread;
	int started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int quit;
	/* Published by the thread under lock. */
	int held;
	int64_t epoch;
	int64_t deadline_ms; /* monotonic: surely ours until then (freeze guard) */
	double lapsed_s;     /* at the last takeover */
	char last_err[200];
	/* The loop's view. */
	int active;
	int64_t active_epoch;
	uint64_t takeovers;
	double takeover_s;
};

/* The deadline the SIGCONT handler reads: the one mutable global, because
 * a signal handler has no other way to it (lock-free atomic, so reading it
 * there is async-signal-safe). 0 while not holding the lease. */
static _Atomic int64_t freeze_deadline_ms;

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One attempt. Returns 1 held (epoch, lapsed_s set), 0 someone else
 * holds it, -1 the database did not answer. */
static int attempt(struct lease *l, int64_t *epoch, double *lapsed_s)
{
	char ms[24], err[200];
	const char *params[2] = {l->fence->holder, ms};
	PGresult *res;
	int rc;

	if (!l->conn || PQstatus(l->conn) != CONNECTION_OK) {
		PQfinish(l->conn);
		l->conn = (PGconn *)store_pg_connect(l->url, err, sizeof(err));
		if (!l->conn || store_pg_host_tables((struct pg_conn *)l->conn, err, sizeof(err))) {
			snprintf(l->last_err, sizeof(l->last_err), "%s", err);
			PQfinish(l->conn);
			l->conn = NULL;
			return -1;
		}
		/* A renewal never waits long on a plugin transaction's lock. */
		PQclear(PQexec(l->conn, "SET statement_timeout = 2000"));
	}
	snprintf(ms, sizeof(ms), "%lld", (long long)l->lease_ms);
	res = PQexecParams(l->conn,
		"WITH old AS (SELECT expires_at FROM hw.lease WHERE id = 1) "
		"INSERT INTO hw.lease AS l (id, holder, epoch, expires_at) "
		"VALUES (1, $1, 1, clock_timestamp() + $2::bigint * interval '1 millisecond') "
		"ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, "
		" epoch = CASE WHEN l.holder = excluded.holder AND l.expires_at > clock_timestamp()"
		"  THEN l.epoch ELSE l.epoch + 1 END, expires_at = excluded.expires_at "
		"WHERE l.holder = excluded.holder AND l.expires_at > clock_timestamp() "
		"   OR (l.expires_at <= clock_timestamp() "
		/* a holder that stepped down leaves the next term to the others */
		"       AND NOT (l.holder = excluded.holder || ' (stepped down)' "
		"            AND l.expires_at > clock_timestamp() - $2::bigint * interval '1 millisecond')) "
		"RETURNING epoch, EXTRACT(EPOCH FROM clock_timestamp() - "
		" COALESCE((SELECT expires_at FROM old), clock_timestamp()))",
		2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		snprintf(l->last_err, sizeof(l->last_err), "%s", PQerrorMessage(l->conn));
		l->last_err[strcspn(l->last_err, "\n")] = '\0';
		rc = -1;
	} else if (PQntuples(res) == 0) {
		rc = 0;
	} else {
		*epoch = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		*lapsed_s = strtod(PQgetvalue(res, 0, 1), NULL);
		rc = 1;
	}
	PQclear(res);
	return rc;
}

/* Makes one attempt and publishes the outcome. */
static void step(struct lease *l)
{
	int64_t sent = mono_ms(), epoch = 0;
	double lapsed = 0;
	int rc = attempt(l, &epoch, &lapsed);
	int changed;

	pthread_mutex_lock(&l->lock);
	if (rc == 1) {
		changed = !l->held || l->epoch != epoch;
		if (changed)
			l->lapsed_s = lapsed < 0 ? 0 : lapsed;
		l->held = 1;
		l->epoch = epoch;
		/* The database may have granted it a little later than we
		 * asked: count from the sending, less one renew period. */
		l->deadline_ms = sent + l->lease_ms - l->renew_ms;
		atomic_store(&l->fence->epoch, epoch);
		atomic_store(&freeze_deadline_ms, l->deadline_ms);
	} else if (rc == 0) {
		changed = l->held;
		l->held = 0;
		atomic_store(&l->fence->epoch, 0);
		atomic_store(&freeze_deadline_ms, 0);
	} else {
		/* No answer: the database is away (for us). Nobody can take
		 * the lease without it, so the active one goes on answering
		 * (its writes fail: the database is away, and once the lease
		 * has lapsed hw.fence refuses them too). When the database is
		 * back, the next attempt tells: ours again (a new term) or
		 * someone else's (then we go). */
		changed = 0;
	}
	pthread_mutex_unlock(&l->lock);
	if (changed && l->lws)
		lws_cancel_service(l->lws);
}

static void *lease_main(void *arg)
{
	struct lease *l = arg;
	sigset_t block;

	/* SIGCONT goes to the loop thread (lease_freeze_guard). */
	sigemptyset(&block);
	sigaddset(&block, SIGCONT);
	pthread_sigmask(SIG_BLOCK, &block, NULL);
	pthread_mutex_lock(&l->lock);
	while (!l->quit) {
		struct timespec until;
		pthread_mutex_unlock(&l->lock);
		step(l);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += l->renew_ms / 1000;
		until.tv_nsec += (long)(l->renew_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&l->lock);
		if (!l->quit)
			pthread_cond_timedwait(&l->cond, &l->lock, &until);
	}
	pthread_mutex_unlock(&l->lock);
	PQfinish(l->conn);
	l->conn = NULL;
	return NULL;
}

struct lease *lease_create(struct lws_context *lws, const char *url, const char *holder,
			   int64_t lease_ms, struct store_fence *fence)
{
	struct lease *l;

	if (!url || !holder || !fence || strlen(holder) >= sizeof(fence->holder) ||
	    strspn(holder, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.:_-") !=
		    strlen(holder) || lease_ms < 1000)
		return NULL;
	l = calloc(1, sizeof(*l));
	if (!l || !(l->url = strdup(url))) {
		free(l);
		return NULL;
	}
	l->lws = lws;
	l->lease_ms = lease_ms;
	l->renew_ms = lease_ms / 5 > 200 ? lease_ms / 5 : 200;
	l->fence = fence;
	snprintf(fence->holder, sizeof(fence->holder), "%s", holder);
	atomic_store(&fence->epoch, 0);
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->cond, NULL);
	l->takeover_s = -1;
	step(l); /* here, before the loop runs: a free lease makes us active at once */
	if (!l->held)
		LOGI(MOD, "%s: standby (%s)", holder,
		     l->last_err[0] ? l->last_err : "another daemon holds the lease");
	if (pthread_create(&l->thread, NULL, lease_main, l)) {
		LOGE(MOD, "cannot start the lease thread");
		lease_destroy(l);
		return NULL;
	}
	l->started = 1;
	return l;
}

void lease_destroy(struct lease *l)
{
	if (!l)
		return;
	if (l->started) {
		pthread_mutex_lock(&l->lock);
		l->quit = 1;
		pthread_cond_broadcast(&l->cond);
		pthread_mutex_unlock(&l->lock);
		pthread_join(l->thread, NULL);
	}
	PQfinish(l->conn);
	pthread_mutex_destroy(&l->lock);
	pthread_cond_destroy(&l->cond);
	free(l->url);
	free(l);
}

int lease_poll(struct lease *l)
{
	int held, was;
	int64_t epoch;
	double lapsed;

	if (!l)
		return 0;
	was = l->active;
	pthread_mutex_lock(&l->lock);
	held = l->held;
	epoch = l->epoch;
	lapsed = l->lapsed_s;
	pthread_mutex_unlock(&l->lock);
	if (held && was && epoch == l->active_epoch + 1) {
		/* Our own lease lapsed (the database was slow) and we took the
		 * next term: nobody held it between. Earlier transactions
		 * still in flight were refused; nothing else changes. */
		l->active_epoch = epoch;
		return 0;
	}
	if (held && was && epoch != l->active_epoch) {
		/* Someone else held a term meanwhile: what we think we know
		 * may be stale. Out, like a lost lease. */
		held = 0;
	}
	if (held && !was) {
		l->active = 1;
		l->active_epoch = epoch;
		l->takeovers++;
		l->takeover_s = lapsed;
		LOGI(MOD, "%s: active, epoch %lld (the lease stood lapsed %.3f s)", l->fence->holder,
		     (long long)epoch, lapsed);
		return 1;
	}
	if (!held && was) {
		l->active = 0;
		LOGW(MOD, "%s: lease lost (epoch %lld)", l->fence->holder,
		     (long long)l->active_epoch);
		return -1;
	}
	return 0;
}

int lease_active(struct lease *l)
{
	return l && l->active;
}

int64_t lease_epoch(struct lease *l)
{
	return l ? l->active_epoch : 0;
}

uint64_t lease_takeovers(struct lease *l)
{
	return l ? l->takeovers : 0;
}

double lease_takeover_seconds(struct lease *l)
{
	return l ? l->takeover_s : -1;
}

int lease_step_down(const char *url, char *err, size_t errlen)
{
	PGconn *c = (PGconn *)store_pg_connect(url, err, errlen);
	PGresult *res;
	int rc = -1;

	if (!c)
		return -1;
	/* One millisecond in the past: lapsed for everyone, the holder's
	 * next renewal finds it taken or takes a new epoch. */
	res = PQexec(c, "UPDATE hw.lease SET expires_at = clock_timestamp() - interval '1 ms', "
			"holder = holder || ' (stepped down)' WHERE id = 1 RETURNING epoch");
	if (PQresultStatus(res) == PGRES_TUPLES_OK) {
		rc = 0;
		if (!PQntuples(res))
			snprintf(err, errlen, "no daemon has held the lease yet");
	} else {
		snprintf(err, errlen, "%s", PQerrorMessage(c));
		err[strcspn(err, "\n")] = '\0';
	}
	PQclear(res);
	PQfinish(c);
	return rc;
}

/* Woken after the lease ran out: not one frame or request more. _exit is
 * async-signal-safe; the service manager starts us again as standby. */
static void on_sigcont(int sig)
{
	struct timespec ts;
	int64_t deadline = atomic_load(&freeze_deadline_ms), now;
	static const char msg[] = "hallway: woken after the lease ran out; exiting without a "
				  "word (the standby has taken over)\n";
	(void)sig;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	if (deadline && now >= deadline) {
		if (write(2, msg, sizeof(msg) - 1) < 0) {
			/* nothing more to do */
		}
		_exit(5);
	}
}

void lease_freeze_guard(struct lease *l)
{
	struct sigaction sa;
	(void)l;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigcont;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCONT, &sa, NULL);
}
