import type { Job } from 'bullmq';
import type { Core } from '../../core/create-core.js';
import { runPowerSequence } from '../../core/power/power-sequence.js';
import type { PowerJob } from '../../core/queues.js';

/**
 * Powers an approved deployment's machine into PXE through its BMC (core/power/power-sequence.ts). The
 * sequence's progress is in Postgres (`power_run`), so a job that a stopped worker left behind resumes
 * where it was; BullMQ retries transient BMC failures with backoff, and the last try reports instead.
 */
export function powerProcessor(core: Core) {
  return async (job: Job<PowerJob>): Promise<string> => {
    const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    return runPowerSequence(core, job.data.deploymentId, { finalAttempt });
  };
}
