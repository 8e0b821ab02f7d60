/*
 * sprints_csv — RFC 4180 CSV cells that spreadsheets will not execute.
 */
#ifndef SPRINTS_CSV_H
#define SPRINTS_CSV_H

#include <hallway/buf.h>

/* Appends one cell: quoted when it holds a comma, quote, CR or LF (quotes
 * doubled), and prefixed with ' when it starts with = + - @, TAB or CR,
 * which spreadsheets would read as a formula. */
void sprints_csv_cell(hw_buf *b, const char *cell);
/* Appends cells separated by commas and a CRLF. */
void sprints_csv_row(hw_buf *b, const char *const *cells, size_t n);

#endif
