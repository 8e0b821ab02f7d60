#!/usr/bin/env python3
"""Fidelity proof: a real discord.py bot (Debian python3-discord) against the stand-in.

The bot must log in over REST, IDENTIFY over zlib-stream, receive a MESSAGE_CREATE
injected through the control API and answer through REST.  It then survives an
op 7 (RESUME on resume_gateway_url), a scripted 429, and answers an interaction.

Run: /usr/bin/python3 tests/standin/test_standin_discordpy.py   (from any cwd)
"""

import asyncio
import logging
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import aiohttp  # noqa: E402
import discord  # noqa: E402
import discord.gateway  # noqa: E402
import discord.http  # noqa: E402
import yarl  # noqa: E402

from discord_standin import Standin  # noqa: E402

TOKEN = "discordpy-token"


class EchoBot(discord.Client):
    """Answers "!ping <x>" with "pong <x>" and any interaction with "hello"."""

    def __init__(self):
        intents = discord.Intents.default()
        intents.message_content = True
        super().__init__(intents=intents, guild_ready_timeout=0.2)
        self.ready = asyncio.Event()
        self.seen = []

    async def on_ready(self):
        self.ready.set()

    async def on_message(self, message):
        if message.author.id == self.user.id:
            return
        self.seen.append(message.content)
        if message.content.startswith("!ping"):
            await message.channel.send("pong" + message.content[len("!ping"):])

    async def on_interaction(self, interaction):
        await interaction.response.send_message("hello %s" % interaction.user.name)


class DiscordPyAgainstStandin(unittest.IsolatedAsyncioTestCase):

    async def asyncSetUp(self):
        self.st = await Standin(token=TOKEN, heartbeat_ms=1000, identify_window_s=0.0).start()
        self.saved = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
        discord.http.Route.BASE = self.st.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.st.gateway_url)
        self.http = aiohttp.ClientSession()
        self.bot = EchoBot()
        await self.bot.login(TOKEN)
        self.runner = asyncio.ensure_future(self.bot.connect(reconnect=True))
        await asyncio.wait_for(self.bot.ready.wait(), 15)

    async def asyncTearDown(self):
        await self.bot.close()
        try:
            await asyncio.wait_for(self.runner, 5)
        except (asyncio.TimeoutError, Exception):
            self.runner.cancel()
        await self.http.close()
        await self.st.stop()
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self.saved

    async def ctl(self, method, path, body=None):
        async with self.http.request(method, self.st.base_url + path, json=body) as resp:
            self.assertLess(resp.status, 300, await resp.text())
            return await resp.json()

    async def bot_messages(self, count, timeout=10.0):
        await self.ctl("GET", "/_test/wait?counter=messages&min=%d&timeout=%s" % (count, timeout))
        return (await self.ctl("GET", "/_test/messages?author=bot"))["messages"]

    async def test_identify_receive_and_answer(self):
        state = await self.ctl("GET", "/_test/state")
        self.assertEqual(state["counters"]["identify"], 1)
        self.assertTrue(state["connections"][0]["compress"], "discord.py uses zlib-stream")
        guild = self.bot.get_guild(int(self.st.world.guild_id))
        self.assertIsNotNone(guild)
        self.assertIn("Organizer", [r.name for r in guild.roles])

        await self.ctl("POST", "/_test/messages", {"content": "!ping one"})
        mine = await self.bot_messages(2)
        self.assertEqual([m["content"] for m in mine], ["pong one"])
        self.assertEqual(mine[0]["channel_id"], self.st.world.general_id)
        self.assertEqual(self.bot.seen, ["!ping one"])

        # op 7: discord.py must RESUME on resume_gateway_url, not IDENTIFY again.
        await self.ctl("POST", "/_test/gateway/fault", {"action": "reconnect"})
        await self.ctl("GET", "/_test/wait?counter=resume&min=1&timeout=10")
        state = await self.ctl("GET", "/_test/state")
        self.assertEqual(state["counters"]["identify"], 1)
        self.assertEqual(state["resumes"][-1]["path"], "/resume-gateway")
        self.assertEqual(state["resumes"][-1]["result"], "ok")

        # A scripted 429 (with Via) is retried by discord.py after retry_after.
        await self.ctl("POST", "/_test/rest/fault", {"kind": "429", "path": "/messages$", "count": 1,
                                                     "retry_after": 0.2})
        await self.ctl("POST", "/_test/messages", {"content": "!ping two"})
        mine = await self.bot_messages(4)
        self.assertEqual([m["content"] for m in mine], ["pong one", "pong two"])

        # Interaction: answered via the callback route within the deadline.
        inter = await self.ctl("POST", "/_test/interactions", {"name": "hello"})
        await self.ctl("GET", "/_test/wait?counter=interaction_responses&min=1&timeout=10")
        summary = (await self.ctl("GET", "/_test/interactions"))["interactions"][0]
        self.assertEqual(summary["id"], inter["id"])
        self.assertEqual(summary["responses"][0]["status"], 204)
        self.assertEqual(summary["original"]["content"], "hello alice")

        state = await self.ctl("GET", "/_test/state")
        self.assertEqual(state["heartbeat_violations"], [])
        self.assertEqual(state["ua_violations"], 0)


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    unittest.main(verbosity=1)
