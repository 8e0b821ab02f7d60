/*
 * The gateway pre-scan (see gateway_scan.h for the contract). A recursive
 * descent over the payload that never allocates and bails out to the full
 * parser on anything outside a conservative subset of JSON. Every check
 * here is at least as strict as jansson 2.14's json_loadb with
 * JSON_ALLOW_NUL: strict UTF-8 inside strings (no overlongs, surrogates or
 * code points above U+10FFFF), no control characters in strings, the eight
 * short escapes and \uXXXX, no leading zeros, whitespace limited to space,
 * tab, CR and LF, an object at the top and nothing but whitespace after it.
 */
#include "gateway_scan.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCAN_DEPTH_MAX 64
#define SCAN_INT_DIGITS_MAX 18 /* always fits an int64_t (and json_int_t) */

/* ROLE_SUB: an object member of d that the builder filters by its keep
 * list (the scan never sees it). */
enum role { ROLE_OTHER, ROLE_TOP, ROLE_D, ROLE_SUB };
enum kind { KIND_FAIL = -1, KIND_OTHER, KIND_STRING, KIND_INT, KIND_OBJECT };

struct scanner {
	const unsigned char *p, *end;
	int depth;
	struct gateway_scan *out;
	/* The last string or integer scanned (scan_value's result). */
	const unsigned char *str;
	size_t str_plain; /* bytes before the first escape */
	int str_escaped;
	int64_t num;
};

/* 1 for bytes that may appear as themselves in a string, ASCII only. */
static int plain(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Skips the plain bytes at p, eight at a time: in each word, the classic
 * "has a zero byte" test finds a quote or a backslash, "has a byte less
 * than 0x20" a control byte, and the high bits what is not ASCII. None of
 * them misses a byte, and the lowest byte they flag is always a true one
 * (a false flag only ever sits above a true one), so on a little-endian
 * machine the first byte that is not plain is found without a byte loop.
 * Returns it, or end. */
static const unsigned char *skip_plain(const unsigned char *p, const unsigned char *end)
{
	while (end - p >= 8) {
		uint64_t v, q, b, m;

		memcpy(&v, p, 8);
		q = v ^ (ONES * '"');
		b = v ^ (ONES * '\\');
		m = (((q - ONES) & ~q) | ((b - ONES) & ~b) | (v - ONES * 0x20) | v) & HIGHS;
		if (m) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			return p + (__builtin_ctzll(m) >> 3);
#else
			break;
#endif
		}
		p += 8;
	}
	while (p < end && plain(*p))
		p++;
	return p;
}

static void skip_ws(struct scanner *sc)
{
	while (sc->p < sc->end &&
	       (*sc->p == ' ' || *sc->p == '\n' || *sc->p == '\r' || *sc->p == '\t'))
		sc->p++;
}

/* At an object's '{' or an array's '[': steps in. Returns 1 when the
 * container is empty (its close already consumed), else 0. */
static int open_container(struct scanner *sc, char close)
{
	sc->p++;
	skip_ws(sc);
	if (sc->p < sc->end && *sc->p == close) {
		sc->p++;
		return 1;
	}
	return 0;
}

/* After a member or element: 1 = the container closed here, 0 = a ','
 * (consumed) and another one follows, -1 = malformed or cut short. */
static int after_member(struct scanner *sc, char close)
{
	skip_ws(sc);
	if (sc->p >= sc->end)
		return -1;
	if (*sc->p == close) {
		sc->p++;
		return 1;
	}
	if (*sc->p != ',')
		return -1;
	sc->p++;
	skip_ws(sc);
	return 0;
}

static int hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The length of the well-formed UTF-8 sequence of two or more bytes at p
 * (avail bytes readable), or 0 if there is none. */
static size_t utf8_len(const unsigned char *p, size_t avail)
{
	size_t n;
	unsigned char lo = 0x80, hi = 0xbf;

	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		if (p[0] == 0xe0)
			lo = 0xa0; /* overlong */
		else if (p[0] == 0xed)
			hi = 0x9f; /* UTF-16 surrogates */
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		if (p[0] == 0xf0)
			lo = 0x90; /* overlong */
		else if (p[0] == 0xf4)
			hi = 0x8f; /* above U+10FFFF */
	} else {
		return 0;
	}
	if (avail < n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

/* One well-formed UTF-8 sequence of two or more bytes at sc->p. */
static int scan_utf8(struct scanner *sc)
{
	size_t n = utf8_len(sc->p, (size_t)(sc->end - sc->p));

	if (!n)
		return -1;
	sc->p += n;
	return 0;
}

/* A string; sc->p is at the opening quote. Sets str, str_plain, str_escaped. */
static int scan_string(struct scanner *sc)
{
	const unsigned char *start = ++sc->p;

	sc->str = start;
	sc->str_escaped = 0;
	for (;;) {
		unsigned char c;

		sc->p = skip_plain(sc->p, sc->end);
		if (sc->p >= sc->end)
			return -1;
		c = *sc->p;
		if (c == '"') {
			if (!sc->str_escaped)
				sc->str_plain = (size_t)(sc->p - start);
			sc->p++;
			return 0;
		}
		if (c < 0x20)
			return -1;
		if (c >= 0x80) {
			if (scan_utf8(sc))
				return -1;
			continue;
		}
		/* A backslash escape. */
		if (!sc->str_escaped) {
			sc->str_escaped = 1;
			sc->str_plain = (size_t)(sc->p - start);
		}
		if (sc->end - sc->p < 2)
			return -1;
		c = sc->p[1];
		if (c == 'u') {
			unsigned v = 0;

			if (sc->end - sc->p < 6)
				return -1;
			for (int i = 2; i < 6; i++) {
				int h = hex(sc->p[i]);

				if (h < 0)
					return -1;
				v = v << 4 | (unsigned)h;
			}
			/* NUL cuts strings short; surrogates must pair up: leave
			 * both to the full parser. */
			if (v == 0 || (v >= 0xd800 && v <= 0xdfff))
				return -1;
			sc->p += 6;
		} else if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' ||
			   c == 'r' || c == 't') {
			sc->p += 2;
		} else {
			return -1;
		}
	}
}

/* An integer of at most 18 digits; anything else numeric falls back. */
static int scan_number(struct scanner *sc)
{
	int neg = 0, digits = 0;
	int64_t v = 0;

	if (*sc->p == '-') {
		neg = 1;
		sc->p++;
	}
	if (sc->p >= sc->end || *sc->p < '0' || *sc->p > '9')
		return -1;
	if (*sc->p == '0') {
		sc->p++;
		digits = 1;
	} else {
		while (sc->p < sc->end && *sc->p >= '0' && *sc->p <= '9') {
			if (++digits > SCAN_INT_DIGITS_MAX)
				return -1;
			v = v * 10 + (*sc->p++ - '0');
		}
	}
	if (sc->p < sc->end && ((*sc->p >= '0' && *sc->p <= '9') || *sc->p == '.' ||
				*sc->p == 'e' || *sc->p == 'E'))
		return -1; /* a leading zero, or a real */
	sc->num = neg ? -v : v;
	return 0;
}

static int scan_literal(struct scanner *sc, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(sc->end - sc->p) < n || memcmp(sc->p, word, n))
		return -1;
	sc->p += n;
	return 0;
}

static enum kind scan_value(struct scanner *sc, enum role role);

static int key_is(const struct scanner *sc, const char *name)
{
	size_t n = strlen(name);

	return sc->str_plain == n && !memcmp(sc->str, name, n);
}

/* The value of one member of the top-level object or of d. */
static int top_member(struct scanner *sc, unsigned *seen)
{
	struct gateway_scan *out = sc->out;
	enum kind k;
	unsigned bit;
	enum role role = ROLE_OTHER;

	if (key_is(sc, "op"))
		bit = 1;
	else if (key_is(sc, "s"))
		bit = 2;
	else if (key_is(sc, "t"))
		bit = 4;
	else if (key_is(sc, "d"))
		bit = 8, role = ROLE_D;
	else
		return scan_value(sc, ROLE_OTHER) == KIND_FAIL ? -1 : 0;
	if (*seen & bit)
		return -1; /* duplicate: jansson keeps the last one */
	*seen |= bit;
	k = scan_value(sc, role);
	if (k == KIND_FAIL)
		return -1;
	switch (bit) {
	case 1:
		if (k != KIND_INT)
			return -1;
		out->op = sc->num;
		break;
	case 2:
		out->has_s = k == KIND_INT;
		out->s = sc->num;
		break;
	case 4:
		if (k == KIND_STRING && !sc->str_escaped && sc->str_plain < sizeof(out->t)) {
			memcpy(out->t, sc->str, sc->str_plain);
			out->t[sc->str_plain] = '\0';
			out->has_t = 1;
		}
		break;
	default:
		out->has_d = 1;
		break;
	}
	return 0;
}

static int d_member(struct scanner *sc, unsigned *seen)
{
	struct gateway_scan *out = sc->out;
	enum kind k;

	if (!key_is(sc, "content"))
		return scan_value(sc, ROLE_OTHER) == KIND_FAIL ? -1 : 0;
	if (*seen & 1)
		return -1;
	*seen |= 1;
	k = scan_value(sc, ROLE_OTHER);
	if (k == KIND_FAIL)
		return -1;
	if (k == KIND_STRING) {
		out->has_content = 1;
		out->content = (const char *)sc->str;
		out->content_len = sc->str_plain;
		out->content_whole = !sc->str_escaped;
	}
	return 0;
}

/* An object; sc->p is at '{'. */
static int scan_object(struct scanner *sc, enum role role)
{
	unsigned seen = 0;

	if (open_container(sc, '}'))
		return 0;
	for (;;) {
		int rc;

		if (sc->p >= sc->end || *sc->p != '"' || scan_string(sc))
			return -1;
		/* An escaped key might spell one we read. */
		if (role != ROLE_OTHER && sc->str_escaped)
			return -1;
		skip_ws(sc);
		if (sc->p >= sc->end || *sc->p != ':')
			return -1;
		sc->p++;
		skip_ws(sc);
		if (role == ROLE_TOP)
			rc = top_member(sc, &seen);
		else if (role == ROLE_D)
			rc = d_member(sc, &seen);
		else
			rc = scan_value(sc, ROLE_OTHER) == KIND_FAIL ? -1 : 0;
		if (rc || (rc = after_member(sc, '}')) < 0)
			return -1;
		if (rc)
			return 0;
	}
}

static int scan_array(struct scanner *sc)
{
	int rc = 0;

	if (open_container(sc, ']'))
		return 0;
	while (!rc)
		if (scan_value(sc, ROLE_OTHER) == KIND_FAIL || (rc = after_member(sc, ']')) < 0)
			return -1;
	return 0;
}

/* One value at sc->p (whitespace already skipped). role applies if it is an object. */
static enum kind scan_value(struct scanner *sc, enum role role)
{
	enum kind k = KIND_OTHER;
	int rc;

	if (sc->p >= sc->end)
		return KIND_FAIL;
	switch (*sc->p) {
	case '{':
	case '[':
		if (++sc->depth > SCAN_DEPTH_MAX)
			return KIND_FAIL;
		if (*sc->p == '{') {
			rc = scan_object(sc, role);
			k = KIND_OBJECT;
		} else {
			rc = scan_array(sc);
		}
		sc->depth--;
		break;
	case '"':
		rc = scan_string(sc);
		k = KIND_STRING;
		break;
	case 't':
		rc = scan_literal(sc, "true");
		break;
	case 'f':
		rc = scan_literal(sc, "false");
		break;
	case 'n':
		rc = scan_literal(sc, "null");
		break;
	default:
		rc = scan_number(sc);
		k = KIND_INT;
		break;
	}
	return rc ? KIND_FAIL : k;
}

int gateway_scan(const char *text, size_t len, struct gateway_scan *out)
{
	struct scanner sc;

	if (!text || !out)
		return GATEWAY_SCAN_FALLBACK;
	memset(out, 0, sizeof(*out));
	memset(&sc, 0, sizeof(sc));
	sc.p = (const unsigned char *)text;
	sc.end = sc.p + len;
	sc.out = out;
	out->op = -1;
	skip_ws(&sc);
	if (sc.p >= sc.end || *sc.p != '{')
		return GATEWAY_SCAN_FALLBACK;
	sc.depth = 1;
	if (scan_object(&sc, ROLE_TOP))
		return GATEWAY_SCAN_FALLBACK;
	skip_ws(&sc);
	if (sc.p != sc.end || out->op < 0)
		return GATEWAY_SCAN_FALLBACK;
	return GATEWAY_SCAN_OK;
}

/* ---- salvage: payloads jansson refuses ---- */

/* Where the output of repair() goes: counted only when buf is NULL. */
struct fixbuf {
	unsigned char *buf;
	size_t len;
};

static void put(struct fixbuf *f, const void *src, size_t n)
{
	if (f->buf)
		memcpy(f->buf + f->len, src, n);
	f->len += n;
}

/* A \uXXXX escape at p (avail bytes): its value, or -1. */
static long escape_u(const unsigned char *p, size_t avail)
{
	long v = 0;

	if (avail < 6 || p[0] != '\\' || p[1] != 'u')
		return -1;
	for (int i = 2; i < 6; i++) {
		int h = hex(p[i]);

		if (h < 0)
			return -1;
		v = v << 4 | h;
	}
	return v;
}

/* 1 if the number token p[0..n) (JSON syntax assumed, not checked) is
 * one jansson refuses for its size: an integer outside int64_t, or a real
 * that overflows a double. */
static int number_overflows(const unsigned char *p, size_t n)
{
	static const char max[] = "9223372036854775807";
	const unsigned char *d = p, *end = p + n;
	char buf[400], *stop;
	size_t digits;
	int neg = 0;
	double v;

	if (d < end && *d == '-') {
		neg = 1;
		d++;
	}
	if (!memchr(p, '.', n) && !memchr(p, 'e', n) && !memchr(p, 'E', n)) {
		while (d < end - 1 && *d == '0')
			d++;
		digits = (size_t)(end - d);
		if (digits != sizeof(max) - 1)
			return digits > sizeof(max) - 1;
		/* 19 digits: above INT64_MAX, only INT64_MIN still fits. */
		if (memcmp(d, max, digits) <= 0)
			return 0;
		return !neg || memcmp(d, "9223372036854775808", digits);
	}
	if (n >= sizeof(buf))
		return 1; /* hundreds of digits: not a number anyone sends */
	memcpy(buf, p, n);
	buf[n] = '\0';
	v = strtod(buf, &stop);
	return v == HUGE_VAL || v == -HUGE_VAL;
}

/* The repair pass: writes (or counts, f->buf NULL) the repaired text.
 * Returns the number of repairs made. */
static size_t repair(const unsigned char *p, size_t len, struct fixbuf *f)
{
	static const char fffd_esc[] = "\\uFFFD", fffd[] = "\xef\xbf\xbd";
	const unsigned char *end = p + len;
	size_t fixes = 0;
	int in_string = 0;

	while (p < end) {
		unsigned char c = *p;
		size_t n;

		if (!in_string) {
			if (c == '-' || (c >= '0' && c <= '9')) {
				const unsigned char *q = p + 1;

				while (q < end && ((*q >= '0' && *q <= '9') || *q == '.' || *q == 'e' ||
						   *q == 'E' || *q == '+' || *q == '-'))
					q++;
				n = (size_t)(q - p);
				if (number_overflows(p, n)) {
					/* Discord's nonce is "integer or string": a
					 * string loses nothing. */
					put(f, "\"", 1);
					put(f, p, n);
					put(f, "\"", 1);
					fixes++;
				} else {
					put(f, p, n);
				}
				p = q;
				continue;
			}
			in_string = c == '"';
			put(f, p++, 1);
			continue;
		}
		if (c == '"') {
			in_string = 0;
			put(f, p++, 1);
		} else if (c == '\\') {
			long v = escape_u(p, (size_t)(end - p)), lo;

			if (v >= 0xd800 && v <= 0xdbff && (lo = escape_u(p + 6, (size_t)(end - p - 6))) >= 0xdc00 &&
			    lo <= 0xdfff) {
				put(f, p, 12); /* a surrogate pair */
				p += 12;
			} else if (v >= 0xd800 && v <= 0xdfff) {
				put(f, fffd_esc, 6); /* a lone surrogate */
				p += 6;
				fixes++;
			} else if (v >= 0) {
				put(f, p, 6);
				p += 6;
			} else if (end - p >= 2 && p[1] && strchr("\"\\/bfnrt", p[1])) {
				put(f, p, 2);
				p += 2;
			} else {
				put(f, "\\\\", 2); /* a stray backslash is one */
				p++;
				fixes++;
			}
		} else if (c < 0x20) {
			char esc[7];

			snprintf(esc, sizeof(esc), "\\u%04x", c);
			put(f, esc, 6);
			p++;
			fixes++;
		} else if (c < 0x80) {
			put(f, p++, 1);
		} else if ((n = utf8_len(p, (size_t)(end - p)))) {
			put(f, p, n);
			p += n;
		} else {
			put(f, fffd, 3); /* not UTF-8: one byte becomes U+FFFD */
			p++;
			fixes++;
		}
	}
	return fixes;
}

char *gateway_scan_repair(const char *text, size_t len, size_t *out_len)
{
	struct fixbuf f = {NULL, 0};
	char *buf;

	if (!text || !out_len || !repair((const unsigned char *)text, len, &f))
		return NULL;
	if (!(buf = malloc(f.len + 1)))
		return NULL;
	f.buf = (unsigned char *)buf;
	f.len = 0;
	repair((const unsigned char *)text, len, &f);
	buf[f.len] = '\0';
	*out_len = f.len;
	return buf;
}

/* A non-negative integer of at most 18 digits at *pp, ended by something
 * that cannot continue a number. Advances *pp past what it read. */
static int lenient_int(const unsigned char **pp, const unsigned char *end, int64_t *out)
{
	const unsigned char *p = *pp;
	int64_t v = 0;
	int digits = 0;

	while (p < end && *p >= '0' && *p <= '9') {
		if (++digits > SCAN_INT_DIGITS_MAX) {
			*pp = p;
			return -1;
		}
		v = v * 10 + (*p++ - '0');
	}
	*pp = p;
	if (!digits || (p < end && (*p == '.' || *p == 'e' || *p == 'E')))
		return -1;
	*out = v;
	return 0;
}

int gateway_scan_seq(const char *text, size_t len, int64_t *op, int64_t *seq)
{
	const unsigned char *p = (const unsigned char *)text, *end = p + len;
	int64_t o = -1, s = -1;
	int depth = 0, want_key = 0;

	while (p && p < end) {
		unsigned char c = *p;

		if (c == '"') {
			const unsigned char *key = ++p;
			size_t klen;

			while (p < end && *p != '"')
				p += *p == '\\' && end - p > 1 ? 2 : 1;
			if (p >= end)
				break;
			klen = (size_t)(p - key);
			p++;
			if (depth != 1 || !want_key)
				continue;
			want_key = 0;
			while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
				p++;
			if (p >= end || *p != ':')
				continue;
			p++;
			while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
				p++;
			if (klen == 1 && key[0] == 's') {
				if (lenient_int(&p, end, &s))
					s = -1;
			} else if (klen == 2 && !memcmp(key, "op", 2)) {
				if (lenient_int(&p, end, &o))
					o = -1;
			}
			continue;
		}
		if (c == '{' || c == '[') {
			depth++;
			want_key = c == '{' && depth == 1;
		} else if (c == '}' || c == ']') {
			if (--depth <= 0)
				break;
		} else if (c == ',' && depth == 1) {
			want_key = 1;
		}
		p++;
	}
	if (op)
		*op = o;
	if (s < 0)
		return GATEWAY_SCAN_FALLBACK;
	if (seq)
		*seq = s;
	return GATEWAY_SCAN_OK;
}

/* ---- the fast loader: a jansson tree without json_loadb's lexer ---- */

struct builder {
	struct scanner sc;
	const char *const *drop; /* members of the top-level d not to build */
	const char *const *keep; /* dotted paths in d to build, or NULL: all */
	const char *parent;      /* the member of d being built under ROLE_SUB */
	size_t parent_len;
};

/* How much of a member b->keep asks for. */
enum keep { KEEP_NONE, KEEP_ALL, KEEP_SOME };

static json_t *build_value(struct builder *b, enum role role);

/* The name in b->drop that k (klen bytes) is, or NULL. */
static const char *dropped(const struct builder *b, const char *k, size_t klen)
{
	for (const char *const *d = b->drop; d && *d; d++)
		if (strlen(*d) == klen && !memcmp(*d, k, klen))
			return *d;
	return NULL;
}

/* How much b->keep asks for of member k (klen bytes) of d or, when sub,
 * of d.<b->parent>: all of it ("author"), some ("author.id"), none. */
static enum keep kept(const struct builder *b, int sub, const char *k, size_t klen)
{
	int some = 0;

	/* Byte loops, not strlen/strncmp: most entries differ at their first
	 * byte, and a key never holds a NUL (the scan refuses \u0000). */
	for (const char *const *e = b->keep; *e; e++) {
		const char *p = *e;
		size_t i;

		if (sub) {
			for (i = 0; i < b->parent_len && p[i] == b->parent[i]; i++)
				;
			if (i < b->parent_len || p[i] != '.')
				continue;
			p += i + 1;
		}
		for (i = 0; i < klen && p[i] == k[i]; i++)
			;
		if (i < klen)
			continue;
		if (p[klen] == '\0')
			return KEEP_ALL;
		some |= p[klen] == '.';
	}
	return some ? KEEP_SOME : KEEP_NONE;
}

/* The string just scanned (sc->str ... sc->p - 1) decoded into a jansson
 * string or, for a key, into *key / *key_len (key_buf holds it when it had
 * escapes). The scan already checked every escape and UTF-8 sequence, and
 * refused \u0000 and surrogates, so decoding cannot fail here. */
static size_t decode_string(const struct scanner *sc, char *dst)
{
	const unsigned char *p = sc->str, *end = sc->p - 1; /* the closing quote */
	size_t n = 0;

	while (p < end) {
		if (*p != '\\') {
			dst[n++] = (char)*p++;
			continue;
		}
		switch (p[1]) {
		case 'b':
			dst[n++] = '\b';
			break;
		case 'f':
			dst[n++] = '\f';
			break;
		case 'n':
			dst[n++] = '\n';
			break;
		case 'r':
			dst[n++] = '\r';
			break;
		case 't':
			dst[n++] = '\t';
			break;
		case 'u': {
			unsigned v = 0;

			for (int i = 2; i < 6; i++)
				v = v << 4 | (unsigned)hex(p[i]);
			if (v < 0x80) {
				dst[n++] = (char)v;
			} else if (v < 0x800) {
				dst[n++] = (char)(0xc0 | v >> 6);
				dst[n++] = (char)(0x80 | (v & 0x3f));
			} else {
				dst[n++] = (char)(0xe0 | v >> 12);
				dst[n++] = (char)(0x80 | ((v >> 6) & 0x3f));
				dst[n++] = (char)(0x80 | (v & 0x3f));
			}
			p += 6;
			continue;
		}
		default: /* " \ / */
			dst[n++] = (char)p[1];
			break;
		}
		p += 2;
	}
	return n;
}

/* A string value at sc->p. */
static json_t *build_string(struct builder *b)
{
	struct scanner *sc = &b->sc;
	char small[256], *buf;
	size_t len;
	json_t *s;

	if (scan_string(sc))
		return NULL;
	if (!sc->str_escaped)
		return json_stringn_nocheck((const char *)sc->str, sc->str_plain);
	/* Decoded, a string is never longer than its escaped text. */
	len = (size_t)(sc->p - 1 - sc->str);
	buf = len <= sizeof(small) ? small : malloc(len);
	if (!buf)
		return NULL;
	len = decode_string(sc, buf);
	s = json_stringn_nocheck(buf, len);
	if (buf != small)
		free(buf);
	return s;
}

static json_t *build_object(struct builder *b, enum role role)
{
	struct scanner *sc = &b->sc;
	json_t *obj = json_object();

	if (!obj)
		return NULL;
	if (open_container(sc, '}'))
		return obj;
	for (;;) {
		char small[256], *key = small;
		const char *k, *drop;
		size_t klen;
		enum role child;
		json_t *v;

		if (sc->p >= sc->end || *sc->p != '"' || scan_string(sc))
			goto fail;
		if (!sc->str_escaped) {
			k = (const char *)sc->str;
			klen = sc->str_plain;
		} else {
			klen = (size_t)(sc->p - 1 - sc->str);
			if (klen > sizeof(small) && !(key = malloc(klen)))
				goto fail;
			klen = decode_string(sc, key);
			k = key;
		}
		skip_ws(sc);
		if (sc->p >= sc->end || *sc->p != ':') {
			if (key != small)
				free(key);
			goto fail;
		}
		sc->p++;
		skip_ws(sc);
		if (role == ROLE_D && (drop = dropped(b, k, klen))) {
			/* Checked, not built; an earlier one of the same name goes too. */
			json_object_del(obj, drop);
			if (key != small)
				free(key);
			if (scan_value(sc, ROLE_OTHER) == KIND_FAIL)
				goto fail;
			goto next;
		}
		child = role == ROLE_TOP && klen == 1 && k[0] == 'd' ? ROLE_D : ROLE_OTHER;
		if ((role == ROLE_D && b->keep) || role == ROLE_SUB) {
			enum keep want = kept(b, role == ROLE_SUB, k, klen);

			if (want == KEEP_NONE) {
				/* Checked, not built (no earlier one was built either). */
				if (key != small)
					free(key);
				if (scan_value(sc, ROLE_OTHER) == KIND_FAIL)
					goto fail;
				goto next;
			}
			if (want == KEEP_SOME && role == ROLE_D && sc->p < sc->end && *sc->p == '{') {
				/* k stays valid while its value is built. */
				b->parent = k;
				b->parent_len = klen;
				child = ROLE_SUB;
			}
		}
		/* Duplicate keys: the last one wins, as in json_loadb. */
		v = build_value(b, child);
		if (!v || json_object_setn_new_nocheck(obj, k, klen, v)) {
			if (key != small)
				free(key);
			goto fail;
		}
		if (key != small)
			free(key);
next:
		switch (after_member(sc, '}')) {
		case 1:
			return obj;
		case 0:
			break;
		default:
			goto fail;
		}
	}
fail:
	json_decref(obj);
	return NULL;
}

static json_t *build_array(struct builder *b)
{
	struct scanner *sc = &b->sc;
	json_t *arr = json_array();

	if (!arr)
		return NULL;
	if (open_container(sc, ']'))
		return arr;
	for (;;) {
		json_t *v = build_value(b, ROLE_OTHER);
		int rc;

		if (!v || json_array_append_new(arr, v) || (rc = after_member(sc, ']')) < 0)
			goto fail;
		if (rc)
			return arr;
	}
fail:
	json_decref(arr);
	return NULL;
}

static json_t *build_value(struct builder *b, enum role role)
{
	struct scanner *sc = &b->sc;
	json_t *v;

	if (sc->p >= sc->end)
		return NULL;
	switch (*sc->p) {
	case '{':
	case '[':
		if (++sc->depth > SCAN_DEPTH_MAX)
			return NULL;
		v = *sc->p == '{' ? build_object(b, role) : build_array(b);
		sc->depth--;
		return v;
	case '"':
		return build_string(b);
	case 't':
		return scan_literal(sc, "true") ? NULL : json_true();
	case 'f':
		return scan_literal(sc, "false") ? NULL : json_false();
	case 'n':
		return scan_literal(sc, "null") ? NULL : json_null();
	default:
		return scan_number(sc) ? NULL : json_integer((json_int_t)sc->num);
	}
}

/* The fast path: a tree, or NULL when unsure. top: the top level must be an
 * object (a gateway payload); else any value. */
static json_t *fast_load(const char *text, size_t len, int top, const char *const *drop,
			 const char *const *keep)
{
	struct builder b;
	json_t *root = NULL;

	memset(&b, 0, sizeof(b));
	b.sc.p = (const unsigned char *)text;
	b.sc.end = b.sc.p + len;
	b.drop = drop;
	b.keep = keep;
	skip_ws(&b.sc);
	if (b.sc.p < b.sc.end && (!top || *b.sc.p == '{'))
		root = build_value(&b, top ? ROLE_TOP : ROLE_OTHER);
	if (root) {
		skip_ws(&b.sc);
		if (b.sc.p == b.sc.end)
			return root;
		json_decref(root);
	}
	return NULL;
}

json_t *json_fast_loadb(const char *text, size_t len, size_t flags, json_error_t *err)
{
	json_t *root;

	/* Only the flags the subset means the same under; anything else, and
	 * whatever the subset is unsure of, is json_loadb's. */
	if (text && !(flags & ~(size_t)(JSON_ALLOW_NUL | JSON_DECODE_ANY)) &&
	    (root = fast_load(text, len, !(flags & JSON_DECODE_ANY), NULL, NULL)))
		return root;
	return json_loadb(text, len, flags, err);
}

json_t *gateway_scan_load_lean(const char *text, size_t len, const char *const *drop)
{
	return text ? fast_load(text, len, 1, drop, NULL) : NULL;
}

json_t *gateway_scan_load_kept(const char *text, size_t len, const char *const *keep)
{
	return text && keep ? fast_load(text, len, 1, NULL, keep) : NULL;
}
