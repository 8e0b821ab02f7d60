/*
 * sprints_query — reading projects by the names people type.
 */
#ifndef SPRINTS_QUERY_H
#define SPRINTS_QUERY_H

#include <stdint.h>

#include <jansson.h>

#include <hallway/buf.h>
#include <hallway/plugin.h>

/* Resolves a typed project name: an exact fold match, else the only
 * project with a word starting with it. HW_OK with *id; HW_ERR_NOT_FOUND
 * with "A, B" (up to 5 near misses or ambiguous matches) appended to
 * suggestions (nothing when none); HW_ERR_STORAGE. */
int sprints_query_resolve(const hw_api *api, hw_tx *tx, const char *typed, int64_t *id,
			  hw_buf *suggestions);

/* Calls fn for up to `max` active project names matching `partial`
 * (empty: all), in name order, from names (the cache of sprints_job.c:
 * [[name, fold], ...], borrowed; NULL before the first read). */
int sprints_query_complete(const json_t *names, const char *partial, size_t max,
			   void (*fn)(const char *name, void *ud), void *ud);

#endif
