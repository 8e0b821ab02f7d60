/*
 * The dry runs in flight. A plan is published as "plan.collect"; plugins
 * that answer later hold it (hw_plan_hold_take) and release it with a
 * "plan.answer" event, delivered here through the bus. The plan is drawn
 * when no hold is open, or when its timer runs out: then the log and the
 * organizer are told which plugins did not answer.
 */
#include "plan_book.h"

#include <stdlib.h>

#include <libwebsockets.h>

#include <hallway/plugin.h>

#include "bus.h"
#include "hallway.h"
#include "log.h"
#include "plan_wait.h"

struct plan_pending {
	lws_sorted_usec_list_t sul; /* the timeout */
	struct plan_book *book;
	struct plan_wait *w;
	plan_done_fn done;
	void *ud;
	int publishing;             /* answers during the publish are counted,
				     * the plan is drawn after it */
	struct plan_pending *next;
};

struct plan_book {
	struct hallway *hw;
	struct plan_pending *pending;
	int64_t next_id;
};

static void unlink_pending(struct plan_book *b, struct plan_pending *p)
{
	for (struct plan_pending **pp = &b->pending; *pp; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
}

/* Draws the plan (done) and frees it. */
static void finish(struct plan_pending *p)
{
	json_t *items = plan_wait_items(p->w), *missing = plan_wait_missing(p->w);

	unlink_pending(p->book, p);
	lws_sul_cancel(&p->sul);
	if (!items || !missing)
		LOGE("plan", "plan %lld: out of memory drawing it", (long long)plan_wait_id(p->w));
	p->done(p->ud, items && missing ? items : NULL, missing);
	json_decref(items);
	json_decref(missing);
	plan_wait_free(p->w);
	free(p);
}

static void on_timeout(lws_sorted_usec_list_t *sul)
{
	struct plan_pending *p = lws_container_of(sul, struct plan_pending, sul);
	json_t *missing = plan_wait_missing(p->w), *m;
	size_t i;

	json_array_foreach(missing, i, m)
		if (json_is_null(json_object_get(m, "error")))
			LOGW("plan", "plan %lld: plugin %s did not answer within %d ms; drawn "
			     "without its posts", (long long)plan_wait_id(p->w),
			     json_string_value(json_object_get(m, "plugin")), HW_PLAN_WAIT_MS);
	json_decref(missing);
	finish(p);
}

static void on_answer(void *ud, const char *type, json_t *data)
{
	struct plan_book *b = ud;
	json_int_t id = json_integer_value(json_object_get(data, "plan"));
	struct plan_pending *p;
	(void)type;

	for (p = b->pending; p && plan_wait_id(p->w) != id; p = p->next)
		;
	if (!p || plan_wait_answer(p->w, data)) {
		LOGD("plan", "an answer for plan %lld that no open hold waits for: dropped",
		     (long long)id);
		return;
	}
	if (!p->publishing && !plan_wait_open(p->w))
		finish(p);
}

struct plan_book *plan_book_create(struct hallway *hw)
{
	struct plan_book *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->hw = hw;
	if (bus_subscribe(hw->bus, b, HW_EVENT_PLAN_ANSWER, on_answer, b, NULL)) {
		free(b);
		return NULL;
	}
	return b;
}

int plan_book_collect(struct plan_book *b, int64_t from_ms, int64_t to_ms, plan_done_fn done,
		      void *ud)
{
	struct plan_pending *p = calloc(1, sizeof(*p));
	size_t open;

	if (!p || !(p->w = plan_wait_new(++b->next_id, from_ms, to_ms))) {
		free(p);
		return -1;
	}
	p->book = b;
	p->done = done;
	p->ud = ud;
	p->next = b->pending;
	b->pending = p;
	p->publishing = 1;
	bus_publish(b->hw->bus, HW_EVENT_PLAN_COLLECT, plan_wait_payload(p->w));
	p->publishing = 0;
	if (!(open = plan_wait_open(p->w))) {
		finish(p);
		return 0;
	}
	LOGI("plan", "plan %lld waits for %zu answer%s", (long long)plan_wait_id(p->w), open,
	     open == 1 ? "" : "s");
	lws_sul_schedule(b->hw->lws, 0, &p->sul, on_timeout,
			 (lws_usec_t)HW_PLAN_WAIT_MS * LWS_US_PER_MS);
	return 0;
}

int plan_book_busy(const struct plan_book *b)
{
	return b && b->pending;
}

void plan_book_destroy(struct plan_book *b)
{
	if (!b)
		return;
	while (b->pending) {
		struct plan_pending *p = b->pending;
		b->pending = p->next;
		lws_sul_cancel(&p->sul);
		p->done(p->ud, NULL, NULL);
		plan_wait_free(p->w);
		free(p);
	}
	bus_remove_owner(b->hw->bus, b);
	free(b);
}
