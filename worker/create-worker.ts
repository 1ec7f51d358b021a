import { type Processor, Worker } from 'bullmq';
import type { ChatPlatform, PlatformName } from '../chat/chat-platform.js';
import type { Core } from '../core/create-core.js';
import type { PgListener } from '../core/db/pg-listener.js';
import { createQueues, createRedisConnection, type OctofleetQueues, QUEUE_NAMES } from '../core/queues.js';
import { listenForChanges } from './change-listener.js';
import { createBoardStore } from './notifier/board-store.js';
import { createCardCache } from './notifier/card-cache.js';
import { createDeploymentLocks } from './notifier/deployment-lock.js';
import { createDigestMode } from './notifier/digest-mode.js';
import { createRateLimiter } from './notifier/rate-limiter.js';
import { armProcessor } from './processors/arm.js';
import { expireProcessor } from './processors/expire.js';
import { notifyProcessor } from './processors/notify.js';
import { powerProcessor } from './processors/power.js';
import { watchdogProcessor } from './processors/watchdog.js';
import { type ReconcileOptions, type ReconcileReport, reconcile } from './reconciler.js';
import { createScheduler } from './schedule.js';

export interface WorkerOptions {
  /** Platforms the notifier posts to (already started, or started by the bot in the same process). */
  platforms: ChatPlatform[];
  /** Queues to use; opened (and closed on stop) from config when absent. */
  queues?: OctofleetQueues;
  /** Deployments the notifier serves at once. @defaultValue 8 */
  notifyConcurrency?: number;
  /** Re-run the reconciler this often; 0 disables. @defaultValue 60 000 */
  reconcileIntervalMs?: number;
  /** Coalescing window of progress updates. @defaultValue 1000 */
  coalesceMs?: number;
  /**
   * BullMQ lock duration and stalled-job check interval: how soon a job held by a dead worker runs
   * again elsewhere. @defaultValue 30 000
   */
  lockDurationMs?: number;
}

export interface OctofleetWorker {
  queues: OctofleetQueues;
  /** Starts the processors and runs the reconciler (cards included). */
  start(): Promise<void>;
  /** Stops taking jobs, lets active ones finish, closes connections (SIGTERM). */
  stop(): Promise<void>;
  /** Rebuilds timers and wake-ups from Postgres now. */
  reconcile(opts?: ReconcileOptions): Promise<ReconcileReport>;
}

/**
 * The worker role: one BullMQ processor per job type (arm, expire, watchdog, notify, power), the listener
 * for changes other processes announce, and the reconciler. Holds no state of its own, so any number
 * can run side by side.
 */
export function createWorker(core: Core, opts: WorkerOptions): OctofleetWorker {
  const { config, logger } = core;
  const queues = opts.queues ?? createQueues(config);
  const scheduler = createScheduler(queues, config, { coalesceMs: opts.coalesceMs });
  const concurrency = opts.notifyConcurrency ?? 8;
  const locks = createDeploymentLocks(config.DATABASE_URL, { max: concurrency + 1 });
  const notifier = {
    core,
    platforms: new Map<PlatformName, ChatPlatform>(opts.platforms.map((p) => [p.name, p])),
    limiter: createRateLimiter(queues.connection, config.QUEUE_PREFIX),
    cards: createCardCache(queues.connection, config.QUEUE_PREFIX),
    locks,
    digests: createDigestMode(queues.connection, config.QUEUE_PREFIX),
    wakeChannel: (platform: PlatformName, channelId: string, urgent: boolean) =>
      scheduler.notifyChannel(platform, channelId, { urgent }),
    boards: createBoardStore(queues.connection, config.QUEUE_PREFIX),
    wakeBoard: (platform: PlatformName, channelId: string, urgent: boolean) =>
      scheduler.notifyBoard(platform, channelId, { urgent }),
  };
  const workers: Worker[] = [];
  const connections: ReturnType<typeof createRedisConnection>[] = [];
  let timer: NodeJS.Timeout | undefined;
  let changes: PgListener | undefined;
  let stopped = false;

  const spawn = (name: string, processor: Processor, concurrencyOf = 4) => {
    const connection = createRedisConnection(config);
    connections.push(connection);
    const worker = new Worker(name, processor, {
      connection,
      prefix: config.QUEUE_PREFIX,
      concurrency: concurrencyOf,
      lockDuration: opts.lockDurationMs ?? 30_000,
      stalledInterval: opts.lockDurationMs ?? 30_000,
    });
    worker.on('failed', (job, error) => {
      const final =
        !job || error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
      const fields = {
        err: error,
        queue: name,
        jobId: job?.id,
        data: job?.data,
        attempts: job?.attemptsMade,
      };
      if (final)
        logger.error(fields, 'job failed for good; the reconciler will schedule it again from Postgres');
      else logger.warn(fields, 'job failed; retrying with backoff');
    });
    worker.on('error', (error) => logger.error({ err: error, queue: name }, 'queue worker error'));
    workers.push(worker);
  };

  const runReconcile = async (ropts?: ReconcileOptions) => {
    const report = await reconcile(core, scheduler, ropts);
    logger.debug({ ...report }, 'reconciled timers and notifications from Postgres');
    return report;
  };

  return {
    queues,
    async start() {
      spawn(QUEUE_NAMES.arm, armProcessor(core, scheduler) as Processor);
      spawn(QUEUE_NAMES.expire, expireProcessor(core) as Processor);
      spawn(QUEUE_NAMES.watchdog, watchdogProcessor(core) as Processor);
      spawn(QUEUE_NAMES.notify, notifyProcessor(notifier, scheduler) as Processor, concurrency);
      spawn(QUEUE_NAMES.power, powerProcessor(core) as Processor);
      await Promise.all(workers.map((w) => w.waitUntilReady()));
      // Changes that boot servers and bots announce. What was announced before the LISTEN was in place
      // is caught up by a reconciliation after it: the one below when the LISTEN is up by then,
      // otherwise the one its (re)connection triggers.
      let catchUpOnListen = false;
      changes = listenForChanges(core, scheduler, {
        onListening: async () => {
          if (catchUpOnListen) await runReconcile();
        },
      });
      await changes.listeningWithin(5000);
      catchUpOnListen = true;
      await runReconcile({ cards: true });
      const every = opts.reconcileIntervalMs ?? 60_000;
      if (every > 0) {
        timer = setInterval(() => {
          runReconcile().catch((error) =>
            logger.error({ err: error }, 'reconciler failed; retrying next round'),
          );
        }, every);
        timer.unref();
      }
      logger.info({ platforms: opts.platforms.map((p) => p.name) }, 'worker started');
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (timer) clearInterval(timer);
      await changes?.close();
      await Promise.all(workers.splice(0).map((w) => w.close()));
      // BullMQ leaves connections it was given open; these are ours.
      await Promise.all(connections.splice(0).map((c) => c.quit().catch(() => c.disconnect())));
      await locks.close();
      if (!opts.queues) await queues.close();
    },
    reconcile: runReconcile,
  };
}
