import { describe, expect, it } from 'vitest';
import { createReadBudget, MAX_READ_BYTES, MIN_READ_BYTES } from '../../boot-server/file-read-size.js';

describe('the read budget of /files/', () => {
  it('gives the first downloads large reads and the rest 64 KiB once the budget is spoken for', () => {
    const budget = createReadBudget(8 * 1024 * 1024);
    const sizes = Array.from({ length: 8 }, () => budget.reserve().readSize);
    expect(sizes.slice(0, 4)).toEqual(Array(4).fill(MAX_READ_BYTES));
    expect(sizes.slice(4)).toEqual(Array(4).fill(MIN_READ_BYTES));
  });

  it('never lets the large buffers of all downloads exceed the budget', () => {
    const budget = createReadBudget(5 * 1024 * 1024);
    const held = Array.from({ length: 50 }, () => budget.reserve().readSize).filter(
      (s) => s > MIN_READ_BYTES,
    );
    expect(held.reduce((sum, size) => sum + 2 * size, 0)).toBeLessThanOrEqual(5 * 1024 * 1024);
  });

  it('takes a finished download’s share back, once even when released twice', () => {
    const budget = createReadBudget(2 * MAX_READ_BYTES);
    const first = budget.reserve();
    expect(budget.reserve().readSize).toBe(MIN_READ_BYTES);
    first.release();
    first.release();
    expect(budget.reserve().readSize).toBe(MAX_READ_BYTES);
    expect(budget.reserve().readSize).toBe(MIN_READ_BYTES);
  });
});
