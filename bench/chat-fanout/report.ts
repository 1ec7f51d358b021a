import { mark, table } from '../support/markdown.js';
import type { LatencySummary } from '../support/stats.js';
import type { PlatformFanout } from './chat-fanout.js';

const s = (ms: number) => Math.round(ms / 100) / 10;
const lag = (l: LatencySummary) => (l.count ? `${s(l.p50)} / ${s(l.p95)} / ${s(l.max)}` : '–');

/** The chat fan-out's figures as markdown: one column per platform. */
export function chatFanoutMarkdown(results: PlatformFanout[]): string {
  if (!results.length) return '';
  const first = results[0]!;
  const row = (label: string, f: (r: PlatformFanout) => string | number) => [label, ...results.map(f)];
  const figures = table(
    ['', ...results.map((r) => r.platform)],
    [
      row(
        'chat API calls per deployment (setup + stages)',
        (r) =>
          `${r.callsPerDeployment.total} (${r.callsPerDeployment.setup} + ${r.callsPerDeployment.stages})`,
      ),
      row('429s received', (r) => `${r.rateLimited} ${mark(r.rateLimited === 0)}`),
      row('lag, state changes (p50 / p95 / max s)', (r) => lag(r.lagMs.state)),
      row('lag, final states (p50 / p95 / max s)', (r) => lag(r.lagMs.final)),
      row('lag, installer stages (p50 / p95 / max s)', (r) => lag(r.lagMs.progress)),
      row('lag, card shows final (p50 / p95 / max s)', (r) => lag(r.cardFinalLagMs)),
      row('lag, card or channel board shows final (p50 / p95 / max s)', (r) =>
        r.cardOrBoardFinalLagMs ? lag(r.cardOrBoardFinalLagMs) : '–',
      ),
      row('channel boards (versions)', (r) => (r.boards ? `${r.boards.boards} (${r.boards.versions})` : '–')),
      row(
        'final state in chat (thread or digest) / on card',
        (r) =>
          `${r.finalInThread} / ${r.finalOnCard} of ${r.deployments} ${mark(r.finalInThread === r.deployments && r.finalOnCard === r.deployments)}`,
      ),
      row('lines missing / doubled', (r) => {
        const missing = r.missing.final + r.missing.state + r.missing.progress;
        return `${missing} / ${r.doubled} ${mark(missing === 0 && r.doubled === 0)}`;
      }),
      row(
        'channel digests during stages (rows, most deployments in one)',
        (r) => `${r.digests.messages} (${r.digests.rows}, ${r.digests.maxDeployments})`,
      ),
      row(
        'thread messages during stages (text lines in them, most in one)',
        (r) => `${r.stageMessages.total} (${r.stageMessages.lines}, ${r.stageMessages.maxLinesInOne})`,
      ),
      row(
        '… led by a final / state / stage line',
        (r) =>
          `${r.stageMessages.byClass.final} / ${r.stageMessages.byClass.state} / ${r.stageMessages.byClass.progress}`,
      ),
      row('setup: requests and approvals in chat after', (r) => `${r.setup.seconds} s`),
      row('chat caught up after the last callback', (r) =>
        r.stages.caughtUp ? `${r.stages.drainSeconds} s` : `not within ${r.stages.drainSeconds} s ❌`,
      ),
      row('callback errors', (r) => Object.values(r.stages.errors).reduce((a, b) => a + b, 0)),
      row('app process: peak RSS, CPU', (r) => `${r.app.peakRssMb} MB, ${r.app.cpuSeconds} s`),
    ],
  );
  const calls = results.map(
    (r) =>
      `${r.platform} calls: ${Object.entries(mergeCalls(r))
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k} ×${n}`)
        .join(', ')}`,
  );
  return [
    `**Chat fan-out**: ${first.deployments} deployments in one channel, 12 stages each over ${first.durationSeconds} s ` +
      `(${first.stages.callbacks} requests), through the boot server, worker and notifier (npm start) to each fake.`,
    '',
    figures,
    '',
    ...calls.map((c) => `- ${c}`),
  ].join('\n');
}

function mergeCalls(r: PlatformFanout): Record<string, number> {
  const all: Record<string, number> = { ...r.setup.calls };
  for (const [k, n] of Object.entries(r.stages.calls)) all[k] = (all[k] ?? 0) + n;
  return all;
}
