import type { Redis } from 'ioredis';
import type { Logger } from '../../core/logger.js';

export interface EventDedupe {
  /** True the first time an `event_id` is seen by any replica (within the TTL), false for a redelivery. */
  claim(eventId: string): Promise<boolean>;
  /** Gives an event back after its handling failed, so Slack's next redelivery is handled. */
  release(eventId: string): Promise<void>;
}

/**
 * Deduplicates Events API deliveries on `event_id` with `SET NX EX` in Redis, so it holds across bot
 * replicas and Socket Mode connections. Slack redelivers an event it did not see acknowledged within 3 s,
 * up to three times over about five minutes; the TTL covers that with room to spare.
 *
 * This is a courtesy, not the safety net: Postgres is the truth for decisions, and a duplicate that gets
 * through (Redis down, TTL passed) meets the same compare-and-set and is refused as already decided, so it
 * can never approve twice. That is also why an unreachable Redis lets events through instead of dropping
 * them.
 */
export function createEventDedupe(
  redis: Redis,
  prefix: string,
  logger: Logger,
  ttlSeconds = 3600,
): EventDedupe {
  const key = (id: string) => `${prefix}:slack:event:${id}`;
  return {
    async claim(eventId) {
      try {
        return (await redis.set(key(eventId), '1', 'EX', ttlSeconds, 'NX')) === 'OK';
      } catch (error) {
        logger.warn(
          { err: error, eventId },
          'event dedupe unavailable; handling the event (Postgres decides)',
        );
        return true;
      }
    },
    async release(eventId) {
      await redis.del(key(eventId)).catch(() => {});
    },
  };
}
