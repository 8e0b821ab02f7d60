/*
 * Fair use: per-user token buckets (see fairuse.h).
 *
 * Levels are kept in integer units where one command costs window_ms: a
 * bucket refills `rate` units per millisecond and holds burst * window_ms,
 * so the arithmetic is exact and needs no floating point.
 *
 * Users live in a small chained hash table. Its size is capped: when the
 * cap is reached, users whose buckets are full again (they would be
 * treated exactly like a newcomer) are swept; if none is, the newcomer is
 * let through untracked rather than refused, so a flood of identities can
 * cost memory up to the cap and no more (and one sweep a second).
 */
#include "fairuse.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "commands.h"
#include "config.h"
#include "log.h"
#include "router.h"

#define FAIRUSE_SLOTS 512
#define FAIRUSE_MAX_USERS 20000
#define FAIRUSE_ID_MAX 64
#define FAIRUSE_SWEEP_MS 1000 /* a full table costs one O(users) sweep a second */

struct fu_bucket {
	int64_t level;     /* units; one command = window_ms units */
	int64_t at_ms;     /* when level was last brought up to date */
	int64_t notice_ms; /* last notice; valid when noticed */
	int noticed;
};

struct fu_user {
	struct fu_user *next;
	struct fu_bucket b[FAIRUSE_CLASSES];
	char id[];
};

struct fairuse {
	struct fairuse_config cfg;
	struct fu_user *slots[FAIRUSE_SLOTS];
	unsigned users;
	int64_t sweep_ms;  /* last sweep; at most one per FAIRUSE_SWEEP_MS */
	int swept;
};

static const char notice_text[] =
	"Slow down, please: you are sending commands faster than I can answer everyone. "
	"I will skip your next ones for a few seconds.";

static void sanitize(struct fairuse_config *c)
{
	if (c->window_ms < 1)
		c->window_ms = 1;
	for (int i = 0; i < FAIRUSE_CLASSES; i++) {
		if (c->budget[i].rate < 0)
			c->budget[i].rate = 0;
		if (c->budget[i].burst < 1)
			c->budget[i].burst = 1;
	}
}

struct fairuse *fairuse_create(const struct fairuse_config *cfg)
{
	struct fairuse *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->cfg = *cfg;
	sanitize(&f->cfg);
	return f;
}

void fairuse_configure(struct fairuse *f, const struct fairuse_config *cfg)
{
	if (!f)
		return;
	f->cfg = *cfg;
	sanitize(&f->cfg);
	/* Levels above the new size are capped when next brought up to date. */
}

void fairuse_destroy(struct fairuse *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < FAIRUSE_SLOTS; i++) {
		while (f->slots[i]) {
			struct fu_user *u = f->slots[i];
			f->slots[i] = u->next;
			free(u);
		}
	}
	free(f);
}

unsigned fairuse_users(const struct fairuse *f)
{
	return f ? f->users : 0;
}

static int64_t capacity(const struct fairuse *f, int cls)
{
	return (int64_t)f->cfg.budget[cls].burst * f->cfg.window_ms;
}

/* Brings b's level up to now (refill, capped at the bucket's size). */
static void refill(const struct fairuse *f, int cls, struct fu_bucket *b, int64_t now_ms)
{
	int64_t cap = capacity(f, cls), elapsed = now_ms - b->at_ms;

	if (elapsed > 0) {
		/* Past a full refill the product could only overflow. */
		if (elapsed >= f->cfg.window_ms * (int64_t)f->cfg.budget[cls].burst)
			b->level = cap;
		else
			b->level += elapsed * f->cfg.budget[cls].rate;
		b->at_ms = now_ms;
	}
	if (b->level > cap)
		b->level = cap;
}

/* A user whose every bucket is full and whose notice is old is exactly a
 * newcomer: forgetting them changes nothing. */
static int idle(const struct fairuse *f, struct fu_user *u, int64_t now_ms)
{
	for (int c = 0; c < FAIRUSE_CLASSES; c++) {
		struct fu_bucket *b = &u->b[c];

		refill(f, c, b, now_ms);
		if (b->level < capacity(f, c) ||
		    (b->noticed && now_ms - b->notice_ms < f->cfg.window_ms))
			return 0;
	}
	return 1;
}

static void sweep(struct fairuse *f, int64_t now_ms)
{
	for (size_t i = 0; i < FAIRUSE_SLOTS; i++) {
		struct fu_user **pp = &f->slots[i];

		while (*pp) {
			struct fu_user *u = *pp;
			if (idle(f, u, now_ms)) {
				*pp = u->next;
				free(u);
				f->users--;
			} else {
				pp = &u->next;
			}
		}
	}
}

static size_t slot_of(const char *id)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 16777619u;
	return h % FAIRUSE_SLOTS;
}

/* The user's record, created full on first sight; NULL when the table is
 * full of active users (or out of memory). */
static struct fu_user *find_user(struct fairuse *f, const char *id, int64_t now_ms)
{
	size_t slot = slot_of(id), len = strlen(id);
	struct fu_user *u;

	for (u = f->slots[slot]; u; u = u->next)
		if (!strcmp(u->id, id))
			return u;
	if (f->users >= FAIRUSE_MAX_USERS &&
	    (!f->swept || now_ms - f->sweep_ms >= FAIRUSE_SWEEP_MS)) {
		sweep(f, now_ms);
		f->swept = 1;
		f->sweep_ms = now_ms;
	}
	if (f->users >= FAIRUSE_MAX_USERS)
		return NULL;
	if (!(u = calloc(1, sizeof(*u) + len + 1)))
		return NULL;
	memcpy(u->id, id, len + 1);
	for (int c = 0; c < FAIRUSE_CLASSES; c++) {
		u->b[c].level = capacity(f, c);
		u->b[c].at_ms = now_ms;
	}
	u->next = f->slots[slot];
	f->slots[slot] = u;
	f->users++;
	return u;
}

enum fairuse_verdict fairuse_take(struct fairuse *f, const char *user_id,
				  enum fairuse_class cls, int64_t now_ms)
{
	struct fu_user *u;
	struct fu_bucket *b;

	if (!f || !user_id || cls < 0 || cls >= FAIRUSE_CLASSES || !f->cfg.budget[cls].rate ||
	    strlen(user_id) > FAIRUSE_ID_MAX)
		return FAIRUSE_ALLOW;
	if (!(u = find_user(f, user_id, now_ms)))
		return FAIRUSE_ALLOW; /* fail open: see the top of the file */
	b = &u->b[cls];
	refill(f, cls, b, now_ms);
	if (b->level >= f->cfg.window_ms) {
		b->level -= f->cfg.window_ms;
		return FAIRUSE_ALLOW;
	}
	if (b->noticed && now_ms - b->notice_ms < f->cfg.window_ms)
		return FAIRUSE_DROP;
	b->noticed = 1;
	b->notice_ms = now_ms;
	return FAIRUSE_NOTICE;
}

enum fairuse_verdict fairuse_check(struct fairuse *f, const struct invocation *inv,
				   const char **notice)
{
	enum fairuse_class cls = FAIRUSE_USER;
	enum fairuse_verdict v;

	*notice = NULL;
	if (!f || !inv || inv->pub.door == HW_DOOR_CONSOLE)
		return FAIRUSE_ALLOW;
	if (inv->args.cmd && inv->args.cmd->perm == HW_PERM_ORGANIZER && inv->pub.is_organizer)
		cls = FAIRUSE_ORGANIZER;
	v = fairuse_take(f, inv->user_id, cls, clock_mono_ms());
	if (v == FAIRUSE_NOTICE)
		*notice = notice_text;
	return v;
}

int fairuse_admit(struct fairuse *f, struct invocation *inv)
{
	const char *notice;
	enum fairuse_verdict v = fairuse_check(f, inv, &notice);
	hw_message m = {.struct_size = sizeof(m), .content = notice, .ephemeral = 1};

	if (v == FAIRUSE_ALLOW)
		return 1;
	LOGD("fairuse", "user %s over budget: %s", inv->user_id,
	     v == FAIRUSE_NOTICE ? "notice" : "dropped");
	if (v == FAIRUSE_NOTICE && router_reply(inv, &m) != HW_OK)
		LOGW("fairuse", "cannot send the slow-down notice to user %s", inv->user_id);
	return 0;
}

void fairuse_config_read(struct fairuse_config *cfg, const struct config *c)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->window_ms = c->user_window_ms;
	cfg->budget[FAIRUSE_USER].rate = c->user_commands;
	cfg->budget[FAIRUSE_USER].burst = c->user_burst;
	cfg->budget[FAIRUSE_ORGANIZER].rate = c->organizer_commands;
	cfg->budget[FAIRUSE_ORGANIZER].burst = c->organizer_commands;
	cfg->budget[FAIRUSE_INTERACTION].rate = c->interactions;
	cfg->budget[FAIRUSE_INTERACTION].burst = c->interactions;
}
