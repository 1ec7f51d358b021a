import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../../core/config/index.js';

const SCRIPT = fileURLToPath(new URL('./worker-process.ts', import.meta.url));

/** One JSON line the child printed: a chat call that took effect, `held`, or `ready`. */
export interface ChildLine {
  action?: string;
  deploymentId?: number;
  /** Set on the calls of a batch's card and thread. */
  batchId?: number;
  text?: string;
  /** Card status, on `updateCard`. */
  status?: string;
  held?: string;
  ready?: boolean;
}

/** A worker in a child process (see worker-process.ts) and everything it printed. */
export class ChildWorker {
  readonly lines: ChildLine[] = [];
  private readonly child: ChildProcess;
  private readonly waiters: (() => void)[] = [];
  readonly exited: Promise<number | null>;

  constructor(config: Config, env: Record<string, string> = {}) {
    // node itself with tsx's loader, not the tsx wrapper: a SIGKILL must hit the worker, not a parent.
    this.child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        DATABASE_URL: config.DATABASE_URL,
        REDIS_URL: config.REDIS_URL,
        QUEUE_PREFIX: config.QUEUE_PREFIX,
        SECRET_KEY: config.SECRET_KEY ?? '',
        PUBLIC_BOOT_URL: config.publicBootUrl,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      this.lines.push(JSON.parse(line) as ChildLine);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Resolves once a printed line satisfies `match`. */
  async waitFor(match: (line: ChildLine) => boolean, what: string, timeoutMs = 30_000): Promise<ChildLine> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find(match);
      if (found) return found;
      if (Date.now() > until) throw new Error(`child worker never printed ${what}`);
      await Promise.race([
        new Promise<void>((resolve) => this.waiters.push(resolve)),
        this.exited.then(() => {
          throw new Error(`child worker exited before printing ${what}`);
        }),
        new Promise((resolve) => setTimeout(resolve, until - Date.now())),
      ]);
    }
  }

  /** SIGKILL: no clean-up at all, as a crash or an OOM kill. */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM: drains and exits 0. */
  async stop(): Promise<number | null> {
    this.child.kill('SIGTERM');
    return this.exited;
  }
}
