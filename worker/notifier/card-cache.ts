import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { CardModel } from '../../chat/messages/card.js';

const TTL_SECONDS = 30 * 24 * 3600;

/**
 * Remembers what each card last showed (a hash), so the notifier edits a card only when its content
 * changed. A cache in the strict sense: after a Redis flush every card is edited once more, never less.
 */
export interface CardCache {
  isCurrent(platform: string, card: CardModel): Promise<boolean>;
  remember(platform: string, card: CardModel): Promise<void>;
  /** When this card was last drawn (ms since the epoch), null when unknown. */
  drawnAt(platform: string, card: CardModel): Promise<number | null>;
}

export function cardHash(card: CardModel): string {
  return createHash('sha256').update(JSON.stringify(card)).digest('base64url').slice(0, 22);
}

export function createCardCache(redis: Redis, prefix: string): CardCache {
  // A batch's card is `b7`, so it never shares a key with deployment 7's.
  const key = (platform: string, card: CardModel) =>
    `${prefix}:card:${platform}:${card.batch ? `b${card.batch.id}` : card.deploymentId}`;
  return {
    // The value is `<hash> <drawn at>`.
    async isCurrent(platform, card) {
      return (await redis.get(key(platform, card)))?.split(' ')[0] === cardHash(card);
    },
    async remember(platform, card) {
      await redis.set(key(platform, card), `${cardHash(card)} ${Date.now()}`, 'EX', TTL_SECONDS);
    },
    async drawnAt(platform, card) {
      const at = Number((await redis.get(key(platform, card)))?.split(' ')[1]);
      return Number.isFinite(at) ? at : null;
    },
  };
}
