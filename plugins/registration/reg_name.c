/*
 * Name matching (see reg_name.h): folded words compared as a multiset,
 * or the folded letters without spaces.
 */
#include "reg_name.h"

#include <stdlib.h>
#include <string.h>

#include <hallway/text.h>

#define MAX_WORDS 16
#define FOLD_MAX (REG_NAME_MAX * 4)

typedef struct words {
	char buf[FOLD_MAX];
	const char *w[MAX_WORDS];
	size_t n;
	char joined[FOLD_MAX]; /* the words without spaces, in written order */
} words;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Folds s into words; 0 when nothing is left or there are too many. */
static int split(const char *s, words *out)
{
	char *p, *save = NULL, *tok;
	size_t used = 0;
	out->n = 0;
	hw_fold_into_ex(s ? s : "", out->buf, sizeof(out->buf), HW_FOLD_DROP_SYMBOLS);
	out->joined[0] = '\0';
	for (p = out->buf; (tok = strtok_r(p, " ", &save)); p = NULL) {
		size_t l = strlen(tok);
		if (out->n == MAX_WORDS || used + l >= sizeof(out->joined))
			return 0;
		out->w[out->n++] = tok;
		memcpy(out->joined + used, tok, l + 1);
		used += l;
	}
	return out->n > 0;
}

static int same_words(words *a, words *b)
{
	if (a->n != b->n)
		return 0;
	qsort(a->w, a->n, sizeof(a->w[0]), cmp_str);
	qsort(b->w, b->n, sizeof(b->w[0]), cmp_str);
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->w[i], b->w[i]))
			return 0;
	return 1;
}

/* The letters without spaces, for scripts written without them: typed
 * joined equals the written name joined, or (two parts) family+given. */
static int same_letters(const words *t, const words *w)
{
	char swapped[FOLD_MAX];
	/* Only when one side was written without spaces: "Ann Alee" is not
	 * "Anna Lee". */
	if (t->n > 1 && w->n > 1)
		return 0;
	if (!strcmp(t->joined, w->joined))
		return 1;
	if (w->n == 2 && strlen(w->joined) < sizeof(swapped)) {
		size_t a = strlen(w->w[0]);
		/* w->joined is w0 + w1 (before sorting, joined was built in order) */
		memcpy(swapped, w->joined + a, strlen(w->joined) - a);
		memcpy(swapped + strlen(w->joined) - a, w->joined, a);
		swapped[strlen(w->joined)] = '\0';
		return !strcmp(t->joined, swapped);
	}
	return 0;
}

int reg_name_equal(const char *typed, const char *written)
{
	words *t = malloc(sizeof(*t)), *w = malloc(sizeof(*w));
	int ok = 0;
	if (t && w && split(typed, t) && split(written, w)) {
		/* letters first: same_words sorts the word pointers */
		ok = same_letters(t, w) || same_words(t, w);
	}
	free(t);
	free(w);
	return ok;
}

int reg_name_matches(const char *typed, const reg_position *pos)
{
	char both[REG_NAME_MAX * 2 + 2];
	if (pos->name[0] && reg_name_equal(typed, pos->name))
		return 1;
	if (pos->given[0] || pos->family[0]) {
		hw_fmt(both, sizeof(both), "%s %s", pos->given, pos->family);
		if (reg_name_equal(typed, both))
			return 1;
	}
	return pos->latin[0] && reg_name_equal(typed, pos->latin);
}
