import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../core/create-core.js';
import type { Actor } from '../../core/deployments/deployment.entity.js';
import { createQueues, type OctofleetQueues } from '../../core/queues.js';
import { connectChangePublisher } from '../../worker/change-publisher.js';
import { createTestCore } from '../support/test-core.js';
import { ChildWorker } from './support/child-worker.js';
import { cardShows, type Harness, settled, startHarness, threadShows } from './support/harness.js';

const api: Actor = { platform: 'api', id: 'ci', name: 'ci' };
const bob: Actor = { platform: 'api', id: 'bob', name: 'bob' };
const STAGES = ['installer', 'disk_prepared', 'image_applied', 'first_boot', 'done'];

/** A deployment requested and approved through the API (its card goes to the platform's default channel). */
async function approved(core: Core, mac: string): Promise<number> {
  const { deployment } = await core.deployments.request({ mac, os: 'ubuntu2404' }, api);
  await core.deployments.approve(deployment.id, bob, { approver: true });
  return deployment.id;
}

describe('a worker killed mid-post and restarted', () => {
  let core: Core;
  let queues: OctofleetQueues;
  const children: ChildWorker[] = [];
  afterAll(async () => {
    for (const c of children) await c.kill();
    await queues?.obliterate();
    await queues?.close();
    await core?.close();
  });

  // The held message reached the platform (the worker died before hearing back), so it counts as posted:
  // it is the one message that may go out twice (delivery is at least once); nothing else may.
  it('loses nothing and repeats nothing but the message in flight', { timeout: 60_000 }, async () => {
    core = await createTestCore();
    queues = createQueues(core.config);
    connectChangePublisher(core, queues);
    const first = new ChildWorker(core.config, { HOLD_TEXT: 'Image applied' });
    children.push(first);
    await first.waitFor((l) => Boolean(l.ready), 'ready');

    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push(await approved(core, `52:54:00:dd:00:0${i + 1}`));
    for (const id of ids) {
      await core.deployments.markBooting(id, { platform: 'efi', arch: 'x86_64' }, 'kvm');
      for (const stage of STAGES) await core.deployments.recordEvent(id, { stage, source: 'installer' });
    }
    // The first worker is inside a chat call, after the platform has it and before it answered: kill it.
    await first.waitFor((l) => Boolean(l.held), 'a held message');
    await first.kill();

    const second = new ChildWorker(core.config);
    children.push(second);
    await settled({ core, queues }, 30_000);
    expect(await second.stop()).toBe(0);

    const inFlight = first.lines.find((l) => l.held)!;
    const delivered = (l: (typeof first.lines)[number]) =>
      l.held ? { action: 'postThreadMessage', deploymentId: l.deploymentId, text: l.held } : l;
    const calls = [...first.lines.map(delivered), ...second.lines].filter((l) => l.action);
    for (const id of ids) {
      const mine = calls.filter((l) => l.deploymentId === id);
      const lines = mine.filter((l) => l.action === 'postThreadMessage').flatMap((l) => l.text!.split('\n'));
      // Take the in-flight message's lines out once, if they came again; every line must then be there once.
      const once = [...lines];
      if (id === inFlight.deploymentId) {
        for (const line of inFlight.held!.split('\n')) {
          const again = once.lastIndexOf(line);
          if (again !== once.indexOf(line)) once.splice(again, 1);
        }
      }
      expect(once.map((l) => l.replace(/\d+s\b/g, 'N'))).toEqual([
        '👍 Approved by bob. The machine may PXE-boot now: power it on or reboot it into network boot.',
        '🟢 Booting — UEFI, KVM detected',
        '⚙️ Installer',
        '💽 Disk partitioned',
        '🧩 Image applied',
        '🚀 First boot',
        expect.stringMatching(/^✅ Done in N — srv-dd000\d, SSH ready$/),
        expect.stringMatching(/^⏱ approval N · power-on N · boot N · install N · first boot N$/),
      ]);
      expect(mine.filter((l) => l.action === 'postCard')).toHaveLength(1);
      expect(mine.filter((l) => l.action === 'updateCard').at(-1)).toMatchObject({ status: 'done' });
    }
  });
});

describe('a worker killed mid-batch and restarted', () => {
  let core: Core;
  let queues: OctofleetQueues;
  const children: ChildWorker[] = [];
  afterAll(async () => {
    for (const c of children) await c.kill();
    await queues?.obliterate();
    await queues?.close();
    await core?.close();
  });

  it('loses nothing and doubles nothing in the batch thread', { timeout: 90_000 }, async () => {
    core = await createTestCore({ BATCH_DIGEST_MS: '200' });
    queues = createQueues(core.config);
    connectChangePublisher(core, queues);
    const first = new ChildWorker(core.config, { HOLD_TEXT: 'failed after', BATCH_DIGEST_MS: '200' });
    children.push(first);
    await first.waitFor((l) => Boolean(l.ready), 'ready');

    const macs = [1, 2, 3, 4, 5].map((i) => ({ mac: `52:54:00:dd:01:0${i}`, hostname: `rk${i}` }));
    const { batch, deployments } = await core.batches.create({ os: 'ubuntu2404', machines: macs }, api);
    await core.batches.approve(batch.id, bob, { approver: true });
    const ids = deployments.map((d) => d.deployment.id);
    for (const id of ids) await core.deployments.markBooting(id, { platform: 'efi' }, 'kvm');
    for (const id of ids)
      await core.deployments.recordEvent(id, { stage: 'installing', source: 'installer' });
    await core.deployments.recordEvent(ids[2]!, { stage: 'failed', message: 'no disk', source: 'installer' });
    // The first worker is inside the failure line's chat call: kill it there.
    await first.waitFor((l) => Boolean(l.held), 'a held message');
    await first.kill();
    for (const id of ids)
      if (id !== ids[2]) await core.deployments.recordEvent(id, { stage: 'done', source: 'installer' });

    const second = new ChildWorker(core.config, { BATCH_DIGEST_MS: '200' });
    children.push(second);
    await settled({ core, queues }, 45_000);
    await second.waitFor((l) => l.text?.startsWith('🏁') === true, 'the summary');
    expect(await second.stop()).toBe(0);

    const calls = [...first.lines, ...second.lines].filter((l) => l.action && l.batchId === batch.id);
    const thread = calls.filter((l) => l.action === 'postThreadMessage').map((l) => l.text!);
    expect(calls.filter((l) => l.action === 'postCard')).toHaveLength(1);
    expect(calls.filter((l) => l.action === 'createThread').length).toBeGreaterThanOrEqual(1);
    expect(thread.filter((t) => t.startsWith('👍'))).toHaveLength(1);
    expect(thread.filter((t) => t.startsWith('❌'))).toEqual([
      expect.stringMatching(/^❌ rk3 #\d+ failed after \d+s — no disk$/),
    ]);
    expect(thread.filter((t) => t.startsWith('🏁'))).toHaveLength(1);
    const tokens = thread.filter((t) => !/^(👍|❌|🏁)/.test(t)).flatMap((t) => t.split(' · '));
    for (const { hostname } of macs) {
      const mine = tokens
        .filter((t) => t.startsWith(`${hostname} `))
        .map((t) => t.slice(hostname.length + 1));
      expect(mine, hostname).toEqual(
        hostname === 'rk3' ? ['🟢 booting', '⚙️ installing'] : ['🟢 booting', '⚙️ installing', '✅ done'],
      );
    }
    // Nothing went to per-machine cards or threads.
    expect([...first.lines, ...second.lines].filter((l) => l.action && !l.batchId)).toEqual([]);
  });
});

describe('Redis emptied while deployments run', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  it('a restarted worker rebuilds every timer from Postgres and posts what was never posted', async () => {
    // Deadlines long enough to flush before they pass, short enough to wait for.
    h = await startHarness(
      { APPROVAL_TIMEOUT_MINUTES: '0.1', WATCHDOG_BOOTING_MINUTES: '0.1' },
      { limits: 'none' },
    );
    const pending = (await h.core.deployments.request({ mac: '52:54:00:ee:00:01', os: 'ubuntu2404' }, api))
      .deployment.id;
    const stuck = await approved(h.core, '52:54:00:ee:00:02');
    await h.core.deployments.markBooting(stuck, { platform: 'efi' }, 'kvm');
    const running = await approved(h.core, '52:54:00:ee:00:03');
    await h.core.deployments.markBooting(running, { platform: 'efi' }, 'kvm');
    await threadShows(h, stuck, /Booting/);
    await threadShows(h, running, /Booting/);

    // The worker goes away; events keep arriving; then Redis loses everything of this installation.
    await h.worker.stop();
    await h.core.deployments.recordEvent(running, { stage: 'installing', source: 'installer' });
    await h.core.deployments.recordEvent(running, { stage: 'image_applied', source: 'installer' });
    expect(await h.queues.expire.getJob(`expire-${pending}`)).toBeDefined();
    expect(await h.queues.watchdog.getJob(`watchdog-${stuck}-booting`)).toBeDefined();
    const redis = h.queues.connection;
    const keys = await redis.keys(`${h.queues.prefix}:*`);
    expect(keys.length).toBeGreaterThan(0);
    await redis.del(...keys);
    expect(await h.queues.expire.getJob(`expire-${pending}`)).toBeUndefined();
    const repo = h.core.deployments.repository();
    expect([(await repo.get(pending)).status, (await repo.get(stuck)).status]).toEqual([
      'pending_approval',
      'booting',
    ]);

    await h.addWorker();
    await threadShows(h, running, /Image applied/);
    await cardShows(h, pending, 'expired');
    await threadShows(h, stuck, /^⏰ Failed: the installer did not report/);
    await settled(h);
    expect(h.platform.threadLines(running)).toEqual([
      '👍 Approved by bob. The machine may PXE-boot now: power it on or reboot it into network boot.',
      '🟢 Booting — UEFI, KVM detected',
      '⚙️ Installing',
      '🧩 Image applied',
    ]);
    for (const id of [pending, stuck, running]) {
      expect(h.platform.calls.filter((c) => c.deploymentId === id && c.action === 'postCard')).toHaveLength(
        1,
      );
    }
  });
});

describe('two workers at once', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  it('never post the same event twice', async () => {
    h = await startHarness({}, { limits: 'none' });
    await h.addWorker();
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) ids.push(await approved(h.core, `52:54:00:ff:00:0${i + 1}`));
    await Promise.all(
      ids.map(async (id) => {
        await h.core.deployments.markBooting(id, { platform: 'pcbios' }, 'baremetal');
        for (const stage of STAGES) await h.core.deployments.recordEvent(id, { stage, source: 'installer' });
      }),
    );
    for (const id of ids) await threadShows(h, id, /Done in/);
    await settled(h);
    for (const id of ids) {
      const lines = h.platform.threadLines(id);
      expect(lines).toHaveLength(8);
      expect(new Set(lines).size).toBe(8);
      expect(h.platform.calls.filter((c) => c.deploymentId === id && c.action === 'postCard')).toHaveLength(
        1,
      );
    }
  });
});
