/*
 * Loading a schedule from bytes: format detection and one loader per
 * format. Loaders are pure (no API calls, no globals) so they run on a
 * worker thread.
 */
#ifndef SCHED_LOAD_H
#define SCHED_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "sched_model.h"

enum sched_format {
	SCHED_FMT_AUTO = 0,
	SCHED_FMT_FRAB_JSON,   /* frab/pretalx schedule.json */
	SCHED_FMT_PRETALX_API, /* pretalx REST API submissions (expanded slots) */
	SCHED_FMT_PYCON,       /* PyCon US conference.json */
	SCHED_FMT_XML,         /* frab/pentabarf/wafer schedule.xml */
	SCHED_FMT_ICS,         /* iCalendar */
	SCHED_FMT_EUROPYTHON,  /* EuroPython site "days" JSON, one file per day */
};

/* What a loader learnt besides the talks. */
struct sched_hint {
	int have_offset;       /* an explicit UTC offset was seen ... */
	int32_t offset;        /* ... the first one */
	const char *cfg_tz;    /* configured zone for naive times, or NULL */
	char *err;             /* where to explain a failure */
	size_t errlen;
};

/* "auto", "frab", "pretalx-api", "pycon", "xml", "ics", "europython". */
const char *sched_load_format_name(enum sched_format f);
/* Returns 0 and sets *out, or SCHED_ERR_FORMAT for an unknown name. */
int sched_load_format_parse(const char *name, enum sched_format *out);

/* Guesses the format from the content; SCHED_FMT_AUTO if unknown. For
 * a bundle (sched_bundle.h), the format of its first part. */
enum sched_format sched_load_detect(const char *buf, size_t len);

/*
 * Parses buf[0..len) as format fmt (AUTO: detect). A bundle's parts are
 * loaded one after the other into the one schedule (AUTO: each part's
 * format detected on its own). tz_name is the
 * configured zone for sources that name none (may be NULL). On success
 * *out is a new finished schedule. On failure returns an error and puts
 * a one-line reason into err (if errlen > 0).
 */
int sched_load(const char *buf, size_t len, enum sched_format fmt, const char *tz_name,
	       struct sched **out, char *err, size_t errlen);

/* The per-format loaders fill s (not yet finished). */
int sched_json_frab_load(const json_t *root, struct sched *s, struct sched_hint *h);
int sched_pretalx_api_load(const json_t *root, struct sched *s, struct sched_hint *h);
int sched_pycon_load(const json_t *root, struct sched *s, struct sched_hint *h);
int sched_xml_load(const char *buf, size_t len, struct sched *s, struct sched_hint *h);
int sched_ics_load(const char *buf, size_t len, struct sched *s, struct sched_hint *h);
int sched_europython_load(const json_t *root, struct sched *s, struct sched_hint *h);

/* Initialises libxml2 once, on the loop thread, before workers parse. */
void sched_xml_init(void);

/* Shared loader helpers (sched_load.c). */

/* Makes sure s->tz is set for reading naive local times: the source's
 * zone (s->tz_name), else the configured one, else NULL (UTC). */
const struct hw_tz *sched_load_zone(struct sched *s, struct sched_hint *h);

/* Parses an instant and records its offset in h. Returns 0 or PARSE. */
int sched_load_instant(const char *iso, struct sched *s, struct sched_hint *h, int64_t *utc);

/* Formats a failure reason into h->err. */
void sched_load_fail(struct sched_hint *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Marks t cancelled when its title says so ("CANCELLED ...",
 * "CANCELED: ...", "<s>...</s>") and removes strike-through markup. */
int sched_load_cancel_marks(struct sched_talk *t);

/* Builds "prefix:a@start" as the talk id. */
int sched_load_id(struct sched_talk *t, const char *prefix, const char *a);
#endif
