/*
 * ospace_next — `openspaces`: what the hallway track holds now and in the
 * next hours (issue 21): the open spaces running now
 * and starting within OSPACE_NEXT_HOURS, and the meetups of that window,
 * in time order. `next openspaces` and `now openspaces` are the schedule
 * plugin's (plugins/schedule/sched_ospaces.c), from "openspaces.board":
 * the host allows no "next" and "next openspaces" commands both.
 */
#include <stdlib.h>
#include <string.h>

#include <hallway/when.h>

#include "openspaces.h"
#include "ospace_job.h"
#include "ospace_fmt.h"
#include "ospace_meetup.h"
#include "ospace_query.h"

#define OSPACE_NEXT_HOURS 3
#define OSPACE_NEXT_MAX 40
#define OSPACE_NEXT_REPLY 8000

struct item {
	int64_t at;
	int meetup;
	ospace_session s;
	ospace_meetup m;
};

struct gather {
	ospace *o;
	const struct hw_tz *tz;
	int64_t from, to, now;
	struct item *items;
	size_t n;
};

static int add_session(const ospace_session *s, void *ud)
{
	struct gather *g = ud;
	long day = ospace_board_day(&g->o->board, s->day);
	long slot = ospace_board_slot(&g->o->board, ospace_board_hhmm(s->slot));
	int64_t at;

	if (day < 0 || slot < 0)
		return 0;
	at = ospace_start_in(g->o, g->tz, (size_t)day, (size_t)slot);
	/* Running now (started less than a slot ago), or starting soon. */
	if (at + (int64_t)g->o->board.slot_minutes * 60 <= g->now || at > g->to)
		return 0;
	g->items[g->n].at = at;
	g->items[g->n].meetup = 0;
	g->items[g->n].s = *s;
	return ++g->n >= OSPACE_NEXT_MAX;
}

static int add_meetup(const ospace_meetup *m, void *ud)
{
	struct gather *g = ud;
	if (m->at > g->to || g->n >= OSPACE_NEXT_MAX)
		return 1;
	g->items[g->n].at = m->at;
	g->items[g->n].meetup = 1;
	g->items[g->n].m = *m;
	g->n++;
	return 0;
}

static int by_time(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->meetup - y->meetup;
}

static int ospace_next_cmd_body(ospace_job *j)
{
	ospace *o = j->o;
	struct gather g = {o, j->tz, 0, 0, 0, NULL, 0};
	hw_buf out;
	int rc;

	g.now = j->now_ms / 1000;
	g.from = g.now - 3600;
	g.to = g.now + OSPACE_NEXT_HOURS * 3600;
	if (!(g.items = calloc(OSPACE_NEXT_MAX, sizeof(*g.items))))
		return HW_ERR_NOMEM;
	hw_buf_init(&out, OSPACE_NEXT_REPLY);
	if ((rc = ospace_query_all(&j->db, add_session, &g)) ||
	    (g.n < OSPACE_NEXT_MAX &&
	     (rc = ospace_meetup_list(&j->db, g.from, OSPACE_NEXT_MAX, add_meetup, &g))))
		goto out;
	qsort(g.items, g.n, sizeof(*g.items), by_time);
	hw_buf_addf(&out, "**The hallway track, the next %d hours**", OSPACE_NEXT_HOURS);
	for (size_t i = 0; i < g.n; i++) {
		const struct item *it = &g.items[i];
		hw_buf_addf(&out, "\n%s", it->at <= g.now ? "now \xC2\xB7 " : "");
		if (it->meetup) {
			hw_buf_addf(&out, "meetup ");
			ospace_meetup_fmt(&out, j->tz, &it->m);
		} else {
			char when[48];
			hw_when_fmt(j->tz, it->at, when, sizeof(when));
			hw_buf_addf(&out, "%s \xC2\xB7 open space ", when);
			ospace_fmt_name(&out, &it->s);
			hw_buf_addf(&out, " in ");
			hw_buf_add_safe(&out, it->s.room, 100);
			hw_buf_addf(&out, " (%lld going)", (long long)it->s.going);
		}
	}
	if (!g.n)
		hw_buf_addf(&out, ": nothing yet. `openspace board` shows the free slots; "
				     "`meetup` posts a gathering.");
	rc = ospace_job_say(j, hw_buf_str(&out));
out:
	hw_buf_free(&out);
	free(g.items);
	return rc;
}

static int ospace_next_cmd(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	(void)self;
	return ospace_job_cmd(ud, inv, ospace_next_cmd_body);
}

int ospace_next_register(ospace *o)
{
	const hw_command_spec spec = {
		sizeof(hw_command_spec), "openspaces", "Open spaces and meetups now and next",
		"What the hallway track holds now and in the next hours: open spaces and meetups. "
		"`next openspaces` lists the open spaces alone, like the talks.", HW_PERM_EVERYONE, NULL, 0,
		ospace_next_cmd, NULL, o, {0}, sizeof(hw_arg_spec)};
	return o->api->command_add(o->self, &spec);
}
