/*
 * Edit distance for suggestions. Written here rather than taken from a
 * library: none of our dependencies offers one, and the inputs are short
 * (keys, command words, zone names), so a fixed table on the stack does.
 */
#include "suggest.h"

#include <stdio.h>
#include <string.h>

size_t suggest_distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t d[SUGGEST_MAX_LEN + 1][SUGGEST_MAX_LEN + 1];

	if (la > SUGGEST_MAX_LEN || lb > SUGGEST_MAX_LEN)
		return (size_t)-1;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

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
	dist = suggest_distance(s->word, s->word_len, candidate, n);
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
