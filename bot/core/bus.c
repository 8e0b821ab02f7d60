/* The event bus: a list of subscriptions, swept lazily after dispatch. */
#include "bus.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

struct sub {
	struct sub *next;
	void *owner;
	char *type;
	bus_fn fn;
	void *ud;
	void (*ud_free)(void *);
	int dead;
};

struct bus {
	struct sub *head, *tail;
	int depth;       /* nested publishes in progress */
	int need_sweep;
	uint64_t published;
};

struct bus *bus_create(void)
{
	return calloc(1, sizeof(struct bus));
}

static void sub_free(struct sub *s)
{
	if (s->ud_free)
		s->ud_free(s->ud);
	free(s->type);
	free(s);
}

static void sweep(struct bus *b)
{
	struct sub **pp = &b->head;
	b->tail = NULL;
	while (*pp) {
		struct sub *s = *pp;
		if (s->dead) {
			*pp = s->next;
			sub_free(s);
		} else {
			b->tail = s;
			pp = &s->next;
		}
	}
	b->need_sweep = 0;
}

int bus_subscribe(struct bus *b, void *owner, const char *type, bus_fn fn, void *ud,
		  void (*ud_free)(void *))
{
	struct sub *s;
	if (!b || !type || !*type || !fn)
		return -1;
	s = calloc(1, sizeof(*s));
	if (!s || !(s->type = strdup(type))) {
		free(s);
		return -1;
	}
	s->owner = owner;
	s->fn = fn;
	s->ud = ud;
	s->ud_free = ud_free;
	/* Appended at the tail: a subscription made during a publish is not
	 * called for the event being published (the loop stops at the old
	 * tail). */
	if (b->tail)
		b->tail->next = s;
	else
		b->head = s;
	b->tail = s;
	return 0;
}

int bus_publish(struct bus *b, const char *type, json_t *data)
{
	struct sub *last;
	int n = 0;
	if (!b || !type)
		return 0;
	b->published++;
	last = b->tail;
	b->depth++;
	for (struct sub *s = b->head; s; s = s->next) {
		if (!s->dead && (!strcmp(s->type, type) || !strcmp(s->type, "*"))) {
			s->fn(s->ud, type, data);
			n++;
		}
		if (s == last)
			break;
	}
	b->depth--;
	if (!b->depth && b->need_sweep)
		sweep(b);
	return n;
}

int bus_has_subscribers(const struct bus *b, const char *type, const void *except)
{
	if (!b || !type)
		return 0;
	for (const struct sub *s = b->head; s; s = s->next)
		if (!s->dead && s->owner != except &&
		    (!strcmp(s->type, type) || !strcmp(s->type, "*")))
			return 1;
	return 0;
}

void bus_remove_owner(struct bus *b, void *owner)
{
	if (!b)
		return;
	for (struct sub *s = b->head; s; s = s->next)
		if (s->owner == owner)
			s->dead = 1;
	b->need_sweep = 1;
	if (!b->depth)
		sweep(b);
}

void bus_destroy(struct bus *b)
{
	if (!b)
		return;
	for (struct sub *s = b->head; s; s = s->next)
		s->dead = 1;
	sweep(b);
	free(b);
}
