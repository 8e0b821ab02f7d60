/*
 * The reply model drawn for the console: plain text a person reads in a
 * terminal. Times in the conference's zone with their distance from now
 * ("in 20 min"), bold only as ANSI on a terminal, links as addresses,
 * buttons and menus as the command to type.
 */
#include "reply_model.h"

#include <stdio.h>
#include <string.h>

#include <hallway/civil.h>
#include <hallway/tz.h>
#include <hallway/when.h>

#define BOLD "\033[1m"
#define PLAIN "\033[0m"

struct con {
	const struct hw_tz *tz;
	int64_t now_ms;
	int ansi;
	hw_buf *out;
};

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void put(struct con *c, const char *s, size_t max)
{
	rm_put(c->out, s, max, 0, 0);
}

static void bold(struct con *c, const char *s, size_t max)
{
	if (c->ansi)
		hw_buf_add(c->out, BOLD);
	put(c, s, max);
	if (c->ansi)
		hw_buf_add(c->out, PLAIN);
}

static void local(const struct con *c, int64_t ms, struct hw_civil *out)
{
	int64_t s = ms / 1000;
	hw_civil_split(c->tz ? hw_tz_to_local(c->tz, s) : s, out);
}

/* "10:30–11:00", with the weekday when not today: "Sat 10:30–11:00".
 * Returns the characters written. */
static size_t put_when(struct con *c, const json_t *it)
{
	const json_t *s = json_object_get(it, "start"), *e = json_object_get(it, "end");
	struct hw_civil a, now, b;
	char t[64];
	size_t n;
	if (!s)
		return 0;
	local(c, json_integer_value(s), &a);
	local(c, c->now_ms, &now);
	if (a.year != now.year || a.mon != now.mon || a.day != now.day)
		n = (size_t)snprintf(t, sizeof(t), "%s %02d:%02d", hw_when_wday_abbr(a.wday), a.hour,
				     a.min);
	else
		n = (size_t)snprintf(t, sizeof(t), "%02d:%02d", a.hour, a.min);
	if (e) {
		local(c, json_integer_value(e), &b);
		snprintf(t + n, sizeof(t) - n, "–%02d:%02d", b.hour, b.min);
	}
	hw_buf_add(c->out, t);
	return rm_chars(t);
}

static void indent(struct con *c, size_t n)
{
	hw_buf_add(c->out, "\n");
	for (size_t i = 0; i < n; i++)
		hw_buf_add(c->out, " ");
}

static void counts(struct con *c, const json_t *it, int *first)
{
	const json_t *wait = json_object_get(it, "waitlist");
	char t[96] = "";
	if (str(it, "host")) {
		hw_buf_add(c->out, *first ? "hosted by " : " · hosted by ");
		put(c, str(it, "host"), 100);
		*first = 0;
	}
	rm_places(it, t, sizeof(t));
	if (*t) {
		hw_buf_add(c->out, *first ? "" : " · ");
		hw_buf_add(c->out, t);
		*first = 0;
	}
	if (wait && json_integer_value(wait) > 0) {
		snprintf(t, sizeof(t), "%s%lld waiting", *first ? "" : " · ",
			 (long long)json_integer_value(wait));
		hw_buf_add(c->out, t);
		*first = 0;
	}
}

/* A talk, sprint or open space:
 *   10:30–11:00  Title (in 20 min)
 *                Room · Track · Speakers
 *                https://… */
static void rich(struct con *c, const json_t *it)
{
	const json_t *sp = json_object_get(it, "speakers"), *s = json_object_get(it, "start");
	const char *st = str(it, "status");
	size_t w = put_when(c, it), i;
	const json_t *v;
	int first = 1;
	if (w) {
		hw_buf_add(c->out, "  ");
		w += 2;
	} else {
		w = 2; /* no time column: the details are indented under the title */
	}
	if (st)
		hw_buf_add(c->out, !strcmp(st, "cancelled") ? "[cancelled] " :
				   !strcmp(st, "moved") ? "[moved] " : "[new] ");
	bold(c, str(it, "title") ? str(it, "title") : "(untitled)", 300);
	if (s) {
		char rel[64];
		rm_relative(rel, sizeof(rel), json_integer_value(s) / 1000 - c->now_ms / 1000);
		hw_buf_add(c->out, " (");
		hw_buf_add(c->out, json_object_get(it, "end") &&
					   json_integer_value(s) <= c->now_ms &&
					   json_integer_value(json_object_get(it, "end")) > c->now_ms
				   ? "started " : "");
		hw_buf_add(c->out, rel);
		hw_buf_add(c->out, ")");
	}
	if (str(it, "room") || str(it, "track") || json_array_size(sp)) {
		indent(c, w);
		if (str(it, "room")) {
			put(c, str(it, "room"), 100);
			first = 0;
		}
		if (str(it, "track")) {
			hw_buf_add(c->out, first ? "" : " · ");
			put(c, str(it, "track"), 100);
			first = 0;
		}
		json_array_foreach(sp, i, v) {
			hw_buf_add(c->out, first ? "" : i ? ", " : " · ");
			put(c, json_string_value(v), 100);
			first = 0;
		}
	}
	first = 1;
	if (json_object_get(it, "count") || json_object_get(it, "capacity") || str(it, "host") ||
	    json_object_get(it, "waitlist")) {
		indent(c, w);
		counts(c, it, &first);
	}
	if (str(it, "note")) {
		indent(c, w);
		put(c, str(it, "note"), 1000);
	}
	if (str(it, "url")) {
		indent(c, w);
		hw_buf_add(c->out, str(it, "url"));
	}
	if (str(it, "stream")) {
		indent(c, w);
		hw_buf_add(c->out, "Livestream: ");
		hw_buf_add(c->out, str(it, "stream"));
	}
	if (str(it, "recording")) {
		indent(c, w);
		hw_buf_add(c->out, "Recording: ");
		hw_buf_add(c->out, str(it, "recording"));
	}
}

static void table(struct con *c, const json_t *it)
{
	const json_t *cols = json_object_get(it, "columns"), *rows = json_object_get(it, "rows"), *row;
	size_t w[10] = {0}, ncol = json_array_size(cols), i, k;
	json_array_foreach(rows, i, row)
		if (json_array_size(row) > ncol)
			ncol = json_array_size(row);
	for (i = 0; i <= json_array_size(rows); i++) {
		const json_t *r = i ? json_array_get(rows, i - 1) : cols;
		for (k = 0; k < ncol && k < 10; k++) {
			size_t n = rm_chars(json_string_value(json_array_get(r, k)));
			if (n > w[k])
				w[k] = n > 40 ? 40 : n;
		}
	}
	if (str(it, "title")) {
		bold(c, str(it, "title"), 200);
		hw_buf_add(c->out, "\n");
	}
	for (i = 0; i <= json_array_size(rows); i++) {
		const json_t *r = i ? json_array_get(rows, i - 1) : cols;
		size_t line = 0;
		if (!i && !json_array_size(cols))
			continue;
		for (k = 0; k < ncol && k < 10; k++) {
			const char *cell = json_string_value(json_array_get(r, k));
			size_t n;
			if (!i && c->ansi)
				hw_buf_add(c->out, BOLD);
			n = rm_put(c->out, cell ? cell : "", w[k], 0, 0);
			if (!i && c->ansi)
				hw_buf_add(c->out, PLAIN);
			line += n;
			if (k + 1 < ncol)
				for (; n < w[k] + 2; n++, line++)
					hw_buf_add(c->out, " ");
		}
		if (i < json_array_size(rows))
			hw_buf_add(c->out, "\n");
		if (!i && !c->ansi) { /* an underline where bold cannot show */
			for (size_t d = 0; d < line; d++)
				hw_buf_add(c->out, "-");
			if (json_array_size(rows))
				hw_buf_add(c->out, "\n");
		}
	}
}

static void item(struct con *c, const json_t *it)
{
	const char *kind = str(it, "kind");
	if (!strcmp(kind, "text")) {
		rm_put(c->out, str(it, "text"), 4000, 1, 0);
	} else if (!strcmp(kind, "field")) {
		bold(c, str(it, "name"), 200);
		hw_buf_add(c->out, ": ");
		rm_put(c->out, str(it, "value"), 1000, 1, 0);
	} else if (!strcmp(kind, "table")) {
		table(c, it);
	} else {
		rich(c, it);
	}
}

static void line_break(struct con *c)
{
	if (c->out->len && c->out->data[c->out->len - 1] != '\n')
		hw_buf_add(c->out, "\n");
}

static void type_cmd(struct con *c, const char *label, const char *command)
{
	line_break(c);
	put(c, label, 80);
	hw_buf_add(c->out, ": type ");
	put(c, command, 1000);
}

void reply_model_console(const json_t *model, const struct hw_tz *tz, int64_t now_ms, int ansi,
			 hw_buf *out)
{
	struct con c = {tz, now_ms, ansi, out};
	const json_t *items = json_object_get(model, "items"), *more = json_object_get(model, "more");
	const json_t *it, *ch = json_object_get(model, "choice");
	size_t i;
	const char *prev = "";

	if (str(model, "title")) {
		bold(&c, str(model, "title"), 300);
		hw_buf_add(out, "\n");
	}
	if (str(model, "text")) {
		rm_put(out, str(model, "text"), 2000, 1, 0);
		hw_buf_add(out, "\n");
	}
	json_array_foreach(items, i, it) {
		const char *kind = str(it, "kind");
		/* A blank line where the kind changes and around tables. */
		line_break(&c);
		if (i && (strcmp(kind, prev) || !strcmp(kind, "table")))
			hw_buf_add(out, "\n");
		prev = kind;
		item(&c, it);
	}
	if (more && json_integer_value(json_object_get(more, "shown")) <
			    json_integer_value(json_object_get(more, "total"))) {
		char t[96];
		long long shown = json_integer_value(json_object_get(more, "shown"));
		long long total = json_integer_value(json_object_get(more, "total"));
		line_break(&c);
		if (json_array_size(items))
			hw_buf_add(out, "\n");
		snprintf(t, sizeof(t), "%lld of %lld shown", shown, total);
		hw_buf_add(out, t);
		if (shown < total) {
			hw_buf_add(out, " — more: ");
			put(&c, str(more, "command"), 1000);
		}
	}
	json_array_foreach(json_object_get(model, "actions"), i, it) {
		if (str(it, "url")) {
			line_break(&c);
			put(&c, str(it, "label"), 80);
			hw_buf_add(out, ": ");
			hw_buf_add(out, str(it, "url"));
		} else if (json_object_get(it, "modal")) {
			const json_t *m = json_object_get(it, "modal"), *f;
			size_t k;
			type_cmd(&c, str(it, "label"), str(m, "command"));
			json_array_foreach(json_object_get(m, "fields"), k, f) {
				hw_buf_add(out, " ");
				put(&c, str(f, "name"), 32);
				hw_buf_add(out, "=<");
				put(&c, str(f, "label"), 45);
				hw_buf_add(out, ">");
			}
		} else {
			type_cmd(&c, str(it, "label"), str(it, "command"));
		}
	}
	if (ch) {
		line_break(&c);
		put(&c, str(ch, "placeholder") ? str(ch, "placeholder") : "Choose", 150);
		hw_buf_add(out, ": type ");
		put(&c, str(ch, "command"), 1000);
		hw_buf_add(out, " <value>, one of:");
		json_array_foreach(json_object_get(ch, "options"), i, it) {
			hw_buf_add(out, "\n  ");
			put(&c, str(it, "value"), 100);
			if (strcmp(str(it, "value"), str(it, "label"))) {
				hw_buf_add(out, "  ");
				put(&c, str(it, "label"), 100);
			}
			if (str(it, "description")) {
				hw_buf_add(out, " — ");
				put(&c, str(it, "description"), 100);
			}
		}
	}
	/* No trailing newline: the console adds one per reply. */
	while (out->len && out->data[out->len - 1] == '\n')
		out->data[--out->len] = '\0';
}
