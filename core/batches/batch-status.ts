import type { Deployment } from '../deployments/deployment.entity.js';
import { ALL_STATES, type DeploymentState, isActive } from '../deployments/lifecycle.js';

/**
 * A batch's state, derived from its members: `pending_approval` while any awaits a decision, `approved`
 * while every active one is approved but none booted yet, `running` while any other is active; once all
 * are finished: `failed` if any failed, else `done` if any is done, else the members' common end
 * (`rejected`, `expired`, `cancelled`).
 */
export type BatchStatus = DeploymentState | 'running';

export function batchStatus(members: Pick<Deployment, 'status'>[]): BatchStatus {
  const states = members.map((m) => m.status);
  if (states.includes('pending_approval')) return 'pending_approval';
  const active = states.filter(isActive);
  if (active.length) return active.every((s) => s === 'approved') ? 'approved' : 'running';
  if (states.includes('failed')) return 'failed';
  if (states.includes('done')) return 'done';
  for (const end of ['cancelled', 'rejected', 'expired'] as const) if (states.includes(end)) return end;
  return 'cancelled';
}

/** How many members are in each state; every state is present, 0 when none. */
export function batchCounts(members: Pick<Deployment, 'status'>[]): Record<DeploymentState, number> {
  const counts = Object.fromEntries(ALL_STATES.map((s) => [s, 0])) as Record<DeploymentState, number>;
  for (const m of members) counts[m.status]++;
  return counts;
}
