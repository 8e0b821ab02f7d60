/*
 * The reply model drawn for Discord: the model's title and text as the
 * message content, each talk, sprint or open space as an embed (title with
 * its link, <t:…> times with their relative form, room, track colour,
 * speakers, stream and recording links), a long list as compact lines,
 * and the model's "more", actions and choice as message components.
 * Within Discord's limits; what does not fit is said, never dropped in
 * silence.
 */
#include "reply_model.h"

#include <stdio.h>
#include <string.h>

#define FLAG_EPHEMERAL 64

struct draw {
	const struct rm_discord_opts *o;
	json_t *embeds;
	size_t total;   /* characters in embeds so far */
	size_t dropped; /* items that did not fit */
};

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static json_t *buf_json(hw_buf *b)
{
	const char *s = hw_buf_str(b);
	return json_string(s ? s : "");
}

/* "<t:S:t>–<t:E:t> · <t:S:R>" (Discord shows each in the reader's zone). */
static void put_times(hw_buf *b, const json_t *it)
{
	const json_t *s = json_object_get(it, "start"), *e = json_object_get(it, "end");
	char t[96];
	if (!s)
		return;
	snprintf(t, sizeof(t), "<t:%lld:t>", (long long)(json_integer_value(s) / 1000));
	hw_buf_add(b, t);
	if (e) {
		snprintf(t, sizeof(t), "–<t:%lld:t>", (long long)(json_integer_value(e) / 1000));
		hw_buf_add(b, t);
	}
	snprintf(t, sizeof(t), " · <t:%lld:R>", (long long)(json_integer_value(s) / 1000));
	hw_buf_add(b, t);
}

static void sep(hw_buf *b, int *first, const char *s)
{
	if (!*first)
		hw_buf_add(b, s);
	*first = 0;
}

/* "12 of 20 seats · 3 waiting", "hosted by X · 4 joined". */
static void put_counts(hw_buf *b, const json_t *it, int *first)
{
	const json_t *wait = json_object_get(it, "waitlist");
	char t[96];
	if (str(it, "host")) {
		sep(b, first, " · ");
		hw_buf_add(b, "hosted by ");
		rm_put(b, str(it, "host"), 100, 0, 1);
	}
	rm_places(it, t, sizeof(t));
	if (*t) {
		sep(b, first, " · ");
		hw_buf_add(b, t);
	}
	if (wait && json_integer_value(wait) > 0) {
		snprintf(t, sizeof(t), "%lld waiting", (long long)json_integer_value(wait));
		sep(b, first, " · ");
		hw_buf_add(b, t);
	}
}

/* A line break, unless nothing is written yet. */
static void nl(hw_buf *b)
{
	if (b->len)
		hw_buf_add(b, "\n");
}

static void put_status(hw_buf *b, const json_t *it)
{
	const char *st = str(it, "status");
	if (!st)
		return;
	hw_buf_add(b, !strcmp(st, "cancelled") ? "**Cancelled** · " :
		      !strcmp(st, "moved") ? "**Moved** · " : "**New** · ");
}

/* The body of a talk, sprint or open space: times, place, people, counts,
 * note, links. */
static void item_desc(hw_buf *b, const json_t *it)
{
	const json_t *speakers = json_object_get(it, "speakers"), *sp;
	int first = 1;
	size_t i;
	put_status(b, it);
	put_times(b, it);
	if (str(it, "room") || str(it, "track")) {
		nl(b);
		if (str(it, "room"))
			rm_put(b, str(it, "room"), 100, 0, 1);
		if (str(it, "room") && str(it, "track"))
			hw_buf_add(b, " · ");
		if (str(it, "track"))
			rm_put(b, str(it, "track"), 100, 0, 1);
	}
	if (json_array_size(speakers)) {
		nl(b);
		json_array_foreach(speakers, i, sp) {
			if (i == 8) {
				char t[48];
				snprintf(t, sizeof(t), ", and %zu more", json_array_size(speakers) - i);
				hw_buf_add(b, t);
				break;
			}
			if (i)
				hw_buf_add(b, ", ");
			rm_put(b, json_string_value(sp), 80, 0, 1);
		}
	}
	if (json_object_get(it, "count") || json_object_get(it, "capacity") || str(it, "host") ||
	    json_object_get(it, "waitlist")) {
		nl(b);
		put_counts(b, it, &first);
	}
	if (str(it, "note")) {
		nl(b);
		rm_put(b, str(it, "note"), 500, 1, 1);
	}
	first = 1;
	if (str(it, "stream") || str(it, "recording"))
		nl(b);
	if (str(it, "stream")) {
		sep(b, &first, " · ");
		hw_buf_add(b, "[Livestream](");
		hw_buf_add(b, str(it, "stream"));
		hw_buf_add(b, ")");
	}
	if (str(it, "recording")) {
		sep(b, &first, " · ");
		hw_buf_add(b, "[Recording](");
		hw_buf_add(b, str(it, "recording"));
		hw_buf_add(b, ")");
	}
}

static int is_rich(const char *kind)
{
	return !strcmp(kind, "talk") || !strcmp(kind, "sprint") || !strcmp(kind, "openspace");
}

static size_t embed_chars(const json_t *e)
{
	size_t n = rm_chars(str(e, "title")) + rm_chars(str(e, "description"));
	const json_t *f;
	size_t i;
	json_array_foreach(json_object_get(e, "fields"), i, f)
		n += rm_chars(str(f, "name")) + rm_chars(str(f, "value"));
	n += rm_chars(str(json_object_get(e, "footer"), "text"));
	return n;
}

/* Adds e (stolen) when it fits; returns 0, or -1 (e freed) when not. */
static int add_embed(struct draw *d, json_t *e)
{
	size_t n;
	if (!e)
		return -1;
	n = embed_chars(e);
	if (json_array_size(d->embeds) >= RM_EMBEDS_MAX || d->total + n > RM_EMBED_TOTAL_MAX) {
		json_decref(e);
		return -1;
	}
	d->total += n;
	json_array_append_new(d->embeds, e);
	return 0;
}

static json_t *rich_embed(const json_t *it)
{
	hw_buf t, b;
	json_t *e = json_object();
	long colour = rm_colour(str(it, "colour"));
	if (!e)
		return NULL;
	hw_buf_init(&t, 0);
	hw_buf_init(&b, 0);
	rm_put(&t, str(it, "title") ? str(it, "title") : "(untitled)", RM_EMBED_TITLE_MAX, 0, 1);
	item_desc(&b, it);
	json_object_set_new(e, "title", buf_json(&t));
	if (str(it, "url"))
		json_object_set_new(e, "url", json_string(str(it, "url")));
	if (b.len)
		json_object_set_new(e, "description", buf_json(&b));
	if (colour >= 0)
		json_object_set_new(e, "color", json_integer(colour));
	hw_buf_free(&t);
	hw_buf_free(&b);
	return e;
}

/* A table as a code block: columns padded to their widest cell. */
static void table_text(hw_buf *b, const json_t *it)
{
	const json_t *cols = json_object_get(it, "columns"), *rows = json_object_get(it, "rows");
	size_t w[10] = {0}, ncol = json_array_size(cols), i, k;
	const json_t *row;
	json_array_foreach(rows, i, row)
		if (json_array_size(row) > ncol)
			ncol = json_array_size(row);
	for (k = 0; k < ncol; k++) {
		size_t n = rm_chars(json_string_value(json_array_get(cols, k)));
		w[k] = n > 40 ? 40 : n;
	}
	json_array_foreach(rows, i, row) {
		for (k = 0; k < json_array_size(row); k++) {
			size_t n = rm_chars(json_string_value(json_array_get(row, k)));
			if (n > w[k])
				w[k] = n > 40 ? 40 : n;
		}
	}
	hw_buf_add(b, "```\n");
	for (i = 0; i <= json_array_size(rows); i++) {
		const json_t *r = i ? json_array_get(rows, i - 1) : cols;
		if (!i && !json_array_size(cols))
			continue;
		for (k = 0; k < ncol; k++) {
			const char *cell = json_string_value(json_array_get(r, k));
			size_t n;
			hw_buf t;
			hw_buf_init(&t, 0);
			/* No escaping inside a code block; a backtick cannot close it. */
			rm_put(&t, cell ? cell : "", w[k], 0, 0);
			for (char *p = t.data; p && *p; p++)
				if (*p == '`')
					*p = '\'';
			hw_buf_add(b, hw_buf_str(&t) ? hw_buf_str(&t) : "");
			n = rm_chars(hw_buf_str(&t));
			hw_buf_free(&t);
			if (k + 1 < ncol)
				for (; n < w[k] + 2; n++)
					hw_buf_add(b, " ");
		}
		hw_buf_add(b, "\n");
	}
	hw_buf_add(b, "```");
}

/* One item as compact line(s) of a list. */
static void item_line(hw_buf *b, const json_t *it)
{
	const char *kind = str(it, "kind");
	if (!strcmp(kind, "text")) {
		rm_put(b, str(it, "text"), 1000, 1, 1);
	} else if (!strcmp(kind, "field")) {
		hw_buf_add(b, "**");
		rm_put(b, str(it, "name"), 200, 0, 1);
		hw_buf_add(b, "**: ");
		rm_put(b, str(it, "value"), 1000, 1, 1);
	} else if (!strcmp(kind, "table")) {
		if (str(it, "title")) {
			hw_buf_add(b, "**");
			rm_put(b, str(it, "title"), 200, 0, 1);
			hw_buf_add(b, "**\n");
		}
		table_text(b, it);
	} else {
		const json_t *s = json_object_get(it, "start"), *sp = json_object_get(it, "speakers");
		char t[64];
		put_status(b, it);
		if (s) {
			snprintf(t, sizeof(t), "<t:%lld:t> ", (long long)(json_integer_value(s) / 1000));
			hw_buf_add(b, t);
		}
		if (str(it, "url"))
			hw_buf_add(b, "[");
		hw_buf_add(b, "**");
		rm_put(b, str(it, "title") ? str(it, "title") : "(untitled)", 120, 0, 1);
		hw_buf_add(b, "**");
		if (str(it, "url")) {
			hw_buf_add(b, "](");
			hw_buf_add(b, str(it, "url"));
			hw_buf_add(b, ")");
		}
		if (str(it, "room")) {
			hw_buf_add(b, " · ");
			rm_put(b, str(it, "room"), 60, 0, 1);
		}
		if (json_array_size(sp)) {
			hw_buf_add(b, " · ");
			rm_put(b, json_string_value(json_array_get(sp, 0)), 60, 0, 1);
			if (json_array_size(sp) > 1)
				hw_buf_add(b, " et al.");
		}
		if (json_object_get(it, "count") || json_object_get(it, "capacity") ||
		    str(it, "host")) {
			int first = 0;
			put_counts(b, it, &first);
		}
	}
}

/* Every item as lines, packed into embeds of at most 4096 characters. */
static void draw_compact(struct draw *d, const json_t *items)
{
	hw_buf b;
	const json_t *it;
	size_t i, n = json_array_size(items), chars = 0, in_embed = 0;
	hw_buf_init(&b, 0);
	for (i = 0; i < n; i++) {
		hw_buf line;
		size_t lc;
		it = json_array_get(items, i);
		hw_buf_init(&line, 0);
		item_line(&line, it);
		lc = rm_chars(hw_buf_str(&line));
		if (lc + 1 > RM_EMBED_DESC_MAX) { /* one item alone too long */
			hw_buf_free(&line);
			hw_buf_init(&line, 0);
			rm_put(&line, str(it, "title") ? str(it, "title") : "(a long item)", 200, 0, 1);
			lc = rm_chars(hw_buf_str(&line));
		}
		if (in_embed && (chars + 1 + lc > RM_EMBED_DESC_MAX ||
				 d->total + chars + 1 + lc > RM_EMBED_TOTAL_MAX)) {
			json_t *e = json_pack("{s:o}", "description", buf_json(&b));
			hw_buf_free(&b);
			hw_buf_init(&b, 0);
			if (add_embed(d, e)) {
				d->dropped += in_embed;
				in_embed = 0;
				chars = 0;
				hw_buf_free(&line);
				d->dropped += n - i;
				return;
			}
			in_embed = 0;
			chars = 0;
		}
		if (in_embed)
			hw_buf_add(&b, "\n");
		hw_buf_add(&b, hw_buf_str(&line) ? hw_buf_str(&line) : "");
		chars += lc + !!in_embed;
		in_embed++;
		hw_buf_free(&line);
	}
	if (in_embed && add_embed(d, json_pack("{s:o}", "description", buf_json(&b))))
		d->dropped += in_embed;
	hw_buf_free(&b);
}

/* One embed per talk, sprint or open space; runs of text or fields and
 * each table one embed. Returns -1 when it does not fit in one message. */
static int draw_rich(struct draw *d, const json_t *items)
{
	size_t i = 0, n = json_array_size(items);
	while (i < n) {
		const json_t *it = json_array_get(items, i);
		const char *kind = str(it, "kind");
		json_t *e = NULL;
		if (is_rich(kind)) {
			e = rich_embed(it);
			i++;
		} else if (!strcmp(kind, "field")) {
			json_t *fields = json_array();
			e = json_pack("{s:o}", "fields", fields);
			for (; i < n && !strcmp(str(json_array_get(items, i), "kind"), "field") &&
			       json_array_size(fields) < RM_EMBED_FIELDS_MAX; i++) {
				hw_buf nb, vb;
				const json_t *f = json_array_get(items, i);
				hw_buf_init(&nb, 0);
				hw_buf_init(&vb, 0);
				rm_put(&nb, str(f, "name"), RM_FIELD_NAME_MAX, 0, 1);
				rm_put(&vb, str(f, "value"), RM_FIELD_VALUE_MAX, 1, 1);
				json_array_append_new(fields, json_pack("{s:o, s:o, s:b}", "name",
									buf_json(&nb), "value",
									buf_json(&vb), "inline", 1));
				hw_buf_free(&nb);
				hw_buf_free(&vb);
			}
		} else {
			hw_buf b;
			hw_buf_init(&b, 0);
			if (!strcmp(kind, "table")) {
				table_text(&b, it);
				i++;
			} else {
				for (int k = 0; i < n && !strcmp(str(json_array_get(items, i), "kind"),
								 "text"); i++, k++) {
					if (k)
						hw_buf_add(&b, "\n");
					rm_put(&b, str(json_array_get(items, i), "text"), 1000, 1, 1);
				}
			}
			if (rm_chars(hw_buf_str(&b)) > RM_EMBED_DESC_MAX) {
				hw_buf_free(&b);
				return -1;
			}
			e = json_pack("{s:o}", "description", buf_json(&b));
			if (e && !strcmp(kind, "table") && str(it, "title")) {
				hw_buf t;
				hw_buf_init(&t, 0);
				rm_put(&t, str(it, "title"), RM_EMBED_TITLE_MAX, 0, 1);
				json_object_set_new(e, "title", buf_json(&t));
				hw_buf_free(&t);
			}
			hw_buf_free(&b);
		}
		if (add_embed(d, e))
			return -1;
	}
	return 0;
}

/* ---- components ---- */

static int button_style(const char *s, int def)
{
	if (!s)
		return def;
	return !strcmp(s, "primary") ? 1 : !strcmp(s, "secondary") ? 2 : !strcmp(s, "success") ? 3 :
	       !strcmp(s, "danger") ? 4 : !strcmp(s, "link") ? 5 : def;
}

static json_t *button(const char *label, int style, const char *custom_id, const char *url)
{
	hw_buf l;
	json_t *b;
	hw_buf_init(&l, 0);
	rm_put(&l, label, RM_BUTTON_LABEL_MAX, 0, 0);
	b = json_pack("{s:i, s:i, s:o}", "type", 2, "style", style, "label", buf_json(&l));
	hw_buf_free(&l);
	if (b && custom_id)
		json_object_set_new(b, "custom_id", json_string(custom_id));
	if (b && url)
		json_object_set_new(b, "url", json_string(url));
	return b;
}

/* The command a person types instead of pressing: "`!next page=2`". */
static void type_instead(hw_buf *b, const struct rm_discord_opts *o, const char *label,
			 const char *command)
{
	hw_buf_add(b, "\n");
	rm_put(b, label, RM_BUTTON_LABEL_MAX, 0, 1);
	hw_buf_add(b, ": type `");
	rm_put(b, o->prefix ? o->prefix : "", 10, 0, 0);
	for (const char *p = command; *p; p++) /* no backtick can close the span */
		hw_buf_addn(b, *p == '`' ? "'" : p, 1);
	hw_buf_add(b, "`");
}

/* 1 when a component of rows already has custom_id id (Discord refuses
 * a message with two). */
static int id_taken(const json_t *rows, const char *id)
{
	const json_t *row, *c;
	size_t i, k;
	json_array_foreach(rows, i, row)
		json_array_foreach(json_object_get(row, "components"), k, c) {
			const char *other = json_string_value(json_object_get(c, "custom_id"));
			if (id && other && !strcmp(id, other))
				return 1;
		}
	return 0;
}

/* Adds buttons to rows of five; a second button running the same thing
 * is left out. */
static void row_add(json_t *rows, json_t *btn)
{
	json_t *row = json_array_get(rows, json_array_size(rows) - 1);
	json_t *comps = json_object_get(row, "components");
	if (!btn)
		return;
	if (id_taken(rows, json_string_value(json_object_get(btn, "custom_id")))) {
		json_decref(btn);
		return;
	}
	if (!row || json_array_size(comps) >= 5) {
		comps = json_array();
		json_array_append_new(rows, json_pack("{s:i, s:o}", "type", 1, "components", comps));
	}
	json_array_append_new(comps, btn);
}

static json_t *draw_components(const json_t *model, const struct rm_discord_opts *o, hw_buf *text)
{
	json_t *rows = json_array(), *more = json_object_get(model, "more"), *a, *ch;
	char id[RM_CUSTOM_ID_MAX + 1];
	size_t i;
	if (!rows)
		return NULL;
	if (more && json_integer_value(json_object_get(more, "shown")) <
			    json_integer_value(json_object_get(more, "total"))) {
		const json_t *cmd = json_object_get(more, "command");
		if (o->ids && !o->ids(o->ud, "p", cmd, id, sizeof(id)))
			row_add(rows, button("Show more", 1, id, NULL));
		else
			type_instead(text, o, "More", json_string_value(cmd));
	}
	json_array_foreach(json_object_get(model, "actions"), i, a) {
		const char *label = str(a, "label");
		int style = button_style(str(a, "style"), 2);
		if (str(a, "url")) {
			row_add(rows, button(label, 5, NULL, str(a, "url")));
		} else if (json_object_get(a, "modal")) {
			if (o->ids && !o->ids(o->ud, "m", json_object_get(a, "modal"), id, sizeof(id)))
				row_add(rows, button(label, style == 5 ? 2 : style, id, NULL));
			else
				type_instead(text, o, label,
					     str(json_object_get(a, "modal"), "command"));
		} else {
			const json_t *cmd = json_object_get(a, "command");
			if (o->ids && !o->ids(o->ud, "c", cmd, id, sizeof(id)))
				row_add(rows, button(label, style == 5 ? 2 : style, id, NULL));
			else
				type_instead(text, o, label, json_string_value(cmd));
		}
	}
	if ((ch = json_object_get(model, "choice"))) {
		const json_t *cmd = json_object_get(ch, "command"), *opt;
		if (o->ids && !o->ids(o->ud, "s", cmd, id, sizeof(id)) && !id_taken(rows, id)) {
			json_t *opts = json_array(), *sel, *seen;
			json_array_foreach(json_object_get(ch, "options"), i, opt) {
				hw_buf l;
				json_t *jo;
				size_t k;
				int dup = 0;
				json_array_foreach(opts, k, seen) /* values are unique in a menu */
					dup |= !strcmp(str(seen, "value"), str(opt, "value"));
				if (dup)
					continue;
				hw_buf_init(&l, 0);
				rm_put(&l, str(opt, "label"), RM_OPTION_MAX, 0, 0);
				jo = json_pack("{s:o, s:s}", "label", buf_json(&l), "value", str(opt, "value"));
				hw_buf_free(&l);
				if (jo && str(opt, "description")) {
					hw_buf_init(&l, 0);
					rm_put(&l, str(opt, "description"), RM_OPTION_MAX, 0, 0);
					json_object_set_new(jo, "description", buf_json(&l));
					hw_buf_free(&l);
				}
				json_array_append_new(opts, jo);
			}
			sel = json_pack("{s:i, s:s, s:o}", "type", 3, "custom_id", id, "options", opts);
			if (sel && str(ch, "placeholder"))
				json_object_set_new(sel, "placeholder", json_string(str(ch, "placeholder")));
			json_array_append_new(rows, json_pack("{s:i, s:[o]}", "type", 1, "components", sel));
		} else {
			char line[160];
			json_array_foreach(json_object_get(ch, "options"), i, opt) {
				snprintf(line, sizeof(line), "%s %s", json_string_value(cmd), str(opt, "value"));
				type_instead(text, o, str(opt, "label"), line);
			}
		}
	}
	return rows;
}

/* The mentions of a checked model's "mention_users", on a line of their
 * own: "<@42> <@43>". They ping only because the host's allowed_mentions
 * names the same users (api_reply.c); this body alone pings nobody. */
static void put_mentions(hw_buf *b, const json_t *users)
{
	const json_t *u;
	size_t i;
	json_array_foreach(users, i, u) {
		if (!rm_is_snowflake(json_string_value(u)))
			continue;
		hw_buf_add(b, i ? " " : b->len ? "\n" : "");
		hw_buf_add(b, "<@");
		hw_buf_add(b, json_string_value(u));
		hw_buf_add(b, ">");
	}
}

json_t *reply_model_discord(const json_t *model, const struct rm_discord_opts *o)
{
	struct draw d = {o, json_array(), 0, 0};
	const json_t *items = json_object_get(model, "items"), *more = json_object_get(model, "more");
	json_t *msg = NULL, *rows = NULL;
	hw_buf content, tail;
	size_t room, used;

	if (!d.embeds)
		return NULL;
	hw_buf_init(&content, 0);
	hw_buf_init(&tail, 0);
	if (draw_rich(&d, items)) {
		json_array_clear(d.embeds);
		d.total = 0;
		draw_compact(&d, items);
	}
	/* The tail: how much is shown, what did not fit, what to type. */
	if (more && json_integer_value(json_object_get(more, "shown")) <
			    json_integer_value(json_object_get(more, "total"))) {
		char t[96];
		snprintf(t, sizeof(t), "%lld of %lld shown.",
			 (long long)json_integer_value(json_object_get(more, "shown")),
			 (long long)json_integer_value(json_object_get(more, "total")));
		hw_buf_add(&tail, t);
	}
	if (d.dropped) {
		char t[160];
		snprintf(t, sizeof(t), "%s%zu more item%s did not fit in one Discord message.",
			 tail.len ? " " : "", d.dropped, d.dropped == 1 ? "" : "s");
		hw_buf_add(&tail, t);
	}
	if (!(rows = draw_components(model, o, &tail)))
		goto out;
	/* The content: title, mentions, text, tail, within 2000 characters. */
	if (str(model, "title")) {
		hw_buf_add(&content, "**");
		rm_put(&content, str(model, "title"), RM_EMBED_TITLE_MAX, 0, 1);
		hw_buf_add(&content, "**");
	}
	put_mentions(&content, json_object_get(model, "mention_users"));
	used = rm_chars(hw_buf_str(&content)) + rm_chars(hw_buf_str(&tail));
	room = used < RM_CONTENT_MAX - 10 ? RM_CONTENT_MAX - 10 - used : 0;
	if (str(model, "text")) {
		if (content.len)
			hw_buf_add(&content, "\n");
		rm_put(&content, str(model, "text"), room, 1, 1);
	}
	if (tail.len) {
		if (content.len)
			hw_buf_add(&content, "\n");
		hw_buf_add(&content, hw_buf_str(&tail) + (tail.data[0] == '\n'));
	}
	if (!hw_buf_str(&content))
		goto out;
	msg = json_pack("{s:s, s:{s:[]}}", "content", hw_buf_str(&content), "allowed_mentions",
			"parse");
	if (!msg)
		goto out;
	if (json_array_size(d.embeds))
		json_object_set(msg, "embeds", d.embeds);
	if (json_array_size(rows))
		json_object_set(msg, "components", rows);
	if (json_is_true(json_object_get(model, "private")))
		json_object_set_new(msg, "flags", json_integer(FLAG_EPHEMERAL));
	if (str(model, "nonce") &&
	    (json_object_set_new(msg, "nonce", json_string(str(model, "nonce"))) ||
	     json_object_set_new(msg, "enforce_nonce", json_true()))) {
		json_decref(msg);
		msg = NULL;
	}
out:
	json_decref(rows);
	json_decref(d.embeds);
	hw_buf_free(&content);
	hw_buf_free(&tail);
	return msg;
}
