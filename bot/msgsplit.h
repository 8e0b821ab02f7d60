/*
 * Pure message splitting for Discord's 2000-character content limit.
 * "Characters" are Unicode code points, counted in valid UTF-8. No I/O, no
 * allocation except msgsplit_sanitize().
 *
 *   char *s = msgsplit_sanitize(text, strlen(text), &len);
 *   size_t pos = 0, off, n;
 *   while (msgsplit_next(s, len, 2000, &pos, &off, &n))
 *           send(s + off, n);
 *   free(s);
 */
#ifndef HALLWAY_MSGSPLIT_H
#define HALLWAY_MSGSPLIT_H

#include <stddef.h>

#define MSGSPLIT_DISCORD_MAX 2000

/* Returns a new NUL-terminated copy of text[0, len) (free() it) that is valid
 * UTF-8: NUL bytes and C0 control characters other than tab, LF and CR (and
 * DEL) are removed, and each invalid byte becomes U+FFFD. *out_len receives
 * the byte length. NULL when out of memory. */
char *msgsplit_sanitize(const char *text, size_t len, size_t *out_len);

/* Number of code points in valid UTF-8 s[0, len). */
size_t msgsplit_count(const char *s, size_t len);

/* The next part of valid UTF-8 text[0, len), starting at *pos (0 at first).
 * Returns 1 and sets *part_off and *part_len (byte range, at most max_chars code
 * points) and advances *pos, or returns 0 when nothing is left.
 *
 * A part ends, in order of preference, at the last line break that fits (the
 * break, and a CR before it, is dropped), else at the last space or tab that
 * fits (one dropped), else after max_chars code points, moved back so that a
 * combining mark, variation selector, zero width joiner or emoji modifier
 * stays with its base character where possible. A part never ends inside a
 * UTF-8 sequence. Parts that would be empty or only whitespace are skipped.
 * Concatenating the parts in order gives the text minus the dropped
 * separators. */
int msgsplit_next(const char *text, size_t len, size_t max_chars, size_t *pos,
		  size_t *part_off, size_t *part_len);

#endif
