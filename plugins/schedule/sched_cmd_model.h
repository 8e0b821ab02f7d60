/*
 * The schedule's answers as reply models (<hallway/reply.h>, issue 16):
 * no markup, each door draws them. Pure functions of the schedule, the
 * instant and the arguments, like sched_cmd.h.
 */
#ifndef SCHED_CMD_MODEL_H
#define SCHED_CMD_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "sched_model.h"

#define SCHED_MODEL_PAGE 8 /* talks per page of next, now, talk, speaker */

struct sched_answer {
	int64_t now;                    /* Unix seconds */
	const char *const *main_rooms;  /* configured main rooms, first first */
	size_t nmain;
	size_t page_size;               /* 0: SCHED_MODEL_PAGE */
	const json_t *ospaces;          /* the openspaces plugin's board
					 * ("openspaces.board", borrowed), or NULL
					 * when it did not answer (sched_ospaces.h) */
};

/* args: what follows the command: a room or a track word, "track:NAME",
 * "openspaces [room]" (the open spaces of a->ospaces), "page=N". Each
 * returns a new model, or NULL out of memory. Without a filter, next and
 * now say how many open spaces start by the last talk listed (are on). */
json_t *sched_answer_next(const struct sched *s, const struct sched_answer *a, const char *args);
json_t *sched_answer_now(const struct sched *s, const struct sched_answer *a, const char *args);
/* when: as sched_cmd_day; page=N pages through a long day. */
json_t *sched_answer_day(const struct sched *s, const struct sched_answer *a, const char *when);
json_t *sched_answer_talk(const struct sched *s, const struct sched_answer *a, const char *words);
json_t *sched_answer_speaker(const struct sched *s, const struct sched_answer *a,
			     const char *name);

/* One talk as a model item (kind "talk"). New reference or NULL. */
json_t *sched_answer_item(const struct sched *s, const struct sched_talk *t);

#endif
