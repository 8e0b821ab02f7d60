/* Tokenizing for the recommendation index (see rec_text.h). */
#include "rec_text.h"

#include <stdlib.h>
#include <string.h>

#include <hallway/text.h>

/* Sorted for bsearch; folded forms (no accents). Short, common, and
 * never a topic on their own. */
static const char *const stop_words[] = {
	"a", "about", "after", "all", "also", "am", "an", "and", "any", "are", "as", "at",
	"au", "aux", "avec", "be", "been", "but", "by", "can", "ce", "ces", "cette", "comme",
	"comment", "d", "dans", "de", "des", "do", "does", "du", "en", "est", "et", "for",
	"from", "get", "has", "have", "how", "i", "if", "il", "in", "into", "is", "it", "its",
	"j", "l", "la", "le", "les", "leur", "m", "mais", "me", "more", "my", "n", "ne", "no",
	"not", "nous", "of", "on", "or", "ou", "our", "par", "pas", "plus", "pour",
	"qu", "que", "qui", "s", "sa", "se", "ses", "so", "son", "sur", "t", "than", "that",
	"the", "their", "them", "then", "there", "these", "they", "this", "to", "un", "une",
	"up", "us", "use", "using", "vous", "was", "we", "were", "what", "when", "where",
	"which", "who", "why", "will", "with", "you", "your",
};

static int cmp_word(const void *a, const void *b)
{
	return strcmp(a, *(const char *const *)b);
}

int rec_text_stop(const char *word)
{
	return bsearch(word, stop_words, sizeof(stop_words) / sizeof(*stop_words),
		       sizeof(*stop_words), cmp_word) != NULL;
}

static int ends(const char *w, size_t n, const char *suf, size_t *cut)
{
	size_t k = strlen(suf);
	if (n < k + 3 || memcmp(w + n - k, suf, k))
		return 0;
	*cut = n - k;
	return 1;
}

static int is_ascii_word(const char *w)
{
	for (; *w; w++)
		if ((unsigned char)*w >= 0x80)
			return 0;
	return 1;
}

void rec_text_stem(char *w)
{
	/* Longest first; one suffix is removed, then a final 'e', so
	 * "parse", "parser", "parsing" and "parses" all become "pars". */
	static const char *const suffixes[] = {"ations", "ation", "ings", "ing", "ers", "ies",
					       "ied", "ed", "er", "ly", "s", "x"};
	size_t n = strlen(w), cut;

	if (n < 4 || !is_ascii_word(w))
		return;
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(*suffixes); i++) {
		if (!ends(w, n, suffixes[i], &cut))
			continue;
		if (!strcmp(suffixes[i], "s") && (w[n - 2] == 's' || w[n - 2] == 'u' ||
						  w[n - 2] == 'i'))
			break; /* "class", "status", "analysis" */
		if (!strcmp(suffixes[i], "ies") || !strcmp(suffixes[i], "ied")) {
			w[cut] = 'y';
			cut++;
		}
		w[cut] = 0;
		n = cut;
		break;
	}
	if (n > 3 && w[n - 1] == 'e')
		w[n - 1] = 0;
}

int rec_text_terms(const char *text, rec_text_fn fn, void *ud)
{
	size_t len, cap;
	char *buf, *p, *end;
	int ret = 0;

	if (!text || !*text)
		return 0;
	len = strlen(text);
	if (len > REC_TEXT_MAX)
		len = REC_TEXT_MAX;
	/* Folding can grow text ("ß" -> "ss", "œ" -> "oe"): leave room. */
	cap = len * 2 + 1;
	buf = malloc(cap);
	if (!buf)
		return -1;
	{
		/* hw_fold_into reads a NUL-terminated string: cut a copy. */
		char *src = malloc(len + 1);
		if (!src) {
			free(buf);
			return -1;
		}
		memcpy(src, text, len);
		src[len] = 0;
		hw_fold_into(src, buf, cap);
		free(src);
	}
	for (p = buf; *p && !ret; p = end) {
		char word[REC_TERM_MAX + 1], term[REC_TERM_MAX + 1];
		size_t n;

		while (*p == ' ')
			p++;
		for (end = p; *end && *end != ' '; end++)
			;
		n = (size_t)(end - p);
		if (!n)
			break;
		if (n > REC_TERM_MAX) {
			n = REC_TERM_MAX;
			while (n && ((unsigned char)p[n] & 0xC0) == 0x80)
				n--;
		}
		memcpy(word, p, n);
		word[n] = 0;
		if (rec_text_stop(word))
			continue;
		memcpy(term, word, n + 1);
		rec_text_stem(term);
		ret = fn(term, word, ud);
	}
	free(buf);
	return ret;
}
