/*
 * The personal agenda as iCalendar (RFC 5545): CRLF line ends, lines
 * folded at 75 octets without splitting a UTF-8 character, TEXT values
 * escaped (backslash, semicolon, comma, newline), one VEVENT per star
 * with a stable UID, DTSTAMP, and DTSTART/DTEND in UTC.
 */
#ifndef REC_ICS_H
#define REC_ICS_H

#include <stddef.h>
#include <stdint.h>

#include "rec_store.h"

/* Builds the calendar for stars[0..n) (borrowed). name: X-WR-CALNAME,
 * may be NULL; dtstamp: Unix s. On success *out is a new NUL-terminated
 * buffer of *len bytes. Returns 0 or REC_ERR_NOMEM. */
int rec_ics_build(const struct rec_star *stars, size_t n, const char *name, int64_t dtstamp,
		  char **out, size_t *len);

#endif
