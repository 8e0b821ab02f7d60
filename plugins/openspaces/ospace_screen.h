/*
 * ospace_screen — open spaces on the lobby screens (issue 21): a public
 * route GET /api/openspaces/screen[?room=NAME] with the open spaces that
 * are on now or start within a day (topic, room, time, host), and a push
 * on topic "openspaces.screen" when one is proposed, moved, dropped or
 * removed, or when one starts or ends, so the screens ask again.
 *
 * A route (and a slash command's autocomplete, and the dry run) answers
 * at once, so it reads a copy of the board kept in memory: read in a unit
 * of work at start, and inside the unit of work of every change (the same
 * transaction), installed once that has committed.
 */
#ifndef OSPACE_SCREEN_H
#define OSPACE_SCREEN_H

#include <jansson.h>
#include <stdint.h>

#include "openspaces.h"

struct ospace_screen;

struct ospace_db;
struct ospace_session;

/* Registers the route (nothing on a host without a web server) and
 * queues the first read of the board. Returns HW_OK or an HW_ERR_*.
 * o->screen is set. */
int ospace_screen_init(ospace *o);
/* Cancels the timer and frees the copy. */
void ospace_screen_free(ospace *o);

/* Inside a unit of work: the copy, a new {"spaces": [the active open
 * spaces with their day and slot], "owed": DMs waiting in the outbox},
 * into *out. HW_OK or an error. No instants: a zone read in the unit of
 * work may be gone by its commit. */
int ospace_screen_read(struct ospace_db *db, const ospace *o, json_t **out);
/* After the commit: installs the copy (stolen; NULL keeps the old one)
 * with its instants in the zone the plugin has now (o->tz) and, when why
 * is set ("proposed", "moved", "dropped", "removed", "loaded"), pushes to
 * the screens. */
void ospace_screen_install(ospace *o, json_t *copy, const char *why);
/* The conference's zone changed (o->tz, on the loop): the copy's instants
 * are set again, the screens told ("zone") and the board published. */
void ospace_screen_rezone(ospace *o);

/* 1 once a copy of the board has been read (ospace_screen_each has it). */
int ospace_screen_ready(const ospace *o);

/* Calls fn for each open space of the copy (id, day, slot, room, topic,
 * host_name set), in time order, until fn returns nonzero. 0 without a
 * copy yet. */
/* The DMs the outbox held when the copy was last read (the dry run). */
int64_t ospace_screen_owed(const ospace *o);

typedef int (*ospace_screen_fn)(const struct ospace_session *s, int64_t start_s, void *ud);
void ospace_screen_each(const ospace *o, ospace_screen_fn fn, void *ud);

/* The route's answer at now_ms for one room (NULL: every board room) from
 * the copy `spaces` (an array of {"id", "topic", "room", "start", "end",
 * "host"}, times in ms). Returns a new reference. Exposed for tests. */
json_t *ospace_screen_answer(const ospace *o, const json_t *spaces, int64_t now_ms,
			     const char *room);

#endif
