/*
 * sprints_fold — forgiving project names: a case- and accent-insensitive
 * fold of UTF-8 text and an edit distance for "did you mean".
 */
#ifndef SPRINTS_FOLD_H
#define SPRINTS_FOLD_H

#include <stddef.h>

/* Folds UTF-8 `in` into a new string (caller frees), or NULL on OOM:
 * ASCII and Latin-1 Supplement / Latin Extended-A letters lose case and
 * accents (é -> e, Ł -> l, ß -> ss, Œ -> oe), combining marks and invisible
 * format characters (zero-width, bidi marks) are dropped, and runs of
 * spaces and ASCII punctuation become one space, trimmed. Other characters
 * (emoji, CJK) are kept as they are; invalid bytes are dropped. */
char *sprints_fold(const char *in);

/* Levenshtein distance between two byte strings, capped: returns cap + 1
 * as soon as the distance is known to exceed cap. */
size_t sprints_fold_distance(const char *a, const char *b, size_t cap);

/* 1 when `needle` occurs in `hay` starting at a word start. */
int sprints_fold_has_word_prefix(const char *hay, const char *needle);

#endif
