"""Open spaces on the lobby screens (issue 21), in a real browser like
test_web_browser.py: headless Chromium over the DevTools protocol loads
/screen, /screen/<room> for a schedule room that is also a board room, and
/screen/<room> for a board room the schedule does not know. An open space
appears with its topic, time and host when it is proposed, and follows a
move, a drop by its host and a removal by an organizer: each pushed on
"openspaces.screen", never by a reload of the page. A hostile topic renders
as text. The route's JSON is checked too (/api/openspaces/screen).

Run with /usr/bin/python3 (see harness.py)."""
import json
import os
import sys
import unittest

from harness import BUILD_DIR, PLUGIN_DIR, SOURCE_DIR, DaemonTestCase, base_config, wait_until

sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "browser"))
import cdp  # noqa: E402
from webclient import Client, listen_port  # noqa: E402

ALICE = "1000000000000001000"  # holds the Organizer role
BOB = "1000000000000001001"
SAMPLE = os.path.join(SOURCE_DIR, "plugins", "schedule", "sample", "hallwaycon.json")
NOW = "2026-11-26T10:20:00+01:00"  # the keynote (10:15-11:00, Main Hall) is on
HOSTILE_TOPIC = "<img src=x onerror=alert(5)> Bots & screens"
SHOTS = os.path.join(BUILD_DIR, "test-artifacts", "web")


def openspaces_available():
    return os.path.exists(os.path.join(PLUGIN_DIR, "openspaces.so"))


@unittest.skipUnless(cdp.find_chromium(), "no chromium (scripts/install-deps.sh installs it)")
class OpenSpacesScreenTest(DaemonTestCase):
    def setUp(self):
        if not openspaces_available():
            self.skipTest("the openspaces plugin is not built")
        super().setUp()
        self.browser = None

    def tearDown(self):
        if self.browser:
            self.browser.close()
        super().tearDown()

    def start(self):
        cfg = base_config(self.st, self.workdir, plugin_dir=PLUGIN_DIR, plugins={
            "schedule": {"source": SAMPLE},
            "openspaces": {"rooms": [{"name": "Main Hall"}, {"name": "Courtyard"}],
                           "days": ["2026-11-26"], "start": "10:00", "end": "13:00",
                           "timezone": "Europe/Brussels"}})
        cfg["http"] = {"listen": "127.0.0.1:0"}
        d = self.daemon(cfg, env={"HALLWAY_NOW": NOW})
        self.ready(d)
        self.port = listen_port(d)
        self.web = Client(self.port)
        return d

    def say(self, user, content):
        """Types a command and waits for the bot's answer to it."""
        general = self.world["general_channel_id"]
        before = len(self.bot_messages(general))
        self.st.inject_message(content=content, user_id=user, channel_id=general)
        return wait_until(lambda: self.bot_messages(general)[before:], 15,
                          what="an answer to %r" % content)[0]["content"]

    def text_of(self, selector):
        return self.browser.eval("Array.from(document.querySelectorAll(%s)).map(e => e.textContent)"
                                 % json.dumps(selector))

    def spaces(self):
        return self.text_of("#space-list .space .topic")

    def assert_inert(self):
        b = self.browser
        self.assertEqual(b.dialogs(), [], "a dialog opened: hostile text ran as code")
        self.assertEqual(b.eval("document.querySelectorAll('img, script:not([src])').length"), 0)
        csp = [p for p in b.problems() if "Content Security Policy" in p or "Refused" in p]
        self.assertEqual(csp, [], "the page broke its own CSP")

    def test_open_spaces_follow_the_board(self):
        self.start()
        base = "http://127.0.0.1:%d" % self.port
        b = self.browser = cdp.Browser(1920, 1080)
        b.goto(base + "/screen")
        b.wait("document.querySelectorAll('#rooms .room').length >= 3", what="the rooms")
        # Nothing proposed yet: no open-space section at all.
        self.assertTrue(b.eval("document.getElementById('spaces').hidden"))
        b.eval("window.__sameDocument = 21")

        # Proposed: pushed to the open screen.
        self.assertIn("It's yours", self.say(BOB, "!openspace propose thu 11:00 Courtyard "
                                              + HOSTILE_TOPIC))
        b.wait("!document.getElementById('spaces').hidden", 15, "the open space")
        self.assertEqual(self.spaces(), [HOSTILE_TOPIC])
        self.assertEqual(self.text_of("#space-list .space .time"), ["11:00–12:00"])
        where = self.text_of("#space-list .space .where")[0]
        self.assertTrue(where.startswith("Courtyard · hosted by "), where)
        self.assertEqual(b.eval("window.__sameDocument"), 21)
        self.assert_inert()
        self.assertIn("It's yours", self.say(ALICE, "!openspace propose thu 12:00 Main Hall "
                                                "Rust on microcontrollers"))
        b.wait("document.querySelectorAll('#space-list .space').length == 2", 15, "two open spaces")
        self.assertEqual(self.spaces(), [HOSTILE_TOPIC, "Rust on microcontrollers"])
        os.makedirs(SHOTS, exist_ok=True)
        self.assertGreater(b.screenshot(os.path.join(SHOTS, "screen-openspaces.png")), 5000)

        # The route's JSON: every board room, the open spaces in time order.
        data = self.web.get("/api/openspaces/screen").json()
        self.assertEqual(data["rooms"], ["Main Hall", "Courtyard"])
        self.assertEqual(data["zone"], "Europe/Brussels")
        self.assertEqual([(s["topic"], s["room"]) for s in data["spaces"]],
                         [(HOSTILE_TOPIC, "Courtyard"), ("Rust on microcontrollers", "Main Hall")])
        first = data["spaces"][0]
        self.assertEqual(first["end"] - first["start"], 3600 * 1000)
        one = self.web.get("/api/openspaces/screen?room=main+hall").json()
        self.assertEqual([s["topic"] for s in one["spaces"]], ["Rust on microcontrollers"])
        none = self.web.get("/api/openspaces/screen?room=Nowhere").json()
        self.assertEqual((none["rooms"], none["spaces"]), ([], []))

        # One schedule room's door: its talks and its open space only.
        b.goto(base + "/screen/Main%20Hall")
        b.wait("document.querySelectorAll('#space-list .space').length == 1", 15,
               "the room's open space")
        self.assertEqual(self.text_of("#rooms .room .room-name"), ["Main Hall"])
        self.assertEqual(self.spaces(), ["Rust on microcontrollers"])
        self.assertEqual(self.text_of("#space-list .space .where"), ["hosted by Alice"])

        # A board room the schedule does not have: open spaces, no error.
        b.goto(base + "/screen/Courtyard")
        b.wait("document.querySelectorAll('#space-list .space').length == 1", 15,
               "the courtyard's open space")
        self.assertEqual(b.eval("document.getElementById('conf').textContent"), "Courtyard")
        self.assertNotIn("not available", b.eval("document.getElementById('rooms').textContent"))
        self.assertEqual(self.spaces(), [HOSTILE_TOPIC])
        self.assert_inert()

        # Moved by an organizer: the new time, pushed.
        b.eval("window.__sameDocument = 22")
        self.assertIn("Moved", self.say(ALICE, "!openspace move #1 thu 12:00 Courtyard"))
        b.wait("document.querySelector('#space-list .space .time').textContent == '12:00–13:00'",
               15, "the move")
        # Dropped by its host, on the all-rooms screen.
        b.goto(base + "/screen")
        b.wait("document.querySelectorAll('#space-list .space').length == 2", 15, "both")
        b.eval("window.__sameDocument = 23")
        self.assertIn("Dropped", self.say(ALICE, "!openspace drop #2"))
        b.wait("document.querySelectorAll('#space-list .space').length == 1", 15, "the drop")
        self.assertEqual(self.spaces(), [HOSTILE_TOPIC])
        # Removed by an organizer: the section goes away.
        self.assertIn("Removed", self.say(ALICE, "!openspace remove #1 the courtyard is closed"))
        b.wait("document.getElementById('spaces').hidden", 15, "the removal")
        self.assertEqual(b.eval("window.__sameDocument"), 23)
        self.assert_inert()


if __name__ == "__main__":
    unittest.main(verbosity=2)
