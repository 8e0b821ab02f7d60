/*
 * Talk search through SQLite FTS5 (issue 13): an in-memory index of the
 * loaded schedule, built on the first question about it and kept while
 * that schedule is the one asked about (a cache: nothing is stored).
 *
 * Words are matched as word prefixes by the `unicode61 remove_diacritics
 * 2` tokenizer over the folded fields (title, speakers, track/type/room/
 * tags, subtitle/abstract) and ranked by bm25() with column weights. A
 * word no talk has is read, in this order, as the inside of a longer word
 * (the `trigram` tokenizer over the index's vocabulary: "zone" in
 * "timezones"), as a typo of a known word ("tiem" for "time"; candidates
 * by shared trigrams, or of a close length for short words, then the
 * shared edit distance), or as two words run together ("timezone" for
 * "time zones"). Every typed word must match somewhere.
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
