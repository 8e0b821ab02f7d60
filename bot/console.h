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
void console_destroy(struct console *c);

#endif
