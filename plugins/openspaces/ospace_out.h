/*
 * ospace_out — a growing reply text with a cap. The format of
 * ospace_out_add is always a literal in this plugin; user and stored text
 * goes through ospace_out_text, which makes it safe to show. A failure
 * (out of memory, or the cap) is sticky: check once with ospace_out_str.
 */
#ifndef OSPACE_OUT_H
#define OSPACE_OUT_H

#include <stddef.h>

typedef struct ospace_out {
	char *p;         /* owned, NUL-terminated; NULL until the first append */
	size_t n, cap, max;
	int failed;
} ospace_out;

/* max: the largest length allowed. */
void ospace_out_init(ospace_out *o, size_t max);
void ospace_out_free(ospace_out *o);
void ospace_out_add(ospace_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ospace_out_addn(ospace_out *o, const char *s, size_t n);
/* Appends text from users: at most max_bytes (cut on a UTF-8 boundary,
 * with "…"), control characters as spaces, bidi controls dropped, and a
 * zero-width space after '@' so nothing can ping. */
void ospace_out_text(ospace_out *o, const char *s, size_t max_bytes);
/* The text (borrowed; "" when empty), or NULL after a failure. */
const char *ospace_out_str(const ospace_out *o);

/* A new copy of a topic or reason as typed: whitespace runs and control
 * characters become one space, trimmed, cut at max_bytes on a UTF-8
 * boundary. NULL when out of memory. */
char *ospace_out_clean(const char *s, size_t max_bytes);

#endif
