/*
 * Reply building and talk formatting.
 */
#include "sched_render.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/civil.h>

#define RENDER_TITLE_MAX 200
#define RENDER_NAME_MAX 120

static const char *const wday_names[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

void sched_reply_free(struct sched_reply *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->msgs[i]);
	free(r->msgs);
	r->msgs = NULL;
	r->n = 0;
}

/* Length of the longest prefix of s (<= max bytes) ending on a UTF-8
 * character boundary. */
static size_t utf8_cut(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

int sched_reply_add(struct sched_reply *r, const char *block)
{
	size_t blen = utf8_cut(block, SCHED_RENDER_MSG_MAX);
	char *cur = r->n ? r->msgs[r->n - 1] : NULL;
	size_t clen = cur ? strlen(cur) : 0;

	if (cur && clen + 1 + blen <= SCHED_RENDER_MSG_MAX) {
		char *n = realloc(cur, clen + 1 + blen + 1);
		if (!n)
			return SCHED_ERR_NOMEM;
		n[clen] = '\n';
		memcpy(n + clen + 1, block, blen);
		n[clen + 1 + blen] = 0;
		r->msgs[r->n - 1] = n;
		return SCHED_OK;
	}
	if (r->max_msgs && r->n >= r->max_msgs) {
		r->dropped++;
		return SCHED_OK;
	}
	char **v = realloc(r->msgs, (r->n + 1) * sizeof(*v));
	if (!v)
		return SCHED_ERR_NOMEM;
	r->msgs = v;
	v[r->n] = malloc(blen + 1);
	if (!v[r->n])
		return SCHED_ERR_NOMEM;
	memcpy(v[r->n], block, blen);
	v[r->n][blen] = 0;
	r->n++;
	return SCHED_OK;
}

int sched_reply_addf(struct sched_reply *r, const char *fmt, ...)
{
	char buf[SCHED_RENDER_MSG_MAX + 1];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return sched_reply_add(r, buf);
}

void sched_render_escape(const char *text, char *buf, size_t len, size_t max)
{
	const char *p = text ? text : "";
	size_t o = 0, cut;

	if (!len)
		return;
	if (max > len - 1)
		max = len - 1;
	cut = utf8_cut(p, max > 4 ? max - 4 : max);
	for (size_t i = 0; p[i] && o + 5 < len; i++) {
		char c = p[i];
		if (i >= cut) {
			memcpy(buf + o, "\xE2\x80\xA6", 3); /* an ellipsis */
			o += 3;
			break;
		}
		if (c == '\r' || c == '\n' || c == '\t') {
			buf[o++] = ' ';
			continue;
		}
		/* Escape what Markdown or Discord would act on; a leading "-"
		 * or "#" would make a list or a heading. */
		if (strchr("\\*_~`|>[]<", c) || ((c == '-' || c == '#') && o == 0))
			buf[o++] = '\\';
		buf[o++] = c;
		if (c == '@') {
			/* A zero-width space after @ defuses @everyone/@here. */
			memcpy(buf + o, "\xE2\x80\x8B", 3);
			o += 3;
		}
	}
	buf[o] = 0;
}

void sched_render_local(const struct sched *s, int64_t utc, char *buf, size_t len)
{
	struct hw_civil c;

	hw_civil_split(hw_tz_to_local(s->tz, utc), &c);
	snprintf(buf, len, "%s %02d:%02d", wday_names[c.wday], c.hour, c.min);
}

void sched_render_span(const struct sched *s, const struct sched_talk *t, char *buf, size_t len)
{
	char a[32];
	struct hw_civil c;

	sched_render_local(s, t->start, a, sizeof(a));
	if (t->end > t->start) {
		hw_civil_split(hw_tz_to_local(s->tz, t->end), &c);
		snprintf(buf, len, "%s\xE2\x80\x93%02d:%02d (%s)", a, c.hour, c.min,
			 hw_tz_name(s->tz));
	} else {
		snprintf(buf, len, "%s (%s)", a, hw_tz_name(s->tz));
	}
}

/* "Alice, Bob and 3 more", escaped. */
static void speakers_text(const struct sched_talk *t, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = 0;
	for (size_t i = 0; i < t->nspeakers && o + 1 < len; i++) {
		char name[RENDER_NAME_MAX * 4 + 8];
		if (i == 3) {
			snprintf(buf + o, len - o, " and %zu more", t->nspeakers - 3);
			return;
		}
		sched_render_escape(t->speakers[i], name, sizeof(name), RENDER_NAME_MAX);
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "", name);
	}
}

int sched_render_talk(const struct sched *s, const struct sched_talk *t, struct sched_reply *r)
{
	char title[RENDER_TITLE_MAX * 4 + 8], room[RENDER_NAME_MAX * 4 + 8], span[96];
	char people[1600], url[512] = "";

	sched_render_escape(t->title, title, sizeof(title), RENDER_TITLE_MAX);
	sched_render_escape(t->room ? t->room : "no room", room, sizeof(room), RENDER_NAME_MAX);
	sched_render_span(s, t, span, sizeof(span));
	speakers_text(t, people, sizeof(people));
	if (t->url && strlen(t->url) < 400 && !strpbrk(t->url, " <>\n"))
		snprintf(url, sizeof(url), "\n<%s>", t->url);
	return sched_reply_addf(r, "%s%s%s%s \xC2\xB7 %s\n<t:%lld:t> (<t:%lld:R>) \xC2\xB7 %s%s%s%s",
				t->cancelled ? "~~" : "**", title, t->cancelled ? "~~" : "**",
				t->cancelled ? " **CANCELLED**" : "", room, (long long)t->start,
				(long long)t->start, span, people[0] ? " \xC2\xB7 " : "", people,
				url);
}

int sched_render_line(const struct sched *s, const struct sched_talk *t, struct sched_reply *r)
{
	char title[RENDER_TITLE_MAX * 4 + 8], room[RENDER_NAME_MAX * 4 + 8], people[1600];
	struct hw_civil c;

	hw_civil_split(hw_tz_to_local(s->tz, t->start), &c);
	sched_render_escape(t->title, title, sizeof(title), 120);
	sched_render_escape(t->room ? t->room : "no room", room, sizeof(room), 60);
	speakers_text(t, people, sizeof(people));
	return sched_reply_addf(r, "`%02d:%02d` <t:%lld:t> %s%s%s%s \xC2\xB7 %s%s%s", c.hour, c.min,
				(long long)t->start, t->cancelled ? "~~" : "**", title,
				t->cancelled ? "~~" : "**", t->cancelled ? " (cancelled)" : "",
				room, people[0] ? " \xC2\xB7 " : "", people);
}
