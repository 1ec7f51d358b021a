import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRateLimiter, usableSlots } from '../../worker/notifier/rate-limiter.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const prefix = `t${randomBytes(5).toString('hex')}`;
const limiter = createRateLimiter(redis, prefix, { margin: () => 0 });
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

describe('shared rate limiter (Redis)', () => {
  it('grants `limit` calls per window, then says how long to wait', async () => {
    const bucket = { key: 'chan:a', limit: 3, windowMs: 60_000 };
    expect([
      await limiter.take([bucket]),
      await limiter.take([bucket]),
      await limiter.take([bucket]),
    ]).toEqual([0, 0, 0]);
    const wait = await limiter.take([bucket]);
    expect(wait).toBeGreaterThan(59_000);
    expect(wait).toBeLessThanOrEqual(60_000);
  });

  it('takes from every bucket or from none', async () => {
    const full = { key: 'chan:b', limit: 1, windowMs: 60_000 };
    const other = { key: 'global:b', limit: 2, windowMs: 60_000 };
    expect(await limiter.take([full])).toBe(0);
    expect(await limiter.take([other, full])).toBeGreaterThan(0);
    // The refused call consumed nothing from `other`: two more still fit.
    expect([await limiter.take([other]), await limiter.take([other])]).toEqual([0, 0]);
  });

  it('a 429 blocks the bucket for everyone until retry-after passed', async () => {
    const bucket = { key: 'chan:c', limit: 100, windowMs: 1000 };
    await limiter.block(['chan:c'], 5000);
    const wait = await limiter.take([bucket]);
    expect(wait).toBeGreaterThan(4000);
    expect(wait).toBeLessThanOrEqual(5000);
  });

  it('keeps two limiters (two workers) within one limit', async () => {
    const second = createRateLimiter(redis, prefix, { margin: () => 0 });
    const bucket = { key: 'chan:d', limit: 5, windowMs: 60_000 };
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? limiter : second).take([bucket])),
    );
    expect(results.filter((w) => w === 0)).toHaveLength(5);
  });

  it('leaves headroom for more urgent calls: progress stops first, final states get the rest', async () => {
    const bucket = { key: 'update:e', limit: 10, windowMs: 60_000 };
    const granted = async (priority: 'final' | 'state' | 'progress') => {
      let n = 0;
      while ((await limiter.take([bucket], priority)) === 0) n++;
      return n;
    };
    expect(await granted('progress')).toBe(4);
    expect(await granted('state')).toBe(3);
    expect(await granted('final')).toBe(3);
    expect([usableSlots(1, 'progress'), usableSlots(5, 'state'), usableSlots(50, 'progress')]).toEqual([
      1, 3, 20,
    ]);
  });
});
