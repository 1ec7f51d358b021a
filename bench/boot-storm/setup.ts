import type { Core } from '../../core/create-core.js';
import type { Actor } from '../../core/deployments/deployment.entity.js';
import type { Machine } from './machines.js';

const requester: Actor = { platform: 'shell', id: 'bench-operator', name: 'bench-operator' };
const approver: Actor = { platform: 'shell', id: 'bench-approver', name: 'bench-approver' };

/** Requests and approves one deployment per machine through the deployment service (not timed). */
export async function approveDeployments(core: Core, machines: Machine[], parallel = 8): Promise<void> {
  let next = 0;
  const run = async () => {
    while (next < machines.length) {
      const m = machines[next++]!;
      const { deployment } = await core.deployments.request(
        { mac: m.mac, os: m.os, hostname: m.hostname },
        requester,
      );
      await core.deployments.approve(deployment.id, approver, { approver: true });
    }
  };
  await Promise.all(Array.from({ length: parallel }, run));
}
