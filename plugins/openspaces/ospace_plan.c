/*
 * ospace_plan — the organizers' dry run ("plan.collect"): the DMs waiting
 * in the outbox, and the open spaces that start in the window (one line
 * each, with a head count, never names) as "board (no post)" lines, and
 * the starting-soon DMs (ospace_remind.c) due in the window. The event is
 * answered at once, so it reads the copy of the board the last unit of
 * work left (ospace_screen.h).
 */
#include <stdio.h>
#include <string.h>

#include <hallway/civil.h>
#include <hallway/plan.h>
#include <hallway/tz.h>
#include <hallway/when.h>

#include "openspaces.h"
#include "ospace_query.h"
#include "ospace_screen.h"

#define OSPACE_PLAN_MAX 1000

typedef struct ospace_plan_ctx {
	ospace *o;
	json_t *items;
	int64_t from_s, to_s;
	size_t n;
	int failed;
} ospace_plan_ctx;

/* "Sat 09:55" in the conference's zone. */
static void ospace_plan_when(const ospace *o, int64_t t, char *buf, size_t len)
{
	struct hw_civil c;
	hw_civil_split(hw_tz_to_local(o->tz, t), &c);
	snprintf(buf, len, "%s %02d:%02d", hw_when_wday_abbr(c.wday), c.hour, c.min);
}

static int ospace_plan_row(const ospace_session *s, int64_t at, void *ud)
{
	ospace_plan_ctx *c = ud;
	long day = ospace_board_day(&c->o->board, s->day);
	long slot = ospace_board_slot(&c->o->board, ospace_board_hhmm(s->slot));
	char when[32], what[400], topic[120];
	size_t n;
	if (day < 0 || slot < 0)
		return 0;
	/* The topic cut on a character boundary. */
	n = strlen(s->topic);
	if (n >= sizeof(topic)) {
		n = sizeof(topic) - 1;
		while (n && ((unsigned char)s->topic[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(topic, s->topic, n);
	topic[n] = 0;
	/* The starting-soon DMs (ospace_remind.c) remind_minutes before. */
	if (c->o->remind_minutes > 0 && at - c->o->remind_minutes * 60 >= c->from_s &&
	    at - c->o->remind_minutes * 60 < c->to_s) {
		int64_t dm = at - c->o->remind_minutes * 60;
		ospace_plan_when(c->o, dm, when, sizeof(when));
		snprintf(what, sizeof(what), "starting-soon DM for open space #%lld \"%s\" to %lld",
			 (long long)s->id, topic, (long long)s->going);
		if (hw_plan_add(c->items, dm * 1000, when, "DM", what, "openspaces"))
			c->failed = 1;
	}
	if (at < c->from_s || at >= c->to_s)
		return c->failed;
	ospace_plan_when(c->o, at, when, sizeof(when));
	snprintf(what, sizeof(what), "open space #%lld \"%s\" starts in %.100s (%lld going)",
		 (long long)s->id, topic, s->room, (long long)s->going);
	if (hw_plan_add(c->items, at * 1000, when, "board (no post)", what, "openspaces"))
		c->failed = 1;
	return c->failed || ++c->n >= OSPACE_PLAN_MAX;
}

void ospace_plan_on_collect(hw_plugin *self, const char *type, json_t *data, void *ud)
{
	ospace_plan_ctx c;
	int64_t from, to, pending = 0;
	(void)type;
	memset(&c, 0, sizeof(c));
	c.o = ud;
	if (hw_plan_request(data, &from, &to, &c.items))
		return;
	c.from_s = (from + 999) / 1000;
	c.to_s = (to + 999) / 1000;
	ospace_screen_each(c.o, ospace_plan_row, &c);
	if (c.failed)
		c.o->api->log(self, HW_LOG_WARN, "openspaces: the plan is incomplete");
	/* DMs still owed go out at once (or at the next retry). */
	if ((pending = ospace_screen_owed(c.o)) > 0) {
		int64_t now = c.o->api->now_ms(self);
		char when[32], what[120];
		if (now >= from && now < to) {
			ospace_plan_when(c.o, now / 1000, when, sizeof(when));
			snprintf(what, sizeof(what), "open-space changes owed to %lld attendee%s",
				 (long long)pending, pending == 1 ? "" : "s");
			hw_plan_add(c.items, now, when, "DM", what, "openspaces");
		}
	}
}
