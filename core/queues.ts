import { type JobsOptions, Queue } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import type { Config } from './config/index.js';

/**
 * BullMQ queue names. Redis carries wake-ups and timers only; every fact lives in Postgres, so a job
 * says "deployment 42 changed" and the processor reads the rest (docs/architecture.md "Where facts live").
 */
export const QUEUE_NAMES = {
  /** An approved deployment: schedule its watchdog, kick the notifier, start the power sequence. */
  arm: 'arm',
  /** A pending request whose approval window ends: `DeploymentService.expire`. */
  expire: 'expire',
  /** A deployment with no event for too long in one state: `DeploymentService.failIfStale`. */
  watchdog: 'watchdog',
  /** A deployment with unposted events or a stale card: post them to chat. */
  notify: 'notify',
  /** An approved deployment of a machine with a BMC: PXE once, verify, power on or cycle. */
  power: 'power',
} as const;

export type QueueName = keyof typeof QUEUE_NAMES;

/** Job payloads. Ids only: processors read the truth from Postgres. */
export interface ArmJob {
  deploymentId: number;
}
export interface ExpireJob {
  deploymentId: number;
}
export interface WatchdogJob {
  deploymentId: number;
  /** The state the watchdog guards; the job does nothing once the deployment left it. */
  state: 'approved' | 'booting' | 'installing' | 'configuring';
}
export interface NotifyJob {
  /** 0 for a batch's job. */
  deploymentId: number;
  /** Set on a batch's job: its card and thread (see worker/notifier/batch-notifier.ts). */
  batchId?: number;
  /**
   * Set on a channel's job: its digest (worker/notifier/channel-notifier.ts), or with `board` its board
   * (worker/notifier/channel-board.ts).
   */
  channel?: { platform: string; channelId: string; board?: boolean };
}
export interface PowerJob {
  deploymentId: number;
}

/** Stable job ids, so scheduling the same timer twice (publisher and reconciler) keeps one job. */
export const jobIds = {
  arm: (id: number) => `arm-${id}`,
  expire: (id: number) => `expire-${id}`,
  watchdog: (id: number, state: string) => `watchdog-${id}-${state}`,
  /** Deduplication ids of the notifier: one immediate and one coalescing job per deployment at most. */
  notify: (id: number) => `notify-${id}`,
  notifyCoalesced: (id: number) => `notify-${id}-coalesced`,
  power: (id: number) => `power-${id}`,
  /** One waiting run per batch: its digest window, shortened by a final state. */
  notifyBatch: (id: number) => `notify-b${id}`,
  /** One waiting digest run per channel in digest mode. */
  notifyChannel: (platform: string, channelId: string) => `notify-c-${platform}-${channelId}`,
  notifyBoard: (platform: string, channelId: string) => `notify-board-${platform}-${channelId}`,
};

/**
 * Defaults for every job. Finished jobs are removed so a stable job id can be scheduled again (a kept
 * `expire-42` would make a later add a no-op); failures are logged by the worker, and the reconciler
 * re-creates whatever Postgres still needs.
 */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  removeOnComplete: true,
  removeOnFail: true,
  attempts: 8,
  backoff: { type: 'exponential', delay: 500 },
};

/** The queues of one installation, all under `QUEUE_PREFIX`. */
export interface OctofleetQueues {
  arm: Queue<ArmJob>;
  expire: Queue<ExpireJob>;
  watchdog: Queue<WatchdogJob>;
  notify: Queue<NotifyJob>;
  power: Queue<PowerJob>;
  /** The connection the queues share (producers); workers open their own. */
  connection: Redis;
  prefix: string;
  /** Every queue, for iteration. */
  all(): Queue[];
  /** Closes the queues and, when this object opened it, the connection. */
  close(): Promise<void>;
  /** Removes every job and key of these queues (tests, and operators resetting an installation). */
  obliterate(): Promise<void>;
}

/**
 * Opens a Redis connection for BullMQ. `maxRetriesPerRequest: null` is what BullMQ workers require
 * (docs.bullmq.io "Connections"): commands wait for a reconnect instead of failing.
 */
export function createRedisConnection(config: Pick<Config, 'REDIS_URL'>, opts: RedisOptions = {}): Redis {
  return new Redis(config.REDIS_URL, { maxRetriesPerRequest: null, ...opts });
}

/** Creates the queues of an installation; pass `connection` to share one, else one is opened and owned. */
export function createQueues(
  config: Pick<Config, 'REDIS_URL' | 'QUEUE_PREFIX'>,
  connection?: Redis,
): OctofleetQueues {
  const owned = !connection;
  // Producers only (workers open their own blocking connections): commands issued in one turn of the
  // event loop, such as the several jobs of one state change, go to Redis in one write.
  const redis = connection ?? createRedisConnection(config, { enableAutoPipelining: true });
  const make = <T>(name: string) =>
    new Queue<T>(name, {
      connection: redis,
      prefix: config.QUEUE_PREFIX,
      defaultJobOptions: DEFAULT_JOB_OPTIONS,
    });
  const queues = {
    arm: make<ArmJob>(QUEUE_NAMES.arm),
    expire: make<ExpireJob>(QUEUE_NAMES.expire),
    watchdog: make<WatchdogJob>(QUEUE_NAMES.watchdog),
    notify: make<NotifyJob>(QUEUE_NAMES.notify),
    power: make<PowerJob>(QUEUE_NAMES.power),
  };
  const all = () => Object.values(queues) as Queue[];
  return {
    ...queues,
    connection: redis,
    prefix: config.QUEUE_PREFIX,
    all,
    async close() {
      await Promise.all(all().map((q) => q.close()));
      if (owned) await redis.quit().catch(() => redis.disconnect());
    },
    async obliterate() {
      await Promise.all(all().map((q) => q.obliterate({ force: true })));
    },
  };
}
