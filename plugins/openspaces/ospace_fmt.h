/*
 * ospace_fmt — how an open space reads in replies and DMs: "#3 “Topic”",
 * "Fri 2026-11-27 14:00 in Room A". Shared by the attendee and the
 * organizer commands.
 */
#ifndef OSPACE_FMT_H
#define OSPACE_FMT_H

#include "ospace_free.h"
#include "ospace_out.h"
#include "ospace_store.h"

/* "#3 “Topic”". */
void ospace_fmt_name(hw_buf *out, const ospace_session *s);
/* "Fri 2026-11-27 14:00". */
void ospace_fmt_when(hw_buf *out, const char *day, const char *slot);
/* "#3 “Topic” on Fri 2026-11-27 14:00 in Room A". */
void ospace_fmt_full(hw_buf *out, const ospace_session *s);
/* "Fri 2026-11-27 14:00 in Room A" for a cell of the board. */
void ospace_fmt_cell(hw_buf *out, const ospace_board *b, const ospace_cell *c);
/* A weekday word that reads back as the cell's day ("fri"), or its date. */
const char *ospace_fmt_dayword(const ospace_board *b, size_t day);

#endif
