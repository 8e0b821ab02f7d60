/*
 * hallway time zones (lib/, linked as hallway_text): IANA time zones read straight from TZif files (RFC 8536), so converting
 * between conference-local time and UTC never touches the process-global
 * TZ/localtime machinery. A zone is immutable once loaded and may be used
 * from any thread.
 */
#ifndef HALLWAY_TZ_H
#define HALLWAY_TZ_H

#include <stddef.h>
#include <stdint.h>

/* Results of the time helpers (tz.h, civil.h): 0 or a negative code. The
 * values are those of the schedule plugin's SCHED_ERR_* for the same
 * failures, so either can be compared. */
enum hw_time_err {
	HW_TIME_OK = 0,
	HW_TIME_ENOMEM = -1,
	HW_TIME_EPARSE = -2, /* not a time or date we read */
	HW_TIME_ETZ = -4,    /* unknown or unreadable time zone */
};

struct hw_tz;

/* Loads zone `name` ("Europe/Brussels", "UTC") from dir (NULL = the system
 * zoneinfo directory). On success *out is a new zone (free with
 * hw_tz_free). Returns 0, HW_TIME_ETZ (unknown/invalid name or file)
 * or HW_TIME_ENOMEM. */
int hw_tz_load(const char *dir, const char *name, struct hw_tz **out);

/* Parses a TZif image in memory (for tests and for load). */
int hw_tz_parse(const char *name, const unsigned char *buf, size_t len,
		   struct hw_tz **out);

/* Returns a new zone with a fixed UTC offset (seconds east), or NULL. */
struct hw_tz *hw_tz_fixed(int32_t offset);

void hw_tz_free(struct hw_tz *tz);

/* The zone's name ("Europe/Brussels", or "UTC+02:00" for fixed). Borrowed. */
const char *hw_tz_name(const struct hw_tz *tz);

/* Offset from UTC in seconds east at instant `utc`. */
int32_t hw_tz_offset(const struct hw_tz *tz, int64_t utc);

/* Converts a local civil time (seconds since 1970-01-01T00:00 local) to
 * UTC. Ambiguous times (the repeated hour in autumn) take the first
 * occurrence; times in a gap (spring forward) are read with the offset in
 * force before the gap, so 02:30 becomes 03:30 DST, as mktime does. */
int64_t hw_tz_to_utc(const struct hw_tz *tz, int64_t local);

/* Convenience: utc + offset. */
int64_t hw_tz_to_local(const struct hw_tz *tz, int64_t utc);

#endif
