/*
 * sprints_query — name resolution and completion. See sprints_query.h.
 */
#include "sprints_query.h"

#include <stdlib.h>
#include <string.h>

#include <hallway/plugin.h>
#include <hallway/stmt.h>
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

int sprints_query_resolve(const hw_api *api, hw_tx *tx, const char *typed, int64_t *id,
			  hw_buf *suggestions)
{
	hw_stmt *st = NULL;
	sprints_query_hit hits[64];
	size_t nhits = 0, nprefix = 0, i, cap;
	int64_t prefix_id = 0;
	char *fq = hw_fold(typed);
	int rc, step = HW_DONE;

	if (!fq)
		return HW_ERR_NOMEM;
	cap = strlen(fq) / 3 > 1 ? strlen(fq) / 3 : 1;
	st = hw_sql(api, tx,
		    "SELECT id, name, fold FROM sprints_projects WHERE removed_ms IS NULL"
		    " ORDER BY name",
		    NULL);
	if (!st) {
		rc = HW_ERR_STORAGE;
		goto out;
	}
	rc = HW_ERR_NOT_FOUND;
	while (*fq && (step = api->db_step(st)) == HW_ROW) {
		const char *fold = hw_sql_col(api, st, 2);
		size_t dist;
		if (!strcmp(fold, fq)) {
			*id = api->db_col_int(st, 0);
			rc = HW_OK;
			goto out;
		}
		if (hw_fold_has_word_prefix(fold, fq)) {
			nprefix++;
			prefix_id = api->db_col_int(st, 0);
			dist = 0;
		} else {
			dist = sprints_query_distance(fq, fold, cap);
			if (dist > cap)
				continue;
			dist++; /* prefix matches rank first */
		}
		if (nhits < sizeof(hits) / sizeof(hits[0])) {
			hits[nhits].id = api->db_col_int(st, 0);
			hits[nhits].dist = dist;
			hits[nhits].name = strdup(hw_sql_col(api, st, 1));
			if (hits[nhits].name)
				nhits++;
		}
	}
	if (*fq && step != HW_DONE) {
		rc = step < 0 ? step : HW_ERR_STORAGE;
		goto out;
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
	free(fq);
	return rc;
}

int sprints_query_complete(const json_t *names, const char *partial, size_t max,
			   void (*fn)(const char *name, void *ud), void *ud)
{
	char *fp = hw_fold(partial ? partial : "");
	size_t n = 0, i;
	json_t *row;
	if (!fp)
		return HW_ERR_NOMEM;
	json_array_foreach(names, i, row) {
		const char *name = json_string_value(json_array_get(row, 0));
		const char *fold = json_string_value(json_array_get(row, 1));
		if (n >= max)
			break;
		if (name && fold && (!*fp || strstr(fold, fp))) {
			fn(name, ud);
			n++;
		}
	}
	free(fp);
	return HW_OK;
}
