/*
 * sched_ospaces — `next openspaces` and `now openspaces` (issue 21): the
 * open spaces of the openspaces plugin's board, as reply models drawn by
 * each door like the talks. The board comes from the bus
 * ("openspaces.board", include/hallway/events.h); the schedule never reads
 * openspaces' tables. Pure functions of the board, the instant and the
 * arguments, tested without a host.
 */
#ifndef SCHED_OSPACES_H
#define SCHED_OSPACES_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* When text names the open spaces ("openspaces", "openspace", "open
 * spaces", "open space", any case) as its first word or words: returns the
 * rest (a room, perhaps empty; borrowed from text) and sets *spelled_out
 * to 1 for the two-word forms, which a schedule room or track of that name
 * takes first. NULL otherwise. */
const char *sched_ospaces_keyword(const char *text, int *spelled_out);

struct sched_ospaces_ask {
	const json_t *board; /* the last "openspaces.board" (borrowed), or NULL:
			      * the openspaces plugin did not answer */
	int64_t now;         /* Unix seconds */
	const char *rooms;   /* the room words after the keyword, or "" */
	const char *command; /* "next openspaces [room]": what paging runs */
	size_t page;         /* 1-based */
	size_t per;          /* items per page */
	int is_next;         /* next (1) or now (0) */
};

/* The answer as a reply model: a new reference, or NULL out of memory. */
json_t *sched_ospaces_answer(const struct sched_ospaces_ask *q);

/* How many open spaces of board start in (from, to] (next) or run at from
 * (to < 0: now), for "also 2 open spaces" under the talks. 0 without a
 * board. */
size_t sched_ospaces_count(const json_t *board, int64_t from, int64_t to);

#endif
