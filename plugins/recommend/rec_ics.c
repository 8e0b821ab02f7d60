/* iCalendar output of the agenda (see rec_ics.h). */
#include "rec_ics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rec_index.h"
#include <hallway/civil.h>

#define ICS_LINE_OCTETS 75

struct buf {
	char *p;
	size_t n, cap;
	int oom;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		char *q;
		while (b->n + n + 1 > cap)
			cap *= 2;
		if (!(q = realloc(b->p, cap))) {
			b->oom = 1;
			return;
		}
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
}

/* Escapes a TEXT value into a new string (NULL on out of memory). */
static char *escape(const char *s)
{
	size_t n = 0;
	char *out, *o;

	for (const char *p = s; *p; p++)
		n += (*p == '\\' || *p == ';' || *p == ',' || *p == '\n') ? 2 : 1;
	if (!(out = malloc(n + 1)))
		return NULL;
	for (o = out; *s; s++) {
		if (*s == '\r')
			continue; /* "\r\n" becomes one escaped newline */
		if (*s == '\n') {
			*o++ = '\\';
			*o++ = 'n';
			continue;
		}
		if (*s == '\\' || *s == ';' || *s == ',')
			*o++ = '\\';
		*o++ = *s;
	}
	*o = 0;
	return out;
}

/* Writes "NAME:value" folded at 75 octets, never inside a UTF-8
 * sequence, each continuation starting with one space. */
static void line(struct buf *b, const char *name, const char *value)
{
	size_t nlen = strlen(name), vlen = strlen(value), used, i = 0;
	char *whole = malloc(nlen + vlen + 2);

	if (!whole) {
		b->oom = 1;
		return;
	}
	memcpy(whole, name, nlen);
	whole[nlen] = ':';
	memcpy(whole + nlen + 1, value, vlen + 1);
	vlen += nlen + 1;
	used = 0;
	while (i < vlen) {
		size_t room = ICS_LINE_OCTETS - used, take = vlen - i;
		if (take > room) {
			take = room;
			while (take && ((unsigned char)whole[i + take] & 0xC0) == 0x80)
				take--;
		}
		put(b, whole + i, take);
		i += take;
		if (i < vlen) {
			put(b, "\r\n ", 3);
			used = 1;
		}
	}
	put(b, "\r\n", 2);
	free(whole);
}

static void text_line(struct buf *b, const char *name, const char *value)
{
	char *e = escape(value);
	if (!e) {
		b->oom = 1;
		return;
	}
	line(b, name, e);
	free(e);
}

static void utc(char *out, size_t len, int64_t t)
{
	struct hw_civil c;
	hw_civil_split(t, &c);
	snprintf(out, len, "%04d%02d%02dT%02d%02d%02dZ", c.year, c.mon, c.day, c.hour, c.min,
		 c.sec);
}

int rec_ics_build(const struct rec_star *stars, size_t n, const char *name, int64_t dtstamp,
		  char **out, size_t *len)
{
	struct buf b = {0};
	char stamp[32], t[32];

	utc(stamp, sizeof(stamp), dtstamp);
	put(&b, "BEGIN:VCALENDAR\r\n", 17);
	line(&b, "VERSION", "2.0");
	line(&b, "PRODID", "-//hallway//recommend//EN");
	line(&b, "CALSCALE", "GREGORIAN");
	line(&b, "METHOD", "PUBLISH");
	if (name)
		text_line(&b, "X-WR-CALNAME", name);
	for (size_t i = 0; i < n; i++) {
		const struct rec_star *s = &stars[i];
		size_t ulen = strlen(s->talk_id) + 32;
		char *uid = malloc(ulen);

		if (!uid) {
			b.oom = 1;
			break;
		}
		/* A UID stable across exports: the talk id, made a TEXT value. */
		snprintf(uid, ulen, "%s@recommend.hallway", s->talk_id);
		line(&b, "BEGIN", "VEVENT");
		text_line(&b, "UID", uid);
		free(uid);
		line(&b, "DTSTAMP", stamp);
		utc(t, sizeof(t), s->start);
		line(&b, "DTSTART", t);
		utc(t, sizeof(t), s->end > s->start ? s->end : s->start);
		line(&b, "DTEND", t);
		text_line(&b, "SUMMARY", s->title);
		if (s->room)
			text_line(&b, "LOCATION", s->room);
		if (s->cancelled)
			line(&b, "STATUS", "CANCELLED");
		line(&b, "END", "VEVENT");
	}
	line(&b, "END", "VCALENDAR");
	if (b.oom) {
		free(b.p);
		return REC_ERR_NOMEM;
	}
	*out = b.p;
	*len = b.n;
	return REC_OK;
}
