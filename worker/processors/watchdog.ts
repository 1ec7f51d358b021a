import { DelayedError, type Job } from 'bullmq';
import type { Core } from '../../core/create-core.js';
import { isAppError } from '../../core/errors.js';
import type { WatchdogJob } from '../../core/queues.js';
import { type GuardedState, watchdogMinutes } from '../schedule.js';

/** Why a deployment failed, per state it got stuck in: what an operator should look at. */
export function watchdogReason(state: GuardedState, minutes: number): string {
  const span = minutes >= 1 ? `${Math.round(minutes)} min` : `${Math.round(minutes * 60)} s`;
  switch (state) {
    case 'approved':
      return `the machine did not PXE-boot within ${span} of approval (is it powered on, set to network boot, and does DHCP point it at the boot server?)`;
    case 'booting':
      return `the installer did not report within ${span} of booting (check the machine's console: did the installer start and reach the callback URL?)`;
    case 'installing':
      return `no news from the installer for ${span} (check the machine's console for a stuck or failed installation)`;
    case 'configuring':
      return `the first boot did not finish within ${span} (no report from the installed OS; check its console)`;
  }
}

/**
 * Watchdog of one state: fails a deployment that has had no event for `WATCHDOG_<STATE>_MINUTES`.
 * Events push the deadline back (it is measured from the last event), so a woken watchdog re-reads
 * Postgres and sleeps again until the real deadline; a deployment that moved on is left alone.
 */
export function watchdogProcessor(core: Core) {
  return async (job: Job<WatchdogJob>, token?: string): Promise<string> => {
    const { deploymentId, state } = job.data;
    const repo = core.deployments.repository();
    for (;;) {
      const d = await repo.get(deploymentId).catch((error) => {
        if (isAppError(error) && error.status === 404) return null;
        throw error;
      });
      if (!d || d.status !== state) return 'moved on';
      const minutes = watchdogMinutes(core.config, state);
      const due = d.lastEventAt.getTime() + minutes * 60_000;
      if (due > Date.now()) {
        await job.moveToDelayed(due, token);
        throw new DelayedError();
      }
      const cutoff = new Date(Date.now() - minutes * 60_000);
      if (await core.deployments.failIfStale(deploymentId, state, cutoff, watchdogReason(state, minutes)))
        return 'failed';
      // An event arrived between the read and the compare-and-set: read again.
    }
  };
}
