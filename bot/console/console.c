/* The console door: stdin adopted into the lws loop as a raw file. */
#include "console.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hallway/events.h>
#include <hallway/tz.h>

#include "bus.h"
#include "clock.h"
#include "console_text.h"
#include "hallway.h"
#include "host.h"
#include "log.h"
#include "plan_book.h"
#include "router.h"

#define CONSOLE_MAX_LINE (64 * 1024)
#define CONSOLE_OUT_DIR "hallway-out"
#define CONSOLE_MAX_BUFFER (4 * 1024 * 1024)

struct console {
	struct hallway *hw;
	struct hw_tz *tz;    /* the conference's zone, from schedule.loaded; NULL: UTC */
	struct lws *wsi;
	int as_organizer;
	int eof;
	int stopped; /* the stop was asked for: no more lines, host may be gone */
	int tty;
	int ansi;            /* standard output is a terminal: bold shows */
	char *buf;           /* bytes read, not yet handled */
	size_t len;
	lws_sorted_usec_list_t pump_sul;
};

void console_print(struct console *c, const char *text)
{
	/* Discord markup drawn as text (issue 16); the raw text if that fails. */
	char *plain = c ? console_text_render(text, c->tz, clock_now_ms(&c->hw->clock)) : NULL;
	fputs(plain ? plain : text, stdout);
	fputc('\n', stdout);
	fflush(stdout);
	free(plain);
}

int console_save_file(struct console *c, const char *name, const void *data, size_t len,
		      char *saved, size_t savedlen)
{
	char safe[128], stem[128], path[300];
	const char *base = name ? strrchr(name, '/') : NULL, *dot;
	size_t n = 0;
	int fd = -1;

	if (!c) {
		snprintf(saved, savedlen, "no console");
		return -1;
	}
	for (const char *p = base ? base + 1 : name ? name : ""; *p && n + 1 < sizeof(safe); p++)
		safe[n++] = (isalnum((unsigned char)*p) || strchr(".-_", *p)) ? *p : '_';
	safe[n] = '\0';
	if (!n || safe[0] == '.') {
		/* No name, or a hidden one: "file", "file.ics". */
		memmove(safe + 4, safe, n < sizeof(safe) - 5 ? n + 1 : sizeof(safe) - 5);
		memcpy(safe, "file", 4);
		safe[sizeof(safe) - 1] = '\0';
	}
	dot = strrchr(safe, '.');
	snprintf(stem, sizeof(stem), "%.*s", dot ? (int)(dot - safe) : (int)strlen(safe), safe);
	/* Under hallway-out/ in the folder the console runs in (issue 16). */
	if (mkdir(CONSOLE_OUT_DIR, 0755) && errno != EEXIST) {
		snprintf(saved, savedlen, "cannot make " CONSOLE_OUT_DIR "/: %s", strerror(errno));
		return -1;
	}
	for (int i = 1; i <= 100 && fd < 0; i++) {
		if (i == 1)
			snprintf(path, sizeof(path), CONSOLE_OUT_DIR "/%s", safe);
		else
			snprintf(path, sizeof(path), CONSOLE_OUT_DIR "/%s-%d%s", stem, i, dot ? dot : "");
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		snprintf(saved, savedlen, "%s", strerror(errno));
		return -1;
	}
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, (const char *)data + off, len - off);
		if (w < 0) {
			snprintf(saved, savedlen, "%s", strerror(errno));
			close(fd);
			unlink(path);
			return -1;
		}
		off += (size_t)w;
	}
	if (close(fd)) {
		snprintf(saved, savedlen, "%s", strerror(errno));
		unlink(path);
		return -1;
	}
	snprintf(saved, savedlen, "%s", path);
	return 0;
}

/* The conference's zone, for times drawn on the console. */
static void on_schedule_loaded(void *ud, const char *type, json_t *data)
{
	struct console *c = ud;
	const char *name = json_string_value(json_object_get(data, "timezone"));
	struct hw_tz *tz = NULL;
	if (!hw_event_readable(data, HW_SCHEDULE_LOADED_VERSION)) {
		LOGW("console", "%s: a version newer than this build reads: ignored", type);
		return;
	}
	if (!name || hw_tz_load(NULL, name, &tz))
		return;
	hw_tz_free(c->tz);
	c->tz = tz;
}

static void out_plain(void *ud, const char *text);

static int console_listen(struct console *c)
{
	c->ansi = isatty(1);
	router_console_plain(c->hw->router, out_plain, c);
	return bus_subscribe(c->hw->bus, c, HW_EVENT_SCHEDULE_LOADED, on_schedule_loaded, c, NULL);
}

static void out_line(void *ud, const char *text)
{
	console_print(ud, text);
}

/* Text already drawn for the console (reply models): printed as it is,
 * its ANSI bold removed when standard output is not a terminal. */
void console_print_plain(struct console *c, const char *text)
{
	int ansi = c ? c->ansi : 0;
	for (const char *p = text; *p; p++) {
		if (*p == '\033' && p[1] == '[') {
			const char *m = p + 2;
			while (*m >= '0' && *m <= '9')
				m++;
			if (*m == 'm') {
				if (ansi)
					fwrite(p, 1, (size_t)(m - p) + 1, stdout);
				p = m;
				continue;
			}
		}
		fputc(*p, stdout);
	}
	fputc('\n', stdout);
	fflush(stdout);
}

static void out_plain(void *ud, const char *text)
{
	console_print_plain(ud, text);
}

static void pump(lws_sorted_usec_list_t *sul);

/* Something asynchronous is in flight: a plugin's work, or a plan that
 * waits for plugins' answers. */
static int busy(const struct console *c)
{
	return host_busy(c->hw->host) || plan_book_busy(c->hw->plans);
}

static void schedule_pump(struct console *c, lws_usec_t us)
{
	lws_sul_schedule(c->hw->lws, 0, &c->pump_sul, pump, us);
}

/* "quit" or "exit", alone on the line (any case, spaces around): what
 * people type to leave a console; no command has those names. */
static int is_quit(const char *line)
{
	size_t n;

	line += strspn(line, " \t");
	n = strcspn(line, " \t");
	if ((n != 4 || strncasecmp(line, "quit", 4)) && (n != 4 || strncasecmp(line, "exit", 4)))
		return 0;
	return line[n + strspn(line + n, " \t")] == '\0';
}

/* Handles queued lines while nothing asynchronous is in flight. */
static void pump(lws_sorted_usec_list_t *sul)
{
	struct console *c = lws_container_of(sul, struct console, pump_sul);

	if (c->stopped)
		return; /* stdin may still bring lines after a quit: not run */
	for (;;) {
		char *nl;
		size_t n;
		if (busy(c)) {
			schedule_pump(c, 10 * LWS_US_PER_MS);
			return;
		}
		nl = memchr(c->buf, '\n', c->len);
		if (!nl && c->eof && c->len) {
			nl = c->buf + c->len; /* last line without a newline */
			if (c->len == CONSOLE_MAX_BUFFER)
				nl--;
		}
		if (!nl)
			break;
		*nl = '\0';
		n = (size_t)(nl - c->buf);
		if (n && c->buf[n - 1] == '\r')
			c->buf[n - 1] = '\0';
		if (n > CONSOLE_MAX_LINE) {
			console_print(c, "That line is too long.");
		} else if (is_quit(c->buf)) {
			c->len = 0; /* what follows is not run: the session ends here */
			c->eof = 1;
			continue; /* to the stop, once what is in flight is done */
		} else {
			router_console_line(c->hw->router, c->buf, c->as_organizer, out_line, c);
		}
		n = n < c->len ? n + 1 : c->len;
		memmove(c->buf, c->buf + n, c->len - n);
		c->len -= n;
		if (c->tty && !c->len) {
			fputs("> ", stdout);
			fflush(stdout);
		}
	}
	if (c->eof && !c->len && !busy(c)) {
		c->stopped = 1;
		hallway_request_stop(c->hw, 0);
	}
}

int console_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
			 void *in, size_t len)
{
	struct console *c = lws_get_opaque_user_data(wsi);
	ssize_t n;
	(void)user;
	(void)in;
	(void)len;
	switch (reason) {
	case LWS_CALLBACK_RAW_RX_FILE:
		if (!c)
			return -1;
		if (c->len >= CONSOLE_MAX_BUFFER) {
			lws_rx_flow_control(wsi, 0);
			break;
		}
		n = read(lws_get_socket_fd(wsi), c->buf + c->len, CONSOLE_MAX_BUFFER - c->len);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n <= 0) {
			c->eof = 1;
			c->wsi = NULL;
			schedule_pump(c, 1);
			return -1; /* lws closes the descriptor */
		}
		c->len += (size_t)n;
		schedule_pump(c, 1);
		break;
	case LWS_CALLBACK_RAW_CLOSE_FILE:
		if (c) {
			c->eof = 1;
			c->wsi = NULL;
			schedule_pump(c, 1);
		}
		break;
	default:
		break;
	}
	return 0;
}

/* On a terminal, log lines written to it would land after the "> "
 * prompt, in the middle of what the person types: they go to a file. */
static void logs_aside(void)
{
	int fd;
	if (!isatty(2))
		return; /* stderr already goes elsewhere */
	if (mkdir(CONSOLE_OUT_DIR, 0755) && errno != EEXIST)
		return;
	fd = open(CONSOLE_OUT_DIR "/hallway.log", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (dup2(fd, 2) >= 0)
		printf("Log lines go to " CONSOLE_OUT_DIR "/hallway.log.\n");
	close(fd);
}

struct console *console_create(struct hallway *hw, int as_organizer)
{
	struct console *c = calloc(1, sizeof(*c));
	lws_sock_file_fd_type fd;
	if (!c || !(c->buf = malloc(CONSOLE_MAX_BUFFER + 1))) {
		free(c);
		return NULL;
	}
	c->hw = hw;
	c->as_organizer = as_organizer;
	c->tty = isatty(0);
	fd.filefd = 0;
	c->wsi = lws_adopt_descriptor_vhost(hw->vhost, LWS_ADOPT_RAW_FILE_DESC, fd,
					    "hallway-console", NULL);
	if (!c->wsi) {
		LOGE("console", "cannot read standard input");
		free(c->buf);
		free(c);
		return NULL;
	}
	lws_set_opaque_user_data(c->wsi, c);
	if (console_listen(c))
		LOGW("console", "times show in UTC: cannot follow the schedule's zone");
	if (c->tty) {
		printf("hallway console: type commands as in chat (try \"help\"); quit or Ctrl-D "
		       "ends it.\n");
		logs_aside();
		fputs("> ", stdout);
		fflush(stdout);
	}
	return c;
}

struct console *console_create_script(struct hallway *hw, int as_organizer, const char *script)
{
	struct console *c = calloc(1, sizeof(*c));
	size_t n = script ? strlen(script) : 0;
	if (!c || n > CONSOLE_MAX_BUFFER || !(c->buf = malloc(CONSOLE_MAX_BUFFER + 1))) {
		free(c);
		return NULL;
	}
	c->hw = hw;
	c->as_organizer = as_organizer;
	memcpy(c->buf, script, n);
	c->len = n;
	c->eof = 1; /* the script is all there is: stop once it has run */
	if (console_listen(c))
		LOGW("console", "times show in UTC: cannot follow the schedule's zone");
	schedule_pump(c, 1);
	return c;
}

void console_destroy(struct console *c)
{
	if (!c)
		return;
	lws_sul_cancel(&c->pump_sul);
	if (c->hw->bus)
		bus_remove_owner(c->hw->bus, c);
	hw_tz_free(c->tz);
	if (c->wsi)
		lws_set_opaque_user_data(c->wsi, NULL);
	free(c->buf);
	free(c);
}
