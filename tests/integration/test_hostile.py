"""Hostile input (issue 8): whatever a stranger types, or whatever odd shape
a dispatch has, the daemon stays up, stays connected (no resume loop),
answers each command once with a safe reply, and never pings anyone.

Invalid UTF-8 and frames the JSON parser rejects cannot be produced through
the stand-in (it speaks JSON over a UTF-8 websocket); they are covered by
fuzz/fuzz_gateway, which feeds raw bytes to the same code.
"""
import json
import os
import time
import unittest

from harness import PLUGIN_DIR, SOURCE_DIR, DaemonTestCase, base_config, wait_until

SAMPLE = os.path.join(SOURCE_DIR, "plugins", "schedule", "sample", "hallwaycon.json")

HOSTILE = [
    "%s%s%s%s%n%n%x%p%999999999d%1$s %%",
    "@everyone @here look at this",
    "<@&{organizer}> <@{alice}> <@!{alice}> <#1000000000000000203>",
    "'); DROP TABLE hello_counts; --",
    "\" OR 1=1; --",
    "emoji \U0001F600\U0001F469\u200D\U0001F4BB\U0001F3F3\uFE0F\u200D\U0001F308 skin \U0001F44D\U0001F3FD",
    "\u202Eevil\u202C \u200F\u061C\u2067isolate\u2069 \u200B\u2060zero width",
    "combining e\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301 zalgo",
    "\ufffd\ufffe\uffff replacement and non-characters",
    "tabs\tand\r\nnewlines\n\n\nand ```code``` and **markdown** || spoiler ||",
    "\x01\x02\x07\x1b[31m control \x7f",
    "nul \x00 inside",
]


def have_plugin(name):
    return os.path.exists(os.path.join(PLUGIN_DIR, name + ".so"))


class HostileTests(DaemonTestCase):

    def setUp(self):
        super().setUp()
        self.st.config(message_rate_limit=1000, message_rate_window_s=1)
        self.users = {u["username"]: u["id"] for u in self.world["users"] if "username" in u}
        plugins = {"hello": {}}
        if have_plugin("schedule"):
            plugins["schedule"] = {"source": SAMPLE, "timezone": "Europe/Brussels"}
        if have_plugin("sprints"):
            plugins["sprints"] = {"projects": [{"name": "Django", "capacity": 3}]}
        self.d = self.daemon(base_config(self.st, self.workdir, plugins=plugins, plugin_dir=PLUGIN_DIR),
                             env={"HALLWAY_NOW": "2026-11-26T09:55:00+01:00"})
        self.ready(self.d)

    def tearDown(self):
        # The daemon must still be alive and on its first session: hostile
        # input must not cost a reconnect.
        try:
            self.assertIsNone(self.d.proc.poll(), "the daemon exited")
            st = self.st.state()
            self.assertEqual(st["counters"]["identify"], 1, "the bot had to IDENTIFY again")
            self.assertEqual(st["resumes"], [], "hostile input made the bot reconnect")
        finally:
            super().tearDown()

    def assert_no_pings(self, msgs):
        for m in msgs:
            self.assertFalse(m["mention_everyone"], "a bot message pinged everyone: %r" % m["content"][:200])
            self.assertEqual(m["mention_roles"], [], "a bot message pinged a role: %r" % m["content"][:200])
            self.assertEqual(m["mentions"], [], "a bot message pinged a user: %r" % m["content"][:200])

    def ask(self, content, user=None, expect=1, timeout=15.0):
        before = len(self.bot_messages())
        self.st.inject_message(content=content, user_id=user or self.users["bob"])
        if expect is None:  # zero or one answer: settle a little longer
            time.sleep(1.0)
        elif expect:
            wait_until(lambda: len(self.bot_messages()) >= before + expect, timeout,
                       what="an answer to %r" % content[:80])
        time.sleep(0.3)
        return self.bot_messages()[before:]

    def test_hostile_text_gets_one_safe_reply(self):
        fill = {"organizer": self.world["role_ids"]["Organizer"], "alice": self.users["alice"]}
        commands = ["!hello %s"]
        if have_plugin("schedule"):
            commands += ["!talk %s", "!next %s"]
        if have_plugin("sprints"):
            commands += ["!sprint join %s"]
        for text in HOSTILE:
            text = text.replace("{organizer}", fill["organizer"]).replace("{alice}", fill["alice"])
            for cmd in commands:
                answer = self.ask(cmd % text)
                self.assertEqual(len(answer), 1, "%r got %d answers" % (cmd % text, len(answer)))
                self.assert_no_pings(answer)
                for m in answer:
                    self.assertLessEqual(len(m["content"]), 2000)
                    self.assertNotIn("(null)", m["content"])
            # An unknown command: at most a suggestion. Plain chat: no answer at all.
            answer = self.ask("!nosuchcommand " + text, expect=None)
            self.assertLessEqual(len(answer), 1)
            self.assert_no_pings(answer)
            self.assertEqual(self.ask(text, expect=0), [])
        # Format specifiers come back as typed (user text is never a format).
        hello = self.ask("!hello " + HOSTILE[0])[0]["content"]
        self.assertIn(HOSTILE[0], hello)
        # Mentions are shown, not pinged.
        self.assertIn("@everyone", self.ask("!hello " + HOSTILE[1])[0]["content"])

    def big_message(self, content, user):
        """A MESSAGE_CREATE with any content: Discord (and the stand-in's
        injection API) cap user messages at 2000 characters, but the gateway
        path must not depend on that."""
        proto = self.st.inject_message(content="!ping", user_id=user)
        self.wait_bot_messages(len(self.bot_messages()) + 0)
        d = dict(proto, content=content, id=str(int(proto["id"]) + 1))
        self.st.ctl("POST", "/_test/dispatch", {"t": "MESSAGE_CREATE", "d": d})

    def test_megabyte_lines(self):
        cmds = ["!hello ", "!nosuchcommand "] + (["!talk "] if have_plugin("schedule") else [])
        for size in (4001, 1 << 20):
            for cmd in cmds:
                body = ("A\u202e\U0001F600 %s " * (size // 12 + 1))[:size]
                t0 = time.monotonic()
                before = len(self.bot_messages())
                self.big_message(cmd + body, self.users["carol"])
                time.sleep(1.5)
                answer = self.bot_messages()[before:]
                answer = [m for m in answer if m["content"] != "pong"]
                total = sum(len(m["content"]) for m in answer)
                print("%s%d bytes: %d answer(s), %d characters, %.2f s: %r" % (
                    cmd, size, len(answer), total, time.monotonic() - t0, [m["content"][:60] for m in answer]))
                self.assert_no_pings(answer)
                # No amplification: a megabyte in, a bounded answer out.
                self.assertLessEqual(len(answer), 3, "a %d-byte line got %d answers" % (size, len(answer)))
                for m in answer:
                    self.assertLessEqual(len(m["content"]), 2000)
        self.assertEqual(len(self.ask("!hello after")), 1)

    def test_nul_character_is_answered_without_reconnecting(self):
        # Regression: "\u0000" made the gateway close, resume, get the same
        # event again, and loop forever.
        answer = self.ask("!hello a\x00b")
        self.assertEqual(len(answer), 1)
        self.assertEqual(len(self.ask("!hello after")), 1)

    def test_payload_jansson_refuses_is_skipped_not_looped(self):
        # A lone surrogate escape is JSON that jansson refuses. Such a
        # payload is repaired (U+FFFD), not answered with a reconnect (a
        # resume would replay it: a loop); the bot keeps answering (see
        # test_gateway and test_availability for runs of bad ones).
        bad = '{"op":0,"s":null,"t":"MESSAGE_CREATE","d":{"content":"\\udcff"}}'
        for i in range(3):
            self.st.gateway_fault(action="raw", text=bad)
            self.assertEqual(len(self.ask("!hello after %d" % i)), 1)
        self.assertTrue(any("payload repaired" in l for l in self.d.log))

    def test_malformed_dispatches(self):
        gid, general = self.world["guild_id"], self.world["general_channel_id"]
        alice = {"id": self.users["alice"], "username": "alice"}
        odd = [
            ("MESSAGE_CREATE", None), ("MESSAGE_CREATE", "a string"), ("MESSAGE_CREATE", [1, 2, 3]),
            ("MESSAGE_CREATE", {}), ("MESSAGE_CREATE", {"content": 5, "author": alice, "channel_id": general}),
            ("MESSAGE_CREATE", {"content": "!hello x", "author": "alice", "channel_id": general}),
            ("MESSAGE_CREATE", {"content": "!hello x", "author": {"id": 7}, "channel_id": general}),
            ("MESSAGE_CREATE", {"content": "!hello x", "author": alice}),
            ("MESSAGE_CREATE", {"content": "!hello x", "author": alice, "channel_id": general,
                                "guild_id": gid, "member": {"roles": "Organizer"}}),
            ("MESSAGE_CREATE", {"content": "!reload hello", "author": alice, "channel_id": general,
                                "guild_id": gid, "member": {"roles": [None, 5, {}]}}),
            ("INTERACTION_CREATE", {"type": 2, "id": "1", "token": "t", "data": []}),
            ("INTERACTION_CREATE", {"type": 2, "id": "1", "token": "t", "user": alice,
                                    "data": {"name": "hello", "options": "x"}}),
            ("INTERACTION_CREATE", {"type": 2, "id": "1", "token": "t", "user": alice,
                                    "data": {"name": "sprint", "options": [{"type": 1, "name": None}]}}),
            ("INTERACTION_CREATE", {"type": 4, "id": "1", "token": "t", "user": alice,
                                    "data": {"name": "sprint", "options": [{"type": 1, "name": "join", "options": [
                                        {"type": 3, "name": "project", "value": 5, "focused": True}]}]}}),
            ("INTERACTION_CREATE", {"type": 99, "id": "1", "token": "t", "user": alice}),
            ("GUILD_CREATE", {"id": gid, "roles": "none"}), ("GUILD_CREATE", {"id": 5, "roles": [None, 1]}),
            ("GUILD_ROLE_CREATE", {"guild_id": gid, "role": None}), ("GUILD_ROLE_DELETE", {"guild_id": None}),
            ("GUILD_DELETE", {"id": gid}), ("READY", {"session_id": 5}), ("RESUMED", "x"),
            ("UNKNOWN_EVENT_" + "X" * 5000, {"d": [[[[[[]]]]]]}), ("", {}),
        ]
        for t, d in odd:
            self.st.ctl("POST", "/_test/dispatch", {"t": t, "d": d})
        time.sleep(0.5)
        # GUILD_CREATE again so roles are known (the odd ones above may have replaced them).
        self.st.ctl("POST", "/_test/dispatch", {"t": "GUILD_CREATE", "d": self.st.call(
            lambda: self.st.standin.world.guild_object())})
        answer = self.ask("!hello still here", user=self.users["alice"])
        self.assertEqual(len(answer), 1)
        self.assertIn("still here", answer[0]["content"])
        self.assert_no_pings(self.bot_messages())

    def test_slash_command_with_a_stray_focused_option(self):
        # Regression: a "focused" option made a command run without its required argument.
        if not have_plugin("sprints"):
            self.skipTest("sprints plugin not built")
        res = self.st.inject_interaction(name="sprint", user_id=self.users["bob"], options=[
            {"type": 1, "name": "join", "options": [{"type": 3, "name": "nonsense", "value": "x", "focused": True}]}])
        inter = wait_until(lambda: [i for i in self.st.ctl("GET", "/_test/interactions")["interactions"]
                                    if i["id"] == res["id"] and i["responses"]], 10, what="an answer")[0]
        text = json.dumps(inter["responses"])
        self.assertIn("missing project", text)


if __name__ == "__main__":
    unittest.main(verbosity=2)
