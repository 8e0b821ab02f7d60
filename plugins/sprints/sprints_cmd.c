/*
 * sprints_cmd — the attendee commands: sprints, sprint info, sprint join,
 * sprint leave, sprint mine.
 *
 * Each command is one unit of work (sprints_ask): its body reads and
 * writes in one transaction and writes the answer, sent once committed, so
 * every answer describes durable state; a retried command is a no-op that
 * gets the same answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sprints.h"
#include <hallway/buf.h>
#include <hallway/reply_item.h>
#include <hallway/civil.h>
#include <hallway/stmt.h>
#include <hallway/text.h>
#include <hallway/when.h>
#include "sprints_query.h"
#include "sprints_store.h"

#define SPRINTS_REPLY_MAX 16000
#define SPRINTS_SHOW_NAME 100
#define SPRINTS_LIST_SHOW 25     /* projects per `sprints` in a channel */
#define SPRINTS_LIST_PRIVATE 50  /* in a DM or the console */

const char *sprints_cmd_arg(const hw_invocation *inv, const char *name)
{
	size_t i;
	for (i = 0; i < inv->argc; i++)
		if (inv->argv[i].present && inv->argv[i].name && !strcmp(inv->argv[i].name, name))
			return inv->argv[i].str;
	return NULL;
}

void sprints_cmd_add_day(hw_buf *b, const char *day)
{
	if (*day) {
		hw_buf_add(b, " on ");
		hw_buf_add_safe(b, day, 64);
	}
}

int sprints_cmd_lookup(sprints_job *j, hw_tx *tx, const char *typed, sprints_project *p)
{
	const hw_api *api = j->s->api;
	hw_buf sugg, msg;
	int64_t id = 0;
	int rc;
	hw_buf_init(&sugg, 2000);
	hw_buf_init(&msg, 2000);
	rc = sprints_query_resolve(api, tx, typed ? typed : "", &id, &sugg);
	if (rc == HW_OK)
		rc = sprints_store_project(api, tx, id, p);
	if (rc == HW_ERR_NOT_FOUND) {
		/* The typed text is not echoed: it may be anything. */
		hw_buf_add(&msg, "No sprint project by that name.");
		if (sugg.len) {
			hw_buf_add(&msg, " Did you mean: ");
			hw_buf_add(&msg, hw_buf_str(&sugg));
			hw_buf_add(&msg, "?");
		} else {
			hw_buf_add(&msg, " Run `sprints` to see them all.");
		}
		sprints_reply(j, hw_buf_str(&msg));
		rc = SPRINTS_REPLIED;
	}
	hw_buf_free(&sugg);
	hw_buf_free(&msg);
	return rc;
}

int sprints_cmd_lookup_exact(sprints_job *j, hw_tx *tx, const char *typed, const char *verb,
			     sprints_project *p)
{
	char *ft, *fn;
	hw_buf msg;
	int rc = sprints_cmd_lookup(j, tx, typed, p), same;
	if (rc)
		return rc;
	ft = hw_fold(typed ? typed : "");
	fn = hw_fold(p->name);
	same = ft && fn && !strcmp(ft, fn);
	free(ft);
	free(fn);
	if (same)
		return HW_OK;
	hw_buf_init(&msg, 1000);
	hw_buf_add(&msg, "Did you mean ");
	hw_buf_add_safe(&msg, p->name, SPRINTS_NAME_MAX);
	hw_buf_add(&msg, "? To ");
	hw_buf_add(&msg, verb);
	hw_buf_add(&msg, " a project, give its exact name: `sprint ");
	hw_buf_add(&msg, verb);
	hw_buf_add(&msg, " \"");
	hw_buf_add_safe(&msg, p->name, SPRINTS_NAME_MAX);
	hw_buf_add(&msg, "\" ...`.");
	sprints_reply(j, hw_buf_str(&msg));
	hw_buf_free(&msg);
	sprints_store_project_free(p);
	return SPRINTS_REPLIED;
}

const char *sprints_cmd_weekday_day(const sprints_project *p, int wday)
{
	const char *hit = NULL;
	size_t i, hits = 0;
	json_t *v;
	json_array_foreach(p->days, i, v) {
		int64_t local;
		int date_only = 0;
		struct hw_civil c;
		const char *d = json_string_value(v);
		if (!d || hw_civil_parse(d, &local, NULL, NULL, &date_only) || !date_only)
			continue;
		hw_civil_split(local, &c);
		if (c.wday == wday) {
			hit = d;
			hits++;
		}
	}
	return hits == 1 ? hit : NULL;
}

/* A day phrase as every command reads one (hw_when_read: "the 28th",
 * "28 nov", "tomorrow"), when it is one of the project's days. Sprints
 * carry no zone: days are read in UTC, which only "today" and
 * "tomorrow" near midnight could tell apart. */
static const char *sprints_cmd_phrase_day(int64_t now, const sprints_project *p,
					  const char *typed)
{
	struct hw_when w;
	struct hw_civil c;
	size_t used = 0;
	char why[200], iso[16];

	if (hw_when_read(typed, NULL, now / 1000, &w, &used, why, sizeof(why)) != HW_WHEN_OK ||
	    !w.has_day || w.has_time || typed[used])
		return NULL;
	hw_civil_split(w.day * 86400, &c);
	snprintf(iso, sizeof(iso), "%04d-%02d-%02d", c.year, c.mon, c.day);
	for (size_t i = 0; i < json_array_size(p->days); i++) {
		const char *d = json_string_value(json_array_get(p->days, i));
		if (d && !strcmp(d, iso))
			return d;
	}
	return NULL;
}

/* Picks the day: the typed one (exact, forgiving, a 1-based index, or a
 * unique suffix such as "31" for 2025-10-31), else the first. *day is
 * borrowed from p. Replies and returns SPRINTS_REPLIED when it is not one
 * of the project's days. */
static int sprints_cmd_day(sprints_job *j, const sprints_project *p, const char *typed,
			   const char **day)
{
	size_t n = json_array_size(p->days), i, hits = 0;
	const char *hit = NULL;
	hw_buf msg;
	if (!typed || !*typed) {
		*day = n ? json_string_value(json_array_get(p->days, 0)) : "";
		return HW_OK;
	}
	for (i = 0; i < n; i++) {
		const char *d = json_string_value(json_array_get(p->days, i));
		size_t dl = strlen(d), tl = strlen(typed);
		char idx[24];
		snprintf(idx, sizeof(idx), "%zu", i + 1);
		if (!strcmp(d, typed) || !strcmp(idx, typed)) {
			*day = d;
			return HW_OK;
		}
		if (tl < dl && !strcmp(d + dl - tl, typed) && d[dl - tl - 1] == '-') {
			hit = d;
			hits++;
		}
	}
	if (hits == 1) {
		*day = hit;
		return HW_OK;
	}
	/* A weekday, read as `day saturday` reads it (include/hallway/when.h). */
	if (hw_when_weekday(typed) >= 0 && (hit = sprints_cmd_weekday_day(p, hw_when_weekday(typed)))) {
		*day = hit;
		return HW_OK;
	}
	if ((hit = sprints_cmd_phrase_day(j->now, p, typed))) {
		*day = hit;
		return HW_OK;
	}
	hw_buf_init(&msg, 4000);
	hw_buf_add_safe(&msg, p->name, SPRINTS_SHOW_NAME);
	if (!n) {
		hw_buf_add(&msg, " runs as one session; leave the day out.");
	} else {
		hw_buf_add(&msg, " does not run that day. Its days: ");
		for (i = 0; i < n; i++) {
			if (i)
				hw_buf_add(&msg, ", ");
			hw_buf_add_safe(&msg, json_string_value(json_array_get(p->days, i)), 64);
		}
		hw_buf_add(&msg, ".");
	}
	sprints_reply(j, hw_buf_str(&msg));
	hw_buf_free(&msg);
	return SPRINTS_REPLIED;
}

static void sprints_cmd_add_list(hw_buf *b, const json_t *arr, size_t max_each)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) {
		if (i)
			hw_buf_add(b, ", ");
		hw_buf_add_safe(b, json_string_value(v), max_each);
	}
}

static int sprints_cmd_counts(const hw_api *api, hw_tx *tx, int64_t id, const char *day,
			      int64_t *taken, int64_t *waiting)
{
	int rc = hw_sql_int(api, tx, taken,
			    "SELECT count(*) FROM sprints_signups WHERE project_id = ? AND day = ?"
			    " AND status = 'confirmed'",
			    "it", id, day);
	if (!rc)
		rc = hw_sql_int(api, tx, waiting,
				"SELECT count(*) FROM sprints_signups WHERE project_id = ?"
				" AND day = ? AND status = 'waitlist'",
				"it", id, day);
	return rc;
}

/* "3/20" or "2025-10-30 3/20 (+2 waiting)" for every day of p. */
static int sprints_cmd_add_seats(const hw_api *api, hw_tx *tx, hw_buf *b,
				 const sprints_project *p)
{
	size_t n = json_array_size(p->days), i;
	for (i = 0; i < (n ? n : 1); i++) {
		const char *day = n ? json_string_value(json_array_get(p->days, i)) : "";
		int64_t taken, waiting;
		int rc = sprints_cmd_counts(api, tx, p->id, day, &taken, &waiting);
		if (rc)
			return rc;
		if (i)
			hw_buf_add(b, ", ");
		if (*day) {
			hw_buf_add_safe(b, day, 64);
			hw_buf_add(b, " ");
		}
		hw_buf_addint(b, taken);
		hw_buf_add(b, "/");
		hw_buf_addint(b, p->capacity);
		hw_buf_add(b, " seats");
		if (waiting) {
			hw_buf_add(b, " (waitlist ");
			hw_buf_addint(b, waiting);
			hw_buf_add(b, ")");
		}
	}
	return HW_OK;
}

/* 1 when the project's name or title holds the folded words (a filter of
 * `sprints <words>`; NULL or "" matches every project). */
static int sprints_cmd_matches(const char *words, const char *name, const char *title)
{
	char *fn, *ft;
	int hit;
	if (!words || !*words)
		return 1;
	fn = hw_fold(name ? name : "");
	ft = hw_fold(title ? title : "");
	hit = (fn && strstr(fn, words)) || (ft && strstr(ft, words));
	free(fn);
	free(ft);
	return hit;
}

/* A space or a control character: what parts the words of a filter. */
static int sprints_cmd_is_break(char c)
{
	return (unsigned char)c <= 0x20 || c == 0x7F;
}

/* 1 when s can be typed back as one command line's value (a select
 * menu's option runs "sprint join <value>"): no control character. A
 * name from a feed or from before names were checked may hold one; the
 * reply model refuses such a value, so it is not offered. */
static int sprints_cmd_typable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7F)
			return 0;
	return 1;
}

/* One project as a reply model item (issue 16): its seats as counts when it
 * runs as one session, per day in the note otherwise. */
static int sprints_cmd_item(const hw_api *api, hw_tx *tx, const sprints_project *p,
			    json_t *items)
{
	json_t *it = json_pack("{s:s, s:o}", "kind", "sprint", "title",
			       hw_reply_text(*p->name ? p->name : "?", 200));
	size_t ndays = json_array_size(p->days);
	const char *link = json_string_value(json_array_get(p->links, 0));
	hw_buf note;
	int rc = HW_OK;
	if (!it)
		return HW_ERR_NOMEM;
	hw_buf_init(&note, 900);
	if (p->title && *p->title && strcmp(p->title, p->name))
		hw_buf_addn(&note, p->title, strlen(p->title) < 200 ? strlen(p->title) : 200);
	if (json_array_size(p->leads)) {
		hw_buf_add(&note, note.len ? " · leads: " : "leads: ");
		sprints_cmd_add_list(&note, p->leads, 60);
	}
	if (*p->level) {
		hw_buf_add(&note, note.len ? " · level: " : "level: ");
		hw_buf_add_safe(&note, p->level, 40);
	}
	if (ndays > 1) {
		hw_buf_add(&note, note.len ? "\n" : "");
		rc = sprints_cmd_add_seats(api, tx, &note, p);
	} else {
		const char *day = ndays ? json_string_value(json_array_get(p->days, 0)) : "";
		int64_t taken = 0, waiting = 0;
		if (*day) {
			hw_buf_add(&note, note.len ? " · on " : "on ");
			hw_buf_add_safe(&note, day, 64);
		}
		rc = sprints_cmd_counts(api, tx, p->id, day, &taken, &waiting);
		json_object_set_new(it, "count", json_integer(taken));
		json_object_set_new(it, "capacity", json_integer(p->capacity));
		json_object_set_new(it, "waitlist", json_integer(waiting));
	}
	if (note.len && hw_buf_str(&note))
		json_object_set_new(it, "note", hw_reply_text(hw_buf_str(&note), 900));
	if (link && (!strncmp(link, "https://", 8) || !strncmp(link, "http://", 7)) &&
	    !strpbrk(link, " <>\"") && strlen(link) < 2000)
		json_object_set_new(it, "url", json_string(link));
	hw_buf_free(&note);
	if (rc || json_array_append_new(items, it))
		return rc ? rc : HW_ERR_NOMEM;
	return HW_OK;
}

/* `sprints [words] [page=N]`: the projects as a reply model, a page at a
 * time, with a menu to join one. */
static int sprints_cmd_list_body(sprints_job *j, hw_tx *tx)
{
	const hw_api *api = j->s->api;
	const hw_invocation *inv = j->inv;
	hw_stmt *st;
	json_t *ids = NULL, *row;
	size_t k;
	const char *typed = sprints_cmd_arg(inv, "words");
	char *words = NULL, filter[200] = "", line[300];
	json_t *m = NULL, *items, *opts = NULL;
	/* Where others read along, a page that fits in one message. */
	size_t n = 0, shown = 0, page = 1, first, cap = inv->is_dm || inv->door == HW_DOOR_CONSOLE
							      ? SPRINTS_LIST_PRIVATE : SPRINTS_LIST_SHOW;
	int rc = HW_ERR_NOMEM;
	/* "page=N" pages; the other words filter. Control characters part
	 * words like spaces: the "Show more" runs the filter as typed, and a
	 * command line is one line of printable text. */
	for (const char *w = typed ? typed : ""; *w;) {
		size_t len = 0;
		while (*w && sprints_cmd_is_break(*w))
			w++;
		while (w[len] && !sprints_cmd_is_break(w[len]))
			len++;
		if (len > 5 && !strncmp(w, "page=", 5) && atoi(w + 5) > 0)
			page = (size_t)atoi(w + 5);
		else if (len && strlen(filter) + len + 2 < sizeof(filter))
			snprintf(filter + strlen(filter), sizeof(filter) - strlen(filter), "%s%.*s",
				 filter[0] ? " " : "", (int)len, w);
		w += len;
	}
	first = (page - 1) * cap;
	if (filter[0] && !(words = hw_fold(filter)))
		goto out;
	if (!(m = json_pack("{s:i, s:s, s:[]}", "version", HW_REPLY_VERSION, "title", "Sprint projects",
			    "items")) || !(opts = json_array()))
		goto out;
	items = json_object_get(m, "items");
	st = hw_sql(api, tx,
		    "SELECT id, name, title FROM sprints_projects WHERE removed_ms IS NULL"
		    " ORDER BY name",
		    NULL);
	if (!st || !(ids = json_array())) {
		rc = st ? HW_ERR_NOMEM : HW_ERR_STORAGE;
		goto out;
	}
	/* The page's ids first: reading each project runs other statements. */
	while ((rc = api->db_step(st)) == HW_ROW) {
		if (!sprints_cmd_matches(words, hw_sql_col(api, st, 1), hw_sql_col(api, st, 2)))
			continue;
		if (n++ < first || json_array_size(ids) >= cap)
			continue; /* counted for "8 of 26" */
		json_array_append_new(ids, json_integer(api->db_col_int(st, 0)));
	}
	if (rc != HW_DONE) {
		rc = rc < 0 ? rc : HW_ERR_STORAGE;
		goto out;
	}
	json_array_foreach(ids, k, row) {
		sprints_project p;
		rc = sprints_store_project(api, tx, json_integer_value(row), &p);
		if (rc)
			goto out;
		rc = sprints_cmd_item(api, tx, &p, items);
		if (!rc && strlen(p.name) <= 100 && sprints_cmd_typable(p.name) &&
		    json_array_size(opts) < 25)
			json_array_append_new(opts, json_pack("{s:s, s:s}", "label", p.name, "value",
							      p.name));
		sprints_store_project_free(&p);
		if (rc)
			goto out;
		shown++;
	}
	if (!n && words)
		json_object_set_new(m, "text", json_string("No sprint project matches those words. "
							   "Type sprints to list them all."));
	else if (!n)
		json_object_set_new(m, "text", json_string("No sprint projects yet."));
	else if (!shown)
		json_object_set_new(m, "text", json_string("There are not that many: type sprints "
							   "for the first page."));
	else
		json_object_set_new(m, "text", json_string("Join with sprint join <project> [day], "
							   "or pick one below."));
	if (first + shown < n) {
		/* Never cut in silence: a "Show more" for the next page. */
		snprintf(line, sizeof(line), "sprints %s%spage=%zu", filter, filter[0] ? " " : "",
			 page + 1);
		json_object_set_new(m, "more", json_pack("{s:I, s:I, s:s}", "shown",
							 (json_int_t)(first + shown), "total",
							 (json_int_t)n, "command", line));
	}
	if (json_array_size(opts))
		json_object_set_new(m, "choice", json_pack("{s:s, s:s, s:O}", "placeholder",
							   "Join a project", "command", "sprint join",
							   "options", opts));
	j->model = m;
	m = NULL;
	rc = HW_OK;
out:
	json_decref(ids);
	json_decref(m);
	json_decref(opts);
	free(words);
	return rc;
}

static int sprints_cmd_list(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	(void)self;
	return sprints_ask(ud, inv, sprints_cmd_list_body);
}

/* The names on (id, day) with one status, comma-separated. */
static int sprints_cmd_add_people(const hw_api *api, hw_tx *tx, hw_buf *b, int64_t id,
				  const char *day, const char *status)
{
	size_t n = 0;
	int rc;
	hw_stmt *st = hw_sql(api, tx,
			     "SELECT user_name FROM sprints_signups WHERE project_id = ?"
			     " AND day = ? AND status = ? ORDER BY id",
			     "itt", id, day, status);
	if (!st)
		return HW_ERR_STORAGE;
	while ((rc = api->db_step(st)) == HW_ROW) {
		if (n++)
			hw_buf_add(b, ", ");
		hw_buf_add_safe(b, hw_sql_col(api, st, 0), 64);
	}
	if (rc != HW_DONE)
		return rc < 0 ? rc : HW_ERR_STORAGE;
	if (!n)
		hw_buf_add(b, "nobody yet");
	return HW_OK;
}

/* Who signed up is other people's data: their names go only where the asker
 * alone sees the answer (a DM, the console, an ephemeral slash reply). A
 * guild channel gets the counts. */
static int sprints_cmd_names_private(const hw_invocation *inv)
{
	return inv->is_dm || inv->door == HW_DOOR_CONSOLE || inv->door == HW_DOOR_SLASH;
}

static int sprints_cmd_info_body(sprints_job *j, hw_tx *tx)
{
	const hw_api *api = j->s->api;
	const hw_invocation *inv = j->inv;
	sprints_project p;
	hw_buf b;
	size_t i, n;
	int names = sprints_cmd_names_private(inv);
	int rc = sprints_cmd_lookup(j, tx, sprints_cmd_arg(inv, "project"), &p);
	if (rc)
		return rc;
	hw_buf_init(&b, SPRINTS_REPLY_MAX);
	hw_buf_add_safe(&b, p.name, SPRINTS_SHOW_NAME);
	if (*p.title && strcmp(p.title, p.name)) {
		hw_buf_add(&b, ": ");
		hw_buf_add_safe(&b, p.title, 200);
	}
	hw_buf_add(&b, "\nSeats: ");
	hw_buf_addint(&b, p.capacity);
	hw_buf_add(&b, json_array_size(p.days) > 1 ? " per day" : "");
	if (*p.level) {
		hw_buf_add(&b, " | level: ");
		hw_buf_add_safe(&b, p.level, 40);
	}
	if (json_array_size(p.leads)) {
		hw_buf_add(&b, "\nLeads: ");
		sprints_cmd_add_list(&b, p.leads, 60);
	}
	if (json_array_size(p.links)) {
		hw_buf_add(&b, "\nLinks: ");
		sprints_cmd_add_list(&b, p.links, 200);
	}
	if (*p.description) {
		hw_buf_add(&b, "\n");
		hw_buf_add_safe(&b, p.description, 600);
	}
	n = json_array_size(p.days);
	for (i = 0; i < (n ? n : 1) && !rc; i++) {
		const char *day = n ? json_string_value(json_array_get(p.days, i)) : "";
		int64_t taken, waiting;
		rc = sprints_cmd_counts(api, tx, p.id, day, &taken, &waiting);
		if (rc)
			break;
		hw_buf_add(&b, "\n");
		hw_buf_add(&b, *day ? "" : "Signed up");
		hw_buf_add_safe(&b, day, 64);
		hw_buf_add(&b, " (");
		hw_buf_addint(&b, taken);
		hw_buf_add(&b, "/");
		hw_buf_addint(&b, p.capacity);
		hw_buf_add(&b, ")");
		if (!names) {
			if (waiting) {
				hw_buf_add(&b, " | waitlist: ");
				hw_buf_addint(&b, waiting);
			}
			continue;
		}
		hw_buf_add(&b, ": ");
		rc = sprints_cmd_add_people(api, tx, &b, p.id, day, "confirmed");
		if (!rc && waiting) {
			hw_buf_add(&b, " | waitlist: ");
			rc = sprints_cmd_add_people(api, tx, &b, p.id, day, "waitlist");
		}
	}
	if (!names)
		hw_buf_add(&b, "\nWho signed up is shown privately: ask me in a DM, or use "
				    "/sprint info.");
	if (!rc) {
		j->ephemeral = inv->door == HW_DOOR_SLASH;
		sprints_reply(j, hw_buf_str(&b));
	}
	hw_buf_free(&b);
	sprints_store_project_free(&p);
	return rc;
}

static int sprints_cmd_info(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	(void)self;
	return sprints_ask(ud, inv, sprints_cmd_info_body);
}

/* The stored display name: at most SPRINTS_USER_NAME_MAX bytes, whole
 * UTF-8 sequences. New string; NULL on OOM. */
static char *sprints_cmd_user_name(const hw_invocation *inv)
{
	const char *src = inv->user_name && *inv->user_name ? inv->user_name : inv->user_id;
	size_t n = strlen(src);
	char *d;
	if (n > SPRINTS_USER_NAME_MAX) {
		n = SPRINTS_USER_NAME_MAX;
		while (n && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	d = malloc(n + 1);
	if (d) {
		memcpy(d, src, n);
		d[n] = 0;
	}
	return d;
}

static int sprints_cmd_join_body(sprints_job *j, hw_tx *tx)
{
	const hw_invocation *inv = j->inv;
	sprints_project p;
	sprints_result res;
	hw_buf b;
	const char *day = "";
	char *uname = NULL;
	int rc = sprints_cmd_lookup(j, tx, sprints_cmd_arg(inv, "project"), &p);
	if (rc)
		return rc;
	hw_buf_init(&b, 4000);
	rc = sprints_cmd_day(j, &p, sprints_cmd_arg(inv, "day"), &day);
	if (rc)
		goto out;
	uname = sprints_cmd_user_name(inv);
	if (!uname) {
		rc = HW_ERR_NOMEM;
		goto out;
	}
	rc = sprints_store_join(j->s->api, tx, p.id, day, inv->user_id, uname, j->now, &res);
	if (rc == HW_ERR_NOT_FOUND) {
		rc = sprints_reply(j, "That project was just removed.");
		goto out;
	}
	if (rc)
		goto out;
	if (res.outcome == SPRINTS_CONFIRMED || res.outcome == SPRINTS_WAITLISTED)
		j->changed = 1;
	/* The answer goes out once this is committed. */
	switch (res.outcome) {
	case SPRINTS_CONFIRMED:
	case SPRINTS_ALREADY_CONFIRMED:
		hw_buf_add(&b, res.outcome == SPRINTS_CONFIRMED ? "You're in: "
								     : "You're already signed up: ");
		hw_buf_add_safe(&b, p.name, SPRINTS_SHOW_NAME);
		sprints_cmd_add_day(&b, day);
		hw_buf_add(&b, " (");
		hw_buf_addint(&b, res.taken);
		hw_buf_add(&b, "/");
		hw_buf_addint(&b, res.capacity);
		hw_buf_add(&b, " seats taken).");
		break;
	default:
		if (res.outcome == SPRINTS_WAITLISTED) {
			hw_buf_add_safe(&b, p.name, SPRINTS_SHOW_NAME);
			sprints_cmd_add_day(&b, day);
			hw_buf_add(&b, " is full, so you're on the waitlist at position ");
		} else {
			hw_buf_add(&b, "You're already on the waitlist for ");
			hw_buf_add_safe(&b, p.name, SPRINTS_SHOW_NAME);
			sprints_cmd_add_day(&b, day);
			hw_buf_add(&b, " at position ");
		}
		hw_buf_addint(&b, res.position);
		hw_buf_add(&b, ". You'll get a DM if a seat opens up.");
		break;
	}
	rc = sprints_reply(j, hw_buf_str(&b));
out:
	free(uname);
	hw_buf_free(&b);
	sprints_store_project_free(&p);
	return rc;
}

static int sprints_cmd_join(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	(void)self;
	return sprints_ask(ud, inv, sprints_cmd_join_body);
}

static int sprints_cmd_leave_body(sprints_job *j, hw_tx *tx)
{
	const hw_invocation *inv = j->inv;
	sprints_project p;
	sprints_result res;
	hw_buf b;
	const char *day = "";
	int rc = sprints_cmd_lookup(j, tx, sprints_cmd_arg(inv, "project"), &p);
	if (rc)
		return rc;
	hw_buf_init(&b, 4000);
	rc = sprints_cmd_day(j, &p, sprints_cmd_arg(inv, "day"), &day);
	if (rc)
		goto out;
	rc = sprints_store_leave(j->s->api, tx, p.id, day, inv->user_id, j->now, &res);
	if (rc == HW_ERR_NOT_FOUND) {
		rc = sprints_reply(j, "That project was just removed.");
		goto out;
	}
	if (rc)
		goto out;
	j->changed = res.outcome != SPRINTS_NOT_SIGNED_UP;
	j->flush = res.promoted > 0;
	if (res.outcome == SPRINTS_NOT_SIGNED_UP)
		hw_buf_add(&b, "You're not signed up for ");
	else if (res.outcome == SPRINTS_LEFT_WAITLIST)
		hw_buf_add(&b, "You left the waitlist for ");
	else
		hw_buf_add(&b, "You left ");
	hw_buf_add_safe(&b, p.name, SPRINTS_SHOW_NAME);
	sprints_cmd_add_day(&b, day);
	hw_buf_add(&b, res.outcome == SPRINTS_NOT_SIGNED_UP ? "; nothing to do." : ".");
	if (res.promoted)
		hw_buf_add(&b, " Your seat went to the next person on the waitlist.");
	rc = sprints_reply(j, hw_buf_str(&b));
out:
	hw_buf_free(&b);
	sprints_store_project_free(&p);
	return rc;
}

static int sprints_cmd_leave(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	(void)self;
	return sprints_ask(ud, inv, sprints_cmd_leave_body);
}

static int sprints_cmd_mine_body(sprints_job *j, hw_tx *tx)
{
	const hw_api *api = j->s->api;
	hw_buf b;
	size_t n = 0;
	int rc;
	hw_stmt *st = hw_sql(api, tx,
			     "SELECT p.name, s.day, s.status, (SELECT count(*) FROM sprints_signups w"
			     "  WHERE w.project_id = s.project_id AND w.day = s.day"
			     "  AND w.status = 'waitlist' AND w.id <= s.id)"
			     " FROM sprints_signups s JOIN sprints_projects p ON p.id = s.project_id"
			     " WHERE s.user_id = ? AND p.removed_ms IS NULL ORDER BY p.name, s.day",
			     "t", j->inv->user_id);
	if (!st)
		return HW_ERR_STORAGE;
	hw_buf_init(&b, SPRINTS_REPLY_MAX);
	while ((rc = api->db_step(st)) == HW_ROW) {
		hw_buf_add(&b, n++ ? "\n- " : "Your sprints:\n- ");
		hw_buf_add_safe(&b, hw_sql_col(api, st, 0), SPRINTS_SHOW_NAME);
		sprints_cmd_add_day(&b, hw_sql_col(api, st, 1));
		if (!strcmp(hw_sql_col(api, st, 2), "confirmed")) {
			hw_buf_add(&b, ": confirmed");
		} else {
			hw_buf_add(&b, ": waitlist position ");
			hw_buf_addint(&b, api->db_col_int(st, 3));
		}
	}
	if (rc == HW_DONE) {
		if (!n)
			hw_buf_add(&b, "You haven't joined any sprint. See `sprints`.");
		rc = sprints_reply(j, hw_buf_str(&b));
	} else {
		rc = rc < 0 ? rc : HW_ERR_STORAGE;
	}
	hw_buf_free(&b);
	return rc;
}

static int sprints_cmd_mine(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	(void)self;
	return sprints_ask(ud, inv, sprints_cmd_mine_body);
}

typedef struct sprints_cmd_completion {
	sprints *s;
	hw_completion *out;
} sprints_cmd_completion;

static void sprints_cmd_complete_one(const char *name, void *ud)
{
	sprints_cmd_completion *c = ud;
	c->s->api->complete_add(c->out, name, name);
}

void sprints_cmd_complete(hw_plugin *self, const char *arg, const char *partial,
			  hw_completion *out, void *ud)
{
	sprints_cmd_completion c = {ud, out};
	if (arg && strcmp(arg, "project"))
		return;
	sprints_query_complete(c.s->names, partial, 25, sprints_cmd_complete_one, &c);
}

static const hw_arg_spec sprints_cmd_list_args[] = {
	{"words", HW_ARG_TEXT, 0, "Only projects whose name or title has these words", 0},
};
static const hw_arg_spec sprints_cmd_project_arg[] = {
	{"project", HW_ARG_STRING, 1, "Project name (case and accents don't matter)", 1},
};
static const hw_arg_spec sprints_cmd_project_day_args[] = {
	{"project", HW_ARG_STRING, 1, "Project name (case and accents don't matter)", 1},
	{"day", HW_ARG_STRING, 0, "Which day (default: the first); e.g. 2025-10-31 or 2", 0},
};

int sprints_cmd_register(sprints *s)
{
	const hw_command_spec specs[] = {
		{sizeof(hw_command_spec), "sprints", "List sprint projects with seats and waitlists",
		 "Every project (a page of them in a channel): leads, days, level, seats taken / "
		 "capacity, waitlist length. `sprints <words>` lists those whose name or title has "
		 "the words.",
		 HW_PERM_EVERYONE, sprints_cmd_list_args, 1, sprints_cmd_list, NULL, s, {0}, sizeof(hw_arg_spec)},
		{sizeof(hw_command_spec), "sprint info", "Show a sprint project and who signed up",
		 NULL, HW_PERM_EVERYONE, sprints_cmd_project_arg, 1, sprints_cmd_info,
		 sprints_cmd_complete, s, {0}, sizeof(hw_arg_spec)},
		{sizeof(hw_command_spec), "sprint join", "Join a sprint (waitlist when full)",
		 "Joining twice is harmless. When the project is full you are put on its waitlist "
		 "and get a DM when a seat frees up.",
		 HW_PERM_EVERYONE, sprints_cmd_project_day_args, 2, sprints_cmd_join,
		 sprints_cmd_complete, s, {0}, sizeof(hw_arg_spec)},
		{sizeof(hw_command_spec), "sprint leave", "Leave a sprint or its waitlist", NULL,
		 HW_PERM_EVERYONE, sprints_cmd_project_day_args, 2, sprints_cmd_leave,
		 sprints_cmd_complete, s, {0}, sizeof(hw_arg_spec)},
		{sizeof(hw_command_spec), "sprint mine", "Your sprint signups and waitlist positions",
		 NULL, HW_PERM_EVERYONE, NULL, 0, sprints_cmd_mine, NULL, s, {0}, sizeof(hw_arg_spec)},
	};
	size_t i;
	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		int rc = s->api->command_add(s->self, &specs[i]);
		if (rc)
			return rc;
	}
	return HW_OK;
}
