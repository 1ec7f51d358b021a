import type { Orm } from '../db/orm.js';
import type { DeploymentService } from '../deployments/deployment-service.js';
import type { Logger } from '../logger.js';
import type { Machine } from '../machines/machine.entity.js';
import type { MachineService } from '../machines/machine-service.js';
import { BmcError, bootModeLabel } from './power-driver.js';
import { PowerRun } from './power-run.entity.js';
import type { PowerService } from './power-service.js';

export interface PowerSequenceDeps {
  orm: Orm;
  deployments: DeploymentService;
  machines: MachineService;
  power: PowerService;
  logger: Logger;
}

export type SequenceOutcome = 'not-approved' | 'manual' | 'done' | 'failed' | 'already';

/** The machine whose BMC an approved deployment should drive: the inventory machine with its MAC. */
export async function machineToPower(deps: PowerSequenceDeps, mac: string): Promise<Machine | null> {
  const machine = await deps.machines.repository().findByMac(mac as Machine['mac']);
  return machine?.bmc && machine.bmc.driver !== 'manual' ? machine : null;
}

/**
 * The power sequence of an approved deployment: PXE once in the machine's boot mode, read back, then
 * power on (it was off) or cycle (it was on). Each step is recorded in `power_run` before the next
 * begins, and the power change's intent before the BMC is asked, so a job resumed by another worker
 * never changes power twice: a run found `powering` asks the BMC whether the machine is on already.
 * Runs only while the deployment is `approved`. A transient BMC failure is thrown for the queue to retry
 * unless `finalAttempt`; any other failure, or the last one, becomes one `power_failed` line and the
 * deployment stays approved (the person powers it on; the watchdog still applies).
 */
export async function runPowerSequence(
  deps: PowerSequenceDeps,
  deploymentId: number,
  opts: { finalAttempt: boolean },
): Promise<SequenceOutcome> {
  const deployment = await deps.deployments.repository().get(deploymentId);
  if (deployment.status !== 'approved') return 'not-approved';
  const machine = await machineToPower(deps, deployment.mac);
  if (!machine) return 'manual';
  const em = deps.orm.em.fork();
  await em
    .getConnection()
    .execute(
      `insert into "power_run" ("deployment_id", "machine_name", "step", "created_at", "updated_at") values (?, ?, 'pending', now(), now()) on conflict do nothing`,
      [deploymentId, machine.name],
    );
  const run = await em.findOneOrFail(PowerRun, { deploymentId });
  if (run.step === 'done' || run.step === 'failed') return 'already';
  const save = async (patch: Partial<PowerRun>) => {
    Object.assign(run, patch);
    await em.flush();
  };
  const stillApproved = async () =>
    (await deps.deployments.repository().get(deploymentId)).status === 'approved';
  const how = `via ${machine.bmc!.driver === 'webhook' ? 'webhook' : machine.bmc!.driver === 'ipmi' ? 'IPMI' : 'Redfish'}`;
  try {
    return await deps.power.driverFor(machine, async (driver) => {
      if (run.step === 'pending') {
        const before = await driver.status();
        const pxe = await driver.pxeOnce(machine.bootMode);
        const details = [...driver.warnings, ...pxe.notes];
        await deps.deployments.recordPowerStep(
          deploymentId,
          'power_pxe',
          `PXE once set via ${driver.label} (${bootModeLabel(machine.bootMode)}), ${pxe.verified ? 'verified' : 'not verified'}${details.length ? ` (${details.join('; ')})` : ''}`,
        );
        await save({ step: 'pxe_set', powerBefore: before });
      }
      if (!(await stillApproved())) return 'not-approved';
      if (run.step === 'powering') {
        // A worker stopped after asking the BMC: whatever it did, the machine being on is the goal.
        if ((await driver.status()) === 'on') {
          await deps.deployments.recordPowerStep(
            deploymentId,
            'power_on',
            'power on confirmed (after a worker restart)',
          );
          await save({ step: 'done' });
          return 'done';
        }
        run.powerBefore = 'off';
      }
      const cycle = run.powerBefore === 'on';
      await save({ step: 'powering' });
      if (cycle) await driver.cycle();
      else await driver.on();
      await deps.deployments.recordPowerStep(
        deploymentId,
        cycle ? 'power_cycle' : 'power_on',
        cycle ? 'power cycled' : 'powered on',
      );
      await save({ step: 'done', error: null });
      return 'done';
    });
  } catch (error) {
    if (!(error instanceof BmcError) && !(error as { code?: string })?.code?.startsWith?.('power:'))
      throw error;
    const bmc = error as BmcError;
    if (bmc.transient && !opts.finalAttempt) {
      deps.logger.warn(
        { deploymentId, machine: machine.name, code: bmc.code, err: bmc.message },
        'BMC busy or unreachable; retrying',
      );
      await save({ error: bmc.message });
      throw error;
    }
    await save({ step: 'failed', error: bmc.message });
    await deps.deployments.recordPowerStep(
      deploymentId,
      'power_failed',
      `Could not power ${machine.name} on ${how}: ${bmc.message}. Power it on by hand (network boot); the deployment stays approved.`,
    );
    deps.logger.warn(
      { deploymentId, machine: machine.name, code: bmc.code },
      'power sequence failed; a person has to power the machine on',
    );
    return 'failed';
  }
}
