import type { RateLimitData } from 'discord.js';
import type { ChatAction, ChatLocation, RateBucket } from '../../chat/chat-platform.js';

/** A limit of `limit` calls per `windowMs`. */
export interface Limit {
  limit: number;
  windowMs: number;
}

/**
 * The limits Discord applies to what the notifier does. Discord publishes no fixed numbers; these are
 * what bots observe and what the fake enforces: about 5 messages per 5 s per channel (a thread is a
 * channel of its own), card edits likewise, 50 requests per second per bot.
 * @see https://discord.com/developers/docs/topics/rate-limits
 */
export interface DiscordRateLimits {
  /** Messages created in one channel or thread. @defaultValue 5 per 5000 ms */
  channelMessages: Limit;
  /** Messages edited in one channel (card updates). @defaultValue 5 per 5000 ms */
  messageEdits: Limit;
  /** Threads started in one channel. @defaultValue 50 per 1000 ms */
  threads: Limit;
  /** Every request of the bot, all processes together. @defaultValue 50 per 1000 ms */
  global: Limit;
  /**
   * The part of `global` kept for what the bot process does by itself (reactions, role checks, the
   * start-up sweep); the notifier gets the rest. @defaultValue 10 per 1000 ms
   */
  botOwn: Limit;
}

export const DEFAULT_RATE_LIMITS: DiscordRateLimits = {
  channelMessages: { limit: 5, windowMs: 5000 },
  messageEdits: { limit: 5, windowMs: 5000 },
  threads: { limit: 50, windowMs: 1000 },
  global: { limit: 50, windowMs: 1000 },
  botOwn: { limit: 10, windowMs: 1000 },
};

/** Bucket keys, shared by the declared buckets and the 429 mapping so a 429 blocks the right one. */
export const bucketKeys = {
  post: (channelId: string) => `discord:post:${channelId}`,
  edit: (channelId: string) => `discord:edit:${channelId}`,
  thread: (channelId: string) => `discord:thread:${channelId}`,
  global: 'discord:global',
};

/** The buckets one outbound call of the notifier counts against. */
export function rateBucketsFor(
  limits: DiscordRateLimits,
  action: ChatAction,
  ref: ChatLocation,
): RateBucket[] {
  const global = {
    key: bucketKeys.global,
    limit: Math.max(1, limits.global.limit - limits.botOwn.limit),
    windowMs: limits.global.windowMs,
  };
  switch (action) {
    case 'postCard':
      return [{ key: bucketKeys.post(ref.channelId), ...limits.channelMessages }, global];
    case 'updateCard':
      return [{ key: bucketKeys.edit(ref.channelId), ...limits.messageEdits }, global];
    case 'createThread':
      return [{ key: bucketKeys.thread(ref.channelId), ...limits.threads }, global];
    case 'postChannelMessage':
      return [{ key: bucketKeys.post(ref.channelId), ...limits.channelMessages }, global];
    case 'postThreadMessage':
      // A thread is its own channel for Discord's message limit.
      return [{ key: bucketKeys.post(ref.threadId ?? ref.channelId), ...limits.channelMessages }, global];
  }
}

/**
 * The bucket of a request discord.js is about to be limited on (or got a 429 for), when it is one of
 * the notifier's calls; null for everything else (reactions, member look-ups, interaction answers),
 * which discord.js may simply queue.
 */
export function notifierBucket(data: Pick<RateLimitData, 'method' | 'route' | 'majorParameter' | 'global'>) {
  const method = data.method.toUpperCase();
  let key: string | null = null;
  if (method === 'POST' && data.route === '/channels/:id/messages')
    key = bucketKeys.post(data.majorParameter);
  else if (method === 'PATCH' && data.route === '/channels/:id/messages/:id')
    key = bucketKeys.edit(data.majorParameter);
  else if (method === 'POST' && data.route === '/channels/:id/messages/:id/threads')
    key = bucketKeys.thread(data.majorParameter);
  if (key && data.global) return bucketKeys.global;
  return key;
}
