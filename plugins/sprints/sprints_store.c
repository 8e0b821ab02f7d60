/*
 * sprints_store — sprint tables and transactional writes. See sprints_store.h.
 */
#include "sprints_store.h"

#include <stdlib.h>
#include <string.h>

#include <hallway/plugin.h>

#include "sprints.h"
#include <hallway/db.h>
#include <hallway/text.h>

const char *const sprints_store_migrations[] = {
	/* v1 */
	"CREATE TABLE sprints_projects("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL,"
	" fold TEXT NOT NULL,"
	" title TEXT, description TEXT, level TEXT,"
	" capacity INTEGER NOT NULL CHECK(capacity >= 0),"
	" days TEXT NOT NULL DEFAULT '[]',"
	" leads TEXT NOT NULL DEFAULT '[]',"
	" links TEXT NOT NULL DEFAULT '[]',"
	" source TEXT NOT NULL,"       /* chat | config | feed */
	" source_id TEXT,"             /* e.g. the pretalx submission code */
	" pinned INTEGER NOT NULL DEFAULT 0," /* edited in chat: feeds keep off */
	" created_ms INTEGER NOT NULL,"
	" updated_ms INTEGER NOT NULL,"
	" removed_ms INTEGER);"
	"CREATE UNIQUE INDEX sprints_projects_fold ON sprints_projects(fold)"
	" WHERE removed_ms IS NULL;"
	/* AUTOINCREMENT: ids are never reused, so they rank the waitlist. */
	"CREATE TABLE sprints_signups("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" project_id INTEGER NOT NULL REFERENCES sprints_projects(id),"
	" day TEXT NOT NULL,"
	" user_id TEXT NOT NULL,"
	" user_name TEXT NOT NULL,"
	" status TEXT NOT NULL CHECK(status IN ('confirmed', 'waitlist')),"
	" created_ms INTEGER NOT NULL,"
	" updated_ms INTEGER NOT NULL,"
	" UNIQUE(project_id, day, user_id));"
	"CREATE INDEX sprints_signups_user ON sprints_signups(user_id);"
	"CREATE INDEX sprints_signups_slot ON sprints_signups(project_id, day, status, id);"
	"CREATE TRIGGER sprints_signups_cap_insert BEFORE INSERT ON sprints_signups"
	" WHEN NEW.status = 'confirmed' AND (SELECT count(*) FROM sprints_signups"
	"  WHERE project_id = NEW.project_id AND day = NEW.day AND status = 'confirmed')"
	"  >= (SELECT capacity FROM sprints_projects WHERE id = NEW.project_id)"
	" BEGIN SELECT RAISE(ABORT, 'sprints: capacity exceeded'); END;"
	"CREATE TRIGGER sprints_signups_cap_update BEFORE UPDATE OF status ON sprints_signups"
	" WHEN NEW.status = 'confirmed' AND OLD.status <> 'confirmed' AND (SELECT count(*)"
	"  FROM sprints_signups WHERE project_id = NEW.project_id AND day = NEW.day"
	"  AND status = 'confirmed')"
	"  >= (SELECT capacity FROM sprints_projects WHERE id = NEW.project_id)"
	" BEGIN SELECT RAISE(ABORT, 'sprints: capacity exceeded'); END;"
	/* Left and removed signups: nothing is deleted without a record. */
	"CREATE TABLE sprints_archive("
	" id INTEGER PRIMARY KEY,"
	" signup_id INTEGER, project_id INTEGER, project_name TEXT, day TEXT,"
	" user_id TEXT, user_name TEXT, status TEXT, created_ms INTEGER,"
	" ended_ms INTEGER NOT NULL,"
	" reason TEXT NOT NULL);"        /* left | removed */
	/* DMs owed after a commit (promotions); sent, then deleted. */
	"CREATE TABLE sprints_outbox("
	" id INTEGER PRIMARY KEY,"
	" user_id TEXT NOT NULL,"
	" text TEXT NOT NULL,"
	" created_ms INTEGER NOT NULL,"
	" attempt_ms INTEGER);",
};
const size_t sprints_store_nmigrations =
	sizeof(sprints_store_migrations) / sizeof(sprints_store_migrations[0]);

static char *sprints_store_dup(const char *s)
{
	size_t n = strlen(s);
	char *d = malloc(n + 1);
	if (d)
		memcpy(d, s, n + 1);
	return d;
}

static json_t *sprints_store_array(const char *text)
{
	json_t *a = json_loads(text, JSON_DECODE_ANY, NULL);
	if (!json_is_array(a)) {
		json_decref(a);
		a = json_array();
	}
	return a;
}

void sprints_store_project_free(sprints_project *p)
{
	free(p->name);
	free(p->title);
	free(p->description);
	free(p->level);
	free(p->source);
	json_decref(p->days);
	json_decref(p->leads);
	json_decref(p->links);
	memset(p, 0, sizeof(*p));
}

int sprints_store_project(sqlite3 *db, int64_t id, sprints_project *out)
{
	sqlite3_stmt *st = NULL;
	sprints_project p;
	int rc;
	memset(&p, 0, sizeof(p));
	rc = hw_db_prepare(db, &st,
				"SELECT id, name, title, description, level, capacity, days, leads,"
				" links, source FROM sprints_projects"
				" WHERE id = ? AND removed_ms IS NULL",
				"i", id);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		rc = rc == SQLITE_DONE ? HW_ERR_NOT_FOUND : HW_ERR_STORAGE;
		goto out;
	}
	p.id = sqlite3_column_int64(st, 0);
	p.name = sprints_store_dup(hw_db_text(st, 1));
	p.title = sprints_store_dup(hw_db_text(st, 2));
	p.description = sprints_store_dup(hw_db_text(st, 3));
	p.level = sprints_store_dup(hw_db_text(st, 4));
	p.capacity = sqlite3_column_int64(st, 5);
	p.days = sprints_store_array(hw_db_text(st, 6));
	p.leads = sprints_store_array(hw_db_text(st, 7));
	p.links = sprints_store_array(hw_db_text(st, 8));
	p.source = sprints_store_dup(hw_db_text(st, 9));
	if (!p.name || !p.title || !p.description || !p.level || !p.source || !p.days ||
	    !p.leads || !p.links) {
		rc = HW_ERR_NOMEM;
		goto out;
	}
	*out = p;
	memset(&p, 0, sizeof(p));
	rc = HW_OK;
out:
	sqlite3_finalize(st);
	sprints_store_project_free(&p);
	return rc;
}

static int sprints_store_count(sqlite3 *db, int64_t id, const char *day, const char *status,
			       int64_t *n)
{
	return hw_db_int(db, n,
			      "SELECT count(*) FROM sprints_signups"
			      " WHERE project_id = ? AND day = ? AND status = ?",
			      "itt", id, day, status);
}

static int sprints_store_position(sqlite3 *db, int64_t id, const char *day, int64_t signup,
				  int64_t *pos)
{
	return hw_db_int(db, pos,
			      "SELECT count(*) FROM sprints_signups WHERE project_id = ?"
			      " AND day = ? AND status = 'waitlist' AND id <= ?",
			      "iti", id, day, signup);
}

/* Inside a transaction: fills free seats of (id, day) from the waitlist in
 * signup order and queues a DM for each promoted person. */
static int sprints_store_promote(sqlite3 *db, int64_t id, const char *day, int64_t now,
				 int64_t *promoted)
{
	sqlite3_stmt *st = NULL;
	hw_buf msg;
	int64_t cap, taken;
	int rc;

	hw_buf_init(&msg, 4096);
	rc = hw_db_int(db, &cap, "SELECT capacity FROM sprints_projects WHERE id = ?", "i", id);
	if (rc)
		goto out;
	rc = sprints_store_count(db, id, day, "confirmed", &taken);
	while (!rc && taken < cap) {
		int64_t sid;
		char *user;
		rc = hw_db_prepare(db, &st,
					"SELECT s.id, s.user_id, p.name FROM sprints_signups s"
					" JOIN sprints_projects p ON p.id = s.project_id"
					" WHERE s.project_id = ? AND s.day = ? AND s.status = 'waitlist'"
					" ORDER BY s.id LIMIT 1",
					"it", id, day);
		if (rc)
			break;
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW) {
			rc = rc == SQLITE_DONE ? HW_OK : HW_ERR_STORAGE;
			break;
		}
		sid = sqlite3_column_int64(st, 0);
		msg.len = 0;
		msg.failed = 0;
		hw_buf_add(&msg, "A seat opened up: you are now confirmed for the ");
		hw_buf_add_safe(&msg, hw_db_text(st, 2), SPRINTS_NAME_MAX);
		hw_buf_add(&msg, " sprint");
		if (*day) {
			hw_buf_add(&msg, " on ");
			hw_buf_add_safe(&msg, day, 64);
		}
		hw_buf_add(&msg, ". If you cannot come, please run `sprint leave` so the next "
				      "person gets it.");
		user = sprints_store_dup(hw_db_text(st, 1));
		sqlite3_finalize(st);
		st = NULL;
		if (!user || !hw_buf_str(&msg)) {
			free(user);
			rc = HW_ERR_NOMEM;
			break;
		}
		rc = hw_db_exec(db,
				     "UPDATE sprints_signups SET status = 'confirmed', updated_ms = ?"
				     " WHERE id = ?",
				     "ii", now, sid);
		if (!rc)
			rc = hw_db_exec(db,
					     "INSERT INTO sprints_outbox(user_id, text, created_ms)"
					     " VALUES(?, ?, ?)",
					     "tti", user, hw_buf_str(&msg), now);
		free(user);
		taken++;
		if (!rc && promoted)
			(*promoted)++;
	}
out:
	sqlite3_finalize(st);
	hw_buf_free(&msg);
	return rc;
}

static int sprints_store_capacity(sqlite3 *db, int64_t id, int64_t *cap)
{
	return hw_db_int(db, cap,
			      "SELECT capacity FROM sprints_projects WHERE id = ? AND removed_ms IS NULL",
			      "i", id);
}

/* The caller's signup on (id, day): HW_OK with *sid and *confirmed, or
 * HW_ERR_NOT_FOUND. */
static int sprints_store_mine(sqlite3 *db, int64_t id, const char *day, const char *user,
			      int64_t *sid, int *confirmed)
{
	sqlite3_stmt *st = NULL;
	int rc = hw_db_prepare(db, &st,
				    "SELECT id, status FROM sprints_signups"
				    " WHERE project_id = ? AND day = ? AND user_id = ?",
				    "itt", id, day, user);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*sid = sqlite3_column_int64(st, 0);
		*confirmed = !strcmp(hw_db_text(st, 1), "confirmed");
		rc = HW_OK;
	} else {
		rc = rc == SQLITE_DONE ? HW_ERR_NOT_FOUND : HW_ERR_STORAGE;
	}
	sqlite3_finalize(st);
	return rc;
}

int sprints_store_join(sqlite3 *db, int64_t id, const char *day, const char *user_id,
		       const char *user_name, int64_t now, sprints_result *res)
{
	int64_t sid = 0, taken = 0;
	int confirmed = 0, rc;

	memset(res, 0, sizeof(*res));
	rc = hw_db_begin(db);
	if (rc)
		return rc;
	rc = sprints_store_capacity(db, id, &res->capacity);
	if (rc)
		goto out;
	rc = sprints_store_mine(db, id, day, user_id, &sid, &confirmed);
	if (rc == HW_OK) {
		res->outcome = confirmed ? SPRINTS_ALREADY_CONFIRMED : SPRINTS_ALREADY_WAITLISTED;
	} else if (rc == HW_ERR_NOT_FOUND) {
		rc = sprints_store_count(db, id, day, "confirmed", &taken);
		if (rc)
			goto out;
		confirmed = taken < res->capacity;
		rc = hw_db_exec(db,
				     "INSERT INTO sprints_signups(project_id, day, user_id, user_name,"
				     " status, created_ms, updated_ms) VALUES(?, ?, ?, ?, ?, ?, ?)",
				     "ittttii", id, day, user_id, user_name,
				     confirmed ? "confirmed" : "waitlist", now, now);
		if (rc)
			goto out;
		sid = sqlite3_last_insert_rowid(db);
		res->outcome = confirmed ? SPRINTS_CONFIRMED : SPRINTS_WAITLISTED;
	} else {
		goto out;
	}
	if (!confirmed)
		rc = sprints_store_position(db, id, day, sid, &res->position);
	if (!rc)
		rc = sprints_store_count(db, id, day, "confirmed", &res->taken);
	if (!rc)
		rc = hw_db_commit(db);
out:
	if (rc)
		hw_db_rollback(db);
	return rc;
}

int sprints_store_leave(sqlite3 *db, int64_t id, const char *day, const char *user_id,
			int64_t now, sprints_result *res)
{
	int64_t sid = 0;
	int confirmed = 0, rc;

	memset(res, 0, sizeof(*res));
	rc = hw_db_begin(db);
	if (rc)
		return rc;
	rc = sprints_store_capacity(db, id, &res->capacity);
	if (rc)
		goto out;
	rc = sprints_store_mine(db, id, day, user_id, &sid, &confirmed);
	if (rc == HW_ERR_NOT_FOUND) {
		res->outcome = SPRINTS_NOT_SIGNED_UP;
		rc = HW_OK;
	} else if (rc == HW_OK) {
		res->outcome = confirmed ? SPRINTS_LEFT : SPRINTS_LEFT_WAITLIST;
		rc = hw_db_exec(db,
				     "INSERT INTO sprints_archive(signup_id, project_id, project_name,"
				     " day, user_id, user_name, status, created_ms, ended_ms, reason)"
				     " SELECT s.id, s.project_id, p.name, s.day, s.user_id, s.user_name,"
				     " s.status, s.created_ms, ?, 'left' FROM sprints_signups s"
				     " JOIN sprints_projects p ON p.id = s.project_id WHERE s.id = ?",
				     "ii", now, sid);
		if (!rc)
			rc = hw_db_exec(db, "DELETE FROM sprints_signups WHERE id = ?", "i", sid);
		if (!rc && confirmed)
			rc = sprints_store_promote(db, id, day, now, &res->promoted);
	}
	if (!rc)
		rc = sprints_store_count(db, id, day, "confirmed", &res->taken);
	if (!rc)
		rc = hw_db_commit(db);
out:
	if (rc)
		hw_db_rollback(db);
	return rc;
}

static char *sprints_store_json(const json_t *j)
{
	return json_dumps(j ? j : json_array(), JSON_COMPACT | JSON_ENCODE_ANY);
}

int sprints_store_add(sqlite3 *db, const char *name, int64_t capacity, json_t *leads,
		      int64_t now, int64_t *id)
{
	char *fold = hw_fold(name), *leads_s = NULL;
	int rc = HW_ERR_NOMEM;
	json_t *empty = json_array();
	if (!fold || !empty)
		goto out;
	leads_s = json_dumps(leads ? leads : empty, JSON_COMPACT);
	if (!leads_s)
		goto out;
	rc = hw_db_exec(db,
			     "INSERT INTO sprints_projects(name, fold, title, description, level,"
			     " capacity, leads, source, created_ms, updated_ms)"
			     " VALUES(?, ?, '', '', '', ?, ?, 'chat', ?, ?)",
			     "ttitii", name, fold, capacity, leads_s, now, now);
	if (!rc)
		*id = sqlite3_last_insert_rowid(db);
out:
	free(fold);
	free(leads_s);
	json_decref(empty);
	return rc;
}

/* Days of (id) that have signups, as a new array. */
static json_t *sprints_store_used_days(sqlite3 *db, int64_t id)
{
	sqlite3_stmt *st = NULL;
	json_t *days = json_array();
	if (!days || hw_db_prepare(db, &st,
					"SELECT DISTINCT day FROM sprints_signups"
					" WHERE project_id = ? ORDER BY day",
					"i", id)) {
		json_decref(days);
		return NULL;
	}
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(days, json_string(hw_db_text(st, 0)));
	sqlite3_finalize(st);
	return days;
}

static int sprints_store_has(const json_t *arr, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), s))
			return 1;
	return 0;
}

static int sprints_store_set_text(sqlite3 *db, int64_t id, const char *col, const char *v)
{
	/* col comes from the fixed list in sprints_store_edit, never from users. */
	static const char *const sql[] = {
		"UPDATE sprints_projects SET title = ? WHERE id = ?",
		"UPDATE sprints_projects SET description = ? WHERE id = ?",
		"UPDATE sprints_projects SET level = ? WHERE id = ?",
		"UPDATE sprints_projects SET leads = ? WHERE id = ?",
		"UPDATE sprints_projects SET links = ? WHERE id = ?",
		"UPDATE sprints_projects SET days = ? WHERE id = ?",
	};
	static const char *const cols[] = {"title", "description", "level", "leads", "links", "days"};
	size_t i;
	for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		if (!strcmp(cols[i], col))
			return hw_db_exec(db, sql[i], "ti", v, id);
	return HW_ERR_INVALID;
}

int sprints_store_edit(sqlite3 *db, int64_t id, const json_t *changes, int64_t now,
		       int64_t *promoted, hw_buf *err)
{
	static const char *const texts[] = {"title", "description", "level"};
	static const char *const lists[] = {"leads", "links"};
	json_t *used = NULL, *days = json_object_get(changes, "days"), *v;
	char *fold = NULL, *s = NULL;
	int64_t cap;
	size_t i;
	int rc;

	rc = hw_db_begin(db);
	if (rc)
		return rc;
	rc = sprints_store_capacity(db, id, &cap);
	if (rc)
		goto out;
	if ((v = json_object_get(changes, "name"))) {
		fold = hw_fold(json_string_value(v));
		if (!fold) {
			rc = HW_ERR_NOMEM;
			goto out;
		}
		rc = hw_db_exec(db, "UPDATE sprints_projects SET name = ?, fold = ? WHERE id = ?",
				     "tti", json_string_value(v), fold, id);
		if (rc == HW_ERR_EXISTS)
			hw_buf_add(err, "Another project already has that name.");
		if (rc)
			goto out;
	}
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if ((v = json_object_get(changes, texts[i])) &&
		    (rc = sprints_store_set_text(db, id, texts[i], json_string_value(v))))
			goto out;
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		if (!(v = json_object_get(changes, lists[i])))
			continue;
		free(s);
		s = sprints_store_json(v);
		if (!s || (rc = sprints_store_set_text(db, id, lists[i], s)))
			goto out;
	}
	if (days) {
		size_t k;
		json_t *d;
		used = sprints_store_used_days(db, id);
		if (!used) {
			rc = HW_ERR_STORAGE;
			goto out;
		}
		json_array_foreach(used, k, d) {
			const char *day = json_string_value(d);
			if (!*day && json_array_size(days)) {
				/* Signups of a project without days move to its first day. */
				rc = hw_db_exec(db,
						     "UPDATE sprints_signups SET day = ?"
						     " WHERE project_id = ? AND day = ''",
						     "ti", json_string_value(json_array_get(days, 0)), id);
				if (rc)
					goto out;
			} else if (*day && !sprints_store_has(days, day)) {
				hw_buf_add(err, "People are signed up on ");
				hw_buf_add_safe(err, day, 64);
				hw_buf_add(err, "; keep that day or ask them to leave it first.");
				rc = HW_ERR_EXISTS;
				goto out;
			}
		}
		free(s);
		s = sprints_store_json(days);
		if (!s || (rc = sprints_store_set_text(db, id, "days", s)))
			goto out;
	}
	if ((v = json_object_get(changes, "capacity"))) {
		int64_t newcap = json_integer_value(v);
		rc = hw_db_exec(db, "UPDATE sprints_projects SET capacity = ? WHERE id = ?", "ii",
				     newcap, id);
		if (rc)
			goto out;
		if (newcap > cap) {
			size_t k;
			json_t *d;
			json_decref(used);
			used = sprints_store_used_days(db, id);
			if (!used) {
				rc = HW_ERR_STORAGE;
				goto out;
			}
			json_array_foreach(used, k, d)
				if ((rc = sprints_store_promote(db, id, json_string_value(d), now,
								promoted)))
					goto out;
		}
	}
	rc = hw_db_exec(db, "UPDATE sprints_projects SET pinned = 1, updated_ms = ? WHERE id = ?",
			     "ii", now, id);
	if (!rc)
		rc = hw_db_commit(db);
out:
	if (rc)
		hw_db_rollback(db);
	json_decref(used);
	free(fold);
	free(s);
	return rc;
}

int sprints_store_remove(sqlite3 *db, int64_t id, int confirm, int64_t now, int64_t *signed_up)
{
	int rc = hw_db_begin(db);
	int64_t cap;
	if (rc)
		return rc;
	rc = sprints_store_capacity(db, id, &cap);
	if (!rc)
		rc = hw_db_int(db, signed_up,
				    "SELECT count(*) FROM sprints_signups WHERE project_id = ?", "i", id);
	if (rc)
		goto out;
	if (*signed_up && !confirm) {
		hw_db_rollback(db);
		return HW_OK;
	}
	rc = hw_db_exec(db,
			     "INSERT INTO sprints_archive(signup_id, project_id, project_name, day,"
			     " user_id, user_name, status, created_ms, ended_ms, reason)"
			     " SELECT s.id, s.project_id, p.name, s.day, s.user_id, s.user_name,"
			     " s.status, s.created_ms, ?, 'removed' FROM sprints_signups s"
			     " JOIN sprints_projects p ON p.id = s.project_id"
			     " WHERE s.project_id = ? ORDER BY s.id",
			     "ii", now, id);
	if (!rc)
		rc = hw_db_exec(db, "DELETE FROM sprints_signups WHERE project_id = ?", "i", id);
	if (!rc)
		rc = hw_db_exec(db,
				     "UPDATE sprints_projects SET removed_ms = ?, updated_ms = ?"
				     " WHERE id = ?",
				     "iii", now, now, id);
	if (!rc)
		rc = hw_db_commit(db);
out:
	if (rc)
		hw_db_rollback(db);
	return rc;
}

/* Finds the row a record merges into: by source id, else by folded name;
 * active rows first. HW_ERR_NOT_FOUND when there is none. */
static int sprints_store_match(sqlite3 *db, const char *source, const char *source_id,
			       const char *fold, int64_t *id, int *removed, int *pinned)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if (source_id)
		rc = hw_db_prepare(db, &st,
					"SELECT id, removed_ms IS NOT NULL, pinned FROM sprints_projects"
					" WHERE (source = ? AND source_id = ?) OR fold = ?"
					" ORDER BY removed_ms IS NOT NULL, source_id IS NOT ?, id DESC"
					" LIMIT 1",
					"tttt", source, source_id, fold, source_id);
	else
		rc = hw_db_prepare(db, &st,
					"SELECT id, removed_ms IS NOT NULL, pinned FROM sprints_projects"
					" WHERE fold = ? ORDER BY removed_ms IS NOT NULL, id DESC LIMIT 1",
					"t", fold);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		*removed = sqlite3_column_int(st, 1);
		*pinned = sqlite3_column_int(st, 2);
		rc = HW_OK;
	} else {
		rc = rc == SQLITE_DONE ? HW_ERR_NOT_FOUND : HW_ERR_STORAGE;
	}
	sqlite3_finalize(st);
	return rc;
}

static const char *sprints_store_str(const json_t *rec, const char *key)
{
	const char *s = json_string_value(json_object_get(rec, key));
	return s ? s : "";
}

/* One record inside the merge transaction. A capacity that grew fills the
 * new seats from the waitlist first, in signup order, with a DM queued
 * for each (issue 15): else the next person to join would jump the line. */
static int sprints_store_merge_one(sqlite3 *db, const json_t *rec, const char *source,
				   int64_t now, int64_t *added, int64_t *updated, int64_t *promoted)
{
	const char *name = json_string_value(json_object_get(rec, "name"));
	const char *source_id = json_string_value(json_object_get(rec, "source_id"));
	json_t *cap = json_object_get(rec, "capacity"), *days = NULL, *used = NULL, *d;
	char *fold = NULL, *days_s = NULL, *leads_s = NULL, *links_s = NULL;
	int64_t id = 0;
	int removed = 0, pinned = 0, rc;
	size_t i;

	if (!name || !*name || strlen(name) > SPRINTS_NAME_MAX)
		return HW_OK; /* skipped; the loader logged it */
	fold = hw_fold(name);
	if (!fold)
		return HW_ERR_NOMEM;
	rc = HW_OK;
	if (!*fold)
		goto out;
	rc = sprints_store_match(db, source, source_id, fold, &id, &removed, &pinned);
	if (rc && rc != HW_ERR_NOT_FOUND)
		goto out;
	days = json_deep_copy(json_object_get(rec, "days"));
	if (!json_is_array(days)) {
		json_decref(days);
		days = json_array();
	}
	if (rc == HW_OK) {
		rc = HW_OK;
		if (removed || pinned)
			goto out; /* an organizer's decision outranks the feed */
		/* Days that have signups stay, whatever the feed says now. */
		used = sprints_store_used_days(db, id);
		if (!used) {
			rc = HW_ERR_STORAGE;
			goto out;
		}
		json_array_foreach(used, i, d)
			if (*json_string_value(d) && !sprints_store_has(days, json_string_value(d)))
				json_array_append(days, d);
	}
	days_s = sprints_store_json(days);
	leads_s = sprints_store_json(json_object_get(rec, "leads"));
	links_s = sprints_store_json(json_object_get(rec, "links"));
	if (!days_s || !leads_s || !links_s) {
		rc = HW_ERR_NOMEM;
		goto out;
	}
	if (id) {
		rc = hw_db_exec(db,
				     "UPDATE sprints_projects SET title = ?1, description = ?2,"
				     " level = ?3, capacity = CASE WHEN ?4 >= 0 THEN ?4 ELSE capacity END,"
				     " days = ?5, leads = ?6, links = ?7,"
				     " source_id = coalesce(source_id, ?8), updated_ms = ?9 WHERE id = ?10",
				     "ttt" "i" "ttt" "tii", sprints_store_str(rec, "title"),
				     sprints_store_str(rec, "description"), sprints_store_str(rec, "level"),
				     /* -1: keep the stored capacity */
				     json_is_integer(cap) ? json_integer_value(cap) : (int64_t)-1, days_s,
				     leads_s, links_s, source_id, now, id);
		if (!rc)
			(*updated)++;
		/* used: every day with signups, before and after the update. */
		json_array_foreach(used, i, d)
			if (!rc)
				rc = sprints_store_promote(db, id, json_string_value(d), now, promoted);
	} else {
		rc = hw_db_exec(db,
				     "INSERT INTO sprints_projects(name, fold, title, description, level,"
				     " capacity, days, leads, links, source, source_id, created_ms,"
				     " updated_ms) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
				     "ttttt" "i" "ttttt" "ii", name, fold, sprints_store_str(rec, "title"),
				     sprints_store_str(rec, "description"), sprints_store_str(rec, "level"),
				     json_is_integer(cap) ? json_integer_value(cap)
							  : (int64_t)SPRINTS_DEFAULT_CAPACITY,
				     days_s, leads_s, links_s, source, source_id, now, now);
		if (!rc)
			(*added)++;
	}
out:
	json_decref(days);
	json_decref(used);
	free(fold);
	free(days_s);
	free(leads_s);
	free(links_s);
	return rc;
}

int sprints_store_merge(sqlite3 *db, const json_t *records, const char *source, int64_t now,
			int64_t *added, int64_t *updated, int64_t *promoted)
{
	int64_t a = 0, u = 0, p = 0;
	size_t i;
	json_t *rec;
	int rc = hw_db_begin(db);
	if (rc)
		return rc;
	json_array_foreach(records, i, rec)
		if ((rc = sprints_store_merge_one(db, rec, source, now, &a, &u, &p)))
			goto out;
	rc = hw_db_commit(db);
out:
	if (rc)
		hw_db_rollback(db);
	else {
		if (added)
			*added = a;
		if (updated)
			*updated = u;
		if (promoted)
			*promoted = p;
	}
	return rc;
}

int sprints_store_refold(sqlite3 *db, int64_t *changed, int64_t *kept)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*changed = *kept = 0;
	if ((rc = hw_db_begin(db)))
		return rc;
	if ((rc = hw_db_prepare(db, &st, "SELECT id, name, fold FROM sprints_projects", NULL)))
		goto out;
	while (sqlite3_step(st) == SQLITE_ROW) {
		char *fold = hw_fold(hw_db_text(st, 1));
		int64_t id = sqlite3_column_int64(st, 0);
		if (!fold) {
			rc = HW_ERR_NOMEM;
			break;
		}
		if (strcmp(fold, hw_db_text(st, 2))) {
			int r = hw_db_exec(db, "UPDATE sprints_projects SET fold = ? WHERE id = ?", "ti",
					   fold, id);
			if (r == HW_ERR_EXISTS)
				(*kept)++; /* two names now fold alike: keep the old reading */
			else if (r)
				rc = r;
			else
				(*changed)++;
		}
		free(fold);
		if (rc)
			break;
	}
	sqlite3_finalize(st);
out:
	if (!rc)
		rc = hw_db_commit(db);
	if (rc)
		hw_db_rollback(db);
	return rc;
}
