/* iCalendar loader: placeholder until the real parser lands. */
#include "sched_load.h"

int sched_ics_load(const char *buf, size_t len, struct sched *s, struct sched_hint *h)
{
	(void)buf;
	(void)len;
	(void)s;
	sched_load_fail(h, "iCalendar is not supported yet");
	return SCHED_ERR_FORMAT;
}
