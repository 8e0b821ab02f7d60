/*
 * Lenient accessors for JSON loaders: fields that may be missing, null,
 * "", a number where a string was expected, or a pretalx i18n object.
 */
#ifndef SCHED_JSON_H
#define SCHED_JSON_H

#include <jansson.h>

/* The text of v: a string; a number written as text into buf; for an
 * i18n object {"en": ...} the "en" value, else the first string value.
 * Returns a borrowed pointer (into v or buf), or NULL. */
const char *sched_json_text(const json_t *v, char *buf, size_t len);

/* sched_json_text of member key of object o. */
const char *sched_json_get(const json_t *o, const char *key, char *buf, size_t len);

/* Member key as an integer (number, or numeric string); def if absent. */
long long sched_json_int(const json_t *o, const char *key, long long def);

#endif
