import { describe, expect, it } from 'vitest';
import { median, percentile, summarize } from '../../../bench/support/stats.js';

describe('bench statistics', () => {
  it('takes nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBe(0);
  });

  it('summarises samples in any order', () => {
    expect(summarize([30, 10, 20, 40])).toEqual({ count: 4, p50: 20, p95: 40, p99: 40, max: 40, mean: 25 });
    expect(summarize([])).toMatchObject({ count: 0, p50: 0, max: 0 });
  });

  it('takes the median of repeated rounds', () => {
    expect(median([3, 1, 2])).toBe(2);
  });
});
