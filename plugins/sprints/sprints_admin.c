/*
 * sprints_admin — organizer commands: sprint add, sprint edit, sprint
 * remove, sprint export, each one unit of work (sprints_ask). The host
 * enforces HW_PERM_ORGANIZER; each handler checks inv->is_organizer again
 * rather than trust that.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hallway/civil.h>
#include <hallway/when.h>

#include "sprints.h"
#include <hallway/buf.h>
#include "sprints_csv.h"
#include <hallway/stmt.h>
#include <hallway/text.h>
#include "sprints_store.h"

#define SPRINTS_ADMIN_MAX_CAPACITY 100000
#define SPRINTS_ADMIN_MAX_ITEMS 20

static int sprints_admin_denied(sprints *s, const hw_invocation *inv)
{
	if (inv->is_organizer)
		return 0;
	s->api->reply(s->self, inv, "Only organizers can do that.");
	return 1;
}

/* Splits text on commas into a new array of trimmed, non-empty strings of at most max_len bytes. NULL when
 * an item is too long, there are too many, or on OOM. */
static json_t *sprints_admin_split(const char *text, size_t max_len)
{
	json_t *out = json_array();
	const char *p = text;
	while (out && *p) {
		const char *end = p;
		size_t n;
		char *item;
		while (*end && *end != ',')
			end++;
		while (p < end && isspace((unsigned char)*p))
			p++;
		n = (size_t)(end - p);
		while (n && isspace((unsigned char)p[n - 1]))
			n--;
		if (n > max_len || json_array_size(out) >= SPRINTS_ADMIN_MAX_ITEMS) {
			json_decref(out);
			return NULL;
		}
		if (n) {
			item = strndup(p, n);
			if (!item || json_array_append_new(out, json_string(item))) {
				free(item);
				json_decref(out);
				return NULL;
			}
			free(item);
		}
		p = *end ? end + 1 : end;
	}
	return out;
}

/* 1 when name holds a control character (a tab, a newline): a name is
 * typed back in commands (`sprint join <name>`, the `sprints` menu), which
 * are one line of printable text. */
static int sprints_admin_has_control(const char *name, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7F)
			return 1;
	return 0;
}

static int sprints_admin_name_ok(sprints *s, const hw_invocation *inv, const char *name)
{
	char *fold;
	json_t *utf8;
	int ok;
	if (strlen(name) > SPRINTS_NAME_MAX) {
		s->api->reply(s->self, inv, "Project names are limited to 100 bytes.");
		return 0;
	}
	if (sprints_admin_has_control(name, strlen(name))) {
		s->api->reply(s->self, inv, "Project names are one line of text, without tabs.");
		return 0;
	}
	fold = hw_fold(name);
	utf8 = json_string(name); /* NULL when not valid UTF-8 */
	ok = fold && *fold && utf8;
	free(fold);
	json_decref(utf8);
	if (!ok)
		s->api->reply(s->self, inv, "That name has no letters or digits (or is not valid UTF-8).");
	return ok;
}

/* The capacity `sprint add` gives: the typed one, else the default. */
static int64_t sprints_admin_capacity(const sprints *s, const hw_invocation *inv)
{
	int64_t cap = s->default_capacity;
	for (size_t i = 0; i < inv->argc; i++)
		if (inv->argv[i].present && !strcmp(inv->argv[i].name, "capacity"))
			cap = inv->argv[i].num;
	return cap;
}

static int sprints_admin_add_body(sprints_job *j, hw_tx *tx)
{
	const hw_invocation *inv = j->inv;
	const char *name = sprints_cmd_arg(inv, "project");
	const char *leads_text = sprints_cmd_arg(inv, "leads");
	int64_t cap = sprints_admin_capacity(j->s, inv), id = 0;
	json_t *leads = sprints_admin_split(leads_text ? leads_text : "", 100);
	hw_buf b;
	int rc;

	if (!leads)
		return HW_ERR_NOMEM; /* checked on the loop before */
	hw_buf_init(&b, 2000);
	rc = sprints_store_add(j->s->api, tx, name, cap, leads, j->now, &id);
	if (rc == HW_ERR_EXISTS) {
		rc = sprints_reply(j, "A project with that name already exists; use `sprint edit`.");
		goto out;
	}
	if (rc)
		goto out;
	j->changed = 1;
	hw_buf_add(&b, "Added ");
	hw_buf_add_safe(&b, name, SPRINTS_NAME_MAX);
	hw_buf_add(&b, " with ");
	hw_buf_addint(&b, cap);
	hw_buf_add(&b, " seats. Set days and details with `sprint edit`.");
	rc = sprints_reply(j, hw_buf_str(&b));
out:
	hw_buf_free(&b);
	json_decref(leads);
	return rc;
}

static int sprints_admin_add(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	sprints *s = ud;
	const char *name = sprints_cmd_arg(inv, "project");
	const char *leads_text = sprints_cmd_arg(inv, "leads");
	int64_t cap = sprints_admin_capacity(s, inv);
	json_t *leads;

	(void)self;
	if (sprints_admin_denied(s, inv))
		return HW_OK;
	if (!name || !sprints_admin_name_ok(s, inv, name))
		return HW_OK;
	if (cap < 0 || cap > SPRINTS_ADMIN_MAX_CAPACITY)
		return s->api->reply(s->self, inv, "Capacity must be between 0 and 100000.");
	leads = sprints_admin_split(leads_text ? leads_text : "", 100);
	if (!leads)
		return s->api->reply(s->self, inv,
				     "Up to 20 leads, 100 bytes each, separated by commas.");
	json_decref(leads);
	return sprints_ask(s, inv, sprints_admin_add_body);
}

/* "capacity=20 day=2026-11-28 title=Long title leads=a,b" into an object:
 * a key starts a new value only at the start or after a space. */
static const char *const sprints_admin_keys[] = {"name", "title", "description", "level",
						 "capacity", "days", "day", "leads", "links"};

static size_t sprints_admin_key_at(const char *text, size_t i, size_t *klen)
{
	size_t k;
	if (i && !isspace((unsigned char)text[i - 1]))
		return (size_t)-1;
	for (k = 0; k < sizeof(sprints_admin_keys) / sizeof(sprints_admin_keys[0]); k++) {
		size_t n = strlen(sprints_admin_keys[k]);
		if (!strncasecmp(text + i, sprints_admin_keys[k], n) && text[i + n] == '=') {
			*klen = n;
			return k;
		}
	}
	return (size_t)-1;
}

/* Returns a new object of changes, or NULL with a reason in err. */
static json_t *sprints_admin_changes(const char *text, hw_buf *err)
{
	json_t *out = json_object();
	size_t i = 0, len = strlen(text), klen = 0, key;
	while (i < len && isspace((unsigned char)text[i]))
		i++;
	if (!out || i == len || (key = sprints_admin_key_at(text, i, &klen)) == (size_t)-1) {
		hw_buf_add(err, "Use key=value pairs: name, title, description, level, capacity, "
				     "day or days, leads, links (lists separated by commas).");
		goto fail;
	}
	while (i < len) {
		size_t start = i + klen + 1, end = start, nk = 0, nlen = 0, vlen;
		const char *k = sprints_admin_keys[key];
		char *value;
		json_t *v = NULL;
		while (end < len && (nk = sprints_admin_key_at(text, end, &nlen)) == (size_t)-1)
			end++;
		vlen = end - start;
		while (vlen && isspace((unsigned char)text[start + vlen - 1]))
			vlen--;
		while (vlen && isspace((unsigned char)text[start])) {
			start++;
			vlen--;
		}
		value = strndup(text + start, vlen);
		if (!value)
			goto fail;
		if (!strcmp(k, "capacity")) {
			char *e;
			long long c = strtoll(value, &e, 10);
			if (!*value || *e || c < 0 || c > SPRINTS_ADMIN_MAX_CAPACITY)
				hw_buf_add(err, "capacity must be a number from 0 to 100000.");
			else
				v = json_integer(c);
		} else if (!strcmp(k, "day") || !strcmp(k, "days") || !strcmp(k, "leads") ||
			   !strcmp(k, "links")) {
			v = sprints_admin_split(value, !strcmp(k, "links") ? 500 : 100);
			if (!v)
				hw_buf_add(err, "Lists take up to 20 items separated by commas.");
			k = !strcmp(k, "day") ? "days" : k;
		} else if (!strcmp(k, "name") && (vlen > SPRINTS_NAME_MAX || !vlen)) {
			hw_buf_add(err, "Project names are 1 to 100 bytes.");
		} else if (!strcmp(k, "name") && sprints_admin_has_control(value, vlen)) {
			hw_buf_add(err, "Project names are one line of text, without tabs.");
		} else if (vlen > SPRINTS_FIELD_MAX) {
			hw_buf_add(err, "Values are limited to 4000 bytes.");
		} else {
			v = json_string(value); /* NULL for invalid UTF-8 */
			if (!v)
				hw_buf_add(err, "Text must be valid UTF-8.");
		}
		free(value);
		if (!v || json_object_set_new(out, k, v))
			goto fail;
		i = end;
		key = nk;
		klen = nlen;
	}
	return out;
fail:
	json_decref(out);
	return NULL;
}

/* A whole day phrase as every command reads one (hw_when_read: "28 nov",
 * "the 28th", "28/11") as "YYYY-MM-DD" into iso (16 bytes); 0, or -1. */
static int sprints_admin_phrase_day(int64_t now, const char *typed, char *iso)
{
	struct hw_when w;
	struct hw_civil c;
	size_t used = 0;
	char why[200];

	if (!typed || hw_when_read(typed, NULL, now / 1000, &w, &used, why, sizeof(why)) !=
			      HW_WHEN_OK ||
	    !w.has_day || w.has_time || typed[used] || w.wday_word >= 0)
		return -1;
	hw_civil_split(w.day * 86400, &c);
	snprintf(iso, 16, "%04d-%02d-%02d", c.year, c.mon, c.day);
	return 0;
}

/* Days in an edit are dates ("2026-11-28", or a day phrase: "28 nov", "the
 * 28th", stored as the date); a weekday ("saturday", "samedi") names the
 * project's day on that weekday. Anything else is refused, never stored
 * as text. Returns 0, or -1 with err filled in. */
static int sprints_admin_days(int64_t now, const sprints_project *p, json_t *changes,
			      hw_buf *err)
{
	json_t *days = json_object_get(changes, "days"), *v;
	size_t i;
	json_array_foreach(days, i, v) {
		const char *d = json_string_value(v), *hit = NULL;
		char iso[16];
		int64_t local;
		int date_only = 0, wd;
		if (d && !hw_civil_parse(d, &local, NULL, NULL, &date_only) && date_only)
			continue;
		if ((wd = hw_when_weekday(d)) >= 0)
			hit = sprints_cmd_weekday_day(p, wd);
		else if (!sprints_admin_phrase_day(now, d, iso))
			hit = iso;
		if (!hit || json_array_set_new(days, i, json_string(hit))) {
			hw_buf_add(err, "Days are dates such as 2026-11-28 or 28 nov, or a weekday "
					     "the project already runs on.");
			return -1;
		}
	}
	return 0;
}

static int sprints_admin_edit_body(sprints_job *j, hw_tx *tx)
{
	const hw_invocation *inv = j->inv;
	sprints_project p;
	hw_buf b, err;
	json_t *changes = NULL;
	int64_t promoted = 0;
	int rc;

	rc = sprints_cmd_lookup_exact(j, tx, sprints_cmd_arg(inv, "project"), "edit", &p);
	if (rc)
		return rc;
	hw_buf_init(&b, 4000);
	hw_buf_init(&err, 2000);
	changes = sprints_admin_changes(sprints_cmd_arg(inv, "changes") ? sprints_cmd_arg(inv, "changes")
									 : "",
					&err);
	if (!changes || sprints_admin_days(j->now, &p, changes, &err)) {
		rc = sprints_reply(j, err.len ? hw_buf_str(&err) : "Out of memory.");
		goto out;
	}
	rc = sprints_store_edit(j->s->api, tx, p.id, changes, j->now, &promoted, &err);
	if (rc == HW_ERR_EXISTS || rc == HW_ERR_NOT_FOUND) {
		/* Refused: what the edit wrote before it is rolled back. */
		sprints_reply(j, err.len ? hw_buf_str(&err) : "That project is gone.");
		j->refused = 1;
		rc = SPRINTS_REFUSED;
		goto out;
	}
	if (rc)
		goto out;
	j->changed = 1;
	j->flush = promoted > 0;
	hw_buf_add(&b, "Updated ");
	hw_buf_add_safe(&b, p.name, SPRINTS_NAME_MAX);
	hw_buf_add(&b, ".");
	if (promoted) {
		hw_buf_add(&b, " ");
		hw_buf_addint(&b, promoted);
		hw_buf_add(&b, " people moved from the waitlist to a seat.");
	}
	rc = sprints_reply(j, hw_buf_str(&b));
out:
	json_decref(changes);
	hw_buf_free(&b);
	hw_buf_free(&err);
	sprints_store_project_free(&p);
	return rc;
}

static int sprints_admin_edit(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	(void)self;
	if (sprints_admin_denied(ud, inv))
		return HW_OK;
	return sprints_ask(ud, inv, sprints_admin_edit_body);
}

static int sprints_admin_remove_body(sprints_job *j, hw_tx *tx)
{
	const hw_invocation *inv = j->inv;
	const char *confirm = sprints_cmd_arg(inv, "confirm");
	sprints_project p;
	hw_buf b;
	int64_t signed_up = 0;
	int ok, rc;

	rc = sprints_cmd_lookup_exact(j, tx, sprints_cmd_arg(inv, "project"), "remove", &p);
	if (rc)
		return rc;
	ok = confirm && (!strcasecmp(confirm, "confirm") || !strcasecmp(confirm, "yes") ||
			 !strcasecmp(confirm, "true"));
	hw_buf_init(&b, 4000);
	rc = sprints_store_remove(j->s->api, tx, p.id, ok, j->now, &signed_up);
	if (rc)
		goto out;
	if (signed_up && !ok) {
		/* Say what would go: seats and waitlist apart. */
		int64_t waiting = 0;
		rc = hw_sql_int(j->s->api, tx, &waiting,
				"SELECT count(*) FROM sprints_signups WHERE project_id = ?"
				" AND status = 'waitlist'", "i", p.id);
		if (rc)
			goto out;
		hw_buf_add(&b, "Removing ");
		hw_buf_add_safe(&b, p.name, SPRINTS_NAME_MAX);
		hw_buf_add(&b, " would cancel ");
		hw_buf_addint(&b, signed_up - waiting);
		hw_buf_add(&b, signed_up - waiting == 1 ? " signup" : " signups");
		hw_buf_add(&b, " and ");
		hw_buf_addint(&b, waiting);
		hw_buf_add(&b, " on the waitlist. To remove it anyway, run `sprint remove \"");
		hw_buf_add_safe(&b, p.name, SPRINTS_NAME_MAX);
		hw_buf_add(&b, "\" confirm`; the signups are archived, not deleted.");
	} else {
		j->changed = 1;
		hw_buf_add(&b, "Removed ");
		hw_buf_add_safe(&b, p.name, SPRINTS_NAME_MAX);
		hw_buf_add(&b, "; ");
		hw_buf_addint(&b, signed_up);
		hw_buf_add(&b, " signups archived.");
	}
	rc = sprints_reply(j, hw_buf_str(&b));
out:
	hw_buf_free(&b);
	sprints_store_project_free(&p);
	return rc;
}

static int sprints_admin_remove(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	(void)self;
	if (sprints_admin_denied(ud, inv))
		return HW_OK;
	return sprints_ask(ud, inv, sprints_admin_remove_body);
}

static void sprints_admin_time(int64_t ms, char *out, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, len, "%lld", (long long)ms);
}

static int sprints_admin_export_body(sprints_job *j, hw_tx *tx)
{
	static const char *const header[] = {"project", "day", "user_id", "display_name", "status",
					     "signed_up_at"};
	const hw_api *api = j->s->api;
	hw_buf msg;
	int64_t rows = 0;
	int rc;
	hw_stmt *st = hw_sql(api, tx,
			     "SELECT p.name, s.day, s.user_id, s.user_name, s.status, s.created_ms"
			     " FROM sprints_signups s JOIN sprints_projects p ON p.id = s.project_id"
			     " WHERE p.removed_ms IS NULL"
			     " ORDER BY p.name, s.day, s.status, s.id",
			     NULL);
	if (!st)
		return HW_ERR_STORAGE;
	sprints_csv_row(&j->file, header, 6);
	while ((rc = api->db_step(st)) == HW_ROW) {
		char when[32];
		const char *cells[6];
		sprints_admin_time(api->db_col_int(st, 5), when, sizeof(when));
		for (int c = 0; c < 5; c++)
			cells[c] = hw_sql_col(api, st, c);
		cells[5] = when;
		sprints_csv_row(&j->file, cells, 6);
		rows++;
	}
	if (rc != HW_DONE)
		return rc < 0 ? rc : HW_ERR_STORAGE;
	hw_buf_init(&msg, 200);
	hw_buf_add(&msg, "Sprint signups: ");
	hw_buf_addint(&msg, rows);
	hw_buf_add(&msg, rows == 1 ? " row." : " rows.");
	sprints_reply(j, hw_buf_str(&msg));
	hw_buf_free(&msg);
	j->file_name = "sprints.csv"; /* too large: done() says so */
	return HW_OK;
}

static int sprints_admin_export(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	(void)self;
	if (sprints_admin_denied(ud, inv))
		return HW_OK;
	return sprints_ask(ud, inv, sprints_admin_export_body);
}

static const hw_arg_spec sprints_admin_add_args[] = {
	{"project", HW_ARG_STRING, 1, "Project name", 0},
	{"capacity", HW_ARG_INTEGER, 0, "Seats per day (default 20)", 0},
	{"leads", HW_ARG_TEXT, 0, "Leads, separated by commas", 0},
};
static const hw_arg_spec sprints_admin_edit_args[] = {
	{"project", HW_ARG_STRING, 1, "Project name", 1},
	{"changes", HW_ARG_TEXT, 1,
	 "key=value: capacity, day(s), level, title, description, leads, links, name", 0},
};
static const hw_arg_spec sprints_admin_remove_args[] = {
	{"project", HW_ARG_STRING, 1, "Project name", 1},
	{"confirm", HW_ARG_STRING, 0, "Type confirm to remove a project people signed up for", 0},
};

int sprints_admin_register(sprints *s)
{
	const hw_command_spec specs[] = {
		{sizeof(hw_command_spec), "sprint add", "Add a sprint project (organizers)", NULL,
		 HW_PERM_ORGANIZER, sprints_admin_add_args, 3, sprints_admin_add, NULL, s, {0}, sizeof(hw_arg_spec)},
		{sizeof(hw_command_spec), "sprint edit", "Change a sprint project (organizers)",
		 "e.g. sprint edit django capacity=20 day=2026-11-28 level=beginner leads=a,b",
		 HW_PERM_ORGANIZER, sprints_admin_edit_args, 2, sprints_admin_edit,
		 sprints_cmd_complete, s, {0}, sizeof(hw_arg_spec)},
		{sizeof(hw_command_spec), "sprint remove", "Remove a sprint project (organizers)",
		 "Asks for confirmation when people signed up; signups are archived.",
		 HW_PERM_ORGANIZER, sprints_admin_remove_args, 2, sprints_admin_remove,
		 sprints_cmd_complete, s, {0}, sizeof(hw_arg_spec)},
		{sizeof(hw_command_spec), "sprint export", "All signups as CSV (organizers)", NULL,
		 HW_PERM_ORGANIZER, NULL, 0, sprints_admin_export, NULL, s, {0}, sizeof(hw_arg_spec)},
	};
	size_t i;
	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		int rc = s->api->command_add(s->self, &specs[i]);
		if (rc)
			return rc;
	}
	return HW_OK;
}
