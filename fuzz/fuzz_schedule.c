/*
 * fuzz_sched_{json,xml,ics}: every schedule loader on untrusted bytes.
 * Built three times (FUZZ_SCHED_JSON / _XML / _ICS) so each family gets a
 * corpus seeded from real files of its format; each input goes through
 * format detection (AUTO) and through every loader of the family.
 *
 * A successful load must give a finished schedule the rest of the plugin
 * can rely on: talks with an id, a title, end >= start, unique ids, and an
 * export (the schedule.loaded event) that jansson can build and serialise.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "sched_export.h"
#include "sched_load.h"

static const enum sched_format formats[] = {
	SCHED_FMT_AUTO,
#if defined(FUZZ_SCHED_JSON)
	SCHED_FMT_FRAB_JSON, SCHED_FMT_PRETALX_API, SCHED_FMT_PYCON,
#elif defined(FUZZ_SCHED_XML)
	SCHED_FMT_XML,
#elif defined(FUZZ_SCHED_ICS)
	SCHED_FMT_ICS,
#endif
};

static void silent(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	sched_xml_init();
	xmlSetGenericErrorFunc(NULL, silent);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check(const struct sched *s)
{
	const char **ids;
	json_t *ex;
	char *text;

	if (!s->tz || (s->ntalks && !s->talks))
		abort();
	ids = malloc((s->ntalks + 1) * sizeof(*ids));
	if (!ids)
		return;
	for (size_t i = 0; i < s->ntalks; i++) {
		const struct sched_talk *t = &s->talks[i];
		if (!t->id || !t->title || t->end < t->start || !t->speakers || !t->tags ||
		    !t->f_title || !t->f_people || !t->f_meta)
			abort();
		if (i && (s->talks[i - 1].start > t->start))
			abort(); /* sorted by start */
		ids[i] = t->id;
	}
	qsort(ids, s->ntalks, sizeof(*ids), cmp_str);
	for (size_t i = 1; i < s->ntalks; i++)
		if (!strcmp(ids[i - 1], ids[i]))
			abort(); /* duplicate talk id */
	free(ids);
	ex = sched_export(s);
	if (!ex)
		abort();
	text = json_dumps(ex, JSON_COMPACT);
	if (!text)
		abort();
	free(text);
	json_decref(ex);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];

	(void)sched_load_detect((const char *)data, size);
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		struct sched *s = NULL;
		int rc = sched_load((const char *)data, size, formats[i], "Europe/Brussels", &s,
				    err, sizeof(err));
		if (rc == 0) {
			if (!s)
				abort();
			check(s);
			sched_model_free(s);
		} else if (s) {
			abort(); /* *out set on failure */
		}
	}
	return 0;
}
