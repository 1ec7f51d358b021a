import { table } from '../support/markdown.js';
import type { RackPowerOnResult } from './rack-power-on.js';

/** The open-loop benchmark as markdown: per-route latency of the main run, the sweep, the target. */
export function rackPowerOnMarkdown(r: RackPowerOnResult): string {
  const m = r.main;
  return [
    `### Rack power-on (open loop: ${m.machines} machines arriving at ${Math.round(m.arrivalRate)}/s)`,
    '',
    table(
      ['route', 'requests', 'p50 ms', 'p99 ms', 'max ms', 'errors'],
      m.routes.map((x) => [x.route, x.requests, x.latencyMs.p50, x.latencyMs.p99, x.latencyMs.max, x.errors]),
    ),
    '',
    table(
      ['arrival rate (machines/s)', 'machines', 'worst p99 ms', 'errors'],
      r.sweep.map((s) => [s.arrivalRate, s.machines, s.worstP99Ms, s.errors]),
    ),
    '',
    `Highest arrival rate with every route's p99 under ${r.p99TargetMs} ms: ` +
      (r.sustainableRate
        ? `${r.sustainableRate} machines/s per boot-server process.`
        : 'none of the rates tried.'),
    ...(m.examples.length ? ['', `First errors: ${m.examples.join('; ')}`] : []),
    '',
    table(
      ['target', 'goal', 'measured', 'met'],
      r.targets.map((t) => [t.name, t.target, t.measured, t.met ? 'yes' : 'no']),
    ),
  ].join('\n');
}
