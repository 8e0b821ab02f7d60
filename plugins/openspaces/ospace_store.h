/*
 * ospace_store — the open-space tables and every write to them.
 *
 * Each function runs inside a unit of work's transaction (ospace_job.h),
 * committed before the caller's answer is sent. One active open space per
 * (day, slot, room) is a partial UNIQUE index on both engines: however
 * many processes, daemons or retries ask at once, one INSERT ... ON
 * CONFLICT DO NOTHING takes the cell and the others find it taken. DMs
 * owed by a change (a move, a removal) are queued in openspaces_outbox
 * inside the same transaction.
 */
#ifndef OSPACE_STORE_H
#define OSPACE_STORE_H

#include <stdint.h>

#include "ospace_db.h"

#include "openspaces.h"
#include "ospace_out.h"

/* One open space as stored; fixed sizes, no ownership. */
typedef struct ospace_session {
	int64_t id;
	char day[11];
	char slot[6];
	char room[128];
	char topic[OSPACE_TOPIC_MAX + 8];
	char host_id[32];
	char host_name[OSPACE_USER_NAME_MAX + 8];
	int64_t capacity; /* head count limit, 0 = none */
	int64_t going;    /* the host and those who joined */
} ospace_session;

enum ospace_outcome {
	OSPACE_TOOK = 1,      /* the slot is yours */
	OSPACE_ALREADY_YOURS, /* a replay: you already have it */
	OSPACE_TAKEN,         /* someone else has that room then (*session) */
	OSPACE_FULL,          /* every room is taken or held then */
	OSPACE_HELD,          /* that room is held back then */
	OSPACE_HOST_BUSY,     /* you host another open space then (*session) */
	OSPACE_JOINED,
	OSPACE_ALREADY_JOINED,
	OSPACE_IS_HOST,
	OSPACE_ROOM_FULL,
	OSPACE_LEFT,
	OSPACE_NOT_JOINED,
	OSPACE_MOVED,
	OSPACE_ENDED,
	OSPACE_NOT_HOST,
	OSPACE_GONE,          /* no such active open space */
};

/* Builds the DM sent about s (the state after the change) into out. */
typedef void (*ospace_store_dm_fn)(const ospace_session *s, void *ud, hw_buf *out);

/* The schema steps for api->db_migrate on the engine in use (*n of them):
 * the same versions on both engines. */
const char *const *ospace_store_migrations(const hw_api *api, hw_plugin *self, size_t *n);

/* Takes (day, slot) in `room`, or in the first free room when room < 0.
 * topic: cleaned text. *s is the session taken (or the one in the way). */
int ospace_store_propose(ospace_db *db, const ospace_board *b, size_t day, size_t slot, long room,
			 const char *topic, const char *user_id, const char *user_name,
			 int64_t now, enum ospace_outcome *res, ospace_session *s);
/* Interest in open space id (a seat when its room has a capacity). */
int ospace_store_join(ospace_db *db, int64_t id, const char *user_id, const char *user_name,
		      int64_t now, enum ospace_outcome *res, ospace_session *s);
int ospace_store_leave(ospace_db *db, int64_t id, const char *user_id, enum ospace_outcome *res,
		       ospace_session *s);
/* Ends open space id: host_only (the caller's user id) refuses anyone
 * else (OSPACE_NOT_HOST); reason is stored. dm (may be NULL) is queued
 * for every joiner, and for the host when notify_host. *notified counts. */
int ospace_store_end(ospace_db *db, int64_t id, const char *host_only, const char *reason,
		     int notify_host, ospace_store_dm_fn dm, void *ud, int64_t now,
		     enum ospace_outcome *res, ospace_session *s, int64_t *notified);
/* Moves open space id to (day, slot, room); room < 0 keeps its room if
 * free there, else the first free room. Host and joiners get dm. */
int ospace_store_move(ospace_db *db, const ospace_board *b, int64_t id, size_t day, size_t slot,
		      long room, ospace_store_dm_fn dm, void *ud, int64_t now,
		      enum ospace_outcome *res, ospace_session *s, int64_t *notified);

#endif
