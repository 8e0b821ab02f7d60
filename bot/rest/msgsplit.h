/*
 * Pure message splitting for Discord's 2000-character content limit.
 * "Characters" are Unicode code points, counted in valid UTF-8. No I/O, no
 * allocation except msgsplit_sanitize(). msgsplit_next() cuts text as text;
 * msgsplit_part() (below) also keeps Discord markup whole, for chat.
 *
 *   char *s = msgsplit_sanitize(text, strlen(text), &len);
 *   size_t pos = 0, off, n;
 *   while (msgsplit_next(s, len, 2000, &pos, &off, &n))
 *           send(s + off, n);
 *   free(s);
 */
#ifndef HALLWAY_MSGSPLIT_H
#define HALLWAY_MSGSPLIT_H

#include <stddef.h>

#define MSGSPLIT_DISCORD_MAX 2000

/* Returns a new NUL-terminated copy of text[0, len) (free() it) that is valid
 * UTF-8: NUL bytes and C0 control characters other than tab, LF and CR (and
 * DEL) are removed, and each invalid byte becomes U+FFFD. *out_len receives
 * the byte length. NULL when out of memory. */
char *msgsplit_sanitize(const char *text, size_t len, size_t *out_len);

/* Number of code points in valid UTF-8 s[0, len). */
size_t msgsplit_count(const char *s, size_t len);

/* The next part of valid UTF-8 text[0, len), starting at *pos (0 at first).
 * Returns 1 and sets *part_off and *part_len (byte range, at most max_chars code
 * points) and advances *pos, or returns 0 when nothing is left.
 *
 * A part ends, in order of preference, at the last line break that fits (the
 * break, and a CR before it, is dropped), else at the last space or tab that
 * fits (one dropped), else after max_chars code points, moved back so that a
 * combining mark, variation selector, zero width joiner or emoji modifier
 * stays with its base character where possible. A part never ends inside a
 * UTF-8 sequence. Parts that would be empty or only whitespace are skipped.
 * Concatenating the parts in order gives the text minus the dropped
 * separators. */
int msgsplit_next(const char *text, size_t len, size_t max_chars, size_t *pos,
		  size_t *part_off, size_t *part_len);

/* ---- markup-aware splitting (chat replies) ----
 *
 * Like msgsplit_next(), but a part never ends inside a Discord markup span
 * when it can help it: a <...> span (a link, a timestamp, a mention) is
 * never cut unless it alone is longer than a part; **bold**, *italic*,
 * ~~strike~~ and `code` spans are cut only when no line break or space
 * outside them fits, and then the part closes them (tail) and the next part
 * opens them again (head), so every part is balanced on its own. A marker
 * pairs with the next marker of its kind (a backslash escapes one); an odd
 * one out at the end is plain text. Below 32 characters per part markup is
 * not tracked.
 *
 *   struct msgsplit ms;
 *   struct msgsplit_part part;
 *   msgsplit_init(&ms, s, len, MSGSPLIT_DISCORD_MAX);
 *   while (msgsplit_part(&ms, &part))
 *           send(part.head + s[part.off, part.off + part.len) + part.tail);
 */
enum msgsplit_span { MSGSPLIT_BOLD, MSGSPLIT_ITALIC, MSGSPLIT_STRIKE, MSGSPLIT_CODE,
		     MSGSPLIT_NSPANS };

/* Markup state at a position: how many markers of each kind were seen and
 * which spans are open, in the order they opened. */
struct msgsplit_state {
	size_t seen[MSGSPLIT_NSPANS];
	unsigned char open[MSGSPLIT_NSPANS];
	unsigned nopen;
};

struct msgsplit {
	const char *text;   /* borrowed: valid UTF-8 */
	size_t len;
	size_t max_chars;   /* may be changed between parts */
	size_t pos;         /* where the next part starts */
	size_t total[MSGSPLIT_NSPANS];
	int markup;         /* 0: spans are not tracked */
	struct msgsplit_state st; /* at pos */
};

/* Longest head or tail: every span kind open at once, plus the NUL. */
#define MSGSPLIT_MARKS 8

struct msgsplit_part {
	size_t off, len;            /* bytes of the text */
	char head[MSGSPLIT_MARKS];  /* markers to put before them */
	char tail[MSGSPLIT_MARKS];  /* and after them */
};

/* Starts splitting valid UTF-8 text[0, len) (borrowed until the last
 * msgsplit_part call) into parts of at most max_chars code points, head
 * and tail included. */
void msgsplit_init(struct msgsplit *ms, const char *text, size_t len, size_t max_chars);

/* The next part: 1 and *part filled, or 0 when nothing is left. A part
 * ends, in order of preference, at the last line break that fits outside
 * any span, the last space or tab outside any span, the last line break,
 * the last space, else at a code point boundary (kept off a character
 * cluster and a <...> span when possible). Parts that would be empty or
 * only whitespace are skipped. */
int msgsplit_part(struct msgsplit *ms, struct msgsplit_part *part);

/* Writes part (head, its bytes of ms's text, tail) into buf, which holds
 * at least part->len + 2 * MSGSPLIT_MARKS bytes; NUL-terminates it and
 * returns its byte length. */
size_t msgsplit_part_copy(const struct msgsplit *ms, const struct msgsplit_part *part,
			  char *buf);

/* How much of text fits in max_parts parts of max_chars code points when a
 * notice of notice_chars code points follows on a line of its own. Returns
 * len when the whole text fits (no notice needed); else the byte length to
 * keep, with tail (MSGSPLIT_MARKS bytes) set to the markers that close the
 * spans open there. Then text[0, kept) + tail + "\n" + notice splits into
 * at most max_parts parts. */
size_t msgsplit_fit(const char *text, size_t len, size_t max_chars, size_t max_parts,
		    size_t notice_chars, char *tail);

#endif
