import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import { type Config, loadConfig } from '../../core/config/index.js';
import { createQueues } from '../../core/queues.js';
import { testArtifactsDir } from '../../test/support/test-artifacts.js';
import { benchDatabaseUrl, dropBenchDatabase } from './bench-database.js';
import { freePort, ROOT, spawnNpmScript, type WatchedChild } from './child-process.js';
import { onCleanup } from './cleanup.js';

/** One throw-away Octofleet installation: its own database, Redis prefix, ports and secrets. */
export interface Installation {
  env: Record<string, string>;
  config: Config;
  /** `http://127.0.0.1:<BOOT_PORT>` and `http://127.0.0.1:<API_PORT>`. */
  bootOrigin: string;
  apiOrigin: string;
  apiToken: string;
  /** Runs `npm run <script>` (boot-server, start, …) on this installation; resolves once it logged "ready". */
  launch(script: string, opts: { logFile: string; profileDir?: string }): Promise<WatchedChild>;
  /** Empties its queues and drops its database. */
  dispose(): Promise<void>;
}

export async function createInstallation(extra: Record<string, string> = {}): Promise<Installation> {
  const [bootPort, apiPort] = [await freePort(), await freePort()];
  const bootOrigin = `http://127.0.0.1:${bootPort}`;
  const apiToken = randomBytes(24).toString('base64url');
  const env: Record<string, string> = {
    DATABASE_URL: benchDatabaseUrl(),
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `bench${randomBytes(4).toString('hex')}`,
    SECRET_KEY: randomBytes(32).toString('hex'),
    BOOT_HOST: '127.0.0.1',
    BOOT_PORT: String(bootPort),
    API_HOST: '127.0.0.1',
    API_PORT: String(apiPort),
    API_TOKEN: apiToken,
    PUBLIC_BOOT_URL: bootOrigin,
    LOG_LEVEL: 'info',
    // Every catalog file, empty: the boot server refuses to serve an install whose local files are
    // missing, and requests of such an image are refused too.
    ARTIFACTS_DIR: testArtifactsDir(),
    ...extra,
  };
  const config = loadConfig(env);
  const dispose = onCleanup(async () => {
    const queues = createQueues(config);
    await queues.obliterate().catch(() => {});
    // The notifier's card cache and rate-limit logs live under the prefix too, outside the queues.
    await deleteKeys(queues.connection, `${config.QUEUE_PREFIX}:*`);
    await queues.close();
    await dropBenchDatabase(config.DATABASE_URL);
  });
  return {
    env,
    config,
    bootOrigin,
    apiOrigin: `http://127.0.0.1:${apiPort}`,
    apiToken,
    async launch(script, opts) {
      const nodeOptions = [
        process.env.NODE_OPTIONS,
        opts.profileDir ? `--import ${ROOT}bench/support/cpu-profile.mjs` : undefined,
        // What-if runs: `BENCH_APP_NODE_OPTIONS=--max-old-space-size=256 npm run bench -- boot-storm`.
        process.env.BENCH_APP_NODE_OPTIONS,
      ].filter(Boolean);
      const child = await spawnNpmScript(script, [], 'cli/start.ts', {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          NODE_ENV: 'production',
          ...(nodeOptions.length ? { NODE_OPTIONS: nodeOptions.join(' ') } : {}),
          ...(opts.profileDir ? { BENCH_CPU_PROFILE_DIR: opts.profileDir } : {}),
          ...env,
        },
        logFile: opts.logFile,
      });
      const role = script === 'start' ? 'all' : script;
      await waitForLog(opts.logFile, `"msg":"${role} ready"`, child);
      return child;
    },
    dispose,
  };
}

async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** Waits until the process logged `needle` (start-up takes migrations, Redis and chat connections). */
async function waitForLog(file: string, needle: string, child: WatchedChild, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const text = await readFile(file, 'utf8').catch(() => '');
    if (text.includes(needle)) return;
    if (child.child.exitCode !== null) {
      throw new Error(`the app exited with ${child.child.exitCode} before it was ready; see ${file}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the app did not log ${needle} within ${timeoutMs} ms; see ${file}`);
}
