import { priorityOfState } from '../chat/messages/labels.js';
import type { Core } from '../core/create-core.js';
import type { DeploymentChange } from '../core/deployments/deployment-service.js';
import { isTerminal } from '../core/deployments/lifecycle.js';
import type { OctofleetQueues } from '../core/queues.js';
import { createScheduler, isGuarded, type Scheduler } from './schedule.js';

export interface ChangePublisher {
  /** The scheduler the publisher uses (the reconciler and tests share it). */
  scheduler: Scheduler;
  /** Stops publishing (core has no unsubscribe; later changes are ignored). */
  close(): void;
}

/**
 * Turns every committed deployment change of this process into BullMQ wake-ups: notify (card and
 * thread), the approval deadline, arming, and the watchdog of each state. Processes that run a worker
 * call it; the others announce their changes through Postgres (core/deployments/change-announcements.ts)
 * and a worker publishes them (./change-listener.ts). A failure here is logged by core and repaired by
 * the worker's reconciler: Postgres already holds the change.
 */
export function connectChangePublisher(
  core: Core,
  queues: OctofleetQueues,
  opts: { coalesceMs?: number } = {},
): ChangePublisher {
  const scheduler = createScheduler(queues, core.config, opts);
  let closed = false;
  core.onChange(async (change) => {
    if (!closed) await publishChange(core, scheduler, change);
  });
  return {
    scheduler,
    close() {
      closed = true;
    },
  };
}

/** The wake-ups and timers one committed change calls for; idempotent (stable job ids). */
export async function publishChange(core: Core, s: Scheduler, change: DeploymentChange): Promise<void> {
  const { deploymentId: id, state, kind } = change;
  if (kind === 'created') {
    const expiresAt = new Date(Date.now() + core.config.APPROVAL_TIMEOUT_MINUTES * 60_000);
    await Promise.all([s.notify(id), s.expiry(id, expiresAt)]);
    return;
  }
  if (kind === 'event') {
    // No state change: an installer stage or progress. Merge bursts; the watchdog re-reads lastEventAt.
    await s.notify(id, { coalesce: true });
    return;
  }
  const tasks = [s.notify(id, { priority: priorityOfState(state) })];
  if (state === 'approved') tasks.push(s.arm(id));
  const { from } = change;
  if (isGuarded(state))
    tasks.push(s.watchdog(id, state, new Date()), s.clearTimers(id, { keep: state, from }));
  if (isTerminal(state)) tasks.push(s.clearTimers(id, { from }));
  await Promise.all(tasks);
}
