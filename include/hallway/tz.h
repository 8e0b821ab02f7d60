/*
 * IANA time zones read straight from TZif files (RFC 8536), so converting
 * between conference-local time and UTC never touches the process-global
 * TZ/localtime machinery. A zone is immutable once loaded and may be used
 * from any thread.
 */
#ifndef SCHED_TZ_H
#define SCHED_TZ_H

#include <stddef.h>
#include <stdint.h>

struct sched_tz;

/* Loads zone `name` ("Europe/Brussels", "UTC") from dir (NULL = the system
 * zoneinfo directory). On success *out is a new zone (free with
 * sched_tz_free). Returns 0, SCHED_ERR_TZ (unknown/invalid name or file)
 * or SCHED_ERR_NOMEM. */
int sched_tz_load(const char *dir, const char *name, struct sched_tz **out);

/* Parses a TZif image in memory (for tests and for load). */
int sched_tz_parse(const char *name, const unsigned char *buf, size_t len,
		   struct sched_tz **out);

/* Returns a new zone with a fixed UTC offset (seconds east), or NULL. */
struct sched_tz *sched_tz_fixed(int32_t offset);

void sched_tz_free(struct sched_tz *tz);

/* The zone's name ("Europe/Brussels", or "UTC+02:00" for fixed). Borrowed. */
const char *sched_tz_name(const struct sched_tz *tz);

/* Offset from UTC in seconds east at instant `utc`. */
int32_t sched_tz_offset(const struct sched_tz *tz, int64_t utc);

/* Converts a local civil time (seconds since 1970-01-01T00:00 local) to
 * UTC. Ambiguous times (the repeated hour in autumn) take the first
 * occurrence; times in a gap (spring forward) are read with the offset in
 * force before the gap, so 02:30 becomes 03:30 DST, as mktime does. */
int64_t sched_tz_to_utc(const struct sched_tz *tz, int64_t local);

/* Convenience: utc + offset. */
int64_t sched_tz_to_local(const struct sched_tz *tz, int64_t utc);

#endif
