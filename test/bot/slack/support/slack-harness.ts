import { Writable } from 'node:stream';
import { type BootServer, createBootServer } from '../../../../boot-server/create-boot-server.js';
import { type Bot, createBot } from '../../../../bot/create-bot.js';
import {
  createSlackPlatform,
  type SlackPlatform,
  type SlackPlatformOptions,
} from '../../../../bot/slack/create-slack-platform.js';
import type { Core } from '../../../../core/create-core.js';
import { createLogger } from '../../../../core/logger.js';
import { createQueues, type OctofleetQueues } from '../../../../core/queues.js';
import { type ChangePublisher, connectChangePublisher } from '../../../../worker/change-publisher.js';
import { createWorker, type OctofleetWorker } from '../../../../worker/create-worker.js';
import { type FakeSlack, type FakeSlackOptions, startFakeSlack } from '../../../support/fake-slack/index.js';
import { createTestCore } from '../../../support/test-core.js';

export const CHANNEL = 'C0DEPLOYS01';
export const OPERATOR = 'U0OPERATOR1';
/** In the user group `S0APPROVERS`. */
export const APPROVER = 'U0APPROVER1';
/** Listed in `SLACK_APPROVER_USER_IDS`. */
export const LISTED_APPROVER = 'U0APPROVER2';
export const OUTSIDER = 'U0OUTSIDER1';
export const APPROVER_GROUP = 'S0APPROVERS';

export const USERS = [
  { id: OPERATOR, name: 'operator', realName: 'Olga Operator' },
  { id: APPROVER, name: 'approver', realName: 'Arne Approver' },
  { id: LISTED_APPROVER, name: 'lena', realName: 'Lena Listed' },
  { id: OUTSIDER, name: 'otto', realName: 'Otto Outsider' },
];

export interface SlackHarnessOptions {
  mode: 'http' | 'socket';
  env?: Record<string, string>;
  fake?: FakeSlackOptions;
  platform?: SlackPlatformOptions;
}

/**
 * The whole product on real parts against the fake Slack: core (Postgres), change publisher, BullMQ
 * worker with its notifier, the boot server (the Slack receiver mounted on its admin listener in HTTP
 * mode) and the bot with the real Slack adapter (real Bolt).
 */
export interface SlackHarness {
  mode: 'http' | 'socket';
  fake: FakeSlack;
  core: Core;
  platform: SlackPlatform;
  bot: Bot;
  worker: OctofleetWorker;
  queues: OctofleetQueues;
  publisher: ChangePublisher;
  boot: BootServer;
  /** Base URL of the public boot listener. */
  bootUrl: string;
  /** HTTP mode: the Request URL Slack posts to (admin listener + /slack/events). */
  eventsUrl: string;
  /** Every log line, parsed (the adapter's warnings and notes). */
  logs: Record<string, unknown>[];
  /** A user types a slash command; answers once the app acknowledged it. */
  command(user: string, command: string, text: string, channel?: string): Promise<{ acked: boolean }>;
  /** Delivers a `reaction_added` event; pass `eventId` and `retry` to redeliver one. */
  sendEvent(
    event: Record<string, unknown>,
    o?: { eventId?: string; retry?: number },
  ): Promise<{ acked: boolean; eventId: string }>;
  /** A user adds a reaction in the client (state changes) and Slack delivers the event. */
  react(
    user: string,
    ts: string,
    name: string,
    channel?: string,
  ): Promise<{ acked: boolean; eventId: string }>;
  /** A user clicks a card button. */
  click(user: string, ts: string, actionId: string, value: string): Promise<{ acked: boolean }>;
  /** Resolves with the first log line from index `after` on whose `msg` matches. */
  waitForLog(pattern: RegExp, after?: number): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startSlackHarness(opts: SlackHarnessOptions): Promise<SlackHarness> {
  const fake = await startFakeSlack({ users: USERS, ...opts.fake });
  const base = await createTestCore({
    BOOT_HOST: '127.0.0.1',
    BOOT_PORT: '0',
    API_HOST: '127.0.0.1',
    API_PORT: '0',
    API_TOKEN: 'test-api-token-0123456789abcdef',
    SLACK_BOT_TOKEN: fake.botToken,
    ...(opts.mode === 'http'
      ? { SLACK_SIGNING_SECRET: fake.signingSecret }
      : { SLACK_APP_TOKEN: fake.appToken }),
    SLACK_API_URL: fake.apiUrl,
    SLACK_CHANNEL_ID: CHANNEL,
    SLACK_APPROVER_USER_IDS: LISTED_APPROVER,
    SLACK_APPROVER_USERGROUP_ID: APPROVER_GROUP,
    ...opts.env,
  });
  const logs: Record<string, unknown>[] = [];
  const listeners = new Set<() => void>();
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(line));
      for (const l of listeners) l();
      done();
    },
  });
  const core: Core = { ...base, logger: createLogger({ level: 'debug', destination: sink }) };
  const queues = createQueues(core.config);
  const publisher = connectChangePublisher(core, queues);
  const platform = createSlackPlatform(core.config, core.logger, opts.platform);
  const boot = createBootServer(core, {
    pollSeconds: 1,
    adminMounts: platform.requestHandler
      ? [{ path: platform.eventsPath, handler: platform.requestHandler }]
      : [],
  });
  const { bootPort, apiPort } = await boot.start();
  const bot = createBot(core, { platforms: [platform] });
  await bot.start();
  if (opts.mode === 'socket') await fake.socket.waitForConnection();
  const worker = createWorker(core, { platforms: [platform], queues, reconcileIntervalMs: 0 });
  await worker.start();
  const eventsUrl = `http://127.0.0.1:${apiPort}${platform.eventsPath}`;
  const acked = (status: number) => status === 200;

  const h: SlackHarness = {
    mode: opts.mode,
    fake,
    core,
    platform,
    bot,
    worker,
    queues,
    publisher,
    boot,
    bootUrl: `http://127.0.0.1:${bootPort}`,
    eventsUrl,
    logs,
    async command(user, command, text, channel = CHANNEL) {
      const fields = { command, text, user_id: user, channel_id: channel };
      if (opts.mode === 'socket') {
        await fake.socket.sendSlashCommand(fields);
        return { acked: true };
      }
      return { acked: acked((await fake.sendSlashCommand(eventsUrl, fields)).status) };
    },
    async sendEvent(event, o = {}) {
      if (opts.mode === 'socket') {
        const r = await fake.socket.sendEvent(event, { eventId: o.eventId, retryAttempt: o.retry });
        return { acked: true, eventId: r.eventId };
      }
      const r = await fake.sendEvent(eventsUrl, event, { eventId: o.eventId, retryNum: o.retry });
      return { acked: acked(r.status), eventId: r.eventId };
    },
    react(user, ts, name, channel = CHANNEL) {
      return h.sendEvent(fake.reactionAdded(user, channel, ts, name));
    },
    async click(user, ts, actionId, value) {
      const payload = fake.blockActions({ user, channel: CHANNEL, messageTs: ts, actionId, value });
      if (opts.mode === 'socket') {
        await fake.socket.sendInteraction(payload);
        return { acked: true };
      }
      return { acked: acked((await fake.sendInteraction(eventsUrl, payload)).status) };
    },
    waitForLog(pattern, after = 0) {
      const timeoutMs = 10_000;
      const find = () => logs.slice(after).find((l) => pattern.test(String(l.msg)));
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = find();
          if (!hit) return;
          done();
          resolve(hit);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out waiting for a log line ${pattern}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    async close() {
      await worker.stop();
      await bot.stop();
      await boot.stop();
      publisher.close();
      await queues.obliterate();
      await queues.close();
      await fake.close();
      await base.close();
    },
  };
  return h;
}
