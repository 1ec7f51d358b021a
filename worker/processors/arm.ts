import type { Job } from 'bullmq';
import type { Core } from '../../core/create-core.js';
import { machineToPower } from '../../core/power/power-sequence.js';
import type { ArmJob } from '../../core/queues.js';
import { isGuarded, type Scheduler } from '../schedule.js';

/**
 * Arms an approved deployment: its watchdog starts, the notifier opens the thread with "approved", and
 * when the machine is in the inventory with a BMC, the power sequence starts (./power.ts). Otherwise
 * nothing is sent on the network and the thread asks a person to power it on.
 */
export function armProcessor(core: Core, scheduler: Scheduler) {
  return async (job: Job<ArmJob>): Promise<string> => {
    const d = await core.deployments.repository().get(job.data.deploymentId);
    if (!isGuarded(d.status)) return `not armed: ${d.status}`;
    await scheduler.watchdog(d.id, d.status, d.lastEventAt);
    await scheduler.notify(d.id, { priority: 'state' });
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
