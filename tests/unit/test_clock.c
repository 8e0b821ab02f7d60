/*
 * clock: ISO-8601 parsing against instants computed independently with
 * GNU date (`date -u -d '2026-11-26T09:30:00+01:00' +%s`), and the
 * virtual/real time mapping through the *_at functions, which take the
 * monotonic instant as an argument so no test sleeps.
 */
#include "clock.h"
#include "testlib.h"

#include <stdint.h>

struct good {
	const char *in;
	int64_t ms;
};

TEST(parse_good)
{
	static const struct good cases[] = {
		{"2026-11-26T09:30:00+01:00", 1795681800000},
		{"2026-11-26T08:30:00Z", 1795681800000},
		{"2026-11-26 09:30:00+0100", 1795681800000},
		{"2026-11-26t08:30:00z", 1795681800000},
		{"2026-11-26T09:30+01:00", 1795681800000},   /* seconds omitted */
		{"2026-11-26T09:30:00.250+01:00", 1795681800250},
		{"2026-11-26T09:30:00.5Z", 1795685400500},
		{"2026-11-26T09:30:00.999999999Z", 1795685400999}, /* truncated */
		{"2026-11-26T09:30:00.0012Z", 1795685400001},
		{"1970-01-01T00:00:00Z", 0},
		{"1970-01-01T00:30:00+01:00", -1800000},
		{"2024-02-29T23:59:59-05:30", 1709270999000}, /* leap day */
		{"2000-03-01T00:00:00+14:00", 951818400000},
		{"2026-06-15T12:00:00-0700", 1781550000000},
		{"2100-02-28T12:34:56Z", 4107501296000},
		{"9999-12-31T23:59:59Z", 253402300799000},
		{"2026-11-26T09:30:00-00:00", 1795685400000},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t ms = -42;
		int rc = clock_parse_iso8601(cases[i].in, &ms);
		if (rc != 0 || ms != cases[i].ms)
			fprintf(stderr, "  input %s\n", cases[i].in);
		CHECK_INTEQ(rc, 0);
		CHECK_INTEQ(ms, cases[i].ms);
	}
}

TEST(parse_bad)
{
	static const char *const cases[] = {
		"",
		"2026-11-26T09:30:00",        /* no offset: names no instant */
		"2026-11-26",                 /* date only */
		"2026-11-26T09:30:00+01:00 ", /* trailing junk */
		"2026-11-26T09:30:00Zjunk",
		" 2026-11-26T09:30:00Z",      /* leading junk */
		"2026-13-01T00:00:00Z",       /* month */
		"2026-00-01T00:00:00Z",
		"2026-02-29T00:00:00Z",       /* not a leap year */
		"2100-02-29T00:00:00Z",       /* century, not leap */
		"2026-04-31T00:00:00Z",
		"2026-11-00T00:00:00Z",
		"2026-11-26T24:00:00Z",       /* hour */
		"2026-11-26T09:60:00Z",       /* minute */
		"2026-11-26T09:30:60Z",       /* leap second refused */
		"2026-11-26T09:30:00+24:00",  /* offset hour */
		"2026-11-26T09:30:00+01:60",  /* offset minute */
		"2026-11-26T09:30:00+1",
		"2026-11-26T09:30:00+01:0",
		"2026-11-26T09:30:00+01:000",
		"2026-11-26T09:30:00.Z",      /* empty fraction */
		"2026-11-26T09:30:00.1234567890Z", /* 10 fraction digits */
		"2026-11-26X09:30:00Z",
		"2026-11-26T9:30:00Z",
		"26-11-26T09:30:00Z",
		"1969-12-31T23:59:59Z",       /* before 1970 */
		"+2026-11-26T09:30:00Z",
		"20261126T093000Z",           /* basic format not supported */
		"2026-11-26T09:30:0aZ",
		"2026-1a-26T09:30:00Z",
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t ms = 12345;
		int rc = clock_parse_iso8601(cases[i], &ms);
		if (rc != -1)
			fprintf(stderr, "  accepted %s\n", cases[i]);
		CHECK_INTEQ(rc, -1);
		CHECK_INTEQ(ms, 12345); /* untouched on failure */
	}
	CHECK_INTEQ(clock_parse_iso8601(NULL, &(int64_t){0}), -1);
}

TEST(days_from_civil)
{
	CHECK_INTEQ(clock_days_from_civil(1970, 1, 1), 0);
	CHECK_INTEQ(clock_days_from_civil(1969, 12, 31), -1);
	CHECK_INTEQ(clock_days_from_civil(2000, 3, 1), 11017);   /* date -d 2000-03-01 */
	CHECK_INTEQ(clock_days_from_civil(2026, 11, 26), 20783); /* 1795651200 / 86400 */
	CHECK_INTEQ(clock_days_from_civil(1600, 1, 1), -135140);
}

TEST(init)
{
	struct clock c = {0};
	int64_t before = clock_real_ms();

	CHECK_INTEQ(clock_init(&c, NULL, 0), 0);
	CHECK(c.speed == 1);
	CHECK_INTEQ(c.fixed, 0);
	CHECK(c.start_virtual_ms >= before && c.start_virtual_ms <= clock_real_ms());
	CHECK(clock_now_ms(&c) >= c.start_virtual_ms);

	CHECK_INTEQ(clock_init(&c, NULL, -3), 0);
	CHECK(c.speed == 1);
	CHECK_INTEQ(c.fixed, 0);

	CHECK_INTEQ(clock_init(&c, NULL, 60), 0);
	CHECK(c.speed == 60);
	CHECK_INTEQ(c.fixed, 1);

	CHECK_INTEQ(clock_init(&c, "2026-11-26T09:30:00+01:00", 1), 0);
	CHECK_INTEQ(c.start_virtual_ms, 1795681800000);
	CHECK_INTEQ(c.fixed, 1);
	CHECK(clock_now_ms(&c) >= 1795681800000 && clock_now_ms(&c) < 1795681800000 + 60000);

	c.start_virtual_ms = 7;
	CHECK_INTEQ(clock_init(&c, "yesterday", 1), -1);
	CHECK_INTEQ(c.start_virtual_ms, 7); /* untouched on failure */
}

TEST(speed_60)
{
	struct clock c = {.start_virtual_ms = 1795681800000, .start_mono_ms = 5000, .speed = 60,
			  .fixed = 1};
	int64_t t0 = 5000 * 1000; /* the start instant in monotonic µs */

	/* One real second is a virtual minute... */
	CHECK_INTEQ(clock_now_ms_at(&c, t0), 1795681800000);
	CHECK_INTEQ(clock_now_ms_at(&c, t0 + 1000000), 1795681800000 + 60000);
	CHECK_INTEQ(clock_now_ms_at(&c, t0 + 1), 1795681800000); /* 60 µs virtual */
	CHECK_INTEQ(clock_now_ms_at(&c, t0 + 17), 1795681800001); /* 1.02 ms */
	/* ...so a virtual minute ahead is one real second away. */
	CHECK_INTEQ(clock_real_delay_us_at(&c, 1795681800000 + 60000, t0), 1000000);
	CHECK_INTEQ(clock_real_delay_us_at(&c, 1795681800000 + 3600000, t0), 60000000);
	CHECK_INTEQ(clock_real_delay_us_at(&c, 1795681800000 + 60000, t0 + 250000), 750000);
	CHECK_INTEQ(clock_real_delay_us_at(&c, 1795681800000 + 60000, t0 + 1000000), 0);
	CHECK_INTEQ(clock_real_delay_us_at(&c, 1795681800000 + 60000, t0 + 2000000), 0);
	/* The wall-clock variant agrees within the time this test takes. */
	c.start_mono_ms = clock_mono_ms();
	{
		int64_t d = clock_real_delay_us(&c, c.start_virtual_ms + 60000);
		CHECK(d <= 1000000 && d > 900000);
	}
}

TEST(delay_rounding)
{
	struct clock c = {.start_virtual_ms = 1000, .start_mono_ms = 0, .speed = 60};

	/* 1 virtual ms at speed 60 is 16.67 real µs: rounded up to 17 so a
	 * timer never wakes before its instant. */
	CHECK_INTEQ(clock_real_delay_us_at(&c, 1001, 0), 17);
	CHECK_INTEQ(clock_real_delay_us_at(&c, 1003, 0), 50); /* exactly 50 */
	CHECK_INTEQ(clock_real_delay_us_at(&c, 1000, 0), 0);
	CHECK_INTEQ(clock_real_delay_us_at(&c, 999, 0), 0);   /* past: now */
	c.speed = 3;
	CHECK_INTEQ(clock_real_delay_us_at(&c, 1001, 0), 334); /* 333.3 */
	CHECK_INTEQ(clock_real_delay_us_at(&c, 1003, 0), 1000);
	c.speed = 0.5; /* slow motion */
	CHECK_INTEQ(clock_real_delay_us_at(&c, 1001, 0), 2000);
	c.speed = 1;
	CHECK_INTEQ(clock_real_delay_us_at(&c, 1001, 0), 1000);
	CHECK_INTEQ(clock_real_delay_us_at(&c, 1001, 999), 1);
	CHECK_INTEQ(clock_real_delay_us_at(&c, 1001, 1000), 0);
	/* Far future does not overflow. */
	CHECK(clock_real_delay_us_at(&c, INT64_MAX / 2, 0) > 0);
}

TEST(mono_and_real)
{
	int64_t a = clock_mono_ms(), b = clock_mono_ms();
	CHECK(b >= a);
	CHECK(clock_real_ms() > 1700000000000); /* after 2023 */
}

int main(void)
{
	RUN(parse_good);
	RUN(parse_bad);
	RUN(days_from_civil);
	RUN(init);
	RUN(speed_60);
	RUN(delay_rounding);
	RUN(mono_and_real);
	return test_summary();
}
