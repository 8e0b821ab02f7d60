/*
 * sd_notify glue. Messages are fixed texts or numbers; the one piece of
 * outside text (the bot's user name, for STATUS=) is cleaned of control
 * characters and passed as an argument, never as the format.
 */
#include "notify.h"

#include <jansson.h>
#include <libwebsockets.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "hallway.h"
#include "log.h"

#ifdef HALLWAY_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

struct notify {
	struct hallway *hw;
	int enabled;
	int ready_sent;
	int stopping_sent;
	uint64_t watchdog_us;   /* ping period (half of WATCHDOG_USEC), 0 = off */
	lws_sorted_usec_list_t watchdog_sul;
};

#ifdef HALLWAY_HAVE_SYSTEMD

static void send_state(struct notify *n, const char *state)
{
	int rc = sd_notify(0, state);
	if (rc < 0)
		LOGW("notify", "sd_notify failed: %s", strerror(-rc));
}

static void watchdog(lws_sorted_usec_list_t *sul)
{
	struct notify *n = lws_container_of(sul, struct notify, watchdog_sul);
	send_state(n, "WATCHDOG=1");
	lws_sul_schedule(n->hw->lws, 0, &n->watchdog_sul, watchdog, (lws_usec_t)n->watchdog_us);
}

static void start_watchdog(struct notify *n)
{
	uint64_t usec = 0;
	if (sd_watchdog_enabled(0, &usec) <= 0 || !usec || !n->hw->lws)
		return;
	n->watchdog_us = usec / 2;
	LOGI("notify", "systemd watchdog: pinging every %.1f s", n->watchdog_us / 1e6);
	lws_sul_schedule(n->hw->lws, 0, &n->watchdog_sul, watchdog, 1);
}

#else

static void send_state(struct notify *n, const char *state)
{
	(void)n;
	(void)state;
}

static void start_watchdog(struct notify *n)
{
	(void)n;
}

#endif

static void send_status(struct notify *n, const char *what, const char *user)
{
	char clean[64], msg[160];
	size_t i;
	snprintf(clean, sizeof(clean), "%s", user ? user : "?");
	for (i = 0; clean[i]; i++)
		if ((unsigned char)clean[i] < 0x20 || clean[i] == 0x7f)
			clean[i] = ' ';
	snprintf(msg, sizeof(msg), "STATUS=%s as %s", what, clean);
	send_state(n, msg);
}

static void on_ready(void *ud, const char *type, json_t *d)
{
	struct notify *n = ud;
	const char *user = json_string_value(json_object_get(json_object_get(d, "user"), "username"));
	if (!n->enabled)
		return;
	if (!strcmp(type, "READY") && !n->ready_sent) {
		n->ready_sent = 1;
		send_state(n, "READY=1");
	}
	send_status(n, !strcmp(type, "READY") ? "connected (READY)" : "connected (RESUMED)",
		    user ? user : n->hw->self_user_id);
}

struct notify *notify_create(struct hallway *hw, int enabled)
{
	struct notify *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->hw = hw;
	n->enabled = enabled;
	if (!enabled)
		return n;
	if (hw->bus && (bus_subscribe(hw->bus, n, "READY", on_ready, n, NULL) ||
			bus_subscribe(hw->bus, n, "RESUMED", on_ready, n, NULL))) {
		bus_remove_owner(hw->bus, n);
		free(n);
		return NULL;
	}
	send_state(n, "STATUS=starting: connecting to Discord");
	start_watchdog(n);
	return n;
}

void notify_standby(struct notify *n)
{
	if (!n || !n->enabled || n->ready_sent)
		return;
	n->ready_sent = 1; /* started: a standby never sees a READY of its own */
	send_state(n, "READY=1\nSTATUS=standby: another daemon holds the lease");
}

void notify_stopping(struct notify *n)
{
	if (!n || !n->enabled || n->stopping_sent)
		return;
	n->stopping_sent = 1;
	send_state(n, "STOPPING=1\nSTATUS=stopping: finishing queued sends");
}

void notify_destroy(struct notify *n)
{
	if (!n)
		return;
	if (n->watchdog_us)
		lws_sul_cancel(&n->watchdog_sul);
	if (n->enabled && n->hw->bus)
		bus_remove_owner(n->hw->bus, n);
	free(n);
}
