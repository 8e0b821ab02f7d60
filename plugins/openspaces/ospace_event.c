/*
 * ospace_event — "openspaces.board": the active open spaces with their
 * instants (include/hallway/events.h), from the copy of the board the
 * screens read (ospace_screen.h), on the bus. Nothing is published before
 * the board has been read: an empty board would tell other plugins that
 * every open space is gone.
 */
#include "ospace_event.h"

#include <hallway/events.h>
#include <hallway/tz.h>

#include "ospace_screen.h"
#include "ospace_store.h"

struct collect {
	const ospace *o;
	json_t *spaces;
	int failed;
	size_t skipped; /* a topic or name JSON cannot carry (not UTF-8) */
};

static int add_space(const ospace_session *s, int64_t start_s, void *ud)
{
	struct collect *c = ud;
	json_t *sp = json_pack("{s:I, s:s, s:s, s:I, s:I, s:s, s:I}", "id", (json_int_t)s->id,
			       "title", s->topic, "room", s->room, "start", (json_int_t)start_s,
			       "end", (json_int_t)(start_s + (int64_t)c->o->board.slot_minutes * 60),
			       "host", s->host_name, "going", (json_int_t)s->going);
	if (!sp) {
		c->skipped++;
		return 0;
	}
	if (json_array_append_new(c->spaces, sp)) {
		c->failed = 1;
		return 1;
	}
	return 0;
}

void ospace_event_publish(ospace *o)
{
	struct collect c = {o, NULL, 0, 0};
	json_t *data = NULL;

	if (!ospace_screen_ready(o))
		return; /* the first read publishes */
	if (!(c.spaces = json_array()))
		goto fail;
	ospace_screen_each(o, add_space, &c);
	if (c.failed || !(data = json_pack("{s:i, s:s, s:O}", "version", HW_OSPACES_BOARD_VERSION,
					    "timezone", hw_tz_name(o->tz), "spaces", c.spaces)))
		goto fail;
	if (c.skipped)
		o->api->log(o->self, HW_LOG_WARN,
			    "openspaces: %zu open space%s left out of the board other plugins see "
			    "(a topic or a name that is not UTF-8)", c.skipped,
			    c.skipped == 1 ? "" : "s");
	o->api->publish(o->self, HW_EVENT_OSPACES_BOARD, data);
	json_decref(data);
	json_decref(c.spaces);
	return;
fail:
	o->api->log(o->self, HW_LOG_WARN,
		    "openspaces: out of memory publishing the board to other plugins; the next "
		    "change publishes it again");
	json_decref(c.spaces);
}

void ospace_event_on_request(hw_plugin *self, const char *type, json_t *data, void *ud)
{
	ospace *o = ud;
	if (hw_event_check(o->api, self, type, data, HW_OSPACES_REQUEST_VERSION))
		ospace_event_publish(o);
}
