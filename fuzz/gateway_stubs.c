/*
 * The parts of the daemon fuzz_gateway replaces: bot/gateway/gateway.c's socket half
 * (close, reconnect, clock), lws timers, the REST client and the plugin host.
 * Closing "reconnects" at once: the next payload is handled as the first on
 * a fresh socket, the way the real gateway would after a close.
 *
 * The REST stubs are also the target's oracle: every message the router
 * would post must carry allowed_mentions with an empty parse list (nothing
 * a stranger types may ping), and must be valid JSON a server would accept.
 */
#include "fuzz_gateway.h"
#include "console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "msgsplit.h"
#include "rest.h"
#include "takeover.h"

int64_t gateway_now_ms(void)
{
	return fuzz_gateway_clock_us() / 1000;
}

int64_t gateway_now_us(void)
{
	return fuzz_gateway_clock_us();
}

double gateway_rand01(struct gateway *g)
{
	(void)g;
	return 0.5;
}

void gateway_kick_tx(struct gateway *g)
{
	(void)g;
}

void gateway_close_local(struct gateway *g, int code, const char *reason,
			 enum gateway_close_action action)
{
	(void)code;
	(void)reason;
	if (action != GATEWAY_CLOSE_RESUME)
		gateway_drop_session(g);
	fuzz_gateway_reconnect(g);
}

/* lws timers: the target never runs a loop, so a scheduled timer never fires. */
void lws_sul_schedule(struct lws_context *ctx, int tsi, lws_sorted_usec_list_t *sul,
		      sul_cb_t cb, lws_usec_t us)
{
	(void)ctx;
	(void)tsi;
	(void)sul;
	(void)cb;
	(void)us;
}

void lws_sul_cancel(lws_sorted_usec_list_t *sul)
{
	(void)sul;
}

/* ---- REST: the oracle ---- */

static void check_body(const json_t *body)
{
	json_t *am, *parse;
	char *text;

	if (!body)
		return;
	if (!json_is_object(body))
		abort();
	text = json_dumps(body, JSON_COMPACT);
	if (!text)
		abort(); /* jansson refused to serialise: Discord would get nothing */
	free(text);
	/* A message (direct, or inside an interaction callback's data). */
	if (json_object_get(body, "data"))
		body = json_object_get(body, "data");
	if (!json_object_get(body, "content") && !json_object_get(body, "embeds"))
		return;
	am = json_object_get(body, "allowed_mentions");
	parse = json_object_get(am, "parse");
	if (!json_is_array(parse) || json_array_size(parse) != 0) {
		fprintf(stderr, "fuzz_gateway: a reply could ping: allowed_mentions missing or not empty\n");
		abort();
	}
}

uint64_t rest_request(struct rest *r, const char *method, const char *path, json_t *body,
		      rest_done_fn done, void *ud)
{
	(void)r;
	(void)method;
	(void)ud;
	if (!path || path[0] != '/')
		abort();
	check_body(body);
	json_decref(body);
	if (done)
		done(ud, 204, NULL, NULL);
	return 1;
}

uint64_t rest_request_file(struct rest *r, const char *method, const char *path,
			   json_t *payload_json, const char *filename, const void *data,
			   size_t len, rest_done_fn done, void *ud)
{
	(void)filename;
	(void)data;
	(void)len;
	return rest_request(r, method, path, payload_json, done, ud);
}

uint64_t rest_send_message(struct rest *r, const char *channel_id, const char *content,
			   const json_t *msg_template, int allow_mentions, rest_done_fn done,
			   void *ud)
{
	(void)r;
	if (!channel_id || !content || allow_mentions)
		abort(); /* no fuzz command asks for pings */
	if (msg_template && !json_is_object(msg_template))
		abort();
	/* What rest.c does with the content: sanitise, split, one JSON string
	 * per part. Every part must be valid UTF-8 of at most 2000 code points. */
	{
		size_t len, pos = 0, off, n;
		char *clean = msgsplit_sanitize(content, strlen(content), &len);
		if (!clean)
			return 0;
		while (msgsplit_next(clean, len, MSGSPLIT_DISCORD_MAX, &pos, &off, &n)) {
			json_t *part = json_stringn(clean + off, n);
			if (!part || msgsplit_count(clean + off, n) > MSGSPLIT_DISCORD_MAX)
				abort();
			json_decref(part);
		}
		free(clean);
	}
	if (done)
		done(ud, 200, NULL, NULL);
	return 1;
}

void rest_quiet_success(struct rest *r, uint64_t id)
{
	(void)r;
	(void)id;
}

void host_plugin_error(struct plugin *p, const char *what, int rc)
{
	(void)p;
	(void)what;
	(void)rc;
}

void hallway_request_stop(struct hallway *hw, int exit_code)
{
	hw->exit_code = exit_code;
	hw->signal_stop = 1;
}

/* One daemon, no lease: hw->takeover is NULL, so the router never checks
 * or records handled ids (storage/takeover.c, with PostgreSQL behind it,
 * is not linked). */
int takeover_key(char *out, size_t len, const char *kind, const char *id)
{
	(void)out;
	(void)len;
	(void)kind;
	(void)id;
	return -1;
}

int takeover_check(struct takeover *t, const char *key, takeover_check_fn fn, void *ud)
{
	(void)t;
	(void)key;
	(void)fn;
	(void)ud;
	return -1;
}

void takeover_record(struct takeover *t, const char *key)
{
	(void)t;
	(void)key;
}

/* router.c saves console files through console.c, which is not linked. */
int console_save_file(struct console *c, const char *name, const void *data, size_t len,
		      char *saved, size_t savedlen)
{
	(void)c;
	(void)name;
	(void)data;
	(void)len;
	snprintf(saved, savedlen, "no console");
	return -1;
}
