/*
 * Sign-in tokens and sessions (see web_auth.h). Lookups walk the whole
 * table and compare every entry in constant time, so timing says nothing
 * about how much of a guess matched.
 */
#include "web_auth.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "clock.h"
#include "log.h"

struct signin {
	char token[WEB_SECRET_HEX + 1];
	char user_id[32];
	int64_t expires_ms;
	int live;
};

struct web_auth {
	struct signin signins[WEB_SIGNIN_MAX];
	struct web_session sessions[WEB_SESSION_MAX];
	int live[WEB_SESSION_MAX];
};

static int random_hex(char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[WEB_SECRET_HEX / 2];
	size_t got = 0;
	while (got < sizeof(raw)) {
		ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			LOGE("web", "getrandom failed: %s", strerror(errno));
			return -1;
		}
		got += (size_t)n;
	}
	for (size_t i = 0; i < sizeof(raw); i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[WEB_SECRET_HEX] = '\0';
	return 0;
}

/* Constant time for a candidate of any length against a secret of
 * WEB_SECRET_HEX characters. */
static int secret_eq(const char *secret, const char *cand)
{
	unsigned char diff = 0;
	size_t n = strnlen(cand, WEB_SECRET_HEX + 1);
	for (size_t i = 0; i < WEB_SECRET_HEX; i++)
		diff |= (unsigned char)(secret[i] ^ (i < n ? cand[i] : 0));
	return !diff && n == WEB_SECRET_HEX;
}

static int valid_user(const char *user_id)
{
	size_t n = user_id ? strlen(user_id) : 0;
	return n >= 1 && n < 32;
}

struct web_auth *web_auth_create(void)
{
	return calloc(1, sizeof(struct web_auth));
}

void web_auth_destroy(struct web_auth *a)
{
	if (!a)
		return;
	explicit_bzero(a, sizeof(*a));
	free(a);
}

int web_auth_signin_new(struct web_auth *a, const char *user_id, int64_t ttl_ms, char *token)
{
	int64_t now = clock_mono_ms();
	struct signin *slot = NULL;
	if (!valid_user(user_id))
		return -1;
	/* A free or expired slot; else the one that expires first. */
	for (int i = 0; i < WEB_SIGNIN_MAX; i++) {
		struct signin *s = &a->signins[i];
		if (!s->live || s->expires_ms <= now) {
			slot = s;
			break;
		}
		if (!slot || s->expires_ms < slot->expires_ms)
			slot = s;
	}
	if (random_hex(slot->token))
		return -1;
	snprintf(slot->user_id, sizeof(slot->user_id), "%s", user_id);
	slot->expires_ms = now + (ttl_ms > 0 ? ttl_ms : WEB_SIGNIN_TTL_MS);
	slot->live = 1;
	memcpy(token, slot->token, WEB_SECRET_HEX + 1);
	return 0;
}

int web_auth_signin_take(struct web_auth *a, const char *token, char *user_id)
{
	int64_t now = clock_mono_ms();
	struct signin *hit = NULL;
	if (!token)
		return -1;
	for (int i = 0; i < WEB_SIGNIN_MAX; i++) {
		struct signin *s = &a->signins[i];
		if (s->live && secret_eq(s->token, token))
			hit = s;
	}
	if (!hit)
		return -1;
	hit->live = 0; /* single use, also when it has expired */
	explicit_bzero(hit->token, sizeof(hit->token));
	if (hit->expires_ms <= now)
		return -1;
	snprintf(user_id, 32, "%s", hit->user_id);
	return 0;
}

const struct web_session *web_auth_session_new(struct web_auth *a, const char *user_id)
{
	int64_t now = clock_mono_ms();
	int slot = -1;
	if (!valid_user(user_id))
		return NULL;
	for (int i = 0; i < WEB_SESSION_MAX; i++) {
		if (!a->live[i] || a->sessions[i].expires_ms <= now) {
			slot = i;
			break;
		}
		if (slot < 0 || a->sessions[i].expires_ms < a->sessions[slot].expires_ms)
			slot = i;
	}
	if (random_hex(a->sessions[slot].id) || random_hex(a->sessions[slot].csrf)) {
		a->live[slot] = 0;
		return NULL;
	}
	snprintf(a->sessions[slot].user_id, sizeof(a->sessions[slot].user_id), "%s", user_id);
	a->sessions[slot].expires_ms = now + WEB_SESSION_TTL_MS;
	a->live[slot] = 1;
	return &a->sessions[slot];
}

int web_auth_cookie_value(const char *cookie, char *id, size_t len)
{
	const char *p = cookie;
	size_t nlen = strlen(WEB_COOKIE_NAME);
	while (p && *p) {
		while (*p == ' ' || *p == ';')
			p++;
		if (!strncmp(p, WEB_COOKIE_NAME, nlen) && p[nlen] == '=') {
			const char *v = p + nlen + 1;
			size_t n = strcspn(v, ";");
			if (n >= len)
				return -1;
			memcpy(id, v, n);
			id[n] = '\0';
			return 0;
		}
		p = strchr(p, ';');
	}
	return -1;
}

const struct web_session *web_auth_session(struct web_auth *a, const char *cookie)
{
	char id[WEB_SECRET_HEX + 8];
	int64_t now = clock_mono_ms();
	const struct web_session *hit = NULL;
	if (!a || !cookie || web_auth_cookie_value(cookie, id, sizeof(id)))
		return NULL;
	for (int i = 0; i < WEB_SESSION_MAX; i++)
		if (a->live[i] && secret_eq(a->sessions[i].id, id) &&
		    a->sessions[i].expires_ms > now)
			hit = &a->sessions[i];
	return hit;
}

int web_auth_csrf_ok(const struct web_session *s, const char *token)
{
	return s && token && secret_eq(s->csrf, token);
}

void web_auth_session_end(struct web_auth *a, const char *id)
{
	for (int i = 0; a && id && i < WEB_SESSION_MAX; i++)
		if (a->live[i] && secret_eq(a->sessions[i].id, id)) {
			a->live[i] = 0;
			explicit_bzero(&a->sessions[i], sizeof(a->sessions[i]));
		}
}

void web_auth_user_end(struct web_auth *a, const char *user_id)
{
	for (int i = 0; a && user_id && i < WEB_SESSION_MAX; i++)
		if (a->live[i] && !strcmp(a->sessions[i].user_id, user_id)) {
			a->live[i] = 0;
			explicit_bzero(&a->sessions[i], sizeof(a->sessions[i]));
		}
}

size_t web_auth_sessions(const struct web_auth *a)
{
	int64_t now = clock_mono_ms();
	size_t n = 0;
	for (int i = 0; a && i < WEB_SESSION_MAX; i++)
		n += a->live[i] && a->sessions[i].expires_ms > now;
	return n;
}
