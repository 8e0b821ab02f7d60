/* Shared between fuzz_plugin_commands.c and fuzz_plugin_stubs.c. */
#ifndef HALLWAY_FUZZ_PLUGIN_COMMANDS_H
#define HALLWAY_FUZZ_PLUGIN_COMMANDS_H

/* Delivers the REST and HTTP answers queued so far (in order; answers to
 * requests made meanwhile wait for the next call). */
void fuzz_stubs_complete(void);
/* Requests whose answer has not been delivered yet. */
int fuzz_stubs_pending(void);
/* The oracle for text shown to a user: valid UTF-8 within Discord's
 * limits once split, or the target aborts naming what. */
void fuzz_stubs_check_text(const char *text, const char *what);

#endif
