/*
 * Discord markup drawn as plain text for the console door (issue 16):
 * **bold**, __underline__, ~~strike~~ and `code` lose their marks,
 * <t:UNIX:STYLE> becomes a local time in the conference's zone (with
 * "in 25 min" / "5 min ago" for :R, against the conference clock),
 * <https://…> a bare link, <#id> "#channel id", <@id> "@user id".
 */
#ifndef HALLWAY_CONSOLE_TEXT_H
#define HALLWAY_CONSOLE_TEXT_H

#include <stdint.h>

struct hw_tz;

/* Returns a new plain-text rendering of markup (free it), or NULL out of
 * memory. tz may be NULL (UTC). */
char *console_text_render(const char *markup, const struct hw_tz *tz, int64_t now_ms);

#endif
