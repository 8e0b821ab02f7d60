/*
 * One logging path. Lines go to stderr as "LEVEL module: message", or as
 * JSON lines. User text is always an argument, never the format. Every
 * string registered with log_add_secret() (the token) is replaced by
 * "[redacted]" before a line is written, whoever logs it.
 */
#ifndef HALLWAY_LOG_H
#define HALLWAY_LOG_H

#include <stdarg.h>

enum log_level { LOG_ERROR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG };

void hw_log(enum log_level level, const char *module, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void hw_logv(enum log_level level, const char *module, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

void log_set_level(enum log_level level);
int log_enabled(enum log_level level);
void log_set_json(int json);
/* Copies secret; lines containing it are redacted. Up to 4 secrets. */
void log_add_secret(const char *secret);
/* Route libwebsockets' own log lines through hw_log. */
void log_route_lws(void);

#define LOGE(mod, ...) hw_log(LOG_ERROR, mod, __VA_ARGS__)
#define LOGW(mod, ...) hw_log(LOG_WARN, mod, __VA_ARGS__)
#define LOGI(mod, ...) hw_log(LOG_INFO, mod, __VA_ARGS__)
#define LOGD(mod, ...)                                       \
	do {                                                 \
		if (log_enabled(LOG_DEBUG))                  \
			hw_log(LOG_DEBUG, mod, __VA_ARGS__); \
	} while (0)

#endif
