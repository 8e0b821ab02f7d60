/*
 * The readers of typed words in lib/ (issue 13): hw_when_read (time
 * phrases, in Europe/Brussels when the system has it, else UTC) and
 * hw_fts_search (talk search: FTS5 expressions are built from the typed
 * words, so quotes, operators and stars must stay text) and hw_fts_rank
 * (recommend's stemmed ranking) over small indexes built once.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/fts.h>
#include <hallway/tz.h>
#include <hallway/when.h>

static struct hw_fts *index_once(int flags)
{
	static struct hw_fts *plain, *stemmed;
	struct hw_fts **slot = flags ? &stemmed : &plain, *f = *slot;
	static const char *const docs[][2] = {
		{"Time Zones Are Hard, DST Is Harder", "Chloé Dubois"},
		{"Sprint: Zoneinfo Café", "Time zone data"},
		{"Питон Спринт", "Анна"},
		{"Café Lounge ☕", "coffee \"quoted\" NEAR(a b) OR AND *"},
	};
	if (!f && (f = *slot = hw_fts_new_ex(2, NULL, flags))) {
		for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
			hw_fts_add(f, (int64_t)i, docs[i], (int)(i & 1));
		hw_fts_ready(f);
	}
	return f;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hw_tz *tz;
	static int tried;
	char *text = malloc(size + 1), why[256];
	struct hw_when w;
	int64_t ids[8];
	double scores[8];
	size_t used = 0;

	if (!text)
		return 0;
	if (!tried) {
		tried = 1;
		if (hw_tz_load(NULL, "Europe/Brussels", &tz))
			tz = NULL;
	}
	memcpy(text, data, size);
	text[size] = 0;
	if (hw_when_read(text, tz, 1795680000, &w, &used, why, sizeof(why)) == HW_WHEN_OK &&
	    used > strlen(text))
		abort();
	hw_fts_search(index_once(0), text, HW_FTS_TYPOS, ids, 8);
	hw_fts_search(index_once(0), text, HW_FTS_BY_REF, ids, 2);
	if (hw_fts_rank(index_once(HW_FTS_STEM), text, ids, scores, 8) > 8)
		abort();
	free(text);
	return 0;
}
