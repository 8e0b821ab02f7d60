/* Gateway close-code policy, backoff and jitter: every code Discord
 * documents, a remote 1000, unknown codes and a drop without a code. */
#include "gateway_policy.h"
#include "testlib.h"

static enum gateway_close_action act(int code)
{
	return gateway_policy_close(code).action;
}

TEST(resume_codes)
{
	const int codes[] = {0, 1001, 1006, 1011, 4000, 4001, 4002, 4008};

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		struct gateway_close_policy p = gateway_policy_close(codes[i]);

		CHECK_INTEQ(p.action, GATEWAY_CLOSE_RESUME);
		CHECK_INTEQ(p.code, codes[i]);
		CHECK(p.meaning && p.meaning[0]);
		CHECK(p.why == NULL);
	}
}

TEST(new_session_codes)
{
	CHECK_INTEQ(act(1000), GATEWAY_CLOSE_NEW_SESSION); /* remote 1000: session gone */
	CHECK_INTEQ(act(4003), GATEWAY_CLOSE_NEW_SESSION);
	CHECK_INTEQ(act(4005), GATEWAY_CLOSE_NEW_SESSION);
	CHECK_INTEQ(act(4007), GATEWAY_CLOSE_NEW_SESSION);
	CHECK_INTEQ(act(4009), GATEWAY_CLOSE_NEW_SESSION);
}

TEST(fatal_codes_explain_themselves)
{
	const int codes[] = {4004, 4010, 4011, 4012, 4013, 4014};

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		struct gateway_close_policy p = gateway_policy_close(codes[i]);
		char num[8];

		CHECK_INTEQ(p.action, GATEWAY_CLOSE_FATAL);
		REQUIRE(p.why != NULL);
		CHECK(strlen(p.why) > 40);
		snprintf(num, sizeof(num), "%d", codes[i]);
		CHECK(strstr(p.why, num) != NULL);
	}
	CHECK(strstr(gateway_policy_close(4004).why, "token") != NULL);
	CHECK(strstr(gateway_policy_close(4013).why, "intents") != NULL);
	CHECK(strstr(gateway_policy_close(4014).why, "intent") != NULL);
	CHECK(strstr(gateway_policy_close(4014).why, "Developer Portal") != NULL);
}

TEST(unknown_codes_resume)
{
	const int codes[] = {4006, 4015, 4999, 4100, 1002, 1003, 3000, 65535, -1};

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		struct gateway_close_policy p = gateway_policy_close(codes[i]);

		CHECK_INTEQ(p.action, GATEWAY_CLOSE_RESUME);
		CHECK_INTEQ(p.code, codes[i]);
		CHECK(p.meaning != NULL);
		CHECK(p.why == NULL);
	}
}

TEST(every_4xxx_code_has_a_decision)
{
	int fatal = 0;

	for (int code = 4000; code < 4100; code++) {
		struct gateway_close_policy p = gateway_policy_close(code);

		CHECK(p.meaning != NULL);
		if (p.action == GATEWAY_CLOSE_FATAL) {
			fatal++;
			CHECK(p.why != NULL);
		}
	}
	CHECK_INTEQ(fatal, 6);
	CHECK_STREQ(gateway_policy_action_name(GATEWAY_CLOSE_RESUME), "resume");
	CHECK_STREQ(gateway_policy_action_name(GATEWAY_CLOSE_FATAL), "fatal");
}

TEST(backoff)
{
	CHECK_INTEQ(gateway_policy_backoff_ms(0, 0.5), 1000);
	CHECK_INTEQ(gateway_policy_backoff_ms(1, 0.5), 2000);
	CHECK_INTEQ(gateway_policy_backoff_ms(2, 0.5), 4000);
	CHECK_INTEQ(gateway_policy_backoff_ms(5, 0.5), 32000);
	CHECK_INTEQ(gateway_policy_backoff_ms(6, 0.5), 60000);
	CHECK_INTEQ(gateway_policy_backoff_ms(1000, 0.5), 60000);
	CHECK_INTEQ(gateway_policy_backoff_ms(4000000000u, 0.5), 60000);
	/* ±20 % */
	CHECK_INTEQ(gateway_policy_backoff_ms(0, 0.0), 800);
	CHECK(gateway_policy_backoff_ms(0, 0.9999999) <= 1200);
	CHECK(gateway_policy_backoff_ms(0, 0.9999999) >= 1199);
	CHECK_INTEQ(gateway_policy_backoff_ms(10, 0.0), 48000);
	CHECK(gateway_policy_backoff_ms(10, 0.9999) <= 72000);
	/* Out-of-range random input is clamped. */
	CHECK_INTEQ(gateway_policy_backoff_ms(0, -3.0), 800);
	CHECK(gateway_policy_backoff_ms(0, 7.0) <= 1200);
	/* Monotonic in the attempt number at fixed jitter. */
	for (unsigned a = 0; a < 20; a++)
		CHECK(gateway_policy_backoff_ms(a + 1, 0.3) >= gateway_policy_backoff_ms(a, 0.3));
}

TEST(heartbeat_and_reidentify_jitter)
{
	CHECK_INTEQ(gateway_policy_first_heartbeat_ms(41250, 0.0), 0);
	CHECK_INTEQ(gateway_policy_first_heartbeat_ms(41250, 0.5), 20625);
	CHECK(gateway_policy_first_heartbeat_ms(41250, 0.99999) < 41250);
	CHECK(gateway_policy_first_heartbeat_ms(41250, 1.0) < 41250);
	CHECK_INTEQ(gateway_policy_reidentify_ms(0.0), 1000);
	CHECK_INTEQ(gateway_policy_reidentify_ms(0.5), 3000);
	CHECK(gateway_policy_reidentify_ms(0.99999) <= 5000);
}

int main(void)
{
	RUN(resume_codes);
	RUN(new_session_codes);
	RUN(fatal_codes_explain_themselves);
	RUN(unknown_codes_resume);
	RUN(every_4xxx_code_has_a_decision);
	RUN(backoff);
	RUN(heartbeat_and_reidentify_jitter);
	return test_summary();
}
