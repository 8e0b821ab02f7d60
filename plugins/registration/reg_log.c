/*
 * The organizers' log channel: one line per attempt, success, refusal and
 * failed role change. Lines name users by ID and mention (which pings
 * nobody: allow_mentions stays 0) and orders by code; never the pretix
 * token, a ticket secret or the name someone typed.
 */
#include <stdarg.h>
#include <stdio.h>

#include <hallway/text.h>

#include "registration.h"

void reg_log(reg *r, const char *fmt, ...)
{
	char line[600];
	va_list ap;
	hw_message msg = {.struct_size = sizeof(msg), .content = line};

	va_start(ap, fmt);
	hw_vfmt(line, sizeof(line), fmt, ap);
	va_end(ap);
	r->api->log(r->self, HW_LOG_INFO, "registration: %s", line);
	if (r->log_channel && *r->log_channel &&
	    r->api->send(r->self, r->log_channel, &msg, NULL, NULL))
		r->api->log(r->self, HW_LOG_WARN, "registration: cannot post to the log channel %s",
			    r->log_channel);
}
