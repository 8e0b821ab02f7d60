/*
 * ospace_screen — open spaces on the lobby screens (issue 21): a public
 * route GET /api/openspaces/screen[?room=NAME] with the open spaces that
 * are on now or start within a day (topic, room, time, host), and a push
 * on topic "openspaces.screen" when one is proposed, moved, dropped or
 * removed, or when one starts or ends, so the screens ask again.
 *
 * A route answers at once, so it reads a copy of the board kept in
 * memory: read from storage at start and again after every change has
 * been committed (ospace_screen_changed).
 */
#ifndef OSPACE_SCREEN_H
#define OSPACE_SCREEN_H

#include <jansson.h>
#include <stdint.h>

#include "openspaces.h"

struct ospace_screen;

/* Registers the route and reads the board (nothing on a host without a
 * web server). Returns HW_OK or an HW_ERR_*. o->screen is set. */
int ospace_screen_init(ospace *o);
/* Cancels the timer and frees the copy. */
void ospace_screen_free(ospace *o);

/* After a committed change: reads the board again and pushes. why is
 * "proposed", "moved", "dropped" or "removed". */
void ospace_screen_changed(ospace *o, const char *why);

/* The route's answer at now_ms for one room (NULL: every board room) from
 * the copy `spaces` (an array of {"id", "topic", "room", "start", "end",
 * "host"}, times in ms). Returns a new reference. Exposed for tests. */
json_t *ospace_screen_answer(const ospace *o, const json_t *spaces, int64_t now_ms,
			     const char *room);

#endif
