/**
 * Group commit for the boot path: calls that arrive while earlier batches are running (or within the same
 * turn of the event loop) are gathered and handed to `flush` together, so a thousand machines asking at
 * once cost a few statements instead of a thousand. Under load batches grow by themselves; an idle call
 * runs on the next turn, alone, and waits for nothing.
 */
export interface MicroBatcher<I, O> {
  run(item: I): Promise<O>;
}

export interface MicroBatcherOptions {
  /** Items per flush at most. @defaultValue 500 */
  maxBatch?: number;
  /** Flushes running at once (each holds a database connection). @defaultValue 2 */
  concurrency?: number;
}

interface Waiter<I, O> {
  item: I;
  resolve(result: O): void;
  reject(error: unknown): void;
}

/**
 * `flush` receives the items in arrival order and answers one result per item, in the same order. When a
 * batch of several fails, each item is retried alone, so one bad item cannot fail its neighbours.
 */
export function createMicroBatcher<I, O>(
  flush: (items: I[]) => Promise<O[]>,
  opts: MicroBatcherOptions = {},
): MicroBatcher<I, O> {
  const maxBatch = opts.maxBatch ?? 500;
  const concurrency = opts.concurrency ?? 2;
  const waiting: Waiter<I, O>[] = [];
  let running = 0;
  let scheduled = false;

  const settle = async (batch: Waiter<I, O>[]): Promise<void> => {
    try {
      const results = await flush(batch.map((w) => w.item));
      for (const [i, w] of batch.entries()) w.resolve(results[i] as O);
    } catch (error) {
      if (batch.length === 1) batch[0]!.reject(error);
      else await Promise.all(batch.map((w) => settle([w])));
    }
  };
  const drain = (): void => {
    scheduled = false;
    while (running < concurrency && waiting.length) {
      const batch = waiting.splice(0, maxBatch);
      running++;
      void settle(batch).finally(() => {
        running--;
        schedule();
      });
    }
  };
  const schedule = (): void => {
    if (scheduled || running >= concurrency || !waiting.length) return;
    scheduled = true;
    setImmediate(drain);
  };

  return {
    run(item) {
      return new Promise<O>((resolve, reject) => {
        waiting.push({ item, resolve, reject });
        schedule();
      });
    },
  };
}

/**
 * Runs `items` as statements in which no id repeats, in arrival order, and answers in the original order.
 * Rows are compared with the statement's snapshot, so a second item for the same row in one statement
 * would act on stale data.
 */
export async function inRounds<T extends { id: number }, R>(
  items: T[],
  run: (round: T[]) => Promise<R[]>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let pending = items.map((item, index) => ({ item, index }));
  while (pending.length) {
    const seen = new Set<number>();
    const round: typeof pending = [];
    const later: typeof pending = [];
    for (const entry of pending) {
      if (seen.has(entry.item.id)) later.push(entry);
      else {
        seen.add(entry.item.id);
        round.push(entry);
      }
    }
    const answers = await run(round.map((e) => e.item));
    round.forEach((entry, i) => {
      results[entry.index] = answers[i] as R;
    });
    pending = later;
  }
  return results;
}
