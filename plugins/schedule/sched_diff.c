/*
 * Schedule diff by talk id: sort both id lists, merge.
 */
#include "sched_diff.h"

#include <stdlib.h>
#include <string.h>

static int byid(const void *a, const void *b)
{
	return strcmp((*(const struct sched_talk *const *)a)->id,
		      (*(const struct sched_talk *const *)b)->id);
}

static const struct sched_talk **sorted(const struct sched *s)
{
	size_t n = s ? s->ntalks : 0;
	const struct sched_talk **v = malloc((n + 1) * sizeof(*v));

	if (!v)
		return NULL;
	for (size_t i = 0; i < n; i++)
		v[i] = &s->talks[i];
	qsort(v, n, sizeof(*v), byid);
	return v;
}

static json_t *when(const struct sched_talk *t)
{
	return t ? json_integer(t->start) : json_null();
}

static int entry(json_t *list, const struct sched_talk *o, const struct sched_talk *n)
{
	const struct sched_talk *t = n ? n : o;
	json_t *e = json_pack("{s:s, s:s, s:s?, s:s?, s:o, s:o}", "id", t->id, "title", t->title,
			      "room", t->room, "old_room", o ? o->room : NULL, "old_start",
			      when(o), "new_start", when(n));

	return e ? json_array_append_new(list, e) : -1;
}

static int same_room(const struct sched_talk *a, const struct sched_talk *b)
{
	if (!a->room || !b->room)
		return a->room == b->room;
	return !strcmp(a->room, b->room);
}

json_t *sched_diff(const struct sched *old, const struct sched *cur, size_t *changes)
{
	const struct sched_talk **a = sorted(old), **b = sorted(cur);
	size_t na = old ? old->ntalks : 0, nb = cur ? cur->ntalks : 0, i = 0, j = 0;
	json_t *added = json_array(), *moved = json_array(), *cancelled = json_array();
	json_t *removed = json_array(), *out = NULL;
	int err = 0;

	if (!a || !b || !added || !moved || !cancelled || !removed)
		goto out;
	while ((i < na || j < nb) && !err) {
		int c = i == na ? 1 : j == nb ? -1 : strcmp(a[i]->id, b[j]->id);
		if (c < 0) {
			if (!a[i]->cancelled)
				err = entry(removed, a[i], NULL);
			i++;
		} else if (c > 0) {
			if (!b[j]->cancelled)
				err = entry(added, NULL, b[j]);
			j++;
		} else {
			if (b[j]->cancelled && !a[i]->cancelled)
				err = entry(cancelled, a[i], b[j]);
			else if (!b[j]->cancelled && a[i]->cancelled)
				err = entry(added, a[i], b[j]);
			else if (!b[j]->cancelled &&
				 (a[i]->start != b[j]->start || !same_room(a[i], b[j])))
				err = entry(moved, a[i], b[j]);
			i++;
			j++;
		}
	}
	if (err)
		goto out;
	*changes = json_array_size(added) + json_array_size(moved) + json_array_size(cancelled) +
		   json_array_size(removed);
	out = json_pack("{s:O, s:O, s:O, s:O}", "added", added, "moved", moved, "cancelled",
			cancelled, "removed", removed);
out:
	json_decref(added);
	json_decref(moved);
	json_decref(cancelled);
	json_decref(removed);
	free(a);
	free(b);
	return out;
}
