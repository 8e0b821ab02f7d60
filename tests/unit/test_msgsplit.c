/* Unit tests for bot/rest/msgsplit.c: parts, boundaries, sanitising. */
#include "msgsplit.h"
#include "testlib.h"

#include <stdint.h>

#define MAXP 64

struct parts {
	size_t n;
	size_t off[MAXP], len[MAXP];
};

static void split(const char *s, size_t len, size_t max, struct parts *p)
{
	size_t pos = 0;
	p->n = 0;
	while (p->n < MAXP && msgsplit_next(s, len, max, &pos, &p->off[p->n], &p->len[p->n]))
		p->n++;
}

static int valid_utf8(const char *s, size_t n)
{
	char *c;
	size_t cl;
	c = msgsplit_sanitize(s, n, &cl);
	int ok = c && cl == n && !memcmp(c, s, n);
	free(c);
	return ok;
}

/* Every part is valid UTF-8 of at most max code points. */
static void check_parts(const char *s, size_t len, size_t max, const struct parts *p)
{
	for (size_t i = 0; i < p->n; i++) {
		CHECK(p->off[i] + p->len[i] <= len);
		CHECK(msgsplit_count(s + p->off[i], p->len[i]) <= max);
		CHECK(p->len[i] > 0);
		CHECK(valid_utf8(s + p->off[i], p->len[i]));
		if (i)
			CHECK(p->off[i] >= p->off[i - 1] + p->len[i - 1]);
	}
}

TEST(empty)
{
	struct parts p;
	split("", 0, 2000, &p);
	CHECK_INTEQ(p.n, 0);
	split("  \n\r\n ", 6, 2000, &p);
	CHECK_INTEQ(p.n, 0);
}

TEST(short_text_one_part)
{
	struct parts p;
	const char *s = "hello\nworld";
	split(s, strlen(s), 2000, &p);
	REQUIRE(p.n == 1);
	CHECK_INTEQ(p.off[0], 0);
	CHECK_INTEQ(p.len[0], strlen(s));
}

TEST(exactly_max)
{
	char s[2001];
	memset(s, 'a', 2000);
	s[2000] = 0;
	struct parts p;
	split(s, 2000, 2000, &p);
	REQUIRE(p.n == 1);
	CHECK_INTEQ(p.len[0], 2000);
	/* One more character: a hard cut at 2000, then 1. */
	char t[2002];
	memset(t, 'a', 2001);
	split(t, 2001, 2000, &p);
	REQUIRE(p.n == 2);
	CHECK_INTEQ(p.len[0], 2000);
	CHECK_INTEQ(p.len[1], 1);
}

TEST(line_boundaries)
{
	/* Lines of 9 chars + '\n'; max 25 fits two lines plus part of a third. */
	const char *s = "aaaaaaaaa\nbbbbbbbbb\nccccccccc\nddddddddd\n";
	struct parts p;
	split(s, strlen(s), 25, &p);
	REQUIRE(p.n == 2);
	CHECK(p.len[0] == 19 && !memcmp(s + p.off[0], "aaaaaaaaa\nbbbbbbbbb", 19));
	CHECK(p.len[1] == 20 && !memcmp(s + p.off[1], "ccccccccc\nddddddddd\n", 20));
	check_parts(s, strlen(s), 25, &p);
}

TEST(newline_right_after_limit)
{
	/* The break right after max characters is used, not an earlier one. */
	const char *s = "ab\ncdefghij\nklm";
	struct parts p;
	split(s, strlen(s), 11, &p);
	REQUIRE(p.n == 2);
	CHECK(p.len[0] == 11 && !memcmp(s, "ab\ncdefghij", 11));
	CHECK(p.len[1] == 3 && !memcmp(s + p.off[1], "klm", 3));
}

TEST(crlf)
{
	const char *s = "aaaa\r\nbbbb\r\ncccc";
	struct parts p;
	split(s, strlen(s), 8, &p);
	REQUIRE(p.n == 3);
	CHECK(p.len[0] == 4 && !memcmp(s + p.off[0], "aaaa", 4));
	CHECK(p.len[1] == 4 && !memcmp(s + p.off[1], "bbbb", 4));
	CHECK(p.len[2] == 4 && !memcmp(s + p.off[2], "cccc", 4));
	/* CR exactly at the limit: it and the LF are dropped together. */
	split(s, strlen(s), 4, &p);
	REQUIRE(p.n == 3);
	CHECK(p.len[1] == 4 && !memcmp(s + p.off[1], "bbbb", 4));
}

TEST(word_boundaries)
{
	const char *s = "the quick brown fox jumps";
	struct parts p;
	split(s, strlen(s), 12, &p);
	REQUIRE(p.n == 3);
	CHECK(p.len[0] == 9 && !memcmp(s + p.off[0], "the quick", 9));
	CHECK(p.len[1] == 9 && !memcmp(s + p.off[1], "brown fox", 9));
	CHECK(p.len[2] == 5 && !memcmp(s + p.off[2], "jumps", 5));
}

TEST(long_single_line)
{
	/* 5000 characters, no spaces: 2000 + 2000 + 1000, order kept. */
	char *s = malloc(5000);
	REQUIRE(s);
	for (int i = 0; i < 5000; i++)
		s[i] = (char)('a' + i % 26);
	struct parts p;
	split(s, 5000, 2000, &p);
	REQUIRE(p.n == 3);
	CHECK_INTEQ(p.len[0], 2000);
	CHECK_INTEQ(p.len[1], 2000);
	CHECK_INTEQ(p.len[2], 1000);
	CHECK_INTEQ(p.off[1], 2000);
	CHECK_INTEQ(p.off[2], 4000);
	free(s);
}

TEST(multibyte_counts_code_points)
{
	/* 2000 x "é" (2 bytes each) is one part: 4000 bytes, 2000 chars. */
	size_t n = 2000 * 2;
	char *s = malloc(n + 4);
	REQUIRE(s);
	for (size_t i = 0; i < 2000; i++)
		memcpy(s + 2 * i, "\xc3\xa9", 2);
	struct parts p;
	split(s, n, 2000, &p);
	REQUIRE(p.n == 1);
	CHECK_INTEQ(p.len[0], n);
	/* Plus one 4-byte emoji: the cut falls before it, not inside. */
	memcpy(s + n, "\xf0\x9f\x98\x80", 4);
	split(s, n + 4, 2000, &p);
	REQUIRE(p.n == 2);
	CHECK_INTEQ(p.len[0], n);
	CHECK_INTEQ(p.len[1], 4);
	check_parts(s, n + 4, 2000, &p);
	free(s);
}

TEST(emoji_at_boundary)
{
	/* 1999 ASCII then emoji: 2000 chars fit exactly; then "x". */
	char s[1999 + 4 + 1];
	memset(s, 'a', 1999);
	memcpy(s + 1999, "\xf0\x9f\x98\x80", 4);
	s[2003] = 'x';
	struct parts p;
	split(s, sizeof(s), 2000, &p);
	REQUIRE(p.n == 2);
	CHECK_INTEQ(p.len[0], 2003);
	CHECK_INTEQ(p.len[1], 1);
	check_parts(s, sizeof(s), 2000, &p);
	/* Emoji straddling: 1998 ASCII + emoji + emoji: each cut on a boundary. */
	char t[1998 + 8];
	memset(t, 'b', 1998);
	memcpy(t + 1998, "\xf0\x9f\x98\x80\xf0\x9f\x98\x81", 8);
	split(t, sizeof(t), 1999, &p);
	REQUIRE(p.n == 2);
	CHECK_INTEQ(p.len[0], 2002);
	CHECK_INTEQ(p.len[1], 4);
	check_parts(t, sizeof(t), 1999, &p);
}

TEST(cluster_kept_together)
{
	/* "x" + thumbs-up + skin tone modifier; cutting at 2 would strand the
	 * modifier, so the cut moves back before the emoji. */
	const char *s = "x\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbdyz";
	struct parts p;
	split(s, strlen(s), 2, &p);
	REQUIRE(p.n >= 2);
	CHECK_INTEQ(p.len[0], 1);
	CHECK(!memcmp(s + p.off[1], "\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd", 8));
	check_parts(s, strlen(s), 2, &p);
	/* A flag (two regional indicators) is not split in half. */
	const char *f = "ab\xf0\x9f\x87\xab\xf0\x9f\x87\xb7";
	split(f, strlen(f), 3, &p);
	REQUIRE(p.n == 2);
	CHECK_INTEQ(p.len[0], 2);
	CHECK_INTEQ(p.len[1], 8);
}

TEST(order_and_content_preserved)
{
	/* Reassembling parts with the dropped separators gives the text back. */
	char s[6000];
	size_t n = 0;
	for (int i = 0; n < sizeof(s) - 40; i++)
		n += (size_t)snprintf(s + n, sizeof(s) - n, "line %d \xc3\xa9\xe2\x82\xac word%s", i,
				      i % 7 ? " " : "\n");
	struct parts p;
	split(s, n, 2000, &p);
	REQUIRE(p.n >= 3);
	check_parts(s, n, 2000, &p);
	size_t prev_end = 0;
	for (size_t i = 0; i < p.n; i++) {
		/* Between parts only separators were dropped. */
		for (size_t k = prev_end; k < p.off[i]; k++)
			CHECK(s[k] == ' ' || s[k] == '\n');
		CHECK(p.off[i] - prev_end <= 1 || i == 0);
		prev_end = p.off[i] + p.len[i];
	}
	CHECK_INTEQ(prev_end, n);
}

TEST(sanitize)
{
	size_t n;
	char in[] = {'a', 0, 'b', 1, '\t', '\n', '\r', 0x7f, (char)0xff, 'c', (char)0xc3};
	char *s = msgsplit_sanitize(in, sizeof(in), &n);
	REQUIRE(s);
	CHECK_INTEQ(n, 5 + 3 + 1 + 3);
	CHECK(!memcmp(s, "ab\t\n\r\xef\xbf\xbd" "c\xef\xbf\xbd", n));
	free(s);
	/* Overlong and surrogate encodings are invalid. */
	s = msgsplit_sanitize("\xc0\xaf\xed\xa0\x80", 5, &n);
	REQUIRE(s);
	CHECK(valid_utf8(s, n));
	CHECK(!memchr(s, 0xc0, n));
	free(s);
	s = msgsplit_sanitize("\xe2\x82\xac\xf0\x9f\x98\x80", 7, &n);
	REQUIRE(s);
	CHECK_INTEQ(n, 7);
	CHECK_INTEQ(msgsplit_count(s, n), 2);
	free(s);
}

/* ---- markup-aware parts ---- */

struct mparts {
	size_t n;
	char *text[MAXP * 4]; /* head + bytes + tail, NUL-terminated */
};

static void msplit(const char *s, size_t len, size_t max, struct mparts *p)
{
	struct msgsplit ms;
	struct msgsplit_part part;
	p->n = 0;
	msgsplit_init(&ms, s, len, max);
	while (p->n < MAXP * 4 && msgsplit_part(&ms, &part)) {
		char *m = malloc(part.len + 2 * MSGSPLIT_MARKS);
		if (!m)
			break;
		msgsplit_part_copy(&ms, &part, m);
		p->text[p->n++] = m;
	}
}

static void mparts_free(struct mparts *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->text[i]);
	p->n = 0;
}

static size_t count_str(const char *s, const char *needle)
{
	size_t n = 0, l = strlen(needle);
	for (const char *q = strstr(s, needle); q; q = strstr(q + l, needle))
		n++;
	return n;
}

/* Every part: within max, valid UTF-8, "**" and "~~" and "`" balanced,
 * no "<" without its ">". */
static void check_mparts(const struct mparts *p, size_t max)
{
	for (size_t i = 0; i < p->n; i++) {
		const char *m = p->text[i];
		size_t n = strlen(m);
		CHECK(msgsplit_count(m, n) <= max);
		CHECK(valid_utf8(m, n));
		CHECK(count_str(m, "**") % 2 == 0);
		CHECK(count_str(m, "~~") % 2 == 0);
		CHECK(count_str(m, "`") % 2 == 0);
		CHECK(count_str(m, "<") == count_str(m, ">"));
	}
}

TEST(markup_plain_text_like_next)
{
	/* Without markup, parts are msgsplit_next's. */
	char s[6000];
	size_t n = 0;
	for (int i = 0; n < sizeof(s) - 40; i++)
		n += (size_t)snprintf(s + n, sizeof(s) - n, "line %d \xc3\xa9\xe2\x82\xac word%s", i,
				      i % 7 ? " " : "\n");
	struct parts p;
	struct mparts m;
	split(s, n, 2000, &p);
	msplit(s, n, 2000, &m);
	REQUIRE(p.n == m.n);
	for (size_t i = 0; i < p.n; i++)
		CHECK(strlen(m.text[i]) == p.len[i] && !memcmp(m.text[i], s + p.off[i], p.len[i]));
	mparts_free(&m);
}

TEST(markup_agenda_clash_lines)
{
	/* The agenda of issue 15: each line lists every clashing talk in bold,
	 * far longer than one message. No part may cut a ** span. */
	size_t cap = 200000, n = 0;
	char *s = malloc(cap);
	REQUIRE(s);
	for (int i = 0; i < 12; i++) {
		n += (size_t)snprintf(s + n, cap - n, "\xe2\x80\xa2 Sat 1 Feb 11:%02d <t:17384%05d:t> "
				      "\xc2\xb7 Talk %d\n   \xe2\x9a\xa0\xef\xb8\x8f clashes with ",
				      i, i, i);
		for (int j = 0; j < 60; j++)
			n += (size_t)snprintf(s + n, cap - n, "%s**Caf\xc3\xa9 talk number %d of %d**",
					      j ? ", " : "", j, i);
		s[n++] = '\n';
	}
	struct mparts m;
	msplit(s, n, 2000, &m);
	REQUIRE(m.n >= 12);
	check_mparts(&m, 2000);
	/* Cuts fell between spans, not inside: no part opens with a reopened ** .*/
	for (size_t i = 0; i < m.n; i++)
		CHECK(strncmp(m.text[i], "****", 4) != 0);
	mparts_free(&m);
	free(s);
}

TEST(markup_reopened_in_long_span)
{
	/* One bold span of 300 words: parts close it and open it again. */
	char s[4000];
	size_t n = 0;
	n += (size_t)snprintf(s + n, sizeof(s) - n, "intro **");
	for (int i = 0; i < 300; i++)
		n += (size_t)snprintf(s + n, sizeof(s) - n, "%sw%d", i ? " " : "", i);
	n += (size_t)snprintf(s + n, sizeof(s) - n, "** outro");
	struct mparts m;
	msplit(s, n, 100, &m);
	REQUIRE(m.n >= 10);
	check_mparts(&m, 100);
	for (size_t i = 1; i + 1 < m.n; i++) {
		CHECK(!strncmp(m.text[i], "**", 2));
		CHECK(!strcmp(m.text[i] + strlen(m.text[i]) - 2, "**"));
	}
	CHECK(!strcmp(m.text[m.n - 1] + strlen(m.text[m.n - 1]) - 6, " outro"));
	mparts_free(&m);
}

TEST(markup_nested_and_code)
{
	/* Bold with italic inside, code with stars inside (literal there). */
	char s[4000];
	size_t n = 0;
	n += (size_t)snprintf(s + n, sizeof(s) - n, "**bold *it");
	for (int i = 0; i < 80; i++)
		n += (size_t)snprintf(s + n, sizeof(s) - n, " x%d", i);
	n += (size_t)snprintf(s + n, sizeof(s) - n, "* end** `a*b");
	for (int i = 0; i < 80; i++)
		n += (size_t)snprintf(s + n, sizeof(s) - n, " y%d", i);
	n += (size_t)snprintf(s + n, sizeof(s) - n, "` done");
	struct mparts m;
	msplit(s, n, 64, &m);
	REQUIRE(m.n >= 5);
	check_mparts(&m, 64);
	/* Italic reopened inside bold, closed in the other order. */
	CHECK(!strncmp(m.text[1], "***", 3));
	for (size_t i = 0; i < m.n; i++) {
		const char *code = strchr(m.text[i], '`');
		if (code && strstr(m.text[i], " y"))
			CHECK(count_str(code, "*") == 0 || strstr(code, "a*b"));
	}
	mparts_free(&m);
}

TEST(markup_angle_and_escape)
{
	/* <...> spans and escaped markers are never cut; an odd marker is text. */
	char s[4000];
	size_t n = 0;
	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(s + n, sizeof(s) - n, "<t:17953%05d:R><https://e.org/%d>\\*",
				      i, i);
	n += (size_t)snprintf(s + n, sizeof(s) - n, " 5 ** 3");
	struct mparts m;
	msplit(s, n, 40, &m);
	REQUIRE(m.n >= 10);
	for (size_t i = 0; i < m.n; i++) {
		const char *t = m.text[i];
		size_t l = strlen(t);
		CHECK(msgsplit_count(t, l) <= 40);
		CHECK(count_str(t, "<") == count_str(t, ">"));
		CHECK(t[l - 1] != '\\');
	}
	/* The lone "**" at the end is text: no marker is added for it. */
	{
		size_t stars = 0;
		for (size_t i = 0; i < m.n; i++)
			stars += count_str(m.text[i], "**");
		CHECK_INTEQ(stars, 1);
		CHECK(strstr(m.text[m.n - 1], "** 3") != NULL);
	}
	mparts_free(&m);
}

TEST(markup_utf8_and_tiny_max)
{
	/* Multi-byte text in bold with no spaces: cut on code points, balanced. */
	char s[3000];
	size_t n = 0;
	n += (size_t)snprintf(s + n, sizeof(s) - n, "**");
	for (int i = 0; i < 500; i++)
		n += (size_t)snprintf(s + n, sizeof(s) - n, "\xe2\x82\xac");
	n += (size_t)snprintf(s + n, sizeof(s) - n, "**");
	struct mparts m;
	msplit(s, n, 50, &m);
	REQUIRE(m.n >= 11);
	check_mparts(&m, 50);
	mparts_free(&m);
	/* Below 32 characters markup is not tracked, but parts still progress. */
	msplit(s, n, 3, &m);
	REQUIRE(m.n > 100);
	for (size_t i = 0; i < m.n; i++)
		CHECK(msgsplit_count(m.text[i], strlen(m.text[i])) <= 3);
	mparts_free(&m);
}

TEST(fit_bounds_parts)
{
	/* 300 lines of 100 characters: 3 parts of 2000 hold ~58 lines and a
	 * notice of 120 characters. */
	size_t cap = 40000, n = 0;
	char *s = malloc(cap), tail[MSGSPLIT_MARKS];
	REQUIRE(s);
	for (int i = 0; i < 300; i++) {
		n += (size_t)snprintf(s + n, cap - n, "%03d **", i);
		memset(s + n, 'a', 91);
		n += 91;
		memcpy(s + n, "**\n", 3);
		n += 3;
	}
	size_t keep = msgsplit_fit(s, n, 2000, 3, 120, tail);
	CHECK(keep < n);
	CHECK(keep > 5000);
	CHECK(s[keep] == '\n');
	CHECK_STREQ(tail, "");
	/* The kept text and the notice split into 3 parts. */
	char *t = malloc(keep + 200);
	REQUIRE(t);
	memcpy(t, s, keep);
	t[keep] = '\n';
	memset(t + keep + 1, 'n', 120);
	struct mparts m;
	msplit(t, keep + 121, 2000, &m);
	CHECK_INTEQ(m.n, 3);
	check_mparts(&m, 2000);
	mparts_free(&m);
	free(t);
	/* Inside one long bold span the tail closes it. */
	n = 0;
	memcpy(s, "**", 2);
	n = 2;
	for (int i = 0; i < 2000; i++) {
		memcpy(s + n, "word ", 5);
		n += 5;
	}
	memcpy(s + n, "**", 2);
	n += 2;
	keep = msgsplit_fit(s, n, 2000, 2, 100, tail);
	CHECK(keep < n);
	CHECK_STREQ(tail, "**");
	/* Everything fits: len back. */
	CHECK_INTEQ(msgsplit_fit("short", 5, 2000, 1, 100, tail), 5);
	CHECK_INTEQ(msgsplit_fit(s, n, 2000, 10, 100, tail), n);
	free(s);
}

int main(void)
{
	RUN(empty);
	RUN(short_text_one_part);
	RUN(exactly_max);
	RUN(line_boundaries);
	RUN(newline_right_after_limit);
	RUN(crlf);
	RUN(word_boundaries);
	RUN(long_single_line);
	RUN(multibyte_counts_code_points);
	RUN(emoji_at_boundary);
	RUN(cluster_kept_together);
	RUN(order_and_content_preserved);
	RUN(sanitize);
	RUN(markup_plain_text_like_next);
	RUN(markup_agenda_clash_lines);
	RUN(markup_reopened_in_long_span);
	RUN(markup_nested_and_code);
	RUN(markup_angle_and_escape);
	RUN(markup_utf8_and_tiny_max);
	RUN(fit_bounds_parts);
	return test_summary();
}
