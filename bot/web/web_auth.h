/*
 * Organizer sign-in: single-use sign-in tokens (bound to a Discord user,
 * short-lived) and sessions (an HttpOnly cookie plus a CSRF token), all in
 * memory: a restart signs everyone out. Secrets come from getrandom() and
 * are compared in constant time.
 */
#ifndef HALLWAY_WEB_AUTH_H
#define HALLWAY_WEB_AUTH_H

#include <stddef.h>
#include <stdint.h>

#define WEB_SECRET_HEX 64                 /* 32 random bytes as hex */
#define WEB_SIGNIN_TTL_MS (10 * 60 * 1000)
#define WEB_SESSION_TTL_MS (12 * 3600 * 1000LL)
#define WEB_SIGNIN_MAX 64
#define WEB_SESSION_MAX 256
#define WEB_COOKIE_NAME "hallway_session"

struct web_auth;

struct web_session {
	char id[WEB_SECRET_HEX + 1];
	char csrf[WEB_SECRET_HEX + 1];
	char user_id[32];
	int64_t expires_ms;       /* monotonic */
};

struct web_auth *web_auth_create(void);
void web_auth_destroy(struct web_auth *a);

/* A new sign-in token for user_id into token (WEB_SECRET_HEX + 1 bytes).
 * ttl_ms 0: WEB_SIGNIN_TTL_MS. Returns 0, or -1 (no randomness, bad id). */
int web_auth_signin_new(struct web_auth *a, const char *user_id, int64_t ttl_ms, char *token);
/* Takes a sign-in token: whatever the outcome it cannot be used again.
 * Returns 0 with the user it was for in user_id (32 bytes), or -1 when
 * unknown, used or expired. */
int web_auth_signin_take(struct web_auth *a, const char *token, char *user_id);

/* A new session for user_id; NULL when out of randomness. Borrowed. */
const struct web_session *web_auth_session_new(struct web_auth *a, const char *user_id);
/* The live session named by the Cookie header value (or NULL). */
const struct web_session *web_auth_session(struct web_auth *a, const char *cookie_header);
/* 1 if token is the session's CSRF token (constant time). */
int web_auth_csrf_ok(const struct web_session *s, const char *token);
void web_auth_session_end(struct web_auth *a, const char *id);
/* Ends every session of user_id (lost the organizer role). */
void web_auth_user_end(struct web_auth *a, const char *user_id);
size_t web_auth_sessions(const struct web_auth *a);

/* Exposed for tests: the session id from a Cookie header into id. */
int web_auth_cookie_value(const char *cookie_header, char *id, size_t len);

#endif
