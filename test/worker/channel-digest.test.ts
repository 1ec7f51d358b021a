import { afterEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../core/deployments/deployment.entity.js';
import type { RecordingPlatformOptions } from '../support/recording-platform.js';
import { cardShows, chatLines, type Harness, settled, startHarness } from './support/harness.js';

const api: Actor = { platform: 'api', id: 'ci', name: 'ci' };
const bob: Actor = { platform: 'api', id: 'bob', name: 'bob' };
const CHANNEL = 'C-deploys';
const BURST = ['winpe_started', 'disk_prepared', 'image_applied', 'rebooting'];
const RUNNING = ['👍', '🟢', '🪟', '💽', '🧩', '🔄'];
const FINISHED = [...RUNNING, '🛠️', '✅', '⏱'];

let h!: Harness;
afterEach(async () => {
  await h?.close();
});

const digests = () => h.platform.channelMessages.get(CHANNEL) ?? [];
const deploymentsIn = (digest: string) => new Set(digest.split('\n').map((l) => l.split(' ')[0]));

async function saturateOneChannel(platform: RecordingPlatformOptions) {
  h = await startHarness({}, platform);
  // Two workers share the limiter's queues and the digest locks, as replicas do.
  await h.addWorker();
  const ids: number[] = [];
  for (let i = 0; i < 12; i++) {
    const mac = `52:54:00:d1:00:${(i + 1).toString(16).padStart(2, '0')}`;
    const { deployment } = await h.core.deployments.request({ mac, os: 'ws2025' }, api);
    await h.core.deployments.approve(deployment.id, bob, { approver: true });
    await h.core.deployments.markBooting(deployment.id, { platform: 'efi' }, 'hyperv-gen2');
    ids.push(deployment.id);
  }
  // Every machine reports at once; half of them finish.
  const finishing = new Set(ids.filter((_, i) => i % 2 === 0));
  await Promise.all(
    ids.map(async (id) => {
      const stages = finishing.has(id) ? [...BURST, 'specialize', 'done'] : BURST;
      for (const stage of stages) await h.core.deployments.recordEvent(id, { stage, source: 'installer' });
    }),
  );
  for (const id of finishing) await cardShows(h, id, 'done');
  await settled(h, 60_000);
  return { ids, finishing };
}

async function expectDigestsThenThreads(ids: number[], finishing: Set<number>) {
  expect(h.platform.rateLimited).toBe(0);
  // The channel switched to digests: some messages carried several deployments' lines.
  expect(digests().some((d) => deploymentsIn(d).size > 1)).toBe(true);
  // Each digest leads with the deployments that carry a final state.
  for (const digest of digests()) {
    const order = [...deploymentsIn(digest)];
    const hasFinal = order.map((tag) =>
      digest.split('\n').some((l) => l.startsWith(`${tag} `) && /: (✅|❌)/.test(l)),
    );
    expect(hasFinal).toEqual([...hasFinal].sort((a, b) => Number(b) - Number(a)));
  }
  // Every line reached chat exactly once, in order per machine, wherever it went.
  for (const id of ids) {
    expect(
      chatLines(h, id).map((l) => l.split(' ')[0]),
      `#${id}`,
    ).toEqual(finishing.has(id) ? FINISHED : RUNNING);
  }

  // The backlog drained: the next lines go back to their threads.
  const calm = ids.find((id) => !finishing.has(id))!;
  await h.core.deployments.recordEvent(calm, { stage: 'specialize', source: 'installer' });
  await settled(h);
  await h.core.deployments.recordEvent(calm, { stage: 'done', source: 'installer' });
  await cardShows(h, calm, 'done');
  await settled(h);
  expect(h.platform.threadLines(calm).at(-2)).toMatch(/^✅ Done/);
  expect(chatLines(h, calm).map((l) => l.split(' ')[0])).toEqual(FINISHED);
  expect(h.platform.rateLimited).toBe(0);
}

describe('a saturated channel switches to digests and back', () => {
  it('on Slack (one message a second per channel, threads included)', { timeout: 120_000 }, async () => {
    const { ids, finishing } = await saturateOneChannel({ name: 'slack', limits: 'slack', timeScale: 0.1 });
    await expectDigestsThenThreads(ids, finishing);
  });

  it('on Discord (a bot budget shared by every thread)', { timeout: 120_000 }, async () => {
    const { ids, finishing } = await saturateOneChannel({
      name: 'discord',
      limits: 'discord',
      timeScale: 0.2,
      // The adapter keeps most of the bot's budget for other work: the notifier gets 2 calls a window.
      discordLimits: { global: { limit: 3, windowMs: 1000 }, botOwn: { limit: 1, windowMs: 1000 } },
    });
    await expectDigestsThenThreads(ids, finishing);
  });
});
