// Drives the real `npm start` (all roles, shell chat) through pipes, as a script or an operator would:
// /deploy and /approve on stdin, the machine's iPXE fetch and installer callbacks over HTTP, and the
// card and thread read back from stdout.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueues } from '../../core/queues.js';
import { freePort } from '../support/free-port.js';
import { dropDatabase, testDatabaseUrl } from '../support/test-database.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAC = '52:54:00:e2:e0:01';
const API_TOKEN = `e2e-${randomBytes(12).toString('hex')}`;
// The tinylinux image's kernel and initrd, where the preflight of /deploy looks for them.
const artifacts = mkdtempSync(join(tmpdir(), 'octofleet-e2e-'));
mkdirSync(join(artifacts, 'tiny'));
writeFileSync(join(artifacts, 'tiny/vmlinuz'), 'kernel');
writeFileSync(join(artifacts, 'tiny/initrd.gz'), 'initrd');
const env = {
  DATABASE_URL: testDatabaseUrl(),
  QUEUE_PREFIX: `t${randomBytes(5).toString('hex')}`,
  SECRET_KEY: randomBytes(32).toString('hex'),
  BOOT_HOST: '127.0.0.1',
  API_HOST: '127.0.0.1',
  API_TOKEN,
  SHELL_USER: 'ops',
  ARTIFACTS_DIR: artifacts,
  LOG_LEVEL: 'info',
  NODE_ENV: 'test',
};

let app: ChildProcess;
let stdout = '';
let stderr = '';
let boot = '';
let api = '';
/** Resolves when every process holding the app's stdout (npm, tsx, node) has exited. */
let outputClosed: Promise<void>;
const listeners = new Set<() => void>();

/** Resolves when stdout (or stderr) matches; rejects with both after `timeoutMs`. */
function printed(
  pattern: RegExp,
  stream: 'stdout' | 'stderr' = 'stdout',
  timeoutMs = 30_000,
): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
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
}

const type = (line: string) => app.stdin!.write(`${line}\n`);

beforeAll(async () => {
  const [bootPort, apiPort] = [await freePort(), await freePort()];
  boot = `http://127.0.0.1:${bootPort}`;
  api = `http://127.0.0.1:${apiPort}`;
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...env,
    BOOT_PORT: String(bootPort),
    API_PORT: String(apiPort),
    PUBLIC_BOOT_URL: boot,
  };
  for (const key of ['DISCORD_TOKEN', 'SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET'])
    delete childEnv[key];
  // Its own process group, so SIGTERM reaches npm, tsx and node alike.
  app = spawn('npm', ['start', '--silent'], {
    cwd: ROOT,
    env: childEnv,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  outputClosed = new Promise((resolve) => app.stdout!.on('close', () => resolve()));
  app.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    for (const l of [...listeners]) l();
  });
  app.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    for (const l of [...listeners]) l();
  });
  await printed(/"msg":"all ready"/, 'stderr', 60_000);
}, 90_000);

afterAll(async () => {
  if (app?.pid) {
    try {
      process.kill(-app.pid, 'SIGKILL');
    } catch {
      // the group already exited
    }
  }
  const queues = createQueues({
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: env.QUEUE_PREFIX,
  });
  await queues.obliterate();
  await queues.close();
  await dropDatabase(env.DATABASE_URL);
  rmSync(artifacts, { recursive: true, force: true });
});

const post = (url: string, body: string, type: string) =>
  fetch(url, { method: 'POST', headers: { 'content-type': type }, body });

describe('npm start with the shell adapter, driven through pipes', () => {
  it('runs a deployment from /deploy to done and prints its thread', { timeout: 90_000 }, async () => {
    // A kernel+initrd image whose command line carries the callback URL, added as an operator would.
    const image = await fetch(`${api}/api/v1/images`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'tinylinux',
        name: 'Tiny Linux',
        family: 'linux',
        boot: {
          method: 'linux',
          kernel: 'tiny/vmlinuz',
          initrd: ['tiny/initrd.gz'],
          cmdline: 'console=ttyS0 cb={{callbackUrl}}',
        },
      }),
    });
    expect(image.status).toBe(201);

    type(`/deploy mac:${MAC} os:tinylinux hostname:e2e01`);
    const [, id] = await printed(
      /📝 Deployment #(\d+) requested: Tiny Linux on 52:54:00:e2:e0:01 as e2e01\./,
    );
    const [, password] = await printed(
      new RegExp(`🔒 🔑 Deployment #${id} \\(e2e01\\): user octofleet, password (\\S+) — shown only to you`),
    );
    await printed(new RegExp(`┌─ Deployment #${id}: Tiny Linux → e2e01\\n│ ⏳ Waiting for approval\\n`));
    // Before approval the machine is told to wait, by whom, and asks again (no install, no token).
    const waiting = await (await fetch(`${boot}/ipxe/${MAC}`)).text();
    expect(waiting).toMatch(/^#!ipxe\n/);
    expect(waiting).toContain(
      `echo Octofleet: deployment ${id} (tinylinux as e2e01) is waiting for approval\n`,
    );
    expect(waiting).toContain('echo Octofleet: to approve, an approver approves it in the Octofleet shell\n');
    expect(waiting).toMatch(/^sleep \d+$/m);
    expect(waiting).not.toMatch(/^(kernel|initrd|imgfetch) /m);
    expect(waiting).not.toContain('/cb/');

    type(`/approve ${id}`);
    await printed(new RegExp(`\\[#${id}\\] 👍 Approved by ops\\.`));

    const script = await (
      await fetch(`${boot}/ipxe/${MAC}?platform=efi&arch=x86_64&manufacturer=QEMU&product=Standard%20PC`)
    ).text();
    const callback = /cb=(http:\/\/\S+)/.exec(script)?.[1];
    expect(callback).toMatch(new RegExp(`^${boot}/cb/`));
    await printed(new RegExp(`\\[#${id}\\] 🟢 Booting — UEFI, KVM detected`));

    const form = 'application/x-www-form-urlencoded';
    expect((await post(callback!, 'status=installing&message=partitioning', form)).status).toBe(200);
    expect((await post(callback!, 'status=image_downloading&progress=45', form)).status).toBe(200);
    expect((await post(callback!, JSON.stringify({ status: 'first_boot' }), 'application/json')).status).toBe(
      200,
    );
    expect((await post(callback!, JSON.stringify({ status: 'done' }), 'application/json')).status).toBe(200);
    await printed(new RegExp(`\\[#${id}\\] ⏱ approval`));
    await printed(new RegExp(`~ #${id} ✅ Done in`));

    const thread = stdout.split('\n').filter((l) => l.startsWith(`[#${id}] `));
    expect(thread.map((l) => l.replace(/\d+s\b/g, 'N'))).toEqual([
      `[#${id}] ── Deployment #${id}: Tiny Linux → e2e01`,
      `[#${id}] 👍 Approved by ops. The machine may PXE-boot now: power it on or reboot it into network boot.`,
      `[#${id}] 🟢 Booting — UEFI, KVM detected by manufacturer "QEMU"`,
      `[#${id}] ⚙️ Installing — partitioning`,
      `[#${id}] 📦 Downloading image 45%`,
      `[#${id}] 🚀 First boot`,
      `[#${id}] ✅ Done in N — e2e01, SSH ready`,
      `[#${id}] ⏱ approval N · power-on N · boot N · install N · first boot N`,
    ]);
    // The password went to the requester only: never into the thread, a card or the logs.
    expect(stdout.split('\n').filter((l) => l.includes(password!))).toEqual([expect.stringMatching(/^🔒 /)]);
    expect(stderr).not.toContain(password);
  });

  it('drains and exits on SIGTERM', { timeout: 30_000 }, async () => {
    // To the whole group, as a terminal's Ctrl-C or an init would: npm itself does not forward it.
    process.kill(-app.pid!, 'SIGTERM');
    await outputClosed;
    expect(stderr).toMatch(/"msg":"draining connections and jobs, then exiting"/);
    expect(stderr).not.toMatch(/"level":(50|60)/);
    expect(stderr).not.toContain('error while stopping');
  });
});
