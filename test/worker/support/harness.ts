import { type Bot, createBot } from '../../../bot/create-bot.js';
import type { Core } from '../../../core/create-core.js';
import { createQueues, type OctofleetQueues } from '../../../core/queues.js';
import { type ChangePublisher, connectChangePublisher } from '../../../worker/change-publisher.js';
import { createWorker, type OctofleetWorker, type WorkerOptions } from '../../../worker/create-worker.js';
import { RecordingPlatform, type RecordingPlatformOptions } from '../../support/recording-platform.js';
import { createTestCore } from '../../support/test-core.js';

/** A whole pipeline on real Postgres, Redis and BullMQ: core, publisher, bot and worker on a recording platform. */
export interface Harness {
  core: Core;
  queues: OctofleetQueues;
  publisher: ChangePublisher;
  platform: RecordingPlatform;
  bot: Bot;
  worker: OctofleetWorker;
  /** Starts another worker on the same queues (several workers at once). */
  addWorker(opts?: Partial<WorkerOptions>): Promise<OctofleetWorker>;
  close(): Promise<void>;
}

export async function startHarness(
  env: Record<string, string> = {},
  platformOpts: RecordingPlatformOptions = {},
  workerOpts: Partial<WorkerOptions> = {},
): Promise<Harness> {
  const core = await createTestCore(env);
  const queues = createQueues(core.config);
  const publisher = connectChangePublisher(core, queues);
  const platform = new RecordingPlatform(platformOpts);
  const bot = createBot(core, { platforms: [platform] });
  await bot.start();
  const workers: OctofleetWorker[] = [];
  const addWorker = async (opts: Partial<WorkerOptions> = {}) => {
    const w = createWorker(core, {
      platforms: [platform],
      queues,
      reconcileIntervalMs: 0,
      ...workerOpts,
      ...opts,
    });
    await w.start();
    workers.push(w);
    return w;
  };
  const worker = await addWorker();
  return {
    core,
    queues,
    publisher,
    platform,
    bot,
    worker,
    addWorker,
    async close() {
      for (const w of workers) await w.stop();
      await bot.stop();
      publisher.close();
      await queues.obliterate();
      await queues.close();
      await core.close();
    },
  };
}

/** `/deploy` as `user`; returns the new deployment's id (throws with the reply when refused). */
export async function deploy(h: Harness, user: string, args: string): Promise<number> {
  const reply = await h.platform.command(user, `/deploy ${args}`);
  if (!reply.ok || !reply.deploymentId) throw new Error(`deploy refused: ${reply.text}`);
  return reply.deploymentId;
}

/** Waits for a deployment's card and returns its message id. */
export async function cardOf(h: Harness, id: number): Promise<string> {
  await h.platform.waitFor(() => Boolean(h.platform.cardOf(id)), `card of #${id}`);
  return h.platform.cardOf(id)!.messageId;
}

/** Waits until a thread line matches. */
export function threadShows(h: Harness, id: number, pattern: RegExp): Promise<void> {
  return h.platform.waitFor(
    () => h.platform.threadLines(id).some((l) => pattern.test(l)),
    `#${id} thread line ${pattern}`,
  );
}

/**
 * Every line of a deployment as chat received it, in call order: its thread messages and its rows of
 * channel digests (`#42 web07: …`, tag removed).
 */
export function chatLines(h: Harness, id: number): string[] {
  const tag = new RegExp(`^#${id} [^:]+: `);
  return h.platform.calls.flatMap((c) => {
    if (c.action === 'postThreadMessage' && c.deploymentId === id) return c.text!.split('\n');
    if (c.action !== 'postChannelMessage') return [];
    return c
      .text!.split('\n')
      .filter((l) => tag.test(l))
      .map((l) => l.replace(tag, ''));
  });
}

/** Waits until the card shows a status. */
export function cardShows(h: Harness, id: number, status: string): Promise<void> {
  return h.platform.waitFor(() => h.platform.cardOf(id)?.card.status === status, `#${id} card ${status}`);
}

/**
 * Resolves once the notifier has nothing left: no notify job waiting, running or delayed, and no
 * unposted event in Postgres. Polls the two stores (neither emits an event for "idle").
 */
export async function settled(h: Pick<Harness, 'core' | 'queues'>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const counts = await h.queues.notify.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    const jobs = Object.values(counts).reduce((a, b) => a + b, 0);
    const unposted = await h.core.deployments.repository().deploymentsWithUnpostedEvents();
    if (!jobs && !unposted.length) return;
    if (Date.now() > until)
      throw new Error(`notifier not settled: ${JSON.stringify(counts)}, unposted for ${unposted.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** An installer's JSON callback to the boot server's `/cb/:token` URL. */
export function postCallback(url: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}
