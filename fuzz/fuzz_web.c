/*
 * The web server's parsers: a Cookie header (the session cookie, looked up
 * in constant time), a sign-in token, and a query string as the schedule's
 * screen route reads it (bot/web/web_auth.c, plugins/schedule/sched_web.c).
 * Input: cookie header, token and query separated by '\n'.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sched_web.h"
#include "web_auth.h"
#include <hallway/web.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct web_auth *a;
	char *buf = malloc(size + 1), *parts[3] = {"", "", ""}, *p, user[32], id[128], out[200];
	const struct web_session *s;
	size_t n = 0;
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (!a) {
		char tok[WEB_SECRET_HEX + 1];
		a = web_auth_create();
		web_auth_session_new(a, "1000000000000001000");
		web_auth_signin_new(a, "1000000000000001000", 0, tok);
	}
	for (p = buf; n < 3; n++) {
		char *nl = strchr(p, '\n');
		parts[n] = p;
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	web_auth_cookie_value(parts[0], id, sizeof(id));
	if ((s = web_auth_session(a, parts[0])))
		web_auth_csrf_ok(s, parts[1]);
	if (!web_auth_signin_take(a, parts[1], user))
		abort(); /* a guessed token must never sign in */
	hw_web_query_arg(parts[2], "room", out, sizeof(out));
	hw_web_query_arg(parts[2], "", out, 1);
	free(buf);
	return 0;
}
