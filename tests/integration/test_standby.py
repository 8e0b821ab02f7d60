"""Active and standby on one PostgreSQL database (issue 18): two daemons
with the same config; only the lease holder talks to Discord. SIGKILL the
active one, again and again, while users send commands: the standby takes
over and RESUMEs the session the active one kept in the database (the
stand-in sees RESUME, not IDENTIFY), Discord replays what came in the gap,
every command sent in the gap is answered exactly once, and the commands
the old active had handled, replayed too, are not run again (takeover time
p50 and p99 over the kills, and the number of resumes, printed). SIGSTOP
the active one past its lease: the standby takes over, and the woken one
exits without sending a thing. `hallway --step-down` hands over on
purpose. A private cluster (scripts/pg-cluster.sh) for the whole file."""
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from harness import DaemonTestCase, HALLWAY_BIN, base_config, wait_until  # noqa: E402
from standby_harness import LEASE_MS, SharedDatabase  # noqa: E402
KILLS = int(os.environ.get("HALLWAY_STANDBY_KILLS", "20"))


class Standby(SharedDatabase, DaemonTestCase):

    def start(self, http=False, save_ms=None, plugins=None):
        cfg = base_config(self.st, self.workdir, plugins=plugins)
        port = None
        if http:
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
            s.close()
            cfg["http"] = {"listen": "127.0.0.1:%d" % port}
        d = self.instance(cfg, **({"session_save_ms": save_ms} if save_ms is not None else {}))
        d.port = port
        return d

    @staticmethod
    def get(d, path):
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d%s" % (d.port, path), timeout=5) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def identifies(self):
        return [i for i in self.st.state()["identifies"] if i["result"] == "ok"]

    def replies_to(self):
        """message id -> how many bot messages answer it."""
        out = {}
        for m in self.bot_messages():
            ref = (m.get("message_reference") or {}).get("message_id")
            if ref:
                out[ref] = out.get(ref, 0) + 1
        return out

    def kill_until_resumed(self, active):
        """SIGKILL the active daemon; returns once the standby RESUMEd its session."""
        before = len(self.sessions_started())
        active.proc.send_signal(signal.SIGKILL)
        active.proc.wait(10)
        self.daemons.remove(active)
        wait_until(lambda: len(self.sessions_started()) > before, LEASE_MS / 1000 * 3 + 15,
                   what="the standby's RESUME")
        self.assertEqual(self.sessions_started()[-1]["how"], "resume")

    def say(self, text, n):
        self.st.inject_message(content=text)
        return self.wait_bot_messages(n, timeout=20)[n - 1]["content"]

    def test_sigkill_takeovers(self):
        # The session is saved on READY/RESUMED only (a minute between saves
        # is longer than a term here): every takeover replays all that the
        # last term saw, so the commands it handled come again and must
        # not run again.
        active = self.start(save_ms=60000)
        self.ready(active)
        standby = self.start(save_ms=60000)
        standby.wait_log("standby", 15)
        everyone = [active, standby]
        told = 0
        times, first_answer, hows = [], [], []
        gap_ids, inflight_ids, kept_ids = [], [], []
        for k in range(KILLS):
            sent = self.st.inject_message(content="!fx keep w%d" % k)
            kept_ids.append(sent["id"])
            wait_until(lambda: self.replies_to().get(sent["id"]), 20, what="the answer to keep w%d" % k)
            told += 1
            # One command on its way as the active one dies: answered by
            # it or by the next one (its id is written only once it was
            # answered, and the saved session stays before it until then),
            # never by both (a second answer has the first one's nonce).
            inflight_ids.append(self.st.inject_message(content="!fx echo inflight%d" % k)["id"])
            before = len(self.sessions_started())
            t_kill = time.monotonic()
            active.proc.send_signal(signal.SIGKILL)
            active.proc.wait(10)
            # Users go on typing while nobody is connected.
            gap = [self.st.inject_message(content="!fx echo gap%d-%d" % (k, i))["id"] for i in range(3)]
            gap_ids += gap
            got = wait_until(lambda: (lambda l: l if len(l) > before else None)(self.sessions_started()),
                             LEASE_MS / 1000 * 3 + 15, what="the standby's RESUME or IDENTIFY")
            times.append(got[-1]["t"] - t_kill)
            hows.append(got[-1]["how"])
            wait_until(lambda: all(self.replies_to().get(i) for i in gap), 20,
                       what="answers to the commands sent in the gap")
            first_answer.append(time.monotonic() - t_kill)
            self.daemons.remove(active)
            active, standby = standby, self.start(save_ms=60000)
            everyone.append(standby)
            active.wait_log("active", 10)
            standby.wait_log("standby", 15)
        sent = self.st.inject_message(content="!fx count")
        reply = wait_until(lambda: [m for m in self.bot_messages()
                                    if (m.get("message_reference") or {}).get("message_id") == sent["id"]],
                           20, what="the answer to count")
        self.assertEqual(reply[0]["content"], "count %d" % told)
        self.assertEqual(self.pg.psql("SELECT count(*) FROM fx_good.fx_good_secrets", self.db_name),
                         str(told))
        # Every answer once: nothing doubled by a replay.
        replies = self.replies_to()
        doubled = {i: n for i, n in replies.items() if n > 1}
        self.assertEqual(doubled, {}, "commands answered more than once")
        for i in gap_ids + kept_ids + inflight_ids:
            self.assertEqual(replies.get(i), 1, "command %s" % i)
        nonce_replays = self.st.state()["counters"].get("nonce_replays", 0)
        # The takeovers resumed: the stand-in saw RESUME, and the replays
        # brought back commands the last term had handled, skipped now.
        self.assertEqual(hows, ["resume"] * KILLS)
        skipped = sum(d.log_text().count("was handled by an earlier active daemon")
                      for d in everyone)
        self.assertGreaterEqual(skipped, KILLS)  # at least each term's "keep", replayed
        handled = int(self.pg.psql("SELECT count(*) FROM hw.handled", self.db_name))
        times.sort()
        first_answer.sort()

        def pct(v, q):
            return v[min(len(v) - 1, int(round(q * (len(v) - 1))))]
        print("\ntakeover after SIGKILL (lease %d ms, %d kills, %d resumed): RESUME after "
              "p50 %.2f s, p99 %.2f s (min %.2f, max %.2f); all gap commands answered after "
              "p50 %.2f s, p99 %.2f s; %d commands sent in the gap and %d in flight at the "
              "kill, each answered once (%d answers sent again and kept once by their nonce); "
              "%d replayed commands skipped; %d ids recorded as handled" %
              (LEASE_MS, len(times), hows.count("resume"), statistics.median(times),
               pct(times, 0.99), times[0], times[-1], statistics.median(first_answer),
               pct(first_answer, 0.99), len(gap_ids), len(inflight_ids), nonce_replays, skipped,
               handled))
        self.assertLess(pct(times, 0.99), LEASE_MS / 1000 * 2 + 10)

    def test_replayed_commands_are_skipped(self):
        # What the old active answered comes back in the replay (the
        # session was saved at READY only): the new one skips every one.
        a = self.start(save_ms=60000)
        self.ready(a)
        b = self.start(save_ms=60000)
        b.wait_log("standby", 15)
        ids = []
        for i in range(5):
            ids.append(self.st.inject_message(content="!fx keep r%d" % i)["id"])
        wait_until(lambda: all(self.replies_to().get(i) for i in ids), 20, what="five answers")
        a.proc.send_signal(signal.SIGKILL)
        a.proc.wait(10)
        self.daemons.remove(a)
        gap = self.st.inject_message(content="!fx keep gap")["id"]
        wait_until(lambda: self.replies_to().get(gap), LEASE_MS / 1000 * 3 + 20, what="the gap's answer")
        resumes = [r for r in self.st.state()["resumes"] if r.get("result") == "ok"]
        self.assertEqual(len(resumes), 1)
        self.assertGreaterEqual(resumes[0]["replayed"], 6)  # the five, the gap's, and more
        wait_until(lambda: b.log_text().count("was handled by an earlier active daemon") >= 5, 5,
                   what="five replayed commands skipped")
        self.assertEqual(b.log_text().count("was handled by an earlier active daemon"), 5)
        replies = self.replies_to()
        for i in ids + [gap]:
            self.assertEqual(replies.get(i), 1)
        self.assertEqual(self.pg.psql("SELECT count(*) FROM fx_good.fx_good_secrets", self.db_name), "6")
        # The row is the new term's now; a stale epoch cannot write it.
        self.assertEqual(self.pg.psql("SELECT epoch FROM hw.gateway_session", self.db_name), "2")

    def test_organizer_known_right_after_a_takeover(self):
        # organizer_roles names the role ("Organizer"); a message carries
        # role ids. The daemon that takes the session over by RESUME never
        # gets the guild's GUILD_CREATE: the active one keeps the guild's
        # roles with the session, so an organizer's command right after
        # the takeover is theirs, even when Discord's REST does not answer
        # (before, it was refused until GET /guilds/{id} came back; CI saw
        # it behind a rate limit, 9fbf6cf).
        a = self.start()
        self.ready(a)
        b = self.start()
        b.wait_log("standby", 15)
        wait_until(lambda: "Organizer" in self.pg.psql(
            "SELECT coalesce(guild, '') FROM hw.gateway_session", self.db_name),
            15, what="the guild's roles kept with the session")
        self.assertTrue(self.say("!fx admin before", 1).startswith("echo[fx admin] before"))
        self.st.rest_fault(kind="status", status=503, method="GET", path=r"/guilds/\d+$",
                           count=100000)
        self.kill_until_resumed(a)
        reply = self.say("!fx admin after", 2)
        self.assertTrue(reply.startswith("echo[fx admin] after"), reply)
        self.assertNotIn("refused organizer command", b.log_text())

    def test_buttons_work_after_a_takeover(self):
        # A button whose command is too long for its custom_id, and a form,
        # are kept by key (components.c). The one that takes over never
        # drew them: the active daemon keeps them in the database too, so
        # a press after the takeover still runs the command.
        attendee = "1000000000000001002"
        plugins = {"fx_good": {}, "fx_model": {}}
        a = self.start(plugins=plugins)
        self.ready(a)
        b = self.start(plugins=plugins)
        b.wait_log("standby", 15)
        self.st.inject_message(content="!form", user_id=attendee)
        msg = self.wait_bot_messages(1)[0]
        comps = [c for row in msg.get("components") or [] for c in row["components"]]
        long_btn = next(c for c in comps if c.get("label") == "Long")
        register = next(c for c in comps if c.get("label") == "Register")
        self.assertTrue(long_btn["custom_id"].startswith("hw:k:"), long_btn)
        wait_until(lambda: self.pg.psql("SELECT count(*) FROM hw.kept", self.db_name) != "0", 10,
                   what="the kept components in the database")
        self.kill_until_resumed(a)

        def press(custom_id):
            r = self.st.inject_interaction(type=3, custom_id=custom_id, message_id=msg["id"],
                                           channel_id=msg["channel_id"], user_id=attendee)
            self.assertTrue(r.get("delivered"), r)
            return wait_until(lambda: next((i for i in self.st.ctl("GET", "/_test/interactions")["interactions"]
                                            if i["id"] == r["id"] and i["acked"]), None), 10,
                              what="an answer to the press")
        inter = press(long_btn["custom_id"])
        self.assertEqual(inter["original"]["content"],
                         "echo order=%s name=- by=%s door=1" % ("x" * 120, attendee))
        self.assertEqual(press(register["custom_id"])["ack_type"], 9)  # the form

    def test_sigstop_past_the_lease(self):
        a = self.start()
        self.ready(a)
        a_conn = self.identifies()[-1]["conn"]
        b = self.start()
        b.wait_log("standby", 15)
        a.proc.send_signal(signal.SIGSTOP)
        wait_until(lambda: len(self.sessions_started()) >= 2, LEASE_MS / 1000 * 3 + 15,
                   what="the standby's RESUME")
        self.assertEqual(self.sessions_started()[-1]["how"], "resume")
        b.wait_log("active", 10)
        t_cont = time.monotonic()
        a.proc.send_signal(signal.SIGCONT)
        self.assertEqual(a.wait(10), 5)
        self.assertIn("woken after the lease ran out", a.log_text())
        late = [f for f in self.st.frames(since=t_cont) if f["conn"] == a_conn]
        self.assertEqual(late, [], "the woken daemon sent frames")
        self.daemons.remove(a)
        self.assertTrue(self.say("!fx keep after", 1).startswith("kept after"))

    def test_sigterm_hands_over_the_session(self):
        # An orderly stop (systemctl stop, an upgrade) of the active one
        # leaves its Discord session resumable: the standby RESUMEs it and
        # answers what was typed meanwhile, once.
        a = self.start()
        self.ready(a)
        b = self.start()
        b.wait_log("standby", 15)
        first = self.st.inject_message(content="!fx keep before")["id"]
        wait_until(lambda: self.replies_to().get(first), 20, what="the answer before the stop")
        # Its id went in with its effect, in the plugin's transaction.
        self.assertIn("message %s is recorded as handled with this unit of work" % first, a.log_text())
        echo = self.st.inject_message(content="!fx echo before")["id"]
        wait_until(lambda: self.pg.psql("SELECT count(*) FROM hw.handled WHERE id = 'message %s'"
                                        % echo, self.db_name) == "1", 20,
                   what="the id of a command that writes nothing, recorded after its answer")
        self.assertNotIn("message %s is recorded as handled with this unit" % echo, a.log_text())
        a.proc.send_signal(signal.SIGTERM)
        self.assertEqual(a.wait(20), 0)
        self.daemons.remove(a)
        self.assertIn("closing the gateway (4000: handing over)", a.log_text())
        gap = self.st.inject_message(content="!fx keep during")["id"]
        wait_until(lambda: self.replies_to().get(gap), LEASE_MS / 1000 * 3 + 20,
                   what="the answer to what was typed during the handover")
        self.assertEqual(self.sessions_started()[-1]["how"], "resume")
        self.assertEqual(len(self.sessions_started()), 2)
        replies = self.replies_to()
        self.assertEqual((replies.get(first), replies.get(gap)), (1, 1))
        self.assertEqual(self.pg.psql("SELECT count(*) FROM fx_good.fx_good_secrets", self.db_name), "2")

    def test_standby_sends_nothing(self):
        # Someone else (another machine) holds the lease for a long while.
        self.pg.psql("CREATE SCHEMA IF NOT EXISTS hw; CREATE TABLE IF NOT EXISTS hw.lease("
                     "id INTEGER PRIMARY KEY CHECK (id = 1), holder TEXT NOT NULL, "
                     "epoch BIGINT NOT NULL, expires_at TIMESTAMPTZ NOT NULL); "
                     "INSERT INTO hw.lease VALUES (1, 'elsewhere', 7, now() + interval '1 hour')",
                     self.db_name)
        before = self.st.state()["counters"]
        d = self.start(http=True)
        d.wait_log("standby", 15)
        status, body = wait_until(lambda: (lambda r: r if r[0] == 200 else None)(self.get(d, "/healthz")),
                                  15, what="a healthy standby")
        self.assertEqual(json.loads(body)["role"], "standby")
        time.sleep(3)  # plugin timers run; nothing may reach Discord
        after = self.st.state()["counters"]
        self.assertEqual(after["rest_requests"], before["rest_requests"])
        self.assertEqual(after["connections"], before["connections"])
        # The other machine is gone: its lease lapses, this one takes term 8.
        self.pg.psql("UPDATE hw.lease SET expires_at = now() - interval '1 second'", self.db_name)
        self.ready(d)
        self.assertIn("hallway_lease_epoch 8", self.get(d, "/metrics")[1])
        self.assertTrue(self.say("!fx keep mine", 1).startswith("kept mine"))

    def test_step_down(self):
        a = self.start(http=True)
        self.ready(a)
        b = self.start(http=True)
        b.wait_log("standby", 15)
        # /healthz says which is which; the standby is healthy without Discord.
        wait_until(lambda: self.get(a, "/healthz")[0] == 200, 15, what="a healthy active")
        self.assertEqual(json.loads(self.get(a, "/healthz")[1])["role"], "active")
        status, body = wait_until(lambda: (lambda r: r if r[0] == 200 else None)(self.get(b, "/healthz")),
                                  15, what="a healthy standby")
        self.assertEqual(json.loads(body)["role"], "standby")
        metrics = self.get(a, "/metrics")[1]
        self.assertIn("hallway_lease_active 1", metrics)
        self.assertIn("hallway_lease_epoch 1", metrics)
        self.assertIn("hallway_lease_takeovers_total 1", metrics)
        r = subprocess.run([HALLWAY_BIN, "--config", a.config_path, "--step-down"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(a.wait(15), 5)
        self.daemons.remove(a)
        wait_until(lambda: len(self.sessions_started()) >= 2, 15, what="the standby's RESUME")
        self.assertEqual(self.sessions_started()[-1]["how"], "resume")
        self.assertTrue(self.say("!fx keep handed", 1).startswith("kept handed"))
        self.assertEqual(json.loads(self.get(b, "/healthz")[1])["role"], "active")
        self.assertIn("hallway_lease_epoch 2", self.get(b, "/metrics")[1])


if __name__ == "__main__":
    unittest.main(verbosity=2)
