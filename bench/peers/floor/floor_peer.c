/*
 * The CPU floor: a bot that does nothing but wake up and read.
 *
 *   floor_peer PORT TOKEN [zlib]
 *
 * Connects to bench/load/loadgen.py's gateway, IDENTIFYs, then blocks in
 * poll() on the socket and recv()s whatever arrives, as every bot must.
 * It parses nothing: it scans the raw bytes for `"content":"!ping"` and
 * answers each such command with a POST over one keep-alive HTTP
 * connection (the same as echo_peer.py, in C). Its CPU per event is what
 * the kernel charges for one wake-up, poll and recv on this machine: no bot
 * can go below it at the same event rate, so discord.py's CPU divided by
 * this is the highest "discord.py ÷ bot" ratio any bot could reach
 * (bench/README.md). Built by bench/run.py with the system C compiler.
 *
 * With "zlib" it asks for zlib-stream, as hallway does by default: then it
 * must also find the WebSocket frames and inflate them (one inflate context
 * for the connection) before it can scan anything. That is the physical
 * work of any client of a compressed gateway, and nothing more.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#define BUF_CAP (4u << 20)

static const char MARK[] = "\"content\":\"!ping\",\"timestamp\":\"";
static const char NONCE[] = "\"nonce\":\"";
static const char CHANNEL[] = "\"channel_id\":\"";

static int dial(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		perror("connect");
		exit(1);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static void send_all(int fd, const void *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, 0);

		if (w <= 0) {
			perror("send");
			exit(1);
		}
		p = (const char *)p + w;
		n -= (size_t)w;
	}
}

/* The quoted value that starts right after key at p, copied into out. */
static int value_after(const char *p, const char *end, char *out, size_t cap)
{
	const char *q = memchr(p, '"', (size_t)(end - p));

	if (!q || (size_t)(q - p) >= cap)
		return -1;
	memcpy(out, p, (size_t)(q - p));
	out[q - p] = '\0';
	return 0;
}

/* Answers every complete `!ping` in buf[0, len) past *scanned. */
static void scan_commands(char *buf, size_t len, size_t *scanned, int http)
{
	char req[1024];

	for (;;) {
		char *m = memmem(buf + *scanned, len - *scanned, MARK, sizeof(MARK) - 1), *c, *x;
		char id[64], channel[64], body[160];
		int bl, hl;

		if (!m) { /* nothing more: do not rescan these bytes */
			if (len - *scanned >= sizeof(MARK))
				*scanned = len - (sizeof(MARK) - 1);
			break;
		}
		x = memmem(m, (size_t)(buf + len - m), NONCE, sizeof(NONCE) - 1);
		if (!x || value_after(x + sizeof(NONCE) - 1, buf + len, id, sizeof(id)))
			break; /* the rest of this frame has not arrived */
		c = NULL;
		for (char *s = m; s >= buf && m - s < 4096; s--)
			if (!memcmp(s, CHANNEL, sizeof(CHANNEL) - 1)) {
				c = s;
				break;
			}
		*scanned = (size_t)(x - buf);
		if (!c || value_after(c + sizeof(CHANNEL) - 1, m, channel, sizeof(channel)))
			continue;
		bl = snprintf(body, sizeof(body),
			      "{\"content\":\"pong\",\"message_reference\":{\"message_id\":\"%s\"}}", id);
		hl = snprintf(req, sizeof(req),
			      "POST /api/v10/channels/%s/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			      "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
			      channel, bl, body);
		send_all(http, req, (size_t)hl);
	}
}

/* zlib mode: the WebSocket frames in raw[0, *rlen) past the HTTP upgrade
 * response are inflated into out (kept like buf in plain mode), then scanned. */
struct zfloor {
	z_stream zs;
	int upgraded;
	char *raw, *out;
	size_t rlen, olen, oscanned;
};

static void zfloor_feed(struct zfloor *z, int http)
{
	size_t pos = 0;

	if (!z->upgraded) {
		char *e = memmem(z->raw, z->rlen, "\r\n\r\n", 4);

		if (!e)
			return;
		pos = (size_t)(e + 4 - z->raw);
		z->upgraded = 1;
	}
	for (;;) {
		unsigned char *h = (unsigned char *)z->raw + pos;
		size_t avail = z->rlen - pos, hl = 2, pl;

		if (avail < 2)
			break;
		pl = h[1] & 0x7f;
		if (pl == 126) {
			hl = 4;
			if (avail < hl)
				break;
			pl = (size_t)h[2] << 8 | h[3];
		} else if (pl == 127) {
			hl = 10;
			if (avail < hl)
				break;
			pl = 0;
			for (int i = 2; i < 10; i++)
				pl = pl << 8 | h[i];
		}
		if (avail < hl + pl)
			break;
		if ((h[0] & 0x0f) == 0x2 || (h[0] & 0x0f) == 0x0) { /* binary, continuation */
			z->zs.next_in = h + hl;
			z->zs.avail_in = (uInt)pl;
			while (z->zs.avail_in) {
				if (BUF_CAP - z->olen < (1u << 20)) { /* scanned: keep the last 64 KiB */
					size_t keep = 65536;

					scan_commands(z->out, z->olen, &z->oscanned, http);
					memmove(z->out, z->out + z->olen - keep, keep);
					z->oscanned = z->oscanned > z->olen - keep ? z->oscanned - (z->olen - keep) : 0;
					z->olen = keep;
				}
				z->zs.next_out = (Bytef *)z->out + z->olen;
				z->zs.avail_out = (uInt)(BUF_CAP - z->olen);
				if (inflate(&z->zs, Z_SYNC_FLUSH) < 0) {
					fprintf(stderr, "floor_peer: inflate failed\n");
					exit(1);
				}
				z->olen = BUF_CAP - z->zs.avail_out;
			}
		}
		pos += hl + pl;
	}
	memmove(z->raw, z->raw + pos, z->rlen - pos);
	z->rlen -= pos;
	scan_commands(z->out, z->olen, &z->oscanned, http);
}

int main(int argc, char **argv)
{
	char *buf = malloc(BUF_CAP), req[1024], ident[512], hdr[8];
	size_t len = 0, scanned = 0;
	int gw, http, n, zlib = argc == 4 && !strcmp(argv[3], "zlib");
	struct zfloor z;

	if ((argc != 3 && !zlib) || !buf) {
		fprintf(stderr, "usage: floor_peer PORT TOKEN [zlib]\n");
		return 2;
	}
	memset(&z, 0, sizeof(z));
	if (zlib && (!(z.raw = malloc(BUF_CAP)) || !(z.out = malloc(BUF_CAP)) ||
		     inflateInit(&z.zs) != Z_OK)) {
		fprintf(stderr, "floor_peer: out of memory\n");
		return 1;
	}
	gw = dial(atoi(argv[1]));
	http = dial(atoi(argv[1]));
	n = snprintf(req, sizeof(req),
		     "GET /gateway?v=10&encoding=json%s HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
		     "Connection: Upgrade\r\nSec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\n"
		     "Sec-WebSocket-Version: 13\r\n\r\n", zlib ? "&compress=zlib-stream" : "");
	send_all(gw, req, (size_t)n);
	n = snprintf(ident, sizeof(ident),
		     "{\"op\":2,\"d\":{\"token\":\"%s\",\"intents\":37377,\"properties\":{}}}", argv[2]);
	/* One masked text frame with a zero mask (the payload goes as is). */
	hdr[0] = (char)0x81;
	hdr[1] = (char)(0x80 | 126);
	hdr[2] = (char)(n >> 8);
	hdr[3] = (char)(n & 0xff);
	memset(hdr + 4, 0, 4);
	send_all(gw, hdr, 8);
	send_all(gw, ident, (size_t)n);
	for (;;) {
		struct pollfd p[2] = {{gw, POLLIN, 0}, {http, POLLIN, 0}};

		if (poll(p, 2, -1) < 0)
			return 1;
		if (p[1].revents) { /* replies to our POSTs: read and drop */
			char sink[65536];

			if (recv(http, sink, sizeof(sink), 0) <= 0)
				return 0;
		}
		if (!p[0].revents)
			continue;
		if (zlib) {
			if (z.rlen == BUF_CAP) {
				fprintf(stderr, "floor_peer: a frame larger than the buffer\n");
				return 1;
			}
			n = (int)recv(gw, z.raw + z.rlen, BUF_CAP - z.rlen, 0);
			if (n <= 0)
				return 0;
			z.rlen += (size_t)n;
			zfloor_feed(&z, http);
			continue;
		}
		if (len == BUF_CAP) { /* keep the last 64 KiB: a command may straddle */
			size_t keep = 65536;

			memmove(buf, buf + len - keep, keep);
			scanned = scanned > len - keep ? scanned - (len - keep) : 0;
			len = keep;
		}
		n = (int)recv(gw, buf + len, BUF_CAP - len, 0);
		if (n <= 0)
			return 0;
		len += (size_t)n;
		scan_commands(buf, len, &scanned, http);
	}
}
