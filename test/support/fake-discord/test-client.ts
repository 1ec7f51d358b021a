import { once } from 'node:events';
import { Client, type ClientOptions, Events, GatewayIntentBits, Partials } from 'discord.js';
import type { FakeDiscord } from './fake-discord.js';

/**
 * Logs a real discord.js Client into the fake with the intents and partials a deploy bot needs
 * (without the partials, reactions on uncached messages are dropped). Resolves once `clientReady` fired.
 * The caller must `await client.destroy()`.
 */
export async function loginTestClient(
  fake: FakeDiscord,
  options: Partial<ClientOptions> = {},
): Promise<Client<true>> {
  const client = new Client({
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessages,
      GatewayIntentBits.GuildMessageReactions,
    ],
    partials: [Partials.Message, Partials.Channel, Partials.Reaction, Partials.User],
    waitGuildTimeout: 200,
    ...options,
    rest: { ...options.rest, api: fake.apiBase },
  });
  const ready = once(client, Events.ClientReady);
  ready.catch(() => undefined);
  try {
    await client.login(fake.token);
    await ready;
  } catch (error) {
    await client.destroy();
    throw error;
  }
  return client as Client<true>;
}
