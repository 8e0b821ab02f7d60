/*
 * Sprint rosters on the organizer page: every active project and day with
 * the seats taken of its capacity, who has a seat and the waitlist in
 * order, as a reply model (a table) on an organizer-only route; its action
 * exports the signups as CSV through `sprint export`, the chat command.
 * The model is built inside a unit of work (sprints_job.c's refresh) and
 * the route answers the latest one at once: a handler runs on the loop,
 * which never waits on the database.
 */
#include "sprints_web.h"

#include <stdio.h>
#include <string.h>

#include <hallway/buf.h>
#include <hallway/stmt.h>

#define NAMES_MAX 2000 /* bytes of names shown per cell */
#define PROMOTE_ACTIONS 4 /* buttons besides Export CSV (a model has at most 5) */

/* A "+1 seat" button for a project with a waitlist: `sprint edit` raises the
 * capacity, and the plugin promotes the first one waiting (the chat path). */
static void add_promote(json_t *actions, const char *name, int64_t cap, const char *first)
{
	char label[160], cmd[SPRINTS_NAME_MAX + 64], prefix[SPRINTS_NAME_MAX + 24];
	if (json_array_size(actions) >= PROMOTE_ACTIONS || strchr(name, '"'))
		return;
	snprintf(prefix, sizeof(prefix), "sprint edit \"%s\" ", name);
	for (size_t i = 0; i < json_array_size(actions); i++)
		if (!strncmp(json_string_value(json_object_get(json_array_get(actions, i), "command")),
			     prefix, strlen(prefix)))
			return; /* one per project, whatever the day */
	snprintf(label, sizeof(label), "+1 seat: %.60s (promotes %.60s)", name, first);
	snprintf(cmd, sizeof(cmd), "%scapacity=%lld", prefix, (long long)cap + 1);
	json_array_append_new(actions, json_pack("{s:s,s:s,s:s}", "label", label, "style", "primary",
						 "command", cmd));
}

static void add_name(hw_buf *b, const char *name)
{
	if (b->len >= NAMES_MAX)
		return;
	if (b->len)
		hw_buf_add(b, ", ");
	hw_buf_add(b, name);
}

json_t *sprints_web_rosters(sprints *s, hw_tx *tx)
{
	const hw_api *api = s->api;
	hw_stmt *st;
	json_t *rows = json_array(), *actions = json_array(), *m = NULL;
	hw_buf seats, waiting;
	char cur_key[300] = "", seats_txt[64];
	const char *cur_name = NULL;
	char name[SPRINTS_NAME_MAX + 1] = "", day[40] = "", first[SPRINTS_USER_NAME_MAX + 1] = "";
	int64_t cap = 0, taken = 0, nwait = 0;
	int have = 0;

	hw_buf_init(&seats, NAMES_MAX + 200);
	hw_buf_init(&waiting, NAMES_MAX + 200);
	if (!rows || !actions)
		goto out;
	/* Projects with no signup yet show too (day empty). */
	st = hw_sql(api, tx,
		    "SELECT p.name, p.capacity, coalesce(g.day, ''), g.status,"
		    " g.user_name FROM sprints_projects p"
		    " LEFT JOIN sprints_signups g ON g.project_id = p.id"
		    " WHERE p.removed_ms IS NULL ORDER BY p.name, g.day, g.status, g.id",
		    NULL);
	if (!st)
		goto out;
	for (;;) {
		int step = api->db_step(st);
		const char *n = step == HW_ROW ? hw_sql_col(api, st, 0) : NULL;
		const char *d = step == HW_ROW ? hw_sql_col(api, st, 2) : NULL;
		char key[300];
		if (step != HW_ROW && step != HW_DONE)
			goto out;
		if (step == HW_ROW)
			snprintf(key, sizeof(key), "%s\n%s", n, d);
		if (have && (step == HW_DONE || strcmp(key, cur_key))) {
			snprintf(seats_txt, sizeof(seats_txt), "%lld of %lld", (long long)taken,
				 (long long)cap);
			json_array_append_new(rows, json_pack("[s,s,s,I,s,s]", name, day, seats_txt,
							      (json_int_t)nwait, hw_buf_str(&seats),
							      hw_buf_str(&waiting)));
			if (nwait)
				add_promote(actions, name, cap, first);
			hw_buf_free(&seats);
			hw_buf_free(&waiting);
			hw_buf_init(&seats, NAMES_MAX + 200);
			hw_buf_init(&waiting, NAMES_MAX + 200);
			taken = nwait = 0;
			have = 0;
		}
		if (step == HW_DONE)
			break;
		if (!have) {
			snprintf(cur_key, sizeof(cur_key), "%s", key);
			snprintf(name, sizeof(name), "%s", n);
			snprintf(day, sizeof(day), "%s", d);
			cap = api->db_col_int(st, 1);
			have = 1;
		}
		cur_name = hw_sql_col(api, st, 4);
		if (api->db_col_is_null(st, 3))
			continue;
		if (!strcmp(hw_sql_col(api, st, 3), "confirmed")) {
			taken++;
			add_name(&seats, cur_name);
		} else {
			if (!nwait++)
				snprintf(first, sizeof(first), "%s", cur_name);
			add_name(&waiting, cur_name);
		}
	}
	json_array_insert_new(actions, 0, json_pack("{s:s,s:s}", "label", "Export CSV", "command",
						    "sprint export"));
	m = json_pack("{s:i,s:s,s:[{s:s,s:s,s:[s,s,s,s,s,s],s:O}],s:O}", "version", 1, "text",
		      "Seats taken of the capacity per day; the waitlist in order. A +1 seat "
		      "raises the project's capacity, which gives the first one waiting a seat.",
		      "items", "kind", "table", "title", "Rosters", "columns", "Project", "Day",
		      "Seats", "Waiting", "Who has a seat", "Waitlist", "rows", rows, "actions",
		      actions);
out:
	hw_buf_free(&seats);
	hw_buf_free(&waiting);
	json_decref(rows);
	json_decref(actions);
	return m;
}

static json_t *route_rosters(hw_plugin *self, const hw_web_request *req, int *status, void *ud)
{
	sprints *s = ud;
	json_t *m = s->rosters ? json_deep_copy(s->rosters) : NULL;
	(void)self;
	(void)req;
	if (!m)
		*status = 503; /* not read yet (or the database is away since start) */
	return m;
}

int sprints_web_init(sprints *s)
{
	const hw_api *api = s->api;
	int rc;
	if (!HW_API_HAS(api, web_panel) || !api->web_route)
		return HW_OK; /* an older host: no web side */
	rc = api->web_route(s->self, "GET", "rosters", HW_WEB_ORGANIZER, route_rosters, s);
	if (rc == HW_ERR_UNSUPPORTED)
		return HW_OK; /* a host without a web server: no web side */
	if (rc)
		return rc;
	return api->web_panel(s->self, "Sprint rosters", "rosters");
}
