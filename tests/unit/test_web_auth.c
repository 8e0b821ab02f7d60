/* Sign-in tokens and sessions (bot/web/web_auth.c). */
#include <string.h>
#include <time.h>

#include "testlib.h"
#include "web_auth.h"

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

TEST(signin_token_is_single_use_and_bound_to_its_user)
{
	struct web_auth *a = web_auth_create();
	char tok[WEB_SECRET_HEX + 1], tok2[WEB_SECRET_HEX + 1], user[32];
	REQUIRE(a);
	REQUIRE(!web_auth_signin_new(a, "1000000000000001000", 0, tok));
	REQUIRE(!web_auth_signin_new(a, "1000000000000001001", 0, tok2));
	CHECK(strlen(tok) == WEB_SECRET_HEX);
	CHECK(strspn(tok, "0123456789abcdef") == WEB_SECRET_HEX);
	CHECK(strcmp(tok, tok2) != 0);
	CHECK(!web_auth_signin_take(a, tok2, user));
	CHECK_STREQ(user, "1000000000000001001");
	CHECK(!web_auth_signin_take(a, tok, user));
	CHECK_STREQ(user, "1000000000000001000");
	CHECK(web_auth_signin_take(a, tok, user) == -1); /* used */
	CHECK(web_auth_signin_take(a, tok2, user) == -1);
	web_auth_destroy(a);
}

TEST(signin_token_near_misses_fail)
{
	struct web_auth *a = web_auth_create();
	char tok[WEB_SECRET_HEX + 1], bad[WEB_SECRET_HEX + 2], user[32];
	REQUIRE(a);
	REQUIRE(!web_auth_signin_new(a, "42", 0, tok));
	memcpy(bad, tok, sizeof(tok));
	bad[10] = bad[10] == 'a' ? 'b' : 'a';
	CHECK(web_auth_signin_take(a, bad, user) == -1);
	memcpy(bad, tok, sizeof(tok));
	bad[WEB_SECRET_HEX - 1] = '\0'; /* a prefix */
	CHECK(web_auth_signin_take(a, bad, user) == -1);
	memcpy(bad, tok, sizeof(tok));
	bad[WEB_SECRET_HEX] = 'a'; /* one character more */
	bad[WEB_SECRET_HEX + 1] = '\0';
	CHECK(web_auth_signin_take(a, bad, user) == -1);
	CHECK(web_auth_signin_take(a, "", user) == -1);
	CHECK(web_auth_signin_take(a, NULL, user) == -1);
	/* None of the misses used it up. */
	CHECK(!web_auth_signin_take(a, tok, user));
	CHECK(web_auth_signin_new(a, "", 0, tok) == -1);
	CHECK(web_auth_signin_new(a, "012345678901234567890123456789012", 0, tok) == -1);
	web_auth_destroy(a);
}

TEST(signin_token_expires_and_is_then_gone)
{
	struct web_auth *a = web_auth_create();
	char tok[WEB_SECRET_HEX + 1], user[32];
	REQUIRE(a);
	REQUIRE(!web_auth_signin_new(a, "42", 20, tok));
	sleep_ms(40);
	CHECK(web_auth_signin_take(a, tok, user) == -1);
	web_auth_destroy(a);
}

TEST(many_links_evict_the_oldest)
{
	struct web_auth *a = web_auth_create();
	char first[WEB_SECRET_HEX + 1], last[WEB_SECRET_HEX + 1], user[32];
	REQUIRE(a);
	REQUIRE(!web_auth_signin_new(a, "1", 60000, first));
	for (int i = 0; i < WEB_SIGNIN_MAX; i++)
		REQUIRE(!web_auth_signin_new(a, "2", 120000, last));
	CHECK(web_auth_signin_take(a, first, user) == -1);
	CHECK(!web_auth_signin_take(a, last, user));
	web_auth_destroy(a);
}

TEST(session_cookie_and_csrf)
{
	struct web_auth *a = web_auth_create();
	const struct web_session *s, *t;
	char cookie[200], id[WEB_SECRET_HEX + 1], csrf[WEB_SECRET_HEX + 1];
	REQUIRE(a);
	REQUIRE((s = web_auth_session_new(a, "42")));
	memcpy(id, s->id, sizeof(id));
	memcpy(csrf, s->csrf, sizeof(csrf));
	CHECK(strcmp(id, csrf) != 0);
	snprintf(cookie, sizeof(cookie), "theme=dark; " WEB_COOKIE_NAME "=%s; other=1", id);
	REQUIRE((t = web_auth_session(a, cookie)));
	CHECK_STREQ(t->user_id, "42");
	CHECK(web_auth_csrf_ok(t, csrf));
	CHECK(!web_auth_csrf_ok(t, id));
	CHECK(!web_auth_csrf_ok(t, ""));
	CHECK(!web_auth_csrf_ok(t, NULL));
	CHECK(!web_auth_csrf_ok(NULL, csrf));
	/* Forged and malformed cookies. */
	CHECK(!web_auth_session(a, WEB_COOKIE_NAME "=0000000000000000000000000000000000000000000000000000000000000000"));
	CHECK(!web_auth_session(a, "x" WEB_COOKIE_NAME "=abc"));
	CHECK(!web_auth_session(a, WEB_COOKIE_NAME));
	CHECK(!web_auth_session(a, ""));
	CHECK(!web_auth_session(a, NULL));
	snprintf(cookie, sizeof(cookie), WEB_COOKIE_NAME "=%.63s", id);
	CHECK(!web_auth_session(a, cookie));
	CHECK(web_auth_sessions(a) == 1);
	/* Signed out: the same cookie gets nothing. */
	web_auth_session_end(a, id);
	snprintf(cookie, sizeof(cookie), WEB_COOKIE_NAME "=%s", id);
	CHECK(!web_auth_session(a, cookie));
	CHECK(web_auth_sessions(a) == 0);
	web_auth_destroy(a);
}

TEST(losing_the_role_ends_every_session_of_the_user)
{
	struct web_auth *a = web_auth_create();
	const struct web_session *s;
	char c1[200], c2[200], c3[200];
	REQUIRE(a);
	REQUIRE((s = web_auth_session_new(a, "7")));
	snprintf(c1, sizeof(c1), WEB_COOKIE_NAME "=%s", s->id);
	REQUIRE((s = web_auth_session_new(a, "7")));
	snprintf(c2, sizeof(c2), WEB_COOKIE_NAME "=%s", s->id);
	REQUIRE((s = web_auth_session_new(a, "8")));
	snprintf(c3, sizeof(c3), WEB_COOKIE_NAME "=%s", s->id);
	web_auth_user_end(a, "7");
	CHECK(!web_auth_session(a, c1));
	CHECK(!web_auth_session(a, c2));
	CHECK(web_auth_session(a, c3) != NULL);
	web_auth_destroy(a);
}

int main(void)
{
	RUN(signin_token_is_single_use_and_bound_to_its_user);
	RUN(signin_token_near_misses_fail);
	RUN(signin_token_expires_and_is_then_gone);
	RUN(many_links_evict_the_oldest);
	RUN(session_cookie_and_csrf);
	RUN(losing_the_role_ends_every_session_of_the_user);
	return test_summary();
}
