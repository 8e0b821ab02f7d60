/*
 * The organizers' dry run ("plan.collect"): every pending post of the
 * outbox due in the window, one entry per channel, in the conference's
 * time zone. Nothing is changed.
 */
#include <stdio.h>
#include <string.h>

#include <hallway/plan.h>

#include "announce.h"
#include "announce_store.h"
#include "announce_time.h"

#define PLAN_MAX_ROWS 1000

struct plan_ctx {
	struct announce *a;
	json_t *items;
};

static const char *kind_label(const char *kind)
{
	if (!strcmp(kind, "soon"))
		return "starting soon";
	if (!strcmp(kind, "change"))
		return "schedule change alert";
	if (!strcmp(kind, "scheduled"))
		return "scheduled announcement";
	return "announcement";
}

/* The text on one line (a slot's post lists its rooms on several), cut
 * at 160 bytes on a character boundary. */
static void first_line(const char *text, char *buf, size_t len)
{
	size_t n = strlen(text);
	if (n > 160) {
		n = 160;
		while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
			n--;
	}
	if (n >= len)
		n = len - 1;
	memcpy(buf, text, n);
	buf[n] = '\0';
	for (char *p = buf; *p; p++)
		if (*p == '\n')
			*p = ' ';
	if (text[n] && n + 4 < len)
		strcat(buf, "...");
}

static int add_row(void *ud, int64_t due_ms, const char *kind, const char *channel_id,
		   const char *text)
{
	struct plan_ctx *c = ud;
	char when[64], where[64], line[200], what[300];
	announce_time_format(announce_tz(c->a), due_ms, when, sizeof(when));
	snprintf(where, sizeof(where), "channel %s", channel_id ? channel_id : "?");
	first_line(text ? text : "", line, sizeof(line));
	snprintf(what, sizeof(what), "%s: %s", kind_label(kind ? kind : ""), line);
	return hw_plan_add(c->items, due_ms, when, where, what, "announce") ? HW_ERR_NOMEM : HW_OK;
}

void announce_plan_on_collect(hw_plugin *self, const char *type, json_t *data, void *ud)
{
	struct plan_ctx c = {ud, NULL};
	int64_t from, to;
	int rc;
	(void)type;
	if (hw_plan_request(data, &from, &to, &c.items))
		return;
	rc = announce_store_plan(c.a->api->db(self), from, to, PLAN_MAX_ROWS, add_row, &c);
	if (rc)
		c.a->api->log(self, HW_LOG_WARN, "announce: the plan is incomplete (%d)", rc);
}
