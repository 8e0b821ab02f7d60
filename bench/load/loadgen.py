"""A fast Discord stand-in for benchmarks: gateway + REST on one port.

tests/standin/discord_standin.py is faithful but injects one event per
control-API request (about a thousand a second, see RESULTS.md), so for load
this module speaks just enough Discord and writes pre-built frames:

  * HTTP/1.1 keep-alive REST under /api/v10 (and /api for discord.js):
    GET /gateway, /gateway/bot, /users/@me, /applications/@me; PUT of
    application commands; POST /channels/{id}/messages, which is where
    command latency is measured. Every answer carries rate-limit headers with
    a limit far above the load, so limits are never the bottleneck.
  * A WebSocket gateway at /gateway: HELLO, IDENTIFY -> READY + GUILD_CREATE
    (shapes taken from the stand-in's World, all members included), op 1 ->
    op 11. Frames are sent uncompressed to every client (see README: the same
    transport for all peers), unless LoadGen.compress is set: then a client
    whose gateway URL asks for compress=zlib-stream gets Discord's zlib-stream
    (one deflate stream per connection, each payload ending in a sync flush,
    binary frames).
  * send_stream(rate, count): MESSAGE_CREATE events, every tenth one a
    command ("!ping" by default), the rest chatter nobody answers.
    Command latency = time the frame was handed to the socket -> time the
    reply's POST was fully read, matched by message_reference.message_id.

Pure asyncio Protocols, no aiohttp on the hot path. One process, one loop.
Run /usr/bin/python3 (the stand-in module imports Debian's aiohttp).
"""
import asyncio
import base64
import hashlib
import json
import os
import struct
import sys
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "standin"))
import discord_standin as ds  # noqa: E402

WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
BIG_LIMIT = 1000000
CHATTER = [
    "anyone going to the keynote after lunch?",
    "the coffee on the second floor is much better",
    "slides for the rust talk are up on the website",
    "is the hallway track in room B or C today",
    "great question from the audience in the last session",
    "who wants to grab dinner near the venue tonight",
    "the wifi password is on the back of the badge",
    "I missed the start, was it recorded?",
    "sprint signups are open until noon I think",
    "lightning talks start at five, bring a laptop adapter",
    "the queue for lunch is short right now",
    "anyone know where the speaker room is",
    "loved the demo, the live coding actually worked",
    "did they say the workshop moved to the afternoon",
    "thanks everyone for a fantastic first day",
    "posting my notes from the packaging BoF later",
]


def now_iso():
    return ds.now_iso()


def ws_frame(payload: bytes, opcode=0x1) -> bytes:
    n = len(payload)
    if n < 126:
        return bytes((0x80 | opcode, n)) + payload
    if n < 65536:
        return struct.pack("!BBH", 0x80 | opcode, 126, n) + payload
    return struct.pack("!BBQ", 0x80 | opcode, 127, n) + payload


def percentile(values, p):
    if not values:
        return None
    s = sorted(values)
    k = min(len(s) - 1, max(0, int(round(p / 100.0 * (len(s) - 1)))))
    return s[k]


class Conn(asyncio.Protocol):
    """One TCP connection: HTTP requests until an Upgrade, then WebSocket."""

    def __init__(self, gen):
        self.gen = gen
        self.tr = None
        self.buf = bytearray()
        self.ws = False
        self.closed = False
        self.sent_continue = False
        self.frag = bytearray()
        self.identified = False
        self.z = None  # zlib-stream compressor, when negotiated

    def connection_made(self, transport):
        self.tr = transport

    def connection_lost(self, exc):
        self.closed = True
        if self.gen.gw is self:
            self.gen.gw = None
            self.gen.gateway_closed.set()

    def data_received(self, data):
        self.buf += data
        try:
            if self.ws:
                self._ws_frames()
            else:
                self._http()
        except Exception as e:  # a peer speaking something unexpected: log, drop it
            self.gen.log("connection error: %r" % (e,))
            self.tr.close()

    # ---- HTTP ----
    def _http(self):
        while not self.ws and not self.closed:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buf[:end]).decode("latin-1").split("\r\n")
            method, target, _ = head[0].split(" ", 2)
            headers = {}
            for line in head[1:]:
                k, _, v = line.partition(":")
                headers[k.strip().lower()] = v.strip()
            if headers.get("transfer-encoding", "").lower() == "chunked":
                raise ValueError("chunked request bodies are not supported")
            clen = int(headers.get("content-length", "0") or 0)
            if len(self.buf) < end + 4 + clen:
                if headers.get("expect", "").lower() == "100-continue" and not self.sent_continue:
                    self.sent_continue = True
                    self.tr.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                return
            body = bytes(self.buf[end + 4:end + 4 + clen])
            del self.buf[:end + 4 + clen]
            self.sent_continue = False
            if headers.get("upgrade", "").lower() == "websocket":
                self._upgrade(target, headers)
            else:
                self.gen.rest(self, method, target, headers, body)

    def respond(self, status, body=b"", ctype="application/json", extra=""):
        reason = {200: "OK", 204: "No Content", 404: "Not Found", 400: "Bad Request"}.get(status, "OK")
        self.tr.write(("HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n%s\r\n"
                       % (status, reason, ctype, len(body), extra)).encode() + body)

    def _upgrade(self, target, headers):
        key = headers.get("sec-websocket-key", "").encode()
        accept = base64.b64encode(hashlib.sha1(key + WS_GUID).digest()).decode()
        self.tr.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Accept: %s\r\n\r\n" % accept).encode())
        self.ws = True
        self.gen.on_gateway_open(self, target)
        if self.buf:
            self._ws_frames()

    # ---- WebSocket (client frames are masked) ----
    def _ws_frames(self):
        while len(self.buf) >= 2 and not self.closed:
            b0, b1 = self.buf[0], self.buf[1]
            n, off = b1 & 0x7F, 2
            if n == 126:
                if len(self.buf) < 4:
                    return
                n, off = struct.unpack_from("!H", self.buf, 2)[0], 4
            elif n == 127:
                if len(self.buf) < 10:
                    return
                n, off = struct.unpack_from("!Q", self.buf, 2)[0], 10
            masked = b1 & 0x80
            need = off + (4 if masked else 0) + n
            if len(self.buf) < need:
                return
            payload = bytes(self.buf[off + (4 if masked else 0):need])
            if masked and n:
                key = (bytes(self.buf[off:off + 4]) * (n // 4 + 1))[:n]
                payload = (int.from_bytes(payload, "big") ^ int.from_bytes(key, "big")).to_bytes(n, "big")
            del self.buf[:need]
            opcode = b0 & 0x0F
            if opcode == 0x8:
                self.send_raw(ws_frame(payload[:2] or b"\x03\xe8", 0x8))
                self.tr.close()
                return
            if opcode == 0x9:
                self.send_raw(ws_frame(payload, 0xA))
                continue
            if opcode in (0x0, 0x1, 0x2):
                self.frag += payload
                if b0 & 0x80:
                    data, self.frag = bytes(self.frag), bytearray()
                    self.gen.on_gateway_payload(self, json.loads(data))

    def send_raw(self, data):
        if not self.closed:
            self.tr.write(data)

    def frame(self, text: bytes) -> bytes:
        """One gateway payload as a frame: text, or zlib-stream (binary, sync-flushed)."""
        if self.z is None:
            return ws_frame(text)
        return ws_frame(self.z.compress(text) + self.z.flush(zlib.Z_SYNC_FLUSH), 0x2)

    def send_json(self, obj):
        self.send_raw(self.frame(json.dumps(obj, separators=(",", ":")).encode()))


class LoadGen:
    """The server plus the event stream and the latency book-keeping."""

    def __init__(self, members=3000, token="bench-token", command="!ping", verbose=False):
        cfg = ds.Config(guild_members=members - 1, members_in_guild_create="all")
        self.world = ds.World(cfg, ds.Snowflakes())
        self.token = token
        self.command = command
        self.verbose = verbose
        self.server = None
        self.port = None
        self.gw = None
        self.gateway_closed = asyncio.Event()
        self.seq = 0
        self.msg_id = 1200000000000000000
        self.pending = {}   # message id -> perf_counter() when its frame was written
        self.latencies = []  # (id, seconds) in arrival order
        self.replies = 0
        self.unmatched = 0
        self.identifies = 0
        self.unknown_routes = {}
        self.reply_event = asyncio.Event()
        self.compress = False  # offer zlib-stream to clients that ask for it
        self.heartbeat_ms = 41250  # what HELLO asks for
        self.heartbeats = []  # perf_counter() of every heartbeat (op 1) received
        self.ready_event = asyncio.Event()
        self._prebuild()

    def log(self, text):
        if self.verbose:
            print("loadgen: " + text, file=sys.stderr, flush=True)

    # ---- addresses ----
    @property
    def api_base(self):
        return "http://127.0.0.1:%d/api/v10" % self.port

    @property
    def api_root(self):
        return "http://127.0.0.1:%d/api" % self.port

    @property
    def gateway_url(self):
        return "ws://127.0.0.1:%d/gateway" % self.port

    async def start(self, port=0):
        loop = asyncio.get_running_loop()
        self.server = await loop.create_server(lambda: Conn(self), "127.0.0.1", port, backlog=128)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def stop(self):
        if self.gw:
            self.gw.tr.close()
        self.server.close()
        await self.server.wait_closed()

    # ---- pre-built event fragments ----
    def _prebuild(self):
        w = self.world
        d = lambda o: json.dumps(o, separators=(",", ":"))  # noqa: E731
        self.channel_id = w.general_id
        users = [uid for uid in w.members if uid != w.bot_id]
        self.authors = []
        for uid in users[:500]:  # 500 distinct authors: caches see churn, frames stay cheap to build
            self.authors.append('"author":%s,"member":%s' % (d(w.users[uid]), d(w.members[uid])))
        self.chatter = [d(c) for c in CHATTER]
        self.cmd_content = d(self.command)
        self.head = '{"op":0,"t":"MESSAGE_CREATE","s":%d,"d":{"id":"%d","channel_id":"' + self.channel_id + \
            '","guild_id":"' + w.guild_id + '","channel_type":0,%s,"content":%s,"timestamp":"%s",' \
            '"edited_timestamp":null,"tts":false,"mention_everyone":false,"mentions":[],"mention_roles":[],' \
            '"attachments":[],"embeds":[],"pinned":false,"type":0,"flags":0,"components":[],"nonce":"%d"}}'
        self.reply_tmpl = ('{"id":"%d","channel_id":"%s","author":' + d(w.bot_user) +
                           ',"content":%s,"timestamp":"%s","edited_timestamp":null,"tts":false,'
                           '"mention_everyone":false,"mentions":[],"mention_roles":[],"attachments":[],'
                           '"embeds":[],"pinned":false,"type":0,"flags":0,"components":[]}')

    def _message_frame(self, conn, i, is_cmd, stamp):
        self.seq += 1
        self.msg_id += 1
        content = self.cmd_content if is_cmd else self.chatter[i % len(self.chatter)]
        text = self.head % (self.seq, self.msg_id, self.authors[i % len(self.authors)], content, stamp,
                            self.msg_id)
        return conn.frame(text.encode())

    # ---- gateway ----
    def on_gateway_open(self, conn, target):
        self.log("gateway open %s" % target)
        if self.gw is not None and not self.gw.closed:
            self.gw.tr.close()
        self.gw = conn
        conn.z = zlib.compressobj() if self.compress and "compress=zlib-stream" in target else None
        self.gateway_closed.clear()
        self.seq = 0
        conn.send_json({"op": 10, "d": {"heartbeat_interval": self.heartbeat_ms}, "s": None, "t": None})

    def on_gateway_payload(self, conn, p):
        op = p.get("op")
        if op == 1:
            self.heartbeats.append(time.perf_counter())
            conn.send_json({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            d = p.get("d") or {}
            if d.get("token") != self.token:
                conn.send_raw(ws_frame(struct.pack("!H", 4004) + b"Authentication failed.", 0x8))
                return
            self.identifies += 1
            conn.identified = True
            w = self.world
            ready = {"v": 10, "user_settings": {}, "user": w.bot_user,
                     "guilds": [{"id": w.guild_id, "unavailable": True}], "session_id": "bench%08d" % self.identifies,
                     "session_type": "normal", "resume_gateway_url": self.gateway_url,
                     "application": {"id": w.app_id, "flags": (1 << 15) | (1 << 19)},
                     "private_channels": [], "relationships": [], "presences": [], "guild_join_requests": [],
                     "geo_ordered_rtc_regions": ["bench"], "_trace": ['["bench-loadgen",{"micros":0.0}]']}
            self._dispatch(conn, "READY", ready)
            self._dispatch(conn, "GUILD_CREATE", w.guild_create(d.get("intents", 0), 250, "all"))
            self.ready_event.set()
        elif op == 6:
            self._dispatch(conn, "RESUMED", {})
        else:
            self.log("gateway op %s ignored" % op)

    def _dispatch(self, conn, t, d):
        self.seq += 1
        conn.send_json({"op": 0, "t": t, "s": self.seq, "d": d})

    # ---- REST ----
    def rest(self, conn, method, target, headers, body):
        path = target.split("?", 1)[0]
        if path.startswith("/api/v10/"):
            path = path[8:]
        elif path.startswith("/api/"):
            path = path[4:]
        reset = time.time() + 60
        rl = ("X-RateLimit-Limit: %d\r\nX-RateLimit-Remaining: %d\r\nX-RateLimit-Reset: %.3f\r\n"
              "X-RateLimit-Reset-After: 60.000\r\nX-RateLimit-Bucket: bench\r\n" % (BIG_LIMIT, BIG_LIMIT - 1, reset))
        w = self.world
        if method == "POST" and path.startswith("/channels/") and path.endswith("/messages"):
            now = time.perf_counter()
            msg = json.loads(body or b"{}")
            ref = (msg.get("message_reference") or {}).get("message_id")
            t0 = self.pending.pop(int(ref), None) if ref else None
            if t0 is None and not ref and self.pending:  # no reference: oldest outstanding command
                oldest = min(self.pending)
                t0 = self.pending.pop(oldest)
                ref = oldest
            if t0 is not None:
                self.latencies.append((int(ref), now - t0))
            else:
                self.unmatched += 1
            self.replies += 1
            self.reply_event.set()
            self.msg_id += 1
            out = self.reply_tmpl % (self.msg_id, path.split("/")[2], json.dumps(msg.get("content", "")), now_iso())
            return conn.respond(200, out.encode(), extra=rl)
        if method == "GET" and path in ("/gateway", "/gateway/bot"):
            out = {"url": self.gateway_url, "shards": 1,
                   "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 86400000,
                                           "max_concurrency": 1}}
            return conn.respond(200, json.dumps(out).encode(), extra=rl)
        if method == "GET" and path == "/users/@me":
            return conn.respond(200, json.dumps(w.bot_user).encode(), extra=rl)
        if method == "GET" and path in ("/applications/@me", "/oauth2/applications/@me"):
            app = {"id": w.app_id, "name": "bench", "icon": None, "description": "", "bot_public": True,
                   "bot_require_code_grant": False, "verify_key": "0" * 64, "flags": 0,
                   "owner": {"id": ds.OWNER_ID, "username": "owner", "discriminator": "0", "avatar": None},
                   "team": None}
            return conn.respond(200, json.dumps(app).encode(), extra=rl)
        if method == "PUT" and "/commands" in path:
            cmds = json.loads(body or b"[]")
            for i, c in enumerate(cmds):
                c.setdefault("id", str(1300000000000000000 + i))
                c.setdefault("application_id", w.app_id)
                c.setdefault("version", "1")
            return conn.respond(200, json.dumps(cmds).encode(), extra=rl)
        self.unknown_routes[method + " " + path] = self.unknown_routes.get(method + " " + path, 0) + 1
        self.log("unknown route %s %s" % (method, path))
        return conn.respond(404, b'{"message":"Unknown route (bench loadgen)","code":0}', extra=rl)

    # ---- the stream ----
    def reset_latencies(self):
        self.pending.clear()
        self.latencies = []
        self.unmatched = 0

    async def send_stream(self, rate, count, command_every=10, tick=0.001):
        """Sends count MESSAGE_CREATE at rate/s; every command_every-th is a command.
        Returns {sent, seconds, commands, ids: [command ids], gen_cpu: seconds of this process}."""
        conn = self.gw
        if conn is None or conn.closed:
            raise RuntimeError("no gateway connection")
        ids = []
        sent = 0
        cpu0 = time.process_time()
        start = time.perf_counter()
        stamp = now_iso()
        while sent < count:
            if conn.closed:
                break
            now = time.perf_counter()
            due = min(count, int((now - start) * rate) + 1)
            if due > sent:
                if due - sent > 64:
                    stamp = now_iso()
                frames = []
                cmds = []
                for i in range(sent, due):
                    is_cmd = (i % command_every) == command_every - 1
                    frames.append(self._message_frame(conn, i, is_cmd, stamp))
                    if is_cmd:
                        cmds.append(self.msg_id)
                t = time.perf_counter()
                conn.tr.write(b"".join(frames))
                for mid in cmds:
                    self.pending[mid] = t
                ids.extend(cmds)
                sent = due
            if sent < count:
                await asyncio.sleep(tick)
        seconds = time.perf_counter() - start
        return {"sent": sent, "seconds": seconds, "commands": len(ids), "ids": ids,
                "gen_cpu": time.process_time() - cpu0}

    async def send_one_command(self, content=None):
        """One command now; returns its message id."""
        conn = self.gw
        if conn is None or conn.closed:
            raise RuntimeError("no gateway connection")
        saved = self.cmd_content
        if content is not None:
            self.cmd_content = json.dumps(content)
        frame = self._message_frame(conn, 0, True, now_iso())
        self.cmd_content = saved
        self.pending[self.msg_id] = time.perf_counter()
        conn.tr.write(frame)
        return self.msg_id

    async def wait_replies(self, ids, timeout):
        """Waits until every id in ids was answered (or timeout). Returns the latencies (s) found."""
        want = set(ids)
        deadline = time.perf_counter() + timeout
        while True:
            got = {i for i, _ in self.latencies if i in want}
            if len(got) >= len(want) or time.perf_counter() >= deadline:
                break
            self.reply_event.clear()
            try:
                await asyncio.wait_for(self.reply_event.wait(), min(0.2, max(0.01, deadline - time.perf_counter())))
            except asyncio.TimeoutError:
                pass
        return [lat for i, lat in self.latencies if i in want]
