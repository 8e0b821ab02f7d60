/*
 * Day and time words (include/hallway/when.h). One table for every
 * command: before it, the schedule read French weekdays and the announce
 * plugin did not, and neither read "noon" or "2pm".
 */
#include <hallway/when.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <hallway/civil.h>
#include <hallway/text.h>
#include <hallway/tz.h>

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

/* ---- whole phrases ---- */

#define PHRASE_WORDS 8

static const char *const month_names[12][6] = {
	{"january", "jan", "janvier", "janv", "januar", NULL},
	{"february", "feb", "fevrier", "fevr", "februar", NULL},
	{"march", "mar", "mars", "marz", "mrz", NULL},
	{"april", "apr", "avril", "avr", NULL, NULL},
	{"may", "mai", NULL, NULL, NULL, NULL},
	{"june", "jun", "juin", "juni", NULL, NULL},
	{"july", "jul", "juillet", "juil", "juli", NULL},
	{"august", "aug", "aout", NULL, NULL, NULL},
	{"september", "sep", "sept", "septembre", NULL, NULL},
	{"october", "oct", "octobre", "oktober", "okt", NULL},
	{"november", "nov", "novembre", NULL, NULL, NULL},
	{"december", "dec", "decembre", "dezember", "dez", NULL},
};

int hw_when_month(const char *word)
{
	char w[WORD_MAX * 2];
	fold_word(word, w, sizeof(w));
	if (!w[0])
		return -1;
	for (int m = 0; m < 12; m++)
		for (int k = 0; k < 6 && month_names[m][k]; k++)
			if (!strcmp(w, month_names[m][k]))
				return m + 1;
	return -1;
}

const char *hw_when_forms(void)
{
	return "`14:30`, `2pm`, `noon`, `tomorrow 09:00`, `friday 10:00`, `the 28th`, "
	       "`28 nov 14:00`, `2026-11-28 14:30` or `in 20 min`";
}

static int64_t day_floor(int64_t t)
{
	return t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
}

static int64_t to_local(const struct hw_tz *tz, int64_t utc)
{
	return tz ? hw_tz_to_local(tz, utc) : utc;
}

static int64_t to_utc(const struct hw_tz *tz, int64_t local)
{
	return tz ? hw_tz_to_utc(tz, local) : local;
}

void hw_when_fmt(const struct hw_tz *tz, int64_t t, char *buf, size_t len)
{
	struct hw_civil c;
	hw_civil_split(to_local(tz, t), &c);
	snprintf(buf, len, "%s %d %s %02d:%02d", hw_when_wday_abbr(c.wday), c.day,
		 hw_when_month_abbr(c.mon), c.hour, c.min);
}

struct words {
	char w[PHRASE_WORDS][WORD_MAX]; /* lowercased ASCII, "" when too long */
	const char *end[PHRASE_WORDS];
	size_t n;
};

static void read_words(const char *text, struct words *ws)
{
	const char *p = text;

	ws->n = 0;
	while (ws->n < PHRASE_WORDS) {
		size_t k = 0;
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p)
			break;
		while (p[k] && p[k] != ' ' && p[k] != '\t' && p[k] != '\n' && p[k] != '\r')
			k++;
		ws->w[ws->n][0] = 0;
		if (k < WORD_MAX) {
			for (size_t i = 0; i < k; i++)
				ws->w[ws->n][i] = (char)tolower((unsigned char)p[i]);
			ws->w[ws->n][k] = 0;
			if (k > 1 && ws->w[ws->n][k - 1] == ',')
				ws->w[ws->n][k - 1] = 0;
		}
		p += k;
		ws->end[ws->n++] = p;
	}
}

static const char *word(const struct words *ws, size_t i)
{
	return i < ws->n ? ws->w[i] : NULL;
}

static int is(const char *w, const char *a, const char *b, const char *c)
{
	return w && (!strcmp(w, a) || (b && !strcmp(w, b)) || (c && !strcmp(w, c)));
}

/* "28", "28th", "1st", "1er", "28." as a day of the month (1..31), with
 * *suffix set when it carried an ordinal mark. -1 otherwise. */
static int mday_word(const char *w, int *suffix)
{
	const char *p = w;
	int d;

	*suffix = 0;
	if (!w || (d = digits2(&p)) < 1 || d > 31)
		return -1;
	if (!*p)
		return d;
	*suffix = 1;
	if (!strcmp(p, "st") || !strcmp(p, "nd") || !strcmp(p, "rd") || !strcmp(p, "th") ||
	    !strcmp(p, "er") || !strcmp(p, "e") || !strcmp(p, "."))
		return d;
	return -1;
}

/* The date (days since the epoch) nearest to today among the candidate
 * years (month given) or months (month 0); ties go to the future.
 * -1 when no candidate has that day. */
static int64_t nearest_date(int64_t today, int year, int mon, int mday)
{
	struct hw_civil c;
	int64_t best = -1, best_dist = 0;

	hw_civil_split(today * 86400, &c);
	for (int k = -1; k <= 1; k++) {
		int y = year ? year : (mon ? c.year + k : c.year), m = mon;
		int64_t d, dist;
		if (year && k)
			continue;
		if (!mon) {
			m = c.mon + k;
			if (m < 1) {
				m = 12;
				y--;
			} else if (m > 12) {
				m = 1;
				y++;
			}
		}
		if (mday > hw_civil_mdays(y, m))
			continue;
		d = hw_civil_days(y, m, mday);
		dist = d >= today ? d - today : today - d;
		if (best < 0 || dist < best_dist || (dist == best_dist && d > best)) {
			best = d;
			best_dist = dist;
		}
	}
	return best;
}

struct reading {
	int result;
	int64_t day;
	int wday;
	int has_off;
	int32_t off;
	int32_t secs; /* from an ISO date-time word */
};

/* "28/11", "11/28", "28/11/2026": one reading or a refusal. */
static int slash_date(const char *w, int64_t today, struct reading *r, char *why, size_t len)
{
	int a, b, y = 0, dm, md;
	const char *p = w;

	if ((a = digits2(&p)) < 1 || *p++ != '/' || (b = digits2(&p)) < 1)
		return 0;
	if (*p == '/') {
		p++;
		for (int i = 0; i < 4; i++, p++) {
			if (!isdigit((unsigned char)*p))
				return 0;
			y = y * 10 + (*p - '0');
		}
	}
	if (*p)
		return 0;
	dm = b <= 12 && nearest_date(today, y, b, a) >= 0;
	md = a <= 12 && nearest_date(today, y, a, b) >= 0;
	if (dm && md && a != b) {
		snprintf(why, len, "\"%s\" could be %d %s or %s %d: write `%d %s` or `%s %d`.", w, a,
			 hw_when_month_abbr(b), hw_when_month_abbr(a), b, a, hw_when_month_abbr(b),
			 hw_when_month_abbr(a), b);
		r->result = HW_WHEN_AMBIGUOUS;
		return 1;
	}
	if (!dm && !md) {
		snprintf(why, len, "\"%s\" is not a date. Try %s.", w, hw_when_forms());
		r->result = HW_WHEN_INVALID;
		return 1;
	}
	r->day = dm ? nearest_date(today, y, b, a) : nearest_date(today, y, a, b);
	r->result = HW_WHEN_OK;
	return 1;
}

/* Refuses a day of the month that does not exist; returns 0 (no words). */
static size_t no_such_day(struct reading *r, int mday, int mon, char *why, size_t len)
{
	if (mon)
		snprintf(why, len, "There is no %d %s.", mday, hw_when_month_abbr(mon));
	else
		snprintf(why, len, "There is no %d this month or next.", mday);
	r->result = HW_WHEN_INVALID;
	return 0;
}

/* A day at word i; returns the words it took (0: none; then r->result
 * may say why it was refused). */
static size_t day_at(const struct words *ws, size_t i, int64_t today, struct reading *r,
		     char *why, size_t len)
{
	const char *w = word(ws, i), *n1 = word(ws, i + 1);
	int64_t local;
	int date_only = 0, v, suffix, mon;
	size_t art = 0;

	r->result = HW_WHEN_OK;
	r->wday = -1;
	r->secs = -1;
	r->has_off = 0;
	if (!w || !*w)
		return 0;
	if ((v = hw_when_relative_day(w)) != HW_WHEN_NOT_RELATIVE) {
		r->day = today + v;
		return 1;
	}
	if ((v = hw_when_weekday(w)) >= 0) {
		struct hw_civil c;
		hw_civil_split(today * 86400, &c);
		r->day = today + (v - c.wday + 7) % 7;
		r->wday = v;
		return 1;
	}
	if (strlen(w) >= 10 && isdigit((unsigned char)w[0]) && w[4] == '-' &&
	    !hw_civil_parse(w, &local, &r->has_off, &r->off, &date_only)) {
		r->day = day_floor(local);
		if (!date_only)
			r->secs = (int32_t)(local - r->day * 86400);
		return 1;
	}
	if (slash_date(w, today, r, why, len))
		return r->result == HW_WHEN_OK;
	/* A month, then a day: "nov 28", "november 28th". */
	if ((mon = hw_when_month(w)) > 0 && (v = mday_word(n1, &suffix)) > 0) {
		if ((r->day = nearest_date(today, 0, mon, v)) < 0)
			return no_such_day(r, v, mon, why, len);
		return 2;
	}
	/* An article: "the 28th", "le 28". */
	if (is(w, "the", "le", "den") || is(w, "am", NULL, NULL)) {
		art = 1;
		w = n1;
		n1 = word(ws, i + 2);
	}
	if ((v = mday_word(w, &suffix)) > 0) {
		if ((mon = n1 ? hw_when_month(n1) : -1) > 0) {
			/* "28 nov", "28. November", "1er mai". */
			if ((r->day = nearest_date(today, 0, mon, v)) < 0)
				return no_such_day(r, v, mon, why, len);
			return art + 2;
		}
		if (suffix || art) {
			if ((r->day = nearest_date(today, 0, 0, v)) < 0)
				return no_such_day(r, v, 0, why, len);
			return art + 1;
		}
	}
	return 0;
}

/* A time at word i: seconds after midnight and the words taken (0: none). */
static size_t time_at(const struct words *ws, size_t i, int32_t *secs)
{
	const char *w = word(ws, i), *n1 = word(ws, i + 1);

	if (!w || !*w)
		return 0;
	if (n1 && (*secs = hw_when_clock2(w, n1)) >= 0)
		return 2;
	if ((*secs = hw_when_clock(w)) >= 0)
		return 1;
	return 0;
}

/* Seconds in one unit word, or 0. */
static int64_t unit_secs(const char *u)
{
	static const char *const mins[] = {"m", "min", "mins", "minute", "minutes", "minuten",
					   "mn", NULL};
	static const char *const hours[] = {"h", "hr", "hrs", "hour", "hours", "heure", "heures",
					    "stunde", "stunden", "std", NULL};
	for (size_t k = 0; mins[k]; k++)
		if (!strcmp(u, mins[k]))
			return 60;
	for (size_t k = 0; hours[k]; k++)
		if (!strcmp(u, hours[k]))
			return 3600;
	return 0;
}

/* "20 min", "2 hours 30 min", "1h30", "90min", "2h": the delay and the
 * words taken from word i (0: none). */
static size_t delay_at(const struct words *ws, size_t i, int64_t *delay)
{
	size_t k = i, good = i;

	*delay = 0;
	while (k < ws->n) {
		const char *p = ws->w[k];
		int64_t v = 0, u;
		int nd = 0;
		while (isdigit((unsigned char)*p) && nd < 5) {
			v = v * 10 + (*p++ - '0');
			nd++;
		}
		if (!nd)
			break;
		if (*p == 'h' && isdigit((unsigned char)p[1])) { /* "1h30" */
			const char *q = p + 1;
			int m = digits2(&q);
			if (*q && strcmp(q, "m") && strcmp(q, "min"))
				break;
			*delay += v * 3600 + (int64_t)m * 60;
			good = ++k;
		} else if (*p) { /* "20min", "2h" */
			if (!(u = unit_secs(p)))
				break;
			*delay += v * u;
			good = ++k;
		} else { /* "20 min" */
			if (k + 1 >= ws->n || !(u = unit_secs(ws->w[k + 1])))
				break;
			*delay += v * u;
			good = k += 2;
		}
		if (k < ws->n && is(ws->w[k], "and", "et", "und"))
			k++;
	}
	return *delay > 0 && *delay <= 366 * 86400 ? good - i : 0;
}

int hw_when_read(const char *text, const struct hw_tz *tz, int64_t now, struct hw_when *out,
		 size_t *used, char *why, size_t len)
{
	struct words ws;
	struct reading r = {.result = HW_WHEN_OK, .wday = -1, .secs = -1};
	int64_t today = day_floor(to_local(tz, now)), delay;
	size_t i = 0, k;
	int32_t secs = -1;

	memset(out, 0, sizeof(*out));
	out->wday_word = -1;
	out->secs = -1;
	read_words(text ? text : "", &ws);
	if (!ws.n)
		goto none;
	if (is(ws.w[0], "in", "dans", NULL) && (k = delay_at(&ws, 1, &delay))) {
		int64_t local = to_local(tz, now + delay);
		out->has_time = out->relative = 1;
		out->at = now + delay;
		out->day = day_floor(local);
		out->secs = (int32_t)(local - out->day * 86400);
		*used = (size_t)(ws.end[k] - text);
		return HW_WHEN_OK;
	}
	if (is(ws.w[0], "on", NULL, NULL) && ws.n > 1)
		i = 1;
	if ((k = day_at(&ws, i, today, &r, why, len))) {
		out->has_day = 1;
		i += k;
		if (r.secs < 0) {
			size_t at = is(word(&ws, i), "at", "a", "um") || is(word(&ws, i), "@", "\xC3\xA0", NULL);
			if ((k = time_at(&ws, i + at, &secs)))
				i += at + k;
		}
	} else if (r.result != HW_WHEN_OK) {
		return r.result;
	} else if (i == 0 && (k = time_at(&ws, 0, &secs))) {
		size_t on;
		i = k;
		on = is(word(&ws, i), "on", NULL, NULL);
		if ((k = day_at(&ws, i + on, today, &r, why, len))) {
			out->has_day = 1;
			i += on + k;
		} else if (r.result != HW_WHEN_OK) {
			return r.result;
		}
	} else {
		goto none;
	}
	if (r.secs >= 0)
		secs = r.secs;
	out->day = out->has_day ? r.day : today;
	out->wday_word = r.wday;
	out->secs = secs;
	if (secs >= 0) {
		out->has_time = 1;
		if (r.has_off)
			out->at = out->day * 86400 + secs - r.off;
		else
			out->at = to_utc(tz, out->day * 86400 + secs);
		if (r.wday >= 0 && out->at <= now) { /* a weekday means the next one */
			out->day += 7;
			out->at = to_utc(tz, out->day * 86400 + secs);
		}
	} else {
		out->at = to_utc(tz, out->day * 86400);
	}
	*used = (size_t)(ws.end[i - 1] - text);
	return HW_WHEN_OK;
none:
	snprintf(why, len, "Say when: %s.", hw_when_forms());
	return HW_WHEN_NONE;
}
