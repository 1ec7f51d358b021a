import type { Core } from '../core/create-core.js';
import { Deployment } from '../core/deployments/deployment.entity.js';
import { GUARDED_STATES, isGuarded, type Scheduler } from './schedule.js';

/** What one reconciliation scheduled. */
export interface ReconcileReport {
  expiries: number;
  watchdogs: number;
  notifies: number;
}

export interface ReconcileOptions {
  /**
   * Also re-check the cards of active and recently finished deployments (a crash between the last
   * thread message and the card edit leaves no unposted event behind). Done at worker start.
   * @defaultValue false
   */
  cards?: boolean;
  /** How far back "recently finished" reaches. @defaultValue 24 h */
  recentMs?: number;
}

/**
 * Rebuilds every wake-up and timer from Postgres, the truth: approval deadlines of pending requests,
 * watchdogs of running deployments, and a notify for every deployment with unposted events. Idempotent
 * (stable job ids), so it runs at worker start, periodically, and after Redis lost its data.
 */
export async function reconcile(
  core: Core,
  scheduler: Scheduler,
  opts: ReconcileOptions = {},
): Promise<ReconcileReport> {
  const em = core.orm.em.fork();
  const pending = await em.find(Deployment, { status: 'pending_approval' }, { fields: ['id', 'expiresAt'] });
  const running = await em.find(
    Deployment,
    { status: { $in: [...GUARDED_STATES] } },
    { fields: ['id', 'status', 'lastEventAt'] },
  );
  for (const d of pending) await scheduler.expiry(d.id, d.expiresAt);
  for (const d of running) if (isGuarded(d.status)) await scheduler.watchdog(d.id, d.status, d.lastEventAt);
  // Approved deployments of machines with a BMC whose power sequence never started (Redis lost the arm
  // job) or stopped mid-way (a worker died): the sequence resumes from its step in Postgres.
  const unpowered = await em.getConnection().execute<{ id: number }[]>(
    `select d."id" from "deployment" d join "machine" m on m."mac" = d."mac"
       left join "power_run" r on r."deployment_id" = d."id"
     where d."status" = 'approved' and coalesce(m."bmc"->>'driver', 'manual') <> 'manual'
       and (r."step" is null or r."step" in ('pending', 'pxe_set', 'powering'))`,
  );
  for (const r of unpowered) await scheduler.power(r.id);

  const wake = new Set(await core.deployments.repository().deploymentsWithUnpostedEvents());
  if (opts.cards) {
    const since = new Date(Date.now() - (opts.recentMs ?? 24 * 3600_000));
    for (const d of [...pending, ...running]) wake.add(d.id);
    const recent = await em.find(Deployment, { finishedAt: { $gte: since } }, { fields: ['id'] });
    for (const d of recent) wake.add(d.id);
  }
  for (const id of wake) await scheduler.notify(id);
  // A finished batch's summary has no unposted event to wake it: its own condition does.
  const summaries = await core.batches.repository().withSummaryDue();
  for (const id of summaries) await scheduler.notifyBatch(id, { urgent: true });
  return { expiries: pending.length, watchdogs: running.length, notifies: wake.size + summaries.length };
}
