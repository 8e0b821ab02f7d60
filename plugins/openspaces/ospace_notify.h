/*
 * ospace_notify — the DMs owed after a commit (a move, a removal). They
 * are queued in openspaces_outbox inside the changing transaction, sent
 * after the commit and deleted once Discord accepted them, so a crash
 * between the commit and the DM means a late DM, never a lost one.
 */
#ifndef OSPACE_NOTIFY_H
#define OSPACE_NOTIFY_H

#include "openspaces.h"

/* At load: nothing is in flight any more; send what is pending and start
 * the retry timer. */
int ospace_notify_start(ospace *o);
/* Sends queued DMs that are not in flight. */
void ospace_notify_flush(ospace *o);

#endif
