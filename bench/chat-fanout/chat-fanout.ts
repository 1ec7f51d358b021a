import { join } from 'node:path';
import { createProgress } from '../../core/terminal/progress.js';
import type { WatchedChild } from '../support/child-process.js';
import { createLoadClient } from '../support/http-load.js';
import { createInstallation } from '../support/installation.js';
import { round } from '../support/stats.js';
import { analyzeDelivery, type Delivery } from './analyze.js';
import { chatRefs, playSchedule, requestAndApprove, waitUntilAllPosted } from './drive.js';
import { type FanoutPlatform, fakeDiscordPlatform, fakeSlackPlatform } from './fake-platforms.js';
import { planFanout } from './plan.js';

export interface ChatFanoutOptions {
  /** Deployments in the one channel. @defaultValue 200 (40 with `quick`) */
  deployments?: number;
  /** How long each install's 12 stages take. @defaultValue 5 minutes (1 minute with `quick`) */
  durationMs?: number;
  platforms?: ('discord' | 'slack')[];
  logDir: string;
  say(line: string): void;
}

export interface PlatformFanout extends Delivery {
  platform: 'discord' | 'slack';
  deployments: number;
  durationSeconds: number;
  /** Requests and approvals until every card and "approved" line was in chat. */
  setup: { seconds: number; caughtUp: boolean; calls: Record<string, number> };
  /** From the first power-on to the last callback, then until chat had everything. */
  stages: {
    seconds: number;
    callbacks: number;
    errors: Record<string, number>;
    drainSeconds: number;
    caughtUp: boolean;
    calls: Record<string, number>;
  };
  callsPerDeployment: { setup: number; stages: number; total: number };
  rateLimited: number;
  app: { peakRssMb: number | null; cpuSeconds: number };
}

const SETUP_TIMEOUT_MS = 30 * 60_000;
const DRAIN_TIMEOUT_MS = 20 * 60_000;

/**
 * The chat fan-out: `deployments` approved deployments in one channel report 12 stages each over
 * `durationMs` through the real boot server, worker and notifier (`npm start`, its own process), to the
 * fake Discord and then the fake Slack, each enforcing its platform's limits.
 */
export async function runChatFanout(opts: ChatFanoutOptions): Promise<PlatformFanout[]> {
  const results: PlatformFanout[] = [];
  for (const name of opts.platforms ?? ['discord', 'slack']) {
    const platform = name === 'discord' ? await fakeDiscordPlatform() : await fakeSlackPlatform();
    try {
      results.push(await runOnPlatform(platform, opts));
    } finally {
      await platform.close();
    }
  }
  return results;
}

async function runOnPlatform(platform: FanoutPlatform, opts: ChatFanoutOptions): Promise<PlatformFanout> {
  const count = opts.deployments ?? 200;
  const durationMs = opts.durationMs ?? 5 * 60_000;
  const say = (line: string) => opts.say(`chat fan-out (${platform.name}): ${line}`);
  const installation = await createInstallation(platform.env);
  let app: WatchedChild | undefined;
  try {
    say('starting Octofleet (npm start: bot, worker and boot server) in its own process');
    app = await installation.launch('start', {
      logFile: join(opts.logDir, `chat-fanout-${platform.name}.log`),
    });
    const cpuStart = await app.cpuSeconds();
    const plans = planFanout(count, durationMs);

    say(`requesting and approving ${count} deployments in one channel`);
    const setupMark = platform.mark();
    const setupStarted = Date.now();
    const ids = await requestAndApprove(installation.apiOrigin, installation.apiToken, plans);
    const setupCaughtUp = await waitUntilAllPosted(installation.config.DATABASE_URL, SETUP_TIMEOUT_MS);
    const setupSeconds = (Date.now() - setupStarted) / 1000;
    say(`cards and approvals in chat after ${Math.round(setupSeconds)} s; ${count} machines install now`);

    const stageMark = platform.mark();
    const client = createLoadClient(installation.bootOrigin, { inFlight: 64 });
    const t0 = Date.now();
    const bar = createProgress({
      label: `[bench] chat fan-out (${platform.name}): installer requests sent`,
      total: plans.reduce((n, p) => n + p.lines.length, 0),
    });
    const { sent, errors } = await playSchedule(client, plans, t0, (done) => bar.update(done));
    bar.finish();
    const lastCallback = Date.now();
    await client.close();
    say(`last callback sent after ${Math.round((lastCallback - t0) / 1000)} s; waiting for chat to catch up`);
    const db = installation.config.DATABASE_URL;
    const caughtUp = await waitUntilAllPosted(db, DRAIN_TIMEOUT_MS, async () => {
      const refs = await chatRefs(db);
      return ids.every((id) => {
        const ref = refs.get(id);
        return ref !== undefined && platform.cardVersions(ref).at(-1)?.text.includes('✅ Done') === true;
      });
    });
    const drainSeconds = (Date.now() - lastCallback) / 1000;
    const endMark = platform.mark();
    const peakRssMb = await app.peakRssMb();
    const cpuSeconds = (await app.cpuSeconds()) - cpuStart;

    const refs = await chatRefs(installation.config.DATABASE_URL);
    const delivery = analyzeDelivery(platform, plans, ids, refs, sent, t0);
    const setupCalls = sumOf(platform.callsSince(setupMark)) - sumOf(platform.callsSince(stageMark));
    const stageCalls = sumOf(platform.callsSince(stageMark)) - sumOf(platform.callsSince(endMark));
    return {
      platform: platform.name,
      deployments: count,
      durationSeconds: durationMs / 1000,
      setup: {
        seconds: round(setupSeconds),
        caughtUp: setupCaughtUp,
        calls: between(platform, setupMark, stageMark),
      },
      stages: {
        seconds: round((lastCallback - t0) / 1000),
        callbacks: sent.flat().filter((t) => !Number.isNaN(t)).length,
        errors,
        drainSeconds: round(drainSeconds),
        caughtUp,
        calls: between(platform, stageMark, endMark),
      },
      callsPerDeployment: {
        setup: round(setupCalls / count, 2),
        stages: round(stageCalls / count, 2),
        total: round((setupCalls + stageCalls) / count, 2),
      },
      rateLimited: platform.rateLimited(),
      app: { peakRssMb: peakRssMb === null ? null : round(peakRssMb, 0), cpuSeconds: round(cpuSeconds) },
      ...delivery,
    };
  } finally {
    await app?.stop();
    await installation.dispose();
  }
}

function between(platform: FanoutPlatform, from: number, to: number): Record<string, number> {
  const all = platform.callsSince(from);
  for (const [k, n] of Object.entries(platform.callsSince(to))) all[k] = (all[k] ?? 0) - n;
  return Object.fromEntries(Object.entries(all).filter(([, n]) => n > 0));
}

const sumOf = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);
