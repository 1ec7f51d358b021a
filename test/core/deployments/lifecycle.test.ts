import { describe, expect, it } from 'vitest';
import { ALL_STATES, canTransition, type DeploymentState } from '../../../core/deployments/lifecycle.js';

// The whole table of docs/architecture.md ("Deployment state machine"): every pair not listed here is forbidden.
const ALLOWED: Record<DeploymentState, DeploymentState[]> = {
  pending_approval: ['approved', 'rejected', 'expired', 'cancelled'],
  approved: ['booting', 'installing', 'configuring', 'done', 'failed', 'cancelled'],
  booting: ['installing', 'configuring', 'done', 'failed', 'cancelled'],
  installing: ['configuring', 'done', 'failed', 'cancelled'],
  configuring: ['done', 'failed', 'cancelled'],
  done: [],
  failed: [],
  rejected: [],
  expired: [],
  cancelled: [],
};

describe('deployment lifecycle', () => {
  const pairs = ALL_STATES.flatMap((from) => ALL_STATES.map((to) => [from, to] as const));
  it.each(pairs)('%s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(ALLOWED[from].includes(to));
  });
});
