/*
 * The recommendation index: every talk of "schedule.loaded", multi-slot
 * sessions merged into one entry, with an FTS5 table ranked by bm25() for
 * `recommend` (lib/fts.c, stemmed, the fields weighted), postings and
 * L2-normalised TF-IDF vectors for `similar`, the starred-talks profile
 * and the reasons shown. Building and querying are pure (no API calls, no globals), so a
 * build may run on a worker thread; an index is immutable once built.
 */
#ifndef REC_INDEX_H
#define REC_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <hallway/fts.h>

/* Error codes of the recommend modules (0 = success). */
enum rec_err {
	REC_OK = 0,
	REC_ERR_NOMEM = -1,
	REC_ERR_FORMAT = -2,  /* not the schedule.loaded shape */
	REC_ERR_STORAGE = -3,
};

/* The fields ranked. */
enum rec_field { REC_F_TITLE = 0, REC_F_ABSTRACT, REC_F_TRACK, REC_F_TAGS, REC_F_SPEAKERS,
		 REC_NFIELDS };

/* Ranking weights; rec_params_default() gives the ones the plugin uses. A
 * weight of 0 leaves the field out (the evaluation hides the track). */
struct rec_params {
	float bm25[REC_NFIELDS];  /* bm25() column weights of `rank` (recommend) */
	float sim[REC_NFIELDS];   /* TF-IDF field weights (similar, profile) */
	float profile_boost;      /* score *= 1 + boost * cos(profile, talk) */
};
void rec_params_default(struct rec_params *p);

/* One time slot of an entry. Strings owned by the index. */
struct rec_slot {
	char *id;
	char *room;               /* may be NULL */
	char *recording;          /* the slot's recording link, may be NULL */
	int64_t start, end;       /* Unix seconds */
	int cancelled;
};

/* One talk (all its slots). Strings owned by the index; NULL when absent. */
struct rec_entry {
	char *title;              /* never NULL */
	char *track, *type, *level, *url;
	char **speakers;          /* nspeakers strings */
	size_t nspeakers;
	struct rec_slot *slots;   /* by start time, at least one */
	size_t nslots;
	char *f_title;            /* folded title, for matching */
	uint32_t *vterm;          /* TF-IDF vector: term ids, ascending */
	float *vw;                /* weights, L2 norm 1 (or all zero) */
	size_t vn;
};

struct rec_posting {
	uint32_t doc;
	float tfidf;              /* the doc's normalised vector weight */
};

struct rec_index {
	char *name, *tz_name;     /* conference name and IANA zone, may be NULL */
	int64_t last_end;         /* when the last talk ends (Unix s; 0: no talk):
				   * after it, `agenda` is the watch list */
	struct rec_entry *e;
	size_t n;
	/* Terms: id -> stemmed text, surface word, postings (by doc). */
	char **terms, **words;
	struct rec_posting **post;
	uint32_t *npost;
	size_t nterms;
	uint32_t *slots;          /* open-addressing hash of term ids + 1 */
	size_t nslots_hash;
	struct rec_params params;
	struct hw_fts *find;      /* titles and speakers, for finding a typed talk
				   * (rec_query_find: typos, insides; lib/fts.c) */
	struct hw_fts *rank;      /* the ranked fields, stemmed, weighted by
				   * params.bm25 (rec_query_recommend) */
};

/*
 * Builds an index from the schedule.loaded JSON (borrowed). params may be
 * NULL (defaults). On success *out is a new index (free it with
 * rec_index_free). Talks without an id or a start are skipped.
 */
int rec_index_build(const json_t *loaded, const struct rec_params *params,
		    struct rec_index **out);
void rec_index_free(struct rec_index *idx);

/* The term id of a stemmed term, or -1. */
long rec_index_term(const struct rec_index *idx, const char *term);

/* The entry and slot holding talk id `id`; returns the entry index or -1
 * (and *slot, if not NULL). */
long rec_index_find_id(const struct rec_index *idx, const char *id, size_t *slot);

/* The recording link of talk id `id` (borrowed), or NULL. */
const char *rec_index_recording(const struct rec_index *idx, const char *id);

/* The first slot of entry i that is not cancelled and starts after now
 * (Unix s), or -1. */
long rec_index_upcoming(const struct rec_index *idx, size_t i, int64_t now);

#endif
