// `npm start` in a real pseudo-terminal (script(1) from util-linux), as a newcomer runs it: the banner,
// a clean chat, warnings above the prompt (never inside it), no JSON on the screen, and the preflight
// refusing an image whose files are missing.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueues } from '../../core/queues.js';
import { freePort } from '../support/free-port.js';
import { renderTerminal } from '../support/terminal-model.js';
import { dropDatabase, testDatabaseUrl } from '../support/test-database.js';
import { skipUnlessInstalled } from '../support/tools/suite-needs.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const API_TOKEN = `tty-${randomBytes(12).toString('hex')}`;
const work = mkdtempSync(join(tmpdir(), 'octofleet-tty-'));
const artifacts = join(work, 'artifacts');
const logFile = join(work, 'octofleet.log');
const lan = Object.values(networkInterfaces())
  .flat()
  .find((a) => a?.family === 'IPv4' && !a.internal)?.address;
const env = {
  DATABASE_URL: testDatabaseUrl(),
  QUEUE_PREFIX: `t${randomBytes(5).toString('hex')}`,
  BOOT_HOST: '127.0.0.1',
  API_HOST: '127.0.0.1',
  API_TOKEN,
  SHELL_USER: 'ops',
  ARTIFACTS_DIR: artifacts,
  LOG_FILE: logFile,
  NODE_ENV: 'development',
  // No SECRET_KEY: its warning is the first thing to show above the prompt.
};

let app: ChildProcess;
let raw = '';
let bootPort = 0;
let api = '';
const listeners = new Set<() => void>();
const screen = () => renderTerminal(raw);

/** Resolves when the rendered screen matches. */
function shown(pattern: RegExp, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!pattern.test(screen().join('\n'))) return;
      listeners.delete(check);
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      listeners.delete(check);
      reject(new Error(`the screen never showed ${pattern}:\n${screen().join('\n')}`));
    }, timeoutMs);
    listeners.add(check);
    check();
  });
}

const type = (text: string) => app.stdin!.write(text);

const needs = skipUnlessInstalled(import.meta.filename, ['bsdutils']);

beforeAll(async () => {
  if (needs) return;
  mkdirSync(join(artifacts, 'debian/12'), { recursive: true });
  writeFileSync(join(artifacts, 'debian/12/linux'), 'kernel');
  writeFileSync(join(artifacts, 'debian/12/initrd.gz'), 'initrd');
  writeFileSync(join(artifacts, 'debian/12/firmware.cpio.gz'), 'firmware');
  bootPort = await freePort();
  const apiPort = await freePort();
  api = `http://127.0.0.1:${apiPort}`;
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...env,
    BOOT_PORT: String(bootPort),
    API_PORT: String(apiPort),
    TERM: 'xterm',
  };
  for (const key of [
    'DISCORD_TOKEN',
    'SLACK_BOT_TOKEN',
    'SLACK_APP_TOKEN',
    'SLACK_SIGNING_SECRET',
    'PUBLIC_BOOT_URL',
    'SECRET_KEY',
  ])
    delete childEnv[key];
  // script(1) gives `npm start` a pseudo-terminal as stdin, stdout and stderr, and copies what it
  // draws to our pipe: -q no banner, -f flush at once, -e pass the exit status, -c the command.
  app = spawn('script', ['-qfec', 'npm start --silent', '/dev/null'], {
    cwd: ROOT,
    env: childEnv,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  app.stdout!.on('data', (chunk: Buffer) => {
    raw += chunk.toString('utf8');
    for (const l of [...listeners]) l();
  });
  await shown(/Before the first real machine: npm run doctor\n>$/, 90_000);
}, 120_000);

afterAll(async () => {
  if (app?.pid) {
    try {
      process.kill(-app.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const queues = createQueues({
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: env.QUEUE_PREFIX,
  });
  await queues.obliterate();
  await queues.close();
  await dropDatabase(env.DATABASE_URL);
  rmSync(work, { recursive: true, force: true });
});

const apiGet = (path: string) =>
  fetch(`${api}${path}`, { headers: { authorization: `Bearer ${API_TOKEN}` } }).then((r) => r.json());

describe.skipIf(needs)('npm start in a terminal', () => {
  it('greets with a banner naming the boot URL and warning that it was guessed', () => {
    const lines = screen();
    const at = lines.findIndex((l) => l.startsWith('Octofleet '));
    expect(lines[at]).toMatch(/^Octofleet \d+\.\d+\.\d+ — running bot, boot-server, worker$/);
    const bootUrl = `http://${lan ?? '127.0.0.1'}:${bootPort}`;
    expect(lines).toContain(`  Boot URL   ${bootUrl}   (machines fetch ${bootUrl}/boot.ipxe)`);
    expect(lines.some((l) => l.startsWith(`  ⚠️  PUBLIC_BOOT_URL is not set: guessed ${bootUrl}`))).toBe(true);
    expect(lines).toContain(`  Admin API  ${api}/api/v1`);
    expect(lines).toContain(`  Dashboard  ${api}/`);
    expect(lines).toContain('  Chat       shell (this terminal)');
    expect(lines.some((l) => l.startsWith('Next: type /images, then /deploy mac:'))).toBe(true);
    expect(screen().at(-1)).toBe('>');
  });

  it('/images shows which images are ready and which files the others miss', async () => {
    type('/images\r');
    await shown(/^ws2025 · .*$/m);
    const lines = screen();
    expect(lines).toContain('debian12 · Debian 12 (bookworm) · ✅ ready');
    expect(lines).toContain(
      'ubuntu2404 · Ubuntu Server 24.04 LTS · ❌ missing: kernel ubuntu/24.04/vmlinuz, initrd ubuntu/24.04/initrd (+1 more)',
    );
  });

  it('refuses /deploy of an image with a missing file, naming it, and creates nothing', async () => {
    type('/deploy mac:52:54:00:77:00:01 os:ubuntu2404\r');
    await shown(/⚠️ ubuntu2404 cannot boot:/);
    const reply = screen().find((l) => l.startsWith('⚠️ ubuntu2404 cannot boot:'));
    expect(reply).toContain(
      `missing in ARTIFACTS_DIR (${artifacts}): kernel ubuntu/24.04/vmlinuz, initrd ubuntu/24.04/initrd`,
    );
    expect((await apiGet('/api/v1/deployments')).total).toBe(0);
  });

  it('keeps JSON off the screen and warnings out of the prompt through /deploy and /approve', async () => {
    type('/deploy mac:52:54:00:77:00:02 os:debian12 hostname:tty01\r');
    await shown(/┌─ Deployment #1: Debian 12 \(bookworm\) → tty01/);
    type('/approve 1\r');
    await shown(/\[#1\] 👍 Approved by ops\./);
    await shown(/~ #1 👍 Approved/);
    // Half a command typed, then a warning arrives: Postgres drops the image-change LISTEN connection.
    type('/deploy-st');
    await shown(/^> \/deploy-st$/m);
    const client = new pg.Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    await client.query(
      "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and query ilike 'listen%'",
    );
    await client.end();
    await shown(/⚠️ \d\d:\d\d:\d\d image change notifications interrupted/);
    // The warning printed above the prompt, which came back with what was typed.
    await shown(/image change notifications interrupted[^\n]*\n(?:[^\n]*\n)*> \/deploy-st$/);
    type('atus 1\r');
    await shown(/Latest events:/);

    const lines = screen();
    expect(lines.filter((l) => /^\s*\{|"level"|"msg"/.test(l))).toEqual([]);
    // Every prompt line holds the prompt and what was typed, nothing printed into it.
    expect(lines.filter((l) => l.startsWith('>')).filter((l) => !/^>( \/[\w-]+( .*)?)?$/.test(l))).toEqual(
      [],
    );
    // The full log went to the file, as JSON lines.
    const logged = readFileSync(logFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(logged.some((l) => l.msg === 'all ready' && l.bootUrl)).toBe(true);
    expect(logged.some((l) => l.msg === 'configuration' && l.config)).toBe(true);
  });

  it('stops on Ctrl-C', { timeout: 30_000 }, async () => {
    const exited = new Promise<number | null>((resolve) => app.on('exit', resolve));
    type('\x03');
    await shown(/Stopping: draining connections and jobs …$/);
    expect(await exited).toBe(0);
  });
});
