"""Issue 14: config mistakes are caught before the bot goes on the air.

`hallway --check-config` lists every problem (the plugins' settings
included) and exits 1; a normal start with the same file exits 2 before any
network traffic; docs/CONFIG.md is the output of `hallway --config-doc`.
"""
import json
import os
import signal
import subprocess
import unittest

from harness import (HALLWAY_BIN, PLUGIN_DIR, SOURCE_DIR, DaemonTestCase, base_config,
                     wait_until)

SAMPLE = os.path.join(SOURCE_DIR, "plugins", "schedule", "sample", "hallwaycon.json")

# Every mistake the issue lists, each with what the report must say.
MISTAKES = [
    ({"plugins": {"schedule": {"source": SAMPLE, "timezone": "Europe/Brusels"}}},
     'plugins.schedule.timezone: "Europe/Brusels" is not a known IANA time zone; did you mean "Europe/Brussels"?'),
    ({"plugins": {"schedule": {"source": "/nonexistent/schedule.json"}}},
     'plugins.schedule.source: cannot read "/nonexistent/schedule.json"'),
    ({"plugins": {"schedule": {"source": "htp://example.org/schedule.json"}}},
     'plugins.schedule.source: "htp://example.org/schedule.json" is not an http:// or https:// URL'),
    ({"plugins": {"shedule": {}}},
     'plugins.shedule: no plugin "shedule" in'),
    ({"plugins": {"schedule": {"sourc": SAMPLE}}},
     'plugins.schedule.sourc: unknown key; did you mean "source"?'),
    ({"plugins": {"schedule": {"source": SAMPLE, "refresh_second": 60}}},
     'plugins.schedule.refresh_second: unknown key; did you mean "refresh_seconds"?'),
    ({"plugins": {"sprints": {"projects": [{"name": "cpython", "capacity": "ten"}]}}},
     'plugins.sprints.projects[0].capacity: must be a whole number'),
    ({"plugins": {"announce": {"channels": "general"}}},
     'plugins.announce.channels: must be a list of strings'),
    ({"discord": {"guild_id": "000000000000000000"}},
     'discord.guild_id: must be a snowflake ID that can be real'),
    ({"storage": {"path": "/nonexistent-hallway-folder/hallway.db"}},
     'storage.path: the folder /nonexistent-hallway-folder does not exist'),
    ({"http": {"listen": "localhost:abc"}},
     'http.listen: must be address:port'),
    ({"plugins": {"openspaces": {"rooms": [{"name": "Hall"}], "days": ["2026-11-26"],
                                 "start": "25:00"}}},
     'plugins.openspaces.start: "25:00" is not a time of day as HH:MM (00:00 to 23:59)'),
]


def merged(cfg, extra):
    out = json.loads(json.dumps(cfg))
    for k, v in extra.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k].update(v)
        else:
            out[k] = v
    return out


class ConfigCheckTests(DaemonTestCase):
    def config_file(self, cfg, name="config.json"):
        path = os.path.join(self.workdir, name)
        with open(path, "w") as f:
            json.dump(cfg, f)
        os.chmod(path, 0o600)
        return path

    def check(self, path):
        r = subprocess.run([HALLWAY_BIN, "--check-config", path], capture_output=True,
                           text=True, timeout=60)
        return r.returncode, r.stdout + r.stderr

    def test_each_mistake_fails_the_check_and_the_start(self):
        base = base_config(self.st, self.workdir, plugins={}, plugin_dir=PLUGIN_DIR)
        rc, out = self.check(self.config_file(base))
        self.assertEqual(rc, 0, out)
        for extra, expect in MISTAKES:
            with self.subTest(expect=expect):
                cfg = merged(base, extra)
                rc, out = self.check(self.config_file(cfg))
                self.assertEqual(rc, 1, out)
                self.assertIn(expect, out)
                # A normal start stops with exit 2 before connecting. A
                # missing storage folder may be one not mounted yet at boot:
                # the start waits for it, then exits 4, which systemd
                # restarts (issue 15; test_availability.py).
                before = len(self.st.frames())
                d = self.daemon(cfg)
                storage = expect.startswith("storage.path:")
                self.assertEqual(d.wait(40), 4 if storage else 2, d.log_text())
                self.assertIn(expect, d.log_text())
                self.assertEqual(len(self.st.frames()), before, "it reached the gateway")

    def test_one_run_lists_every_problem(self):
        cfg = base_config(self.st, self.workdir, plugins={}, plugin_dir=PLUGIN_DIR)
        for extra, _ in MISTAKES:
            if "plugins" in extra:
                for name, settings in extra["plugins"].items():
                    cfg["plugins"].setdefault(name, {}).update(settings)
            else:
                cfg = merged(cfg, extra)
        # The schedule got the last of its settings; the rest are still there.
        rc, out = self.check(self.config_file(cfg))
        self.assertEqual(rc, 1, out)
        for key in ("plugins.shedule", "plugins.schedule.sourc", "plugins.schedule.refresh_second",
                    "plugins.sprints.projects[0].capacity", "plugins.announce.channels",
                    "discord.guild_id", "storage.path", "http.listen"):
            self.assertIn(key + ":", out)

    def test_online_says_what_each_source_gave(self):
        base = base_config(self.st, self.workdir, plugins={"schedule": {"source": SAMPLE}},
                           plugin_dir=PLUGIN_DIR)
        env = dict(os.environ, HALLWAY_NOW="2026-11-26T08:00:00+01:00")
        r = subprocess.run([HALLWAY_BIN, "--check-config", self.config_file(base), "--online"],
                           capture_output=True, text=True, timeout=120, env=env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertRegex(r.stdout, r"ok schedule: .*29 talks loaded in \d+ rooms, Europe/Brussels")
        self.assertIn("OK online", r.stdout)
        # A source that cannot be fetched: exit 1, and why.
        bad = base_config(self.st, self.workdir,
                          plugins={"schedule": {"source": "http://127.0.0.1:9/schedule.json"}},
                          plugin_dir=PLUGIN_DIR)
        r = subprocess.run([HALLWAY_BIN, "--check-config", self.config_file(bad, "bad.json"), "--online"],
                           capture_output=True, text=True, timeout=120, env=env)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("PROBLEM schedule: no schedule: fetching http://127.0.0.1:9/schedule.json failed",
                      r.stdout)
        # Nothing was sent: the stand-in saw no gateway connection.
        self.assertEqual(self.st.frames(), [])
        # room_channels keys are read against the rooms the source gave.
        rooms = base_config(self.st, self.workdir,
                            plugins={"schedule": {"source": SAMPLE},
                                     "announce": {"room_channels": {"envelope": "1100000000000000005",
                                                                    "Ballroom": "1100000000000000006"}}},
                            plugin_dir=PLUGIN_DIR)
        r = subprocess.run([HALLWAY_BIN, "--check-config", self.config_file(rooms, "rooms.json"), "--online"],
                           capture_output=True, text=True, timeout=120, env=env)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn('PROBLEM announce.rooms: room_channels: "Ballroom" matches no room of the schedule',
                      r.stdout)

    def test_sighup_with_a_bad_plugin_setting_keeps_the_running_config(self):
        cfg = base_config(self.st, self.workdir, plugins={"hello": {}}, plugin_dir=PLUGIN_DIR)
        d = self.daemon(cfg)
        self.ready(d)
        cfg["plugins"]["hello"] = {"greting": "hi"}
        with open(d.config_path, "w") as f:
            json.dump(cfg, f)
        d.signal(signal.SIGHUP)
        d.wait_log("plugin settings have errors; keeping the running one", 10)
        self.assertIn("plugins.hello.greting: unknown key", d.log_text())
        asked = self.st.inject_message(content="!ping")["id"]
        wait_until(lambda: [m for m in self.bot_messages()
                            if (m.get("message_reference") or {}).get("message_id") == asked],
                   10.0, what="the running config answering")

    def test_example_config_is_clean(self):
        env = dict(os.environ, HALLWAY_DISCORD_TOKEN="example-token-0123456789")
        r = subprocess.run([HALLWAY_BIN, "--check-config",
                            os.path.join(SOURCE_DIR, "config.example.json")],
                           capture_output=True, text=True, timeout=60, env=env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertNotIn("warning", r.stdout + r.stderr)

    def test_config_doc_is_current(self):
        r = subprocess.run([HALLWAY_BIN, "--config-doc"], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(SOURCE_DIR, "docs", "CONFIG.md")) as f:
            self.assertEqual(f.read(), r.stdout,
                             "docs/CONFIG.md is stale: run build/hallway --config-doc > docs/CONFIG.md")
        for key in ("room_channels", "catchup_minutes", "reminder_minutes", "refresh_seconds",
                    "feed.source", "default_capacity"):
            self.assertIn("`%s`" % key, r.stdout)

    def test_help_plugin(self):
        r = subprocess.run([HALLWAY_BIN, "--help-plugin", "schedule"], capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("refresh_seconds", r.stdout)
        r = subprocess.run([HALLWAY_BIN, "--help-plugin", "shedule"], capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(r.returncode, 2)
        self.assertIn('did you mean "schedule"?', r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
