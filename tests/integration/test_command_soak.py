"""A random-command soak through the stand-in (issue 14): every plugin of
config.example.json on the sample conference, hundreds of commands built
from every command word with time phrases, names, Unicode, hostile and long
arguments, as attendee and as organizer, through chat and slash.

At the end the daemon is still connected and answers a probe, no sanitizer
report is in its log, and it exits cleanly. HALLWAY_COMMAND_SOAK (default
1000) sets how many commands; run a long one by hand.
"""
import json
import os
import random
import time
import unittest

from harness import PLUGIN_DIR, SOURCE_DIR, DaemonTestCase, base_config, wait_until

SAMPLE = os.path.join(SOURCE_DIR, "plugins", "schedule", "sample", "hallwaycon.json")
COUNT = int(os.environ.get("HALLWAY_COMMAND_SOAK", "1000"))

WORDS = [
    "next", "now", "today", "day", "talk", "speaker", "rooms", "recommend", "similar", "star",
    "unstar", "agenda", "agenda ics", "agenda today", "agenda 2", "sprints", "sprint info",
    "sprint join", "sprint leave", "sprint mine", "sprint add", "sprint edit", "sprint remove",
    "sprint export", "announce", "announce at", "announce list", "announce cancel",
    "announce audit", "announce now", "openspace board", "openspace propose", "openspace join",
    "openspace leave", "openspace mine", "openspace drop", "openspace move", "openspace remove",
    "openspace export", "plan", "help", "plugins", "ping", "hello", "reload hello",
    "meetup", "meetups", "meetup join", "meetup cancel", "openspaces", "later", "watched",
]
ARGS = [
    "", "envelope", "Envelope ✉️", "☕", "café lounge", "main hall", "saturday", "samedi",
    "tomorrow", "yesterday", "noon", "2pm", "2 pm", "14:30", "14h30", "friday 10:00",
    "2026-11-28", "2026-13-45", "25:99", "time zones", "tiem zones", "timezone", "gateway",
    "hallway", "Zoneinfo Café", "zoneinfo saturday", "ПИТОН", "Ωmega", "ada", "linus aberg",
    "confirm", "#1", "1", "0", "-1", "99999999999999999999999", "capacity=3", "day=sunday",
    "days=2026-11-28, 2026-11-29", "@everyone", "<@1000000000000000001>", "**bold** `code`",
    "\u202eevil\u202c", "a" * 300, "é" * 700, "\"unclosed", "x y z", "12:00 Lunch moved",
    "tomorrow 9am Keynote moved to Main Hall",
    "the 28th", "28 nov 14:00", "nov 28", "28/11", "11/12", "in 20 min", "in 1h30 lobby: walk",
    "friday 19:00 \"The Old Pub\" dinner",
]


class CommandSoak(DaemonTestCase):
    def config(self):
        with open(os.path.join(SOURCE_DIR, "config.example.json")) as f:
            example = json.load(f)
        plugins = example["plugins"]
        plugins["schedule"]["source"] = SAMPLE
        channel = self.world["general_channel_id"]
        plugins["announce"]["channels"] = [channel]
        plugins["announce"]["changes_channel"] = channel
        return base_config(self.st, self.workdir, plugins=plugins, plugin_dir=PLUGIN_DIR)

    def test_random_commands_through_every_door(self):
        d = self.daemon(self.config(), env={"HALLWAY_NOW": "2026-11-26T09:55:00+01:00"})
        self.ready(d)
        users = [u["id"] for u in self.world["users"]]
        organizer, attendees = users[0], users[2:] or users[1:]
        rng = random.Random(14)
        t0 = time.monotonic()
        for i in range(COUNT):
            line = (rng.choice(WORDS) + " " + " ".join(rng.choice(ARGS) for _ in range(rng.randint(0, 3)))).strip()
            user = organizer if rng.random() < 0.3 else rng.choice(attendees)
            if rng.random() < 0.8:
                self.st.inject_message(user_id=user, content="!" + line[:1900])
            else:
                words = line.split(" ", 2)
                name = words[0]
                rest = " ".join(words[1:])
                self.st.inject_interaction(name=name, user_id=user,
                                           options=[{"name": "text", "type": 3, "value": rest[:100]}]
                                           if rest else [])
            if i % 50 == 49:
                time.sleep(0.2)  # let the loop breathe like a busy channel does
        print("%d commands sent in %.1f s" % (COUNT, time.monotonic() - t0))
        # Still there and answering: in another channel, since the soak's
        # channel has hundreds of answers queued behind Discord's limits.
        other = next(c["id"] for c in self.world["channels"]
                     if c.get("type") == 0 and c["id"] != self.world["general_channel_id"])
        probe = self.st.inject_message(user_id=attendees[0], channel_id=other, content="!ping")["id"]
        wait_until(lambda: [m for m in self.bot_messages()
                            if (m.get("message_reference") or {}).get("message_id") == probe],
                   60.0, what="an answer to the probe after the soak")
        self.assertIsNone(d.proc.poll(), "the daemon died:\n" + d.log_text()[-4000:])
        d.assert_sanitizers_clean(self)
        self.assertEqual(d.stop(), 0)
        d.assert_sanitizers_clean(self)
        # Every log line is valid UTF-8 (the harness reads it with
        # errors="replace", so a bad byte shows as U+FFFD): a plugin's
        # "%.100s" used to cut "é" in half, and JSON logs dropped such lines.
        self.assertNotIn("\ufffd", d.log_text())


if __name__ == "__main__":
    unittest.main(verbosity=2)
