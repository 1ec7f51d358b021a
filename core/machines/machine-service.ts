import { type EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import type { Orm } from '../db/orm.js';
import { DeploymentRepository } from '../deployments/deployment-repository.js';
import { ConflictError } from '../errors.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { type BmcSecrets, Machine } from './machine.entity.js';
import { mergeSecrets, validateMachine } from './machine-input.js';
import { MachineRepository } from './machine-repository.js';

export interface MachineServiceOptions {
  orm: Orm;
  secretBox: SecretBox;
  now?: () => Date;
}

/** The machine inventory: create or replace, remove, and the decrypted BMC secrets for the power layer. */
export class MachineService {
  constructor(private readonly opts: MachineServiceOptions) {}

  private em(): EntityManager {
    return this.opts.orm.em.fork();
  }

  repository(): MachineRepository {
    return new MachineRepository(this.em());
  }

  /**
   * Creates or replaces the machine `name`. A password or secret left out keeps the stored one (GET never
   * shows it); `null` removes it. The MAC is unique across machines, and may not change while the machine
   * has an active deployment. Systems with the machine's MAC are linked to it.
   */
  async put(name: string, input: unknown): Promise<{ machine: Machine; created: boolean }> {
    const valid = validateMachine(name, input);
    const em = this.em();
    const now = this.opts.now?.() ?? new Date();
    try {
      return await em.transactional(async (tem) => {
        const existing = await tem.findOne(
          Machine,
          { name: valid.name },
          { populate: ['bmcSecrets'], lockMode: 4 /* pessimistic write */ },
        );
        if (existing && existing.mac !== valid.mac) {
          const active = await new DeploymentRepository(tem).findActiveByMac(existing.mac);
          if (active)
            throw new ConflictError(
              'machine:busy',
              `${valid.name} has deployment #${active.id} (${active.status}) on ${existing.mac}; change its MAC once that ends`,
              { deploymentId: active.id, status: active.status },
            );
        }
        const stored: BmcSecrets =
          existing?.bmcSecrets && existing.bmc?.driver === valid.bmc?.driver
            ? (JSON.parse(this.opts.secretBox.decrypt(existing.bmcSecrets)) as BmcSecrets)
            : {};
        const secrets =
          valid.bmc && valid.bmc.driver !== 'manual' ? mergeSecrets(stored, valid.secrets) : null;
        const fields = {
          mac: valid.mac,
          bmc: valid.bmc,
          bmcSecrets: secrets ? this.opts.secretBox.encrypt(JSON.stringify(secrets)) : null,
          bootMode: valid.bootMode,
          profile: valid.profile,
          disk: valid.disk,
          tags: valid.tags,
          updatedAt: now,
        };
        const machine = existing ?? tem.create(Machine, { name: valid.name, createdAt: now, ...fields });
        if (existing) tem.assign(existing, fields);
        await tem.flush();
        await linkSystems(tem, machine);
        return { machine, created: !existing };
      });
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        const other = await this.repository().findByMac(valid.mac);
        if (other && other.name !== valid.name)
          throw new ConflictError(
            'machine:mac-in-use',
            `${valid.mac} already belongs to machine ${other.name}`,
            {
              machine: other.name,
            },
          );
        throw new ConflictError('machine:conflict', `${valid.name} was changed at the same time; try again`);
      }
      throw error;
    }
  }

  /** Removes a machine; 409 while it has an active deployment. Its systems keep their history, unlinked. */
  async remove(name: string): Promise<void> {
    const machine = await this.repository().get(name);
    const em = this.em();
    const active = await new DeploymentRepository(em).findActiveByMac(machine.mac);
    if (active)
      throw new ConflictError(
        'machine:busy',
        `${machine.name} has deployment #${active.id} (${active.status}); cancel it before removing the machine`,
        { deploymentId: active.id, status: active.status },
      );
    await em.nativeDelete(Machine, { id: machine.id });
  }

  /** Whether a machine has a stored password or secret (what the API shows instead of it). */
  async hasSecrets(machine: Machine): Promise<{ password: boolean; secret: boolean }> {
    const secrets = await this.secrets(machine);
    return { password: Boolean(secrets.password), secret: Boolean(secrets.secret) };
  }

  /** The decrypted BMC secrets of a machine. Never log the result. */
  async secrets(machine: Pick<Machine, 'id'> & Partial<Pick<Machine, 'bmcSecrets'>>): Promise<BmcSecrets> {
    const sealed =
      machine.bmcSecrets !== undefined
        ? machine.bmcSecrets
        : (await this.em().findOne(Machine, { id: machine.id }, { populate: ['bmcSecrets'] }))?.bmcSecrets;
    return sealed ? (JSON.parse(this.opts.secretBox.decrypt(sealed)) as BmcSecrets) : {};
  }
}

/** Points the systems registry at the machine that now owns each MAC. */
async function linkSystems(em: EntityManager, machine: Machine): Promise<void> {
  const conn = em.getConnection();
  await conn.execute('update "system" set "machine_id" = null where "machine_id" = ? and "mac" <> ?', [
    machine.id,
    machine.mac,
  ]);
  await conn.execute('update "system" set "machine_id" = ? where "mac" = ?', [machine.id, machine.mac]);
}
