/*
 * Questions attendees ask, answered from a loaded schedule at a given
 * instant: next, now, a day's programme, search, talks by a speaker.
 * Results are borrowed pointers into the schedule.
 */
#ifndef SCHED_QUERY_H
#define SCHED_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "sched_model.h"
#include <hallway/civil.h>

/* A set of room names to restrict a query to (borrowed); NULL = all. */
/* A filter: talks in one of the rooms names[0..n-1], or, when track is
 * set, talks of that track (FOSDEM's devrooms: `next rust`). */
struct sched_roomset {
	const char *const *names;
	size_t n;
	const char *track;
};

/*
 * Next talks after `now` (strictly later starts; cancelled talks never).
 * With rooms: the earliest upcoming start in those rooms (all talks at
 * that instant). Without: the next talk of each room, earliest first,
 * limited to the local day of the very next one.
 */
size_t sched_query_next(const struct sched *s, int64_t now, const struct sched_roomset *rooms,
			const struct sched_talk **out, size_t max);

/* How many talks sched_query_next would give without a limit: a reply
 * that shows max of them says how many more there are (issue 16). */
size_t sched_query_next_total(const struct sched *s, int64_t now,
			      const struct sched_roomset *rooms);

/* How many talks are running at `now`, for "... and N more". */
size_t sched_query_now_total(const struct sched *s, int64_t now,
			     const struct sched_roomset *rooms);
/* Talks running at `now` (start <= now < end; zero-length markers for a
 * minute), not cancelled: the most recently started first (a talk that
 * began five minutes ago before an all-day workshop), then in the
 * schedule's room order. */
size_t sched_query_now(const struct sched *s, int64_t now, const struct sched_roomset *rooms,
		       const struct sched_talk **out, size_t max);

/* The track a word names (folded equal, or the start of a word of one
 * track's name when only one track has it), or NULL. Borrowed from s. */
const char *sched_query_track(const struct sched *s, const char *word);

/* Talks starting on local date (year, mon, day) in the conference zone,
 * cancelled ones included (they are shown as such). Returns the total
 * count; writes at most max. */
size_t sched_query_day(const struct sched *s, int year, int mon, int day,
		       const struct sched_roomset *rooms, const struct sched_talk **out,
		       size_t max);

/* Distinct local dates of the conference, in order; returns the count. */
size_t sched_query_days(const struct sched *s, struct hw_civil *out, size_t max);

/*
 * Reads a day: "today", "tomorrow", "yesterday", "2026-11-26", a weekday
 * ("saturday", "sat", French names too), a conference day number ("2"),
 * or a day of the month ("27"). Returns 0 and the date, or
 * SCHED_ERR_PARSE.
 */
int sched_query_parse_day(const struct sched *s, const char *when, int64_t now,
			  struct hw_civil *date);

/* Search titles, speakers, tracks, types, rooms, tags and abstracts for
 * all words of `words`; best matches first (ties: earlier first).
 * Returns the number written. */
size_t sched_query_search(const struct sched *s, const char *words,
			  const struct sched_talk **out, size_t max);

/* Talks by a speaker whose name contains all words of `name` (folded,
 * word prefixes), by start. */
size_t sched_query_speaker(const struct sched *s, const char *name,
			   const struct sched_talk **out, size_t max);

/* Distinct speaker names (borrowed), for suggestions; returns count. */
size_t sched_query_speakers(const struct sched *s, const char **out, size_t max);

#endif
