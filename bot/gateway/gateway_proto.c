/*
 * Gateway payloads: HELLO and the heartbeat timer (jittered first beat,
 * zombie detection), IDENTIFY and RESUME, op 1/7/9/11, and dispatches with
 * the per-session seq filter. Everything from the network is validated: a
 * payload jansson refuses is repaired if it can be, else skipped with its
 * seq recorded (never a resume: the server would replay it), a well-formed
 * payload of the wrong shape is logged and ignored. IDENTIFY and RESUME carry the token and are never
 * logged.
 */
#include "gateway_int.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

#define HB_INTERVAL_MIN_MS 10
#define HB_INTERVAL_MAX_MS 600000

static int queue_kind(struct gateway *g, json_t *payload, enum gateway_prio prio, int kind);

int gateway_proto_queue(struct gateway *g, json_t *payload, enum gateway_prio prio)
{
	return queue_kind(g, payload, prio, GATEWAY_FRAME_OTHER);
}

static int queue_kind(struct gateway *g, json_t *payload, enum gateway_prio prio, int kind)
{
	char *text;
	size_t len;
	int rc;

	if (!payload)
		return GATEWAY_LIMITER_ENOMEM;
	text = json_dumps(payload, JSON_COMPACT);
	json_decref(payload);
	if (!text)
		return GATEWAY_LIMITER_ENOMEM;
	len = strlen(text);
	rc = gateway_limiter_push_kind(g->tx, prio, kind, text, len);
	/* IDENTIFY and RESUME hold the token: do not leave it in freed memory. */
	memset(text, 0, len);
	free(text);
	if (!rc)
		gateway_kick_tx(g);
	return rc;
}

static void send_heartbeat(struct gateway *g)
{
	json_t *hb = json_pack("{s:i, s:o}", "op", 1,
			       "d", g->seq >= 0 ? json_integer(g->seq) : json_null());

	if (queue_kind(g, hb, GATEWAY_PRIO_CONTROL, GATEWAY_FRAME_HEARTBEAT)) {
		LOGW(GATEWAY_LOG, "cannot queue a heartbeat");
		return;
	}
	g->ack_pending = 1;
	g->hb_sent_us = 0; /* set when the frame is written (gateway_proto_written) */
	g->hb_queued_us = gateway_now_us();
}

void gateway_proto_written(struct gateway *g, int kind)
{
	if (kind == GATEWAY_FRAME_HEARTBEAT)
		g->hb_sent_us = gateway_now_us();
}

static void heartbeat_timer(lws_sorted_usec_list_t *sul)
{
	struct gateway *g = lws_container_of(sul, struct gateway, sul_hb);
	int64_t now = gateway_now_ms(), late = now - g->hb_due_ms;

	if (!g->wsi || g->state == GW_CLOSING || g->hb_interval_ms <= 0)
		return;
	if (late > 50)
		LOGW(GATEWAY_LOG, "heartbeat timer fired %lld ms late", (long long)late);
	if (g->ack_pending) {
		/* The ACK gets a full interval from when the heartbeat was written,
		 * not from when the timer meant it to go: after a stall (a late
		 * timer, a heartbeat still queued) wait that interval out instead
		 * of calling a healthy connection a zombie. */
		/* A heartbeat that never reached the socket counts from when it
		 * was queued: a connection that cannot even take it is dead. */
		int64_t sent_ms = (g->hb_sent_us ? g->hb_sent_us : g->hb_queued_us) / 1000;
		if (now - sent_ms < g->hb_interval_ms) {
			g->hb_due_ms = sent_ms + g->hb_interval_ms;
			lws_sul_schedule(g->lws, 0, &g->sul_hb, heartbeat_timer,
					 (lws_usec_t)(g->hb_due_ms - now) * LWS_US_PER_MS);
			return;
		}
		g->stats.zombies++;
		LOGW(GATEWAY_LOG,
		     "zombie connection: no heartbeat ACK within %lld ms; closing with 4000 "
		     "to resume",
		     (long long)(now - sent_ms));
		gateway_close_local(g, 4000, "heartbeat ACK missing", GATEWAY_CLOSE_RESUME);
		return;
	}
	LOGD(GATEWAY_LOG, "heartbeat (seq %lld), timer %lld ms late", (long long)g->seq,
	     (long long)late);
	send_heartbeat(g);
	/* Stay on the interval grid so lateness does not accumulate; after a
	 * stall longer than an interval, start a new grid from this beat. */
	g->hb_due_ms += g->hb_interval_ms;
	if (g->hb_due_ms <= now)
		g->hb_due_ms = now + g->hb_interval_ms;
	lws_sul_schedule(g->lws, 0, &g->sul_hb, heartbeat_timer,
			 (lws_usec_t)(g->hb_due_ms - now) * LWS_US_PER_MS);
}

void gateway_proto_reset(struct gateway *g)
{
	lws_sul_cancel(&g->sul_hb);
	g->ack_pending = 0;
	g->hb_interval_ms = 0;
}

static void send_identify(struct gateway *g)
{
	int lt = g->large_threshold;
	json_t *p;

	if (lt < 50 || lt > 250)
		lt = 250;
	p = json_pack("{s:i, s:{s:s, s:I, s:{s:s, s:s, s:s}, s:b, s:i}}", "op", 2, "d", "token",
		      g->token, "intents", (json_int_t)g->intents, "properties", "os", "linux",
		      "browser", "hallway", "device", "hallway", "compress", 0,
		      "large_threshold", lt);
	if (gateway_proto_queue(g, p, GATEWAY_PRIO_CONTROL)) {
		LOGE(GATEWAY_LOG, "cannot queue IDENTIFY; reconnecting");
		gateway_close_local(g, 4000, "identify failed", GATEWAY_CLOSE_NEW_SESSION);
		return;
	}
	g->state = GW_IDENTIFYING;
	g->identify_ms = gateway_now_ms();
	g->stats.identifies++;
	LOGI(GATEWAY_LOG, "identifying (intents %u)", (unsigned)g->intents);
}

static void send_resume(struct gateway *g)
{
	json_t *p = json_pack("{s:i, s:{s:s, s:s, s:I}}", "op", 6, "d", "token", g->token,
			      "session_id", g->session_id, "seq",
			      (json_int_t)(g->seq >= 0 ? g->seq : 0));

	if (gateway_proto_queue(g, p, GATEWAY_PRIO_CONTROL)) {
		LOGE(GATEWAY_LOG, "cannot queue RESUME; reconnecting");
		gateway_close_local(g, 4000, "resume failed", GATEWAY_CLOSE_RESUME);
		return;
	}
	g->state = GW_RESUMING;
	g->replayed = 0;
	g->stats.resumes++;
	LOGI(GATEWAY_LOG, "resuming session at seq %lld", (long long)g->seq);
}

static void on_hello(struct gateway *g, json_t *d)
{
	json_t *hi = json_object_get(d, "heartbeat_interval");
	json_int_t ms;
	int64_t first;

	if (!json_is_integer(hi) || (ms = json_integer_value(hi)) < HB_INTERVAL_MIN_MS ||
	    ms > HB_INTERVAL_MAX_MS) {
		LOGW(GATEWAY_LOG, "HELLO without a usable heartbeat_interval; reconnecting");
		gateway_close_local(g, 4000, "bad hello", GATEWAY_CLOSE_RESUME);
		return;
	}
	g->hb_interval_ms = ms;
	g->stats.heartbeat_interval_ms = ms;
	/* Keep room in every 60 s window for the heartbeats it will hold, plus
	 * IDENTIFY/RESUME and a few server-requested beats. */
	gateway_limiter_set_reserve(g->tx, (int)((60000 + ms - 1) / ms) + 3);
	g->ack_pending = 0;
	first = gateway_policy_first_heartbeat_ms(ms, gateway_rand01(g));
	g->hb_due_ms = gateway_now_ms() + first;
	lws_sul_schedule(g->lws, 0, &g->sul_hb, heartbeat_timer,
			 (lws_usec_t)first * LWS_US_PER_MS);
	if (g->state != GW_HELLO_WAIT) {
		LOGW(GATEWAY_LOG, "second HELLO on one socket; heartbeat restarted");
		return;
	}
	LOGD(GATEWAY_LOG, "HELLO: heartbeat every %lld ms, first in %lld ms", (long long)ms,
	     (long long)first);
	if (g->session_id)
		send_resume(g);
	else
		send_identify(g);
}

/* Pure helpers the fuzz target uses as they are (fuzz/gateway_stubs.c
 * replaces only the lws half, gateway.c). */
const char *gateway_clean(char *dst, size_t cap, const char *src, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len && n + 1 < cap; i++)
		dst[n++] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f ? '?' : src[i];
	dst[n] = '\0';
	return dst;
}

void gateway_drop_session(struct gateway *g)
{
	free(g->session_id);
	free(g->resume_url);
	g->session_id = NULL;
	g->resume_url = NULL;
	g->seq = -1;
}

void gateway_note_dispatch(struct gateway *g)
{
	if (g->state == GW_RESUMING)
		g->replayed++;
	else if (g->ready_ms)
		g->live++;
	g->stats.dispatches++;
}

static void became_ready(struct gateway *g)
{
	g->state = GW_READY;
	g->stats.ready = 1;
	g->ready_ms = gateway_now_ms();
	g->retry_at_ready = g->retry;
	g->retry = 0;
	g->live = 0;
	gateway_kick_tx(g); /* NORMAL frames may go now */
}

static void on_ready(struct gateway *g, json_t *d)
{
	const char *sid = json_string_value(json_object_get(d, "session_id"));
	const char *rurl = json_string_value(json_object_get(d, "resume_gateway_url"));
	const char *user = json_string_value(json_object_get(json_object_get(d, "user"),
							     "username"));
	json_t *guilds = json_object_get(d, "guilds");
	char clean[64];

	free(g->session_id);
	free(g->resume_url);
	g->session_id = sid && sid[0] && strlen(sid) < 256 ? strdup(sid) : NULL;
	g->resume_url = rurl && rurl[0] && strlen(rurl) < 1024 ? strdup(rurl) : NULL;
	if (!g->session_id)
		LOGW(GATEWAY_LOG, "READY without a session_id: this session cannot be resumed");
	became_ready(g);
	LOGI(GATEWAY_LOG, "READY as %s in %zu guilds",
	     user ? gateway_clean(clean, sizeof(clean), user, strlen(user)) : "(unknown user)",
	     json_is_array(guilds) ? json_array_size(guilds) : (size_t)0);
}

static void on_dispatch(struct gateway *g, json_t *root, json_t *d)
{
	json_t *jt = json_object_get(root, "t"), *js = json_object_get(root, "s");
	const char *type = json_string_value(jt);
	int64_t seq;

	if (!type || !json_is_integer(js)) {
		LOGW(GATEWAY_LOG, "dispatch without a string t and an integer s; ignored");
		return;
	}
	seq = json_integer_value(js);
	if (seq <= g->seq) {
		LOGD(GATEWAY_LOG, "dispatch seq %lld already seen (last %lld); dropped",
		     (long long)seq, (long long)g->seq);
		return;
	}
	g->seq = seq;
	if (!strcmp(type, "READY")) {
		on_ready(g, d);
		g->stats.dispatches++;
	} else if (!strcmp(type, "RESUMED")) {
		became_ready(g);
		LOGI(GATEWAY_LOG, "resumed (replayed %llu events)", (unsigned long long)g->replayed);
		g->stats.dispatches++;
	} else {
		gateway_note_dispatch(g);
	}
	if (g->cb.dispatch)
		g->cb.dispatch(g->cb.ud, type, d ? d : json_null(), seq);
}

static void on_invalid_session(struct gateway *g, json_t *d)
{
	if (json_is_true(d) && g->session_id) {
		LOGW(GATEWAY_LOG, "invalid session (op 9, resumable); reconnecting to resume");
		gateway_close_local(g, 4000, "invalid session", GATEWAY_CLOSE_RESUME);
		return;
	}
	gateway_drop_session(g);
	g->min_delay_ms = gateway_policy_reidentify_ms(gateway_rand01(g));
	LOGW(GATEWAY_LOG, "invalid session (op 9); new session in at least %lld ms",
	     (long long)g->min_delay_ms);
	gateway_close_local(g, 4000, "invalid session", GATEWAY_CLOSE_NEW_SESSION);
}

/* What a GATEWAY_WANT_LEAN dispatch is parsed without: d's lists that grow
 * with the guild's members. */
static const char *const lean_drop[] = {"members", "presences", NULL};

/* Most dispatches are chatter nobody reads: when the pre-scan vouches for
 * the payload and the owner does not want it, account for it exactly as
 * on_dispatch would (seq filter, seq, replay count, stats) without building
 * a jansson tree. Returns 1 if the payload was dealt with here; else *lean
 * is what the owner wants of it (GATEWAY_WANT_LEAN, GATEWAY_WANT_FIELDS,
 * or 0: all of it). */
static int skip_unwanted(struct gateway *g, const char *text, size_t len, int *lean)
{
	struct gateway_scan sc;
	int want;

	if (!g->cb.wants || gateway_scan(text, len, &sc) != GATEWAY_SCAN_OK || sc.op != 0 ||
	    !sc.has_t || !sc.has_s || !strcmp(sc.t, "READY") || !strcmp(sc.t, "RESUMED"))
		return 0;
	if (sc.s <= g->seq) {
		LOGD(GATEWAY_LOG, "dispatch seq %lld already seen (last %lld); dropped",
		     (long long)sc.s, (long long)g->seq);
		return 1;
	}
	if ((want = g->cb.wants(g->cb.ud, &sc))) {
		*lean = want == GATEWAY_WANT_LEAN || want == GATEWAY_WANT_FIELDS ? want : 0;
		return 0;
	}
	g->seq = sc.s;
	gateway_note_dispatch(g);
	g->stats.skipped++;
	LOGD(GATEWAY_LOG, "dispatch %lld (%s) not wanted: not parsed", (long long)sc.s, sc.t);
	if (g->cb.skipped)
		g->cb.skipped(g->cb.ud, sc.t, sc.s);
	return 1;
}

/* A payload jansson refuses (a lone surrogate escape, an integer beyond 64
 * bits such as a 25-digit nonce). Closing and resuming would only have the
 * server replay it: a loop that left the bot deaf. So first repair what can
 * be repaired without losing the event (gateway_scan_repair); what cannot
 * is skipped for good, its sequence number recorded like any dispatch's,
 * so that neither a later RESUME nor the heartbeat asks for it again. A
 * stream that is broken as a whole still gets a new socket: heartbeat ACKs
 * stop making sense and the zombie check closes it. Returns a new
 * reference, or NULL when the payload was skipped. */
static json_t *parse_damaged(struct gateway *g, const char *text, size_t len,
			     const json_error_t *err)
{
	json_error_t err2;
	json_t *root = NULL;
	char why[JSON_ERROR_TEXT_LENGTH], *fixed;
	size_t fixed_len;
	int64_t op, seq;

	gateway_clean(why, sizeof(why), err->text, strlen(err->text));
	fixed = gateway_scan_repair(text, len, &fixed_len);
	if (fixed)
		root = json_loadb(fixed, fixed_len, JSON_ALLOW_NUL, &err2);
	free(fixed);
	if (root) {
		g->stats.repaired++;
		LOGW(GATEWAY_LOG, "payload repaired (%s, byte %d): lone surrogates and bytes that "
		     "are not UTF-8 read as U+FFFD, numbers beyond 64 bits as strings", why,
		     err->position);
		return root;
	}
	g->stats.unparseable++;
	if (gateway_scan_seq(text, len, &op, &seq) != GATEWAY_SCAN_OK || op != 0) {
		LOGE(GATEWAY_LOG, "unparseable payload skipped (%s, byte %d); no sequence number "
		     "in it", why, err->position);
		return NULL;
	}
	if (seq <= g->seq) {
		LOGD(GATEWAY_LOG, "unparseable dispatch seq %lld already seen (last %lld); dropped",
		     (long long)seq, (long long)g->seq);
		return NULL;
	}
	g->seq = seq;
	gateway_note_dispatch(g);
	LOGE(GATEWAY_LOG, "unparseable dispatch seq %lld skipped (%s, byte %d); seq recorded, "
	     "no resume", (long long)seq, why, err->position);
	return NULL;
}

void gateway_proto_handle(struct gateway *g, const char *text, size_t len)
{
	json_error_t err;
	json_t *root = NULL, *jop, *d;
	int lean = 0;

	if (skip_unwanted(g, text, len, &lean))
		return;
	if (lean == GATEWAY_WANT_LEAN)
		root = gateway_scan_load_lean(text, len, lean_drop);
	else if (lean == GATEWAY_WANT_FIELDS && g->cb.fields)
		root = gateway_scan_load_kept(text, len, g->cb.fields);
	/* JSON_ALLOW_NUL: "\u0000" is valid JSON and anyone can type it into a
	 * message. Rejected, the payload would close the socket, the server
	 * would replay it on RESUME, and the bot would loop on it forever.
	 * Readers see such strings cut at the NUL (json_string_value). */
	if (!root)
		root = json_fast_loadb(text, len, JSON_ALLOW_NUL, &err);
	if (!root && !(root = parse_damaged(g, text, len, &err)))
		return;
	jop = json_object_get(root, "op");
	if (!json_is_object(root) || !json_is_integer(jop)) {
		LOGW(GATEWAY_LOG, "payload without an integer op; ignored");
		goto out;
	}
	d = json_object_get(root, "d");
	switch (json_integer_value(jop)) {
	case 0:
		on_dispatch(g, root, d);
		break;
	case 1:
		LOGD(GATEWAY_LOG, "server asked for a heartbeat");
		if (g->state != GW_CLOSING)
			send_heartbeat(g);
		break;
	case 7:
		LOGI(GATEWAY_LOG, "server asked us to reconnect (op 7); resuming");
		gateway_close_local(g, 4000, "reconnect requested", GATEWAY_CLOSE_RESUME);
		break;
	case 9:
		on_invalid_session(g, d);
		break;
	case 10:
		if (!json_is_object(d)) {
			LOGW(GATEWAY_LOG, "HELLO without an object d; reconnecting");
			gateway_close_local(g, 4000, "bad hello", GATEWAY_CLOSE_RESUME);
			break;
		}
		on_hello(g, d);
		break;
	case 11: {
		int64_t now = gateway_now_us();

		g->ack_pending = 0;
		g->stats.last_ack_ms = now / 1000;
		if (g->hb_sent_us)
			g->stats.last_rtt_ms = (double)(now - g->hb_sent_us) / 1000.0;
		break;
	}
	default:
		LOGD(GATEWAY_LOG, "unknown op %lld ignored", (long long)json_integer_value(jop));
		break;
	}
out:
	json_decref(root);
}
