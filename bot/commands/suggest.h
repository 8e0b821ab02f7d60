/*
 * "Did you mean": the nearest of a set of words by edit distance, for
 * unknown commands, config keys, plugin names and time zones alike.
 */
#ifndef HALLWAY_SUGGEST_H
#define HALLWAY_SUGGEST_H

#include <stddef.h>

/* Candidates longer than this (bytes) are not offered. The distance is
 * the shared one (hw_distance, include/hallway/text.h). */
#define SUGGEST_MAX_LEN 64

/* Collects the best candidate for one word. */
struct suggest {
	const char *word;
	size_t word_len;
	size_t best_dist;
	char best[SUGGEST_MAX_LEN + 1];
};

void suggest_init(struct suggest *s, const char *word);
/* Offers one candidate (copied when it is the best so far). */
void suggest_offer(struct suggest *s, const char *candidate);
/* The best candidate close enough to be a typo of word (at most a third
 * of its length, at least 1, at most 3 edits), or NULL. Borrowed from s. */
const char *suggest_result(const struct suggest *s);

#endif
