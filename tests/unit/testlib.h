/*
 * A tiny unit-test harness (after libuv's task.h): CHECK records a failure
 * and goes on, REQUIRE stops the test. main() returns the failure count.
 *
 *   TEST(name) { CHECK(1 + 1 == 2); CHECK_STREQ(a, "x"); }
 *   int main(void) { RUN(name); return test_summary(); }
 */
#ifndef HALLWAY_TESTLIB_H
#define HALLWAY_TESTLIB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int testlib_failures;
static int testlib_checks;

#define TEST(name) static void test_##name(void)

#define CHECK(cond)                                                              \
	do {                                                                     \
		testlib_checks++;                                                \
		if (!(cond)) {                                                   \
			testlib_failures++;                                      \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__,   \
				__LINE__, #cond);                                \
		}                                                                \
	} while (0)

#define REQUIRE(cond)                                                            \
	do {                                                                     \
		testlib_checks++;                                                \
		if (!(cond)) {                                                   \
			testlib_failures++;                                      \
			fprintf(stderr, "%s:%d: REQUIRE failed: %s\n", __FILE__, \
				__LINE__, #cond);                                \
			return;                                                  \
		}                                                                \
	} while (0)

#define CHECK_STREQ(a, b)                                                        \
	do {                                                                     \
		const char *testlib_a = (a), *testlib_b = (b);                   \
		testlib_checks++;                                                \
		if (!testlib_a || !testlib_b || strcmp(testlib_a, testlib_b)) {  \
			testlib_failures++;                                      \
			fprintf(stderr, "%s:%d: CHECK_STREQ failed: %s = \"%s\", " \
				"expected \"%s\"\n", __FILE__, __LINE__, #a,      \
				testlib_a ? testlib_a : "(null)",                \
				testlib_b ? testlib_b : "(null)");               \
		}                                                                \
	} while (0)

#define CHECK_INTEQ(a, b)                                                        \
	do {                                                                     \
		long long testlib_a = (long long)(a), testlib_b = (long long)(b); \
		testlib_checks++;                                                \
		if (testlib_a != testlib_b) {                                    \
			testlib_failures++;                                      \
			fprintf(stderr, "%s:%d: CHECK_INTEQ failed: %s = %lld, "  \
				"expected %lld\n", __FILE__, __LINE__, #a,       \
				testlib_a, testlib_b);                           \
		}                                                                \
	} while (0)

#define RUN(name)                                                                \
	do {                                                                     \
		int testlib_before = testlib_failures;                           \
		test_##name();                                                   \
		fprintf(stderr, "%-40s %s\n", #name,                             \
			testlib_failures == testlib_before ? "ok" : "FAILED");   \
	} while (0)

static inline int test_summary(void)
{
	fprintf(stderr, "%d checks, %d failures\n", testlib_checks, testlib_failures);
	return testlib_failures ? 1 : 0;
}

/* Path of a file under ../shared/data (HALLWAY_SHARED_DATA), into buf. */
static inline const char *test_shared_path(char *buf, size_t len, const char *rel)
{
	const char *base = getenv("HALLWAY_SHARED_DATA");
	snprintf(buf, len, "%s/%s", base ? base : "../shared/data", rel);
	return buf;
}

#endif
