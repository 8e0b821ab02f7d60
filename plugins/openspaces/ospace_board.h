/*
 * ospace_board — the grid organizers declare in config: rooms, days and
 * slot start times, and the slots held back. Pure data, no I/O: the
 * commands, the store and the tests share one reading of it.
 *
 * Indices: a day is an index into days[], a slot into slots[] (ascending
 * start times), a room into rooms[] (config order: "the first free room"
 * means the first in this order).
 */
#ifndef OSPACE_BOARD_H
#define OSPACE_BOARD_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define OSPACE_MAX_ROOMS 50
#define OSPACE_MAX_DAYS 31
#define OSPACE_MAX_SLOTS 96

typedef struct ospace_room {
	char *name;       /* owned, as configured */
	char *fold;       /* owned, hw_fold(name) */
	int64_t capacity; /* head count limit (host included); 0 = none */
} ospace_room;

typedef struct ospace_held {
	size_t day, slot;
	long room; /* -1: every room */
} ospace_held;

typedef struct ospace_board {
	ospace_room *rooms;
	size_t nrooms;
	char (*days)[11]; /* "YYYY-MM-DD" */
	size_t ndays;
	int *slots;       /* minutes after local midnight, ascending */
	size_t nslots;
	int slot_minutes;
	ospace_held *held;
	size_t nheld;
} ospace_board;

/*
 * Reads plugins.openspaces (borrowed): rooms [{name, capacity?}], days
 * [YYYY-MM-DD], slots ["HH:MM", ...] or start/end ("HH:MM", end exclusive
 * of a slot that would run past it), slot_minutes (60), held [{day, slot,
 * room?}]. On success fills *b (free with ospace_board_free) and returns
 * 0; otherwise returns -1 and writes why into err (len bytes).
 */
int ospace_board_parse(const json_t *cfg, ospace_board *b, char *err, size_t len);
void ospace_board_free(ospace_board *b);

/* "HH:MM" (or "H:MM") to minutes after midnight, or -1. */
int ospace_board_hhmm(const char *s);
/* Minutes to "HH:MM" into buf (at least 6 bytes). */
void ospace_board_fmt(int minutes, char *buf);

/* Index of a day ("YYYY-MM-DD"), a slot (minutes) or a room (any
 * spelling that folds to the room's name), or -1. */
long ospace_board_day(const ospace_board *b, const char *day);
long ospace_board_slot(const ospace_board *b, int minutes);
long ospace_board_room(const ospace_board *b, const char *typed);
/* 1 when (day, slot, room) is held back. */
int ospace_board_is_held(const ospace_board *b, size_t day, size_t slot, size_t room);
/* Weekday (0 = Sunday) of a day index. */
int ospace_board_wday(const ospace_board *b, size_t day);
/* Days since 1970-01-01 of a day index. */
int64_t ospace_board_days(const ospace_board *b, size_t day);

#endif
