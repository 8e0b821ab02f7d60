/*
 * hw_fts (lib/fts.c, in hallway_text): a small full-text index over
 * SQLite FTS5 in memory, for finding things by what people type: talks
 * by title, speaker or abstract (schedule), a talk to star (recommend).
 * The one way every plugin reads search words (issue 13).
 *
 * Text is folded (hw_fold) on the way in and out, then split into words
 * by the `unicode61 remove_diacritics 2` tokenizer; typed words match as
 * word prefixes and rank by bm25() with the column weights given. With
 * HW_FTS_TYPOS, when nothing holds every word as typed, a word no
 * document has is read as the inside of a longer word ("zone" in
 * "timezones", by a `trigram` index of the vocabulary), as a typo of a
 * known word ("tiem" for "time": candidates sharing a trigram, or of a
 * close length for short words, then the shared edit distance: 1 edit
 * for words of 4 to 7 bytes, 2 from 8) or as two known words run
 * together ("timezone" for "time zone"). Every typed word must match.
 *
 * Not thread-safe: one thread at a time per index (it may be built on
 * one thread and searched on another).
 */
#ifndef HALLWAY_FTS_H
#define HALLWAY_FTS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HW_FTS_MAX_COLS 8

struct hw_fts;

/* A new empty index of ncols text columns (1..HW_FTS_MAX_COLS) with
 * their bm25() weights (NULL: all 1). NULL on failure. */
struct hw_fts *hw_fts_new(size_t ncols, const double *weights);
/* The same with flags: HW_FTS_STEM stems words (porter over unicode61:
 * "parsing" finds "parser"), for ranking by topic (hw_fts_rank); such an
 * index keeps no vocabulary, so HW_FTS_TYPOS reads nothing more in it. */
#define HW_FTS_STEM 4
struct hw_fts *hw_fts_new_ex(size_t ncols, const double *weights, int flags);
void hw_fts_free(struct hw_fts *f);

/*
 * Adds a document for ref (the caller's id; several documents may share
 * one: a talk's speakers one by one). texts[ncols] (NULL reads as "").
 * demote ranks it after the others (a cancelled talk). HW_OK or
 * HW_ERR_STORAGE. Call hw_fts_ready after the last one.
 */
int hw_fts_add(struct hw_fts *f, int64_t ref, const char *const *texts, int demote);
/* Builds the vocabulary the typo reading uses. HW_OK or HW_ERR_STORAGE. */
int hw_fts_ready(struct hw_fts *f);

#define HW_FTS_TYPOS 1 /* read unknown words as insides, typos, run-together words */
#define HW_FTS_BY_REF 2 /* order the answer by ref, not by rank */

/*
 * Up to max distinct refs for the typed words, best first: column 0
 * equal to the whole query, then column 0 holding it (several words),
 * then not demoted, then bm25(), then ref. Returns the count; 0 when
 * nothing matches or the query has no word (an emoji alone, punctuation).
 */
size_t hw_fts_search(struct hw_fts *f, const char *query, int flags, int64_t *out, size_t max);

/*
 * Every ref holding any of the typed words (whole words, OR), with its
 * bm25() score made positive (higher is better), best first, at most max
 * (one row per document: a ref added twice may come twice). Returns the
 * count, 0 when the query has no word, -1 on a failure (logged).
 */
long hw_fts_rank(struct hw_fts *f, const char *query, int64_t *refs, double *scores, size_t max);

#ifdef __cplusplus
}
#endif

#endif
