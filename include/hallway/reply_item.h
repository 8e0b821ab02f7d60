/*
 * Helpers for plugins that build reply models (<hallway/reply.h>), in the
 * shared library (lib/reply_item.c): the schedule's answers and announce's
 * starting-soon posts draw a talk the same way, with the same track colour.
 */
#ifndef HALLWAY_REPLY_ITEM_H
#define HALLWAY_REPLY_ITEM_H

#include <stddef.h>

#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A new JSON string of s cut to max bytes on a character boundary (a
 * model's strings have length limits), or NULL for NULL, "" or out of
 * memory. */
json_t *hw_reply_text(const char *s, size_t max);

/* Sets o[key] to hw_reply_text(s, max) when there is one. 0, or -1 out of
 * memory (nothing set for NULL or ""). */
int hw_reply_set_text(json_t *o, const char *key, const char *s, size_t max);

/* 1 for a link a model may carry: hw_url_is_http (the one rule of an
 * http(s) link, <hallway/text.h>), at most HW_REPLY_URL_MAX bytes. The
 * host checks a model's links with it too. */
int hw_reply_is_link(const char *url);

/* The colour of a track ("#rrggbb", a stable pick from a palette by the
 * folded name), or NULL for no track. Borrowed, static. */
const char *hw_reply_colour(const char *track);

#ifdef __cplusplus
}
#endif

#endif
