/*
 * ospace_board — the configured grid. See ospace_board.h.
 */
#include "ospace_board.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/civil.h>
#include <hallway/text.h>

#define OSPACE_DEFAULT_SLOT_MINUTES 60

void ospace_board_free(ospace_board *b)
{
	size_t i;
	for (i = 0; i < b->nrooms; i++) {
		free(b->rooms[i].name);
		free(b->rooms[i].fold);
	}
	free(b->rooms);
	free(b->days);
	free(b->slots);
	free(b->held);
	memset(b, 0, sizeof(*b));
}

int ospace_board_hhmm(const char *s)
{
	int h = 0, m = 0, i = 0;
	if (!s)
		return -1;
	while (s[i] >= '0' && s[i] <= '9' && i < 2)
		h = h * 10 + (s[i++] - '0');
	if (i == 0 || s[i] != ':')
		return -1;
	s += i + 1;
	if (!(s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9') || s[2])
		return -1;
	m = (s[0] - '0') * 10 + (s[1] - '0');
	if (h > 23 || m > 59)
		return -1;
	return h * 60 + m;
}

void ospace_board_fmt(int minutes, char *buf)
{
	unsigned h = (unsigned)(minutes / 60) % 24u, m = (unsigned)minutes % 60u;
	buf[0] = (char)('0' + h / 10);
	buf[1] = (char)('0' + h % 10);
	buf[2] = ':';
	buf[3] = (char)('0' + m / 10);
	buf[4] = (char)('0' + m % 10);
	buf[5] = 0;
}

long ospace_board_day(const ospace_board *b, const char *day)
{
	size_t i;
	for (i = 0; day && i < b->ndays; i++)
		if (!strcmp(b->days[i], day))
			return (long)i;
	return -1;
}

long ospace_board_slot(const ospace_board *b, int minutes)
{
	size_t i;
	for (i = 0; i < b->nslots; i++)
		if (b->slots[i] == minutes)
			return (long)i;
	return -1;
}

long ospace_board_room(const ospace_board *b, const char *typed)
{
	char *f = typed ? hw_fold(typed) : NULL;
	long hit = -1;
	size_t i;
	for (i = 0; f && *f && i < b->nrooms; i++)
		if (!strcmp(b->rooms[i].fold, f)) {
			hit = (long)i;
			break;
		}
	free(f);
	return hit;
}

int ospace_board_is_held(const ospace_board *b, size_t day, size_t slot, size_t room)
{
	size_t i;
	for (i = 0; i < b->nheld; i++)
		if (b->held[i].day == day && b->held[i].slot == slot &&
		    (b->held[i].room < 0 || (size_t)b->held[i].room == room))
			return 1;
	return 0;
}

int64_t ospace_board_days(const ospace_board *b, size_t day)
{
	const char *d = b->days[day];
	return hw_civil_days(atoi(d), atoi(d + 5), atoi(d + 8));
}

int ospace_board_wday(const ospace_board *b, size_t day)
{
	/* 1970-01-01 was a Thursday (4). */
	int64_t w = (ospace_board_days(b, day) + 4) % 7;
	return (int)(w < 0 ? w + 7 : w);
}

static int ospace_board_cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static int ospace_board_rooms(const json_t *v, ospace_board *b, char *err, size_t len)
{
	size_t i, k;
	json_t *r;
	if (!json_is_array(v) || !json_array_size(v)) {
		snprintf(err, len, "rooms: give at least one room, e.g. [{\"name\": \"Room A\"}]");
		return -1;
	}
	if (json_array_size(v) > OSPACE_MAX_ROOMS) {
		snprintf(err, len, "rooms: at most %d", OSPACE_MAX_ROOMS);
		return -1;
	}
	b->rooms = calloc(json_array_size(v), sizeof(*b->rooms));
	if (!b->rooms)
		goto oom;
	json_array_foreach(v, i, r) {
		const char *name = json_string_value(json_object_get(r, "name"));
		json_t *cap = json_object_get(r, "capacity");
		ospace_room *room = &b->rooms[b->nrooms];
		if (!name || !*name) {
			snprintf(err, len, "rooms[%zu]: a room needs a name", i);
			return -1;
		}
		room->name = strdup(name);
		room->fold = hw_fold(name);
		b->nrooms++;
		if (!room->name || !room->fold)
			goto oom;
		if (!*room->fold) {
			snprintf(err, len, "rooms[%zu]: the name has no letters or digits", i);
			return -1;
		}
		for (k = 0; k + 1 < b->nrooms; k++)
			if (!strcmp(b->rooms[k].fold, room->fold)) {
				snprintf(err, len, "rooms[%zu]: \"%.60s\" is listed twice", i, name);
				return -1;
			}
		room->capacity = json_is_integer(cap) && json_integer_value(cap) > 0
					 ? json_integer_value(cap) : 0;
	}
	return 0;
oom:
	snprintf(err, len, "out of memory");
	return -1;
}

static int ospace_board_days_read(const json_t *v, ospace_board *b, char *err, size_t len)
{
	size_t i;
	json_t *d;
	if (!json_is_array(v) || !json_array_size(v) || json_array_size(v) > OSPACE_MAX_DAYS) {
		snprintf(err, len, "days: give 1 to %d dates as YYYY-MM-DD", OSPACE_MAX_DAYS);
		return -1;
	}
	b->days = calloc(json_array_size(v), sizeof(*b->days));
	if (!b->days) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	json_array_foreach(v, i, d) {
		const char *s = json_string_value(d);
		int64_t local;
		int date_only = 0;
		if (!s || strlen(s) != 10 || hw_civil_parse(s, &local, NULL, NULL, &date_only) ||
		    !date_only) {
			snprintf(err, len, "days[%zu]: not a date as YYYY-MM-DD", i);
			return -1;
		}
		if (ospace_board_day(b, s) >= 0) {
			snprintf(err, len, "days[%zu]: %s is listed twice", i, s);
			return -1;
		}
		memcpy(b->days[b->ndays++], s, 11);
	}
	return 0;
}

static int ospace_board_time(const json_t *cfg, const char *key, const char *def, char *err,
			     size_t len)
{
	const json_t *v = json_object_get(cfg, key);
	int m = ospace_board_hhmm(v ? json_string_value(v) : def);
	if (m < 0)
		snprintf(err, len, "%s: not a time as HH:MM", key);
	return m;
}

static int ospace_board_slots(const json_t *cfg, ospace_board *b, char *err, size_t len)
{
	const json_t *list = json_object_get(cfg, "slots"), *v;
	size_t i, n;
	int start, end, t;
	b->slots = calloc(OSPACE_MAX_SLOTS, sizeof(*b->slots));
	if (!b->slots) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	if (list) {
		if (!json_is_array(list) || !json_array_size(list) ||
		    json_array_size(list) > OSPACE_MAX_SLOTS) {
			snprintf(err, len, "slots: give 1 to %d start times as HH:MM", OSPACE_MAX_SLOTS);
			return -1;
		}
		json_array_foreach(list, i, v) {
			t = ospace_board_hhmm(json_string_value(v));
			if (t < 0) {
				snprintf(err, len, "slots[%zu]: not a time as HH:MM", i);
				return -1;
			}
			if (ospace_board_slot(b, t) >= 0) {
				snprintf(err, len, "slots[%zu]: listed twice", i);
				return -1;
			}
			b->slots[b->nslots++] = t;
		}
		qsort(b->slots, b->nslots, sizeof(*b->slots), ospace_board_cmp_int);
		for (n = 1; n < b->nslots; n++)
			if (b->slots[n] - b->slots[n - 1] < b->slot_minutes) {
				snprintf(err, len, "slots: start times closer than slot_minutes (%d)",
					 b->slot_minutes);
				return -1;
			}
		return 0;
	}
	if ((start = ospace_board_time(cfg, "start", "10:00", err, len)) < 0 ||
	    (end = ospace_board_time(cfg, "end", "18:00", err, len)) < 0)
		return -1;
	for (t = start; t + b->slot_minutes <= end && b->nslots < OSPACE_MAX_SLOTS;
	     t += b->slot_minutes)
		b->slots[b->nslots++] = t;
	if (!b->nslots) {
		snprintf(err, len, "end: no %d-minute slot fits between start and end",
			 b->slot_minutes);
		return -1;
	}
	return 0;
}

static int ospace_board_held_read(const json_t *v, ospace_board *b, char *err, size_t len)
{
	size_t i;
	json_t *h;
	if (!v)
		return 0;
	b->held = calloc(json_array_size(v) ? json_array_size(v) : 1, sizeof(*b->held));
	if (!b->held) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	json_array_foreach(v, i, h) {
		const char *room = json_string_value(json_object_get(h, "room"));
		long day = ospace_board_day(b, json_string_value(json_object_get(h, "day")));
		long slot = ospace_board_slot(
			b, ospace_board_hhmm(json_string_value(json_object_get(h, "slot"))));
		long r = room ? ospace_board_room(b, room) : -1;
		if (day < 0 || slot < 0 || (room && r < 0)) {
			snprintf(err, len, "held[%zu]: %s is not on the board", i,
				 day < 0 ? "the day" : slot < 0 ? "the slot" : "the room");
			return -1;
		}
		b->held[b->nheld].day = (size_t)day;
		b->held[b->nheld].slot = (size_t)slot;
		b->held[b->nheld].room = r;
		b->nheld++;
	}
	return 0;
}

int ospace_board_parse(const json_t *cfg, ospace_board *b, char *err, size_t len)
{
	const json_t *sm = json_object_get(cfg, "slot_minutes");
	ospace_board nb;
	memset(&nb, 0, sizeof(nb));
	nb.slot_minutes = json_is_integer(sm) ? (int)json_integer_value(sm)
					      : OSPACE_DEFAULT_SLOT_MINUTES;
	if (nb.slot_minutes < 5 || nb.slot_minutes > 24 * 60) {
		snprintf(err, len, "slot_minutes: 5 to 1440");
		goto fail;
	}
	if (ospace_board_rooms(json_object_get(cfg, "rooms"), &nb, err, len) ||
	    ospace_board_days_read(json_object_get(cfg, "days"), &nb, err, len) ||
	    ospace_board_slots(cfg, &nb, err, len) ||
	    ospace_board_held_read(json_object_get(cfg, "held"), &nb, err, len))
		goto fail;
	*b = nb;
	return 0;
fail:
	ospace_board_free(&nb);
	return -1;
}
