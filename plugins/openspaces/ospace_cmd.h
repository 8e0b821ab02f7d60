/*
 * ospace_cmd — pieces the attendee commands share with the organizers'.
 */
#ifndef OSPACE_CMD_H
#define OSPACE_CMD_H

#include <stddef.h>
#include <stdint.h>

#include "openspaces.h"
#include "ospace_job.h"
#include "ospace_out.h"

/* Returned when a helper already replied to the invocation. */
#define OSPACE_REPLIED 1

/* Today's local day (days since 1970-01-01) on the host clock. */
int64_t ospace_cmd_today(const ospace_job *j);
/* Reads a room named by the first words of text (up to four, any
 * spelling that folds to the room's name). Sets *room (-1: none) and
 * *rest (borrowed, after the room's words). */
void ospace_cmd_room(const ospace_board *b, const char *text, long *room, const char **rest);
/* Appends the nearest free cells to (day, slot), as lines a user can
 * retype; room: the preferred room or -1. */
void ospace_cmd_offers(ospace_job *j, hw_buf *out, size_t day, size_t slot, long room,
		       const char *example);
/* The one active open space the typed text names (see ospace_query_find).
 * When none or several, replies (a list to choose from) and returns
 * OSPACE_REPLIED. */
int ospace_cmd_find(ospace_job *j, const hw_invocation *inv, const char *typed, const char *verb,
		    int64_t *id);

#endif
