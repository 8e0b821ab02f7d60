"""Raising a sprint's capacity promotes its waitlist first (issue 15, item 8),
through the real daemon, SIGHUP and the stand-in; and /sprint info, answered
after its unit of work commits, shows who signed up to the asker alone.

Capacity 1: Alice is confirmed, Bob waits. The config raises it to 3 and
SIGHUP applies it: Bob gets the "seat opened up" DM and is confirmed before
Carol, who joins afterwards, gets the last seat; then Dave waits.
"""
import json
import os
import signal
import time
import unittest

from harness import PLUGIN_DIR, DaemonTestCase, base_config, wait_until


def sprints_available():
    return os.path.exists(os.path.join(PLUGIN_DIR, "sprints.so"))


class CapacityRaise(DaemonTestCase):
    standin_options = {"heartbeat_ms": 1000, "identify_window_s": 0, "guild_members": 6,
                       "message_rate_limit": 1000, "message_rate_window_s": 1}

    def setUp(self):
        if not sprints_available():
            self.skipTest("the sprints plugin is not built")
        super().setUp()
        users = [u for u in self.world["users"]]
        self.alice, self.bob, self.carol, self.dave = (users[i]["id"] for i in range(4))

    def config(self, capacity):
        cfg = base_config(self.st, self.workdir, plugin_dir=PLUGIN_DIR,
                          plugins={"sprints": {"projects": [{"name": "CPython", "capacity": capacity}]}})
        cfg["limits"] = {"user_commands": 0}
        return cfg

    def say(self, user, content):
        before = len(self.bot_messages())
        self.st.inject_message(content=content, user_id=user)
        return wait_until(lambda: self.bot_messages()[before:], 15, what="an answer to %r" % content)[0]["content"]

    def dms_to(self, user):
        cid = self.st.ctl("GET", "/_test/world")["dm_channels"].get(user)
        return [m["content"] for m in self.st.messages(channel_id=cid, author="bot")] if cid else []

    def test_sighup_capacity_raise_promotes_waitlist_first(self):
        d = self.daemon(self.config(1))
        self.ready(d)
        self.assertIn("You're in", self.say(self.alice, "!sprint join cpython"))
        self.assertIn("waitlist at position 1", self.say(self.bob, "!sprint join cpython"))
        with open(d.config_path, "w") as f:
            json.dump(self.config(3), f)
        d.signal(signal.SIGHUP)
        d.wait_log("SIGHUP: config reloaded", 10)
        dm = wait_until(lambda: self.dms_to(self.bob), 15, what="Bob's promotion DM")
        self.assertIn("A seat opened up: you are now confirmed for the CPython sprint", dm[0])
        self.assertIn("CPython: confirmed", self.say(self.bob, "!sprint mine"))
        self.assertIn("You're in: CPython (3/3", self.say(self.carol, "!sprint join cpython"))
        self.assertIn("waitlist at position 1", self.say(self.dave, "!sprint join cpython"))
        time.sleep(0.5)
        self.assertEqual(len(self.dms_to(self.bob)), 1, "Bob got the DM twice")
        self.assertEqual(self.dms_to(self.alice), [])


    def test_slash_info_names_only_for_the_asker(self):
        # The plugin answers from its unit of work's done(): the router has
        # deferred publicly by then, and the answer (names: other people's
        # data) must not become that public message (issue 18).
        d = self.daemon(self.config(2))
        self.ready(d)
        self.assertIn("You're in", self.say(self.alice, "!sprint join cpython"))
        inter = self.st.inject_interaction(name="sprint", user_id=self.bob, options=[
            {"type": 1, "name": "info", "options": [{"type": 3, "name": "project", "value": "cpython"}]}])

        def answered():
            for i in self.st.ctl("GET", "/_test/interactions")["interactions"]:
                if i["id"] == inter["id"] and i["followups"]:
                    return i
        i = wait_until(answered, 15, what="the answer to /sprint info")
        followup = i["followups"][0]
        self.assertIn("CPython", followup["content"])
        self.assertIn("alice", followup["content"].lower())
        self.assertTrue(followup["flags"] & 64, "the names went out in a public message")
        deleted = wait_until(lambda: [r for r in self.st.ctl("GET", "/_test/interactions")["interactions"]
                                      if r["id"] == inter["id"] and
                                      any(x["kind"] == "delete" for x in r["responses"])], 15,
                             what="the public placeholder deleted")
        self.assertTrue(deleted)
        for r in deleted[0]["responses"]:
            self.assertNotEqual(r["kind"], "edit", "the public original was edited: %r" % r)


if __name__ == "__main__":
    unittest.main(verbosity=2)
