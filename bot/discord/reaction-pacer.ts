import { setTimeout as sleep } from 'node:timers/promises';
import type { Client, RequestMethod, RouteLike } from 'discord.js';
import type { CallBudget } from './call-budget.js';

/**
 * Reaction calls of one channel, one at a time, each waiting out the window Discord's answer to the
 * previous one announced (`X-RateLimit-Remaining: 0`, `X-RateLimit-Reset-After`; about one reaction per
 * 250 ms per channel). discord.js learns a bucket only after its first answer and starts a fresh
 * queue once it knows the bucket's hash, so two quick reactions on a fresh process would earn a 429;
 * this never sends the second before the first one's window is over.
 * @see https://discord.com/developers/docs/topics/rate-limits#header-format
 */
export interface ReactionPacer {
  run(channelId: string, method: RequestMethod.Put | RequestMethod.Delete, route: RouteLike): Promise<void>;
}

export function createReactionPacer(client: Client, budget: CallBudget): ReactionPacer {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run(channelId, method, route) {
      const previous = tails.get(channelId) ?? Promise.resolve();
      const next = previous
        .catch(() => undefined)
        .then(async () => {
          await budget.take();
          const res = await client.rest.queueRequest({ method, fullRoute: route });
          if (res.headers.get('x-ratelimit-remaining') === '0') {
            const resetAfter = Number(res.headers.get('x-ratelimit-reset-after') ?? 0);
            if (resetAfter > 0) await sleep(Math.ceil(resetAfter * 1000) + 20);
          }
        });
      tails.set(channelId, next);
      void next
        .catch(() => undefined)
        .finally(() => {
          if (tails.get(channelId) === next) tails.delete(channelId);
        });
      return next;
    },
  };
}
