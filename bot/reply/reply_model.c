/*
 * The reply model: checking what a plugin hands over against the format
 * of <hallway/reply.h>, and the text helpers both drawings share.
 */
#include "reply_model.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/reply.h>
#include <hallway/reply_item.h>
#include <hallway/text.h>

/* ---- text helpers ---- */

size_t rm_chars(const char *s)
{
	size_t n = 0;
	for (; s && *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* Characters Discord reads as markup anywhere (or a mention, a link). */
static int is_markup(int c)
{
	return c && strchr("\\*_~`|<>[]@", c) != NULL;
}

/* ... and at the start of a line only: a heading, a list, a quote. */
static int is_line_markup(int c)
{
	return c && strchr("#->", c) != NULL;
}

/* What code point cp becomes: 0 a space, 1 itself, 2 escaped, 3 a newline.
 * *bol: at the start of a line (spaces aside); updated. */
static int put_kind(long cp, int keep_nl, int escape, int *bol)
{
	int k;
	if (cp == '\n' && keep_nl) {
		*bol = 1;
		return 3;
	}
	if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || (cp >= 0x202A && cp <= 0x202E) ||
	    (cp >= 0x2066 && cp <= 0x2069))
		return 0; /* controls and bidi overrides */
	k = escape && cp < 0x80 && (is_markup((int)cp) || (*bol && is_line_markup((int)cp))) ? 2 : 1;
	if (cp != ' ')
		*bol = 0;
	return k;
}

size_t rm_put(hw_buf *b, const char *s, size_t max_chars, int keep_nl, int escape)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t total = 0, n = 0, room;
	int bol = 1;
	long cp;

	/* The characters it takes whole (escapes count), to know whether it
	 * is cut and where. */
	for (const unsigned char *q = p; *q && (cp = hw_utf8_next(&q)) >= 0;)
		total += put_kind(cp, keep_nl, escape, &bol) == 2 ? 2 : 1;
	bol = 1;
	room = total > max_chars ? (max_chars ? max_chars - 1 : 0) : max_chars;
	while (*p) {
		const unsigned char *start = p;
		int k;
		if ((cp = hw_utf8_next(&p)) < 0)
			break;
		k = put_kind(cp, keep_nl, escape, &bol);
		if (n + (k == 2 ? 2 : 1) > room)
			break;
		if (k == 3)
			hw_buf_add(b, "\n");
		else if (k == 0)
			hw_buf_add(b, " ");
		else {
			if (k == 2)
				hw_buf_add(b, "\\");
			hw_buf_addn(b, (const char *)start, (size_t)(p - start));
		}
		n += k == 2 ? 2 : 1;
	}
	if (total > max_chars && max_chars) {
		hw_buf_add(b, "…");
		n++;
	}
	return n;
}

void rm_relative(char *buf, size_t n, int64_t delta_s)
{
	/* To the nearest minute: a talk at 10:35 is "in 4 min" at 10:31:00.4. */
	int64_t a = delta_s < 0 ? -delta_s : delta_s, m = (a + 30) / 60;
	char amount[48];
	if (m < 1) {
		snprintf(buf, n, "%s", delta_s >= 0 ? "now" : "just now");
		return;
	}
	if (m < 60)
		snprintf(amount, sizeof(amount), "%lld min", (long long)m);
	else if (m < 24 * 60 && m % 60 == 0)
		snprintf(amount, sizeof(amount), "%lld h", (long long)(m / 60));
	else if (m < 48 * 60)
		snprintf(amount, sizeof(amount), "%lld h %02lld min", (long long)(m / 60),
			 (long long)(m % 60));
	else
		snprintf(amount, sizeof(amount), "%lld days", (long long)(a / 86400));
	snprintf(buf, n, delta_s >= 0 ? "in %s" : "%s ago", amount);
}

long rm_colour(const char *s)
{
	long v = 0;
	if (!s || s[0] != '#' || strlen(s) != 7)
		return -1;
	for (int i = 1; i < 7; i++) {
		int c = (unsigned char)s[i];
		if (!isxdigit(c))
			return -1;
		v = v * 16 + (isdigit(c) ? c - '0' : tolower(c) - 'a' + 10);
	}
	return v;
}

void rm_places(const json_t *item, char *out, size_t len)
{
	const json_t *count = json_object_get(item, "count"), *cap = json_object_get(item, "capacity");
	if (!len)
		return;
	out[0] = '\0';
	if (count && cap)
		snprintf(out, len, "%lld of %lld places", (long long)json_integer_value(count),
			 (long long)json_integer_value(cap));
	else if (count)
		snprintf(out, len, "%lld joined", (long long)json_integer_value(count));
	else if (cap)
		snprintf(out, len, "%lld places", (long long)json_integer_value(cap));
}

int rm_is_url(const char *s)
{
	return hw_reply_is_link(s); /* the plugins' rule is the host's */
}

int rm_is_snowflake(const char *s)
{
	size_t n = s ? strspn(s, "0123456789") : 0;
	return n > 0 && n <= 20 && !s[n];
}

char *rm_choice_line(const char *command, const char *value)
{
	size_t n = strlen(command) + strlen(value) + 8;
	char *line = malloc(n);
	const char *open = "", *close = "";
	if (!line)
		return NULL;
	if (strpbrk(value, " \t") || !*value) {
		/* Straight quotes group words; curly ones when the value holds a
		 * straight one. */
		open = strchr(value, '"') ? "“" : "\"";
		close = strchr(value, '"') ? "”" : "\"";
	}
	snprintf(line, n, "%s %s%s%s", command, open, value, close);
	return line;
}

/* ---- checking ---- */

struct check {
	char *why;
	size_t len;
	int failed;
};

static int fail(struct check *c, const char *where, const char *what)
{
	if (!c->failed)
		snprintf(c->why, c->len, "%s: %s", where, what);
	c->failed = 1;
	return -1;
}

/* An optional string of at most max characters (0: any), non-empty when
 * required. */
static int opt_string(struct check *c, const json_t *o, const char *key, const char *at,
		      size_t max, int required)
{
	const json_t *v = json_object_get(o, key);
	char where[160];
	snprintf(where, sizeof(where), "%s%s%s", at, *at ? "." : "", key);
	if (!v)
		return required ? fail(c, where, "missing") : 0;
	if (!json_is_string(v))
		return fail(c, where, "not a string");
	if (required && !*json_string_value(v))
		return fail(c, where, "empty");
	if (max && rm_chars(json_string_value(v)) > max)
		return fail(c, where, "too long");
	return 0;
}

static int opt_int(struct check *c, const json_t *o, const char *key, const char *at,
		   json_int_t min, json_int_t max)
{
	const json_t *v = json_object_get(o, key);
	char where[160];
	snprintf(where, sizeof(where), "%s.%s", at, key);
	if (!v)
		return 0;
	if (!json_is_integer(v))
		return fail(c, where, "not an integer");
	if (json_integer_value(v) < min || json_integer_value(v) > max)
		return fail(c, where, "out of range");
	return 0;
}

static int opt_url(struct check *c, const json_t *o, const char *key, const char *at)
{
	const json_t *v = json_object_get(o, key);
	char where[160];
	snprintf(where, sizeof(where), "%s.%s", at, key);
	if (!v)
		return 0;
	if (!rm_is_url(json_string_value(v)))
		return fail(c, where, "not an http(s) link");
	return 0;
}

static int opt_bool(struct check *c, const json_t *o, const char *key, const char *at)
{
	const json_t *v = json_object_get(o, key);
	char where[160];
	snprintf(where, sizeof(where), "%s%s%s", at, *at ? "." : "", key);
	if (v && !json_is_boolean(v))
		return fail(c, where, "not true or false");
	return 0;
}

static int string_list(struct check *c, const json_t *o, const char *key, const char *at,
		       size_t maxn, size_t max_chars)
{
	const json_t *v = json_object_get(o, key), *e;
	char where[160];
	size_t i;
	snprintf(where, sizeof(where), "%s.%s", at, key);
	if (!v)
		return 0;
	if (!json_is_array(v) || json_array_size(v) > maxn)
		return fail(c, where, "not a list of strings (or too many)");
	json_array_foreach(v, i, e) {
		if (!json_is_string(e) || rm_chars(json_string_value(e)) > max_chars)
			return fail(c, where, "holds something that is not a short string");
	}
	return 0;
}

#define TIME_MAX ((json_int_t)253402300799000) /* year 9999 */

static int check_times(struct check *c, const json_t *it, const char *at)
{
	const json_t *s = json_object_get(it, "start"), *e = json_object_get(it, "end");
	if (opt_int(c, it, "start", at, 0, TIME_MAX) || opt_int(c, it, "end", at, 0, TIME_MAX))
		return -1;
	if (s && e && json_integer_value(e) < json_integer_value(s))
		return fail(c, at, "ends before it starts");
	return 0;
}

static int check_item(struct check *c, const json_t *it, const char *at)
{
	const char *kind = json_string_value(json_object_get(it, "kind"));
	const char *status;
	if (!json_is_object(it))
		return fail(c, at, "not an object");
	if (!kind)
		return fail(c, at, "no \"kind\"");
	if (!strcmp(kind, "text"))
		return opt_string(c, it, "text", at, 4000, 1);
	if (!strcmp(kind, "field"))
		return opt_string(c, it, "name", at, 200, 1) || opt_string(c, it, "value", at, 1000, 1);
	if (!strcmp(kind, "table")) {
		const json_t *rows = json_object_get(it, "rows"), *row;
		size_t i;
		if (opt_string(c, it, "title", at, 200, 0) ||
		    string_list(c, it, "columns", at, 10, 100))
			return -1;
		if (!json_is_array(rows) || json_array_size(rows) > 100)
			return fail(c, at, "\"rows\" is not a list of at most 100 rows");
		json_array_foreach(rows, i, row) {
			const json_t *cell;
			size_t k;
			if (!json_is_array(row) || json_array_size(row) > 10)
				return fail(c, at, "a row is not a list of at most 10 cells");
			json_array_foreach(row, k, cell) {
				if (!json_is_string(cell) || rm_chars(json_string_value(cell)) > 200)
					return fail(c, at, "a cell is not a short string");
			}
		}
		return 0;
	}
	if (strcmp(kind, "talk") && strcmp(kind, "sprint") && strcmp(kind, "openspace"))
		return fail(c, at, "unknown kind");
	if (opt_string(c, it, "title", at, 300, 0) || opt_string(c, it, "room", at, 200, 0) ||
	    opt_string(c, it, "note", at, 1000, 0) || opt_string(c, it, "id", at, 100, 0) ||
	    opt_string(c, it, "track", at, 200, 0) || opt_string(c, it, "host", at, 200, 0) ||
	    opt_url(c, it, "url", at) || opt_url(c, it, "stream", at) ||
	    opt_url(c, it, "recording", at) || check_times(c, it, at) ||
	    string_list(c, it, "speakers", at, 50, 200) ||
	    opt_int(c, it, "count", at, 0, 1000000000) ||
	    opt_int(c, it, "capacity", at, 0, 1000000000) ||
	    opt_int(c, it, "waitlist", at, 0, 1000000000))
		return -1;
	if (json_object_get(it, "colour") &&
	    rm_colour(json_string_value(json_object_get(it, "colour"))) < 0)
		return fail(c, at, "\"colour\" is not \"#rrggbb\"");
	status = json_string_value(json_object_get(it, "status"));
	if (json_object_get(it, "status") && (!status || (strcmp(status, "moved") &&
							  strcmp(status, "cancelled") &&
							  strcmp(status, "new"))))
		return fail(c, at, "\"status\" is not moved, cancelled or new");
	return 0;
}

/* 1 for a command line a button may run: one line, not empty. */
static int is_command_line(const char *s)
{
	if (!s || !*s || strlen(s) > 1000)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20)
			return 0;
	return 1;
}

static int is_arg_name(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (!n || n > 32)
		return 0;
	for (; *s; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_' ||
		      *s == '-'))
			return 0;
	return 1;
}

static int check_modal(struct check *c, const json_t *m, const char *at)
{
	const json_t *fields = json_object_get(m, "fields"), *f;
	size_t i;
	if (!json_is_object(m))
		return fail(c, at, "\"modal\" is not an object");
	if (opt_string(c, m, "title", at, RM_MODAL_TITLE_MAX, 1))
		return -1;
	if (!is_command_line(json_string_value(json_object_get(m, "command"))))
		return fail(c, at, "the modal's \"command\" is not a command line");
	if (!json_is_array(fields) || !json_array_size(fields) ||
	    json_array_size(fields) > RM_MODAL_FIELDS_MAX)
		return fail(c, at, "a modal has 1 to 5 fields");
	json_array_foreach(fields, i, f) {
		const char *style = json_string_value(json_object_get(f, "style"));
		char fat[160];
		snprintf(fat, sizeof(fat), "%s.fields[%zu]", at, i);
		if (!json_is_object(f) || !is_arg_name(json_string_value(json_object_get(f, "name"))))
			return fail(c, fat, "\"name\" is not an argument name");
		for (size_t k = 0; k < i; k++)
			if (!strcmp(json_string_value(json_object_get(json_array_get(fields, k), "name")),
				    json_string_value(json_object_get(f, "name"))))
				return fail(c, fat, "two fields have this name");
		if (opt_string(c, f, "label", fat, RM_MODAL_LABEL_MAX, 1) ||
		    opt_string(c, f, "placeholder", fat, RM_OPTION_MAX, 0) ||
		    opt_int(c, f, "min", fat, 0, 4000) || opt_int(c, f, "max", fat, 1, 4000) ||
		    opt_bool(c, f, "required", fat))
			return -1;
		if (json_object_get(f, "style") &&
		    (!style || (strcmp(style, "short") && strcmp(style, "paragraph"))))
			return fail(c, fat, "\"style\" is not short or paragraph");
	}
	return 0;
}

static int check_action(struct check *c, const json_t *a, const char *at)
{
	const char *style = json_string_value(json_object_get(a, "style"));
	int ways = !!json_object_get(a, "command") + !!json_object_get(a, "url") +
		   !!json_object_get(a, "modal");
	if (!json_is_object(a))
		return fail(c, at, "not an object");
	if (opt_string(c, a, "label", at, RM_BUTTON_LABEL_MAX, 1))
		return -1;
	if (json_object_get(a, "style") &&
	    (!style || (strcmp(style, "primary") && strcmp(style, "secondary") &&
			strcmp(style, "success") && strcmp(style, "danger") && strcmp(style, "link"))))
		return fail(c, at, "unknown \"style\"");
	if (ways != 1)
		return fail(c, at, "needs exactly one of \"command\", \"url\", \"modal\"");
	if (json_object_get(a, "command") &&
	    !is_command_line(json_string_value(json_object_get(a, "command"))))
		return fail(c, at, "\"command\" is not a command line");
	if (json_object_get(a, "url") && !rm_is_url(json_string_value(json_object_get(a, "url"))))
		return fail(c, at, "\"url\" is not an http(s) link");
	if (json_object_get(a, "modal"))
		return check_modal(c, json_object_get(a, "modal"), at);
	return 0;
}

static int check_choice(struct check *c, const json_t *ch)
{
	const json_t *opts = json_object_get(ch, "options"), *o;
	size_t i;
	if (!json_is_object(ch))
		return fail(c, "choice", "not an object");
	if (opt_string(c, ch, "placeholder", "choice", RM_PLACEHOLDER_MAX, 0))
		return -1;
	if (!is_command_line(json_string_value(json_object_get(ch, "command"))))
		return fail(c, "choice.command", "not a command line");
	if (!json_is_array(opts) || !json_array_size(opts) ||
	    json_array_size(opts) > RM_SELECT_OPTIONS_MAX)
		return fail(c, "choice.options", "a choice has 1 to 25 options");
	json_array_foreach(opts, i, o) {
		char at[64];
		snprintf(at, sizeof(at), "choice.options[%zu]", i);
		if (!json_is_object(o))
			return fail(c, at, "not an object");
		if (opt_string(c, o, "label", at, RM_OPTION_MAX, 1) ||
		    opt_string(c, o, "value", at, RM_OPTION_MAX, 1) ||
		    opt_string(c, o, "description", at, RM_OPTION_MAX, 0))
			return -1;
		if (!is_command_line(json_string_value(json_object_get(o, "value"))))
			return fail(c, at, "\"value\" holds a control character");
	}
	return 0;
}

/* "nonce" (version 2): 1 to HW_REPLY_NONCE_MAX of A-Z a-z 0-9 - _. */
static int check_nonce(struct check *c, const json_t *v)
{
	const char *s = json_string_value(v);
	size_t n = s ? strlen(s) : 0;
	if (!n || n > HW_REPLY_NONCE_MAX)
		return fail(c, "nonce", "not a string of 1 to 25 characters");
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return fail(c, "nonce", "holds a character other than A-Z a-z 0-9 - _");
	return 0;
}

/* "mention_users" (version 2): user ids, each once, at most
 * HW_REPLY_MENTIONS_MAX. */
static int check_mentions(struct check *c, const json_t *v)
{
	const json_t *u;
	size_t i;
	if (!json_is_array(v) || json_array_size(v) > HW_REPLY_MENTIONS_MAX)
		return fail(c, "mention_users", "not a list of at most 50 user ids");
	json_array_foreach(v, i, u) {
		const char *id = json_string_value(u);
		if (!rm_is_snowflake(id))
			return fail(c, "mention_users", "holds something that is not a user id");
		for (size_t k = 0; k < i; k++)
			if (!strcmp(id, json_string_value(json_array_get(v, k))))
				return fail(c, "mention_users", "names a user twice");
	}
	return 0;
}

int reply_model_check(const json_t *model, char *why, size_t whylen)
{
	struct check c = {why, whylen, 0};
	const json_t *items, *more, *actions, *v;
	size_t i;

	if (whylen)
		why[0] = '\0';
	if (!json_is_object(model))
		return fail(&c, "model", "not a JSON object");
	v = json_object_get(model, "version");
	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > HW_REPLY_VERSION)
		return fail(&c, "version", "missing or not a version this host draws");
	if (json_integer_value(v) < 2 &&
	    (json_object_get(model, "nonce") || json_object_get(model, "mention_users")))
		return fail(&c, "version", "\"nonce\" and \"mention_users\" need version 2");
	if ((json_object_get(model, "nonce") && check_nonce(&c, json_object_get(model, "nonce"))) ||
	    (json_object_get(model, "mention_users") &&
	     check_mentions(&c, json_object_get(model, "mention_users"))))
		return -1;
	if (opt_string(&c, model, "title", "", RM_EMBED_TITLE_MAX, 0) ||
	    opt_string(&c, model, "text", "", 1800, 0) ||
	    opt_string(&c, model, "zone", "", 64, 0) || opt_bool(&c, model, "private", ""))
		return -1;
	items = json_object_get(model, "items");
	if (items && (!json_is_array(items) || json_array_size(items) > RM_ITEMS_MAX))
		return fail(&c, "items", "not a list of at most 200 items");
	json_array_foreach(items, i, v) {
		char at[32];
		snprintf(at, sizeof(at), "items[%zu]", i);
		if (check_item(&c, v, at))
			return -1;
	}
	if ((more = json_object_get(model, "more"))) {
		const json_t *shown = json_object_get(more, "shown"), *total = json_object_get(more, "total");
		if (!json_is_object(more) || !json_is_integer(shown) || !json_is_integer(total) ||
		    json_integer_value(shown) < 0 || json_integer_value(total) < json_integer_value(shown))
			return fail(&c, "more", "needs \"shown\" <= \"total\"");
		if (!is_command_line(json_string_value(json_object_get(more, "command"))))
			return fail(&c, "more.command", "not a command line");
	}
	actions = json_object_get(model, "actions");
	if (actions && (!json_is_array(actions) || json_array_size(actions) > RM_ACTIONS_MAX))
		return fail(&c, "actions", "not a list of at most 5 actions");
	json_array_foreach(actions, i, v) {
		char at[32];
		snprintf(at, sizeof(at), "actions[%zu]", i);
		if (check_action(&c, v, at))
			return -1;
	}
	if ((v = json_object_get(model, "choice")) && check_choice(&c, v))
		return -1;
	if (!json_object_get(model, "title") && !json_object_get(model, "text") &&
	    !json_array_size(items))
		return fail(&c, "model", "has no title, text or items: nothing to show");
	return 0;
}
