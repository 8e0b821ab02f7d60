/*
 * The plugin-facing statement calls (hw_api db_prepare ... db_changes):
 * argument checks and the "first error sticks" rule (store.h), then the
 * engine's operation.
 */
#include "store.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int store_tx_fail(hw_tx *tx, int status, const char *fmt, ...)
{
	va_list ap;

	if (!tx || tx->status != HW_OK)
		return tx ? tx->status : status;
	tx->status = status;
	va_start(ap, fmt);
	vsnprintf(tx->err, sizeof(tx->err), fmt, ap);
	va_end(ap);
	return status;
}

const char *store_sql_skip(const char *p)
{
	for (;;) {
		while (*p && isspace((unsigned char)*p))
			p++;
		if (p[0] == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				p++;
		} else if (p[0] == '/' && p[1] == '*') {
			const char *end = strstr(p + 2, "*/");
			p = end ? end + 2 : p + strlen(p);
		} else {
			return p;
		}
	}
}

int store_sql_is_tx_control(const char *sql)
{
	static const char *const words[] = {"BEGIN", "COMMIT", "END", "ROLLBACK",
					    "SAVEPOINT", "RELEASE", "START", "ABORT", "PREPARE"};
	return store_sql_first_word_in(sql, words, sizeof(words) / sizeof(words[0]));
}

int store_sql_first_word_in(const char *sql, const char *const *words, size_t nwords)
{
	const char *p = store_sql_skip(sql);
	size_t n = 0;

	while (isalpha((unsigned char)p[n]))
		n++;
	for (size_t i = 0; i < nwords; i++)
		if (n == strlen(words[i]) && !strncasecmp(p, words[i], n))
			return 1;
	return 0;
}

struct hw_stmt *store_cache_take(struct store_cache *c, const char *sql)
{
	for (struct hw_stmt **it = &c->head; *it; it = &(*it)->next) {
		struct hw_stmt *st = *it;
		if (strcmp(st->sql, sql))
			continue;
		*it = st->next;
		c->reset(st, c->arg);
		return st;
	}
	return NULL;
}

void store_cache_trim(struct store_cache *c)
{
	struct hw_stmt **victim = NULL;

	if (c->n < STORE_CACHE_MAX)
		return;
	for (struct hw_stmt **it = &c->head; *it; it = &(*it)->next)
		if (!(*it)->in_tx)
			victim = it;
	if (victim) {
		struct hw_stmt *v = *victim;
		*victim = v->next;
		c->drop(v, c->arg);
		c->n--;
	}
}

void store_cache_put(struct store_cache *c, struct hw_stmt *st, hw_tx *tx, int fresh)
{
	st->next = c->head;
	c->head = st;
	st->in_tx = 1;
	st->tx = tx;
	if (fresh)
		c->n++;
}

void store_cache_release(struct store_cache *c)
{
	for (struct hw_stmt *st = c->head; st; st = st->next) {
		if (!st->in_tx)
			continue;
		c->reset(st, c->arg);
		st->in_tx = 0;
	}
}

void store_cache_clear(struct store_cache *c)
{
	while (c->head) {
		struct hw_stmt *st = c->head;
		c->head = st->next;
		c->drop(st, c->arg);
	}
	c->n = 0;
}

static hw_stmt *api_prepare(hw_tx *tx, const char *sql)
{
	if (!tx || tx->status != HW_OK)
		return NULL;
	if (!sql || !*store_sql_skip(sql)) {
		store_tx_fail(tx, HW_ERR_INVALID, "prepare: no SQL");
		return NULL;
	}
	/* The transaction is the host's: a COMMIT inside the body would split
	 * the unit of work, a ROLLBACK undo half of it. */
	if (store_sql_is_tx_control(sql)) {
		store_tx_fail(tx, HW_ERR_INVALID, "prepare \"%.60s\": the host begins and ends "
			      "transactions", sql);
		return NULL;
	}
	return tx->ops->prepare(tx, sql);
}

/* A statement call may go on: st exists and its transaction had no error. */
static int usable(hw_stmt *st)
{
	if (!st)
		return HW_ERR_INVALID;
	return st->tx->status;
}

static int api_bind_text(hw_stmt *st, int idx, const char *value)
{
	int rc = usable(st);
	if (rc != HW_OK)
		return rc;
	if (idx < 1)
		return store_tx_fail(st->tx, HW_ERR_INVALID, "bind: index %d (1-based)", idx);
	return st->tx->ops->bind_text(st, idx, value);
}

static int api_bind_int(hw_stmt *st, int idx, int64_t value)
{
	int rc = usable(st);
	if (rc != HW_OK)
		return rc;
	if (idx < 1)
		return store_tx_fail(st->tx, HW_ERR_INVALID, "bind: index %d (1-based)", idx);
	return st->tx->ops->bind_int(st, idx, value);
}

static int api_step(hw_stmt *st)
{
	int rc = usable(st);
	if (rc != HW_OK)
		return rc;
	return st->tx->ops->step(st);
}

/* Columns of a statement that failed read as 0 / NULL. */
static int64_t api_col_int(hw_stmt *st, int col)
{
	if (usable(st) != HW_OK || col < 0)
		return 0;
	return st->tx->ops->col_int(st, col);
}

static const char *api_col_text(hw_stmt *st, int col)
{
	if (usable(st) != HW_OK || col < 0)
		return NULL;
	return st->tx->ops->col_text(st, col);
}

static int api_col_is_null(hw_stmt *st, int col)
{
	if (usable(st) != HW_OK || col < 0)
		return 1;
	return st->tx->ops->col_is_null(st, col);
}

static int64_t api_changes(hw_tx *tx)
{
	return tx ? tx->changes : 0;
}

void store_api_fill(hw_api *api)
{
	api->db_prepare = api_prepare;
	api->db_bind_text = api_bind_text;
	api->db_bind_int = api_bind_int;
	api->db_step = api_step;
	api->db_col_int = api_col_int;
	api->db_col_text = api_col_text;
	api->db_col_is_null = api_col_is_null;
	api->db_changes = api_changes;
}
