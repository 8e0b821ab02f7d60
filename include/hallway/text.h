/*
 * hallway text helpers, shared by the daemon, every plugin and the tests
 * (lib/, linked as hallway_text): one reading of names and words for
 * every command. Plugins link the library; it is not part of the hw_api
 * table, so it needs no ABI version of its own.
 */
#ifndef HALLWAY_TEXT_H
#define HALLWAY_TEXT_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- UTF-8 ---- */

/* Decodes one UTF-8 character at *p (advancing it); returns the code
 * point, or -1 for an invalid or overlong byte sequence (one byte is
 * consumed). *p must point into a NUL-terminated string. */
long hw_utf8_next(const unsigned char **p);
/* Encodes cp (0..0x10FFFF, no surrogates) into out (4 bytes); returns
 * the length, or 0 for a code point that has no encoding. */
size_t hw_utf8_put(char *out, long cp);

/* printf into buf (len bytes, len > 0), always NUL-terminated; text that
 * does not fit is cut on a UTF-8 character boundary, never inside one.
 * Returns the length written. For messages that may be long by design
 * (a config problem naming a long path). */
size_t hw_fmt(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
size_t hw_vfmt(char *buf, size_t len, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* ---- folding for matching ---- */

/*
 * The one fold every matcher uses: full Unicode case folding (Latin,
 * Greek, Cyrillic and the rest: "ПИТОН" and "питон", "Ωmega" and
 * "ωmega" fold alike), compatibility forms ("ﬁ" -> "fi"), accents and
 * other marks removed ("Amphithéâtre" -> "amphitheatre", "Łódź" ->
 * "lodz", "ß" -> "ss"), invisible characters dropped (variation
 * selectors such as U+FE0F, zero-width joiners, skin tones). Letters and
 * digits make words; a symbol such as an emoji ("☕") is a word of its
 * own; punctuation and spaces break words. Runs of breaks become one
 * space, trimmed. Invalid UTF-8 bytes are breaks.
 */
#define HW_FOLD_DROP_SYMBOLS 1 /* symbols and emoji are breaks, not words */

/* Returns a new folded copy of s (free it), or NULL out of memory. */
char *hw_fold(const char *s);
char *hw_fold_ex(const char *s, int flags);
/* Folds into buf (always NUL-terminated, cut on a character boundary);
 * returns the length written. */
size_t hw_fold_into(const char *s, char *buf, size_t len);
size_t hw_fold_into_ex(const char *s, char *buf, size_t len, int flags);
/* 1 when the folded needle starts a word of the folded hay. */
int hw_fold_has_word_prefix(const char *hay, const char *needle);

/* ---- distance, for "did you mean" ---- */

#define HW_DISTANCE_MAX_LEN 64
/* Optimal-string-alignment distance (a swap of neighbours costs 1) over
 * the code points of a and b (la, lb bytes). Strings of more than
 * HW_DISTANCE_MAX_LEN code points compare as (size_t)-1. */
size_t hw_distance(const char *a, size_t la, const char *b, size_t lb);
/* The same on NUL-terminated strings, capped: returns cap + 1 as soon as
 * the distance is known to exceed cap. */
size_t hw_distance_capped(const char *a, const char *b, size_t cap);

/* ---- links ---- */

/* 1 when s is an absolute http:// or https:// URL with a host, and nothing a
 * link must not hold: spaces, control characters, '<', '>' or '"'. One rule
 * for config values, reply models and HTTP requests (lib/url.c). */
int hw_url_is_http(const char *s);

#ifdef __cplusplus
}
#endif

#endif
