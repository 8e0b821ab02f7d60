/*
 * registration's tables (see reg_store.h).
 */
#include "reg_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const reg_store_migrations[] = {
	/* 1: the pretix cache, bindings, the outboxes, attempts, the queue */
	"CREATE TABLE registration_order ("
	" code TEXT PRIMARY KEY, status TEXT NOT NULL,"
	" last_modified TEXT NOT NULL DEFAULT '', seen_ms INTEGER NOT NULL);"
	"CREATE TABLE registration_position ("
	" id INTEGER PRIMARY KEY, order_code TEXT NOT NULL, item INTEGER NOT NULL,"
	" variation INTEGER NOT NULL DEFAULT 0, canceled INTEGER NOT NULL DEFAULT 0,"
	" name TEXT NOT NULL DEFAULT '', given TEXT NOT NULL DEFAULT '',"
	" family TEXT NOT NULL DEFAULT '', latin TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX registration_position_order ON registration_position (order_code);"
	"CREATE TABLE registration_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE registration_binding ("
	" position_id INTEGER PRIMARY KEY, user_id TEXT NOT NULL UNIQUE,"
	" order_code TEXT NOT NULL, item INTEGER NOT NULL, variation INTEGER NOT NULL,"
	" name TEXT NOT NULL, bound_ms INTEGER NOT NULL);"
	"CREATE TABLE registration_grant ("
	" id INTEGER PRIMARY KEY, user_id TEXT NOT NULL,"
	" kind TEXT NOT NULL CHECK (kind IN ('role+', 'role-', 'nick')),"
	" value TEXT NOT NULL, queued_ms INTEGER NOT NULL, attempt_ms INTEGER,"
	" tries INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE registration_attempt ("
	" id INTEGER PRIMARY KEY, user_id TEXT NOT NULL, at_ms INTEGER NOT NULL,"
	" outcome TEXT NOT NULL);"
	"CREATE INDEX registration_attempt_user ON registration_attempt (user_id, at_ms);"
	"CREATE TABLE registration_queue ("
	" user_id TEXT PRIMARY KEY, order_code TEXT NOT NULL, name TEXT NOT NULL,"
	" queued_ms INTEGER NOT NULL, attempt_ms INTEGER);"
	"CREATE TABLE registration_outbox ("
	" id INTEGER PRIMARY KEY, user_id TEXT NOT NULL, text TEXT NOT NULL, attempt_ms INTEGER);"
	"CREATE TABLE registration_speaker ("
	" user_id TEXT PRIMARY KEY, speaker TEXT NOT NULL UNIQUE, bound_ms INTEGER NOT NULL);",
};
const size_t reg_store_nmigrations = sizeof(reg_store_migrations) / sizeof(reg_store_migrations[0]);

int reg_store_put_order(reg *r, hw_tx *tx, const reg_order *o, int64_t now)
{
	char status[2] = {o->status, '\0'};
	int rc = reg_exec(r, tx,
			  "INSERT INTO registration_order (code, status, last_modified, seen_ms)"
			  " VALUES (?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET"
			  " status = excluded.status, last_modified = excluded.last_modified,"
			  " seen_ms = excluded.seen_ms",
			  "ttti", o->code, status, o->last_modified, now);
	if (!rc)
		rc = reg_exec(r, tx, "DELETE FROM registration_position WHERE order_code = ?", "t",
			      o->code);
	for (size_t i = 0; !rc && i < o->npos; i++) {
		const reg_position *p = &o->pos[i];
		/* A position id moving to another order (never in pretix) takes
		 * the newest order's word. */
		rc = reg_exec(r, tx,
			      "INSERT INTO registration_position (id, order_code, item, variation,"
			      " canceled, name, given, family, latin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
			      " ON CONFLICT (id) DO UPDATE SET order_code = excluded.order_code,"
			      " item = excluded.item, variation = excluded.variation,"
			      " canceled = excluded.canceled, name = excluded.name,"
			      " given = excluded.given, family = excluded.family, latin = excluded.latin",
			      "itiiitttt", p->id, o->code, p->item, p->variation, (int64_t)p->canceled,
			      p->name, p->given, p->family, p->latin);
	}
	return rc;
}

static void copy(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

int reg_store_get_order(reg *r, hw_tx *tx, const char *code, reg_order *out)
{
	hw_stmt *st;
	int64_t n = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	st = reg_sql(r, tx, "SELECT status, last_modified FROM registration_order WHERE code = ?",
		     "t", code);
	if (!st)
		return HW_ERR_STORAGE;
	rc = r->api->db_step(st);
	if (rc != HW_ROW)
		return rc == HW_DONE ? HW_ERR_NOT_FOUND : HW_ERR_STORAGE;
	copy(out->code, sizeof(out->code), code);
	out->status = reg_col(r, st, 0)[0];
	copy(out->last_modified, sizeof(out->last_modified), reg_col(r, st, 1));
	while (r->api->db_step(st) == HW_ROW)
		;
	if ((rc = reg_int(r, tx, &n, "SELECT COUNT(*) FROM registration_position"
			  " WHERE order_code = ?", "t", code)))
		return rc;
	if (n > 10000)
		n = 10000;
	if (n && !(out->pos = calloc((size_t)n, sizeof(*out->pos))))
		return HW_ERR_NOMEM;
	st = reg_sql(r, tx, "SELECT id, item, variation, canceled, name, given, family, latin"
		     " FROM registration_position WHERE order_code = ? ORDER BY id", "t", code);
	if (!st) {
		reg_order_free(out);
		return HW_ERR_STORAGE;
	}
	while ((rc = r->api->db_step(st)) == HW_ROW) {
		reg_position *p;
		if (out->npos >= (size_t)n)
			continue;
		p = &out->pos[out->npos++];
		p->id = r->api->db_col_int(st, 0);
		p->item = r->api->db_col_int(st, 1);
		p->variation = r->api->db_col_int(st, 2);
		p->canceled = (int)r->api->db_col_int(st, 3);
		copy(p->name, sizeof(p->name), reg_col(r, st, 4));
		copy(p->given, sizeof(p->given), reg_col(r, st, 5));
		copy(p->family, sizeof(p->family), reg_col(r, st, 6));
		copy(p->latin, sizeof(p->latin), reg_col(r, st, 7));
	}
	return rc == HW_DONE ? HW_OK : HW_ERR_STORAGE;
}

int reg_store_meta_get(reg *r, hw_tx *tx, const char *key, char *out, size_t len)
{
	hw_stmt *st = reg_sql(r, tx, "SELECT value FROM registration_meta WHERE key = ?", "t", key);
	int rc;
	out[0] = '\0';
	if (!st)
		return HW_ERR_STORAGE;
	rc = r->api->db_step(st);
	if (rc == HW_ROW) {
		copy(out, len, reg_col(r, st, 0));
		while (r->api->db_step(st) == HW_ROW)
			;
		return HW_OK;
	}
	return rc == HW_DONE ? HW_ERR_NOT_FOUND : HW_ERR_STORAGE;
}

int reg_store_meta_set(reg *r, hw_tx *tx, const char *key, const char *value)
{
	return reg_exec(r, tx, "INSERT INTO registration_meta (key, value) VALUES (?, ?)"
			" ON CONFLICT (key) DO UPDATE SET value = excluded.value", "tt", key, value);
}

int reg_store_failures(reg *r, hw_tx *tx, const char *user_id, int64_t since, int64_t *count,
		       int64_t *oldest)
{
	hw_stmt *st = reg_sql(r, tx, "SELECT COUNT(*), MIN(at_ms) FROM registration_attempt"
			      " WHERE user_id = ? AND at_ms >= ? AND outcome = 'failed'",
			      "ti", user_id, since);
	int rc;
	*count = *oldest = 0;
	if (!st)
		return HW_ERR_STORAGE;
	rc = r->api->db_step(st);
	if (rc != HW_ROW)
		return HW_ERR_STORAGE;
	*count = r->api->db_col_int(st, 0);
	*oldest = r->api->db_col_int(st, 1);
	while (r->api->db_step(st) == HW_ROW)
		;
	return HW_OK;
}

int reg_store_attempt(reg *r, hw_tx *tx, const char *user_id, int64_t now, const char *outcome)
{
	return reg_exec(r, tx, "INSERT INTO registration_attempt (user_id, at_ms, outcome)"
			" VALUES (?, ?, ?)", "tit", user_id, now, outcome);
}

static int binding_row(reg *r, hw_stmt *st, reg_binding *out)
{
	int rc;
	memset(out, 0, sizeof(*out));
	if (!st)
		return HW_ERR_STORAGE;
	rc = r->api->db_step(st);
	if (rc != HW_ROW)
		return rc == HW_DONE ? HW_ERR_NOT_FOUND : HW_ERR_STORAGE;
	out->position_id = r->api->db_col_int(st, 0);
	copy(out->user_id, sizeof(out->user_id), reg_col(r, st, 1));
	copy(out->order_code, sizeof(out->order_code), reg_col(r, st, 2));
	out->item = r->api->db_col_int(st, 3);
	out->variation = r->api->db_col_int(st, 4);
	copy(out->name, sizeof(out->name), reg_col(r, st, 5));
	out->bound_ms = r->api->db_col_int(st, 6);
	while (r->api->db_step(st) == HW_ROW)
		;
	return HW_OK;
}

#define BINDING_COLS "SELECT position_id, user_id, order_code, item, variation, name, bound_ms" \
	" FROM registration_binding"

int reg_store_binding_by_user(reg *r, hw_tx *tx, const char *user_id, reg_binding *out)
{
	return binding_row(r, reg_sql(r, tx, BINDING_COLS " WHERE user_id = ?", "t", user_id), out);
}

int reg_store_binding_by_position(reg *r, hw_tx *tx, int64_t position_id, reg_binding *out)
{
	return binding_row(r, reg_sql(r, tx, BINDING_COLS " WHERE position_id = ?", "i", position_id),
			   out);
}
