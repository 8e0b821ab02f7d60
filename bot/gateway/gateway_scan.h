/*
 * A strict, allocation-free pre-scan of one gateway payload: enough to
 * decide whether a dispatch must be parsed at all (most MESSAGE_CREATE are
 * chatter nobody reads), without building a jansson tree.
 *
 * The scanner walks the whole payload and checks it is JSON, but only a
 * conservative subset: anything it is not sure about (reals, integers of 19
 * digits or more, escaped object keys at the levels it reads, duplicate
 * keys it reads, surrogate escapes, \u0000, nesting deeper than 64, a
 * non-object top level, bytes that are not valid UTF-8 ...) makes it return
 * GATEWAY_SCAN_FALLBACK, and the caller parses with json_loadb as before.
 * So whenever it returns GATEWAY_SCAN_OK, json_loadb(text, len,
 * JSON_ALLOW_NUL) accepts the same payload and finds the same op, s, t and
 * d.content (tests/unit/test_gateway_scan.c checks this differentially).
 */
#ifndef HALLWAY_GATEWAY_SCAN_H
#define HALLWAY_GATEWAY_SCAN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define GATEWAY_SCAN_OK 0
#define GATEWAY_SCAN_FALLBACK (-1)
#define GATEWAY_SCAN_TYPE_MAX 64 /* longer "t" values fall back */

struct gateway_scan {
	int64_t op;                     /* top-level "op", an integer */
	int has_s, has_t, has_d;        /* "s" and "t" are set only when they are an integer / a string */
	int64_t s;
	char t[GATEWAY_SCAN_TYPE_MAX];  /* "t" without escapes, NUL-terminated */
	/* d.content when d is an object holding a string "content": its first
	 * content_len bytes, which are the decoded bytes too (they stop before
	 * the first backslash escape). Borrowed from the payload text.
	 * content_whole is 1 when they are the whole string. */
	int has_content;
	const char *content;
	size_t content_len;
	int content_whole;
};

/* Scans text (len bytes, not NUL-terminated). Returns GATEWAY_SCAN_OK with
 * *out filled, or GATEWAY_SCAN_FALLBACK (out is then unspecified). */
int gateway_scan(const char *text, size_t len, struct gateway_scan *out);

/*
 * Salvage, for a payload json_loadb refused (never call these first: they
 * assume the text is broken and would "repair" valid JSON's meaning).
 *
 * gateway_scan_repair returns a new string (free it) of *out_len bytes
 * plus a NUL with what jansson cannot take replaced: a lone surrogate
 * escape by \uFFFD, bytes that are not UTF-8 by U+FFFD, control
 * characters inside strings by their \u00XX escape, a stray backslash by
 * an escaped one, and a number jansson cannot hold (an integer outside
 * int64_t, such as a 25-digit nonce, or a real beyond a double) by the
 * same digits as a string. Returns NULL when there was nothing to repair
 * (or out of memory): then the payload is broken in a way this cannot fix.
 *
 * gateway_scan_seq finds the top-level "op" and "s" of broken text
 * without judging the rest: *op is -1 when absent. Returns GATEWAY_SCAN_OK
 * with *seq (>= 0, at most 18 digits) when a top-level "s" was found, else
 * GATEWAY_SCAN_FALLBACK.
 */
/*
 * json_loadb(text, len, flags, err), faster: the same subset the scan
 * vouches for (integers of at most 18 digits, no reals, no \u0000, no
 * surrogate escapes, nesting up to 64, strict UTF-8) is built into a
 * jansson tree directly, with one allocation per value instead of
 * jansson's byte-at-a-time lexer; anything outside it, and any flag but
 * JSON_ALLOW_NUL and JSON_DECODE_ANY, goes to json_loadb itself. So the
 * result is always what json_loadb returns (json_equal; the same key order),
 * and err is only filled when json_loadb ran.
 */
json_t *json_fast_loadb(const char *text, size_t len, size_t flags, json_error_t *err);

/*
 * A gateway payload's tree without the members of its top-level "d" object
 * named in drop (a NULL-terminated list): they are checked like the rest
 * but never built. What json_fast_loadb(text, len, JSON_ALLOW_NUL) returns
 * with those members deleted; NULL when the fast path is unsure (or out of
 * memory): then load the whole payload instead.
 */
json_t *gateway_scan_load_lean(const char *text, size_t len, const char *const *drop);

/*
 * A gateway payload's tree with only the members of its top-level "d" that
 * keep (a NULL-terminated list of dotted paths under d, at most two deep)
 * names: "content" keeps d.content whole, "author.id" keeps d.author with
 * only its "id" (an "author" that is not an object is kept whole). The
 * rest is checked like the rest but never built. What
 * json_fast_loadb(text, len, JSON_ALLOW_NUL) returns with the other
 * members deleted; NULL when the fast path is unsure (or out of memory):
 * then load the whole payload instead.
 */
json_t *gateway_scan_load_kept(const char *text, size_t len, const char *const *keep);

char *gateway_scan_repair(const char *text, size_t len, size_t *out_len);
int gateway_scan_seq(const char *text, size_t len, int64_t *op, int64_t *seq);

#endif
