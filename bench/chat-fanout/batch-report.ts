import { mark, table } from '../support/markdown.js';
import type { LatencySummary } from '../support/stats.js';
import type { BatchShapeResult } from './batch-shapes.js';

const s = (ms: number) => Math.round(ms / 100) / 10;
const lag = (l: LatencySummary) => (l.count ? `${s(l.p50)} / ${s(l.p95)} / ${s(l.max)}` : '–');

/** The batch shapes' figures as markdown: one row per platform and shape, targets marked. */
export function batchFanoutMarkdown(results: BatchShapeResult[]): string {
  if (!results.length) return '';
  const rows = results.map((r) => {
    const met = r.finalLagMs.count > 0 && r.finalLagMs.p95 < 10_000 && r.finalLagMs.max < 20_000;
    return [
      `${r.shape.batches} × ${r.shape.size}`,
      r.platform,
      `${lag(r.finalLagMs)} ${mark(met)}`,
      `${r.rateLimited} ${mark(r.rateLimited === 0)}`,
      `${r.tokens.seen} / ${r.tokens.expected} ${mark(r.tokens.seen === r.tokens.expected && r.doubled === 0 && r.missing === 0)}`,
      `${r.threadMessages} (${r.summaries} summaries)`,
      r.caughtUp ? `${r.drainSeconds} s` : `not within ${r.drainSeconds} s ❌`,
    ];
  });
  return [
    `**Batch fan-out**: batches of Ubuntu machines in one channel, 12 stages each over ${results[0]!.durationSeconds} s, ` +
      'requested and approved with one call each through the admin API, then the same callbacks as the chat fan-out.',
    '',
    table(
      [
        'shape',
        'platform',
        'done → first message or card version showing it (p50 / p95 / max s)',
        '429s',
        'state tokens in threads (seen / expected; none doubled)',
        'thread messages',
        'caught up after last callback',
      ],
      rows,
    ),
  ].join('\n');
}
