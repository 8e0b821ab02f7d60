/*
 * The dry runs being collected (bot/plan_book.c): each `plan` asks the
 * plugins through "plan.collect", waits for the holds some of them take
 * (answers that need db_run) and is drawn when the last one is released
 * or after HW_PLAN_WAIT_MS, never later.
 */
#ifndef HALLWAY_PLAN_BOOK_H
#define HALLWAY_PLAN_BOOK_H

#include <stdint.h>

#include <jansson.h>

struct hallway;
struct plan_book;

/* The plan is drawn: items (sorted, in the window) and missing (the
 * plugins whose posts are not in it, see plan_wait_missing), both
 * borrowed. items is NULL when the plan was dropped (the bot stops, or
 * out of memory): free ud, answer nobody. */
typedef void (*plan_done_fn)(void *ud, json_t *items, json_t *missing);

/* Subscribes to "plan.answer" on hw's bus. NULL out of memory. */
struct plan_book *plan_book_create(struct hallway *hw);
/* Asks for the posts due in [from_ms, to_ms). done comes exactly once:
 * inside this call when no plugin took a hold, else later on the loop.
 * Returns 0, or -1 out of memory (done does not come then). */
int plan_book_collect(struct plan_book *b, int64_t from_ms, int64_t to_ms, plan_done_fn done,
		      void *ud);
/* 1 while a plan waits for answers (the console waits for it). */
int plan_book_busy(const struct plan_book *b);
/* Drops the plans still waiting (their done gets items NULL). */
void plan_book_destroy(struct plan_book *b);

#endif
