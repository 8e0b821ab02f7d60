/* The organizer page's sprint rosters (a web panel; see sprints_web.c). */
#ifndef SPRINTS_WEB_H
#define SPRINTS_WEB_H

#include <jansson.h>

#include "sprints.h"

/* Registers the panel (nothing on a host older than ABI 1.2). */
int sprints_web_init(sprints *s);
/* Inside a unit of work: the rosters as a reply model (new reference), or
 * NULL when a statement failed. */
json_t *sprints_web_rosters(sprints *s, hw_tx *tx);

#endif
