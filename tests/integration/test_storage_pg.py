"""Plugin storage on PostgreSQL in the real daemon (issue 18): storage.url
points at a private cluster (scripts/pg-cluster.sh, started here and
stopped at the end); a plugin's units of work (db_run) land in its own
schema and survive a restart; the schedule plugin's stored copy answers a
restart without network from PostgreSQL; the database stopping mid-run
gives honest replies, writes nothing, keeps the gateway's heartbeats on
time, and work resumes by itself when it is back."""
import json
import os
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from harness import (DaemonTestCase, PLUGIN_DIR, SOURCE_DIR, base_config, wait_until)  # noqa: E402

SCRIPT = os.path.join(SOURCE_DIR, "scripts", "pg-cluster.sh")
SAMPLE = os.path.join(SOURCE_DIR, "plugins", "schedule", "sample", "hallwaycon.json")
OUTAGE_S = float(os.environ.get("HALLWAY_DB_OUTAGE_S", "30"))


class Cluster:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="hallway-pg-it-", dir="/tmp")
        os.chmod(self.dir, 0o755)
        self.url = subprocess.run([SCRIPT, "start", self.dir], check=True, capture_output=True,
                                  text=True, timeout=120).stdout.strip()
        with open(os.path.join(self.dir, "port")) as f:
            self.port = f.read().strip()

    def stop_server(self):
        bindir = [d for d in sorted(os.listdir("/usr/lib/postgresql"))][-1]
        cmd = ["/usr/lib/postgresql/%s/bin/pg_ctl" % bindir, "-D", os.path.join(self.dir, "data"),
               "-m", "immediate", "-w", "stop"]
        if os.getuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        subprocess.run(cmd, check=True, capture_output=True, timeout=60)

    def start_server(self):
        subprocess.run([SCRIPT, "start", self.dir, self.port], check=True, capture_output=True,
                       timeout=120)

    def psql(self, sql, db):
        url = self.url.rsplit("/", 1)[0] + "/" + db
        return subprocess.run(["psql", "-X", "-A", "-t", "-c", sql, url], check=True,
                              capture_output=True, text=True, timeout=30).stdout.strip()

    def new_database(self):
        name = "it_" + uuid.uuid4().hex[:12]
        self.psql("CREATE DATABASE %s" % name, "postgres")
        return name, self.url.rsplit("/", 1)[0] + "/" + name

    def remove(self):
        subprocess.run([SCRIPT, "stop", self.dir], check=False, capture_output=True, timeout=60)


class StorageOnPostgres(DaemonTestCase):

    @classmethod
    def setUpClass(cls):
        cls.pg = Cluster()

    @classmethod
    def tearDownClass(cls):
        cls.pg.remove()

    def config(self, url, plugins=None, plugin_dir=None, **extra):
        cfg = base_config(self.st, self.workdir, plugins=plugins, **extra)
        if plugin_dir:
            cfg["plugin_dir"] = plugin_dir
        cfg["storage"]["url"] = url
        return cfg

    def say(self, text, n):
        self.st.inject_message(content=text)
        return self.wait_bot_messages(n, timeout=15)[n - 1]["content"]

    def resumed(self, d):
        """With a lease, an orderly stop leaves the Discord session resumable
        (close code 4000) and the next daemon RESUMEs it (issue 18)."""
        wait_until(lambda: [r for r in self.st.state()["resumes"] if r.get("result") == "ok"], 15,
                   what="the restarted daemon's RESUME")
        d.wait_log("resumed (replayed", 15)

    def test_units_of_work_in_the_plugins_schema(self):
        db, url = self.pg.new_database()
        d = self.daemon(self.config(url))
        self.ready(d)
        self.assertEqual(self.say("!fx keep apple", 1), "kept apple (1)")
        self.assertEqual(self.say("!fx keep pear", 2), "kept pear (2)")
        # In the plugin's own schema, owned by its own role.
        self.assertEqual(self.pg.psql("SELECT string_agg(word, ',' ORDER BY word) "
                                      "FROM fx_good.fx_good_secrets", db), "apple,pear")
        self.assertEqual(self.pg.psql("SELECT tableowner FROM pg_tables "
                                      "WHERE tablename = 'fx_good_secrets'", db), "hallway_fx_good")
        self.assertEqual(self.pg.psql("SELECT version FROM hw.plugin_schema "
                                      "WHERE plugin = 'fx_good'", db), "1")
        self.assertEqual(d.stop(), 0)
        d2 = self.daemon(self.config(url))
        self.resumed(d2)
        self.assertEqual(self.say("!fx count", 3), "count 2")

    def test_plugins_reach_only_their_own_schema(self):
        """The per-plugin rule on PostgreSQL (a role and a schema per plugin):
        another plugin's table and the host's schema are refused
        (permission denied, HW_ERR_DENIED), the plugin's own answer."""
        db, url = self.pg.new_database()
        d = self.daemon(self.config(url, plugins={"fx_good": {}, "fx_other": {}}))
        self.ready(d)
        probes = [("!fx secret apple", "stored"),
                  ("!fxo secret pear", "stored"),
                  ("!fx peek fx_good_secrets", "peek fx_good_secrets: allowed rows=1"),
                  ("!fx peek fx_good.fx_good_secrets", "peek fx_good.fx_good_secrets: allowed rows=1"),
                  ("!fxo peek fx_other.fx_other_secrets",
                   "peek fx_other.fx_other_secrets: allowed rows=1"),
                  ("!fx peek fx_other.fx_other_secrets", "peek fx_other.fx_other_secrets: denied"),
                  ("!fxo peek fx_good.fx_good_secrets", "peek fx_good.fx_good_secrets: denied"),
                  ("!fx peek hw.plugin_schema", "peek hw.plugin_schema: denied")]
        for n, (command, reply) in enumerate(probes, 1):
            self.assertEqual(self.say(command, n), reply, command)
        # The refused reads changed nothing, and each word is where it belongs.
        self.assertEqual(self.pg.psql("SELECT string_agg(word, ',') FROM fx_good.fx_good_secrets",
                                      db), "apple")
        self.assertEqual(self.pg.psql("SELECT string_agg(word, ',') FROM fx_other.fx_other_secrets",
                                      db), "pear")

    def test_schedule_copy_from_postgres(self):
        db, url = self.pg.new_database()
        with open(SAMPLE, "rb") as f:
            body = f.read()

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                self.request.recv(65536)
                self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                     b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body)
                                     + body)
        srv = socketserver.TCPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        src = "http://127.0.0.1:%d/schedule.json" % srv.server_address[1]
        plugins = {"schedule": {"source": src, "timezone": "Europe/Brussels"}}
        env = {"HALLWAY_NOW": "2026-11-26T09:55:00+01:00", "HALLWAY_CLOCK_SPEED": "1"}
        d = self.daemon(self.config(url, plugins=plugins, plugin_dir=PLUGIN_DIR), env=env)
        self.ready(d)
        d.wait_log("schedule loaded", 15)
        wait_until(lambda: self.pg.psql("SELECT count(*) FROM schedule.schedule_cache", db) == "1",
                   15, what="the stored copy on PostgreSQL")
        srv.shutdown()
        srv.server_close()
        self.assertEqual(d.stop(), 0)
        d2 = self.daemon(self.config(url, plugins=plugins, plugin_dir=PLUGIN_DIR), env=env)
        self.resumed(d2)
        d2.wait_log("schedule loaded from storage", 15)
        self.st.inject_message(content="!next envelope")
        self.assertIn("Discord Gateway Deep Dive", json.dumps(self.wait_bot_messages(1)[0]))

    def test_database_away_and_back(self):
        """The database stops for OUTAGE_S (30 s; longer than the lease): the
        daemon stays active (nobody can take over without the database),
        answers honestly, heartbeats on time, and writes nothing."""
        db, url = self.pg.new_database()
        cfg = self.config(url)
        cfg["storage"]["lease_ms"] = 2000
        d = self.daemon(cfg)
        self.ready(d)
        self.assertEqual(self.say("!fx keep apple", 1), "kept apple (1)")
        self.pg.stop_server()
        n = 1
        try:
            beats = self.st.state()["counters"]["heartbeats"]
            t_stop = time.monotonic()
            while time.monotonic() - t_stop < OUTAGE_S:
                t0 = time.monotonic()
                n += 1
                self.assertEqual(self.say("!fx keep lost", n), "database unavailable, nothing kept")
                self.assertLess(time.monotonic() - t0, 10)
                # Other commands go on while it is away.
                n += 1
                self.assertIn("still", self.say("!fx echo still", n))
                time.sleep(2)
            away = time.monotonic() - t_stop
            got = self.st.state()["counters"]["heartbeats"] - beats
            # One a second (the stand-in's interval); the stand-in closes a
            # connection that misses them, and there is one connection.
            self.assertGreaterEqual(got, int(away * 0.8), "%d heartbeats in %.1f s" % (got, away))
            self.assertEqual(self.st.state()["counters"]["connections"], 1)
            self.assertIsNone(d.proc.poll(), "the daemon exited while the database was away")
        finally:
            self.pg.start_server()
        # Back: the next unit of work connects again by itself.
        n += 1
        for _ in range(20):
            reply = self.say("!fx keep plum", n)
            n += 1
            if reply.startswith("kept"):
                break
            time.sleep(0.5)
        self.assertEqual(reply, "kept plum (2)")
        self.assertEqual(self.pg.psql("SELECT string_agg(word, ',' ORDER BY word) "
                                      "FROM fx_good.fx_good_secrets", db), "apple,plum")


if __name__ == "__main__":
    unittest.main(verbosity=2)
