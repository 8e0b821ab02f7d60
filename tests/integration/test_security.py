"""Security checks (issue 8), each against the real daemon and the stand-in.

- The token appears in no log line (debug level) and in no message or
  interaction response the bot sends, through start-up, resumes and
  re-IDENTIFYs.
- Every organizer command (derived from `help` as an organizer versus an
  attendee, not from a list kept here) is refused to others, in chat, in a
  DM and as a slash command, and has no effect.
- Plugins load only from plugin_dir: `reload ../../x` and friends are
  refused even when x.so exists there.
- No user text reaches a format string: the product is built with format
  warnings as errors (checked in the build's own flags, and shown to
  reject printf(user)), and format specifiers come back verbatim.
- SQL only with bound parameters: SQL fragments through every plugin
  command leave the database intact, and are stored as the literal text.
- A config file readable by other users gets a warning.
"""
import glob
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
import unittest

from harness import (BUILD_DIR, PLUGIN_DIR, SOURCE_DIR, TOKEN, DaemonTestCase, base_config,
                     wait_until)

SAMPLE = os.path.join(SOURCE_DIR, "plugins", "schedule", "sample", "hallwaycon.json")
ANNOUNCE_CHANNEL = "1000000000000000203"


def have_plugin(name):
    return os.path.exists(os.path.join(PLUGIN_DIR, name + ".so"))


def all_plugins():
    """Every product plugin that is built, with a config that makes it useful."""
    cfgs = {
        "hello": {},
        "schedule": {"source": SAMPLE, "timezone": "Europe/Brussels"},
        "sprints": {"projects": [{"name": "Django", "capacity": 3}, {"name": "Home Assistant", "capacity": 2}]},
        "announce": {"channels": [ANNOUNCE_CHANNEL], "timezone": "Europe/Brussels"},
        "recommend": {},
    }
    return {k: v for k, v in cfgs.items() if have_plugin(k)}


def command_names(help_text):
    """Command names from help lines such as '!sprint join <project> [day] — Join'."""
    names = []
    for line in help_text.splitlines():
        m = re.match(r"^!(\S+(?: [a-z][a-z0-9_-]*)?)(?: [<\[]| —| -|$)", line.strip())
        if not m:
            continue
        name = m.group(1)
        # A second word is part of the name only if it is not an argument.
        names.append(name)
    return names


class BotChat:
    """Send chat as a user and collect the bot's answers."""

    def __init__(self, case):
        self.case = case

    def say(self, content, user=None, dm=False, n=1, timeout=15.0, settle=0.4):
        st = self.case.st
        before = len(st.messages(author="bot"))
        fields = {"content": content}
        if user:
            fields["user_id"] = user
        if dm:
            fields["dm"] = True
        st.inject_message(**fields)
        wait_until(lambda: len(st.messages(author="bot")) >= before + n, timeout,
                   what="%d answer(s) to %r" % (n, content[:60]))
        time.sleep(settle)
        return st.messages(author="bot")[before:]


class SecurityTests(DaemonTestCase):

    def setUp(self):
        super().setUp()
        self.users = {u["username"]: u["id"] for u in self.world["users"] if "username" in u}
        self.alice, self.bob, self.carol = self.users["alice"], self.users["bob"], self.users["carol"]
        self.chat = BotChat(self)
        # Discord's per-channel limit (5 per 5 s) would make these tests slow, not stricter.
        self.st.config(message_rate_limit=1000, message_rate_window_s=1)

    def start(self, plugins=None, **extra):
        cfg = base_config(self.st, self.workdir, plugins=plugins or all_plugins(), plugin_dir=PLUGIN_DIR, **extra)
        d = self.daemon(cfg, env={"HALLWAY_NOW": "2026-11-26T09:55:00+01:00"})
        self.ready(d)
        return d

    # ---- the token ----

    def test_token_in_no_log_line_and_no_reply(self):
        d = self.start()
        # Start-up, a resume, and a new session (IDENTIFY again with the token).
        self.st.gateway_fault(action="close", code=4000)
        self.st.wait("resume", 1, timeout=15)
        self.st.gateway_fault(action="invalid_session", resumable=False)
        self.st.wait("identify", 2, timeout=20)
        d.wait_log("READY as", 10)
        # A REST failure path that logs request details.
        self.st.rest_fault(kind="status", status=500, path="/messages$", count=1)
        for cmd in ("!help", "!plugins", "!ping", "!hello", "!next", "!reload hello", "!reload nope",
                    "!sprints", "!announce list"):
            self.chat.say(cmd)
        self.st.inject_interaction(name="help")
        self.st.inject_interaction(name="plugins")
        wait_until(lambda: len([i for i in self.st.ctl("GET", "/_test/interactions")["interactions"]
                                if i["responses"]]) >= 2, 10, what="slash answers")
        d.stop()
        text = d.log_text() + d.stdout
        self.assertIn("DEBUG", text.upper(), "the log was not at debug level; the check proves little")
        self.assertNotIn(TOKEN, text)
        for m in self.st.messages(author="bot"):
            self.assertNotIn(TOKEN, m["content"])
            self.assertNotIn(TOKEN, str(m.get("embeds")))
        for inter in self.st.ctl("GET", "/_test/interactions")["interactions"]:
            self.assertNotIn(TOKEN, str(inter["responses"]))

    # ---- organizer commands ----

    def organizer_only_commands(self):
        org = "\n".join(m["content"] for m in self.chat.say("!help", user=self.alice))
        att = "\n".join(m["content"] for m in self.chat.say("!help", user=self.bob))
        org_names, att_names = command_names(org), set(command_names(att))
        self.assertIn("help", att_names, "could not read help:\n" + att)
        return [n for n in org_names if n not in att_names]

    ARGS = {"reload": "hello", "sprint add": "BobProject 5", "sprint edit": "Django capacity=99",
            "sprint remove": "Django confirm", "sprint export": "", "announce": "bob was here"}

    def test_organizer_commands_refused_to_others(self):
        self.start()
        cmds = self.organizer_only_commands()
        self.assertIn("reload", cmds)
        if have_plugin("sprints"):
            self.assertIn("sprint add", cmds)
        if have_plugin("announce"):
            self.assertIn("announce", cmds)
        print("organizer-only commands: %s" % ", ".join(cmds))
        for name in cmds:
            line = ("!%s %s" % (name, self.ARGS.get(name, "x"))).strip()
            for who, dm in ((self.bob, False), (self.carol, False), (self.carol, True)):
                answer = self.chat.say(line, user=who, dm=dm)
                self.assertEqual(len(answer), 1, "%r by %s: %r" % (line, who, answer))
                self.assertIn("organizers only", answer[0]["content"], "%r was not refused" % line)
            # The slash door too (two-word commands are subcommands).
            words = name.split(" ")
            opts = [{"type": 1, "name": words[1], "options": []}] if len(words) == 2 else []
            res = self.st.inject_interaction(name=words[0], options=opts, user_id=self.bob)
            inter = wait_until(lambda: [i for i in self.st.ctl("GET", "/_test/interactions")["interactions"]
                                        if i["id"] == res["id"] and i["responses"]], 10,
                               what="slash answer to /%s" % name)[0]
            text = str(inter["responses"])
            self.assertTrue("organizers only" in text or "missing" in text or "Usage" in text, text)
        # Nothing happened: no announcement, no project added or removed, no reload.
        self.assertEqual([m for m in self.st.messages(channel_id=ANNOUNCE_CHANNEL, author="bot")
                          if "bob was here" in m["content"]], [])
        if have_plugin("sprints"):
            # The list is a reply model: its projects are in the embeds.
            listing = json.dumps(self.chat.say("!sprints", user=self.alice), ensure_ascii=False)
            self.assertNotIn("BobProject", listing)
            self.assertIn("Django", listing)
        # The control: the same commands work for an organizer.
        ok = self.chat.say("!reload hello", user=self.alice)
        self.assertNotIn("organizers only", ok[0]["content"])
        if have_plugin("announce"):
            self.chat.say("!announce alice was here", user=self.alice)
            wait_until(lambda: [m for m in self.st.messages(channel_id=ANNOUNCE_CHANNEL, author="bot")
                                if "alice was here" in m["content"]], 10, what="alice's announcement")

    # ---- plugin paths ----

    def test_reload_only_from_plugin_dir(self):
        # plugin_dir holds copies of the plugins; a valid plugin sits one and two levels above it.
        pdir = os.path.join(self.workdir, "a", "b", "plugins")
        os.makedirs(pdir)
        shutil.copy(os.path.join(PLUGIN_DIR, "hello.so"), pdir)
        for where in (os.path.join(self.workdir, "a"), self.workdir):
            shutil.copy(os.path.join(PLUGIN_DIR, "hello.so"), os.path.join(where, "x.so"))
        cfg = base_config(self.st, self.workdir, plugins={"hello": {}}, plugin_dir=pdir)
        d = self.daemon(cfg)
        self.ready(d)
        before = self.chat.say("!plugins")[0]["content"]
        for evil in ("../x", "../../x", "../../x.so", "/etc/passwd", "%s/x" % self.workdir,
                     "hello/../../x", "..", "x\x00hello", "HELLO", "hello.so"):
            answer = self.chat.say("!reload %s" % evil)
            self.assertEqual(len(answer), 1)
            self.assertNotRegex(answer[0]["content"].lower(), r"\breloaded\b", "reload %r was accepted" % evil)
        self.assertEqual(self.chat.say("!plugins")[0]["content"], before)
        loaded = [l for l in d.log if re.search(r"host: plugin \S+ .*loaded", l)]
        self.assertEqual(len(loaded), 1, "a plugin was loaded: %r" % loaded)
        self.assertIn("plugin hello", loaded[0])
        ok = self.chat.say("!reload hello")[0]["content"]
        self.assertNotIn("no plugin", ok)
        self.assertIn("hello", ok)

    # ---- format strings ----

    def test_built_with_format_errors(self):
        flags = []
        for path in [os.path.join(BUILD_DIR, "bot", "CMakeFiles", "hallway.dir", "flags.make")] + \
                glob.glob(os.path.join(BUILD_DIR, "plugins", "*", "CMakeFiles", "*.dir", "flags.make")):
            with open(path) as f:
                text = f.read()
            for want in ("-Wformat=2", "-Wformat-security", "-Werror=format-security",
                         "-Werror=format-nonliteral"):
                self.assertIn(want, text, "%s lacks %s" % (path, want))
            flags = re.search(r"C_FLAGS = (.*)", text).group(1).split()
        self.assertTrue(flags)
        # The flags really reject user text as a format.
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "f.c")
            with open(src, "w") as f:
                f.write("#include <stdio.h>\nvoid f(const char *user) { printf(user); }\n")
            keep = [x for x in flags if x.startswith(("-W", "-std"))]
            rc = subprocess.run(["gcc", "-c", "-o", os.path.join(tmp, "f.o"), src] + keep,
                                capture_output=True, text=True)
            self.assertNotEqual(rc.returncode, 0, "printf(user) compiled with %s" % keep)
            self.assertIn("format", rc.stderr)

    def test_format_specifiers_come_back_verbatim(self):
        self.start()
        evil = "%s%s%s%n%n%x%p%999999999d%1$s %%"
        answer = self.chat.say("!hello %s" % evil)
        self.assertIn(evil, answer[0]["content"])
        if have_plugin("schedule"):
            answer = self.chat.say("!talk %s" % evil)
            self.assertEqual(len(answer), 1)
            self.assertNotIn("(null)", answer[0]["content"])

    # ---- SQL ----

    FRAGMENTS = ["'); DROP TABLE sprints_projects; --", "x\"; DELETE FROM sprints_signups; --",
                 "1; ATTACH DATABASE '/tmp/pwn.db' AS pwn; --", "%' OR '1'='1' UNION SELECT name FROM sqlite_master --"]

    def db_snapshot(self, path):
        con = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=10)
        try:
            tables = sorted(r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'"))
            counts = {t: con.execute('SELECT count(*) FROM "%s"' % t.replace('"', '""')).fetchone()[0]
                      for t in tables}
            ok = con.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            con.close()
        return tables, counts, ok

    def test_sql_fragments_leave_the_database_intact(self):
        d = self.start()
        db = os.path.join(self.workdir, "hallway.db")
        if have_plugin("sprints"):
            self.chat.say("!sprint join Django", user=self.bob)
        tables0, counts0, ok0 = self.db_snapshot(db)
        self.assertEqual(ok0, "ok")
        # Every command an attendee or organizer has, with each fragment as its arguments.
        org = "\n".join(m["content"] for m in self.chat.say("!help", user=self.alice))
        names = [n for n in command_names(org) if n not in ("reload",)]
        self.assertGreater(len(names), 5)
        sent = 0
        for name in names:
            for frag in self.FRAGMENTS:
                self.st.inject_message(content="!%s %s" % (name, frag), user_id=self.alice)
                sent += 1
        # One answer each (announce posts go to the announcement channel, not the reply).
        wait_until(lambda: len(self.st.messages(author="bot")) >= sent, 90, what="%d answers" % sent)
        if have_plugin("sprints"):
            frag = "Robert'); DROP TABLE students;--"
            self.chat.say("!sprint add \"%s\" 4" % frag, user=self.alice)
            listing = json.dumps(self.chat.say("!sprints", user=self.alice), ensure_ascii=False)
            self.assertIn("Robert')", listing, "the fragment was not stored as literal text")
        tables1, counts1, ok1 = self.db_snapshot(db)
        self.assertEqual(ok1, "ok")
        self.assertEqual(tables0, tables1)
        for t, n in counts0.items():
            self.assertGreaterEqual(counts1[t], n, "rows disappeared from %s" % t)
        self.assertFalse(os.path.exists("/tmp/pwn.db"))
        self.assertEqual(d.proc.poll(), None, "the daemon died")

    # ---- config permissions ----

    def test_world_readable_config_warns(self):
        cfg = base_config(self.st, self.workdir)
        d = self.daemon(cfg, start=False)
        os.chmod(d.config_path, 0o644)
        d.start()
        self.ready(d)
        d.wait_log("chmod 600", 5)
        line = [l for l in d.log if "chmod 600" in l][0]
        self.assertIn("WARN", line.upper())
        d.stop()
        # The control: a private file gets no warning.
        os.chmod(d.config_path, 0o600)
        d2 = self.daemon(cfg, start=False)
        os.chmod(d2.config_path, 0o600)
        d2.start()
        self.ready(d2, identifies=2)
        time.sleep(0.5)
        self.assertFalse([l for l in d2.log if "chmod 600" in l])


if __name__ == "__main__":
    unittest.main(verbosity=2)
