#!/usr/bin/env python3
"""Self-test of the Discord stand-in with a raw aiohttp websocket/HTTP client.

Run: /usr/bin/python3 tests/standin/test_standin_protocol.py   (from any cwd)
"""

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import unittest
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import aiohttp  # noqa: E402

from discord_standin import Standin, StandinThread  # noqa: E402

TOKEN = "test-token"
UA = "DiscordBot (https://example.invalid/hallway, 0.1)"
INTENTS = 37377  # GUILDS | GUILD_MESSAGES | DIRECT_MESSAGES | MESSAGE_CONTENT
SUFFIX = b"\x00\x00\xff\xff"


class Closed(Exception):
    def __init__(self, code):
        super().__init__("closed with %r" % code)
        self.code = code


class GatewayClient:
    """A minimal Discord gateway client: zlib-stream inflate, JSON frames."""

    def __init__(self, http):
        self.http = http
        self.ws = None
        self.inflate = None
        self.buffer = bytearray()
        self.raw_messages = []
        self.last_s = None

    async def connect(self, url, query="v=10&encoding=json&compress=zlib-stream"):
        self.inflate = zlib.decompressobj()
        self.buffer = bytearray()
        self.ws = await self.http.ws_connect(url + ("?" + query if query else ""), max_msg_size=0)
        return self

    async def recv(self, timeout=3.0):
        while True:
            msg = await asyncio.wait_for(self.ws.receive(), timeout)
            if msg.type == aiohttp.WSMsgType.BINARY:
                self.raw_messages.append(msg.data)
                self.buffer.extend(msg.data)
                if not self.buffer.endswith(SUFFIX):
                    continue
                text = self.inflate.decompress(bytes(self.buffer)).decode()
                self.buffer = bytearray()
            elif msg.type == aiohttp.WSMsgType.TEXT:
                text = msg.data
            elif msg.type == aiohttp.WSMsgType.CLOSE:
                raise Closed(msg.data)
            else:
                raise Closed(None)
            payload = json.loads(text)
            if payload.get("s") is not None:
                self.last_s = payload["s"]
            return payload

    async def expect(self, op=None, t=None, timeout=3.0, skip_acks=True):
        while True:
            payload = await self.recv(timeout)
            if skip_acks and payload["op"] == 11 and op != 11:
                continue
            if (op is None or payload["op"] == op) and (t is None or payload["t"] == t):
                return payload
            if op is not None and payload["op"] != 0 and payload["op"] != op:
                raise AssertionError("unexpected payload %r" % payload)

    async def expect_close(self, timeout=3.0):
        try:
            while True:
                await self.recv(timeout)
        except Closed as closed:
            return closed.code

    async def send(self, op, d):
        await self.ws.send_str(json.dumps({"op": op, "d": d}))

    async def identify(self, token=TOKEN, intents=INTENTS, **extra):
        d = {"token": token, "intents": intents, "properties": {"os": "linux", "browser": "t", "device": "t"}}
        d.update(extra)
        await self.send(2, d)

    async def handshake(self, url, intents=INTENTS):
        await self.connect(url)
        hello = await self.expect(10)
        await self.identify(intents=intents)
        ready = await self.expect(0, "READY")
        return hello, ready

    async def close(self, code=1000):
        await self.ws.close(code=code)


class StandinCase(unittest.IsolatedAsyncioTestCase):
    """Starts a fresh stand-in per test."""

    config = {}

    async def asyncSetUp(self):
        cfg = {"heartbeat_ms": 1000, "identify_window_s": 0.0}
        cfg.update(self.config)
        self.st = await Standin(token=TOKEN, **cfg).start()
        self.http = aiohttp.ClientSession()

    async def asyncTearDown(self):
        for client in self.clients:
            if client.ws is not None and not client.ws.closed:
                await client.ws.close()
        await self.http.close()
        await self.st.stop()

    @property
    def clients(self):
        return self.__dict__.setdefault("_clients", [])

    def gw(self):
        client = GatewayClient(self.http)
        self.clients.append(client)
        return client

    async def ctl(self, method, path, body=None):
        async with self.http.request(method, self.st.base_url + path, json=body) as resp:
            self.assertLess(resp.status, 300, await resp.text())
            return await resp.json()

    async def api(self, method, path, body=None, headers=None, raw=None, auth=True):
        hdrs = {"User-Agent": UA}
        if auth:
            hdrs["Authorization"] = "Bot " + TOKEN
        if body is not None:
            hdrs["Content-Type"] = "application/json"
            raw = json.dumps(body)
        hdrs.update(headers or {})
        async with self.http.request(method, self.st.api_base + path, data=raw, headers=hdrs) as resp:
            text = await resp.text()
            data = json.loads(text) if resp.headers.get("Content-Type") == "application/json" else text
            return resp.status, data, resp.headers

    @property
    def general(self):
        return self.st.world.general_id


class TransportAndHandshake(StandinCase):

    async def test_zlib_hello_ready_guild_create(self):
        gw = self.gw()
        hello, ready = await gw.handshake(self.st.gateway_url)
        first = gw.raw_messages[0]
        self.assertEqual(first[:2], b"\x78\x9c")
        self.assertTrue(first.endswith(SUFFIX))
        self.assertNotEqual(gw.raw_messages[1][:2], b"\x78\x9c", "only the first message has a zlib header")
        self.assertEqual(set(hello), {"op", "d", "s", "t"})
        self.assertEqual(hello["d"]["heartbeat_interval"], 1000)
        self.assertIn("_trace", hello["d"])
        d = ready["d"]
        self.assertEqual(ready["s"], 1)
        self.assertTrue(d["resume_gateway_url"].endswith("/resume-gateway"))
        self.assertNotEqual(d["resume_gateway_url"], self.st.gateway_url)
        self.assertTrue(d["user"]["bot"])
        self.assertEqual(d["application"]["id"], self.st.world.app_id)
        self.assertEqual(d["guilds"], [{"id": self.st.world.guild_id, "unavailable": True}])
        guild = await gw.expect(0, "GUILD_CREATE")
        self.assertEqual(guild["s"], 2)
        names = {r["name"] for r in guild["d"]["roles"]}
        self.assertIn("Organizer", names)
        self.assertTrue(any(c["type"] == 0 for c in guild["d"]["channels"]))
        # No GUILD_PRESENCES: only the bot itself is in members.
        self.assertEqual([m["user"]["id"] for m in guild["d"]["members"]], [self.st.world.bot_id])
        self.assertEqual(guild["d"]["member_count"], 6)

    async def test_split_frames_and_plain_text(self):
        await self.ctl("POST", "/_test/config", {"split_frames": True})
        gw = self.gw()
        await gw.connect(self.st.gateway_url)
        await gw.expect(10)
        self.assertEqual(len(gw.raw_messages), 2, "HELLO split across two ws messages")
        self.assertFalse(gw.raw_messages[0].endswith(SUFFIX))
        plain = self.gw()
        await plain.connect(self.st.gateway_url, "v=10&encoding=json")
        msg = await plain.ws.receive()
        self.assertEqual(msg.type, aiohttp.WSMsgType.TEXT)

    async def test_members_with_presences_and_op8(self):
        await self.ctl("POST", "/_test/config", {"privileged_intents": 2 | 256 | 32768})
        gw = self.gw()
        await gw.handshake(self.st.gateway_url, intents=INTENTS | 2 | 256)
        guild = await gw.expect(0, "GUILD_CREATE")
        self.assertEqual(len(guild["d"]["members"]), 6)
        await gw.send(8, {"guild_id": self.st.world.guild_id, "query": "", "limit": 0, "nonce": "n1"})
        chunk = await gw.expect(0, "GUILD_MEMBERS_CHUNK")
        self.assertEqual(len(chunk["d"]["members"]), 6)
        self.assertEqual(chunk["d"]["nonce"], "n1")

    async def test_close_codes(self):
        async def closes_with(code, query="v=10&encoding=json&compress=zlib-stream", action=None):
            gw = self.gw()
            await gw.connect(self.st.gateway_url, query)
            if action is not None:
                await gw.expect(10)
                await action(gw)
            self.assertEqual(await gw.expect_close(), code)

        await closes_with(4012, "v=9&encoding=json")
        await closes_with(4004, action=lambda gw: gw.identify(token="wrong"))
        await closes_with(4003, action=lambda gw: gw.send(3, {"status": "online", "since": None,
                                                               "activities": [], "afk": False}))
        await closes_with(4013, action=lambda gw: gw.identify(intents=1 << 30))
        await closes_with(4014, action=lambda gw: gw.identify(intents=INTENTS | 256))
        await closes_with(4002, action=lambda gw: gw.ws.send_str("{not json"))
        await closes_with(4002, action=lambda gw: gw.ws.send_str(json.dumps({"op": 1, "d": "x" * 5000})))
        await closes_with(4001, action=lambda gw: gw.send(5, None))

        async def double_identify(gw):
            await gw.identify()
            await gw.expect(0, "READY")
            await gw.identify()
        await closes_with(4005, action=double_identify)

    async def test_gateway_endpoints_and_start_limit(self):
        status, body, headers = await self.api("GET", "/gateway", auth=False)
        self.assertEqual((status, body["url"]), (200, self.st.gateway_url))
        self.assertEqual(headers["Content-Type"], "application/json")
        status, body, _ = await self.api("GET", "/gateway/bot")
        remaining = body["session_start_limit"]["remaining"]
        self.assertEqual(body["session_start_limit"]["max_concurrency"], 1)
        await self.gw().handshake(self.st.gateway_url)
        _, body, _ = await self.api("GET", "/gateway/bot")
        self.assertEqual(body["session_start_limit"]["remaining"], remaining - 1)


class SeparateResumePort(StandinCase):

    async def asyncSetUp(self):
        self.st = await Standin(token=TOKEN, heartbeat_ms=1000, identify_window_s=0.0,
                                separate_resume_port=True).start()
        self.http = aiohttp.ClientSession()

    async def test_resume_url_on_second_port_and_large_guild_create(self):
        gw = self.gw()
        _, ready = await gw.handshake(self.st.gateway_url)
        url = ready["d"]["resume_gateway_url"]
        self.assertNotIn(":%d/" % self.st.port, url)
        self.assertIn(":%d/" % self.st.resume_port, url)
        await self.ctl("POST", "/_test/gateway/fault", {"action": "large_guild_create", "members": 3000})
        await gw.expect(0, "GUILD_CREATE")
        big = await gw.expect(0, "GUILD_CREATE", timeout=10)
        self.assertEqual(len(big["d"]["members"]), 3006)
        self.assertTrue(big["d"]["large"])
        await gw.close(4000)
        gw2 = self.gw()
        await gw2.connect(url)
        await gw2.expect(10)
        await gw2.send(6, {"token": TOKEN, "session_id": ready["d"]["session_id"], "seq": 3})
        self.assertEqual((await gw2.expect(0))["t"], "RESUMED")


class Heartbeats(StandinCase):

    async def test_ack_and_seq_check(self):
        gw = self.gw()
        await gw.handshake(self.st.gateway_url)
        await gw.expect(0, "GUILD_CREATE")
        await gw.send(1, 2)
        ack = await gw.expect(11)
        self.assertEqual(ack, {"t": None, "s": None, "op": 11, "d": None})
        await asyncio.sleep(0.6)  # past the in-flight grace
        await gw.send(1, 0)
        await gw.expect(11)
        state = await self.ctl("GET", "/_test/state")
        self.assertEqual([(v["got"], v["expected"]) for v in state["heartbeat_violations"]], [(0, 2)])
        frames = (await self.ctl("GET", "/_test/gateway/frames"))["frames"]
        self.assertEqual([f["op"] for f in frames], [2, 1, 1])
        self.assertEqual(frames[0]["d"]["token"], "<redacted>")

    async def test_server_heartbeat_request_and_ack_faults(self):
        gw = self.gw()
        await gw.handshake(self.st.gateway_url)
        await self.ctl("POST", "/_test/gateway/fault", {"action": "heartbeat_request"})
        self.assertEqual((await gw.expect(1))["d"], None)
        await self.ctl("POST", "/_test/gateway/fault", {"action": "drop_acks", "count": 1})
        await gw.send(1, gw.last_s)
        await gw.send(1, gw.last_s)
        acks = 0
        try:
            while True:
                if (await gw.recv(0.3))["op"] == 11:
                    acks += 1
        except asyncio.TimeoutError:
            pass
        self.assertEqual(acks, 1)
        await self.ctl("POST", "/_test/gateway/fault", {"action": "ack_delay", "ms": 400, "count": 1})
        start = time.monotonic()
        await gw.send(1, gw.last_s)
        await gw.expect(11)
        self.assertGreaterEqual(time.monotonic() - start, 0.35)

    async def test_missed_heartbeats_close_4000_and_session_survives(self):
        await self.ctl("POST", "/_test/config", {"heartbeat_ms": 300})
        gw = self.gw()
        _, ready = await gw.handshake(self.st.gateway_url)
        start = time.monotonic()
        self.assertEqual(await gw.expect_close(2), 4000)
        self.assertGreaterEqual(time.monotonic() - start, 0.3)
        again = self.gw()
        await again.connect(ready["d"]["resume_gateway_url"])
        await again.expect(10)
        await again.send(6, {"token": TOKEN, "session_id": ready["d"]["session_id"], "seq": 2})
        self.assertEqual((await again.expect(0))["t"], "RESUMED")

    async def test_send_rate_limit_4008(self):
        await self.ctl("POST", "/_test/config", {"gateway_send_limit": 5})
        gw = self.gw()
        await gw.connect(self.st.gateway_url)
        await gw.expect(10)
        for _ in range(6):
            await gw.send(1, None)
        self.assertEqual(await gw.expect_close(), 4008)


class Sessions(StandinCase):

    async def _session(self):
        gw = self.gw()
        _, ready = await gw.handshake(self.st.gateway_url)
        await gw.expect(0, "GUILD_CREATE")
        return gw, ready["d"]

    async def _resume(self, ready, seq):
        gw = self.gw()
        await gw.connect(ready["resume_gateway_url"])
        await gw.expect(10)
        await gw.send(6, {"token": TOKEN, "session_id": ready["session_id"], "seq": seq})
        return gw

    async def test_resume_replays_then_resumed(self):
        gw, ready = await self._session()
        await gw.close(4000)
        await self.ctl("POST", "/_test/messages", {"content": "while you were away"})
        await self.ctl("POST", "/_test/messages", {"content": "second"})
        gw2 = await self._resume(ready, 2)
        got = [await gw2.expect(0) for _ in range(3)]
        self.assertEqual([(p["s"], p["t"]) for p in got],
                         [(3, "MESSAGE_CREATE"), (4, "MESSAGE_CREATE"), (5, "RESUMED")])
        self.assertEqual(got[0]["d"]["content"], "while you were away")
        state = await self.ctl("GET", "/_test/state")
        self.assertEqual(state["resumes"][-1]["path"], "/resume-gateway")
        self.assertEqual(state["resumes"][-1]["replayed"], 2)
        await gw2.send(1, 5)
        await gw2.expect(11)
        self.assertEqual((await self.ctl("GET", "/_test/state"))["heartbeat_violations"], [])

    async def test_client_close_1000_kills_session(self):
        gw, ready = await self._session()
        await gw.close(1000)
        await asyncio.sleep(0.05)
        gw2 = await self._resume(ready, 2)
        self.assertEqual((await gw2.expect(9))["d"], False)

    async def test_tcp_drop_keeps_session(self):
        gw, ready = await self._session()
        gw.ws._response.connection.transport.abort()
        await asyncio.sleep(0.1)
        gw2 = await self._resume(ready, 2)
        self.assertEqual((await gw2.expect(0))["t"], "RESUMED")

    async def test_future_seq_4007_and_ttl_expiry(self):
        gw, ready = await self._session()
        await gw.close(4000)
        gw2 = await self._resume(ready, 99)
        self.assertEqual(await gw2.expect_close(), 4007)
        await self.ctl("POST", "/_test/config", {"session_ttl_s": 0.1})
        gw3, ready3 = await self._session()
        await gw3.close(4001)
        await asyncio.sleep(0.3)
        gw4 = await self._resume(ready3, 2)
        self.assertEqual((await gw4.expect(9))["d"], False)

    async def test_scripted_faults(self):
        gw, ready = await self._session()
        await self.ctl("POST", "/_test/gateway/fault", {"action": "invalid_session", "resumable": True})
        self.assertEqual((await gw.expect(9))["d"], True)
        await self.ctl("POST", "/_test/gateway/fault", {"action": "reconnect", "close_after_ms": 100})
        self.assertEqual((await gw.expect(7))["d"], None)
        self.assertEqual(await gw.expect_close(), 4000)
        gw2 = await self._resume(ready, 2)
        await gw2.expect(0, "RESUMED")
        await self.ctl("POST", "/_test/gateway/fault", {"action": "close", "code": 4009})
        self.assertEqual(await gw2.expect_close(), 4009)
        gw3 = await self._resume(ready, 3)
        self.assertEqual((await gw3.expect(9))["d"], False, "4009 ends the session")
        await self.ctl("POST", "/_test/gateway/fault", {"action": "invalid_session", "resumable": False})
        self.assertEqual((await gw3.expect(9))["d"], False)
        # Same socket: IDENTIFY is allowed after op 9.
        await gw3.identify()
        _ = await gw3.expect(0, "READY")
        await self.ctl("POST", "/_test/gateway/fault", {"action": "drop"})
        self.assertIsNone(await gw3.expect_close())
        await self.ctl("POST", "/_test/gateway/fault", {"action": "reconnect", "next_connection": True})
        gw4 = self.gw()
        await gw4.connect(self.st.gateway_url)
        self.assertEqual((await gw4.recv())["op"], 7, "op 7 before HELLO")
        self.assertEqual((await gw4.recv())["op"], 10)
        conns = (await self.ctl("GET", "/_test/gateway/connections"))["connections"]
        self.assertIn("server-drop", [c["close_by"] for c in conns])

    async def test_identify_concurrency(self):
        await self.ctl("POST", "/_test/config", {"identify_window_s": 5.0})
        await self._session()
        gw = self.gw()
        await gw.connect(self.st.gateway_url)
        await gw.expect(10)
        await gw.identify()
        self.assertEqual((await gw.expect(9))["d"], False)
        self.assertEqual((await self.ctl("GET", "/_test/state"))["identify_throttled"], 1)

    async def test_message_content_intent_blanking(self):
        gw = self.gw()
        await gw.handshake(self.st.gateway_url, intents=INTENTS & ~32768)
        await self.ctl("POST", "/_test/messages", {"content": "secret"})
        await self.ctl("POST", "/_test/messages", {"content": "hey <@%s>" % self.st.world.bot_id})
        first = await gw.expect(0, "MESSAGE_CREATE")
        second = await gw.expect(0, "MESSAGE_CREATE")
        self.assertEqual(first["d"]["content"], "")
        self.assertEqual(second["d"]["content"], "hey <@%s>" % self.st.world.bot_id)
        self.assertIn("member", first["d"])
        self.assertNotIn("user", first["d"]["member"])


class RestSemantics(StandinCase):

    async def test_auth_user_agent_content_type(self):
        status, body, headers = await self.api("GET", "/users/@me", auth=False)
        self.assertEqual((status, body), (401, {"message": "401: Unauthorized", "code": 0}))
        status, _, _ = await self.api("GET", "/users/@me", headers={"User-Agent": "curl/8"})
        self.assertEqual(status, 403)
        status, body, _ = await self.api("POST", "/channels/%s/messages" % self.general, raw='{"content":"x"}',
                                         headers={"Content-Type": "text/plain"})
        self.assertEqual((status, body["code"]), (400, 50035))
        status, body, _ = await self.api("POST", "/channels/%s/messages" % self.general, raw="{oops",
                                         headers={"Content-Type": "application/json"})
        self.assertEqual((status, body["code"]), (400, 50109))
        status, body, headers = await self.api("GET", "/users/@me")
        self.assertEqual((status, headers["Content-Type"]), (200, "application/json"))
        status, body, _ = await self.api("GET", "/channels/123/messages")
        self.assertEqual((status, body["code"]), (404, 10003))

    async def test_create_message_validation_and_mentions(self):
        await self.ctl("POST", "/_test/config", {"message_rate_limit": 100})
        path = "/channels/%s/messages" % self.general
        status, msg, _ = await self.api("POST", path, {"content": "é" * 2000})
        self.assertEqual(status, 200)
        status, body, _ = await self.api("POST", path, {"content": "é" * 2001})
        self.assertEqual(body["errors"]["content"]["_errors"][0]["code"], "BASE_TYPE_MAX_LENGTH")
        status, body, _ = await self.api("POST", path, {"content": ""})
        self.assertEqual((status, body["code"]), (400, 50006))
        status, body, _ = await self.api("POST", path, {"content": "x", "allowed_mentions": {
            "parse": ["users"], "users": ["1"]}})
        self.assertEqual((status, body["code"]), (400, 50035))
        status, body, _ = await self.api("POST", path, {"embeds": [{"description": "d" * 4000},
                                                                   {"description": "d" * 2001}]})
        self.assertEqual((status, body["code"]), (400, 50035))
        alice = "1000000000000001000"
        organizer = self.st.world.role_ids["Organizer"]
        text = "@everyone <@%s> <@&%s>" % (alice, organizer)
        _, msg, _ = await self.api("POST", path, {"content": text})
        self.assertTrue(msg["mention_everyone"])
        self.assertEqual([u["id"] for u in msg["mentions"]], [alice])
        self.assertEqual(msg["mention_roles"], [organizer])
        _, msg, _ = await self.api("POST", path, {"content": text, "allowed_mentions": {"parse": []}})
        self.assertEqual((msg["mention_everyone"], msg["mentions"], msg["mention_roles"]), (False, [], []))

    async def test_replies_and_malformed_bodies(self):
        path = "/channels/%s/messages" % self.general
        user_msg = await self.ctl("POST", "/_test/messages", {"content": "question"})
        status, reply, _ = await self.api("POST", path, {"content": "answer", "message_reference": {
            "message_id": user_msg["id"]}, "allowed_mentions": {"parse": [], "replied_user": False}})
        self.assertEqual((status, reply["type"]), (200, 19))
        self.assertEqual(reply["referenced_message"]["id"], user_msg["id"])
        self.assertEqual(reply["mentions"], [])
        status, body, _ = await self.api("POST", path, {"content": "x", "message_reference": {"message_id": "5"}})
        self.assertEqual((status, body["code"]), (400, 50035))
        status, body, _ = await self.api("POST", path, {"content": "x", "message_reference": {
            "message_id": "5", "fail_if_not_exists": False}})
        self.assertEqual((status, body["type"]), (200, 0))
        status, body, _ = await self.api("POST", path, {"content": "x", "embeds": ["nope"]})
        self.assertEqual((status, body["code"]), (400, 50035))
        status, body, headers = await self.api("GET", "/guilds/%s/members?limit=abc" % self.st.world.guild_id)
        self.assertEqual((status, headers["Content-Type"]), (400, "application/json"))
        async with self.http.get(self.st.base_url + "/api/v9/users/@me") as resp:
            self.assertEqual((resp.status, resp.headers["Content-Type"]), (404, "application/json"))

    async def test_nonce_and_gateway_echo(self):
        gw = self.gw()
        await gw.handshake(self.st.gateway_url)
        path = "/channels/%s/messages" % self.general
        body = {"content": "once", "nonce": "abc123", "enforce_nonce": True}
        _, first, _ = await self.api("POST", path, body)
        _, second, _ = await self.api("POST", path, body)
        self.assertEqual(first["id"], second["id"])
        self.assertEqual(first["nonce"], "abc123")
        stored = (await self.ctl("GET", "/_test/messages?channel_id=%s" % self.general))["messages"]
        self.assertEqual(len(stored), 1)
        event = await gw.expect(0, "MESSAGE_CREATE")
        self.assertEqual(event["d"]["author"]["id"], self.st.world.bot_id, "the bot sees its own message")
        self.assertEqual(event["d"]["guild_id"], self.st.world.guild_id)

    async def test_multipart_files_edit_delete(self):
        form = aiohttp.FormData()
        form.add_field("payload_json", json.dumps({"content": "file", "attachments": [{"id": 0,
                                                                                      "filename": "a.txt"}]}),
                       content_type="application/json")
        form.add_field("files[0]", b"hello bytes", filename="a.txt", content_type="text/plain")
        async with self.http.post(self.st.api_base + "/channels/%s/messages" % self.general, data=form,
                                  headers={"Authorization": "Bot " + TOKEN, "User-Agent": UA}) as resp:
            self.assertEqual(resp.status, 200)
            msg = await resp.json()
        att = msg["attachments"][0]
        self.assertEqual((att["filename"], att["size"]), ("a.txt", 11))
        async with self.http.get(att["url"]) as resp:
            self.assertEqual(await resp.read(), b"hello bytes")
        mpath = "/channels/%s/messages/%s" % (self.general, msg["id"])
        status, edited, _ = await self.api("PATCH", mpath, {"content": "edited"})
        self.assertEqual((status, edited["content"]), (200, "edited"))
        self.assertIsNotNone(edited["edited_timestamp"])
        status, _, _ = await self.api("DELETE", mpath)
        self.assertEqual(status, 204)
        self.assertEqual((await self.ctl("GET", "/_test/messages"))["messages"], [])

    async def test_dm_channels(self):
        alice = "1000000000000001000"
        _, dm1, _ = await self.api("POST", "/users/@me/channels", {"recipient_id": alice})
        _, dm2, _ = await self.api("POST", "/users/@me/channels", {"recipient_id": alice})
        self.assertEqual((dm1["id"], dm1["type"]), (dm2["id"], 1))
        await self.ctl("POST", "/_test/config", {"dm_blocked_users": [alice]})
        status, body, _ = await self.api("POST", "/channels/%s/messages" % dm1["id"], {"content": "hi"})
        self.assertEqual((status, body["code"]), (403, 50007))

    async def test_guild_routes(self):
        gid = self.st.world.guild_id
        _, roles, _ = await self.api("GET", "/guilds/%s/roles" % gid)
        self.assertIn("Organizer", [r["name"] for r in roles])
        status, member, _ = await self.api("GET", "/guilds/%s/members/1000000000000001000" % gid)
        self.assertEqual((status, member["user"]["username"]), (200, "alice"))
        status, body, _ = await self.api("GET", "/guilds/%s/members/42" % gid)
        self.assertEqual((status, body["code"]), (404, 10007))
        status, app, _ = await self.api("GET", "/applications/@me")
        self.assertEqual(app["id"], self.st.world.app_id)


class RestRateLimits(StandinCase):

    async def test_bucket_headers_and_429(self):
        path = "/channels/%s/messages" % self.general
        for i in range(5):
            status, _, headers = await self.api("POST", path, {"content": "m%d" % i})
            self.assertEqual(status, 200)
            self.assertEqual(headers["X-RateLimit-Remaining"], str(4 - i))
            self.assertEqual(headers["X-RateLimit-Limit"], "5")
            self.assertIn("X-RateLimit-Bucket", headers)
            float(headers["X-RateLimit-Reset"])
            float(headers["X-RateLimit-Reset-After"])
        status, body, headers = await self.api("POST", path, {"content": "too many"})
        self.assertEqual(status, 429)
        self.assertIsInstance(body["retry_after"], float)
        self.assertFalse(body["global"])
        self.assertEqual(headers["Via"], "1.1 google")
        self.assertEqual(headers["X-RateLimit-Scope"], "user")
        self.assertIn("Retry-After", headers)
        other = "/channels/%s/messages" % "1000000000000000202"
        self.assertEqual((await self.api("POST", other, {"content": "other channel"}))[0], 200)
        limits = await self.ctl("GET", "/_test/rest/ratelimits")
        self.assertEqual(limits["total"], 1)
        self.assertEqual(list(limits["counts"].values()), [1])

    async def test_global_limit_and_exemption(self):
        await self.ctl("POST", "/_test/config", {"global_rate_limit": 3, "default_rate_limit": 100})
        statuses = []
        for _ in range(4):
            status, body, headers = await self.api("GET", "/users/@me")
            statuses.append(status)
        self.assertEqual(statuses, [200, 200, 200, 429])
        self.assertTrue(body["global"])
        self.assertEqual(headers["X-RateLimit-Global"], "true")
        self.assertEqual(headers["X-RateLimit-Scope"], "global")
        inter = await self.ctl("POST", "/_test/interactions", {"name": "ping"})
        status, _, _ = await self.api("POST", "/interactions/%s/%s/callback" % (inter["id"], inter["token"]),
                                      {"type": 4, "data": {"content": "pong"}})
        self.assertEqual(status, 204, "interaction callbacks are exempt from the global limit")

    async def test_injected_faults(self):
        path = "/channels/%s/messages" % self.general
        await self.api("POST", path, {"content": "learn the bucket"})
        await self.ctl("POST", "/_test/rest/fault", {"kind": "429", "path": "/messages$", "count": 1,
                                                     "sublimit": True, "retry_after": 0.25})
        status, body, headers = await self.api("POST", path, {"content": "sub-limit"})
        self.assertEqual(status, 429)
        self.assertGreater(int(headers["X-RateLimit-Remaining"]), 0)
        self.assertEqual(body["retry_after"], 0.25)
        await self.ctl("POST", "/_test/rest/fault", {"kind": "status", "status": 502, "count": 2})
        self.assertEqual((await self.api("GET", "/users/@me"))[0], 502)
        self.assertEqual((await self.api("GET", "/users/@me"))[0], 502)
        self.assertEqual((await self.api("GET", "/users/@me"))[0], 200)
        await self.ctl("POST", "/_test/rest/fault", {"kind": "cloudflare", "count": 1})
        status, body, headers = await self.api("GET", "/users/@me")
        self.assertEqual(status, 429)
        self.assertNotIn("Via", headers)
        await self.ctl("POST", "/_test/rest/fault", {"kind": "delay", "ms": 300, "count": 1})
        start = time.monotonic()
        await self.api("GET", "/users/@me")
        self.assertGreaterEqual(time.monotonic() - start, 0.28)

    async def test_cloudflare_ban_threshold(self):
        await self.ctl("POST", "/_test/config", {"invalid_request_limit": 3, "cloudflare_ban_s": 0.3})
        for _ in range(3):
            await self.api("GET", "/users/@me", auth=False)
        status, body, headers = await self.api("GET", "/users/@me")
        self.assertEqual((status, headers.get("Via")), (429, None))
        await asyncio.sleep(0.35)
        self.assertEqual((await self.api("GET", "/users/@me"))[0], 200)


class Interactions(StandinCase):

    async def test_callback_rules_and_followups(self):
        gw = self.gw()
        await gw.handshake(self.st.gateway_url)
        inter = await self.ctl("POST", "/_test/interactions", {"name": "schedule",
                                                               "options": {"day": "friday", "track": 2}})
        event = await gw.expect(0, "INTERACTION_CREATE")
        self.assertEqual(event["d"]["token"], inter["token"])
        self.assertEqual(event["d"]["data"]["options"], [{"name": "day", "type": 3, "value": "friday"},
                                                         {"name": "track", "type": 4, "value": 2}])
        cb = "/interactions/%s/%s/callback" % (inter["id"], inter["token"])
        status, _, _ = await self.api("POST", cb, {"type": 5}, auth=False)
        self.assertEqual(status, 204)
        status, body, _ = await self.api("POST", cb, {"type": 4, "data": {"content": "x"}})
        self.assertEqual((status, body["code"]), (400, 40060))
        hook = "/webhooks/%s/%s" % (self.st.world.app_id, inter["token"])
        status, edited, _ = await self.api("PATCH", hook + "/messages/@original", {"content": "Friday talks"})
        self.assertEqual((status, edited["content"]), (200, "Friday talks"))
        status, follow, _ = await self.api("POST", hook, {"content": "more", "flags": 64})
        self.assertEqual(status, 200)
        summary = (await self.ctl("GET", "/_test/interactions"))["interactions"][0]
        self.assertEqual(summary["ack_type"], 5)
        self.assertEqual([r["kind"] for r in summary["responses"]], ["callback", "callback", "edit", "followup"])
        self.assertEqual([r["status"] for r in summary["responses"]], [204, 400, 200, 200])
        visible = (await self.ctl("GET", "/_test/messages"))["messages"]
        self.assertEqual([m["content"] for m in visible], ["Friday talks"], "ephemeral followup not stored")

    async def test_late_and_unknown(self):
        await self.ctl("POST", "/_test/config", {"interaction_deadline_s": 0.2})
        inter = await self.ctl("POST", "/_test/interactions", {"name": "ping"})
        await asyncio.sleep(0.3)
        cb = "/interactions/%s/%s/callback" % (inter["id"], inter["token"])
        status, body, _ = await self.api("POST", cb, {"type": 4, "data": {"content": "late"}})
        self.assertEqual((status, body["code"]), (404, 10062))
        status, body, _ = await self.api("POST", "/interactions/1/nope/callback", {"type": 4, "data": {}})
        self.assertEqual((status, body["code"]), (404, 10062))
        status, body, _ = await self.api("POST", "/webhooks/%s/%s" % (self.st.world.app_id, inter["token"]),
                                         {"content": "follow"})
        self.assertEqual((status, body["code"]), (404, 10015), "no followup before an initial response")


class Commands(StandinCase):

    async def test_put_get_validate(self):
        app, gid = self.st.world.app_id, self.st.world.guild_id
        path = "/applications/%s/guilds/%s/commands" % (app, gid)
        cmds = [{"name": "schedule", "description": "Show the schedule", "options": [
            {"type": 3, "name": "day", "description": "Day", "required": True},
            {"type": 4, "name": "track", "description": "Track"}]}]
        status, out, _ = await self.api("PUT", path, cmds)
        self.assertEqual(status, 200)
        self.assertEqual(out[0]["name"], "schedule")
        status, again, _ = await self.api("PUT", path, cmds)
        self.assertEqual(again[0]["id"], out[0]["id"], "ids are stable across overwrites")
        bad = [{"name": "Bad Name", "description": "x"}]
        status, body, _ = await self.api("PUT", path, bad)
        self.assertEqual((status, body["code"]), (400, 50035))
        self.assertIn("name", body["errors"]["0"])
        order = [{"name": "ok", "description": "d", "options": [
            {"type": 3, "name": "a", "description": "a"},
            {"type": 3, "name": "b", "description": "b", "required": True}]}]
        status, body, _ = await self.api("PUT", path, order)
        self.assertEqual(status, 400)
        status, body, _ = await self.api("PUT", path, [{"name": "x", "description": ""}])
        self.assertEqual(status, 400)
        _, listed, _ = await self.api("GET", path)
        self.assertEqual([c["name"] for c in listed], ["schedule"])
        state = await self.ctl("GET", "/_test/commands")
        self.assertEqual(state["put_count"], {gid: 2})
        status, _, _ = await self.api("PUT", "/applications/%s/commands" % app, [])
        self.assertEqual(status, 200)


class ControlApi(StandinCase):

    async def test_wait_slow_world(self):
        world = await self.ctl("GET", "/_test/world")
        self.assertEqual(world["guild_id"], self.st.world.guild_id)
        waiter = asyncio.ensure_future(self.ctl("GET", "/_test/wait?counter=messages&min=1&timeout=3"))
        await asyncio.sleep(0.1)
        await self.ctl("POST", "/_test/messages", {"content": "wake"})
        self.assertEqual(await waiter, {"ok": True, "value": 1})
        start = time.monotonic()
        async with self.http.get(self.st.base_url + "/_test/slow?bytes=20000&seconds=0.5") as resp:
            data = await resp.read()
        self.assertEqual(len(data), 20000)
        self.assertGreaterEqual(time.monotonic() - start, 0.4)
        await self.ctl("POST", "/_test/reset", {"config": {"guild_members": 7}})
        self.assertEqual((await self.ctl("GET", "/_test/world"))["member_count"], 8)
        self.assertEqual((await self.ctl("GET", "/_test/messages"))["messages"], [])


class Harness(unittest.TestCase):

    def test_script_mode(self):
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "discord_standin.py")
        proc = subprocess.Popen([sys.executable if "/usr/bin" in sys.executable else "/usr/bin/python3",
                                 script, "--port", "0", "--heartbeat-ms", "1000"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd="/")
        try:
            line = proc.stdout.readline().decode()
            self.assertRegex(line, r"^STANDIN PORT=\d+$")
            port = int(line.strip().split("=")[1])
            import urllib.request
            with urllib.request.urlopen("http://127.0.0.1:%d/_test/world" % port, timeout=5) as resp:
                self.assertEqual(resp.headers["Content-Type"], "application/json")
        finally:
            proc.send_signal(signal.SIGTERM)
            self.assertEqual(proc.wait(10), 0)
            proc.stdout.close()

    def test_thread_helper(self):
        with StandinThread(heartbeat_ms=1000) as st:
            msg = st.inject_message(content="hello")
            self.assertEqual(st.messages()[0]["id"], msg["id"])
            self.assertTrue(st.wait("messages", 1, timeout=1)["ok"])
            self.assertEqual(st.state()["counters"]["messages"], 1)


if __name__ == "__main__":
    unittest.main(verbosity=1)
