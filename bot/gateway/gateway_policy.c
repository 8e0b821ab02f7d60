/*
 * Close-code table after Discord's documentation, "Gateway Close Event
 * Codes" (discord.com/developers/docs/topics/opcodes-and-status-codes). Codes Discord marks "reconnect: false" are fatal;
 * codes after which the session is certainly gone start a new session;
 * everything else, including codes we do not know and a drop without a
 * code, resumes (a dead session then earns op 9 false, and we IDENTIFY).
 */
#include "gateway_policy.h"

#include <stddef.h>

static const struct gateway_close_policy close_table[] = {
	{0, GATEWAY_CLOSE_RESUME, "connection lost without a close code", NULL},
	{1000, GATEWAY_CLOSE_NEW_SESSION, "normal closure (the session is gone)", NULL},
	{1001, GATEWAY_CLOSE_RESUME, "going away", NULL},
	{1006, GATEWAY_CLOSE_RESUME, "abnormal closure", NULL},
	{1011, GATEWAY_CLOSE_RESUME, "server error", NULL},
	{1012, GATEWAY_CLOSE_RESUME, "service restart", NULL},
	{1013, GATEWAY_CLOSE_RESUME, "try again later", NULL},
	{1014, GATEWAY_CLOSE_RESUME, "bad gateway", NULL},
	{4000, GATEWAY_CLOSE_RESUME, "unknown error", NULL},
	{4001, GATEWAY_CLOSE_RESUME, "unknown opcode", NULL},
	{4002, GATEWAY_CLOSE_RESUME, "decode error", NULL},
	{4003, GATEWAY_CLOSE_NEW_SESSION, "not authenticated", NULL},
	{4004, GATEWAY_CLOSE_FATAL, "authentication failed",
	 "Discord rejected the bot token (close 4004): check the token in the "
	 "environment; it may have been reset in the Developer Portal."},
	{4005, GATEWAY_CLOSE_NEW_SESSION, "already authenticated", NULL},
	{4007, GATEWAY_CLOSE_NEW_SESSION, "invalid seq", NULL},
	/* 4008: the docs say reconnect; RESUME is cheaper than IDENTIFY (which
	 * counts against the daily 1000) and falls back to it via op 9. */
	{4008, GATEWAY_CLOSE_RESUME, "rate limited", NULL},
	{4009, GATEWAY_CLOSE_NEW_SESSION, "session timed out", NULL},
	{4010, GATEWAY_CLOSE_FATAL, "invalid shard",
	 "Discord refused the shard settings (close 4010): the bot sent an "
	 "invalid shard; this is a bug in hallway or its configuration."},
	{4011, GATEWAY_CLOSE_FATAL, "sharding required",
	 "Discord requires sharding (close 4011): the bot is in too many guilds "
	 "for one connection, and hallway does not shard yet."},
	{4012, GATEWAY_CLOSE_FATAL, "invalid API version",
	 "Discord refused the gateway API version (close 4012): this hallway "
	 "build speaks a version Discord no longer accepts; upgrade hallway."},
	{4013, GATEWAY_CLOSE_FATAL, "invalid intents",
	 "Discord refused the gateway intents (close 4013): the configured "
	 "intents value contains invalid bits; fix gateway.intents in the "
	 "config."},
	{4014, GATEWAY_CLOSE_FATAL, "disallowed intents",
	 "Discord refused a privileged intent (close 4014): enable the "
	 "privileged intents the bot asks for (Message Content, Server Members, "
	 "Presence) under Bot in the Discord Developer Portal, or remove them "
	 "from gateway.intents in the config."},
};

struct gateway_close_policy gateway_policy_close(int code)
{
	struct gateway_close_policy row = {code, GATEWAY_CLOSE_RESUME, NULL, NULL};

	for (size_t i = 0; i < sizeof(close_table) / sizeof(close_table[0]); i++)
		if (close_table[i].code == code)
			return close_table[i];
	row.meaning = code >= 4000 && code < 5000 ? "unknown Discord close code"
						  : "unexpected close code";
	return row;
}

const char *gateway_policy_action_name(enum gateway_close_action a)
{
	switch (a) {
	case GATEWAY_CLOSE_RESUME:
		return "resume";
	case GATEWAY_CLOSE_NEW_SESSION:
		return "new session";
	case GATEWAY_CLOSE_FATAL:
		return "fatal";
	}
	return "?";
}

static double clamp01(double r)
{
	return r < 0 ? 0 : r >= 1 ? 0.999999 : r;
}

int64_t gateway_policy_backoff_ms(unsigned attempt, double rnd01)
{
	int64_t base = 1000;

	for (unsigned i = 0; i < attempt && base < 60000; i++)
		base *= 2;
	if (base > 60000)
		base = 60000;
	return (int64_t)((double)base * (0.8 + 0.4 * clamp01(rnd01)));
}

int64_t gateway_policy_first_heartbeat_ms(int64_t interval_ms, double rnd01)
{
	return (int64_t)((double)interval_ms * clamp01(rnd01));
}

int64_t gateway_policy_reidentify_ms(double rnd01)
{
	return 1000 + (int64_t)(4000.0 * clamp01(rnd01));
}
