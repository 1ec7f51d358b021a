import { Counter, collectDefaultMetrics, Histogram, type Metric, Registry } from 'prom-client';

/** Outcomes of `GET /ipxe/:mac`: which script a machine got, or `error` when none could be rendered. */
export type IpxeOutcome = 'waiting' | 'install' | 'local' | 'error';

/** The metrics the boot server records. */
export interface BootServerMetrics {
  /** `octofleet_ipxe_renders_total{outcome}` */
  ipxeRenders: Counter<'outcome'>;
  /** `octofleet_callbacks_total{stage,outcome}`; stage is a documented stage name or `invalid`. */
  callbacks: Counter<'stage' | 'outcome'>;
  /** `octofleet_artifact_renders_total{outcome}` */
  artifactRenders: Counter<'outcome'>;
  /** `octofleet_http_request_duration_seconds{listener,method,route,status}`; route is the route pattern. */
  httpDuration: Histogram<'listener' | 'method' | 'route' | 'status'>;
}

/**
 * A Prometheus registry for one process, with Node's default metrics and every Octofleet metric
 * definition registered. Roles share it (`npm start` runs all of them in one process) and expose it on
 * the admin listener's `/metrics`; workers register theirs with get-or-create accessors like
 * {@link bootServerMetrics}.
 * @param opts.defaultMetrics process metrics (CPU, memory, event loop). @defaultValue true
 */
export function createMetricsRegistry(opts: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app: 'octofleet' });
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  bootServerMetrics(registry);
  return registry;
}

/** The boot server's metrics in `registry`, created on first use. */
export function bootServerMetrics(registry: Registry): BootServerMetrics {
  return {
    ipxeRenders: getOrCreate(
      registry,
      'octofleet_ipxe_renders_total',
      (name) =>
        new Counter({
          name,
          help: 'Per-MAC iPXE scripts served, by outcome (waiting, install, local, error)',
          labelNames: ['outcome'],
          registers: [registry],
        }),
    ),
    callbacks: getOrCreate(
      registry,
      'octofleet_callbacks_total',
      (name) =>
        new Counter({
          name,
          help: 'Installer callbacks received, by stage and outcome (recorded, ignored, rejected)',
          labelNames: ['stage', 'outcome'],
          registers: [registry],
        }),
    ),
    artifactRenders: getOrCreate(
      registry,
      'octofleet_artifact_renders_total',
      (name) =>
        new Counter({
          name,
          help: 'Per-deployment artifacts served, by outcome (ok, not_found, error)',
          labelNames: ['outcome'],
          registers: [registry],
        }),
    ),
    httpDuration: getOrCreate(
      registry,
      'octofleet_http_request_duration_seconds',
      (name) =>
        new Histogram({
          name,
          help: 'HTTP request latency by listener (boot, admin), method, route pattern and status',
          labelNames: ['listener', 'method', 'route', 'status'],
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
          registers: [registry],
        }),
    ),
  };
}

function getOrCreate<T extends Metric>(registry: Registry, name: string, create: (name: string) => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create(name);
}
