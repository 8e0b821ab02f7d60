/*
 * Speakers opt in to being mentioned in their talks' starting-soon posts
 * (`registration mention on|off`, off until they say so), and the set of
 * those who did goes to the other plugins as "registration.speakers"
 * (include/hallway/events.h): published after the first read at start,
 * whenever a read finds it changed (an opt-in, a new or renamed speaker),
 * and in answer to "registration.request" from a plugin that starts later.
 * The announce plugin matches the names against its talks' speakers.
 *
 * The opt-in is a column of registration_speaker, so it survives a
 * restart and goes with the speaker binding.
 */
#include <stdlib.h>
#include <string.h>

#include <hallway/events.h>
#include <hallway/text.h>

#include "registration.h"

/* ---- the published set ---- */

struct readjob {
	json_t *set; /* [{"name", "user_id"}], filled by the body */
};

static void readjob_free(void *p)
{
	struct readjob *j = p;
	if (!j)
		return;
	json_decref(j->set);
	free(j);
}

static int read_body(void *ctx, hw_tx *tx, void *p)
{
	reg *r = ctx;
	struct readjob *j = p;
	hw_stmt *st = hw_sql(r->api, tx, "SELECT name, user_id FROM registration_speaker"
			      " WHERE mention = 1 AND name <> '' ORDER BY user_id", NULL);
	int rc;
	if (!st)
		return HW_ERR_STORAGE;
	json_array_clear(j->set); /* a retried body starts afresh */
	while ((rc = r->api->db_step(st)) == HW_ROW)
		if (json_array_append_new(j->set, json_pack("{s:s, s:s}", "name", hw_sql_col(r->api, st, 0),
							    "user_id", hw_sql_col(r->api, st, 1)))) {
			while (r->api->db_step(st) == HW_ROW)
				;
			return HW_ERR_NOMEM;
		}
	return rc == HW_DONE ? HW_OK : rc < 0 ? rc : HW_ERR_STORAGE;
}

static void publish(reg *r)
{
	json_t *data = hw_event_new(HW_REG_SPEAKERS_VERSION);
	if (!data || json_object_set(data, "speakers", r->speakers_pub)) {
		json_decref(data);
		r->api->log(r->self, HW_LOG_ERROR, "registration: out of memory publishing speakers");
		return;
	}
	r->api->publish(r->self, HW_EVENT_REG_SPEAKERS, data);
	json_decref(data);
}

static void read_done(void *ctx, int status, void *p)
{
	reg *r = ctx;
	struct readjob *j = p;
	r->speakers_reading = 0;
	if (status != HW_OK) {
		r->api->log(r->self, HW_LOG_WARN, "registration: cannot read the speakers who want "
			    "mentions (%d); trying again at the next change", status);
	} else if (!r->speakers_pub || !json_equal(r->speakers_pub, j->set)) {
		json_decref(r->speakers_pub);
		r->speakers_pub = j->set;
		j->set = NULL;
		publish(r);
	}
	readjob_free(j);
	if (r->speakers_again) {
		r->speakers_again = 0;
		reg_mention_refresh(r);
	}
}

void reg_mention_refresh(reg *r)
{
	struct readjob *j;
	if (hw_units_stopping(r->units))
		return;
	if (r->speakers_reading) {
		r->speakers_again = 1; /* the read in flight may predate the change */
		return;
	}
	if (!(j = calloc(1, sizeof(*j))) || !(j->set = json_array())) {
		free(j);
		r->api->log(r->self, HW_LOG_ERROR, "registration: out of memory reading speakers");
		return;
	}
	r->speakers_reading = 1;
	if (hw_units_run(r->units, read_body, read_done, readjob_free, j))
		r->speakers_reading = 0; /* j was freed; the next change tries again */
}

static void on_request(hw_plugin *self, const char *type, json_t *data, void *ud)
{
	reg *r = ud;
	if (!hw_event_check(r->api, self, type, data, HW_REG_REQUEST_VERSION))
		return;
	if (r->speakers_pub)
		publish(r);
	else
		reg_mention_refresh(r); /* the first read publishes */
}

/* ---- registration mention on|off ---- */

struct mjob {
	reg *r;
	const hw_invocation *inv; /* kept */
	int on, changed;
	char user_id[32];
	char text[400];
};

static void mjob_free(void *p)
{
	struct mjob *j = p;
	if (!j)
		return;
	if (!hw_units_stopping(j->r->units)) /* after that, the host's sweep releases it */
		j->r->api->invocation_release(j->r->self, j->inv);
	free(j);
}

static int mention_body(void *ctx, hw_tx *tx, void *p)
{
	reg *r = ctx;
	struct mjob *j = p;
	hw_stmt *st = hw_sql(r->api, tx, "SELECT name, mention FROM registration_speaker"
			      " WHERE user_id = ?", "t", j->user_id);
	char name[201];
	int64_t was;
	int rc;
	if (!st)
		return HW_ERR_STORAGE;
	if ((rc = r->api->db_step(st)) != HW_ROW) {
		if (rc != HW_DONE)
			return rc < 0 ? rc : HW_ERR_STORAGE;
		hw_fmt(j->text, sizeof(j->text), "You are not a speaker here yet: claim it with "
		       "`registration claim <code>` (the code of your pretalx speaker page), or ask "
		       "an organizer.");
		return HW_OK;
	}
	hw_fmt(name, sizeof(name), "%s", hw_sql_col(r->api, st, 0));
	was = r->api->db_col_int(st, 1);
	while (r->api->db_step(st) == HW_ROW)
		;
	if (was != j->on &&
	    (rc = hw_sql_exec(r->api, tx, "UPDATE registration_speaker SET mention = ? WHERE user_id = ?",
			   "it", (int64_t)j->on, j->user_id)))
		return rc;
	j->changed = was != j->on;
	if (j->on)
		hw_fmt(j->text, sizeof(j->text), "Done: the starting-soon posts of talks by \"%s\" "
		       "will mention you. `registration mention off` stops it.", name);
	else
		hw_fmt(j->text, sizeof(j->text), "Done: the starting-soon posts of your talks name "
		       "you without a mention.");
	return HW_OK;
}

static void mention_done(void *ctx, int status, void *p)
{
	reg *r = ctx;
	struct mjob *j = p;
	hw_message m = {.struct_size = sizeof(m), .ephemeral = 1,
			.content = status == HW_OK ? j->text
						   : "Sorry, I could not save that; please try "
						     "again in a minute."};
	r->api->reply_message(r->self, j->inv, &m);
	if (status == HW_OK && j->changed)
		reg_mention_refresh(r);
	mjob_free(j);
}

static int cmd_mention(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	reg *r = ud;
	const char *state = reg_arg(r, inv, "state");
	struct mjob *j;
	int on;
	if (state && (!strcmp(state, "on") || !strcmp(state, "yes")))
		on = 1;
	else if (state && (!strcmp(state, "off") || !strcmp(state, "no")))
		on = 0;
	else
		return r->api->reply(self, inv, "Say `registration mention on` or `registration "
				     "mention off`.");
	if (!(j = calloc(1, sizeof(*j))))
		return HW_ERR_NOMEM;
	j->r = r;
	j->on = on;
	hw_fmt(j->user_id, sizeof(j->user_id), "%s", inv->user_id ? inv->user_id : "");
	if (!(j->inv = r->api->invocation_keep(self, inv))) {
		free(j);
		return HW_ERR_PLUGIN;
	}
	return hw_units_run(r->units, mention_body, mention_done, mjob_free, j) ? HW_ERR_UNAVAILABLE : HW_OK;
}

static const hw_arg_spec mention_args[] = {
	{.name = "state", .type = HW_ARG_STRING, .required = 1, .description = "on or off"},
};

int reg_mention_add(reg *r)
{
	hw_command_spec spec = {
		.struct_size = sizeof(spec),
		.name = "registration mention",
		.summary = "Speakers: be mentioned in your talks' starting-soon posts (on|off)",
		.help = "registration mention on|off: off by default. On, the starting-soon post of "
			"each of your talks mentions you next to it; off, it names you without a "
			"ping.",
		.perm = HW_PERM_EVERYONE,
		.args = mention_args,
		.nargs = 1,
		.fn = cmd_mention,
		.ud = r,
	};
	int rc = r->api->command_add(r->self, &spec);
	if (!rc)
		rc = r->api->subscribe(r->self, HW_EVENT_REG_REQUEST, on_request, r);
	if (!rc)
		reg_mention_refresh(r);
	return rc;
}

void reg_mention_stop(reg *r)
{
	json_decref(r->speakers_pub);
	r->speakers_pub = NULL;
}
