import { DiscordAPIError, DiscordjsErrorCodes, RateLimitError, RESTJSONErrorCodes } from 'discord.js';
import { RateLimitedError } from '../../chat/chat-platform.js';
import { PlatformCallError } from '../../chat/platform-call-error.js';
import { bucketKeys, notifierBucket } from './rate-limits.js';

/**
 * A failed Discord call, safe to log: Discord's code and message, method and route, with the interaction
 * token in webhook URLs blanked (see {@link PlatformCallError}).
 */
export class DiscordCallError extends PlatformCallError {
  override name = 'DiscordCallError';
}

/** The thread cannot take messages: archived and locked, and the bot may not unlock it. */
export class ThreadLockedError extends DiscordCallError {
  override name = 'ThreadLockedError';
}

/** Whether an error says the card already has a thread (REST 160004, or discord.js's local check). */
export function isExistingThread(error: unknown): boolean {
  if (error instanceof DiscordAPIError)
    return error.code === RESTJSONErrorCodes.ThreadAlreadyCreatedForMessage;
  return (error as { code?: unknown })?.code === DiscordjsErrorCodes.MessageExistingThread;
}

export function isArchivedThread(error: unknown): boolean {
  return error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.InvalidActionOnArchivedThread;
}

export function isMissingPermissions(error: unknown): boolean {
  return (
    error instanceof DiscordAPIError &&
    (error.code === RESTJSONErrorCodes.MissingPermissions || error.code === RESTJSONErrorCodes.MissingAccess)
  );
}

/**
 * Turns what discord.js threw into what the notifier understands: a rate limit on one of its buckets
 * becomes {@link RateLimitedError} (it waits and retries without holding the deployment), everything
 * else a {@link DiscordCallError} without request body or token.
 */
export function toPlatformError(error: unknown, what: string): Error {
  if (error instanceof RateLimitError) {
    const bucket = notifierBucket(error) ?? (error.global ? bucketKeys.global : undefined);
    return new RateLimitedError(Math.max(1, Math.ceil(error.retryAfter)), bucket);
  }
  if (error instanceof DiscordAPIError) {
    return new DiscordCallError(
      `${what}: Discord answered ${error.status} ${error.code ? `(${error.code}) ` : ''}${error.message} on ${error.method.toUpperCase()} ${routeOf(error.url)}`,
      error.code,
      error.status,
    );
  }
  if (error instanceof Error) {
    const code = (error as { code?: string | number }).code ?? 'error';
    return new DiscordCallError(
      `${what}: ${error.message}`,
      code,
      (error as { status?: number }).status ?? null,
    );
  }
  return new DiscordCallError(`${what}: ${String(error)}`, 'error', null);
}

/** The path of a Discord URL with interaction tokens blanked. */
function routeOf(url: string): string {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // already a path
  }
  return path
    .replace(/\/webhooks\/(\d+)\/[^/?]+/, '/webhooks/$1/[token]')
    .replace(/\/interactions\/(\d+)\/[^/?]+/, '/interactions/$1/[token]');
}
