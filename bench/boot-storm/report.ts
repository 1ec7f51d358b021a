import { mark, table } from '../support/markdown.js';
import type { BootStormResult } from './targets.js';

/** The boot storm's figures as markdown: per-route table, baseline, targets. */
export function bootStormMarkdown(r: BootStormResult): string {
  const routes = table(
    ['route', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'app CPU ms/req', 'errors'],
    [
      ...r.routes
        .filter((x) => x.requests)
        .map((x) => [
          x.route,
          x.requests,
          x.rps,
          x.latencyMs.p50,
          x.latencyMs.p99,
          x.latencyMs.max,
          x.cpuMsPerRequest,
          x.errors,
        ]),
      ...(r.entryScript
        ? [
            [
              '/boot.ipxe, alternated rounds',
              r.baseline.latencyMs.count,
              r.entryScript.rps,
              '',
              '',
              '',
              r.entryScript.cpuMsPerRequest,
              r.entryScript.errors,
            ],
          ]
        : []),
      [
        `baseline (node:http, ${r.baseline.scriptBytes} B)`,
        r.baseline.latencyMs.count,
        r.baseline.rps,
        r.baseline.latencyMs.p50,
        r.baseline.latencyMs.p99,
        r.baseline.latencyMs.max,
        r.baseline.cpuMsPerRequest ?? '',
        r.baseline.errors,
      ],
    ],
  );
  const targets = table(
    ['target', 'wanted', 'measured', 'met'],
    r.targets.map((t) => [t.name, t.target, t.measured, mark(t.met)]),
  );
  const errors = Object.entries(r.errors);
  return [
    `**Boot storm**: ${r.machines} machines (half Windows Server 2025, half Ubuntu 24.04), ${r.inFlight} requests in flight, ` +
      `${r.requests} requests in ${r.seconds} s; app process used ${r.app.cpuSeconds} s of CPU, peak RSS ${r.app.peakRssMb} MB (${r.app.rssAfterWarmUpMb} MB before the storm). ` +
      `Baseline rounds: ${r.baseline.roundsRps.join(', ')} req/s (median taken)` +
      (r.entryScript
        ? `, alternated with /boot.ipxe rounds: ${r.entryScript.roundsRps.join(', ')} req/s (CPU ${r.entryScript.cpuMsPerRequest} ms per request). `
        : '. ') +
      `Load average before/after: ${r.loadAverage.before}/${r.loadAverage.after}.`,
    ...(r.cpuSeconds
      ? [
          '',
          `CPU during the storm (${r.cpuSeconds.available} s available on all cores): app ${r.cpuSeconds.app} s, ` +
            `Postgres ${r.cpuSeconds.postgres} s, Redis ${r.cpuSeconds.redis} s, load generator ${r.cpuSeconds.loadGenerator} s` +
            (r.cpuSeconds.worker === undefined ? '' : `, worker beside it ${r.cpuSeconds.worker} s`) +
            '. ' +
            `/boot.ipxe, a constant script through the same Koa stack, ran at ${bootIpxeRatio(r)}× the baseline.`,
        ]
      : []),
    '',
    routes,
    '',
    targets,
    ...(errors.length ? ['', `Errors: ${errors.map(([k, n]) => `${k} ×${n}`).join('; ')}`] : []),
  ].join('\n');
}

/** /boot.ipxe's throughput against the baseline: what the HTTP stack alone allows a route. */
function bootIpxeRatio(r: BootStormResult): number {
  const route = r.entryScript ?? r.routes.find((x) => x.route === '/boot.ipxe');
  return route ? Math.round((route.rps / r.baseline.rps) * 100) / 100 : Number.NaN;
}
