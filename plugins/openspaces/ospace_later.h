/*
 * ospace_later — talks to watch later (issue 21): `later <talk>` keeps a
 * talk on your list, `later` shows the list (with the recording when the
 * schedule carries one, else the talk's page, where recordings appear),
 * `watched <talk>` ticks one off. After the conference's last talk the
 * list is "your watch list".
 *
 * The talks come from "schedule.loaded" (include/hallway/events.h): id,
 * title, url, end, and a "recording" (or "video_url") link when the
 * schedule plugin exports one. A typed name is found with the shared FTS5
 * reading (lib/fts.c: typos, word insides). The list is stored per user
 * in openspaces_later with a copy of the title, so it survives a schedule
 * that drops the talk.
 */
#ifndef OSPACE_LATER_H
#define OSPACE_LATER_H

#include <jansson.h>

#include "openspaces.h"

/* Replaces the known talks with those of a schedule.loaded payload
 * (borrowed). Logs and keeps the old ones on out of memory. */
void ospace_later_set_talks(ospace *o, const json_t *loaded);
/* Frees the known talks (at shutdown). */
void ospace_later_free(ospace *o);

/* The commands later and watched. */
int ospace_later_register(ospace *o);

#endif
