"""The announce plugin through the real daemon and the Discord stand-in.

Organizer-only refusal, a broadcast reaching every channel exactly once,
SIGKILL between the outbox write and Discord's acknowledgement (with and
without the message having reached Discord), scheduled posts on the
conference clock, the catch-up window, starting-soon posts for the sample
schedule, schedule-change alerts, mentions, and the audit.
"""
import json
import os
import signal
import sqlite3
import time
import unittest

from harness import (DaemonTestCase, PLUGIN_DIR, SOURCE_DIR, base_config, wait_until)

GENERAL = "1000000000000000201"
TALKS = "1000000000000000202"
ANNOUNCEMENTS = "1000000000000000203"
ORGANIZERS = "1000000000000000204"
UNKNOWN = "1000000000000000999"
ALICE = "1000000000000001000"  # Organizer
BOB = "1000000000000001001"    # Speaker, not an organizer
SAMPLE = os.path.join(SOURCE_DIR, "plugins", "schedule", "sample", "hallwaycon.json")


class AnnounceTests(DaemonTestCase):

    def config(self, announce=None, schedule=None):
        plugins = {}
        if schedule is not None:
            plugins["schedule"] = schedule
        plugins["announce"] = announce if announce is not None else {
            "channels": [TALKS, ANNOUNCEMENTS, ORGANIZERS]}
        return base_config(self.st, self.workdir, plugins=plugins, plugin_dir=PLUGIN_DIR)

    def start(self, cfg, env=None):
        d = self.daemon(cfg, env=env)
        self.ready(d, identifies=len(self.daemons))
        return d

    def db_rows(self, sql="SELECT channel_id, state, nonce, message_id, late, error, due_ms, sent_ms "
                         "FROM announce_outbox ORDER BY id", args=()):
        con = sqlite3.connect(os.path.join(self.workdir, "hallway.db"), timeout=10)
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()

    def say(self, content, user=ALICE):
        self.st.inject_message(content=content, user_id=user)

    def reply(self, needle, timeout=10.0):
        """The bot's newest reply in #general that contains needle."""
        def find():
            for m in reversed(self.bot_messages(GENERAL)):
                if needle in m["content"]:
                    return m
            return None
        return wait_until(find, timeout, what="a reply containing %r" % needle)

    def in_channel(self, channel):
        return self.bot_messages(channel)

    # -- commands ----------------------------------------------------------

    def test_refusal_for_non_organizers_posts_nothing(self):
        self.start(self.config())
        for line in ("!announce Free beer for everyone", "!announce at 23:59 Free beer",
                     "!announce list", "!announce audit"):
            self.say(line, user=BOB)
        wait_until(lambda: len(self.bot_messages(GENERAL)) >= 4, what="four refusals")
        time.sleep(0.5)
        for m in self.bot_messages(GENERAL):
            self.assertIn("organizers only", m["content"])
        for ch in (TALKS, ANNOUNCEMENTS, ORGANIZERS):
            self.assertEqual(self.in_channel(ch), [], "something was posted to %s" % ch)
        self.assertEqual(self.db_rows("SELECT COUNT(*) FROM announce_items"), [(0,)])

    def test_broadcast_reaches_every_channel_exactly_once(self):
        self.start(self.config())
        self.say("!announce Lunch moved to Hall B")
        reply = self.reply("Posted #1")
        self.assertEqual(reply["content"], "Posted #1 to 3 channels (<#%s>, <#%s>, <#%s>)."
                         % (TALKS, ANNOUNCEMENTS, ORGANIZERS))
        time.sleep(0.5)
        rows = self.db_rows()
        for ch in (TALKS, ANNOUNCEMENTS, ORGANIZERS):
            msgs = self.in_channel(ch)
            self.assertEqual([m["content"] for m in msgs], ["Lunch moved to Hall B"])
            row = [r for r in rows if r[0] == ch][0]
            self.assertEqual(row[1], "sent")
            self.assertEqual(row[3], msgs[0]["id"], "the recorded message id is Discord's")
            self.assertEqual(msgs[0].get("nonce"), row[2], "the send carried the row's nonce")
            self.assertLessEqual(len(row[2]), 25)
        self.assertEqual(len(set(r[2] for r in rows)), 3)

    def test_failed_channel_is_reported_and_audited(self):
        self.start(self.config({"channels": [ANNOUNCEMENTS, UNKNOWN]}))
        self.say("!announce Room 201 is cancelled")
        reply = self.reply("Posted #1")
        self.assertIn("1 of 2 channels; 1 failed (<#%s>: HTTP 404" % UNKNOWN, reply["content"])
        self.assertEqual(len(self.in_channel(ANNOUNCEMENTS)), 1)
        self.say("!announce audit")
        audit = self.reply("Audit")["content"]
        self.assertIn("1 sent, 0 pending, 1 failed, 0 skipped", audit)
        self.assertIn("<#%s> failed (HTTP 404: Unknown Channel (code 10003))" % UNKNOWN, audit)
        sent_id = self.in_channel(ANNOUNCEMENTS)[0]["id"]
        self.assertIn("<#%s> sent, message %s" % (ANNOUNCEMENTS, sent_id), audit)
        self.assertEqual(self.db_rows("SELECT state FROM announce_outbox WHERE channel_id = ?",
                                      (UNKNOWN,)), [("failed",)])

    def test_outbox_gauges_in_metrics(self):
        import socket
        import urllib.request
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.close()
        cfg = self.config({"channels": [ANNOUNCEMENTS, UNKNOWN]})
        cfg["http"] = {"listen": "127.0.0.1:%d" % port}
        self.start(cfg)
        self.say("!announce Room 201 is cancelled")
        self.reply("Posted #1")

        def gauges():
            text = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=5).read().decode()
            vals = {}
            for line in text.splitlines():
                if line.startswith(("hallway_outbox_pending ", "hallway_outbox_failed ")):
                    name, value = line.split()
                    vals[name] = float(value)
            return vals
        vals = wait_until(lambda: (lambda v: v if v.get("hallway_outbox_failed") == 1 else None)(gauges()),
                          10, what="the outbox gauges")
        self.assertEqual(vals["hallway_outbox_pending"], 0)

    # -- crash safety ------------------------------------------------------

    def fault_hits(self, index=0):
        faults = self.st.standin.rest.faults
        return faults[index].get("hits", 0) if len(faults) > index else 0

    def test_sigkill_after_discord_accepted_does_not_duplicate(self):
        """Discord creates the message, the bot dies before it hears so."""
        cfg = self.config()
        d = self.start(cfg)
        # The stand-in holds this one POST for 1.5 s before creating the message.
        self.st.rest_fault(kind="delay", ms=1500, method="POST",
                           path="/channels/%s/messages$" % TALKS, count=1)
        self.say("!announce Keynote starts in 5 minutes")
        wait_until(lambda: self.fault_hits() >= 1, what="the send to reach the stand-in")
        # Freeze the bot so it cannot read the answer, let Discord finish,
        # then kill it: the row is still 'sending' with no message id.
        d.signal(signal.SIGSTOP)
        wait_until(lambda: self.in_channel(TALKS), timeout=10, what="the message to be created")
        d.signal(signal.SIGKILL)
        d.wait(10)
        rows = {r[0]: r for r in self.db_rows()}
        self.assertEqual(rows[TALKS][1], "sending")
        self.assertIsNone(rows[TALKS][3])
        nonce = rows[TALKS][2]
        self.start(cfg)
        wait_until(lambda: all(r[1] == "sent" for r in self.db_rows()), what="every row sent")
        time.sleep(0.5)
        for ch in (TALKS, ANNOUNCEMENTS, ORGANIZERS):
            self.assertEqual(len(self.in_channel(ch)), 1, "channel %s got a duplicate" % ch)
        msg = self.in_channel(TALKS)[0]
        rows = {r[0]: r for r in self.db_rows()}
        self.assertEqual(rows[TALKS][2], nonce, "the retry used the same nonce")
        self.assertEqual(rows[TALKS][3], msg["id"], "the retry recorded the original message")

    def test_discord_failing_for_a_while_then_recovering_sends_once(self):
        # Twelve 500s in a row on message posts: more than the REST client's
        # own retries (5), so the plugin's retry carries the announcement
        # over the outage; when Discord recovers it is posted exactly once.
        # The clock runs 10x so the plugin's 30 s retry spacing passes quickly.
        self.start(self.config({"channels": [TALKS]}), env={"HALLWAY_CLOCK_SPEED": "10"})
        self.st.rest_fault(kind="status", status=500, method="POST",
                           path="^/channels/%s/messages$" % TALKS, count=12)
        self.say("!announce The keynote starts in 5 minutes")
        wait_until(lambda: self.in_channel(TALKS), 60, what="the announcement after the outage")
        time.sleep(1.0)
        self.assertEqual([m["content"] for m in self.in_channel(TALKS)],
                         ["The keynote starts in 5 minutes"])
        self.assertEqual(self.fault_hits(), 12, "the outage was not exercised")
        rows = self.db_rows("SELECT state, attempts FROM announce_outbox")
        self.assertEqual(rows[0][0], "sent")

    def test_sigkill_before_discord_saw_it_sends_after_restart(self):
        cfg = self.config()
        d = self.start(cfg)
        # The first try of this channel is rate limited for 60 s: the bot waits.
        self.st.rest_fault(kind="429", retry_after=60, method="POST",
                           path="/channels/%s/messages$" % ORGANIZERS, count=1)
        self.say("!announce Room 201 is cancelled")
        wait_until(lambda: self.fault_hits() >= 1, what="the 429")
        wait_until(lambda: len(self.in_channel(TALKS)) == 1 and len(self.in_channel(ANNOUNCEMENTS)) == 1,
                   what="the other two channels")
        time.sleep(0.3)
        d.signal(signal.SIGKILL)
        d.wait(10)
        states = {r[0]: r[1] for r in self.db_rows()}
        self.assertEqual(states, {TALKS: "sent", ANNOUNCEMENTS: "sent", ORGANIZERS: "sending"})
        self.assertEqual(self.in_channel(ORGANIZERS), [])
        self.start(cfg)
        wait_until(lambda: len(self.in_channel(ORGANIZERS)) == 1, what="the pending send")
        wait_until(lambda: all(r[1] == "sent" for r in self.db_rows()), what="every row sent")
        time.sleep(0.5)
        for ch in (TALKS, ANNOUNCEMENTS, ORGANIZERS):
            self.assertEqual([m["content"] for m in self.in_channel(ch)], ["Room 201 is cancelled"])

    # -- time --------------------------------------------------------------

    def test_scheduled_fires_at_conference_local_time(self):
        env = {"HALLWAY_NOW": "2026-11-26T09:58:30+01:00", "HALLWAY_CLOCK_SPEED": "30"}
        self.start(self.config({"channels": [ANNOUNCEMENTS], "timezone": "Europe/Brussels"}), env=env)
        self.say("!announce at 10:00 Coffee is served")
        reply = self.reply("Scheduled #1")
        self.assertEqual(reply["content"],
                         "Scheduled #1 for Thu 26 Nov 10:00 (Europe/Brussels) to 1 channel.")
        self.assertEqual(self.in_channel(ANNOUNCEMENTS), [])
        wait_until(lambda: self.in_channel(ANNOUNCEMENTS), timeout=15, what="the scheduled post")
        # The row is marked sent when Discord's answer comes back, a moment
        # after the stand-in has the message: wait for that, not race it.
        wait_until(lambda: self.db_rows("SELECT sent_ms FROM announce_outbox")[0][0] is not None,
                   what="the outbox row marked sent")
        due, sent = self.db_rows("SELECT due_ms, sent_ms FROM announce_outbox")[0]
        self.assertEqual(due, 1795683600000)  # 2026-11-26T09:00:00Z
        # Sent on the conference clock at 10:00 local, within 30 conference
        # seconds (1 s real at this speed).
        self.assertGreaterEqual(sent, due)
        self.assertLess(sent - due, 30000)

    def test_catchup_window_late_and_skipped(self):
        cfg = self.config({"channels": [ANNOUNCEMENTS], "timezone": "Europe/Brussels",
                           "catchup_minutes": 10})
        d = self.start(cfg, env={"HALLWAY_NOW": "2026-11-26T09:00:00+01:00"})
        self.say("!announce at 09:30 Old news")
        self.reply("Scheduled #1")
        self.say("!announce at 09:50 Recent news")
        self.reply("Scheduled #2")
        d.stop()
        # Down from 09:00 to 09:55: 09:50 is inside the window, 09:30 is not.
        self.start(cfg, env={"HALLWAY_NOW": "2026-11-26T09:55:00+01:00"})
        wait_until(lambda: self.in_channel(ANNOUNCEMENTS), what="the late post")
        time.sleep(0.5)
        self.assertEqual([m["content"] for m in self.in_channel(ANNOUNCEMENTS)], ["Recent news"])
        self.say("!announce audit")
        audit = self.reply("Audit")["content"]
        self.assertIn("1 sent, 0 pending, 0 failed, 1 skipped", audit)
        self.assertIn("(late: due while the bot was down)", audit)
        self.assertIn("skipped (missed: due while the bot was down, older than the catch-up window)",
                      audit)
        self.assertEqual(self.db_rows("SELECT i.text, o.state, o.late FROM announce_outbox o "
                                      "JOIN announce_items i ON i.id = o.item_id ORDER BY o.id"),
                         [("Old news", "skipped", 0), ("Recent news", "sent", 1)])

    # -- the schedule ------------------------------------------------------

    def test_starting_soon_for_the_sample_schedule(self):
        env = {"HALLWAY_NOW": "2026-11-26T10:09:00+01:00", "HALLWAY_CLOCK_SPEED": "30"}
        cfg = self.config({"channels": [ANNOUNCEMENTS], "room_channels": {"Main Hall": TALKS}},
                          schedule={"source": SAMPLE})
        self.start(cfg, env=env)
        # 10:15 talks: Main Hall -> its room channel; the main channel gets one
        # post for the time slot listing every room (issue 16).
        wait_until(lambda: len(self.in_channel(TALKS)) >= 1 and len(self.in_channel(ANNOUNCEMENTS)) >= 1,
                   timeout=20, what="two starting-soon posts")
        time.sleep(1.0)
        talks = self.in_channel(TALKS)
        self.assertEqual(len(talks), 1)
        # Issue 16: a reply model drawn as an embed (title, Discord times,
        # room, speakers), sent with its outbox row's nonce.
        self.assertEqual(talks[0]["content"], "**Starting in 5 minutes**")
        embed = talks[0]["embeds"][0]
        self.assertEqual(embed["title"], "Why Conferences Need Better Bots")
        self.assertIn("<t:1795684500:t>", embed["description"])
        self.assertIn("<t:1795684500:R>", embed["description"])
        self.assertIn("Main Hall", embed["description"])
        main = self.in_channel(ANNOUNCEMENTS)
        self.assertEqual(len(main), 1, main)
        self.assertEqual(main[0]["content"], "**Starting in 5 minutes, at 10:15**")
        titles = [e["title"] for e in main[0]["embeds"]]
        self.assertEqual(len(titles), 3, main[0]["embeds"])
        self.assertIn("Why Conferences Need Better Bots", titles)
        self.assertIn("Discord Gateway Deep Dive", titles)
        self.assertIn("Workshop: Your First Plugin in C", titles)
        rooms = " ".join(e["description"] for e in main[0]["embeds"])
        for room in ("Main Hall", "Envelope ✉️", "Workshop Room B"):
            self.assertIn(room, rooms)
        nonces = self.db_rows("SELECT nonce FROM announce_outbox WHERE state = 'sent'")
        self.assertEqual(sorted(m.get("nonce") for m in talks + main), sorted(n for (n,) in nonces))
        # The audit reads the post's summary, not its stored form.
        audit = self.db_rows("SELECT text FROM announce_items WHERE kind = 'soon'")
        self.assertTrue(all(json.loads(t)["summary"].startswith("Starting in 5 minutes") for (t,) in audit))
        # Sent at 10:10 local on the conference clock.
        sent = self.db_rows("SELECT due_ms, sent_ms FROM announce_outbox WHERE state = 'sent'")
        self.assertEqual(len(sent), 2)
        for due, at in sent:
            self.assertEqual(due, 1795684200000)  # 2026-11-26T09:10:00Z
            self.assertLess(at - due, 30000)

    def test_open_space_in_the_slot_post_beside_the_talks(self):
        """Issue 21: an open space proposed on the board (the openspaces
        plugin, through the "openspaces.board" event) is listed in the
        starting-soon post of its time slot, beside the talks: one message."""
        if not os.path.exists(os.path.join(PLUGIN_DIR, "openspaces.so")):
            self.skipTest("the openspaces plugin is not built")
        env = {"HALLWAY_NOW": "2026-11-26T10:03:00+01:00", "HALLWAY_CLOCK_SPEED": "20"}
        cfg = base_config(self.st, self.workdir, plugin_dir=PLUGIN_DIR, plugins={
            "schedule": {"source": SAMPLE},
            "announce": {"channels": [ANNOUNCEMENTS]},
            "openspaces": {"rooms": [{"name": "Room A"}], "days": ["2026-11-26"],
                           "slots": ["10:15", "11:00"], "slot_minutes": 45,
                           "timezone": "Europe/Brussels"}})
        self.start(cfg, env=env)
        self.say("!openspace propose thu 10:15 Room A Rust in production", user=BOB)
        self.reply("Rust in production", timeout=15)

        def slot_post():
            return next((m for m in self.in_channel(ANNOUNCEMENTS)
                         if m["content"] == "**Starting in 5 minutes, at 10:15**"), None)
        post = wait_until(slot_post, 60, what="the 10:15 starting-soon post")
        by_title = {e["title"]: e["description"] for e in post["embeds"]}
        self.assertEqual(set(by_title), {"Why Conferences Need Better Bots", "Discord Gateway Deep Dive",
                                         "Workshop: Your First Plugin in C", "Rust in production"},
                         post["embeds"])
        self.assertIn("Room A", by_title["Rust in production"])
        self.assertIn("hosted by", by_title["Rust in production"])
        self.assertIn("Open space", by_title["Rust in production"])
        time.sleep(1.0)
        self.assertEqual(len([m for m in self.in_channel(ANNOUNCEMENTS)
                              if m["content"] == "**Starting in 5 minutes, at 10:15**"]), 1)
        # The version made of the talks alone was replaced before it was due.
        replaced = self.db_rows("SELECT COUNT(*) FROM announce_outbox o JOIN announce_items i "
                                "ON i.id = o.item_id WHERE i.talk_id = 'slot@1795684500' "
                                "AND o.state = 'skipped' AND o.error = 'what starts then changed'")
        self.assertEqual(replaced, [(1,)])

    def test_sigkill_after_discord_accepted_a_starting_soon_post_is_not_doubled(self):
        """The grouped post is a reply model sent with its row's nonce: Discord
        creates it, the bot dies before it hears so, the restart sends the same
        nonce again and Discord answers with the message it made."""
        env = {"HALLWAY_NOW": "2026-11-26T10:09:52+01:00", "HALLWAY_CLOCK_SPEED": "1"}
        cfg = self.config({"channels": [ANNOUNCEMENTS]}, schedule={"source": SAMPLE})
        self.st.rest_fault(kind="delay", ms=1500, method="POST",
                           path="/channels/%s/messages$" % ANNOUNCEMENTS, count=1)
        d = self.start(cfg, env=env)
        wait_until(lambda: self.fault_hits() >= 1, 30, what="the post to reach the stand-in")
        d.signal(signal.SIGSTOP)
        wait_until(lambda: self.in_channel(ANNOUNCEMENTS), timeout=10, what="the post to be created")
        d.signal(signal.SIGKILL)
        d.wait(10)
        # The 10:15 slot's row (later slots wait, pending).
        row = "SELECT state, nonce, message_id FROM announce_outbox WHERE due_ms = 1795684200000"
        [(state, nonce, message_id)] = self.db_rows(row)
        self.assertEqual((state, message_id), ("sending", None))
        self.assertEqual(self.in_channel(ANNOUNCEMENTS)[0].get("nonce"), nonce)
        self.start(cfg, env=env)
        wait_until(lambda: self.db_rows(row)[0][0] == "sent", 30, what="the row sent after the restart")
        posts = self.in_channel(ANNOUNCEMENTS)
        self.assertEqual(len(posts), 1, "the restart doubled the post")
        self.assertEqual(posts[0]["content"], "**Starting in 5 minutes, at 10:15**")
        self.assertEqual(self.db_rows(row), [("sent", nonce, posts[0]["id"])])

    def test_schedule_change_alert_and_moved_talk(self):
        with open(SAMPLE) as f:
            sched = json.load(f)
        path = os.path.join(self.workdir, "schedule.json")
        with open(path, "w") as f:
            json.dump(sched, f)
        env = {"HALLWAY_NOW": "2026-11-26T08:00:00+01:00", "HALLWAY_CLOCK_SPEED": "10"}
        # One post per talk here: a moved talk's own post is skipped, with why.
        cfg = self.config({"channels": [ANNOUNCEMENTS], "changes_channel": ORGANIZERS,
                           "soon_posts": "per-talk"},
                          schedule={"source": path, "refresh_seconds": 10})
        d = self.start(cfg, env=env)
        d.wait_log("schedule loaded")
        wait_until(lambda: self.db_rows("SELECT COUNT(*) FROM announce_items WHERE kind = 'soon'")[0][0] > 0,
                   what="starting-soon rows")
        # Move "Discord Gateway Deep Dive" (102) from 10:15 to 16:00.
        for day in sched["schedule"]["conference"]["days"]:
            for talks in day["rooms"].values():
                for t in talks:
                    if t["id"] == 102:
                        t["date"] = "2026-11-26T16:00:00+01:00"
                        t["start"] = "16:00"
                        t["end"] = "2026-11-26T16:30:00+01:00"
        with open(path + ".tmp", "w") as f:
            json.dump(sched, f)
        os.replace(path + ".tmp", path)
        alert = wait_until(lambda: self.in_channel(ORGANIZERS), timeout=20, what="the change alert")
        self.assertEqual(len(alert), 1)
        self.assertIn('- Moved: "Discord Gateway Deep Dive" is now Thu 26 Nov 16:00 in Envelope \u2709\ufe0f '
                      '(was Thu 26 Nov 10:15 in Envelope \u2709\ufe0f)', alert[0]["content"])
        self.assertFalse(alert[0]["mention_everyone"])
        self.say("!announce audit")
        audit = self.reply("Audit")["content"]
        self.assertIn("skipped (talk moved to Thu 26 Nov 16:00 in Envelope \u2709\ufe0f)", audit)
        pending = self.db_rows("SELECT COUNT(*) FROM announce_items i JOIN announce_outbox o "
                               "ON o.item_id = i.id WHERE i.text LIKE '%Discord Gateway Deep Dive%' AND o.state = 'pending' "
                               "AND o.due_ms = ?", (1795705200000 - 300000,))
        self.assertEqual(pending, [(1,)], "a new starting-soon post at 15:55")
        time.sleep(1.5)  # more refreshes: no second alert
        self.assertEqual(len(self.in_channel(ORGANIZERS)), 1)

    # -- mentions ----------------------------------------------------------

    def test_everyone_does_not_ping_by_default(self):
        self.start(self.config({"channels": [ANNOUNCEMENTS]}))
        self.say("!announce @everyone the party is on")
        msg = wait_until(lambda: self.in_channel(ANNOUNCEMENTS), what="the post")[0]
        self.assertEqual(msg["content"], "@everyone the party is on")
        self.assertFalse(msg["mention_everyone"])

    def test_everyone_pings_only_for_organizers_when_allowed(self):
        self.start(self.config({"channels": [ANNOUNCEMENTS], "allow_mentions": True}))
        self.say("!announce @everyone the party is on", user=BOB)
        self.reply("organizers only")
        self.say("!announce @everyone doors open")
        msg = wait_until(lambda: self.in_channel(ANNOUNCEMENTS), what="the post")[0]
        time.sleep(0.5)
        self.assertEqual([m["content"] for m in self.in_channel(ANNOUNCEMENTS)], ["@everyone doors open"])
        self.assertTrue(msg["mention_everyone"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
