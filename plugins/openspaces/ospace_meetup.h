/*
 * ospace_meetup — informal gatherings (issue 21): `meetup <when> <where>
 * <what>` for a dinner, a BOF, a walk. The open-space machinery without
 * the grid: any place, any time the shared phrase reader reads
 * ("friday 19:00", "in 20 min", "the 28th 8pm"), one transaction per
 * change committed before the reply, people join for the head count and
 * the DMs, and a new meetup is announced to plugins.openspaces.
 * meetups_channel through the durable outbox (a channel post, lib/
 * dm_outbox.c), so a crash never loses the announcement.
 */
#ifndef OSPACE_MEETUP_H
#define OSPACE_MEETUP_H

#include <stddef.h>
#include <stdint.h>

#include "ospace_db.h"

#include "openspaces.h"
#include "ospace_out.h"

#define OSPACE_PLACE_MAX 100 /* bytes of a stored place */

typedef struct ospace_meetup {
	int64_t id;
	int64_t at;          /* Unix s */
	char place[OSPACE_PLACE_MAX + 8];
	char what[OSPACE_TOPIC_MAX + 8];
	char host_id[32];
	char host_name[OSPACE_USER_NAME_MAX + 8];
	int64_t going;       /* the host and those who joined */
	int cancelled;
} ospace_meetup;

enum ospace_meetup_outcome {
	OSPACE_MEETUP_NEW = 1,
	OSPACE_MEETUP_SAME,      /* a replay of the same meetup by the same host */
	OSPACE_MEETUP_JOINED,
	OSPACE_MEETUP_ALREADY,   /* already joined, or the host */
	OSPACE_MEETUP_LEFT,
	OSPACE_MEETUP_NOT_JOINED,
	OSPACE_MEETUP_CANCELLED,
	OSPACE_MEETUP_NOT_HOST,
	OSPACE_MEETUP_GONE,      /* no such meetup, or called off */
};

/* Splits what follows the time into a place and a topic: "\"Café
 * Lounge\" dinner", "Café Lounge: dinner", "Café Lounge - dinner", a
 * known place at the start (places[], folded compare: the schedule's and
 * the board's rooms), else the first word. A leading "at"/"@" is read.
 * Writes new copies into *place and *what (free both); 0, or -1 out of
 * memory. An empty *what means no topic was given. */
int ospace_meetup_split(const char *text, const char *const *places, size_t nplaces,
			char **place, char **what);

/* Adds a meetup; a replay by the same host (same time, place and topic)
 * answers OSPACE_MEETUP_SAME. When channel is set, the announcement
 * (text made by the caller) is queued in the outbox in the same
 * transaction. *m is the meetup as stored. */
int ospace_meetup_add(ospace_db *db, int64_t at, const char *place, const char *what,
		      const char *user_id, const char *user_name, const char *channel,
		      const char *announcement, int64_t now_ms, enum ospace_meetup_outcome *res,
		      ospace_meetup *m);
int ospace_meetup_join(ospace_db *db, int64_t id, const char *user_id, const char *user_name,
		       int64_t now_ms, enum ospace_meetup_outcome *res, ospace_meetup *m);
int ospace_meetup_leave(ospace_db *db, int64_t id, const char *user_id,
			enum ospace_meetup_outcome *res, ospace_meetup *m);
/* Calls off meetup id (its host, or anyone when host_only is NULL); those
 * who joined get dm (made by the caller) through the outbox. */
int ospace_meetup_cancel(ospace_db *db, int64_t id, const char *host_only, const char *dm,
			 int64_t now_ms, enum ospace_meetup_outcome *res, ospace_meetup *m,
			 int64_t *notified);
/* Calls fn for each meetup not called off that starts at or after from
 * (Unix s), soonest first, at most max; fn returns nonzero to stop. */
int ospace_meetup_list(ospace_db *db, int64_t from, size_t max,
		       int (*fn)(const ospace_meetup *m, void *ud), void *ud);
/* One meetup by id (called off ones too): HW_OK or HW_ERR_NOT_FOUND. */
int ospace_meetup_get(ospace_db *db, int64_t id, ospace_meetup *m);

/* "Fri 27 Nov 19:00 · Café Lounge ☕ · dinner · by Ann" into out. */
void ospace_meetup_fmt(hw_buf *out, const struct hw_tz *tz, const ospace_meetup *m);

/* The commands: meetup, meetups, meetup join/leave/cancel. */
int ospace_meetup_register(ospace *o);

#endif
