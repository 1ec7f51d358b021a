import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bot, createBot } from '../../../bot/create-bot.js';
import { createShellPlatform, type ShellPlatform } from '../../../bot/shell/shell-platform.js';
import type { Core } from '../../../core/create-core.js';
import { createQueues, type OctofleetQueues } from '../../../core/queues.js';
import { connectChangePublisher } from '../../../worker/change-publisher.js';
import { createWorker, type OctofleetWorker } from '../../../worker/create-worker.js';
import { createTestCore } from '../../support/test-core.js';

let core: Core;
let queues: OctofleetQueues;
let bot: Bot;
let worker: OctofleetWorker;
let shell: ShellPlatform;
const input = new PassThrough();
const output = new PassThrough();
let printed = '';
output.on('data', (chunk: Buffer) => {
  printed += chunk.toString('utf8');
});

/** Resolves when the output matches (everything printed so far); fails after 15 s with what was printed. */
function shows(pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = pattern.exec(printed);
      if (!m) return false;
      output.off('data', check);
      clearTimeout(timer);
      resolve(m);
      return true;
    };
    const timer = setTimeout(() => {
      output.off('data', check);
      reject(new Error(`output never matched ${pattern}:\n${printed}`));
    }, 15_000);
    if (!check()) output.on('data', check);
  });
}

const type = (line: string) => input.write(`${line}\n`);

beforeAll(async () => {
  core = await createTestCore({ SHELL_USER: 'ops' });
  queues = createQueues(core.config);
  connectChangePublisher(core, queues);
  shell = createShellPlatform({ input, output, user: core.config.SHELL_USER });
  bot = createBot(core, { platforms: [shell] });
  worker = createWorker(core, { platforms: [shell], queues, reconcileIntervalMs: 0 });
  await worker.start();
  await bot.start();
});
afterAll(async () => {
  await worker?.stop();
  await bot?.stop();
  await queues?.obliterate();
  await queues?.close();
  await core?.close();
});

describe('the shell adapter through a pipe', () => {
  it('prints the card, takes /approve as the operator, and prints the thread with [#id] prefixes', async () => {
    type('/deploy mac:52:54:00:cc:00:01 os:ubuntu2404 hostname:lab01');
    const [, id] = await shows(
      /📝 Deployment #(\d+) requested: Ubuntu Server 24\.04 LTS on 52:54:00:cc:00:01 as lab01/,
    );
    await shows(
      new RegExp(
        `┌─ Deployment #${id}: Ubuntu Server 24\\.04 LTS → lab01\\n│ ⏳ Waiting for approval\\n│ Requested by: ops · MAC: 52:54:00:cc:00:01 · OS: Ubuntu Server 24\\.04 LTS · Hostname: lab01 · Profile: auto\\n│ Type /approve ${id} to approve or /reject ${id} to reject\\. Expires .+ UTC if nobody decides\\.\\n└─`,
      ),
    );
    const [, password] = await shows(
      new RegExp(
        `🔒 🔑 Deployment #${id} \\(lab01\\): user octofleet, password (\\S+) — shown only to you, only now\\.`,
      ),
    );

    type(`/approve ${id}`);
    await shows(new RegExp(`✅ You approved deployment #${id}\\.`));
    await shows(new RegExp(`\\[#${id}\\] 👍 Approved by ops\\. The machine may PXE-boot now`));
    await core.deployments.markBooting(
      Number(id),
      { platform: 'pcbios', arch: 'x86_64', manufacturer: 'QEMU' },
      'kvm',
    );
    await core.deployments.recordEvent(Number(id), { stage: 'installing', source: 'installer' });
    await core.deployments.recordEvent(Number(id), { stage: 'done', source: 'installer' });
    await shows(new RegExp(`\\[#${id}\\] ✅ Done in \\d+s — lab01, SSH ready\\n\\[#${id}\\] ⏱ approval`));
    await shows(new RegExp(`~ #${id} ✅ Done in \\d+s`));
    const thread = printed.split('\n').filter((l) => l.startsWith(`[#${id}] `));
    expect(thread.map((l) => l.replace(/\d+s\b/g, 'Ns'))).toEqual([
      `[#${id}] ── Deployment #${id}: Ubuntu Server 24.04 LTS → lab01`,
      `[#${id}] 👍 Approved by ops. The machine may PXE-boot now: power it on or reboot it into network boot.`,
      `[#${id}] 🟢 Booting — BIOS, KVM detected`,
      `[#${id}] ⚙️ Installing`,
      `[#${id}] ✅ Done in Ns — lab01, SSH ready`,
      `[#${id}] ⏱ approval Ns · power-on Ns · boot Ns · install Ns`,
    ]);
    expect(thread.join('\n')).not.toContain(password);
    // Audit: the console approved, as the operator, under the console identity.
    const [decision] = await core.deployments.repository().decisions(Number(id));
    expect(decision).toMatchObject({
      actorPlatform: 'shell',
      actorId: 'ops@console',
      actorName: 'ops',
      accepted: true,
    });
  });

  it('shows a batch as one block, approves it with /approve b<id>, and keeps one thread for it', async () => {
    type(
      '/deploy mac:52:54:00:cc:01:01,52:54:00:cc:01:02,52:54:00:cc:01:03 hostname:rack[1-3] os:ubuntu2404',
    );
    const [, id] = await shows(
      /📝 Batch #(\d+) requested: Ubuntu Server 24\.04 LTS on 3 machine\(s\) \(rack1, rack2, rack3\)/,
    );
    const [block] = await shows(new RegExp(`┌─ Batch #${id}: [^\\n]*\\n(│ [^\\n]*\\n)+└─`));
    expect(
      block
        .replace(/#\d+ —/g, '#N —')
        .replace(/Expires .+ UTC/, 'Expires T UTC')
        .split('\n'),
    ).toEqual([
      `┌─ Batch #${id}: Ubuntu Server 24.04 LTS → 3 machines`,
      '│ ⏳ awaiting approval 3',
      '│ Requested by: ops · OS: Ubuntu Server 24.04 LTS · Profile: auto · Machines: 3',
      '│ ⏳ rack1 #N — awaiting approval',
      '│ ⏳ rack2 #N — awaiting approval',
      '│ ⏳ rack3 #N — awaiting approval',
      `│ Type /approve b${id} to approve or /reject b${id} to reject. One decision for all 3 machines. Expires T UTC if nobody decides.`,
      '└─',
    ]);
    // One card for the batch, none per machine.
    expect(printed).not.toMatch(/┌─ Deployment #\d+: Ubuntu Server 24\.04 LTS → rack/);
    type(`/approve b${id}`);
    await shows(new RegExp(`✅ You approved batch #${id} \\(3 machines\\)\\.`));
    await shows(
      new RegExp(
        `\\[batch #${id}\\] 👍 Approved by ops with batch #${id}: 3 machine\\(s\\) may PXE-boot now\\.`,
      ),
    );
    await shows(new RegExp(`~ batch #${id} 👍 waiting 3`));
  });

  it('answers mistakes with one line and keeps reading', async () => {
    type('deploy something');
    await shows(/Commands start with a slash; \/help lists them\./);
    type('/deploy mac:nope os:ubuntu2404');
    await shows(/⚠️ "nope" is not a MAC address: only hex digits \(0-9, a-f\) are allowed/);
    type('/reject 9999');
    await shows(/⚠️ deployment #9999 does not exist/);
  });

  it('/reject as the operator rejects with a reason; the card edit shows it', async () => {
    type('/deploy mac:52:54:00:cc:00:02 os:ubuntu2404');
    const [, id] = await shows(
      /📝 Deployment #(\d+) requested: Ubuntu Server 24\.04 LTS on 52:54:00:cc:00:02/,
    );
    // The operator rejects the card they see (rejecting before the card is posted gives one card that
    // already says Rejected, with no edit to look for).
    await shows(new RegExp(`┌─ Deployment #${id}: [^\\n]*\\n│ ⏳ Waiting for approval`));
    type(`/reject ${id} wrong rack`);
    await shows(new RegExp(`❌ You rejected deployment #${id}\\.`));
    await shows(new RegExp(`~ #${id} 🚫 Rejected by ops: wrong rack`));
  });

  it('finishes handling input when the pipe closes', async () => {
    input.end();
    await shell.inputDone;
  });
});
