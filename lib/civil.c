/*
 * Calendar arithmetic (Howard Hinnant's days_from_civil) and parsers for
 * the time and duration notations schedules use.
 */
#include <hallway/civil.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>


static int64_t floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

int64_t hw_civil_days(int year, int mon, int day)
{
	int64_t y = year, m = mon;
	int64_t era, yoe, doy, doe;

	/* Normalise month overflow first so callers may pass mon 0 or 13. */
	y += floordiv(m - 1, 12);
	m = m - 1 - floordiv(m - 1, 12) * 12 + 1;
	y -= m <= 2;
	era = floordiv(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int64_t hw_civil_make(int year, int mon, int day, int hour, int min, int sec)
{
	return hw_civil_days(year, mon, day) * 86400 + (int64_t)hour * 3600 +
	       (int64_t)min * 60 + sec;
}

void hw_civil_split(int64_t t, struct hw_civil *c)
{
	int64_t z = floordiv(t, 86400), secs = t - z * 86400;
	int64_t era, doe, yoe, y, doy, mp, d, m;

	c->wday = (int)((z % 7 + 11) % 7); /* 1970-01-01 was a Thursday */
	c->hour = (int)(secs / 3600);
	c->min = (int)(secs / 60 % 60);
	c->sec = (int)(secs % 60);
	z += 719468;
	era = floordiv(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	c->year = (int)(y + (m <= 2));
	c->mon = (int)m;
	c->day = (int)d;
}

int hw_civil_mdays(int year, int mon)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	if (mon < 1 || mon > 12)
		return 30;
	return days[mon - 1] + (mon == 2 && leap);
}

/* Reads exactly n digits at *p into *out, advancing *p. */
static int digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

int hw_civil_parse(const char *s, int64_t *local, int *has_off, int32_t *off,
		     int *date_only)
{
	int y, mo, d, h = 0, mi = 0, se = 0, basic;
	int32_t o = 0;
	int ho = 0, dateonly = 1;

	if (!s)
		return HW_TIME_EPARSE;
	while (isspace((unsigned char)*s))
		s++;
	if (digits(&s, 4, &y))
		return HW_TIME_EPARSE;
	basic = *s != '-';
	if (!basic)
		s++;
	if (digits(&s, 2, &mo))
		return HW_TIME_EPARSE;
	if (!basic && *s++ != '-')
		return HW_TIME_EPARSE;
	if (digits(&s, 2, &d))
		return HW_TIME_EPARSE;
	if (mo < 1 || mo > 12 || d < 1 || d > hw_civil_mdays(y, mo))
		return HW_TIME_EPARSE;
	if (*s == 'T' || *s == 't' || (*s == ' ' && isdigit((unsigned char)s[1]))) {
		s++;
		dateonly = 0;
		if (digits(&s, 2, &h))
			return HW_TIME_EPARSE;
		if (!basic && *s == ':')
			s++;
		if (digits(&s, 2, &mi))
			return HW_TIME_EPARSE;
		if (*s == ':' || (basic && isdigit((unsigned char)*s))) {
			if (*s == ':')
				s++;
			if (digits(&s, 2, &se))
				return HW_TIME_EPARSE;
			if (*s == '.' || *s == ',') {
				s++;
				while (isdigit((unsigned char)*s))
					s++;
			}
		}
		if (h > 24 || mi > 59 || se > 60)
			return HW_TIME_EPARSE;
		if (se == 60)
			se = 59; /* a leap second: close enough for a schedule */
		if (*s == 'Z' || *s == 'z') {
			ho = 1;
			s++;
		} else if (*s == '+' || *s == '-') {
			int sign = *s == '-' ? -1 : 1, oh, om = 0;
			s++;
			if (digits(&s, 2, &oh))
				return HW_TIME_EPARSE;
			if (*s == ':')
				s++;
			if (isdigit((unsigned char)*s) && digits(&s, 2, &om))
				return HW_TIME_EPARSE;
			if (oh > 18 || om > 59)
				return HW_TIME_EPARSE;
			ho = 1;
			o = sign * (oh * 3600 + om * 60);
		}
	}
	while (isspace((unsigned char)*s))
		s++;
	if (*s)
		return HW_TIME_EPARSE;
	*local = hw_civil_make(y, mo, d, h, mi, se);
	if (has_off)
		*has_off = ho;
	if (off)
		*off = o;
	if (date_only)
		*date_only = dateonly;
	return HW_TIME_OK;
}

int hw_civil_instant(const char *s, const struct hw_tz *tz, int64_t *utc)
{
	int64_t local;
	int32_t off;
	int has_off;

	if (hw_civil_parse(s, &local, &has_off, &off, NULL))
		return HW_TIME_EPARSE;
	if (has_off)
		*utc = local - off;
	else
		*utc = tz ? hw_tz_to_utc(tz, local) : local;
	return HW_TIME_OK;
}

/* Parses the ISO 8601 duration "P[nW][nD][T[nH][nM][nS]]". */
static int iso_duration(const char *s, int64_t *secs)
{
	int64_t total = 0;
	int in_time = 0, any = 0;

	if (*s++ != 'P')
		return HW_TIME_EPARSE;
	while (*s) {
		int64_t n = 0;
		int nd = 0;
		if (*s == 'T') {
			in_time = 1;
			s++;
			continue;
		}
		while (isdigit((unsigned char)*s) && nd < 9) {
			n = n * 10 + (*s++ - '0');
			nd++;
		}
		if (!nd)
			return HW_TIME_EPARSE;
		switch (*s++) {
		case 'W': total += n * 7 * 86400; break;
		case 'D': total += n * 86400; break;
		case 'H': if (!in_time) return HW_TIME_EPARSE; total += n * 3600; break;
		case 'M': if (!in_time) return HW_TIME_EPARSE; total += n * 60; break;
		case 'S': if (!in_time) return HW_TIME_EPARSE; total += n; break;
		default: return HW_TIME_EPARSE;
		}
		any = 1;
	}
	if (!any)
		return HW_TIME_EPARSE;
	*secs = total;
	return HW_TIME_OK;
}

int hw_civil_duration(const char *s, int three_is_days, int64_t *secs)
{
	long part[3];
	int n = 0;

	if (!s)
		return HW_TIME_EPARSE;
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '-' && s[1] == 'P')
		return HW_TIME_EPARSE;
	if (*s == 'P')
		return iso_duration(s, secs);
	while (n < 3) {
		long v = 0;
		int nd = 0;
		while (isdigit((unsigned char)*s) && nd < 7) {
			v = v * 10 + (*s++ - '0');
			nd++;
		}
		if (!nd)
			return HW_TIME_EPARSE;
		part[n++] = v;
		if (*s != ':')
			break;
		s++;
	}
	while (isspace((unsigned char)*s))
		s++;
	if (*s)
		return HW_TIME_EPARSE;
	switch (n) {
	case 1: *secs = (int64_t)part[0] * 60; break;              /* minutes */
	case 2: *secs = (int64_t)part[0] * 3600 + part[1] * 60; break; /* HH:MM */
	default:
		if (three_is_days) /* pretalx's "D:HH:MM" for >= 24 h */
			*secs = (int64_t)part[0] * 86400 + part[1] * 3600 + part[2] * 60;
		else
			*secs = (int64_t)part[0] * 3600 + part[1] * 60 + part[2];
		break;
	}
	return HW_TIME_OK;
}

void hw_civil_fmt_offset(char *buf, int32_t off)
{
	char sign = off < 0 ? '-' : '+';
	int32_t a = off < 0 ? -off : off;

	snprintf(buf, 7, "%c%02d:%02d", sign, (int)(a / 3600 % 100), (int)(a / 60 % 60));
}
