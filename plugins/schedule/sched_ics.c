/*
 * iCalendar (RFC 5545) as conferences really publish it: folded lines
 * (folds may split UTF-8 characters, so unfold bytes first), CRLF, LF or
 * stray "\r\r\n", quoted and vCalendar-1.0 parameters, TZID values with
 * or without a VTIMEZONE (resolved through the system tzdata), UTC and
 * floating times, DATE-only values, DURATION instead of DTEND, and
 * escaped TEXT. Speakers come from ATTENDEE/ORGANIZER CN= parameters or
 * "Speaker: ..." lines in DESCRIPTION. Recurrence rules are ignored.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <hallway/text.h>
#include "sched_links.h"
#include "sched_load.h"
#include <hallway/civil.h>

#define ICS_MAX_ZONES 8
#define ICS_PARAMS 16

struct ics_zone {
	char name[64];
	struct hw_tz *tz; /* NULL: not loadable */
};

struct ics_ctx {
	struct sched *s;
	struct sched_hint *h;
	struct ics_zone zones[ICS_MAX_ZONES];
	size_t nzones;
};

struct ics_param {
	const char *name, *value; /* pointers into the (modified) line */
};

struct ics_line {
	char *name, *value;
	struct ics_param params[ICS_PARAMS];
	size_t nparams;
};

/* Unfolds into a new buffer: drops every CR, joins a LF followed by a
 * space or tab to the previous line. */
static char *unfold(const char *buf, size_t len)
{
	char *out = malloc(len + 1);
	size_t o = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		char c = buf[i];
		if (c == '\r' || c == 0)
			continue;
		if (c == '\n') {
			size_t j = i + 1;
			while (j < len && buf[j] == '\r')
				j++;
			if (j < len && (buf[j] == ' ' || buf[j] == '\t')) {
				i = j; /* skip the newline and the one fold space */
				continue;
			}
		}
		out[o++] = c;
	}
	out[o] = 0;
	return out;
}

/* Replaces invalid UTF-8 in place with '?', so every string we keep is
 * valid (Discord and JSON both insist). Returns how many bytes it
 * replaced: 0 for a calendar that is valid once unfolded. */
static size_t utf8_sanitize(char *s)
{
	unsigned char *p = (unsigned char *)s;
	size_t bad = 0;

	while (*p) {
		const unsigned char *q = p;
		if (hw_utf8_next(&q) < 0) {
			*p++ = '?';
			bad++;
			continue;
		}
		p = (unsigned char *)q;
	}
	return bad;
}

/* Splits "NAME;P=V;P=\"q\":VALUE" in place. Returns 0, or -1 if there is
 * no colon (not a content line). */
static int split_line(char *line, struct ics_line *l)
{
	char *p = line;
	int quoted = 0;

	l->name = line;
	l->nparams = 0;
	while (*p && *p != ';' && *p != ':')
		p++;
	if (!*p)
		return -1;
	while (*p == ';') {
		char *eq;
		*p++ = 0;
		eq = p;
		while (*p && *p != '=' && *p != ';' && *p != ':')
			p++;
		if (*p != '=') {
			/* vCalendar 1.0 bare parameter ("QUOTED-PRINTABLE"): skip */
			continue;
		}
		*p++ = 0;
		if (l->nparams < ICS_PARAMS)
			l->params[l->nparams] = (struct ics_param){eq, p};
		quoted = 0;
		while (*p && (quoted || (*p != ';' && *p != ':'))) {
			if (*p == '"')
				quoted = !quoted;
			p++;
		}
		if (l->nparams < ICS_PARAMS) {
			/* Strip the quotes of a quoted value. */
			char *v = (char *)l->params[l->nparams].value;
			if (*v == '"') {
				char *end = p;
				char saved = *end;
				*end = 0;
				size_t n = strlen(v);
				if (n >= 2 && v[n - 1] == '"') {
					v[n - 1] = 0;
					l->params[l->nparams].value = v + 1;
				}
				*end = saved;
			}
			l->nparams++;
		}
	}
	if (*p != ':')
		return -1;
	*p++ = 0;
	l->value = p;
	/* Parameter values were terminated when the next ';' or ':' was
	 * overwritten; a quoted value's closing quote is already gone. */
	return 0;
}

static const char *param(const struct ics_line *l, const char *name)
{
	for (size_t i = 0; i < l->nparams; i++)
		if (!strcasecmp(l->params[i].name, name))
			return l->params[i].value;
	return NULL;
}

/* Unescapes TEXT in place: \\n \\N -> newline, \\, \\; \\\\ -> the char. */
static void unescape(char *s)
{
	char *o = s;

	for (char *p = s; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			*o++ = (*p == 'n' || *p == 'N') ? '\n' : *p;
		} else {
			*o++ = *p;
		}
	}
	*o = 0;
}

/* A zone by TZID, loaded once per file. Non-IANA ids like
 * "/mozilla.org/20050126_1/Europe/Paris" are tried by their tail. */
static const struct hw_tz *zone(struct ics_ctx *x, const char *tzid)
{
	struct hw_tz *tz = NULL;
	const char *tail;

	for (size_t i = 0; i < x->nzones; i++)
		if (!strcmp(x->zones[i].name, tzid))
			return x->zones[i].tz;
	if (hw_tz_load(NULL, tzid, &tz) != SCHED_OK) {
		tz = NULL;
		tail = strrchr(tzid, '/');
		/* Try "Area/City" from the last two path components. */
		if (tail && tail > tzid) {
			const char *area = tail - 1;
			while (area > tzid && area[-1] != '/')
				area--;
			if (hw_tz_load(NULL, area, &tz) != SCHED_OK)
				tz = NULL;
		}
	}
	if (x->nzones < ICS_MAX_ZONES) {
		snprintf(x->zones[x->nzones].name, sizeof(x->zones[0].name), "%s", tzid);
		x->zones[x->nzones++].tz = tz;
		return tz;
	}
	hw_tz_free(tz); /* too many zones: fall back to the calendar's */
	return NULL;
}

/* Reads DTSTART/DTEND. *date_only is set for VALUE=DATE values. */
static int ics_time(struct ics_ctx *x, const struct ics_line *l, int64_t *utc, int *date_only)
{
	const char *tzid = param(l, "TZID");
	const struct hw_tz *tz = NULL;
	int64_t local;
	int32_t off;
	int has_off;

	if (hw_civil_parse(l->value, &local, &has_off, &off, date_only))
		return SCHED_ERR_PARSE;
	if (has_off) {
		*utc = local - off;
		if (!x->h->have_offset) {
			x->h->have_offset = 1;
			x->h->offset = 0;
		}
		return SCHED_OK;
	}
	if (tzid)
		tz = zone(x, tzid);
	if (!tz)
		tz = sched_load_zone(x->s, x->h); /* floating: the calendar's zone */
	*utc = hw_tz_to_utc(tz, local);
	return SCHED_OK;
}

/* "Speaker: A, B and C" lines in a description. */
static int speakers_from_text(struct sched_talk *t, const char *text)
{
	for (const char *p = text; p && *p;) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		size_t skip = !strncasecmp(p, "Speakers:", 9) ? 9 : !strncasecmp(p, "Speaker:", 8) ? 8 : 0;
		if (skip && len < 400) {
			char names[400];
			memcpy(names, p + skip, len - skip);
			names[len - skip] = 0;
			for (char *n = strtok(names, ","); n; n = strtok(NULL, ",")) {
				char *and = strstr(n, " and ");
				if (and) {
					*and = 0;
					if (sched_model_strv_add(&t->speakers, &t->nspeakers, and + 5))
						return SCHED_ERR_NOMEM;
				}
				if (sched_model_strv_add(&t->speakers, &t->nspeakers, n))
					return SCHED_ERR_NOMEM;
			}
		}
		p = eol ? eol + 1 : NULL;
	}
	return SCHED_OK;
}

struct ics_event {
	int have_start, have_end, date_only;
	char organizer[256]; /* ORGANIZER's CN: a speaker when the title names them */
	int64_t dur;
	int have_dur;
};

static int event_prop(struct ics_ctx *x, struct sched_talk *t, struct ics_event *e,
		      struct ics_line *l)
{
	const char *n = l->name;
	int ret = SCHED_OK, date_only = 0;
	int64_t v;

	if (!strcasecmp(n, "DTSTART")) {
		if (ics_time(x, l, &v, &date_only) == SCHED_OK) {
			t->start = v;
			e->have_start = 1;
			e->date_only = date_only;
		}
	} else if (!strcasecmp(n, "DTEND")) {
		if (ics_time(x, l, &v, &date_only) == SCHED_OK) {
			t->end = v;
			e->have_end = 1;
		}
	} else if (!strcasecmp(n, "DURATION")) {
		e->have_dur = hw_civil_duration(l->value, 0, &e->dur) == SCHED_OK;
	} else if (!strcasecmp(n, "STATUS")) {
		if (!strcasecmp(l->value, "CANCELLED") || !strcasecmp(l->value, "CANCELED"))
			t->cancelled = 1;
	} else if (!strcasecmp(n, "ATTACH")) {
		/* An attachment is the recording when its FMTTYPE is video/...;
		 * a binary one (VALUE=BINARY) is never a link. */
		ret = sched_links_offer(t, SCHED_LINK_LISTED, l->value, NULL, NULL,
					param(l, "FMTTYPE"));
	} else if (!strcasecmp(n, "ATTENDEE") || !strcasecmp(n, "ORGANIZER")) {
		const char *cn = param(l, "CN");
		if (cn && !strcasecmp(n, "ATTENDEE"))
			ret = sched_model_strv_add(&t->speakers, &t->nspeakers, cn);
		else if (cn)
			snprintf(e->organizer, sizeof(e->organizer), "%s", cn);
	} else {
		char **dst = NULL;
		unescape(l->value);
		if (!strcasecmp(n, "SUMMARY"))
			dst = &t->title;
		else if (!strcasecmp(n, "LOCATION"))
			dst = &t->room;
		else if (!strcasecmp(n, "DESCRIPTION"))
			dst = &t->abstract;
		else if (!strcasecmp(n, "URL"))
			dst = &t->url;
		else if (!strcasecmp(n, "UID"))
			dst = &t->guid;
		else if (!strcasecmp(n, "CATEGORIES"))
			dst = &t->track;
		if (dst)
			ret = sched_model_set(dst, l->value);
	}
	return ret;
}

/* The " - " before the last part of a title ("Title - Speaker"), or NULL. */
static char *title_dash(const char *title)
{
	const char *p = title, *last = NULL;
	while (p && (p = strstr(p, " - "))) {
		last = p;
		p += 3;
	}
	return (char *)last;
}

/* 1 when the folded texts are equal. */
static int same_name(const char *a, const char *b)
{
	char fa[256], fb[256];
	hw_fold_into(a, fa, sizeof(fa));
	hw_fold_into(b, fb, sizeof(fb));
	return fa[0] && !strcmp(fa, fb);
}

/* pretalx exports "Title - Speaker": split it when the speaker is also an
 * ATTENDEE or the ORGANIZER of the event (issue 16). */
static int split_title_by_people(struct sched *s, struct sched_talk *t, const char *organizer)
{
	char *dash = t->title ? title_dash(t->title) : NULL;
	const char *who;
	int matched = 0;
	if (!dash)
		return SCHED_OK;
	who = dash + 3;
	for (size_t i = 0; i < t->nspeakers && !matched; i++)
		matched = same_name(t->speakers[i], who);
	if (!matched && organizer[0] && same_name(organizer, who)) {
		if (sched_model_strv_add(&t->speakers, &t->nspeakers, organizer))
			return SCHED_ERR_NOMEM;
		matched = 1;
	}
	if (matched) {
		*dash = '\0';
		s->clean.titles_split++;
	}
	return SCHED_OK;
}

/* A name as titles end with: a few words, no digits, no sentence. */
static int looks_like_names(const char *s)
{
	size_t words = 1, n = strlen(s);
	if (!n || n > 80 || strpbrk(s, "0123456789?!:;()[]") || s[n - 1] == '.')
		return 0;
	for (const char *p = s; *p; p++)
		words += *p == ' ';
	return words <= 8;
}

/* The pattern across the file: when most events without speakers end
 * their title with " - Name", the names are the speakers. */
static int split_titles_by_pattern(struct sched *s, size_t from)
{
	size_t events = 0, pattern = 0;
	for (size_t i = from; i < s->ntalks; i++) {
		const struct sched_talk *t = &s->talks[i];
		const char *dash = t->title ? title_dash(t->title) : NULL;
		if (t->nspeakers)
			continue;
		events++;
		pattern += dash && looks_like_names(dash + 3);
	}
	if (pattern < 3 || pattern * 4 < events * 3) /* at least three, and 75% */
		return SCHED_OK;
	for (size_t i = from; i < s->ntalks; i++) {
		struct sched_talk *t = &s->talks[i];
		char *dash = t->title ? title_dash(t->title) : NULL, *p, *save = NULL;
		if (t->nspeakers || !dash || !looks_like_names(dash + 3))
			continue;
		*dash = '\0';
		for (p = strtok_r(dash + 3, ",&", &save); p; p = strtok_r(NULL, ",&", &save)) {
			while (*p == ' ')
				p++;
			if (*p && sched_model_strv_add(&t->speakers, &t->nspeakers, p))
				return SCHED_ERR_NOMEM;
		}
		s->clean.titles_split++;
	}
	return SCHED_OK;
}

static int event_end(struct ics_ctx *x, struct sched_talk *t, struct ics_event *e)
{
	if (!e->have_start) {
		sched_model_drop_last(x->s);
		return SCHED_OK;
	}
	if (!e->have_end)
		t->end = t->start + (e->have_dur ? e->dur : e->date_only ? 86400 : 0);
	if (!t->nspeakers && t->abstract && speakers_from_text(t, t->abstract))
		return SCHED_ERR_NOMEM;
	if (split_title_by_people(x->s, t, e->organizer))
		return SCHED_ERR_NOMEM;
	if (t->guid && sched_model_set(&t->id, t->guid))
		return SCHED_ERR_NOMEM;
	if (!t->id && sched_load_id(t, "ics", t->title))
		return SCHED_ERR_NOMEM;
	return SCHED_OK;
}

static int parse(struct ics_ctx *x, char *text)
{
	struct sched_talk *t = NULL;
	struct ics_event e = {0};
	int in_cal = 0, depth = 0, ret = SCHED_OK;
	char *line = text;

	while (line && ret == SCHED_OK) {
		char *next = strchr(line, '\n');
		struct ics_line l;
		if (next)
			*next++ = 0;
		if (split_line(line, &l)) {
			line = next;
			continue;
		}
		if (!strcasecmp(l.name, "BEGIN")) {
			if (!strcasecmp(l.value, "VCALENDAR"))
				in_cal = 1;
			else if (t)
				depth++; /* VALARM inside VEVENT */
			else if (!strcasecmp(l.value, "VEVENT")) {
				t = sched_model_add(x->s);
				if (!t)
					return SCHED_ERR_NOMEM;
				memset(&e, 0, sizeof(e));
				depth = 0;
			}
		} else if (!strcasecmp(l.name, "END")) {
			if (t && depth)
				depth--;
			else if (t && !strcasecmp(l.value, "VEVENT")) {
				ret = event_end(x, t, &e);
				t = NULL;
			}
		} else if (t && !depth) {
			ret = event_prop(x, t, &e, &l);
		} else if (!t && in_cal) {
			if (!strcasecmp(l.name, "X-WR-TIMEZONE") && !x->s->tz_name && !x->s->tz)
				ret = sched_model_set(&x->s->tz_name, l.value);
			else if (!strcasecmp(l.name, "X-WR-CALNAME") ||
				 (!strcasecmp(l.name, "X-WR-CALDESC") && !x->s->name)) {
				unescape(l.value);
				ret = sched_model_set(&x->s->name, l.value);
			}
		}
		line = next;
	}
	if (ret == SCHED_OK && t) /* truncated inside an event: keep what we have */
		ret = event_end(x, t, &e);
	if (ret == SCHED_OK && !in_cal) {
		sched_load_fail(x->h, "iCalendar: no BEGIN:VCALENDAR");
		return SCHED_ERR_FORMAT;
	}
	return ret;
}

int sched_ics_load(const char *buf, size_t len, struct sched *s, struct sched_hint *h)
{
	struct ics_ctx x = {.s = s, .h = h};
	char *text = unfold(buf, len);
	size_t first = s->ntalks; /* this file's events (a bundle has several) */
	int ret;

	if (!text)
		return SCHED_ERR_NOMEM;
	s->bad_utf8 += utf8_sanitize(text);
	ret = parse(&x, text);
	if (ret == SCHED_OK)
		ret = split_titles_by_pattern(s, first);
	/* A calendar zone the loader guessed from TZIDs: when nothing else
	 * names one, the first TZID is the conference's zone. */
	if (ret == SCHED_OK && !s->tz_name && x.nzones && x.zones[0].tz)
		ret = sched_model_set(&s->tz_name, x.zones[0].name);
	for (size_t i = 0; i < x.nzones; i++)
		hw_tz_free(x.zones[i].tz);
	free(text);
	return ret;
}
