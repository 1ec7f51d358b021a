import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../core/create-core.js';
import { ALL_STATES, type DeploymentState } from '../../../core/deployments/lifecycle.js';
import { alice, approver, bob, createTestCore } from '../../support/test-core.js';

// The whole table of docs/architecture.md ("Deployment state machine"): every pair not listed here is
// forbidden. Each pair is tried through the real guards (decide's conditional updates, the booting and
// event batches' SQL), not through a helper only tests call: a deployment is put in `from`, the action
// that leads to `to` is taken, and the state the database holds afterwards is compared.
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

let core: Core;
beforeAll(async () => {
  core = await createTestCore();
});
afterAll(async () => {
  await core?.close();
});

/** The action a user, a machine or a timer takes to move a deployment to `to`. */
const ACTION: Record<Exclude<DeploymentState, 'pending_approval'>, (id: number) => Promise<unknown>> = {
  approved: (id) => core.deployments.approve(id, bob, approver),
  rejected: (id) => core.deployments.reject(id, bob, approver),
  expired: (id) => core.deployments.expire(id),
  booting: (id) => core.deployments.markBooting(id, { platform: 'efi' }, 'kvm'),
  installing: (id) => core.deployments.recordEvent(id, { stage: 'installing', source: 'test' }),
  configuring: (id) => core.deployments.recordEvent(id, { stage: 'configuring', source: 'test' }),
  done: (id) => core.deployments.recordEvent(id, { stage: 'done', source: 'test' }),
  failed: (id) => core.deployments.recordEvent(id, { stage: 'failed', source: 'test' }),
  cancelled: (id) => core.deployments.cancel(id, bob, approver),
};

let n = 0;
/** A fresh deployment, forced into `state` (and past its approval deadline, so `expire` may act). */
async function deploymentIn(state: DeploymentState): Promise<number> {
  n++;
  const mac = `52:54:00:77:${(n >> 8).toString(16).padStart(2, '0')}:${(n & 0xff).toString(16).padStart(2, '0')}`;
  const { deployment } = await core.deployments.request({ mac, os: 'ubuntu2404' }, alice);
  await core.orm.em
    .fork()
    .getConnection()
    .execute(`update deployment set status = ?, expires_at = now() - interval '1 minute' where id = ?`, [
      state,
      deployment.id,
    ]);
  return deployment.id;
}

describe('deployment lifecycle, through the real guards', () => {
  const pairs = ALL_STATES.flatMap((from) =>
    ALL_STATES.filter((to) => to !== 'pending_approval').map((to) => [from, to] as const),
  );
  it.each(pairs)('%s → %s', async (from, to) => {
    const id = await deploymentIn(from);
    await ACTION[to as Exclude<DeploymentState, 'pending_approval'>](id).catch(() => undefined);
    const { status } = await core.deployments.repository().get(id);
    expect(status).toBe(ALLOWED[from].includes(to) ? to : from);
  });

  it('nothing leads back to pending_approval', () => {
    for (const from of ALL_STATES) expect(ALLOWED[from]).not.toContain('pending_approval');
  });
});
