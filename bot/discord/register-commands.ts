import { type APIApplicationCommand, type Client, REST, Routes } from 'discord.js';
import type { Config } from '../../core/config/index.js';
import { ConfigError } from '../../core/config/index.js';
import { discordCommands } from './command-definitions.js';

/** What a registration did. */
export interface RegistrationResult {
  scope: 'guild' | 'global';
  /** Command names Discord now has, in order. */
  commands: string[];
}

/**
 * PUTs the whole command set (bulk overwrite): commands that are no longer defined disappear, existing
 * ones keep their ids, so running it again is safe. Guild commands when `DISCORD_GUILD_ID` is set (they
 * appear at once); global commands otherwise (Discord may take a while to show changes everywhere).
 * @see https://discord.com/developers/docs/interactions/application-commands#bulk-overwrite-guild-application-commands
 */
export async function registerDiscordCommands(config: Config): Promise<RegistrationResult> {
  if (!config.DISCORD_TOKEN) throw new ConfigError('Invalid configuration: DISCORD_TOKEN is required');
  if (!config.DISCORD_APPLICATION_ID) {
    throw new ConfigError(
      'Invalid configuration: DISCORD_APPLICATION_ID is required (General Information → Application ID)',
    );
  }
  const rest = new REST(config.DISCORD_API_BASE ? { api: config.DISCORD_API_BASE } : {}).setToken(
    config.DISCORD_TOKEN,
  );
  const app = config.DISCORD_APPLICATION_ID;
  const guild = config.DISCORD_GUILD_ID;
  const route = guild ? Routes.applicationGuildCommands(app, guild) : Routes.applicationCommands(app);
  const answer = (await rest.put(route, { body: discordCommands() })) as { name: string }[];
  return { scope: guild ? 'guild' : 'global', commands: answer.map((c) => c.name) };
}

/**
 * Compares what Discord has registered with {@link discordCommands}: the command names and option names
 * that differ, or an empty list when they match. The bot logs the difference at start, so an upgrade
 * without `npm run discord:register` is noticed.
 */
export async function registrationDrift(client: Client<true>, guildId?: string): Promise<string[]> {
  const app = client.application.id;
  const route = guildId ? Routes.applicationGuildCommands(app, guildId) : Routes.applicationCommands(app);
  const registered = (await client.rest.get(route)) as APIApplicationCommand[];
  const shape = (c: { name: string; options?: { name: string }[] }) =>
    `/${c.name}${(c.options ?? []).map((o) => ` ${o.name}`).join('')}`;
  const want = new Set(discordCommands().map(shape));
  const have = new Set(registered.map(shape));
  return [
    ...[...want].filter((c) => !have.has(c)).map((c) => `missing ${c}`),
    ...[...have].filter((c) => !want.has(c)).map((c) => `stale ${c}`),
  ];
}
