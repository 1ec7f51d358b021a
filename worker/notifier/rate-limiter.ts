import type { Redis } from 'ioredis';
import type { MessagePriority, RateBucket } from '../../chat/chat-platform.js';
import { priorityRank } from '../../chat/messages/labels.js';
import { QUEUED, RELEASE, TAKE_QUEUED, TAKE_UNQUEUED } from './slot-scripts.js';

/**
 * Who asks for a slot, so the limiter can keep its place: `id` is stable across the retries of one
 * piece of work (`d42:postThreadMessage`), `since` is how old the news it carries is (ms since the epoch).
 */
export interface SlotClaim {
  id: string;
  since: number;
}

/**
 * Shared rate limiter for chat calls: every worker process takes its slots from the same Redis, so two
 * workers together stay within a platform's limits. Losing Redis only forgets recent usage and the queues.
 */
export interface RateLimiter {
  /**
   * Takes one slot in every bucket, or none. Resolves 0 when granted, else how many ms to wait.
   * Less urgent calls leave headroom for more urgent ones ({@link usableSlots}). With a `claim`, the call
   * queues for its slot: the next free slot goes to the most pressing class, oldest first, and the wait
   * answered is when this claim's turn should come.
   * @defaultValue priority `final` (the whole bucket)
   */
  take(buckets: RateBucket[], priority?: MessagePriority, claim?: SlotClaim): Promise<number>;
  /**
   * How many turns of claims are queued in the busiest of these buckets (claims ÷ limit): a backlog, as
   * opposed to a wait that only a 429's retry-after or one full window causes. Claims queued there while
   * they wait for another bucket (away) are not its backlog.
   */
  backlog(buckets: RateBucket[]): Promise<number>;
  /** Withdraws a claim that will not come back (its work was done another way). */
  release(buckets: RateBucket[], claimId: string): Promise<void>;
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

/** A queue nobody touched for this long is dropped (its claimants died or gave up). */
const QUEUE_TTL_MS = 10 * 60_000;
/** Orders claims by class first (any final before any state change), then by age. */
const CLASS_SPAN = 1e13;

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

/** A claim's place in a queue: lower goes first. */
export function claimScore(priority: MessagePriority, since: number): number {
  return priorityRank(priority) * CLASS_SPAN + Math.max(0, Math.min(since, CLASS_SPAN - 1));
}

/** A limiter whose keys live under `<prefix>:{rl}:` (one hash slot, so it also works on Redis Cluster). */
export function createRateLimiter(redis: Redis, prefix: string, opts: RateLimiterOptions = {}): RateLimiter {
  const margin = opts.margin ?? ((w: number) => Math.max(100, Math.round(w * 0.1)));
  const key = (bucket: string) => `${prefix}:{rl}:${bucket}`;
  const queueKeys = (b: RateBucket) => [`${key(b.key)}:queue`, `${key(b.key)}:due`, `${key(b.key)}:away`];
  const member = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  return {
    async take(buckets, priority = 'final', claim) {
      if (!buckets.length) return 0;
      const args = buckets.flatMap((b) => [usableSlots(b.limit, priority), b.windowMs + margin(b.windowMs)]);
      const logMember = `${member}-${++sequence}`;
      if (!claim) {
        const keys = buckets.flatMap((b) => [key(b.key), `${key(b.key)}:blocked`]);
        return Number(await redis.eval(TAKE_UNQUEUED, keys.length, ...keys, ...args, logMember));
      }
      const keys = buckets.flatMap((b) => [key(b.key), `${key(b.key)}:blocked`, ...queueKeys(b)]);
      const score = claimScore(priority, claim.since);
      const wait = await redis.eval(
        TAKE_QUEUED,
        keys.length,
        ...keys,
        ...args,
        logMember,
        claim.id,
        score,
        QUEUE_TTL_MS,
      );
      return Number(wait);
    },
    async backlog(buckets) {
      if (!buckets.length) return 0;
      const keys = buckets.flatMap(queueKeys);
      const counts = (await redis.eval(QUEUED, keys.length, ...keys)) as number[];
      return Math.max(0, ...buckets.map((b, i) => Number(counts[i] ?? 0) / b.limit));
    },
    async release(buckets, claimId) {
      if (!buckets.length) return;
      const keys = buckets.flatMap(queueKeys);
      await redis.eval(RELEASE, keys.length, ...keys, claimId);
    },
    async block(keys, ms) {
      if (!keys.length || ms <= 0) return;
      const pipeline = redis.pipeline();
      for (const k of keys) pipeline.set(`${key(k)}:blocked`, '1', 'PX', Math.ceil(ms));
      await pipeline.exec();
    },
  };
}
