/*
 * Does the name someone typed match the name on a ticket? (reg_name.c)
 *
 * Both are read with the shared fold (include/hallway/text.h): case,
 * accents and other marks, compatibility forms and invisible characters
 * do not count, in every script. Then the words must be the same words,
 * in any order ("Lovelace Ada" is "Ada Lovelace"), or the same letters
 * once the spaces are gone in either order of given and family name
 * ("山田太郎" is "山田 太郎" and "太郎 山田"). A part of a name is never
 * enough: "Ada" does not match "Ada Lovelace" (never a substring).
 */
#ifndef REG_NAME_H
#define REG_NAME_H

#include "reg_parse.h"

/* 1 when typed matches one of the ticket's names: attendee_name,
 * given + family, or the latin transcription pretix may hold. */
int reg_name_matches(const char *typed, const reg_position *pos);
/* The same against one written name (for tests and speakers). */
int reg_name_equal(const char *typed, const char *written);

#endif
