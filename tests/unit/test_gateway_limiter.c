/* Gateway send limiter with a fake clock: the 110/60 s rolling window,
 * CONTROL frames first, the reserve for heartbeats, the 4096-byte cap. */
#include "gateway_limiter.h"
#include "testlib.h"

static const struct gateway_limiter_config cfg = {
	.max_sends = 110, .control_reserve = 5, .window_ms = 60000, .headroom = 16,
	.max_queued = 256};

/* Sends everything sendable at now; returns how many frames went. */
static int drain(struct gateway_limiter *l, int64_t now, int normal_ok, int64_t *wait)
{
	struct gateway_frame *f;
	int n = 0;

	while ((f = gateway_limiter_next(l, now, normal_ok, wait))) {
		gateway_limiter_sent(l, f, now);
		n++;
	}
	return n;
}

/* Sends at most one frame at now. */
static int step(struct gateway_limiter *l, int64_t now)
{
	int64_t wait;
	struct gateway_frame *f = gateway_limiter_next(l, now, 1, &wait);

	if (!f)
		return 0;
	gateway_limiter_sent(l, f, now);
	return 1;
}

TEST(control_first_and_fifo)
{
	struct gateway_limiter *l = gateway_limiter_new(&cfg);
	struct gateway_frame *f;
	int64_t wait;

	REQUIRE(l);
	CHECK_INTEQ(gateway_limiter_push(l, GATEWAY_PRIO_NORMAL, "n1", 2), 0);
	CHECK_INTEQ(gateway_limiter_push(l, GATEWAY_PRIO_NORMAL, "n2", 2), 0);
	CHECK_INTEQ(gateway_limiter_push(l, GATEWAY_PRIO_CONTROL, "hb", 2), 0);
	CHECK_INTEQ(gateway_limiter_push(l, GATEWAY_PRIO_CONTROL, "id", 2), 0);
	f = gateway_limiter_next(l, 0, 1, &wait);
	REQUIRE(f);
	CHECK_STREQ((char *)f->data, "hb");
	CHECK_INTEQ(f->data - f->buf, 16); /* LWS_PRE-style headroom */
	gateway_limiter_sent(l, f, 0);
	f = gateway_limiter_next(l, 0, 1, &wait);
	REQUIRE(f);
	CHECK_STREQ((char *)f->data, "id");
	gateway_limiter_sent(l, f, 0);
	f = gateway_limiter_next(l, 0, 1, &wait);
	REQUIRE(f);
	CHECK_STREQ((char *)f->data, "n1");
	gateway_limiter_sent(l, f, 1);
	f = gateway_limiter_next(l, 1, 1, &wait);
	REQUIRE(f);
	CHECK_STREQ((char *)f->data, "n2");
	gateway_limiter_sent(l, f, 1);
	CHECK(gateway_limiter_next(l, 1, 1, &wait) == NULL);
	CHECK_INTEQ(wait, -1);
	CHECK_INTEQ(gateway_limiter_in_window(l, 1), 4);
	gateway_limiter_free(l);
}

TEST(normal_waits_until_ready)
{
	struct gateway_limiter *l = gateway_limiter_new(&cfg);
	int64_t wait;

	REQUIRE(l);
	gateway_limiter_push(l, GATEWAY_PRIO_NORMAL, "presence", 8);
	CHECK(gateway_limiter_next(l, 0, 0, &wait) == NULL);
	CHECK_INTEQ(wait, -1);
	gateway_limiter_push(l, GATEWAY_PRIO_CONTROL, "hb", 2);
	CHECK_INTEQ(drain(l, 0, 0, &wait), 1);
	CHECK_INTEQ(gateway_limiter_queued(l, GATEWAY_PRIO_NORMAL), 1);
	CHECK_INTEQ(drain(l, 0, 1, &wait), 1);
	gateway_limiter_free(l);
}

TEST(rolling_window_and_reserve)
{
	struct gateway_limiter *l = gateway_limiter_new(&cfg);
	int64_t wait;

	REQUIRE(l);
	for (int i = 0; i < 200; i++)
		CHECK_INTEQ(gateway_limiter_push(l, GATEWAY_PRIO_NORMAL, "x", 1), 0);
	/* One send per 100 ms: NORMAL frames stop at 105 (110 minus reserve). */
	int sent = 0;
	int64_t t = 0;
	for (; t < 60000; t += 100)
		sent += drain(l, t, 1, &wait) ? 1 : 0;
	(void)sent;
	CHECK_INTEQ(200 - (int)gateway_limiter_queued(l, GATEWAY_PRIO_NORMAL), 105);
	CHECK(gateway_limiter_next(l, 59900, 1, &wait) == NULL);
	/* drain sent all of them at t=0 in one go; the oldest expire at 60000. */
	CHECK_INTEQ(wait, 100);
	/* Heartbeats still get through, up to 110 in the window. */
	for (int i = 0; i < 7; i++)
		gateway_limiter_push(l, GATEWAY_PRIO_CONTROL, "hb", 2);
	CHECK_INTEQ(drain(l, 59900, 1, &wait), 5);
	CHECK_INTEQ(gateway_limiter_in_window(l, 59900), 110);
	CHECK_INTEQ(gateway_limiter_queued(l, GATEWAY_PRIO_CONTROL), 2);
	CHECK_INTEQ(wait, 100);
	/* At 60000 the 105 sends of t=0 have left the window. */
	CHECK_INTEQ(gateway_limiter_in_window(l, 60000), 5);
	/* 2 heartbeats, then NORMAL up to 105 in the window: the 95 left. */
	CHECK_INTEQ(drain(l, 60000, 1, &wait), 2 + 95);
	CHECK_INTEQ(gateway_limiter_in_window(l, 60000), 102);
	gateway_limiter_free(l);
}

TEST(wait_is_exact)
{
	struct gateway_limiter_config c = cfg;
	struct gateway_limiter *l;
	int64_t wait;

	c.max_sends = 3;
	c.control_reserve = 1;
	c.window_ms = 1000;
	l = gateway_limiter_new(&c);
	REQUIRE(l);
	for (int i = 0; i < 5; i++)
		gateway_limiter_push(l, GATEWAY_PRIO_NORMAL, "x", 1);
	/* NORMAL cap is 2 per 1000 ms. */
	CHECK_INTEQ(step(l, 100), 1);
	CHECK_INTEQ(step(l, 300), 1);
	CHECK_INTEQ(drain(l, 400, 1, &wait), 0);
	CHECK_INTEQ(wait, 700); /* the send at 100 leaves at 1100 */
	CHECK_INTEQ(drain(l, 1099, 1, &wait), 0);
	CHECK_INTEQ(wait, 1);
	CHECK_INTEQ(drain(l, 1100, 1, &wait), 1);
	CHECK_INTEQ(wait, 200); /* the send at 300 leaves at 1300 */
	/* A CONTROL frame may use the reserved third slot... */
	gateway_limiter_push(l, GATEWAY_PRIO_CONTROL, "h", 1);
	CHECK_INTEQ(drain(l, 1100, 1, &wait), 1);
	CHECK_INTEQ(gateway_limiter_in_window(l, 1100), 3);
	CHECK_INTEQ(drain(l, 1299, 1, &wait), 0);
	CHECK_INTEQ(wait, 1);
	/* ...and does not use up a NORMAL slot; the total cap still holds. */
	CHECK_INTEQ(drain(l, 1300, 1, &wait), 1);
	CHECK_INTEQ(wait, 800); /* total 3: the sends of 1100 leave at 2100 */
	gateway_limiter_free(l);
}

TEST(never_more_than_110_per_60s)
{
	struct gateway_limiter *l = gateway_limiter_new(&cfg);
	static int64_t sends[20000];
	int n = 0, worst = 0;
	unsigned rnd = 12345;
	int64_t wait;

	REQUIRE(l);
	for (int64_t t = 0; t < 600000; t += 50) {
		struct gateway_frame *f;

		rnd = rnd * 1103515245u + 12345u;
		if ((rnd >> 16) % 4 == 0)
			gateway_limiter_push(l, GATEWAY_PRIO_NORMAL, "n", 1);
		if ((rnd >> 16) % 97 == 0)
			gateway_limiter_push(l, GATEWAY_PRIO_CONTROL, "h", 1);
		while ((f = gateway_limiter_next(l, t, 1, &wait)) && n < 20000) {
			gateway_limiter_sent(l, f, t);
			sends[n++] = t;
		}
	}
	for (int i = 0, j = 0; i < n; i++) {
		while (sends[i] - sends[j] >= 60000)
			j++;
		if (i - j + 1 > worst)
			worst = i - j + 1;
	}
	CHECK(worst <= 110);
	CHECK(worst >= 100); /* and it does use the budget */
	gateway_limiter_free(l);
}

/* Heartbeats every second (stand-in tests) with a full NORMAL queue: the
 * reserve set from the interval keeps every heartbeat on time. */
TEST(fast_heartbeats_never_wait)
{
	struct gateway_limiter *l = gateway_limiter_new(&cfg);
	int64_t wait;
	int late = 0, normal_sent = 0;

	REQUIRE(l);
	gateway_limiter_set_reserve(l, 60000 / 1000 + 3);
	for (int i = 0; i < 256; i++)
		gateway_limiter_push(l, GATEWAY_PRIO_NORMAL, "n", 1);
	for (int64_t t = 0; t < 180000; t += 10) {
		struct gateway_frame *f;

		if (t % 1000 == 0)
			gateway_limiter_push(l, GATEWAY_PRIO_CONTROL, "hb", 2);
		while ((f = gateway_limiter_next(l, t, 1, &wait))) {
			normal_sent += f->prio == GATEWAY_PRIO_NORMAL;
			gateway_limiter_sent(l, f, t);
		}
		if (gateway_limiter_queued(l, GATEWAY_PRIO_CONTROL))
			late++;
		CHECK(gateway_limiter_in_window(l, t) <= 110);
	}
	CHECK_INTEQ(late, 0);
	CHECK(normal_sent >= 100); /* 47 per window, three windows */
	gateway_limiter_set_reserve(l, 1000);
	gateway_limiter_set_reserve(l, -5);
	gateway_limiter_free(l);
}

TEST(payload_cap_and_queue_cap)
{
	struct gateway_limiter_config c = cfg;
	struct gateway_limiter *l;
	static char big[5000];

	c.max_queued = 3;
	l = gateway_limiter_new(&c);
	REQUIRE(l);
	memset(big, 'a', sizeof(big));
	CHECK_INTEQ(gateway_limiter_push(l, GATEWAY_PRIO_NORMAL, big, 4097),
		    GATEWAY_LIMITER_ETOOBIG);
	CHECK_INTEQ(gateway_limiter_push(l, GATEWAY_PRIO_CONTROL, big, 4097),
		    GATEWAY_LIMITER_ETOOBIG);
	CHECK_INTEQ(gateway_limiter_push(l, GATEWAY_PRIO_NORMAL, big, 4096), 0);
	CHECK_INTEQ(gateway_limiter_push(l, GATEWAY_PRIO_NORMAL, "b", 1), 0);
	CHECK_INTEQ(gateway_limiter_push(l, GATEWAY_PRIO_NORMAL, "c", 1), 0);
	CHECK_INTEQ(gateway_limiter_push(l, GATEWAY_PRIO_NORMAL, "d", 1), GATEWAY_LIMITER_EFULL);
	CHECK_INTEQ(gateway_limiter_push(l, GATEWAY_PRIO_CONTROL, "h", 1), 0);
	CHECK_INTEQ(gateway_limiter_queued(l, GATEWAY_PRIO_NORMAL), 3);
	gateway_limiter_free(l);
	CHECK(gateway_limiter_new(&(struct gateway_limiter_config){.max_sends = 5,
								  .control_reserve = 5,
								  .window_ms = 1}) == NULL);
}

TEST(reset_for_new_connection)
{
	struct gateway_limiter *l = gateway_limiter_new(&cfg);
	struct gateway_frame *f;
	int64_t wait;

	REQUIRE(l);
	for (int i = 0; i < 110; i++)
		gateway_limiter_push(l, GATEWAY_PRIO_CONTROL, "h", 1);
	CHECK_INTEQ(drain(l, 0, 1, &wait), 110);
	gateway_limiter_push(l, GATEWAY_PRIO_CONTROL, "stale-hb", 8);
	gateway_limiter_push(l, GATEWAY_PRIO_NORMAL, "keep", 4);
	CHECK(gateway_limiter_next(l, 10, 1, &wait) == NULL);
	gateway_limiter_reset(l);
	CHECK_INTEQ(gateway_limiter_queued(l, GATEWAY_PRIO_CONTROL), 0);
	CHECK_INTEQ(gateway_limiter_in_window(l, 10), 0);
	f = gateway_limiter_next(l, 10, 1, &wait);
	REQUIRE(f);
	CHECK_STREQ((char *)f->data, "keep");
	gateway_limiter_clear(l);
	CHECK(gateway_limiter_next(l, 10, 1, &wait) == NULL);
	CHECK_INTEQ(gateway_limiter_queued(l, GATEWAY_PRIO_NORMAL), 0);
	gateway_limiter_free(l);
}

int main(void)
{
	RUN(control_first_and_fifo);
	RUN(normal_waits_until_ready);
	RUN(rolling_window_and_reserve);
	RUN(wait_is_exact);
	RUN(never_more_than_110_per_60s);
	RUN(fast_heartbeats_never_wait);
	RUN(payload_cap_and_queue_cap);
	RUN(reset_for_new_connection);
	return test_summary();
}
