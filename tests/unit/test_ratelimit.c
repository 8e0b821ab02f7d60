/* Unit tests for bot/rest/ratelimit.c, driven by a fake clock. */
#include "ratelimit.h"
#include "testlib.h"

#include <math.h>

#define WALL 1700000000.0
#define M RL_MARGIN_S

static void ok_response(struct rl *rl, struct rl_bucket *b, double now, const char *limit,
			const char *remaining, const char *reset_after, const char *hash)
{
	struct rl_headers h = {.limit = limit, .remaining = remaining, .reset_after = reset_after,
			       .bucket = hash};
	struct rl_verdict v;
	rl_response(rl, b, now, WALL + now, 200, &h, -1, 0, &v);
	CHECK(!v.limited);
}

TEST(route_templates)
{
	char route[256], major[256];
	int f = rl_route("POST", "/channels/123/messages", route, sizeof(route), major,
			 sizeof(major));
	CHECK_INTEQ(f, 0);
	CHECK_STREQ(route, "POST /channels/{channel_id}/messages");
	CHECK_STREQ(major, "123");

	rl_route("PATCH", "/channels/9/messages/456?x=1", route, sizeof(route), major,
		 sizeof(major));
	CHECK_STREQ(route, "PATCH /channels/{channel_id}/messages/{id}");
	CHECK_STREQ(major, "9");

	rl_route("PUT", "/channels/9/messages/456/reactions/%F0%9F%91%8D/@me", route,
		 sizeof(route), major, sizeof(major));
	CHECK_STREQ(route, "PUT /channels/{channel_id}/messages/{id}/reactions/{emoji}/@me");

	rl_route("PUT", "/applications/77/guilds/88/commands", route, sizeof(route), major,
		 sizeof(major));
	CHECK_STREQ(route, "PUT /applications/{id}/guilds/{id}/commands");
	CHECK_STREQ(major, "");

	rl_route("GET", "/guilds/5/members", route, sizeof(route), major, sizeof(major));
	CHECK_STREQ(route, "GET /guilds/{guild_id}/members");
	CHECK_STREQ(major, "5");

	f = rl_route("POST", "/webhooks/42/secret-tok/messages/@original", route, sizeof(route),
		     major, sizeof(major));
	CHECK_INTEQ(f, RL_ROUTE_SECRET);
	CHECK_STREQ(route, "POST /webhooks/{webhook_id}/{webhook_token}/messages/@original");
	CHECK_STREQ(major, "42/secret-tok");
	CHECK(!strstr(route, "secret"));

	f = rl_route("POST", "/interactions/99/tokxyz/callback", route, sizeof(route), major,
		     sizeof(major));
	CHECK_INTEQ(f, RL_ROUTE_SECRET | RL_ROUTE_EXEMPT);
	CHECK_STREQ(route, "POST /interactions/{interaction_id}/{interaction_token}/callback");
	CHECK_STREQ(major, "99");

	rl_route(NULL, "/users/@me/channels", route, sizeof(route), major, sizeof(major));
	CHECK_STREQ(route, "GET /users/@me/channels");

	CHECK_INTEQ(rl_route("GET", "/channels/1", route, 8, major, sizeof(major)), -1);
}

TEST(unknown_bucket_one_in_flight)
{
	struct rl *rl = rl_create(0);
	REQUIRE(rl);
	struct rl_bucket *b = rl_bucket_get(rl, "POST", "/channels/1/messages", 0);
	REQUIRE(b);
	CHECK(rl_next_send(rl, b, 0) <= 0);
	rl_sent(rl, b, 0);
	/* Unknown limit: the second waits for the first response. */
	CHECK(isinf(rl_next_send(rl, b, 0.01)));
	ok_response(rl, b, 0.1, "5", "4", "5", "abc");
	/* Learned 5/5s with 4 remaining: four may go concurrently. */
	for (int i = 0; i < 4; i++) {
		CHECK(rl_next_send(rl, b, 0.1) <= 0.1);
		rl_sent(rl, b, 0.1);
	}
	double t = rl_next_send(rl, b, 0.1);
	CHECK(fabs(t - 5.1 - M) < 1e-9);
	rl_destroy(rl);
}

TEST(sequential_fifty)
{
	/* 50 sequential sends with limit 5 per 5 s: never beyond the limit. */
	struct rl *rl = rl_create(0);
	struct rl_bucket *b = rl_bucket_get(rl, "POST", "/channels/1/messages", 0);
	REQUIRE(b);
	double now = 0, window_start = -1, reset_at = 0;
	int remaining = 5, in_window = 0, sent = 0;
	while (sent < 50) {
		double t = rl_next_send(rl, b, now);
		REQUIRE(!isinf(t));
		if (t > now)
			now = t;
		/* The fake server: 5 per window that starts with the first request. */
		if (window_start < 0 || now >= reset_at) {
			window_start = now;
			reset_at = now + 5;
			remaining = 5;
			in_window = 0;
		}
		rl_sent(rl, b, now);
		in_window++;
		CHECK(in_window <= 5);
		remaining--;
		now += 0.01;
		char rem[16], ra[32];
		snprintf(rem, sizeof(rem), "%d", remaining);
		snprintf(ra, sizeof(ra), "%.3f", reset_at - now);
		ok_response(rl, b, now, "5", rem, ra, "h1");
		sent++;
	}
	/* Ten windows of five: the last starts at about 45 s. */
	CHECK(now > 45.0 && now < 46.0);
	rl_destroy(rl);
}

TEST(hash_shared_between_routes)
{
	struct rl *rl = rl_create(0);
	struct rl_bucket *a = rl_bucket_get(rl, "PUT", "/channels/1/messages/2/reactions/x/@me", 0);
	struct rl_bucket *d = rl_bucket_get(rl, "DELETE", "/channels/1/messages/2/reactions/x/@me", 0);
	struct rl_bucket *other = rl_bucket_get(rl, "DELETE", "/channels/2/messages/2/reactions/x/@me", 0);
	REQUIRE(a && d && other);
	rl_sent(rl, a, 0);
	ok_response(rl, a, 0.1, "1", "0", "0.25", "react");
	rl_sent(rl, d, 0.1);
	ok_response(rl, d, 0.2, "1", "0", "0.25", "react");
	/* Both routes now share one limit per channel: a is blocked by d's use. */
	CHECK(fabs(rl_next_send(rl, a, 0.2) - 0.45 - M) < 1e-9);
	/* Another channel (major parameter) is independent, though unknown. */
	CHECK(rl_next_send(rl, other, 0.2) <= 0.2);
	rl_destroy(rl);
}

TEST(reset_epoch_fallback)
{
	struct rl *rl = rl_create(0);
	struct rl_bucket *b = rl_bucket_get(rl, "GET", "/channels/1", 0);
	rl_sent(rl, b, 10);
	struct rl_headers h = {.limit = "2", .remaining = "0", .reset = "1700000012.5"};
	rl_response(rl, b, 10, WALL + 10, 200, &h, -1, 0, NULL);
	CHECK(fabs(rl_next_send(rl, b, 10) - 12.5 - M) < 1e-6);
	/* Reset-After wins over Reset. */
	rl_sent(rl, b, 12.5);
	struct rl_headers h2 = {.limit = "2", .remaining = "0", .reset = "1700000099",
				.reset_after = "1.0"};
	rl_response(rl, b, 12.5, WALL + 12.5, 200, &h2, -1, 0, NULL);
	CHECK(fabs(rl_next_send(rl, b, 12.5) - 13.5 - M) < 1e-6);
	rl_destroy(rl);
}

TEST(retry_after_429)
{
	struct rl *rl = rl_create(0);
	struct rl_bucket *b = rl_bucket_get(rl, "PATCH", "/channels/7", 0);
	rl_sent(rl, b, 0);
	/* Sub-limit 429 while Remaining > 0: the larger of body and header. */
	struct rl_headers h = {.limit = "5", .remaining = "3", .reset_after = "1",
			       .retry_after = "2", .scope = "user"};
	struct rl_verdict v;
	rl_response(rl, b, 0, WALL, 429, &h, 2.5, 0, &v);
	CHECK(v.limited);
	CHECK(!v.global);
	CHECK(fabs(v.retry_after - 2.5 - M) < 1e-9);
	CHECK_STREQ(v.scope, "user");
	CHECK(fabs(rl_next_send(rl, b, 0) - 2.5 - M) < 1e-9);
	CHECK(fabs(rl_next_send(rl, b, 2.6) - 2.6) < 1e-9);
	/* Header larger than body. */
	rl_sent(rl, b, 3);
	struct rl_headers h2 = {.retry_after = "4"};
	rl_response(rl, b, 3, WALL + 3, 429, &h2, 0.5, 0, &v);
	CHECK(fabs(v.retry_after - 4 - M) < 1e-9);
	CHECK(fabs(rl_next_send(rl, b, 3) - 7 - M) < 1e-9);
	rl_destroy(rl);
}

TEST(peer_dictated_waits_are_capped)
{
	/* Regression: Retry-After: 1e13 became a wait the pump could not
	 * convert to microseconds; the timer fired at once, for ever. */
	struct rl *rl = rl_create(0);
	struct rl_bucket *b = rl_bucket_get(rl, "POST", "/channels/9/messages", 0);
	struct rl_bucket *g = rl_bucket_get(rl, "POST", "/channels/8/messages", 0);
	struct rl_verdict v;
	REQUIRE(b && g);
	rl_sent(rl, b, 0);
	struct rl_headers h = {.retry_after = "1e13", .scope = "user"};
	rl_response(rl, b, 0, WALL, 429, &h, 1e300, 0, &v);
	CHECK(v.limited);
	CHECK(v.retry_after > 0 && v.retry_after <= RL_WAIT_MAX_S + M);
	CHECK(rl_next_send(rl, b, 0) <= RL_WAIT_MAX_S + M);
	/* A global one, from the body only. */
	rl_sent(rl, g, 1);
	struct rl_headers hg = {.global = "true"};
	rl_response(rl, g, 1, WALL + 1, 429, &hg, 1e13, 1, &v);
	CHECK(v.global && v.retry_after <= RL_WAIT_MAX_S + M);
	CHECK(rl_next_send(rl, g, 1) <= 1 + RL_WAIT_MAX_S + M);
	rl_destroy(rl);

	/* Reset-After and Reset far away, limits beyond a long. */
	rl = rl_create(0);
	b = rl_bucket_get(rl, "GET", "/channels/1", 0);
	g = rl_bucket_get(rl, "GET", "/channels/2", 0);
	REQUIRE(b && g);
	rl_sent(rl, b, 0);
	struct rl_headers h2 = {.limit = "1e300", .remaining = "0", .reset_after = "1e13"};
	rl_response(rl, b, 0, WALL, 200, &h2, -1, 0, NULL);
	CHECK(rl_next_send(rl, b, 0) <= RL_WAIT_MAX_S + M);
	rl_sent(rl, g, 0);
	struct rl_headers h3 = {.limit = "5", .remaining = "-1e300", .reset = "1e300"};
	rl_response(rl, g, 0, WALL, 200, &h3, -1, 0, NULL);
	CHECK(rl_next_send(rl, g, 0) <= RL_WAIT_MAX_S + M);
	/* A reset in the past is now. */
	rl_sent(rl, g, 10);
	struct rl_headers h4 = {.limit = "5", .remaining = "0", .reset = "1"};
	rl_response(rl, g, 10, WALL + 10, 200, &h4, -1, 0, NULL);
	CHECK(rl_next_send(rl, g, 10) <= 10 + M + 1e-9);
	rl_destroy(rl);
}

TEST(global_429_pauses_all_but_interactions)
{
	struct rl *rl = rl_create(0);
	struct rl_bucket *a = rl_bucket_get(rl, "POST", "/channels/1/messages", 0);
	struct rl_bucket *c = rl_bucket_get(rl, "POST", "/channels/2/messages", 0);
	struct rl_bucket *i = rl_bucket_get(rl, "POST", "/interactions/5/tok/callback", 0);
	REQUIRE(a && c && i);
	rl_sent(rl, a, 0);
	struct rl_headers h = {.global = "true", .scope = "global", .retry_after = "1"};
	struct rl_verdict v;
	rl_response(rl, a, 0, WALL, 429, &h, 0.75, 1, &v);
	CHECK(v.limited && v.global);
	CHECK(fabs(v.retry_after - 1 - M) < 1e-9);
	CHECK(fabs(rl_next_send(rl, c, 0.1) - 1 - M) < 1e-9);
	CHECK(rl_next_send(rl, i, 0.1) <= 0.1);
	rl_destroy(rl);
}

TEST(global_window_50_per_second)
{
	struct rl *rl = rl_create(0);
	struct rl_bucket *bs[60], *inter;
	char path[64];
	for (int k = 0; k < 60; k++) {
		snprintf(path, sizeof(path), "/channels/%d/messages", k + 1);
		bs[k] = rl_bucket_get(rl, "POST", path, 0);
		REQUIRE(bs[k]);
	}
	inter = rl_bucket_get(rl, "POST", "/interactions/1/t/callback", 0);
	for (int k = 0; k < 50; k++) {
		double now = k * 0.001;
		CHECK(rl_next_send(rl, bs[k], now) <= now);
		rl_sent(rl, bs[k], now);
	}
	/* The 51st waits until the first send is a second old, plus the
	 * margin for arrival jitter. */
	CHECK(fabs(rl_next_send(rl, bs[50], 0.05) - (1.0 + RL_MARGIN_S)) < 1e-9);
	CHECK(rl_next_send(rl, inter, 0.05) <= 0.05);
	CHECK(rl_next_send(rl, bs[50], 1.0 + RL_MARGIN_S) <= 1.0 + RL_MARGIN_S);
	rl_destroy(rl);
}

/* On a loaded machine requests arrive later than they were sent: the 51st
 * waits the median recent round trip instead of the fixed margin. */
TEST(global_window_waits_the_round_trip)
{
	struct rl *rl = rl_create(0);
	struct rl_bucket *bs[51];
	char path[64];

	for (int k = 0; k < 51; k++) {
		snprintf(path, sizeof(path), "/channels/%d/messages", k + 1);
		bs[k] = rl_bucket_get(rl, "POST", path, 0);
		REQUIRE(bs[k]);
	}
	for (int k = 0; k < 50; k++) {
		rl_sent(rl, bs[k], 0.0);
		rl_observe_rtt(rl, k % 5 ? 0.3 : 0.01); /* 40 of 0.3 s, 10 of 0.01 s */
	}
	CHECK(fabs(rl_next_send(rl, bs[50], 0.05) - 1.3) < 1e-9);
	/* A round trip beyond RL_RTT_MAX_S counts as that; nonsense is ignored. */
	for (int k = 0; k < RL_RTT_KEPT; k++) {
		rl_observe_rtt(rl, 50.0);
		rl_observe_rtt(rl, -1.0);
		rl_observe_rtt(rl, NAN);
	}
	CHECK(fabs(rl_next_send(rl, bs[50], 0.05) - (1.0 + RL_RTT_MAX_S)) < 1e-9);
	/* Old round trips leave the ring; short ones leave the fixed margin. */
	for (int k = 0; k < RL_RTT_KEPT; k++)
		rl_observe_rtt(rl, 0.001);
	CHECK(fabs(rl_next_send(rl, bs[50], 0.05) - (1.0 + RL_MARGIN_S)) < 1e-9);
	rl_destroy(rl);
}

TEST(no_headers_means_unlimited)
{
	struct rl *rl = rl_create(0);
	struct rl_bucket *b = rl_bucket_get(rl, "GET", "/gateway/bot", 0);
	rl_sent(rl, b, 0);
	rl_response(rl, b, 0.1, WALL, 200, NULL, -1, 0, NULL);
	rl_sent(rl, b, 0.1);
	CHECK(rl_next_send(rl, b, 0.1) <= 0.1);
	rl_destroy(rl);
}

TEST(transport_error_releases_slot)
{
	struct rl *rl = rl_create(0);
	struct rl_bucket *b = rl_bucket_get(rl, "POST", "/channels/1/messages", 0);
	rl_sent(rl, b, 0);
	CHECK(isinf(rl_next_send(rl, b, 0)));
	rl_response(rl, b, 1, WALL, 0, NULL, -1, 0, NULL);
	CHECK_INTEQ(rl_bucket_inflight(b), 0);
	CHECK(rl_next_send(rl, b, 1) <= 1);
	rl_destroy(rl);
}

TEST(late_response_does_not_raise_remaining)
{
	struct rl *rl = rl_create(0);
	struct rl_bucket *b = rl_bucket_get(rl, "GET", "/channels/1/messages", 0);
	rl_sent(rl, b, 0);
	ok_response(rl, b, 0.1, "5", "4", "5", NULL);
	rl_sent(rl, b, 0.1);
	rl_sent(rl, b, 0.1);
	/* Responses arrive out of order: 2 remaining, then the stale 3. */
	ok_response(rl, b, 0.2, "5", "2", "4.9", NULL);
	ok_response(rl, b, 0.21, "5", "3", "4.89", NULL);
	rl_sent(rl, b, 0.3);
	rl_sent(rl, b, 0.3);
	CHECK(rl_next_send(rl, b, 0.3) > 5.0);
	rl_destroy(rl);
}

TEST(gc_frees_idle)
{
	struct rl *rl = rl_create(0);
	struct rl_bucket *b = rl_bucket_get(rl, "POST", "/interactions/1/t/callback", 0);
	struct rl_bucket *kept = rl_bucket_get(rl, "POST", "/channels/1/messages", 0);
	REQUIRE(b && kept);
	rl_bucket_set_data(kept, kept);
	rl_sent(rl, b, 0);
	ok_response(rl, b, 0.1, "1", "0", "1", "int");
	CHECK_INTEQ(rl_bucket_count(rl), 2);
	rl_gc(rl, 30);
	CHECK_INTEQ(rl_bucket_count(rl), 2);
	rl_gc(rl, 100);
	CHECK_INTEQ(rl_bucket_count(rl), 1);
	rl_destroy(rl);
}

int main(void)
{
	RUN(route_templates);
	RUN(unknown_bucket_one_in_flight);
	RUN(sequential_fifty);
	RUN(hash_shared_between_routes);
	RUN(reset_epoch_fallback);
	RUN(retry_after_429);
	RUN(peer_dictated_waits_are_capped);
	RUN(global_429_pauses_all_but_interactions);
	RUN(global_window_50_per_second);
	RUN(global_window_waits_the_round_trip);
	RUN(no_headers_means_unlimited);
	RUN(transport_error_releases_slot);
	RUN(late_response_does_not_raise_remaining);
	RUN(gc_frees_idle);
	return test_summary();
}
