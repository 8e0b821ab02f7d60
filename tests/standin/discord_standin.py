#!/usr/bin/env python3
"""Local stand-in for Discord's Gateway v10 websocket and REST API.

The stand-in is a fake Discord on 127.0.0.1 for hallway's integration tests.
It follows /work/shared/docs/discord-protocol.md (section 11 is the checklist)
and adds a control API under /_test/ so that tests can inject events, script
faults and read back what the client did.  See tests/standin/README.md.

Run it as a script (prints "STANDIN PORT=<port>" and serves until SIGTERM):

    /usr/bin/python3 tests/standin/discord_standin.py --port 0 --heartbeat-ms 1000

or use it as a module: ``Standin`` inside an asyncio test, ``StandinThread``
from plain synchronous test code.

It needs Debian's python3-aiohttp, so run it with /usr/bin/python3.
"""

import argparse
import asyncio
import hashlib
import json
import logging
import math
import os
import re
import secrets
import signal
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections import deque
from datetime import datetime, timezone

from aiohttp import WSMsgType, web

LOG = logging.getLogger("standin")

API_VERSION = 10
DISCORD_EPOCH_MS = 1420070400000
MAX_LOG = 200000  # cap for every in-memory log, so a runaway client cannot eat RAM

# Gateway opcodes.
OP_DISPATCH, OP_HEARTBEAT, OP_IDENTIFY, OP_PRESENCE, OP_VOICE = 0, 1, 2, 3, 4
OP_RESUME, OP_RECONNECT, OP_REQUEST_MEMBERS, OP_INVALID_SESSION = 6, 7, 8, 9
OP_HELLO, OP_HEARTBEAT_ACK = 10, 11
CLIENT_OPS = {OP_HEARTBEAT, OP_IDENTIFY, OP_PRESENCE, OP_VOICE, OP_RESUME, OP_REQUEST_MEMBERS}

# Intents (GW "Gateway Intents").
I_GUILDS = 1 << 0
I_GUILD_MEMBERS = 1 << 1
I_GUILD_PRESENCES = 1 << 8
I_GUILD_MESSAGES = 1 << 9
I_DIRECT_MESSAGES = 1 << 12
I_MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = I_GUILD_MEMBERS | I_GUILD_PRESENCES | I_MESSAGE_CONTENT
KNOWN_INTENTS = sum(1 << b for b in list(range(17)) + [20, 21, 24, 25])

# A server-side close with one of these codes ends the session (op 9 false on RESUME).
SESSION_KILLING_CLOSES = {1000, 1001, 4003, 4004, 4005, 4007, 4009, 4010, 4011, 4012, 4013, 4014}

PERM_MENTION_EVERYONE = 1 << 17
ALL_PERMISSIONS = (1 << 47) - 1


# --------------------------------------------------------------------------
# Configuration: one row per option (name, type, default, help).
# --------------------------------------------------------------------------

CONFIG_TABLE = (
    ("heartbeat_ms", int, 41250, "heartbeat_interval sent in HELLO (ms)"),
    ("heartbeat_timeout_factor", float, 1.5, "close when no heartbeat for interval x factor"),
    ("heartbeat_timeout_action", str, "close", "'close', 'drop' (TCP abort) or 'none'"),
    ("heartbeat_timeout_code", int, 4000, "close code used by the heartbeat watchdog"),
    ("session_ttl_s", float, 90.0, "how long a detached session stays resumable"),
    ("gateway_send_limit", int, 120, "client frames allowed per window before 4008"),
    ("gateway_send_window_s", float, 60.0, "window for gateway_send_limit"),
    ("max_frame_bytes", int, 4096, "client frames above this close with 4002"),
    ("identify_window_s", float, 5.0, "one IDENTIFY per bucket per this many seconds"),
    ("max_concurrency", int, 1, "session_start_limit.max_concurrency"),
    ("daily_identify_limit", int, 1000, "session_start_limit.total; exhausting it resets the token"),
    ("privileged_intents", int, I_GUILD_MEMBERS | I_MESSAGE_CONTENT,
     "privileged intents enabled in the 'Developer Portal' (bitmask)"),
    ("split_frames", bool, False, "split each compressed payload across two ws messages"),
    ("guild_members", int, 5, "non-bot members in the guild"),
    ("members_in_guild_create", str, "rule",
     "'rule' (only the bot unless GUILD_PRESENCES and not large) or 'all'"),
    ("op8_rate_limit", int, 0, "op 8 requests per op8_rate_window_s (0 = unlimited)"),
    ("op8_rate_window_s", float, 30.0, "window for op8_rate_limit"),
    ("message_rate_limit", int, 5, "message sends per window per channel (0 = unlimited)"),
    ("message_rate_window_s", float, 5.0, "window for message_rate_limit"),
    ("webhook_rate_limit", int, 5, "webhook/followup requests per window per webhook"),
    ("webhook_rate_window_s", float, 2.0, "window for webhook_rate_limit"),
    ("commands_rate_limit", int, 5, "command writes per window per application/guild"),
    ("commands_rate_window_s", float, 20.0, "window for commands_rate_limit"),
    ("default_rate_limit", int, 10, "other routes: requests per window per major parameter"),
    ("default_rate_window_s", float, 1.0, "window for default_rate_limit"),
    ("global_rate_limit", int, 50, "requests per global window (0 = unlimited)"),
    ("global_rate_window_s", float, 1.0, "window for global_rate_limit"),
    ("invalid_request_limit", int, 10000, "401/403/429 responses per window before a Cloudflare ban"),
    ("invalid_request_window_s", float, 600.0, "window for invalid_request_limit"),
    ("cloudflare_ban_s", float, 60.0, "length of a Cloudflare ban"),
    ("require_user_agent", bool, True, "reject REST requests without a 'DiscordBot (' User-Agent"),
    ("interaction_deadline_s", float, 3.0, "initial interaction response deadline"),
    ("interaction_token_ttl_s", float, 900.0, "followup token lifetime"),
    ("nonce_ttl_s", float, 300.0, "how long enforce_nonce remembers a nonce"),
    ("dm_blocked_users", list, [], "user ids whose DMs fail with 50007"),
    ("bot_mention_everyone", bool, True, "the bot has MENTION_EVERYONE in the guild"),
    ("hb_seq_grace_s", float, 0.5, "heartbeat d may lag a dispatch sent this recently"),
    ("other_guild", bool, False, "the bot is also in a second guild, an attendee's own server where every "
     "member holds a role named Organizer: READY lists it and its GUILD_CREATE follows"),
)
CONFIG_ROWS = {row[0]: row for row in CONFIG_TABLE}


class Config:
    """Runtime options; see CONFIG_TABLE.  update() validates types."""

    def __init__(self, **overrides):
        for name, _typ, default, _help in CONFIG_TABLE:
            setattr(self, name, list(default) if isinstance(default, list) else default)
        self.update(overrides)

    def update(self, values):
        for key, value in values.items():
            row = CONFIG_ROWS.get(key)
            if row is None:
                raise ValueError("unknown config key %r" % key)
            typ = row[1]
            if typ is float and isinstance(value, (int, float)) and not isinstance(value, bool):
                value = float(value)
            elif typ is int and isinstance(value, bool):
                raise ValueError("config %s must be int" % key)
            elif not isinstance(value, typ):
                raise ValueError("config %s must be %s" % (key, typ.__name__))
            setattr(self, key, value)

    def as_dict(self):
        return {row[0]: getattr(self, row[0]) for row in CONFIG_TABLE}


# --------------------------------------------------------------------------
# Small helpers.
# --------------------------------------------------------------------------

def now_iso():
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def json_response(status, body, headers=None):
    """A JSON response whose Content-Type is exactly application/json (no charset)."""
    hdrs = {"Content-Type": "application/json"}
    if headers:
        hdrs.update(headers)
    return web.Response(status=status, body=dumps(body).encode(), headers=hdrs)


class Snowflakes:
    """Generates increasing snowflake strings from the wall clock."""

    def __init__(self):
        self.last = 0

    def next(self):
        value = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        value = max(value, self.last + 1)
        self.last = value
        return str(value)


class ApiError(Exception):
    """An error answer of the REST API: status, Discord code, message, form errors."""

    def __init__(self, status, code, message, errors=None, headers=None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.errors, self.headers = errors, headers

    def response(self):
        body = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return json_response(self.status, body, self.headers)


class FormErrors:
    """Collects 50035 "Invalid Form Body" errors keyed by field path."""

    def __init__(self):
        self.tree = {}

    def add(self, path, code, message):
        node = self.tree
        for key in path:
            node = node.setdefault(str(key), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def raise_if_any(self):
        if self.tree:
            raise ApiError(400, 50035, "Invalid Form Body", self.tree)


def check_len(errors, path, value, lo, hi):
    if value is None:
        return 0
    if not isinstance(value, str):
        errors.add(path, "BASE_TYPE_STRING", "Must be a string.")
        return 0
    if len(value) > hi:
        errors.add(path, "BASE_TYPE_MAX_LENGTH", "Must be %d or fewer in length." % hi)
    elif len(value) < lo:
        errors.add(path, "BASE_TYPE_MIN_LENGTH", "Must be %d or more in length." % lo)
    return len(value)


# --------------------------------------------------------------------------
# World: the guild, its users and everything stored by REST.
# --------------------------------------------------------------------------

APP_ID = "1000000000000000001"  # the bot user shares the application's id
GUILD_ID = "1000000000000000100"
# A second guild, someone else's server the bot was invited to (config other_guild).
OTHER_GUILD_ID = "1000000000000000900"
OTHER_CHANNEL_ID = "1000000000000000901"
OTHER_ORGANIZER_ROLE = "1000000000000000902"
OWNER_ID = "1000000000000001000"


class World:
    """The fixed guild plus the mutable stores (messages, DMs, commands, ...)."""

    CHANNELS = (  # id suffix, type, name, parent
        (200, 4, "Conference", None), (201, 0, "general", 200), (202, 0, "talks", 200),
        (203, 5, "announcements", 200), (204, 0, "organizers", 200), (205, 2, "hallway-voice", 200),
    )
    NAMED_USERS = ("alice", "bob", "carol")

    def __init__(self, cfg, snow):
        self.cfg, self.snow = cfg, snow
        self.app_id = self.bot_id = APP_ID
        self.guild_id = GUILD_ID
        self.bot_user = {"id": APP_ID, "username": "hallway", "discriminator": "0", "global_name": None,
                         "avatar": None, "bot": True, "system": False, "public_flags": 0, "flags": 0,
                         "verified": True, "mfa_enabled": False, "email": None, "locale": "en-US"}
        self.role_ids = {"everyone": GUILD_ID, "Organizer": "1000000000000000301",
                         "Speaker": "1000000000000000302", "hallway": "1000000000000000303"}
        bot_perms = ALL_PERMISSIONS if cfg.bot_mention_everyone else ALL_PERMISSIONS & ~PERM_MENTION_EVERYONE
        self.roles = [
            self._role(GUILD_ID, "@everyone", 0, 1071698660929, False),
            self._role(self.role_ids["Organizer"], "Organizer", 3, 1071698660929 | (1 << 5), False),
            self._role(self.role_ids["Speaker"], "Speaker", 2, 1071698660929, True),
            self._role(self.role_ids["hallway"], "hallway", 1, bot_perms, False, managed=True),
        ]
        self.channels = {}
        for suffix, ctype, name, parent in self.CHANNELS:
            cid = str(1000000000000000000 + suffix)
            self.channels[cid] = {
                "id": cid, "type": ctype, "guild_id": GUILD_ID, "name": name, "position": suffix - 200,
                "permission_overwrites": [], "parent_id": str(1000000000000000000 + parent) if parent else None,
                "topic": None, "nsfw": False, "rate_limit_per_user": 0, "flags": 0,
                "last_message_id": None,
            }
            if ctype == 2:
                self.channels[cid].update({"bitrate": 64000, "user_limit": 0, "rtc_region": None})
        self.general_id = "1000000000000000201"
        # The other guild: one text channel; every member holds its own "Organizer" role.
        self.other_guild_id, self.other_channel_id = OTHER_GUILD_ID, OTHER_CHANNEL_ID
        self.other_role_ids = {"everyone": OTHER_GUILD_ID, "Organizer": OTHER_ORGANIZER_ROLE}
        self.other_roles = [self._role(OTHER_GUILD_ID, "@everyone", 0, 1071698660929, False),
                            self._role(OTHER_ORGANIZER_ROLE, "Organizer", 1, ALL_PERMISSIONS, False)]
        self.channels[OTHER_CHANNEL_ID] = {
            "id": OTHER_CHANNEL_ID, "type": 0, "guild_id": OTHER_GUILD_ID, "name": "own-server", "position": 0,
            "permission_overwrites": [], "parent_id": None, "topic": None, "nsfw": False,
            "rate_limit_per_user": 0, "flags": 0, "last_message_id": None,
        }
        self.users = {APP_ID: self.bot_user}
        self.members = {APP_ID: self._member(APP_ID, [self.role_ids["hallway"]])}
        for i in range(cfg.guild_members):
            uid = str(1000000000000001000 + i)
            name = self.NAMED_USERS[i] if i < len(self.NAMED_USERS) else "user%04d" % i
            self.users[uid] = {"id": uid, "username": name, "discriminator": "0",
                               "global_name": name.capitalize(), "avatar": None, "public_flags": 0}
            roles = [self.role_ids["Organizer"]] if i == 0 else [self.role_ids["Speaker"]] if i == 1 else []
            self.members[uid] = self._member(uid, roles)
        self.dm_by_user = {}
        self.messages = {}  # channel id -> [message]  (creation order)
        self.message_by_id = {}
        self.deleted = set()
        self.nonces = {}  # (author id, nonce) -> (message, monotonic time)
        self.nonce_replays = 0  # sends answered with the message a nonce already made
        self.attachments = {}  # attachment id -> (filename, content type, bytes)
        self.interactions = {}  # id -> Interaction
        self.commands = {}  # scope ("global" or guild id) -> [command]
        self.command_ids = {}  # (scope, type, name) -> id
        self.command_puts = {}  # scope -> count
        self.audit_log = []  # member changes: {"action", "user_id", "role_id"/"nick", "reason"}
        # Ticket roles a registration bot hands out (below the bot's own role).
        for n, name in enumerate(("Attendee", "Remote", "Sponsor", "Volunteer")):
            rid = str(1000000000000000304 + n)
            self.role_ids[name] = rid
            self.roles.append(self._role(rid, name, 0, 0, False))

    @staticmethod
    def _role(rid, name, pos, perms, mentionable, managed=False):
        role = {"id": rid, "name": name, "color": 0, "colors": {"primary_color": 0, "secondary_color": None,
                "tertiary_color": None}, "hoist": False, "icon": None, "unicode_emoji": None,
                "position": pos, "permissions": str(perms), "managed": managed,
                "mentionable": mentionable, "flags": 0}
        if managed:
            role["tags"] = {"bot_id": APP_ID}
        return role

    @staticmethod
    def _member(uid, roles):
        return {"roles": roles, "nick": None, "avatar": None, "joined_at": "2026-01-01T00:00:00.000000+00:00",
                "premium_since": None, "deaf": False, "mute": False, "flags": 0, "pending": False,
                "communication_disabled_until": None}

    def member_with_user(self, uid):
        member = dict(self.members[uid])
        member["user"] = self.users[uid]
        return member

    def member_in(self, gid, uid):
        """uid's member object in guild gid (without user), or None."""
        if gid == OTHER_GUILD_ID:
            return self._member(uid, [OTHER_ORGANIZER_ROLE]) if uid in self.members else None
        return dict(self.members[uid]) if uid in self.members else None

    def other_guild_create(self):
        """GUILD_CREATE of the other guild (only the bot in members)."""
        guild = self.guild_object()
        guild.update({
            "id": OTHER_GUILD_ID, "name": "Attendee's Own Server", "owner_id": "1000000000000001002",
            "roles": self.other_roles, "system_channel_id": OTHER_CHANNEL_ID, "joined_at": now_iso(),
            "large": False, "unavailable": False, "member_count": len(self.members),
            "members": [self.member_with_user(APP_ID)],
            "channels": [{k: v for k, v in self.channels[OTHER_CHANNEL_ID].items() if k != "guild_id"}],
            "threads": [], "presences": [], "voice_states": [], "stage_instances": [],
            "guild_scheduled_events": [], "soundboard_sounds": [], "embedded_activities": [], "lazy": True,
        })
        return guild

    def role(self, rid):
        return next((r for r in self.roles if r["id"] == rid), None)

    def guild_object(self):
        return {
            "id": GUILD_ID, "name": "Hallway Test Conference", "icon": None, "icon_hash": None, "splash": None,
            "discovery_splash": None, "owner_id": OWNER_ID, "afk_channel_id": None, "afk_timeout": 300,
            "widget_enabled": False, "verification_level": 0, "default_message_notifications": 1,
            "explicit_content_filter": 0, "roles": self.roles, "emojis": [], "features": [], "mfa_level": 0,
            "application_id": None, "system_channel_id": self.general_id, "system_channel_flags": 0,
            "rules_channel_id": None, "max_presences": None, "max_members": 500000, "vanity_url_code": None,
            "description": None, "banner": None, "premium_tier": 0, "premium_subscription_count": 0,
            "preferred_locale": "en-US", "public_updates_channel_id": None, "max_video_channel_users": 25,
            "max_stage_video_channel_users": 50, "nsfw_level": 0, "stickers": [],
            "premium_progress_bar_enabled": False, "safety_alerts_channel_id": None,
        }

    def guild_create(self, intents, large_threshold, mode, extra_members=0):
        """GUILD_CREATE payload.  mode 'rule' applies the GUILD_PRESENCES member rule."""
        member_count = len(self.members) + extra_members
        large = member_count > large_threshold
        if mode == "all" or (intents & I_GUILD_PRESENCES and not large):
            members = [self.member_with_user(uid) for uid in self.members]
            for i in range(extra_members):
                uid = str(1000000000100000000 + i)
                member = self._member(uid, [])
                member["user"] = {"id": uid, "username": "bulk%06d" % i, "discriminator": "0",
                                  "global_name": None, "avatar": None, "public_flags": 0}
                members.append(member)
        else:
            members = [self.member_with_user(APP_ID)]
        presences = []
        if intents & I_GUILD_PRESENCES:
            presences = [{"user": {"id": m["user"]["id"]}, "status": "online", "activities": [],
                          "client_status": {"desktop": "online"}} for m in members]
        guild = self.guild_object()
        guild.update({
            "joined_at": "2026-01-01T00:00:00.000000+00:00", "large": large, "unavailable": False,
            "member_count": member_count, "members": members,
            "channels": [{k: v for k, v in c.items() if k != "guild_id"} for c in self.guild_channels()],
            "threads": [], "presences": presences, "voice_states": [], "stage_instances": [],
            "guild_scheduled_events": [], "soundboard_sounds": [], "embedded_activities": [],
            "lazy": True,
        })
        return guild

    def guild_channels(self):
        return [c for c in self.channels.values() if c.get("guild_id") == GUILD_ID]

    def dm_channel(self, uid):
        cid = self.dm_by_user.get(uid)
        if cid is None:
            cid = self.snow.next()
            self.dm_by_user[uid] = cid
            self.channels[cid] = {"id": cid, "type": 1, "last_message_id": None, "flags": 0,
                                  "recipients": [self.users[uid]]}
        return self.channels[cid]

    def store_message(self, msg):
        self.messages.setdefault(msg["channel_id"], []).append(msg)
        self.message_by_id[msg["id"]] = msg
        channel = self.channels.get(msg["channel_id"])
        if channel is not None:
            channel["last_message_id"] = msg["id"]


class Interaction:
    """One injected interaction and what the client answered."""

    def __init__(self, iid, token, itype, payload):
        self.id, self.token, self.type, self.payload = iid, token, itype, payload
        self.created = time.monotonic()
        self.acked = False
        self.ack_type = None
        self.ephemeral = False
        self.original = None  # message created by the initial response
        self.followups = []
        self.responses = []  # every callback/followup/edit attempt, with status

    def summary(self):
        return {"id": self.id, "token": self.token, "type": self.type, "acked": self.acked,
                "ack_type": self.ack_type, "original": self.original, "followups": self.followups,
                "responses": self.responses, "channel_id": self.payload.get("channel_id")}


# --------------------------------------------------------------------------
# Gateway.
# --------------------------------------------------------------------------

class Session:
    """A gateway session: its event log survives connections until it dies."""

    def __init__(self, sid, shard, intents, large_threshold):
        self.id, self.shard, self.intents, self.large_threshold = sid, shard, intents, large_threshold
        self.seq = 0
        self.events = []  # every dispatch payload, in order of s
        self.conn = None
        self.alive = True
        self.end_reason = None
        self.detached_at = None
        self.created = time.monotonic()

    def push(self, t, d, raw_replace=None):
        self.seq += 1
        payload = {"t": t, "s": self.seq, "op": OP_DISPATCH, "d": d}
        if raw_replace:
            # The payload goes out as this text (and is replayed as it on
            # RESUME), e.g. JSON that Discord's encoder would produce but
            # Python's would not: a lone surrogate, a 25-digit integer.
            text = dumps(payload)
            for old, new in raw_replace:
                text = text.replace(old, new)
            payload["_raw"] = text.encode("utf-8", "surrogatepass")
        self.events.append(payload)
        if self.conn is not None:
            self.conn.send(payload)
        return self.seq

    def kill(self, reason):
        if self.alive:
            LOG.info("session %s ends: %s", self.id[:8], reason)
        self.alive, self.end_reason = False, reason

    def expired(self, ttl):
        return self.detached_at is not None and time.monotonic() - self.detached_at > ttl

    def summary(self):
        return {"session_id": self.id, "seq": self.seq, "alive": self.alive, "end_reason": self.end_reason,
                "intents": self.intents, "shard": self.shard, "events": len(self.events),
                "conn": self.conn.id if self.conn else None, "detached_at": self.detached_at}


class Conn:
    """One websocket connection.  Every write goes through self.queue."""

    def __init__(self, gateway, cid, ws, request, path):
        self.gw, self.id, self.ws, self.request, self.path = gateway, cid, ws, request, path
        self.query = dict(request.query)
        self.opened = time.monotonic()
        self.closed = None
        self.close_code = None
        self.close_by = None  # "client", "server", "drop" (TCP gone), "server-drop"
        self.closing = False
        self.zlib = None
        self.payload_compress = False
        self.split = gateway.cfg.split_frames
        self.queue = asyncio.Queue()
        self.session = None
        self.resume_ok = False
        self.initial_seq = None
        self.last_seq = None
        self.seq_hist = deque(maxlen=64)  # (time written, s)
        self.recv_times = deque()
        self.last_hb = time.monotonic()
        self.hb_interval_ms = gateway.cfg.heartbeat_ms
        self.ack_delay_ms, self.ack_delay_count = 0, None
        self.drop_acks = 0  # >0: drop that many; -1: drop all
        self.frames_in = 0
        self.frames_out = 0
        self.writer = None
        self.watchdog = None

    def send(self, payload):
        if not self.closing:
            self.queue.put_nowait(("frame", payload))

    def send_op(self, op, d):
        self.send({"t": None, "s": None, "op": op, "d": d})

    def close(self, code, reason=""):
        if not self.closing:
            self.closing = True
            LOG.info("conn %d: server closes %d %s", self.id, code, reason)
            self.queue.put_nowait(("close", code, reason))

    def drop(self):
        if not self.closing:
            self.closing = True
            LOG.info("conn %d: server drops TCP", self.id)
            self.queue.put_nowait(("drop",))

    async def run_writer(self):
        try:
            while True:
                item = await self.queue.get()
                if item[0] == "frame":
                    await self._write(item[1])
                elif item[0] == "close":
                    self.close_code, self.close_by = item[1], "server"
                    await self.ws.close(code=item[1], message=item[2].encode())
                    return
                elif item[0] == "drop":
                    self.close_by = "server-drop"
                    transport = self.request.transport
                    if transport is not None:
                        transport.abort()
                    return
        except (ConnectionError, RuntimeError, asyncio.CancelledError):
            return

    async def _write(self, payload):
        # bytes: a "raw" fault, sent verbatim (may be invalid JSON); a
        # dispatch with "_raw" is sent as that text.
        if isinstance(payload, bytes):
            raw = payload
        elif "_raw" in payload:
            raw = payload["_raw"]
        else:
            raw = dumps(payload).encode()
        now = time.monotonic()
        if self.zlib is not None:
            data = self.zlib.compress(raw) + self.zlib.flush(zlib.Z_SYNC_FLUSH)
            if self.split and len(data) > 8:
                cut = len(data) // 2
                await self.ws.send_bytes(data[:cut])
                await self.ws.send_bytes(data[cut:])
            else:
                await self.ws.send_bytes(data)
        elif self.payload_compress:
            await self.ws.send_bytes(zlib.compress(raw))
        else:
            await self.ws.send_str(raw.decode())
        self.frames_out += 1
        if isinstance(payload, bytes):
            return
        if payload["op"] == OP_DISPATCH:
            self.last_seq = payload["s"]
            self.seq_hist.append((now, payload["s"]))
        self.gw.log_sent(self, payload, len(raw), now)

    def summary(self):
        return {"id": self.id, "path": self.path, "query": self.query, "opened": self.opened,
                "closed": self.closed, "close_code": self.close_code, "close_by": self.close_by,
                "session_id": self.session.id if self.session else None, "resumed": self.resume_ok,
                "frames_in": self.frames_in, "frames_out": self.frames_out, "compress": self.zlib is not None}


class Gateway:
    """The websocket side: handshake, sessions, heartbeats, faults."""

    def __init__(self, standin):
        self.st = standin
        self.sessions = {}
        self.conns = {}
        self.next_conn_id = 1
        self.pending_faults = []  # faults for the next connection
        self.reset_logs()
        self.identify_remaining = standin.cfg.daily_identify_limit
        self.day_started = time.monotonic()
        self.token_reset = False

    @property
    def cfg(self):
        return self.st.cfg

    def reset_logs(self):
        self.frames = []  # client -> server
        self.sent = []  # server -> client
        self.identifies = []
        self.resumes = []
        self.hb_violations = []
        self.hb_timeouts = []
        self.identify_throttled = 0
        self.identify_last = {}
        self.op8_times = deque()

    def log_sent(self, conn, payload, size, now):
        if len(self.sent) < MAX_LOG:
            self.sent.append({"conn": conn.id, "t": now, "op": payload["op"], "s": payload["s"],
                              "type": payload["t"], "size": size})

    # -- dispatching ------------------------------------------------------

    def dispatch(self, t, d, guild_id=None, session_id=None, raw_replace=None):
        """Push an event to every live session that should see it; returns [(sid, s)]."""
        out = []
        for sess in list(self.sessions.values()):
            if not sess.alive or (session_id and sess.id != session_id):
                continue
            if not self._wants(sess, t, d, guild_id):
                continue
            out.append({"session_id": sess.id, "s": sess.push(t, self._filter(sess, t, d), raw_replace)})
        self.st.bump()
        return out

    @staticmethod
    def _wants(sess, t, d, guild_id):
        shard_id, shards = sess.shard
        gid = guild_id or (d.get("guild_id") if isinstance(d, dict) else None)
        if shards > 1 and ((int(gid) >> 22) % shards if gid else 0) != shard_id:
            return False
        if t in ("MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE"):
            return bool(sess.intents & (I_GUILD_MESSAGES if gid else I_DIRECT_MESSAGES))
        if t.startswith("GUILD_MEMBER"):
            return bool(sess.intents & I_GUILD_MEMBERS)
        if t in ("GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE", "CHANNEL_CREATE", "GUILD_ROLE_CREATE"):
            return bool(sess.intents & I_GUILDS)
        return True

    def _filter(self, sess, t, d):
        """Blank message content for sessions without MESSAGE_CONTENT (with the exceptions)."""
        if t not in ("MESSAGE_CREATE", "MESSAGE_UPDATE") or sess.intents & I_MESSAGE_CONTENT:
            return d
        bot = self.st.world.bot_id
        if not d.get("guild_id") or d.get("author", {}).get("id") == bot or \
                any(u.get("id") == bot for u in d.get("mentions", [])):
            return d
        d = dict(d)
        d.update({"content": "", "embeds": [], "attachments": [], "components": []})
        d.pop("poll", None)
        return d

    # -- connection lifecycle ----------------------------------------------

    async def handle(self, request):
        if not request.headers.get("Upgrade", "").lower() == "websocket":
            return json_response(400, {"message": "websocket upgrade required", "code": 0})
        ws = web.WebSocketResponse(autoping=True, autoclose=True, timeout=2.0, max_msg_size=1 << 22,
                                   compress=False)
        await ws.prepare(request)
        conn = Conn(self, self.next_conn_id, ws, request, request.path)
        self.next_conn_id += 1
        self.conns[conn.id] = conn
        LOG.info("conn %d: open %s?%s", conn.id, request.path, request.query_string)
        conn.writer = asyncio.ensure_future(conn.run_writer())
        faults, self.pending_faults = self.pending_faults, []
        for fault in faults:
            self.apply_fault(conn, fault)
        query = request.query
        if query.get("v") != str(API_VERSION):
            conn.close(4012, "Invalid API version")
        elif query.get("encoding", "json") != "json":
            conn.close(4002, "stand-in supports encoding=json only")
        elif query.get("compress") not in (None, "zlib-stream"):
            conn.close(4002, "stand-in supports compress=zlib-stream only")
        else:
            if query.get("compress") == "zlib-stream":
                conn.zlib = zlib.compressobj()
            conn.send_op(OP_HELLO, {"heartbeat_interval": conn.hb_interval_ms,
                                    "_trace": ['["gateway-standin",{"micros":0.0}]']})
            conn.last_hb = time.monotonic()
            conn.watchdog = asyncio.ensure_future(self._watchdog(conn))
        self.st.bump()
        try:
            await self._read_loop(conn)
        finally:
            await self._finish(conn)
        return ws

    async def _read_loop(self, conn):
        while True:
            msg = await conn.ws.receive()
            if msg.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                if not conn.closing:
                    self._on_frame(conn, msg.data)
            elif msg.type == WSMsgType.CLOSE:
                if conn.close_by is None:
                    conn.close_code, conn.close_by = msg.data, "client"
                    conn.closing = True
                return
            elif msg.type in (WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                return

    async def _finish(self, conn):
        if conn.writer is not None and not conn.writer.done():
            if conn.close_by != "server":
                conn.writer.cancel()  # the client is gone; pending frames are dropped
            try:
                await asyncio.wait_for(asyncio.shield(conn.writer), 3.0)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                conn.writer.cancel()
        if conn.watchdog is not None:
            conn.watchdog.cancel()
        conn.closing = True
        conn.closed = time.monotonic()
        if conn.close_by is None:
            conn.close_by = "drop"
        sess = conn.session
        if sess is not None and sess.conn is conn:
            sess.conn = None
            code = conn.close_code
            if conn.close_by == "client" and code in (1000, 1001):
                sess.kill("client closed with %d" % code)
            elif conn.close_by == "server" and code in SESSION_KILLING_CLOSES:
                sess.kill("server closed with %d" % code)
            else:
                sess.detached_at = time.monotonic()
        LOG.info("conn %d: closed by %s code=%s", conn.id, conn.close_by, conn.close_code)
        self.st.bump()

    async def _watchdog(self, conn):
        """Close a connection whose client stops heartbeating (interval x factor)."""
        try:
            while not conn.closing:
                limit = conn.hb_interval_ms / 1000.0 * self.cfg.heartbeat_timeout_factor
                left = conn.last_hb + limit - time.monotonic()
                if left <= 0:
                    self.hb_timeouts.append({"conn": conn.id, "t": time.monotonic()})
                    action = self.cfg.heartbeat_timeout_action
                    LOG.info("conn %d: heartbeat timeout (%s)", conn.id, action)
                    if action == "close":
                        conn.close(self.cfg.heartbeat_timeout_code, "Heartbeat timeout")
                    elif action == "drop":
                        conn.drop()
                    else:
                        conn.last_hb = time.monotonic()
                        continue
                    self.st.bump()
                    return
                await asyncio.sleep(min(left, 0.25) + 0.005)
        except asyncio.CancelledError:
            pass

    # -- receiving ---------------------------------------------------------

    def _on_frame(self, conn, data):
        now = time.monotonic()
        raw = data if isinstance(data, bytes) else data.encode()
        conn.frames_in += 1
        conn.recv_times.append(now)
        while conn.recv_times and conn.recv_times[0] < now - self.cfg.gateway_send_window_s:
            conn.recv_times.popleft()
        entry = {"conn": conn.id, "t": now, "op": None, "d": None, "size": len(raw)}
        if len(self.frames) < MAX_LOG:
            self.frames.append(entry)
        self.st.bump()
        if len(raw) > self.cfg.max_frame_bytes:
            return conn.close(4002, "Payload too large")
        try:
            payload = json.loads(raw.decode())
        except (ValueError, UnicodeDecodeError):
            return conn.close(4002, "Error while decoding payload.")
        if not isinstance(payload, dict) or not isinstance(payload.get("op"), int) \
                or isinstance(payload.get("op"), bool):
            return conn.close(4002, "Error while decoding payload.")
        op, d = payload["op"], payload.get("d")
        entry["op"], entry["d"] = op, (self._redact(d) if op in (OP_IDENTIFY, OP_RESUME) else d)
        if len(conn.recv_times) > self.cfg.gateway_send_limit:
            return conn.close(4008, "Rate limited.")
        if op not in CLIENT_OPS:
            return conn.close(4001, "Unknown opcode.")
        if op == OP_HEARTBEAT:
            return self._on_heartbeat(conn, d, now)
        if op == OP_IDENTIFY:
            return self._on_identify(conn, d)
        if op == OP_RESUME:
            return self._on_resume(conn, d)
        if conn.session is None:
            return conn.close(4003, "Not authenticated.")
        if op == OP_REQUEST_MEMBERS:
            return self._on_request_members(conn, d)
        # op 3 (presence) and op 4 (voice state) are accepted and only logged.
        return None

    @staticmethod
    def _redact(d):
        if isinstance(d, dict) and "token" in d:
            d = dict(d)
            d["token"] = "<redacted>"
        return d

    def _on_heartbeat(self, conn, d, now):
        conn.last_hb = now
        self._check_heartbeat_seq(conn, d, now)
        if conn.drop_acks:
            conn.drop_acks = conn.drop_acks - 1 if conn.drop_acks > 0 else -1
            return
        if conn.ack_delay_ms > 0 and conn.ack_delay_count != 0:
            if conn.ack_delay_count is not None:
                conn.ack_delay_count -= 1
            asyncio.get_event_loop().call_later(conn.ack_delay_ms / 1000.0, conn.send_op,
                                                OP_HEARTBEAT_ACK, None)
            return
        conn.send_op(OP_HEARTBEAT_ACK, None)

    def _check_heartbeat_seq(self, conn, d, now):
        """Heartbeat d must be the last s this connection delivered (null before any)."""
        if conn.session is None:
            return  # before IDENTIFY/RESUME the client may carry an older seq
        ok = {conn.last_seq}
        previous = conn.initial_seq
        for when, s in conn.seq_hist:
            if when >= now - self.cfg.hb_seq_grace_s:
                ok.add(previous)
            previous = s
        if d not in ok or isinstance(d, bool):
            self.hb_violations.append({"conn": conn.id, "t": now, "got": d, "expected": conn.last_seq})
            LOG.info("conn %d: heartbeat d=%r, expected %r", conn.id, d, conn.last_seq)

    def _on_identify(self, conn, d):
        cfg = self.cfg
        if conn.session is not None:
            return conn.close(4005, "Already authenticated.")
        if not isinstance(d, dict) or not isinstance(d.get("properties"), dict) \
                or not isinstance(d.get("intents"), int) or "token" not in d:
            return conn.close(4002, "Error while decoding payload.")
        if self.token_reset or d["token"] != self.st.token:
            return conn.close(4004, "Authentication failed.")
        intents = d["intents"]
        if intents & ~KNOWN_INTENTS or intents < 0:
            return conn.close(4013, "Invalid intent(s).")
        if intents & PRIVILEGED_INTENTS & ~cfg.privileged_intents:
            return conn.close(4014, "Disallowed intent(s).")
        shard = d.get("shard", [0, 1])
        if not (isinstance(shard, list) and len(shard) == 2 and all(isinstance(x, int) for x in shard)
                and shard[1] >= 1 and 0 <= shard[0] < shard[1]):
            return conn.close(4010, "Invalid shard.")
        now = time.monotonic()
        bucket = shard[0] % max(cfg.max_concurrency, 1)
        last = self.identify_last.get(bucket)
        if last is not None and now - last < cfg.identify_window_s:
            self.identify_throttled += 1
            self.identifies.append({"conn": conn.id, "t": now, "result": "throttled", "intents": intents})
            LOG.info("conn %d: IDENTIFY too soon -> op 9 false", conn.id)
            conn.send_op(OP_INVALID_SESSION, False)
            return None
        if self.identify_remaining <= 0:
            self.token_reset = True
            for sess in self.sessions.values():
                sess.kill("daily identify limit: token reset")
            for other in self.conns.values():
                if other.closed is None:
                    other.close(4004, "Authentication failed.")
            return None
        self.identify_last[bucket] = now
        self.identify_remaining -= 1
        if d.get("compress") is True and conn.zlib is None:
            conn.payload_compress = True
        threshold = d.get("large_threshold", 50)
        threshold = min(max(threshold if isinstance(threshold, int) else 50, 50), 250)
        sess = Session(secrets.token_hex(16), tuple(shard), intents, threshold)
        self.sessions[sess.id] = sess
        self.identifies.append({"conn": conn.id, "t": now, "result": "ok", "intents": intents,
                                "session_id": sess.id, "shard": shard})
        conn.session, sess.conn = sess, conn
        world = self.st.world
        LOG.info("conn %d: IDENTIFY ok, session %s", conn.id, sess.id[:8])
        ready = {"v": API_VERSION, "user_settings": {}, "user": world.bot_user,
                 "guilds": [{"id": world.guild_id, "unavailable": True}], "session_id": sess.id,
                 "session_type": "normal", "resume_gateway_url": self.st.resume_url,
                 "application": {"id": world.app_id, "flags": (1 << 15) | (1 << 19)},
                 "private_channels": [], "relationships": [], "presences": [], "guild_join_requests": [],
                 "geo_ordered_rtc_regions": ["standin"], "_trace": ['["gateway-standin",{"micros":0.0}]']}
        if "shard" in d:
            ready["shard"] = shard
        sess.push("READY", ready)
        if cfg.other_guild:
            ready["guilds"].append({"id": world.other_guild_id, "unavailable": True})
        if intents & I_GUILDS and self._wants(sess, "GUILD_CREATE", {"guild_id": world.guild_id}, None):
            sess.push("GUILD_CREATE", world.guild_create(intents, threshold, cfg.members_in_guild_create))
        if cfg.other_guild and intents & I_GUILDS and \
                self._wants(sess, "GUILD_CREATE", {"guild_id": world.other_guild_id}, None):
            sess.push("GUILD_CREATE", world.other_guild_create())
        self.st.bump()
        return None

    def _on_resume(self, conn, d):
        now = time.monotonic()
        if conn.session is not None:
            return conn.close(4005, "Already authenticated.")
        if not isinstance(d, dict) or not isinstance(d.get("session_id"), str) or "token" not in d:
            return conn.close(4002, "Error while decoding payload.")
        if self.token_reset or d["token"] != self.st.token:
            return conn.close(4004, "Authentication failed.")
        sess = self.sessions.get(d["session_id"])
        seq = d.get("seq")
        record = {"conn": conn.id, "t": now, "path": conn.path, "session_id": d["session_id"], "seq": seq}
        self.resumes.append(record)
        self.st.bump()
        if sess is not None and sess.alive and sess.expired(self.cfg.session_ttl_s):
            sess.kill("expired (ttl)")
        if sess is None or not sess.alive:
            record["result"] = "invalid"
            LOG.info("conn %d: RESUME of unknown/dead session -> op 9 false", conn.id)
            conn.send_op(OP_INVALID_SESSION, False)
            return None
        if seq is None:
            seq = 0
        if not isinstance(seq, int) or seq > sess.seq or seq < 0:
            record["result"] = "bad_seq"
            sess.kill("resume with invalid seq")
            return conn.close(4007, "Invalid seq.")
        old = sess.conn
        if old is not None and old is not conn:
            old.close(4000, "Session resumed elsewhere")
        sess.conn, sess.detached_at = conn, None
        conn.session, conn.resume_ok, conn.initial_seq = sess, True, seq
        replay = [ev for ev in sess.events if ev["s"] > seq]
        for ev in replay:
            conn.send(ev)
        record["result"], record["replayed"] = "ok", len(replay)
        LOG.info("conn %d: RESUME %s from %d, replay %d", conn.id, sess.id[:8], seq, len(replay))
        sess.push("RESUMED", {"_trace": ['["gateway-standin",{"micros":0.0}]']})
        return None

    def _on_request_members(self, conn, d):
        sess, world = conn.session, self.st.world
        if not isinstance(d, dict) or d.get("guild_id") != world.guild_id:
            return None
        now = time.monotonic()
        if self.cfg.op8_rate_limit > 0:
            while self.op8_times and self.op8_times[0] < now - self.cfg.op8_rate_window_s:
                self.op8_times.popleft()
            if len(self.op8_times) >= self.cfg.op8_rate_limit:
                retry = self.op8_times[0] + self.cfg.op8_rate_window_s - now
                meta = {"guild_id": world.guild_id}
                if "nonce" in d:
                    meta["nonce"] = d["nonce"]
                sess.push("RATE_LIMITED", {"opcode": OP_REQUEST_MEMBERS, "retry_after": round(retry, 3),
                                           "meta": meta})
                return None
            self.op8_times.append(now)
        user_ids = d.get("user_ids")
        query = d.get("query")
        if user_ids is None and query == "" and not sess.intents & I_GUILD_MEMBERS:
            return conn.close(4001, "GUILD_MEMBERS intent required to request all members")
        if d.get("presences") and not sess.intents & I_GUILD_PRESENCES:
            return conn.close(4001, "GUILD_PRESENCES intent required for presences")
        not_found = []
        if user_ids is not None:
            ids = user_ids if isinstance(user_ids, list) else [user_ids]
            found = [u for u in ids if u in world.members]
            not_found = [u for u in ids if u not in world.members]
        else:
            q = (query or "").lower()
            found = [u for u in world.members if world.users[u]["username"].lower().startswith(q)]
            limit = d.get("limit", 0) or 0
            if limit > 0 or q:
                found = found[:limit or 100]
        members = [world.member_with_user(u) for u in found]
        chunks = [members[i:i + 1000] for i in range(0, len(members), 1000)] or [[]]
        for index, chunk in enumerate(chunks):
            body = {"guild_id": world.guild_id, "members": chunk, "chunk_index": index,
                    "chunk_count": len(chunks)}
            if index == 0 and not_found:
                body["not_found"] = not_found
            if d.get("presences"):
                body["presences"] = [{"user": {"id": m["user"]["id"]}, "status": "online",
                                      "activities": [], "client_status": {"desktop": "online"}}
                                     for m in chunk]
            if "nonce" in d:
                body["nonce"] = d["nonce"]
            sess.push("GUILD_MEMBERS_CHUNK", body)
        return None

    # -- scripted faults ---------------------------------------------------

    def current_conn(self, cid=None):
        if cid is not None:
            return self.conns.get(int(cid))
        live = [c for c in self.conns.values() if c.closed is None and not c.closing]
        return live[-1] if live else None

    def apply_fault(self, conn, f):
        """Apply one scripted gateway fault to conn; raises ValueError on a bad spec."""
        action = f.get("action")
        loop = asyncio.get_event_loop()
        if action == "heartbeat_request":
            conn.send_op(OP_HEARTBEAT, None)
        elif action == "reconnect":
            conn.send_op(OP_RECONNECT, None)
            if f.get("close_after_ms") is not None:
                loop.call_later(f["close_after_ms"] / 1000.0, conn.close, int(f.get("code", 4000)),
                                "Reconnect requested")
        elif action == "invalid_session":
            resumable = bool(f.get("resumable", False))
            if not resumable and conn.session is not None:
                conn.session.kill("scripted op 9 false")
            conn.send_op(OP_INVALID_SESSION, resumable)
        elif action == "raw":
            # Text sent verbatim as one payload (through zlib-stream when on):
            # lets tests send what Discord's JSON encoder never would.
            text = f.get("text")
            if not isinstance(text, str):
                raise ValueError("raw needs a text")
            conn.send(text.encode("utf-8", "surrogatepass"))
        elif action == "close":
            conn.close(int(f.get("code", 4000)), f.get("reason", "scripted close"))
        elif action == "drop":
            conn.drop()
        elif action == "ack_delay":
            conn.ack_delay_ms, conn.ack_delay_count = int(f.get("ms", 0)), f.get("count")
        elif action == "drop_acks":
            count = f.get("count")
            conn.drop_acks = -1 if count is None else int(count)
        elif action == "restore_acks":
            conn.ack_delay_ms, conn.ack_delay_count, conn.drop_acks = 0, None, 0
        elif action == "large_guild_create":
            if conn.session is None:
                raise ValueError("connection has no session")
            extra = int(f.get("members", 3000))
            conn.session.push("GUILD_CREATE", self.st.world.guild_create(
                conn.session.intents, conn.session.large_threshold, "all", extra_members=extra))
        elif action == "split_frames":
            conn.split = bool(f.get("enabled", True))
        elif action == "expire_session":
            if conn.session is not None:
                conn.session.kill("scripted expiry")
        else:
            raise ValueError("unknown gateway fault action %r" % action)
        LOG.info("conn %d: fault %s", conn.id, action)


# --------------------------------------------------------------------------
# REST: routing, authentication, rate limits, handlers.
# --------------------------------------------------------------------------

class Route:
    """One REST route.  kind selects the rate-limit family (None = no bucket)."""

    def __init__(self, method, template, handler, kind="default", auth=True, exempt=False, files=False,
                 group=None):
        self.method, self.template, self.handler = method, template, handler
        self.kind, self.auth, self.exempt, self.files = kind, auth, exempt, files
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
        self.regex = re.compile("^" + pattern + "$")
        key = "%s %s" % (method, group or template)
        self.bucket_hash = hashlib.sha1(key.encode()).hexdigest()[:16]

    def major(self, params):
        if "webhook_id" in params:
            return "%s/%s" % (params["webhook_id"], params.get("webhook_token", ""))
        return params.get("channel_id") or params.get("guild_id") or params.get("application_id") or "-"


class Bucket:
    def __init__(self, limit, window):
        self.limit, self.window = limit, window
        self.count, self.reset_at = 0, 0.0


class RateLimiter:
    """Route buckets (hash x major parameter), the global limit and the 429 ledger."""

    def __init__(self, cfg):
        self.cfg = cfg
        self.buckets = {}
        self.global_times = deque()
        self.invalid_times = deque()
        self.ban_until = 0.0
        self.counts_429 = {}  # "hash:major" (or "global") -> count
        self.events_429 = []

    def limits_for(self, kind):
        if kind is None:
            return None
        limit = getattr(self.cfg, kind + "_rate_limit")
        window = getattr(self.cfg, kind + "_rate_window_s")
        return (limit, window) if limit > 0 else None

    def take(self, route, major):
        """Count one request; returns (headers, retry_after or None)."""
        spec = self.limits_for(route.kind)
        if spec is None:
            return {}, None
        key = "%s:%s" % (route.bucket_hash, major)
        bucket = self.buckets.get(key)
        if bucket is None or (bucket.limit, bucket.window) != spec:
            bucket = self.buckets[key] = Bucket(*spec)
        now = time.monotonic()
        if now >= bucket.reset_at:
            bucket.count, bucket.reset_at = 0, now + bucket.window
        retry = None
        if bucket.count >= bucket.limit:
            retry = bucket.reset_at - now
        else:
            bucket.count += 1
        return self.headers(route, bucket, now), retry

    def peek_headers(self, route, major):
        bucket = self.buckets.get("%s:%s" % (route.bucket_hash, major))
        if bucket is None:
            spec = self.limits_for(route.kind)
            if spec is None:
                return {}
            bucket = Bucket(*spec)
            bucket.reset_at = time.monotonic() + bucket.window
        return self.headers(route, bucket, time.monotonic())

    @staticmethod
    def headers(route, bucket, now):
        after = max(bucket.reset_at - now, 0.0)
        return {"X-RateLimit-Limit": str(bucket.limit),
                "X-RateLimit-Remaining": str(max(bucket.limit - bucket.count, 0)),
                "X-RateLimit-Reset": "%.3f" % (time.time() + after),
                "X-RateLimit-Reset-After": "%.3f" % after,
                "X-RateLimit-Bucket": route.bucket_hash}

    def take_global(self):
        """Returns retry_after when the global limit is exceeded, else None."""
        limit, window = self.cfg.global_rate_limit, self.cfg.global_rate_window_s
        if limit <= 0:
            return None
        now = time.monotonic()
        while self.global_times and self.global_times[0] <= now - window:
            self.global_times.popleft()
        if len(self.global_times) >= limit:
            return self.global_times[0] + window - now
        self.global_times.append(now)
        return None

    def note_invalid(self, status, scope=None):
        if status not in (401, 403, 429) or scope == "shared":
            return
        now = time.monotonic()
        self.invalid_times.append(now)
        while self.invalid_times and self.invalid_times[0] < now - self.cfg.invalid_request_window_s:
            self.invalid_times.popleft()
        if len(self.invalid_times) >= self.cfg.invalid_request_limit and self.ban_until < now:
            self.ban_until = now + self.cfg.cloudflare_ban_s
            LOG.info("cloudflare ban for %.1fs", self.cfg.cloudflare_ban_s)

    def record_429(self, key, scope, retry, injected, path):
        self.counts_429[key] = self.counts_429.get(key, 0) + 1
        if len(self.events_429) < MAX_LOG:
            self.events_429.append({"t": time.monotonic(), "bucket": key, "scope": scope,
                                    "retry_after": retry, "injected": injected, "path": path})


def rate_limited_response(retry, scope, headers=None, code=None):
    body = {"message": "You are being rate limited.", "retry_after": round(retry, 3), "global": scope == "global"}
    if code is not None:
        body["code"] = code
    hdrs = dict(headers or {})
    hdrs.update({"Retry-After": str(max(int(math.ceil(retry)), 0)), "X-RateLimit-Scope": scope,
                 "Via": "1.1 google"})
    if scope == "global":
        hdrs["X-RateLimit-Global"] = "true"
    return json_response(429, body, hdrs)


def cloudflare_response():
    return web.Response(status=429, text="<html><body>error code: 1015</body></html>",
                        content_type="text/html")


class Request:
    """What a REST handler gets: params, parsed body, uploaded files."""

    def __init__(self, http, params, body, files):
        self.http, self.params, self.body, self.files = http, params, body, files
        self.query = http.query


class Rest:
    """The REST API under /api/v10."""

    def __init__(self, standin):
        self.st = standin
        self.routes = self._routes()
        self.faults = []
        self.log = []
        self.ua_violations = 0
        self.auth_failures = 0

    @property
    def world(self):
        return self.st.world

    def _routes(self):
        R = Route
        return [
            R("GET", "/gateway", self.get_gateway, auth=False),
            R("GET", "/gateway/bot", self.get_gateway_bot),
            R("GET", "/users/@me", self.get_me),
            R("POST", "/users/@me/channels", self.create_dm),
            R("GET", "/users/{user_id}", self.get_user),
            R("GET", "/applications/@me", self.get_application),
            R("GET", "/oauth2/applications/@me", self.get_application),
            R("GET", "/channels/{channel_id}", self.get_channel),
            R("POST", "/channels/{channel_id}/typing", self.typing),
            R("GET", "/channels/{channel_id}/messages", self.list_messages),
            R("POST", "/channels/{channel_id}/messages", self.create_message, kind="message", files=True),
            R("GET", "/channels/{channel_id}/messages/{message_id}", self.get_message),
            R("PATCH", "/channels/{channel_id}/messages/{message_id}", self.edit_message, files=True,
              kind="message"),
            R("DELETE", "/channels/{channel_id}/messages/{message_id}", self.delete_message, kind="message"),
            R("POST", "/interactions/{interaction_id}/{interaction_token}/callback", self.interaction_callback,
              kind=None, auth=False, exempt=True, files=True),
            R("POST", "/webhooks/{webhook_id}/{webhook_token}", self.followup, kind="webhook", auth=False,
              exempt=True, files=True),
            R("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", self.webhook_get,
              kind="webhook", auth=False, exempt=True),
            R("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", self.webhook_edit,
              kind="webhook", auth=False, exempt=True, files=True),
            R("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", self.webhook_delete,
              kind="webhook", auth=False, exempt=True),
            R("GET", "/applications/{application_id}/commands", self.get_commands),
            R("PUT", "/applications/{application_id}/commands", self.put_commands, kind="commands"),
            R("POST", "/applications/{application_id}/commands", self.post_command, kind="commands"),
            R("GET", "/applications/{application_id}/guilds/{guild_id}/commands", self.get_commands),
            R("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", self.put_commands,
              kind="commands"),
            R("POST", "/applications/{application_id}/guilds/{guild_id}/commands", self.post_command,
              kind="commands"),
            R("GET", "/guilds/{guild_id}", self.get_guild),
            R("GET", "/guilds/{guild_id}/roles", self.get_roles),
            R("GET", "/guilds/{guild_id}/channels", self.get_guild_channels),
            R("GET", "/guilds/{guild_id}/members", self.list_members),
            R("GET", "/guilds/{guild_id}/members/{user_id}", self.get_member),
            R("PATCH", "/guilds/{guild_id}/members/{user_id}", self.modify_member),
            R("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", self.put_member_role),
            R("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", self.delete_member_role),
        ]

    # -- the request pipeline ---------------------------------------------

    async def handle(self, request):
        path = "/" + request.match_info["tail"]
        resp = await self._handle(request, path)
        if not isinstance(resp, web.StreamResponse):
            resp = web.Response(status=500, text="stand-in bug")
        if resp.status != 429 or resp.headers.get("Via"):
            resp.headers.setdefault("Via", "1.1 google")
        if len(self.log) < MAX_LOG:
            self.log.append({"t": time.monotonic(), "method": request.method, "path": path,
                             "status": resp.status})
        self.st.bump()
        return resp

    async def _handle(self, request, path):
        rl = self.st.ratelimiter
        route, params = self._match(request.method, path)
        if route is None:
            return params
        if time.monotonic() < rl.ban_until:
            return cloudflare_response()
        if route.auth:
            if self.st.gateway.token_reset or request.headers.get("Authorization") != "Bot " + self.st.token:
                self.auth_failures += 1
                rl.note_invalid(401)
                return json_response(401, {"message": "401: Unauthorized", "code": 0})
        # Only bot-authenticated routes check the User-Agent: discord.py's own webhook
        # adapter (interaction callbacks, followups) sends aiohttp's default one.
        if route.auth and self.st.cfg.require_user_agent and \
                not request.headers.get("User-Agent", "").startswith("DiscordBot ("):
            self.ua_violations += 1
            rl.note_invalid(403)
            return json_response(403, {"message": "stand-in: User-Agent must start with 'DiscordBot ('",
                                       "code": 0})
        major = route.major(params)
        fault_resp = await self._apply_fault(request, path, route, major)
        if fault_resp is not None:
            return fault_resp
        if not route.exempt:
            retry = rl.take_global()
            if retry is not None:
                rl.record_429("global", "global", retry, False, path)
                rl.note_invalid(429, "global")
                return rate_limited_response(retry, "global")
        headers, retry = rl.take(route, major)
        if retry is not None:
            key = "%s:%s" % (route.bucket_hash, major)
            rl.record_429(key, "user", retry, False, path)
            rl.note_invalid(429, "user")
            return rate_limited_response(retry, "user", headers)
        try:
            body, files = await self._read_body(request, route)
            resp = await route.handler(Request(request, params, body, files))
        except ApiError as err:
            resp = err.response()
            rl.note_invalid(err.status)
        except (ValueError, TypeError, KeyError, AttributeError) as err:
            # A malformed body or query that the handlers did not anticipate.
            LOG.info("%s %s: malformed request (%s: %s)", request.method, path, type(err).__name__, err)
            resp = ApiError(400, 50035, "Invalid Form Body").response()
        for key, value in headers.items():
            resp.headers[key] = value
        return resp

    def _match(self, method, path):
        allowed = False
        for route in self.routes:
            m = route.regex.match(path)
            if m is None:
                continue
            if route.method == method:
                return route, m.groupdict()
            allowed = True
        if allowed:
            return None, json_response(405, {"message": "405: Method Not Allowed", "code": 0})
        return None, json_response(404, {"message": "404: Not Found", "code": 0})

    async def _apply_fault(self, request, path, route, major):
        for fault in self.faults:
            if fault["count"] == 0:
                continue
            if fault.get("method") and fault["method"] != request.method:
                continue
            if fault.get("path") and not re.search(fault["path"], path):
                continue
            fault["count"] -= 1
            fault["hits"] = fault.get("hits", 0) + 1
            kind = fault["kind"]
            if kind == "delay":
                await asyncio.sleep(fault.get("ms", 1000) / 1000.0)
                continue
            if kind == "cloudflare":
                return cloudflare_response()
            if kind == "status":
                status = int(fault.get("status", 500))
                if fault.get("html"):
                    return web.Response(status=status, text="<html>%d</html>" % status, content_type="text/html")
                return json_response(status, {"message": "%d: stand-in injected error" % status, "code": 0})
            if kind == "429":
                scope = fault.get("scope", "user")
                retry = float(fault.get("retry_after", 1.0))
                rl = self.st.ratelimiter
                headers = {}
                if scope != "global":
                    headers = rl.peek_headers(route, major)
                    if not fault.get("sublimit", False):
                        headers["X-RateLimit-Remaining"] = "0"
                        headers["X-RateLimit-Reset-After"] = "%.3f" % retry
                        headers["X-RateLimit-Reset"] = "%.3f" % (time.time() + retry)
                key = "global" if scope == "global" else "%s:%s" % (route.bucket_hash, major)
                rl.record_429(key, scope, retry, True, path)
                rl.note_invalid(429, scope)
                return rate_limited_response(retry, scope, headers)
        return None

    async def _read_body(self, request, route):
        """Returns (parsed JSON body or None, [files]).  Enforces Content-Type."""
        ctype = request.headers.get("Content-Type", "")
        mime = ctype.split(";")[0].strip().lower()
        if mime == "multipart/form-data":
            if not route.files:
                raise ApiError(400, 50035, "Invalid Form Body", {"_errors": [
                    {"code": "CONTENT_TYPE_INVALID", "message": "Expected Content-Type application/json"}]})
            return await self._read_multipart(request)
        try:
            raw = await request.read()
        except web.HTTPRequestEntityTooLarge:
            raise ApiError(413, 40005, "Request entity too large")
        if not raw:
            return None, []
        if mime != "application/json":
            raise ApiError(400, 50035, "Invalid Form Body", {"_errors": [
                {"code": "CONTENT_TYPE_INVALID",
                 "message": "Expected \"Content-Type\" header to be one of {'application/json', "
                            "'multipart/form-data', 'application/x-www-form-urlencoded'}."}]})
        try:
            return json.loads(raw.decode()), []
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, 50109, "The request body contains invalid JSON.")

    @staticmethod
    async def _read_multipart(request):
        reader = await request.multipart()
        body, files, total = None, [], 0
        while True:
            part = await reader.next()
            if part is None:
                break
            data = bytes(await part.read(decode=False))
            total += len(data)
            if total > 25 * 1024 * 1024:
                raise ApiError(413, 40005, "Request entity too large")
            if part.name == "payload_json":
                try:
                    body = json.loads(data.decode())
                except (ValueError, UnicodeDecodeError):
                    raise ApiError(400, 50109, "The request body contains invalid JSON.")
            elif part.filename is not None or (part.name or "").startswith("file"):
                files.append({"field": part.name, "filename": part.filename or "file", "data": data,
                              "content_type": part.headers.get("Content-Type", "application/octet-stream")})
        return (body if body is not None else {}), files

    # -- simple resources ---------------------------------------------------

    async def get_gateway(self, req):
        return json_response(200, {"url": self.st.gateway_url})

    async def get_gateway_bot(self, req):
        gw, cfg = self.st.gateway, self.st.cfg
        reset_after = max(0, int(86400000 - (time.monotonic() - gw.day_started) * 1000))
        return json_response(200, {"url": self.st.gateway_url, "shards": 1, "session_start_limit": {
            "total": cfg.daily_identify_limit, "remaining": max(gw.identify_remaining, 0),
            "reset_after": reset_after, "max_concurrency": cfg.max_concurrency}})

    async def get_me(self, req):
        return json_response(200, self.world.bot_user)

    async def get_user(self, req):
        user = self.world.users.get(req.params["user_id"])
        if user is None:
            raise ApiError(404, 10013, "Unknown User")
        return json_response(200, user)

    async def get_application(self, req):
        w = self.world
        owner = {"id": OWNER_ID, "username": "owner", "discriminator": "0", "global_name": "Owner",
                 "avatar": None, "public_flags": 0}
        return json_response(200, {
            "id": w.app_id, "name": "hallway", "icon": None, "description": "", "summary": "", "type": None,
            "rpc_origins": [], "bot_public": True, "bot_require_code_grant": False, "owner": owner,
            "verify_key": "0" * 64, "team": None, "flags": (1 << 15) | (1 << 19), "bot": w.bot_user,
            "guild_id": None, "terms_of_service_url": None, "privacy_policy_url": None,
            "approximate_guild_count": 1, "tags": [], "install_params": None,
        })

    def _channel(self, cid):
        channel = self.world.channels.get(cid)
        if channel is None:
            raise ApiError(404, 10003, "Unknown Channel")
        return channel

    async def get_channel(self, req):
        return json_response(200, self._channel(req.params["channel_id"]))

    async def typing(self, req):
        self._channel(req.params["channel_id"])
        return web.Response(status=204)

    async def create_dm(self, req):
        body = req.body if isinstance(req.body, dict) else {}
        uid = body.get("recipient_id")
        if not isinstance(uid, (str, int)):
            errors = FormErrors()
            errors.add(["recipient_id"], "BASE_TYPE_REQUIRED", "This field is required")
            errors.raise_if_any()
        uid = str(uid)
        if uid not in self.world.users or uid == self.world.bot_id:
            raise ApiError(400, 50033, "Invalid Recipient(s)")
        return json_response(200, self.world.dm_channel(uid))

    async def get_guild(self, req):
        self._guild(req.params["guild_id"])
        guild = self.world.guild_object()
        guild.update({"approximate_member_count": len(self.world.members)})
        return json_response(200, guild)

    def _guild(self, gid):
        if gid != self.world.guild_id:
            raise ApiError(404, 10004, "Unknown Guild")

    async def get_roles(self, req):
        self._guild(req.params["guild_id"])
        return json_response(200, self.world.roles)

    async def get_guild_channels(self, req):
        self._guild(req.params["guild_id"])
        return json_response(200, self.world.guild_channels())

    async def list_members(self, req):
        self._guild(req.params["guild_id"])
        if not self.st.cfg.privileged_intents & I_GUILD_MEMBERS:
            raise ApiError(403, 50001, "Missing Access")
        limit = min(max(int(req.query.get("limit", 1)), 1), 1000)
        after = int(req.query.get("after", 0))
        ids = sorted((u for u in self.world.members if int(u) > after), key=int)[:limit]
        return json_response(200, [self.world.member_with_user(u) for u in ids])

    async def get_member(self, req):
        self._guild(req.params["guild_id"])
        uid = req.params["user_id"]
        if uid not in self.world.members:
            raise ApiError(404, 10007, "Unknown Member")
        return json_response(200, self.world.member_with_user(uid))

    def _member_change(self, req, action, **detail):
        """The member a change applies to, after Discord's checks; the change goes to the audit log."""
        self._guild(req.params["guild_id"])
        uid = req.params["user_id"]
        if uid not in self.world.members:
            raise ApiError(404, 10007, "Unknown Member")
        reason = req.http.headers.get("X-Audit-Log-Reason")
        entry = dict(detail, action=action, user_id=uid,
                     reason=urllib.parse.unquote(reason) if reason is not None else None)
        self.world.audit_log.append(entry)
        return self.world.members[uid]

    def _assignable_role(self, rid):
        role = self.world.role(rid)
        if role is None:
            raise ApiError(404, 10011, "Unknown Role")
        if role.get("managed") or rid == self.world.guild_id:
            raise ApiError(403, 50013, "Missing Permissions")
        return role

    async def put_member_role(self, req):
        rid = req.params["role_id"]
        self._assignable_role(rid)
        member = self._member_change(req, "role_add", role_id=rid)
        if rid not in member["roles"]:
            member["roles"] = member["roles"] + [rid]
        return web.Response(status=204)

    async def delete_member_role(self, req):
        rid = req.params["role_id"]
        self._assignable_role(rid)
        member = self._member_change(req, "role_remove", role_id=rid)
        member["roles"] = [r for r in member["roles"] if r != rid]
        return web.Response(status=204)

    async def modify_member(self, req):
        body = req.body if isinstance(req.body, dict) else {}
        if "nick" not in body:
            raise ApiError(400, 50035, "Invalid Form Body")
        nick = body["nick"]
        if nick is not None and (not isinstance(nick, str) or len(nick) > 32):
            raise ApiError(400, 50035, "Invalid Form Body",
                           {"nick": {"_errors": [{"code": "BASE_TYPE_BAD_LENGTH",
                                                  "message": "Must be between 1 and 32 in length."}]}})
        member = self._member_change(req, "nick", nick=nick or None)
        member["nick"] = nick or None
        return json_response(200, self.world.member_with_user(req.params["user_id"]))

    # -- messages -----------------------------------------------------------

    async def list_messages(self, req):
        msgs = [m for m in self.world.messages.get(self._channel(req.params["channel_id"])["id"], [])
                if m["id"] not in self.world.deleted]
        limit = min(max(int(req.query.get("limit", 50)), 1), 100)
        return json_response(200, list(reversed(msgs))[:limit])

    def _message(self, cid, mid):
        msg = self.world.message_by_id.get(mid)
        if msg is None or msg["channel_id"] != cid or mid in self.world.deleted:
            raise ApiError(404, 10008, "Unknown Message")
        return msg

    async def get_message(self, req):
        self._channel(req.params["channel_id"])
        return json_response(200, self._message(req.params["channel_id"], req.params["message_id"]))

    async def create_message(self, req):
        channel = self._channel(req.params["channel_id"])
        body = req.body if isinstance(req.body, dict) else {}
        if req.body is not None and not isinstance(req.body, dict):
            raise ApiError(400, 50035, "Invalid Form Body")
        if channel["type"] not in (0, 1, 5, 10, 11, 12):
            raise ApiError(400, 50008, "Cannot send messages in a non-text channel")
        if channel["type"] == 1 and channel["recipients"][0]["id"] in self.st.cfg.dm_blocked_users:
            raise ApiError(403, 50007, "Cannot send messages to this user")
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce"):
            hit = self.world.nonces.get((self.world.bot_id, str(nonce)))
            if hit is not None and time.monotonic() - hit[1] < self.st.cfg.nonce_ttl_s:
                self.world.nonce_replays += 1
                return json_response(200, hit[0])
        msg = self.st.messages.build(channel, self.world.bot_user, body, req.files,
                                     default_parse=("users", "roles", "everyone"))
        if nonce is not None:
            self.world.nonces[(self.world.bot_id, str(nonce))] = (msg, time.monotonic())
        self.st.messages.publish(msg)
        return json_response(200, msg)

    async def edit_message(self, req):
        channel = self._channel(req.params["channel_id"])
        msg = self._message(channel["id"], req.params["message_id"])
        if msg["author"]["id"] != self.world.bot_id:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        return json_response(200, self.st.messages.edit(msg, req.body or {}, req.files))

    async def delete_message(self, req):
        channel = self._channel(req.params["channel_id"])
        msg = self._message(channel["id"], req.params["message_id"])
        self.st.messages.delete(msg)
        return web.Response(status=204)

    # -- interactions ---------------------------------------------------------

    def _interaction(self, iid, token):
        inter = self.world.interactions.get(iid)
        if inter is None or inter.token != token:
            raise ApiError(404, 10062, "Unknown interaction")
        return inter

    async def interaction_callback(self, req):
        now = time.monotonic()
        body = req.body if isinstance(req.body, dict) else {}
        inter = self.world.interactions.get(req.params["interaction_id"])
        record = {"kind": "callback", "t": now, "type": body.get("type"), "data": body.get("data")}
        try:
            inter = self._interaction(req.params["interaction_id"], req.params["interaction_token"])
            record["after_s"] = round(now - inter.created, 3)
            if inter.acked:
                raise ApiError(400, 40060, "Interaction has already been acknowledged.")
            if now - inter.created > self.st.cfg.interaction_deadline_s:
                raise ApiError(404, 10062, "Unknown interaction")
            resp = self.st.messages.interaction_response(inter, body, req.files,
                                                         req.query.get("with_response") == "true")
            record["status"] = resp.status
            return resp
        except ApiError as err:
            record["status"], record["code"] = err.status, err.code
            raise
        finally:
            if inter is not None:
                inter.responses.append(record)

    def _webhook_interaction(self, req):
        inter = next((i for i in self.world.interactions.values() if i.token == req.params["webhook_token"]),
                     None)
        if inter is None or req.params["webhook_id"] != self.world.app_id or \
                time.monotonic() - inter.created > self.st.cfg.interaction_token_ttl_s:
            raise ApiError(404, 10015, "Unknown Webhook")
        return inter

    async def followup(self, req):
        inter = self._webhook_interaction(req)
        if not inter.acked:
            raise ApiError(404, 10015, "Unknown Webhook")
        msg = self.st.messages.interaction_message(inter, req.body or {}, req.files)
        inter.followups.append(msg)
        inter.responses.append({"kind": "followup", "t": time.monotonic(), "status": 200, "message_id": msg["id"]})
        return json_response(200, msg)

    def _webhook_message(self, inter, mid):
        if mid == "@original":
            if inter.original is None:
                raise ApiError(404, 10008, "Unknown Message")
            return inter.original
        msg = next((m for m in inter.followups if m["id"] == mid), None)
        if msg is None:
            raise ApiError(404, 10008, "Unknown Message")
        return msg

    async def webhook_get(self, req):
        inter = self._webhook_interaction(req)
        return json_response(200, self._webhook_message(inter, req.params["message_id"]))

    async def webhook_edit(self, req):
        inter = self._webhook_interaction(req)
        msg = self._webhook_message(inter, req.params["message_id"])
        edited = self.st.messages.edit(msg, req.body or {}, req.files, default_parse=("users",))
        if req.params["message_id"] == "@original":
            inter.original = edited
        inter.responses.append({"kind": "edit", "t": time.monotonic(), "status": 200,
                                "message_id": req.params["message_id"], "data": req.body})
        return json_response(200, edited)

    async def webhook_delete(self, req):
        inter = self._webhook_interaction(req)
        msg = self._webhook_message(inter, req.params["message_id"])
        self.st.messages.delete(msg)
        inter.responses.append({"kind": "delete", "t": time.monotonic(), "status": 204,
                                "message_id": req.params["message_id"]})
        return web.Response(status=204)

    # -- application commands -------------------------------------------------

    def _command_scope(self, req):
        if req.params["application_id"] != self.world.app_id:
            raise ApiError(403, 50001, "Missing Access")
        gid = req.params.get("guild_id")
        if gid is not None:
            self._guild(gid)
        return gid or "global"

    async def get_commands(self, req):
        return json_response(200, self.world.commands.get(self._command_scope(req), []))

    async def put_commands(self, req):
        scope = self._command_scope(req)
        if not isinstance(req.body, list):
            raise ApiError(400, 50035, "Invalid Form Body", {"_errors": [
                {"code": "BASE_TYPE_ARRAY", "message": "Must be an array."}]})
        errors = FormErrors()
        validate_commands(req.body, errors)
        errors.raise_if_any()
        self.world.command_puts[scope] = self.world.command_puts.get(scope, 0) + 1
        self.world.commands[scope] = [self._normalize_command(scope, c) for c in req.body]
        return json_response(200, self.world.commands[scope])

    async def post_command(self, req):
        scope = self._command_scope(req)
        errors = FormErrors()
        validate_commands([req.body], errors)
        errors.raise_if_any()
        cmd = self._normalize_command(scope, req.body)
        existing = self.world.commands.setdefault(scope, [])
        existing[:] = [c for c in existing if c["id"] != cmd["id"]] + [cmd]
        return json_response(201, cmd)

    def _normalize_command(self, scope, cmd):
        ctype = cmd.get("type", 1)
        key = (scope, ctype, cmd["name"])
        cid = self.world.command_ids.setdefault(key, self.st.snow.next())
        out = {"id": cid, "application_id": self.world.app_id, "version": self.st.snow.next(), "type": ctype,
               "name": cmd["name"], "description": cmd.get("description", ""),
               "default_member_permissions": cmd.get("default_member_permissions"),
               "dm_permission": cmd.get("dm_permission", True), "nsfw": cmd.get("nsfw", False),
               "contexts": cmd.get("contexts"), "integration_types": cmd.get("integration_types", [0])}
        if scope != "global":
            out["guild_id"] = scope
        if cmd.get("options"):
            out["options"] = cmd["options"]
        for extra in ("name_localizations", "description_localizations"):
            if extra in cmd:
                out[extra] = cmd[extra]
        return out


NAME_RE = re.compile(r"^[-_'\w]{1,32}$")


def validate_commands(cmds, errors):
    """Validates a PUT/POST command list the way Discord does (name, lengths, option order)."""
    seen = set()
    chat = 0
    for i, cmd in enumerate(cmds):
        if not isinstance(cmd, dict):
            errors.add([i], "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            continue
        ctype = cmd.get("type", 1)
        name = cmd.get("name")
        if ctype == 1:
            chat += 1
            if not isinstance(name, str) or not NAME_RE.match(name) or name != name.lower():
                errors.add([i, "name"], "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
            check_len(errors, [i, "description"], cmd.get("description", ""), 1, 100)
        elif ctype in (2, 3):
            check_len(errors, [i, "name"], name, 1, 32)
            if cmd.get("description"):
                errors.add([i, "description"], "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION",
                           "Context menu commands cannot have description")
        else:
            errors.add([i, "type"], "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4}.")
        if (ctype, name) in seen:
            errors.add([i, "name"], "APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique")
        seen.add((ctype, name))
        if len(dumps(cmd)) > 8000:
            errors.add([i], "APPLICATION_COMMAND_TOO_LARGE", "Command exceeds maximum size (8000)")
        _validate_options(cmd.get("options") or [], [i, "options"], errors)
    if chat > 100:
        errors.add([], "APPLICATION_COMMANDS_TOO_MANY", "Maximum number of application commands reached (100)")


def _validate_options(options, path, errors):
    if not isinstance(options, list):
        errors.add(path, "BASE_TYPE_ARRAY", "Must be an array.")
        return
    if len(options) > 25:
        errors.add(path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    optional_seen = False
    names = set()
    for j, opt in enumerate(options):
        if not isinstance(opt, dict):
            errors.add(path + [j], "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            continue
        otype, name = opt.get("type"), opt.get("name")
        if not isinstance(otype, int) or not 1 <= otype <= 11:
            errors.add(path + [j, "type"], "BASE_TYPE_CHOICES", "Value must be one of 1..11.")
        if not isinstance(name, str) or not NAME_RE.match(name) or name != name.lower():
            errors.add(path + [j, "name"], "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
        if name in names:
            errors.add(path + [j, "name"], "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                       "Option names must be unique")
        names.add(name)
        check_len(errors, path + [j, "description"], opt.get("description", ""), 1, 100)
        if opt.get("required"):
            if optional_seen:
                errors.add(path + [j], "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                           "Required options must be placed before non-required options")
        else:
            optional_seen = True
        choices = opt.get("choices")
        if choices is not None and (not isinstance(choices, list) or len(choices) > 25):
            errors.add(path + [j, "choices"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        for bound in ("min_length", "max_length"):
            if bound in opt and not (isinstance(opt[bound], int) and 0 <= opt[bound] <= 6000):
                errors.add(path + [j, bound], "NUMBER_TYPE_MAX", "int value should be between 0 and 6000.")
        if otype in (1, 2):
            _validate_options(opt.get("options") or [], path + [j, "options"], errors)


# --------------------------------------------------------------------------
# Messages: validation, mentions, storage and the events they cause.
# --------------------------------------------------------------------------

MENTION_RE = re.compile(r"<@!?(\d{15,21})>|<@&(\d{15,21})>|@(everyone|here)")
EMBED_LIMITS = (("title", 256), ("description", 4096))
ALLOWED_FLAGS = (1 << 2) | (1 << 12) | (1 << 13) | (1 << 15)


def check_components(errors, rows, path=("components",)):
    """Message components as Discord checks them: <= 5 action rows of 1-5
    buttons or one select menu; custom_ids unique, 1-100 characters."""
    path = list(path)
    if not isinstance(rows, list):
        errors.add(path, "BASE_TYPE_ARRAY", "Must be an array.")
        return
    if len(rows) > 5:
        errors.add(path, "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
    seen = set()
    for i, row in enumerate(rows):
        inner = row.get("components") if isinstance(row, dict) else None
        if not isinstance(row, dict) or row.get("type") != 1 or not isinstance(inner, list) or \
                not 1 <= len(inner) <= 5:
            errors.add(path + [i], "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                       "An action row holds 1 to 5 components.")
            continue
        for j, c in enumerate(inner):
            at = path + [i, "components", j]
            ctype = c.get("type") if isinstance(c, dict) else None
            if ctype not in (2, 3):
                errors.add(at, "UNION_TYPE_CHOICES", "Value of field \"type\" must be one of (2, 3).")
                continue
            if ctype == 3 and len(inner) != 1:
                errors.add(at, "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "A select menu fills its row.")
            cid = c.get("custom_id")
            if ctype == 2 and c.get("style") == 5:
                if cid is not None or not isinstance(c.get("url"), str):
                    errors.add(at, "BUTTON_COMPONENT_URL_REQUIRED", "A link button has a url, no custom_id.")
            else:
                if ctype == 2 and c.get("style") not in (1, 2, 3, 4):
                    errors.add(at + ["style"], "BASE_TYPE_CHOICES", "Value must be one of (1, 2, 3, 4, 5, 6).")
                check_len(errors, at + ["custom_id"], cid, 1, 100)
                if cid is None:
                    errors.add(at + ["custom_id"], "BASE_TYPE_REQUIRED", "This field is required")
                elif cid in seen:
                    errors.add(at + ["custom_id"], "COMPONENT_CUSTOM_ID_DUPLICATED",
                               "Component custom id cannot be duplicated")
                seen.add(cid)
            if ctype == 2:
                check_len(errors, at + ["label"], c.get("label"), 1, 80)
            else:
                check_len(errors, at + ["placeholder"], c.get("placeholder"), 0, 150)
                opts = c.get("options")
                if not isinstance(opts, list) or not 1 <= len(opts) <= 25:
                    errors.add(at + ["options"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 25 in length.")
                    continue
                values = set()
                for k, o in enumerate(opts):
                    check_len(errors, at + ["options", k, "label"], o.get("label"), 1, 100)
                    check_len(errors, at + ["options", k, "value"], o.get("value"), 1, 100)
                    check_len(errors, at + ["options", k, "description"], o.get("description"), 0, 100)
                    if o.get("value") in values:
                        errors.add(at + ["options", k, "value"], "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED",
                                   "Select component option values cannot be duplicated")
                    values.add(o.get("value"))


def check_modal(data):
    """An interaction response of type 9: title, custom_id, 1-5 text inputs."""
    errors = FormErrors()
    check_len(errors, ["data", "title"], data.get("title"), 1, 45)
    check_len(errors, ["data", "custom_id"], data.get("custom_id"), 1, 100)
    rows = data.get("components")
    if not isinstance(rows, list) or not 1 <= len(rows) <= 5:
        errors.add(["data", "components"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
        rows = []
    for i, row in enumerate(rows):
        inner = (row or {}).get("components") or []
        if row.get("type") != 1 or len(inner) != 1 or (inner[0] or {}).get("type") != 4:
            errors.add(["data", "components", i], "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                       "A modal row holds one text input.")
            continue
        t = inner[0]
        at = ["data", "components", i, "components", 0]
        check_len(errors, at + ["custom_id"], t.get("custom_id"), 1, 100)
        check_len(errors, at + ["label"], t.get("label"), 1, 45)
        if t.get("style") not in (1, 2):
            errors.add(at + ["style"], "BASE_TYPE_CHOICES", "Value must be one of (1, 2).")
        for key, lo, hi in (("min_length", 0, 4000), ("max_length", 1, 4000)):
            v = t.get(key)
            if v is not None and (not isinstance(v, int) or not lo <= v <= hi):
                errors.add(at + [key], "NUMBER_TYPE_MAX", "Must be between %d and %d." % (lo, hi))
    errors.raise_if_any()


def find_component(msg, custom_id):
    """The component of msg with custom_id, or None."""
    for row in (msg or {}).get("components") or []:
        for c in row.get("components") or []:
            if c.get("custom_id") == custom_id:
                return c
    return None


class Messages:
    """Builds, validates, stores and announces messages for REST and control injections."""

    def __init__(self, standin):
        self.st = standin

    @property
    def world(self):
        return self.st.world

    def validate(self, body, files, require_content=True):
        errors = FormErrors()
        content = body.get("content")
        check_len(errors, ["content"], content, 0, 2000)
        embeds = body.get("embeds") or []
        if "embed" in body and body["embed"]:
            embeds = embeds + [body["embed"]]
        if not isinstance(embeds, list):
            errors.add(["embeds"], "BASE_TYPE_ARRAY", "Must be an array.")
            embeds = []
        if len(embeds) > 10:
            errors.add(["embeds"], "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
        total = 0
        for i, embed in enumerate(embeds):
            if not isinstance(embed, dict):
                errors.add(["embeds", i], "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
                continue
            for key, limit in EMBED_LIMITS:
                total += check_len(errors, ["embeds", i, key], embed.get(key), 0, limit)
            fields = embed.get("fields") or []
            if len(fields) > 25:
                errors.add(["embeds", i, "fields"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
            for j, field in enumerate(fields):
                total += check_len(errors, ["embeds", i, "fields", j, "name"], field.get("name"), 1, 256)
                total += check_len(errors, ["embeds", i, "fields", j, "value"], field.get("value"), 1, 1024)
            total += check_len(errors, ["embeds", i, "footer", "text"], (embed.get("footer") or {}).get("text"),
                               0, 2048)
            total += check_len(errors, ["embeds", i, "author", "name"], (embed.get("author") or {}).get("name"),
                               0, 256)
        if total > 6000:
            errors.add(["embeds"], "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")
        if body.get("components") is not None:
            check_components(errors, body.get("components"))
        allowed = body.get("allowed_mentions")
        if allowed is not None:
            if not isinstance(allowed, dict):
                errors.add(["allowed_mentions"], "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            else:
                parse = allowed.get("parse", [])
                for value in parse if isinstance(parse, list) else []:
                    if value not in ("users", "roles", "everyone"):
                        errors.add(["allowed_mentions", "parse"], "BASE_TYPE_CHOICES",
                                   "Value must be one of ('roles', 'users', 'everyone').")
                for kind in ("users", "roles"):
                    if kind in parse and allowed.get(kind):
                        errors.add(["allowed_mentions"], "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                                   "parse:[\"%s\"] and %s: [ids...] are mutually exclusive." % (kind, kind))
                    if len(allowed.get(kind) or []) > 100:
                        errors.add(["allowed_mentions", kind], "BASE_TYPE_MAX_LENGTH",
                                   "Must be 100 or fewer in length.")
        nonce = body.get("nonce")
        if nonce is not None and (isinstance(nonce, bool) or not isinstance(nonce, (int, str))
                                  or (isinstance(nonce, str) and len(nonce) > 25)):
            errors.add(["nonce"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        flags = body.get("flags", 0) or 0
        if not isinstance(flags, int) or flags & ~(ALLOWED_FLAGS | 64):
            errors.add(["flags"], "MESSAGE_INVALID_FLAGS", "Invalid message flags")
        errors.raise_if_any()
        if require_content and not content and not embeds and not files and not body.get("sticker_ids") \
                and not body.get("components") and not body.get("poll"):
            raise ApiError(400, 50006, "Cannot send an empty message")
        return embeds

    def mentions(self, content, allowed, default_parse, guild, reply_author=None):
        """Computes (mention_everyone, mentions, mention_roles) as Discord would."""
        if allowed is None:
            parse, users, roles, replied = set(default_parse), set(), set(), True
        else:
            parse = set(allowed.get("parse") or [])
            users = set(str(u) for u in allowed.get("users") or [])
            roles = set(str(r) for r in allowed.get("roles") or [])
            replied = bool(allowed.get("replied_user", False))
        w = self.world
        everyone, user_ids, role_ids = False, [], []
        for m in MENTION_RE.finditer(content or ""):
            uid, rid, word = m.group(1), m.group(2), m.group(3)
            if uid and uid in w.users and ("users" in parse or uid in users) and uid not in user_ids:
                user_ids.append(uid)
            elif rid and guild and ("roles" in parse or rid in roles) and rid not in role_ids:
                role = w.role(rid)
                if role is not None and (role["mentionable"] or self.st.cfg.bot_mention_everyone):
                    role_ids.append(rid)
            elif word and guild and "everyone" in parse and self.st.cfg.bot_mention_everyone:
                everyone = True
        if reply_author and replied and reply_author in w.users and reply_author not in user_ids:
            user_ids.append(reply_author)
        mentions = []
        for uid in user_ids:
            user = dict(w.users[uid])
            if guild and uid in w.members:
                user["member"] = dict(w.members[uid])
            mentions.append(user)
        return everyone, mentions, role_ids

    def build(self, channel, author, body, files, default_parse, msg_type=0, webhook_id=None,
              require_content=True, extra=None):
        """Validates body and returns a new message object (not yet stored)."""
        embeds = self.validate(body, files, require_content)
        guild = channel.get("guild_id")
        reference, referenced = body.get("message_reference"), None
        if reference is not None:
            errors = FormErrors()
            if not isinstance(reference, dict):
                errors.add(["message_reference"], "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
                errors.raise_if_any()
            referenced = self.world.message_by_id.get(str(reference.get("message_id", "")))
            if referenced is not None and referenced["id"] in self.world.deleted:
                referenced = None
            if referenced is None and reference.get("fail_if_not_exists", True):
                errors.add(["message_reference"], "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")
                errors.raise_if_any()
            if referenced is not None and msg_type == 0:
                msg_type = 19
        everyone, mentions, roles = self.mentions(
            body.get("content"), body.get("allowed_mentions"), default_parse, guild,
            referenced["author"]["id"] if referenced else None)
        mid = self.st.snow.next()
        attachments = self._attachments(body, files)
        msg = {"id": mid, "channel_id": channel["id"], "author": author, "content": body.get("content") or "",
               "timestamp": now_iso(), "edited_timestamp": None, "tts": bool(body.get("tts", False)),
               "mention_everyone": everyone, "mentions": mentions, "mention_roles": roles,
               "attachments": attachments, "embeds": embeds, "pinned": False, "type": msg_type,
               "flags": body.get("flags", 0) or 0, "components": body.get("components") or [],
               "reactions": []}
        if body.get("nonce") is not None:
            msg["nonce"] = body["nonce"]
        if webhook_id:
            msg["webhook_id"] = webhook_id
        if referenced is not None:
            msg["message_reference"] = {"type": 0, "message_id": referenced["id"],
                                        "channel_id": referenced["channel_id"]}
            if guild:
                msg["message_reference"]["guild_id"] = guild
            msg["referenced_message"] = referenced
        if extra:
            msg.update(extra)
        return msg

    def _attachments(self, body, files):
        meta = {str(a.get("id")): a for a in body.get("attachments") or [] if isinstance(a, dict)}
        out = []
        for index, f in enumerate(files):
            m = re.match(r"files\[(\d+)\]", f["field"] or "")
            info = meta.get(m.group(1) if m else str(index), {})
            aid = self.st.snow.next()
            filename = info.get("filename") or f["filename"]
            self.world.attachments[aid] = (filename, f["content_type"], f["data"])
            url = "http://127.0.0.1:%d/_test/attachments/%s/%s" % (self.st.port, aid, filename)
            att = {"id": aid, "filename": filename, "size": len(f["data"]), "url": url, "proxy_url": url,
                   "content_type": f["content_type"]}
            if info.get("description"):
                att["description"] = info["description"]
            out.append(att)
        return out

    def event_payload(self, msg):
        """The MESSAGE_CREATE/UPDATE form of a stored message."""
        channel = self.world.channels.get(msg["channel_id"], {})
        d = dict(msg)
        gid = channel.get("guild_id")
        d["channel_type"] = channel.get("type", 0)
        if gid:
            d["guild_id"] = gid
            author = msg["author"]["id"]
            if "webhook_id" not in msg and author in self.world.members:
                d["member"] = self.world.member_in(gid, author)
        return d

    def publish(self, msg, ephemeral=False, raw_replace=None):
        if ephemeral:
            return
        self.world.store_message(msg)
        self.st.gateway.dispatch("MESSAGE_CREATE", self.event_payload(msg), raw_replace=raw_replace)

    def edit(self, msg, body, files, default_parse=("users", "roles", "everyone")):
        merged = {k: msg[k] for k in ("content", "embeds", "flags") if k in msg}
        merged.update({k: v for k, v in body.items() if k in ("content", "embeds", "allowed_mentions", "flags",
                                                              "components", "attachments")})
        merged["flags"] = (merged.get("flags") or 0) & ~(1 << 7)
        self.validate(merged, files, require_content=False)
        channel = self.world.channels.get(msg["channel_id"], {})
        everyone, mentions, roles = self.mentions(merged.get("content"), body.get("allowed_mentions"),
                                                  default_parse, channel.get("guild_id"))
        msg.update({"content": merged.get("content") or "", "embeds": merged.get("embeds") or [],
                    "edited_timestamp": now_iso(), "mention_everyone": everyone, "mentions": mentions,
                    "mention_roles": roles, "flags": merged["flags"]})
        if "components" in body:
            msg["components"] = body["components"] or []
        if files:
            msg["attachments"] = msg.get("attachments", []) + self._attachments(body, files)
        if msg["id"] in self.world.message_by_id:
            self.st.gateway.dispatch("MESSAGE_UPDATE", self.event_payload(msg))
        return msg

    def delete(self, msg):
        if msg["id"] in self.world.message_by_id and msg["id"] not in self.world.deleted:
            self.world.deleted.add(msg["id"])
            channel = self.world.channels.get(msg["channel_id"], {})
            d = {"id": msg["id"], "channel_id": msg["channel_id"]}
            if channel.get("guild_id"):
                d["guild_id"] = channel["guild_id"]
            self.st.gateway.dispatch("MESSAGE_DELETE", d)

    # -- interaction responses --------------------------------------------

    def interaction_message(self, inter, data, files, msg_type=None, loading=False):
        channel = self.world.channels.get(inter.payload["channel_id"])
        if msg_type is None:
            msg_type = 20 if inter.type == 2 else 0
        user = (inter.payload.get("member") or {}).get("user") or inter.payload.get("user")
        extra = {"application_id": self.world.app_id,
                 "interaction": {"id": inter.id, "type": inter.type, "name": inter.payload.get("data", {})
                                 .get("name", ""), "user": user},
                 "interaction_metadata": {"id": inter.id, "type": inter.type, "user": user,
                                          "authorizing_integration_owners": {"0": self.world.guild_id}}}
        flags = data.get("flags") or 0
        msg = self.build(channel, self.world.bot_user, dict(data, flags=flags), files, default_parse=("users",),
                         msg_type=msg_type, webhook_id=self.world.app_id, require_content=not loading,
                         extra=extra)
        if loading:
            msg["flags"] |= 1 << 7  # "thinking" until the original response is edited
        self.publish(msg, ephemeral=bool(flags & 64))
        return msg

    def interaction_response(self, inter, body, files, with_response):
        rtype, data = body.get("type"), body.get("data") or {}
        valid = {1: (1,), 2: (4, 5, 9), 3: (4, 5, 6, 7, 9), 4: (8,), 5: (4, 5, 6, 7)}
        if rtype not in valid.get(inter.type, ()):
            raise ApiError(400, 50035, "Invalid Form Body", {"type": {"_errors": [
                {"code": "INTERACTION_RESPONSE_TYPE_INVALID", "message": "Invalid interaction response type"}]}})
        message = None
        if rtype == 9:
            check_modal(data)
        if rtype == 4:
            message = inter.original = self.interaction_message(inter, data, files)
        elif rtype == 5:
            message = inter.original = self.interaction_message(inter, {"flags": data.get("flags", 0)}, [],
                                                                loading=True)
        elif rtype == 7 and inter.payload.get("message"):
            target = self.world.message_by_id.get(inter.payload["message"]["id"])
            if target is not None:
                message = inter.original = self.edit(target, data, files)
        elif rtype == 6 and inter.payload.get("message"):
            # DEFERRED_UPDATE_MESSAGE: nothing changes yet; @original is now the
            # message the component is on, which a later edit replaces.
            inter.original = self.world.message_by_id.get(inter.payload["message"]["id"])
        inter.acked, inter.ack_type = True, rtype
        inter.ephemeral = bool((data.get("flags") or 0) & 64)
        self.st.bump()
        if not with_response:
            return web.Response(status=204)
        out = {"interaction": {"id": inter.id, "type": inter.type, "response_message_id":
                               message["id"] if message else None,
                               "response_message_loading": rtype == 5,
                               "response_message_ephemeral": inter.ephemeral},
               "resource": {"type": rtype}}
        if message is not None:
            out["resource"]["message"] = message
        return json_response(200, out)


# --------------------------------------------------------------------------
# Control API (/_test/...): JSON, no auth.
# --------------------------------------------------------------------------

OPTION_TYPES = ((bool, 5), (int, 4), (float, 10), (str, 3))


class Control:
    """Lets tests inject events, script faults and read state."""

    COUNTERS = ("identify", "resume", "connections", "closed_connections", "messages", "frames",
                "heartbeats", "interaction_responses", "command_puts", "rest_requests", "rate_limited",
                "nonce_replays")

    def __init__(self, standin):
        self.st = standin

    def routes(self):
        r = web
        return [
            r.get("/_test/state", self.state), r.post("/_test/reset", self.reset),
            r.get("/_test/config", self.get_config), r.post("/_test/config", self.set_config),
            r.get("/_test/world", self.world), r.post("/_test/dispatch", self.dispatch),
            r.post("/_test/messages", self.inject_message), r.get("/_test/messages", self.messages),
            r.post("/_test/interactions", self.inject_interaction), r.get("/_test/interactions", self.interactions),
            r.post("/_test/gateway/fault", self.gateway_fault), r.get("/_test/gateway/frames", self.frames),
            r.get("/_test/gateway/sent", self.sent), r.get("/_test/gateway/connections", self.connections),
            r.get("/_test/gateway/sessions", self.sessions), r.post("/_test/rest/fault", self.rest_fault),
            r.get("/_test/rest/requests", self.rest_requests), r.get("/_test/rest/ratelimits", self.ratelimits),
            r.get("/_test/commands", self.commands), r.get("/_test/wait", self.wait),
            r.get("/_test/slow", self.slow), r.get("/_test/attachments/{id}", self.attachment),
            r.get("/_test/attachments/{id}/{name}", self.attachment),
        ]

    @staticmethod
    async def _json(request):
        if not request.can_read_body:
            return {}
        try:
            body = await request.json()
        except ValueError:
            raise web.HTTPBadRequest(text="invalid JSON")
        return body if body is not None else {}

    @staticmethod
    def _since(request, items):
        since = float(request.query.get("since", "-inf"))
        conn = request.query.get("conn")
        return [i for i in items if i["t"] > since and (conn is None or str(i.get("conn")) == conn)]

    def counter(self, name, request=None):
        st, gw = self.st, self.st.gateway
        if name == "identify":
            return sum(1 for i in gw.identifies if i["result"] == "ok")
        if name == "resume":
            return sum(1 for r in gw.resumes if r.get("result") == "ok")
        if name == "connections":
            return len(gw.conns)
        if name == "closed_connections":
            return sum(1 for c in gw.conns.values() if c.closed is not None)
        if name == "messages":
            cid = request.query.get("channel_id") if request is not None else None
            return sum(1 for ch, msgs in st.world.messages.items() if cid in (None, ch)
                       for m in msgs if m["id"] not in st.world.deleted)
        if name == "frames":
            return len(gw.frames)
        if name == "heartbeats":
            return sum(1 for f in gw.frames if f["op"] == OP_HEARTBEAT)
        if name == "interaction_responses":
            return sum(len(i.responses) for i in st.world.interactions.values())
        if name == "command_puts":
            return sum(st.world.command_puts.values())
        if name == "rest_requests":
            return len(st.rest.log)
        if name == "rate_limited":
            return sum(st.ratelimiter.counts_429.values())
        if name == "nonce_replays":
            return st.world.nonce_replays
        raise web.HTTPBadRequest(text="unknown counter %r; known: %s" % (name, ", ".join(self.COUNTERS)))

    async def state(self, request):
        st, gw, rl = self.st, self.st.gateway, self.st.ratelimiter
        return json_response(200, {
            "port": st.port, "now": time.monotonic(), "token_reset": gw.token_reset,
            "counters": {c: self.counter(c) for c in self.COUNTERS},
            "identifies": gw.identifies, "resumes": gw.resumes, "identify_throttled": gw.identify_throttled,
            "identify_remaining": gw.identify_remaining,
            "heartbeat_violations": gw.hb_violations, "heartbeat_timeouts": gw.hb_timeouts,
            "connections": [c.summary() for c in gw.conns.values()],
            "sessions": [s.summary() for s in gw.sessions.values()],
            "ratelimit_429": rl.counts_429, "ua_violations": st.rest.ua_violations,
            "auth_failures": st.rest.auth_failures, "command_puts": st.world.command_puts,
        })

    async def reset(self, request):
        body = await self._json(request)
        await self.st.reset(body.get("config") or {}, bool(body.get("close_connections", False)))
        return json_response(200, {"ok": True})

    async def get_config(self, request):
        return json_response(200, self.st.cfg.as_dict())

    async def set_config(self, request):
        body = await self._json(request)
        try:
            self.st.set_config(body)
        except ValueError as err:
            return json_response(400, {"error": str(err)})
        return json_response(200, self.st.cfg.as_dict())

    async def world(self, request):
        w = self.st.world
        return json_response(200, {
            "application_id": w.app_id, "bot_id": w.bot_id, "guild_id": w.guild_id, "token": self.st.token,
            "general_channel_id": w.general_id, "channels": w.guild_channels(), "roles": w.roles,
            "role_ids": w.role_ids, "audit_log": w.audit_log,
            "members": {uid: {"roles": m["roles"], "nick": m["nick"]} for uid, m in w.members.items()}, "users": [u for u in w.users.values() if u["id"] != w.bot_id][:50],
            "member_count": len(w.members), "gateway_url": self.st.gateway_url,
            "resume_gateway_url": self.st.resume_url, "api_base": self.st.api_base,
            "dm_channels": w.dm_by_user,
            "other_guild": {"id": w.other_guild_id, "channel_id": w.other_channel_id,
                            "role_ids": w.other_role_ids}})

    async def dispatch(self, request):
        body = await self._json(request)
        if not isinstance(body.get("t"), str):
            return json_response(400, {"error": "need t and d"})
        out = self.st.gateway.dispatch(body["t"], body.get("d"), session_id=body.get("session_id"))
        return json_response(200, {"delivered": out})

    async def inject_message(self, request):
        """A user message: stored in the channel and sent as MESSAGE_CREATE."""
        body = await self._json(request)
        w = self.st.world
        uid = str(body.get("user_id") or next(u for u in w.users if u != w.bot_id))
        if uid not in w.users:
            return json_response(400, {"error": "unknown user %s" % uid})
        channel = w.dm_channel(uid) if body.get("dm") else w.channels.get(str(body.get("channel_id") or w.general_id))
        if channel is None:
            return json_response(400, {"error": "unknown channel"})
        fields = {k: body[k] for k in ("content", "embeds", "attachments", "components", "nonce",
                                       "message_reference", "allowed_mentions") if k in body}
        fields.setdefault("content", "")
        try:
            msg = self.st.messages.build(channel, w.users[uid], fields, [], ("users", "roles", "everyone"),
                                         require_content=False)
        except ApiError as err:
            return json_response(400, {"error": err.message, "errors": err.errors})
        if "attachments" in body:
            msg["attachments"] = body["attachments"]
        raw_replace = body.get("raw_replace")
        if raw_replace is not None and not (isinstance(raw_replace, list) and all(
                isinstance(r, list) and len(r) == 2 and all(isinstance(x, str) for x in r) for r in raw_replace)):
            return json_response(400, {"error": "raw_replace is a list of [old, new] strings"})
        self.st.messages.publish(msg, raw_replace=raw_replace)
        return json_response(200, msg)

    async def messages(self, request):
        w = self.st.world
        cid = request.query.get("channel_id")
        author = request.query.get("author")
        include_deleted = request.query.get("include_deleted") == "1"
        out = []
        for ch, msgs in w.messages.items():
            if cid is not None and ch != cid:
                continue
            for m in msgs:
                if m["id"] in w.deleted and not include_deleted:
                    continue
                if author == "bot" and m["author"]["id"] != w.bot_id:
                    continue
                if author not in (None, "bot") and m["author"]["id"] != author:
                    continue
                out.append(dict(m, deleted=True) if m["id"] in w.deleted else m)
        out.sort(key=lambda m: int(m["id"]))
        return json_response(200, {"messages": out})

    async def inject_interaction(self, request):
        body = await self._json(request)
        w, snow = self.st.world, self.st.snow
        uid = str(body.get("user_id") or next(u for u in w.users if u != w.bot_id))
        itype = int(body.get("type", 2))
        iid, token = snow.next(), "standin-itoken-" + secrets.token_urlsafe(24)
        dm = bool(body.get("dm"))
        channel = w.dm_channel(uid) if dm else w.channels.get(str(body.get("channel_id") or w.general_id))
        if channel is None or uid not in w.users:
            return json_response(400, {"error": "unknown channel or user"})
        d = {"id": iid, "application_id": w.app_id, "type": itype, "token": token, "version": 1,
             "channel_id": channel["id"], "channel": {k: channel[k] for k in ("id", "type") if k in channel},
             "app_permissions": "442368", "locale": body.get("locale", "en-US"), "entitlements": [],
             "authorizing_integration_owners": {"0": w.guild_id} if not dm else {"1": uid},
             "context": 1 if dm else 0, "attachment_size_limit": 26214400}
        if dm:
            d["user"] = w.users[uid]
        else:
            gid = channel.get("guild_id") or w.guild_id
            d.update({"guild_id": gid, "guild_locale": "en-US", "guild": {"id": gid,
                      "locale": "en-US", "features": []}})
            d["authorizing_integration_owners"] = {"0": gid}
            member = w.member_in(gid, uid)
            member["user"] = w.users[uid]
            member["permissions"] = "2147483647" if {w.role_ids["Organizer"], OTHER_ORGANIZER_ROLE} & \
                set(member["roles"]) else "1071698660929"
            d["member"] = member
        if itype in (2, 4):
            name = body.get("name", "ping")
            scope_cmds = w.commands.get(w.guild_id, []) + w.commands.get("global", [])
            cmd = next((c for c in scope_cmds if c["name"] == name), None)
            d["data"] = {"id": cmd["id"] if cmd else snow.next(), "name": name, "type": body.get("command_type", 1),
                         "options": self._options(body.get("options")), "resolved": body.get("resolved", {})}
            if not dm:
                d["data"]["guild_id"] = d["guild_id"]
        elif itype in (3, 5):
            d["data"] = {"custom_id": body.get("custom_id", "button"), "component_type": body.get(
                "component_type", 2)}
            if "values" in body:
                d["data"]["values"] = body["values"]
            if "components" in body:
                d["data"]["components"] = body["components"]
            if body.get("message_id") and body["message_id"] in w.message_by_id:
                d["message"] = w.message_by_id[body["message_id"]]
                # A press reaches the bot only for a component the message has.
                if itype == 3:
                    comp = find_component(d["message"], d["data"]["custom_id"])
                    if comp is None:
                        return json_response(400, {"error": "the message has no component %r"
                                                   % d["data"]["custom_id"]})
                    d["data"]["component_type"] = comp.get("type", 2)
        inter = Interaction(iid, token, itype, d)
        w.interactions[iid] = inter
        delivered = self.st.gateway.dispatch("INTERACTION_CREATE", d)
        return json_response(200, {"id": iid, "token": token, "application_id": w.app_id,
                                   "delivered": delivered, "interaction": d})

    @staticmethod
    def _options(options):
        if isinstance(options, dict):
            out = []
            for name, value in options.items():
                otype = next(t for py, t in OPTION_TYPES if isinstance(value, py))
                out.append({"name": name, "type": otype, "value": value})
            return out
        return options or []

    async def interactions(self, request):
        return json_response(200, {"interactions": [i.summary() for i in self.st.world.interactions.values()]})

    async def gateway_fault(self, request):
        body = await self._json(request)
        gw = self.st.gateway
        if body.get("next_connection"):
            gw.pending_faults.append(body)
            return json_response(200, {"ok": True, "queued": True})
        conn = gw.current_conn(body.get("conn"))
        if conn is None:
            return json_response(409, {"error": "no open gateway connection"})
        try:
            gw.apply_fault(conn, body)
        except ValueError as err:
            return json_response(400, {"error": str(err)})
        self.st.bump()
        return json_response(200, {"ok": True, "conn": conn.id})

    async def frames(self, request):
        return json_response(200, {"frames": self._since(request, self.st.gateway.frames)})

    async def sent(self, request):
        return json_response(200, {"sent": self._since(request, self.st.gateway.sent)})

    async def connections(self, request):
        return json_response(200, {"connections": [c.summary() for c in self.st.gateway.conns.values()]})

    async def sessions(self, request):
        return json_response(200, {"sessions": [s.summary() for s in self.st.gateway.sessions.values()]})

    async def rest_fault(self, request):
        body = await self._json(request)
        if body.get("clear"):
            self.st.rest.faults.clear()
            return json_response(200, {"ok": True})
        if body.get("kind") not in ("429", "status", "delay", "cloudflare"):
            return json_response(400, {"error": "kind must be 429, status, delay or cloudflare"})
        body["count"] = int(body.get("count", 1))
        self.st.rest.faults.append(body)
        return json_response(200, {"ok": True, "faults": len(self.st.rest.faults)})

    async def rest_requests(self, request):
        return json_response(200, {"requests": self._since(request, self.st.rest.log)})

    async def ratelimits(self, request):
        rl = self.st.ratelimiter
        return json_response(200, {"counts": rl.counts_429, "total": sum(rl.counts_429.values()),
                                   "events": rl.events_429, "ban_active": time.monotonic() < rl.ban_until,
                                   "invalid_requests": len(rl.invalid_times)})

    async def commands(self, request):
        w = self.st.world
        return json_response(200, {"put_count": w.command_puts, "commands": w.commands})

    async def wait(self, request):
        """Long-poll until counter >= min (or timeout); returns {ok, value}."""
        name = request.query.get("counter", "messages")
        target = int(request.query.get("min", 1))
        deadline = time.monotonic() + float(request.query.get("timeout", 5))
        while True:
            value = self.counter(name, request)
            left = deadline - time.monotonic()
            if value >= target or left <= 0:
                return json_response(200, {"ok": value >= target, "value": value})
            await self.st.changed_wait(left)

    async def slow(self, request):
        """Trickles `bytes` bytes over `seconds` seconds (a slow download)."""
        total = int(request.query.get("bytes", 2 * 1024 * 1024))
        seconds = float(request.query.get("seconds", 10))
        resp = web.StreamResponse(status=200, headers={"Content-Type": "application/octet-stream",
                                                       "Content-Length": str(total)})
        await resp.prepare(request)
        steps = max(1, min(100, total // 1024 or 1))
        chunk = total // steps
        sent = 0
        for i in range(steps):
            size = chunk if i < steps - 1 else total - sent
            await resp.write(b"x" * size)
            sent += size
            if i < steps - 1:
                await asyncio.sleep(seconds / steps)
        await resp.write_eof()
        return resp

    async def attachment(self, request):
        item = self.st.world.attachments.get(request.match_info["id"])
        if item is None:
            return json_response(404, {"error": "unknown attachment"})
        return web.Response(body=item[2], headers={"Content-Type": item[1]})


# --------------------------------------------------------------------------
# The stand-in itself, the thread helper and the script entry point.
# --------------------------------------------------------------------------

async def not_found(request):
    return json_response(404, {"message": "404: Not Found", "code": 0})


@web.middleware
async def error_middleware(request, handler):
    """Turns a bad control request (or a stand-in bug) into a JSON error, never an HTML page."""
    try:
        return await handler(request)
    except web.HTTPException as err:
        if err.status < 400:
            raise
        return json_response(err.status, {"error": err.text or err.reason})
    except (ValueError, TypeError, KeyError, AttributeError, StopIteration) as err:
        LOG.exception("%s %s failed", request.method, request.path)
        return json_response(400, {"error": "%s: %s" % (type(err).__name__, err)})


class Standin:
    """The whole fake: one aiohttp app serving gateway, REST and /_test/ on one port.

    Usage from asyncio:  st = Standin(token="t", heartbeat_ms=1000); await st.start(); ...; await st.stop()
    Any CONFIG_TABLE option may be passed as a keyword argument.
    """

    def __init__(self, token="hallway-test-token", host="127.0.0.1", port=0, separate_resume_port=False,
                 **config):
        self.token, self.host, self.requested_port = token, host, port
        self.separate_resume_port = separate_resume_port
        self.initial_config = dict(config)
        self.cfg = Config(**config)
        self.snow = Snowflakes()
        self.port = None
        self.resume_port = None
        self.runner = None
        self._version = 0
        self._changed = None
        self._build()

    def _build(self):
        self.world = World(self.cfg, self.snow)
        self.gateway = Gateway(self)
        self.ratelimiter = RateLimiter(self.cfg)
        self.rest = Rest(self)
        self.messages = Messages(self)
        self.control = Control(self)

    @property
    def gateway_url(self):
        return "ws://%s:%d/gateway" % (self.host, self.port)

    @property
    def resume_url(self):
        return "ws://%s:%d/resume-gateway" % (self.host, self.resume_port or self.port)

    @property
    def api_base(self):
        return "http://%s:%d/api/v%d" % (self.host, self.port, API_VERSION)

    @property
    def base_url(self):
        return "http://%s:%d" % (self.host, self.port)

    def bump(self):
        """Signals that state changed (wakes /_test/wait long-polls)."""
        self._version += 1
        if self._changed is not None:
            self._changed.set()
            self._changed = asyncio.Event()

    async def changed_wait(self, timeout):
        if self._changed is None:
            self._changed = asyncio.Event()
        try:
            await asyncio.wait_for(self._changed.wait(), min(timeout, 0.2))
        except asyncio.TimeoutError:
            pass

    def set_config(self, values):
        rebuild = "guild_members" in values and values["guild_members"] != self.cfg.guild_members
        self.cfg.update(values)
        if rebuild:
            self.world = World(self.cfg, self.snow)
        self.bump()

    async def reset(self, config, close_connections=False):
        """Back to the constructor's config (plus `config`); clears logs, stores and faults."""
        gw = self.gateway
        if close_connections:
            for conn in list(gw.conns.values()):
                if conn.closed is None:
                    conn.drop()
            for sess in gw.sessions.values():
                sess.kill("reset")
            await asyncio.sleep(0.05)
        self.cfg.__init__(**dict(self.initial_config, **config))
        self.world = World(self.cfg, self.snow)
        self.ratelimiter.__init__(self.cfg)
        gw.reset_logs()
        gw.pending_faults.clear()
        gw.identify_remaining, gw.token_reset = self.cfg.daily_identify_limit, False
        if close_connections:
            gw.sessions.clear()
            gw.conns = {cid: c for cid, c in gw.conns.items() if c.closed is None}
        else:
            gw.conns = {cid: c for cid, c in gw.conns.items() if c.closed is None}
        self.rest.faults.clear()
        self.rest.log.clear()
        self.rest.ua_violations = self.rest.auth_failures = 0
        self.bump()

    def make_app(self):
        app = web.Application(client_max_size=26 * 1024 * 1024, middlewares=[error_middleware])
        app.router.add_routes(self.control.routes())
        for path in ("/", "/gateway", "/resume-gateway"):
            app.router.add_get(path, self.gateway.handle)
        app.router.add_route("*", "/api/v%d/{tail:.*}" % API_VERSION, self.rest.handle)
        app.router.add_route("*", "/api/{tail:.*}", not_found)
        return app

    async def start(self):
        self._changed = asyncio.Event()
        self.runner = web.AppRunner(self.make_app(), access_log=None, handle_signals=False)
        await self.runner.setup()
        site = web.TCPSite(self.runner, self.host, self.requested_port, reuse_address=True)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        if self.separate_resume_port:
            site2 = web.TCPSite(self.runner, self.host, 0)
            await site2.start()
            self.resume_port = site2._server.sockets[0].getsockname()[1]
        LOG.info("listening on %s:%d (resume %s)", self.host, self.port, self.resume_url)
        return self

    async def stop(self):
        if self.runner is not None:
            for conn in list(self.gateway.conns.values()):
                if conn.closed is None:
                    conn.drop()
            await asyncio.sleep(0)
            await self.runner.cleanup()
            self.runner = None


def control_request(base_url, method, path, body=None, timeout=30.0):
    """Calls the control API synchronously; returns the decoded JSON answer."""
    data = None if body is None else dumps(body).encode()
    req = urllib.request.Request(base_url + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return json.loads(resp.read().decode() or "null")
    except urllib.error.HTTPError as err:
        raise RuntimeError("control %s %s -> %d %s" % (method, path, err.code, err.read().decode()))


class StandinThread:
    """Runs a Standin on its own event loop in a background thread, for synchronous tests.

        with StandinThread(heartbeat_ms=1000) as st:
            st.port, st.api_base, st.gateway_url
            st.inject_message(content="!help")
            st.wait("messages", 2)
    """

    def __init__(self, **kwargs):
        self.kwargs = kwargs
        self.standin = None
        self.loop = None
        self.thread = None

    def start(self):
        ready = threading.Event()
        failure = []

        def run():
            self.loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self.loop)
            try:
                self.standin = Standin(**self.kwargs)
                self.loop.run_until_complete(self.standin.start())
            except Exception as err:  # reported to the starting thread
                failure.append(err)
                ready.set()
                return
            ready.set()
            self.loop.run_forever()
            self.loop.run_until_complete(self.standin.stop())
            self.loop.close()

        self.thread = threading.Thread(target=run, name="standin", daemon=True)
        self.thread.start()
        ready.wait(30)
        if failure:
            raise failure[0]
        return self

    def stop(self):
        if self.loop is not None and self.thread is not None:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
            self.thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def call(self, fn, *args):
        """Runs fn(*args) on the stand-in's loop and returns its result (coroutines are awaited)."""
        async def runner():
            result = fn(*args)
            if asyncio.iscoroutine(result):
                result = await result
            return result
        return asyncio.run_coroutine_threadsafe(runner(), self.loop).result(30)

    port = property(lambda self: self.standin.port)
    base_url = property(lambda self: self.standin.base_url)
    api_base = property(lambda self: self.standin.api_base)
    gateway_url = property(lambda self: self.standin.gateway_url)
    resume_url = property(lambda self: self.standin.resume_url)
    token = property(lambda self: self.standin.token)

    def ctl(self, method, path, body=None, timeout=30.0):
        return control_request(self.base_url, method, path, body, timeout)

    def state(self):
        return self.ctl("GET", "/_test/state")

    def world(self):
        return self.ctl("GET", "/_test/world")

    def config(self, **values):
        return self.ctl("POST", "/_test/config", values)

    def reset(self, close_connections=False, **config):
        return self.ctl("POST", "/_test/reset", {"config": config, "close_connections": close_connections})

    def inject_message(self, **fields):
        return self.ctl("POST", "/_test/messages", fields)

    def inject_interaction(self, **fields):
        return self.ctl("POST", "/_test/interactions", fields)

    def messages(self, channel_id=None, author=None):
        query = "&".join("%s=%s" % kv for kv in (("channel_id", channel_id), ("author", author)) if kv[1])
        return self.ctl("GET", "/_test/messages" + ("?" + query if query else ""))["messages"]

    def gateway_fault(self, **spec):
        return self.ctl("POST", "/_test/gateway/fault", spec)

    def rest_fault(self, **spec):
        return self.ctl("POST", "/_test/rest/fault", spec)

    def frames(self, since=None):
        return self.ctl("GET", "/_test/gateway/frames" + ("?since=%r" % since if since is not None else ""))["frames"]

    def wait(self, counter, minimum=1, timeout=10.0, **query):
        extra = "".join("&%s=%s" % kv for kv in query.items())
        return self.ctl("GET", "/_test/wait?counter=%s&min=%d&timeout=%s%s" % (counter, minimum, timeout, extra),
                        timeout=timeout + 10)


def write_state_file(path, st):
    info = {"port": st.port, "pid": os.getpid(), "base_url": st.base_url, "api_base": st.api_base,
            "gateway_url": st.gateway_url, "resume_gateway_url": st.resume_url, "token": st.token,
            "application_id": st.world.app_id, "guild_id": st.world.guild_id,
            "general_channel_id": st.world.general_id}
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(info, f)
    os.replace(tmp, path)


async def serve(args):
    config = json.loads(args.config) if args.config else {}
    if args.heartbeat_ms is not None:
        config["heartbeat_ms"] = args.heartbeat_ms
    if args.guild_members is not None:
        config["guild_members"] = args.guild_members
    st = Standin(token=args.token, host=args.host, port=args.port,
                 separate_resume_port=args.separate_resume_port, **config)
    await st.start()
    if args.state_file:
        write_state_file(args.state_file, st)
    sys.stdout.write("STANDIN PORT=%d\n" % st.port)
    sys.stdout.flush()
    stop = asyncio.Event()
    loop = asyncio.get_event_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await st.stop()


def main(argv=None):
    parser = argparse.ArgumentParser(description="Discord Gateway v10 + REST stand-in")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default="hallway-test-token")
    parser.add_argument("--heartbeat-ms", type=int)
    parser.add_argument("--guild-members", type=int)
    parser.add_argument("--state-file", help="write port/urls/ids as JSON here once listening")
    parser.add_argument("--separate-resume-port", action="store_true",
                        help="serve resume_gateway_url on a second port")
    parser.add_argument("--config", help="JSON object of extra config options (see CONFIG_TABLE)")
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=args.log_level.upper(),
                        format="standin %(levelname).1s %(message)s")
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
