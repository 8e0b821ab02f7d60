"""The web server (issue 19) over plain HTTP: security headers, errors, the
body cap, the push stream, plugin routes swept at unload, and the organizer
sign-in: a link works once, expires, is refused after the organizer role is
gone; a forged or replayed cookie gets nothing; a POST without the CSRF
token changes nothing.

Run with /usr/bin/python3 (see harness.py)."""
import json
import os
import re
import signal
import sys
import time
import unittest

from harness import FIXTURE_DIR, PLUGIN_DIR, SOURCE_DIR, DaemonTestCase, base_config, wait_until

sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "browser"))
from webclient import Client, EventStream, listen_port  # noqa: E402

def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


WEB_SSE_RING = 128  # bot/web/web_int.h
ALICE = "1000000000000001000"  # holds the Organizer role
BOB = "1000000000000001001"    # a speaker, no organizer
GENERAL = "1000000000000000201"
TALKS = "1000000000000000202"
SAMPLE = os.path.join(SOURCE_DIR, "plugins", "schedule", "sample", "hallwaycon.json")
NOW = "2026-11-26T10:20:00+01:00"


class WebTest(DaemonTestCase):
    def start(self, http=None, plugins=None, env=None, plugin_dir=PLUGIN_DIR):
        cfg = base_config(self.st, self.workdir, plugin_dir=plugin_dir,
                          plugins=plugins if plugins is not None else {
                              "schedule": {"source": SAMPLE}, "announce": {"channels": [TALKS]}})
        # Port 0: the daemon picks a free one and says which (no race with
        # other tests for a port chosen here).
        cfg["http"] = dict({"listen": "127.0.0.1:0"}, **(http or {}))
        self.cfg = cfg
        d = self.daemon(cfg, env=dict({"HALLWAY_NOW": NOW}, **(env or {})))
        self.ready(d, identifies=len(self.daemons))
        self.port = listen_port(d)
        self.web = Client(self.port)
        return d

    def say(self, content, user=ALICE):
        self.st.inject_message(content=content, user_id=user)

    def signin_link(self, user=ALICE):
        """Asks for a link in chat and returns the token from the DM."""
        before = {m["id"] for m in self.bot_messages()}
        self.say("!dashboard", user)

        def dm():
            for m in self.bot_messages():
                hit = re.search(r"/organizer/signin#([0-9a-f]{64})", m["content"])
                if m["id"] not in before and hit:
                    return hit.group(1)
            return None
        return wait_until(dm, 15, what="a DM with a sign-in link")

    def signin(self, token, client=None):
        return (client or self.web).post("/api/auth/signin", {"token": token})

    # -- the server ------------------------------------------------------------

    def test_headers_errors_and_limits(self):
        self.start()
        r = self.web.get("/screen")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.header("content-type").startswith("text/html"))
        csp = r.header("content-security-policy")
        for part in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'",
                     "object-src 'none'"):
            self.assertIn(part, csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertEqual(r.header("x-content-type-options"), "nosniff")
        self.assertEqual(r.header("referrer-policy"), "no-referrer")
        self.assertEqual(r.header("x-frame-options"), "DENY")
        self.assertNotIn(b"<script>", r.body)  # no inline script: CSP would block it
        # Each page with everything it loads stays under 100 KB.
        for page in ("/screen", "/organizer"):
            body = self.web.get(page).body
            total = len(body)
            for ref in re.findall(rb'(?:src|href)="(/static/[^"]+)"', body):
                a = self.web.get(ref.decode())
                self.assertEqual(a.status, 200, ref)
                total += len(a.body)
            self.assertLess(total, 100 * 1024, page)
        for path in ("/nope", "/api/nope/x", "/static/hallway/nope.js"):
            r = self.web.get(path)
            self.assertEqual(r.status, 404, path)
            self.assertIn("error", r.json())
        # /healthz is served here too (healthy once every check has come in).
        wait_until(lambda: self.web.get("/healthz").status == 200, 20, what="/healthz 200")
        self.assertIn("checks", self.web.get("/healthz").json())
        self.assertIn(b"hallway_", self.web.get("/metrics").body)
        # POSTs are JSON, capped at 16 KB; other methods are refused.
        r = self.web.post("/api/action", b"command=help", headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status, 415)
        r = self.web.post("/api/action", b'{"command": "' + b"x" * 20000 + b'"}',
                          headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 413)
        self.assertEqual(self.web.request("DELETE", "/screen").status, 405)
        r = self.web.post("/api/action", b"{}", headers={"Content-Type": "application/json",
                                                         "Transfer-Encoding": "chunked"})
        self.assertIn(r.status, (400, 411, 401))  # never a hang
        # The screen's data is public; an unknown room is a clear 404.
        data = self.web.get("/api/schedule/screen").json()
        self.assertEqual(data["zone"], "Europe/Brussels")
        self.assertIn("Main Hall", [r["room"] for r in data["rooms"]])
        main = self.web.get("/api/schedule/screen?room=main+hall").json()
        self.assertEqual([r["room"] for r in main["rooms"]], ["Main Hall"])
        self.assertEqual(main["rooms"][0]["now"]["title"], "Why Conferences Need Better Bots")
        self.assertEqual(self.web.get("/api/schedule/screen?room=Nowhere").status, 404)
        # Organizer routes need a session.
        self.assertEqual(self.web.get("/api/announce/panel").status, 401)
        self.assertEqual(self.web.get("/api/organizer/session").status, 401)

    def test_push_reaches_open_pages(self):
        self.start()
        es = EventStream(self.port)
        try:
            self.assertTrue(es.opened.wait(10))
            self.assertIn(b"text/event-stream", es.head)
            self.say("!announce now Coffee is ready in the foyer")
            _, msg = es.next("announce.latest", timeout=15)
            self.assertEqual(msg["data"]["text"], "Coffee is ready in the foyer")
            latest = self.web.get("/api/announce/latest").json()
            self.assertEqual(latest["text"], "Coffee is ready in the foyer")
            # The next one replaces it, on every page.
            self.say("!announce now The raffle starts at four")
            _, msg = es.next("announce.latest", timeout=15)
            self.assertEqual(msg["data"]["text"], "The raffle starts at four")
            self.assertEqual(self.web.get("/api/announce/latest").json()["text"],
                             "The raffle starts at four")
        finally:
            es.close()

    def test_screen_pushed_when_a_talk_starts(self):
        """The clock's slot turns (the keynote starts at 10:15): open pages hear it."""
        self.start(env={"HALLWAY_NOW": "2026-11-26T10:14:57+01:00"})
        es = EventStream(self.port)
        try:
            self.assertTrue(es.opened.wait(10))
            # READY comes before the schedule is read: wait for the screen to
            # have rooms (CI once asked before the load and got none).
            main = wait_until(lambda: (self.web.get("/api/schedule/screen?room=Main%20Hall").json()
                                       .get("rooms") or [None])[0], 10,
                              what="the schedule loaded")
            self.assertIsNone(main["now"])
            self.assertEqual(main["next"]["title"], "Why Conferences Need Better Bots")
            while True:
                _, msg = es.next("schedule.screen", timeout=20)
                if msg["data"].get("why") == "slot":
                    break
            main = self.web.get("/api/schedule/screen?room=Main%20Hall").json()["rooms"][0]
            self.assertEqual(main["now"]["title"], "Why Conferences Need Better Bots")
        finally:
            es.close()

    def test_plugin_routes_go_with_the_plugin(self):
        d = self.start()
        self.assertEqual(self.web.get("/api/announce/latest").status, 200)
        cfg = dict(self.cfg)
        cfg["plugins"] = {"schedule": {"source": SAMPLE}}
        with open(d.config_path, "w") as f:
            json.dump(cfg, f)
        d.signal(signal.SIGHUP)
        d.wait_log("plugin announce", 15)
        wait_until(lambda: self.web.get("/api/announce/latest").status == 404, 15,
                   what="the announce routes to go")
        # The schedule's routes stay; a schedule being loaded again after the
        # reload honestly answers 503 until its model is in.
        wait_until(lambda: self.web.get("/api/schedule/screen").status == 200, 15,
                   what="the schedule's screen route")

    def test_plugin_web_api(self):
        """Routes, assets, a panel and pushes of a plugin (tests/plugins/fx_web.c)."""
        d = self.start(plugins={"fx_web": {}}, plugin_dir=FIXTURE_DIR)
        r = self.web.get("/static/fx_web/hello.txt")
        self.assertEqual((r.status, r.body), (200, b"hello from fx_web\n"))
        self.assertEqual(r.header("content-type"), "text/plain; charset=utf-8")
        self.assertIn("max-age", r.header("cache-control"))
        self.assertIn("default-src 'self'", r.header("content-security-policy"))
        self.assertEqual(self.web.get("/static/fx_web/app.js").header("content-type"), "text/javascript")
        pub = self.web.get("/api/fx_web/public?room=Caf%C3%A9+%26+Co&x=1").json()
        self.assertEqual(pub["hello"], "world")
        # The query reaches the plugin encoded, one value per argument.
        self.assertEqual(pub["query"], "room=Caf%C3%A9%20%26%20Co&x=1")
        self.assertTrue(pub["refused_outside"], "a route outside /api/fx_web/ was accepted")
        self.assertTrue(pub["refused_twice"], "the same route twice was accepted")
        self.assertFalse(pub["signed_in"])
        r = self.web.get("/api/fx_web/fail")
        self.assertEqual(r.status, 409)
        self.assertIn("error", r.json())
        self.assertEqual(self.web.post("/api/fx_web/public", {}).status, 405)
        # Organizer routes: nothing without a session, POSTs only with the CSRF token.
        self.assertEqual(self.web.get("/api/fx_web/secret").status, 401)
        self.assertEqual(self.web.post("/api/fx_web/bump", {"by": 1}).status, 401)
        self.assertEqual(self.signin(self.signin_link()).status, 200)
        s = self.web.get("/api/organizer/session").json()
        self.assertIn({"title": "Fixture", "path": "/api/fx_web/panel", "plugin": "fx_web"}, s["panels"])
        self.assertEqual(self.web.get("/api/fx_web/secret").json(), {"user": ALICE})
        self.assertEqual(self.web.post("/api/fx_web/bump", {"by": 2}).status, 403)
        r = self.web.post("/api/fx_web/bump", {"by": 2}, csrf=s["csrf"])
        self.assertEqual(r.json(), {"count": 2})
        self.assertEqual(self.web.post("/api/fx_web/bump", {"by": 0}, csrf=s["csrf"]).status, 400)
        panel = self.web.get("/api/fx_web/panel").json()
        self.assertEqual(panel["items"][0]["rows"], [["bumps", "some"]])
        # A push reaches open pages under the plugin's name.
        es = EventStream(self.port)
        try:
            self.assertTrue(es.opened.wait(10))
            r = self.web.post("/api/action", {"command": "webpush <b>news</b>"}, csrf=s["csrf"])
            self.assertEqual(r.json()["replies"][0]["text"], "pushed")
            _, msg = es.next("fx_web.news", timeout=10)
            self.assertEqual(msg["data"], {"text": "<b>news</b>"})
        finally:
            es.close()
        # Unloaded: everything it registered is gone.
        cfg = dict(self.cfg)
        cfg["plugins"] = {"fx_good": {}}
        with open(d.config_path, "w") as f:
            json.dump(cfg, f)
        d.signal(signal.SIGHUP)
        wait_until(lambda: self.web.get("/api/fx_web/public").status == 404, 15,
                   what="the fixture's routes to go")
        self.assertEqual(self.web.get("/static/fx_web/hello.txt").status, 404)
        titles = [p["title"] for p in self.web.get("/api/organizer/session").json()["panels"]]
        self.assertNotIn("Fixture", titles)

    def test_slow_page_is_dropped_not_buffered(self):
        """A page that stops reading falls a whole ring (128 messages) behind and
        is dropped; a page that reads gets everything; memory stays flat."""
        import socket
        # No ASan quarantine: freed memory must show as freed for the RSS check.
        asan = os.environ.get("ASAN_OPTIONS", "")
        self.start(plugins={"fx_web": {}}, plugin_dir=FIXTURE_DIR,
                   env={"ASAN_OPTIONS": (asan + ":" if asan else "") + "quarantine_size_mb=0"})
        self.assertEqual(self.signin(self.signin_link()).status, 200)
        csrf = self.web.get("/api/organizer/session").json()["csrf"]
        good = EventStream(self.port)
        slow = socket.socket()
        slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        slow.connect(("127.0.0.1", self.port))
        slow.sendall(b"GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
        try:
            self.assertTrue(good.opened.wait(10))
            rss0 = rss_kb(self.daemons[-1].proc.pid)
            # More than the kernel's send buffer can hold for the slow page.
            with open("/proc/sys/net/ipv4/tcp_wmem") as f:
                wmem = int(f.read().split()[2])
            count = (2 * wmem + (1 << 20)) // 4000 + WEB_SSE_RING
            r = self.web.post("/api/action", {"command": "webflood %d 4000" % count}, csrf=csrf)
            self.assertEqual(r.json()["replies"][0]["text"], "flooding")
            while True:  # the reading page gets every one, in order
                _, msg = good.next("fx_web.flood", timeout=30)
                if msg["data"]["left"] == 0:
                    break
            self.daemons[-1].wait_log("dropping a push client", 40)  # keep-alive tick: 15 s
            # The slow page's connection was closed: reading it ends.
            slow.settimeout(10)
            got = 0
            while True:
                chunk = slow.recv(65536)
                if not chunk:
                    break
                got += len(chunk)
            self.assertLess(got, count * 4000)
            self.assertFalse(good.closed.is_set())
            # Megabytes went out; the daemon kept no backlog of them.
            grew = rss_kb(self.daemons[-1].proc.pid) - rss0
            print("slow page: %d pushes of 4000 bytes, dropped after %d bytes; daemon RSS grew "
                  "%d KB (ASan build)" % (count, got, grew), file=sys.stderr)
            self.assertLess(grew, 20 * 1024)
        finally:
            good.close()
            slow.close()

    # -- sign-in ------------------------------------------------------------------

    def test_link_works_once_and_session_acts_as_the_organizer(self):
        self.start()
        token = self.signin_link()
        # The link went by DM; the channel only hears that it did.
        self.assertFalse([m for m in self.bot_messages(GENERAL) if token in m["content"]])
        r = self.signin(token)
        self.assertEqual(r.status, 200, r.body)
        cookie = r.header("set-cookie")
        self.assertIn("HttpOnly", cookie)
        self.assertIn("SameSite=Strict", cookie)
        self.assertNotIn("Secure", cookie)  # plain http here (see the https test)
        # Used once: never again, not even by the same browser.
        self.assertEqual(self.signin(token, Client(self.port)).status, 403)
        s = self.web.get("/api/organizer/session").json()
        self.assertEqual(s["user_id"], ALICE)
        titles = [p["title"] for p in s["panels"]]
        self.assertIn("Announcements", titles)
        self.assertIn("Schedule", titles)
        # A POST without (or with a wrong) CSRF token changes nothing.
        for csrf in (None, "0" * 64, s["csrf"][:-1]):
            r = self.web.post("/api/action", {"command": "announce now Web without token"}, csrf=csrf)
            self.assertEqual(r.status, 403)
        time.sleep(0.5)
        self.assertFalse([m for m in self.bot_messages(TALKS) if "Web without token" in m["content"]])
        # With it, the command runs as the organizer, through the chat's path.
        r = self.web.post("/api/action", {"command": "announce now Posted from the web"}, csrf=s["csrf"])
        self.assertEqual(r.status, 200, r.body)
        replies = r.json()["replies"]
        self.assertTrue(any("Posted" in (x.get("text") or "") for x in replies), replies)
        wait_until(lambda: [m for m in self.bot_messages(TALKS) if m["content"] == "Posted from the web"],
                   10, what="the post in the channel")
        # A reply model comes as the model, for the page to draw.
        r = self.web.post("/api/action", {"command": "now"}, csrf=s["csrf"])
        self.assertEqual(r.status, 200, r.body)
        replies = r.json()["replies"]
        models = [x["model"] for x in replies if "model" in x]
        talks = [i["title"] for m in models for i in m.get("items", []) if i.get("kind") == "talk"]
        texts = " ".join(x.get("text") or "" for x in replies)
        # A command answering with text shows its text; one with a model, its items.
        self.assertTrue("Why Conferences Need Better Bots" in talks or
                        "Why Conferences Need Better Bots" in texts, replies)
        # An unknown command is answered, not dropped.
        r = self.web.post("/api/action", {"command": "frobnicate"}, csrf=s["csrf"])
        self.assertEqual(r.status, 200)
        self.assertTrue(r.json()["replies"][0]["text"])
        panel = self.web.get("/api/announce/panel").json()
        audit = [row for item in panel["items"] if item.get("kind") == "table" for row in item["rows"]]
        self.assertTrue(any("Posted from the web" in row for row in audit), panel)
        # Signed out: the same cookie, replayed, gets nothing.
        old = dict(self.web.cookies)
        self.assertEqual(self.web.post("/api/auth/signout", {}, csrf=s["csrf"]).status, 200)
        replay = Client(self.port)
        replay.cookies = old
        self.assertEqual(replay.get("/api/organizer/session").status, 401)
        self.assertEqual(replay.post("/api/action", {"command": "announce list"}, csrf=s["csrf"]).status, 401)

    def test_forged_cookie_gets_nothing(self):
        self.start()
        forged = Client(self.port)
        for value in ("0" * 64, "a" * 63, "../../etc/passwd", "x" * 500, ""):
            forged.cookies = {"hallway_session": value}
            self.assertEqual(forged.get("/api/organizer/session").status, 401, value)
            self.assertEqual(forged.get("/api/announce/panel").status, 401, value)
            r = forged.post("/api/action", {"command": "announce now forged"}, csrf="0" * 64)
            self.assertEqual(r.status, 401, value)
        self.assertFalse([m for m in self.bot_messages(TALKS) if "forged" in m["content"]])
        self.assertEqual(self.signin("f" * 64).status, 403)
        self.assertEqual(self.web.post("/api/auth/signin", {"token": 5}).status, 403)

    def test_link_expires(self):
        self.start(http={"signin_seconds": 5})
        token = self.signin_link()
        time.sleep(6)
        r = self.signin(token)
        self.assertEqual(r.status, 403)
        self.assertIsNone(r.header("set-cookie"))

    def test_refused_after_losing_the_organizer_role(self):
        self.start()
        # Someone who is not an organizer gets no link at all.
        self.say("!dashboard", BOB)
        wait_until(lambda: [m for m in self.bot_messages(GENERAL) if "organizers only" in m["content"]],
                   10, what="the refusal")
        self.assertFalse([m for m in self.bot_messages() if "/organizer/signin#" in m["content"]])
        # Signed in while an organizer...
        self.assertEqual(self.signin(self.signin_link()).status, 200)
        csrf = self.web.get("/api/organizer/session").json()["csrf"]
        r = self.web.post("/api/action", {"command": "announce list"}, csrf=csrf)
        self.assertEqual(r.status, 200)
        token = self.signin_link()
        self.st.standin.world.members[ALICE]["roles"] = []  # the role is taken away
        # ... the next action is refused and the session ends with it,
        r = self.web.post("/api/action", {"command": "announce now Not any more"}, csrf=csrf)
        self.assertEqual(r.status, 403)
        self.assertEqual(self.web.get("/api/organizer/session").status, 401)
        time.sleep(0.5)
        self.assertFalse([m for m in self.bot_messages(TALKS) if "Not any more" in m["content"]])
        # and a link asked for before is refused at use.
        r = Client(self.port).post("/api/auth/signin", {"token": token})
        self.assertEqual(r.status, 403)
        self.assertIsNone(r.header("set-cookie"))

    def test_secure_cookie_behind_https(self):
        self.start(http={"public_url": "https://hallway.example.org/"})
        token = self.signin_link()
        dm = [m for m in self.bot_messages() if token in m["content"]][0]
        self.assertIn("https://hallway.example.org/organizer/signin#", dm["content"])
        r = self.signin(token)
        self.assertEqual(r.status, 200)
        self.assertIn("; Secure", r.header("set-cookie"))
        # The screens' addresses, for the TVs.
        self.say("!dashboard screens")
        wait_until(lambda: [m for m in self.bot_messages(GENERAL)
                            if "https://hallway.example.org/screen for" in m["content"]], 10,
                   what="the screens' addresses")


if __name__ == "__main__":
    unittest.main(verbosity=2)
