import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import type Koa from 'koa';
import type { Registry } from 'prom-client';
import type { Core } from '../core/create-core.js';
import { bootServerMetrics, createMetricsRegistry } from '../core/metrics.js';
import { type AdminAppOptions, createAdminApp } from './admin-app.js';
import { createBootApp } from './boot-app.js';
import type { BootServerDeps } from './deps.js';
import { createFileBody } from './file-body.js';
import { createArtifactCheck } from './ipxe/artifact-check.js';
import { DEFAULT_RETRY, type RetryPolicy } from './ipxe/scripts.js';
import type { AdminMount } from './middleware/admin-mounts.js';

export type { AdminMount } from './middleware/admin-mounts.js';

export interface BootServerOptions {
  /** Registry the metrics go to and /metrics exposes. @defaultValue a new {@link createMetricsRegistry} */
  metrics?: Registry;
  /** Raw handlers on the admin listener, outside bearer auth and body parsing (Slack's `/slack/events`). */
  adminMounts?: AdminMount[];
  /** Seconds the waiting script sleeps before it asks again. @defaultValue 15 */
  pollSeconds?: number;
  /** Retry loop of fetches in iPXE scripts. @defaultValue 5 attempts, 5 s apart, 30 s give-up pause */
  retry?: Partial<RetryPolicy>;
  /** Dashboard tuning: live stream heartbeat and buffer, sign-in rate limit. */
  dashboard?: AdminAppOptions;
  /** `/files/` bodies through the sendfile addon when it is built. Tests switch it off to cover the
   * JavaScript path. @defaultValue true */
  sendfile?: boolean;
}

export interface BootServer {
  /** Public listener app: /boot.ipxe, /ipxe/:mac, /d/:token/:artifact, /cb/:token, /files/*, /healthz. */
  bootApp: Koa;
  /** Admin listener app: /api/v1/…, /metrics and the admin mounts. */
  apiApp: Koa;
  /** Listens on BOOT_HOST:BOOT_PORT and API_HOST:API_PORT (0 picks a free port); resolves the ports. */
  start(): Promise<{ bootPort: number; apiPort: number }>;
  /**
   * Stops accepting connections, lets requests in flight finish for up to `graceMs` (then cuts them),
   * and closes the Redis client. @defaultValue graceMs 10000
   */
  stop(opts?: { graceMs?: number }): Promise<void>;
}

/** The Koa boot server (docs/architecture.md): a public boot listener and an admin API listener. */
export function createBootServer(core: Core, opts: BootServerOptions = {}): BootServer {
  const registry = opts.metrics ?? createMetricsRegistry();
  let redis: Redis | undefined;
  const deps: BootServerDeps = {
    core,
    registry,
    metrics: bootServerMetrics(registry),
    retry: { ...DEFAULT_RETRY, ...opts.retry },
    pollSeconds: opts.pollSeconds ?? 15,
    artifacts: createArtifactCheck(core.config.ARTIFACTS_DIR),
    bootLoopLimit: core.config.BOOT_LOOP_LIMIT,
    fileBody: createFileBody({ sendfile: opts.sendfile }),
    pingRedis: async () => {
      if (!redis) {
        redis = new Redis(core.config.REDIS_URL, {
          lazyConnect: true,
          maxRetriesPerRequest: 1,
          connectTimeout: 2000,
        });
        redis.on('error', () => {}); // reported by /healthz, not as unhandled errors
      }
      return (await redis.ping()) === 'PONG';
    },
  };
  const boot = createBootApp(deps);
  const admin = createAdminApp(deps, opts.adminMounts ?? [], opts.dashboard);
  const servers: Server[] = [];

  return {
    bootApp: boot.app,
    apiApp: admin.app,
    async start() {
      const { config } = core;
      // API_TOKEN off loopback is a configuration rule: loadConfig refused to start without it.
      const bootPort = await listen(boot.handler, config.BOOT_HOST, config.BOOT_PORT, servers);
      const apiPort = await listen(admin.app.callback(), config.API_HOST, config.API_PORT, servers);
      core.logger.info(
        {
          boot: `${config.BOOT_HOST}:${bootPort}`,
          api: `${config.API_HOST}:${apiPort}`,
          publicBootUrl: config.publicBootUrl,
          filesBody: deps.fileBody.mode,
        },
        'boot server listening',
      );
      if (deps.fileBody.reason) {
        core.logger.warn(
          { reason: deps.fileBody.reason },
          'sendfile addon not used: /files/ is served through the JavaScript path (about half the throughput)',
        );
      }
      return { bootPort, apiPort };
    },
    async stop({ graceMs = 10_000 } = {}) {
      // Live streams never finish by themselves: end them so the listener can close.
      await admin.close();
      await Promise.all(
        servers.splice(0).map(
          (server) =>
            new Promise<void>((done) => {
              const cut = setTimeout(() => server.closeAllConnections(), graceMs);
              server.close(() => {
                clearTimeout(cut);
                done();
              });
              server.closeIdleConnections();
            }),
        ),
      );
      redis?.disconnect();
      redis = undefined;
    },
  };
}

function listen(handler: RequestListener, host: string, port: number, servers: Server[]): Promise<number> {
  const server = createServer(handler);
  servers.push(server);
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      done((server.address() as AddressInfo).port);
    });
  });
}
