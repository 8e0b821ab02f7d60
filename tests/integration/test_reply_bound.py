"""Long answers through the real daemon and the Discord stand-in (issue 15, item 7).

With 120 parallel FOSDEM 2025 talks starred, one `!agenda` used to become
272 messages (321 KB), 80 of them with a `**` span cut in two; at 5
messages per 5 s per channel, every other answer in the channel waited
~4.5 minutes. `!sprints` with hundreds of projects answered "Sorry, that
reply got too long.". Now an answer in a server channel takes at most
limits.reply_messages messages, says what it left out and how to get it,
each message is balanced markup, and another user's answer is not held up.
"""
import json
import os
import sqlite3
import time
import unittest
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

from harness import (PLUGIN_DIR, SHARED_DATA, DaemonTestCase, base_config, wait_until)

GENERAL = "1000000000000000201"
ALICE = "1000000000000001000"
BOB = "1000000000000001001"
FOSDEM = os.path.join(SHARED_DATA, "schedules", "fosdem2025-schedule.xml")
REPLY_MESSAGES = 3  # limits.reply_messages, default
DM_REPLY_MESSAGES = 10  # limits.dm_reply_messages, default


def parallel_talks(n, around="2025-02-01T11:00:00+01:00"):
    """The n talks of FOSDEM 2025 that start nearest to `around`: most of
    them run at the same time, so each clashes with dozens of others."""
    root = ET.parse(FOSDEM).getroot()
    pivot = datetime.fromisoformat(around)
    talks = []
    for day in root.findall("day"):
        for room in day.findall("room"):
            for ev in room.findall("event"):
                start = datetime.fromisoformat(ev.findtext("date"))
                h, m = (int(x) for x in ev.findtext("duration").split(":"))
                end = start + timedelta(hours=h, minutes=m)
                talks.append((abs((start - pivot).total_seconds()), ev.get("id"),
                              ev.findtext("title") or "?", room.get("name"), start, end))
    talks.sort()
    return talks[:n]


def balanced(content):
    """No markup span left open: ** and ~~ pairs, backticks, <...>."""
    return (content.count("**") % 2 == 0 and content.count("~~") % 2 == 0
            and content.count("`") % 2 == 0 and content.count("<") == content.count(">"))


class ReplyBoundTests(DaemonTestCase):

    def start(self, plugins, now="2025-01-31T12:00:00+01:00", wait=None):
        cfg = base_config(self.st, self.workdir, plugins=plugins, plugin_dir=PLUGIN_DIR,
                          limits={"user_commands": 0})
        d = self.daemon(cfg, env={"HALLWAY_NOW": now})
        self.ready(d, identifies=len(self.daemons))
        if wait:
            d.wait_log(wait, timeout=60)
        return d

    def star(self, user, talks):
        con = sqlite3.connect(os.path.join(self.workdir, "hallway.db"), timeout=30)
        try:
            with con:
                con.executemany(
                    "INSERT INTO recommend_stars(user_id, talk_id, title, room, start, end, starred_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, 0)",
                    [(user, tid, title, room, int(s.timestamp()), int(e.timestamp()))
                     for _, tid, title, room, s, e in talks])
        finally:
            con.close()

    def replies_to(self, msg_id, channel=GENERAL):
        return [m for m in self.bot_messages(channel)
                if (m.get("message_reference") or {}).get("message_id") == msg_id]

    def answer(self, user, content, channel=GENERAL):
        """Sends content as user; returns the injected message's id."""
        return self.st.inject_message(content=content, user_id=user, channel_id=channel)["id"]

    def test_agenda_of_120_parallel_talks_is_bounded_balanced_and_holds_nobody_up(self):
        d = self.start({"schedule": {"source": FOSDEM}, "recommend": {}},
                       wait="recommend: indexed")
        self.star(ALICE, parallel_talks(120))

        self.answer(ALICE, "!agenda")
        time.sleep(0.3)
        sent = time.monotonic()
        bob = self.answer(BOB, "!agenda")
        # Bob's answer (his agenda is empty) comes at once, not after Alice's.
        wait_until(lambda: [m for m in self.bot_messages(GENERAL) if "Your agenda is empty" in m["content"]],
                   timeout=8, what="Bob's answer while Alice's agenda is sent")
        waited = time.monotonic() - sent
        self.assertLess(waited, 8)
        time.sleep(6)  # anything still queued for Alice would land now
        msgs = self.bot_messages(GENERAL)
        alice = [m for m in msgs if m not in self.replies_to(bob)
                 and "Your agenda is empty" not in m["content"]]
        total = sum(len(m["content"].encode()) for m in alice)
        print("agenda of 120 parallel talks: %d messages, %d bytes; Bob waited %.1f s"
              % (len(alice), total, waited))
        self.assertGreaterEqual(len(alice), 1)
        self.assertLessEqual(len(alice), REPLY_MESSAGES)
        for m in alice:
            self.assertLessEqual(len(m["content"]), 2000)
            self.assertTrue(balanced(m["content"]), "unbalanced markup:\n" + m["content"])
        text = "\n".join(m["content"] for m in alice)
        self.assertIn("Your agenda (120 talks)", text)
        # Nothing is cut in silence: it says how many are shown, a button
        # shows the next page, another gives them all as a calendar file.
        self.assertRegex(text, r"\d+ of 120 shown")
        ids = [c.get("custom_id") for m in alice for row in m.get("components") or []
               for c in row["components"]]
        # Show more names who it answers (hw:p:<user>:..., bot/reply/components.c).
        self.assertTrue(any(i and i.startswith("hw:p:") and i.endswith(":agenda 2") for i in ids), ids)
        self.assertIn("hw:c:agenda ics", ids)

        # In a DM the long form is longer, still bounded and balanced.
        self.st.inject_message(content="!agenda", user_id=ALICE, dm=True)
        dm = wait_until(lambda: self.st.world().get("dm_channels", {}).get(ALICE), 10, what="DM channel")
        wait_until(lambda: self.bot_messages(dm), 10, what="the DM answer")
        time.sleep(4)
        dms = self.bot_messages(dm)
        self.assertLessEqual(len(dms), DM_REPLY_MESSAGES)
        for m in dms:
            self.assertTrue(balanced(m["content"]), "unbalanced markup:\n" + m["content"])
        d.assert_sanitizers_clean(self)

    def test_host_bounds_any_long_reply_and_says_what_it_left_out(self):
        # fx long <n>: a plugin that does not page its list (1000 lines, 120 KB).
        cfg = base_config(self.st, self.workdir, limits={"user_commands": 0})
        d = self.daemon(cfg)
        self.ready(d)
        self.answer(ALICE, "!fx long 1000")
        time.sleep(0.3)
        sent = time.monotonic()
        self.answer(BOB, "!fx echo hi")
        wait_until(lambda: [m for m in self.bot_messages(GENERAL) if m["content"].startswith("echo[")],
                   timeout=8, what="Bob's answer while Alice's long one is sent")
        waited = time.monotonic() - sent
        time.sleep(6)
        alice = [m for m in self.bot_messages(GENERAL) if not m["content"].startswith("echo[")]
        print("fx long 1000 in a channel: %d messages, %d bytes; Bob waited %.1f s"
              % (len(alice), sum(len(m["content"].encode()) for m in alice), waited))
        self.assertLessEqual(len(alice), REPLY_MESSAGES)
        for m in alice:
            self.assertLessEqual(len(m["content"]), 2000)
            self.assertTrue(balanced(m["content"]), "unbalanced markup:\n" + m["content"])
        last = alice[-1]["content"]
        self.assertRegex(last, r"and \d+ more lines not shown here")
        self.assertIn("DM", last)
        shown = sum(m["content"].count("**Café talk") for m in alice)
        left = int(last.rsplit("and ", 1)[1].split(" ")[0])
        self.assertEqual(shown + left, 1000)

        # In a DM: more messages, still bounded, still saying what was left out.
        self.st.inject_message(content="!fx long 1000", user_id=ALICE, dm=True)
        dm = wait_until(lambda: self.st.world().get("dm_channels", {}).get(ALICE), 10, what="DM channel")
        wait_until(lambda: len(self.bot_messages(dm)) >= DM_REPLY_MESSAGES, 20, what="the DM answer")
        time.sleep(3)
        dms = self.bot_messages(dm)
        self.assertEqual(len(dms), DM_REPLY_MESSAGES)
        self.assertRegex(dms[-1]["content"], r"and \d+ more lines not shown")
        for m in dms:
            self.assertTrue(balanced(m["content"]), "unbalanced markup:\n" + m["content"])
        d.assert_sanitizers_clean(self)

    def test_slash_reply_is_bounded_too(self):
        cfg = base_config(self.st, self.workdir, limits={"user_commands": 0})
        d = self.daemon(cfg)
        self.ready(d)
        inter = self.st.inject_interaction(name="fx", options=[
            {"type": 1, "name": "long", "options": [{"type": 4, "name": "ms", "value": 1000}]}])

        def answered():
            for i in self.st.ctl("GET", "/_test/interactions")["interactions"]:
                if i["id"] == inter["id"] and i["responses"]:
                    return i
        wait_until(answered, 10, what="the slash answer")
        time.sleep(6)  # followups still queued would land now
        msgs = self.bot_messages(GENERAL)
        print("/fx long 1000: %d messages" % len(msgs))
        self.assertGreaterEqual(len(msgs), 1)
        self.assertLessEqual(len(msgs), REPLY_MESSAGES)
        for m in msgs:
            self.assertLessEqual(len(m["content"]), 2000)
            self.assertTrue(balanced(m["content"]), "unbalanced markup:\n" + m["content"])
        self.assertRegex(msgs[-1]["content"], r"and \d+ more lines not shown here")
        d.assert_sanitizers_clean(self)

    def test_sprints_with_hundreds_of_projects_is_bounded_and_says_how_to_narrow(self):
        projects = [{"name": "project-%03d" % i, "title": "Sprint on **thing** %d" % i,
                     "capacity": 20, "leads": ["Lead %d" % i, "Other lead"]}
                    for i in range(400)]
        self.start({"sprints": {"projects": projects}}, wait="sprints")
        time.sleep(0.5)
        self.answer(ALICE, "!sprints")
        wait_until(lambda: self.bot_messages(GENERAL), 10, what="the sprints answer")
        time.sleep(5)
        msgs = self.bot_messages(GENERAL)
        # The answer is a reply model: its projects are in the embeds.
        text = "\n".join(m["content"] + json.dumps(m.get("embeds")) for m in msgs)
        print("sprints with 400 projects: %d messages, %d bytes"
              % (len(msgs), sum(len(m["content"].encode()) for m in msgs)))
        self.assertNotIn("too long", text)
        self.assertLessEqual(len(msgs), REPLY_MESSAGES)
        self.assertIn("project-000", text)
        self.assertRegex(text, r"25 of 400 shown")
        self.assertRegex(json.dumps([m.get("components") for m in msgs]),
                         r'"hw:p:\d+:sprints page=2"')
        for m in msgs:
            self.assertTrue(balanced(m["content"]), "unbalanced markup:\n" + m["content"])

        # Narrowing finds a project beyond the first page.
        before = len(msgs)
        self.answer(ALICE, "!sprints project-399")
        wait_until(lambda: len(self.bot_messages(GENERAL)) > before, 10, what="the narrowed list")
        time.sleep(1)
        narrowed = "\n".join(m["content"] + json.dumps(m.get("embeds"))
                             for m in self.bot_messages(GENERAL)[before:])
        self.assertIn("project-399", narrowed)
        self.assertNotIn("project-398", narrowed)


if __name__ == "__main__":
    unittest.main(verbosity=2)
