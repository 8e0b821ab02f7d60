/*
 * sprints_job — every command as one unit of work, and the caches the loop
 * answers from without waiting for storage.
 *
 * A command keeps its invocation and queues a unit (hw_units_run): the body
 * runs on the host's storage thread in one transaction, on SQLite or
 * PostgreSQL, and writes the answer into the job; done() runs on the loop
 * once the transaction is committed and sends it. So every answer
 * describes committed state, and the loop never waits on the database.
 * When the unit fails (the database away, a failed commit) nothing was
 * written, and the answer says so plainly instead.
 *
 * Autocomplete and the organizer page's rosters must answer at once, on
 * the loop: they read caches (s->names, s->rosters). A unit that changed
 * something reads them again in its own transaction, so they are new by
 * the time its answer goes out; a refresh unit reads them at start and
 * every SPRINTS_REFRESH_MS, for changes made elsewhere (another daemon on
 * the same PostgreSQL database).
 */
#include <stdlib.h>
#include <string.h>

#include <hallway/dm_outbox.h>

#include "sprints.h"
#include "sprints_web.h"

#define SPRINTS_JOB_TEXT_MAX 16000
#define SPRINTS_JOB_FILE_MAX ((size_t)8 << 20)
#define SPRINTS_REFRESH_MS 30000

static const char sprints_job_unavailable[] =
	"Sprint signups are unavailable right now: the database cannot be reached. Nothing was "
	"changed; please try again in a moment.";
static const char sprints_job_failed[] =
	"Sorry, that could not be saved, so nothing was changed. Please try again.";

int sprints_reply(sprints_job *j, const char *text)
{
	j->text.len = 0;
	j->text.failed = 0;
	if (j->text.data)
		j->text.data[0] = '\0';
	hw_buf_add(&j->text, text ? text : "");
	return HW_OK;
}

/* Frees the job, never touching the API (it may come after unload, when
 * the host has swept the kept invocation itself). */
static void sprints_job_free(void *arg)
{
	sprints_job *j = arg;
	if (!j)
		return;
	hw_buf_free(&j->text);
	hw_buf_free(&j->file);
	json_decref(j->model);
	json_decref(j->names);
	json_decref(j->rosters);
	free(j);
}

/* Inside a unit: the caches as they are in tx (new references). */
static int sprints_read_caches(sprints *s, hw_tx *tx, json_t **names, json_t **rosters)
{
	hw_stmt *st = hw_sql(s->api, tx,
			     "SELECT name, fold FROM sprints_projects WHERE removed_ms IS NULL"
			     " ORDER BY name",
			     NULL);
	int rc;

	if (!st || !(*names = json_array()))
		return HW_ERR_STORAGE;
	while ((rc = s->api->db_step(st)) == HW_ROW)
		json_array_append_new(*names, json_pack("[ss]", hw_sql_col(s->api, st, 0),
							hw_sql_col(s->api, st, 1)));
	if (rc != HW_DONE)
		return rc < 0 ? rc : HW_ERR_STORAGE;
	*rosters = sprints_web_rosters(s, tx);
	return *rosters ? HW_OK : HW_ERR_STORAGE;
}

/* Loop: takes the caches read (stolen, NULL for none). */
static void sprints_set_caches(sprints *s, json_t *names, json_t *rosters)
{
	if (!names || !rosters) {
		json_decref(names);
		json_decref(rosters);
		return;
	}
	json_decref(s->names);
	json_decref(s->rosters);
	s->names = names;
	s->rosters = rosters;
}

static int sprints_job_body(void *ctx, hw_tx *tx, void *arg)
{
	sprints_job *j = arg;
	int rc;
	rc = j->body(j, tx);
	if (rc == SPRINTS_REPLIED)
		rc = HW_OK; /* answered, nothing written */
	if (rc != SPRINTS_REFUSED)
		j->refused = 0; /* a refusal is only the body's own word */
	if (rc == HW_OK && j->changed)
		rc = sprints_read_caches(ctx, tx, &j->names, &j->rosters);
	return rc;
}

/* Sends what the body wrote. */
static void sprints_job_answer(sprints_job *j)
{
	sprints *s = j->s;
	const char *text = hw_buf_str(&j->text);
	int rc;

	if (j->model) {
		rc = s->api->reply_model(s->self, j->inv, j->model);
		j->model = NULL; /* stolen */
	} else if (j->file_name) {
		if (!hw_buf_str(&j->file))
			rc = s->api->reply(s->self, j->inv, "The export is too large to send.");
		else
			rc = s->api->reply_file(s->self, j->inv, text ? text : "", j->file_name,
						j->file.data, j->file.len);
	} else {
		hw_message m = {.struct_size = sizeof(m), .ephemeral = j->ephemeral};
		m.content = text && *text ? text : "Sorry, that reply got too long.";
		rc = s->api->reply_message(s->self, j->inv, &m);
	}
	if (rc)
		s->api->log(s->self, HW_LOG_WARN, "sprints: the answer to \"%s\" failed (%d)",
			    j->inv->command ? j->inv->command : "?", rc);
}

static void sprints_job_done(void *ctx, int status, void *arg)
{
	sprints *s = ctx;
	sprints_job *j = arg;

	if (status == HW_OK && j->changed) {
		/* New caches first: the answer may send someone to the page. */
		sprints_set_caches(s, j->names, j->rosters);
		j->names = j->rosters = NULL;
	}
	if (status == HW_OK || (j->refused && status == SPRINTS_REFUSED)) {
		sprints_job_answer(j);
	} else {
		s->api->log(s->self, HW_LOG_WARN, "sprints: \"%s\" from user %s not done (%d)",
			    j->inv->command ? j->inv->command : "?", j->inv->user_id, status);
		s->api->reply(s->self, j->inv, status == HW_ERR_UNAVAILABLE ? sprints_job_unavailable
									     : sprints_job_failed);
	}
	if (status == HW_OK && j->flush && s->outbox)
		hw_dm_outbox_flush(s->outbox);
	s->api->invocation_release(s->self, j->inv);
	sprints_job_free(j);
}

int sprints_ask(sprints *s, const hw_invocation *inv, sprints_body_fn body)
{
	sprints_job *j = calloc(1, sizeof(*j));
	int rc;

	if (!j)
		return HW_ERR_NOMEM;
	j->s = s;
	j->body = body;
	j->now = s->api->now_ms(s->self);
	hw_buf_init(&j->text, SPRINTS_JOB_TEXT_MAX);
	hw_buf_init(&j->file, SPRINTS_JOB_FILE_MAX);
	if (!(j->inv = s->api->invocation_keep(s->self, inv))) {
		sprints_job_free(j);
		return HW_ERR_NOMEM;
	}
	rc = hw_units_run(s->units, sprints_job_body, sprints_job_done, sprints_job_free, j);
	if (rc) {
		/* Not queued (the job is freed): say so now. */
		s->api->invocation_release(s->self, inv);
		return s->api->reply(s->self, inv, rc == HW_ERR_UNAVAILABLE ? sprints_job_unavailable
									   : sprints_job_failed);
	}
	return HW_OK;
}

/* ---- caches ---- */

struct sprints_read {
	json_t *names;
	json_t *rosters;
};

static void sprints_read_free(void *arg)
{
	struct sprints_read *r = arg;
	if (!r)
		return;
	json_decref(r->names);
	json_decref(r->rosters);
	free(r);
}

static int sprints_read_body(void *ctx, hw_tx *tx, void *arg)
{
	struct sprints_read *r = arg;
	return sprints_read_caches(ctx, tx, &r->names, &r->rosters);
}

static void sprints_refresh_start(sprints *s);

static void sprints_read_done(void *ctx, int status, void *arg)
{
	sprints *s = ctx;
	struct sprints_read *r = arg;

	s->refreshing = 0;
	if (status == HW_OK) {
		sprints_set_caches(s, r->names, r->rosters);
		r->names = r->rosters = NULL;
	} else if (status != HW_ERR_UNAVAILABLE) {
		s->api->log(s->self, HW_LOG_WARN, "sprints: cannot read the projects (%d)", status);
	}
	sprints_read_free(r);
	if (s->refresh_again)
		sprints_refresh_start(s);
}

static void sprints_refresh_start(sprints *s)
{
	struct sprints_read *r;
	s->refresh_again = 0;
	if (s->stopping || !(r = calloc(1, sizeof(*r))))
		return;
	s->refreshing = 1;
	if (hw_units_run(s->units, sprints_read_body, sprints_read_done, sprints_read_free, r))
		s->refreshing = 0;
}

void sprints_refresh(sprints *s)
{
	if (s->refreshing)
		s->refresh_again = 1; /* once the one running is back */
	else
		sprints_refresh_start(s);
}

static void sprints_refresh_timer(hw_plugin *self, hw_handle t, void *ud)
{
	(void)self;
	(void)t;
	sprints_refresh(ud);
}

int sprints_job_start(sprints *s)
{
	sprints_refresh(s);
	s->refresh_timer = s->api->timer_add(s->self, SPRINTS_REFRESH_MS, SPRINTS_REFRESH_MS,
					     sprints_refresh_timer, s);
	return s->refresh_timer ? HW_OK : HW_ERR_NOMEM;
}

void sprints_job_stop(sprints *s)
{
	if (s->refresh_timer)
		s->api->cancel(s->self, s->refresh_timer);
	s->refresh_timer = 0;
	json_decref(s->names);
	json_decref(s->rosters);
	s->names = s->rosters = NULL;
}
