/*
 * Questions to the index: `recommend` (FTS5 bm25() over the fields, shaped by
 * the starred-talks profile), `similar` (cosine of TF-IDF vectors), the
 * reasons shown next to each answer, and finding a talk from what a user
 * typed. Pure; the index is borrowed.
 */
#ifndef REC_QUERY_H
#define REC_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "rec_index.h"

/* "Every talk, past or future": a `now` before any schedule. */
#define REC_ALL_TIMES INT64_MIN

struct rec_hit {
	size_t entry;
	long slot;     /* the upcoming slot shown, or -1 when times are ignored */
	float score;
};

struct rec_ask {
	const char *text;        /* the interests; may be NULL or empty */
	const size_t *starred;   /* entries the user starred (profile; excluded) */
	size_t nstarred;
	int64_t now;             /* Unix s: only talks starting later; or REC_ALL_TIMES */
};

/*
 * Up to k best entries for the interests, best first, in hits. With no
 * matching words the profile alone ranks (and with no profile nothing is
 * returned). Returns the count, or -1 on out of memory.
 */
long rec_query_recommend(const struct rec_index *idx, const struct rec_ask *ask,
			 struct rec_hit *hits, size_t k);

/* Up to k entries most like entry `of` (itself excluded), best first.
 * Returns the count, or -1 on out of memory. */
long rec_query_similar(const struct rec_index *idx, size_t of, int64_t now,
		       struct rec_hit *hits, size_t k);

/* Why entry was recommended for text: the user's words it matched, as
 * "a, b" into buf (empty when none). Returns the number of words. */
size_t rec_query_matched(const struct rec_index *idx, const char *text, size_t entry,
			 char *buf, size_t len);

/* Why b is like a: up to three shared words ("parsing, icalendar"). */
size_t rec_query_shared(const struct rec_index *idx, size_t a, size_t b, char *buf,
			size_t len);

/* The starred entry (from starred[]) most like entry, or -1. */
long rec_query_closest(const struct rec_index *idx, size_t entry, const size_t *starred,
		       size_t nstarred);

/* Cosine of two entries' vectors. */
double rec_query_cosine(const struct rec_index *idx, size_t a, size_t b);

/* 1 if every word of the folded query starts a word of the folded title. */
int rec_query_words_prefix(const char *folded_title, const char *folded_query);

/*
 * Finds the talk a user means: a talk id, the exact title, or titles
 * containing every typed word (as word prefixes). Entries with an
 * upcoming slot come first. Writes up to max entry indexes and returns
 * how many matched in all (may exceed max); *exact is set when the match
 * was by id or the full title.
 */
size_t rec_query_find(const struct rec_index *idx, const char *text, int64_t now,
		      size_t *out, size_t max, int *exact);

#endif
