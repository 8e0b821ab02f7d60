/*
 * Shared by the openspaces tests: a board, a temp database, a loaded
 * plugin and a chat line. Header-only (static), included once per test.
 */
#ifndef OPENSPACES_TEST_COMMON_H
#define OPENSPACES_TEST_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mock_api.h"

extern const hw_plugin_desc hallway_plugin;

/* Thu 26 and Fri 27 November 2026, three hourly slots, three rooms. */
#define OS_CONFIG                                                                          \
	"{\"rooms\": [{\"name\": \"Room A\"}, {\"name\": \"Room B\", \"capacity\": 3},"    \
	" {\"name\": \"Garden\"}], \"days\": [\"2026-11-26\", \"2026-11-27\"],"             \
	" \"start\": \"10:00\", \"end\": \"13:00\", \"slot_minutes\": 60,"                  \
	" \"held\": [{\"day\": \"2026-11-27\", \"slot\": \"12:00\", \"room\": \"Garden\"}],"  \
	" \"timezone\": \"Europe/Brussels\"}"

/* 2026-11-26T08:00:00Z: 09:00 in Brussels on the first day. */
#define OS_THU_0900 1795680000000LL

static const char *os_tmp_db(char *buf, size_t len)
{
	char dir[] = "/tmp/openspaces-test-XXXXXX";
	if (!mkdtemp(dir))
		abort();
	snprintf(buf, len, "%s/hallway.db", dir);
	return buf;
}

static __attribute__((unused)) mock_api *os_start(const char *db_path, const char *config)
{
	json_t *cfg = json_loads(config ? config : OS_CONFIG, 0, NULL);
	mock_api *m = mock_api_new("openspaces", cfg, db_path);
	json_decref(cfg);
	mock_api_log_verbose(m, 0);
	if (mock_api_load(m, &hallway_plugin) != HW_OK) {
		fprintf(stderr, "load failed\n");
		abort();
	}
	return m;
}

/* The same, with the clock at now_ms before the plugin loads, so timers
 * count from then (a test that advances the clock needs it). */
static __attribute__((unused)) mock_api *os_start_at(const char *db_path, const char *config,
						     int64_t now_ms)
{
	json_t *cfg = json_loads(config ? config : OS_CONFIG, 0, NULL);
	mock_api *m = mock_api_new("openspaces", cfg, db_path);
	json_decref(cfg);
	mock_api_log_verbose(m, 0);
	mock_api_set_now(m, now_ms);
	if (mock_api_load(m, &hallway_plugin) != HW_OK) {
		fprintf(stderr, "load failed\n");
		abort();
	}
	return m;
}

static __attribute__((unused)) int os_has(const char *hay, const char *needle)
{
	if (!strstr(hay, needle)) {
		fprintf(stderr, "  missing \"%s\" in: %s\n", needle, hay);
		return 0;
	}
	return 1;
}

#endif
