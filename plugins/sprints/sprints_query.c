/*
 * sprints_query — name resolution and completion. See sprints_query.h.
 */
#include "sprints_query.h"

#include <stdlib.h>
#include <string.h>

#include <hallway/plugin.h>

#include <hallway/db.h>
#include <hallway/text.h>

#define SPRINTS_QUERY_SUGGEST 5

typedef struct sprints_query_hit {
	int64_t id;
	size_t dist;
	char *name;
} sprints_query_hit;

/* Smallest distance from typed to the whole fold or one of its words. */
static size_t sprints_query_distance(const char *typed, const char *fold, size_t cap)
{
	size_t best = hw_distance_capped(typed, fold, cap);
	const char *p = fold;
	char word[128];
	while (*p && best) {
		const char *sp = strchr(p, ' ');
		size_t n = sp ? (size_t)(sp - p) : strlen(p);
		if (n < sizeof(word)) {
			size_t d;
			memcpy(word, p, n);
			word[n] = 0;
			d = hw_distance_capped(typed, word, cap);
			if (d < best)
				best = d;
		}
		if (!sp)
			break;
		p = sp + 1;
	}
	return best;
}

static int sprints_query_cmp(const void *a, const void *b)
{
	const sprints_query_hit *x = a, *y = b;
	if (x->dist != y->dist)
		return x->dist < y->dist ? -1 : 1;
	return strcmp(x->name, y->name);
}

int sprints_query_resolve(sqlite3 *db, const char *typed, int64_t *id, hw_buf *suggestions)
{
	sqlite3_stmt *st = NULL;
	sprints_query_hit hits[64];
	size_t nhits = 0, nprefix = 0, i, cap;
	int64_t prefix_id = 0;
	char *fq = hw_fold(typed);
	int rc;

	if (!fq)
		return HW_ERR_NOMEM;
	cap = strlen(fq) / 3 > 1 ? strlen(fq) / 3 : 1;
	rc = hw_db_prepare(db, &st,
				"SELECT id, name, fold FROM sprints_projects WHERE removed_ms IS NULL"
				" ORDER BY name",
				NULL);
	if (rc)
		goto out;
	rc = HW_ERR_NOT_FOUND;
	while (*fq && sqlite3_step(st) == SQLITE_ROW) {
		const char *fold = hw_db_text(st, 2);
		size_t dist;
		if (!strcmp(fold, fq)) {
			*id = sqlite3_column_int64(st, 0);
			rc = HW_OK;
			goto out;
		}
		if (hw_fold_has_word_prefix(fold, fq)) {
			nprefix++;
			prefix_id = sqlite3_column_int64(st, 0);
			dist = 0;
		} else {
			dist = sprints_query_distance(fq, fold, cap);
			if (dist > cap)
				continue;
			dist++; /* prefix matches rank first */
		}
		if (nhits < sizeof(hits) / sizeof(hits[0])) {
			hits[nhits].id = sqlite3_column_int64(st, 0);
			hits[nhits].dist = dist;
			hits[nhits].name = strdup(hw_db_text(st, 1));
			if (hits[nhits].name)
				nhits++;
		}
	}
	if (nprefix == 1) {
		*id = prefix_id;
		rc = HW_OK;
		goto out;
	}
	qsort(hits, nhits, sizeof(hits[0]), sprints_query_cmp);
	for (i = 0; i < nhits && i < SPRINTS_QUERY_SUGGEST; i++) {
		if (i)
			hw_buf_add(suggestions, ", ");
		hw_buf_add_safe(suggestions, hits[i].name, 100);
	}
out:
	for (i = 0; i < nhits; i++)
		free(hits[i].name);
	sqlite3_finalize(st);
	free(fq);
	return rc;
}

int sprints_query_complete(sqlite3 *db, const char *partial, size_t max,
			   void (*fn)(const char *name, void *ud), void *ud)
{
	sqlite3_stmt *st = NULL;
	char *fp = hw_fold(partial ? partial : "");
	size_t n = 0;
	int rc;
	if (!fp)
		return HW_ERR_NOMEM;
	rc = hw_db_prepare(db, &st,
				"SELECT name, fold FROM sprints_projects WHERE removed_ms IS NULL"
				" ORDER BY name",
				NULL);
	if (!rc) {
		while (n < max && sqlite3_step(st) == SQLITE_ROW) {
			const char *fold = hw_db_text(st, 1);
			if (!*fp || strstr(fold, fp)) {
				fn(hw_db_text(st, 0), ud);
				n++;
			}
		}
		sqlite3_finalize(st);
	}
	free(fp);
	return rc;
}
