import type { Job } from 'bullmq';
import type { Core } from '../../core/create-core.js';
import type { ArmJob } from '../../core/queues.js';
import { isGuarded } from '../schedule.js';

/**
 * Arms an approved deployment. Its watchdog and the notifier's "approved — the machine may PXE-boot now"
 * were already scheduled by the change that approved it (`publishChange`), so this job schedules nothing
 * again; it is where powering the machine on (Wake-on-LAN, IPMI, Redfish) hooks in. Until then nothing
 * is sent on the network and the thread asks a person to power it on.
 */
export function armProcessor(core: Core) {
  return async (job: Job<ArmJob>): Promise<string> => {
    const d = await core.deployments.repository().get(job.data.deploymentId);
    if (!isGuarded(d.status)) return `not armed: ${d.status}`;
    core.logger.info(
      { deploymentId: d.id, mac: d.mac },
      'deployment armed; waiting for the machine to PXE-boot (power-on is manual)',
    );
    return 'armed';
  };
}
