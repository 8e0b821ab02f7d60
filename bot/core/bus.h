/*
 * The event bus: gateway dispatches ("MESSAGE_CREATE") and events plugins
 * publish ("schedule.changed") go to every subscriber of that type and of
 * "*", synchronously, in subscription order. Subscriptions carry an owner
 * so a plugin's are swept at unload; removal during a dispatch is safe.
 */
#ifndef HALLWAY_BUS_H
#define HALLWAY_BUS_H

#include <jansson.h>
#include <stdint.h>

struct bus;

typedef void (*bus_fn)(void *ud, const char *type, json_t *data);

struct bus *bus_create(void);
/* ud_free (may be NULL) is called with ud when the subscription goes. */
int bus_subscribe(struct bus *b, void *owner, const char *type, bus_fn fn, void *ud,
		  void (*ud_free)(void *));
/* data: borrowed. Returns the number of subscribers called. */
int bus_publish(struct bus *b, const char *type, json_t *data);
/* 1 if publishing type would call a subscriber (of type or "*") whose
 * owner is not except (NULL: any owner). */
int bus_has_subscribers(const struct bus *b, const char *type, const void *except);
void bus_remove_owner(struct bus *b, void *owner);
void bus_destroy(struct bus *b);

#endif
