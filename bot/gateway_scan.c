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

#include <string.h>

#define SCAN_DEPTH_MAX 64
#define SCAN_INT_DIGITS_MAX 18 /* always fits an int64_t (and json_int_t) */

enum role { ROLE_OTHER, ROLE_TOP, ROLE_D };
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

static void skip_ws(struct scanner *sc)
{
	while (sc->p < sc->end &&
	       (*sc->p == ' ' || *sc->p == '\n' || *sc->p == '\r' || *sc->p == '\t'))
		sc->p++;
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

/* One well-formed UTF-8 sequence of two or more bytes at sc->p. */
static int scan_utf8(struct scanner *sc)
{
	const unsigned char *p = sc->p;
	size_t avail = (size_t)(sc->end - p), n;
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
		return -1;
	}
	if (avail < n || p[1] < lo || p[1] > hi)
		return -1;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
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

		while (sc->p < sc->end && plain(*sc->p))
			sc->p++;
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

	sc->p++;
	skip_ws(sc);
	if (sc->p < sc->end && *sc->p == '}') {
		sc->p++;
		return 0;
	}
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
		if (rc)
			return -1;
		skip_ws(sc);
		if (sc->p >= sc->end)
			return -1;
		if (*sc->p == '}') {
			sc->p++;
			return 0;
		}
		if (*sc->p != ',')
			return -1;
		sc->p++;
		skip_ws(sc);
	}
}

static int scan_array(struct scanner *sc)
{
	sc->p++;
	skip_ws(sc);
	if (sc->p < sc->end && *sc->p == ']') {
		sc->p++;
		return 0;
	}
	for (;;) {
		if (scan_value(sc, ROLE_OTHER) == KIND_FAIL)
			return -1;
		skip_ws(sc);
		if (sc->p >= sc->end)
			return -1;
		if (*sc->p == ']') {
			sc->p++;
			return 0;
		}
		if (*sc->p != ',')
			return -1;
		sc->p++;
		skip_ws(sc);
	}
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
