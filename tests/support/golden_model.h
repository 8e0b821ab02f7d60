/*
 * A plugin's reply model kept as a golden file: the plugins' tests (the
 * schedule's answers, announce's starting-soon posts) write
 * tests/unit/golden/reply/NAME.model.json, and test_reply_model draws each
 * for every door (NAME.discord.json, NAME.console.txt).
 *
 *   CHECK(golden_model_same("sched-next", model));  // steals model
 *
 * HALLWAY_GOLDEN_UPDATE=1 writes the file anew; HALLWAY_SOURCE_DIR names
 * the source tree. Header-only: each test binary has its own copy.
 */
#ifndef HALLWAY_GOLDEN_MODEL_H
#define HALLWAY_GOLDEN_MODEL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* 1 when model (stolen) equals the golden NAME.model.json, else 0 with
 * the model printed on stderr. */
static inline int golden_model_same(const char *name, json_t *model)
{
	const char *src = getenv("HALLWAY_SOURCE_DIR");
	char path[1024];
	char *got, *want = NULL;
	size_t len = 0;
	int same;
	FILE *f;
	snprintf(path, sizeof(path), "%s/tests/unit/golden/reply/%s.model.json", src ? src : ".",
		 name);
	got = model ? json_dumps(model, JSON_INDENT(1) | JSON_SORT_KEYS) : NULL;
	json_decref(model);
	if (!got)
		return 0;
	if (getenv("HALLWAY_GOLDEN_UPDATE") && (f = fopen(path, "wb"))) {
		fputs(got, f);
		fputc('\n', f);
		fclose(f);
	}
	if ((f = fopen(path, "rb"))) {
		want = calloc(1, 1 << 20);
		if (want)
			len = fread(want, 1, (1 << 20) - 1, f);
		fclose(f);
	}
	if (want && len && want[len - 1] == '\n')
		want[len - 1] = '\0';
	same = want && !strcmp(want, got);
	if (!same)
		fprintf(stderr, "%s differs:\n%s\n", path, got);
	free(want);
	free(got);
	return same;
}

#endif
