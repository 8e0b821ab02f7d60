/*
 * ospace_query — reading the board back: one open space, the grid of a
 * day, what a user hosts and joined, the taken cells for nearest-free
 * offers, and open spaces by typed topic or id.
 */
#ifndef OSPACE_QUERY_H
#define OSPACE_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "ospace_db.h"

#include "ospace_store.h"

/* The active open space `id` into *s: HW_OK, HW_ERR_NOT_FOUND, HW_ERR_STORAGE. */
int ospace_query_session(ospace_db *db, int64_t id, ospace_session *s);

/* Calls fn for each active open space of a kind, ordered by day, slot and
 * room order of the config (rooms unknown to config last). fn returns 0
 * to go on. */
typedef int (*ospace_query_fn)(const ospace_session *s, void *ud);
int ospace_query_day(ospace_db *db, const char *day, ospace_query_fn fn, void *ud);
int ospace_query_hosted(ospace_db *db, const char *user_id, ospace_query_fn fn, void *ud);
int ospace_query_joined(ospace_db *db, const char *user_id, ospace_query_fn fn, void *ud);
int ospace_query_all(ospace_db *db, ospace_query_fn fn, void *ud);

/* The cells of the board that are taken: taken[(day * nslots + slot) *
 * nrooms + room] = 1 (the caller allocates ndays * nslots * nrooms). */
int ospace_query_taken(ospace_db *db, const ospace_board *b, unsigned char *taken);

/* Open spaces that the typed text names: "#12" or "12" (that id), else
 * topics that fold equal, else topics it starts a word of. Up to max ids
 * into ids; *n how many matched in all. */
int ospace_query_find(ospace_db *db, const char *typed, int64_t *ids, size_t max, size_t *n);

/* Reads "#12" or "12" as an id; 0 when it is not one. */
int64_t ospace_query_id(const char *typed);

#endif
