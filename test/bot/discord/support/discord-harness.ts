import type { ClientOptions } from 'discord.js';
import { type BootServer, createBootServer } from '../../../../boot-server/create-boot-server.js';
import { type Bot, createBot } from '../../../../bot/create-bot.js';
import { coreDirectory } from '../../../../bot/discord/discord-directory.js';
import { createDiscordPlatform, type DiscordPlatform } from '../../../../bot/discord/discord-platform.js';
import type { DiscordRateLimits } from '../../../../bot/discord/rate-limits.js';
import { registerDiscordCommands } from '../../../../bot/discord/register-commands.js';
import type { Core } from '../../../../core/create-core.js';
import { createQueues, type OctofleetQueues } from '../../../../core/queues.js';
import { type ChangePublisher, connectChangePublisher } from '../../../../worker/change-publisher.js';
import { createWorker, type OctofleetWorker } from '../../../../worker/create-worker.js';
import {
  type FakeDiscord,
  type FakeDiscordOptions,
  startFakeDiscord,
} from '../../../support/fake-discord/index.js';
import { createTestCore } from '../../../support/test-core.js';

/** Members of the fake guild: alice and carol approve, bob and dave do not. */
export const MEMBERS = [
  { username: 'alice', roles: ['approver'] },
  { username: 'bob' },
  { username: 'carol', roles: ['approver'] },
  { username: 'dave' },
];

/** discord.js options for tests: short guild wait, no 5 s pause between IDENTIFYs. */
export const TEST_CLIENT: Partial<ClientOptions> = {
  waitGuildTimeout: 200,
  ws: { buildIdentifyThrottler: () => ({ waitForIdentify: async () => {} }) },
};

export interface HarnessOptions {
  fake?: FakeDiscordOptions;
  env?: Record<string, string>;
  /** Limits declared to the notifier (the fake is given the same ones through `fake.rateLimits`). */
  rateLimits?: Partial<DiscordRateLimits>;
  notifyConcurrency?: number;
}

/**
 * Octofleet as it runs split in two: a bot process (gateway, commands, reactions) and a worker process
 * (notifier, REST only), each with its own Discord adapter, on real Postgres, Redis and BullMQ, with the
 * real boot server for callbacks, against the fake Discord.
 */
export interface DiscordHarness {
  fake: FakeDiscord;
  core: Core;
  queues: OctofleetQueues;
  publisher: ChangePublisher;
  boot: BootServer;
  /** Base URL of the boot listener (`http://127.0.0.1:port`). */
  bootUrl: string;
  bot: Bot;
  botPlatform: DiscordPlatform;
  worker: OctofleetWorker;
  /** Stops the bot process's adapter (gateway closed, nothing listens). */
  stopBot(): Promise<void>;
  /** Starts a fresh bot process (new client, empty cache). */
  startBot(): Promise<void>;
  close(): Promise<void>;
}

export async function startDiscordHarness(opts: HarnessOptions = {}): Promise<DiscordHarness> {
  const fake = await startFakeDiscord({ members: MEMBERS, ...opts.fake });
  const core = await createTestCore({
    DISCORD_TOKEN: fake.token,
    DISCORD_APPLICATION_ID: fake.applicationId,
    DISCORD_GUILD_ID: fake.guildId,
    DISCORD_CHANNEL_ID: fake.channelId('deploys'),
    DISCORD_APPROVER_ROLE_IDS: fake.roleId('approver'),
    DISCORD_API_BASE: fake.apiBase,
    BOOT_HOST: '127.0.0.1',
    BOOT_PORT: '0',
    API_HOST: '127.0.0.1',
    API_PORT: '0',
    ...opts.env,
  });
  await registerDiscordCommands(core.config);
  const queues = createQueues(core.config);
  const publisher = connectChangePublisher(core, queues, { coalesceMs: 200 });
  const boot = createBootServer(core, { pollSeconds: 1 });
  const { bootPort } = await boot.start();
  const adapter = () =>
    createDiscordPlatform(core.config, core.logger, {
      directory: coreDirectory(core),
      client: TEST_CLIENT,
      rateLimits: opts.rateLimits,
    });
  const workerPlatform = adapter();
  await workerPlatform.start();
  const worker = createWorker(core, {
    platforms: [workerPlatform],
    queues,
    reconcileIntervalMs: 0,
    coalesceMs: 200,
    notifyConcurrency: opts.notifyConcurrency,
  });
  await worker.start();

  const h: DiscordHarness = {
    fake,
    core,
    queues,
    publisher,
    boot,
    bootUrl: `http://127.0.0.1:${bootPort}`,
    bot: undefined as unknown as Bot,
    botPlatform: undefined as unknown as DiscordPlatform,
    worker,
    async stopBot() {
      await h.bot.stop();
    },
    async startBot() {
      h.botPlatform = adapter();
      h.bot = createBot(core, { platforms: [h.botPlatform] });
      await h.bot.start();
    },
    async close() {
      await worker.stop();
      await h.bot?.stop();
      await workerPlatform.stop();
      await boot.stop();
      publisher.close();
      await queues.obliterate();
      await queues.close();
      await core.close();
      await fake.close();
    },
  };
  try {
    await h.startBot();
  } catch (error) {
    await h.close();
    throw error;
  }
  return h;
}
