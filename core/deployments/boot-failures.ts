import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import { Deployment } from './deployment.entity.js';
import { DeploymentEvent } from './deployment-event.entity.js';
import type { DeploymentState } from './lifecycle.js';

/**
 * Event stages of what goes wrong before the installer's first callback. They are not callback stages:
 * only the boot server records them (a missing file, a boot loop, a boot script's own report).
 */
export const BOOT_FAILURE_STAGES = ['boot_failed', 'boot_retry', 'boot_loop', 'missing_file'] as const;
export type BootFailureStage = (typeof BOOT_FAILURE_STAGES)[number];

/** One failure seen on the boot path. */
export interface BootFailure {
  stage: BootFailureStage;
  /** The thread line's text and, when the deployment fails, its failure reason. */
  reason: string;
  /** Fail the deployment (true) or record the event and leave it booting (a retryable step). */
  fail: boolean;
  /**
   * Only while the deployment still has this many install serves: a report about an earlier boot, or
   * one racing a newer serve, changes nothing.
   */
  installServes?: number;
  /**
   * Key of a boot script's report (`<serve>:<step>:<code>`). Stored with the event; a deployment that
   * already holds a key for the same serve records nothing more (one report per network boot).
   */
  reportKey?: string;
}

/** What {@link recordBootFailure} did. */
export interface BootFailureOutcome {
  recorded: boolean;
  /** The state the deployment is in afterwards; null when it does not exist. */
  status: DeploymentState | null;
  /** The state it was in when the failure was recorded. */
  from: DeploymentState | null;
}

/** States a boot-path failure may apply to: the machine has not reached its installer yet. */
const BOOT_STATES: DeploymentState[] = ['approved', 'booting'];

/**
 * Records a boot-path failure in one compare-and-set: the deployment must still be approved or booting
 * (never moved backwards, never touched once the installer reported), with the given serve count and
 * without a report for that serve yet. Fails it, or only records the event for a retryable step.
 */
export async function recordBootFailure(
  em: EntityManager,
  id: number,
  failure: BootFailure,
  now: Date,
): Promise<BootFailureOutcome> {
  return em.transactional(async (tem) => {
    // Locked first: the state it leaves is announced with the change (timers of that state are dropped).
    const before = await tem.findOne(
      Deployment,
      { id },
      { fields: ['status'], lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    if (!before) return { recorded: false, status: null, from: null };
    const where: Record<string, unknown> = { id, status: { $in: BOOT_STATES } };
    if (failure.installServes !== undefined) where.installServes = failure.installServes;
    if (failure.reportKey !== undefined) {
      const serve = failure.reportKey.split(':')[0];
      where.$or = [{ bootReport: null }, { $not: { bootReport: { $like: `${serve}:%` } } }];
    }
    const update: Partial<Deployment> = failure.fail
      ? {
          status: 'failed',
          failureReason: failure.reason,
          finishedAt: now,
          updatedAt: now,
          lastEventAt: now,
          stage: failure.stage,
        }
      : { stage: failure.stage, updatedAt: now, lastEventAt: now };
    if (failure.reportKey !== undefined) update.bootReport = failure.reportKey;
    const n = await tem.nativeUpdate(Deployment, where, update);
    if (!n) return { recorded: false, status: before.status, from: null };
    tem.create(DeploymentEvent, {
      deploymentId: id,
      stage: failure.stage,
      message: failure.reason,
      source: 'boot-server',
      state: failure.fail ? 'failed' : null,
      progress: null,
      receivedAt: now,
      postedAt: null,
    });
    return { recorded: true, status: failure.fail ? 'failed' : before.status, from: before.status };
  });
}
