import { describe, expect, it } from 'vitest';
import { createMicroBatcher, inRounds } from '../../../core/db/micro-batch.js';

describe('micro-batcher', () => {
  it('hands calls made in the same turn to one flush, answering each caller its own result', async () => {
    const flushes: number[][] = [];
    const batcher = createMicroBatcher(async (items: number[]) => {
      flushes.push(items);
      return items.map((n) => n * 10);
    });
    const answers = await Promise.all([1, 2, 3, 4].map((n) => batcher.run(n)));
    expect(answers).toEqual([10, 20, 30, 40]);
    expect(flushes).toEqual([[1, 2, 3, 4]]);
  });

  it('gathers calls that arrive while flushes are running into the next one, at most maxBatch each', async () => {
    const flushes: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const batcher = createMicroBatcher(
      async (items: number[]) => {
        flushes.push(items);
        await gate;
        return items;
      },
      { concurrency: 1, maxBatch: 3 },
    );
    const first = batcher.run(0);
    await new Promise((r) => setImmediate(r));
    const rest = Array.from({ length: 5 }, (_, i) => batcher.run(i + 1));
    release();
    expect(await Promise.all([first, ...rest])).toEqual([0, 1, 2, 3, 4, 5]);
    expect(flushes).toEqual([[0], [1, 2, 3], [4, 5]]);
  });

  it('retries a failed batch item by item, so one bad item fails alone', async () => {
    const batcher = createMicroBatcher(async (items: number[]) => {
      if (items.includes(13)) throw new Error('13 is refused');
      return items;
    });
    const answers = await Promise.allSettled([12, 13, 14].map((n) => batcher.run(n)));
    expect(answers).toEqual([
      { status: 'fulfilled', value: 12 },
      { status: 'rejected', reason: new Error('13 is refused') },
      { status: 'fulfilled', value: 14 },
    ]);
  });
});

describe('inRounds', () => {
  it('never puts one id twice into a round, keeps arrival order per id, and answers in input order', async () => {
    const rounds: string[][] = [];
    const items = [
      { id: 1, v: 'a' },
      { id: 2, v: 'b' },
      { id: 1, v: 'c' },
      { id: 1, v: 'd' },
      { id: 3, v: 'e' },
    ];
    const out = await inRounds(items, async (round) => {
      rounds.push(round.map((i) => i.v));
      return round.map((i) => i.v.toUpperCase());
    });
    expect(rounds).toEqual([['a', 'b', 'e'], ['c'], ['d']]);
    expect(out).toEqual(['A', 'B', 'C', 'D', 'E']);
  });
});
