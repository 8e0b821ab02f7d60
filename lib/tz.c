/*
 * TZif reader (RFC 8536, versions 1-4) with the POSIX TZ footer rule for
 * instants after the last listed transition. Leap-second records are
 * skipped: schedules use POSIX time.
 */
#include <hallway/tz.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/civil.h>

#define TZ_DEFAULT_DIR "/usr/share/zoneinfo"
#define TZ_MAX_FILE (256 * 1024)

/* A POSIX TZ rule date: Mm.w.d (kind 'M'), Jn (kind 'J'), n (kind 'n'). */
struct tz_rdate {
	char kind;
	int m, w, d;   /* for M; d holds n for J/n */
	int32_t time;  /* seconds after local midnight; may exceed a day */
};

struct tz_rule {
	int valid, has_dst;
	int32_t std_off, dst_off; /* seconds east */
	struct tz_rdate start, end;
};

struct hw_tz {
	char name[64];
	size_t ntrans, ntypes;
	int64_t *trans;      /* transition instants, ascending */
	unsigned char *idx;  /* type index after each transition */
	int32_t *offs;       /* per type: offset east */
	int32_t first_off;   /* in force before the first transition */
	struct tz_rule rule;
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* ---- POSIX TZ string ------------------------------------------------ */

static const char *rule_name(const char *p)
{
	if (*p == '<') {
		while (*p && *p != '>')
			p++;
		return *p ? p + 1 : NULL;
	}
	const char *s = p;
	while (isalpha((unsigned char)*p))
		p++;
	return p - s >= 3 ? p : NULL;
}

/* [+-]hh[:mm[:ss]]; returns the seconds value (sign as written). */
static const char *rule_hms(const char *p, int32_t *out)
{
	int sign = 1, part[3] = {0, 0, 0}, n = 0;

	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	if (!isdigit((unsigned char)*p))
		return NULL;
	while (n < 3) {
		int v = 0, nd = 0;
		while (isdigit((unsigned char)*p) && nd < 3) {
			v = v * 10 + (*p++ - '0');
			nd++;
		}
		if (!nd)
			return NULL;
		part[n++] = v;
		if (*p != ':')
			break;
		p++;
	}
	*out = sign * (part[0] * 3600 + part[1] * 60 + part[2]);
	return p;
}

static const char *rule_date(const char *p, struct tz_rdate *r)
{
	r->time = 7200;
	if (*p == 'M') {
		if (sscanf(p + 1, "%d.%d.%d", &r->m, &r->w, &r->d) != 3)
			return NULL;
		if (r->m < 1 || r->m > 12 || r->w < 1 || r->w > 5 || r->d < 0 || r->d > 6)
			return NULL;
		r->kind = 'M';
		p++;
		while (isdigit((unsigned char)*p) || *p == '.')
			p++;
	} else {
		r->kind = 'n';
		if (*p == 'J') {
			r->kind = 'J';
			p++;
		}
		if (!isdigit((unsigned char)*p))
			return NULL;
		r->d = 0;
		while (isdigit((unsigned char)*p))
			r->d = r->d * 10 + (*p++ - '0');
		if (r->d > 365)
			return NULL;
	}
	if (*p == '/') {
		p = rule_hms(p + 1, &r->time);
		if (!p)
			return NULL;
	}
	return p;
}

static void rule_parse(const char *s, struct tz_rule *r)
{
	const char *p = rule_name(s);
	int32_t v;

	memset(r, 0, sizeof(*r));
	if (!p || !(p = rule_hms(p, &v)))
		return;
	r->std_off = -v;
	if (!*p) {
		r->valid = 1;
		return;
	}
	if (!(p = rule_name(p)))
		return;
	r->dst_off = r->std_off + 3600;
	if (*p && *p != ',') {
		if (!(p = rule_hms(p, &v)))
			return;
		r->dst_off = -v;
	}
	if (*p != ',')
		return; /* no rule: not enough information, keep the table */
	if (!(p = rule_date(p + 1, &r->start)) || *p != ',')
		return;
	if (!(p = rule_date(p + 1, &r->end)) || *p)
		return;
	r->has_dst = 1;
	r->valid = 1;
}

/* Local seconds (from the epoch) at which a rule date falls in `year`. */
static int64_t rdate_local(const struct tz_rdate *r, int year)
{
	int64_t day;

	if (r->kind == 'M') {
		int64_t first = hw_civil_days(year, r->m, 1);
		int wday1 = (int)(((first % 7) + 11) % 7);
		int mday = 1 + (r->d - wday1 + 7) % 7 + 7 * (r->w - 1);
		while (mday > hw_civil_mdays(year, r->m))
			mday -= 7;
		day = first + mday - 1;
	} else if (r->kind == 'J') {
		/* 1..365, February 29 never counted */
		int leap = hw_civil_mdays(year, 2) == 29;
		day = hw_civil_days(year, 1, 1) + r->d - 1 + (leap && r->d >= 60);
	} else {
		day = hw_civil_days(year, 1, 1) + r->d;
	}
	return day * 86400 + r->time;
}

static int32_t rule_offset(const struct tz_rule *r, int64_t utc)
{
	struct hw_civil c;
	int64_t start, end;

	if (!r->has_dst)
		return r->std_off;
	hw_civil_split(utc + r->std_off, &c);
	start = rdate_local(&r->start, c.year) - r->std_off;
	end = rdate_local(&r->end, c.year) - r->dst_off;
	if (start < end)
		return utc >= start && utc < end ? r->dst_off : r->std_off;
	return utc >= end && utc < start ? r->std_off : r->dst_off;
}

/* ---- TZif ------------------------------------------------------------ */

struct tzif_hdr {
	uint32_t isut, isstd, leap, time, type, chr;
};

static void hdr_read(const unsigned char *p, struct tzif_hdr *h)
{
	h->isut = be32(p + 20);
	h->isstd = be32(p + 24);
	h->leap = be32(p + 28);
	h->time = be32(p + 32);
	h->type = be32(p + 36);
	h->chr = be32(p + 40);
}

static size_t block_len(const struct tzif_hdr *h, int tsize)
{
	return (size_t)h->time * tsize + h->time + (size_t)h->type * 6 + h->chr +
	       (size_t)h->leap * (tsize + 4) + h->isstd + h->isut;
}

int hw_tz_parse(const char *name, const unsigned char *buf, size_t len,
		   struct hw_tz **out)
{
	struct tzif_hdr h;
	struct hw_tz *tz = NULL;
	const unsigned char *p;
	int tsize = 4, ret = HW_TIME_ETZ;
	size_t blen;

	if (len < 44 || memcmp(buf, "TZif", 4))
		goto out;
	hdr_read(buf, &h);
	blen = block_len(&h, 4);
	if (44 + blen > len || h.type == 0 || h.type > 256 || h.time > 100000)
		goto out;
	p = buf + 44;
	if (buf[4] >= '2') {
		/* Skip the v1 block; use the 64-bit one. */
		p += blen;
		if ((size_t)(p - buf) + 44 > len || memcmp(p, "TZif", 4))
			goto out;
		hdr_read(p, &h);
		tsize = 8;
		blen = block_len(&h, 8);
		p += 44;
		if ((size_t)(p - buf) + blen > len || h.type == 0 || h.type > 256 ||
		    h.time > 100000)
			goto out;
	}
	ret = HW_TIME_ENOMEM;
	tz = calloc(1, sizeof(*tz));
	if (!tz)
		goto out;
	snprintf(tz->name, sizeof(tz->name), "%s", name ? name : "UTC");
	tz->ntrans = h.time;
	tz->ntypes = h.type;
	tz->trans = calloc(h.time + 1, sizeof(*tz->trans));
	tz->idx = calloc(h.time + 1, 1);
	tz->offs = calloc(h.type, sizeof(*tz->offs));
	if (!tz->trans || !tz->idx || !tz->offs)
		goto out;
	ret = HW_TIME_ETZ;
	for (size_t i = 0; i < h.time; i++)
		tz->trans[i] = tsize == 8 ? be64(p + i * 8) : (int32_t)be32(p + i * 4);
	p += (size_t)h.time * tsize;
	for (size_t i = 0; i < h.time; i++) {
		if (p[i] >= h.type)
			goto out;
		tz->idx[i] = p[i];
	}
	p += h.time;
	for (size_t i = 0; i < h.type; i++)
		tz->offs[i] = (int32_t)be32(p + i * 6);
	/* RFC 8536 3.2: the first type is used before the first transition. */
	tz->first_off = tz->offs[0];
	p += (size_t)h.type * 6;
	p += h.chr + (size_t)h.leap * (tsize + 4) + h.isstd + h.isut;
	if (tsize == 8 && (size_t)(p - buf) < len && *p == '\n') {
		const unsigned char *e = memchr(p + 1, '\n', len - (size_t)(p - buf) - 1);
		if (e && e - p - 1 < 128) {
			char footer[128];
			memcpy(footer, p + 1, (size_t)(e - p - 1));
			footer[e - p - 1] = 0;
			rule_parse(footer, &tz->rule);
		}
	}
	*out = tz;
	tz = NULL;
	ret = HW_TIME_OK;
out:
	hw_tz_free(tz);
	return ret;
}

static int name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= 64 || name[0] == '/' || strstr(name, ".."))
		return 0;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/_+-", *p))
			return 0;
	return 1;
}

int hw_tz_load(const char *dir, const char *name, struct hw_tz **out)
{
	char path[512];
	unsigned char *buf = NULL;
	FILE *f = NULL;
	size_t len;
	int ret = HW_TIME_ETZ;

	if (!name || !name_ok(name))
		goto out;
	snprintf(path, sizeof(path), "%s/%s", dir ? dir : TZ_DEFAULT_DIR, name);
	f = fopen(path, "rb");
	if (!f)
		goto out;
	ret = HW_TIME_ENOMEM;
	buf = malloc(TZ_MAX_FILE);
	if (!buf)
		goto out;
	len = fread(buf, 1, TZ_MAX_FILE, f);
	ret = hw_tz_parse(name, buf, len, out);
out:
	if (f)
		fclose(f);
	free(buf);
	return ret;
}

struct hw_tz *hw_tz_fixed(int32_t offset)
{
	struct hw_tz *tz = calloc(1, sizeof(*tz));
	char off[8];

	if (!tz)
		return NULL;
	hw_civil_fmt_offset(off, offset);
	if (offset == 0)
		snprintf(tz->name, sizeof(tz->name), "UTC");
	else
		snprintf(tz->name, sizeof(tz->name), "UTC%s", off);
	tz->first_off = offset;
	tz->rule.valid = 1;
	tz->rule.std_off = offset;
	return tz;
}

void hw_tz_free(struct hw_tz *tz)
{
	if (!tz)
		return;
	free(tz->trans);
	free(tz->idx);
	free(tz->offs);
	free(tz);
}

const char *hw_tz_name(const struct hw_tz *tz)
{
	return tz ? tz->name : "UTC";
}

int32_t hw_tz_offset(const struct hw_tz *tz, int64_t utc)
{
	size_t lo = 0, hi;

	if (!tz)
		return 0;
	if (tz->ntrans == 0 || utc < tz->trans[0])
		return tz->ntrans == 0 && tz->rule.valid ? rule_offset(&tz->rule, utc)
							 : tz->first_off;
	if (utc >= tz->trans[tz->ntrans - 1] && tz->rule.valid)
		return rule_offset(&tz->rule, utc);
	/* Last transition <= utc. */
	hi = tz->ntrans;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (tz->trans[mid] <= utc)
			lo = mid;
		else
			hi = mid;
	}
	return tz->offs[tz->idx[lo]];
}

int64_t hw_tz_to_utc(const struct hw_tz *tz, int64_t local)
{
	/* The offsets in force a day either side bracket any transition near
	 * `local` (zones change at most once a day). */
	int32_t before = hw_tz_offset(tz, local - 86400);
	int32_t after = hw_tz_offset(tz, local + 86400);
	int64_t u1 = local - before, u2 = local - after;
	int ok1 = hw_tz_offset(tz, u1) == before;
	int ok2 = hw_tz_offset(tz, u2) == after;

	if (ok1 && ok2)
		return u1 < u2 ? u1 : u2; /* overlap: first occurrence */
	if (ok1)
		return u1;
	if (ok2)
		return u2;
	return u1; /* gap: read with the earlier offset (moves forward) */
}

int64_t hw_tz_to_local(const struct hw_tz *tz, int64_t utc)
{
	return utc + hw_tz_offset(tz, utc);
}
