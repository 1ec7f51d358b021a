import { type ChildProcess, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onCleanup } from './cleanup.js';

/** The repository root: children run from here so `--import tsx` and relative config paths resolve. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A process under test, with its memory and CPU watched from outside through /proc. */
export interface WatchedChild {
  /** What was spawned (npm, or node itself). */
  child: ChildProcess;
  /** The process that runs the code: memory and CPU are read from this one. */
  pid: number;
  /** Highest resident set size so far (the kernel's VmHWM), MB; null once it has exited. */
  peakRssMb(): Promise<number | null>;
  /** Resident set size now, MB. */
  rssMb(): Promise<number | null>;
  /** CPU time (user + system) used so far, seconds. */
  cpuSeconds(): Promise<number>;
  /** SIGTERM to the code's process, SIGKILL to it and its parent after 15 s; resolves once exited. */
  stop(): Promise<void>;
}

interface SpawnOptions {
  env: NodeJS.ProcessEnv;
  /** stdout and stderr go here. */
  logFile: string;
}

/**
 * Runs `npm run <script> -- <args>` as an operator would (so flags set in package.json count), and
 * watches the node process at the bottom of npm → tsx → node that runs `entry`.
 */
export async function spawnNpmScript(
  script: string,
  args: string[],
  entry: string,
  opts: SpawnOptions,
): Promise<WatchedChild> {
  const child = launch('npm', ['run', '--silent', script, ...(args.length ? ['--', ...args] : [])], opts);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const pid = await deepestDescendant(child.pid!, (cmdline) => cmdline.includes(entry));
    if (pid !== null && (await isNodeRunning(pid, entry))) return watch(child, pid);
    if (child.exitCode !== null) throw new Error(`npm run ${script} exited with ${child.exitCode}`);
    if (Date.now() > deadline) {
      // Leave nothing running behind a failed start (it would skew every later run on this machine).
      await killTree(child.pid!);
      throw new Error(`npm run ${script}: no node process runs ${entry}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts a TypeScript entry point as its own node process (`node --import tsx`, no wrapper in between). */
export function spawnTs(entry: string, opts: SpawnOptions & { nodeArgs?: string[] }): WatchedChild {
  const child = launch(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', entry], opts);
  return watch(child, child.pid!);
}

/** SIGKILLs a process and everything below it. */
async function killTree(pid: number): Promise<void> {
  const children = await childrenByParent();
  const all: number[] = [];
  const walk = (p: number) => {
    all.push(p);
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  for (const p of all.reverse()) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function launch(command: string, args: string[], opts: SpawnOptions): ChildProcess {
  const log = openSync(opts.logFile, 'w');
  const child = spawn(command, args, { cwd: ROOT, env: opts.env, stdio: ['ignore', log, log] });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  return child;
}

function watch(child: ChildProcess, pid: number): WatchedChild {
  const exited = new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done();
    else child.once('exit', () => done());
  });
  const stop = onCleanup(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
    const timer = setTimeout(() => {
      process.emitWarning(`process ${pid} did not stop within 15 s of SIGTERM; killing it`);
      for (const p of [pid, child.pid!]) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }, 15_000);
    await exited;
    clearTimeout(timer);
  });
  return {
    child,
    pid,
    peakRssMb: async () => statusField(pid, 'VmHWM'),
    rssMb: async () => statusField(pid, 'VmRSS'),
    cpuSeconds: () => cpuSeconds(pid),
    stop,
  };
}

/** A `kB` field of /proc/<pid>/status, in MB; null when the process is gone. */
async function statusField(pid: number, field: 'VmHWM' | 'VmRSS'): Promise<number | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1];
    return kb ? Number(kb) / 1024 : null;
  } catch {
    return null;
  }
}

/** utime + stime of /proc/<pid>/stat, in seconds (Linux's USER_HZ is 100). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The deepest process under `root` whose command line matches, or null. */
/** Every process's children, from /proc. */
async function childrenByParent(): Promise<Map<number, number[]>> {
  const children = new Map<number, number[]>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // exited while we looked
    }
  }
  return children;
}

async function deepestDescendant(root: number, match: (cmdline: string) => boolean): Promise<number | null> {
  const children = await childrenByParent();
  let found: number | null = null;
  const walk = async (pid: number) => {
    for (const kid of children.get(pid) ?? []) {
      if (match(await cmdline(kid))) found = kid;
      await walk(kid);
    }
  };
  await walk(root);
  return found;
}

async function cmdline(pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ');
}

/**
 * True for the node process that loads `entry` through tsx's loader: started by the tsx CLI (which stays
 * above it as a wrapper) or directly as `node --import tsx` (as `npm run boot-server` does).
 */
async function isNodeRunning(pid: number, entry: string): Promise<boolean> {
  const line = await cmdline(pid);
  // `sh -c "node --import tsx cli/start.ts …"` (npm's shell) matches the rest until it has forked node.
  const isNode = /^node\d*$/.test(basename(line.split(' ')[0] ?? ''));
  return isNode && line.includes(entry) && (line.includes('tsx/dist/loader') || / --import tsx /.test(line));
}

/** A TCP port nobody listens on right now (for a child that must be told its port up front). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 200, the child exits, or `timeoutMs` passes. */
export async function waitUntilUp(url: string, child: WatchedChild, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.child.exitCode !== null)
      throw new Error(`${url}: the process exited with ${child.child.exitCode}`);
    try {
      const answer = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await answer.arrayBuffer();
      if (answer.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}
