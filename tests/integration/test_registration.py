"""Registration against pretix (issue 20): the real daemon, the Discord
stand-in and the pretix stand-in (tests/standin/pretix_standin.py).

- test_button_modal_roles_nick: an organizer posts the Register button; a
  click opens the form (interaction response 9), the submitted form runs
  `register`; the member gets the ticket's roles and the badge name as
  nickname (the stand-in's PUT/PATCH calls, with an audit-log reason); the
  pretix token went in the Authorization header and never into the log.
- test_double_use_refused: a second account cannot take the same ticket.
- test_race_for_one_ticket: five accounts claim one ticket at once; one wins.
- test_brute_force_throttled: five failed guesses, then a cool-down; a
  wrong order code and a wrong name get the same answer.
- test_sigkill_between_binding_and_roles: the role calls fail while the
  binding is committed; SIGKILL; after a restart the outbox finishes the
  roles and there is still exactly one binding.
- test_sync_pages_modified_since_etag: the cache follows `next` pages, then
  asks with modified_since, then gets 304 for If-None-Match; a new order
  arrives with the next sweep and registers without a live lookup.
- RegistrationRushTest: 60 attendees at once get every role and nickname
  within a minute, with no 429.
- test_pretix_down_then_up: pretix refuses connections; the registration is
  queued with an honest answer and finishes by itself with a DM once
  pretix is back.
"""
import os
import signal
import sqlite3
import time
import unittest

from harness import PLUGIN_DIR, SOURCE_DIR, DaemonTestCase, base_config, wait_until
from pretix_standin import EVENT, ORGANIZER, PretixThread

GENERAL, ANNOUNCEMENTS, ORGANIZERS = "1000000000000000201", "1000000000000000203", "1000000000000000204"
ALICE, BOB, CAROL, DAVE = ("1000000000000001000", "1000000000000001001", "1000000000000001002",
                           "1000000000000001003")  # alice holds the Organizer role
PRETIX_TOKEN = "pretix-secret-token-4711"


def available():
    return os.path.exists(os.path.join(PLUGIN_DIR, "registration.so"))


@unittest.skipUnless(available(), "registration.so not built")
class RegistrationTest(DaemonTestCase):
    def setUp(self):
        super().setUp()
        self.pretix = PretixThread(token=PRETIX_TOKEN, page_size=2).start()
        self.roles = self.world["role_ids"]
        p = self.pretix
        p.add_order("AB12C", positions=[{"item": 1, "variation": 12, "attendee_name": "José Müller"},
                                        {"item": 2, "attendee_name": "Grace Hopper"}])
        p.add_order("PAID2", positions=[{"item": 1, "variation": 11, "attendee_name": "Νίκος Παπαδόπουλος"}])
        p.add_order("UNPD3", status="n", positions=[{"item": 1, "attendee_name": "Ada Lovelace"}])
        p.add_order("LATE4", positions=[{"item": 3, "attendee_name": "Vera Volunteer"}])

    def tearDown(self):
        super().tearDown()
        self.pretix.stop()

    def config(self):
        plugin = {"pretix": {"url": self.pretix.url + "/", "organizer": ORGANIZER, "event": EVENT},
                  "roles": {"registered": self.roles["Attendee"],
                            "items": {"1": [self.roles["Attendee"]], "2": self.roles["Sponsor"],
                                      "3": [self.roles["Volunteer"]]},
                            "variations": {"12": self.roles["Remote"]}},
                  "log_channel": ORGANIZERS, "refresh_seconds": 30}
        return base_config(self.st, self.workdir, plugins={"registration": plugin}, plugin_dir=PLUGIN_DIR)

    def start(self):
        d = self.daemon(self.config(), env={"HALLWAY_PRETIX_TOKEN": PRETIX_TOKEN})
        self.ready(d)
        return d

    def say(self, user, text, channel=GENERAL, dm=False):
        """Sends a chat command (in a channel or a DM); returns the bot's reply to it."""
        if dm:
            sent = self.st.inject_message(content="!" + text, user_id=user, dm=True)
            channel = sent["channel_id"]
        else:
            sent = self.st.inject_message(content="!" + text, user_id=user, channel_id=channel)

        def reply():
            for m in self.bot_messages(channel):
                if (m.get("message_reference") or {}).get("message_id") == sent["id"]:
                    return m
            return None
        return wait_until(reply, 30, what="the reply to %r" % text)["content"]

    def refresh(self):
        """registration refresh, once no sweep is running."""
        wait_until(lambda: "Asking pretix" in self.say(ALICE, "registration refresh"), 30, interval=0.3,
                   what="a refresh to start")

    def member(self, uid):
        return self.st.world()["members"][uid]

    def wait_roles(self, uid, names, timeout=30):
        want = {self.roles[n] for n in names}
        return wait_until(lambda: want <= set(self.member(uid)["roles"]), timeout,
                          what="roles %s on %s" % (names, uid))

    def db_count(self, sql):
        con = sqlite3.connect("file:%s?mode=ro" % os.path.join(self.workdir, "hallway.db"), uri=True,
                              timeout=10)
        try:
            return con.execute(sql).fetchone()[0]
        finally:
            con.close()

    def interaction_text(self, iid):
        """The text of an interaction's answer (its original message or a follow-up)."""
        for i in self.st.ctl("GET", "/_test/interactions")["interactions"]:
            if i["id"] != iid:
                continue
            for m in [i.get("original")] + list(i.get("followups") or []):
                if m and m.get("content") and not (m.get("flags", 0) & 128):
                    return m["content"]
        return None

    # -- tests -------------------------------------------------------------

    def test_button_modal_roles_nick(self):
        d = self.start()
        self.assertEqual(self.say(ALICE, "registration post"), "Posted.")
        post = wait_until(lambda: next((m for m in self.bot_messages(GENERAL) if m.get("components")), None),
                          15, what="the Register button")
        button = post["components"][0]["components"][0]
        self.assertEqual(button["label"], "Register")
        click = self.st.inject_interaction(type=3, user_id=CAROL, custom_id=button["custom_id"],
                                           message_id=post["id"])
        wait_until(lambda: any(i["id"] == click["id"] and i["ack_type"] == 9 for i in
                               self.st.ctl("GET", "/_test/interactions")["interactions"]), 15,
                   what="the form (response 9)")
        form = [{"type": 1, "components": [{"type": 4, "custom_id": "order", "value": "ab12c"}]},
                {"type": 1, "components": [{"type": 4, "custom_id": "name", "value": "muller jose"}]}]
        submit = self.st.inject_interaction(type=5, user_id=CAROL, custom_id=button["custom_id"],
                                            components=form)
        text = wait_until(lambda: self.interaction_text(submit["id"]), 30, what="the form's answer")
        self.assertIn("Welcome, José Müller!", text)
        self.wait_roles(CAROL, ["Attendee", "Remote"])
        wait_until(lambda: self.member(CAROL)["nick"] == "José Müller", 15, what="the nickname")
        self.assertNotIn(self.roles["Sponsor"], self.member(CAROL)["roles"])
        audit = [a for a in self.st.world()["audit_log"] if a["user_id"] == CAROL]
        self.assertTrue(audit and all(a["reason"] and "registration" in a["reason"] for a in audit), audit)
        # The token went in the header, and nowhere into the log.
        reqs = self.pretix.requests()
        self.assertTrue(reqs and all(r["auth_ok"] for r in reqs))
        self.assertNotIn(PRETIX_TOKEN, d.log_text())
        # The organizers' log channel has the line, without the typed name.
        lines = [m["content"] for m in self.bot_messages(ORGANIZERS)]
        self.assertTrue(any("registered: order AB12C" in l for l in lines), lines)
        self.assertFalse(any("muller jose" in l.lower() for l in lines))
        self.assertFalse(any(PRETIX_TOKEN in l for l in lines))

    def test_double_use_refused(self):
        self.start()
        # A new order (not cached yet) and pretix answering slowly (2.5 s):
        # the live lookup waits for it.
        self.pretix.add_order("SLOW6", positions=[{"item": 1, "attendee_name": "Sol Slow"}])
        self.pretix.fault("delay", ms=2500, path="/orders/SLOW6/")
        self.assertIn("Welcome, Sol Slow!", self.say(CAROL, "register SLOW6 Sol Slow"))
        self.assertEqual(self.pretix.faults[0]["count"], 0, "the slow answer never came")
        self.assertIn("Welcome, Νίκος Παπαδόπουλος!", self.say(BOB, "register PAID2 ΠΑΠΑΔΟΠΟΥΛΟΣ Νίκος"))
        self.wait_roles(BOB, ["Attendee"])
        # (in a DM this time: every door runs register)
        self.assertIn("already linked to another Discord account",
                      self.say(DAVE, "register PAID2 νίκος παπαδόπουλος", dm=True))
        self.assertEqual(self.db_count("SELECT COUNT(*) FROM registration_binding WHERE order_code = 'PAID2'"), 1)
        self.assertNotIn(self.roles["Attendee"], self.member(DAVE)["roles"])
        # Bob cannot take a second ticket either.
        self.assertIn("already registered", self.say(BOB, "register AB12C Grace Hopper"))
        status = self.say(ALICE, "registration status PAID2")
        self.assertIn("bound to <@%s>" % BOB, status)

    def test_race_for_one_ticket(self):
        """Five accounts send the same order and name at once: one gets the ticket."""
        self.start()
        users = [u["id"] for u in self.world["users"]][:5]
        sent = {}
        for uid in users:  # back to back, no waiting for answers
            sent[uid] = self.st.inject_message(content="!register LATE4 Vera Volunteer", user_id=uid,
                                               channel_id=GENERAL)["id"]

        def answers():
            out = {}
            for m in self.bot_messages(GENERAL):
                ref = (m.get("message_reference") or {}).get("message_id")
                for uid, mid in sent.items():
                    if ref == mid:
                        out[uid] = m["content"]
            return out if len(out) == len(sent) else None
        self.assertEqual(len(sent), 5)
        got = wait_until(answers, 30, what="five answers")
        winners = [u for u, t in got.items() if "Welcome, Vera Volunteer!" in t]
        self.assertEqual(len(winners), 1, got)
        for uid, text in got.items():
            if uid not in winners:
                self.assertIn("already linked to another Discord account", text)
        self.assertEqual(self.db_count("SELECT COUNT(*) FROM registration_binding"), 1)
        self.wait_roles(winners[0], ["Attendee", "Volunteer"])

    def test_brute_force_throttled(self):
        self.start()
        wrong_code = self.say(CAROL, "register ZZZ99 Grace Hopper")
        wrong_name = self.say(CAROL, "register AB12C Grace Hoppe")
        unpaid = self.say(CAROL, "register UNPD3 Ada Lovelace")
        self.assertEqual(wrong_code.split(" (")[0], wrong_name.split(" (")[0])
        self.assertEqual(wrong_name.split(" (")[0], unpaid.split(" (")[0])
        for code in ("QQQ11", "QQQ12"):
            last = self.say(CAROL, "register %s Grace Hopper" % code)
        self.assertIn("last attempt for this hour", last)
        def lookups():
            return [r for r in self.pretix.requests() if r["path"].endswith("/orders/AB12C/")]
        before = len(lookups())
        throttled = self.say(CAROL, "register AB12C Grace Hopper")
        self.assertIn("Too many failed attempts: please wait", throttled)
        self.assertEqual(len(lookups()), before, "a throttled attempt asked pretix")
        self.assertEqual(self.db_count("SELECT COUNT(*) FROM registration_binding"), 0)
        lines = [m["content"] for m in self.bot_messages(ORGANIZERS)]
        self.assertTrue(any("throttled" in l for l in lines), lines)
        stats = self.say(ALICE, "registration stats")
        self.assertIn("failed: 5", stats)
        self.assertIn("throttled: 1", stats)

    def test_sigkill_between_binding_and_roles(self):
        d = self.start()
        # Discord fails every role and nickname change for now.
        self.st.rest_fault(kind="status", status=503, path="/guilds/.*/members/", count=100000)
        self.assertIn("Welcome, Vera Volunteer!", self.say(DAVE, "register LATE4 vera volunteer"))
        wait_until(lambda: any("/guilds/" in r["path"] and r["method"] == "PUT"
                               for r in self.st.ctl("GET", "/_test/rest/requests")["requests"]), 20,
                   what="a role call")
        self.assertEqual(self.db_count("SELECT COUNT(*) FROM registration_binding"), 1)
        self.assertGreater(self.db_count("SELECT COUNT(*) FROM registration_grant"), 0)
        d.signal(signal.SIGKILL)
        d.wait(10)
        self.daemons.remove(d)
        self.assertNotIn(self.roles["Volunteer"], self.member(DAVE)["roles"])
        self.st.rest_fault(clear=True)
        d2 = self.daemon(self.config(), env={"HALLWAY_PRETIX_TOKEN": PRETIX_TOKEN})
        self.ready(d2, identifies=2)
        self.wait_roles(DAVE, ["Attendee", "Volunteer"])
        wait_until(lambda: self.member(DAVE)["nick"] == "Vera Volunteer", 15, what="the nickname")
        wait_until(lambda: self.db_count("SELECT COUNT(*) FROM registration_grant") == 0, 15,
                   what="an empty outbox")
        self.assertEqual(self.db_count("SELECT COUNT(*) FROM registration_binding"), 1)
        self.assertIn("already registered", self.say(DAVE, "register LATE4 Vera Volunteer"))

    def test_sync_pages_modified_since_etag(self):
        self.start()

        def lists(**want):
            return [r for r in self.pretix.requests() if r["path"].endswith("/orders/")
                    and all((r["query"].get(k) if k != "status" and k != "inm" else
                             r["status"] if k == "status" else r["if_none_match"]) == v
                            for k, v in want.items())]
        # The first sweep: every order, page 2 followed through `next`.
        wait_until(lambda: lists(page="2"), 20, what="the second page of the first sweep")
        self.assertTrue(lists(status=200) and not lists()[0]["query"].get("modified_since"))
        # Then only what changed since the newest change seen...
        self.refresh()
        wait_until(lambda: [r for r in lists() if r["query"].get("modified_since")], 20,
                   what="a sweep with modified_since")
        # ...and once nothing changed, the same question with If-None-Match: 304.
        for _ in range(3):
            if [r for r in lists() if r["status"] == 304]:
                break
            n = len(lists())
            self.refresh()
            wait_until(lambda: len(lists()) > n, 20, what="one more sweep")
        not_modified = [r for r in lists() if r["status"] == 304]
        self.assertTrue(not_modified and not_modified[0]["if_none_match"], lists())
        # A new order comes with the next sweep, and registers from the cache.
        self.pretix.add_order("NEW05", positions=[{"item": 2, "attendee_name": "Linus Aberg"}])
        self.refresh()
        wait_until(lambda: "status p" in self.say(ALICE, "registration status NEW05"), 20,
                   interval=0.5, what="NEW05 in the cache")
        lookups = len([r for r in self.pretix.requests() if r["path"].endswith("/NEW05/")])
        self.assertIn("Welcome, Linus Aberg!", self.say(CAROL, "register NEW05 Linus Åberg"))
        self.assertEqual(len([r for r in self.pretix.requests() if r["path"].endswith("/NEW05/")]), lookups)
        self.assertTrue(all(r["auth_ok"] for r in self.pretix.requests()))

    def test_pretix_down_then_up(self):
        self.start()
        self.pretix.down()
        queued = self.say(CAROL, "register AB12C Grace Hopper")
        self.assertIn("pretix (the ticket shop) is not answering", queued)
        self.assertIn("DM", queued)
        self.assertEqual(self.db_count("SELECT COUNT(*) FROM registration_queue"), 1)
        self.pretix.up()

        def dm():
            channel = (self.st.world().get("dm_channels") or {}).get(CAROL)
            cid = channel if isinstance(channel, str) else (channel or {}).get("id")
            return cid and next((m["content"] for m in self.bot_messages(cid) if "Welcome" in m["content"]), None)
        text = wait_until(dm, 90, interval=0.5, what="the DM once pretix is back")
        self.assertIn("Grace Hopper", text)
        self.wait_roles(CAROL, ["Attendee", "Sponsor"])
        self.assertEqual(self.db_count("SELECT COUNT(*) FROM registration_queue"), 0)



@unittest.skipUnless(available(), "registration.so not built")
@unittest.skipUnless(available() and all(os.path.exists(os.path.join(PLUGIN_DIR, n + ".so"))
                                         for n in ("schedule", "announce")),
                     "registration, schedule or announce not built")
class SpeakerMentionTest(DaemonTestCase):
    """A speaker who opted in (`registration mention on`) is pinged next to
    their talk in the grouped starting-soon post; one who did not is named
    without a ping, and nothing else in the post pings anyone."""

    def test_grouped_post_pings_the_opted_in_speaker_only(self):
        pretix = PretixThread(token=PRETIX_TOKEN).start()
        self.addCleanup(pretix.stop)
        roles = self.world["role_ids"]
        sample = os.path.join(SOURCE_DIR, "plugins", "schedule", "sample", "hallwaycon.json")
        plugins = {"schedule": {"source": sample},
                   "announce": {"channels": [ANNOUNCEMENTS]},
                   "registration": {"pretix": {"url": pretix.url, "organizer": ORGANIZER, "event": EVENT},
                                    "roles": {"registered": roles["Attendee"], "speaker": roles["Speaker"]}}}
        # The 10:15 slot's post is due at 10:10; the clock runs 6x from 10:07:30.
        d = self.daemon(base_config(self.st, self.workdir, plugins=plugins, plugin_dir=PLUGIN_DIR),
                        env={"HALLWAY_PRETIX_TOKEN": PRETIX_TOKEN, "HALLWAY_NOW": "2026-11-26T10:07:30+01:00",
                             "HALLWAY_CLOCK_SPEED": "6"})
        self.ready(d)
        d.wait_log("schedule loaded")

        def say(user, text):
            sent = self.st.inject_message(content="!" + text, user_id=user, channel_id=GENERAL)
            return wait_until(lambda: next((m["content"] for m in self.bot_messages(GENERAL)
                                            if (m.get("message_reference") or {}).get("message_id") == sent["id"]),
                                           None), 15, what="the reply to %r" % text)

        # Linus Åberg (Envelope, 10:15) is Bob, named without the accent and in
        # capitals; Björn Müller (Workshop Room B, 10:15) is Carol, who does not opt in.
        self.assertIn("is now a speaker", say(ALICE, "registration speaker <@%s> LINUS ABERG" % BOB))
        self.assertIn("is now a speaker", say(ALICE, "registration speaker <@%s> Björn Müller" % CAROL))
        self.assertIn("not a speaker here yet", say(DAVE, "registration mention on"))
        self.assertIn("will mention you", say(BOB, "registration mention on"))
        d.wait_log("1 speaker to mention")

        def slot_posts():
            return [m for m in self.bot_messages(ANNOUNCEMENTS)
                    if m["content"].startswith("**Starting in 5 minutes, at 10:15**")]
        post = wait_until(lambda: (slot_posts() or [None])[0], 60, what="the 10:15 starting-soon post")
        # Issue 16: the post is embeds; the one speaker who opted in is
        # mentioned in its content, and pinged: nobody else is.
        self.assertEqual(post["content"].split("\n"), ["**Starting in 5 minutes, at 10:15**", "<@%s>" % BOB])
        by_title = {e["title"]: e["description"] for e in post["embeds"]}
        self.assertIn("Linus Åberg", by_title["Discord Gateway Deep Dive"])
        self.assertIn("Björn Müller, Zoë Fernández", by_title["Workshop: Your First Plugin in C"])
        self.assertEqual([u["id"] for u in post["mentions"]], [BOB])
        self.assertFalse(post["mention_everyone"])
        self.assertEqual(post["mention_roles"], [])
        self.assertEqual(len(slot_posts()), 1)


class RegistrationRushTest(DaemonTestCase):
    """60 attendees register at once: every binding, role and nickname lands
    well within a minute (the outbox reads its next batch as soon as one is
    answered, not at the 15 s timer; the stand-in allows 10 calls a second
    per route), with no 429."""

    N = 60
    standin_options = {"heartbeat_ms": 1000, "identify_window_s": 0, "guild_members": N + 1}

    def test_rush(self):
        pretix = PretixThread(token=PRETIX_TOKEN, page_size=50).start()
        self.addCleanup(pretix.stop)
        for i in range(self.N):
            pretix.add_order("R%04d" % i, positions=[{"item": 1, "variation": 12,
                                                      "attendee_name": "Person %d Rush" % i}])
        roles = self.world["role_ids"]
        plugin = {"pretix": {"url": pretix.url, "organizer": ORGANIZER, "event": EVENT},
                  "roles": {"registered": roles["Attendee"], "variations": {"12": roles["Remote"]}}}
        d = self.daemon(base_config(self.st, self.workdir, plugins={"registration": plugin}, plugin_dir=PLUGIN_DIR),
                        env={"HALLWAY_PRETIX_TOKEN": PRETIX_TOKEN})
        self.ready(d)
        users = [str(1000000000000001000 + i) for i in range(1, self.N + 1)]
        t0 = time.monotonic()
        for i, uid in enumerate(users):
            self.st.inject_message(content="!register R%04d Person %d Rush" % (i, i), user_id=uid,
                                   channel_id=GENERAL)

        def complete():
            members = self.st.world()["members"]
            return all(roles["Remote"] in members[u]["roles"] and roles["Attendee"] in members[u]["roles"]
                       and members[u]["nick"] for u in users)
        wait_until(complete, 90, interval=0.5, what="every role and nickname")
        took = time.monotonic() - t0
        print("%d registrations, %d member calls: %.1f s" % (self.N, 3 * self.N, took))
        self.assertLess(took, 60)
        self.assertEqual(self.st.ctl("GET", "/_test/rest/ratelimits")["total"], 0)


if __name__ == "__main__":
    unittest.main()
