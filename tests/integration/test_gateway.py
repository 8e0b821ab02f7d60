"""The daemon against the stand-in: session, faults, REST limits, shutdown."""
import os
import signal
import time
import unittest

from harness import (DaemonTestCase, TOKEN, base_config, wait_until)


class SessionTests(DaemonTestCase):

    def test_identify_and_answer(self):
        d = self.daemon()
        self.ready(d)
        ident = self.st.state()["identifies"][0]
        self.assertEqual(ident["intents"], 37377)
        self.st.inject_message(content="!fx echo hello world")
        msgs = self.wait_bot_messages(1)
        # alice has the Organizer role (resolved by name from GUILD_CREATE).
        self.assertTrue(msgs[0]["content"].startswith("echo[fx echo] hello|world|org=1|"),
                        msgs[0]["content"])
        # zlib-stream was negotiated.
        conns = self.st.ctl("GET", "/_test/gateway/connections")["connections"]
        self.assertTrue(conns[0]["compress"])

    def test_mentions_never_ping(self):
        d = self.daemon()
        self.ready(d)
        self.st.inject_message(content="!fx echo @everyone <@&%s> @here" % self.world["role_ids"]["Organizer"])
        msg = self.wait_bot_messages(1)[0]
        self.assertIn("@everyone", msg["content"])
        self.assertFalse(msg["mention_everyone"])
        self.assertEqual(msg["mention_roles"], [])

    def test_heartbeats_on_time_during_slow_download(self):
        self.st.config(heartbeat_ms=250)
        slow = self.st.base_url + "/_test/slow?bytes=2097152&seconds=3"
        d = self.daemon(base_config(self.st, self.workdir, plugins={"fx_good": {"slow_url": slow}}))
        self.ready(d)
        start = time.monotonic()
        self.st.inject_message(content="!fx pending")
        d.wait_log("http done: 200 (2097152 bytes)", timeout=15)
        beats = [f["t"] for f in self.st.frames() if f["op"] == 1 and f["t"] >= start]
        self.assertGreater(len(beats), 8)
        gaps = [b - a for a, b in zip(beats, beats[1:])]
        print("heartbeat gaps during download: max %.1f ms over %d beats" % (max(gaps) * 1000, len(beats)))
        self.assertLess(max(gaps), 0.25 * 1.4, "a heartbeat was late while the download ran")
        self.assertEqual(self.st.state()["heartbeat_timeouts"], [])

    def test_zombie_connection_resumes(self):
        d = self.daemon()
        self.ready(d)
        self.st.gateway_fault(action="drop_acks")
        self.st.wait("resume", 1, timeout=10)
        resume = self.st.state()["resumes"][0]
        self.assertEqual(resume["result"], "ok")
        self.assertEqual(resume["path"], "/resume-gateway")
        closed = [c for c in self.st.ctl("GET", "/_test/gateway/connections")["connections"] if c["closed"]]
        self.assertNotIn(closed[0]["close_code"], (1000, 1001))

    def test_server_heartbeat_request_answered_at_once(self):
        d = self.daemon()
        self.ready(d)
        time.sleep(0.2)
        t0 = time.monotonic()
        self.st.gateway_fault(action="heartbeat_request")
        beat = wait_until(lambda: [f for f in self.st.frames(since=t0) if f["op"] == 1], 2.0)
        self.assertLess(beat[0]["t"] - t0, 0.5)


class FaultTests(DaemonTestCase):
    """Each fault: the bot resumes and answers every message once."""

    def _fault_round(self, fault, expect="resume", n_before=3):
        d = self.daemon()
        self.ready(d)
        for i in range(n_before):
            self.st.inject_message(content="!fx echo before%d" % i)
        self.wait_bot_messages(n_before)
        self.st.gateway_fault(**fault)
        # Messages sent while the bot is away must be replayed, exactly once.
        for i in range(3):
            self.st.inject_message(content="!fx echo during%d" % i)
        if expect == "resume":
            self.st.wait("resume", 1, timeout=15)
        else:
            self.st.wait("identify", 2, timeout=15)
        for i in range(2):
            self.st.inject_message(content="!fx echo after%d" % i)
        want = n_before + (3 if expect == "resume" else 0) + 2
        time.sleep(1.0)
        msgs = self.wait_bot_messages(want, timeout=15)
        words = [m["content"].split("] ", 1)[1].split("|")[0] for m in msgs]
        self.assertEqual(len(words), len(set(words)), "a message was answered twice: %r" % words)
        for i in range(2):
            self.assertIn("after%d" % i, words)
        if expect == "resume":
            for i in range(3):
                self.assertIn("during%d" % i, words)
        return d

    def test_op7_reconnect(self):
        self._fault_round({"action": "reconnect"})

    def test_close_4000(self):
        self._fault_round({"action": "close", "code": 4000})

    def test_tcp_drop(self):
        self._fault_round({"action": "drop"})

    def test_invalid_session_resumable(self):
        self._fault_round({"action": "invalid_session", "resumable": True})

    def test_invalid_session_not_resumable_reidentifies(self):
        d = self._fault_round({"action": "invalid_session", "resumable": False}, expect="identify")
        ids = self.st.state()["identifies"]
        self.assertGreaterEqual(ids[1]["t"] - ids[0]["t"], 1.0, "re-IDENTIFY came too soon after op 9")

    def test_session_timeout_4009_reidentifies(self):
        self._fault_round({"action": "close", "code": 4009}, expect="identify")

    def _try_fault(self, fault):
        try:
            return self.st.gateway_fault(**fault) or True
        except RuntimeError:  # 409: between sockets
            return False

    def _gaps_between_connections(self, faults, chatter):
        """Applies each fault ~1.5 s after the previous resume (so no socket
        lives the 5 s that marks it stable), with or without live traffic,
        and returns the seconds each reconnect took (close -> next open)."""
        d = self.daemon()
        self.ready(d)
        for i, fault in enumerate(faults):
            deadline = time.monotonic() + 1.5
            while time.monotonic() < deadline:
                if chatter:
                    self.st.inject_message(content="chatter %d" % i)
                time.sleep(0.1)
            wait_until(lambda: self._try_fault(fault), 30, interval=0.1, what="an open socket to fault")
            self.st.wait("resume", i + 1, timeout=30)
        conns = sorted(self.st.ctl("GET", "/_test/gateway/connections")["connections"], key=lambda c: c["id"])
        return [b["opened"] - a["closed"] for a, b in zip(conns, conns[1:])]

    def test_a_busy_session_faulted_often_resumes_promptly(self):
        # The soak's cycle: op 7, close 4000, a TCP drop, op 9 resumable,
        # each within 5 s of the last resume. A socket that resumed and then
        # carried live events did its job: backing off as if the server
        # refused us left the bot away ~9 s, and every interaction sent in
        # that gap expired unanswered (Discord's 3 s).
        faults = [{"action": "reconnect"}, {"action": "close", "code": 4000}, {"action": "drop"},
                  {"action": "invalid_session", "resumable": True}] * 2
        gaps = self._gaps_between_connections(faults, chatter=True)
        print("reconnect gaps with live traffic: %s" % ", ".join("%.2f" % g for g in gaps))
        self.assertLess(max(gaps), 2.0, "the bot backed off from a server that was serving it")

    def test_a_server_that_drops_every_idle_resume_is_backed_off(self):
        # The other side of the rule: sockets that resume and carry nothing
        # before they die are not healthy, so the delay still grows.
        gaps = self._gaps_between_connections([{"action": "drop"}] * 3, chatter=False)
        print("reconnect gaps without traffic: %s" % ", ".join("%.2f" % g for g in gaps))
        self.assertGreater(gaps[2], 3.0, "no backoff against a server that drops every socket")

    def test_a_run_of_unparseable_payloads_never_resumes(self):
        # A resume would have the server replay them: a loop (issue 15).
        # Repairable ones are handled, the rest skipped.
        d = self.daemon()
        self.ready(d)
        bad = ['{"op":0,"s":null,"t":"MESSAGE_CREATE","d":{"content":"\\udcff"}}',
               '{"op":0,"s":null,"t":"MESSAGE_CREATE","d":{"content":"x}',
               '{"op":0,"s":null,"t":"MESSAGE_CREATE","d":{"nonce":1234567890123456789012345}}']
        for text in bad * 2:
            self.st.gateway_fault(action="raw", text=text)
        self.st.inject_message(content="!fx echo alive")
        self.assertIn("alive", self.wait_bot_messages(1)[0]["content"])
        self.assertEqual(self.st.state()["resumes"], [])
        self.assertEqual(sum("unparseable payload skipped" in l for l in d.log), 2)
        self.assertEqual(sum("payload repaired" in l for l in d.log), 4)


class FatalTests(DaemonTestCase):

    def _fatal(self, code, words):
        d = self.daemon()
        self.ready(d)
        self.st.gateway_fault(action="close", code=code)
        rc = d.wait(15)
        self.assertNotEqual(rc, 0)
        self.assertIn(words, d.log_text().lower())
        self.assertEqual(self.st.state()["counters"]["identify"], 1, "reconnected after a fatal close")

    def test_4004_bad_token(self):
        self._fatal(4004, "token")

    def test_4014_disallowed_intents(self):
        self._fatal(4014, "intent")

    def test_4013_invalid_intents(self):
        self._fatal(4013, "intent")

    def test_rejected_token_at_start(self):
        cfg = base_config(self.st, self.workdir)
        cfg["discord"]["token"] = "not-the-right-token"
        d = self.daemon(cfg)
        rc = d.wait(15)
        self.assertNotEqual(rc, 0)
        self.assertIn("token", d.log_text().lower())


class RestTests(DaemonTestCase):

    def test_fifty_messages_in_order_without_429_storm(self):
        self.st.config(message_rate_limit=5, message_rate_window_s=1)
        d = self.daemon()
        self.ready(d)
        self.st.inject_message(content="!fx burst 50")
        msgs = self.wait_bot_messages(50, timeout=40)
        self.assertEqual([m["content"] for m in msgs], ["burst %d" % i for i in range(1, 51)])
        rl = self.st.ctl("GET", "/_test/rest/ratelimits")
        msg429 = [e for e in rl["events"] if "/messages" in e["path"] and not e["injected"]]
        self.assertLessEqual(len(msg429), 1, "429s after the limit was learned: %r" % msg429)

    def test_429_and_5xx_are_retried(self):
        d = self.daemon()
        self.ready(d)
        self.st.rest_fault(kind="429", path="/messages$", retry_after=0.5, count=1)
        self.st.rest_fault(kind="status", status=502, path="/messages$", count=2)
        self.st.inject_message(content="!fx echo persistent")
        msg = self.wait_bot_messages(1, timeout=15)[0]
        self.assertIn("persistent", msg["content"])


class ProcessTests(DaemonTestCase):

    def test_sigterm_exits_zero_quickly(self):
        d = self.daemon()
        self.ready(d)
        t0 = time.monotonic()
        d.signal(signal.SIGTERM)
        rc = d.wait(10)
        self.assertEqual(rc, 0)
        self.assertLess(time.monotonic() - t0, 5.0)
        conns = self.st.ctl("GET", "/_test/gateway/connections")["connections"]
        self.assertEqual(conns[-1]["close_code"], 1000)

    def test_token_in_no_log_line(self):
        d = self.daemon()
        self.ready(d)
        self.st.gateway_fault(action="close", code=4000)
        self.st.wait("resume", 1, timeout=10)
        self.st.inject_message(content="!fx echo %s" % TOKEN)
        self.wait_bot_messages(1)
        d.stop()
        self.assertNotIn(TOKEN, d.log_text())

    def test_bad_config_exits_2_before_network(self):
        cfg = base_config(self.st, self.workdir)
        cfg["discord"]["prefix"] = 5
        cfg["plugins"] = []
        d = self.daemon(cfg)
        self.assertEqual(d.wait(10), 2)
        self.assertIn("discord.prefix", d.log_text())
        self.assertEqual(self.st.state()["counters"]["rest_requests"], 0)

    def test_bot_ignores_its_own_messages(self):
        d = self.daemon()
        self.ready(d)
        self.st.inject_message(content="!fx echo !fx echo loop")
        self.wait_bot_messages(1)
        time.sleep(1.0)
        self.assertEqual(len(self.bot_messages()), 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
