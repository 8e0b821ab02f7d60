/*
 * sprints_csv — CSV cells. See sprints_csv.h.
 */
#include "sprints_csv.h"

#include <string.h>

void sprints_csv_cell(hw_buf *b, const char *cell)
{
	const char *p;
	int quote;
	cell = cell ? cell : "";
	quote = strpbrk(cell, ",\"\r\n") != NULL;
	if (quote)
		hw_buf_add(b, "\"");
	if (*cell && strchr("=+-@\t\r", *cell))
		hw_buf_add(b, "'");
	for (p = cell; *p; p++) {
		if (*p == '"')
			hw_buf_add(b, "\"\"");
		else
			hw_buf_addn(b, p, 1);
	}
	if (quote)
		hw_buf_add(b, "\"");
}

void sprints_csv_row(hw_buf *b, const char *const *cells, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		if (i)
			hw_buf_add(b, ",");
		sprints_csv_cell(b, cells[i]);
	}
	hw_buf_add(b, "\r\n");
}
