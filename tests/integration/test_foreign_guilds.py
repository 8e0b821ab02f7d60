"""Organizer rights and private data (issue 15, items 1 and 2), against the
real daemon and the stand-in.

- A second guild (the stand-in's `other_guild`: an attendee's own server,
  where everyone holds a role named "Organizer") grants nothing: with the
  default `discord.foreign_guilds` ("ignore") the bot does not answer there
  at all; with "answer" it answers attendee commands and refuses organizer
  ones, in chat and as slash commands.
- Organizer commands in DMs are refused with a clear message, to an
  organizer of the conference too: no "last seen as organizer" cache an
  attendee could fill from their own server.
- `sprint export` never posts the CSV in a channel: typed in a guild channel
  it goes to the organizer by DM; as a slash command, the answer is
  ephemeral.
"""
import json
import time
import unittest
import urllib.request

from harness import PLUGIN_DIR, DaemonTestCase, base_config, wait_until
from test_security import ANNOUNCE_CHANNEL, all_plugins, have_plugin


class ForeignGuildTests(DaemonTestCase):

    def setUp(self):
        super().setUp()
        self.users = {u["username"]: u["id"] for u in self.world["users"] if "username" in u}
        self.alice, self.bob, self.carol = self.users["alice"], self.users["bob"], self.users["carol"]
        self.general = self.world["general_channel_id"]
        self.other = self.world["other_guild"]
        self.st.config(message_rate_limit=1000, message_rate_window_s=1, other_guild=True)

    def start(self, **discord):
        cfg = base_config(self.st, self.workdir, plugins=all_plugins(), plugin_dir=PLUGIN_DIR)
        cfg["discord"].update(discord)
        cfg["limits"] = {"user_commands": 0}  # fair-use budgets would make these tests slow, not stricter
        d = self.daemon(cfg, env={"HALLWAY_NOW": "2026-11-26T09:55:00+01:00"})
        self.ready(d)
        d.wait_log("guild %s:" % self.other["id"], 10)  # the other guild's roles are known
        return d

    def say(self, content, user, channel_id=None, dm=False, n=1, timeout=15.0):
        """Injects a message and returns the bot messages that followed (at least n)."""
        before = len(self.bot_messages())
        fields = {"content": content, "user_id": user}
        if channel_id:
            fields["channel_id"] = channel_id
        if dm:
            fields["dm"] = True
        self.st.inject_message(**fields)
        wait_until(lambda: len(self.bot_messages()) >= before + n, timeout,
                   what="%d answer(s) to %r" % (n, content))
        time.sleep(0.3)
        return self.bot_messages()[before:]

    def settle(self):
        """Events are handled in order: once a later !ping is answered, every
        earlier message was handled too."""
        self.say("!ping", self.bob, channel_id=self.general)

    def projects(self):
        # A reply model (issue 16): the projects are in the embeds.
        return json.dumps(self.say("!sprints", self.bob, channel_id=self.general), ensure_ascii=False)

    def slash(self, name, sub=None, user=None, channel_id=None, options=None, dm=False):
        opts = [{"type": 1, "name": sub, "options": options or []}] if sub else []
        where = {"dm": True} if dm else {"channel_id": channel_id or self.general}
        res = self.st.inject_interaction(name=name, options=opts, user_id=user, **where)
        return wait_until(lambda: [i for i in self.st.ctl("GET", "/_test/interactions")["interactions"]
                                   if i["id"] == res["id"] and i["responses"]], 10,
                          what="slash answer to /%s %s" % (name, sub or ""))[0]

    # ---- item 1: organizer rights from the conference guild only ----

    def test_other_guild_is_ignored_by_default(self):
        if not (have_plugin("announce") and have_plugin("sprints")):
            self.skipTest("needs the announce and sprints plugins")
        self.start()
        for line in ("!announce Free pizza in the car park NOW", "!sprint export",
                     "!sprint remove Django confirm", "!help", "!sprints"):
            self.st.inject_message(content=line, user_id=self.carol, channel_id=self.other["channel_id"])
        self.settle()
        self.assertEqual(self.bot_messages(self.other["channel_id"]), [], "the bot answered in a foreign guild")
        self.assertEqual([m for m in self.bot_messages(ANNOUNCE_CHANNEL) if "pizza" in m["content"]], [])
        self.assertIn("Django", self.projects())
        # The slash door too: no answer, no effect.
        self.st.inject_interaction(name="announce", options=[{"type": 3, "name": "text", "value": "pizza"}],
                                   user_id=self.carol, channel_id=self.other["channel_id"])
        self.settle()
        self.assertEqual([i for i in self.st.ctl("GET", "/_test/interactions")["interactions"]
                          if i["channel_id"] == self.other["channel_id"] and i["responses"]], [])
        self.assertEqual([m for m in self.bot_messages(ANNOUNCE_CHANNEL) if "pizza" in m["content"]], [])

    def test_other_guild_answer_mode_refuses_organizer_commands(self):
        if not (have_plugin("announce") and have_plugin("sprints")):
            self.skipTest("needs the announce and sprints plugins")
        self.start(foreign_guilds="answer")
        other = self.other["channel_id"]
        # Attendee commands are answered there.
        listing = self.say("!sprints", self.carol, channel_id=other)
        self.assertEqual(listing[0]["channel_id"], other)
        self.assertIn("Django", json.dumps(listing[0]["embeds"]))
        for line in ("!announce Free pizza in the car park NOW", "!sprint export",
                     "!sprint remove Django confirm", "!reload hello"):
            answer = self.say(line, self.carol, channel_id=other)
            self.assertEqual(len(answer), 1, answer)
            self.assertIn("organizers only", answer[0]["content"], "%r was not refused" % line)
            self.assertIn("Hallway Test Conference", answer[0]["content"])
            self.assertEqual(answer[0]["attachments"], [])
        inter = self.slash("sprint", "export", user=self.carol, channel_id=other)
        self.assertIn("organizers only", json.dumps(inter["responses"]))
        self.assertEqual([m for m in self.bot_messages(ANNOUNCE_CHANNEL) if "pizza" in m["content"]], [])
        self.assertIn("Django", self.projects())
        self.assertFalse([m for m in self.st.messages() if m["attachments"]], "a file went out")

    def test_organizer_commands_refused_in_dms(self):
        if not have_plugin("sprints"):
            self.skipTest("needs the sprints plugin")
        self.start(foreign_guilds="answer")
        # Carol is "seen as organizer" in her own server, then DMs the bot.
        self.say("!sprints", self.carol, channel_id=self.other["channel_id"])
        answer = self.say("!sprint remove Django confirm", self.carol, dm=True)
        self.assertIn("not in DMs", answer[0]["content"])
        self.assertIn("Hallway Test Conference", answer[0]["content"])
        # A real organizer, seen as one in the conference guild a moment ago, is refused in DMs too.
        self.say("!sprints", self.alice, channel_id=self.general)
        answer = self.say("!sprint remove Django confirm", self.alice, dm=True)
        self.assertIn("not in DMs", answer[0]["content"])
        # The slash door in a DM: refused the same way, ephemeral.
        inter = self.slash("sprint", "export", user=self.alice, dm=True)
        first = inter["responses"][0]
        self.assertEqual(first["type"], 4, first)
        self.assertIn("not in DMs", first["data"]["content"])
        self.assertTrue(first["data"].get("flags", 0) & 64)
        self.assertIn("Django", self.projects())
        self.assertFalse([m for m in self.st.messages() if m["attachments"]], "a file went out")
        # In the conference guild the organizer is heard.
        ok = self.say("!sprint add Pizza 2", self.alice, channel_id=self.general)
        self.assertIn("Added Pizza", ok[0]["content"])

    # ---- item 2: private data stays private ----

    def attachments_in(self, channel_id):
        return [a for m in self.st.messages(channel_id=channel_id) for a in m["attachments"]]

    def test_export_goes_by_dm_and_ephemeral(self):
        if not have_plugin("sprints"):
            self.skipTest("needs the sprints plugin")
        self.start()
        self.say("!sprint join Django", self.bob, channel_id=self.general)
        # Chat in a guild channel: the CSV goes to the organizer's DMs, a note to the channel.
        answer = self.say("!sprint export", self.alice, channel_id=self.general, n=2)
        self.assertEqual(self.attachments_in(self.general), [], "the export was posted in the channel")
        note = [m for m in answer if m["channel_id"] == self.general]
        self.assertEqual(len(note), 1, answer)
        self.assertIn("by DM", note[0]["content"])
        dm_channel = self.st.ctl("GET", "/_test/world")["dm_channels"][self.alice]
        files = self.attachments_in(dm_channel)
        self.assertEqual([a["filename"] for a in files], ["sprints.csv"])
        with urllib.request.urlopen(files[0]["url"], timeout=10) as r:
            csv = r.read().decode("utf-8")
        self.assertIn(self.bob, csv)
        # The slash form: deferred ephemeral, and the file is not in the channel.
        inter = self.slash("sprint", "export", user=self.alice)
        wait_until(lambda: [r for r in self.st.ctl("GET", "/_test/interactions")["interactions"]
                            if r["id"] == inter["id"] and any(x["kind"] == "followup" for x in r["responses"])],
                   10, what="the export followup")
        defer = [r for r in inter["responses"] if r["kind"] == "callback"][0]
        self.assertEqual(defer["type"], 5)
        self.assertTrue((defer.get("data") or {}).get("flags", 0) & 64, "the defer is not ephemeral: %r" % defer)
        time.sleep(0.3)
        self.assertEqual(self.attachments_in(self.general), [], "the slash export was posted in the channel")
        self.assertEqual(len(self.attachments_in(dm_channel)), 1)

    def test_export_dm_refused_is_explained(self):
        if not have_plugin("sprints"):
            self.skipTest("needs the sprints plugin")
        self.start()
        self.st.config(dm_blocked_users=[self.alice])
        answer = self.say("!sprint export", self.alice, channel_id=self.general)
        self.assertIn("could not send you sprints.csv by DM", answer[0]["content"])
        self.assertIn("/sprint export", answer[0]["content"])
        self.assertEqual(self.attachments_in(self.general), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
