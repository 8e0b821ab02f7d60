"""Fair use (bot/commands/fairuse.c, issue 14): one user's spam cannot delay another
user's answer. Through the stand-in, with Discord's per-channel limit (5
messages per 5 s), 30 `!ping` in a row from one user used to queue 30 replies
in the channel's bucket, and another user's `!help` waited about 20 s behind
them. With the per-user budget the spammer gets the burst, one "slow down"
notice and nothing more, and the other user's answer comes within 2 s."""
import time
import unittest

from harness import PLUGIN_DIR, DaemonTestCase, base_config, wait_until

SPAM = 30
NOTICE = "Slow down"


class FairUseTests(DaemonTestCase):

    def _daemon(self, limits=None):
        # The daemon's defaults unless the test says otherwise (the harness
        # turns the budgets off for every other test).
        extra = {"limits": limits if limits is not None else {}}
        cfg = base_config(self.st, self.workdir, plugins={"hello": {}}, plugin_dir=PLUGIN_DIR, **extra)
        d = self.daemon(cfg)
        self.ready(d)
        users = [u["id"] for u in self.world["users"]]
        return d, users[2], users[3]  # two attendees (users 0 and 1 hold roles)

    def replies_to(self, message_id):
        return [m for m in self.bot_messages()
                if (m.get("message_reference") or {}).get("message_id") == message_id]

    def test_spam_does_not_delay_another_user(self):
        d, spammer, other = self._daemon()
        spam_ids = [self.st.inject_message(user_id=spammer, content="!ping")["id"] for _ in range(SPAM)]
        t0 = time.monotonic()
        asked = self.st.inject_message(user_id=other, content="!help")["id"]
        wait_until(lambda: self.replies_to(asked), 10.0, interval=0.02, what="the other user's answer")
        latency = time.monotonic() - t0
        print("other user's answer after %.3f s (behind %d commands from one user)" % (latency, SPAM))
        self.assertLess(latency, 2.0)

        # The spammer: the burst (3 by default) answered, one notice, the rest
        # dropped without an answer, even after the budget has refilled.
        time.sleep(3.0)
        answered = [m for i in spam_ids for m in self.replies_to(i)]
        pongs = [m for m in answered if m["content"] == "pong"]
        notices = [m for m in answered if NOTICE in m["content"]]
        self.assertEqual(len(pongs), 3, [m["content"] for m in answered])
        self.assertEqual(len(notices), 1, [m["content"] for m in answered])
        self.assertEqual(len(answered), 4)
        self.assertEqual(len(self.bot_messages()), 5)
        # The budget refills (one command per 2 s): the spammer is answered again.
        again = self.st.inject_message(user_id=spammer, content="!ping")["id"]
        msgs = wait_until(lambda: self.replies_to(again), 10.0, what="the refilled budget's answer")
        self.assertEqual(msgs[0]["content"], "pong")
        d.assert_sanitizers_clean(self)

    def test_budget_is_configurable_and_can_be_off(self):
        d, spammer, other = self._daemon({"user_commands": 0})
        ids = [self.st.inject_message(user_id=spammer, content="!ping")["id"] for _ in range(6)]
        # Without a budget every command is answered (6 replies pass the
        # channel's 5 per 5 s only after its reset).
        wait_until(lambda: all(self.replies_to(i) for i in ids), 15.0, what="every ping answered")
        self.assertFalse([m for m in self.bot_messages() if NOTICE in m["content"]])


if __name__ == "__main__":
    unittest.main()
