/*
 * ospace_later — talks to watch later (ospace_later.h).
 */
#include "ospace_later.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/events.h>
#include <hallway/fts.h>
#include <hallway/text.h>
#include <hallway/when.h>

#include "ospace_job.h"
#include "ospace_out.h"

#define LATER_FIND 5
#define LATER_LIST_MAX 50
#define LATER_REPLY_MAX 8000

struct ospace_talk {
	char *id, *title, *url, *recording;
	int64_t start, end;
};

struct ospace_talks {
	struct ospace_talk *t;
	size_t n;
	int64_t last_end;    /* the conference's last talk ends then */
	struct hw_fts *fts;  /* titles; ref = index in t */
};

static void talks_free(struct ospace_talks *ts)
{
	if (!ts)
		return;
	for (size_t i = 0; i < ts->n; i++) {
		free(ts->t[i].id);
		free(ts->t[i].title);
		free(ts->t[i].url);
		free(ts->t[i].recording);
	}
	free(ts->t);
	hw_fts_free(ts->fts);
	free(ts);
}

void ospace_later_free(ospace *o)
{
	talks_free(o->talks);
	o->talks = NULL;
}

static char *dup_str(const json_t *v)
{
	const char *s = json_string_value(v);
	return s && *s ? strdup(s) : NULL;
}

void ospace_later_set_talks(ospace *o, const json_t *loaded)
{
	const json_t *arr = json_object_get(loaded, "talks"), *v;
	struct ospace_talks *ts = calloc(1, sizeof(*ts));
	size_t i;

	if (!ts || !(ts->t = calloc(json_array_size(arr) + 1, sizeof(*ts->t))) ||
	    !(ts->fts = hw_fts_new(1, NULL)))
		goto fail;
	json_array_foreach(arr, i, v) {
		struct ospace_talk *t = &ts->t[ts->n];
		const json_t *rec = json_object_get(v, "recording");
		if (!json_is_string(json_object_get(v, "id")) ||
		    !json_is_string(json_object_get(v, "title")))
			continue;
		if (!rec)
			rec = json_object_get(v, "video_url");
		t->id = dup_str(json_object_get(v, "id"));
		t->title = dup_str(json_object_get(v, "title"));
		t->url = dup_str(json_object_get(v, "url"));
		t->recording = dup_str(rec);
		t->start = json_integer_value(json_object_get(v, "start"));
		t->end = json_integer_value(json_object_get(v, "end"));
		if (!t->id || !t->title) {
			free(t->id);
			free(t->title);
			free(t->url);
			free(t->recording);
			memset(t, 0, sizeof(*t));
			continue;
		}
		if (hw_fts_add(ts->fts, (int64_t)ts->n, (const char *const *)&t->title, 0))
			goto fail;
		if (t->end > ts->last_end)
			ts->last_end = t->end;
		ts->n++;
	}
	if (hw_fts_ready(ts->fts))
		goto fail;
	talks_free(o->talks);
	o->talks = ts;
	return;
fail:
	o->api->log(o->self, HW_LOG_WARN, "openspaces: the talks to watch later were not updated");
	talks_free(ts);
}

static const struct ospace_talk *talk_by_id(const ospace *o, const char *id)
{
	for (size_t i = 0; o->talks && i < o->talks->n; i++)
		if (!strcmp(o->talks->t[i].id, id))
			return &o->talks->t[i];
	return NULL;
}

/* The talk a user means: an id, or one clear title match (the whole
 * folded title, or the only match). Else *n candidates in found[]. */
static const struct ospace_talk *find_talk(const ospace *o, const char *typed,
					   const struct ospace_talk **found, size_t *n)
{
	const struct ospace_talk *t;
	int64_t refs[LATER_FIND];
	char want[400], got[400];

	*n = 0;
	if (!o->talks || !typed || !*typed)
		return NULL;
	if ((t = talk_by_id(o, typed)))
		return t;
	*n = hw_fts_search(o->talks->fts, typed, HW_FTS_TYPOS, refs, LATER_FIND);
	for (size_t i = 0; i < *n; i++)
		found[i] = &o->talks->t[refs[i]];
	if (*n == 1)
		return found[0];
	hw_fold_into(typed, want, sizeof(want));
	for (size_t i = 0; i < *n; i++) {
		hw_fold_into(found[i]->title, got, sizeof(got));
		if (!strcmp(want, got))
			return found[i];
	}
	return NULL;
}

/* "No talk matches" or "Which one?" with the candidates' ids, into out. */
static void not_found(const ospace *o, hw_buf *out, const char *typed, const char *verb,
		      const struct ospace_talk **found, size_t n)
{
	if (!o->talks) {
		hw_buf_addf(out, "No schedule loaded yet.");
		return;
	}
	if (!n) {
		hw_buf_addf(out, "No talk matches \"");
		hw_buf_add_safe(out, typed, 80);
		hw_buf_addf(out, "\". Try `talk <words>` to search.");
		return;
	}
	hw_buf_addf(out, "Which one? Say `%s <id>`:", verb);
	for (size_t i = 0; i < n; i++) {
		hw_buf_addf(out, "\n- `");
		hw_buf_add_safe(out, found[i]->id, 40);
		hw_buf_addf(out, "` ");
		hw_buf_add_safe(out, found[i]->title, 150);
	}
}

static int say_out(ospace *o, const hw_invocation *inv, hw_buf *out)
{
	int rc = o->api->reply(o->self, inv, hw_buf_str(out) ? hw_buf_str(out)
								 : "Sorry, that reply got too long.");
	hw_buf_free(out);
	return rc;
}

static int count_left(ospace_job *j, const char *user_id, int64_t *n)
{
	return ospace_sql_int(&j->db, n,
			      "SELECT count(*) FROM openspaces_later WHERE user_id = ?"
			      " AND watched_ms IS NULL",
			      "t", user_id);
}

/* Tells recommend (its `agenda` watch list) that user watched talk_id,
 * or wants to watch it again (include/hallway/events.h). After the change
 * is stored; a lost event only leaves the agenda showing the talk. */
static void publish_watched(ospace *o, const char *user_id, const char *talk_id, int watched)
{
	json_t *ev = json_pack("{s:i, s:s, s:s, s:b}", "version", HW_TALK_WATCHED_VERSION,
			       "user_id", user_id, "talk_id", talk_id, "watched", watched);
	if (!ev || o->api->publish(o->self, HW_EVENT_TALK_WATCHED, ev))
		o->api->log(o->self, HW_LOG_WARN, "openspaces: talk.watched not published");
	json_decref(ev);
}

/* What a later/watched unit of work works on, found on the loop (the
 * talks are the loop's), and what the body found. */
struct later_arg {
	char typed[300];
	char id[300];     /* the talk named, or "" */
	char title[400];
	size_t n;         /* the list: rows read */
	char (*rows)[2][400];
	int publish;      /* -1: nothing, else talk.watched's "watched" */
	char pub_id[300];
};

static void later_arg_free(void *p)
{
	struct later_arg *a = p;
	if (a)
		free(a->rows);
	free(a);
}

/* ---- later: the list ---- */

static int list_body(ospace_job *j)
{
	struct later_arg *a = j->arg;
	hw_stmt *st = ospace_sql(&j->db,
				 "SELECT talk_id, title FROM openspaces_later WHERE user_id = ?"
				 " AND watched_ms IS NULL ORDER BY added_ms, talk_id LIMIT ?",
				 "ti", j->inv->user_id, (int64_t)LATER_LIST_MAX);
	int rc;
	if (!st)
		return HW_ERR_STORAGE;
	a->n = 0;
	while ((rc = ospace_step(&j->db, st)) == HW_ROW && a->n < LATER_LIST_MAX) {
		snprintf(a->rows[a->n][0], sizeof(a->rows[0][0]), "%s", ospace_col(&j->db, st, 0));
		snprintf(a->rows[a->n][1], sizeof(a->rows[0][1]), "%s", ospace_col(&j->db, st, 1));
		a->n++;
	}
	return rc == HW_DONE || rc == HW_ROW ? HW_OK : rc < 0 ? rc : HW_ERR_STORAGE;
}

/* On the loop after the read: the list, drawn with the talks as they are
 * now (recordings, times). */
static void list_after(ospace_job *j)
{
	ospace *o = j->o;
	struct later_arg *a = j->arg;
	int64_t now = j->now_ms / 1000;
	hw_buf out;

	hw_buf_init(&out, LATER_REPLY_MAX);
	hw_buf_addf(&out, o->talks && o->talks->last_end && now > o->talks->last_end
				     ? "**Your watch list**"
				     : "**Talks to watch later**");
	for (size_t i = 0; i < a->n; i++) {
		const struct ospace_talk *t = talk_by_id(o, a->rows[i][0]);
		hw_buf_addf(&out, "\n- ");
		hw_buf_add_safe(&out, a->rows[i][1], 150);
		if (t && t->recording && t->end <= now) {
			hw_buf_addf(&out, ": recording <");
			hw_buf_add_safe(&out, t->recording, 300);
			hw_buf_addf(&out, ">");
		} else if (t && t->start > now) {
			char when[48];
			hw_when_fmt(o->tz, t->start, when, sizeof(when));
			hw_buf_addf(&out, " (%s)", when);
		} else if (t && t->url) {
			hw_buf_addf(&out, ": <");
			hw_buf_add_safe(&out, t->url, 300);
			hw_buf_addf(&out, "> (the recording appears there)");
		} else if (!t) {
			hw_buf_addf(&out, " (no longer in the schedule)");
		}
	}
	if (!a->n)
		hw_buf_addf(&out, ": none. `later <talk>` keeps one here.");
	else
		hw_buf_addf(&out, "\n`watched <talk>` ticks one off.");
	say_out(o, j->inv, &out);
}

static void publish_after(ospace_job *j)
{
	struct later_arg *a = j->arg;
	if (a->publish >= 0)
		publish_watched(j->o, j->inv->user_id, a->pub_id, a->publish);
}

/* ---- later <talk> ---- */

static int keep_body(ospace_job *j)
{
	struct later_arg *a = j->arg;
	hw_buf out;
	int64_t left = 0;
	int rc;

	/* Kept again after `watched`: back on the list. */
	rc = ospace_sql_exec(&j->db,
			     "INSERT INTO openspaces_later(user_id, talk_id, title, added_ms)"
			     " VALUES(?, ?, ?, ?) ON CONFLICT(user_id, talk_id) DO UPDATE SET"
			     " watched_ms = NULL",
			     "ttti", j->inv->user_id, a->id, a->title, j->now_ms);
	if (rc || (rc = count_left(j, j->inv->user_id, &left)))
		return rc;
	a->publish = 0;
	snprintf(a->pub_id, sizeof(a->pub_id), "%s", a->id);
	hw_buf_init(&out, LATER_REPLY_MAX);
	hw_buf_addf(&out, "On your list: **");
	hw_buf_add_safe(&out, a->title, 150);
	hw_buf_addf(&out, "** (%lld to watch). `later` shows the list; `watched <talk>` ticks "
			     "one off.",
		       (long long)left);
	rc = ospace_job_say(j, hw_buf_str(&out));
	hw_buf_free(&out);
	return rc;
}

static int ospace_later_cmd(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	ospace *o = ud;
	const char *typed = ospace_arg(inv, "talk");
	const struct ospace_talk *found[LATER_FIND], *t;
	struct later_arg *a = calloc(1, sizeof(*a));
	hw_buf out;
	size_t n;

	(void)self;
	if (!a)
		return HW_ERR_NOMEM;
	a->publish = -1;
	if (!typed || !*typed) {
		if (!(a->rows = calloc(LATER_LIST_MAX, sizeof(*a->rows)))) {
			free(a);
			return HW_ERR_NOMEM;
		}
		return ospace_job_cmd_arg(o, inv, list_body, a, later_arg_free, list_after);
	}
	if (!(t = find_talk(o, typed, found, &n))) {
		free(a);
		hw_buf_init(&out, LATER_REPLY_MAX);
		not_found(o, &out, typed, "later", found, n);
		return say_out(o, inv, &out);
	}
	snprintf(a->id, sizeof(a->id), "%s", t->id);
	snprintf(a->title, sizeof(a->title), "%s", t->title);
	return ospace_job_cmd_arg(o, inv, keep_body, a, later_arg_free, publish_after);
}

/* ---- watched <talk> ---- */

/* Ticks talk_id off on the user's list: 1 when it was on the list to
 * watch, 0 when not (or already ticked off), or an error. */
static int tick(ospace_job *j, const char *talk_id)
{
	int rc = ospace_sql_exec(&j->db,
				 "UPDATE openspaces_later SET watched_ms = ? WHERE user_id = ?"
				 " AND talk_id = ? AND watched_ms IS NULL",
				 "itt", j->now_ms, j->inv->user_id, talk_id);
	return rc ? rc : ospace_changes(&j->db) == 1;
}

static int watched_body(ospace_job *j)
{
	struct later_arg *a = j->arg;
	const char *title = a->title, *id = a->id;
	hw_buf out;
	int64_t left = 0;
	int rc;

	a->publish = -1;
	hw_buf_init(&out, LATER_REPLY_MAX);
	/* Your list first: a talk the schedule dropped can still be ticked
	 * off by its id. */
	if ((rc = tick(j, a->typed)) == 1) {
		title = id = a->typed;
	} else if (rc < 0) {
		goto out;
	} else if (!*a->id) {
		/* No such talk, and not on the list: the loop's answer. */
		rc = ospace_job_say(j, a->title);
		goto out;
	} else if ((rc = tick(j, a->id)) < 0) {
		goto out;
	} else if (!rc) {
		/* Not on the `later` list: kept as watched all the same, so a
		 * starred talk leaves `agenda`'s watch list. */
		rc = ospace_sql_exec(&j->db,
				     "INSERT INTO openspaces_later(user_id, talk_id, title, added_ms,"
				     " watched_ms) VALUES(?, ?, ?, ?, ?)"
				     " ON CONFLICT(user_id, talk_id) DO NOTHING",
				     "tttii", j->inv->user_id, a->id, a->title, j->now_ms, j->now_ms);
		if (rc)
			goto out;
		hw_buf_addf(&out, "**");
		hw_buf_add_safe(&out, title, 150);
		if (ospace_changes(&j->db) != 1) {
			hw_buf_addf(&out, "** is ticked off already.");
		} else {
			a->publish = 1;
			snprintf(a->pub_id, sizeof(a->pub_id), "%s", id);
			hw_buf_addf(&out, "** is ticked off as watched. It was not on your "
					     "`later` list; `agenda` no longer lists it to watch.");
		}
		rc = ospace_job_say(j, hw_buf_str(&out));
		goto out;
	}
	a->publish = 1;
	snprintf(a->pub_id, sizeof(a->pub_id), "%s", id);
	if ((rc = count_left(j, j->inv->user_id, &left)))
		goto out;
	hw_buf_addf(&out, "Ticked off: **");
	hw_buf_add_safe(&out, title, 150);
	hw_buf_addf(&out, "**. %lld left to watch.", (long long)left);
	rc = ospace_job_say(j, hw_buf_str(&out));
out:
	hw_buf_free(&out);
	return rc;
}

static int ospace_watched_cmd(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	ospace *o = ud;
	const char *typed = ospace_arg(inv, "talk");
	const struct ospace_talk *found[LATER_FIND], *t;
	struct later_arg *a = calloc(1, sizeof(*a));
	size_t n;

	(void)self;
	if (!a)
		return HW_ERR_NOMEM;
	a->publish = -1;
	snprintf(a->typed, sizeof(a->typed), "%s", typed ? typed : "");
	if ((t = find_talk(o, typed, found, &n))) {
		snprintf(a->id, sizeof(a->id), "%s", t->id);
		snprintf(a->title, sizeof(a->title), "%s", t->title);
	} else {
		/* Answered by the body unless the typed text is an id on the list. */
		hw_buf out;
		hw_buf_init(&out, sizeof(a->title) - 1);
		not_found(o, &out, typed ? typed : "", "watched", found, n);
		snprintf(a->title, sizeof(a->title), "%s",
			 hw_buf_str(&out) ? hw_buf_str(&out) : "No talk matches.");
		hw_buf_free(&out);
	}
	return ospace_job_cmd_arg(o, inv, watched_body, a, later_arg_free, publish_after);
}

static const hw_arg_spec later_args[] = {
	{"talk", HW_ARG_TEXT, 0, "a talk's title (words of it will do) or its id; none: your list",
	 0},
};
static const hw_arg_spec watched_args[] = {
	{"talk", HW_ARG_TEXT, 1, "a talk on your list: its title or id", 0},
};

int ospace_later_register(ospace *o)
{
	const hw_command_spec specs[] = {
		{sizeof(hw_command_spec), "later", "Keep a talk to watch later, or see the list",
		 "later <talk>: keep it; later: your list, with the recordings once they are out.",
		 HW_PERM_EVERYONE, later_args, 1, ospace_later_cmd, NULL, o, {0},
		 sizeof(hw_arg_spec)},
		{sizeof(hw_command_spec), "watched", "Tick off a talk you watched", NULL,
		 HW_PERM_EVERYONE, watched_args, 1, ospace_watched_cmd, NULL, o, {0},
		 sizeof(hw_arg_spec)},
	};
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		int rc = o->api->command_add(o->self, &specs[i]);
		if (rc)
			return rc;
	}
	return HW_OK;
}
