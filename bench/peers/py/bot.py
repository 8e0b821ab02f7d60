#!/usr/bin/env python3
"""The discord.py peer: a minimal bot answering "!ping" with "pong" (a reply).

Usage: bot.py API_BASE GATEWAY_URL TOKEN
Same intents as hallway's default: GUILDS, GUILD_MESSAGES, DIRECT_MESSAGES,
MESSAGE_CONTENT. discord.py is Debian's python3-discord; logging stays at
its default (warnings only).
"""
import sys

import discord
import discord.gateway
import discord.http
import yarl


def main():
    api_base, gateway, token = sys.argv[1:4]
    discord.http.Route.BASE = api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.dm_messages = True
    intents.message_content = True
    client = discord.Client(intents=intents)

    @client.event
    async def on_message(message):
        if message.author.id == client.user.id:
            return
        if message.content == "!ping":
            await message.reply("pong")

    client.run(token, log_handler=None)


if __name__ == "__main__":
    main()
