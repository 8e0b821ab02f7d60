"""Issue 14: the organizers' dry run (`hallway --plan`, the `plan` command).

It lists what the bot will post over a window (starting-soon posts,
scheduled announcements, reminder DMs as counts) and changes nothing: the
plan runs on a copy of the database.
"""
import os
import sqlite3
import tempfile
import time
import unittest

from harness import FIXTURE_DIR, PLUGIN_DIR, SOURCE_DIR, Daemon

SAMPLE = os.path.join(SOURCE_DIR, "plugins", "schedule", "sample", "hallwaycon.json")
NOW = "2026-11-26T08:00:00+01:00"
CHANNEL = "1100000000000000001"


class PlanTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="hallway-plan-")
        self.dir = self.tmp.name
        self.db = os.path.join(self.dir, "live.db")

    def tearDown(self):
        self.tmp.cleanup()

    def run_hallway(self, args, script=None, organizer=False, fx_plan=None):
        cfg = {"storage": {"path": self.db}, "plugin_dir": PLUGIN_DIR, "log": {"level": "info"},
               "plugins": {"schedule": {"source": SAMPLE}, "recommend": {"reminder_minutes": 10},
                           "announce": {"channels": [CHANNEL], "remind_minutes": 5}}}
        if fx_plan is not None:
            # The product plugins and the fixture that answers late, side by side.
            pdir = os.path.join(self.dir, "plugins")
            os.makedirs(pdir, exist_ok=True)
            links = [(PLUGIN_DIR, n) for n in ("schedule", "recommend", "announce")]
            for folder, name in links + [(FIXTURE_DIR, "fx_plan")]:
                link = os.path.join(pdir, name + ".so")
                if not os.path.lexists(link):
                    os.symlink(os.path.join(folder, name + ".so"), link)
            cfg["plugin_dir"] = pdir
            cfg["plugins"]["fx_plan"] = fx_plan
        extra = list(args) + (["--as", "organizer"] if organizer else [])
        d = Daemon(cfg, self.dir, extra_args=extra, stdin=script, env={"HALLWAY_NOW": NOW})
        d.start()
        rc = d.wait(60)
        log = d.log_text()
        for marker in ("AddressSanitizer", "LeakSanitizer", "runtime error:"):
            self.assertNotIn(marker, log)
        return rc, d.stdout, log

    def outbox_states(self):
        con = sqlite3.connect(self.db)
        try:
            return sorted(con.execute("SELECT id, state FROM announce_outbox").fetchall())
        finally:
            con.close()

    def test_plan_lists_posts_reminders_and_changes_nothing(self):
        # Live state: one attendee stars a talk, an organizer schedules a post.
        rc, out, _ = self.run_hallway(["--console"], "star time zones\n")
        self.assertEqual(rc, 0, out)
        rc, out, _ = self.run_hallway(["--console"], "announce at 12:00 Coffee is in the hall\n",
                                      organizer=True)
        self.assertEqual(rc, 0, out)
        before = self.outbox_states()
        self.assertTrue(before)

        rc, out, log = self.run_hallway(["--plan"])
        self.assertEqual(rc, 0, log)
        self.assertIn("Plan for the next 24 hours", out)
        # One post per time slot, listing every room starting then (issue 16).
        self.assertIn('starting soon: Starting in 5 minutes, at 09:30: - Main Hall: '
                      '"Opening: Welcome to HallwayCon"', out)
        self.assertIn("Thu 26 Nov 09:25  channel %s" % CHANNEL, out)
        self.assertIn("scheduled announcement: Coffee is in the hall", out)
        self.assertRegex(out, r'reminder of "Time Zones Are Hard, DST Is Harder" to 1 attendee\b')
        # Sorted by time.
        self.assertLess(out.index("09:25"), out.index("Coffee is in the hall"))
        # Nothing sent, nothing marked: the live outbox is as it was.
        self.assertEqual(self.outbox_states(), before)

    def test_console_saves_files_and_draws_text(self):
        # Issue 16: `agenda ics` on the console used to print "[file agenda.ics,
        # 1281 bytes]" and the file was nowhere; markup showed raw.
        rc, out, log = self.run_hallway(["--console"], "star time zones\nagenda ics\nagenda ics\nnext envelope\nnxet\n")
        self.assertEqual(rc, 0, log)
        self.assertIn("Saved hallway-out/agenda.ics (", out)
        self.assertIn("Saved hallway-out/agenda-2.ics (", out)
        with open(os.path.join(self.dir, "hallway-out", "agenda.ics")) as f:
            self.assertIn("BEGIN:VCALENDAR", f.read())
        self.assertIn("10:15–10:45  Discord Gateway Deep Dive (in 2 h 15 min)\n             Envelope", out)
        self.assertNotIn("**", out)
        self.assertNotIn("<t:", out)
        self.assertIn("(Type help for the list of commands.)", out)

    def test_window_and_bad_arguments(self):
        rc, out, log = self.run_hallway(["--plan", "--from", "2026-11-26T09:00:00+01:00",
                                         "--to", "2026-11-26T10:00:00+01:00"])
        self.assertEqual(rc, 0, log)
        self.assertIn("09:25", out)
        self.assertNotIn("10:10", out)
        rc, out, log = self.run_hallway(["--plan", "--from", "3"])
        self.assertIn("Plan for the next 3 hours", out)
        rc, out, log = self.run_hallway(["--plan", "--from", "soon"])
        self.assertIn("Give a number of hours", out)
        # The chat command: organizers only.
        rc, out, log = self.run_hallway(["--console"], "plan 2\n")
        self.assertIn("organizers", out)
        rc, out, log = self.run_hallway(["--console"], "plan 2\n", organizer=True)
        self.assertIn("Plan for the next 2 hours", out)

    def test_a_late_answer_is_in_the_plan(self):
        # Issue 18: a plugin whose answer needs db_run holds the plan and
        # releases it from done(); the plan waits for it, then sorts it in.
        started = time.monotonic()
        rc, out, log = self.run_hallway(["--plan", "--from", "3"],
                                        fx_plan={"mode": "late", "delay_ms": 1500})
        self.assertEqual(rc, 0, log)
        self.assertGreater(time.monotonic() - started, 1.5)
        # fx_plan's, announce's (its outbox is read in a unit of work) and
        # recommend's (its reminders are).
        self.assertIn("waits for 3 answers", log)
        self.assertIn("late answer after a unit of work (1) (fx_plan)", out)
        self.assertIn("answer at once (fx_plan)", out)
        self.assertLess(out.index("late answer"), out.index("answer at once"))
        self.assertIn("09:25", out)  # the plugins that answer at once are still there
        self.assertNotIn("Incomplete", out)
        # The unit of work ran on the copy: the live database has none of it
        # (not even the fixture's table, whose migration ran on the copy too).
        con = sqlite3.connect(self.db)
        try:
            self.assertEqual(con.execute("SELECT count(*) FROM sqlite_master WHERE name = "
                                         "'fx_plan_answers'").fetchone()[0], 0)
        finally:
            con.close()
        # The command, twice on one console: each waits for its own answer.
        rc, out, log = self.run_hallway(["--console"], "plan 3\nplan 4\n", organizer=True,
                                        fx_plan={"mode": "late", "delay_ms": 800})
        self.assertEqual(rc, 0, log)
        self.assertIn("Plan for the next 3 hours", out)
        self.assertIn("Plan for the next 4 hours", out)
        self.assertIn("late answer after a unit of work (1) (fx_plan)", out)
        self.assertIn("late answer after a unit of work (2) (fx_plan)", out)
        self.assertLess(out.index("next 3 hours"), out.index("(1) (fx_plan)"))
        self.assertLess(out.index("(1) (fx_plan)"), out.index("next 4 hours"))

    def test_a_plugin_that_never_answers_is_named(self):
        started = time.monotonic()
        rc, out, log = self.run_hallway(["--plan", "--from", "3"], fx_plan={"mode": "never"})
        took = time.monotonic() - started
        self.assertEqual(rc, 0, log)
        self.assertGreaterEqual(took, 10)
        self.assertLess(took, 50)
        self.assertIn("answer at once (fx_plan)", out)
        self.assertIn("Incomplete: fx_plan did not answer within 10 s; its posts are missing "
                      "from this list.", out)
        self.assertIn("plugin fx_plan did not answer within 10000 ms", log)

    def test_a_failed_answer_says_why(self):
        rc, out, log = self.run_hallway(["--plan", "--from", "3"], fx_plan={"mode": "fail"})
        self.assertEqual(rc, 0, log)
        self.assertIn("answer at once (fx_plan)", out)
        self.assertIn("Incomplete: fx_plan could not answer (its storage failed (error -7)); "
                      "its posts are missing from this list.", out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
