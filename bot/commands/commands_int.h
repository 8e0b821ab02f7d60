/*
 * Internals shared by commands.c (the registry) and commands_parse.c (the
 * chat and slash parsers): limits and small string helpers. Not part of the
 * daemon's interface; include only from commands*.c.
 */
#ifndef HALLWAY_COMMANDS_INT_H
#define HALLWAY_COMMANDS_INT_H

#include <hallway/plugin.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

#define CMD_WORD_MAX 32        /* Discord name limit, per word */
#define CMD_DESC_MAX 100       /* Discord description limit, in characters */
#define CMD_ARGS_MAX 25        /* Discord options per command */
#define CMD_SUBS_MAX 25        /* Discord subcommands per command */
#define CMD_TOP_MAX 100        /* Discord CHAT_INPUT commands per scope */
#define CMD_CHARS_MAX 8000     /* Discord characters per command */
#define CMD_LINE_MAX 4000      /* bytes of chat text we parse at all */
#define CMD_SUGGEST_MAX 3

/* The last member of hw_command_spec that we read. */
#define CMD_SPEC_MIN_SIZE (offsetof(hw_command_spec, ud) + sizeof(void *))

/* ---------------------------------------------------------------- helpers */

static inline void why_set(char *why, size_t whylen, const char *fmt, ...) HW_PRINTF(3, 4);

static inline void why_set(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (!why || !whylen)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/* A bounded string builder for `why`: appends until full, silently. */
struct sbuf {
	char *buf;
	size_t len, cap;
};

static inline void sbuf_add(struct sbuf *sb, const char *s)
{
	size_t n;

	if (!sb->buf || !sb->cap)
		return;
	n = strlen(s);
	if (sb->len + n >= sb->cap)
		n = sb->cap - 1 - sb->len;
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

static inline int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static inline const char *skip_space(const char *p)
{
	while (is_space((unsigned char)*p))
		p++;
	return p;
}

static inline char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static inline int ascii_casecmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		char ca = ascii_lower(*a), cb = ascii_lower(*b);
		if (ca != cb || !ca)
			return (unsigned char)ca - (unsigned char)cb;
	}
}

static inline char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static inline char *dup_or_null(const char *s, int *failed)
{
	char *d;

	if (!s)
		return NULL;
	d = dup_n(s, strlen(s));
	if (!d)
		*failed = 1;
	return d;
}

/*
 * Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above
 * U+10FFFF, no truncated sequences. Returns the number of code points, or -1.
 */
static inline long utf8_chars(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	long n = 0;

	while (p < end) {
		unsigned c = *p, cp, min;
		size_t k;

		if (c < 0x80) {
			p++;
			n++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			k = 1, cp = c & 0x1f, min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			k = 2, cp = c & 0x0f, min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return -1;
		}
		if ((size_t)(end - p) <= k)
			return -1;
		for (size_t i = 1; i <= k; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return -1;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return -1;
		p += k + 1;
		n++;
	}
	return n;
}

/* A name word: [a-z0-9_-]{1,32}. */
static inline int word_valid(const char *s, size_t n)
{
	if (n < 1 || n > CMD_WORD_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/* Text of 1..max characters (max 0: any length), valid UTF-8. */
static inline int text_valid(const char *s, long max)
{
	long n;

	if (!s)
		return 0;
	n = utf8_chars(s, strlen(s));
	return n >= 1 && (max == 0 || n <= max);
}

/* The top-level (Discord) name of a command: its group or its name. */
static inline const char *top_name(const struct command *c)
{
	return c->group ? c->group : c->name;
}

#endif
