import { join } from 'node:path';
import pg from 'pg';
import type { WatchedChild } from '../support/child-process.js';
import { createLoadClient } from '../support/http-load.js';
import { createInstallation } from '../support/installation.js';
import { type LatencySummary, round, summarize } from '../support/stats.js';
import { playSchedule, waitUntilAllPosted } from './drive.js';
import {
  type ChatRefRow,
  type FanoutPlatform,
  fakeDiscordPlatform,
  fakeSlackPlatform,
} from './fake-platforms.js';
import { type DeploymentPlan, planFanout } from './plan.js';

/** A batch shape: `batches` batches of `size` machines, all in one channel. */
export interface BatchShape {
  batches: number;
  size: number;
}

export const BATCH_SHAPES: BatchShape[] = [
  { batches: 10, size: 20 },
  { batches: 1, size: 200 },
];

export interface BatchShapeResult {
  platform: 'discord' | 'slack';
  shape: BatchShape;
  durationSeconds: number;
  /** From each machine's `done` callback to the first thread message or card version showing it, ms. */
  finalLagMs: LatencySummary;
  /** Machines whose done was never seen in chat. */
  missing: number;
  /** `<host> ✅ done` tokens seen more than once across the batch threads (must be 0). */
  doubled: number;
  /** State-change tokens counted in the threads (booting, installing, first boot, done), and expected. */
  tokens: { seen: number; expected: number };
  summaries: number;
  threadMessages: number;
  rateLimited: number;
  caughtUp: boolean;
  drainSeconds: number;
}

const DRAIN_TIMEOUT_MS = 10 * 60_000;

/**
 * Batch shapes of the chat fan-out: batches requested and approved through the admin API, each machine
 * booting and reporting its 12 stages over `durationMs` (the same schedule as the single-deployment
 * fan-out), through `npm start` to each fake platform.
 */
export async function runBatchShapes(opts: {
  durationMs: number;
  platforms?: ('discord' | 'slack')[];
  shapes?: BatchShape[];
  logDir: string;
  say(line: string): void;
}): Promise<BatchShapeResult[]> {
  const results: BatchShapeResult[] = [];
  for (const name of opts.platforms ?? ['discord', 'slack']) {
    for (const shape of opts.shapes ?? BATCH_SHAPES) {
      const platform = name === 'discord' ? await fakeDiscordPlatform() : await fakeSlackPlatform();
      try {
        results.push(await runShape(platform, shape, opts));
      } finally {
        await platform.close();
      }
    }
  }
  return results;
}

async function runShape(
  platform: FanoutPlatform,
  shape: BatchShape,
  opts: { durationMs: number; logDir: string; say(line: string): void },
): Promise<BatchShapeResult> {
  const label = `${shape.batches}×${shape.size}`;
  const say = (line: string) => opts.say(`batch fan-out ${label} (${platform.name}): ${line}`);
  const installation = await createInstallation(platform.env);
  let app: WatchedChild | undefined;
  try {
    app = await installation.launch('start', {
      logFile: join(opts.logDir, `batch-fanout-${platform.name}-${label}.log`),
    });
    const plans = planFanout(shape.batches * shape.size, opts.durationMs, 42, 'ubuntu2404');
    const api = async (path: string, body: unknown) => {
      const answer = await fetch(`${installation.apiOrigin}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${installation.apiToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await answer.json()) as { id: number };
      if (!answer.ok) throw new Error(`${path} answered ${answer.status}: ${JSON.stringify(json)}`);
      return json;
    };
    say('requesting and approving the batches');
    const batchIds: number[] = [];
    for (let b = 0; b < shape.batches; b++) {
      const members = plans.slice(b * shape.size, (b + 1) * shape.size);
      const { id } = await api('/api/v1/batches', {
        os: 'ubuntu2404',
        machines: members.map((p) => ({ mac: p.mac, hostname: p.hostname })),
      });
      batchIds.push(id);
    }
    for (const id of batchIds) await api(`/api/v1/batches/${id}/approve`, {});
    const db = installation.config.DATABASE_URL;
    await waitUntilAllPosted(db, DRAIN_TIMEOUT_MS);
    say(`cards and approvals in chat; ${plans.length} machines install over ${opts.durationMs / 1000} s`);

    const client = createLoadClient(installation.bootOrigin, { inFlight: 64 });
    const t0 = Date.now();
    const { sent } = await playSchedule(client, plans, t0);
    const lastCallback = Date.now();
    await client.close();
    const caughtUp = await waitUntilAllPosted(db, DRAIN_TIMEOUT_MS, async () => {
      const refs = await batchRefs(db);
      return refs.length === shape.batches && refs.every((r) => r.summaryPosted);
    });
    const drainSeconds = (Date.now() - lastCallback) / 1000;
    const refs = await batchRefs(db);
    return {
      platform: platform.name,
      shape,
      durationSeconds: opts.durationMs / 1000,
      ...measure(platform, plans, shape, refs, sent),
      rateLimited: platform.rateLimited(),
      caughtUp,
      drainSeconds: round(drainSeconds),
    };
  } finally {
    await app?.stop();
    await installation.dispose();
  }
}

function measure(
  platform: FanoutPlatform,
  plans: DeploymentPlan[],
  shape: BatchShape,
  refs: (ChatRefRow & { summaryPosted: boolean })[],
  sent: number[][],
) {
  const lags: number[] = [];
  let missing = 0;
  let doubled = 0;
  let seen = 0;
  let summaries = 0;
  let threadMessages = 0;
  const words = ['🟢 booting', '⚙️ installing', '🛠️ first boot', '✅ done'];
  refs.sort((a, b) => a.deploymentId - b.deploymentId);
  refs.forEach((ref, b) => {
    const thread = platform.thread(ref);
    const cards = platform.cardVersions(ref);
    threadMessages += thread.length;
    summaries += thread.filter((m) => m.text.startsWith('🏁')).length;
    const tokens = thread.flatMap((m) => m.text.split(' · ').map((t) => ({ at: m.at, t: t.trim() })));
    for (const plan of plans.slice(b * shape.size, (b + 1) * shape.size)) {
      const doneAt = sent[plan.index]!.at(-1)!;
      const mine = tokens.filter((x) => x.t.startsWith(`${plan.hostname} `));
      seen += mine.filter((x) => words.some((w) => x.t === `${plan.hostname} ${w}`)).length;
      const done = mine.filter((x) => x.t === `${plan.hostname} ✅ done`);
      if (done.length > 1) doubled++;
      const onCard = cards.find((v) => v.text.includes(`✅ ${plan.hostname} #`));
      const firstSeen = Math.min(
        done[0]?.at ?? Number.POSITIVE_INFINITY,
        onCard?.at ?? Number.POSITIVE_INFINITY,
      );
      if (!Number.isFinite(firstSeen) || Number.isNaN(doneAt)) missing++;
      else lags.push(Math.max(0, firstSeen - doneAt));
    }
  });
  return {
    finalLagMs: summarize(lags),
    missing,
    doubled,
    // Ubuntu reports installing and configuring; every machine boots and finishes: 4 tokens each.
    tokens: { seen, expected: plans.length * words.length },
    summaries,
    threadMessages,
  };
}

/** Each batch's card and thread (`batch_chat_ref`), as the benchmark's platforms read a chat ref. */
async function batchRefs(databaseUrl: string): Promise<(ChatRefRow & { summaryPosted: boolean })[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => {});
  await client.connect();
  try {
    const { rows } = await client.query<{
      batch_id: number;
      channel_id: string;
      card_message_id: string | null;
      thread_id: string | null;
      summary_posted_at: Date | null;
    }>('select batch_id, channel_id, card_message_id, thread_id, summary_posted_at from batch_chat_ref');
    return rows.map((r) => ({
      // The batch id in the deployment id's place: only channel, card and thread are read.
      deploymentId: r.batch_id,
      channelId: r.channel_id,
      cardMessageId: r.card_message_id,
      threadId: r.thread_id,
      summaryPosted: r.summary_posted_at !== null,
    }));
  } finally {
    await client.end();
  }
}
