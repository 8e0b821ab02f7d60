/*
 * The recommend plugin's state, shared by its modules: the current index
 * (rebuilt on a worker whenever the schedule plugin publishes
 * "schedule.loaded"), the conference time zone, the reminder timer and
 * the DMs in flight. Storage is reached through units of work (db_run via
 * hw_units): bodies run on the host's storage thread and read only the
 * job they are given and p->api; everything else here is the loop's.
 */
#ifndef RECOMMEND_H
#define RECOMMEND_H

#include <stdint.h>

#include <hallway/plugin.h>
#include <hallway/stmt.h>

#include "rec_index.h"

#define REC_RESULTS 5              /* talks per answer */
#define REC_DEFAULT_LEAD_MIN 10    /* reminder minutes before a talk */

struct hw_tz;

/* A reminder DM on its way; owned by the plugin's list until the send
 * callback (or shutdown) frees it. */
struct rec_flight {
	struct rec_flight *next;
	struct rec_plugin *p;
	char *user_id, *talk_id;
	int64_t start_at;
};

struct rec_plugin {
	hw_plugin *self;
	const hw_api *api;
	hw_units *units;           /* owns this struct: freed after the last unit */
	struct rec_index *idx;     /* owned; NULL until the first schedule */
	struct hw_tz *tz;       /* owned; the index's zone (UTC if unknown) */
	uint64_t gen_started;      /* index builds started ... */
	uint64_t gen_installed;    /* ... and the newest one installed */
	int building;              /* an index build is out on a worker ... */
	json_t *pending;           /* ... and the newest schedule that came meanwhile (owned) */
	int64_t lead_s;            /* reminder lead time */
	hw_handle timer;           /* the next reminder check, or 0 */
	int64_t timer_due;         /* its due time (Unix s) */
	int arming;                /* a next-due read is out ... */
	int arm_again;             /* ... and another was asked for meanwhile */
	struct rec_flight *flights;
};

/* The conference clock in Unix seconds. */
int64_t rec_now(struct rec_plugin *p);

/* What a user reads when storage failed: the database is away, or
 * something else went wrong (status from a unit's done). */
const char *rec_storage_text(int status);

/* Registers the commands (rec_cmd.c). */
int rec_cmd_register(struct rec_plugin *p);

/* Reminders (rec_remind.c): recover after a restart, (re)arm the timer to
 * the next due reminder, send what is due, and forget in-flight sends. */
int rec_remind_start(struct rec_plugin *p);
/* HW_EVENT_LEASE_ACTIVE: the same recovery when a standby takes over. */
void rec_remind_on_active(hw_plugin *self, const char *type, json_t *data, void *ud);
void rec_remind_arm(struct rec_plugin *p);
void rec_remind_stop(struct rec_plugin *p);
/* The nonce of a reminder DM: stable for (user, talk, start), <= 25 chars. */
void rec_remind_nonce(const char *user, const char *talk_id, int64_t start_at, char *buf,
		      size_t len);

/* The dry run (rec_plan.c): reminders due, for "plan.collect". */
void rec_plan_on_collect(hw_plugin *self, const char *type, json_t *data, void *ud);

/* Schedule changes (rec_change.c): DMs and stored snapshots. */
void rec_change_apply(struct rec_plugin *p, const json_t *changed);

#endif
