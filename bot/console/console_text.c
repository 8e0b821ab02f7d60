/*
 * The console's reading of Discord markup (console_text.h). A small
 * scanner of our own: the markup plugins emit is a handful of spans and
 * angle-bracket tokens, not CommonMark, and no Debian library renders
 * Discord's dialect.
 */
#include "console_text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/buf.h>
#include <hallway/civil.h>
#include <hallway/tz.h>
#include <hallway/when.h>

/* The drawing goes into the shared capped buffer (include/hallway/buf.h). */
static void put(hw_buf *o, const char *p, size_t n)
{
	hw_buf_addn(o, p, n);
}

static void puts_(hw_buf *o, const char *s)
{
	hw_buf_add(o, s);
}

/* "in 25 min", "5 min ago", "in 2 h", "in 3 days". */
static void relative(char *buf, size_t n, int64_t delta_s)
{
	int64_t a = delta_s < 0 ? -delta_s : delta_s;
	char amount[32];
	if (a < 60)
		snprintf(amount, sizeof(amount), "%s", "less than a minute");
	else if (a < 3600)
		snprintf(amount, sizeof(amount), "%lld min", (long long)(a / 60));
	else if (a < 2 * 86400)
		snprintf(amount, sizeof(amount), "%lld h %02lld min", (long long)(a / 3600),
			 (long long)(a % 3600 / 60));
	else
		snprintf(amount, sizeof(amount), "%lld days", (long long)(a / 86400));
	if (a < 60)
		snprintf(buf, n, "%s", delta_s >= 0 ? "now" : "just now");
	else
		snprintf(buf, n, delta_s >= 0 ? "in %s" : "%s ago", amount);
}

/* <t:UNIX[:STYLE]> at p (after "<t:"); returns the bytes consumed from
 * p up to and including '>', or 0 when it is not a timestamp token. */
static size_t timestamp(hw_buf *o, const char *p, const struct hw_tz *tz, int64_t now_ms)
{
	char *end, buf[96];
	long long t = strtoll(p, &end, 10);
	char style = 'f';
	struct hw_civil c;
	if (end == p || (*end != '>' && *end != ':'))
		return 0;
	if (*end == ':') {
		style = end[1];
		if (!style || end[2] != '>')
			return 0;
		end += 2;
	}
	hw_civil_split(hw_tz_to_local(tz, (int64_t)t), &c);
	switch (style) {
	case 't':
		snprintf(buf, sizeof(buf), "%02d:%02d", c.hour, c.min);
		break;
	case 'T':
		snprintf(buf, sizeof(buf), "%02d:%02d:%02d", c.hour, c.min, c.sec);
		break;
	case 'd':
	case 'D':
		snprintf(buf, sizeof(buf), "%s %d %s %d", hw_when_wday_abbr(c.wday), c.day,
			 hw_when_month_abbr(c.mon), c.year);
		break;
	case 'R':
		relative(buf, sizeof(buf), (int64_t)t - now_ms / 1000);
		break;
	default:
		snprintf(buf, sizeof(buf), "%s %d %s %02d:%02d", hw_when_wday_abbr(c.wday), c.day,
			 hw_when_month_abbr(c.mon), c.hour, c.min);
		break;
	}
	puts_(o, buf);
	return (size_t)(end - p) + 1;
}

/* <https://…>, <#id>, <@id>, <@&id>, <t:…>: returns bytes consumed at p
 * (which points at '<'), or 0 to copy '<' as it is. */
static size_t angle(hw_buf *o, const char *p, const struct hw_tz *tz, int64_t now_ms)
{
	const char *close = strchr(p, '>');
	size_t n;
	if (!close || (strchr(p, '\n') && strchr(p, '\n') < close))
		return 0;
	n = (size_t)(close - p);
	if (!strncmp(p, "<t:", 3)) {
		size_t k = timestamp(o, p + 3, tz, now_ms);
		return k ? k + 3 : 0;
	}
	if (!strncmp(p, "<http://", 8) || !strncmp(p, "<https://", 9)) {
		put(o, p + 1, n - 1);
		return n + 1;
	}
	if (!strncmp(p, "<#", 2) && n > 2 && strspn(p + 2, "0123456789") == n - 2) {
		puts_(o, "#channel ");
		put(o, p + 2, n - 2);
		return n + 1;
	}
	if (!strncmp(p, "<@&", 3) && n > 3 && strspn(p + 3, "0123456789") == n - 3) {
		puts_(o, "@role ");
		put(o, p + 3, n - 3);
		return n + 1;
	}
	if (!strncmp(p, "<@", 2) && n > 2) {
		const char *id = p + 2 + (p[2] == '!');
		size_t k = (size_t)(close - id);
		if (k && strspn(id, "0123456789") == k) {
			puts_(o, "@user ");
			put(o, id, k);
			return n + 1;
		}
	}
	return 0;
}

char *console_text_render(const char *markup, const struct hw_tz *tz, int64_t now_ms)
{
	hw_buf o;
	const char *p = markup ? markup : "";
	int in_code = 0;

	hw_buf_init(&o, 0);
	while (*p && !o.failed) {
		size_t k;
		if (*p == '`') {
			/* Code spans and fences: the marks go, the text stays as is. */
			size_t ticks = p[1] == '`' && p[2] == '`' ? 3 : 1;
			in_code = !in_code;
			p += ticks;
			continue;
		}
		if (in_code) {
			put(&o, p++, 1);
			continue;
		}
		if ((p[0] == '*' && p[1] == '*') || (p[0] == '_' && p[1] == '_') ||
		    (p[0] == '~' && p[1] == '~') || (p[0] == '|' && p[1] == '|')) {
			p += 2;
			continue;
		}
		if (*p == '\\' && p[1] && strchr("*_~`|<>\\", p[1])) {
			put(&o, p + 1, 1);
			p += 2;
			continue;
		}
		if (*p == '<' && (k = angle(&o, p, tz, now_ms))) {
			p += k;
			continue;
		}
		put(&o, p++, 1);
	}
	if (o.failed) {
		hw_buf_free(&o);
		return NULL;
	}
	/* The buffer's text is the caller's now ("" when nothing was drawn). */
	return o.data ? o.data : strdup("");
}
