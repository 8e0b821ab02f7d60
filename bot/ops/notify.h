/*
 * systemd notifications (sd_notify, libsystemd): READY=1 after the first
 * READY from the gateway (never in the console), STATUS= lines, WATCHDOG=1
 * at half of WATCHDOG_USEC from a timer in the loop, STOPPING=1 on
 * shutdown. The watchdog pings come from the loop itself, so they stop when
 * the loop is stuck, and systemd restarts the daemon; a lost gateway
 * connection does not stop them (the daemon reconnects on its own, and
 * /healthz reports it). Built without libsystemd, every call is a no-op.
 */
#ifndef HALLWAY_NOTIFY_H
#define HALLWAY_NOTIFY_H

struct hallway;
struct notify;

/* enabled 0 (the console): an object that never notifies. Subscribes to
 * READY and RESUMED on hw->bus. Returns NULL when out of memory. */
struct notify *notify_create(struct hallway *hw, int enabled);
/* READY=1 and a STATUS= for a daemon that starts as the standby (storage
 * on PostgreSQL, the lease held by the other): started, not connected. */
void notify_standby(struct notify *n);
/* STOPPING=1 (idempotent). */
void notify_stopping(struct notify *n);
/* Cancels the watchdog timer and unsubscribes: call before bus_destroy()
 * and lws_context_destroy(). */
void notify_destroy(struct notify *n);

#endif
