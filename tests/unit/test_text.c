/* The shared helpers in lib/ (issue 13): one table per reading. */
#include <stdlib.h>
#include <string.h>

#include <hallway/text.h>
#include <hallway/when.h>

#include <hallway/buf.h>

#include "testlib.h"

TEST(fold_table)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{"Café Lounge ☕", "cafe lounge ☕"},
		{"Envelope ✉️", "envelope ✉"},
		{"ПИТОН Спринт", "питон спринт"},
		{"Ωmega", "ωmega"},
		{"Straße Łódź Øre Æsir Þing", "strasse lodz ore aesir thing"},
		{"ﬁle №5", "file no5"},
		{"İstanbul", "istanbul"},
		{"a\xE2\x80\x8B" "b", "ab"},
		{"  --Hello,   World!!  ", "hello world"},
		{"\xFF\xFEok", "ok"},
		{"", ""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *f = hw_fold(cases[i].in);
		CHECK_STREQ(f, cases[i].want);
		free(f);
	}
}

TEST(distance)
{
	CHECK_INTEQ(hw_distance("tiem", 4, "time", 4), 1);
	CHECK_INTEQ(hw_distance("питн", strlen("питн"), "питон", strlen("питон")), 1);
	CHECK_INTEQ(hw_distance("", 0, "abc", 3), 3);
	CHECK_INTEQ(hw_distance_capped("kitten", "sitting", 1), 2);
}

TEST(when_table)
{
	static const struct {
		const char *word;
		int weekday, relative;
		int clock; /* seconds, or -1 */
	} cases[] = {
		{"saturday", 6, HW_WHEN_NOT_RELATIVE, -1},
		{"Sat", 6, HW_WHEN_NOT_RELATIVE, -1},
		{"samedi", 6, HW_WHEN_NOT_RELATIVE, -1},
		{"VENDREDI", 5, HW_WHEN_NOT_RELATIVE, -1},
		{"Samstag", 6, HW_WHEN_NOT_RELATIVE, -1},
		{"donnerstag", 4, HW_WHEN_NOT_RELATIVE, -1},
		{"morgen", -1, 1, -1},
		{"gestern", -1, -1, -1},
		{"thurs", 4, HW_WHEN_NOT_RELATIVE, -1},
		{"tues", 2, HW_WHEN_NOT_RELATIVE, -1},
		{"today", -1, 0, -1},
		{"Tomorrow", -1, 1, -1},
		{"demain", -1, 1, -1},
		{"hier", -1, -1, -1},
		{"noon", -1, HW_WHEN_NOT_RELATIVE, 12 * 3600},
		{"midnight", -1, HW_WHEN_NOT_RELATIVE, 0},
		{"2pm", -1, HW_WHEN_NOT_RELATIVE, 14 * 3600},
		{"2:30PM", -1, HW_WHEN_NOT_RELATIVE, 14 * 3600 + 1800},
		{"12am", -1, HW_WHEN_NOT_RELATIVE, 0},
		{"12pm", -1, HW_WHEN_NOT_RELATIVE, 12 * 3600},
		{"14:30", -1, HW_WHEN_NOT_RELATIVE, 14 * 3600 + 1800},
		{"14h30", -1, HW_WHEN_NOT_RELATIVE, 14 * 3600 + 1800},
		{"9h", -1, HW_WHEN_NOT_RELATIVE, 9 * 3600},
		{"14:30:15", -1, HW_WHEN_NOT_RELATIVE, 14 * 3600 + 1815},
		{"25:00", -1, HW_WHEN_NOT_RELATIVE, -1},
		{"13pm", -1, HW_WHEN_NOT_RELATIVE, -1},
		{"2", -1, HW_WHEN_NOT_RELATIVE, -1},
		{"someday", -1, HW_WHEN_NOT_RELATIVE, -1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int wd = hw_when_weekday(cases[i].word), rel = hw_when_relative_day(cases[i].word);
		int32_t clk = hw_when_clock(cases[i].word);
		if (wd != cases[i].weekday || rel != cases[i].relative || clk != cases[i].clock)
			fprintf(stderr, "  \"%s\": weekday %d relative %d clock %d\n", cases[i].word, wd,
				rel, (int)clk);
		CHECK_INTEQ(wd, cases[i].weekday);
		CHECK_INTEQ(rel, cases[i].relative);
		CHECK_INTEQ(clk, cases[i].clock);
	}
	CHECK_INTEQ(hw_when_clock2("2", "pm"), 14 * 3600);
	CHECK_INTEQ(hw_when_clock2("2pm", "pm"), -1);
}

TEST(fmt_cuts_on_a_character)
{
	char buf[6];
	/* "é" is two bytes: 4 + 2 would need 6 + NUL. */
	CHECK_INTEQ(hw_fmt(buf, sizeof(buf), "%s", "abcdé"), 4);
	CHECK_STREQ(buf, "abcd");
	CHECK_INTEQ(hw_fmt(buf, sizeof(buf), "%s", "abcé"), 5);
	CHECK_STREQ(buf, "abcé");
	CHECK_INTEQ(hw_fmt(buf, sizeof(buf), "%s-%d", "ab", 7), 4);
	CHECK_STREQ(buf, "ab-7");
}

/* lib/url.c: the one link check (settings, reply models, HTTP requests). */
TEST(url_is_http)
{
	static const char *const good[] = {"https://fosdem.org/2025/", "http://127.0.0.1:8080/x?y=1",
					   "https://pretalx.com/ev/talk/ABC#z"};
	static const char *const bad[] = {"", "ftp://x", "https://", "https:///path", "https://:80",
					  "https://a b", "https://a\tb", "https://a<b", "https://a\"b",
					  "javascript:alert(1)", "HTTPS://upper.example", "https://a\x7f"};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK(hw_url_is_http(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(!hw_url_is_http(bad[i]));
	CHECK(!hw_url_is_http(NULL));
}

/* lib/buf.c: hw_buf_addf grows past its stack copy; the cap is sticky. */
TEST(buf_addf)
{
	hw_buf b;
	char big[600];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	hw_buf_init(&b, 0);
	hw_buf_addf(&b, "%d talks in %s", 26, "Janson");
	CHECK_STREQ(hw_buf_str(&b), "26 talks in Janson");
	hw_buf_addf(&b, "[%s]", big);
	REQUIRE(hw_buf_str(&b) != NULL);
	CHECK(strlen(hw_buf_str(&b)) == strlen("26 talks in Janson") + 2 + sizeof(big) - 1);
	hw_buf_free(&b);
	hw_buf_init(&b, 10);
	hw_buf_addf(&b, "%s", "0123456789A");
	CHECK(hw_buf_str(&b) == NULL);
	hw_buf_addf(&b, "%s", "a");
	CHECK(hw_buf_str(&b) == NULL);
	hw_buf_free(&b);
}

int main(void)
{
	RUN(buf_addf);
	RUN(url_is_http);
	RUN(fold_table);
	RUN(distance);
	RUN(when_table);
	RUN(fmt_cuts_on_a_character);
	return test_summary();
}
