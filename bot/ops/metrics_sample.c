/*
 * Values read from the daemon right before a scrape: gateway and REST
 * stats, queue depth, loaded plugins, health checks and plugin-reported
 * components (their age is the schedule's age when the schedule plugin
 * reports). The hooks in metrics.c count events as they happen; this file
 * only copies state that the modules already keep.
 */
#include "metrics.h"

#include "gateway.h"
#include "hallway.h"
#include "health.h"
#include "host.h"
#include "rest.h"
#include "storage.h"
#include "clock.h"

static void set1(struct metrics *m, const char *name, enum metrics_type t, const char *help,
		 double v)
{
	metrics_set(metrics_family(m, name, t, help, NULL, NULL), NULL, NULL, v);
}

static void sample_gateway(struct metrics *m, struct gateway *gw)
{
	struct gateway_stats st;
	gateway_get_stats(gw, &st);
	set1(m, "hallway_gateway_ready", METRICS_GAUGE,
	     "1 while the gateway session is READY (or RESUMED).", st.ready);
	set1(m, "hallway_gateway_connects_total", METRICS_COUNTER, "Gateway sockets opened.",
	     (double)st.connects);
	set1(m, "hallway_gateway_reconnects_total", METRICS_COUNTER,
	     "Gateway reconnections (any cause).", (double)st.reconnects);
	set1(m, "hallway_gateway_resumes_total", METRICS_COUNTER, "Gateway sessions resumed.",
	     (double)st.resumes);
	set1(m, "hallway_gateway_identifies_total", METRICS_COUNTER,
	     "Gateway IDENTIFYs (new sessions).", (double)st.identifies);
	set1(m, "hallway_gateway_zombies_total", METRICS_COUNTER,
	     "Connections dropped because a heartbeat was not acknowledged.", (double)st.zombies);
	set1(m, "hallway_gateway_payloads_repaired_total", METRICS_COUNTER,
	     "Payloads the JSON parser refused that were repaired and handled (lone surrogates, "
	     "integers beyond 64 bits).",
	     (double)st.repaired);
	set1(m, "hallway_gateway_payloads_unparseable_total", METRICS_COUNTER,
	     "Payloads that could not be parsed or repaired: skipped, their seq recorded.",
	     (double)st.unparseable);
	set1(m, "hallway_gateway_heartbeat_last_rtt_seconds", METRICS_GAUGE,
	     "Round-trip time of the last acknowledged heartbeat.", st.last_rtt_ms / 1000.0);
	set1(m, "hallway_gateway_heartbeat_interval_seconds", METRICS_GAUGE,
	     "Heartbeat interval from HELLO.", st.heartbeat_interval_ms / 1000.0);
	if (st.last_ack_ms)
		set1(m, "hallway_gateway_heartbeat_ack_age_seconds", METRICS_GAUGE,
		     "Seconds since the last heartbeat ACK.",
		     (clock_mono_ms() - st.last_ack_ms) / 1000.0);
}

static void sample_rest(struct metrics *m, struct rest *r)
{
	struct rest_stats st;
	rest_get_stats(r, &st);
	set1(m, "hallway_rest_requests_total", METRICS_COUNTER, "Discord REST requests queued.",
	     (double)st.requests);
	set1(m, "hallway_rest_rate_limited_total", METRICS_COUNTER,
	     "Discord REST 429 responses (rate limited).", (double)st.rate_limited_429);
	set1(m, "hallway_rest_retries_total", METRICS_COUNTER,
	     "Discord REST retries after a 5xx or a transport error.", (double)st.retries);
	set1(m, "hallway_rest_transport_errors_total", METRICS_COUNTER,
	     "Discord REST attempts that got no HTTP response.", (double)st.transport_errors);
	set1(m, "hallway_rest_pending", METRICS_GAUGE,
	     "Discord REST requests queued or in flight.", (double)rest_pending(r));
}

struct component_families {
	struct metrics_family *ok, *age, *max_age;
};

static void sample_component(void *ud, const char *component, int ok, double age_s,
			     double max_age_s)
{
	struct component_families *cf = ud;
	metrics_set(cf->ok, component, NULL, ok);
	metrics_set(cf->age, component, NULL, age_s);
	if (max_age_s > 0)
		metrics_set(cf->max_age, component, NULL, max_age_s);
}

static void sample_health(struct metrics *m, struct health *h)
{
	struct component_families cf = {
		metrics_family(m, "hallway_health_component_ok", METRICS_GAUGE,
			       "1 when a plugin-reported component is healthy (health.report).",
			       "component", NULL),
		metrics_family(m, "hallway_health_report_age_seconds", METRICS_GAUGE,
			       "Seconds since a component's last health.report; for the schedule "
			       "this is the schedule's age (time since it was last confirmed "
			       "fresh).",
			       "component", NULL),
		metrics_family(m, "hallway_health_report_max_age_seconds", METRICS_GAUGE,
			       "Age after which a component's report is stale.", "component", NULL),
	};
	set1(m, "hallway_health_ok", METRICS_GAUGE, "1 when /healthz would answer 200.",
	     health_check(h, NULL));
	/* Components come and go: re-sample from scratch. */
	metrics_clear(cf.ok);
	metrics_clear(cf.age);
	metrics_clear(cf.max_age);
	health_foreach(h, sample_component, &cf);
}

/* Active and standby (storage.url PostgreSQL): nothing without a lease. */
static void sample_lease(struct metrics *m, struct storage *st)
{
	int64_t epoch;
	uint64_t takeovers;
	double lapsed;
	if (storage_lease_info(st, &epoch, &takeovers, &lapsed))
		return;
	set1(m, "hallway_lease_active", METRICS_GAUGE,
	     "1 while this daemon holds the lease (the active one), 0 on the standby.",
	     !strcmp(storage_role(st), "active"));
	set1(m, "hallway_lease_epoch", METRICS_GAUGE,
	     "The lease term this daemon holds or last held (0: none yet).", (double)epoch);
	set1(m, "hallway_lease_takeovers_total", METRICS_COUNTER,
	     "Times this daemon became the active one.", (double)takeovers);
	if (lapsed >= 0)
		set1(m, "hallway_lease_takeover_seconds", METRICS_GAUGE,
		     "At the last takeover: how long the lease stood lapsed before this daemon "
		     "took it (the database's clock; add the gateway's connect for the whole gap).",
		     lapsed);
}

void metrics_sample(struct metrics *m, struct hallway *hw)
{
	unsigned loaded = 0;
	if (!m || !hw)
		return;
	if (hw->gw)
		sample_gateway(m, hw->gw);
	if (hw->rest)
		sample_rest(m, hw->rest);
	loaded = host_foreach_active(hw->host, NULL, NULL);
	set1(m, "hallway_plugins_loaded", METRICS_GAUGE, "Plugins loaded and active.", loaded);
	if (hw->health)
		sample_health(m, hw->health);
	sample_lease(m, hw->storage);
}
