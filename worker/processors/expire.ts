import { DelayedError, type Job } from 'bullmq';
import type { Core } from '../../core/create-core.js';
import { isAppError } from '../../core/errors.js';
import type { ExpireJob } from '../../core/queues.js';

/**
 * Approval deadline: a request still pending at its `expiresAt` becomes `expired` (the card says so).
 * Decided meanwhile: nothing to do. Woken early (clock skew, a rescheduled timer): sleeps until due.
 */
export function expireProcessor(core: Core) {
  return async (job: Job<ExpireJob>, token?: string): Promise<string> => {
    const d = await core.deployments
      .repository()
      .get(job.data.deploymentId)
      .catch((error) => {
        if (isAppError(error) && error.status === 404) return null;
        throw error;
      });
    if (d?.status !== 'pending_approval') return 'decided';
    if (d.expiresAt.getTime() > Date.now()) {
      await job.moveToDelayed(d.expiresAt.getTime(), token);
      throw new DelayedError();
    }
    const expired = await core.deployments.expire(d.id);
    return expired ? 'expired' : 'decided';
  };
}
