import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from '../db/orm.js';
import type { Permission } from '../deployments/decide.js';
import type { Actor } from '../deployments/deployment.entity.js';
import { ForbiddenError, isAppError, ValidationError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Machine } from '../machines/machine.entity.js';
import type { MachineService } from '../machines/machine-service.js';
import { type DriverOptions, withDriver } from './create-driver.js';
import { POWER_ACTIONS, type PowerAction, PowerActionRecord } from './power-action.entity.js';
import { bootModeLabel, type PowerDriver, type PowerState } from './power-driver.js';

/** What a power request did. */
export interface PowerOutcome {
  machine: string;
  action: PowerAction;
  /** The state the BMC reports after the action (`unknown` when it cannot tell). */
  power: PowerState;
  driver: string;
  /** For `pxe-once`: the BMC read it back. */
  verified?: boolean;
  /** Quirks worth saying (`the BMC answered 400 but applied it`, `TLS certificate not verified`). */
  notes: string[];
}

export interface PowerServiceOptions {
  orm: Orm;
  machines: MachineService;
  logger: Logger;
  driver?: DriverOptions;
}

/**
 * Power of inventory machines on request (`POST /api/v1/machines/:name/power`, `/power`, `npm run power`):
 * `status` for anyone who may deploy, changes for approvers only; every request, refused ones included,
 * is audited in `power_action` like the decisions of deployments. The approval sequence lives in
 * power-sequence.ts; it uses {@link PowerService.driverFor} too.
 */
export class PowerService {
  constructor(private readonly opts: PowerServiceOptions) {}

  private em(): EntityManager {
    return this.opts.orm.em.fork();
  }

  /** Runs `fn` with a machine's driver, closed after (Redfish sessions logged out). */
  async driverFor<T>(machine: Machine, fn: (driver: PowerDriver) => Promise<T>): Promise<T> {
    const secrets = await this.opts.machines.secrets(machine);
    return withDriver(machine, secrets, this.opts.driver ?? {}, fn);
  }

  async request(name: string, action: string, actor: Actor, permission: Permission): Promise<PowerOutcome> {
    if (!(POWER_ACTIONS as readonly string[]).includes(action))
      throw new ValidationError(
        `unknown power action "${action.slice(0, 16)}"; use one of ${POWER_ACTIONS.join(', ')}`,
        undefined,
        'power:unknown-action',
      );
    const act = action as PowerAction;
    const machine = await this.opts.machines.repository().get(name);
    if (act !== 'status' && !permission.approver) {
      const refusal = new ForbiddenError(
        'power:not-approver',
        `${actor.name} is not an approver: only approvers may change the power of ${machine.name}`,
      );
      await this.audit(machine.name, act, actor, false, refusal.message);
      throw refusal;
    }
    try {
      const outcome = await this.driverFor(machine, async (driver) => {
        const notes = [...driver.warnings];
        let verified: boolean | undefined;
        switch (act) {
          case 'on':
            await driver.on();
            break;
          case 'off':
            await driver.off();
            break;
          case 'cycle':
            await driver.cycle();
            break;
          case 'pxe-once': {
            const pxe = await driver.pxeOnce(machine.bootMode);
            verified = pxe.verified;
            notes.push(`PXE once in ${bootModeLabel(machine.bootMode)} mode`, ...pxe.notes);
            break;
          }
        }
        const power = await driver.status();
        return {
          machine: machine.name,
          action: act,
          power,
          driver: driver.label,
          notes,
          ...(verified === undefined ? {} : { verified }),
        };
      });
      await this.audit(machine.name, act, actor, true, `power ${outcome.power}`);
      this.opts.logger.info(
        {
          machine: machine.name,
          action: act,
          power: outcome.power,
          actor: actor.name,
          platform: actor.platform,
        },
        'power request done',
      );
      return outcome;
    } catch (error) {
      const result = isAppError(error) ? `${error.code}: ${error.message}` : 'internal error';
      await this.audit(machine.name, act, actor, true, result.slice(0, 500));
      throw error;
    }
  }

  /** The audit trail of a machine, newest first. */
  history(name: string, limit = 50): Promise<PowerActionRecord[]> {
    return this.em().find(PowerActionRecord, { machineName: name }, { orderBy: { id: 'desc' }, limit });
  }

  private async audit(
    machineName: string,
    action: PowerAction,
    actor: Actor,
    accepted: boolean,
    result: string,
  ) {
    const em = this.em();
    em.create(PowerActionRecord, {
      machineName,
      action,
      accepted,
      result,
      actorPlatform: actor.platform,
      actorId: actor.id,
      actorName: actor.name,
      requestedAt: new Date(),
    });
    await em.flush();
  }
}
