/*
 * The console door: lines typed at the terminal (or piped in) are handled
 * as an attendee's chat messages, one at a time, each after the previous
 * one's asynchronous work has settled; replies are printed to stdout.
 */
#ifndef HALLWAY_CONSOLE_H
#define HALLWAY_CONSOLE_H

#include <libwebsockets.h>

struct hallway;
struct console;

int console_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
			 void *in, size_t len);
/* Starts reading stdin. as_organizer: every line runs with the organizer role. */
struct console *console_create(struct hallway *hw, int as_organizer);
/* Prints one reply (NULL console: stdout anyway). */
/* A console that runs script (lines, as typed) once the plugins have
 * settled, then stops the process; standard input is not read. */
struct console *console_create_script(struct hallway *hw, int as_organizer, const char *script);
void console_print(struct console *c, const char *text);
/* Prints text already drawn for the console (a reply model): as it is,
 * without its ANSI bold when standard output is not a terminal. */
void console_print_plain(struct console *c, const char *text);
/* Writes a file a command answered with under hallway-out/ in the working
 * folder, under its name made safe (letters, digits, ".", "-", "_"), never
 * over an existing file ("agenda-2.ics"). Returns 0 with the path in saved, or -1
 * with the reason in saved. c may be NULL (tests): -1. */
int console_save_file(struct console *c, const char *name, const void *data, size_t len,
		      char *saved, size_t savedlen);
void console_destroy(struct console *c);

#endif
