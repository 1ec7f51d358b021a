// Chat calls per deployment and lag from installer callback to chat, for N concurrent deployments in one
// channel, against a recording platform that enforces Discord's or Slack's documented limits.
//   npx tsx bench/notifier-lag.ts [--deployments 50] [--spread 60] [--platform discord|slack|both]
// Real Postgres, Redis, BullMQ, boot server (HTTP callbacks), worker and notifier; no timed assertions.
import { parseArgs } from 'node:util';
import { createBootServer } from '../boot-server/create-boot-server.js';
import type { PlatformName } from '../chat/chat-platform.js';
import { DeploymentEvent } from '../core/deployments/deployment-event.entity.js';
import { TERMINAL_STATES } from '../core/deployments/lifecycle.js';
import { createQueues } from '../core/queues.js';
import { RecordingPlatform } from '../test/support/recording-platform.js';
import { createTestCore } from '../test/support/test-core.js';
import { settled } from '../test/worker/support/harness.js';
import { connectChangePublisher } from '../worker/change-publisher.js';
import { createWorker } from '../worker/create-worker.js';

const { values } = parseArgs({
  options: {
    deployments: { type: 'string', default: '50' },
    spread: { type: 'string', default: '60' },
    platform: { type: 'string', default: 'both' },
  },
});
const N = Number(values.deployments);
const SPREAD_MS = Number(values.spread) * 1000;

/** A 12-stage Windows install, as the callbacks arrive. */
const STAGES: { status: string; progress?: number }[] = [
  { status: 'winpe_started' },
  { status: 'disk_prepared' },
  { status: 'image_downloading', progress: 25 },
  { status: 'image_downloading', progress: 50 },
  { status: 'image_downloading', progress: 75 },
  { status: 'image_applied' },
  { status: 'drivers_added' },
  { status: 'rebooting' },
  { status: 'specialize' },
  { status: 'domain_joined' },
  { status: 'agent_installed' },
  { status: 'done' },
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function run(name: PlatformName) {
  const core = await createTestCore({ BOOT_HOST: '127.0.0.1', BOOT_PORT: '0', API_PORT: '0' });
  const queues = createQueues(core.config);
  connectChangePublisher(core, queues);
  const platform = new RecordingPlatform({
    name,
    limits: name === 'slack' ? 'slack' : 'discord',
    latencyMs: 30,
  });
  const worker = createWorker(core, { platforms: [platform], queues, reconcileIntervalMs: 0 });
  await worker.start();
  const server = createBootServer(core);
  const { bootPort } = await server.start();
  const boot = `http://127.0.0.1:${bootPort}`;
  const api = { platform: 'api' as const, id: 'bench', name: 'bench' };
  const started = Date.now();
  try {
    const ids: number[] = [];
    for (let i = 0; i < N; i++) {
      const mac = `52:54:00:be:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
      const { deployment } = await core.deployments.request({ mac, os: 'ws2025' }, api);
      ids.push(deployment.id);
    }
    // Approvals and boots trickle in over the first seconds, then each machine reports its stages.
    await Promise.all(
      ids.map(async (id, i) => {
        await sleep(Math.random() * 5000);
        await core.deployments.approve(
          id,
          { platform: 'api', id: 'approver', name: 'approver' },
          { approver: true },
        );
        const d = await core.deployments.repository().get(id);
        await fetch(
          `${boot}/ipxe/${d.mac}?platform=efi&arch=x86_64&manufacturer=Microsoft%20Corporation&product=Virtual%20Machine`,
        );
        const url = `${boot}/cb/${core.deployments.tokenFor(d)}`;
        for (const stage of STAGES) {
          await sleep((SPREAD_MS / STAGES.length) * (0.5 + Math.random()));
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(stage),
          });
          if (res.status !== 200) throw new Error(`callback ${i} ${stage.status}: ${res.status}`);
        }
      }),
    );
    const lastCallback = Date.now();
    await settled({ core, queues }, 30 * 60_000);
    const drained = Date.now();

    const events = await core.orm.em.fork().find(DeploymentEvent, { deploymentId: { $in: ids } });
    const callbacks = events.filter((e) => e.source === 'installer');
    const lag = (list: DeploymentEvent[]) =>
      list.map((e) => e.postedAt!.getTime() - e.receivedAt.getTime()).sort((a, b) => a - b);
    const terminal = new Set<string>(TERMINAL_STATES);
    const finals = lag(callbacks.filter((e) => e.state !== null && terminal.has(e.state)));
    const states = lag(callbacks.filter((e) => e.state !== null && !terminal.has(e.state)));
    const others = lag(callbacks.filter((e) => e.state === null));
    const calls = platform.calls.filter((c) => c.deploymentId !== null);
    const firstCall = (id: number, match: (c: (typeof calls)[number]) => boolean) =>
      calls.find((c) => c.deploymentId === id && match(c))?.at ?? Number.NaN;
    const byId = new Map(events.map((e) => [`${e.deploymentId}:${e.stage}`, e.receivedAt.getTime()]));
    const cardPosted = ids
      .map((id) => firstCall(id, (c) => c.action === 'postCard') - byId.get(`${id}:requested`)!)
      .sort((a, b) => a - b);
    const doneOnCard = ids
      .map(
        (id) =>
          firstCall(id, (c) => c.action === 'updateCard' && Boolean(c.text?.startsWith('✅'))) -
          byId.get(`${id}:done`)!,
      )
      .sort((a, b) => a - b);
    const row = (list: number[]) => `${s(pct(list, 50))} / ${s(pct(list, 95))} / ${s(list.at(-1) ?? 0)}`;
    const per = (action: string) => calls.filter((c) => c.action === action).length / N;
    const everyFinal = ids.every(
      (id) =>
        platform.cardOf(id)?.card.status === 'done' &&
        platform.threadLines(id).some((l) => l.startsWith('✅ Done')),
    );
    return {
      platform: name,
      deployments: N,
      callbacks: N * (STAGES.length + 1),
      'calls/deployment': (calls.length / N).toFixed(1),
      'postCard/createThread/thread msgs/card edits': `${per('postCard')}/${per('createThread')}/${per('postThreadMessage').toFixed(1)}/${per('updateCard').toFixed(1)}`,
      '429s': platform.rateLimited,
      'request → card posted p50/p95/max': row(cardPosted),
      'callback → thread, state change p50/p95/max': row(states),
      'callback → thread, final state p50/p95/max': row(finals),
      'callback → card shows done p50/p95/max': row(doneOnCard),
      'callback → chat, other stages p50/p95/max': row(others),
      'drained after last callback': s(drained - lastCallback),
      'every final state in thread and card': everyFinal,
      'wall time': s(drained - started),
    };
  } finally {
    await server.stop();
    await worker.stop();
    await queues.obliterate();
    await queues.close();
    await core.close();
  }
}

const which: PlatformName[] =
  values.platform === 'both' ? ['discord', 'slack'] : [values.platform as PlatformName];
const results = [];
for (const name of which) {
  console.error(`running ${name}: ${N} deployments, 12 stages each over ~${values.spread} s …`);
  results.push(await run(name));
}
for (const r of results) {
  console.log(`\n${r.platform}`);
  for (const [k, v] of Object.entries(r)) if (k !== 'platform') console.log(`  ${k.padEnd(48)} ${v}`);
}
process.exit(0);
