import { setTimeout as sleep } from 'node:timers/promises';
import type { Limit } from './rate-limits.js';

/**
 * A local sliding-window budget for the calls the bot makes on its own (reactions, role checks, the
 * start-up sweep). Discord's 50 requests per second are per bot token, across processes: the notifier
 * takes its share through the shared Redis limiter, the bot process keeps to this one, and together
 * they stay under Discord's limit.
 */
export interface CallBudget {
  /** Resolves when one more call fits; callers are served in order. */
  take(): Promise<void>;
}

export function createCallBudget(limit: Limit, marginMs = 100): CallBudget {
  const window = limit.windowMs + marginMs;
  const times: number[] = [];
  let queue: Promise<void> = Promise.resolve();
  return {
    take() {
      const turn = queue.then(async () => {
        for (;;) {
          const now = Date.now();
          while (times.length && times[0]! <= now - window) times.shift();
          if (times.length < limit.limit) {
            times.push(now);
            return;
          }
          await sleep(times[0]! + window - now + 1);
        }
      });
      queue = turn;
      return turn;
    },
  };
}
