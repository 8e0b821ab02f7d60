/*
 * sprints_store — the sprint tables and every write to them.
 *
 * Every function runs inside a unit of work's transaction (tx, on SQLite or
 * PostgreSQL): the caller's done() replies only once it is committed, and a
 * failure anywhere rolls all of it back. Seats are counted inside the
 * transaction (units run one after another); UNIQUE(project, day, user)
 * makes a replayed join a no-op, and triggers refuse a confirmed seat
 * beyond capacity even if the code above them were wrong.
 */
#ifndef SPRINTS_STORE_H
#define SPRINTS_STORE_H

#include <stdint.h>

#include <jansson.h>

#include <hallway/buf.h>
#include <hallway/plugin.h>

/* A project row; every pointer owned (free with sprints_store_project_free). */
typedef struct sprints_project {
	int64_t id;
	char *name, *title, *description, *level, *source;
	int64_t capacity;
	json_t *days, *leads, *links; /* arrays of strings */
} sprints_project;

enum sprints_outcome {
	SPRINTS_CONFIRMED = 1,      /* joined with a seat */
	SPRINTS_WAITLISTED,         /* joined the waitlist */
	SPRINTS_ALREADY_CONFIRMED,  /* join replayed */
	SPRINTS_ALREADY_WAITLISTED,
	SPRINTS_LEFT,               /* gave up a seat */
	SPRINTS_LEFT_WAITLIST,
	SPRINTS_NOT_SIGNED_UP,      /* leave replayed */
};

typedef struct sprints_result {
	enum sprints_outcome outcome;
	int64_t position; /* waitlist position, from 1 */
	int64_t taken, capacity;
	int64_t promoted; /* people moved from the waitlist to a seat */
} sprints_result;

/* The schema steps for api->db_migrate: SQLite's (as stored databases
 * have them since the first version) and PostgreSQL's. */
extern const char *const sprints_store_migrations[];
extern const char *const sprints_store_migrations_pg[];
extern const size_t sprints_store_nmigrations;

/* Loads the active project `id`. HW_OK, HW_ERR_NOT_FOUND, HW_ERR_STORAGE. */
int sprints_store_project(const hw_api *api, hw_tx *tx, int64_t id, sprints_project *out);
void sprints_store_project_free(sprints_project *p);

/* Join or leave `day` ("" for a project without days) of project `id`.
 * Promotions on leave happen in the same transaction and queue a DM in
 * sprints_outbox. HW_ERR_NOT_FOUND if the project was removed meanwhile. */
int sprints_store_join(const hw_api *api, hw_tx *tx, int64_t id, const char *day,
		       const char *user_id, const char *user_name, int64_t now, sprints_result *res);
int sprints_store_leave(const hw_api *api, hw_tx *tx, int64_t id, const char *day,
			const char *user_id, int64_t now, sprints_result *res);

/* Recomputes every project's folded name with the current fold (it moved
 * to the shared one: every script folds case, emoji are words), so names
 * stored by an older build still match. A row whose new fold would clash
 * with another's keeps its old one; *kept counts those. */
int sprints_store_refold(const hw_api *api, hw_tx *tx, int64_t *changed, int64_t *kept);
/* Creates a project. HW_ERR_EXISTS (nothing written) when an active
 * project folds the same. */
int sprints_store_add(const hw_api *api, hw_tx *tx, const char *name, int64_t capacity,
		      json_t *leads, int64_t now, int64_t *id);
/* Applies changes {name,title,description,level,capacity,days,leads,links}
 * (borrowed) and pins the project against feed updates. A raised capacity
 * promotes waiting people. Refuses to drop a day that has signups, or to
 * take another project's name: then HW_ERR_EXISTS with a reason in err
 * (the caller rolls back what was written). */
int sprints_store_edit(const hw_api *api, hw_tx *tx, int64_t id, const json_t *changes,
		       int64_t now, int64_t *promoted, hw_buf *err);
/* Archives the project and its signups. With confirm == 0 and signups
 * present nothing changes and *signed_up says how many there are. */
int sprints_store_remove(const hw_api *api, hw_tx *tx, int64_t id, int confirm, int64_t now,
			 int64_t *signed_up);
/* Upserts project records (borrowed array of {name, title, description,
 * level, capacity, days, leads, links, source_id}) in one transaction.
 * Removed and pinned projects keep their state. Signups change only when
 * a capacity grew: waiting people take the new seats in signup order, and
 * a DM for each is queued in sprints_outbox (*promoted counts them).
 * *added, *updated and *promoted may be NULL. */
int sprints_store_merge(const hw_api *api, hw_tx *tx, const json_t *records, const char *source,
			int64_t now, int64_t *added, int64_t *updated, int64_t *promoted);

#endif
