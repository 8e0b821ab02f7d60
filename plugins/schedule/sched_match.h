/*
 * Forgiving name matching for rooms (and anything else with a short list
 * of names): folded equality, then word-prefix/substring, then edit
 * distance suggestions for near misses.
 */
#ifndef SCHED_MATCH_H
#define SCHED_MATCH_H

#include <stddef.h>

enum sched_match_kind {
	SCHED_MATCH_NONE = 0,    /* nothing close */
	SCHED_MATCH_FOUND = 1,   /* out[] are matches */
	SCHED_MATCH_SUGGEST = 2, /* out[] are near misses to suggest */
};

/*
 * Matches `query` against names[0..n-1]. Writes up to max indices into out
 * (best first) and their count into *nout. Folded-equal names all match
 * (so "Amphithéâtre X" and "Amphithéatre X" are one room); otherwise names
 * containing the query (prefix of a word first); otherwise names within an
 * edit distance of about a third of the query's length.
 */
enum sched_match_kind sched_match(const char *const *names, size_t n, const char *query,
				  size_t *out, size_t max, size_t *nout);


#endif
