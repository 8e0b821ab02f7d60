/*
 * sched_links — which of a talk's links is its recording (sched_links.h).
 */
#include "sched_links.h"

#include <string.h>
#include <strings.h>

#include <hallway/text.h>

#define LINK_MAX 2000

static int starts_with(const char *s, const char *prefix)
{
	s += strspn(s, " \t\r\n");
	return !strncasecmp(s, prefix, strlen(prefix));
}

/* 1 when a listed link's description says it is the talk's recording. */
static int listed_is_recording(const char *title, const char *type, const char *mime)
{
	if (type && (!strcasecmp(type, "recording") || !strcasecmp(type, "video")))
		return 1;
	if (mime && !strncasecmp(mime, "video/", 6))
		return 1;
	return title && (starts_with(title, "video recording") || starts_with(title, "recording") ||
			 starts_with(title, "video:"));
}

/* An .mp4 file (before any query string). */
static int is_mp4(const char *url)
{
	size_t n = strcspn(url, "?#");
	return n >= 4 && !strncasecmp(url + n - 4, ".mp4", 4);
}

/* Higher is better; 0 is not a recording. */
static int rank(enum sched_link_kind kind, const char *url)
{
	return (int)kind * 2 + is_mp4(url);
}

/* url, trimmed, with its inner spaces, quotes and angle brackets
 * percent-encoded as a browser sends them (FOSDEM 2023 writes
 * ".../K.1.105 (La Fontaine)/x.mp4"), into buf. 0, or -1 when it does not
 * fit or holds a control character. */
static int encode(const char *url, char *buf, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *ws = " \t\r\n";
	size_t n, o = 0;

	url += strspn(url, ws);
	n = strlen(url);
	while (n && strchr(ws, url[n - 1]))
		n--;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)url[i];
		if (c < 0x20 || c == 0x7F || o + 4 > len)
			return -1;
		if (c == ' ' || c == '"' || c == '<' || c == '>') {
			buf[o++] = '%';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		} else {
			buf[o++] = (char)c;
		}
	}
	buf[o] = 0;
	return 0;
}

int sched_links_offer(struct sched_talk *t, enum sched_link_kind kind, const char *url,
		      const char *title, const char *type, const char *mime)
{
	char buf[LINK_MAX + 1];
	int r;

	if (!url || encode(url, buf, sizeof(buf)) || !hw_url_is_http(buf))
		return SCHED_OK;
	if (kind == SCHED_LINK_LISTED && !listed_is_recording(title, type, mime))
		return SCHED_OK;
	r = rank(kind, buf);
	if (t->recording && r <= t->recording_rank)
		return SCHED_OK;
	if (sched_model_set(&t->recording, buf))
		return SCHED_ERR_NOMEM;
	t->recording_rank = r;
	return SCHED_OK;
}

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

int sched_links_json(struct sched_talk *t, const json_t *ev)
{
	static const char *const fields[] = {"video_url", "recording_url", "video_download_url",
					     "youtube_url"};
	const json_t *rec = json_object_get(ev, "recording"), *l;
	size_t i;
	int ret = SCHED_OK;

	if (!json_is_object(ev))
		return SCHED_OK;
	for (i = 0; !ret && i < sizeof(fields) / sizeof(fields[0]); i++)
		ret = sched_links_offer(t, SCHED_LINK_FIELD, str(ev, fields[i]), NULL, NULL, NULL);
	if (!ret && json_is_string(rec))
		ret = sched_links_offer(t, SCHED_LINK_FIELD, json_string_value(rec), NULL, NULL,
					NULL);
	if (!ret && json_is_object(rec)) {
		ret = sched_links_offer(t, SCHED_LINK_FIELD, str(rec, "url"), NULL, NULL, NULL);
		if (!ret)
			ret = sched_links_offer(t, SCHED_LINK_FIELD, str(rec, "link"), NULL, NULL,
						NULL);
	}
	json_array_foreach(json_object_get(ev, "links"), i, l) {
		if (ret)
			break;
		ret = sched_links_offer(t, SCHED_LINK_LISTED, str(l, "url"), str(l, "title"),
					str(l, "type"), NULL);
	}
	return ret;
}
