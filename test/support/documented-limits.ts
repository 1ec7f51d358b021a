import type { ChatAction, ChatLocation } from '../../chat/chat-platform.js';
import { DEFAULT_LIMITS } from './fake-discord/config.js';
import { RateLimiter as DiscordRateLimiter } from './fake-discord/rate-limiter.js';
import { RateLimiter as SlackRateLimiter } from './fake-slack/rate-limits.js';

/** Why a call was refused: the platform's bucket, and how long until it may pass. */
export interface Refusal {
  bucket: string;
  retryAfterMs: number;
}

/** Counts one call against the platform's limits; a refusal, or undefined when it passes. */
export type LimitEnforcer = (action: ChatAction, loc: ChatLocation) => Refusal | undefined;

/**
 * The platforms' limits as their documentation states them, enforced by the same limiters the fake
 * Discord and fake Slack servers use (test/support/fake-*), never by the adapters' own tables
 * (bot/*\/rate-limits.ts): a test that an adapter stays within its platform's limits can then fail when
 * the adapter's table is wrong. `timeScale` 0.1 runs the platform's clock ten times faster.
 */
export function documentedLimits(platform: 'slack' | 'discord' | 'none', timeScale = 1): LimitEnforcer {
  const start = Date.now();
  const now = () => start + (Date.now() - start) / timeScale;
  if (platform === 'none') return () => undefined;
  if (platform === 'slack') {
    // Slack: chat.postMessage ~1/s per channel (threads share it) and a workspace cap; chat.update and
    // reactions.add Tier 3. A card is a post plus the bot's ✅ and ❌ reactions.
    const limiter = new SlackRateLimiter({}, now);
    const methods: Record<ChatAction, string[]> = {
      postCard: ['chat.postMessage', 'reactions.add', 'reactions.add'],
      postThreadMessage: ['chat.postMessage'],
      postChannelMessage: ['chat.postMessage'],
      updateCard: ['chat.update'],
      createThread: [],
    };
    return (action, loc) => {
      for (const method of methods[action]) {
        const refused = limiter.take(method, method === 'chat.postMessage' ? loc.channelId : undefined);
        if (refused) return { bucket: refused.bucket, retryAfterMs: refused.retryAfter * 1000 * timeScale };
      }
      return undefined;
    };
  }
  // Discord: 5 messages per 5 s per channel (a thread is its own channel), edits likewise, 50 requests/s.
  const limiter = new DiscordRateLimiter(DEFAULT_LIMITS);
  const route: Record<ChatAction, ['channelMessages' | 'messageEdits' | 'routes', string]> = {
    postCard: ['channelMessages', 'POST /channels/:id/messages'],
    postThreadMessage: ['channelMessages', 'POST /channels/:id/messages'],
    postChannelMessage: ['channelMessages', 'POST /channels/:id/messages'],
    updateCard: ['messageEdits', 'PATCH /channels/:id/messages/:id'],
    createThread: ['routes', 'POST /channels/:id/messages/:id/threads'],
  };
  return (action, loc) => {
    const [bucket, id] = route[action];
    const major = action === 'postThreadMessage' ? (loc.threadId ?? loc.channelId) : loc.channelId;
    const verdict = limiter.take(bucket, id, major, true, now());
    if (!verdict.limited) return undefined;
    const scope = verdict.limited.scope === 'global' ? 'global' : `${bucket}:${major}`;
    return { bucket: scope, retryAfterMs: verdict.limited.body.retry_after * 1000 * timeScale };
  };
}
