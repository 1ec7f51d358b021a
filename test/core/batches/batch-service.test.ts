import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MachineDirectory } from '../../../core/batches/machine-directory.js';
import type { Core } from '../../../core/create-core.js';
import type { DeploymentChange } from '../../../core/deployments/deployment-service.js';
import { alice, approver, bob, carol, createTestCore, nobody } from '../../support/test-core.js';

let core: Core;
const changes: DeploymentChange[] = [];
let counter = 0x10;
const mac = () => `52:54:00:00:09:${(counter++).toString(16).padStart(2, '0')}`;

beforeAll(async () => {
  core = await createTestCore();
  core.onChange((c) => {
    changes.push(c);
  });
});
afterAll(() => core?.close());

const twoMachines = () =>
  core.batches.create({ os: 'ubuntu2404', machines: [{ mac: mac() }, { mac: mac() }] }, alice);

describe('batch decisions follow the rules of a single deployment', () => {
  it('refuses the requester approving their own batch, and a non-approver; audits each refusal once, on the batch', async () => {
    const { batch, deployments } = await twoMachines();
    await expect(core.batches.approve(batch.id, alice, approver)).rejects.toMatchObject({
      code: 'deploy:self-approval',
      message: `alice requested batch #${batch.id} and cannot approve it too`,
    });
    await expect(core.batches.approve(batch.id, bob, nobody)).rejects.toMatchObject({
      code: 'deploy:not-approver',
    });
    await expect(core.batches.reject(batch.id, carol, nobody)).rejects.toMatchObject({
      code: 'deploy:not-approver',
    });
    const decisions = await core.batches.repository().decisions(batch.id);
    expect(decisions.map((d) => [d.actorName, d.accepted, d.deploymentId])).toEqual([
      ['alice', false, null],
      ['bob', false, null],
      ['carol', false, null],
    ]);
    for (const { deployment } of deployments) {
      expect((await core.deployments.repository().get(deployment.id)).status).toBe('pending_approval');
    }
  });

  it('moves every member in one decision, publishes each change, and shows the batch decision on each member', async () => {
    const { batch, deployments } = await twoMachines();
    changes.length = 0;
    await core.batches.approve(batch.id, bob, approver);
    expect(changes.map((c) => [c.deploymentId, c.state, c.from])).toEqual(
      deployments.map(({ deployment }) => [deployment.id, 'approved', 'pending_approval']),
    );
    const by = await core.deployments.repository().decidedBy(deployments[1]!.deployment.id);
    expect(by).toMatchObject({ actorName: 'bob', verdict: 'approve', batchId: batch.id });
    // The requester may still cancel one member on its own.
    await core.deployments.cancel(deployments[0]!.deployment.id, alice, nobody);
    await expect(core.batches.approve(batch.id, carol, approver)).rejects.toMatchObject({
      code: 'batch:already-decided',
      message: `batch #${batch.id} was already approved by bob`,
    });
  });
});

describe('machine names', () => {
  it('resolve through the machine directory when there is one', async () => {
    const directory: MachineDirectory = {
      async findByNames(names) {
        return new Map(
          names
            .filter((n) => n !== 'ghost')
            .map((n, i) => [n, { name: n, mac: `52:54:00:00:0a:${(i + 1).toString(16).padStart(2, '0')}` }]),
        );
      },
      async findByTag() {
        return [];
      },
    };
    // Same database, a service with an inventory.
    const { BatchService } = await import('../../../core/batches/batch-service.js');
    const service = new BatchService({
      orm: core.orm,
      secretBox: core.secretBox,
      approvalTimeoutMinutes: 60,
      allowSelfApproval: false,
      directory,
      publish: async () => {},
    });
    await expect(
      service.create({ os: 'ubuntu2404', machines: [{ machine: 'web01' }, { machine: 'ghost' }] }, alice),
    ).rejects.toMatchObject({
      status: 422,
      detail: { items: [expect.objectContaining({ index: 1, code: 'machine:not-found' })] },
    });
    const { deployments } = await service.create(
      { os: 'ubuntu2404', machines: [{ machine: 'web01' }, { machine: 'web02' }] },
      alice,
    );
    expect(deployments.map((d) => [d.deployment.hostname, d.deployment.mac])).toEqual([
      ['web01', '52:54:00:00:0a:01'],
      ['web02', '52:54:00:00:0a:02'],
    ]);
    await expect(service.itemsForTag('rack12')).rejects.toMatchObject({ code: 'inventory:empty-tag' });
    // The core's own directory is the machine inventory (core/machines).
    await expect(core.batches.itemsForTag('rack12')).rejects.toMatchObject({ code: 'inventory:empty-tag' });
    await core.machines.put('r12b', { mac: '52:54:00:00:0e:02', tags: ['rack12'] });
    await core.machines.put('r12a', { mac: '52:54:00:00:0e:01', tags: ['rack12', 'gpu'] });
    await core.machines.put('r13a', { mac: '52:54:00:00:0e:03', tags: ['rack13'] });
    const items = await core.batches.itemsForTag('rack12');
    expect(items).toEqual([{ machine: 'r12a' }, { machine: 'r12b' }]);
    const { deployments: tagged } = await core.batches.create({ os: 'ubuntu2404', machines: items }, alice);
    expect(tagged.map((d) => [d.deployment.hostname, d.deployment.mac])).toEqual([
      ['r12a', '52:54:00:00:0e:01'],
      ['r12b', '52:54:00:00:0e:02'],
    ]);
    const { BatchService: Bare } = await import('../../../core/batches/batch-service.js');
    const without = new Bare({
      orm: core.orm,
      secretBox: core.secretBox,
      approvalTimeoutMinutes: 60,
      allowSelfApproval: false,
      directory: null,
      publish: async () => {},
    });
    await expect(without.itemsForTag('rack12')).rejects.toMatchObject({
      code: 'inventory:unavailable',
      message: expect.stringContaining('machine inventory not available'),
    });
  });
});
