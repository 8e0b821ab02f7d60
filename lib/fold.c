/*
 * The shared fold (include/hallway/text.h). utf8proc does the Unicode
 * work: case folding, compatibility decomposition, mark stripping and
 * default-ignorable removal, one code point at a time (no allocation).
 * What utf8proc leaves alone and a reader expects folded is mapped here:
 * Latin letters that have no decomposition ("ł", "ø", "æ", "þ").
 */
#include <hallway/text.h>

#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#define FOLD_OPTIONS                                                                    \
	(UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | \
	 UTF8PROC_IGNORE)

/* Letters without a Unicode decomposition, after case folding. */
static const char *latin_extra(long cp)
{
	switch (cp) {
	case 0xE6: return "ae";  /* æ */
	case 0xF0: return "d";   /* ð */
	case 0xF8: return "o";   /* ø */
	case 0xFE: return "th";  /* þ */
	case 0x111: return "d";  /* đ */
	case 0x127: return "h";  /* ħ */
	case 0x131: return "i";  /* ı */
	case 0x138: return "k";  /* ĸ */
	case 0x142: return "l";  /* ł */
	case 0x14B: return "n";  /* ŋ */
	case 0x153: return "oe"; /* œ */
	case 0x167: return "t";  /* ŧ */
	default: return NULL;
	}
}

enum { K_BREAK, K_SKIP, K_LETTER, K_SYMBOL };

static int kind(long cp)
{
	switch (utf8proc_category((utf8proc_int32_t)cp)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
		return K_LETTER;
	case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
	case UTF8PROC_CATEGORY_CF:
		return K_SKIP;
	case UTF8PROC_CATEGORY_SO:
		/* Emoji and pictographs, but not the skin-tone modifiers. */
		return cp >= 0x1F3FB && cp <= 0x1F3FF ? K_SKIP : K_SYMBOL;
	default:
		return K_BREAK;
	}
}

struct out {
	char *buf;
	size_t len, o;
	int pending_break, full;
};

static void emit(struct out *w, const char *bytes, size_t n)
{
	if (w->full)
		return;
	if (w->pending_break && w->o) {
		if (w->o + 1 >= w->len) {
			w->full = 1;
			return;
		}
		w->buf[w->o++] = ' ';
	}
	w->pending_break = 0;
	if (w->o + n >= w->len) {
		w->full = 1;
		return;
	}
	memcpy(w->buf + w->o, bytes, n);
	w->o += n;
}

static void fold_cp(struct out *w, long cp, int flags)
{
	utf8proc_int32_t parts[16];
	int last = 0;
	utf8proc_ssize_t n;
	char tmp[4];

	if (cp < 0) {
		w->pending_break = 1;
		return;
	}
	if (cp < 0x80) { /* the common case, without a table walk */
		if (cp >= 'A' && cp <= 'Z')
			cp += 32;
		if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
			tmp[0] = (char)cp;
			emit(w, tmp, 1);
		} else {
			w->pending_break = 1;
		}
		return;
	}
	n = utf8proc_decompose_char((utf8proc_int32_t)cp, parts, 16, FOLD_OPTIONS, &last);
	if (n < 0 || n > 16) {
		w->pending_break = 1;
		return;
	}
	for (utf8proc_ssize_t i = 0; i < n; i++) {
		long c = parts[i];
		const char *extra = latin_extra(c);
		size_t len;
		switch (extra ? K_LETTER : kind(c)) {
		case K_SKIP:
			break;
		case K_LETTER:
			if (extra)
				emit(w, extra, strlen(extra));
			else if ((len = hw_utf8_put(tmp, c)))
				emit(w, tmp, len);
			break;
		case K_SYMBOL:
			w->pending_break = 1;
			if (!(flags & HW_FOLD_DROP_SYMBOLS) && (len = hw_utf8_put(tmp, c))) {
				emit(w, tmp, len);
				w->pending_break = 1;
			}
			break;
		default:
			w->pending_break = 1;
			break;
		}
	}
}

size_t hw_fold_into_ex(const char *s, char *buf, size_t len, int flags)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	struct out w = {buf, len, 0, 0, 0};

	if (!len)
		return 0;
	while (*p && !w.full)
		fold_cp(&w, hw_utf8_next(&p), flags);
	buf[w.o] = '\0';
	return w.o;
}

size_t hw_fold_into(const char *s, char *buf, size_t len)
{
	return hw_fold_into_ex(s, buf, len, 0);
}

char *hw_fold_ex(const char *s, int flags)
{
	/* Folding grows a character by at most a few times ("ﬃ" -> "ffi",
	 * "㎒" -> "mhz"): 4x plus separators is ample; the fold stops on a
	 * character boundary if it were not. */
	size_t len = (s ? strlen(s) : 0) * 4 + 2;
	char *buf = malloc(len);

	if (!buf)
		return NULL;
	hw_fold_into_ex(s, buf, len, flags);
	return buf;
}

char *hw_fold(const char *s)
{
	return hw_fold_ex(s, 0);
}

int hw_fold_has_word_prefix(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	const char *p = hay;
	if (!n)
		return 0;
	while ((p = strstr(p, needle))) {
		if (p == hay || p[-1] == ' ')
			return 1;
		p++;
	}
	return 0;
}
