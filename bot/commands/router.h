/*
 * The command router: three doors (chat messages, slash interactions, the
 * console), one path. Each door turns its input into a parsed command and
 * an invocation; the router checks permissions, calls the handler, contains
 * its failure, and carries replies back through the door they came from.
 */
#ifndef HALLWAY_ROUTER_H
#define HALLWAY_ROUTER_H

#include <hallway/plugin.h>
#include <jansson.h>

#include "commands.h"

struct hallway;
struct router;
struct plugin;
struct ack_held;

struct invocation {
	hw_invocation pub;        /* first: plugins see this */
	struct router *router;
	int refs;
	struct plugin *owner;     /* plugin that kept it, or NULL */
	struct invocation *next_kept;
	struct parsed_args args;
	char *user_id, *user_name, *channel_id, *guild_id, *command;
	char *message_id;         /* chat: the message to reply to */
	char *interaction_id, *interaction_token; /* slash */
	int in_handler;
	int responded;            /* slash: initial response sent */
	int deferred;             /* slash: type 5 sent; next reply edits @original */
	/* slash: the initial response's fate (router_ack.c); webhook requests
	 * (edits, followups) wait in `held` until Discord has accepted it */
	enum { ROUTER_ACK_NONE, ROUTER_ACK_SENT, ROUTER_ACK_DONE, ROUTER_ACK_FAILED } ack;
	const char *ack_what;     /* static: "defer", "interaction response" */
	struct ack_held *held;
	struct invocation *next_acking; /* on the router's list while ack is SENT */
	int replies;
	int from_component;      /* run by a button, a menu or a form: the
				   * answer is for the one who pressed (ephemeral) */
	int update_message;       /* a "Show more" pressed by the one it
				   * answered: the answer (a model) edits that
				   * message in place (UPDATE_MESSAGE, type 7,
				   * or type 6 then an edit of @original) */
	int private_reply;        /* answers an organizer command: ephemeral
				   * on the slash door, files by DM from a
				   * guild channel (set before the handler,
				   * so it outlives the command's entry) */
	/* web door: each reply as JSON ({"text"}, {"model"} or {"file"}),
	 * then NULL when the invocation is released (nothing more can come) */
	void (*web_out)(void *ud, json_t *reply);
	void *web_ud;
	struct handled *handled;  /* two daemons: its key (router_handled.c); one hold */
};

/* Autocomplete results being collected (api->complete_add). */
struct hw_completion {
	json_t *choices; /* array of {name, value}, at most 25 */
};

/* Output of the console door (replies, one call per message). */
typedef void (*router_console_out)(void *ud, const char *text);

struct router *router_create(struct hallway *hw);
struct commands *router_commands(struct router *r);
struct hallway *router_hallway(struct router *r);
/* Registers help, plugins, reload. */
int router_add_builtins(struct router *r);

/* The chat door's first test, for the gateway's pre-scan: 0 if a message
 * whose content starts with these len bytes (whole: that is all of it)
 * certainly does not address the bot (no prefix, no mention of it), so
 * parsing it would change nothing; 1 if it may. */
int router_may_address(const struct router *r, const char *content, size_t len, int whole);
/* Every member of a MESSAGE_CREATE's d that the router (and dispatch_event
 * before it) reads, as gateway_scan_load_kept's dotted paths: a message
 * only the router reads is built with these alone. Keep it in step with
 * on_message. */
extern const char *const router_message_fields[];

/* Console door: one line as an attendee would type it (prefix optional). */
void router_console_line(struct router *r, const char *line, int as_organizer,
			 router_console_out out, void *ud);

/* Reply models (api_reply.c), drawn for the door: body is the Discord
 * message (stolen) for the chat and slash doors; text is console text
 * printed as it is (no markup is read in it). */
int router_reply_body(struct invocation *inv, json_t *body);
int router_reply_plain(struct invocation *inv, const char *text);
/* Prints text already drawn for the console (posts in console mode). */
void router_console_print(struct router *r, const char *text);
/* The console's output for such text (it may hold ANSI bold). */
void router_console_plain(struct router *r, router_console_out out, void *ud);
/* Components (components.c): runs a command for the interaction d (a
 * button, a select menu, a modal submit) as its user, permissions checked
 * again: `line` as typed in chat, or `data` a slash command's data object
 * (borrowed). update: the answer (a reply model) replaces the message the
 * button is on, for everyone who sees it; otherwise it is a new message
 * only the one who pressed sees. Text answers (a refusal, an error) are
 * always new and ephemeral. */
void router_interaction_run(struct router *r, json_t *d, const char *line, json_t *data,
			    int update);
/* 1 when input from interaction d's guild is dropped (foreign guilds). */
int router_ignores(struct router *r, json_t *d);

/* Web door: a command line from the organizer page, run as user_id (an
 * organizer: the page's session says so). Replies go to out (see
 * struct invocation's web_out); out(ud, NULL) comes last, maybe later. */
typedef void (*router_web_out)(void *ud, json_t *reply);
void router_web_line(struct router *r, const char *line, const char *user_id,
		     router_web_out out, void *ud);
/* A reply model (checked, borrowed) through the web door: {"model": ...}. */
int router_reply_web_model(struct invocation *inv, const json_t *model);

/* Reply through the invocation's door. */
int router_reply(struct invocation *inv, const hw_message *msg);
int router_reply_file(struct invocation *inv, const char *text, const char *filename,
		      const void *data, size_t len);
void invocation_ref(struct invocation *inv);
void invocation_unref(struct invocation *inv);

/* router_ack.c: a slash invocation's initial response (body: the callback
 * body, stolen; what: static text for logs), and a webhook request (an edit,
 * a followup or a delete; payload stolen, NULL for none; the file copied)
 * sent once that response
 * was accepted, or dropped with a log line (HW_ERR_UNAVAILABLE) if it
 * failed for good. */
int router_ack_respond(struct invocation *inv, json_t *body, const char *what);
int router_ack_webhook(struct invocation *inv, const char *method, const char *path,
		       json_t *payload, const char *filename, const void *data, size_t len,
		       const char *what);
/* Frees what an invocation still holds (at its last unref). */
void router_ack_free(struct invocation *inv);
/* At router_destroy, after rest_destroy: drops the callbacks' references. */
void router_ack_destroy(struct router *r);
/* rest_request's callback for a request whose answer matters only when it
 * fails: logs the failure (ud: static text saying what it was). */
void router_log_rest_failure(void *ud, long status, json_t *body, const char *error);
/* The router's list of invocations whose initial response is in flight. */
struct invocation **router_acking(struct router *r);

/* router_handled.c: two daemons, a command once across a takeover (see
 * there). handled_new links a key for kind/id, brought by dispatch seq
 * (-1 none), with one hold (the invocation's); handled_release drops a
 * hold, and the last one writes the key of a command that ran here and
 * settled otherwise (takeover_record) and frees it. */
struct handled;
struct handled **router_handled_list(struct router *r);
struct handled *handled_new(struct router *r, const char *kind, const char *id, int64_t seq);
const char *handled_key(const struct handled *h);
void handled_ran(struct handled *h);
void handled_settle(struct handled *h);
int handled_unsettled(const struct handled *h); /* ran here, key not yet written or taken */
void handled_hold(struct handled *h);
void handled_release(struct handled *h);
void handled_free_all(struct router *r);
/* The oldest dispatch seq of a command whose key is not settled, or -1:
 * the Discord session saved for a takeover must not pass it (main.c). */
int64_t router_unsettled_seq(struct router *r);
/* The key of the command whose handler is running, for the first unit of
 * work its plugin p queues (api_db.c), which writes it with the effect;
 * NULL when there is none, it was taken, or p is not the command's
 * plugin. The caller frees it. */
char *router_take_handled_key(struct router *r, const struct plugin *p);


void router_destroy(struct router *r);

#endif
