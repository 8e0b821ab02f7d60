/*
 * ospace_remind — starting-soon DMs for open spaces and meetups
 * (plugins.openspaces.remind_minutes before; 0 turns them off), to the
 * host and everyone who joined, through the outbox. See ospace_remind.c.
 */
#ifndef OSPACE_REMIND_H
#define OSPACE_REMIND_H

#include <stdint.h>

#include "openspaces.h"

/* Starts the minute timer (nothing when reminders are off). */
int ospace_remind_start(ospace *o);
void ospace_remind_stop(ospace *o);
/* One pass as a unit of work at the host's time: queues the DMs due and
 * marks them sent in one transaction, then flushes the outbox. */
int ospace_remind_tick(ospace *o);

#endif
