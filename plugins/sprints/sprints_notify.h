/*
 * sprints_notify — the DMs owed after a commit (promotions from the
 * waitlist). They are queued in sprints_outbox inside the promoting
 * transaction, sent after the commit, and deleted once Discord accepted
 * them, so a crash between commit and DM means a late DM, not a lost one.
 */
#ifndef SPRINTS_NOTIFY_H
#define SPRINTS_NOTIFY_H

#include "sprints.h"

/* At load: nothing is in flight any more; send everything pending and
 * start the retry timer. */
int sprints_notify_start(sprints *s);
/* Sends queued DMs that are not in flight. */
void sprints_notify_flush(sprints *s);

#endif
