import { EntitySchema } from '@mikro-orm/core';
import { Machine } from '../machines/machine.entity.js';

/** The registry: every machine that completed a deployment, keyed by MAC. */
export class System {
  id!: number;
  mac!: string;
  hostname!: string;
  os!: string;
  edition!: string | null;
  manufacturer!: string | null;
  product!: string | null;
  serial!: string | null;
  uuid!: string | null;
  firstDeploymentId!: number;
  lastDeploymentId!: number;
  firstDeployedAt!: Date;
  lastDeployedAt!: Date;
  /** The inventory machine with this MAC, when there is one (set on `done` and when a machine is saved). */
  machineId!: number | null;
}

export const SystemSchema = new EntitySchema<System>({
  class: System,
  tableName: 'system',
  properties: {
    id: { type: 'number', primary: true, autoincrement: true },
    mac: { type: 'string', length: 17, unique: 'system_mac_unique' },
    hostname: { type: 'string', length: 63 },
    os: { type: 'string', length: 64 },
    edition: { type: 'string', length: 64, nullable: true },
    manufacturer: { type: 'string', length: 128, nullable: true },
    product: { type: 'string', length: 128, nullable: true },
    serial: { type: 'string', length: 128, nullable: true },
    uuid: { type: 'string', length: 64, nullable: true },
    firstDeploymentId: { type: 'number' },
    lastDeploymentId: { type: 'number' },
    firstDeployedAt: { type: 'Date', columnType: 'timestamptz' },
    lastDeployedAt: { type: 'Date', columnType: 'timestamptz' },
    machineId: {
      kind: 'm:1',
      entity: () => Machine,
      mapToPk: true,
      fieldName: 'machine_id',
      nullable: true,
      deleteRule: 'set null',
    },
  },
});
