import type { Redis } from 'ioredis';

/**
 * Which channels are in digest mode: their single deployments' lines go out as channel digests instead
 * of thread messages (worker/notifier/channel-notifier.ts). A hint in Redis, not a fact: it lapses by
 * itself when nobody renews it, and losing it only means the next saturated call switches it on again.
 */
export interface DigestMode {
  isOn(platform: string, channelId: string): Promise<boolean>;
  /** Switches the channel on, or keeps it on for another lifetime; true when it was off. */
  switchOn(platform: string, channelId: string): Promise<boolean>;
  switchOff(platform: string, channelId: string): Promise<void>;
}

/** How long digest mode lasts without a digest run renewing it. */
const LIFETIME_MS = 60_000;

export function createDigestMode(redis: Redis, prefix: string): DigestMode {
  const key = (platform: string, channelId: string) => `${prefix}:digest:${platform}:${channelId}`;
  return {
    async isOn(platform, channelId) {
      return (await redis.exists(key(platform, channelId))) === 1;
    },
    async switchOn(platform, channelId) {
      return (await redis.set(key(platform, channelId), '1', 'PX', LIFETIME_MS, 'GET')) === null;
    },
    async switchOff(platform, channelId) {
      await redis.del(key(platform, channelId));
    },
  };
}
