// `npm run discord:register`: PUTs Octofleet's slash commands to Discord (guild or global). Safe to repeat.
import 'dotenv/config';
import { registerDiscordCommands } from '../bot/discord/register-commands.js';
import { ConfigError, loadConfig } from '../core/config/index.js';

try {
  const config = loadConfig();
  const { scope, commands } = await registerDiscordCommands(config);
  const where = scope === 'guild' ? `guild ${config.DISCORD_GUILD_ID}` : 'all guilds (global)';
  console.log(`registered ${commands.length} commands for ${where}: /${commands.join(', /')}`);
  if (scope === 'global') console.log('global commands may take a while to appear in every server');
} catch (error) {
  // Discord's answer (missing access, invalid form body) is safe to show; the token never is part of it.
  const message = error instanceof ConfigError ? error.message : `registration failed: ${String(error)}`;
  console.error(message);
  process.exitCode = 1;
}
