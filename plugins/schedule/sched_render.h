/*
 * Rendering talks for Discord: Markdown-escaped titles, Discord
 * timestamps (<t:UNIX:t>, <t:UNIX:R>) so each reader sees their own local
 * time, and the conference-local time as text. Replies are collected as
 * a list of messages, each well under Discord's 2000-character limit,
 * split only between blocks.
 */
#ifndef SCHED_RENDER_H
#define SCHED_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "sched_model.h"

/* Bytes per message; Discord counts characters, so bytes are safe. */
#define SCHED_RENDER_MSG_MAX 1900

struct sched_reply {
	char **msgs; /* owned */
	size_t n;
	size_t max_msgs;  /* 0 = unlimited; further blocks are counted */
	size_t dropped;   /* blocks that did not fit in max_msgs */
};

void sched_reply_free(struct sched_reply *r);

/* Appends a block (one or more lines, no trailing newline), starting a
 * new message when it would not fit. Blocks longer than a message are
 * cut on a UTF-8 boundary. Returns 0 or SCHED_ERR_NOMEM. */
int sched_reply_add(struct sched_reply *r, const char *block);

/* printf-style sched_reply_add; user text only ever as arguments. */
int sched_reply_addf(struct sched_reply *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Copies text into buf with Markdown and mentions neutralised, newlines
 * turned into spaces, cut at max bytes on a UTF-8 boundary ("…"). Escaping
 * can grow text: give len >= 4 * max + 8. */
void sched_render_escape(const char *text, char *buf, size_t len, size_t max);

/* "Sat 10:30" in the conference zone. */
void sched_render_local(const struct sched *s, int64_t utc, char *buf, size_t len);

/* "Sat 10:30–11:00 (Europe/Brussels)". */
void sched_render_span(const struct sched *s, const struct sched_talk *t, char *buf, size_t len);

/* The full block for one talk: title, room, speakers, both Discord
 * timestamps, local time text, link. */
int sched_render_talk(const struct sched *s, const struct sched_talk *t, struct sched_reply *r);

/* One compact line for a day's programme. */
int sched_render_line(const struct sched *s, const struct sched_talk *t, struct sched_reply *r);

#endif
