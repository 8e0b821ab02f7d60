"""The recommend plugin through the real daemon and the Discord stand-in.

The schedule plugin serves the sample HallwayCon schedule; the conference
clock starts before the first talk (09:30, "Opening") and runs 30 times
faster, so its reminder (10 minutes before) is due a few seconds in.
Covers: recommend replies, star + agenda, the agenda as an .ics
attachment, the reminder DM, and no second DM after a SIGKILL restart.
"""
import os
import signal
import sqlite3
import time
import unittest
import urllib.request

from harness import (DaemonTestCase, PLUGIN_DIR, SOURCE_DIR, base_config, wait_until)

GENERAL = "1000000000000000201"
ALICE = "1000000000000001000"
BOB = "1000000000000001001"
SAMPLE = os.path.join(SOURCE_DIR, "plugins", "schedule", "sample", "hallwaycon.json")
SPEED = "30"


class RecommendTests(DaemonTestCase):

    def config(self):
        plugins = {"schedule": {"source": SAMPLE}, "recommend": {}}
        return base_config(self.st, self.workdir, plugins=plugins, plugin_dir=PLUGIN_DIR)

    def start(self, now):
        d = self.daemon(self.config(), env={"HALLWAY_NOW": now, "HALLWAY_CLOCK_SPEED": SPEED})
        self.ready(d, identifies=len(self.daemons))
        d.wait_log("recommend: indexed")
        return d

    def say(self, content, user=ALICE):
        self.st.inject_message(content=content, user_id=user)

    def reply(self, needle, timeout=10.0):
        def find():
            for m in reversed(self.bot_messages(GENERAL)):
                if needle in m["content"]:
                    return m
            return None
        return wait_until(find, timeout, what="a reply containing %r" % needle)

    def dms(self, user, needle="Starting in"):
        channel = self.st.world().get("dm_channels", {}).get(user)
        if not channel:
            return []
        return [m for m in self.bot_messages(channel) if needle in m["content"]]

    def reminder_rows(self):
        con = sqlite3.connect(os.path.join(self.workdir, "hallway.db"), timeout=10)
        try:
            return con.execute("SELECT user_id, talk_id, state, reason FROM recommend_reminders "
                               "ORDER BY user_id").fetchall()
        finally:
            con.close()

    def test_recommend_star_agenda_reminder_and_no_duplicate_after_sigkill(self):
        d = self.start("2026-11-26T09:14:00+01:00")
        self.say("!recommend bots discord gateway")
        rec = self.reply("Upcoming talks for")["content"]
        self.assertIn("1. **Discord Gateway Deep Dive**", rec)
        self.assertIn("matches", rec)
        self.assertEqual(rec.count("Deep Dive"), 1)

        self.say("!star opening welcome")
        self.assertIn("Opening: Welcome to HallwayCon", self.reply("Starred")["content"])
        self.say("!star gateway deep dive")
        self.reply("Starred **Discord Gateway Deep Dive**")
        self.say("!agenda")
        agenda = self.reply("Your agenda")
        self.assertIn("Your agenda (2 talks)", agenda["content"])
        # One embed per talk, in time order, times as Discord timestamps.
        titles = [e["title"] for e in agenda["embeds"]]
        self.assertEqual(titles, ["Opening: Welcome to HallwayCon", "Discord Gateway Deep Dive"])
        self.assertIn("<t:1795681800:t>–<t:1795683600:t>", agenda["embeds"][0]["description"])
        self.assertEqual([c["custom_id"] for row in agenda["components"] for c in row["components"]],
                         ["hw:c:agenda ics"])

        self.say("!agenda ics")
        msg = self.reply("calendar file")
        att = msg["attachments"][0]
        self.assertEqual(att["filename"], "agenda.ics")
        with urllib.request.urlopen(att["url"], timeout=10) as r:
            ics = r.read().decode("utf-8")
        self.assertTrue(ics.startswith("BEGIN:VCALENDAR\r\n"))
        self.assertIn("SUMMARY:Opening: Welcome to HallwayCon\r\n", ics)
        self.assertIn("DTSTART:20261126T083000Z\r\n", ics)

        # 09:20 conference time is 6 minutes in: 12 s at 30x.
        first = wait_until(lambda: self.dms(ALICE), timeout=40, what="the reminder DM")
        self.assertEqual(len(first), 1)
        self.assertIn("Opening: Welcome to HallwayCon", first[0]["content"])
        self.assertIn("Starting in 10 min", first[0]["content"])
        self.assertTrue(first[0].get("nonce", "").startswith("rm"), first[0])
        # The stand-in shows the DM before the daemon has the answer and
        # marks the row sent: wait for that write instead of racing it.
        wait_until(lambda: [t for u, t, s, r in self.reminder_rows() if u == ALICE and s == "sent"],
                   10, what="the reminder marked sent")
        opening = [t for u, t, s, r in self.reminder_rows() if u == ALICE and s == "sent"]
        self.assertEqual(len(opening), 1, self.reminder_rows())

        # SIGKILL, then start again at 09:14: the clock repeats 09:20.
        d.signal(signal.SIGKILL)
        d.wait(10)
        d2 = self.start("2026-11-26T09:14:00+01:00")
        # Bob stars the same talk now: his reminder falls due at the same
        # conference minute as Alice's would, so it tells when to look.
        self.say("!star opening welcome", user=BOB)
        self.reply("Starred")
        wait_until(lambda: self.dms(BOB), timeout=40, what="Bob's reminder DM (control)")
        time.sleep(2.0)
        self.assertEqual(len(self.dms(ALICE)), 1, "Alice's reminder was sent twice")
        self.assertEqual(len(self.dms(BOB)), 1)
        rows = {(u, s) for u, t, s, r in self.reminder_rows() if t == opening[0]}
        self.assertEqual(rows, {(ALICE, "sent"), (BOB, "sent")})
        d2.stop()

    def test_reminder_skipped_when_down_past_the_start(self):
        d = self.start("2026-11-26T09:14:00+01:00")
        self.say("!star opening welcome")
        self.reply("Starred")
        d.signal(signal.SIGKILL)
        d.wait(10)
        # Back at 09:35: the talk started at 09:30 while the bot was down.
        d2 = self.start("2026-11-26T09:35:00+01:00")
        d2.wait_log("skipped 1 reminder")
        time.sleep(2.0)
        self.assertEqual(self.dms(ALICE), [])
        self.assertEqual([(s, r) for u, t, s, r in self.reminder_rows()], [("skipped", "late")])


if __name__ == "__main__":
    unittest.main(verbosity=2)
