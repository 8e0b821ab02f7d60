/*
 * frab / Pentabarf / wafer / pretalx schedule.xml through libxml2.
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
	if (event_persons(t, ev))
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

static int load_doc(struct xml_ctx *x, const xmlNode *root)
{
	int ret = SCHED_OK;

	if (!root || !is(root, "schedule")) {
		sched_load_fail(x->h, "schedule.xml: the root element is not <schedule>");
		return SCHED_ERR_FORMAT;
	}
	if ((ret = set_text(&x->s->version, root, "version")))
		return ret;
	if (child(root, "conference") && (ret = load_conference(x, child(root, "conference"))))
		return ret;
	for (const xmlNode *day = root->children; day; day = day->next) {
		char date[32];
		if (!is(day, "day"))
			continue;
		attr_text(date, sizeof(date), day, "date");
		for (const xmlNode *room = day->children; room; room = room->next) {
			char rname[256];
			if (!is(room, "room"))
				continue;
			attr_text(rname, sizeof(rname), room, "name");
			if ((ret = sched_model_room_add(x->s, rname[0] ? rname : NULL)))
				return ret;
			for (const xmlNode *ev = room->children; ev; ev = ev->next)
				if (is(ev, "event") &&
				    (ret = load_event(x, ev, rname[0] ? rname : NULL, date)))
					return ret;
		}
	}
	return SCHED_OK;
}

void sched_xml_init(void)
{
	xmlInitParser();
}

int sched_xml_load(const char *buf, size_t len, struct sched *s, struct sched_hint *h)
{
	struct xml_ctx x = {.s = s, .h = h, .day_change = -1};
	xmlParserCtxtPtr ctxt = NULL;
	xmlDocPtr doc = NULL;
	int ret = SCHED_ERR_NOMEM;

	if (len > INT32_MAX) {
		sched_load_fail(h, "schedule.xml: too large");
		return SCHED_ERR_PARSE;
	}
	ctxt = xmlNewParserCtxt();
	if (!ctxt)
		goto out;
	/* No network, no entity expansion, no DTD loading; errors are
	 * collected, not printed. */
	doc = xmlCtxtReadMemory(ctxt, buf, (int)len, NULL, NULL,
				XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
					XML_PARSE_NOCDATA);
	if (!doc) {
		const xmlError *e = xmlCtxtGetLastError(ctxt);
		ret = SCHED_ERR_PARSE;
		sched_load_fail(h, "XML error at line %d: %s", e ? e->line : 0,
				e && e->message ? e->message : "unknown");
		goto out;
	}
	ret = load_doc(&x, xmlDocGetRootElement(doc));
out:
	if (doc)
		xmlFreeDoc(doc);
	if (ctxt)
		xmlFreeParserCtxt(ctxt);
	return ret;
}
