/*
 * A bundle: several source documents (one conference published as
 * several files, such as EuroPython's one JSON file per day) carried as
 * one buffer, so that fetching, hashing, storing the last good copy and
 * loading work on one body whatever the source is.
 *
 *   "HALLWAY-SCHEDULE-BUNDLE 1\n" then, per part,
 *   "<decimal length> <name>\n" <length bytes> "\n"
 */
#ifndef SCHED_BUNDLE_H
#define SCHED_BUNDLE_H

#include <stddef.h>

#define SCHED_BUNDLE_MAGIC "HALLWAY-SCHEDULE-BUNDLE 1\n"
#define SCHED_BUNDLE_NAME 128 /* longest part name kept (bytes, with NUL) */

/* Does buf start with the bundle magic? */
int sched_bundle_is(const char *buf, size_t len);

/* One part, borrowed from the bundle buffer. */
struct sched_bundle_part {
	const char *data;
	size_t len;
	char name[SCHED_BUNDLE_NAME];
};

/*
 * Iterates the parts of a bundle: *pos starts at 0. Returns 1 and fills
 * part, 0 after the last part, or SCHED_ERR_PARSE for a malformed header
 * or a length past the end of the buffer.
 */
int sched_bundle_next(const char *buf, size_t len, size_t *pos, struct sched_bundle_part *part);

/* A growing bundle. */
struct sched_bundle_buf {
	char *data; /* owned; NUL-terminated after each append */
	size_t len, cap, max;
};

/* Appends a part (the magic first, on the first call). Returns 0,
 * SCHED_ERR_NOMEM, or SCHED_ERR_IO when the bundle would pass b->max. */
int sched_bundle_add(struct sched_bundle_buf *b, const char *name, const char *data,
		     size_t len);

#endif
