import { randomBytes } from 'node:crypto';
import type { CommandReply } from '../../chat/chat-inbound.js';
import { isAppError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';

/**
 * The one place where errors become chat replies. Domain errors that may be shown (`expose`) read as
 * they are, on one line; anything else is logged with a reference the user can quote, and its message
 * (which may hold internals) never reaches chat.
 */
export function errorReply(
  error: unknown,
  logger: Logger,
  context: Record<string, unknown> = {},
): CommandReply {
  if (isAppError(error) && error.expose) {
    return { ok: false, visibility: 'ephemeral', text: `⚠️ ${oneLine(error.message)}`, code: error.code };
  }
  const ref = randomBytes(4).toString('hex');
  logger.error({ err: error, ref, ...context }, 'chat command failed');
  return {
    ok: false,
    visibility: 'ephemeral',
    text: `⚠️ Something went wrong on our side (ref ${ref}); it was logged. Try again in a moment.`,
    code: 'internal',
  };
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
