/*
 * The organizers' dry run: what the bot will post, where and when, over a
 * window (the `plan` command, and `hallway --plan`). The host asks every
 * plugin through the "plan.collect" event (include/hallway/plugin.h) and
 * waits for the late answers (bot/plan_book.c).
 */
#ifndef HALLWAY_PLAN_H
#define HALLWAY_PLAN_H

#include <stdint.h>

#include <jansson.h>

struct hallway;
struct router;

#define PLAN_DEFAULT_HOURS 24
#define PLAN_MAX_LINES 60

/* Registers the organizer command "plan". Returns 0 or -1. */
int plan_register(struct router *r);
/* Reads the command's arguments: none (now, 24 h), "<hours>h" or
 * "<hours>", or two ISO-8601 instants. Returns 0, or -1 with why set. */
int plan_parse_window(const char *a, const char *b, int64_t now_ms, int64_t *from_ms,
		      int64_t *to_ms, char *why, size_t whylen);

#endif
