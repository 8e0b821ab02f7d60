/*
 * openspaces — the plugin's context, shared by its files.
 *
 * One struct ospace per loaded instance, handed to every callback as ud.
 * The board (rooms, days, slots, held slots) is read from config once at
 * init and never changes while loaded; the time zone may change when the
 * schedule plugin publishes "schedule.loaded" (unless config names one).
 * Storage is the host's units of work (db_run, SQLite or PostgreSQL):
 * every command is one (ospace_job.h), run through hw_units so that the
 * context outlives its last unit. The API table is borrowed from the host.
 */
#ifndef OPENSPACES_H
#define OPENSPACES_H

#include <stdint.h>

#include <hallway/plugin.h>
#include <hallway/stmt.h>

#include "ospace_board.h"

#define OSPACE_TOPIC_MAX 200     /* bytes of a stored topic */
#define OSPACE_USER_NAME_MAX 100 /* bytes of a stored display name */
#define OSPACE_REASON_MAX 300    /* bytes of a removal reason */

struct hw_tz;
struct ospace_talks;

typedef struct ospace {
	hw_plugin *self;
	const hw_api *api;
	hw_units *units;      /* every unit of work goes through it (lib/stmt.c) */
	int pg;               /* the storage engine is PostgreSQL */
	ospace_board board;   /* owned */
	struct hw_tz *tz;     /* owned; never NULL after init (UTC at worst) */
	struct hw_tz **old_tz; /* owned: zones replaced while units of work may
				* still read them; freed with the context */
	size_t nold_tz;
	int tz_from_config;   /* 1: schedule.loaded does not change tz */
	struct hw_dm_outbox *outbox; /* DMs owed (lib/dm_outbox.c); NULL until started */
	char *meetups_channel;       /* owned; NULL: meetups are not announced */
	char **places;               /* owned: rooms of the schedule and the board, for */
	size_t nplaces;              /* reading a meetup's place (ospace_meetup.c) */
	char ***old_places;          /* owned: lists replaced while units of work may */
	size_t nold_places;          /* still read them (NULL-terminated); freed last */
	struct ospace_talks *talks;  /* owned: the schedule's talks (ospace_later.c) */
	int64_t remind_minutes;      /* starting-soon DMs this long before; 0: none */
	hw_handle remind_timer;      /* ospace_remind.c */
	struct ospace_screen *screen; /* the lobby screens' copy (ospace_screen.c); NULL
				       * on a host without a web server */
} ospace;

/* Registers the attendee commands (ospace_cmd.c) and the organizers'
 * (ospace_admin.c). */
int ospace_cmd_register(ospace *o);
int ospace_admin_register(ospace *o);
/* `openspaces`: now and next in the hallway track (ospace_next.c). */
int ospace_next_register(ospace *o);

/* The argument `name` of inv when present, else NULL. Borrowed. */
const char *ospace_arg(const hw_invocation *inv, const char *name);

/* Start of (day, slot) as Unix seconds in the conference's zone tz (a
 * unit of work's, see ospace_job.h, or o->tz on the loop). */
int64_t ospace_start_in(const ospace *o, const struct hw_tz *tz, size_t day, size_t slot);

/* "schedule.loaded" and "plan.collect" (ospace_plan.c). */
void ospace_plan_on_collect(hw_plugin *self, const char *type, json_t *data, void *ud);

#endif
