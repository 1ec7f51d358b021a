import { randomUUID } from 'node:crypto';
import type { MessagePriority } from '../chat/chat-platform.js';
import { priorityRank } from '../chat/messages/labels.js';
import type { Config } from '../core/config/index.js';
import type { ActiveState, DeploymentState } from '../core/deployments/lifecycle.js';
import { jobIds, type NotifyJob, type OctofleetQueues, type WatchdogJob } from '../core/queues.js';

export type GuardedState = WatchdogJob['state'];
export const GUARDED_STATES: readonly GuardedState[] = ['approved', 'booting', 'installing', 'configuring'];

export function isGuarded(state: string): state is GuardedState {
  return (GUARDED_STATES as readonly string[]).includes(state);
}

/** Minutes without news after which a deployment in `state` fails (WATCHDOG_*_MINUTES). */
export function watchdogMinutes(config: Config, state: GuardedState): number {
  return {
    approved: config.WATCHDOG_APPROVED_MINUTES,
    booting: config.WATCHDOG_BOOTING_MINUTES,
    installing: config.WATCHDOG_INSTALLING_MINUTES,
    configuring: config.WATCHDOG_CONFIGURING_MINUTES,
  }[state];
}

/** BullMQ priority (1 = first) of a notify job carrying content of this class. */
export function jobPriority(p: MessagePriority): number {
  return priorityRank(p) + 1;
}

/**
 * Puts wake-ups and timers into BullMQ. Every call is idempotent (stable job ids, deduplication), so the
 * change publisher and the reconciler can both schedule the same thing.
 */
export interface Scheduler {
  /**
   * Wakes the notifier for a deployment. `coalesce` delays it by the coalescing window and merges every
   * wake-up inside it (progress 40→45→50% in a second → one run); otherwise it runs now. At most one run
   * per deployment and kind is waiting, and one more is queued if changes arrive while it runs.
   */
  notify(deploymentId: number, opts?: { coalesce?: boolean; priority?: MessagePriority }): Promise<void>;
  /**
   * Wakes the notifier for a batch's card and thread after the digest window (`urgent`: now, also
   * promoting a run already waiting out its window, for a final state). At most one run per batch waits,
   * so every member change inside the window goes out as one digest.
   */
  notifyBatch(batchId: number, opts?: { urgent?: boolean }): Promise<void>;
  /**
   * Wakes a channel's digest run after a short window that gathers the lines of several deployments
   * (`urgent`: now, also promoting a run already waiting, for a final state). At most one run per channel waits.
   */
  notifyChannel(platform: string, channelId: string, opts?: { urgent?: boolean }): Promise<void>;
  /**
   * Wakes a channel's board run (worker/notifier/channel-board.ts): now when none waits, and with
   * `urgent` (a machine finished) also a run already waiting for a later turn. At most one run per channel waits.
   */
  notifyBoard(platform: string, channelId: string, opts?: { urgent?: boolean }): Promise<void>;
  arm(deploymentId: number): Promise<void>;
  /**
   * The power sequence of an approved deployment (worker/processors/power.ts), retried with exponential
   * backoff (POWER_ATTEMPTS, POWER_BACKOFF_SECONDS) while the BMC is busy or unreachable.
   */
  power(deploymentId: number): Promise<void>;
  /** Approval deadline of a pending request. */
  expiry(deploymentId: number, expiresAt: Date): Promise<void>;
  /** Watchdog for `state`, due `WATCHDOG_<STATE>_MINUTES` after `since` (the last event). */
  watchdog(deploymentId: number, state: GuardedState, since: Date): Promise<void>;
  /**
   * Drops timers that no longer apply: the one of the state `from` that was just left when it is known;
   * otherwise every timer of the states before `keep` (all of them without `keep`: the deployment ended).
   * Best effort: a stale timer also finds nothing to do.
   */
  clearTimers(deploymentId: number, opts?: { keep?: ActiveState; from?: DeploymentState }): Promise<void>;
}

export function createScheduler(
  queues: OctofleetQueues,
  config: Config,
  opts: { coalesceMs?: number; batchDigestMs?: number } = {},
): Scheduler {
  const coalesceMs = opts.coalesceMs ?? 1000;
  const batchDigestMs = opts.batchDigestMs ?? config.BATCH_DIGEST_MS;
  const remove = (queue: { remove(id: string): Promise<number> }, id: string) =>
    queue.remove(id).catch(() => 0);
  /**
   * Adds a notify job unless one with the same deduplication id waits already; with `wake`, a waiting
   * one that is delayed (waiting out a rate limit or a digest window) runs now instead. A job id of our
   * own: when the add is deduplicated BullMQ answers the waiting job's id, and only then is it worth
   * asking Redis about that job.
   */
  const addOrWake = async (
    data: NotifyJob,
    dedupId: string,
    opts: { delay?: number; priority: number },
    wake: boolean,
  ) => {
    const jobId = `${dedupId}-${randomUUID()}`;
    const job = await queues.notify.add('notify', data, {
      jobId,
      ...opts,
      deduplication: { id: dedupId, keepLastIfActive: true },
    });
    if (job.id === jobId || !wake) return;
    const existing = job.id ? await queues.notify.getJob(job.id) : undefined;
    if (existing && (await existing.isDelayed())) await existing.promote().catch(() => {});
  };
  return {
    async notify(deploymentId, { coalesce = false, priority = 'state' } = {}) {
      const data = { deploymentId };
      if (coalesce) {
        await queues.notify.add('notify', data, {
          delay: coalesceMs,
          priority: jobPriority('progress'),
          deduplication: { id: jobIds.notifyCoalesced(deploymentId), keepLastIfActive: true },
        });
      } else {
        // Deduplicated into a run that is waiting out a rate limit (often the card-edit budget): wake it,
        // so a new state goes to the thread now; whatever is still limited simply waits again.
        await addOrWake(data, jobIds.notify(deploymentId), { priority: jobPriority(priority) }, true);
      }
    },
    async notifyBatch(batchId, { urgent = false } = {}) {
      await addOrWake(
        { deploymentId: 0, batchId },
        jobIds.notifyBatch(batchId),
        { delay: urgent ? 0 : batchDigestMs, priority: jobPriority(urgent ? 'final' : 'state') },
        urgent,
      );
    },
    async notifyChannel(platform, channelId, { urgent = false } = {}) {
      await addOrWake(
        { deploymentId: 0, channel: { platform, channelId } },
        jobIds.notifyChannel(platform, channelId),
        { delay: urgent ? 0 : CHANNEL_DIGEST_MS, priority: jobPriority(urgent ? 'final' : 'state') },
        urgent,
      );
    },
    async notifyBoard(platform, channelId, { urgent = false } = {}) {
      await addOrWake(
        { deploymentId: 0, channel: { platform, channelId, board: true } },
        jobIds.notifyBoard(platform, channelId),
        { priority: jobPriority('final') },
        urgent,
      );
    },
    async arm(deploymentId) {
      await queues.arm.add('arm', { deploymentId }, { jobId: jobIds.arm(deploymentId) });
    },
    async power(deploymentId) {
      await queues.power.add(
        'power',
        { deploymentId },
        {
          jobId: jobIds.power(deploymentId),
          attempts: config.POWER_ATTEMPTS,
          backoff: { type: 'exponential', delay: Math.round(config.POWER_BACKOFF_SECONDS * 1000) },
        },
      );
    },
    async expiry(deploymentId, expiresAt) {
      const delay = Math.max(0, expiresAt.getTime() - Date.now());
      await queues.expire.add('expire', { deploymentId }, { jobId: jobIds.expire(deploymentId), delay });
    },
    async watchdog(deploymentId, state, since) {
      const due = since.getTime() + watchdogMinutes(config, state) * 60_000;
      const delay = Math.max(0, due - Date.now());
      await queues.watchdog.add(
        'watchdog',
        { deploymentId, state },
        { jobId: jobIds.watchdog(deploymentId, state), delay },
      );
    },
    async clearTimers(deploymentId, { keep, from } = {}) {
      const left: readonly ActiveState[] = from
        ? TIMER_ORDER.filter((state) => state === from && state !== keep)
        : TIMER_ORDER.slice(0, keep ? TIMER_ORDER.indexOf(keep) : TIMER_ORDER.length);
      const removals = left.map((state) =>
        state === 'pending_approval'
          ? remove(queues.expire, jobIds.expire(deploymentId))
          : remove(queues.watchdog, jobIds.watchdog(deploymentId, state)),
      );
      await Promise.all(removals);
    },
  };
}

/** How long a channel digest gathers lines before it goes out, unless a final state wakes it. */
const CHANNEL_DIGEST_MS = 500;

/** Active states in lifecycle order; each may hold a timer (the approval deadline, then watchdogs). */
const TIMER_ORDER: readonly ActiveState[] = ['pending_approval', ...GUARDED_STATES];
