import { afterEach, describe, expect, it } from 'vitest';
import { RateLimitedError } from '../../chat/chat-platform.js';
import type { Actor } from '../../core/deployments/deployment.entity.js';
import { retryDelay } from '../../worker/processors/notify.js';
import { cardShows, chatLines, type Harness, settled, startHarness, threadShows } from './support/harness.js';

const api: Actor = { platform: 'api', id: 'ci', name: 'ci' };
const bob: Actor = { platform: 'api', id: 'bob', name: 'bob' };
let h!: Harness;
const open: Harness[] = [];
afterEach(async () => {
  for (const harness of open.splice(0)) await harness.close();
});
async function start(...args: Parameters<typeof startHarness>): Promise<Harness> {
  h = await startHarness(...args);
  open.push(h);
  return h;
}

async function running(mac: string): Promise<number> {
  const { deployment } = await h.core.deployments.request({ mac, os: 'ws2025' }, api);
  await h.core.deployments.approve(deployment.id, bob, { approver: true });
  await h.core.deployments.markBooting(deployment.id, { platform: 'efi' }, 'hyperv-gen2');
  return deployment.id;
}

describe('the notifier within platform limits', () => {
  it('many deployments in one Slack channel: no 429, nothing dropped, every thread in order', async () => {
    // Slack's limits at a tenth of their windows: 1 message per 100 ms per channel, threads included.
    await start({}, { name: 'slack', limits: 'slack', timeScale: 0.1 });
    const stages = ['winpe_started', 'disk_prepared', 'image_applied', 'rebooting', 'specialize', 'done'];
    const ids = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => running(`52:54:00:11:00:0${i}`)));
    await Promise.all(
      ids.map(async (id) => {
        for (const stage of stages) await h.core.deployments.recordEvent(id, { stage, source: 'installer' });
      }),
    );
    for (const id of ids) await cardShows(h, id, 'done');
    await settled(h);
    expect(h.platform.rateLimited).toBe(0);
    for (const id of ids) {
      // In its thread, or in a channel digest while the channel was saturated: once each, in order.
      const lines = chatLines(h, id);
      expect(lines.map((l) => l.split(' ')[0])).toEqual(['👍', '🟢', '🪟', '💽', '🧩', '🔄', '🛠️', '✅', '⏱']);
    }
  });

  it('waits out a 429 and then posts the message once', async () => {
    await start({}, { limits: 'discord' });
    h.platform.failures.push({ action: 'postThreadMessage', error: new RateLimitedError(400) });
    const id = await running('52:54:00:11:00:10');
    await threadShows(h, id, /Booting — UEFI, Hyper-V Gen2 detected/);
    await settled(h);
    expect(h.platform.rateLimited).toBe(1);
    expect(h.platform.threadLines(id)).toEqual([
      expect.stringMatching(/^👍 Approved by bob/),
      '🟢 Booting — UEFI, Hyper-V Gen2 detected',
    ]);
    // Nothing went to that bucket before retry_after passed.
    const [first] = h.platform.calls.filter((c) => c.deploymentId === id && c.action === 'postThreadMessage');
    expect(first!.at - h.platform.lastRateLimitedAt!).toBeGreaterThanOrEqual(400);
  });

  it('retries a failed chat call and never skips the message', async () => {
    await start({}, { limits: 'none' });
    h.platform.failures.push({ action: 'postThreadMessage', error: new Error('502 Bad Gateway') });
    const id = await running('52:54:00:11:00:11');
    await threadShows(h, id, /Booting/);
    await settled(h);
    expect(h.platform.threadLines(id)).toEqual([
      expect.stringMatching(/^👍 Approved by bob/),
      '🟢 Booting — UEFI, Hyper-V Gen2 detected',
    ]);
  });

  it('coalesces a burst of progress into one card edit and one thread line', async () => {
    await start({}, { limits: 'none' });
    const id = await running('52:54:00:11:00:12');
    await h.core.deployments.recordEvent(id, { stage: 'winpe_started', source: 'installer' });
    await cardShows(h, id, 'installing');
    await settled(h);
    const before = h.platform.cardOf(id)!.versions.length;
    for (let p = 10; p <= 100; p += 10) {
      await h.core.deployments.recordEvent(id, {
        stage: 'image_downloading',
        progress: p,
        source: 'installer',
      });
    }
    await h.platform.waitFor(() => h.platform.cardOf(id)!.card.progress === 100, 'card at 100%');
    await settled(h);
    const edits = h.platform.cardOf(id)!.versions.slice(before);
    expect(edits.length).toBeLessThanOrEqual(2);
    expect(edits.at(-1)!.statusLine).toBe('⚙️ Installing — Downloading image 100%');
    expect(h.platform.threadLines(id).filter((l) => l.startsWith('📦'))).toEqual([
      '📦 Downloading image 10%',
    ]);
  });
});

describe('priority when a channel is saturated', () => {
  it('brings final states back before state changes, and those before progress', () => {
    const fixed = () => 0.5;
    expect(retryDelay(1000, 'final', fixed)).toBeLessThan(retryDelay(1000, 'state', fixed));
    expect(retryDelay(1000, 'state', fixed)).toBeLessThan(retryDelay(1000, 'progress', fixed));
  });
});
