#!/usr/bin/python3
"""Writes seed corpora for the fuzz targets into OUT/<target>/.

    /usr/bin/python3 fuzz/gen_seeds.py OUT [--shared ../shared/data]

- fuzz_gateway: gateway traffic RECORDED from the local Discord stand-in
  (tests/standin): a client connects with zlib-stream, identifies, and the
  stand-in is made to send HELLO, READY, GUILD_CREATE, MESSAGE_CREATE with
  commands and hostile text, INTERACTION_CREATE, op 1/7/9/11. The raw
  compressed frames become one seed (modes 1 and 3), the inflated payloads
  another (mode 0, separated by 0x1e); plus small hand-made payloads.
- fuzz_commands: chat lines and slash "data" objects.
- fuzz_plugin_commands: sessions of commands for every plugin, per door and
  role (its dictionary is fuzz/fuzz_plugin_commands.dict).
- fuzz_config: the example config and variations.
- fuzz_sched_json/_xml/_ics: the real schedules from the shared data folder
  (copied into OUT, never into the repository), plus shrunken versions of
  each (arrays and repeated elements cut to three) so that mutations are
  cheap.
- fuzz_sprints_feed: the pretalx files and small submission lists.
- fuzz_pretix: pretix orders and a page of the order list (from the pretix
  stand-in), a throttling answer and an HTML error page.
"""
import argparse
import asyncio
import glob
import hashlib
import json
import os
import shutil
import sys
import threading
import xml.etree.ElementTree as ET
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
SEP = b"\x1e"


def put(out, target, data, name=None):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    name = name or hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- gateway: recorded from the stand-in ----

def record_gateway():
    """Returns (raw compressed frames, inflated payloads) of one session."""
    sys.path.insert(0, os.path.join(SOURCE, "tests", "standin"))
    from discord_standin import StandinThread
    import aiohttp

    st = StandinThread(heartbeat_ms=45000, identify_window_s=0).start()
    try:
        world = st.world()
        raw, payloads = [], []

        async def session():
            async with aiohttp.ClientSession() as http:
                ws = await http.ws_connect(st.gateway_url + "?v=10&encoding=json&compress=zlib-stream")
                inflater = zlib.decompressobj()

                async def take(timeout=1.0):
                    while True:
                        try:
                            msg = await asyncio.wait_for(ws.receive(), timeout)
                        except asyncio.TimeoutError:
                            return
                        if msg.type != aiohttp.WSMsgType.BINARY:
                            return
                        raw.append(msg.data)
                        text = inflater.decompress(msg.data)
                        if text:
                            payloads.append(text)

                await take(0.5)  # HELLO
                await ws.send_json({"op": 2, "d": {"token": st.token, "intents": 37377,
                                                   "properties": {"os": "linux", "browser": "seed",
                                                                  "device": "seed"}}})
                await take(0.5)  # READY, GUILD_CREATE
                await ws.send_json({"op": 1, "d": len(payloads)})
                loop = asyncio.get_running_loop()
                for content in ["!echo hello", "!sprint join Django friday", "!count 12 yes note",
                                "!admin reload schedule", "!broken", "!whisper %s%n%x",
                                "!echo @everyone <@&%s> @here" % world["role_ids"]["Organizer"],
                                "!echo '; DROP TABLE talks; --", "!echo \u202eevil\u202c \U0001F600",
                                "<@%s> echo mention" % world["bot_id"], "just chatting",
                                "!sprint join \u201cquoted project\u201d", "!nosuch command"]:
                    await loop.run_in_executor(None, lambda c=content: st.inject_message(content=c))
                await loop.run_in_executor(None, lambda: st.inject_message(content="!echo dm", dm=True,
                                                                           user_id=world["users"][2]["id"]))
                await loop.run_in_executor(None, lambda: st.inject_interaction(
                    name="echo", options={"text": "slash hello"}))
                await loop.run_in_executor(None, lambda: st.inject_interaction(
                    name="count", options={"n": 3, "loud": True}))
                await loop.run_in_executor(None, lambda: st.inject_interaction(
                    name="sprint", options=[{"type": 1, "name": "join", "options": [
                        {"type": 3, "name": "project", "value": "Dj", "focused": True}]}], type=4))
                await take(0.5)
                for fault in ({"action": "heartbeat_request"}, {"action": "invalid_session", "resumable": True},
                              {"action": "reconnect"}):
                    await loop.run_in_executor(None, lambda f=fault: st.gateway_fault(**f))
                    await take(0.3)
                await ws.close()

        asyncio.run(session())
        return raw, payloads
    finally:
        st.stop()


HAND_PAYLOADS = [
    {"op": 10, "d": {"heartbeat_interval": 41250}},
    {"op": 11},
    {"op": 1, "d": None},
    {"op": 7, "d": None},
    {"op": 9, "d": False},
    {"op": 9, "d": True},
    {"op": 0, "s": 1, "t": "READY", "d": {"session_id": "abc", "resume_gateway_url": "ws://x",
                                         "user": {"id": "1", "username": "hallway"},
                                         "application": {"id": "1"}, "guilds": [{"id": "9"}]}},
    {"op": 0, "s": 2, "t": "RESUMED", "d": None},
    {"op": 0, "s": 3, "t": "GUILD_CREATE", "d": {"id": "9", "roles": [
        {"id": "9", "name": "@everyone"}, {"id": "7", "name": "Organizer"}]}},
    {"op": 0, "s": 4, "t": "GUILD_ROLE_UPDATE", "d": {"guild_id": "9", "role": {"id": "8", "name": "Organizer"}}},
    {"op": 0, "s": 5, "t": "GUILD_ROLE_DELETE", "d": {"guild_id": "9", "role_id": "7"}},
    {"op": 0, "s": 6, "t": "MESSAGE_CREATE", "d": {"id": "10", "channel_id": "5", "guild_id": "9",
                                                  "content": "!admin reload x",
                                                  "author": {"id": "2", "username": "alice"},
                                                  "member": {"roles": ["7"], "nick": "Al"}}},
    {"op": 0, "s": 7, "t": "INTERACTION_CREATE", "d": {
        "id": "11", "token": "tok", "type": 2, "application_id": "1", "channel_id": "5", "guild_id": "9",
        "member": {"user": {"id": "3", "username": "bob"}, "roles": []},
        "data": {"name": "sprint", "options": [{"type": 1, "name": "join", "options": [
            {"type": 3, "name": "project", "value": "Django"}]}]}}},
]


def gateway_seeds(out):
    try:
        raw, payloads = record_gateway()
    except Exception as e:  # the stand-in needs aiohttp; hand-made seeds still work
        print("gen_seeds: could not record gateway traffic: %s" % e, file=sys.stderr)
        raw, payloads = [], []
    if raw:
        stream = b"".join(raw)
        put(out, "fuzz_gateway", b"\x01" + stream, "recorded-zlib")
        put(out, "fuzz_gateway", b"\x03" + stream, "recorded-zlib-fragments")
        put(out, "fuzz_gateway", b"\x00" + SEP.join(payloads), "recorded-plain")
        for i, p in enumerate(payloads[:40]):
            put(out, "fuzz_gateway", b"\x00" + p, "recorded-%02d" % i)
    hand = [json.dumps(p).encode() for p in HAND_PAYLOADS]
    put(out, "fuzz_gateway", b"\x00" + SEP.join(hand), "hand-plain")
    z = zlib.compressobj()
    stream = b"".join(z.compress(p) + z.flush(zlib.Z_SYNC_FLUSH) for p in hand)
    put(out, "fuzz_gateway", b"\x01" + stream, "hand-zlib")
    return len(raw)


# ---- commands ----

LINES = ["echo hello world", "next", "next Room A", "now \"Main Hall\"", "sprint join Django friday",
         "sprint join \u201cHome Assistant\u201d 2026-11-28", "sprint leave django", "sprint list",
         "count 42 yes a note", "count -9223372036854775808", "count 99999999999999999999",
         "count x", "mixed a 1 true d", "mixed \"a b\" 0 no", "admin reload schedule", "sprnt jion x",
         "echo %s%n%x", "echo @everyone", "", "  ", "\"unterminated"]
DATAS = [
    {"name": "echo", "options": [{"type": 3, "name": "text", "value": "hi"}]},
    {"name": "count", "options": [{"type": 4, "name": "n", "value": 5}, {"type": 5, "name": "loud", "value": True}]},
    {"name": "sprint", "options": [{"type": 1, "name": "join", "options": [
        {"type": 3, "name": "project", "value": "Dj", "focused": True}]}]},
    {"name": "mixed", "options": [{"type": 3, "name": "a", "value": "x"}, {"type": 4, "name": "b", "value": "7",
                                                                          "focused": True}]},
    {"name": "admin", "options": [{"type": 1, "name": "reload", "options": [{"type": 3, "name": "project",
                                                                             "value": "x"}]}]},
]


def command_seeds(out):
    for line in LINES:
        put(out, "fuzz_commands", b"\x00" + line.encode())
    for d in DATAS:
        put(out, "fuzz_commands", b"\x01" + json.dumps(d).encode())


# ---- config ----

def plugin_command_seeds(out):
    """fuzz_plugin_commands: byte 0 = door (0 chat, 1 slash, 2 console, 3
    mention) + 4 for an organizer; then one command per line. One seed per
    plugin and door, as attendee and as organizer, plus mixed sessions."""
    T = "fuzz_plugin_commands"
    per_plugin = {
        "builtin": ["help", "help sprint join", "plugins", "reload hello"],
        "hello": ["ping", "hello", "hello Zo\u00eb"],
        "schedule": ["next", "next envelope", "now", "now Main Hall", "today", "day friday",
                     "day 2026-11-27", "talk time zones", "talk DST", "speaker Ada", "speaker Bj\u00f6rn",
                     "rooms"],
        "recommend": ["recommend bots python", "recommend", "similar keynote", "star keynote",
                      "star Lightning Talks", "agenda", "agenda ics", "unstar keynote"],
        "sprints": ["sprints", "sprint info hallway", "sprint join hallway", "sprint join \"Zoneinfo Caf\u00e9\" 2026-11-29",
                    "sprint mine", "sprint leave hallway", "sprint add Docs 5 Ada", "sprint edit Docs capacity=3",
                    "sprint export", "sprint remove Docs"],
        "openspaces": ["openspace board", "openspace board 2026-11-27", "openspace propose Bots in the hallway",
                       "openspace join #1", "openspace mine", "openspace leave #1", "openspace drop #1",
                       "openspace move #1 2026-11-27 14:00", "openspace remove #1 spam", "openspace export",
                       "meetup friday 19:00 \"The Old Pub\" dinner", "meetup in 20 min lobby: coffee",
                       "meetup join #1", "meetup leave #1", "meetup cancel #1", "meetups", "openspaces",
                       "later time zones", "later", "watched time zones"],
        "plan": ["plan", "plan tomorrow"],
        "announce": ["announce Lunch moved to Hall B", "announce at 14:30 Coffee", "announce at tomorrow 09:00 Doors open",
                     "announce list", "announce cancel 1", "announce audit", "announce now list of rooms"],
    }
    # Mostly one command per seed: a mutation then lands on the command's
    # arguments, not somewhere in a long session. Doors and roles cycle.
    k = 0
    for name, lines in per_plugin.items():
        for line in lines:
            for org in (0, 4):
                put(out, T, bytes([k % 4 | org]) + line.encode(), "%s-%02d-%d" % (name, k, org))
            k += 1
        put(out, T, bytes([k % 4 | 4]) + "\n".join(lines).encode(), "%s-session" % name)
    # A session that moves between doors and roles (selector bytes 0x10-0x1f).
    mixed = [b"\x14announce at 10:30 Talks resume", b"\x10next", b"\x11sprint join hallway",
             b"\x19sprint join hal", b"\x16announce list", b"\x12agenda", b"\x17reload schedule",
             b"\x10now"]
    put(out, T, b"\x00" + b"\n".join(mixed), "mixed")
    # Regressions: inputs that crashed the daemon once (issue 14).
    put(out, T, b"\x04announce audit yesterday", "regress-announce-audit")


def config_seeds(out):
    for path in glob.glob(os.path.join(SOURCE, "*.json")) + glob.glob(os.path.join(SOURCE, "config*", "*.json")) \
            + glob.glob(os.path.join(SOURCE, "examples", "*.json")):
        with open(path, "rb") as f:
            put(out, "fuzz_config", f.read())
    base = {"discord": {"token": "t0k", "prefix": "!", "intents": 37377, "compress": True},
            "storage": {"path": "hallway.db"}, "plugin_dir": "plugins",
            "plugins": {"schedule": {"source": "x.json"}, "sprints": True, "hello": None},
            "organizer_roles": ["Organizer", "123"], "log": {"level": "debug", "format": "json"},
            "shutdown_timeout_ms": 5000}
    put(out, "fuzz_config", json.dumps(base))
    bad = dict(base, plugins={"a": {}, "a_b": {}, "../x": {}}, unknown=1)
    put(out, "fuzz_config", json.dumps(bad))
    put(out, "fuzz_config", "{\"discord\": {\"token\": \"Bot x y\"}, \"discord\": {}}")


# ---- schedules ----

def shrink_json(v, keep=3):
    if isinstance(v, list):
        return [shrink_json(x, keep) for x in v[:keep]]
    if isinstance(v, dict):
        return {k: shrink_json(x, keep) for k, x in v.items()}
    return v


def shrink_xml(elem, keep=3):
    seen = {}
    for child in list(elem):
        seen[child.tag] = seen.get(child.tag, 0) + 1
        if seen[child.tag] > keep:
            elem.remove(child)
        else:
            shrink_xml(child, keep)


def shrink_ics(data, events=4):
    out, n, skipping = [], 0, False
    for line in data.splitlines(keepends=True):
        if line.startswith(b"BEGIN:VEVENT"):
            n += 1
            skipping = n > events
        if not skipping:
            out.append(line)
        if line.startswith(b"END:VEVENT"):
            skipping = False
    return b"".join(out)


def schedule_seeds(out, shared):
    sched_dir = os.path.join(shared, "schedules")
    files = sorted(glob.glob(os.path.join(sched_dir, "*.*")) + glob.glob(os.path.join(sched_dir, "*", "*.json")))
    files.append(os.path.join(SOURCE, "plugins", "schedule", "sample", "hallwaycon.json"))
    n = 0
    for path in files:
        name = os.path.basename(path)
        if "schema" in path or name.endswith(".md"):
            continue
        with open(path, "rb") as f:
            data = f.read()
        if name.endswith(".json"):
            target = "fuzz_sched_json"
            small = json.dumps(shrink_json(json.loads(data))).encode()
        elif name.endswith(".xml"):
            target = "fuzz_sched_xml"
            root = ET.fromstring(data)
            shrink_xml(root)
            small = ET.tostring(root, encoding="utf-8")
        elif name.endswith(".ics"):
            target = "fuzz_sched_ics"
            small = shrink_ics(data)
        else:
            continue
        put(out, target, data, "real-" + name)
        put(out, target, small, "small-" + name)
        n += 1
        if "pretalx" in name:
            put(out, "fuzz_sprints_feed", small, "small-" + name)
    put(out, "fuzz_sprints_feed", json.dumps({"results": [
        {"code": "ABC", "title": "Django sprint", "submission_type": {"en": "Sprint"}, "state": "confirmed",
         "abstract": "Caf\u00e9 \u0141\u00f3d\u017a \u00df \u0152uvre \u200b\u202e", "speakers": [{"name": "Ann"}]},
        {"code": "ABC", "title": "dup", "submission_type": "Sprint"},
        {"code": "XYZ", "title": "Withdrawn", "submission_type": "Sprint", "state": "withdrawn"}]}))
    return n


def word_seeds(out):
    """fuzz_words: time phrases (lib/when.c) and search words (lib/fts.c)."""
    for text in ["friday 14:00 Packaging war stories", "the 28th", "28 nov 14:00", "nov 28 at 2pm",
                 "28. November", "1er d\u00e9cembre", "11/12", "28/11/2027", "in 1 hour and 30 minutes",
                 "in 1h30", "dans 20 min", "2026-11-28T14:30+02:00", "2 pm on saturday", "tiem zones",
                 "timezone", "\"time\" OR NEAR(a b) *", "\u043f\u0438\u0442\u043d", "caf\u00e9 \u2615"]:
        put(out, "fuzz_words", text.encode())


def web_seeds(out):
    """fuzz_web: a Cookie header, a sign-in token and a screen query, one a line."""
    for cookie, token, query in [
            ("hallway_session=" + "a" * 64, "0" * 64, "room=Main+Hall"),
            ("theme=dark; hallway_session=abc; x=1", "f" * 63, "room=Caf%C3%A9%20Lounge%20%E2%98%95"),
            ("hallway_session", "", "room=%zz&room=%00&x=1"),
            (";;; hallway_session=;", "g" * 64, "a=b&room=" + "%41" * 100)]:
        put(out, "fuzz_web", ("%s\n%s\n%s" % (cookie, token, query)).encode())


def pretix_seeds(out):
    """fuzz_pretix: orders and pages as the pretix stand-in (tests/standin/pretix_standin.py) serves them."""
    sys.path.insert(0, os.path.join(SOURCE, "tests", "standin"))
    from pretix_standin import Pretix
    p = Pretix()
    orders = [
        p.add_order("AB12C", positions=[{"item": 1, "variation": 12, "attendee_name": "Jos\u00e9 M\u00fcller"},
                                        {"item": 2, "attendee_name": "Grace Hopper", "canceled": True}]),
        p.add_order("GR3EK", status="n", positions=[{"item": 1, "attendee_name":
                                                     "\u039d\u03af\u03ba\u03bf\u03c2 \u03a0\u03b1\u03c0\u03b1"}]),
        p.add_order("JP4AN", positions=[{"item": 3, "attendee_name": "\u5c71\u7530 \u592a\u90ce",
                                         "attendee_name_parts": {"given_name": "\u592a\u90ce",
                                                                 "family_name": "\u5c71\u7530",
                                                                 "latin_transcription": "Yamada Taro"}}]),
        p.add_order("EMPTY", positions=[]),
    ]
    for o in orders:
        put(out, "fuzz_pretix", json.dumps(o).encode(), "order-" + o["code"])
    put(out, "fuzz_pretix", json.dumps({"count": 4, "next": "https://pretix.example/api/v1/organizers/o/events/e/"
                                        "orders/?page=2", "previous": None, "results": orders}).encode(), "page")
    put(out, "fuzz_pretix", b'{"detail": "Request was throttled. Expected available in 17 seconds."}', "429")
    put(out, "fuzz_pretix", b"<html><body>502 Bad Gateway</body></html>", "502")


def reply_model_seeds(out):
    """fuzz_reply_model: the golden models of tests/unit/golden/reply."""
    for path in sorted(glob.glob(os.path.join(SOURCE, "tests", "unit", "golden", "reply", "*.model.json"))):
        with open(path, "rb") as f:
            put(out, "fuzz_reply_model", f.read(), os.path.basename(path))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--shared", default=os.environ.get("HALLWAY_SHARED_DATA",
                                                       os.path.join(SOURCE, "..", "shared", "data")))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    frames = gateway_seeds(args.out)
    command_seeds(args.out)
    plugin_command_seeds(args.out)
    config_seeds(args.out)
    word_seeds(args.out)
    pretix_seeds(args.out)
    web_seeds(args.out)
    reply_model_seeds(args.out)
    nsched = schedule_seeds(args.out, args.shared)
    print("gen_seeds: %d recorded gateway frames, %d schedule files -> %s" % (frames, nsched, args.out))


if __name__ == "__main__":
    main()
