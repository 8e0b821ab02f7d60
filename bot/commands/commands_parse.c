/*
 * Parsing what users type into a command and its arguments: the chat and
 * console line (quotes, typed arguments, suggestions for near misses) and
 * the slash interaction (options, subcommands, autocomplete). Both give the
 * same argv for the same input. Parsing never echoes user text into `why`.
 */
#include <inttypes.h>

#include "commands.h"
#include "commands_int.h"

#include <hallway/text.h>

/* ----------------------------------------------------------- parsed args */

void parsed_args_free(struct parsed_args *pa)
{
	if (!pa)
		return;
	for (size_t i = 0; i < pa->nstrings; i++)
		free(pa->strings[i]);
	free(pa->strings);
	free(pa->argv);
	free(pa->raw);
	memset(pa, 0, sizeof(*pa));
}

/* argv with cmd->nargs entries, all absent, and room for one string per
 * argument plus the autocomplete value. */
static int pa_init(struct parsed_args *pa, struct command *c)
{
	memset(pa, 0, sizeof(*pa));
	pa->cmd = c;
	pa->argv = calloc(c->nargs ? c->nargs : 1, sizeof(*pa->argv));
	pa->strings = calloc(c->nargs + 1, sizeof(*pa->strings));
	if (!pa->argv || !pa->strings) {
		parsed_args_free(pa);
		return 0;
	}
	for (size_t i = 0; i < c->nargs; i++)
		pa->argv[i].name = c->args[i].name;
	return 1;
}

/* Takes s (owned). Returns s, or NULL if s was NULL. */
static char *pa_keep(struct parsed_args *pa, char *s)
{
	if (s)
		pa->strings[pa->nstrings++] = s;
	return s;
}

/* Sets argument i to s (owned; freed on failure). Returns 0 on NOMEM. */
static int pa_set(struct parsed_args *pa, size_t i, char *s, int64_t num)
{
	if (!pa_keep(pa, s))
		return 0;
	pa->argv[i].present = 1;
	pa->argv[i].str = s;
	pa->argv[i].num = num;
	return 1;
}

static char *format_int(int64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return dup_n(buf, strlen(buf));
}

/* Base-10, optional sign, nothing else. 0 ok, -1 not a number, -2 range. */
static int parse_int64(const char *s, int64_t *out)
{
	int neg = 0;
	uint64_t v = 0, limit;

	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (!*s)
		return -1;
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (limit - (uint64_t)(*s - '0')) / 10)
			return -2;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = neg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v) : (int64_t)v;
	return 0;
}

static int parse_bool(const char *s, int64_t *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!ascii_casecmp(s, yes[i])) {
			*out = 1;
			return 0;
		}
		if (!ascii_casecmp(s, no[i])) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

/* Sets argument i from text s (borrowed), converting by type. */
static enum parse_result pa_set_text(struct parsed_args *pa, size_t i, const char *s,
				     char *why, size_t whylen)
{
	const struct command_arg *a = &pa->cmd->args[i];
	int64_t v = 0;
	int rc;

	switch (a->type) {
	case HW_ARG_INTEGER:
		rc = parse_int64(s, &v);
		if (rc == -2) {
			why_set(why, whylen, "%s is out of range", a->name);
			return PARSE_BAD_ARGS;
		}
		if (rc) {
			why_set(why, whylen, "%s must be a whole number", a->name);
			return PARSE_BAD_ARGS;
		}
		return pa_set(pa, i, format_int(v), v) ? PARSE_OK : PARSE_NOMEM;
	case HW_ARG_BOOL:
		if (parse_bool(s, &v)) {
			why_set(why, whylen, "%s must be yes or no", a->name);
			return PARSE_BAD_ARGS;
		}
		return pa_set(pa, i, dup_n(v ? "true" : "false", v ? 4 : 5), v) ? PARSE_OK
										 : PARSE_NOMEM;
	default:
		return pa_set(pa, i, dup_n(s, strlen(s)), 0) ? PARSE_OK : PARSE_NOMEM;
	}
}

/* ------------------------------------------------------------ tokenizer */

/* Byte length of a double quote at p: '"' or “ ” „ (U+201C..U+201E). */
static size_t quote_len(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	if (u[0] == '"')
		return 1;
	if (u[0] == 0xe2 && u[1] == 0x80 && u[2] >= 0x9c && u[2] <= 0x9e)
		return 3;
	return 0;
}

enum tok { TOK_OK, TOK_NOMEM, TOK_UNTERMINATED };

/*
 * One word at *pp (which is not whitespace), or a quoted phrase: any double
 * quote opens and any closes it; inside, a backslash before a quote or a
 * backslash makes it literal (other backslashes are kept). *out is a new
 * string; *pp moves past the token.
 */
static enum tok token_read(const char **pp, char **out)
{
	const char *p = *pp;
	size_t q = quote_len(p), n = 0;
	char *buf = malloc(strlen(p) + 1);

	*out = NULL;
	if (!buf)
		return TOK_NOMEM;
	if (!q) {
		while (*p && !is_space((unsigned char)*p))
			buf[n++] = *p++;
	} else {
		size_t ql;

		p += q;
		for (;;) {
			if (!*p) {
				free(buf);
				return TOK_UNTERMINATED;
			}
			if (*p == '\\' && (p[1] == '\\' || quote_len(p + 1))) {
				size_t l = p[1] == '\\' ? 1 : quote_len(p + 1);
				memcpy(buf + n, p + 1, l);
				n += l;
				p += 1 + l;
				continue;
			}
			ql = quote_len(p);
			if (ql) {
				p += ql;
				break;
			}
			buf[n++] = *p++;
		}
	}
	buf[n] = '\0';
	*pp = p;
	*out = buf;
	return TOK_OK;
}

/*
 * Chat arguments. rest: the argument text, no leading or trailing space.
 * A command with a single STRING argument takes the whole rest (unless it is
 * exactly one quoted phrase), so "next Envelope Room" needs no quotes.
 */
static enum parse_result parse_args(struct parsed_args *pa, const char *rest, char *why,
				    size_t whylen)
{
	const struct command *c = pa->cmd;
	const char *p = rest;
	enum parse_result r;

	for (size_t i = 0; i < c->nargs; i++) {
		const struct command_arg *a = &c->args[i];
		char *tok = NULL;
		enum tok t;

		p = skip_space(p);
		if (!*p) {
			if (a->required) {
				why_set(why, whylen, "missing %s", a->name);
				return PARSE_BAD_ARGS;
			}
			continue;
		}
		if (a->type == HW_ARG_TEXT) {
			r = pa_set_text(pa, i, p, why, whylen);
			if (r != PARSE_OK)
				return r;
			p += strlen(p);
			continue;
		}
		if (a->type == HW_ARG_STRING && c->nargs == 1) {
			const char *q = p;

			t = token_read(&q, &tok);
			if (t == TOK_NOMEM)
				return PARSE_NOMEM;
			if (t == TOK_OK && !*skip_space(q))
				r = pa_set(pa, i, tok, 0) ? PARSE_OK : PARSE_NOMEM;
			else {
				free(tok);
				r = pa_set_text(pa, i, p, why, whylen);
			}
			if (r != PARSE_OK)
				return r;
			p += strlen(p);
			continue;
		}
		t = token_read(&p, &tok);
		if (t == TOK_NOMEM)
			return PARSE_NOMEM;
		if (t == TOK_UNTERMINATED) {
			why_set(why, whylen, "missing closing quote");
			return PARSE_BAD_ARGS;
		}
		r = pa_set_text(pa, i, tok, why, whylen);
		free(tok);
		if (r != PARSE_OK)
			return r;
	}
	if (*skip_space(p)) {
		why_set(why, whylen, "too many arguments");
		return PARSE_BAD_ARGS;
	}
	return PARSE_OK;
}

/* ---------------------------------------------------------- suggestions */


struct suggestion {
	const char *name;
	size_t dist;
};

static int suggestion_cmp(const void *x, const void *y)
{
	const struct suggestion *a = x, *b = y;

	if (a->dist != b->dist)
		return a->dist < b->dist ? -1 : 1;
	return strcmp(a->name, b->name);
}

/*
 * "did you mean next?" for a mistyped first word (lowercase), or nothing
 * when no top-level name is close: short words (chatter like "!!" or "ok")
 * get no suggestion, up to 5 letters one edit is allowed, then two. A typed
 * word of 4+ letters that begins a command name also counts.
 */
static void suggest(struct commands *cs, const char *word, size_t wl, char *why,
		    size_t whylen)
{
	struct suggestion best[CMD_SUGGEST_MAX + 1];
	size_t nbest = 0, maxd = wl < 3 ? 0 : wl <= 5 ? 1 : 2;
	struct sbuf sb = {why, 0, whylen};

	if (!maxd || wl > CMD_WORD_MAX + 8)
		return;
	for (const struct command *c = cs->head; c; c = c->next) {
		const char *top = top_name(c);
		size_t tl = strlen(top), dist;
		int dup = 0;

		if (c->dead)
			continue;
		for (size_t i = 0; i < nbest; i++)
			dup |= !strcmp(best[i].name, top);
		if (dup)
			continue;
		dist = hw_distance(word, wl, top, tl);
		if (dist > maxd && wl >= 4 && wl < tl && !memcmp(word, top, wl))
			dist = 1;
		if (dist > maxd)
			continue;
		best[nbest].name = top;
		best[nbest].dist = dist;
		nbest++;
		qsort(best, nbest, sizeof(best[0]), suggestion_cmp);
		if (nbest > CMD_SUGGEST_MAX)
			nbest = CMD_SUGGEST_MAX;
	}
	if (!nbest)
		return;
	sbuf_add(&sb, "did you mean ");
	for (size_t i = 0; i < nbest; i++) {
		if (i)
			sbuf_add(&sb, i + 1 == nbest ? " or " : ", ");
		sbuf_add(&sb, best[i].name);
	}
	sbuf_add(&sb, "?");
}

static int str_ptr_cmp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* "sprint: try join, leave, mine" if group names a live group; else 0. */
static int group_hint(struct commands *cs, const char *group, char *why, size_t whylen)
{
	size_t n = 0, cap = 0;
	const char **subs;
	struct sbuf sb = {why, 0, whylen};

	for (const struct command *c = cs->head; c; c = c->next)
		if (!c->dead && c->group && !strcmp(c->group, group))
			cap++;
	if (!cap)
		return 0;
	subs = malloc(cap * sizeof(*subs));
	if (!subs) {
		why_set(why, whylen, "%s: try help %s", group, group);
		return 1;
	}
	for (const struct command *c = cs->head; c; c = c->next)
		if (!c->dead && c->group && !strcmp(c->group, group))
			subs[n++] = c->sub;
	qsort(subs, n, sizeof(*subs), str_ptr_cmp);
	sbuf_add(&sb, group);
	sbuf_add(&sb, ": try ");
	for (size_t i = 0; i < n; i++) {
		if (i && !strcmp(subs[i], subs[i - 1]))
			continue;
		if (i)
			sbuf_add(&sb, ", ");
		sbuf_add(&sb, subs[i]);
	}
	free(subs);
	return 1;
}

/* ------------------------------------------------------------ chat door */

enum parse_result commands_parse_line(struct commands *cs, const char *text,
				      struct parsed_args *out, char *why, size_t whylen)
{
	const char *start, *w1, *w2, *rest = NULL;
	size_t len, l1, l2;
	char key[2 * CMD_WORD_MAX + 2];
	char *line = NULL;
	struct command *c = NULL;
	struct parsed_args pa;
	enum parse_result r;

	why_set(why, whylen, "%s", "");
	if (out)
		memset(out, 0, sizeof(*out));
	if (!cs || !out)
		return PARSE_NO_COMMAND;
	if (!text)
		text = "";
	for (len = 0; len <= CMD_LINE_MAX && text[len]; len++)
		; /* strnlen: never scan a megabyte we will refuse anyway */
	if (len > CMD_LINE_MAX) {
		why_set(why, whylen, "too long");
		return PARSE_BAD_ARGS;
	}
	if (utf8_chars(text, len) < 0) {
		why_set(why, whylen, "invalid text");
		return PARSE_BAD_ARGS;
	}
	start = skip_space(text);
	while (len > (size_t)(start - text) && is_space((unsigned char)text[len - 1]))
		len--;
	line = dup_n(start, len - (size_t)(start - text));
	if (!line)
		return PARSE_NOMEM;

	w1 = line;
	for (l1 = 0; w1[l1] && !is_space((unsigned char)w1[l1]); l1++)
		;
	w2 = skip_space(w1 + l1);
	for (l2 = 0; w2[l2] && !is_space((unsigned char)w2[l2]); l2++)
		;
	if (!l1) {
		free(line);
		return PARSE_NO_COMMAND;
	}
	if (l2 && l1 <= CMD_WORD_MAX && l2 <= CMD_WORD_MAX) {
		memcpy(key, w1, l1);
		key[l1] = ' ';
		memcpy(key + l1 + 1, w2, l2);
		key[l1 + 1 + l2] = '\0';
		c = commands_find(cs, key);
		rest = w2 + l2;
	}
	if (!c && l1 <= CMD_WORD_MAX) {
		memcpy(key, w1, l1);
		key[l1] = '\0';
		c = commands_find(cs, key);
		rest = w1 + l1;
	}
	if (!c) {
		char lower[CMD_WORD_MAX + 9];

		if (l1 < sizeof(lower)) {
			for (size_t i = 0; i < l1; i++)
				lower[i] = ascii_lower(w1[i]);
			lower[l1] = '\0';
			if (!group_hint(cs, lower, why, whylen))
				suggest(cs, lower, l1, why, whylen);
		}
		free(line);
		return PARSE_NO_COMMAND;
	}
	rest = skip_space(rest);
	if (!pa_init(&pa, c)) {
		free(line);
		return PARSE_NOMEM;
	}
	pa.raw = dup_n(rest, strlen(rest));
	r = pa.raw ? parse_args(&pa, rest, why, whylen) : PARSE_NOMEM;
	free(line);
	if (r != PARSE_OK) {
		parsed_args_free(&pa);
		return r;
	}
	why_set(why, whylen, "%s", "");
	*out = pa;
	return PARSE_OK;
}

/* ----------------------------------------------------------- slash door */

/* Discord's option type for an argument type. */
static int discord_type(enum hw_arg_type t)
{
	return t == HW_ARG_INTEGER ? 4 : t == HW_ARG_BOOL ? 5 : 3;
}

static char *trimmed_copy(const char *s)
{
	const char *e;

	s = skip_space(s);
	e = s + strlen(s);
	while (e > s && is_space((unsigned char)e[-1]))
		e--;
	return dup_n(s, (size_t)(e - s));
}

/* The first option object named name in the array opts, or NULL. */
static json_t *option_get(json_t *opts, const char *name)
{
	size_t i;
	json_t *o;

	json_array_foreach(opts, i, o) {
		const char *n = json_string_value(json_object_get(o, "name"));
		if (n && !strcmp(n, name))
			return o;
	}
	return NULL;
}

/* One slash option into argument i. In an autocomplete payload values may
 * be partial: an integer typed as text is accepted when it parses. */
static enum parse_result slash_arg(struct parsed_args *pa, size_t i, json_t *o, int autocomplete,
				   char *why, size_t whylen)
{
	const struct command_arg *a = &pa->cmd->args[i];
	json_t *type = json_object_get(o, "type"), *v = json_object_get(o, "value");
	int focused = json_is_true(json_object_get(o, "focused"));
	char *s;

	if (focused) {
		pa->focused_arg = a->name;
		if (json_is_string(v))
			s = dup_n(json_string_value(v), strlen(json_string_value(v)));
		else if (json_is_integer(v))
			s = format_int((int64_t)json_integer_value(v));
		else
			s = dup_n("", 0);
		pa->focused_value = pa_keep(pa, s);
		if (!s)
			return PARSE_NOMEM;
	}
	if (json_is_integer(type) && json_integer_value(type) != discord_type(a->type))
		goto mismatch;
	switch (a->type) {
	case HW_ARG_STRING:
	case HW_ARG_TEXT:
		if (!json_is_string(v))
			goto mismatch;
		s = trimmed_copy(json_string_value(v));
		if (!s)
			return PARSE_NOMEM;
		if (!*s) {
			free(s); /* blank is absent, as in chat */
			return PARSE_OK;
		}
		return pa_set(pa, i, s, 0) ? PARSE_OK : PARSE_NOMEM;
	case HW_ARG_INTEGER:
		if (json_is_integer(v)) {
			int64_t n = (int64_t)json_integer_value(v);
			return pa_set(pa, i, format_int(n), n) ? PARSE_OK : PARSE_NOMEM;
		}
		if (autocomplete && json_is_string(v)) {
			int64_t n;
			if (parse_int64(json_string_value(v), &n))
				return PARSE_OK; /* still being typed: absent */
			return pa_set(pa, i, format_int(n), n) ? PARSE_OK : PARSE_NOMEM;
		}
		goto mismatch;
	case HW_ARG_BOOL:
		if (!json_is_boolean(v))
			goto mismatch;
		return pa_set(pa, i, dup_n(json_is_true(v) ? "true" : "false",
					   json_is_true(v) ? 4 : 5), json_is_true(v))
			       ? PARSE_OK : PARSE_NOMEM;
	}
mismatch:
	why_set(why, whylen, "%s has the wrong type", a->name);
	return PARSE_BAD_ARGS;
}

/* A value as chat would need it typed: quoted when it has spaces or quotes
 * (and the command takes more than the one argument). */
static void raw_append(char *dst, size_t *n, const char *s, int quote)
{
	if (!quote) {
		memcpy(dst + *n, s, strlen(s));
		*n += strlen(s);
		return;
	}
	dst[(*n)++] = '"';
	for (; *s; s++) {
		if (*s == '\\' || quote_len(s))
			dst[(*n)++] = '\\';
		if (quote_len(s) == 3) {
			memcpy(dst + *n, s, 3);
			*n += 3;
			s += 2;
			continue;
		}
		dst[(*n)++] = *s;
	}
	dst[(*n)++] = '"';
}

/* The chat-equivalent argument text for a slash invocation: present values
 * in order, separated by spaces (best effort when an optional argument in
 * the middle was left out). */
static char *raw_from_args(const struct parsed_args *pa)
{
	const struct command *c = pa->cmd;
	size_t cap = 1, n = 0;
	char *raw;

	for (size_t i = 0; i < c->nargs; i++)
		if (pa->argv[i].present)
			cap += 2 * strlen(pa->argv[i].str) + 3;
	raw = malloc(cap);
	if (!raw)
		return NULL;
	for (size_t i = 0; i < c->nargs; i++) {
		const char *s = pa->argv[i].str;
		int quote;

		if (!pa->argv[i].present)
			continue;
		quote = c->args[i].type == HW_ARG_STRING && c->nargs > 1 &&
			(!*s || quote_len(s) || strpbrk(s, " \t\n\r\v\f"));
		if (n)
			raw[n++] = ' ';
		raw_append(raw, &n, s, quote);
	}
	raw[n] = '\0';
	return raw;
}

enum parse_result commands_parse_interaction(struct commands *cs, json_t *data,
					     struct parsed_args *out, char *why, size_t whylen)
{
	const char *name;
	json_t *opts, *o, *sub = NULL;
	char key[2 * CMD_WORD_MAX + 2];
	struct command *c;
	struct parsed_args pa;
	enum parse_result r = PARSE_OK;
	int autocomplete = 0;
	size_t i;

	why_set(why, whylen, "%s", "");
	if (out)
		memset(out, 0, sizeof(*out));
	if (!cs || !out || !json_is_object(data))
		return PARSE_NO_COMMAND;
	name = json_string_value(json_object_get(data, "name"));
	o = json_object_get(data, "type");
	if (!name || strlen(name) > CMD_WORD_MAX || (o && json_integer_value(o) != 1)) {
		why_set(why, whylen, "not a command of this bot");
		return PARSE_NO_COMMAND;
	}
	opts = json_object_get(data, "options");
	json_array_foreach(opts, i, o) {
		json_int_t t = json_integer_value(json_object_get(o, "type"));
		if (t == 1 || t == 2) {
			sub = o;
			break;
		}
	}
	if (sub) {
		const char *sn = json_string_value(json_object_get(sub, "name"));

		if (json_integer_value(json_object_get(sub, "type")) != 1 || !sn ||
		    strlen(sn) > CMD_WORD_MAX) {
			why_set(why, whylen, "unknown command /%s", name);
			return PARSE_NO_COMMAND;
		}
		snprintf(key, sizeof(key), "%s %s", name, sn);
		opts = json_object_get(sub, "options");
	} else {
		snprintf(key, sizeof(key), "%s", name);
	}
	c = commands_find(cs, key);
	if (!c) {
		why_set(why, whylen, "unknown command /%s", key);
		return PARSE_NO_COMMAND;
	}
	if (!json_is_array(opts))
		opts = NULL;
	/* Only a focused option that is one of the command's arguments makes
	 * this an autocomplete payload (where required arguments may be
	 * missing); a stray "focused" must not let a handler run without them. */
	for (i = 0; i < c->nargs; i++) {
		o = option_get(opts, c->args[i].name);
		autocomplete |= o && json_is_true(json_object_get(o, "focused"));
	}
	if (!pa_init(&pa, c))
		return PARSE_NOMEM;
	for (i = 0; i < c->nargs && r == PARSE_OK; i++) {
		o = option_get(opts, c->args[i].name);
		if (o)
			r = slash_arg(&pa, i, o, autocomplete, why, whylen);
		if (r == PARSE_OK && !pa.argv[i].present && c->args[i].required && !autocomplete) {
			why_set(why, whylen, "missing %s", c->args[i].name);
			r = PARSE_BAD_ARGS;
		}
	}
	if (r == PARSE_OK) {
		pa.raw = raw_from_args(&pa);
		if (!pa.raw)
			r = PARSE_NOMEM;
	}
	if (r != PARSE_OK) {
		parsed_args_free(&pa);
		return r;
	}
	why_set(why, whylen, "%s", "");
	*out = pa;
	return PARSE_OK;
}

