/*
 * Reading a local schedule source: a file, a directory of files, or a
 * list of both (one conference published as several files). Runs on a
 * worker thread: no API calls, no globals.
 */
#ifndef SCHED_SOURCE_H
#define SCHED_SOURCE_H

#include <stddef.h>

/*
 * Reads paths[0..n): each a regular file, or a directory whose *.json,
 * *.xml and *.ics files (not hidden, not recursive) are read in name
 * order. A single file gives its bytes; several give a bundle
 * (sched_bundle.h). At most max bytes in all. On success *out is a new
 * NUL-terminated buffer of *len bytes; on failure returns SCHED_ERR_IO,
 * SCHED_ERR_EMPTY (a directory without schedule files) or
 * SCHED_ERR_NOMEM, with a one-line reason in err.
 */
int sched_source_read(const char *const *paths, size_t n, size_t max, char **out, size_t *len,
		      char *err, size_t errlen);

/* Reads one whole file (at most max bytes) into a new NUL-terminated
 * buffer. Returns 0, SCHED_ERR_IO or SCHED_ERR_NOMEM. */
int sched_source_read_file(const char *path, size_t max, char **out, size_t *len, char *err,
			   size_t errlen);

#endif
