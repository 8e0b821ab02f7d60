"""Soak (issue 8): a compressed conference day through the stand-in with a
fault every few seconds.

The conference clock starts at 08:00 on the sample schedule's first day
(HALLWAY_NOW) and runs HALLWAY_CLOCK_SPEED times faster, so that 12 hours
pass in the test's duration; the gateway heartbeat is 500 ms. Attendees
chat, run chat and slash commands, join sprints; an organizer posts
announcements; every FAULT_EVERY_S seconds the stand-in injects the next
fault from its list (op 7, close 4000, TCP drop, delayed ACKs, op 9
resumable, REST 429, REST 502).

At the end:
- every chat command and every slash command got exactly one answer
  (matched by a unique token in its text),
- every announcement is in the announcement channel exactly once,
- every sprint signup is in the database (none lost or doubled),
- resident memory grew less than 5 % from the end of warm-up (the first
  quarter) to the end,
- the daemon is still connected and exits cleanly.

Duration: HALLWAY_SOAK_SECONDS (default 150, at most 3 minutes in CI; run
the long one by hand, e.g. HALLWAY_SOAK_SECONDS=3600).
"""
import json
import os
import random
import sqlite3
import time
import unittest

from harness import PLUGIN_DIR, SOURCE_DIR, DaemonTestCase, base_config, wait_until

SAMPLE = os.path.join(SOURCE_DIR, "plugins", "schedule", "sample", "hallwaycon.json")
ANNOUNCE_CHANNEL = "1000000000000000203"
DURATION_S = float(os.environ.get("HALLWAY_SOAK_SECONDS", "150"))
DAY_S = 12 * 3600
FAULT_EVERY_S = 4.0
RATE_PER_S = 40  # gateway events the load generator aims for

FAULTS = [
    ("gateway", {"action": "reconnect"}),
    ("gateway", {"action": "close", "code": 4000}),
    ("gateway", {"action": "drop"}),
    ("gateway", {"action": "ack_delay", "ms": 300, "count": 2}),
    ("gateway", {"action": "invalid_session", "resumable": True}),
    ("rest", {"kind": "429", "path": "/messages$", "retry_after": 0.5, "count": 1}),
    ("rest", {"kind": "status", "status": 502, "path": "/messages$", "count": 2}),
    ("rest", {"kind": "429", "path": "/callback$", "retry_after": 0.3, "count": 1}),
]


def have_plugin(name):
    return os.path.exists(os.path.join(PLUGIN_DIR, name + ".so"))


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class SoakTest(DaemonTestCase):
    def _explain_unanswered(self, d, slash_ids, delivered):
        """On failure, say which interactions went unanswered and what the
        stand-in and the daemon recorded about each (the first few)."""
        inters = {i["id"]: i for i in self.st.ctl("GET", "/_test/interactions")["interactions"]}
        missing = [i for i in slash_ids if i not in inters or slash_ids[i] not in json.dumps(inters[i]["responses"])]
        print("\n%d of %d slash commands unanswered" % (len(missing), len(slash_ids)))
        gw = [l for l in d.log if any(w in l for w in ("reconnect", "resum", "invalid", "heartbeat", "closed"))]
        print("daemon's gateway log (%d lines, the last 60):" % len(gw))
        for line in gw[-60:]:
            print("  " + line[:300])
        for iid in missing[:5]:
            print("interaction %s (%s): %s" % (iid, slash_ids[iid], json.dumps(inters.get(iid))[:1500]))
            for line in d.log:
                if iid in line or slash_ids[iid] in line:
                    print("  log: " + line[:400])
            inter = inters.get(iid)
            if not inter or not inter["responses"]:
                continue
            first = inter["responses"][0]
            created = first["t"] - first["after_s"]
            print("  created at %.3f, delivered to %s" % (created, delivered.get(iid)))
            for dl in delivered.get(iid) or []:
                for ev in self.st.ctl("GET", "/_test/gateway/sent?since=%r" % (created - 1))["sent"]:
                    if ev["s"] == dl["s"] and ev["type"] == "INTERACTION_CREATE":
                        print("  sent on conn %s at %+.3f s" % (ev["conn"], ev["t"] - created))
            for c in self.st.ctl("GET", "/_test/gateway/connections")["connections"]:
                if c["opened"] < first["t"] + 1 and (c["closed"] is None or c["closed"] > created - 5):
                    print("  conn %s" % json.dumps(c)[:300])
            for r in self.st.ctl("GET", "/_test/rest/requests?since=%r" % (created - 2))["requests"]:
                if r["t"] < first["t"] + 0.5 and iid == missing[0]:
                    print("  rest %+.3f %s %s %s" % (r["t"] - created, r["method"], r["path"][:60], r["status"]))

    standin_options = {"heartbeat_ms": 500, "identify_window_s": 0, "guild_members": 60,
                       "message_rate_limit": 50, "message_rate_window_s": 1}

    def test_conference_day(self):
        plugins = {"hello": {}}
        if have_plugin("schedule"):
            plugins["schedule"] = {"source": SAMPLE, "timezone": "Europe/Brussels"}
        sprints = have_plugin("sprints")
        announce = have_plugin("announce")
        if sprints:
            plugins["sprints"] = {"projects": [{"name": "Soak", "capacity": 10000}]}
        if announce:
            plugins["announce"] = {"channels": [ANNOUNCE_CHANNEL], "timezone": "Europe/Brussels"}
        cfg = base_config(self.st, self.workdir, plugins=plugins, plugin_dir=PLUGIN_DIR)
        cfg["log"] = {"level": "info"}
        env = {"HALLWAY_NOW": "2026-11-26T08:00:00+01:00",
               "HALLWAY_CLOCK_SPEED": "%g" % (DAY_S / DURATION_S),
               # Under ASan, freed memory sits in a quarantine that would look like growth.
               "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "detect_leaks=1") + ":quarantine_size_mb=0:thread_local_quarantine_size_kb=0"}
        d = self.daemon(cfg, env=env)
        self.ready(d)

        users = [u for u in self.world["users"] if not u.get("bot")]
        alice = [u["id"] for u in users if u["username"] == "alice"][0]
        rng = random.Random(8)
        chat_tokens, slash_ids, ann_tokens, joined = [], {}, [], set()
        delivered = {}
        counts = {"chatter": 0, "chat_cmd": 0, "slash": 0, "announce": 0, "join": 0, "faults": 0}
        rss = []
        t0 = time.monotonic()
        next_fault = t0 + FAULT_EVERY_S
        warm_end = t0 + DURATION_S * 0.25
        warm_rss = None
        n = 0
        while time.monotonic() - t0 < DURATION_S:
            tick = time.monotonic()
            for _ in range(RATE_PER_S // 4):
                n += 1
                user = rng.choice(users)["id"]
                r = rng.random()
                if r < 0.55:
                    self.st.inject_message(content="chatter %d about talks, coffee and %s" % (n, "🙂" * (n % 5)),
                                           user_id=user)
                    counts["chatter"] += 1
                elif r < 0.80:
                    tok = "soakc%d" % n
                    self.st.inject_message(content="!hello %s" % tok, user_id=user)
                    chat_tokens.append(tok)
                    counts["chat_cmd"] += 1
                elif r < 0.92:
                    tok = "soaks%d" % n
                    res = self.st.inject_interaction(name="hello", options={"name": tok}, user_id=user)
                    slash_ids[res["id"]] = tok
                    delivered[res["id"]] = res.get("delivered")
                    counts["slash"] += 1
                elif sprints and r < 0.97 and user not in joined:
                    self.st.inject_message(content="!sprint join Soak", user_id=user)
                    joined.add(user)
                    counts["join"] += 1
                elif announce and r >= 0.97 and n % 3 == 0:
                    tok = "soaka%d" % n
                    self.st.inject_message(content="!announce now %s" % tok, user_id=alice)
                    ann_tokens.append(tok)
                    counts["announce"] += 1
            now = time.monotonic()
            if now >= next_fault:
                kind, spec = FAULTS[counts["faults"] % len(FAULTS)]
                try:
                    if kind == "gateway":
                        self.st.gateway_fault(**spec)
                    else:
                        self.st.rest_fault(**spec)
                except RuntimeError:
                    pass  # 409: no connection open right now (reconnecting)
                counts["faults"] += 1
                next_fault = now + FAULT_EVERY_S
            if warm_rss is None and now >= warm_end:
                warm_rss = rss_kb(d.proc.pid)
            rss.append(rss_kb(d.proc.pid))
            time.sleep(max(0.0, 0.25 - (time.monotonic() - tick)))

        # Drain: every answer must arrive once the faults stop.
        def chat_answers():
            return [m["content"] for m in self.st.messages(author="bot")]

        def all_chat_answered():
            text = "\n".join(chat_answers())
            return all(tok in text for tok in chat_tokens)
        wait_until(all_chat_answered, 120, interval=1.0, what="every chat command answered")

        def slash_text(inter):
            return json.dumps(inter["responses"])

        def all_slash_answered():
            inters = {i["id"]: i for i in self.st.ctl("GET", "/_test/interactions")["interactions"]}
            return all(i in inters and slash_ids[i] in slash_text(inters[i]) for i in slash_ids)
        try:
            wait_until(all_slash_answered, 60, interval=1.0, what="every slash command answered")
        except AssertionError:
            self._explain_unanswered(d, slash_ids, delivered)
            raise
        time.sleep(3.0)
        final_rss = rss_kb(d.proc.pid)

        msgs = self.st.messages(author="bot")
        for tok in chat_tokens:
            hits = [m for m in msgs if m["channel_id"] != ANNOUNCE_CHANNEL and
                    (tok + "!") in m["content"]]
            self.assertEqual(len(hits), 1, "%s answered %d times" % (tok, len(hits)))
        inters = {i["id"]: i for i in self.st.ctl("GET", "/_test/interactions")["interactions"]}
        for iid, tok in slash_ids.items():
            content = [r for r in inters[iid]["responses"] if tok in json.dumps(r.get("data"))]
            self.assertEqual(len(content), 1, "/hello %s answered %d times" % (tok, len(content)))
        for m in msgs:
            self.assertFalse(m["mention_everyone"])
        if announce:
            wait_until(lambda: all(any(t in m["content"] for m in self.st.messages(channel_id=ANNOUNCE_CHANNEL))
                                   for t in ann_tokens), 60, interval=1.0, what="every announcement posted")
            posted = [m["content"] for m in self.st.messages(channel_id=ANNOUNCE_CHANNEL, author="bot")]
            for tok in ann_tokens:
                n_posted = sum(1 for c in posted if tok in c.split())
                self.assertEqual(n_posted, 1, "announcement %s posted %d times" % (tok, n_posted))
        if sprints:
            time.sleep(1.0)
            con = sqlite3.connect("file:%s?mode=ro" % os.path.join(self.workdir, "hallway.db"), uri=True,
                                  timeout=10)
            rows = con.execute("SELECT s.user_id FROM sprints_signups s JOIN sprints_projects p "
                               "ON p.id = s.project_id WHERE p.name = 'Soak'").fetchall()
            con.close()
            self.assertEqual(sorted(r[0] for r in rows), sorted(joined), "sprint signups lost or doubled")

        st = self.st.state()
        growth = (final_rss - warm_rss) / warm_rss * 100.0 if warm_rss else 0.0
        elapsed = time.monotonic() - t0
        events = sum(v for k, v in counts.items() if k != "faults")
        print("\nsoak: %.0f s, %d events (%s), %d faults, %d resumes, %d identifies, "
              "RSS %d kB after warm-up -> %d kB at the end (%+.2f %%), peak %d kB"
              % (elapsed, events, ", ".join("%s %d" % kv for kv in counts.items() if kv[0] != "faults"),
                 counts["faults"], len(st["resumes"]), st["counters"]["identify"], warm_rss or 0,
                 final_rss, growth, max(rss)))
        self.assertGreater(counts["faults"], DURATION_S / FAULT_EVERY_S / 2)
        self.assertGreater(len(st["resumes"]), 3, "the faults did not make the bot resume")
        self.assertLess(growth, 5.0, "resident memory grew %.2f %% after warm-up" % growth)
        d.wait_log("READY", 1)
        self.assertIsNone(d.proc.poll(), "the daemon died")
        self.assertEqual(d.stop(), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
