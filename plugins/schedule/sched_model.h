/*
 * The schedule model: one conference, its talks as absolute instants.
 *
 * Every loader produces a struct sched; everything else (queries, diff,
 * rendering) reads it. All strings are owned by the talk or the schedule
 * and freed by sched_model_free(). Times are Unix seconds, UTC; the
 * conference time zone is used only for display and for "which day".
 */
#ifndef SCHED_MODEL_H
#define SCHED_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include <hallway/tz.h>

/* Error codes of the schedule modules (0 = success). */
enum sched_err {
	SCHED_OK = 0,
	SCHED_ERR_NOMEM = -1,
	SCHED_ERR_PARSE = -2,   /* the input is not valid JSON/XML/iCalendar */
	SCHED_ERR_FORMAT = -3,  /* valid syntax, but not a schedule we know */
	SCHED_ERR_TZ = -4,      /* unknown or unreadable time zone */
	SCHED_ERR_IO = -5,      /* a file could not be read */
	SCHED_ERR_EMPTY = -6,   /* parsed, but no talks at all */
};

const char *sched_strerror(int err);

struct sched_talk {
	char *id;        /* unique within the schedule (see sched_model_finish) */
	char *guid;      /* may be NULL */
	char *title;     /* never NULL ("" at worst) */
	char *subtitle, *abstract, *track, *type, *language, *level, *url;
	char *room;      /* NULL when the talk has no room */
	char **speakers; /* NULL-terminated, may be empty */
	size_t nspeakers;
	char **tags;     /* NULL-terminated, may be empty */
	size_t ntags;
	int64_t start, end; /* Unix seconds UTC; end >= start */
	int cancelled;
	/* The talk's recording, when the schedule links one (sched_links.h),
	 * and how sure the loader was that it is one (kept: the best). */
	char *recording;
	int recording_rank;
	/* Folded copies for matching (sched_fold), set by sched_model_finish:
	 * title; speakers; track, type, room and tags. Never NULL after
	 * finish. (No folded abstract: only the search index reads it, and
	 * folds it as it indexes; a copy was ~1 MB with FOSDEM.) */
	char *f_title, *f_people, *f_meta;
};

/* What the cleaning at load did (sched_clean.c, sched_ics.c). */
struct sched_clean_stats {
	size_t split_bookings, split_entries; /* multi-room bookings, entries made */
	size_t placeholders;                  /* "Slot" entries not offered */
	size_t duplicates;                    /* exact copies collapsed */
	size_t titles_split;                  /* ICS "Title - Speaker" */
};

struct sched {
	char *name;      /* conference title, may be NULL */
	char *version;   /* release name from the source, may be NULL */
	char *tz_name;   /* IANA name used for display, may be NULL */
	struct hw_tz *tz; /* owned; never NULL after sched_model_finish */
	struct sched_talk *talks; /* sorted by (start, room, title) after finish */
	size_t ntalks, cap;
	char **rooms;    /* distinct room names, first-seen order; NULL-terminated */
	size_t nrooms;
	size_t bad_utf8; /* invalid UTF-8 bytes a loader replaced with '?' */
	struct sched_clean_stats clean;
};

/* Returns a new empty schedule, or NULL on out of memory. */
struct sched *sched_model_new(void);
void sched_model_free(struct sched *s);

/* Appends a zeroed talk and returns it (owned by s), or NULL on OOM. */
struct sched_talk *sched_model_add(struct sched *s);

/* Drops the last talk added (a loader that gave up on it). */
void sched_model_drop_last(struct sched *s);

/* Copies `len` bytes of `str` into *dst (replacing it); trims whitespace.
 * An empty result leaves NULL. Returns 0 or SCHED_ERR_NOMEM. */
int sched_model_setn(char **dst, const char *str, size_t len);
int sched_model_set(char **dst, const char *str);

/* Appends a copy of name to a NULL-terminated vector. */
int sched_model_strv_add(char ***v, size_t *n, const char *str);

/* Adds a room to the rooms list unless already there (exact match). */
int sched_model_room_add(struct sched *s, const char *room);

/*
 * Validates and normalises after loading: drops talks without a start,
 * fills empty titles, makes ids unique ("#2" suffixes), registers rooms,
 * sorts talks. tz_name (may be NULL) is the zone to use when the source
 * named none; if neither is known a fixed offset guessed by the loader in
 * *fallback_offset (or UTC) is used. Returns 0, SCHED_ERR_EMPTY, or NOMEM.
 */
int sched_model_finish(struct sched *s, const char *tz_name, int have_offset,
		       int32_t fallback_offset);

/* Removes talks whose id repeats an earlier talk's (keeps the first). */
int sched_model_dedupe(struct sched *s);

/* Index of room `name` in s->rooms, or -1. */
int sched_model_room_index(const struct sched *s, const char *name);


#endif
