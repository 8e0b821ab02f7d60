"""The open-space board and meetups through the real daemon and the Discord
stand-in (issue 21).

- 50 users propose the same slot in the same room at once (50 threads
  injecting together): exactly one is told "It's yours", every other one
  is told the room is taken and offered free slots, and the board shows
  the one winner.
- A meetup is announced in plugins.openspaces.meetups_channel, once.
- Console: a scripted session builds a board (propose, join, the board,
  a meetup, now and next, a talk to watch later) on the sample conference.
- `next openspaces` on Discord: the schedule asks the openspaces plugin for
  its board and draws it as embeds, at the right instants after a restart
  (the board is read before the schedule tells its zone); a plain `next`
  says how many open spaces start by then, with a button that asks for
  them; without the openspaces plugin the answer says it is not loaded.
"""
import json
import os
import threading
import unittest

import tempfile

from harness import PLUGIN_DIR, SOURCE_DIR, Daemon, DaemonTestCase, base_config, wait_until

USERS = 50
NOW = "2026-11-26T09:00:00+01:00"


def openspaces_available():
    return os.path.exists(os.path.join(PLUGIN_DIR, "openspaces.so"))


class OpenSpacesRace(DaemonTestCase):
    standin_options = {"heartbeat_ms": 1000, "identify_window_s": 0, "guild_members": USERS + 2,
                       "message_rate_limit": 10000, "message_rate_window_s": 1}

    def setUp(self):
        if not openspaces_available():
            self.skipTest("the openspaces plugin is not built")
        super().setUp()
        self.users = [u["id"] for u in self.world["users"]][:USERS]
        text = [c for c in self.world["channels"]
                if c.get("type") == 0 and c["id"] != self.world["general_channel_id"]]
        self.meetups_channel = text[0]["id"]

    def start(self):
        cfg = base_config(self.st, self.workdir, plugin_dir=PLUGIN_DIR, plugins={"openspaces": {
            "rooms": [{"name": "Room A"}, {"name": "Room B"}],
            "days": ["2026-11-26", "2026-11-27"], "start": "10:00", "end": "13:00",
            "timezone": "Europe/Brussels", "meetups_channel": self.meetups_channel}})
        d = self.daemon(cfg, env={"HALLWAY_NOW": NOW})
        self.ready(d)
        return d

    def say(self, user, content):
        """The answer in the channel the command was typed in."""
        general = self.world["general_channel_id"]
        before = len(self.bot_messages(general))
        self.st.inject_message(content=content, user_id=user, channel_id=general)
        return wait_until(lambda: self.bot_messages(general)[before:], 15,
                          what="an answer to %r" % content)[0]["content"]

    def test_fifty_users_one_slot_one_winner(self):
        self.start()
        before = len(self.bot_messages())
        go = threading.Barrier(USERS)
        errors = []

        def propose(i):
            try:
                go.wait(10)
                self.st.inject_message(content="!openspace propose thu 10:00 Room A Topic %d" % i,
                                       user_id=self.users[i])
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)

        threads = [threading.Thread(target=propose, args=(i,)) for i in range(USERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertEqual(errors, [])
        replies = wait_until(
            lambda: (lambda m: m if len(m) >= USERS else None)(self.bot_messages()[before:]),
            60, what="%d answers" % USERS)
        won = [m["content"] for m in replies if "It's yours" in m["content"]]
        taken = [m["content"] for m in replies if "Room A is taken then" in m["content"]]
        self.assertEqual(len(won), 1, won)
        self.assertEqual(len(taken), USERS - 1)
        for t in taken:
            self.assertIn("Free nearby", t)
        board = self.say(self.users[0], "!openspace board thu")
        self.assertEqual(board.count("#1 "), 1, board)
        self.assertNotIn("#2 ", board)

    def test_meetup_is_announced_once(self):
        self.start()
        reply = self.say(self.users[0], '!meetup friday 19:00 "The Old Pub" dinner')
        self.assertIn("Meetup on: #1 Fri 27 Nov 19:00", reply)
        posts = wait_until(lambda: self.bot_messages(self.meetups_channel), 15,
                           what="the announcement")
        self.assertIn("Meetup: **dinner**", posts[0]["content"])
        self.assertIn("already posted", self.say(self.users[0],
                                                 '!meetup friday 19:00 "The Old Pub" dinner'))
        self.assertIn("#1 Fri 27 Nov 19:00", self.say(self.users[1], "!meetups"))
        self.assertEqual(len(self.bot_messages(self.meetups_channel)), 1)


SAMPLE = os.path.join(SOURCE_DIR, "plugins", "schedule", "sample", "hallwaycon.json")
THU_1000 = "2026-11-26T10:00:00+01:00"
THU_1100_BRUSSELS = 1795687200  # 10:00 UTC


def buttons(msg):
    return [c for row in msg.get("components") or [] for c in row["components"]]


class OpenSpacesInNext(DaemonTestCase):

    def setUp(self):
        if not openspaces_available():
            self.skipTest("the openspaces plugin is not built")
        super().setUp()
        self.user = self.world["users"][0]["id"]

    def config(self, with_openspaces=True):
        plugins = {"schedule": {"source": SAMPLE, "timezone": "Europe/Brussels",
                                "refresh_seconds": 3600}}
        if with_openspaces:
            # No timezone of its own: the board's zone is the schedule's.
            plugins["openspaces"] = {"rooms": [{"name": "Courtyard"}, {"name": "Library"}],
                                     "days": ["2026-11-26", "2026-11-27"],
                                     "start": "10:00", "end": "18:00"}
        return base_config(self.st, self.workdir, plugin_dir=PLUGIN_DIR, plugins=plugins)

    def start(self, cfg, identifies=1):
        d = self.daemon(cfg, env={"HALLWAY_NOW": THU_1000, "HALLWAY_CLOCK_SPEED": "0"})
        self.ready(d, identifies=identifies)
        d.wait_log("schedule loaded", 30)
        return d

    def ask(self, content):
        general = self.world["general_channel_id"]
        before = len(self.bot_messages(general))
        self.st.inject_message(content=content, user_id=self.user, channel_id=general)
        return wait_until(lambda: self.bot_messages(general)[before:], 15,
                          what="an answer to %r" % content)

    def test_next_openspaces_after_a_restart(self):
        cfg = self.config()
        d = self.start(cfg)
        self.assertIn("It's yours", self.ask("!openspace propose thu 11:00 Courtyard "
                                             "Packaging war stories")[0]["content"])
        # A restart reads the board before the schedule says its zone: the
        # instants still are Brussels' (11:00 is 10:00 UTC), not UTC's.
        self.assertEqual(d.stop(), 0)
        d = self.start(cfg, identifies=2)
        msg = self.ask("!next openspaces")[0]
        self.assertIn("Next open spaces", msg["content"])
        self.assertEqual(len(msg["embeds"]), 1, msg)
        embed = msg["embeds"][0]
        self.assertEqual(embed["title"], "Packaging war stories")
        self.assertIn("<t:%d:t>" % THU_1100_BRUSSELS, embed["description"])
        self.assertIn("Courtyard", embed["description"])
        self.assertIn("openspace join 1", embed["description"])
        self.assertIn("Courtyard", self.ask("!next openspaces courtyrd")[0]["content"])
        self.assertIn("No open space is on right now.",
                      json.dumps(self.ask("!now openspaces"), ensure_ascii=False))

        # A plain `next`: the talks, how many open spaces start by then,
        # and a button that asks for them, answered within Discord's 3 s.
        msg = self.ask("!next")[0]
        self.assertIn("Also 1 open space starts by then.", json.dumps(msg, ensure_ascii=False))
        [button] = [b for b in buttons(msg) if b.get("label") == "Open spaces"]
        r = self.st.inject_interaction(type=3, custom_id=button["custom_id"],
                                       message_id=msg["id"], channel_id=msg["channel_id"],
                                       user_id=self.user)
        self.assertTrue(r.get("delivered"), r)
        inter = wait_until(lambda: next((i for i in self.st.ctl("GET", "/_test/interactions")
                                         ["interactions"] if i["id"] == r["id"] and i["acked"]),
                                        None), 10, what="the press answered")
        self.assertLess(inter["responses"][0]["after_s"], 3.0)
        self.assertEqual(inter["original"]["embeds"][0]["title"], "Packaging war stories")

        self.assertIn("next openspaces", json.dumps(self.ask("!help"), ensure_ascii=False))

    def test_without_the_openspaces_plugin(self):
        self.start(self.config(with_openspaces=False))
        msg = self.ask("!next openspaces")[0]
        self.assertIn("the openspaces plugin is not loaded",
                      json.dumps(msg, ensure_ascii=False))
        # A plain `next` is the talks alone.
        msg = self.ask("!next")[0]
        self.assertNotIn("open space", json.dumps(msg, ensure_ascii=False))
        self.assertEqual([b for b in buttons(msg) if b.get("label") == "Open spaces"], [])


class OpenSpacesConsole(unittest.TestCase):
    def setUp(self):
        if not openspaces_available():
            self.skipTest("the openspaces plugin is not built")
        self.tmp = tempfile.TemporaryDirectory(prefix="hallway-os-")

    def tearDown(self):
        self.tmp.cleanup()

    def test_scripted_session_builds_a_board(self):
        sample = os.path.join(SOURCE_DIR, "plugins", "schedule", "sample", "hallwaycon.json")
        cfg = {"storage": {"path": os.path.join(self.tmp.name, "os.db")}, "plugin_dir": PLUGIN_DIR,
               "plugins": {"schedule": {"source": sample},
                           "openspaces": {"rooms": [{"name": "Courtyard"}, {"name": "Library",
                                                                           "capacity": 12}],
                                          "days": ["2026-11-26", "2026-11-27"],
                                          "start": "10:00", "end": "18:00"}}}
        script = ("openspace propose thursday 11:00 Courtyard Packaging war stories\n"
                  "openspace propose the 26th 2pm Rust in production\n"
                  "openspace join #1\n"
                  "openspace board thursday\n"
                  "meetup 19:00 \"The Old Pub\" dinner\n"
                  "openspaces\n"
                  "next openspaces\n"
                  "later tiem zones\n"
                  "later\n")
        d = Daemon(cfg, self.tmp.name, extra_args=["--console"], stdin=script,
                   env={"HALLWAY_NOW": "2026-11-26T09:55:00+01:00"})
        d.start()
        self.assertEqual(d.wait(120), 0, d.log_text())
        out = d.stdout
        self.assertIn("It's yours: #1 \u201cPackaging war stories\u201d on Thu 2026-11-26 11:00 in "
                      "Courtyard", out)
        self.assertIn("#2 \u201cRust in production\u201d on Thu 2026-11-26 14:00", out)
        self.assertIn("11:00 #1", out)
        self.assertIn("Meetup on: #1 Thu 26 Nov 19:00", out)
        self.assertIn("The hallway track, the next 3 hours", out)
        self.assertIn("open space #1", out)
        # `next openspaces` drawn for the console: the schedule's zone (the
        # board has none of its own), how soon, how to join.
        # (The console user hosts and joins: counted once, nobody else.)
        self.assertIn("Next open spaces\n11:00\u201312:00  Packaging war stories (in 1 h 05 min)\n"
                      "             Courtyard\n             hosted by Console Attendee\n"
                      "             To go: openspace join 1\n", out)
        self.assertIn("On your list: Time Zones Are Hard, DST Is Harder", out)
        self.assertIn("Talks to watch later", out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
