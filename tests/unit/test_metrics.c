/* The metrics registry: hooks, caps, plugin reports and the text format. */
#include "metrics.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "log.h"
#include "testlib.h"

static char *render(struct metrics *m)
{
	size_t len = 0;
	char *t = metrics_render(m, &len);
	if (t && strlen(t) != len) {
		free(t);
		return NULL;
	}
	return t;
}

static int report(struct metrics *m, const char *js)
{
	json_t *r = json_loads(js, 0, NULL);
	int rc = r ? metrics_report(m, r) : -2;
	json_decref(r);
	return rc;
}

TEST(hooks_count_and_render)
{
	struct metrics *m = metrics_create(NULL);
	char *t;
	REQUIRE(m);
	metrics_gateway_event(m, "MESSAGE_CREATE");
	metrics_gateway_event(m, "MESSAGE_CREATE");
	metrics_gateway_event(m, "READY");
	metrics_command(m, "next", "ok");
	metrics_command(m, "next", "error");
	metrics_command(m, "next", "ok");
	metrics_rest_response(m, "POST /channels/{channel_id}/messages", 200);
	metrics_rest_response(m, "POST /channels/{channel_id}/messages", 429);
	metrics_plugin_error(m, "fx_bad", "command");
	CHECK(metrics_value(m, "hallway_gateway_events_total", "MESSAGE_CREATE", NULL) == 2);
	CHECK(metrics_value(m, "hallway_commands_total", "next", "ok") == 2);
	CHECK(metrics_value(m, "hallway_commands_total", "next", "error") == 1);
	CHECK(metrics_value(m, "hallway_commands_total", "help", "ok") == -1);
	t = render(m);
	REQUIRE(t);
	CHECK(strstr(t, "# TYPE hallway_gateway_events_total counter\n"
			"hallway_gateway_events_total{type=\"MESSAGE_CREATE\"} 2\n") != NULL);
	CHECK(strstr(t, "hallway_rest_responses_total{route=\"POST /channels/{channel_id}/messages\","
			"status=\"429\"} 1\n") != NULL);
	CHECK(strstr(t, "hallway_plugin_errors_total{plugin=\"fx_bad\",kind=\"command\"} 1\n") != NULL);
	/* Unlabelled families always show their one series. */
	CHECK(strstr(t, "hallway_metrics_rejected_total 0\n") != NULL);
	/* NULL registry: every hook is a no-op. */
	metrics_gateway_event(NULL, "READY");
	metrics_command(NULL, "x", "ok");
	metrics_rest_response(NULL, "GET /x", 200);
	free(t);
	metrics_destroy(m);
}

TEST(label_cardinality_is_capped)
{
	struct metrics *m = metrics_create(NULL);
	char name[32], *t;
	REQUIRE(m);
	for (int i = 0; i < METRICS_MAX_SERIES + 50; i++) {
		snprintf(name, sizeof(name), "EVENT_%d", i);
		metrics_gateway_event(m, name);
	}
	CHECK(metrics_value(m, "hallway_gateway_events_total", "EVENT_0", NULL) == 1);
	CHECK(metrics_value(m, "hallway_gateway_events_total", "EVENT_70", NULL) == -1);
	CHECK(metrics_value(m, "hallway_gateway_events_total", METRICS_OTHER, NULL) == 50);
	/* A known series still counts on its own once the family is full. */
	metrics_gateway_event(m, "EVENT_3");
	CHECK(metrics_value(m, "hallway_gateway_events_total", "EVENT_3", NULL) == 2);
	t = render(m);
	REQUIRE(t);
	{
		int n = 0;
		for (const char *p = t; (p = strstr(p, "hallway_gateway_events_total{")); p++)
			n++;
		CHECK_INTEQ(n, METRICS_MAX_SERIES + 1);
	}
	free(t);
	metrics_destroy(m);
}

TEST(label_values_are_escaped_and_cut)
{
	struct metrics *m = metrics_create(NULL);
	char long_value[200], *t;
	REQUIRE(m);
	metrics_command(m, "a\"b\\c\nd", "ok");
	t = render(m);
	REQUIRE(t);
	CHECK(strstr(t, "{command=\"a\\\"b\\\\c\\nd\",outcome=\"ok\"} 1\n") != NULL);
	free(t);
	/* 63 ASCII bytes then a 2-byte character: the cut keeps UTF-8 whole. */
	memset(long_value, 'x', 63);
	strcpy(long_value + 63, "\xC3\xA9tail-that-is-dropped");
	metrics_command(m, long_value, "ok");
	metrics_command(m, long_value, "ok");
	long_value[63] = '\0';
	CHECK(metrics_value(m, "hallway_commands_total", long_value, "ok") == 2);
	metrics_destroy(m);
}

TEST(plugin_reports)
{
	struct metrics *m = metrics_create(NULL);
	char *t;
	REQUIRE(m);
	CHECK(report(m, "{\"name\":\"outbox_pending\",\"value\":3,\"help\":\"Queued\"}") == 0);
	CHECK(report(m, "{\"name\":\"outbox_pending\",\"value\":5}") == 0);
	CHECK(metrics_value(m, "hallway_outbox_pending", NULL, NULL) == 5);
	CHECK(report(m, "{\"name\":\"outbox_failed_total\",\"type\":\"counter\","
			"\"labels\":{\"channel\":\"news\"}}") == 0);
	CHECK(report(m, "{\"name\":\"outbox_failed_total\",\"type\":\"counter\",\"inc\":2,"
			"\"labels\":{\"channel\":\"news\"}}") == 0);
	CHECK(metrics_value(m, "hallway_outbox_failed_total", "news", NULL) == 3);
	/* Two labels in either order are the same family. */
	CHECK(report(m, "{\"name\":\"rooms\",\"value\":1,\"labels\":{\"b\":\"2\",\"a\":\"1\"}}") == 0);
	CHECK(report(m, "{\"name\":\"rooms\",\"value\":7,\"labels\":{\"a\":\"1\",\"b\":\"2\"}}") == 0);
	CHECK(metrics_value(m, "hallway_rooms", "1", "2") == 7);
	/* Refusals. */
	CHECK(report(m, "{\"name\":\"Bad-Name\",\"value\":1}") == -1);
	CHECK(report(m, "{\"name\":\"gateway_events_total\",\"type\":\"counter\"}") == -1);
	CHECK(report(m, "{\"name\":\"outbox_pending\",\"type\":\"counter\"}") == -1);
	CHECK(report(m, "{\"name\":\"outbox_pending\",\"value\":1,\"labels\":{\"x\":\"1\"}}") == -1);
	CHECK(report(m, "{\"name\":\"neg_total\",\"type\":\"counter\",\"inc\":-1}") == -1);
	CHECK(report(m, "{\"name\":\"g\",\"value\":\"3\"}") == -1);
	CHECK(report(m, "{\"name\":\"g\",\"type\":\"summary\",\"value\":3}") == -1);
	CHECK(report(m, "{\"name\":\"g\",\"value\":1,\"labels\":{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\"}}") == -1);
	CHECK(report(m, "{\"name\":\"g\",\"value\":1,\"labels\":{\"__x\":1}}") == -1);
	CHECK(metrics_value(m, "hallway_metrics_rejected_total", NULL, NULL) == 9);
	CHECK(metrics_value(m, "hallway_outbox_pending", NULL, NULL) == 5);
	t = render(m);
	REQUIRE(t);
	CHECK(strstr(t, "# HELP hallway_outbox_pending Queued\n# TYPE hallway_outbox_pending gauge\n"
			"hallway_outbox_pending 5\n") != NULL);
	CHECK(strstr(t, "hallway_rooms{a=\"1\",b=\"2\"} 7\n") != NULL);
	free(t);
	/* At most METRICS_MAX_PLUGIN_FAMILIES plugin families. */
	for (int i = 0; i < METRICS_MAX_PLUGIN_FAMILIES + 5; i++) {
		char js[80];
		snprintf(js, sizeof(js), "{\"name\":\"many_%d\",\"value\":%d}", i, i);
		report(m, js);
	}
	CHECK(metrics_value(m, "hallway_many_0", NULL, NULL) == 0);
	CHECK(metrics_value(m, "hallway_many_40", NULL, NULL) == -1);
	metrics_destroy(m);
}

TEST(reports_arrive_through_the_bus)
{
	struct bus *b = bus_create();
	struct metrics *m = metrics_create(b);
	json_t *r = json_pack("{s:s,s:i}", "name", "queue_depth", "value", 12);
	REQUIRE(b && m && r);
	bus_publish(b, "metrics.report", r);
	CHECK(metrics_value(m, "hallway_queue_depth", NULL, NULL) == 12);
	metrics_destroy(m);
	/* Unsubscribed: publishing after destroy touches nothing. */
	CHECK_INTEQ(bus_publish(b, "metrics.report", r), 0);
	json_decref(r);
	bus_destroy(b);
}

TEST(rtt_histogram)
{
	struct metrics *m = metrics_create(NULL);
	char *t;
	REQUIRE(m);
	metrics_observe_rtt(m, 0.004);
	metrics_observe_rtt(m, 0.03);
	metrics_observe_rtt(m, 0.03);
	metrics_observe_rtt(m, 9);
	metrics_observe_rtt(m, -1); /* ignored */
	t = render(m);
	REQUIRE(t);
	CHECK(strstr(t, "# TYPE hallway_gateway_heartbeat_rtt_seconds histogram\n") != NULL);
	CHECK(strstr(t, "hallway_gateway_heartbeat_rtt_seconds_bucket{le=\"0.005\"} 1\n") != NULL);
	CHECK(strstr(t, "hallway_gateway_heartbeat_rtt_seconds_bucket{le=\"0.025\"} 1\n") != NULL);
	CHECK(strstr(t, "hallway_gateway_heartbeat_rtt_seconds_bucket{le=\"0.05\"} 3\n") != NULL);
	CHECK(strstr(t, "hallway_gateway_heartbeat_rtt_seconds_bucket{le=\"5\"} 3\n") != NULL);
	CHECK(strstr(t, "hallway_gateway_heartbeat_rtt_seconds_bucket{le=\"+Inf\"} 4\n") != NULL);
	CHECK(strstr(t, "hallway_gateway_heartbeat_rtt_seconds_count 4\n") != NULL);
	CHECK(strstr(t, "hallway_gateway_heartbeat_rtt_seconds_sum 9.064\n") != NULL);
	free(t);
	metrics_destroy(m);
}

TEST(families_keep_their_shape)
{
	struct metrics *m = metrics_create(NULL);
	struct metrics_family *f;
	REQUIRE(m);
	f = metrics_family(m, "hallway_x", METRICS_GAUGE, "X", "a", NULL);
	CHECK(f != NULL);
	CHECK(metrics_family(m, "hallway_x", METRICS_GAUGE, "X", "a", NULL) == f);
	CHECK(metrics_family(m, "hallway_x", METRICS_COUNTER, "X", "a", NULL) == NULL);
	CHECK(metrics_family(m, "hallway_x", METRICS_GAUGE, "X", "b", NULL) == NULL);
	metrics_set(f, "1", NULL, 4);
	metrics_clear(f);
	CHECK(metrics_value(m, "hallway_x", "1", NULL) == -1);
	metrics_add(NULL, "1", NULL, 1); /* no-op */
	metrics_destroy(m);
}

int main(void)
{
	log_set_level(LOG_ERROR);
	RUN(hooks_count_and_render);
	RUN(label_cardinality_is_capped);
	RUN(label_values_are_escaped_and_cut);
	RUN(plugin_reports);
	RUN(reports_arrive_through_the_bus);
	RUN(rtt_histogram);
	RUN(families_keep_their_shape);
	return test_summary();
}
