import { createHash } from 'node:crypto';
import type { RateLimitConfig, RateLimitRule } from './config.js';

/** Which limit a route falls under (see {@link RateLimitConfig}); `null` means unlimited (interaction callbacks). */
export type BucketName = Exclude<keyof RateLimitConfig, 'global'> | null;

/** Outcome of counting one request: headers to send, and a 429 body when refused. */
export interface RateLimitVerdict {
  headers: Record<string, string>;
  limited: null | {
    scope: 'global' | 'user';
    body: { message: string; retry_after: number; global: boolean };
  };
}

interface Window {
  count: number;
  resetAt: number;
}

/**
 * Discord-style fixed-window buckets. A window opens with the first request and resets `windowMs` later,
 * which is also how @discordjs/rest models them, so a client that honours the headers never sees a 429.
 * @see https://discord.com/developers/docs/topics/rate-limits
 */
export class RateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly config: RateLimitConfig) {}

  /**
   * Counts a request. `bucketId` groups routes that share a limit (Discord's bucket hash); `major` is
   * the channel, guild or webhook the request is about. `global` says whether the bot-wide limit applies.
   */
  take(
    bucket: BucketName,
    bucketId: string,
    major: string,
    global: boolean,
    now = Date.now(),
  ): RateLimitVerdict {
    if (global) {
      const g = this.count('global', this.config.global, now);
      if (g.count > this.config.global.limit) {
        const retryAfter = (g.resetAt - now) / 1000;
        return {
          headers: {
            'Retry-After': String(Math.max(1, Math.ceil(retryAfter))),
            'X-RateLimit-Global': 'true',
            'X-RateLimit-Scope': 'global',
          },
          limited: {
            scope: 'global',
            body: { message: 'You are being rate limited.', retry_after: round(retryAfter), global: true },
          },
        };
      }
    }
    if (bucket === null) return { headers: {}, limited: null };
    const rule: RateLimitRule = this.config[bucket];
    const w = this.count(`${bucketId}:${major}`, rule, now);
    const resetAfter = (w.resetAt - now) / 1000;
    const headers: Record<string, string> = {
      'X-RateLimit-Limit': String(rule.limit),
      'X-RateLimit-Remaining': String(Math.max(0, rule.limit - w.count)),
      'X-RateLimit-Reset': (w.resetAt / 1000).toFixed(3),
      'X-RateLimit-Reset-After': resetAfter.toFixed(3),
      'X-RateLimit-Bucket': bucketHash(bucketId),
    };
    if (w.count <= rule.limit) return { headers, limited: null };
    return {
      headers: {
        ...headers,
        'Retry-After': String(Math.max(1, Math.ceil(resetAfter))),
        'X-RateLimit-Scope': 'user',
      },
      limited: {
        scope: 'user',
        body: { message: 'You are being rate limited.', retry_after: round(resetAfter), global: false },
      },
    };
  }

  private count(key: string, rule: RateLimitRule, now: number): Window {
    let w = this.windows.get(key);
    if (!w || now >= w.resetAt) {
      w = { count: 0, resetAt: now + rule.windowMs };
      this.windows.set(key, w);
    }
    w.count++;
    return w;
  }
}

const round = (seconds: number) => Math.round(seconds * 1000) / 1000;

/** Discord's bucket ids are opaque 32-hex strings, stable per group of routes. */
function bucketHash(bucketId: string): string {
  return createHash('md5').update(bucketId).digest('hex');
}
