import {
  type ChatAction,
  type ChatLocation,
  type ChatPlatform,
  type MessagePriority,
  RateLimitedError,
} from '../../chat/chat-platform.js';
import type { RateLimiter } from './rate-limiter.js';
import type { Urgency } from './urgency.js';

/** Thrown inside a run to leave it (and its lock) and come back later. */
export class Wait {
  constructor(
    readonly ms: number,
    readonly priority: MessagePriority,
  ) {}
}

/** A chat call within the platform's rate limits: takes a slot first, or leaves the run with {@link Wait}. */
export type ChatCall = <T>(action: ChatAction, urgency: Urgency, fn: () => Promise<T>) => Promise<T>;

/**
 * The chat calls of one subject (`d42`, a batch `b7`, a channel's digest `c…`): each action queues for
 * its slot under the same claim across retries, so a run that comes back keeps its place in the queue.
 */
export function chatCall(
  limiter: RateLimiter,
  platform: ChatPlatform,
  loc: ChatLocation,
  subject = loc.batchId ? `b${loc.batchId}` : `d${loc.deploymentId}`,
): ChatCall {
  return async (action, urgency, fn) => {
    const buckets = platform.rateBuckets(action, loc);
    const claim = { id: `${subject}:${action}`, since: urgency.since };
    const wait = await limiter.take(buckets, urgency.priority, claim);
    if (wait > 0) throw new Wait(wait, urgency.priority);
    try {
      return await fn();
    } catch (error) {
      if (!(error instanceof RateLimitedError)) throw error;
      const keys = error.bucket ? [error.bucket] : buckets.map((b) => b.key);
      await limiter.block(keys, error.retryAfterMs);
      throw new Wait(error.retryAfterMs, urgency.priority);
    }
  };
}
