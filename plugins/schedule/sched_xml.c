/*
 * frab / Pentabarf / wafer / pretalx schedule.xml through libxml2, read as
 * a stream (xmlTextReader): only the <event> (or <conference>, <version>)
 * being read is ever a tree, so loading a 2 MB schedule does not first
 * build a DOM several times its size. Two passes: the first reads the
 * top-level <version> and <conference> (the zone and day_change every
 * event's time depends on, wherever they are in the file) and stops as
 * soon as it has both; the second reads the days, rooms and events.
 *
 * Times: an event's <date> (with offset) wins. Pentabarf files have none:
 * then the start is day@date + <start> in the conference zone, on the
 * next calendar day when <start> is before <day_change>. The parser never
 * touches the network or expands external entities.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>

#include "sched_links.h"
#include "sched_load.h"
#include <hallway/civil.h>

struct xml_ctx {
	struct sched *s;
	struct sched_hint *h;
	int day_change;       /* seconds after midnight; -1 if unknown */
	const char *base_url; /* borrowed from the document, may be NULL */
};

static int is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

static const xmlNode *child(const xmlNode *n, const char *name)
{
	for (const xmlNode *c = n ? n->children : NULL; c; c = c->next)
		if (is(c, name))
			return c;
	return NULL;
}

/* Sets *dst to the text of n's child `name` (NULL when absent/blank). */
static int set_text(char **dst, const xmlNode *n, const char *name)
{
	const xmlNode *c = child(n, name);
	xmlChar *txt;
	int ret;

	if (!c)
		return SCHED_OK;
	txt = xmlNodeGetContent(c);
	ret = sched_model_set(dst, (const char *)txt);
	xmlFree(txt);
	return ret;
}

static int attr_text(char *buf, size_t len, const xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);

	buf[0] = 0;
	if (!v)
		return -1;
	snprintf(buf, len, "%s", (const char *)v);
	xmlFree(v);
	return 0;
}

/* "HH:MM[:SS]" -> seconds, or -1. */
static int hms(const char *s)
{
	int h, m, sec = 0;

	if (!s || sscanf(s, "%d:%d:%d", &h, &m, &sec) < 2 || h < 0 || h > 47 || m < 0 || m > 59)
		return -1;
	return h * 3600 + m * 60 + sec;
}

static int event_start(struct xml_ctx *x, const xmlNode *ev, const char *day_date,
		       int64_t *utc)
{
	char *date = NULL, *start = NULL;
	int ret = SCHED_ERR_PARSE, secs;
	int64_t local;

	if (set_text(&date, ev, "date") || set_text(&start, ev, "start"))
		goto out;
	if (date && sched_load_instant(date, x->s, x->h, utc) == SCHED_OK) {
		ret = SCHED_OK;
		goto out;
	}
	secs = hms(start);
	if (secs < 0 || !day_date || hw_civil_parse(day_date, &local, NULL, NULL, NULL))
		goto out;
	if (x->day_change > 0 && secs < x->day_change)
		secs += 86400; /* after midnight: belongs to the next calendar day */
	*utc = hw_tz_to_utc(sched_load_zone(x->s, x->h), local + secs);
	ret = SCHED_OK;
out:
	free(date);
	free(start);
	return ret;
}

static int event_persons(struct sched_talk *t, const xmlNode *ev)
{
	const xmlNode *persons = child(ev, "persons");

	for (const xmlNode *p = persons ? persons->children : NULL; p; p = p->next) {
		xmlChar *name;
		int ret;
		if (!is(p, "person"))
			continue;
		name = xmlNodeGetContent(p);
		ret = sched_model_strv_add(&t->speakers, &t->nspeakers, (const char *)name);
		xmlFree(name);
		if (ret)
			return ret;
	}
	return SCHED_OK;
}

/* The recording among the event's links (sched_links.h): <recording>
 * <url> or <link> (wafer, pretalx), <video_download_url> (older frab),
 * and <links><link href type>title</link> (pentabarf, FOSDEM). */
static int event_recording(struct sched_talk *t, const xmlNode *ev)
{
	const xmlNode *rec = child(ev, "recording"), *links = child(ev, "links");
	const char *fields[] = {"url", "link"};
	char *url = NULL;
	int ret = SCHED_OK;

	for (size_t i = 0; !ret && rec && i < sizeof(fields) / sizeof(fields[0]); i++) {
		ret = set_text(&url, rec, fields[i]);
		if (!ret && url)
			ret = sched_links_offer(t, SCHED_LINK_FIELD, url, NULL, NULL, NULL);
		free(url);
		url = NULL;
	}
	if (!ret && (ret = set_text(&url, ev, "video_download_url")) == SCHED_OK && url)
		ret = sched_links_offer(t, SCHED_LINK_FIELD, url, NULL, NULL, NULL);
	free(url);
	for (const xmlNode *l = links ? links->children : NULL; !ret && l; l = l->next) {
		xmlChar *href, *type, *title;
		if (!is(l, "link"))
			continue;
		href = xmlGetProp(l, (const xmlChar *)"href");
		type = xmlGetProp(l, (const xmlChar *)"type");
		title = xmlNodeGetContent(l);
		if (href)
			ret = sched_links_offer(t, SCHED_LINK_LISTED, (const char *)href,
						(const char *)title, (const char *)type, NULL);
		xmlFree(href);
		xmlFree(type);
		xmlFree(title);
	}
	return ret;
}

static int load_event(struct xml_ctx *x, const xmlNode *ev, const char *room_name,
		      const char *day_date)
{
	struct sched_talk *t = sched_model_add(x->s);
	char *dur = NULL, id[64];
	int64_t secs;
	int ret = SCHED_ERR_NOMEM;

	if (!t)
		return SCHED_ERR_NOMEM;
	if (event_start(x, ev, day_date, &t->start)) {
		sched_model_drop_last(x->s);
		return SCHED_OK;
	}
	if (set_text(&dur, ev, "duration"))
		goto out;
	t->end = t->start;
	if (dur && hw_civil_duration(dur, 0, &secs) == SCHED_OK)
		t->end = t->start + secs;
	if (set_text(&t->title, ev, "title") || set_text(&t->subtitle, ev, "subtitle") ||
	    set_text(&t->track, ev, "track") || set_text(&t->type, ev, "type") ||
	    set_text(&t->language, ev, "language") || set_text(&t->abstract, ev, "abstract") ||
	    set_text(&t->url, ev, "url") || set_text(&t->room, ev, "room"))
		goto out;
	if (!t->abstract && set_text(&t->abstract, ev, "description"))
		goto out;
	if (!t->room && sched_model_set(&t->room, room_name))
		goto out;
	if (event_persons(t, ev) || event_recording(t, ev))
		goto out;
	if (attr_text(id, sizeof(id), ev, "guid") == 0 && id[0]) {
		if (sched_model_set(&t->guid, id) || sched_model_set(&t->id, id))
			goto out;
	} else {
		attr_text(id, sizeof(id), ev, "id");
		if (sched_load_id(t, "xml", id))
			goto out;
	}
	ret = SCHED_OK;
out:
	free(dur);
	return ret;
}

static int load_conference(struct xml_ctx *x, const xmlNode *conf)
{
	char *dc = NULL;
	int ret;

	ret = set_text(&x->s->name, conf, "title");
	if (!ret && !x->s->tz_name)
		ret = set_text(&x->s->tz_name, conf, "time_zone_name");
	if (!ret)
		ret = set_text(&dc, conf, "day_change");
	if (!ret && dc)
		x->day_change = hms(dc);
	free(dc);
	return ret;
}

/* No network, no entity expansion, no DTD loading; errors are collected,
 * not printed. */
#define XML_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA)

struct xml_error {
	int line, seen;
	char message[200];
};

/* Keeps the last error, as a whole-document parse reports it. */
static void on_xml_error(void *ud, xmlErrorPtr e)
{
	struct xml_error *xe = ud;

	if (!e || e->level < XML_ERR_ERROR)
		return;
	xe->seen = 1;
	xe->line = e->line;
	snprintf(xe->message, sizeof(xe->message), "%s", e->message ? e->message : "unknown");
}

static xmlTextReaderPtr reader_open(const char *buf, size_t len)
{
	return xmlReaderForMemory(buf, (int)len, NULL, NULL, XML_OPTIONS);
}

/* The reader stopped on an error. What it reports is not always what went
 * wrong (a truncated file "has extra content at the end"), so the document
 * is parsed again, with SAX callbacks that build nothing, for the error a
 * whole-document parse names. Only ever on a broken file. */
static int parse_error(struct sched_hint *h, const char *buf, size_t len)
{
	struct xml_error xe = {0};
	xmlSAXHandler sax;

	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.serror = on_xml_error;
	xmlSAXUserParseMemory(&sax, &xe, buf, (int)len);
	sched_load_fail(h, "XML error at line %d: %s", xe.seen ? xe.line : 0,
			xe.seen ? xe.message : "unknown");
	return SCHED_ERR_PARSE;
}

static int element_is(xmlTextReaderPtr r, const char *name)
{
	const xmlChar *n = xmlTextReaderConstLocalName(r);

	return xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT && n &&
	       !strcmp((const char *)n, name);
}

/* Moves to the root element. Returns 1 there, 0 at the end, -1 on error. */
static int to_root(xmlTextReaderPtr r)
{
	int rc;

	while ((rc = xmlTextReaderRead(r)) == 1)
		if (xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT)
			return 1;
	return rc;
}

/* Reads to the end: a document that is not well-formed is a parse error
 * before it is anything else. */
static int drain(xmlTextReaderPtr r)
{
	int rc;

	while ((rc = xmlTextReaderRead(r)) == 1)
		;
	return rc;
}

static void attr_of(xmlTextReaderPtr r, const char *name, char *buf, size_t len)
{
	xmlChar *v = xmlTextReaderGetAttribute(r, (const xmlChar *)name);

	buf[0] = 0;
	if (v)
		snprintf(buf, len, "%s", (const char *)v);
	xmlFree(v);
}

/* Pass one: the first top-level <version> and <conference>. */
static int read_head(struct xml_ctx *x, const char *buf, size_t len)
{
	xmlTextReaderPtr r = reader_open(buf, len);
	int rc, ret = SCHED_OK, have_version = 0, have_conf = 0;

	if (!r)
		return SCHED_ERR_NOMEM;
	rc = to_root(r);
	if (rc == 1 && !element_is(r, "schedule")) {
		if (drain(r) < 0) {
			ret = parse_error(x->h, buf, len);
		} else {
			sched_load_fail(x->h, "schedule.xml: the root element is not <schedule>");
			ret = SCHED_ERR_FORMAT;
		}
		goto out;
	}
	if (rc == 1 && !xmlTextReaderIsEmptyElement(r))
		rc = xmlTextReaderRead(r);
	while (rc == 1 && !(have_version && have_conf) && xmlTextReaderDepth(r) >= 1) {
		int version = !have_version && element_is(r, "version");
		int conf = !have_conf && element_is(r, "conference");

		if (xmlTextReaderDepth(r) == 1 && (version || conf)) {
			xmlNodePtr n = xmlTextReaderExpand(r);

			if (!n) {
				rc = -1;
				break;
			}
			if (version) {
				xmlChar *txt = xmlNodeGetContent(n);

				have_version = 1;
				ret = sched_model_set(&x->s->version, (const char *)txt);
				xmlFree(txt);
			} else {
				have_conf = 1;
				ret = load_conference(x, n);
			}
			if (ret)
				goto out;
		}
		rc = xmlTextReaderDepth(r) >= 1 ? xmlTextReaderNext(r) : xmlTextReaderRead(r);
	}
	if (rc < 0)
		ret = parse_error(x->h, buf, len);
out:
	xmlFreeTextReader(r);
	return ret;
}

/* Pass two: every <event> of every <room> of every top-level <day>. */
static int read_days(struct xml_ctx *x, const char *buf, size_t len)
{
	xmlTextReaderPtr r = reader_open(buf, len);
	char date[32] = "", rname[256] = "";
	int rc, ret = SCHED_OK, in_day = 0, in_room = 0;

	if (!r)
		return SCHED_ERR_NOMEM;
	rc = to_root(r);
	if (rc == 1)
		rc = xmlTextReaderRead(r);
	while (rc == 1) {
		int depth = xmlTextReaderDepth(r);

		if (xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT || depth < 1) {
			rc = xmlTextReaderRead(r);
			continue;
		}
		if (depth == 1) {
			in_day = element_is(r, "day");
			in_room = 0;
			if (!in_day) {
				rc = xmlTextReaderNext(r);
				continue;
			}
			attr_of(r, "date", date, sizeof(date));
		} else if (depth == 2) {
			in_room = in_day && element_is(r, "room");
			if (!in_room) {
				rc = xmlTextReaderNext(r);
				continue;
			}
			attr_of(r, "name", rname, sizeof(rname));
			if ((ret = sched_model_room_add(x->s, rname[0] ? rname : NULL)))
				goto out;
		} else {
			if (depth == 3 && in_room && element_is(r, "event")) {
				xmlNodePtr ev = xmlTextReaderExpand(r);

				if (!ev) {
					rc = -1;
					break;
				}
				if ((ret = load_event(x, ev, rname[0] ? rname : NULL, date)))
					goto out;
			}
			rc = xmlTextReaderNext(r);
			continue;
		}
		rc = xmlTextReaderRead(r);
	}
	if (rc < 0)
		ret = parse_error(x->h, buf, len);
out:
	xmlFreeTextReader(r);
	return ret;
}

void sched_xml_init(void)
{
	xmlInitParser();
}

int sched_xml_load(const char *buf, size_t len, struct sched *s, struct sched_hint *h)
{
	struct xml_ctx x = {.s = s, .h = h, .day_change = -1};
	int ret;

	if (len > INT32_MAX) {
		sched_load_fail(h, "schedule.xml: too large");
		return SCHED_ERR_PARSE;
	}
	ret = read_head(&x, buf, len);
	if (!ret)
		ret = read_days(&x, buf, len);
	return ret;
}
