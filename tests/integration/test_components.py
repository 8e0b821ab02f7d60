"""Reply models on Discord (issue 16): embeds with buttons, a "Show more"
that pages through a long answer, a press answered within Discord's 3
seconds, a press after a restart, modals and select menus run as the user
who pressed, with permissions checked again."""
import json
import os
import unittest

from harness import (DaemonTestCase, FIXTURE_DIR, PLUGIN_DIR, SHARED_DATA, base_config, wait_until)

ORGANIZER = "1000000000000001000"
ATTENDEE = "1000000000000001002"
FOSDEM = os.path.join(SHARED_DATA, "schedules", "fosdem2025-schedule.xml")
SUNDAY_1012 = "2025-02-02T10:12:00+01:00"


def buttons(msg):
    return [c for row in msg.get("components") or [] for c in row["components"]]


def titles(msg):
    """The talks a message shows: embed titles, or the bold titles of a compact list."""
    out = []
    for e in msg.get("embeds") or []:
        if e.get("title"):
            out.append(e["title"])
        for line in (e.get("description") or "").split("\n"):
            if "**" in line and not e.get("title"):
                out.append(line.split("**")[1])
    return out


class Components(DaemonTestCase):

    def interaction(self, iid, timeout=10.0):
        return wait_until(lambda: next((i for i in self.st.ctl("GET", "/_test/interactions")["interactions"]
                                        if i["id"] == iid and i["acked"]), None), timeout,
                          what="an answer to interaction %s" % iid)

    def press(self, msg, custom_id, user=ATTENDEE, **extra):
        r = self.st.inject_interaction(type=3, custom_id=custom_id, message_id=msg["id"],
                                       channel_id=msg["channel_id"], user_id=user, **extra)
        self.assertTrue(r.get("delivered"), r)
        inter = self.interaction(r["id"])
        first = inter["responses"][0]
        self.assertEqual(first["kind"], "callback")
        self.assertEqual(first.get("status"), 204, inter["responses"])
        self.assertLess(first["after_s"], 3.0, "the press was answered after Discord's 3 s")
        # The answer is for the one who pressed: nobody else is paged at.
        if inter["ack_type"] == 4:
            self.assertTrue(inter["original"]["flags"] & 64, inter["original"])
        return inter

    def schedule_daemon(self):
        if not os.path.exists(FOSDEM):
            self.skipTest("shared data not present")
        plugins = {"schedule": {"source": FOSDEM, "refresh_seconds": 3600}}
        cfg = base_config(self.st, self.workdir, plugins=plugins, plugin_dir=PLUGIN_DIR)
        d = self.daemon(cfg, env={"HALLWAY_NOW": SUNDAY_1012, "HALLWAY_CLOCK_SPEED": "0"})
        self.ready(d)
        d.wait_log("schedule loaded", 30)
        return d, cfg

    def test_paged_answer_every_talk_reachable_and_a_press_after_restart(self):
        d, cfg = self.schedule_daemon()
        # FOSDEM Sunday 10:12: 26 talks are on. The first page says so.
        self.st.inject_message(content="!now", user_id=ATTENDEE)
        msg = self.wait_bot_messages(1)[0]
        self.assertIn("8 of 26 shown.", msg["content"])
        self.assertLessEqual(len(msg["embeds"]), 10)
        more = [b for b in buttons(msg) if b.get("label") == "Show more"]
        self.assertEqual(len(more), 1, msg.get("components"))
        # "Show more" names the one it answers: their press pages in place.
        self.assertEqual(more[0]["custom_id"], "hw:p:%s:now page=2" % ATTENDEE)
        seen = titles(msg)
        # Each press answers within 3 s by editing the message (UPDATE_MESSAGE,
        # type 7) to the next page, until the last; no new message is posted.
        # Halfway, the bot restarts: the press on the message it left works.
        page, presses = msg, 0
        while True:
            ids = [b["custom_id"] for b in buttons(page) if b.get("label") == "Show more"]
            if not ids:
                break
            if presses == 1:
                self.assertEqual(d.stop(), 0)
                d = self.daemon(cfg, env={"HALLWAY_NOW": SUNDAY_1012, "HALLWAY_CLOCK_SPEED": "0"})
                self.ready(d, identifies=2)
                d.wait_log("schedule loaded", 30)
            inter = self.press(page, ids[0])
            presses += 1
            self.assertEqual(inter["ack_type"], 7, inter["responses"])
            page = inter["original"]
            self.assertEqual(page["id"], msg["id"], "the page is the same message, edited")
            self.assertIn("%d of 26 shown." % min(8 * (presses + 1), 26)
                          if 8 * (presses + 1) < 26 else "The last of 26.",
                          page["content"] + " ".join(e.get("description", "") for e in page["embeds"]))
            seen += titles(page)
            self.assertLess(len(seen), 40, "paging does not end")
        self.assertEqual(presses, 3)
        self.assertEqual(len(seen), 26, seen)
        self.assertEqual(len(set(seen)), 26, "a talk shown twice: %r" % seen)
        self.assertEqual(len(self.bot_messages(msg["channel_id"])), 1, "a press posted a new message")
        # The last page has no "Show more" left on the message.
        self.assertEqual([b for b in buttons(page) if b.get("label") == "Show more"], [])

    def test_someone_elses_press_answers_them_alone(self):
        d, cfg = self.schedule_daemon()
        self.st.inject_message(content="!now", user_id=ATTENDEE)
        msg = self.wait_bot_messages(1)[0]
        inter = self.press(msg, "hw:p:%s:now page=2" % ATTENDEE, user=ORGANIZER)
        self.assertEqual(inter["ack_type"], 4)
        self.assertNotEqual(inter["original"]["id"], msg["id"])
        self.assertIn("16 of 26 shown.", inter["original"]["content"])
        # The asker's message is as it was.
        still = [m for m in self.bot_messages(msg["channel_id"]) if m["id"] == msg["id"]][0]
        self.assertIn("8 of 26 shown.", still["content"])
        self.assertIsNone(still.get("edited_timestamp"))

    def test_a_page_answered_later_edits_the_pressed_message(self):
        d, cfg, msg = self.form_daemon()
        self.st.inject_message(content="!slowpage", user_id=ATTENDEE)
        page = wait_until(lambda: next((m for m in self.bot_messages(msg["channel_id"])
                                        if m["content"].startswith("**Page 1 of 3**")), None), 10,
                          what="the first page")
        [cid] = [b["custom_id"] for b in buttons(page) if b.get("label") == "Show more"]
        self.assertEqual(cid, "hw:p:%s:slowpage page=2" % ATTENDEE)
        # The plugin answers after 300 ms: the press is acknowledged at once
        # (DEFERRED_UPDATE_MESSAGE, type 6), then the page edits @original,
        # which is the pressed message.
        inter = self.press(page, cid)
        self.assertEqual(inter["ack_type"], 6)
        edited = wait_until(lambda: next((m for m in self.bot_messages(msg["channel_id"])
                                          if m["id"] == page["id"] and "Page 2 of 3" in m["content"]),
                                         None), 10, what="the pressed message edited to page 2")
        self.assertEqual([b["custom_id"] for b in buttons(edited) if b.get("label") == "Show more"],
                         ["hw:p:%s:slowpage page=3" % ATTENDEE])
        self.assertFalse(any(m["content"].startswith("**Page 2") for m in self.bot_messages(msg["channel_id"])
                             if m["id"] != page["id"]), "a new message was posted")

    def test_a_track_narrows_and_the_console_form_is_plain(self):
        d, _ = self.schedule_daemon()
        self.st.inject_message(content="!next track:Inclusive Web", user_id=ATTENDEE)
        msg = self.wait_bot_messages(1)[0]
        self.assertIn("Next in the Inclusive Web track", msg["content"])
        self.assertTrue(all("Inclusive Web" in e.get("description", "") for e in msg["embeds"]), msg)
        # Times go as Discord timestamps, each reader sees their own zone.
        self.assertIn("<t:", msg["embeds"][0]["description"])
        self.assertIn(":R>", msg["embeds"][0]["description"])

    def form_daemon(self):
        cfg = base_config(self.st, self.workdir, plugins={"fx_model": {}}, plugin_dir=FIXTURE_DIR)
        d = self.daemon(cfg)
        self.ready(d)
        d.wait_log("plugin fx_model", 10)
        self.st.inject_message(content="!form", user_id=ATTENDEE)
        msg = self.wait_bot_messages(1)[0]
        return d, cfg, msg

    def test_modal_select_and_long_command(self):
        d, cfg, msg = self.form_daemon()
        comps = buttons(msg)
        register = next(c for c in comps if c.get("label") == "Register")
        long_btn = next(c for c in comps if c.get("label") == "Long")
        select = next(c for c in comps if c.get("type") == 3)
        self.assertTrue(long_btn["custom_id"].startswith("hw:k:"), long_btn)
        self.assertLessEqual(len(long_btn["custom_id"]), 100)
        # The modal button answers with the form (interaction response 9).
        inter = self.press(msg, register["custom_id"])
        self.assertEqual(inter["ack_type"], 9)
        form = inter["responses"][0]["data"]
        self.assertEqual(form["title"], "Register")
        inputs = [row["components"][0] for row in form["components"]]
        self.assertEqual([i["custom_id"] for i in inputs], ["order", "name"])
        self.assertEqual((inputs[0]["min_length"], inputs[0]["max_length"], inputs[0]["style"]), (3, 16, 1))
        self.assertEqual(inputs[1]["style"], 2)
        # Submitting it runs the command with each field given to its argument.
        fields = [{"type": 1, "components": [{"type": 4, "custom_id": "order", "value": "AB-123"}]},
                  {"type": 1, "components": [{"type": 4, "custom_id": "name", "value": "Ada Lovelace"}]}]
        r = self.st.inject_interaction(type=5, custom_id=form["custom_id"], components=fields,
                                       channel_id=msg["channel_id"], user_id=ATTENDEE)
        inter = self.interaction(r["id"])
        self.assertLess(inter["responses"][0]["after_s"], 3.0)
        self.assertEqual(inter["original"]["content"],
                         "echo order=AB-123 name=Ada Lovelace by=%s door=1" % ATTENDEE)
        # A select runs "command value", the value quoted when it has spaces.
        inter = self.press(msg, select["custom_id"], component_type=3, values=["two words"])
        self.assertEqual(inter["original"]["content"], "echo order=two words name=- by=%s door=1" % ATTENDEE)
        # The long command, kept in the host's table: works after a restart too.
        self.assertEqual(d.stop(), 0)
        d2 = self.daemon(cfg)
        self.ready(d2, identifies=2)
        d2.wait_log("plugin fx_model", 10)
        inter = self.press(msg, long_btn["custom_id"])
        self.assertEqual(inter["original"]["content"], "echo order=%s name=- by=%s door=1" % ("x" * 120, ATTENDEE))
        # So does the modal.
        inter = self.press(msg, register["custom_id"])
        self.assertEqual(inter["ack_type"], 9)

    def test_send_and_dm_a_model(self):
        d, cfg, msg = self.form_daemon()
        self.st.inject_message(content="!post", user_id=ATTENDEE)
        d.wait_log("fx_model: send_model: status 200", 10)
        d.wait_log("fx_model: dm_model: status 200", 10)
        posted = [m for m in self.bot_messages(msg["channel_id"]) if m["content"].startswith("**Starting soon**")]
        self.assertEqual(len(posted), 1)
        self.assertEqual(posted[0]["embeds"][0]["title"], "Posted talk")
        self.assertEqual(buttons(posted[0])[0]["custom_id"], "hw:c:next")
        dm = [m for m in self.bot_messages() if m["channel_id"] != msg["channel_id"]
              and m["content"].startswith("**Starting soon**")]
        self.assertEqual(len(dm), 1)
        self.assertIn("<t:1795684500:t>", dm[0]["embeds"][0]["description"])
        self.assertTrue(any("the reply model is refused: version" in l for l in d.log))
        self.assertFalse(any("a bad model was accepted" in l for l in d.log))

    def test_press_checks_permissions_again_and_unknown_ids(self):
        d, cfg, msg = self.form_daemon()
        # A button naming an organizer command, pressed by an attendee: refused.
        self.st.inject_message(content="!secret", user_id=ORGANIZER)
        wait_until(lambda: len(self.bot_messages()) >= 2, 10, what="the organizer's answer")
        r = self.st.inject_interaction(type=3, custom_id="hw:c:secret", user_id=ATTENDEE,
                                       channel_id=msg["channel_id"])
        inter = self.interaction(r["id"])
        self.assertIn("organizers only", inter["original"]["content"])
        self.assertTrue(inter["original"]["flags"] & 64)
        # A custom_id this bot never made, or forgot: a polite ephemeral answer.
        for cid in ("hw:k:0123456789abcdef", "something-else"):
            r = self.st.inject_interaction(type=3, custom_id=cid, user_id=ATTENDEE,
                                           channel_id=msg["channel_id"])
            inter = self.interaction(r["id"])
            self.assertIn("type the command again", inter["original"]["content"])
            self.assertTrue(inter["original"]["flags"] & 64)


if __name__ == "__main__":
    unittest.main()
