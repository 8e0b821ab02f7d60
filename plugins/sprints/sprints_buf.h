/*
 * sprints_buf — a growable text buffer with a size cap, for replies and the
 * CSV export. Appends after a failure (OOM or cap) are ignored and the
 * failure is sticky, so callers check once at the end.
 */
#ifndef SPRINTS_BUF_H
#define SPRINTS_BUF_H

#include <stddef.h>

typedef struct sprints_buf {
	char *data;   /* NUL-terminated, owned; NULL until the first append */
	size_t len, cap, max;
	int failed;
} sprints_buf;

/* max: the largest length allowed (0 = 16 MiB). */
void sprints_buf_init(sprints_buf *b, size_t max);
void sprints_buf_free(sprints_buf *b);
void sprints_buf_add(sprints_buf *b, const char *s);
void sprints_buf_addn(sprints_buf *b, const char *s, size_t n);
void sprints_buf_addint(sprints_buf *b, long long v);
/* Appends user or stored text for chat: at most max_bytes (cut at a UTF-8
 * boundary, "…" added), control characters and newlines as spaces, bidi
 * overrides dropped, and '@' followed by a zero-width space so nothing can
 * ping even if mentions were enabled. */
void sprints_buf_add_safe(sprints_buf *b, const char *s, size_t max_bytes);
/* Returns the text (borrowed; "" when empty), or NULL after a failure. */
const char *sprints_buf_str(sprints_buf *b);

#endif
