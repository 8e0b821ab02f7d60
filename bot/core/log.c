/*
 * Logging: level filter, secret redaction, text or JSON lines on stderr.
 * The settings are process-wide and written only at start-up and on config
 * reload, from the loop thread; worker threads only read them.
 */
#include "log.h"

#include <hallway/text.h>

#include <jansson.h>
#include <libwebsockets.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define LOG_MAX_SECRETS 4
#define LOG_LINE_MAX 8192

static struct {
	enum log_level level;
	int json;
	char secrets[LOG_MAX_SECRETS][256];
} log_state = {.level = LOG_INFO};

static const char *const level_names[] = {"ERROR", "WARN", "INFO", "DEBUG"};

void log_set_level(enum log_level level)
{
	log_state.level = level;
}

int log_enabled(enum log_level level)
{
	return level <= log_state.level;
}

void log_set_json(int json)
{
	log_state.json = json;
}

void log_add_secret(const char *secret)
{
	if (!secret || strlen(secret) < 4 || strlen(secret) >= sizeof(log_state.secrets[0]))
		return;
	for (int i = 0; i < LOG_MAX_SECRETS; i++) {
		if (!strcmp(log_state.secrets[i], secret))
			return;
		if (!log_state.secrets[i][0]) {
			snprintf(log_state.secrets[i], sizeof(log_state.secrets[i]), "%s", secret);
			return;
		}
	}
}

/* Replaces every occurrence of each secret in line (in place). */
static void redact(char *line, size_t cap)
{
	static const char mark[] = "[redacted]";
	for (int i = 0; i < LOG_MAX_SECRETS; i++) {
		const char *s = log_state.secrets[i];
		size_t slen = strlen(s);
		char *p;
		if (!slen)
			continue;
		while ((p = strstr(line, s))) {
			size_t tail = strlen(p + slen);
			size_t mlen = sizeof(mark) - 1;
			if ((size_t)(p - line) + mlen + tail + 1 > cap)
				tail = cap - (size_t)(p - line) - mlen - 1;
			memmove(p + mlen, p + slen, tail);
			memcpy(p, mark, mlen);
			p[mlen + tail] = '\0';
		}
	}
}

/* Invalid UTF-8 (a plugin's "%.100s" cut inside a character, bytes from
 * the network) becomes '?', so a log line is always valid text: JSON lines
 * need it, and so does whatever reads the log. */
static void make_valid_utf8(char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		const unsigned char *start = p;
		if (hw_utf8_next(&p) < 0)
			*(unsigned char *)start = '?';
	}
}

void hw_logv(enum log_level level, const char *module, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	char stamp[64];
	struct timespec ts;
	struct tm tm;

	if (!log_enabled(level))
		return;
	hw_vfmt(line, sizeof(line), fmt, ap);
	redact(line, sizeof(line));
	make_valid_utf8(line);
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(stamp, sizeof(stamp), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
	if (log_state.json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "ts", stamp, "level",
				      level_names[level], "module", module ? module : "", "msg", line);
		char *out = o ? json_dumps(o, JSON_COMPACT) : NULL;
		if (out)
			fprintf(stderr, "%s\n", out);
		free(out);
		json_decref(o);
	} else {
		fprintf(stderr, "%s %-5s %s: %s\n", stamp, level_names[level], module ? module : "-",
			line);
	}
}

void hw_log(enum log_level level, const char *module, const char *fmt, ...)
{
	va_list ap;
	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	hw_logv(level, module, fmt, ap);
	va_end(ap);
}

static void lws_emit(int lws_level, const char *line)
{
	enum log_level level = lws_level == LLL_ERR ? LOG_WARN : LOG_DEBUG;
	char copy[1024];
	size_t n;
	snprintf(copy, sizeof(copy), "%s", line);
	n = strlen(copy);
	while (n && (copy[n - 1] == '\n' || copy[n - 1] == '\r'))
		copy[--n] = '\0';
	hw_log(level, "lws", "%s", copy);
}

void log_route_lws(void)
{
	lws_set_log_level(LLL_ERR | LLL_WARN, lws_emit);
}
