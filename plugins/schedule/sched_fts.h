/*
 * Talk search through SQLite FTS5 (issue 13): an in-memory index of the
 * loaded schedule, built on the first question about it and kept while
 * that schedule is the one asked about (a cache: nothing is stored).
 *
 * The reading of the words is the shared one (include/hallway/fts.h):
 * word prefixes ranked by bm25() with column weights (title 10, speakers
 * 8, track/type/room/tags 4, subtitle/abstract 1); when nothing holds
 * every word, unknown words read as word insides ("zone" in "timezones"),
 * typos ("tiem") or words run together ("timezone"). Speakers are one
 * document each, so a first name of one and a last name of another do
 * not make a person.
 */
#ifndef SCHED_FTS_H
#define SCHED_FTS_H

#include <stddef.h>

#include "sched_model.h"

/*
 * Up to max talks of s for the typed words, best first: an exact title
 * first, then titles holding the whole phrase, then bm25. Returns the
 * count (0 when nothing matches, the schedule is empty or out of memory;
 * a failure is logged to stderr once per index).
 */
size_t sched_fts_search(const struct sched *s, const char *words,
			const struct sched_talk **out, size_t max);

/* Up to max talks with a speaker matching every typed word (as a word
 * prefix, or a typo of one), in schedule order. */
size_t sched_fts_speaker(const struct sched *s, const char *name,
			 const struct sched_talk **out, size_t max);

/* Frees the cached index (at plugin unload; the next search builds anew). */
void sched_fts_release(void);

#endif
