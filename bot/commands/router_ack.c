/*
 * A slash interaction's initial response and the webhook requests that
 * follow it (the edit of a deferred @original, followups).
 *
 * Discord accepts a webhook request for an interaction only once the
 * interaction has been acknowledged (else 404, 10015 Unknown Webhook). The
 * initial response goes to /interactions/<id>/<token>/callback and the rest
 * to /webhooks/<app>/<token>/...: different REST buckets, so rest.c does
 * not keep them in order. When the callback is held back (a 429, a 5xx
 * retried) a reply written later, e.g. from a kept invocation's done(),
 * would overtake it and be refused: the answer lost (it_test_soak lost
 * /hello answers so). Here a webhook request waits until the initial
 * response has been accepted, then goes out in the order it was asked
 * for; if the initial response failed for good the interaction cannot be
 * answered any more, and the waiting requests are dropped with a log line.
 *
 * While a callback is in flight the invocation holds a reference for it and
 * sits on the router's list, so router_destroy can free it when rest was
 * destroyed without calling back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hallway.h"
#include "log.h"
#include "rest.h"
#include "router.h"

/* One webhook request waiting for the acknowledgement. */
struct ack_held {
	struct ack_held *next;
	char method[8];
	char path[512];
	json_t *payload;  /* owned */
	char *filename;   /* a file upload when set; data owned */
	void *data;
	size_t len;
	const char *what; /* static text for the log */
};

static void held_free(struct ack_held *h)
{
	json_decref(h->payload);
	free(h->filename);
	free(h->data);
	free(h);
}

/* Sends h (stolen) now. */
static void held_send(struct invocation *inv, struct ack_held *h)
{
	struct rest *rest = router_hallway(inv->router)->rest;
	if (h->filename)
		rest_request_file(rest, h->method, h->path, h->payload, h->filename, h->data, h->len,
				  router_log_rest_failure, (void *)h->what);
	else
		rest_request(rest, h->method, h->path, h->payload, router_log_rest_failure, (void *)h->what);
	h->payload = NULL; /* stolen by rest (also when it failed) */
	held_free(h);
}

static void unlink_acking(struct invocation *inv)
{
	struct invocation **pp;
	for (pp = router_acking(inv->router); *pp; pp = &(*pp)->next_acking)
		if (*pp == inv) {
			*pp = inv->next_acking;
			break;
		}
	inv->next_acking = NULL;
}

/* Drops what waits for an acknowledgement that will never come. */
static void drop_held(struct invocation *inv, const char *why)
{
	while (inv->held) {
		struct ack_held *h = inv->held;
		inv->held = h->next;
		LOGW("router", "%s to \"%s\" of user %s dropped: %s", h->what,
		     inv->command ? inv->command : "?", inv->user_id ? inv->user_id : "?", why);
		held_free(h);
	}
}

static void ack_done(void *ud, long status, json_t *body, const char *error)
{
	struct invocation *inv = ud;

	unlink_acking(inv);
	if (status >= 200 && status < 300) {
		inv->ack = ROUTER_ACK_DONE;
		while (inv->held) {
			struct ack_held *h = inv->held;
			inv->held = h->next;
			held_send(inv, h);
		}
	} else {
		inv->ack = ROUTER_ACK_FAILED;
		router_log_rest_failure((void *)inv->ack_what, status, body, error);
		drop_held(inv, "the interaction was never acknowledged");
	}
	invocation_unref(inv);
}

int router_ack_respond(struct invocation *inv, json_t *body, const char *what)
{
	struct router *r = inv->router;
	struct invocation **list = router_acking(r);
	char path[512];

	if (!body)
		return HW_ERR_NOMEM;
	snprintf(path, sizeof(path), "/interactions/%s/%s/callback", inv->interaction_id,
		 inv->interaction_token);
	inv->ack = ROUTER_ACK_SENT;
	inv->ack_what = what;
	invocation_ref(inv);
	inv->next_acking = *list;
	*list = inv;
	if (!rest_request(router_hallway(r)->rest, "POST", path, body, ack_done, inv)) {
		unlink_acking(inv);
		inv->ack = ROUTER_ACK_FAILED;
		invocation_unref(inv);
		return HW_ERR_NOMEM;
	}
	return HW_OK;
}

int router_ack_webhook(struct invocation *inv, const char *method, const char *path,
		       json_t *payload, const char *filename, const void *data, size_t len,
		       const char *what)
{
	struct ack_held *h = calloc(1, sizeof(*h));
	struct ack_held **tail;

	if (!h || (filename && !payload) || (filename && !(h->filename = strdup(filename))) ||
	    (filename && !(h->data = malloc(len ? len : 1)))) {
		json_decref(payload);
		if (h)
			held_free(h);
		return HW_ERR_NOMEM;
	}
	snprintf(h->method, sizeof(h->method), "%s", method);
	snprintf(h->path, sizeof(h->path), "%s", path);
	h->payload = payload;
	if (filename)
		memcpy(h->data, data, len);
	h->len = len;
	h->what = what;
	switch (inv->ack) {
	case ROUTER_ACK_SENT:
		for (tail = &inv->held; *tail; tail = &(*tail)->next)
			;
		*tail = h;
		return HW_OK;
	case ROUTER_ACK_FAILED:
		inv->held = h;
		drop_held(inv, "the interaction was never acknowledged");
		return HW_ERR_UNAVAILABLE;
	default: /* acknowledged, or answered elsewhere before (never by us) */
		held_send(inv, h);
		return HW_OK;
	}
}

void router_ack_free(struct invocation *inv)
{
	struct ack_held *h;
	while ((h = inv->held)) {
		inv->held = h->next;
		held_free(h);
	}
}

void router_ack_destroy(struct router *r)
{
	struct invocation **list = router_acking(r);
	/* rest_destroy() ran first: no acknowledgement will come for these. */
	while (*list) {
		struct invocation *inv = *list;
		*list = inv->next_acking;
		inv->next_acking = NULL;
		invocation_unref(inv);
	}
}
