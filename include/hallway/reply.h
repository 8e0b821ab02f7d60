/*
 * The reply model (plugin ABI 1.2): what a plugin answers, without the
 * markup of any door. Included by <hallway/plugin.h>.
 *
 * A plugin builds a model as a JSON object (json_pack is enough) and hands
 * it to api->reply_model(), api->send_model() or api->dm_model(). Each door
 * draws it its own way:
 *   - Discord: embeds (title with link, <t:…> times with their relative
 *     form, room, speakers, track colour, stream/recording links) within
 *     Discord's embed limits, buttons and select menus as message components;
 *   - the console: plain readable text in the conference's zone, no markup;
 *   - the web (organizer page, screens): the model as JSON, drawn by the page.
 * A plugin never writes Discord markup (**bold**, <t:…>, <#id>, <@id>) in a
 * model: every string in it is text and is shown as text (it cannot ping).
 *
 * Version 2 (HW_REPLY_VERSION). Unknown keys are ignored by the doors, so
 * the format grows by adding keys; a change in meaning bumps "version".
 * Version 2 added "nonce" and "mention_users": a post relies on them (sent
 * once, pings exactly these people), so a model that has them says version
 * 2 and a host that draws only version 1 refuses it instead of dropping
 * them in silence. Both are refused in a version 1 model.
 *
 * {
 *   "version": 2,                       required (1 or 2)
 *   "title":   "Next talks",            a heading, optional
 *   "text":    "One paragraph.",        text before the items, optional
 *   "zone":    "Europe/Brussels",       the zone the console and the web
 *                                       show times in (default: UTC)
 *   "private": true,                    ephemeral where the door can
 *   "items":   [ ITEM, ... ],           in the order to show
 *   "more":    { "shown": 8, "total": 26,
 *                "command": "next page=2" },  what a "Show more" runs
 *   "actions": [ ACTION, ... ],         buttons under the reply (<= 5)
 *   "choice":  CHOICE                   a select menu (a choice is asked)
 * }
 *
 * ITEM: {"kind": K, ...fields}; every field optional except "kind".
 *   "text":      {"text": "a line or paragraph"}
 *   "talk":      {"title", "url", "start": ms, "end": ms, "room", "track",
 *                 "speakers": ["…"], "colour": "#rrggbb", "stream": url,
 *                 "recording": url, "status": "moved"|"cancelled"|"new",
 *                 "note": "…", "id": "…"}
 *   "sprint":    {"title", "url", "room", "start", "end", "count": n,
 *                 "capacity": n, "waitlist": n, "note", "id"}
 *   "openspace": {"title", "room", "start", "end", "host", "count": n,
 *                 "capacity": n, "note", "id"}
 *   "table":     {"title", "columns": ["…"], "rows": [["…", …], …]}
 *   "field":     {"name": "Seats", "value": "12 of 20"}  (a labelled value)
 * Times are Unix milliseconds (JSON integers).
 *
 * ACTION: {"label": "Show more", "style": "primary"|"secondary"|"success"|
 *          "danger"|"link", and one of:
 *   "command": "next page=2"   clicking runs this command line as the
 *                              clicking user (permissions checked again);
 *   "url": "https://…"          a link button;
 *   "modal": {"title": "Register", "command": "register",
 *             "fields": [{"name": "order", "label": "Order code",
 *                         "style": "short"|"paragraph", "min": 1, "max": 16,
 *                         "required": true}, …]}  (<= 5 fields)
 *      clicking opens a form; submitting runs "command" with each field's
 *      value given to the command's argument of the same name.
 * CHOICE: {"placeholder": "Pick a project", "command": "sprint join",
 *          "options": [{"label": "…", "value": "…", "description": "…"}]}
 *      (<= 25 options) picking one runs "command <value>".
 *
 * A door that cannot draw something degrades: the console prints actions as
 * the command to type ("more: next page=2"), a link as its address.
 */
#ifndef HALLWAY_REPLY_H
#define HALLWAY_REPLY_H

#define HW_REPLY_VERSION 2

/* The most users one model pings ("mention_users"): their mentions share
 * the message's 2000 characters with its title and text. */
#define HW_REPLY_MENTIONS_MAX 50
/* The longest "nonce" (Discord's limit). */
#define HW_REPLY_NONCE_MAX 25

/* The longest link ("url", "stream", "recording", a link button) a model
 * carries, in bytes; see hw_reply_is_link (<hallway/reply_item.h>). */
#define HW_REPLY_URL_MAX 2048

#endif
