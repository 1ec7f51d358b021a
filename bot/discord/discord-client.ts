import { Client, type ClientOptions, GatewayIntentBits, Partials } from 'discord.js';
import type { Config } from '../../core/config/index.js';
import { type DiscordRateLimits, notifierBucket } from './rate-limits.js';

/**
 * The discord.js client the adapter runs on.
 *
 * - Intents: Guilds, GuildMessages, GuildMessageReactions. No privileged intent: the bot reads no
 *   message content and needs no member list (roles come with each reaction and interaction, and are
 *   fetched again when a decision is made).
 * - Partials for messages, channels, reactions, users and members: without them discord.js drops
 *   reactions on messages it has not cached, i.e. every card posted before the last restart.
 * - `DISCORD_API_BASE` becomes `rest.api`; the gateway URL comes from `GET /gateway/bot` there, so one
 *   variable points both at a proxy or a test server.
 * - The notifier's own calls (messages, card edits, threads) reject instead of queueing when Discord's
 *   limit is reached, so the notifier can wait without holding a deployment; everything else queues.
 * - Nobody is ever mentioned, whatever a message says.
 */
export function createDiscordClient(
  config: Config,
  limits: DiscordRateLimits,
  overrides: Partial<ClientOptions> = {},
): Client {
  return new Client({
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessages,
      GatewayIntentBits.GuildMessageReactions,
    ],
    partials: [Partials.Message, Partials.Channel, Partials.Reaction, Partials.User, Partials.GuildMember],
    allowedMentions: { parse: [] },
    ...overrides,
    rest: {
      ...(config.DISCORD_API_BASE ? { api: config.DISCORD_API_BASE } : {}),
      globalRequestsPerSecond: limits.global.limit,
      rejectOnRateLimit: (data) => notifierBucket(data) !== null,
      ...overrides.rest,
    },
  });
}
