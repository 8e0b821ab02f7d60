/*
 * Sprint rosters on the organizer page: every active project and day with
 * the seats taken of its capacity, who has a seat and the waitlist in
 * order, as a reply model (a table) on an organizer-only route; its action
 * exports the signups as CSV through `sprint export`, the chat command.
 */
#include "sprints_web.h"

#include <stdio.h>
#include <string.h>

#include <hallway/buf.h>
#include <hallway/db.h>

#define NAMES_MAX 2000 /* bytes of names shown per cell */

static void add_name(hw_buf *b, const char *name)
{
	if (b->len >= NAMES_MAX)
		return;
	if (b->len)
		hw_buf_add(b, ", ");
	hw_buf_add(b, name);
}

json_t *sprints_web_rosters(sprints *s)
{
	sqlite3_stmt *st = NULL;
	json_t *rows = json_array(), *m = NULL;
	hw_buf seats, waiting;
	char cur_key[300] = "", seats_txt[64];
	const char *cur_name = NULL;
	char name[SPRINTS_NAME_MAX + 1] = "", day[40] = "";
	int64_t cap = 0, taken = 0, nwait = 0;
	int rc, have = 0;

	hw_buf_init(&seats, NAMES_MAX + 200);
	hw_buf_init(&waiting, NAMES_MAX + 200);
	if (!rows)
		goto out;
	/* Projects with no signup yet show too (day empty). */
	rc = hw_db_prepare(s->db, &st,
			   "SELECT p.name, p.capacity, coalesce(g.day, ''), g.status,"
			   " g.user_name FROM sprints_projects p"
			   " LEFT JOIN sprints_signups g ON g.project_id = p.id"
			   " WHERE p.removed_ms IS NULL ORDER BY p.name, g.day, g.status, g.id",
			   NULL);
	if (rc)
		goto out;
	for (;;) {
		int step = sqlite3_step(st);
		const char *n = step == SQLITE_ROW ? hw_db_text(st, 0) : NULL;
		const char *d = step == SQLITE_ROW ? hw_db_text(st, 2) : NULL;
		char key[300];
		if (step != SQLITE_ROW && step != SQLITE_DONE)
			goto out;
		if (step == SQLITE_ROW)
			snprintf(key, sizeof(key), "%s\n%s", n, d);
		if (have && (step == SQLITE_DONE || strcmp(key, cur_key))) {
			snprintf(seats_txt, sizeof(seats_txt), "%lld of %lld", (long long)taken,
				 (long long)cap);
			json_array_append_new(rows, json_pack("[s,s,s,I,s,s]", name, day, seats_txt,
							      (json_int_t)nwait, hw_buf_str(&seats),
							      hw_buf_str(&waiting)));
			hw_buf_free(&seats);
			hw_buf_free(&waiting);
			hw_buf_init(&seats, NAMES_MAX + 200);
			hw_buf_init(&waiting, NAMES_MAX + 200);
			taken = nwait = 0;
			have = 0;
		}
		if (step == SQLITE_DONE)
			break;
		if (!have) {
			snprintf(cur_key, sizeof(cur_key), "%s", key);
			snprintf(name, sizeof(name), "%s", n);
			snprintf(day, sizeof(day), "%s", d);
			cap = sqlite3_column_int64(st, 1);
			have = 1;
		}
		cur_name = hw_db_text(st, 4);
		if (sqlite3_column_type(st, 3) == SQLITE_NULL)
			continue;
		if (!strcmp(hw_db_text(st, 3), "confirmed")) {
			taken++;
			add_name(&seats, cur_name);
		} else {
			nwait++;
			add_name(&waiting, cur_name);
		}
	}
	m = json_pack("{s:i,s:s,s:[{s:s,s:s,s:[s,s,s,s,s,s],s:O}],s:[{s:s,s:s}]}", "version", 1,
		      "text", "Seats taken of the capacity per day; the waitlist in order.",
		      "items", "kind", "table", "title", "Rosters", "columns", "Project", "Day",
		      "Seats", "Waiting", "Who has a seat", "Waitlist", "rows", rows, "actions",
		      "label", "Export CSV", "command", "sprint export");
out:
	sqlite3_finalize(st);
	hw_buf_free(&seats);
	hw_buf_free(&waiting);
	json_decref(rows);
	return m;
}

static json_t *route_rosters(hw_plugin *self, const hw_web_request *req, int *status, void *ud)
{
	sprints *s = ud;
	json_t *m = sprints_web_rosters(s);
	(void)req;
	if (!m) {
		s->api->log(self, HW_LOG_ERROR, "sprints: cannot read the rosters: %s",
			    sqlite3_errmsg(s->db));
		*status = 503;
	}
	return m;
}

int sprints_web_init(sprints *s)
{
	const hw_api *api = s->api;
	int rc;
	if (!HW_API_HAS(api, web_panel) || !api->web_route)
		return HW_OK; /* an older host: no web side */
	if ((rc = api->web_route(s->self, "GET", "rosters", HW_WEB_ORGANIZER, route_rosters, s)))
		return rc;
	return api->web_panel(s->self, "Sprint rosters", "rosters");
}
