import { coreDirectory } from '../bot/discord/discord-directory.js';
import { createDiscordPlatform } from '../bot/discord/discord-platform.js';
import { createShellPlatform } from '../bot/shell/shell-platform.js';
import { createSlackPlatform, type SlackPlatform } from '../bot/slack/create-slack-platform.js';
import type { ChatPlatform } from '../chat/chat-platform.js';
import type { Core } from '../core/create-core.js';
import type { TerminalScreen } from '../core/terminal/terminal-screen.js';

export interface Platforms {
  all: ChatPlatform[];
  /** Set in Slack's HTTP mode: its handler is mounted on the admin listener when SLACK_PORT is 0. */
  slack?: SlackPlatform;
}

/**
 * The chat platforms of this installation: every one with credentials, or the shell adapter (stdin and
 * stdout) when none has, as Hubot falls back to its shell.
 */
export function createPlatforms(core: Core, opts: { screen?: TerminalScreen } = {}): Platforms {
  const { config, logger } = core;
  const all: ChatPlatform[] = [];
  let slack: SlackPlatform | undefined;
  if (config.DISCORD_TOKEN)
    all.push(createDiscordPlatform(config, logger, { directory: coreDirectory(core) }));
  if (config.slackMode) {
    slack = createSlackPlatform(config, logger);
    all.push(slack);
  }
  if (!all.length) {
    all.push(
      createShellPlatform({
        input: process.stdin,
        output: process.stdout,
        user: config.SHELL_USER,
        screen: opts.screen,
        onInterrupt: () => process.kill(process.pid, 'SIGINT'),
      }),
    );
  }
  return { all, slack };
}
