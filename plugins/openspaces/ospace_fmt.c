/*
 * ospace_fmt — open spaces as text. See ospace_fmt.h.
 */
#include "ospace_fmt.h"

#include <stdlib.h>
#include <string.h>

#include <hallway/civil.h>
#include <hallway/when.h>

void ospace_fmt_name(hw_buf *out, const ospace_session *s)
{
	hw_buf_addf(out, "#%lld \xE2\x80\x9C", (long long)s->id);
	hw_buf_add_safe(out, s->topic, OSPACE_TOPIC_MAX);
	hw_buf_addf(out, "\xE2\x80\x9D");
}

void ospace_fmt_when(hw_buf *out, const char *day, const char *slot)
{
	int64_t local;
	int date_only = 0;
	struct hw_civil c;
	if (!hw_civil_parse(day, &local, NULL, NULL, &date_only) && date_only) {
		hw_civil_split(local, &c);
		hw_buf_addf(out, "%s ", hw_when_wday_abbr(c.wday));
	}
	hw_buf_add_safe(out, day, 16);
	hw_buf_addf(out, " ");
	hw_buf_add_safe(out, slot, 8);
}

void ospace_fmt_full(hw_buf *out, const ospace_session *s)
{
	ospace_fmt_name(out, s);
	hw_buf_addf(out, " on ");
	ospace_fmt_when(out, s->day, s->slot);
	hw_buf_addf(out, " in ");
	hw_buf_add_safe(out, s->room, 100);
}

void ospace_fmt_cell(hw_buf *out, const ospace_board *b, const ospace_cell *c)
{
	char hhmm[6];
	ospace_board_fmt(b->slots[c->slot], hhmm);
	ospace_fmt_when(out, b->days[c->day], hhmm);
	hw_buf_addf(out, " in ");
	hw_buf_add_safe(out, b->rooms[c->room].name, 100);
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
