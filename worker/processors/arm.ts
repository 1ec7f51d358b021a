import type { Job } from 'bullmq';
import type { Core } from '../../core/create-core.js';
import { machineToPower } from '../../core/power/power-sequence.js';
import type { ArmJob } from '../../core/queues.js';
import { isGuarded, type Scheduler } from '../schedule.js';

/**
 * Arms an approved deployment. Its watchdog and the notifier's "approved" line were already scheduled by
 * the change that approved it (`publishChange`); when the machine is in the inventory with a BMC, this
 * job starts the power sequence (./power.ts). Otherwise nothing is sent on the network and the thread
 * asks a person to power it on.
 */
export function armProcessor(core: Core, scheduler: Pick<Scheduler, 'power'>) {
  return async (job: Job<ArmJob>): Promise<string> => {
    const d = await core.deployments.repository().get(job.data.deploymentId);
    if (!isGuarded(d.status)) return `not armed: ${d.status}`;
    const machine = d.status === 'approved' ? await machineToPower(core, d.mac) : null;
    if (machine) {
      await scheduler.power(d.id);
      core.logger.info(
        { deploymentId: d.id, mac: d.mac, machine: machine.name, driver: machine.bmc?.driver },
        'deployment armed; powering the machine into PXE through its BMC',
      );
      return 'armed, powering';
    }
    core.logger.info(
      { deploymentId: d.id, mac: d.mac },
      'deployment armed; waiting for the machine to PXE-boot (power-on is manual)',
    );
    return 'armed';
  };
}
