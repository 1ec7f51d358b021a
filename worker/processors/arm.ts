import type { Job } from 'bullmq';
import type { Core } from '../../core/create-core.js';
import type { ArmJob } from '../../core/queues.js';
import { isGuarded, type Scheduler } from '../schedule.js';

/**
 * Arms an approved deployment: its watchdog starts and the notifier opens the thread with "approved —
 * the machine may PXE-boot now". Powering the machine on (Wake-on-LAN, IPMI, Redfish) will hook in
 * here; until then nothing is sent on the network and the thread asks a person to power it on.
 */
export function armProcessor(core: Core, scheduler: Scheduler) {
  return async (job: Job<ArmJob>): Promise<string> => {
    const d = await core.deployments.repository().get(job.data.deploymentId);
    if (!isGuarded(d.status)) return `not armed: ${d.status}`;
    await scheduler.watchdog(d.id, d.status, d.lastEventAt);
    await scheduler.notify(d.id, { priority: 'state' });
    core.logger.info(
      { deploymentId: d.id, mac: d.mac },
      'deployment armed; waiting for the machine to PXE-boot (power-on is manual)',
    );
    return 'armed';
  };
}
