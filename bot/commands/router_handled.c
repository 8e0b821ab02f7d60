/*
 * Two daemons (issue 18): a command from the chat or slash door is run
 * once, across a takeover, without being lost.
 *
 * Before it runs, the router asks whether an earlier active daemon handled
 * its message or interaction id (takeover_check). While it runs, its key
 * waits here, unsettled, until one of:
 * - its handler queues a unit of work: the key goes with that unit
 *   (router_take_handled_key, api_db.c) and is written in the same
 *   transaction as the command's effect (store_pg_run);
 * - it wrote nothing: once the invocation is released and its chat
 *   replies went out, takeover_record writes the key;
 * - it is not run here (handled elsewhere, not ours, shutting down).
 * An unsettled key holds the saved Discord session back to before its
 * dispatch (router_unsettled_seq, main.c), so a daemon that dies
 * mid-command leaves it to be replayed to the next one, never half done.
 * A replay of a command whose answer went out but whose key was not yet
 * written is answered again with the same nonce (router.c), which Discord
 * keeps once.
 *
 * The session save, the keys' writes and the units all run one after
 * another on the storage thread, in the order they were queued: a save
 * queued after a key was settled commits after that key.
 */
#include <stdlib.h>
#include <string.h>

#include "hallway.h"
#include "log.h"
#include "router.h"
#include "takeover.h"

struct handled {
	struct handled *next, *prev;
	struct router *r;
	int64_t seq;   /* the dispatch that brought the command */
	int holds;     /* the invocation, and each chat reply in flight */
	int settled;   /* key taken by a unit, or the command not run here */
	int ran;       /* the command runs here */
	char key[TAKEOVER_KEY_MAX];
};

struct handled *handled_new(struct router *r, const char *kind, const char *id, int64_t seq)
{
	struct handled **head = router_handled_list(r);
	struct handled *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	if (takeover_key(h->key, sizeof(h->key), kind, id)) {
		free(h);
		return NULL;
	}
	h->r = r;
	h->seq = seq;
	h->holds = 1;
	h->next = *head;
	if (*head)
		(*head)->prev = h;
	*head = h;
	return h;
}

const char *handled_key(const struct handled *h)
{
	return h->key;
}

void handled_ran(struct handled *h)
{
	if (h)
		h->ran = 1;
}

void handled_settle(struct handled *h)
{
	if (h)
		h->settled = 1;
}

int handled_unsettled(const struct handled *h)
{
	return h && h->ran && !h->settled;
}

void handled_hold(struct handled *h)
{
	if (h)
		h->holds++;
}

static void unlink_free(struct handled *h)
{
	struct handled **head = router_handled_list(h->r);

	if (h->prev)
		h->prev->next = h->next;
	else
		*head = h->next;
	if (h->next)
		h->next->prev = h->prev;
	free(h);
}

void handled_release(struct handled *h)
{
	struct hallway *hw;

	if (!h || --h->holds > 0)
		return;
	hw = router_hallway(h->r);
	if (h->ran && !h->settled) {
		h->settled = 1;
		/* Stopping: not written; Discord replays it to the next active
		 * daemon, whose answer has the same nonce as ours. */
		if (!hw->stopping)
			takeover_record(hw->takeover, h->key);
	}
	unlink_free(h);
}

int64_t router_unsettled_seq(struct router *r)
{
	int64_t low = -1;

	for (struct handled *h = r ? *router_handled_list(r) : NULL; h; h = h->next)
		if (!h->settled && h->seq >= 0 && (low < 0 || h->seq < low))
			low = h->seq;
	return low;
}

void handled_free_all(struct router *r)
{
	struct handled **head = router_handled_list(r), *h, *next;

	for (h = *head; h; h = next) {
		next = h->next;
		free(h);
	}
	*head = NULL;
}
