"""Integration-test harness: the real hallway daemon against the stand-in.

Run with /usr/bin/python3 (Debian's aiohttp). CTest passes HALLWAY_BIN,
HALLWAY_BUILD_DIR and HALLWAY_SOURCE_DIR; the defaults suit a manual run
from the source tree after `cmake --build build`.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

SOURCE_DIR = os.environ.get("HALLWAY_SOURCE_DIR",
                            os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
BUILD_DIR = os.environ.get("HALLWAY_BUILD_DIR", os.path.join(SOURCE_DIR, "build"))
HALLWAY_BIN = os.environ.get("HALLWAY_BIN", os.path.join(BUILD_DIR, "hallway"))
FIXTURE_DIR = os.path.join(BUILD_DIR, "tests", "plugins")
PLUGIN_DIR = os.path.join(BUILD_DIR, "plugins")
SHARED_DATA = os.environ.get("HALLWAY_SHARED_DATA", os.path.join(SOURCE_DIR, "..", "shared", "data"))

sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "standin"))
from discord_standin import GUILD_ID, StandinThread  # noqa: E402

TOKEN = "hallway-test-token"


def wait_until(pred, timeout=10.0, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("timed out after %.1f s waiting for %s" % (timeout, what))


class Daemon:
    """One hallway process; its stderr is collected in .log (a list of lines)."""

    def __init__(self, config, workdir, extra_args=(), env=None, stdin=None):
        self.workdir = workdir
        self.config_path = os.path.join(workdir, "config.json")
        with open(self.config_path, "w") as f:
            json.dump(config, f, indent=1)
        os.chmod(self.config_path, 0o600)
        self.args = [HALLWAY_BIN, "--config", self.config_path] + list(extra_args)
        self.env = dict(os.environ)
        self.env.update(env or {})
        self.stdin = stdin
        self.proc = None
        self.log = []
        self.stdout = ""
        self._reader = None

    def start(self):
        self.proc = subprocess.Popen(self.args, stdin=subprocess.PIPE if self.stdin is not None else subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env,
                                     cwd=self.workdir, text=True, errors="replace")
        self._reader = threading.Thread(target=self._read_err, daemon=True)
        self._reader.start()
        self._out_reader = threading.Thread(target=self._read_out, daemon=True)
        self._out_reader.start()
        if self.stdin is not None:
            self.proc.stdin.write(self.stdin)
            self.proc.stdin.close()
        return self

    def _read_err(self):
        for line in self.proc.stderr:
            self.log.append(line.rstrip("\n"))

    def _read_out(self):
        chunks = []
        for line in self.proc.stdout:
            chunks.append(line)
            self.stdout = "".join(chunks)

    def log_text(self):
        return "\n".join(self.log)

    def wait_log(self, needle, timeout=10.0):
        return wait_until(lambda: any(needle in l for l in self.log), timeout, what="log line %r" % needle)

    def signal(self, sig):
        self.proc.send_signal(sig)

    def wait(self, timeout=15.0):
        try:
            rc = self.proc.wait(timeout)
        finally:
            if self._reader:
                self._reader.join(5)
            if self._out_reader:
                self._out_reader.join(5)
        return rc

    def stop(self, timeout=15.0):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.wait(5)
                raise AssertionError("hallway did not exit within %.0f s of SIGTERM" % timeout)
        return self.proc.returncode if self.proc else None

    def assert_sanitizers_clean(self, test):
        text = self.log_text()
        for marker in ("AddressSanitizer", "LeakSanitizer", "runtime error:"):
            test.assertNotIn(marker, text, "sanitizer report in the daemon's log:\n" + text[-4000:])


def base_config(standin, workdir, plugins=None, plugin_dir=FIXTURE_DIR, **extra):
    cfg = {
        # The stand-in's guild is the conference's: organizer rights come from it only.
        "discord": {"token": TOKEN, "api_base": standin.api_base, "guild_id": GUILD_ID},
        "storage": {"path": os.path.join(workdir, "hallway.db")},
        "plugin_dir": plugin_dir,
        "plugins": plugins if plugins is not None else {"fx_good": {}},
        "organizer_roles": ["Organizer"],
        "log": {"level": "debug"},
        # Tests drive many commands from one user on purpose; the fair-use
        # budgets (issue 14) are tested on their own (test_fairuse.py), which
        # passes its own "limits".
        "limits": {"user_commands": 0, "organizer_commands": 0, "interactions": 0},
    }
    for key, value in extra.items():
        cfg[key] = value
    return cfg


class DaemonTestCase(unittest.TestCase):
    """A fresh stand-in and work folder per test; daemons are stopped at the end."""

    standin_options = {"heartbeat_ms": 1000, "identify_window_s": 0}

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="hallway-it-")
        self.workdir = self.tmp.name
        self.st = StandinThread(**self.standin_options).start()
        self.world = self.st.world()
        self.daemons = []

    def tearDown(self):
        for d in self.daemons:
            try:
                d.stop()
            except AssertionError:
                pass
            d.assert_sanitizers_clean(self)
        self.st.stop()
        self.tmp.cleanup()

    def daemon(self, config=None, start=True, **kw):
        d = Daemon(config or base_config(self.st, self.workdir), self.workdir, **kw)
        self.daemons.append(d)
        if start:
            d.start()
        return d

    def ready(self, d, identifies=1, timeout=15.0):
        self.st.wait("identify", identifies, timeout=timeout)
        d.wait_log("READY as", timeout)

    def bot_messages(self, channel_id=None):
        return self.st.messages(channel_id=channel_id, author="bot")

    def wait_bot_messages(self, n, timeout=10.0, channel_id=None):
        return wait_until(lambda: (lambda m: m if len(m) >= n else None)(self.bot_messages(channel_id)),
                          timeout, what="%d bot messages" % n)
