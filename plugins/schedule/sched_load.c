/*
 * Format detection, the loader dispatch and helpers shared by loaders.
 */
#include "sched_load.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sched_bundle.h"
#include <hallway/civil.h>

#define LOAD_JSON_DEPTH 6

static const char *const format_names[] = {
	[SCHED_FMT_AUTO] = "auto",
	[SCHED_FMT_FRAB_JSON] = "frab",
	[SCHED_FMT_PRETALX_API] = "pretalx-api",
	[SCHED_FMT_PYCON] = "pycon",
	[SCHED_FMT_XML] = "xml",
	[SCHED_FMT_ICS] = "ics",
	[SCHED_FMT_EUROPYTHON] = "europython",
};

const char *sched_load_format_name(enum sched_format f)
{
	if ((size_t)f < sizeof(format_names) / sizeof(*format_names))
		return format_names[f];
	return "?";
}

int sched_load_format_parse(const char *name, enum sched_format *out)
{
	static const struct {
		const char *alias;
		enum sched_format f;
	} aliases[] = {
		{"schedule.json", SCHED_FMT_FRAB_JSON}, {"pretalx", SCHED_FMT_FRAB_JSON},
		{"json", SCHED_FMT_FRAB_JSON},          {"pretalx_api", SCHED_FMT_PRETALX_API},
		{"conference.json", SCHED_FMT_PYCON},   {"pentabarf", SCHED_FMT_XML},
		{"schedule.xml", SCHED_FMT_XML},        {"ical", SCHED_FMT_ICS},
		{"icalendar", SCHED_FMT_ICS},           {"europython-days", SCHED_FMT_EUROPYTHON},
		{"days", SCHED_FMT_EUROPYTHON},
	};

	if (!name || !*name) {
		*out = SCHED_FMT_AUTO;
		return SCHED_OK;
	}
	for (size_t i = 0; i < sizeof(format_names) / sizeof(*format_names); i++)
		if (!strcasecmp(name, format_names[i])) {
			*out = (enum sched_format)i;
			return SCHED_OK;
		}
	for (size_t i = 0; i < sizeof(aliases) / sizeof(*aliases); i++)
		if (!strcasecmp(name, aliases[i].alias)) {
			*out = aliases[i].f;
			return SCHED_OK;
		}
	return SCHED_ERR_FORMAT;
}

/* Skips a UTF-8 BOM and leading white space. */
static const char *skip_lead(const char *buf, size_t len, size_t *rest)
{
	const char *p = buf, *e = buf + len;

	if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
		p += 3;
	while (p < e && isspace((unsigned char)*p))
		p++;
	*rest = (size_t)(e - p);
	return p;
}

/* Does any object within depth levels have a "slots" array and a code? */
static int has_submission(const json_t *v, int depth)
{
	const char *key;
	json_t *val;
	size_t i;

	if (depth < 0)
		return 0;
	if (json_is_object(v)) {
		if (json_is_array(json_object_get(v, "slots")) && json_object_get(v, "code"))
			return 1;
		json_object_foreach((json_t *)v, key, val)
			if (has_submission(val, depth - 1))
				return 1;
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, val) {
			if (i >= 8)
				break;
			if (has_submission(val, depth - 1))
				return 1;
		}
	}
	return 0;
}

/* EuroPython days: {events: [{..., event_type: "session"|"break"}]}. */
static int has_event_type(const json_t *root)
{
	json_t *events = json_object_get(root, "events"), *ev;
	size_t i;

	json_array_foreach(events, i, ev) {
		if (i >= 8)
			break;
		if (json_is_string(json_object_get(ev, "event_type")))
			return 1;
	}
	return 0;
}

static enum sched_format detect_json(const json_t *root)
{
	json_t *sch = json_object_get(root, "schedule");

	if (json_is_object(sch) && json_is_object(json_object_get(sch, "conference")))
		return SCHED_FMT_FRAB_JSON;
	if (json_is_array(sch))
		return SCHED_FMT_PYCON;
	if (json_is_array(root)) {
		json_t *first = json_array_get(root, 0);
		if (json_object_get(first, "conf_key") || json_object_get(first, "kind"))
			return SCHED_FMT_PYCON;
	}
	if (has_event_type(root))
		return SCHED_FMT_EUROPYTHON;
	if (has_submission(root, LOAD_JSON_DEPTH))
		return SCHED_FMT_PRETALX_API;
	return SCHED_FMT_AUTO;
}

static enum sched_format detect_bytes(const char *buf, size_t len)
{
	size_t rest;
	const char *p = skip_lead(buf, len, &rest);

	if (rest >= 15 && !strncasecmp(p, "BEGIN:VCALENDAR", 15))
		return SCHED_FMT_ICS;
	if (rest && *p == '<')
		return SCHED_FMT_XML;
	if (rest && (*p == '{' || *p == '['))
		return SCHED_FMT_FRAB_JSON; /* some JSON; refined after parsing */
	return SCHED_FMT_AUTO;
}

enum sched_format sched_load_detect(const char *buf, size_t len)
{
	enum sched_format f;
	struct sched_bundle_part part;
	size_t pos = 0;
	json_t *root;

	if (sched_bundle_is(buf, len)) {
		if (sched_bundle_next(buf, len, &pos, &part) != 1)
			return SCHED_FMT_AUTO;
		buf = part.data;
		len = part.len;
	}
	f = detect_bytes(buf, len);

	if (f != SCHED_FMT_FRAB_JSON)
		return f;
	root = json_loadb(buf, len, 0, NULL);
	f = root ? detect_json(root) : SCHED_FMT_AUTO;
	json_decref(root);
	return f;
}

void sched_load_fail(struct sched_hint *h, const char *fmt, ...)
{
	va_list ap;

	if (!h->err || !h->errlen || h->err[0])
		return; /* keep the first, most specific reason */
	va_start(ap, fmt);
	vsnprintf(h->err, h->errlen, fmt, ap);
	va_end(ap);
}

const struct hw_tz *sched_load_zone(struct sched *s, struct sched_hint *h)
{
	if (s->tz)
		return s->tz;
	if (s->tz_name && hw_tz_load(NULL, s->tz_name, &s->tz) == SCHED_OK)
		return s->tz;
	if (h->cfg_tz && hw_tz_load(NULL, h->cfg_tz, &s->tz) == SCHED_OK) {
		if (sched_model_set(&s->tz_name, h->cfg_tz))
			return s->tz; /* out of memory: the name is cosmetic */
		return s->tz;
	}
	return NULL;
}

int sched_load_instant(const char *iso, struct sched *s, struct sched_hint *h, int64_t *utc)
{
	int64_t local;
	int32_t off;
	int has_off;

	if (!iso || hw_civil_parse(iso, &local, &has_off, &off, NULL))
		return SCHED_ERR_PARSE;
	if (has_off) {
		if (!h->have_offset) {
			h->have_offset = 1;
			h->offset = off;
		}
		*utc = local - off;
		return SCHED_OK;
	}
	*utc = hw_tz_to_utc(sched_load_zone(s, h), local);
	return SCHED_OK;
}

static int word_at(const char *t, const char *w)
{
	size_t n = strlen(w);

	return !strncasecmp(t, w, n) && !isalpha((unsigned char)t[n]);
}

/* Removes every occurrence of tag (e.g. "<s>") from str in place. */
static int strip_tag(char *str, const char *tag)
{
	size_t n = strlen(tag);
	int found = 0;

	for (char *p = str; *p;) {
		if (!strncasecmp(p, tag, n)) {
			memmove(p, p + n, strlen(p + n) + 1);
			found = 1;
		} else {
			p++;
		}
	}
	return found;
}

int sched_load_cancel_marks(struct sched_talk *t)
{
	if (!t->title)
		return SCHED_OK;
	if (word_at(t->title, "cancelled") || word_at(t->title, "canceled")) {
		/* "CANCELLED: Title" -> "Title", flagged: rendering says so. */
		char *rest = t->title + (tolower((unsigned char)t->title[7]) == 'e' ? 9 : 8);
		while (*rest == ' ' || *rest == ':' || *rest == '-')
			rest++;
		if (*rest)
			memmove(t->title, rest, strlen(rest) + 1);
		t->cancelled = 1;
	}
	if (strip_tag(t->title, "<s>") | strip_tag(t->title, "</s>"))
		t->cancelled = 1;
	return SCHED_OK;
}

int sched_load_id(struct sched_talk *t, const char *prefix, const char *a)
{
	char buf[160];

	snprintf(buf, sizeof(buf), "%s:%s@%lld", prefix, a ? a : "", (long long)t->start);
	return sched_model_set(&t->id, buf);
}

static int is_json_format(enum sched_format f)
{
	return f == SCHED_FMT_FRAB_JSON || f == SCHED_FMT_PRETALX_API || f == SCHED_FMT_PYCON ||
	       f == SCHED_FMT_EUROPYTHON;
}

/* Loads one document into s. *fmt is the format asked for (AUTO:
 * detect) and is set to the one used. */
static int load_part(const char *buf, size_t len, enum sched_format *fmt, struct sched *s,
		     struct sched_hint *h)
{
	int was_auto = *fmt == SCHED_FMT_AUTO, ret;
	json_t *root = NULL;
	json_error_t jerr;

	if (was_auto) {
		*fmt = detect_bytes(buf, len);
		if (*fmt == SCHED_FMT_AUTO) {
			sched_load_fail(h, "unrecognised content (not JSON, XML or iCalendar)");
			return SCHED_ERR_FORMAT;
		}
	}
	if (is_json_format(*fmt)) {
		root = json_loadb(buf, len, 0, &jerr);
		if (!root) {
			sched_load_fail(h, "JSON error at line %d column %d: %s", jerr.line,
					jerr.column, jerr.text);
			return SCHED_ERR_PARSE;
		}
		if (was_auto) {
			enum sched_format d = detect_json(root);
			if (d != SCHED_FMT_AUTO)
				*fmt = d;
		}
	}
	switch (*fmt) {
	case SCHED_FMT_FRAB_JSON: ret = sched_json_frab_load(root, s, h); break;
	case SCHED_FMT_PRETALX_API: ret = sched_pretalx_api_load(root, s, h); break;
	case SCHED_FMT_PYCON: ret = sched_pycon_load(root, s, h); break;
	case SCHED_FMT_EUROPYTHON: ret = sched_europython_load(root, s, h); break;
	case SCHED_FMT_XML: ret = sched_xml_load(buf, len, s, h); break;
	case SCHED_FMT_ICS: ret = sched_ics_load(buf, len, s, h); break;
	default: ret = SCHED_ERR_FORMAT; break;
	}
	json_decref(root);
	return ret;
}

/* Loads every part of a bundle into s; the first failing part fails all
 * (a conference missing a day is not the conference). */
static int load_bundle(const char *buf, size_t len, enum sched_format *fmt, struct sched *s,
		       struct sched_hint *h)
{
	struct sched_bundle_part part;
	enum sched_format asked = *fmt;
	size_t pos = 0, nparts = 0;
	int r, ret;

	while ((r = sched_bundle_next(buf, len, &pos, &part)) == 1) {
		*fmt = asked;
		ret = load_part(part.data, part.len, fmt, s, h);
		if (ret) {
			sched_load_fail(h, "%s: %s", part.name, sched_strerror(ret));
			return ret;
		}
		nparts++;
	}
	if (r < 0) {
		sched_load_fail(h, "malformed schedule bundle");
		return SCHED_ERR_PARSE;
	}
	if (!nparts) {
		sched_load_fail(h, "empty schedule bundle");
		return SCHED_ERR_EMPTY;
	}
	return SCHED_OK;
}

int sched_load(const char *buf, size_t len, enum sched_format fmt, const char *tz_name,
	       struct sched **out, char *err, size_t errlen)
{
	struct sched_hint h = {.cfg_tz = tz_name, .err = err, .errlen = errlen};
	struct sched *s = NULL;
	int ret = SCHED_ERR_NOMEM;

	if (err && errlen)
		err[0] = 0;
	if (!buf) {
		sched_load_fail(&h, "no data");
		return SCHED_ERR_PARSE;
	}
	s = sched_model_new();
	if (!s)
		goto out;
	if (sched_bundle_is(buf, len))
		ret = load_bundle(buf, len, &fmt, s, &h);
	else
		ret = load_part(buf, len, &fmt, s, &h);
	if (ret)
		goto out;
	for (size_t i = 0; i < s->ntalks; i++)
		sched_load_cancel_marks(&s->talks[i]);
	ret = sched_model_finish(s, tz_name, h.have_offset, h.offset);
	if (ret)
		goto out;
	*out = s;
	s = NULL;
out:
	if (ret)
		sched_load_fail(&h, "%s (format %s)", sched_strerror(ret),
				sched_load_format_name(fmt));
	sched_model_free(s);
	return ret;
}
