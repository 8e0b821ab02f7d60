/*
 * The reply model of <hallway/reply.h>, host side: checking a model a
 * plugin hands over, and drawing it for each door (Discord message JSON,
 * console text). Pure functions of the model: no I/O, no global state.
 */
#ifndef HALLWAY_REPLY_MODEL_H
#define HALLWAY_REPLY_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include <hallway/buf.h>
#include <hallway/reply.h>
#include <jansson.h>

struct hw_tz;

/* Discord's limits (characters) for what the model is drawn into. */
#define RM_CONTENT_MAX 2000
#define RM_EMBEDS_MAX 10
#define RM_EMBED_TOTAL_MAX 6000
#define RM_EMBED_TITLE_MAX 256
#define RM_EMBED_DESC_MAX 4096
#define RM_EMBED_FIELDS_MAX 25
#define RM_FIELD_NAME_MAX 256
#define RM_FIELD_VALUE_MAX 1024
#define RM_FOOTER_MAX 2048
#define RM_BUTTON_LABEL_MAX 80
#define RM_CUSTOM_ID_MAX 100
#define RM_SELECT_OPTIONS_MAX 25
#define RM_OPTION_MAX 100
#define RM_PLACEHOLDER_MAX 150
#define RM_MODAL_TITLE_MAX 45
#define RM_MODAL_LABEL_MAX 45
#define RM_MODAL_FIELDS_MAX 5
#define RM_ACTIONS_MAX 5
#define RM_ITEMS_MAX 200
#define RM_URL_MAX HW_REPLY_URL_MAX

/* 0 when model follows the format of <hallway/reply.h>, else -1 and a
 * sentence in why naming the first problem ("items[3].start: not an
 * integer"). */
int reply_model_check(const json_t *model, char *why, size_t whylen);

/*
 * Gives the custom_id of a component. kind: "c" a button running the
 * command line `payload` (a JSON string), "p" the "Show more" running the
 * command line `payload` (its answer replaces the message, the next page
 * in place), "s" a select menu running "payload <value>", "m" a button
 * opening the modal `payload` (the modal object of an action). Writes at most RM_CUSTOM_ID_MAX characters into
 * id. Returns 0, or -1 (the component is left out and the door's text
 * says which command to type instead).
 */
typedef int (*reply_model_id_fn)(void *ud, const char *kind, const json_t *payload, char *id,
				 size_t idlen);

struct rm_discord_opts {
	reply_model_id_fn ids; /* NULL: no components, commands written out */
	void *ud;
	const char *prefix;    /* the chat prefix shown before a command to type */
};

/* Returns a new Discord message body {"content", "embeds", "components",
 * "allowed_mentions", "flags", "nonce", "enforce_nonce"} for a checked
 * model, within Discord's limits (what does not fit is said in the
 * message, never dropped in silence), or NULL out of memory. The
 * mentions of "mention_users" are in the content, but allowed_mentions is
 * always {"parse": []}: the host names the users who may be pinged
 * (rest_allowed_users), so a drawing alone pings nobody. */
json_t *reply_model_discord(const json_t *model, const struct rm_discord_opts *o);

/* Appends the console text of a checked model to out: times in tz (NULL:
 * UTC) with their distance from now_ms ("in 20 min"), bold as ANSI only
 * when ansi, links plain, actions as the command to type. Model strings
 * lose their control characters (no escape sequences reach a terminal). */
void reply_model_console(const json_t *model, const struct hw_tz *tz, int64_t now_ms, int ansi,
			 hw_buf *out);

/* ---- shared by the drawings (reply_model.c) ---- */

/* Characters (code points) of valid UTF-8 s. */
size_t rm_chars(const char *s);
/* Appends s with control characters as spaces (newlines kept when
 * keep_nl), at most max_chars characters ("…" ends a cut), Discord markup
 * escaped with a backslash when escape. Returns the characters added. */
size_t rm_put(hw_buf *b, const char *s, size_t max_chars, int keep_nl, int escape);
/* "in 25 min", "5 min ago", "now" for an instant delta_s seconds away. */
void rm_relative(char *buf, size_t n, int64_t delta_s);
/* The integer of "#rrggbb", or -1. */
long rm_colour(const char *s);
/* 1 for an http(s) URL without spaces or controls, at most RM_URL_MAX. */
int rm_is_url(const char *s);
/* An item's head count as both doors show it: "3 of 20 places", "3 joined",
 * "20 places", or "" without count and capacity. */
void rm_places(const json_t *item, char *out, size_t len);
/* 1 for a Discord id: 1 to 20 digits and nothing else. */
int rm_is_snowflake(const char *s);
/* The command line of a select menu's choice: "command value", the value
 * quoted when it holds spaces. Returns a new string (free) or NULL. */
char *rm_choice_line(const char *command, const char *value);

#endif
