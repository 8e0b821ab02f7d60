/*
 * Fair use: a per-user command budget, so that one user's spam cannot
 * delay everyone else's answers in a channel's rate-limit bucket.
 *
 * Each user has a token bucket per class: `burst` commands at once, then
 * `rate` commands per `window_ms`. A command over budget is refused: the
 * first refusal in a window earns one "slow down" notice, later ones are
 * dropped silently (each notice would be one more message in the very
 * bucket the budget protects). Organizer commands run by organizers and
 * interactions (button presses) have budgets of their own, so an
 * attendee's budget never blocks an organizer's announce and a run of
 * button presses never blocks a command. The console door has no budget.
 */
#ifndef HALLWAY_FAIRUSE_H
#define HALLWAY_FAIRUSE_H

#include <stdint.h>

struct config;
struct fairuse;
struct invocation;

enum fairuse_class {
	FAIRUSE_USER = 0,    /* attendee commands, any door but the console */
	FAIRUSE_ORGANIZER,   /* organizer commands run by an organizer */
	FAIRUSE_INTERACTION, /* message components: button presses, menus */
	FAIRUSE_CLASSES
};

enum fairuse_verdict {
	FAIRUSE_ALLOW = 0,
	FAIRUSE_NOTICE,      /* over budget: refuse with the one notice */
	FAIRUSE_DROP,        /* over budget, notice already given: refuse silently */
};

/* One class's budget; rate 0 turns the budget off for that class. */
struct fairuse_budget {
	int rate;            /* commands per window */
	int burst;           /* bucket size: commands allowed at once (>= 1) */
};

struct fairuse_config {
	struct fairuse_budget budget[FAIRUSE_CLASSES];
	int window_ms;       /* > 0 */
};

/* Returns a new limiter (free with fairuse_destroy), or NULL. cfg: copied. */
struct fairuse *fairuse_create(const struct fairuse_config *cfg);
/* New budgets (SIGHUP); users' buckets keep their state, capped to the
 * new burst. */
void fairuse_configure(struct fairuse *f, const struct fairuse_config *cfg);
void fairuse_destroy(struct fairuse *f);

/* Charges one command of class cls to user_id at monotonic now_ms. NULL f
 * or user_id: always FAIRUSE_ALLOW. */
enum fairuse_verdict fairuse_take(struct fairuse *f, const char *user_id,
				  enum fairuse_class cls, int64_t now_ms);

/* The router's question for one invocation (borrowed; its parsed command,
 * if any, decides the class). Charges it and returns the verdict; on
 * FAIRUSE_NOTICE *notice points at the text to answer with (static). */
enum fairuse_verdict fairuse_check(struct fairuse *f, const struct invocation *inv,
				   const char **notice);

/* The router's hook: fairuse_check, and on FAIRUSE_NOTICE the notice is
 * the invocation's reply (ephemeral on the slash door). Returns 1 when the
 * command may run, 0 when it is refused (answered or dropped). */
int fairuse_admit(struct fairuse *f, struct invocation *inv);

/* Fills cfg from the config's limits.* options. */
void fairuse_config_read(struct fairuse_config *cfg, const struct config *c);

/* Users tracked now (tests, metrics). */
unsigned fairuse_users(const struct fairuse *f);

#endif
