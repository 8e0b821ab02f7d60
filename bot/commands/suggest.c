/*
 * "Did you mean": the nearest candidate by the shared edit distance
 * (include/hallway/text.h).
 */
#include "suggest.h"

#include <stdio.h>
#include <string.h>

#include <hallway/text.h>

void suggest_init(struct suggest *s, const char *word)
{
	memset(s, 0, sizeof(*s));
	s->word = word ? word : "";
	s->word_len = strlen(s->word);
	s->best_dist = (size_t)-1;
}

void suggest_offer(struct suggest *s, const char *candidate)
{
	size_t n, dist;
	if (!candidate || (n = strlen(candidate)) > SUGGEST_MAX_LEN)
		return;
	dist = hw_distance(s->word, s->word_len, candidate, n);
	if (dist < s->best_dist) {
		s->best_dist = dist;
		snprintf(s->best, sizeof(s->best), "%s", candidate);
	}
}

const char *suggest_result(const struct suggest *s)
{
	size_t limit = s->word_len / 3;
	if (limit < 1)
		limit = 1;
	if (limit > 3)
		limit = 3;
	if (!s->best[0] || s->best_dist == 0 || s->best_dist > limit)
		return NULL;
	return s->best;
}
