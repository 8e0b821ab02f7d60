/* The console's drawing of Discord markup (bot/console/console_text.c, issue 16). */
#include <stdlib.h>
#include <string.h>

#include <hallway/tz.h>

#include "console_text.h"
#include "testlib.h"

static struct hw_tz *brussels;

static void check(const char *in, const char *want, int64_t now_ms)
{
	char *out = console_text_render(in, brussels, now_ms);
	CHECK_STREQ(out, want);
	free(out);
}

TEST(spans_lose_their_marks)
{
	check("**Main Hall**: __now__ ~~moved~~ `code` ||spoiler||", "Main Hall: now moved code spoiler",
	      0);
	check("a \\*literal\\* star", "a *literal* star", 0);
	check("```\nblock **kept**\n```", "\nblock **kept**\n", 0);
	check("2 * 3 * 4", "2 * 3 * 4", 0);
	check("", "", 0);
}

TEST(tokens)
{
	/* 1795684500 is Thu 26 Nov 2026 10:15 in Brussels (09:15 UTC). */
	int64_t now = 1795684500LL * 1000 - 25 * 60000;
	check("<t:1795684500:t> (<t:1795684500:R>)", "10:15 (in 25 min)", now);
	check("<t:1795684500:R>", "25 min ago", now + 50 * 60000);
	check("<t:1795684500:F>", "Thu 26 Nov 10:15", now);
	check("<t:1795684500:D>", "Thu 26 Nov 2026", now);
	check("<https://example.org/a?b=1>", "https://example.org/a?b=1", now);
	check("<#100000000000000001> <@42> <@!43> <@&44>",
	      "#channel 100000000000000001 @user 42 @user 43 @role 44", now);
	/* Not tokens: left as typed. */
	check("a <b> <t:x> <t:1:> 1 < 2", "a <b> <t:x> <t:1:> 1 < 2", now);
	check("<https://unclosed", "<https://unclosed", now);
}

int main(void)
{
	if (hw_tz_load(NULL, "Europe/Brussels", &brussels))
		return 1;
	RUN(spans_lose_their_marks);
	RUN(tokens);
	hw_tz_free(brussels);
	return test_summary();
}
