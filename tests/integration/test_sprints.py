"""Sprint signups survive SIGKILL (issue 5), through the local Discord stand-in.

test_crash_durability: 200 guild members send 500 `!sprint join` / `!sprint
leave` commands (random project, day and user; three projects x two days,
five seats each, so waitlists and promotions are frequent). Every simulated
person behaves like one: it sends a command, waits for the reply (matched by
the reply's message_reference to the command's message id) and only then
does something else. The daemon is killed with SIGKILL at random points
(every 30-80 operations; sometimes right after a burst of commands, so they
are mid-flight; sometimes while users keep typing into the void) and
restarted on the same database. Its new gateway session never sees what was
sent to the dead one, so people whose command went unanswered send it again
(join and leave are idempotent).

The model is built only from what people were told: the last answer to each
person's command (in / waitlisted / left / not signed up) plus promotion DMs
("A seat opened up"), which may come from the plugin's outbox after a
restart. Every answer is checked against the person's told state as it
arrives (a join by someone already in must say "already"; a leave by
someone who was never in must say "not signed up"; seat counts never exceed
capacity). At the end the daemon is stopped cleanly and the SQLite database,
opened read-only, must match the model exactly: the confirmed set and the
waitlist set of every (project, day), waitlist order where the model knows
it (one person's join was answered before the other's was sent), no
duplicate rows, no free seat while people wait, an empty outbox, and row and
archive counts that prove no join inserted twice and no leave was lost.

The only thing read from the database during the run is which people have a
DM still queued in the outbox: such a person waits for it before sending
another command, so that a promotion DM can always be told apart from a
stale one (see Durability._eligible).

test_last_seat_race: two people send `!sprint join` for the last seat back to
back (two threads released together); exactly one is confirmed and the other
is on the waitlist at position 1. Repeated on six projects; in half of the
rounds the daemon is SIGKILLed right after both messages went out and the
unanswered people retry after the restart.

HALLWAY_SPRINTS_SEED fixes the random choices (the seed is printed).
"""
import os
import random
import re
import shutil
import sqlite3
import threading
import time
import unittest

from harness import PLUGIN_DIR, DaemonTestCase, base_config, wait_until

N_USERS = 200
N_OPS = 500
CAPACITY = 5
PROJECTS = ("Alpha", "Beta", "Gamma")
DAYS = ("2026-11-27", "2026-11-28")
SLOTS = [(p, d) for p in PROJECTS for d in DAYS]
GENERAL, TALKS, ORGANIZERS = "1000000000000000201", "1000000000000000202", "1000000000000000204"
FIRST_USER = 1000000000000001000  # the stand-in's member ids: alice, bob, carol, user0003...
IN_FLIGHT = 16                    # people waiting for an answer at once
REPLY_TIMEOUT_S = 30.0            # a live daemon must answer within this

RE_IN = re.compile(r"^You're in: (\w+) on (\S+) \((\d+)/(\d+) seats taken\)\.$")
RE_ALREADY_IN = re.compile(r"^You're already signed up: (\w+) on (\S+) \((\d+)/(\d+) seats taken\)\.$")
RE_WAIT = re.compile(r"^(\w+) on (\S+) is full, so you're on the waitlist at position (\d+)\. "
                     r"You'll get a DM if a seat opens up\.$")
RE_ALREADY_WAIT = re.compile(r"^You're already on the waitlist for (\w+) on (\S+) at position (\d+)\. "
                             r"You'll get a DM if a seat opens up\.$")
RE_NOT = re.compile(r"^You're not signed up for (\w+) on (\S+); nothing to do\.$")
RE_LEFT_WAIT = re.compile(r"^You left the waitlist for (\w+) on (\S+)\.$")
RE_LEFT = re.compile(r"^You left (\w+) on (\S+)\.( Your seat went to the next person on the waitlist\.)?$")
RE_DM = re.compile(r"^A seat opened up: you are now confirmed for the (\w+) sprint on (\S+)\. ")


def sprints_available():
    return os.path.exists(os.path.join(PLUGIN_DIR, "sprints.so"))


def parse_answer(text):
    """(kind, project, day, detail) of a reply to join/leave, or None.

    kind: in, already_in, wait, already_wait, not, left_wait, left.
    detail: (taken, capacity) for in/already_in, position for the
    waitlist, True when a leave promoted someone."""
    for kind, rx in (("in", RE_IN), ("already_in", RE_ALREADY_IN), ("wait", RE_WAIT),
                     ("already_wait", RE_ALREADY_WAIT), ("not", RE_NOT),
                     ("left_wait", RE_LEFT_WAIT), ("left", RE_LEFT)):
        m = rx.match(text)
        if m:
            g = m.groups()
            if kind in ("in", "already_in"):
                detail = (int(g[2]), int(g[3]))
            elif kind in ("wait", "already_wait"):
                detail = int(g[2])
            elif kind == "left":
                detail = bool(g[2])
            else:
                detail = None
            return kind, g[0], g[1], detail
    return None


STATUS_OF = {"in": "C", "already_in": "C", "wait": "W", "already_wait": "W",
             "not": None, "left_wait": None, "left": None}


class Inbox:
    """Bot messages from the stand-in's own loop, in creation order, each once."""

    def __init__(self, st):
        self.st = st
        self.last_id = 0

    def new(self):
        after = self.last_id

        def collect():
            w = self.st.standin.world
            dm_owner = {cid: uid for uid, cid in w.dm_by_user.items()}
            out = []
            for cid, msgs in list(w.messages.items()):
                for m in reversed(msgs):
                    if int(m["id"]) <= after:
                        break
                    if m["author"]["id"] == w.bot_id:
                        ref = (m.get("message_reference") or {}).get("message_id")
                        out.append((int(m["id"]), cid, dm_owner.get(cid), m["content"], ref))
            out.sort()
            return out
        msgs = self.st.call(collect)
        if msgs:
            self.last_id = msgs[-1][0]
        return msgs


class SprintsCase(DaemonTestCase):
    standin_options = {"heartbeat_ms": 1000, "identify_window_s": 0, "guild_members": N_USERS + 10,
                       "message_rate_limit": 1000, "message_rate_window_s": 1,
                       "default_rate_limit": 1000, "global_rate_limit": 1000}

    def setUp(self):
        if not sprints_available():
            self.skipTest("the sprints plugin is not built")
        super().setUp()

    def tearDown(self):
        keep = os.environ.get("HALLWAY_SPRINTS_KEEP")
        if keep:  # a folder: the work folder (database, config) is copied there
            shutil.copytree(self.workdir, os.path.join(keep, self.id()), dirs_exist_ok=True)
        super().tearDown()

    def sprints_config(self, projects):
        cfg = base_config(self.st, self.workdir, plugins={"sprints": {"projects": projects}},
                          plugin_dir=PLUGIN_DIR)
        cfg["log"] = {"level": "info"}
        return cfg

    def start(self, cfg):
        t0 = time.monotonic()
        d = self.daemon(cfg)
        d.wait_log("READY as", 60)
        return d, time.monotonic() - t0

    def kill(self, d):
        d.proc.kill()  # SIGKILL
        d.wait(15)
        d.proc.stdout.close()
        d.proc.stderr.close()
        # A reply the dead process had fully written may still be stored.
        time.sleep(0.15)

    def db(self):
        return sqlite3.connect("file:%s?mode=ro" % os.path.join(self.workdir, "hallway.db"),
                               uri=True, timeout=10)


class Person:
    def __init__(self, idx):
        self.idx = idx
        self.uid = str(FIRST_USER + idx)
        self.cmd = None        # the command waiting for an answer (an op dict)


class Durability(SprintsCase):
    """The model and its driver; test_sprints_standby.py reuses them with two
    daemons on PostgreSQL (n_ops, n_users, recover, db and inserted_rows are
    what it changes)."""
    n_ops = N_OPS
    n_users = N_USERS
    kill_every = (30, 80)      # ops between two kills
    min_kills = 5
    need_lost_answer = True    # a kill must fall between a commit and its answer

    def test_crash_durability(self):
        seed = int(os.environ.get("HALLWAY_SPRINTS_SEED", random.randrange(1 << 30)))
        rng = random.Random(seed)
        print("\nsprints durability: seed %d (HALLWAY_SPRINTS_SEED)" % seed)
        cfg = self.sprints_config([{"name": p, "capacity": CAPACITY, "days": list(DAYS)}
                                   for p in PROJECTS])
        self.seed = seed
        self.cfg = cfg
        self.people = [Person(i) for i in range(self.n_users)]
        self.by_uid = {p.uid: p for p in self.people}
        self.model = {}          # (uid, slot) -> "C" | "W" (absent: not signed up)
        self.stint = {}          # (uid, slot) -> (first send t, answer t) of the join that made the row
        self.told_pos = {}       # (uid, slot) -> last waitlist position told
        self.attempt_of = {}     # command message id -> op
        self.ops = []            # every op, in issue order
        self.log = []            # readable history, for failures
        self.violations = []
        self.acted = set()       # people who sent a command
        self.promotions = []     # (uid, slot, stint) of every DM that moved someone off the waitlist
        self.stats = {"kills": 0, "retries": 0, "extra_replies": 0, "dms": 0, "stale_dms": 0,
                      "sent_while_down": 0, "in_flight_at_kill": 0, "kills_at_startup": 0}
        self.inbox = Inbox(self.st)
        self.replies = {}        # command message id -> how many replies it got
        self.ro = None
        self.down = False

        t_start = time.monotonic()
        d, startup = self.start(cfg)
        restarts = [startup]
        self.ro = self.db()
        next_kill = rng.randint(*self.kill_every)
        issued = 0
        last_progress = time.monotonic()
        while issued < self.n_ops or any(p.cmd for p in self.people):
            if self.pump():
                last_progress = time.monotonic()
            if time.monotonic() - last_progress > REPLY_TIMEOUT_S:
                self.fail_with("no answer for %.0f s from a live daemon; waiting: %s" % (
                    REPLY_TIMEOUT_S, [self.describe(p.cmd) for p in self.people if p.cmd][:10]))
            if issued >= next_kill and issued < self.n_ops:
                # "held": Discord holds the answers back (a 429 for a second)
                # while their changes commit, and the kill comes then: the
                # answer dies with the daemon after the commit. The first
                # kill is always one, so every run exercises it.
                mode = "held" if not self.stats["kills"] else rng.choice(
                    ("burst", "burst", "held", "soon", "later"))
                if mode == "held":
                    self.st.rest_fault(kind="429", path="/messages$", retry_after=1.5, count=4)
                    for _ in range(rng.randint(6, 12)):
                        if issued < self.n_ops and self.issue(rng):
                            issued += 1
                    time.sleep(0.4)
                    self.st.rest_fault(clear=True)
                elif mode == "burst":
                    # A burst of new commands, then the kill while they are in flight.
                    for _ in range(rng.randint(4, 12)):
                        if issued < self.n_ops and self.issue(rng):
                            issued += 1
                    time.sleep(rng.choice((0, 0.001, 0.003, 0.01)))
                elif mode == "soon":
                    time.sleep(rng.uniform(0, 0.03))
                else:
                    t_end = time.monotonic() + rng.uniform(0.03, 0.3)
                    while time.monotonic() < t_end:
                        self.pump()
                        time.sleep(0.002)
                self.stats["in_flight_at_kill"] += sum(1 for p in self.people if p.cmd)
                d, startup, issued = self.recover(d, cfg, rng, issued)
                restarts.append(startup)
                next_kill = issued + rng.randint(*self.kill_every)
                last_progress = time.monotonic()
                continue
            busy = sum(1 for p in self.people if p.cmd)
            while issued < self.n_ops and busy < IN_FLIGHT and self.issue(rng):
                issued += 1
                busy += 1
            time.sleep(0.003)

        # Every command answered; let the outbox drain (promotion DMs).
        def outbox_empty():
            self.pump()
            return self.ro.execute("SELECT count(*) FROM sprints_outbox").fetchone()[0] == 0
        try:
            wait_until(outbox_empty, 20, interval=0.1, what="the sprints outbox to drain")
        except AssertionError:
            pass  # reported with the database below
        time.sleep(0.5)
        self.pump()
        self.ro.close()
        self.ro = None
        self.assertEqual(d.stop(), 0, "the daemon did not exit cleanly:\n" + d.log_text()[-3000:])
        self.pump()
        elapsed = time.monotonic() - t_start
        self.check_database()
        answered = [op for op in self.ops if op.get("answer")]
        kinds = {}
        for op in answered:
            kinds[op["answer"][0]] = kinds.get(op["answer"][0], 0) + 1
        # Commands the dead daemon committed but never answered: the retry says "already".
        lost_answers = sum(1 for op in answered if len(op["attempts"]) > 1 and (
            (op["prior"] is None and op["answer"][0].startswith("already")) or
            (op["prior"] is not None and op["answer"][0] == "not")))
        print("sprints durability: %d ops (%s) from %d people in %.1f s; %d SIGKILLs (%d while starting), "
              "%d restarts "
              "(start-up to READY %.2f-%.2f s), %d commands in flight at the kills, %d sent while down, "
              "%d retries (%d of them committed by the killed daemon, answer lost), %d extra replies, "
              "%d promotion DMs (%d stale/duplicate)"
              % (len(self.ops), ", ".join("%s %d" % kv for kv in sorted(kinds.items())),
                 len({op["uid"] for op in self.ops}), elapsed, self.stats["kills"],
                 self.stats["kills_at_startup"], len(restarts) - 1,
                 min(restarts), max(restarts), self.stats["in_flight_at_kill"],
                 self.stats["sent_while_down"], self.stats["retries"], lost_answers, self.stats["extra_replies"],
                 self.stats["dms"], self.stats["stale_dms"]))
        self.assertEqual(len(answered), self.n_ops)
        self.assertEqual(len(self.acted), self.n_users)
        for d in self.daemons:
            self.assertEqual(self.bad_log_lines(d), [], "the daemon logged errors")
        self.assertGreaterEqual(self.stats["kills"], self.min_kills)
        self.assertGreater(self.stats["dms"], 0, "no promotion happened: the test did not exercise them")
        if self.need_lost_answer:
            self.assertGreater(lost_answers, 0, "no kill fell between a commit and its answer")

    def recover(self, d, cfg, rng, issued):
        """SIGKILLs d and starts the daemon again on the same database;
        people whose command went unanswered send it again. Returns the new
        daemon, its start-up time and the ops issued so far."""
        self.kill(d)
        self.stats["kills"] += 1
        self.down = True
        self.pump()
        # People keep typing while the bot is away.
        for _ in range(rng.choice((0, 0, 2, 5))):
            if issued < self.n_ops and self.issue(rng):
                issued += 1
                self.stats["sent_while_down"] += 1
        if rng.random() < 0.2:
            # Killed again while starting: migrations, config merge,
            # outbox flush, gateway handshake.
            early = self.daemon(cfg)
            time.sleep(rng.uniform(0.0, 0.15))
            self.kill(early)
            self.stats["kills"] += 1
            self.stats["kills_at_startup"] += 1
            self.pump()
        d, startup = self.start(cfg)
        self.down = False
        self.pump()
        self.log.append("--- restarted (kill %d)" % self.stats["kills"])
        self.retry_pending()
        return d, startup, issued

    def bad_log_lines(self, d):
        return [l for l in d.log if " ERROR " in l or ("WARN" in l and "sprints" in l)]

    def retry_pending(self):
        for p in self.people:
            if p.cmd:
                self.send(p, p.cmd)
                self.stats["retries"] += 1

    def inserted_rows(self, con):
        """How many signup rows were ever inserted (ids are never reused)."""
        seq = con.execute("SELECT seq FROM sqlite_sequence WHERE name = 'sprints_signups'").fetchone()
        return seq[0] if seq else 0

    # --- driving ---------------------------------------------------------

    def eligible(self):
        """Idle people without a DM still queued in the outbox.

        A promotion DM is told apart from a stale one by the person's state
        when it arrives (only someone on the waitlist can be promoted). A
        person whose DM is still queued could otherwise leave, rejoin the
        waitlist and then receive the old DM; so, like someone who waits for
        a notification before acting, they wait until it is delivered."""
        queued = set()
        if not self.down:
            queued = {r[0] for r in self.ro.execute("SELECT DISTINCT user_id FROM sprints_outbox")}
        self.pump()  # a DM whose row was just deleted is already in the stand-in
        return [p for p in self.people if not p.cmd and p.uid not in queued]

    def issue(self, rng):
        people = self.eligible()
        if not people:
            return False
        r = rng.random()
        holders = [(p, s) for p in people for s in SLOTS if self.model.get((p.uid, s)) == "C"]
        signed = [(p, s) for p in people for s in SLOTS if (p.uid, s) in self.model]
        if r < 0.15 and holders:
            p, slot = rng.choice(holders)
            verb = "leave"
        elif r < 0.27 and signed:
            p, slot = rng.choice(signed)
            verb = "leave"
        elif r < 0.3:
            p, slot, verb = rng.choice(people), rng.choice(SLOTS), "leave"
        else:
            # Everyone joins something early on; then anyone may.
            fresh = [q for q in people if q.uid not in self.acted]
            p, slot, verb = rng.choice(fresh or people), rng.choice(SLOTS), "join"
        self.acted.add(p.uid)
        where = rng.choice((GENERAL, TALKS, ORGANIZERS, "dm"))
        op = {"n": len(self.ops), "uid": p.uid, "verb": verb, "slot": slot, "where": where,
              "attempts": [], "prior": self.model.get((p.uid, slot)), "t0": time.monotonic(),
              "answer": None, "dm_during": False}
        self.ops.append(op)
        p.cmd = op
        self.send(p, op)
        return True

    def send(self, p, op):
        text = "!sprint %s %s %s" % (op["verb"], op["slot"][0], op["slot"][1])
        if op["where"] == "dm":
            msg = self.st.inject_message(content=text, user_id=p.uid, dm=True)
        else:
            msg = self.st.inject_message(content=text, user_id=p.uid, channel_id=op["where"])
        op["attempts"].append(msg["id"])
        self.attempt_of[msg["id"]] = op
        self.log.append("#%d %s %s %s/%s attempt %d%s" % (op["n"], p.uid[-4:], op["verb"], op["slot"][0],
                                                          op["slot"][1], len(op["attempts"]),
                                                          " (bot down)" if self.down else ""))

    def describe(self, op):
        return "#%d %s %s %s/%s prior=%s attempts=%d answer=%r" % (
            op["n"], op["uid"][-4:], op["verb"], op["slot"][0], op["slot"][1], op["prior"],
            len(op["attempts"]), op["answer"])

    def violation(self, what, op=None):
        self.violations.append(what + (" [%s]" % self.describe(op) if op else ""))
        self.log.append("!!! " + what)

    # --- what people are told -------------------------------------------

    def pump(self):
        """Applies every new bot message to the model; True if any arrived."""
        msgs = self.inbox.new()
        for mid, cid, dm_uid, text, ref in msgs:
            if ref:
                self.replies[ref] = self.replies.get(ref, 0) + 1
            if ref and ref in self.attempt_of:
                self.on_reply(self.attempt_of[ref], text)
            elif dm_uid and RE_DM.match(text):
                m = RE_DM.match(text)
                self.on_dm(dm_uid, (m.group(1), m.group(2)))
            else:
                self.violation("unexpected bot message in %s: %r" % (cid, text[:200]))
        return bool(msgs)

    def on_dm(self, uid, slot):
        self.stats["dms"] += 1
        key = (uid, slot)
        p = self.by_uid[uid]
        self.log.append("DM %s promoted on %s/%s (was %s)" % (uid[-4:], slot[0], slot[1], self.model.get(key)))
        inflight = p.cmd and p.cmd["slot"] == slot
        if inflight:
            p.cmd["dm_during"] = True
        if self.model.get(key) == "W":
            self.model[key] = "C"
            self.promotions.append((uid, slot, self.stint.get(key)))
            return
        self.stats["stale_dms"] += 1
        # Stale (the person left since, or the DM came twice) or for a join
        # whose waitlist answer died with the daemon; but never for nothing.
        if not any(op["uid"] == uid and op["slot"] == slot and op["verb"] == "join" for op in self.ops):
            self.violation("promotion DM to %s for %s/%s, who never asked to join it" % (uid, *slot))

    def on_reply(self, op, text):
        ans = parse_answer(text)
        if ans is None or (ans[1], ans[2]) != op["slot"]:
            self.violation("reply %r does not answer the command" % text, op)
            return
        kind, _, _, detail = ans
        if (op["verb"] == "join") != (kind in ("in", "already_in", "wait", "already_wait")):
            self.violation("reply %r to a %s" % (text, op["verb"]), op)
            return
        if kind in ("in", "already_in") and not 1 <= detail[0] <= detail[1] == CAPACITY:
            self.violation("seat count %d/%d in %r" % (detail[0], detail[1], text), op)
        if kind in ("wait", "already_wait") and detail < 1:
            self.violation("waitlist position %d" % detail, op)
        if op["answer"] is not None:
            # A second answer to the same command (the dead daemon's reply to
            # an earlier attempt stored late): it must describe the same state.
            self.stats["extra_replies"] += 1
            if op["verb"] == "leave" and STATUS_OF[kind] is not None:
                self.violation("second answer %r disagrees" % text, op)
            return
        op["answer"] = (kind, detail)
        op["t1"] = time.monotonic()
        key = (op["uid"], op["slot"])
        self.log.append("#%d %s <- %s" % (op["n"], op["uid"][-4:], text))
        retried = len(op["attempts"]) > 1
        before = self.model.get(key)   # may differ from op["prior"] after a DM
        allowed = {
            ("join", None): {"in", "wait"} | ({"already_in", "already_wait"} if retried else set()),
            ("join", "C"): {"already_in"},
            ("join", "W"): {"already_wait", "already_in"},
            ("leave", None): {"not"},
            ("leave", "C"): {"left"} | ({"not"} if retried else set()),
            ("leave", "W"): {"left_wait", "left"} | ({"not"} if retried else set()),
        }[(op["verb"], op["prior"])]
        if kind not in allowed:
            self.violation("answer %r but the person had been told %s" % (text, op["prior"] or "nothing"), op)
        if before == "C" and kind in ("already_wait", "left_wait") and not op["dm_during"]:
            self.violation("demoted to the waitlist after a promotion DM: %r" % text, op)
        status = STATUS_OF[kind]
        if status == "W" and op["dm_during"] and op["verb"] == "join":
            # The DM came while the join was in flight and the join still
            # found a waitlist row: the promotion followed the join.
            status = "C"
        if status is None:
            self.model.pop(key, None)
            self.stint.pop(key, None)
            self.told_pos.pop(key, None)
        else:
            if before is None:
                self.stint[key] = (op["t0"], op["t1"])
            self.model[key] = status
            if status == "W":
                if before == "W" and detail > self.told_pos.get(key, detail):
                    self.violation("moved back on the waitlist from position %d to %d"
                                   % (self.told_pos[key], detail), op)
                self.told_pos[key] = detail
        self.by_uid[op["uid"]].cmd = None

    # --- the database against the model ----------------------------------

    def history(self, uids):
        """What some people sent and were told, for a failure message."""
        out = []
        for uid in sorted(uids)[:8]:
            out.append("history of %s:" % uid)
            out += ["  " + l for l in self.log if " %s " % uid[-4:] in l][:40]
        return "\n" + "\n".join(out) if out else ""

    def fail_with(self, msg):
        keep = os.environ.get("HALLWAY_SPRINTS_KEEP")
        if keep:
            os.makedirs(keep, exist_ok=True)
            with open(os.path.join(keep, "oplog.txt"), "w") as f:
                f.write("\n".join(self.log) + "\n")
            for i, d in enumerate(self.daemons):
                with open(os.path.join(keep, "daemon%02d.log" % i), "w") as f:
                    f.write(d.log_text() + "\n")
        self.fail("%s\nseed %d; last of the op log:\n%s" % (msg, self.seed, "\n".join(self.log[-60:])))

    def check_database(self):
        con = self.db()
        try:
            pid = {name: i for i, name in con.execute(
                "SELECT id, name FROM sprints_projects WHERE removed_ms IS NULL")}
            rows = con.execute("SELECT id, project_id, day, user_id, status FROM sprints_signups "
                               "ORDER BY id").fetchall()
            outbox = con.execute("SELECT user_id, text FROM sprints_outbox").fetchall()
            archived = con.execute("SELECT count(*) FROM sprints_archive WHERE reason = 'left'").fetchone()[0]
            inserted = self.inserted_rows(con)
            caps = dict(con.execute("SELECT id, capacity FROM sprints_projects"))
        finally:
            con.close()
        problems = []
        suspects = set()
        name_of = {i: n for n, i in pid.items()}
        seen = {}
        for r in rows:
            k = (r[1], r[2], r[3])
            if k in seen:
                problems.append("duplicate rows %r and %r" % (seen[k], r))
            seen[k] = r
        for slot in SLOTS:
            p = pid[slot[0]]
            conf = [r[3] for r in rows if r[1] == p and r[2] == slot[1] and r[4] == "confirmed"]
            wait = [r[3] for r in rows if r[1] == p and r[2] == slot[1] and r[4] == "waitlist"]
            m_conf = {u for (u, s), v in self.model.items() if s == slot and v == "C"}
            m_wait = {u for (u, s), v in self.model.items() if s == slot and v == "W"}
            if len(conf) > caps[p]:
                problems.append("%s/%s: %d confirmed, capacity %d" % (*slot, len(conf), caps[p]))
            if wait and len(conf) < caps[p]:
                problems.append("%s/%s: a free seat (%d/%d) while %d wait" % (*slot, len(conf), caps[p], len(wait)))
            suspects.update((set(conf) ^ m_conf) | (set(wait) ^ m_wait))
            if set(conf) != m_conf:
                problems.append("%s/%s confirmed: only in the db %s, told but missing %s" % (
                    *slot, sorted(set(conf) - m_conf), sorted(m_conf - set(conf))))
            if set(wait) != m_wait:
                problems.append("%s/%s waitlist: only in the db %s, told but missing %s" % (
                    *slot, sorted(set(wait) - m_wait), sorted(m_wait - set(wait))))
            for i, u in enumerate(wait):
                told = self.told_pos.get((u, slot))
                if told is not None and i + 1 > told:
                    problems.append("%s/%s: %s at waitlist position %d, was told %d" % (*slot, u, i + 1, told))
                for v in wait[i + 1:]:
                    su, sv = self.stint.get((u, slot)), self.stint.get((v, slot))
                    if su and sv and sv[1] < su[0]:
                        problems.append("%s/%s: %s is ahead of %s, whose join was answered before %s's was sent"
                                        % (*slot, u, v, u))
            # First come, first served: nobody still waiting may have joined
            # before someone who was promoted.
            for u, s, su in self.promotions:
                if s != slot or not su:
                    continue
                for v in wait:
                    sv = self.stint.get((v, slot))
                    if sv and sv[1] < su[0]:
                        problems.append("%s/%s: %s was promoted while %s, who joined before, still waits"
                                        % (*slot, u, v))
        if outbox:
            problems.append("outbox not empty: %r" % outbox[:5])
        if set(name_of) - {pid[p] for p in PROJECTS}:
            problems.append("unexpected projects %r" % name_of)
        # Every insert is a join answered fresh (in/wait), or one whose answer
        # was lost with a killed daemon and replayed as "already".
        fresh = sum(1 for op in self.ops if op["answer"] and op["answer"][0] in ("in", "wait"))
        replayed = sum(1 for op in self.ops if op["answer"] and op["answer"][0] in ("already_in", "already_wait")
                       and len(op["attempts"]) > 1 and op["prior"] is None)
        if not fresh <= inserted <= fresh + replayed:
            problems.append("%d signup rows were ever inserted; %d joins were answered fresh and %d replayed"
                            % (inserted, fresh, replayed))
        left = sum(1 for op in self.ops if op["answer"] and op["answer"][0] in ("left", "left_wait"))
        left_replayed = sum(1 for op in self.ops if op["answer"] and op["answer"][0] == "not"
                            and len(op["attempts"]) > 1 and op["prior"] is not None)
        if not left <= archived <= left + left_replayed:
            problems.append("%d leaves archived; %d were answered and %d replayed" % (archived, left, left_replayed))
        if problems or self.violations:
            self.fail_with("%d answers contradict what the people had been told before:\n%s\n"
                           "the database does not match what people were told (%d problems):\n%s"
                           % (len(self.violations), "\n".join(self.violations[:25]),
                              len(problems), "\n".join(problems[:40])) + self.history(suspects))


class LastSeatRace(SprintsCase):
    ROUNDS = 6

    def test_last_seat_race(self):
        projects = ["Race%d" % i for i in range(self.ROUNDS)]
        day = DAYS[0]
        cfg = self.sprints_config([{"name": p, "capacity": 2, "days": [day]} for p in projects])
        d, _ = self.start(cfg)
        inbox = Inbox(self.st)
        answers = {}  # command message id -> text

        def collect():
            for _mid, _cid, _dm, text, ref in inbox.new():
                if ref:
                    answers.setdefault(ref, text)

        def say(uid, text, where):
            if where == "dm":
                return self.st.inject_message(content=text, user_id=uid, dm=True)["id"]
            return self.st.inject_message(content=text, user_id=uid, channel_id=where)["id"]

        def answer_to(ids):
            collect()
            return next((answers[i] for i in ids if i in answers), None)

        kills = 0
        for r, proj in enumerate(projects):
            first, a, b = (str(FIRST_USER + 3 * r + k) for k in (10, 11, 12))
            cmd = "!sprint join %s %s" % (proj, day)
            mid = say(first, cmd, GENERAL)
            wait_until(lambda: answer_to([mid]), 15, what="the first join")
            self.assertEqual(parse_answer(answer_to([mid]))[0], "in")
            # Two people, two doors, released together.
            ids = {a: [], b: []}
            gate = threading.Barrier(2)

            def racer(uid, where):
                gate.wait()
                ids[uid].append(say(uid, cmd, where))
            threads = [threading.Thread(target=racer, args=(a, TALKS)), threading.Thread(target=racer, args=(b, "dm"))]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            if r % 2:
                self.kill(d)
                kills += 1
                d, _ = self.start(cfg)
                collect()
                for uid, where in ((a, TALKS), (b, "dm")):
                    if not answer_to(ids[uid]):
                        ids[uid].append(say(uid, cmd, where))
            wait_until(lambda: answer_to(ids[a]) and answer_to(ids[b]), 20, what="both racers answered")
            got = {uid: parse_answer(answer_to(ids[uid])) for uid in (a, b)}
            kinds = sorted(g[0].replace("already_", "") for g in got.values())
            self.assertEqual(kinds, ["in", "wait"], "round %d: %r" % (r, got))
            loser = [uid for uid in (a, b) if got[uid][0].endswith("wait")][0]
            winner = a if loser == b else b
            self.assertEqual(got[loser][3], 1, "round %d: %r" % (r, got))
            self.assertEqual(got[winner][3], (2, 2), "round %d: %r" % (r, got))
            con = self.db()
            rows = con.execute("SELECT s.user_id, s.status FROM sprints_signups s JOIN sprints_projects p "
                               "ON p.id = s.project_id WHERE p.name = ? ORDER BY s.id", (proj,)).fetchall()
            con.close()
            self.assertEqual(sorted(u for u, s in rows if s == "confirmed"), sorted([first, winner]), rows)
            self.assertEqual([u for u, s in rows if s == "waitlist"], [loser], rows)
        self.assertEqual(kills, self.ROUNDS // 2)
        self.assertEqual(d.stop(), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
