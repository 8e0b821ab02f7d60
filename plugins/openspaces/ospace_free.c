/*
 * ospace_free — nearest free slots. See ospace_free.h.
 */
#include "ospace_free.h"

#include <stdlib.h>

typedef struct ospace_free_cand {
	ospace_cell cell;
	int64_t dist;  /* minutes from the asked start */
	int64_t start; /* local minutes since 1970 */
} ospace_free_cand;

static int64_t ospace_free_start(const ospace_board *b, size_t day, size_t slot)
{
	return ospace_board_days(b, day) * 1440 + b->slots[slot];
}

static int ospace_free_cmp(const void *pa, const void *pb)
{
	const ospace_free_cand *a = pa, *b = pb;
	if (a->dist != b->dist)
		return a->dist < b->dist ? -1 : 1;
	if (a->start != b->start)
		return a->start > b->start ? -1 : 1; /* the later one first */
	return 0;
}

static int ospace_free_cell(const ospace_board *b, const unsigned char *taken, size_t d,
			    size_t s, size_t r)
{
	return !taken[(d * b->nslots + s) * b->nrooms + r] && !ospace_board_is_held(b, d, s, r);
}

size_t ospace_free_nearest(const ospace_board *b, const unsigned char *taken, size_t day,
			   size_t slot, long room, int64_t now_min, ospace_cell *out, size_t max)
{
	ospace_free_cand *c = calloc(b->ndays * b->nslots + 1, sizeof(*c));
	int64_t asked = ospace_free_start(b, day, slot);
	size_t n = 0, d, s, r, i;
	if (!c)
		return 0;
	for (d = 0; d < b->ndays; d++)
		for (s = 0; s < b->nslots; s++) {
			int64_t start = ospace_free_start(b, d, s);
			long hit = -1;
			if (start < now_min)
				continue;
			if (room >= 0 && (size_t)room < b->nrooms &&
			    ospace_free_cell(b, taken, d, s, (size_t)room))
				hit = room;
			for (r = 0; hit < 0 && r < b->nrooms; r++)
				if (ospace_free_cell(b, taken, d, s, r))
					hit = (long)r;
			if (hit < 0)
				continue;
			c[n].cell.day = d;
			c[n].cell.slot = s;
			c[n].cell.room = (size_t)hit;
			c[n].start = start;
			c[n].dist = start > asked ? start - asked : asked - start;
			n++;
		}
	qsort(c, n, sizeof(*c), ospace_free_cmp);
	for (i = 0; i < n && i < max; i++)
		out[i] = c[i].cell;
	free(c);
	return i;
}
