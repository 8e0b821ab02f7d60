"""The gateway's pre-scan: chatter nobody reads is not parsed, yet every
sequence number, heartbeat, RESUME and metric is exactly as if it were;
anything that may address the bot, or that a plugin subscribed to, is
parsed and answered (bot/gateway/gateway_scan.c, gateway_proto.c skip_unwanted)."""
import socket
import time
import unittest
import urllib.request

from harness import DaemonTestCase, base_config, wait_until

SKIP_LOG = "(MESSAGE_CREATE) not wanted: not parsed"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def events_total(port, type_):
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=5) as r:
        text = r.read().decode()
    for line in text.splitlines():
        if line.startswith('hallway_gateway_events_total{type="%s"}' % type_):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


class FastPathTests(DaemonTestCase):

    def _daemon(self):
        self.port = free_port()
        d = self.daemon(base_config(self.st, self.workdir, http={"listen": "127.0.0.1:%d" % self.port}))
        self.ready(d)
        return d

    def skipped(self, d):
        return sum(1 for l in d.log if SKIP_LOG in l)

    def test_chatter_skipped_commands_answered(self):
        d = self._daemon()
        bot = self.world["bot_id"]
        before = events_total(self.port, "MESSAGE_CREATE")
        chatter = ["hello", "", "   ", "a \"quoted\" !fx echo no", "line\nbreak !fx", "caf\u00e9 \U0001F600",
                   "?fx echo no", "x" * 1990, "<", " <x"]
        # Chatter that starts with an escape (the scan cannot see its first
        # character) or mentions someone: parsed, and still not answered.
        unsure = ["<@123456> hi", "\\!fx echo no", "\u0000!fx echo no", "\"!fx echo no\""]
        addressed = ["!fx echo one", "   !fx echo two", "<@%s> fx echo three" % bot,
                     "<@!%s> fx echo four" % bot, "!fx echo five\nsecond line", "!fx echo caf\u00e9"]
        for c in chatter + unsure:
            self.st.inject_message(content=c)
        for c in addressed:
            self.st.inject_message(content=c)
        msgs = self.wait_bot_messages(len(addressed))
        words = sorted(m["content"].split("] ", 1)[1].split("|")[0] for m in msgs)
        self.assertEqual(words, sorted(["one", "two", "three", "four", "five", "caf\u00e9"]))
        # Every chatter line went the fast way (plus the bot's own replies, which
        # come back as MESSAGE_CREATE and address nobody), and the metric still
        # counts every MESSAGE_CREATE, parsed or not.
        total = len(chatter) + len(unsure) + len(addressed) + len(addressed)
        wait_until(lambda: events_total(self.port, "MESSAGE_CREATE") - before >= total, 5,
                   what="%d MESSAGE_CREATE counted" % total)
        self.assertEqual(events_total(self.port, "MESSAGE_CREATE") - before, total)
        wait_until(lambda: self.skipped(d) >= len(chatter) + len(addressed), 5, what="skipped chatter")
        self.assertEqual(self.skipped(d), len(chatter) + len(addressed))
        time.sleep(0.5)
        self.assertEqual(len(self.bot_messages()), len(addressed), "chatter was answered")

    def test_seq_advances_through_skipped_chatter(self):
        d = self._daemon()
        for i in range(5):
            self.st.inject_message(content="chatter %d" % i)
        wait_until(lambda: self.skipped(d) >= 5, 5, what="5 skipped")
        # The last event the bot saw is chatter it did not parse: heartbeats and
        # RESUME must still carry its seq, so nothing is replayed.
        session = self.st.ctl("GET", "/_test/gateway/sessions")["sessions"][0]
        t0 = time.monotonic()
        self.st.gateway_fault(action="heartbeat_request")
        beat = wait_until(lambda: [f for f in self.st.frames(since=t0) if f["op"] == 1], 3.0)
        self.assertEqual(beat[0]["d"], session["seq"])
        self.st.gateway_fault(action="close", code=4000)
        self.st.wait("resume", 1, timeout=15)
        resume = self.st.state()["resumes"][0]
        self.assertEqual(resume["result"], "ok")
        self.assertEqual(resume["seq"], session["seq"])
        self.st.inject_message(content="!fx echo after")
        msgs = self.wait_bot_messages(1)
        self.assertIn("after", msgs[0]["content"])
        time.sleep(0.5)
        self.assertEqual(len(self.bot_messages()), 1)

    def test_plugin_subscribed_to_messages_sees_chatter(self):
        # With a plugin subscribed to MESSAGE_CREATE nothing is skipped.
        self.port = free_port()
        cfg = base_config(self.st, self.workdir, plugins={"fx_good": {"watch_messages": True}},
                          http={"listen": "127.0.0.1:%d" % self.port})
        d = self.daemon(cfg)
        self.ready(d)
        for i in range(3):
            self.st.inject_message(content="chatter %d" % i)
        self.st.inject_message(content="!fx seen")
        msgs = self.wait_bot_messages(1)
        # The three chatter lines reached the plugin (the router sees the
        # command before the plugin's subscription does).
        self.assertEqual(msgs[0]["content"], "seen 3")
        time.sleep(0.5)
        self.assertEqual(self.skipped(d), 0)


if __name__ == "__main__":
    unittest.main()
