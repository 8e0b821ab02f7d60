/*
 * Gateway policy as data: what a close code means and what to do about it,
 * the reconnect backoff, and the heartbeat and re-identify jitter. Pure: the
 * random numbers are passed in, so every decision is unit-testable.
 */
#ifndef HALLWAY_GATEWAY_POLICY_H
#define HALLWAY_GATEWAY_POLICY_H

#include <stdint.h>

enum gateway_close_action {
	GATEWAY_CLOSE_RESUME,      /* reconnect and RESUME the session */
	GATEWAY_CLOSE_NEW_SESSION, /* drop the session, reconnect and IDENTIFY */
	GATEWAY_CLOSE_FATAL,       /* stop for good; tell the owner */
};

struct gateway_close_policy {
	int code;
	enum gateway_close_action action;
	const char *meaning; /* short, for logs */
	const char *why;     /* a sentence for the bot owner; fatal codes only */
};

/* The row for a close code received from the server (by value; its strings
 * are static). Code 0 means the socket closed without a close code (TCP
 * drop, failed handshake). Unknown codes resume. */
struct gateway_close_policy gateway_policy_close(int code);

const char *gateway_policy_action_name(enum gateway_close_action a);

/* Reconnect delay before attempt number attempt (0 = first retry):
 * 1 s, 2 s, 4 s ... capped at 60 s, then scaled by 0.8 + 0.4 * rnd01
 * (rnd01 in [0,1)), so ±20 %. */
int64_t gateway_policy_backoff_ms(unsigned attempt, double rnd01);

/* First heartbeat after HELLO: interval * rnd01. */
int64_t gateway_policy_first_heartbeat_ms(int64_t interval_ms, double rnd01);

/* Wait before IDENTIFY after op 9 (d false): 1000 + 4000 * rnd01 ms. */
int64_t gateway_policy_reidentify_ms(double rnd01);

#endif
