import type { Redis } from 'ioredis';
import type { MessagePriority, RateBucket } from '../../chat/chat-platform.js';

/**
 * Shared rate limiter for chat calls: every worker process takes its slots from the same Redis, so two
 * workers together stay within a platform's limits. Losing Redis only forgets recent usage.
 */
export interface RateLimiter {
  /**
   * Takes one slot in every bucket, or none. Resolves 0 when granted, else how many ms to wait.
   * Less urgent calls leave headroom for more urgent ones ({@link usableSlots}).
   * @defaultValue priority `final` (the whole bucket)
   */
  take(buckets: RateBucket[], priority?: MessagePriority): Promise<number>;
  /** The platform answered 429: these buckets wait `ms` for everyone. */
  block(keys: string[], ms: number): Promise<void>;
}

export interface RateLimiterOptions {
  /**
   * Extra width added to every window, so calls granted here still satisfy the platform's own clock
   * after network and scheduling jitter. @defaultValue max(100 ms, 10 % of the window)
   */
  margin?: (windowMs: number) => number;
}

// A sliding log per bucket (sorted set of call times, Redis clock): at most `limit` calls in any window.
// Stricter than both Discord's fixed windows and Slack's token buckets, so it satisfies either.
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = #KEYS / 2
local wait = 0
for i = 1, n do
  local log, blocked = KEYS[2 * i - 1], KEYS[2 * i]
  local limit, window = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  local pttl = redis.call('PTTL', blocked)
  if pttl > wait then wait = pttl end
  redis.call('ZREMRANGEBYSCORE', log, '-inf', now - window)
  local count = redis.call('ZCARD', log)
  if count >= limit then
    local freeing = redis.call('ZRANGE', log, count - limit, count - limit, 'WITHSCORES')
    local w = tonumber(freeing[2]) + window - now
    if w > wait then wait = w end
  end
end
if wait > 0 then return wait end
for i = 1, n do
  redis.call('ZADD', KEYS[2 * i - 1], now, ARGV[2 * n + 1] .. ':' .. i)
  redis.call('PEXPIRE', KEYS[2 * i - 1], tonumber(ARGV[2 * i]) + 1000)
end
return 0
`;

let sequence = 0;

/**
 * How much of a bucket a call of this class may fill: final states all of it, state changes 75 %,
 * progress 40 % (at least one slot). So a burst of progress edits cannot leave a final state waiting a
 * whole window (Slack's 50 edits a minute), and nothing is starved for good: usage slides out.
 */
export function usableSlots(limit: number, priority: MessagePriority): number {
  const share = priority === 'final' ? 1 : priority === 'state' ? 0.75 : 0.4;
  return Math.max(1, Math.floor(limit * share));
}

/** A limiter whose keys live under `<prefix>:{rl}:` (one hash slot, so it also works on Redis Cluster). */
export function createRateLimiter(redis: Redis, prefix: string, opts: RateLimiterOptions = {}): RateLimiter {
  const margin = opts.margin ?? ((w: number) => Math.max(100, Math.round(w * 0.1)));
  const key = (bucket: string) => `${prefix}:{rl}:${bucket}`;
  const member = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  return {
    async take(buckets, priority = 'final') {
      if (!buckets.length) return 0;
      const keys = buckets.flatMap((b) => [key(b.key), `${key(b.key)}:blocked`]);
      const args = buckets.flatMap((b) => [usableSlots(b.limit, priority), b.windowMs + margin(b.windowMs)]);
      const wait = await redis.eval(TAKE, keys.length, ...keys, ...args, `${member}-${++sequence}`);
      return Number(wait);
    },
    async block(keys, ms) {
      if (!keys.length || ms <= 0) return;
      const pipeline = redis.pipeline();
      for (const k of keys) pipeline.set(`${key(k)}:blocked`, '1', 'PX', Math.ceil(ms));
      await pipeline.exec();
    },
  };
}
