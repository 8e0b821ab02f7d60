/*
 * ospace_out — cleaning what people type before it is stored. Reply text
 * is an hw_buf (<hallway/buf.h>): formats are literals of this plugin, and
 * user and stored text goes through hw_buf_add_safe, which makes it safe to
 * show. A failure (out of memory, or the cap) is sticky: check once with
 * hw_buf_str.
 */
#ifndef OSPACE_OUT_H
#define OSPACE_OUT_H

#include <stddef.h>

#include <hallway/buf.h>

/* A new copy of a topic or reason as typed: whitespace runs and control
 * characters become one space, trimmed, cut at max_bytes on a UTF-8
 * boundary. NULL when out of memory. */
char *ospace_out_clean(const char *s, size_t max_bytes);

#endif
