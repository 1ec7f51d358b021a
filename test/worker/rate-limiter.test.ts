import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRateLimiter, type SlotClaim, usableSlots } from '../../worker/notifier/rate-limiter.js';

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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('slot reservation: the next free slot goes to the most pressing claim', () => {
  it('a final queued after many progress claims gets the next slot, and the queue is told its turn', async () => {
    const bucket = { key: 'chan:q1', limit: 1, windowMs: 400 };
    expect(await limiter.take([bucket], 'final', { id: 'filler', since: 1 })).toBe(0);
    const progress: SlotClaim[] = Array.from({ length: 8 }, (_, i) => ({ id: `p${i}`, since: 1000 + i }));
    const waits: number[] = [];
    for (const claim of progress) waits.push(await limiter.take([bucket], 'progress', claim));
    // No herd: each progress claim learns a later turn than the one before it.
    for (let i = 1; i < waits.length; i++) expect(waits[i]!).toBeGreaterThan(waits[i - 1]!);
    expect(waits.at(-1)!).toBeGreaterThan(7 * 400);

    const final: SlotClaim = { id: 'f', since: 5000 };
    const finalWait = await limiter.take([bucket], 'final', final);
    expect(finalWait).toBeGreaterThan(0);
    expect(finalWait).toBeLessThanOrEqual(400);
    await sleep(finalWait + 20);
    // The oldest progress claim comes back first, but the slot is the final's.
    expect(await limiter.take([bucket], 'progress', progress[0]!)).toBeGreaterThan(0);
    expect(await limiter.take([bucket], 'final', final)).toBe(0);
    // The final is out of the queue: the progress claims follow in age order.
    await sleep(420);
    expect(await limiter.take([bucket], 'progress', progress[1]!)).toBeGreaterThan(0);
    expect(await limiter.take([bucket], 'progress', progress[0]!)).toBe(0);
  });

  it('within a class the oldest news goes first, whoever asks first', async () => {
    const bucket = { key: 'chan:q2', limit: 1, windowMs: 300 };
    expect(await limiter.take([bucket], 'final')).toBe(0);
    const young = { id: 'young', since: 2000 };
    const old = { id: 'old', since: 1000 };
    await limiter.take([bucket], 'final', young);
    const oldWait = await limiter.take([bucket], 'final', old);
    await sleep(oldWait + 20);
    expect(await limiter.take([bucket], 'final', young)).toBeGreaterThan(0);
    expect(await limiter.take([bucket], 'final', old)).toBe(0);
  });

  it('a claimant that does not come back stops holding the queue', async () => {
    const bucket = { key: 'chan:q3', limit: 1, windowMs: 200 };
    expect(await limiter.take([bucket], 'final')).toBe(0);
    const gone = await limiter.take([bucket], 'final', { id: 'gone', since: 1 });
    const next = { id: 'next', since: 2 };
    await limiter.take([bucket], 'final', next);
    await sleep(gone + 1000 + gone / 4 + 50);
    expect(await limiter.take([bucket], 'final', next)).toBe(0);
    const released = { id: 'released', since: 3 };
    await limiter.take([bucket], 'final', released);
    await limiter.release([bucket], released.id);
    await sleep(220);
    expect(await limiter.take([bucket], 'progress', { id: 'later', since: 9 })).toBe(0);
  });

  it('two limiters (two workers) sharing Redis stay within the limit and serve finals first', async () => {
    const second = createRateLimiter(redis, prefix, { margin: () => 0 });
    const bucket = { key: 'chan:q4', limit: 2, windowMs: 300 };
    const granted: { at: number; id: string }[] = [];
    const claimant = async (i: number) => {
      const priority = i % 4 === 0 ? 'final' : 'progress';
      const claim = { id: `c${i}`, since: 1000 + i };
      const own = i % 2 ? limiter : second;
      for (;;) {
        const wait = await own.take([bucket], priority, claim);
        if (wait === 0) break;
        await sleep(wait);
      }
      granted.push({ at: Date.now(), id: `${priority}:${i}` });
    };
    await Promise.all(Array.from({ length: 16 }, (_, i) => claimant(i)));
    expect(granted).toHaveLength(16);
    for (const g of granted) {
      const inWindow = granted.filter((o) => o.at >= g.at && o.at < g.at + 300 - 25);
      expect(inWindow.length).toBeLessThanOrEqual(2);
    }
    // The first two slots went to whoever came first; every final was served before any later progress.
    const order = granted.map((g) => g.id.split(':')[0]);
    const lastFinal = order.lastIndexOf('final');
    expect(order.slice(2, lastFinal).filter((c) => c === 'progress').length).toBeLessThanOrEqual(1);
  });

  it("a claim waiting for another bucket holds none of a shared bucket's slots, nor counts as its backlog", async () => {
    // Discord's shape: one channel's card edits (narrow) and every call of the bot (wide) share `bot`.
    const edits = { key: 'edit:q5', limit: 1, windowMs: 60_000 };
    const bot = { key: 'bot:q5', limit: 10, windowMs: 1000 };
    const thread = { key: 'thread:q5', limit: 5, windowMs: 5000 };
    expect(await limiter.take([edits, bot], 'final')).toBe(0);
    for (let i = 0; i < 12; i++)
      expect(await limiter.take([edits, bot], 'final', { id: `edit${i}`, since: i })).toBeGreaterThan(50_000);
    expect(await limiter.backlog([edits])).toBe(12);
    expect(await limiter.backlog([bot])).toBe(0);
    // A younger, less pressing thread message is not stuck behind twelve edits that cannot go anyway.
    expect(await limiter.take([thread, bot], 'progress', { id: 'line', since: 100 })).toBe(0);
    // Within the narrow bucket the order stands: a younger edit still queues behind the twelve.
    const late = await limiter.take([edits, bot], 'final', { id: 'edit-late', since: 100 });
    expect(late).toBeGreaterThan(12 * 60_000);
  });

  it('nor once its turn came and its job has yet to ask again', async () => {
    const edits = { key: 'edit:q6', limit: 1, windowMs: 1200 };
    const bot = { key: 'bot:q6', limit: 2, windowMs: 1000 };
    const thread = { key: 'thread:q6', limit: 5, windowMs: 5000 };
    expect(await limiter.take([edits, bot], 'final')).toBe(0);
    for (let i = 0; i < 6; i++)
      expect(await limiter.take([edits, bot], 'final', { id: `late${i}`, since: i })).toBeGreaterThan(0);
    // The first edits' turns have come; none has asked again yet (their deadlines give them a grace).
    await sleep(2000);
    expect(await limiter.take([thread, bot], 'final', { id: 'line', since: 100 })).toBe(0);
  });
});
