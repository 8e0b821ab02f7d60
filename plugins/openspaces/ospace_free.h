/*
 * ospace_free — the nearest free slots to offer when the one asked for is
 * taken. Pure: the caller gives the taken cells and the clock.
 */
#ifndef OSPACE_FREE_H
#define OSPACE_FREE_H

#include <stddef.h>
#include <stdint.h>

#include "ospace_board.h"

typedef struct ospace_cell {
	size_t day, slot, room;
} ospace_cell;

/*
 * Up to max free cells nearest in time to (day, slot), at most one per
 * start time: `room` there when it is free (room < 0: no preference),
 * else the first free room. Nearest first; at equal distance the later
 * one first. Cells that are held, taken (taken[(day * nslots + slot) *
 * nrooms + room] != 0) or start before now_min (local minutes since
 * 1970-01-01) are never offered. Returns how many were written.
 */
size_t ospace_free_nearest(const ospace_board *b, const unsigned char *taken, size_t day,
			   size_t slot, long room, int64_t now_min, ospace_cell *out, size_t max);

#endif
