"""The open-space board and meetups through the real daemon and the Discord
stand-in (issue 21).

- 50 users propose the same slot in the same room at once (50 threads
  injecting together): exactly one is told "It's yours", every other one
  is told the room is taken and offered free slots, and the board shows
  the one winner.
- A meetup is announced in plugins.openspaces.meetups_channel, once.
"""
import os
import threading
import unittest

from harness import PLUGIN_DIR, DaemonTestCase, base_config, wait_until

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


if __name__ == "__main__":
    unittest.main(verbosity=2)
