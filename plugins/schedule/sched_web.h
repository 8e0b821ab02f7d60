/*
 * The schedule on the web: the lobby screens' data (a public route answering
 * now and next per room, with moved/cancelled marks from schedule.changed),
 * a push when the schedule changes or the clock's slot turns, and the
 * organizer page's schedule panel (freshness and the last changes).
 */
#ifndef SCHED_WEB_H
#define SCHED_WEB_H

#include <jansson.h>
#include <stdint.h>

struct sched;
struct sched_plugin;
struct sched_web;

/* Registers the routes, panel and subscriptions (nothing on a host older
 * than ABI 1.2). Returns HW_OK or an HW_ERR_*. p->web is set. */
int sched_web_init(struct sched_plugin *p);
void sched_web_free(struct sched_web *w);

/* The screen's data at now_ms for one room (NULL: every room with a talk
 * now or within the next 24 hours); marks: {id: {"status", ...}} (may be
 * NULL). NULL with *status 404 for an unknown room. Exposed for tests. */
json_t *sched_web_screen(const struct sched *s, int64_t now_ms, const char *room,
			 const json_t *marks, int *status);


#endif
