/* Chat text helpers (see rec_fmt.h). */
#include "rec_fmt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/civil.h>
#include <hallway/tz.h>

static const char *const wdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static void civil(const struct hw_tz *tz, int64_t t, struct hw_civil *c)
{
	hw_civil_split(tz ? hw_tz_to_local(tz, t) : t, c);
}

void rec_fmt_when(const struct hw_tz *tz, int64_t t, char *buf, size_t len)
{
	struct hw_civil c;

	civil(tz, t, &c);
	snprintf(buf, len, "%s %d %s %02d:%02d", wdays[c.wday % 7], c.day,
		 months[(c.mon + 11) % 12], c.hour, c.min);
}

void rec_fmt_span(const struct hw_tz *tz, int64_t start, int64_t end, char *buf,
		  size_t len)
{
	struct hw_civil c;
	size_t n;

	rec_fmt_when(tz, start, buf, len);
	if (end <= start)
		return;
	civil(tz, end, &c);
	n = strlen(buf);
	if (n < len)
		snprintf(buf + n, len - n, "–%02d:%02d", c.hour, c.min);
}

int64_t rec_fmt_day(const struct hw_tz *tz, int64_t t)
{
	int64_t l = tz ? hw_tz_to_local(tz, t) : t;

	return l >= 0 ? l / 86400 : -((-l + 86399) / 86400);
}

void rec_fmt_cut(const char *s, char *buf, size_t len)
{
	size_t n = s ? strlen(s) : 0;

	if (!len)
		return;
	if (n >= len) {
		n = len - 1;
		while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	if (n)
		memcpy(buf, s, n);
	buf[n] = 0;
}

void rec_out_add(struct rec_out *o, const char *fmt, ...)
{
	va_list ap;
	int need;

	if (o->oom)
		return;
	va_start(ap, fmt);
	need = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (need < 0) {
		o->oom = 1;
		return;
	}
	if (o->n + (size_t)need + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 256;
		char *q;
		while (o->n + (size_t)need + 1 > cap)
			cap *= 2;
		if (!(q = realloc(o->p, cap))) {
			o->oom = 1;
			return;
		}
		o->p = q;
		o->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(o->p + o->n, (size_t)need + 1, fmt, ap);
	va_end(ap);
	o->n += (size_t)need;
}

void rec_out_free(struct rec_out *o)
{
	free(o->p);
	o->p = NULL;
	o->n = o->cap = 0;
}
