/*
 * ospace_event — the board on the bus: "openspaces.board" (see
 * include/hallway/events.h), so other plugins (announce's starting-soon
 * posts) learn the open spaces without reading our tables.
 */
#ifndef OSPACE_EVENT_H
#define OSPACE_EVENT_H

#include "openspaces.h"

/* Publishes every active open space from the screens' copy of the board:
 * each time a unit of work installs a new copy (a change committed, the
 * first read). Nothing before the first read. A failure is logged: the
 * next change or request publishes again. */
void ospace_event_publish(ospace *o);

/* "openspaces.request": answers with the board. */
void ospace_event_on_request(hw_plugin *self, const char *type, json_t *data, void *ud);

#endif
