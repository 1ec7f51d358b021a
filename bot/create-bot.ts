import type { ChatInbound } from '../chat/chat-inbound.js';
import type { ChatPlatform } from '../chat/chat-platform.js';
import type { Core } from '../core/create-core.js';
import { createCommandHandler } from './commands/command-handler.js';

export interface BotOptions {
  /** The platforms to listen on (Discord, Slack, or the shell when no credentials are configured). */
  platforms: ChatPlatform[];
}

export interface Bot {
  /** The shared handler the platforms call; exposed for tests and for the admin API's reuse. */
  inbound: ChatInbound;
  /** Starts every platform with the shared handler. */
  start(): Promise<void>;
  /** Stops every platform (in reverse order). */
  stop(): Promise<void>;
}

/**
 * The bot role: connects each platform and routes its commands and decisions to the shared handler.
 * Outbound messages (cards, threads) come from the worker's notifier, not from here.
 */
export function createBot(core: Core, opts: BotOptions): Bot {
  const inbound = createCommandHandler(core, opts.platforms);
  const started: ChatPlatform[] = [];
  return {
    inbound,
    async start() {
      for (const platform of opts.platforms) {
        await platform.start(inbound);
        started.push(platform);
        core.logger.info({ platform: platform.name }, 'chat platform started');
      }
    },
    async stop() {
      for (const platform of started.splice(0).reverse()) {
        await platform
          .stop()
          .catch((error) =>
            core.logger.warn({ err: error, platform: platform.name }, 'chat platform did not stop cleanly'),
          );
      }
    },
  };
}
