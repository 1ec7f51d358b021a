import type { LatencySummary } from '../support/stats.js';
import type { Route } from './machines.js';
import type { WaveResult } from './storm.js';

/** One target of issue 10 and whether the run met it. */
export interface Target {
  name: string;
  target: string;
  measured: string;
  met: boolean;
}

export interface BootStormFigures {
  machines: number;
  inFlight: number;
  requests: number;
  seconds: number;
  /** 1-minute load average of the machine before and after the storm (other work skews the figures). */
  loadAverage: { before: number; after: number };
  waves: WaveResult[];
  routes: {
    route: Route;
    requests: number;
    /** App CPU time per request (user + system), a figure less sensitive to a busy machine than req/s. */
    cpuMsPerRequest: number;
    rps: number;
    latencyMs: LatencySummary;
    errors: number;
  }[];
  baseline: {
    scriptBytes: number;
    rps: number;
    /** Baseline CPU time per request: the figure a busy machine disturbs least. */
    cpuMsPerRequest?: number;
    roundsRps: number[];
    latencyMs: LatencySummary;
    errors: number;
  };
  /**
   * `/boot.ipxe` in rounds alternated with the baseline's (same client, same count), after the storm: the
   * stack's own cost, compared over enough requests to mean something.
   */
  entryScript?: { rps: number; cpuMsPerRequest: number; roundsRps: number[]; errors: number };
  errors: Record<string, number>;
  machinesLost: number;
  app: { peakRssMb: number; rssAfterWarmUpMb: number; cpuSeconds: number };
  /**
   * Where the machine's CPU went during the storm: the app, Postgres and Redis (every process of that
   * name), the load generator (the bench process) and the worker when one ran beside the boot server;
   * `available` is wall time × cores.
   */
  cpuSeconds?: {
    app: number;
    postgres: number;
    redis: number;
    loadGenerator: number;
    worker?: number;
    available: number;
  };
  callbacks: { sent: number; recorded: number; persisted: number; expected: number };
  deploymentsDone: number;
  systems: number;
}

export interface BootStormResult extends BootStormFigures {
  ipxeToBaseline: number;
  targets: Target[];
}

/**
 * Checks the figures against the targets: throughput of `/boot.ipxe` (the HTTP stack alone) and
 * `/ipxe/:mac` against the bare baseline, errors, persistence, memory. Latency is judged by the
 * rack power-on benchmark, where machines arrive as they do; a closed loop's latency is only
 * requests in flight ÷ throughput.
 */
export function judge(f: BootStormFigures): BootStormResult {
  const ipxe = f.routes.find((r) => r.route === '/ipxe/:mac')!;
  const ratio = Math.round((ipxe.rps / f.baseline.rps) * 100) / 100;
  const entry = f.entryScript ?? f.routes.find((r) => r.route === '/boot.ipxe')!;
  const entryRatio = Math.round((entry.rps / f.baseline.rps) * 100) / 100;
  const cpuRatio = (route: { cpuMsPerRequest: number }) =>
    f.baseline.cpuMsPerRequest
      ? ` (CPU per request ${Math.round((f.baseline.cpuMsPerRequest / route.cpuMsPerRequest) * 100) / 100}×)`
      : '';
  const errorCount =
    Object.values(f.errors).reduce((a, b) => a + b, 0) + (f.entryScript?.errors ?? 0) + f.baseline.errors;
  const { callbacks: cb } = f;
  const targets: Target[] = [
    {
      name: '/boot.ipxe throughput vs baseline',
      target: '≥ 0.8×',
      measured: `${entryRatio}× (${entry.rps} vs ${f.baseline.rps} req/s)${cpuRatio(entry)}`,
      met: entryRatio >= 0.8,
    },
    {
      name: '/ipxe/:mac throughput vs baseline',
      target: '≥ 0.5×',
      measured: `${ratio}× (${ipxe.rps} vs ${f.baseline.rps} req/s)${cpuRatio(ipxe)}`,
      met: ratio >= 0.5,
    },
    { name: 'errors', target: '0', measured: String(errorCount), met: errorCount === 0 },
    {
      name: 'callbacks persisted',
      target: `all ${cb.expected}`,
      measured: `${cb.persisted} rows for ${cb.recorded} answered`,
      met: cb.persisted === cb.expected && cb.recorded === cb.expected,
    },
    {
      name: 'peak RSS of the app process',
      target: '< 300 MB',
      measured: `${f.app.peakRssMb} MB`,
      met: f.app.peakRssMb < 300,
    },
  ];
  return { ...f, ipxeToBaseline: ratio, targets };
}
