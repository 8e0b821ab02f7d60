/*
 * hw_buf (lib/buf.c, in hallway_text) — a growable text buffer with a size
 * cap, for replies and exports (sprints, the plan command, help).
 * Appends after a failure (OOM or cap) are ignored and the
 * failure is sticky, so callers check once at the end.
 */
#ifndef HALLWAY_BUF_H
#define HALLWAY_BUF_H

#include <stddef.h>

typedef struct hw_buf {
	char *data;   /* NUL-terminated, owned; NULL until the first append */
	size_t len, cap, max;
	int failed;
} hw_buf;

/* max: the largest length allowed (0 = 16 MiB). */
void hw_buf_init(hw_buf *b, size_t max);
void hw_buf_free(hw_buf *b);
void hw_buf_add(hw_buf *b, const char *s);
void hw_buf_addn(hw_buf *b, const char *s, size_t n);
void hw_buf_addint(hw_buf *b, long long v);
/* Appends printf-style text. fmt is always a literal of the caller's; text
 * from users goes through hw_buf_add_safe. */
void hw_buf_addf(hw_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends user or stored text for chat: at most max_bytes (cut at a UTF-8
 * boundary, "…" added), control characters and newlines as spaces, bidi
 * overrides dropped, and '@' followed by a zero-width space so nothing can
 * ping even if mentions were enabled. */
void hw_buf_add_safe(hw_buf *b, const char *s, size_t max_bytes);
/* Shortens the text to its first len bytes (nothing if it is shorter);
 * a failed buffer stays failed. */
void hw_buf_truncate(hw_buf *b, size_t len);
/* Returns the text (borrowed; "" when empty), or NULL after a failure. */
const char *hw_buf_str(const hw_buf *b);

#endif
