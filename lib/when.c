/*
 * Day and time words (include/hallway/when.h). One table for every
 * command: before it, the schedule read French weekdays and the announce
 * plugin did not, and neither read "noon" or "2pm".
 */
#include <hallway/when.h>

#include <ctype.h>
#include <string.h>

#include <hallway/text.h>

#define WORD_MAX 48

/* English, French and German; short forms only where they are no other
 * common word. */
static const char *const weekday_names[7][6] = {
	{"sunday", "sun", "dimanche", "dim", "sonntag", NULL},
	{"monday", "mon", "lundi", "lun", "montag", NULL},
	{"tuesday", "tue", "mardi", "tues", "dienstag", NULL},
	{"wednesday", "wed", "mercredi", "mer", "mittwoch", NULL},
	{"thursday", "thu", "jeudi", "thurs", "donnerstag", NULL},
	{"friday", "fri", "vendredi", "ven", "freitag", NULL},
	{"saturday", "sat", "samedi", "sam", "samstag", "sonnabend"},
};

/* Folds word into buf; returns buf (empty when it does not fit). */
static const char *fold_word(const char *word, char *buf, size_t len)
{
	if (!word || strlen(word) >= len / 2) {
		buf[0] = '\0';
		return buf;
	}
	hw_fold_into_ex(word, buf, len, HW_FOLD_DROP_SYMBOLS);
	return buf;
}

int hw_when_weekday(const char *word)
{
	char w[WORD_MAX * 2];
	fold_word(word, w, sizeof(w));
	if (!w[0])
		return -1;
	for (int d = 0; d < 7; d++)
		for (int k = 0; k < 6 && weekday_names[d][k]; k++)
			if (!strcmp(w, weekday_names[d][k]))
				return d;
	if (!strcmp(w, "thur"))
		return 4;
	return -1;
}

int hw_when_relative_day(const char *word)
{
	char w[WORD_MAX * 2];
	fold_word(word, w, sizeof(w));
	if (!strcmp(w, "today") || !strcmp(w, "aujourd hui") || !strcmp(w, "auj") ||
	    !strcmp(w, "heute"))
		return 0;
	if (!strcmp(w, "tomorrow") || !strcmp(w, "demain") || !strcmp(w, "tmrw") ||
	    !strcmp(w, "morgen"))
		return 1;
	if (!strcmp(w, "yesterday") || !strcmp(w, "hier") || !strcmp(w, "gestern"))
		return -1;
	return HW_WHEN_NOT_RELATIVE;
}

/* Reads 1-2 digits; returns the value or -1. */
static int digits2(const char **p)
{
	int v = 0, n = 0;
	while (isdigit((unsigned char)**p) && n < 2) {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n ? v : -1;
}

/* Exactly two digits. */
static int digits_exact2(const char **p)
{
	const char *s = *p;
	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
		return -1;
	*p = s + 2;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

int32_t hw_when_clock2(const char *word, const char *ampm)
{
	char w[WORD_MAX];
	const char *p;
	int h, m = 0, s = 0, pm = -1;
	size_t n;

	if (!word || (n = strlen(word)) == 0 || n >= sizeof(w))
		return -1;
	for (size_t i = 0; i <= n; i++)
		w[i] = (char)tolower((unsigned char)word[i]);
	if (!strcmp(w, "noon") || !strcmp(w, "midi") || !strcmp(w, "midday"))
		return ampm ? -1 : 12 * 3600;
	if (!strcmp(w, "midnight") || !strcmp(w, "minuit"))
		return ampm ? -1 : 0;
	p = w;
	if ((h = digits2(&p)) < 0)
		return -1;
	if (*p == ':' || *p == 'h' || *p == '.') {
		char sep = *p++;
		if (*p && isdigit((unsigned char)*p)) {
			if ((m = digits_exact2(&p)) < 0)
				return -1;
			if (sep == ':' && *p == ':') {
				p++;
				if ((s = digits_exact2(&p)) < 0)
					return -1;
			}
		} else if (sep != 'h') {
			return -1; /* "14:" */
		}
	} else if (!*p && !ampm) {
		return -1; /* a bare number is not a time ("2" could be a day) */
	}
	if (!strcmp(p, "am") || !strcmp(p, "a.m."))
		pm = 0;
	else if (!strcmp(p, "pm") || !strcmp(p, "p.m."))
		pm = 1;
	else if (*p)
		return -1;
	if (ampm) {
		if (pm >= 0)
			return -1;
		if (!strcasecmp(ampm, "am") || !strcasecmp(ampm, "a.m."))
			pm = 0;
		else if (!strcasecmp(ampm, "pm") || !strcasecmp(ampm, "p.m."))
			pm = 1;
		else
			return -1;
	}
	if (pm >= 0) {
		if (h < 1 || h > 12)
			return -1;
		h = h % 12 + (pm ? 12 : 0);
	}
	if (h > 23 || m > 59 || s > 59)
		return -1;
	return h * 3600 + m * 60 + s;
}

int32_t hw_when_clock(const char *word)
{
	return hw_when_clock2(word, NULL);
}

const char *hw_when_wday_abbr(int wday)
{
	static const char *const abbr[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	return wday >= 0 && wday < 7 ? abbr[wday] : "?";
}

const char *hw_when_month_abbr(int mon)
{
	static const char *const abbr[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	return mon >= 1 && mon <= 12 ? abbr[mon - 1] : "?";
}
