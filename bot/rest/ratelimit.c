/*
 * Discord rate-limit state: route templates, learned bucket hashes, per
 * limit counters, the global window and 429 pauses. Pure; see ratelimit.h.
 */
#include "ratelimit.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define RL_PATH_MAX 512
#define RL_GLOBAL_MAX 100000
#define RL_IDLE_S 60.0
#define RL_COUNT_MAX 1000000L

struct rl_limit {
	struct rl_limit *next;
	char *key;          /* "h:<hash>\n<major>" or "r:<route>\n<major>" */
	unsigned refs;      /* buckets pointing here */
	unsigned inflight;
	int known;          /* rate-limit headers seen */
	int unlimited;      /* a non-error response came without them */
	long limit, remaining;
	double reset_at;    /* monotonic; 0 = unknown */
	double blocked_until;
};

struct rl_bucket {
	struct rl_bucket *next;
	char *key;          /* route "\n" major */
	char *route, *major;
	char *hash;         /* hash the limit is keyed on, or NULL */
	int flags;
	unsigned inflight;
	struct rl_limit *lim;
	void *data;
	double last_used;
};

struct rl_route_hash {
	struct rl_route_hash *next;
	char *route, *hash;
};

struct rl {
	struct rl_bucket *buckets;
	struct rl_limit *limits;
	struct rl_route_hash *hashes;
	size_t nbuckets;
	int per_sec;
	double *sends;      /* ring of the last per_sec send times */
	int sends_count, sends_next;
	double rtt[RL_RTT_KEPT]; /* ring of the last round trips (rl_observe_rtt) */
	int rtt_next;
	double global_until;
};

static char *dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

static int all_digits(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Appends "/" + seg to buf at *off. */
static int put_seg(char *buf, size_t len, size_t *off, const char *seg, size_t n)
{
	if (*off + 1 + n + 1 > len)
		return -1;
	buf[(*off)++] = '/';
	memcpy(buf + *off, seg, n);
	*off += n;
	buf[*off] = '\0';
	return 0;
}

int rl_route(const char *method, const char *path, char *route, size_t route_len, char *major,
	     size_t major_len)
{
	const char *segs[16];
	size_t lens[16], nseg = 0, off, moff = 0;
	int flags = 0;
	const char *p = path, *end = path + strcspn(path, "?#");

	if (!method)
		method = "GET";
	while (p < end && nseg < 16) {
		while (p < end && *p == '/')
			p++;
		if (p >= end)
			break;
		const char *q = p;
		while (q < end && *q != '/')
			q++;
		segs[nseg] = p;
		lens[nseg++] = (size_t)(q - p);
		p = q;
	}
	off = strlen(method);
	if (off + 1 > route_len || major_len < 1)
		return -1;
	memcpy(route, method, off);
	route[off++] = ' ';
	route[off] = '\0';
	major[0] = '\0';
	if (nseg == 0 && put_seg(route, route_len, &off, "", 0))
		return -1;

	int is_webhook = nseg > 0 && lens[0] == 8 && !memcmp(segs[0], "webhooks", 8);
	int is_interaction = nseg > 0 && lens[0] == 12 && !memcmp(segs[0], "interactions", 12);
	for (size_t i = 0; i < nseg; i++) {
		const char *name = NULL;
		int is_major = 0;
		if (i == 1 && lens[0] == 8 && !memcmp(segs[0], "channels", 8)) {
			name = "{channel_id}";
			is_major = 1;
		} else if (i == 1 && lens[0] == 6 && !memcmp(segs[0], "guilds", 6)) {
			name = "{guild_id}";
			is_major = 1;
		} else if (i == 1 && is_webhook) {
			name = "{webhook_id}";
			is_major = 1;
		} else if (i == 2 && is_webhook && !(lens[2] == 8 && !memcmp(segs[2], "messages", 8))) {
			name = "{webhook_token}";
			is_major = 1;
			flags |= RL_ROUTE_SECRET;
		} else if (i == 1 && is_interaction) {
			name = "{interaction_id}";
			is_major = 1;
			flags |= RL_ROUTE_EXEMPT;
		} else if (i == 2 && is_interaction) {
			name = "{interaction_token}";
			flags |= RL_ROUTE_SECRET;
		} else if (i > 0 && lens[i - 1] == 9 && !memcmp(segs[i - 1], "reactions", 9)) {
			name = "{emoji}";
		} else if (all_digits(segs[i], lens[i])) {
			name = "{id}";
		}
		if (name) {
			if (put_seg(route, route_len, &off, name, strlen(name)))
				return -1;
		} else if (put_seg(route, route_len, &off, segs[i], lens[i])) {
			return -1;
		}
		if (is_major) {
			if (moff + lens[i] + 2 > major_len)
				return -1;
			if (moff)
				major[moff++] = '/';
			memcpy(major + moff, segs[i], lens[i]);
			moff += lens[i];
			major[moff] = '\0';
		}
	}
	return flags;
}

struct rl *rl_create(int global_per_sec)
{
	struct rl *rl = calloc(1, sizeof(*rl));
	if (!rl)
		return NULL;
	rl->per_sec = global_per_sec > 0 && global_per_sec <= RL_GLOBAL_MAX ? global_per_sec : 50;
	rl->sends = calloc((size_t)rl->per_sec, sizeof(*rl->sends));
	if (!rl->sends) {
		free(rl);
		return NULL;
	}
	return rl;
}

static void free_limit(struct rl_limit *l)
{
	free(l->key);
	free(l);
}

static void free_bucket(struct rl_bucket *b)
{
	free(b->key);
	free(b->route);
	free(b->major);
	free(b->hash);
	free(b);
}

void rl_destroy(struct rl *rl)
{
	if (!rl)
		return;
	for (struct rl_bucket *b = rl->buckets, *n; b; b = n) {
		n = b->next;
		free_bucket(b);
	}
	for (struct rl_limit *l = rl->limits, *n; l; l = n) {
		n = l->next;
		free_limit(l);
	}
	for (struct rl_route_hash *h = rl->hashes, *n; h; h = n) {
		n = h->next;
		free(h->route);
		free(h->hash);
		free(h);
	}
	free(rl->sends);
	free(rl);
}

/* Finds or creates the limit state "<kind>:<name>\n<major>". */
static struct rl_limit *limit_get(struct rl *rl, char kind, const char *name, const char *major)
{
	size_t n = strlen(name) + strlen(major) + 4;
	char *key = malloc(n);
	if (!key)
		return NULL;
	snprintf(key, n, "%c:%s\n%s", kind, name, major);
	for (struct rl_limit *l = rl->limits; l; l = l->next) {
		if (!strcmp(l->key, key)) {
			free(key);
			return l;
		}
	}
	struct rl_limit *l = calloc(1, sizeof(*l));
	if (!l) {
		free(key);
		return NULL;
	}
	l->key = key;
	l->next = rl->limits;
	rl->limits = l;
	return l;
}

static const char *route_hash(const struct rl *rl, const char *route)
{
	for (const struct rl_route_hash *h = rl->hashes; h; h = h->next)
		if (!strcmp(h->route, route))
			return h->hash;
	return NULL;
}

static void learn_hash(struct rl *rl, const char *route, const char *hash)
{
	struct rl_route_hash *h;
	for (h = rl->hashes; h; h = h->next) {
		if (!strcmp(h->route, route)) {
			if (strcmp(h->hash, hash)) {
				char *d = dup_str(hash);
				if (d) {
					free(h->hash);
					h->hash = d;
				}
			}
			return;
		}
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		return;
	h->route = dup_str(route);
	h->hash = dup_str(hash);
	if (!h->route || !h->hash) {
		free(h->route);
		free(h->hash);
		free(h);
		return;
	}
	h->next = rl->hashes;
	rl->hashes = h;
}

/* Points b at the limit state of its route's learned hash, if that changed.
 * In-flight requests move along so the new state counts them. */
static void migrate(struct rl *rl, struct rl_bucket *b)
{
	const char *hash = route_hash(rl, b->route);
	if (!hash || (b->hash && !strcmp(b->hash, hash)))
		return;
	struct rl_limit *l2 = limit_get(rl, 'h', hash, b->major);
	char *h2 = dup_str(hash);
	if (!l2 || !h2) {
		free(h2);
		return;
	}
	struct rl_limit *l = b->lim;
	l->inflight -= b->inflight < l->inflight ? b->inflight : l->inflight;
	l->refs--;
	l2->inflight += b->inflight;
	l2->refs++;
	b->lim = l2;
	free(b->hash);
	b->hash = h2;
}

struct rl_bucket *rl_bucket_get(struct rl *rl, const char *method, const char *path, double now)
{
	char route[RL_PATH_MAX], major[RL_PATH_MAX];
	int flags = rl_route(method, path, route, sizeof(route), major, sizeof(major));
	if (flags < 0)
		return NULL;
	size_t n = strlen(route) + strlen(major) + 2;
	char *key = malloc(n);
	if (!key)
		return NULL;
	snprintf(key, n, "%s\n%s", route, major);
	for (struct rl_bucket *b = rl->buckets; b; b = b->next) {
		if (!strcmp(b->key, key)) {
			free(key);
			b->last_used = now;
			migrate(rl, b);
			return b;
		}
	}
	struct rl_bucket *b = calloc(1, sizeof(*b));
	if (!b)
		goto fail;
	b->key = key;
	key = NULL;
	b->route = dup_str(route);
	b->major = dup_str(major);
	b->flags = flags;
	b->last_used = now;
	if (!b->route || !b->major)
		goto fail;
	const char *hash = route_hash(rl, route);
	if (hash) {
		b->hash = dup_str(hash);
		if (!b->hash)
			goto fail;
	}
	b->lim = hash ? limit_get(rl, 'h', hash, major) : limit_get(rl, 'r', route, major);
	if (!b->lim)
		goto fail;
	b->lim->refs++;
	b->next = rl->buckets;
	rl->buckets = b;
	rl->nbuckets++;
	return b;
fail:
	free(key);
	if (b)
		free_bucket(b);
	return NULL;
}

const char *rl_bucket_route(const struct rl_bucket *b)
{
	return b->route;
}

int rl_bucket_flags(const struct rl_bucket *b)
{
	return b->flags;
}

unsigned rl_bucket_inflight(const struct rl_bucket *b)
{
	return b->inflight;
}

void *rl_bucket_data(const struct rl_bucket *b)
{
	return b->data;
}

void rl_bucket_set_data(struct rl_bucket *b, void *data)
{
	b->data = data;
}

size_t rl_bucket_count(const struct rl *rl)
{
	return rl->nbuckets;
}

static double max_d(double a, double b)
{
	return a > b ? a : b;
}

/* How much later than its send a request may arrive: RL_MARGIN_S, or the
 * median of the recent round trips (the longest would also count the
 * server's own time: every window would wait for the slowest answer). */
static double arrival_margin(const struct rl *rl)
{
	double v[RL_RTT_KEPT], m = RL_MARGIN_S;
	int n = 0;

	for (int i = 0; i < RL_RTT_KEPT; i++)
		if (rl->rtt[i] > 0)
			v[n++] = rl->rtt[i];
	/* the median (insertion sort: 64 at most) */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			double t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n ? max_d(m, v[n / 2]) : m;
}

void rl_observe_rtt(struct rl *rl, double seconds)
{
	if (!rl || !(seconds > 0)) /* also NaN */
		return;
	rl->rtt[rl->rtt_next] = seconds < RL_RTT_MAX_S ? seconds : RL_RTT_MAX_S;
	rl->rtt_next = (rl->rtt_next + 1) % RL_RTT_KEPT;
}

double rl_next_send(struct rl *rl, struct rl_bucket *b, double now)
{
	migrate(rl, b);
	struct rl_limit *l = b->lim;
	double t = max_d(now, l->blocked_until);

	if (!(b->flags & RL_ROUTE_EXEMPT)) {
		t = max_d(t, rl->global_until);
		/* sends_next is the oldest of a full ring. Discord counts
		 * arrivals over a sliding second; requests sent in a burst
		 * arrive milliseconds apart, so wait the margin too or the
		 * 51st arrives inside the first one's second (global 429). */
		if (rl->sends_count == rl->per_sec)
			t = max_d(t, rl->sends[rl->sends_next] + 1.0 + arrival_margin(rl));
	}
	if (l->unlimited)
		return t;
	if (!l->known)
		return l->inflight ? INFINITY : t;
	long limit = l->limit > 0 ? l->limit : 1;
	if (l->reset_at > t) {
		if (l->remaining - (long)l->inflight > 0)
			return t;
		t = l->reset_at;
	}
	/* At t the window has reset: the full limit, minus what is in flight. */
	return limit - (long)l->inflight > 0 ? t : INFINITY;
}

void rl_sent(struct rl *rl, struct rl_bucket *b, double now)
{
	b->inflight++;
	b->lim->inflight++;
	b->last_used = now;
	if (!(b->flags & RL_ROUTE_EXEMPT)) {
		rl->sends[rl->sends_next] = now;
		rl->sends_next = (rl->sends_next + 1) % rl->per_sec;
		if (rl->sends_count < rl->per_sec)
			rl->sends_count++;
	}
}

static int parse_num(const char *s, double *out)
{
	if (!s)
		return 0;
	char *end;
	double v = strtod(s, &end);
	if (end == s || !isfinite(v))
		return 0;
	*out = v;
	return 1;
}

/* A duration the peer dictates, in seconds, within 0..RL_WAIT_MAX_S. */
static double clamp_wait(double s)
{
	if (!(s > 0)) /* also NaN */
		return 0;
	return s < RL_WAIT_MAX_S ? s : RL_WAIT_MAX_S;
}

/* A request count the peer reports, within 0..RL_COUNT_MAX, so that the
 * conversion to long is defined. */
static long clamp_count(double n)
{
	if (!(n > 0))
		return 0;
	return n < RL_COUNT_MAX ? (long)n : RL_COUNT_MAX;
}

void rl_response(struct rl *rl, struct rl_bucket *b, double now, double wall_now, long status,
		 const struct rl_headers *h, double body_retry_after, int body_global,
		 struct rl_verdict *out)
{
	static const struct rl_headers none;
	struct rl_verdict v = {0};

	if (!h)
		h = &none;
	if (b->inflight)
		b->inflight--;
	if (b->lim->inflight)
		b->lim->inflight--;
	b->last_used = now;
	if (status == 0)
		goto out;

	if (h->bucket && *h->bucket) {
		learn_hash(rl, b->route, h->bucket);
		migrate(rl, b);
	}
	struct rl_limit *l = b->lim;
	double limit, remaining, reset_after, reset;
	if (parse_num(h->limit, &limit) && parse_num(h->remaining, &remaining)) {
		double reset_at = 0;
		if (parse_num(h->reset_after, &reset_after))
			reset_at = now + clamp_wait(reset_after);
		else if (parse_num(h->reset, &reset))
			reset_at = now + clamp_wait(reset - wall_now);
		/* A late response from the same window must not raise remaining. */
		int same_window = l->known && now < l->reset_at && reset_at <= l->reset_at + 0.5;
		long old_remaining = l->remaining;
		l->known = 1;
		l->unlimited = 0;
		l->limit = clamp_count(limit);
		l->remaining = clamp_count(remaining);
		if (same_window && l->remaining > old_remaining)
			l->remaining = old_remaining;
		l->reset_at = (reset_at > 0 ? reset_at : now + 1.0) + RL_MARGIN_S;
	} else if (status != 429 && status < 500 && !l->known) {
		/* This route has no per-route limit: only the global one applies. */
		l->unlimited = 1;
	}

	if (status == 429) {
		double body_ra = body_retry_after, hdr_ra = -1, ra;
		parse_num(h->retry_after, &hdr_ra);
		ra = max_d(isfinite(body_ra) ? body_ra : -1, hdr_ra);
		if (ra <= 0 && !parse_num(h->reset_after, &ra))
			ra = 1.0;
		if (ra <= 0)
			ra = 1.0;
		ra = clamp_wait(ra);
		v.limited = 1;
		v.retry_after = ra + RL_MARGIN_S;
		if (h->scope)
			snprintf(v.scope, sizeof(v.scope), "%s", h->scope);
		v.global = body_global || (h->global && !strcasecmp(h->global, "true")) ||
			   (h->scope && !strcasecmp(h->scope, "global"));
		if (v.global && !(b->flags & RL_ROUTE_EXEMPT)) {
			rl->global_until = max_d(rl->global_until, now + v.retry_after);
		} else {
			/* Also a hidden sub-limit hit while Remaining > 0. */
			l->blocked_until = max_d(l->blocked_until, now + v.retry_after);
			l->remaining = 0;
			l->reset_at = max_d(l->reset_at, now + v.retry_after);
		}
	}
out:
	if (out)
		*out = v;
}

void rl_gc(struct rl *rl, double now)
{
	struct rl_bucket **pb = &rl->buckets;
	while (*pb) {
		struct rl_bucket *b = *pb;
		struct rl_limit *l = b->lim;
		if (!b->data && !b->inflight && now - b->last_used > RL_IDLE_S &&
		    now > l->blocked_until && now > l->reset_at) {
			*pb = b->next;
			l->refs--;
			free_bucket(b);
			rl->nbuckets--;
		} else {
			pb = &b->next;
		}
	}
	struct rl_limit **pl = &rl->limits;
	while (*pl) {
		struct rl_limit *l = *pl;
		if (!l->refs && !l->inflight && now > l->blocked_until && now > l->reset_at) {
			*pl = l->next;
			free_limit(l);
		} else {
			pl = &l->next;
		}
	}
}
