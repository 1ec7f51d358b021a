import { EventEmitter, once } from 'node:events';
import { Writable } from 'node:stream';
import type { Registry } from 'prom-client';
import {
  type BootServer,
  type BootServerOptions,
  createBootServer,
} from '../../../boot-server/create-boot-server.js';
import type { Core } from '../../../core/create-core.js';
import { createLogger } from '../../../core/logger.js';
import { createMetricsRegistry } from '../../../core/metrics.js';
import { createTestCore } from '../../support/test-core.js';

export const TEST_API_TOKEN = 'test-api-token-0123456789abcdef';

/** A running boot server on a fresh database, both listeners on 127.0.0.1 with free ports. */
export interface TestBootServer {
  core: Core;
  server: BootServer;
  registry: Registry;
  /** Base URLs of the two listeners as this process reaches them. */
  boot: string;
  api: string;
  /** Every log line written, parsed. */
  logs: Record<string, unknown>[];
  /** Resolves once the lines logged so far satisfy `test` (checked on every new line). */
  waitForLogs(test: (logs: Record<string, unknown>[]) => boolean, timeoutMs: number): Promise<void>;
  /** fetch against the admin API with the bearer token (JSON body when `json` is given). */
  apiFetch(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

export async function startTestBootServer(
  env: Record<string, string> = {},
  opts: BootServerOptions = {},
): Promise<TestBootServer> {
  const base = await createTestCore({
    BOOT_HOST: '127.0.0.1',
    BOOT_PORT: '0',
    API_HOST: '127.0.0.1',
    API_PORT: '0',
    API_TOKEN: TEST_API_TOKEN,
    ...env,
  });
  const logs: Record<string, unknown>[] = [];
  const logged = new EventEmitter();
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(line));
      logged.emit('line');
      done();
    },
  });
  const core: Core = { ...base, logger: createLogger({ level: 'debug', destination: sink }) };
  const registry = opts.metrics ?? createMetricsRegistry({ defaultMetrics: false });
  const server = createBootServer(core, { pollSeconds: 1, ...opts, metrics: registry });
  const { bootPort, apiPort } = await server.start();
  const api = `http://127.0.0.1:${apiPort}`;
  return {
    core,
    server,
    registry,
    boot: `http://127.0.0.1:${bootPort}`,
    api,
    logs,
    async waitForLogs(test, timeoutMs) {
      const signal = AbortSignal.timeout(timeoutMs);
      while (!test(logs)) await once(logged, 'line', { signal });
    },
    apiFetch(path, init = {}) {
      const { json, ...rest } = init;
      const headers = new Headers(rest.headers);
      headers.set('authorization', `Bearer ${TEST_API_TOKEN}`);
      if (json !== undefined) headers.set('content-type', 'application/json');
      return fetch(`${api}${path}`, {
        ...rest,
        headers,
        body: json !== undefined ? JSON.stringify(json) : rest.body,
      });
    },
    async close() {
      await server.stop();
      await base.close();
    },
  };
}

/** A tiny `linux` image whose files live under /files/tiny/. */
export const TINY_IMAGE = {
  id: 'tinylinux',
  name: 'Tiny Linux',
  family: 'linux',
  boot: {
    method: 'linux',
    kernel: 'tiny/vmlinuz',
    initrd: ['tiny/initrd.gz'],
    cmdline: 'console=ttyS0 cb={{callbackUrl}} host={{deployment.hostname}}',
  },
} as const;

/** Reads one counter value from the registry (0 when absent). */
export async function counterValue(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  const found = values.find((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want));
  return found?.value ?? 0;
}
