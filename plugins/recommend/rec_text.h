/*
 * Words for ranking: folding (case and accents: hw_fold in lib/),
 * English and French stop words, and light suffix stemming,
 * so "Parsing iCalendar files" and "parser calendars" share terms.
 * Pure functions; safe on a worker thread.
 */
#ifndef REC_TEXT_H
#define REC_TEXT_H

#include <stddef.h>

/* Longest term kept, in bytes; longer words are cut (on a byte boundary
 * that keeps UTF-8 valid). */
#define REC_TERM_MAX 48

/* Called once per term in order. term: the stemmed term; word: the folded
 * word it came from. Both borrowed, valid during the call. Return nonzero
 * to stop. */
typedef int (*rec_text_fn)(const char *term, const char *word, void *ud);

/*
 * Splits text into terms and calls fn for each (stop words dropped).
 * Returns 0, the first nonzero value fn returned, or -1 on out of
 * memory. Text longer than REC_TEXT_MAX bytes is cut.
 */
#define REC_TEXT_MAX 65536
int rec_text_terms(const char *text, rec_text_fn fn, void *ud);

/* 1 if the folded word is an English or French stop word. */
int rec_text_stop(const char *word);

/* Stems the folded word in place (light: plural, -ing, -ed, -er, -ation,
 * -ly, final e); never shortens below three bytes. */
void rec_text_stem(char *word);

#endif
