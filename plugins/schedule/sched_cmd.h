/*
 * What each command answers, as text: pure functions of the schedule,
 * the instant and the arguments, so they are tested without a host.
 * s may be NULL ("no schedule loaded yet"). Every function fills r (at
 * least one message) and returns 0 or SCHED_ERR_NOMEM.
 */
#ifndef SCHED_CMD_H
#define SCHED_CMD_H

#include <stdint.h>

#include "sched_model.h"
#include "sched_render.h"

/* Most talks listed by next/now/talk/speaker, and most messages a day's
 * programme may take. */
#define SCHED_CMD_MAX_TALKS 8
#define SCHED_CMD_MAX_DAY_MSGS 6

int sched_cmd_next(const struct sched *s, int64_t now, const char *room, struct sched_reply *r);
int sched_cmd_now(const struct sched *s, int64_t now, const char *room, struct sched_reply *r);
/* when: "today", "sat", "2026-11-27", ...; optional room words after. */
int sched_cmd_day(const struct sched *s, int64_t now, const char *when, struct sched_reply *r);
int sched_cmd_talk(const struct sched *s, const char *words, struct sched_reply *r);
int sched_cmd_speaker(const struct sched *s, const char *name, struct sched_reply *r);
int sched_cmd_rooms(const struct sched *s, struct sched_reply *r);

#endif
