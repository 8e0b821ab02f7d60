/*
 * ospace_fmt — open spaces as text. See ospace_fmt.h.
 */
#include "ospace_fmt.h"

#include <stdlib.h>
#include <string.h>

#include <hallway/civil.h>
#include <hallway/when.h>

void ospace_fmt_name(ospace_out *out, const ospace_session *s)
{
	ospace_out_add(out, "#%lld \xE2\x80\x9C", (long long)s->id);
	ospace_out_text(out, s->topic, OSPACE_TOPIC_MAX);
	ospace_out_add(out, "\xE2\x80\x9D");
}

void ospace_fmt_when(ospace_out *out, const char *day, const char *slot)
{
	int64_t local;
	int date_only = 0;
	struct hw_civil c;
	if (!hw_civil_parse(day, &local, NULL, NULL, &date_only) && date_only) {
		hw_civil_split(local, &c);
		ospace_out_add(out, "%s ", hw_when_wday_abbr(c.wday));
	}
	ospace_out_text(out, day, 16);
	ospace_out_add(out, " ");
	ospace_out_text(out, slot, 8);
}

void ospace_fmt_full(ospace_out *out, const ospace_session *s)
{
	ospace_fmt_name(out, s);
	ospace_out_add(out, " on ");
	ospace_fmt_when(out, s->day, s->slot);
	ospace_out_add(out, " in ");
	ospace_out_text(out, s->room, 100);
}

void ospace_fmt_cell(ospace_out *out, const ospace_board *b, const ospace_cell *c)
{
	char hhmm[6];
	ospace_board_fmt(b->slots[c->slot], hhmm);
	ospace_fmt_when(out, b->days[c->day], hhmm);
	ospace_out_add(out, " in ");
	ospace_out_text(out, b->rooms[c->room].name, 100);
}

const char *ospace_fmt_dayword(const ospace_board *b, size_t day)
{
	static const char *const words[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
	int wday = ospace_board_wday(b, day);
	size_t i, same = 0;
	for (i = 0; i < b->ndays; i++)
		same += ospace_board_wday(b, i) == wday;
	return same == 1 ? words[wday] : b->days[day];
}
