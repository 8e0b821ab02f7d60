/*
 * Text folding for matching: UTF-8 in, lower-case ASCII-ish words out.
 * Accented Latin letters lose their accents ("Amphithéâtre" ->
 * "amphitheatre", "Łódź" -> "lodz", "ß" -> "ss"), emoji, symbols,
 * variation selectors and punctuation become word breaks, runs of
 * breaks collapse to one space, and the result is trimmed. Letters of
 * other scripts are kept (Greek and Cyrillic lower-cased).
 */
#ifndef SCHED_FOLD_H
#define SCHED_FOLD_H

#include <stddef.h>

/* Returns a new folded copy of s (free it), or NULL on out of memory. */
char *sched_fold(const char *s);

/* Folds into buf (always NUL-terminated, truncated on a character
 * boundary); returns the length written. */
size_t sched_fold_into(const char *s, char *buf, size_t len);

/* Decodes one UTF-8 character at *p (advancing it); returns the code
 * point, or -1 for an invalid byte (consumed). */
long sched_fold_utf8(const unsigned char **p);

#endif
