/*
 * Message splitting: valid UTF-8 in, byte ranges of at most N code points
 * out, cut at line breaks, else spaces, else code point boundaries; for
 * chat, also outside Discord markup spans (closed and reopened when a
 * line is too long for one message).
 */
#include "msgsplit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s[0, len), or 0 if invalid. */
static size_t utf8_valid_len(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		v = c & 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		v = c & 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		v = c & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

/* Sequence length from a lead byte of valid UTF-8. */
static size_t utf8_seq_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c < 0xe0)
		return 2;
	if (c < 0xf0)
		return 3;
	return 4;
}

/* Code point at s[off] of valid UTF-8. */
static uint32_t cp_at(const char *s, size_t len, size_t off)
{
	uint32_t cp = 0xfffd;
	utf8_valid_len((const unsigned char *)s + off, len - off, &cp);
	return cp;
}

/* Offset of the code point before off (off > 0). */
static size_t prev_boundary(const char *s, size_t off)
{
	do {
		off--;
	} while (off > 0 && ((unsigned char)s[off] & 0xc0) == 0x80);
	return off;
}

char *msgsplit_sanitize(const char *text, size_t len, size_t *out_len)
{
	/* Each input byte becomes at most 3 output bytes (U+FFFD). */
	if (len > (SIZE_MAX - 1) / 3)
		return NULL;
	char *out = malloc(len * 3 + 1);
	if (!out)
		return NULL;
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, o = 0;
	while (i < len) {
		uint32_t cp;
		size_t n = utf8_valid_len(s + i, len - i, &cp);
		if (n == 0) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		int drop = (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0x7f;
		if (!drop) {
			memcpy(out + o, s + i, n);
			o += n;
		}
		i += n;
	}
	out[o] = '\0';
	*out_len = o;
	return out;
}

size_t msgsplit_count(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

/* Code points that belong to the character before them. */
static int is_extender(uint32_t cp)
{
	return (cp >= 0x300 && cp <= 0x36f) || (cp >= 0x1ab0 && cp <= 0x1aff) ||
	       (cp >= 0x1dc0 && cp <= 0x1dff) || (cp >= 0x20d0 && cp <= 0x20ff) ||
	       (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xfe20 && cp <= 0xfe2f) ||
	       cp == 0x200d || (cp >= 0x1f3fb && cp <= 0x1f3ff) ||
	       (cp >= 0xe0020 && cp <= 0xe007f) || (cp >= 0xe0100 && cp <= 0xe01ef);
}

static int is_regional(uint32_t cp)
{
	return cp >= 0x1f1e6 && cp <= 0x1f1ff;
}

/* Whether cutting before s[end] would split a character cluster. */
static int bad_cut(const char *s, size_t len, size_t start, size_t end)
{
	if (end <= start || end >= len)
		return 0;
	uint32_t next = cp_at(s, len, end);
	size_t p = prev_boundary(s, end);
	uint32_t prev = cp_at(s, len, p);
	if (is_extender(next) || prev == 0x200d)
		return 1;
	if (is_regional(next) && is_regional(prev)) {
		/* Flags are pairs: an odd run before end means mid-pair. */
		size_t run = 0, q = end;
		while (q > start) {
			q = prev_boundary(s, q);
			if (!is_regional(cp_at(s, len, q)))
				break;
			run++;
		}
		return run % 2 == 1;
	}
	return 0;
}

static int only_space(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr(" \t\r\n", s[i]))
			return 0;
	return 1;
}

int msgsplit_next(const char *text, size_t len, size_t max_chars, size_t *pos,
		  size_t *part_off, size_t *part_len)
{
	if (max_chars == 0)
		return 0;
	while (*pos < len) {
		size_t start = *pos, p = start, count = 0, end, next;

		while (p < len && count < max_chars) {
			p += utf8_seq_len((unsigned char)text[p]);
			count++;
		}
		if (p > len)
			p = len;
		if (p >= len) {
			end = len;
			next = len;
		} else {
			/* text[p] starts the first code point that does not fit;
			 * a separator there may still be dropped. */
			size_t i = p;
			if (text[p] == '\r' && p + 1 < len && text[p + 1] == '\n')
				i = p + 1;
			while (i > start && text[i] != '\n')
				i--;
			if (i > start) {
				end = i;
				if (text[end - 1] == '\r')
					end--;
				next = i + 1;
			} else {
				i = p;
				while (i > start && text[i] != ' ' && text[i] != '\t')
					i--;
				if (i > start) {
					end = i;
					next = i + 1;
				} else {
					end = p;
					for (int k = 0; k < 32 && bad_cut(text, len, start, end); k++)
						end = prev_boundary(text, end);
					if (end <= start)
						end = p;
					next = end;
				}
			}
		}
		*pos = next;
		if (end > start && !only_space(text + start, end - start)) {
			*part_off = start;
			*part_len = end - start;
			return 1;
		}
	}
	return 0;
}

/* ---- markup-aware splitting ---- */

#define ANGLE_MAX 256 /* a <...> span longer than this is plain text */
#define MARKUP_MIN_CHARS 32

static const char *const span_marks[MSGSPLIT_NSPANS] = {"**", "*", "~~", "`"};

enum tok_kind { TOK_TEXT, TOK_ESCAPE, TOK_ANGLE, TOK_MARK };

struct tok {
	enum tok_kind kind;
	enum msgsplit_span span; /* TOK_MARK */
	size_t len;              /* bytes */
	size_t chars;            /* code points */
};

static int span_open(const struct msgsplit_state *st, enum msgsplit_span k)
{
	for (unsigned i = 0; i < st->nopen; i++)
		if (st->open[i] == k)
			return 1;
	return 0;
}

/* Length of a <...> span at s[i] ('<'), or 0 when it is not one: no space,
 * line break or '<' inside, at most ANGLE_MAX bytes. */
static size_t angle_len(const char *s, size_t len, size_t i)
{
	size_t j;
	for (j = i + 1; j < len && j - i < ANGLE_MAX; j++) {
		if (s[j] == '>')
			return j > i + 1 ? j - i + 1 : 0;
		if (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r' || s[j] == '<')
			return 0;
	}
	return 0;
}

/* The token at text[i]. in_code: inside a `code` span, where only a
 * backtick means something. */
static void tok_at(const struct msgsplit *ms, size_t i, int in_code, struct tok *t)
{
	const char *s = ms->text;
	unsigned char c = (unsigned char)s[i];

	t->kind = TOK_TEXT;
	t->len = utf8_seq_len(c);
	if (i + t->len > ms->len)
		t->len = ms->len - i;
	t->chars = 1;
	if (!ms->markup)
		return;
	if (c == '`') {
		t->kind = TOK_MARK;
		t->span = MSGSPLIT_CODE;
		return;
	}
	if (in_code)
		return;
	if (c == '\\' && i + 1 < ms->len && strchr("*~`<>_|\\", s[i + 1])) {
		t->kind = TOK_ESCAPE;
		t->len = t->chars = 2;
	} else if (c == '<') {
		size_t n = angle_len(s, ms->len, i);
		if (n) {
			t->kind = TOK_ANGLE;
			t->len = n;
			t->chars = msgsplit_count(s + i, n);
		}
	} else if (c == '*') {
		t->kind = TOK_MARK;
		t->span = i + 1 < ms->len && s[i + 1] == '*' ? MSGSPLIT_BOLD : MSGSPLIT_ITALIC;
		t->len = t->chars = t->span == MSGSPLIT_BOLD ? 2 : 1;
	} else if (c == '~' && i + 1 < ms->len && s[i + 1] == '~') {
		t->kind = TOK_MARK;
		t->span = MSGSPLIT_STRIKE;
		t->len = t->chars = 2;
	}
}

/* Moves st over the marker t. The k-th marker of a kind (from 0) opens a
 * span when k is even and a k+1-th exists, closes one when k is odd. */
static void state_mark(const struct msgsplit *ms, struct msgsplit_state *st, enum msgsplit_span k)
{
	size_t seen = st->seen[k]++;
	if (seen % 2 == 1) {
		unsigned j = 0;
		for (unsigned i = 0; i < st->nopen; i++)
			if (st->open[i] != k)
				st->open[j++] = st->open[i];
		st->nopen = j;
	} else if (seen + 1 < ms->total[k] && st->nopen < MSGSPLIT_NSPANS) {
		st->open[st->nopen++] = (unsigned char)k;
	}
}

static size_t marks_chars(const struct msgsplit_state *st)
{
	size_t n = 0;
	for (unsigned i = 0; i < st->nopen; i++)
		n += strlen(span_marks[st->open[i]]);
	return n;
}

/* The openers of st's spans, in order (head), or their closers in reverse
 * order (tail), into buf (MSGSPLIT_MARKS bytes). */
static void marks_write(const struct msgsplit_state *st, int closing, char *buf)
{
	size_t n = 0;
	for (unsigned i = 0; i < st->nopen; i++) {
		const char *m = span_marks[st->open[closing ? st->nopen - 1 - i : i]];
		size_t l = strlen(m);
		memcpy(buf + n, m, l);
		n += l;
	}
	buf[n] = '\0';
}

void msgsplit_init(struct msgsplit *ms, const char *text, size_t len, size_t max_chars)
{
	struct msgsplit_state st;
	struct tok t;
	size_t i;

	memset(ms, 0, sizeof(*ms));
	ms->text = text;
	ms->len = len;
	ms->max_chars = max_chars;
	ms->markup = max_chars >= MARKUP_MIN_CHARS;
	if (!ms->markup)
		return;
	/* First the backticks, with "in code" guessed from their parity: a
	 * backtick that finds no partner is the last one, so the guess can
	 * only be wrong where no backtick follows. */
	for (i = 0; i < len; i += t.len) {
		tok_at(ms, i, ms->total[MSGSPLIT_CODE] % 2, &t);
		if (t.kind == TOK_MARK && t.span == MSGSPLIT_CODE)
			ms->total[MSGSPLIT_CODE]++;
	}
	/* Then the other markers, outside code spans. */
	memset(&st, 0, sizeof(st));
	for (i = 0; i < len; i += t.len) {
		tok_at(ms, i, span_open(&st, MSGSPLIT_CODE), &t);
		if (t.kind == TOK_MARK) {
			if (t.span == MSGSPLIT_CODE)
				state_mark(ms, &st, MSGSPLIT_CODE);
			else
				st.seen[t.span]++;
		}
	}
	for (int k = 0; k < MSGSPLIT_NSPANS; k++)
		if (k != MSGSPLIT_CODE)
			ms->total[k] = st.seen[k];
}

/* A place a part may end: the part is text[start, end), the next one
 * starts at next, with the state st. */
struct cut {
	int found;
	size_t end, next;
	struct msgsplit_state st;
};

static void cut_set(struct cut *c, size_t end, size_t next, const struct msgsplit_state *st)
{
	c->found = 1;
	c->end = end;
	c->next = next;
	c->st = *st;
}

enum { CUT_LINE, CUT_SPACE, CUT_LINE_IN, CUT_SPACE_IN, CUT_HARD, CUT_HARD_IN, CUT_ANY, CUT_N };

int msgsplit_part(struct msgsplit *ms, struct msgsplit_part *part)
{
	const char *s = ms->text;

	if (ms->max_chars == 0)
		return 0;
	while (ms->pos < ms->len) {
		size_t start = ms->pos, i = start, count = 0, head = marks_chars(&ms->st);
		struct msgsplit_state st = ms->st;
		struct cut cuts[CUT_N];
		const struct cut *best = NULL;
		size_t end, next;
		struct tok t;

		memset(cuts, 0, sizeof(cuts));
		if (head >= ms->max_chars) {
			/* Only when a caller shrank max_chars below the markers:
			 * the spans are not reopened. */
			ms->st.nopen = 0;
			st.nopen = 0;
			head = 0;
		}
		for (;;) {
			size_t room = ms->max_chars - head;
			if (i >= ms->len) {
				if (count <= room)
					cut_set(&cuts[CUT_LINE], ms->len, ms->len, &st);
				break;
			}
			if (i > start) {
				size_t tail = marks_chars(&st);
				int fit = count + tail <= room;
				int in = st.nopen > 0;
				if (s[i] == '\n' || (s[i] == '\r' && i + 1 < ms->len && s[i + 1] == '\n')) {
					size_t e = i, skip = s[i] == '\r' ? 2 : 1;
					if (s[i] == '\n' && s[i - 1] == '\r' && i - 1 > start)
						e = i - 1;
					if (count - (i - e) + tail <= room)
						cut_set(&cuts[in ? CUT_LINE_IN : CUT_LINE], e, i + skip, &st);
				} else if ((s[i] == ' ' || s[i] == '\t') && fit) {
					cut_set(&cuts[in ? CUT_SPACE_IN : CUT_SPACE], i, i + 1, &st);
				}
				if (fit) {
					if (!bad_cut(s, ms->len, start, i))
						cut_set(&cuts[in ? CUT_HARD_IN : CUT_HARD], i, i, &st);
					cut_set(&cuts[CUT_ANY], i, i, &st);
				}
			}
			tok_at(ms, i, span_open(&st, MSGSPLIT_CODE), &t);
			if (count + t.chars > room) {
				if (i == start || !cuts[CUT_ANY].found) {
					/* One token longer than a part (a huge <...>):
					 * cut it at a code point boundary. */
					size_t p = i, c = count;
					while (p < ms->len && c < room) {
						p += utf8_seq_len((unsigned char)s[p]);
						c++;
					}
					if (p > ms->len)
						p = ms->len;
					if (p == start)
						p = start + utf8_seq_len((unsigned char)s[start]);
					cut_set(&cuts[CUT_ANY], p, p, &st);
				}
				break;
			}
			if (t.kind == TOK_MARK)
				state_mark(ms, &st, t.span);
			count += t.chars;
			i += t.len;
		}
		for (int k = 0; k < CUT_N && !best; k++)
			if (cuts[k].found)
				best = &cuts[k];
		end = best->end;
		next = best->next;
		if (next > ms->len)
			next = ms->len;
		part->off = start;
		part->len = end - start;
		marks_write(&ms->st, 0, part->head);
		marks_write(&best->st, 1, part->tail);
		ms->pos = next;
		ms->st = best->st;
		if (end > start && !only_space(s + start, end - start))
			return 1;
	}
	return 0;
}

size_t msgsplit_part_copy(const struct msgsplit *ms, const struct msgsplit_part *part,
			  char *buf)
{
	size_t h = strlen(part->head), t = strlen(part->tail);
	memcpy(buf, part->head, h);
	memcpy(buf + h, ms->text + part->off, part->len);
	memcpy(buf + h + part->len, part->tail, t);
	buf[h + part->len + t] = '\0';
	return h + part->len + t;
}

size_t msgsplit_fit(const char *text, size_t len, size_t max_chars, size_t max_parts,
		    size_t notice_chars, char *tail)
{
	struct msgsplit ms, before;
	struct msgsplit_part part;
	size_t n = 0;

	tail[0] = '\0';
	if (max_parts == 0 || notice_chars + 1 >= max_chars)
		return 0;
	msgsplit_init(&ms, text, len, max_chars);
	for (;;) {
		before = ms;
		if (!msgsplit_part(&ms, &part))
			return len;
		if (++n < max_parts)
			continue;
		/* The last part allowed: does everything left fit in it? */
		{
			struct msgsplit after = ms;
			struct msgsplit_part extra;
			if (!msgsplit_part(&after, &extra))
				return len;
		}
		ms = before;
		ms.max_chars = max_chars - notice_chars - 1;
		if (!msgsplit_part(&ms, &part))
			return len; /* only whitespace was left */
		memcpy(tail, part.tail, MSGSPLIT_MARKS);
		return part.off + part.len;
	}
}
