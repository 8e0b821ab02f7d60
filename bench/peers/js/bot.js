// The discord.js peer: a minimal bot answering "!ping" with "pong" (a reply).
// Usage: node bot.js API_ROOT TOKEN   (API_ROOT without /v10; discord.js adds it)
// Same intents as hallway's default: Guilds, GuildMessages, DirectMessages,
// MessageContent. The gateway URL comes from GET /gateway/bot, as on Discord.
// globalRequestsPerSecond is raised from discord.js's default 50 (Discord's
// real global limit) so that, like for the other bots, limits are not what
// the benchmark measures.
'use strict';
const { Client, GatewayIntentBits } = require('discord.js');

const [api, token] = process.argv.slice(2);
const client = new Client({
  intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages,
            GatewayIntentBits.DirectMessages, GatewayIntentBits.MessageContent],
  rest: { api, globalRequestsPerSecond: 1000000 },
});

client.on('messageCreate', (message) => {
  if (message.author.id === client.user.id) return;
  if (message.content === '!ping') message.reply('pong').catch((e) => console.error(e));
});
client.on('error', (e) => console.error(e));
process.on('SIGTERM', () => process.exit(0));
client.login(token);
