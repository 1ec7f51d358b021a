import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createQueues } from '../../core/queues.js';
import { testArtifactsDir } from './test-artifacts.js';
import { dropDatabase, testDatabaseUrl } from './test-database.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** `npm start` (every role, shell chat on stdout) on a fresh database, queue prefix and free ports. */
export interface RunningApp {
  boot: string;
  api: string;
  apiToken: string;
  /** Everything printed so far: the shell adapter's chat. */
  stdout(): string;
  /** Resolves when stdout (or stderr) matches; rejects with both after `timeoutMs`. */
  printed(pattern: RegExp, stream?: 'stdout' | 'stderr', timeoutMs?: number): Promise<RegExpExecArray>;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export async function startApp(extraEnv: Record<string, string> = {}): Promise<RunningApp> {
  const apiToken = `e2e-${randomBytes(12).toString('hex')}`;
  const [bootPort, apiPort] = [await freePort(), await freePort()];
  const boot = `http://127.0.0.1:${bootPort}`;
  const env = {
    DATABASE_URL: testDatabaseUrl(),
    QUEUE_PREFIX: `t${randomBytes(5).toString('hex')}`,
    SECRET_KEY: randomBytes(32).toString('hex'),
    BOOT_HOST: '127.0.0.1',
    API_HOST: '127.0.0.1',
    API_TOKEN: apiToken,
    SHELL_USER: 'ops',
    LOG_LEVEL: 'info',
    NODE_ENV: 'test',
    BOOT_PORT: String(bootPort),
    API_PORT: String(apiPort),
    PUBLIC_BOOT_URL: boot,
    // Every catalog and test image file, empty: deployments pass the preflight and the boot's file check.
    ARTIFACTS_DIR: testArtifactsDir(),
    ...extraEnv,
  };
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const key of ['DISCORD_TOKEN', 'SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET'])
    delete childEnv[key];
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  // Its own process group, so a signal reaches npm, tsx and node alike.
  const app: ChildProcess = spawn('npm', ['start', '--silent'], {
    cwd: ROOT,
    env: childEnv,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  app.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    for (const l of [...listeners]) l();
  });
  app.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    for (const l of [...listeners]) l();
  });
  const printed: RunningApp['printed'] = (pattern, stream = 'stdout', timeoutMs = 30_000) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const m = pattern.exec(stream === 'stdout' ? stdout : stderr);
        if (!m) return;
        listeners.delete(check);
        clearTimeout(timer);
        resolve(m);
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(
          new Error(
            `${stream} never matched ${pattern}\n--- stdout\n${stdout}\n--- stderr (tail)\n${stderr.slice(-3000)}`,
          ),
        );
      }, timeoutMs);
      listeners.add(check);
      check();
    });
  await printed(/"msg":"all ready"/, 'stderr', 60_000);
  return {
    boot,
    api: `http://127.0.0.1:${apiPort}`,
    apiToken,
    stdout: () => stdout,
    printed,
    async stop() {
      try {
        if (app.pid) process.kill(-app.pid, 'SIGKILL');
      } catch {
        // the group already exited
      }
      const queues = createQueues({
        REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        QUEUE_PREFIX: env.QUEUE_PREFIX,
      });
      await queues.obliterate();
      await queues.close();
      await dropDatabase(env.DATABASE_URL);
    },
  };
}
