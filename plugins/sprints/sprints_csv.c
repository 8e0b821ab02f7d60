/*
 * sprints_csv — CSV cells. See sprints_csv.h.
 */
#include "sprints_csv.h"

#include <string.h>

void sprints_csv_cell(sprints_buf *b, const char *cell)
{
	const char *p;
	int quote;
	cell = cell ? cell : "";
	quote = strpbrk(cell, ",\"\r\n") != NULL;
	if (quote)
		sprints_buf_add(b, "\"");
	if (*cell && strchr("=+-@\t\r", *cell))
		sprints_buf_add(b, "'");
	for (p = cell; *p; p++) {
		if (*p == '"')
			sprints_buf_add(b, "\"\"");
		else
			sprints_buf_addn(b, p, 1);
	}
	if (quote)
		sprints_buf_add(b, "\"");
}

void sprints_csv_row(sprints_buf *b, const char *const *cells, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		if (i)
			sprints_buf_add(b, ",");
		sprints_csv_cell(b, cells[i]);
	}
	sprints_buf_add(b, "\r\n");
}
