import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from '../../core/logger.js';

/**
 * Bolt's and the WebClient's logger interface on top of pino. Their debug lines are dropped on purpose:
 * the WebClient logs every request body and result at debug level, and a body can hold a generated
 * password sent privately (chat.postEphemeral), which must never reach a log.
 */
export function slackLogger(logger: Logger): SlackLogger {
  const log = logger.child({ component: 'slack-sdk' });
  const line = (msg: unknown[]) => msg.map((m) => (m instanceof Error ? m.message : String(m))).join(' ');
  return {
    debug() {},
    info: (...msg: unknown[]) => log.info(line(msg)),
    warn: (...msg: unknown[]) => log.warn(line(msg)),
    error: (...msg: unknown[]) => log.error(line(msg)),
    setLevel() {},
    getLevel: () => LogLevel.INFO,
    setName() {},
  };
}
