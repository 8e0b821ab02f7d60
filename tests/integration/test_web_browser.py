"""The lobby screen and the organizer page in a real browser (issue 19):
headless Chromium, driven over the DevTools protocol (tests/browser/cdp.py),
loads /screen on the sample conference at a fixed clock and checks what is
shown; an announcement appears without a reload; hostile titles, speaker
names and announcement text render as text (checked in the DOM, and no
dialog ever opens); the screen says "offline since HH:MM" when the daemon
goes away and catches up when it is back. Screenshots go to
docs/screenshots/ and to <build>/test-artifacts/web/.

Run with /usr/bin/python3 (see harness.py)."""
import json
import os
import re
import sys
import unittest

from harness import BUILD_DIR, PLUGIN_DIR, SOURCE_DIR, DaemonTestCase, base_config, wait_until

sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "browser"))
import cdp  # noqa: E402
from webclient import listen_port  # noqa: E402

ALICE = "1000000000000001000"  # holds the Organizer role
TALKS = "1000000000000000202"
SAMPLE = os.path.join(SOURCE_DIR, "plugins", "schedule", "sample", "hallwaycon.json")
NOW = "2026-11-26T10:20:00+01:00"  # the keynote (10:15-11:00, Main Hall) is on
HOSTILE_TITLE = "<img src=x onerror=alert(1)>"
HOSTILE_SPEAKER = "<script>alert(2)</script> Mallory"
HOSTILE_NEWS = "Lunch is served <img src=x onerror=alert(3)> in the foyer"
SHOTS = [os.path.join(SOURCE_DIR, "docs", "screenshots"), os.path.join(BUILD_DIR, "test-artifacts", "web")]


def hostile_sample(path, changed=False):
    """The sample conference with the keynote's title and speaker made hostile;
    changed: a new release where one talk moved and one is cancelled."""
    with open(SAMPLE) as f:
        data = json.load(f)
    for day in data["schedule"]["conference"]["days"]:
        for talks in day["rooms"].values():
            for t in talks:
                if t["title"] == "Why Conferences Need Better Bots":
                    t["title"] = HOSTILE_TITLE
                    t["persons"] = [{"public_name": HOSTILE_SPEAKER}]
                if changed and t["title"] == "Discord Gateway Deep Dive":
                    t["date"] = t["date"].replace("T10:15", "T10:30")
                    t["start"] = "10:30"
                    if "end" in t:
                        t["end"] = t["end"].replace("T10:45", "T11:00")
                if changed and t["title"] == "Scaling Community Moderation":
                    t["state"] = "cancelled"
    if changed:
        data["schedule"]["version"] = "release 2"
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f)
    os.replace(tmp, path)


@unittest.skipUnless(cdp.find_chromium(), "no chromium (scripts/install-deps.sh installs it)")
class BrowserTest(DaemonTestCase):
    def setUp(self):
        super().setUp()
        self.browser = None

    def tearDown(self):
        if self.browser:
            self.browser.close()
        super().tearDown()

    def start(self, port=None, refresh=None):
        self.sample = os.path.join(self.workdir, "hostile.json")
        hostile_sample(self.sample)
        schedule = {"source": self.sample}
        if refresh:
            schedule["refresh_seconds"] = refresh
        cfg = base_config(self.st, self.workdir, plugin_dir=PLUGIN_DIR, plugins={
            "schedule": schedule, "announce": {"channels": [TALKS]},
            "sprints": {"projects": [{"name": "cpython", "capacity": 2, "days": ["2026-11-28"]},
                                     {"name": "hallway", "capacity": 5, "days": ["2026-11-28"]}]}})
        # Port 0 (the daemon picks one) unless a restart must reuse the port.
        cfg["http"] = {"listen": "127.0.0.1:%d" % (port or 0)}
        d = self.daemon(cfg, env={"HALLWAY_NOW": NOW})
        self.ready(d, identifies=len(self.daemons))
        self.port = listen_port(d)
        return d

    def shot(self, name, full_page=False):
        for folder in SHOTS:
            size = self.browser.screenshot(os.path.join(folder, name), full_page)
            self.assertGreater(size, 5000)

    def assert_inert(self):
        b = self.browser
        self.assertEqual(b.dialogs(), [], "a dialog opened: hostile text ran as code")
        self.assertEqual(b.eval("document.querySelectorAll('img, script:not([src])').length"), 0)
        csp = [p for p in b.problems() if "Content Security Policy" in p or "Refused" in p]
        self.assertEqual(csp, [], "the page broke its own CSP")

    def text_of(self, selector):
        return self.browser.eval("Array.from(document.querySelectorAll(%s)).map(e => e.textContent)"
                                 % json.dumps(selector))

    def test_screen(self):
        d = self.start()
        base = "http://127.0.0.1:%d" % self.port
        b = self.browser = cdp.Browser(1920, 1080)
        b.goto(base + "/screen")
        b.wait("document.querySelectorAll('#rooms .room').length >= 3", what="the rooms")
        rooms = self.text_of(".room-name")
        self.assertEqual(rooms[:2], ["Main Hall", "Envelope ✉️"])
        self.assertEqual(b.eval("document.getElementById('conf').textContent"), "HallwayCon 2026")
        # The fixed clock, shown in the conference's zone.
        self.assertRegex(b.eval("document.getElementById('clock').textContent"), r"^10:2[0-2]$")
        main = "#rooms .room[data-room='Main Hall']"
        self.assertEqual(self.text_of(main + " .talk.now .title"), [HOSTILE_TITLE])
        self.assertEqual(self.text_of(main + " .talk.now .speakers"), [HOSTILE_SPEAKER])
        self.assertEqual(self.text_of(main + " .talk.now .time"), ["10:15–11:00"])
        self.assertTrue(self.text_of(main + " .talk.next .title")[0])
        self.assertTrue(b.eval("document.getElementById('banner').hidden"))
        self.assert_inert()
        # An announcement arrives by push: no reload (the marker survives).
        b.eval("window.__sameDocument = 42")
        self.st.inject_message(content="!announce now " + HOSTILE_NEWS, user_id=ALICE)
        b.wait("!document.getElementById('banner').hidden", 15, "the banner")
        self.assertEqual(b.eval("document.getElementById('banner-text').textContent"), HOSTILE_NEWS)
        self.assertEqual(b.eval("window.__sameDocument"), 42)
        self.assert_inert()
        self.shot("screen.png")
        # One room's door, and a phone.
        b.goto(base + "/screen/Main%20Hall")
        b.wait("document.querySelectorAll('#rooms .room').length == 1", what="one room")
        self.assertEqual(b.eval("document.getElementById('conf').textContent"), "Main Hall")
        b.wait("!document.getElementById('banner').hidden", what="the banner after a load")
        self.assert_inert()
        self.shot("screen-room.png")
        b.set_viewport(390, 844, mobile=True, scale=2)
        b.goto(base + "/screen")
        b.wait("document.querySelectorAll('#rooms .room').length >= 3", what="the rooms on a phone")
        # Nothing wider than the phone's screen.
        self.assertLessEqual(b.eval("document.documentElement.scrollWidth"), 390)
        self.shot("screen-phone.png")
        b.set_viewport(1920, 1080)
        b.goto(base + "/screen")
        b.wait("document.querySelectorAll('#rooms .room').length >= 3", what="the rooms")
        # The daemon goes away: the last state stays, with a quiet note.
        d.stop()
        b.wait("!document.getElementById('status').hidden", 20, "the offline note")
        self.assertRegex(b.eval("document.getElementById('status').textContent"),
                         r"^offline since 10:2\d$")
        self.assertEqual(self.text_of(main + " .talk.now .title"), [HOSTILE_TITLE])
        # Back on the same port: the page catches up by itself.
        self.start(self.port)
        b.wait("document.getElementById('status').hidden", 30, "the note to go")
        b.wait("document.getElementById('banner-text').textContent == %s" % json.dumps(HOSTILE_NEWS),
               15, "the banner after catching up")
        self.assert_inert()

    def test_changes_are_marked(self):
        """A new release moves a talk and cancels another: the open screen shows
        both, pushed, without a reload."""
        self.start(refresh=10)
        b = self.browser = cdp.Browser(1920, 1080)
        b.goto("http://127.0.0.1:%d/screen" % self.port)
        b.wait("document.querySelectorAll('#rooms .room').length >= 3", what="the rooms")
        b.eval("window.__sameDocument = 7")
        env = "#rooms .room[data-room='Envelope ✉️']"
        main = "#rooms .room[data-room='Main Hall']"
        self.assertEqual(self.text_of(env + " .talk.now .title"), ["Discord Gateway Deep Dive"])
        hostile_sample(self.sample, changed=True)  # the next refresh (10 s) reads it
        b.wait("!!document.querySelector(%s)" % json.dumps(env + " .talk.next.moved"), 40, "the moved mark")
        self.assertEqual(self.text_of(env + " .talk.next .title"), ["Discord Gateway Deep Dive"])
        self.assertEqual(self.text_of(env + " .talk.next .mark"), ["Moved: was 10:15"])
        self.assertEqual(self.text_of(env + " .talk.next .time"), ["10:30–11:00"])
        self.assertEqual(self.text_of(main + " .talk.next.cancelled .title"), ["Scaling Community Moderation"])
        self.assertEqual(self.text_of(main + " .talk.next .mark"), ["Cancelled"])
        self.assertEqual(b.eval("window.__sameDocument"), 7)
        self.assert_inert()
        self.shot("screen-changes.png")

    def test_organizer_page(self):
        self.start()
        base = "http://127.0.0.1:%d" % self.port
        sent = []
        for uid, line in ((ALICE, "!sprint join cpython 2026-11-28"),
                          ("1000000000000001001", "!sprint join cpython 2026-11-28"),
                          ("1000000000000001002", "!sprint join cpython 2026-11-28"),
                          (ALICE, "!announce at 2026-11-26 16:00 Raffle <b>draw</b> at four"),
                          (ALICE, "!announce now " + HOSTILE_NEWS)):
            sent.append(self.st.inject_message(content=line, user_id=uid)["id"])
        wait_until(lambda: [m for m in self.bot_messages(TALKS) if "Lunch is served" in m["content"]],
                   15, what="the announcement")
        # The rosters the page shows are the ones committed with the joins:
        # wait for the three answers, not for the announcement alone.
        wait_until(lambda: len({(m.get("message_reference") or {}).get("message_id")
                                for m in self.bot_messages()} & set(sent[:3])) == 3,
                   15, what="the answers to the three joins")
        b = self.browser = cdp.Browser(1440, 1000)
        # Not signed in: the page says how to get in, and shows nothing else.
        b.goto(base + "/organizer")
        b.wait("document.getElementById('notice').textContent.includes('dashboard')", what="the notice")
        self.assertTrue(b.eval("document.getElementById('app').hidden"))
        self.st.inject_message(content="!dashboard", user_id=ALICE)

        def link():
            for m in self.bot_messages():
                hit = re.search(r"(http://\S+/organizer/signin#[0-9a-f]{64})", m["content"])
                if hit:
                    return hit.group(1)
            return None
        b.goto(wait_until(link, 15, what="the sign-in DM"))
        b.wait("location.pathname == '/organizer' && !document.getElementById('app').hidden", 15,
               "the signed-in page")
        self.assertEqual(b.eval("location.hash"), "")  # the token left the address bar
        b.wait("document.querySelectorAll('section.panel table').length >= 4", 15, "the panels")
        titles = self.text_of("#panels section.panel > h2")
        self.assertEqual(sorted(titles), ["Announcements", "Schedule", "Sprint rosters"])
        cells = self.text_of("#panels td")
        self.assertIn(HOSTILE_NEWS, cells)
        self.assertIn("Raffle <b>draw</b> at four", cells)
        self.assertIn("2 of 2", cells)  # cpython: two seats taken, one waiting
        self.assertIn("Cancel #", " ".join(self.text_of("#panels button")))
        self.assert_inert()
        height = b.eval("document.documentElement.scrollHeight")
        b.set_viewport(1440, min(max(height, 1000), 4000))
        self.shot("organizer.png")
        b.set_viewport(1440, 1000)
        # An action runs the chat command as the organizer; its answer is shown.
        b.eval("document.getElementById('cmd').value = 'announce list'; "
               "document.getElementById('cmdform').requestSubmit()")
        b.wait("document.querySelector('#result pre') && "
               "document.querySelector('#result pre').textContent.includes('Raffle')", 15, "the answer")
        self.assert_inert()
        # Promote from the waitlist: +1 seat runs `sprint edit "cpython" capacity=3`.
        b.eval("Array.from(document.querySelectorAll('#panels button'))"
               ".find(x => x.textContent.startsWith('+1 seat: cpython (promotes Carol)')).click()")
        b.wait("Array.from(document.querySelectorAll('#panels td')).some(e => e.textContent == '3 of 3')",
               15, "the roster after the promotion")
        self.assertIn("Alice, Bob, Carol", self.text_of("#panels td"))
        self.assert_inert()
        # The HttpOnly cookie is out of the page's reach.
        self.assertNotIn("hallway_session", b.eval("document.cookie"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
