/*
 * fuzz_sprints_feed: the sprints plugin's untrusted inputs that are not
 * commands: a pretalx submissions feed (any JSON a conference site serves)
 * and the folding used to match project names typed by attendees.
 *
 * Input: JSON text. It is parsed, turned into project records with
 * sprints_feed_pretalx, and every string in the records is folded and
 * compared with its neighbour. The fold of valid UTF-8 must be valid UTF-8
 * and idempotent (fold(fold(x)) == fold(x)).
 */
#include <stdlib.h>
#include <string.h>

#include "sprints_feed.h"
#include <hallway/text.h>

static void fold_check(const char *s, const char *prev)
{
	char *f = hw_fold(s), *ff;
	json_t *j;

	if (!f)
		return;
	j = json_string(f);
	if (!j)
		abort(); /* fold of valid UTF-8 is not valid UTF-8 */
	json_decref(j);
	ff = hw_fold(f);
	if (ff && strcmp(f, ff))
		abort(); /* not idempotent: a stored key would not match its own fold */
	free(ff);
	if (prev) {
		size_t d = hw_distance_capped(f, prev, 3);
		if (d > 4)
			abort(); /* capped at cap + 1 */
		(void)hw_fold_has_word_prefix(f, prev);
	}
	free(f);
}

static void walk_strings(const json_t *v, const char **prev, int depth)
{
	size_t i;
	const char *k;
	json_t *x;

	if (depth > 8)
		return;
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		fold_check(s, *prev);
		*prev = s;
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x) walk_strings(x, prev, depth + 1);
	} else if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, x) walk_strings(x, prev, depth + 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *doc = json_loadb((const char *)data, size, 0, NULL), *recs;
	const char *prev = NULL;

	if (!doc)
		return 0;
	recs = sprints_feed_pretalx(doc, "Sprint", 20);
	if (recs) {
		if (!json_is_array(recs))
			abort();
		walk_strings(recs, &prev, 0);
		json_decref(recs);
	}
	json_decref(doc);
	return 0;
}
